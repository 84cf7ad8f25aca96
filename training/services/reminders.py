"""Reminder emails: each learner's training due soon or overdue, and each manager's digest, once per interval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from training.models import OPEN, Assignment, ManagedUnit, Module, OrgUnit, Person, PersonRole, ReminderSent

from . import ServiceError
from .db import insert_ignoring_duplicates
from .scope import people_in_scope, scope_for

DEFAULT_DAYS = 14
DEFAULT_INTERVAL_DAYS = 7
PEOPLE_PER_PAGE = 500
DIGEST_LINES = 100
# Intervals are counted from a Monday, so seven-day intervals are ISO weeks (Monday to Sunday).
_EPOCH = dt.date(1970, 1, 5)

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class ReminderSettings:
    sender: str
    my_training_url: str
    reports_url: str
    days: int = DEFAULT_DAYS
    interval_days: int = DEFAULT_INTERVAL_DAYS


@dataclass(frozen=True)
class DueItem:
    assignment_id: int
    cycle: int
    title: str
    due_on: dt.date
    reminded: bool  # already in a reminder this interval

    @property
    def subject(self) -> str:
        return f"assignment:{self.assignment_id}:cycle:{self.cycle}"


@dataclass(frozen=True)
class LearnerReminder:
    """One person's email: every open item due within the window or overdue, at least one not yet reminded."""

    person_id: int
    name: str
    email: str
    items: tuple[DueItem, ...]

    def overdue(self, today: dt.date) -> list[DueItem]:
        return [item for item in self.items if item.due_on < today]

    def due_soon(self, today: dt.date) -> list[DueItem]:
        return [item for item in self.items if item.due_on >= today]


@dataclass(frozen=True)
class DigestLine:
    name: str
    email: str
    org_unit: str
    overdue: int
    due_soon: int
    earliest_due: dt.date


@dataclass(frozen=True)
class ManagerDigest:
    person_id: int
    name: str
    email: str
    people_overdue: int
    people_due_soon: int  # people with something due soon and nothing overdue
    lines: tuple[DigestLine, ...]  # the first DIGEST_LINES people, most overdue first


@dataclass(frozen=True)
class Delivery:
    kind: str  # learner | digest
    email: str
    status: str  # sent | failed | already-sent
    items: int
    error: str = ""


def interval_key(today: dt.date, interval_days: int) -> str:
    """The first day of the fixed interval that holds `today`: the key a reminder is sent once under."""
    if interval_days < 1:
        raise ServiceError("the reminder interval must be at least one day")
    start = _EPOCH + dt.timedelta(days=(today - _EPOCH).days // interval_days * interval_days)
    return start.isoformat()


def _due(today: dt.date, days: int) -> ColumnElement[bool]:
    """Open, published training of an active person that is overdue or due within `days`."""
    return and_(
        Assignment.status == OPEN,
        Assignment.due_on <= today + dt.timedelta(days=days),
        Person.active.is_(True),
        Module.published_revision_id.is_not(None),
    )


def _reminded(key: str) -> ColumnElement[bool]:
    return exists().where(
        ReminderSent.kind == "learner",
        ReminderSent.person_id == Assignment.person_id,
        ReminderSent.assignment_id == Assignment.id,
        ReminderSent.interval_key == key,
    )


def learner_reminders(
    session: Session, *, now: dt.datetime, days: int = DEFAULT_DAYS, interval_days: int = DEFAULT_INTERVAL_DAYS
) -> Iterator[LearnerReminder]:
    """The learners to remind, a page of people at a time (so a caller may commit between them)."""
    today = now.date()
    key = interval_key(today, interval_days)
    due = _due(today, days)
    last_id = 0
    while True:
        page = list(
            session.scalars(
                select(Assignment.person_id)
                .join(Person, Person.id == Assignment.person_id)
                .join(Module, Module.id == Assignment.module_id)
                .where(due, ~_reminded(key), Assignment.person_id > last_id)
                .group_by(Assignment.person_id)
                .order_by(Assignment.person_id)
                .limit(PEOPLE_PER_PAGE)
            )
        )
        if not page:
            return
        last_id = page[-1]
        rows = session.execute(
            select(Person.id, Person.name, Person.email, Assignment.id, Assignment.cycle, Assignment.due_on, Module.title, _reminded(key))
            .join(Assignment, Assignment.person_id == Person.id)
            .join(Module, Module.id == Assignment.module_id)
            .where(due, Person.id.in_(page))
            .order_by(Person.id, Assignment.due_on, Module.title)
        ).all()
        grouped: dict[int, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        for person_id, found in grouped.items():
            items = tuple(
                DueItem(assignment_id, cycle, title, due_on, bool(reminded))
                for _, _, _, assignment_id, cycle, due_on, title, reminded in found
            )
            yield LearnerReminder(person_id, found[0][1], found[0][2], items)


def manager_digests(
    session: Session, *, now: dt.datetime, days: int = DEFAULT_DAYS, interval_days: int = DEFAULT_INTERVAL_DAYS
) -> Iterator[ManagerDigest]:
    """A digest for each active manager not yet sent one this interval whose scope has anyone overdue or due soon."""
    today = now.date()
    key = interval_key(today, interval_days)
    sent = exists().where(ReminderSent.kind == "digest", ReminderSent.person_id == Person.id, ReminderSent.interval_key == key)
    is_manager = exists().where(PersonRole.person_id == Person.id, PersonRole.role == "manager")
    # A manager reports on the units they manage; one who is also an admin, on everyone.
    has_reach = exists().where(ManagedUnit.person_id == Person.id) | exists().where(
        PersonRole.person_id == Person.id, PersonRole.role == "admin"
    )
    managers = session.scalars(select(Person).where(is_manager, has_reach, Person.active.is_(True), ~sent).order_by(Person.id)).all()
    for manager in managers:
        digest = _digest(session, manager, today=today, days=days)
        if digest is not None:
            yield digest


def _digest(session: Session, manager: Person, *, today: dt.date, days: int) -> ManagerDigest | None:
    scope = scope_for(session, manager)
    overdue = func.sum(case((Assignment.due_on < today, 1), else_=0))
    per_person = (
        select(
            Person.id,
            Person.name,
            Person.email,
            OrgUnit.id.label("unit_id"),
            overdue.label("overdue"),
            func.count().label("due"),
            func.min(Assignment.due_on).label("earliest"),
        )
        .join(Assignment, Assignment.person_id == Person.id)
        .join(Module, Module.id == Assignment.module_id)
        .outerjoin(OrgUnit, OrgUnit.id == Person.org_unit_id)
        .where(_due(today, days), Person.id.in_(people_in_scope(scope)))
        .group_by(Person.id, Person.name, Person.email, OrgUnit.id)
        .subquery()
    )
    totals = session.execute(
        select(func.count().filter(per_person.c.overdue > 0), func.count().filter(per_person.c.overdue == 0)).select_from(per_person)
    ).one()
    if not (totals[0] or totals[1]):
        return None
    rows = session.execute(
        select(per_person)
        .order_by(per_person.c.overdue.desc(), per_person.c.earliest, per_person.c.name, per_person.c.id)
        .limit(DIGEST_LINES)
    ).all()
    units = _unit_names(session, {row.unit_id for row in rows if row.unit_id is not None})
    lines = tuple(
        DigestLine(row.name, row.email, units.get(row.unit_id, ""), int(row.overdue), int(row.due) - int(row.overdue), row.earliest)
        for row in rows
    )
    return ManagerDigest(manager.id, manager.name, manager.email, int(totals[0]), int(totals[1]), lines)


def _unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    paths = {unit_id: path for unit_id, path in session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(unit_ids)))}
    ancestors = {int(part) for path in paths.values() for part in path.strip("/").split("/") if part}
    names = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ancestors)))}
    return {
        unit_id: " › ".join(names.get(int(part), "?") for part in path.strip("/").split("/") if part) for unit_id, path in paths.items()
    }


# ---------------------------------------------------------------- the emails


def _when(due_on: dt.date, today: dt.date) -> str:
    days = (due_on - today).days
    if days < 0:
        return f"was due {due_on.isoformat()} ({-days} day{'s' if days != -1 else ''} ago)"
    if days == 0:
        return f"due today, {due_on.isoformat()}"
    return f"due {due_on.isoformat()} (in {days} day{'s' if days != 1 else ''})"


def _message(settings: ReminderSettings, to: str, subject: str, body: str, now: dt.datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    # RFC 3834: an automatic message, so out-of-office replies stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _people(number: int) -> str:
    return f"{number} {'person' if number == 1 else 'people'}"


def learner_email(reminder: LearnerReminder, settings: ReminderSettings, *, now: dt.datetime) -> EmailMessage:
    today = now.date()
    overdue, due_soon = reminder.overdue(today), reminder.due_soon(today)
    parts = [f"{len(overdue)} overdue"] if overdue else []
    parts += [f"{len(due_soon)} due soon"] if due_soon else []
    lines = [f"Hello {reminder.name},", "", "This is a reminder about your security awareness training."]
    for heading, items in (("Overdue", overdue), (f"Due in the next {settings.days} days", due_soon)):
        if items:
            lines += ["", f"{heading}:"] + [f"  - {item.title}: {_when(item.due_on, today)}" for item in items]
    lines += [
        "",
        f"Open My training to continue: {settings.my_training_url}",
        "",
        f"You will be reminded again every {_count(settings.interval_days, 'day')} while training is overdue or due soon.",
    ]
    return _message(settings, reminder.email, f"Training reminder: {', '.join(parts)}", "\n".join(lines) + "\n", now)


def digest_email(digest: ManagerDigest, settings: ReminderSettings, *, now: dt.datetime) -> EmailMessage:
    today = now.date()
    total = digest.people_overdue + digest.people_due_soon
    lines = [
        f"Hello {digest.name},",
        "",
        "Training in the part of the organisation that you manage:",
        f"  {_people(digest.people_overdue)} with training overdue",
        f"  {_people(digest.people_due_soon)} with training due in the next {settings.days} days (and none overdue)",
        "",
    ]
    for line in digest.lines:
        status = ", ".join(
            part
            for part in (f"{line.overdue} overdue" if line.overdue else "", f"{line.due_soon} due soon" if line.due_soon else "")
            if part
        )
        unit = f", {line.org_unit}" if line.org_unit else ""
        lines.append(f"  - {line.name} <{line.email}>{unit}: {status}; earliest {_when(line.earliest_due, today)}")
    if total > len(digest.lines):
        lines.append(f"  ... and {total - len(digest.lines)} more")
    lines += ["", f"See the reports for details: {settings.reports_url}"]
    subject = f"Training digest: {digest.people_overdue} overdue, {digest.people_due_soon} due soon"
    return _message(settings, digest.email, subject, "\n".join(lines) + "\n", now)


# ---------------------------------------------------------------- sending


def _deliver(
    session: Session,
    send: Send,
    message: EmailMessage,
    *,
    kind: str,
    person_id: int,
    claims: Sequence[tuple[int | None, str]],
    key: str,
    now: dt.datetime,
) -> Delivery:
    """Claim the log rows and send, in one savepoint: a failed send takes this person's rows with it.

    The unique key on the log makes a second run, or a concurrent one, claim nothing and send nothing.
    """
    savepoint = session.begin_nested()
    claimed = 0
    for assignment_id, subject in claims:
        values = {
            "kind": kind,
            "person_id": person_id,
            "assignment_id": assignment_id,
            "subject": subject,
            "interval_key": key,
            "sent_at": now,
        }
        claimed += insert_ignoring_duplicates(session, ReminderSent.__table__, values, ["kind", "person_id", "subject", "interval_key"])  # type: ignore[arg-type]
    if not claimed:
        savepoint.rollback()
        return Delivery(kind, str(message["To"]), "already-sent", 0)
    try:
        send(message)
    except OSError as error:  # smtplib.SMTPException is an OSError, as are refused and timed-out connections
        savepoint.rollback()
        return Delivery(kind, str(message["To"]), "failed", claimed, str(error) or type(error).__name__)
    savepoint.commit()
    return Delivery(kind, str(message["To"]), "sent", claimed)


def send_reminders(session: Session, send: Send, *, now: dt.datetime, settings: ReminderSettings) -> Iterator[Delivery]:
    """Send the learners' reminders, then the managers' digests, yielding after each person.

    The caller commits after each delivery, so a run that stops half-way keeps what it sent.
    """
    key = interval_key(now.date(), settings.interval_days)
    for reminder in learner_reminders(session, now=now, days=settings.days, interval_days=settings.interval_days):
        claims = [(item.assignment_id, item.subject) for item in reminder.items if not item.reminded]
        yield _deliver(
            session,
            send,
            learner_email(reminder, settings, now=now),
            kind="learner",
            person_id=reminder.person_id,
            claims=claims,
            key=key,
            now=now,
        )
    for digest in manager_digests(session, now=now, days=settings.days, interval_days=settings.interval_days):
        yield _deliver(
            session,
            send,
            digest_email(digest, settings, now=now),
            kind="digest",
            person_id=digest.person_id,
            claims=[(None, "digest")],
            key=key,
            now=now,
        )
