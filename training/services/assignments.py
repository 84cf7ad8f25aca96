"""Derive assignments from the curricula in force, and move them through their cycles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from training.content import Curricula, Recur, Requirement, expand_audiences, parse_curricula
from training.models import OPEN, Assignment, CurriculaRevision, Module, Person

from . import ServiceError
from .calendar import describe_rule, initial_due, next_due
from .summaries import refresh_cells

MAJOR_RETRAIN_DAYS = 30


@lru_cache(maxsize=8)
def _parse_cached(sha256: str, source: str) -> Curricula:
    curricula, problems = parse_curricula(source)
    if curricula is None:
        raise ServiceError("; ".join(str(p) for p in problems))
    return curricula


def curricula_in_force(session: Session) -> Curricula | None:
    row = session.scalars(select(CurriculaRevision).order_by(CurriculaRevision.id.desc()).limit(1)).first()
    return _parse_cached(row.sha256, row.source) if row else None


def recur_to_text(recur: Recur) -> str:
    if recur.every_months:
        return f"every_months:{recur.every_months}"
    if recur.every_calendar_months:
        return f"every_calendar_months:{recur.every_calendar_months}"
    if recur.each_calendar_quarter:
        return "each_calendar_quarter"
    return ""


def recur_from_text(text: str) -> Recur:
    if not text:
        return Recur()
    if text == "each_calendar_quarter":
        return Recur(each_calendar_quarter=True)
    key, _, months = text.partition(":")
    if key == "every_months":
        return Recur(every_months=int(months))
    if key == "every_calendar_months":
        return Recur(every_calendar_months=int(months))
    raise ValueError(f"unknown recurrence {text!r}")


def _interval_months(recur: Recur) -> float:
    if recur.every_months:
        return recur.every_months
    if recur.every_calendar_months:
        return recur.every_calendar_months
    if recur.each_calendar_quarter:
        return 3
    return float("inf")


@dataclass(frozen=True)
class Chosen:
    requirement: Requirement
    audience: str


def required_modules(curricula: Curricula, audience_slugs: set[str]) -> dict[str, Chosen]:
    """Module slug → the strictest requirement that applies (shortest recurrence, then earliest due)."""
    expanded = expand_audiences(curricula, audience_slugs)
    chosen: dict[str, Chosen] = {}
    for requirement in curricula.requirements:
        matching = [a for a in requirement.audiences if a in expanded]
        if not matching:
            continue
        candidate = Chosen(requirement, matching[0])
        current = chosen.get(requirement.module)
        if current is None or _strictness(candidate) < _strictness(current):
            chosen[requirement.module] = candidate
    return chosen


def _strictness(chosen: Chosen) -> tuple[float, int]:
    due = chosen.requirement.due
    first = 0 if due.before_access else (due.days_after_assignment or 0)
    return (_interval_months(chosen.requirement.recur), first)


def sync_person(
    session: Session,
    person: Person,
    *,
    now: dt.datetime,
    curricula: Curricula | None = None,
    modules: dict[str, Module] | None = None,
    refresh: bool = True,
) -> None:
    """Create the assignments a person's audiences require and withdraw those no longer required."""
    curricula = curricula or curricula_in_force(session)
    if curricula is None:
        return
    if modules is None:
        modules = {m.slug: m for m in session.scalars(select(Module))}
    required = required_modules(curricula, {a.slug for a in person.audiences}) if person.active else {}
    latest: dict[int, Assignment] = {}
    for assignment in session.scalars(select(Assignment).where(Assignment.person_id == person.id).order_by(Assignment.cycle)):
        latest[assignment.module_id] = assignment
    required_ids: set[int] = set()
    for slug, chosen in required.items():
        module = modules.get(slug)
        if module is None or module.status != "published" or module.published_revision_id is None:
            continue
        required_ids.add(module.id)
        last = latest.get(module.id)
        if last is not None and last.status != "withdrawn":
            continue
        requirement = chosen.requirement
        session.add(
            Assignment(
                person_id=person.id,
                module_id=module.id,
                cycle=(last.cycle + 1) if last else 1,
                assigned_at=now,
                due_on=initial_due(requirement.due, now.date()),
                audience=chosen.audience,
                recur=recur_to_text(requirement.recur),
                rule=describe_rule(chosen.audience, requirement.due, requirement.recur),
                reason="curriculum",
            )
        )
    for module_id, assignment in latest.items():
        if assignment.status == "open" and module_id not in required_ids:
            assignment.status = "withdrawn"
            assignment.closed_at = now
    session.flush()
    if refresh:
        refresh_cells(session, [person.id])


def sync_everyone(session: Session, *, now: dt.datetime) -> None:
    curricula = curricula_in_force(session)
    if curricula is None:
        return
    modules = {m.slug: m for m in session.scalars(select(Module))}
    synced = []
    for person in session.scalars(select(Person)):
        # The report summaries are refreshed once at the end, so their row locks are taken in one sorted pass.
        sync_person(session, person, now=now, curricula=curricula, modules=modules, refresh=False)
        synced.append(person.id)
    refresh_cells(session, synced)


def open_assignment(session: Session, person_id: int, module_id: int) -> Assignment | None:
    return session.scalars(
        select(Assignment)
        .where(Assignment.person_id == person_id, Assignment.module_id == module_id, Assignment.status == OPEN)
        .order_by(Assignment.cycle.desc())
        .limit(1)
    ).first()


def complete_assignment(session: Session, assignment: Assignment, *, now: dt.datetime) -> bool:
    """Close an open cycle and, if its rule recurs, open the next one with its calendar due date.

    The status check is part of the UPDATE, so two racing submissions cannot both complete it.
    """
    result = session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id, Assignment.status == OPEN)
        .values(status="completed", completed_at=now, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.refresh(assignment)
    due = next_due(recur_from_text(assignment.recur), now.date())
    if due is not None:
        session.add(
            Assignment(
                person_id=assignment.person_id,
                module_id=assignment.module_id,
                cycle=assignment.cycle + 1,
                assigned_at=now,
                due_on=due,
                audience=assignment.audience,
                recur=assignment.recur,
                rule=assignment.rule,
                reason="recurrence",
            )
        )
    session.flush()
    refresh_cells(session, [assignment.person_id], [assignment.module_id])
    return True


def reopen_for_major_change(session: Session, module: Module, version: str, major: int, *, now: dt.datetime) -> int:
    """People whose last completion is of an older MAJOR must re-train within MAJOR_RETRAIN_DAYS.

    Their re-training is a new cycle that starts now: reading and attempts are counted afresh against the new
    content. An open cycle is withdrawn in its favour (it keeps its record), and its due date carries over when it
    is the earlier one. Quiz attempts still open on an older MAJOR are voided, so none can close the new cycle.
    """
    from training.models import Completion, ModuleRevision, QuizAttempt  # local: keeps the import graph of this module small

    due = now.date() + dt.timedelta(days=MAJOR_RETRAIN_DAYS)
    reason = f"re-training: version {version} changes the content (MAJOR {major})"
    older = select(ModuleRevision.id).where(ModuleRevision.module_id == module.id, ModuleRevision.major < major)
    session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.module_id == module.id, QuizAttempt.submitted_at.is_(None), QuizAttempt.revision_id.in_(older))
        .values(submitted_at=now, passed=False, void_reason=f"replaced by version {version} before it was submitted")
        .execution_options(synchronize_session=False)
    )
    latest_completion: dict[int, Completion] = {}
    for completion in session.scalars(select(Completion).where(Completion.module_id == module.id).order_by(Completion.completed_at)):
        latest_completion[completion.person_id] = completion
    reopened: list[int] = []
    for person_id, completion in latest_completion.items():
        if completion.major >= major:
            continue
        current = session.scalars(
            select(Assignment)
            .where(Assignment.person_id == person_id, Assignment.module_id == module.id)
            .order_by(Assignment.cycle.desc())
            .limit(1)
        ).first()
        if current is None or current.status == "withdrawn":
            continue
        due_on = due
        if current.status == "open":
            due_on = min(due, current.due_on)
            current.status = "withdrawn"
            current.closed_at = now
        session.add(
            Assignment(
                person_id=person_id, module_id=module.id, cycle=current.cycle + 1, assigned_at=now, due_on=due_on,
                audience=current.audience, recur=current.recur, rule=f"{current.rule} ({reason})", reason="major-change",
            )
        )  # fmt: skip
        session.flush()  # one open cycle at a time: the withdrawal is written before the new cycle
        reopened.append(person_id)
    refresh_cells(session, sorted(latest_completion), [module.id])
    return len(reopened)
