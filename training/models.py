"""The tables: people and organisation, content revisions, assignments, progress and records."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    literal,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

ROLES = ("learner", "manager", "author", "admin")

# 'open' written into the SQL rather than bound as a parameter. SQLite re-plans a statement on every execution when
# a bound value decides whether a partial index applies (uq_assignments_open is WHERE status = 'open'): for the
# module page's query that took 60 µs of its 75. Compare Assignment.status with this wherever 'open' is meant.
OPEN = literal("open", literal_execute=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no zone, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Model(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class OrgUnit(Model):
    """A node in the organisation tree; `path` (/1/4/) makes a whole subtree one indexed prefix query."""

    __tablename__ = "org_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])
    __table_args__ = (UniqueConstraint("parent_id", "name"),)


class Audience(Model):
    """A job grouping (all-staff, ot-operator...) from curricula.yml: not a permission."""

    __tablename__ = "audiences"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))


class Person(Model):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship()
    role_rows: Mapped[list[PersonRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    audiences: Mapped[list[Audience]] = relationship(secondary="person_audiences", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    # The report matrix pages through people by name.
    __table_args__ = (Index("ix_people_name_id", "name", "id"),)


class SignIn(Model):
    """A signed-in browser: its cookie holds a random token, this row its SHA-256, so sign-out ends it everywhere."""

    __tablename__ = "sign_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class SignInFailure(Model):
    """A failed sign-in, counted to slow down password guessing; shared by every app server."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[dt.datetime] = mapped_column()
    __table_args__ = (Index("ix_sign_in_failures_email_at", "email", "at"), Index("ix_sign_in_failures_ip_at", "ip", "at"))


class PersonRole(Model):
    """A permission role (learner, manager, author, admin) held by a person."""

    __tablename__ = "person_roles"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    __table_args__ = (CheckConstraint("role IN ('learner', 'manager', 'author', 'admin')", name="role"),)


class PersonAudience(Model):
    __tablename__ = "person_audiences"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"), primary_key=True, index=True)


class ManagedUnit(Model):
    """An org unit (with its sub-units) whose people a manager may see."""

    __tablename__ = "managed_units"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)


class Module(Model):
    __tablename__ = "modules"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    # The revision learners take; a newer draft does not hide it.
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_revisions.id", use_alter=True, name="fk_modules_published_revision_id")
    )
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_revisions.id", use_alter=True, name="fk_modules_latest_revision_id")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    published_revision: Mapped[ModuleRevision | None] = relationship(foreign_keys=[published_revision_id])


class ModuleRevision(Model):
    """One imported version of a module's source; immutable once written."""

    __tablename__ = "module_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    major: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    imported_from: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship(foreign_keys=[module_id])
    __table_args__ = (UniqueConstraint("module_id", "number"),)


class Asset(Model):
    """An image stored once by content hash; served from the database to every app server."""

    __tablename__ = "assets"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RevisionAsset(Model):
    __tablename__ = "revision_assets"
    revision_id: Mapped[int] = mapped_column(ForeignKey("module_revisions.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    asset_sha256: Mapped[str] = mapped_column(ForeignKey("assets.sha256"), index=True)


class CurriculaRevision(Model):
    """An imported curricula.yml; the newest is in force."""

    __tablename__ = "curricula_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(Model):
    """A person × module × cycle, with its due date and the rule that produced that date."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(100))
    recur: Mapped[str] = mapped_column(String(60), default="")
    rule: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(String(40), default="curriculum")
    attempts_used: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    module: Mapped[Module] = relationship()
    __table_args__ = (
        UniqueConstraint("person_id", "module_id", "cycle"),
        CheckConstraint("status IN ('open', 'completed', 'withdrawn')", name="status"),
        Index("ix_assignments_person_id_status", "person_id", "status"),
        # At most one open cycle per person and module, held by the database itself.
        Index(
            "uq_assignments_open",
            "person_id",
            "module_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class LessonProgress(Model):
    __tablename__ = "lesson_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    lesson_key: Mapped[str] = mapped_column(String(100))
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("person_id", "module_id", "lesson_key"),)


class QuizAttempt(Model):
    """The questions served (with their keys, server-side only), the answers given and the grade."""

    __tablename__ = "quiz_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("module_revisions.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    questions: Mapped[list[Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    pass_mark: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Set when an attempt was closed without being graded (its module's meaning changed while it was open).
    void_reason: Mapped[str | None] = mapped_column(String(200))

    revision: Mapped[ModuleRevision] = relationship()
    __table_args__ = (
        Index("ix_quiz_attempts_person_id_module_id", "person_id", "module_id"),
        # The database itself allows one open attempt per person and module.
        Index(
            "uq_quiz_attempts_open",
            "person_id",
            "module_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )


class Completion(Model):
    """Append-only record that a person passed a module revision."""

    __tablename__ = "completions"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("module_revisions.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempts.id"), unique=True)
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    percent: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    major: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Printed on the certificate; the public verification page looks it up.
    certificate_code: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    # Who the person was when they completed: their org unit and audiences then, for auditors and the monthly chart.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    audiences: Mapped[str] = mapped_column(String(1000), default="")

    module: Mapped[Module] = relationship()
    __table_args__ = (
        Index("ix_completions_module_id_completed_at", "module_id", "completed_at"),
        # My training asks which completion closed each cycle.
        Index("ix_completions_assignment_id", "assignment_id"),
    )


class ReminderSent(Model):
    """One reminder for one assignment cycle and interval; the unique key makes sending idempotent."""

    __tablename__ = "reminders_sent"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # learner | digest
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    subject: Mapped[str] = mapped_column(String(60))  # "assignment:<id>:cycle:<n>" or "digest"
    interval_key: Mapped[str] = mapped_column(String(40))  # e.g. the interval's first day, 2026-11-23
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("kind", "person_id", "subject", "interval_key"),)


# ---------------------------------------------------------------- report summaries
# Kept in step with assignments in the same transaction as each change (services/summaries.py),
# so the reports read a few small rows instead of aggregating every assignment. A status depends on
# today's date, so the summaries store due dates and flags, and the reports derive statuses at query time.

NEVER_DUE = dt.date(9999, 12, 31)  # due_on of a completed requirement that does not recur


class ReportCell(Model):
    """One person × required module: the latest cycle's due date and what the person has done."""

    __tablename__ = "report_cells"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    # The person's org unit when the cell was written: the summaries subtract from its subtrees.
    org_unit_id: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(100))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    completed_before: Mapped[bool] = mapped_column(Boolean)
    started: Mapped[bool] = mapped_column(Boolean)
    last_completed_at: Mapped[dt.datetime | None] = mapped_column()
    __table_args__ = (
        Index("ix_report_cells_module_id_due_on", "module_id", "due_on"),
        Index("ix_report_cells_due_on", "due_on"),
        {"sqlite_with_rowid": False},
    )


class ReportCount(Model):
    """How many cells of an org-unit subtree share a module, audience, flags and due date.

    unit_id 0 is the whole organisation; module_id 0 (with audience '') counts every module together.
    """

    __tablename__ = "report_counts"
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    module_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    audience: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The flags before the date: the reports group by them, and this key order needs no sort to do so.
    completed_before: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    started: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    due_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    __table_args__ = ({"sqlite_with_rowid": False},)


class ReportMonth(Model):
    """Completions per calendar month (UTC) in an org-unit subtree; unit_id 0 is the whole organisation."""

    __tablename__ = "report_months"
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    __table_args__ = ({"sqlite_with_rowid": False},)
