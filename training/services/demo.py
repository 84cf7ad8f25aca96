"""A demo organisation with realistic history, built through the same services as real use."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from training.models import OPEN, Assignment, Module, ModuleRevision, Person

from . import ServiceError
from .accounts import create_person, find_org_unit, set_audiences
from .assignments import curricula_in_force, sync_person
from .catalogue import revision_doc
from .learning import correct_answers, mark_lesson_read, start_attempt, submit_attempt, wrong_answers

DEMO_PASSWORD = "conduit-demo"  # noqa: S105 - published demo credential, refused in production

UNITS = {
    "it": ["Corporate IT"],
    "ops": ["Plant North", "Operations"],
    "eng": ["Plant North", "Engineering"],
    "ctr": ["Contractors"],
}

# email, name, unit, audiences, roles, history: how long ago they joined and what they did since
SIGN_INS = [
    ("learner@example.com", "Lena Ortiz", "ops", ["ot-operator"], ["learner"], "OT operator, Plant North › Operations"),
    ("manager@example.com", "Marcus Reed", None, ["manager"], ["learner", "manager"], "manager of Plant North"),
    ("author@example.com", "Ada Byrne", "it", ["all-staff"], ["learner", "author"], "content author"),
    ("admin@example.com", "Sam Okafor", "it", ["it-admin"], ["learner", "admin"], "administrator"),
]
PEOPLE = [
    ("priya.natarajan@example.com", "Priya Natarajan", "ops", ["ot-operator"], "diligent"),
    ("tom.walsh@example.com", "Tom Walsh", "ops", ["ot-operator"], "overdue"),
    ("jin.park@example.com", "Jin Park", "ops", ["ot-operator"], "partial"),
    ("rosa.delgado@example.com", "Rosa Delgado", "ops", ["ot-operator"], "lapsed"),
    ("kwame.mensah@example.com", "Kwame Mensah", "ops", ["ot-operator"], "new"),
    ("elena.petrova@example.com", "Elena Petrova", "eng", ["ot-engineer"], "diligent"),
    ("david.cohen@example.com", "David Cohen", "eng", ["ot-engineer"], "partial"),
    ("aisha.rahman@example.com", "Aisha Rahman", "eng", ["ot-engineer"], "overdue"),
    ("lars.nilsson@example.com", "Lars Nilsson", "eng", ["ot-engineer"], "lapsed"),
    ("grace.kim@example.com", "Grace Kim", "it", ["it-admin"], "diligent"),
    ("omar.haddad@example.com", "Omar Haddad", "it", ["it-admin"], "partial"),
    ("sofia.rossi@example.com", "Sofia Rossi", "it", ["all-staff"], "diligent"),
    ("ben.carter@example.com", "Ben Carter", "it", ["all-staff"], "overdue"),
    ("mei.chen@example.com", "Mei Chen", "it", ["manager"], "partial"),
    ("jack.obrien@example.com", "Jack O'Brien", "ctr", ["contractor"], "diligent"),
    ("nadia.ivanova@example.com", "Nadia Ivanova", "ctr", ["contractor"], "new"),
    ("felix.bauer@example.com", "Felix Bauer", "ctr", ["contractor-remote"], "overdue"),
]


@dataclass
class DemoReport:
    skipped: bool = False
    people: int = 0
    units: int = 0
    sign_ins: list[tuple[str, str]] = field(default_factory=lambda: [(e, w) for e, _, _, _, _, w in SIGN_INS])


def seed_demo(session: Session, *, now: dt.datetime) -> DemoReport:
    """Seed only an empty database, so running it twice keeps what is there."""
    if session.scalar(select(func.count()).select_from(Person)):
        return DemoReport(skipped=True)
    if curricula_in_force(session) is None:
        raise ServiceError("import content first: flask content import")
    rng = random.Random(2026)  # noqa: S311 - a repeatable demo, not a secret
    units = {key: find_org_unit(session, path, create=True) for key, path in UNITS.items()}
    plant = find_org_unit(session, ["Plant North"])
    report = DemoReport(units=5)
    for email, name, unit, audiences, roles, _ in SIGN_INS:
        joined = now - dt.timedelta(days=400)
        is_learner = email == "learner@example.com"
        person = create_person(
            session, email=email, name=name, password=DEMO_PASSWORD, roles=roles,
            audiences=["all-staff"] if is_learner else audiences, org_unit=units[unit] if unit else plant,
            manages=[plant] if "manager" in roles and plant else [], now=joined,
        )  # fmt: skip
        sync_person(session, person, now=joined)
        if is_learner:
            _demo_learner(session, person, audiences, now, rng)
        else:
            _history(session, person, "diligent", joined, now, rng)
        report.people += 1
    for email, name, unit, audiences, profile in PEOPLE:
        joined = now - dt.timedelta(days={"new": 10, "overdue": 75}.get(profile, 420))
        person = create_person(
            session, email=email, name=name, password=None, roles=["learner"], audiences=audiences, org_unit=units[unit], now=joined
        )
        sync_person(session, person, now=joined)
        _history(session, person, profile, joined, now, rng)
        report.people += 1
    return report


# Days before today that the demo learner completed each all-staff module (None: never did).
LEARNER_COMPLETED_DAYS_AGO = [330, 356, 385, None, 300, 250, 357, 320, 390, 310]


def _demo_learner(session: Session, person: Person, audiences: list[str], now: dt.datetime, rng: random.Random) -> None:
    """Lena: a year of all-staff history (some current, one due soon, some lapsed), then a move
    into an OT operator role ten days ago that brought new modules: one half read, the rest new."""
    for index, (module, lessons, _) in enumerate(_open_modules(session, person)):
        days = LEARNER_COMPLETED_DAYS_AGO[index % len(LEARNER_COMPLETED_DAYS_AGO)]
        if days is not None:
            _complete(session, person, module, lessons, now - dt.timedelta(days=days), rng, fail_first=index == 1)
    moved = now - dt.timedelta(days=10)
    set_audiences(session, person, audiences)
    sync_person(session, person, now=moved)
    new = [item for item in _open_modules(session, person) if item[2].assigned_at >= moved]
    if new:
        module, lessons, _ = new[0]
        _read(session, person, module, lessons[: max(1, len(lessons) // 2)], moved + dt.timedelta(days=2))


def _open_modules(session: Session, person: Person) -> list[tuple[Module, list[str], Assignment]]:
    result = []
    for assignment in session.scalars(
        select(Assignment).where(Assignment.person_id == person.id, Assignment.status == OPEN).order_by(Assignment.module_id)
    ):
        module = session.get(Module, assignment.module_id)
        if module is None or module.published_revision_id is None:
            continue
        revision = session.get(ModuleRevision, module.published_revision_id)
        if revision is None:
            continue
        result.append((module, [lesson.id for lesson in revision_doc(revision).lessons], assignment))
    return result


def _history(session: Session, person: Person, profile: str, joined: dt.datetime, now: dt.datetime, rng: random.Random) -> None:
    """Act out a person's past at past times: read lessons, take quizzes, pass or fail."""
    for index, (module, lessons, _) in enumerate(_open_modules(session, person)):
        if profile in ("diligent", "lapsed"):
            finished = joined + dt.timedelta(days=rng.randint(5, 25))
            if profile == "lapsed" or index % 4 != 3:
                _complete(session, person, module, lessons, finished, rng, fail_first=rng.random() < 0.2)
        elif profile == "partial":
            if index % 2 == 0:
                _complete(session, person, module, lessons, joined + dt.timedelta(days=rng.randint(5, 25)), rng)
            elif index % 3 == 1:
                _read(session, person, module, lessons[:1], joined + dt.timedelta(days=rng.randint(3, 20)))
        elif profile == "overdue" and index % 3 == 0:
            _read(session, person, module, lessons[:1], joined + dt.timedelta(days=20))
        elif profile == "new" and index == 0:
            _complete(session, person, module, lessons, min(now, joined + dt.timedelta(days=2)), rng)
    if profile == "diligent":
        # Diligent people have also renewed whatever came round again this year.
        for module, lessons, assignment in _open_modules(session, person):
            if assignment.cycle > 1:
                _complete(session, person, module, lessons, now - dt.timedelta(days=rng.randint(3, 40)), rng)


def _read(session: Session, person: Person, module: Module, lessons: list[str], when: dt.datetime) -> None:
    for offset, lesson in enumerate(lessons):
        mark_lesson_read(session, person.id, module, lesson, now=when + dt.timedelta(minutes=4 * offset))


def _complete(
    session: Session, person: Person, module: Module, lessons: list[str], when: dt.datetime, rng: random.Random, *, fail_first: bool = False
) -> None:
    _read(session, person, module, lessons, when)
    when = when + dt.timedelta(minutes=5 * len(lessons) + 3)
    if fail_first:
        attempt = start_attempt(session, person.id, module.slug, now=when, rng=rng)
        submit_attempt(session, person.id, attempt.id, wrong_answers(attempt.questions), now=when + dt.timedelta(minutes=6))
        when = when + dt.timedelta(minutes=15)
    attempt = start_attempt(session, person.id, module.slug, now=when, rng=rng)
    answers = correct_answers(attempt.questions)
    submit_attempt(session, person.id, attempt.id, answers, now=when + dt.timedelta(minutes=7))
