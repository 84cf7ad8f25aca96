"""The learner's path: what is assigned, reading progress, quiz attempts, grading and records."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from training.content import ModuleDoc, Question
from training.models import (
    OPEN,
    Assignment,
    Audience,
    Completion,
    LessonProgress,
    Module,
    ModuleRevision,
    OrgUnit,
    Person,
    PersonAudience,
    QuizAttempt,
    UtcDateTime,
)

from . import NotFound, ServiceError
from .assignments import open_assignment, recur_from_text
from .calendar import next_due
from .catalogue import parsed_revision
from .certificates import new_certificate_code
from .db import upsert_if_older
from .fastread import Prepared, Reader, as_reader
from .scoring import score_attempt
from .summaries import count_completion, refresh_cells

DUE_SOON_DAYS = 14
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------- my training


# A status's icon (shown beside the word, so that colour is never the only sign) and its words.
STATUS_WORDS = {
    "not-started": ("○", "Not started"),
    "in-progress": ("◐", "In progress"),
    "completed": ("✓", "Completed"),
    "due-soon": ("◷", "Due soon"),
    "overdue": ("!", "Overdue"),
}


@dataclass(frozen=True)
class TrainingItem:
    slug: str
    title: str
    summary: str
    duration_minutes: int
    status: str  # not-started | in-progress | completed | due-soon | overdue
    due_on: dt.date | None
    lessons_read: int
    lessons_total: int
    completed_at: dt.datetime | None
    rule: str

    @property
    def percent(self) -> int:
        if self.status == "completed":
            return 100
        steps = self.lessons_total + 1
        return int(100 * self.lessons_read / steps) if steps else 0

    @property
    def status_label(self) -> str:
        return STATUS_WORDS[self.status][1]

    @property
    def status_icon(self) -> str:
        return STATUS_WORDS[self.status][0]

    @property
    def percent_step(self) -> int:
        """The percentage to the nearest 5 below, which the stylesheet draws (no inline styles under the CSP)."""
        return (self.percent // 5) * 5


@dataclass(frozen=True)
class MyTraining:
    items: tuple[TrainingItem, ...]

    @property
    def completed(self) -> int:
        """Modules with a valid completion, including those whose renewal is now due soon."""
        return sum(1 for item in self.items if item.completed_at is not None and item.status != "overdue")

    @property
    def percent(self) -> int:
        return int(100 * self.completed / len(self.items)) if self.items else 100


def item_status(*, due_on: dt.date, today: dt.date, has_valid_completion: bool, started: bool, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """The status of an open cycle as the learner sees it."""
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= due_soon_days:
        return "due-soon"
    if has_valid_completion:
        return "completed"
    return "in-progress" if started else "not-started"


# Parsed revisions by content hash, so that a page need not fetch a revision's source (tens of kilobytes) once
# this process has parsed it. A hash names one content forever: never stale, in any process.
_documents: dict[str, ModuleDoc] = {}
_DOCUMENTS_KEPT = 1024
_SOURCE = Prepared(select(ModuleRevision.source).where(ModuleRevision.sha256 == bindparam("sha256")).limit(1))


def document(db: Session | Reader, sha256: str) -> ModuleDoc:
    """The parsed document of a revision's content, read from the database only the first time this process needs it."""
    found = _documents.get(sha256)
    if found is None:
        row = as_reader(db).first(_SOURCE, sha256=sha256)
        if row is None:
            raise NotFound(f"no revision with content {sha256}")
        if len(_documents) >= _DOCUMENTS_KEPT:
            _documents.clear()
        found = _documents[sha256] = parsed_revision(sha256, row[0])
    return found


def documents(db: Session | Reader, sha256s: set[str]) -> dict[str, ModuleDoc]:
    """The parsed documents of these revision hashes."""
    return {sha256: document(db, sha256) for sha256 in sha256s}


# Hot pages run statements built once at import (bound per request): building a select costs more than
# running it on SQLite. Each one is a single round trip.
# Reading counts per cycle: a lesson is read for the open cycle if it was read since that cycle began.
_read_this_cycle = (
    select(func.count())
    .where(
        LessonProgress.person_id == Assignment.person_id,
        LessonProgress.module_id == Assignment.module_id,
        LessonProgress.read_at >= Assignment.assigned_at,
    )
    .scalar_subquery()
)
# The MAJOR of the completion that closed a cycle: one of an older MAJOR no longer makes the module current.
_completion_major = select(func.max(Completion.major)).where(Completion.assignment_id == Assignment.id).scalar_subquery()
_MY_TRAINING = (
    select(
        Assignment.module_id, Assignment.status, Assignment.due_on, Assignment.attempts_used, Assignment.completed_at,
        Assignment.rule, Module.slug, ModuleRevision.title, ModuleRevision.sha256, ModuleRevision.major,
        _read_this_cycle.label("read"), _completion_major.label("completion_major"),
    )
    .join(Module, Module.id == Assignment.module_id)
    .join(ModuleRevision, ModuleRevision.id == Module.published_revision_id)
    .where(Assignment.person_id == bindparam("person_id"), Assignment.status != "withdrawn")
    .order_by(Assignment.module_id, Assignment.cycle)
)  # fmt: skip


_MY_TRAINING_ROWS = Prepared(_MY_TRAINING)


def my_training(db: Session | Reader, person_id: int, *, now: dt.datetime, due_soon_days: int = DUE_SOON_DAYS) -> MyTraining:
    """Each assigned module with its status, due date and reading progress, in one query."""
    today = now.date()
    reader = as_reader(db)
    rows = reader.rows(_MY_TRAINING_ROWS, person_id=person_id)
    # Columns: module_id, status, due_on, attempts_used, completed_at, rule, slug, title, sha256, major, read, completion_major.
    latest = {row[0]: row for row in rows}  # in cycle order, so the current cycle wins
    # Valid completions only: those of the MAJOR that learners take now.
    completed_at = {row[0]: row[4] for row in rows if row[1] == "completed" and row[11] == row[9]}
    items = []
    for module_id, status_now, due_on, attempts_used, _, rule, slug, title, sha256, _, read, _ in latest.values():
        doc = document(reader, sha256)
        has_completion = module_id in completed_at
        if status_now == "completed" and has_completion:
            status = "completed"
        else:
            started = bool(attempts_used) or bool(read)
            status = item_status(
                due_on=due_on, today=today, has_valid_completion=has_completion, started=started, due_soon_days=due_soon_days
            )
        items.append(
            TrainingItem(
                slug=slug, title=title, summary=doc.summary, duration_minutes=doc.duration_minutes,
                status=status, due_on=None if status_now == "completed" else due_on,
                lessons_read=min(read or 0, len(doc.lessons)), lessons_total=len(doc.lessons),
                completed_at=completed_at[module_id] if has_completion else None, rule=rule,
            )
        )  # fmt: skip
    order = {"overdue": 0, "due-soon": 1, "in-progress": 2, "not-started": 3, "completed": 4}
    items.sort(key=lambda i: (order[i.status], i.due_on or dt.date.max, i.title))
    return MyTraining(tuple(items))


# ---------------------------------------------------------------- modules and reading


@dataclass(frozen=True, slots=True)
class ModuleView:
    """A published module as one person sees it: what to render, what they have read, their open cycle."""

    module_id: int
    slug: str
    revision_id: int
    title: str
    version: str
    sha256: str
    doc: ModuleDoc
    read: frozenset[str]
    assignment_id: int | None
    assigned_at: dt.datetime | None  # when the open cycle began
    due_on: dt.date | None


def published_module(session: Session, slug: str) -> tuple[Module, ModuleRevision]:
    row = session.execute(
        select(Module, ModuleRevision)
        .join(ModuleRevision, ModuleRevision.id == Module.published_revision_id)
        .where(Module.slug == slug, Module.status == "published")
    ).first()
    if row is None:
        raise NotFound(f"no published module '{slug}'")
    return row[0], row[1]


# The module, its published revision, this person's open assignment and the lessons they have read (their
# ids joined by spaces, which ids never contain): one row, or one per open assignment should there be two.
_read_lessons = (
    select(func.aggregate_strings(LessonProgress.lesson_key, " "))
    .where(
        LessonProgress.module_id == Module.id,
        LessonProgress.person_id == bindparam("person_id"),
        # Read for the open cycle, if there is one; otherwise ever.
        LessonProgress.read_at >= func.coalesce(Assignment.assigned_at, literal(EPOCH, UtcDateTime())),
    )
    .scalar_subquery()
)
_MODULE_VIEW = Prepared(
    select(
        Module.id, ModuleRevision.id, ModuleRevision.title, ModuleRevision.version, ModuleRevision.sha256,
        Assignment.id, Assignment.assigned_at, Assignment.due_on, _read_lessons,
    )
    .join(ModuleRevision, ModuleRevision.id == Module.published_revision_id)
    .outerjoin(
        Assignment, and_(Assignment.module_id == Module.id, Assignment.person_id == bindparam("person_id"), Assignment.status == OPEN)
    )
    .where(Module.slug == bindparam("slug"), Module.status == "published")
)  # fmt: skip


def module_view(db: Session | Reader, person_id: int, slug: str) -> ModuleView:
    """One query (the database holds at most one open cycle per person and module); the source is not read."""
    reader = as_reader(db)
    row = reader.first(_MODULE_VIEW, person_id=person_id, slug=slug)
    if row is None:
        raise NotFound(f"no published module '{slug}'")
    module_id, revision_id, title, version, sha256, assignment_id, assigned_at, due_on, read = row
    return ModuleView(
        module_id, slug, revision_id, title, version, sha256, document(reader, sha256), frozenset((read or "").split()),
        assignment_id, assigned_at, due_on,
    )  # fmt: skip


def mark_lesson_read(
    session: Session, person_id: int, module: Module | int, lesson_key: str, *, now: dt.datetime, cycle_began: dt.datetime | None = None
) -> bool:
    """Record that a lesson was read in the open cycle; True if that is news.

    Reading it again in the same cycle changes nothing; reading it in a later cycle moves its date, so that each
    cycle's reading is counted from that cycle's start. `cycle_began` is the open cycle's start, looked up if not given.
    """
    module_id = module if isinstance(module, int) else module.id
    if cycle_began is None:
        assignment = open_assignment(session, person_id, module_id)
        cycle_began = assignment.assigned_at if assignment else EPOCH
    read = upsert_if_older(
        session,
        LessonProgress.__table__,  # type: ignore[arg-type]
        {"person_id": person_id, "module_id": module_id, "lesson_key": lesson_key, "read_at": now},
        ["person_id", "module_id", "lesson_key"],
        column="read_at",
        older_than=cycle_began,
    )
    if read:
        refresh_cells(session, [person_id], [module_id])
    return read


# ---------------------------------------------------------------- quiz


def serve_question(question: Question, rng: random.Random) -> dict[str, Any]:
    """The stored snapshot of a question as drawn for one attempt (keys stay on the server)."""
    served: dict[str, Any] = {
        "id": question.id, "type": question.type, "prompt": question.prompt, "points": question.points,
        "objective": question.objective, "explanation": question.explanation,
    }  # fmt: skip
    if question.type in ("single", "multiple"):
        choices = list(question.choices)
        if question.shuffle:
            rng.shuffle(choices)
        served["choices"] = [
            {"key": f"c{index}", "text": c.text, "correct": c.correct, "feedback": c.feedback} for index, c in enumerate(choices)
        ]
    elif question.type == "truefalse":
        served["answer"] = question.answer
        served["feedback_correct"] = question.feedback_correct
        served["feedback_incorrect"] = question.feedback_incorrect
    else:
        served["accept"] = list(question.accept)
        served["feedback_correct"] = question.feedback_correct
        served["feedback_incorrect"] = question.feedback_incorrect
    return served


def draw_questions(doc: ModuleDoc, rng: random.Random) -> list[dict[str, Any]]:
    drawn = rng.sample(list(doc.questions), doc.draw_count)
    return [serve_question(q, rng) for q in drawn]


@dataclass(frozen=True)
class QuizStatus:
    attempts_allowed: int | None
    attempts_used: int
    open_attempt_id: int | None

    @property
    def attempts_left(self) -> int | None:
        return None if self.attempts_allowed is None else max(0, self.attempts_allowed - self.attempts_used)


def quiz_status(session: Session, person_id: int, module: Module | int, doc: ModuleDoc) -> QuizStatus:
    module_id = module if isinstance(module, int) else module.id
    assignment = open_assignment(session, person_id, module_id)
    used = assignment.attempts_used if assignment else _unassigned_attempts(session, person_id, module_id)
    open_id = session.scalar(
        select(QuizAttempt.id).where(
            QuizAttempt.person_id == person_id, QuizAttempt.module_id == module_id, QuizAttempt.submitted_at.is_(None)
        )
    )
    return QuizStatus(doc.attempts, used, open_id)


def _unassigned_attempts(session: Session, person_id: int, module_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(QuizAttempt.person_id == person_id, QuizAttempt.module_id == module_id, QuizAttempt.assignment_id.is_(None))
        )
        or 0
    )


# The module, its published revision, the person's open assignment and open attempt, if any: one query. The
# newest open cycle sorts first should there ever be two.
# The module, its published revision, the person's open cycle and open attempt, if any: one query. The database holds
# at most one open cycle and one open attempt per person and module.
_QUIZ_START = Prepared(
    select(Module.id, ModuleRevision.id, ModuleRevision.sha256, Assignment.id, QuizAttempt.id)
    .join(ModuleRevision, ModuleRevision.id == Module.published_revision_id)
    .outerjoin(
        Assignment, and_(Assignment.module_id == Module.id, Assignment.person_id == bindparam("person_id"), Assignment.status == OPEN)
    )
    .outerjoin(
        QuizAttempt,
        and_(QuizAttempt.module_id == Module.id, QuizAttempt.person_id == bindparam("person_id"), QuizAttempt.submitted_at.is_(None)),
    )
    .where(Module.slug == bindparam("slug"), Module.status == "published")
)
# The limit is checked and the counter moved in one UPDATE, so racing requests cannot overrun it.
_COUNT_ATTEMPT = Prepared(
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"))
    .values(attempts_used=Assignment.attempts_used + 1)
    .returning(Assignment.attempts_used)
)
_COUNT_ATTEMPT_WITHIN = Prepared(
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"), Assignment.attempts_used < bindparam("allowed", type_=Integer))
    .values(attempts_used=Assignment.attempts_used + 1)
    .returning(Assignment.attempts_used)
)
_OPEN_ATTEMPT = Prepared(
    select(QuizAttempt.id).where(
        QuizAttempt.person_id == bindparam("person_id"), QuizAttempt.module_id == bindparam("module_id"), QuizAttempt.submitted_at.is_(None)
    )
)


def _new_attempt_statement(dialect: str) -> Prepared:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = ("person_id", "module_id", "revision_id", "assignment_id", "started_at", "questions", "max_points", "pass_mark")
    statement = insert(QuizAttempt).values({name: bindparam(name, type_=QuizAttempt.__table__.c[name].type) for name in columns})
    # A racing request that opened one first wins; the partial unique index keeps it to one, with no savepoint needed.
    statement = statement.on_conflict_do_nothing(index_elements=["person_id", "module_id"], index_where=QuizAttempt.submitted_at.is_(None))
    return Prepared(statement.returning(QuizAttempt.id))


_NEW_ATTEMPT = {dialect: _new_attempt_statement(dialect) for dialect in ("sqlite", "postgresql")}


def open_attempt(session: Session, person_id: int, slug: str, *, now: dt.datetime, rng: random.Random | None = None) -> int:
    """Open (or resume) the person's attempt at a module's quiz, drawing its questions; the attempt's id."""
    writer = Reader.of(session)
    row = writer.first(_QUIZ_START, person_id=person_id, slug=slug)
    if row is None:
        raise NotFound(f"no published module '{slug}'")
    module_id, revision_id, sha256, assignment_id, existing = row
    if existing is not None:
        return int(existing)
    doc = document(writer, sha256)
    if assignment_id is not None:
        if doc.attempts is None:
            counted = writer.first(_COUNT_ATTEMPT, assignment_id=assignment_id)
        else:
            counted = writer.first(_COUNT_ATTEMPT_WITHIN, assignment_id=assignment_id, allowed=doc.attempts)
            if counted is None:
                raise ServiceError(f"You have used all {doc.attempts} attempts at this quiz for this training cycle.")
        if counted is not None and counted[0] == 1:
            # The cycle's first attempt is what marks it started in the report summaries; a retry changes nothing there.
            refresh_cells(session, [person_id], [module_id])
    elif doc.attempts is not None and _unassigned_attempts(session, person_id, module_id) >= doc.attempts:
        raise ServiceError(f"You have used all {doc.attempts} attempts at this quiz.")
    questions = draw_questions(doc, rng or random.Random(secrets.randbits(64)))  # noqa: S311 - order, not a secret
    opened = writer.first(
        _NEW_ATTEMPT[writer.dialect.name], person_id=person_id, module_id=module_id, revision_id=revision_id,
        assignment_id=assignment_id, started_at=now, questions=questions, max_points=sum(q["points"] for q in questions),
        pass_mark=doc.pass_mark,
    )  # fmt: skip
    if opened is None:  # another request opened one first: use theirs
        raced = writer.first(_OPEN_ATTEMPT, person_id=person_id, module_id=module_id)
        if raced is None:
            raise ServiceError("The quiz could not be opened; please try again.")
        return int(raced[0])
    return int(opened[0])


def start_attempt(session: Session, person_id: int, slug: str, *, now: dt.datetime, rng: random.Random | None = None) -> QuizAttempt:
    """open_attempt, handing back the attempt itself."""
    attempt_id = open_attempt(session, person_id, slug, now=now, rng=rng)
    attempt = session.get(QuizAttempt, attempt_id, populate_existing=True)
    if attempt is None:  # pragma: no cover - it was opened or found in this very transaction
        raise RuntimeError(f"attempt {attempt_id} vanished")
    return attempt


def get_attempt(session: Session, person_id: int, attempt_id: int) -> QuizAttempt:
    """A person's own attempt; anyone else's is indistinguishable from a missing one."""
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.person_id == person_id))
    if attempt is None:
        raise NotFound("no such attempt")
    return attempt


@dataclass(frozen=True, slots=True)
class AttemptPage:
    """An attempt as its quiz page needs it: the questions drawn (keys included: the view strips them), and its module."""

    id: int
    submitted: bool
    questions: list[dict[str, Any]]
    slug: str
    doc: ModuleDoc


_ATTEMPT_PAGE = Prepared(
    select(QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.questions, ModuleRevision.sha256, Module.slug)
    .join(ModuleRevision, ModuleRevision.id == QuizAttempt.revision_id)
    .join(Module, Module.id == QuizAttempt.module_id)
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.person_id == bindparam("person_id"))
)


def attempt_page(db: Session | Reader, person_id: int, attempt_id: int) -> AttemptPage:
    """A person's own attempt with its module, in one query; anyone else's is indistinguishable from a missing one."""
    reader = as_reader(db)
    row = reader.first(_ATTEMPT_PAGE, attempt_id=attempt_id, person_id=person_id)
    if row is None:
        raise NotFound("no such attempt")
    found_id, submitted_at, questions, sha256, slug = row
    return AttemptPage(found_id, submitted_at is not None, questions, slug, document(reader, sha256))


MAX_SHORT_ANSWER = 500


def answers_from_form(questions: list[dict[str, Any]], form: dict[str, list[str]]) -> dict[str, Any]:
    """Pick each served question's answer out of submitted form fields named q-<id>.

    Only values the question could have been given are kept (choice keys it served, true/false, a short text), so a
    forged value never reaches the immutable record; anything else counts as no answer.
    """
    answers: dict[str, Any] = {}
    for q in questions:
        values = [v for v in form.get(f"q-{q['id']}", []) if isinstance(v, str)]
        if q["type"] in ("single", "multiple"):
            keys = {c["key"] for c in q["choices"]}
            picked = sorted({v for v in values if v in keys})
            answers[q["id"]] = picked if q["type"] == "multiple" else (picked[0] if len(picked) == 1 else None)
        elif q["type"] == "truefalse":
            answers[q["id"]] = values[0] if values and values[0] in ("true", "false") else None
        else:
            text = " ".join(values[0].split())[:MAX_SHORT_ANSWER] if values else ""
            answers[q["id"]] = text or None
    return answers


def answered_any(answers: dict[str, Any]) -> bool:
    return any(answer not in (None, []) for answer in answers.values())


# A person's org unit (with its path) and audiences as they are at this moment: a completion keeps them.
_WHO_NOW = (
    select(
        Person.org_unit_id,
        OrgUnit.path,
        select(func.aggregate_strings(Audience.slug, " "))
        .join(PersonAudience, PersonAudience.audience_id == Audience.id)
        .where(PersonAudience.person_id == Person.id)
        .scalar_subquery(),
    )
    .outerjoin(OrgUnit, OrgUnit.id == Person.org_unit_id)
    .where(Person.id == bindparam("person_id"))
)


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: QuizAttempt
    completion: Completion | None
    first_submission: bool


# Everything grading needs in one query: the attempt as drawn, its revision and the cycle it belongs to.
_FOR_GRADING = Prepared(
    select(
        QuizAttempt.submitted_at, QuizAttempt.questions, QuizAttempt.pass_mark, QuizAttempt.module_id, QuizAttempt.revision_id,
        QuizAttempt.assignment_id, ModuleRevision.version, ModuleRevision.major, ModuleRevision.sha256,
        Assignment.cycle, Assignment.recur, Assignment.rule, Assignment.audience,
    )
    .join(ModuleRevision, ModuleRevision.id == QuizAttempt.revision_id)
    .outerjoin(Assignment, Assignment.id == QuizAttempt.assignment_id)
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.person_id == bindparam("person_id"))
)  # fmt: skip
# The guard in the WHERE makes grading happen once, however many submissions race.
_GRADE = Prepared(
    update(QuizAttempt)
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.submitted_at.is_(None))
    .values(
        {
            name: bindparam(name, type_=QuizAttempt.__table__.c[name].type)
            for name in ("submitted_at", "answers", "points", "percent", "passed")
        }
    )
)
_COMPLETION_COLUMNS = (
    "person_id", "module_id", "revision_id", "assignment_id", "attempt_id", "completed_at", "percent", "pass_mark", "version",
    "major", "sha256", "certificate_code", "org_unit_id", "audiences",
)  # fmt: skip
_RECORD_COMPLETION = Prepared(
    insert(Completion)
    .values({name: bindparam(name, type_=Completion.__table__.c[name].type) for name in _COMPLETION_COLUMNS})
    .returning(Completion.id)
)
_CLOSE_CYCLE = Prepared(
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"), Assignment.status == OPEN)
    .values(status="completed", completed_at=bindparam("now", type_=Assignment.completed_at.type), closed_at=bindparam("now"))
)
_NEXT_CYCLE_COLUMNS = (
    "person_id",
    "module_id",
    "cycle",
    "status",
    "assigned_at",
    "due_on",
    "audience",
    "recur",
    "rule",
    "reason",
    "attempts_used",
)
_NEXT_CYCLE = Prepared(
    insert(Assignment).values({name: bindparam(name, type_=Assignment.__table__.c[name].type) for name in _NEXT_CYCLE_COLUMNS})
)
_WHO_NOW_ROW = Prepared(_WHO_NOW)


@dataclass(frozen=True)
class Graded:
    first_submission: bool
    passed: bool
    completion_id: int | None


def grade_attempt(session: Session, person_id: int, attempt_id: int, form: dict[str, list[str]], *, now: dt.datetime) -> Graded:
    """Grade an attempt against the questions stored for it; a second submission changes nothing.

    The grade, the completion, the closing of the cycle and the opening of the next, and the report summaries are
    written in the session's transaction: the caller's one commit records them together or not at all.
    """
    writer = Reader.of(session)
    row = writer.first(_FOR_GRADING, attempt_id=attempt_id, person_id=person_id)
    if row is None:
        raise NotFound("no such attempt")
    submitted_at, questions, pass_mark, module_id, revision_id, assignment_id, version, major, sha256, *cycle = row
    if submitted_at is not None:
        return Graded(False, False, None)
    answers = answers_from_form(questions, form)
    if not answered_any(answers):
        # Most likely a slip of the Enter key; grading it would spend an attempt on nothing.
        raise ServiceError("Answer at least one question before you submit.")
    score = score_attempt(questions, answers, pass_mark)
    graded = writer.execute(
        _GRADE, attempt_id=attempt_id, submitted_at=now, answers=answers, points=float(score.points), percent=score.percent,
        passed=score.passed,
    )  # fmt: skip
    if not graded:
        return Graded(False, False, None)
    if not score.passed:
        return Graded(True, False, None)
    unit_id, unit_path, audiences = writer.rows(_WHO_NOW_ROW, person_id=person_id)[0]
    (completion_id,) = writer.rows(
        _RECORD_COMPLETION, person_id=person_id, module_id=module_id, revision_id=revision_id, assignment_id=assignment_id,
        attempt_id=attempt_id, completed_at=now, percent=score.percent, pass_mark=pass_mark, version=version, major=major,
        sha256=sha256, certificate_code=new_certificate_code(), org_unit_id=unit_id,
        audiences=" ".join(sorted((audiences or "").split())),
    )[0]  # fmt: skip
    if assignment_id is not None and writer.execute(_CLOSE_CYCLE, assignment_id=assignment_id, now=now):
        number, recur, rule, audience = cycle
        due = next_due(recur_from_text(recur), now.date())
        if due is not None:
            writer.execute(
                _NEXT_CYCLE, person_id=person_id, module_id=module_id, cycle=number + 1, status="open", assigned_at=now,
                due_on=due, audience=audience, recur=recur, rule=rule, reason="recurrence", attempts_used=0,
            )  # fmt: skip
        refresh_cells(session, [person_id], [module_id])
    count_completion(session, unit_id, unit_path, now)
    return Graded(True, True, int(completion_id))


def submit_attempt(session: Session, person_id: int, attempt_id: int, form: dict[str, list[str]], *, now: dt.datetime) -> SubmitOutcome:
    """grade_attempt, handing back the attempt and its completion themselves."""
    graded = grade_attempt(session, person_id, attempt_id, form, now=now)
    attempt = session.get(QuizAttempt, attempt_id, populate_existing=True)
    if attempt is None:  # pragma: no cover - grade_attempt found it
        raise RuntimeError(f"attempt {attempt_id} vanished")
    completion = session.get(Completion, graded.completion_id) if graded.completion_id else _completion_for(session, attempt_id)
    return SubmitOutcome(attempt, completion, graded.first_submission)


def _completion_for(session: Session, attempt_id: int) -> Completion | None:
    return session.scalar(select(Completion).where(Completion.attempt_id == attempt_id))


@dataclass(frozen=True)
class TranscriptRow:
    completion_id: int
    module_slug: str
    title: str
    version: str
    completed_at: dt.datetime
    percent: float
    pass_mark: int
    sha256: str
    certificate_code: str | None = None


def transcript(session: Session, person_id: int) -> list[TranscriptRow]:
    rows = session.execute(
        select(Completion, Module.slug, ModuleRevision.title)
        .join(Module, Module.id == Completion.module_id)
        .join(ModuleRevision, ModuleRevision.id == Completion.revision_id)
        .where(Completion.person_id == person_id)
        .order_by(Completion.completed_at.desc())
    ).all()
    return [
        TranscriptRow(c.id, slug, title, c.version, c.completed_at, c.percent, c.pass_mark, c.sha256, c.certificate_code)
        for c, slug, title in rows
    ]


def correct_answers(questions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The right answers for served questions, as form fields: for the demo seed and tests only."""
    answers: dict[str, list[str]] = {}
    for q in questions:
        if q["type"] in ("single", "multiple"):
            answers[f"q-{q['id']}"] = [c["key"] for c in q["choices"] if c["correct"]]
        elif q["type"] == "truefalse":
            answers[f"q-{q['id']}"] = ["true" if q["answer"] else "false"]
        else:
            answers[f"q-{q['id']}"] = [q["accept"][0]]
    return answers


def wrong_answers(questions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """An answer to every served question that scores nothing, as form fields: for the demo seed and tests only."""
    answers: dict[str, list[str]] = {}
    for q in questions:
        if q["type"] in ("single", "multiple"):
            answers[f"q-{q['id']}"] = [next(c["key"] for c in q["choices"] if not c["correct"])]
        elif q["type"] == "truefalse":
            answers[f"q-{q['id']}"] = ["false" if q["answer"] else "true"]
        else:
            answers[f"q-{q['id']}"] = ["not the answer"]
    return answers
