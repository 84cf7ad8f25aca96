"""The learner's path: what is assigned, reading progress, quiz attempts, grading and records."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from training.content import ModuleDoc, Question
from training.models import Assignment, Completion, LessonProgress, Module, ModuleRevision, QuizAttempt

from . import NotFound, ServiceError
from .assignments import complete_assignment, open_assignment
from .catalogue import revision_doc
from .certificates import new_certificate_code
from .db import insert_ignoring_duplicates
from .scoring import score_attempt

DUE_SOON_DAYS = 14


# ---------------------------------------------------------------- my training


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
        return self.status.replace("-", " ").capitalize()


@dataclass(frozen=True)
class MyTraining:
    items: tuple[TrainingItem, ...]

    @property
    def completed(self) -> int:
        return sum(1 for item in self.items if item.status == "completed")

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


def my_training(session: Session, person_id: int, *, now: dt.datetime, due_soon_days: int = DUE_SOON_DAYS) -> MyTraining:
    """Each assigned module with its status, due date and reading progress, in a few queries."""
    today = now.date()
    rows = session.execute(
        select(Assignment, Module, ModuleRevision)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleRevision, ModuleRevision.id == Module.published_revision_id)
        .where(Assignment.person_id == person_id, Assignment.status != "withdrawn")
        .order_by(Assignment.module_id, Assignment.cycle)
    ).all()
    latest: dict[int, tuple[Assignment, Module, ModuleRevision]] = {}
    completed_cycle: dict[int, Assignment] = {}
    for assignment, module, revision in rows:
        latest[module.id] = (assignment, module, revision)
        if assignment.status == "completed":
            completed_cycle[module.id] = assignment
    read = dict(
        session.execute(
            select(LessonProgress.module_id, func.count()).where(LessonProgress.person_id == person_id).group_by(LessonProgress.module_id)
        ).all()
    )
    last_read = dict(
        session.execute(
            select(LessonProgress.module_id, func.max(LessonProgress.read_at)).where(LessonProgress.person_id == person_id).group_by(LessonProgress.module_id)
        ).all()
    )
    items = []
    for module_id, (assignment, module, revision) in latest.items():
        doc = revision_doc(revision)
        previous = completed_cycle.get(module_id)
        if assignment.status == "completed":
            status = "completed"
        else:
            last = last_read.get(module_id)
            started = bool(assignment.attempts_used) or (last is not None and last >= assignment.assigned_at)
            status = item_status(due_on=assignment.due_on, today=today, has_valid_completion=previous is not None, started=started, due_soon_days=due_soon_days)
        items.append(
            TrainingItem(
                slug=module.slug, title=revision.title, summary=doc.summary, duration_minutes=doc.duration_minutes,
                status=status, due_on=None if assignment.status == "completed" else assignment.due_on,
                lessons_read=min(read.get(module_id, 0), len(doc.lessons)), lessons_total=len(doc.lessons),
                completed_at=previous.completed_at if previous else None, rule=assignment.rule,
            )
        )  # fmt: skip
    order = {"overdue": 0, "due-soon": 1, "in-progress": 2, "not-started": 3, "completed": 4}
    items.sort(key=lambda i: (order[i.status], i.due_on or dt.date.max, i.title))
    return MyTraining(tuple(items))


# ---------------------------------------------------------------- modules and reading


@dataclass(frozen=True)
class ModuleView:
    module: Module
    revision: ModuleRevision
    doc: ModuleDoc
    read: frozenset[str]
    assignment: Assignment | None


def published_module(session: Session, slug: str) -> tuple[Module, ModuleRevision]:
    row = session.execute(
        select(Module, ModuleRevision).join(ModuleRevision, ModuleRevision.id == Module.published_revision_id).where(Module.slug == slug, Module.status == "published")
    ).first()
    if row is None:
        raise NotFound(f"no published module '{slug}'")
    return row[0], row[1]


def module_view(session: Session, person_id: int, slug: str) -> ModuleView:
    module, revision = published_module(session, slug)
    read = frozenset(session.scalars(select(LessonProgress.lesson_key).where(LessonProgress.person_id == person_id, LessonProgress.module_id == module.id)))
    return ModuleView(module, revision, revision_doc(revision), read, open_assignment(session, person_id, module.id))


def mark_lesson_read(session: Session, person_id: int, module: Module, lesson_key: str, *, now: dt.datetime) -> bool:
    """Record that a lesson was read; reading it again changes nothing."""
    return insert_ignoring_duplicates(
        session,
        LessonProgress.__table__,  # type: ignore[arg-type]
        {"person_id": person_id, "module_id": module.id, "lesson_key": lesson_key, "read_at": now},
        ["person_id", "module_id", "lesson_key"],
    )


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


def quiz_status(session: Session, person_id: int, module: Module, doc: ModuleDoc) -> QuizStatus:
    assignment = open_assignment(session, person_id, module.id)
    used = assignment.attempts_used if assignment else _unassigned_attempts(session, person_id, module.id)
    open_id = session.scalar(select(QuizAttempt.id).where(QuizAttempt.person_id == person_id, QuizAttempt.module_id == module.id, QuizAttempt.submitted_at.is_(None)))
    return QuizStatus(doc.attempts, used, open_id)


def _unassigned_attempts(session: Session, person_id: int, module_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(QuizAttempt).where(QuizAttempt.person_id == person_id, QuizAttempt.module_id == module_id, QuizAttempt.assignment_id.is_(None))
    ) or 0


def start_attempt(session: Session, person_id: int, slug: str, *, now: dt.datetime, rng: random.Random | None = None) -> QuizAttempt:
    """Open (or resume) the person's attempt at a module's quiz, drawing its questions."""
    module, revision = published_module(session, slug)
    existing = session.scalar(select(QuizAttempt).where(QuizAttempt.person_id == person_id, QuizAttempt.module_id == module.id, QuizAttempt.submitted_at.is_(None)))
    if existing is not None:
        return existing
    doc = revision_doc(revision)
    assignment = open_assignment(session, person_id, module.id)
    if assignment is not None:
        # The limit is checked and the counter moved in one UPDATE, so racing requests cannot overrun it.
        guard = update(Assignment).where(Assignment.id == assignment.id)
        if doc.attempts is not None:
            guard = guard.where(Assignment.attempts_used < doc.attempts)
        result = session.execute(guard.values(attempts_used=Assignment.attempts_used + 1).execution_options(synchronize_session=False))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise ServiceError(f"You have used all {doc.attempts} attempts at this quiz for this training cycle.")
        session.expire(assignment, ["attempts_used"])
    elif doc.attempts is not None and _unassigned_attempts(session, person_id, module.id) >= doc.attempts:
        raise ServiceError(f"You have used all {doc.attempts} attempts at this quiz.")
    questions = draw_questions(doc, rng or random.Random(secrets.randbits(64)))  # noqa: S311 - order, not a secret
    attempt = QuizAttempt(
        person_id=person_id, module_id=module.id, revision_id=revision.id, assignment_id=assignment.id if assignment else None,
        started_at=now, questions=questions, max_points=sum(q["points"] for q in questions), pass_mark=doc.pass_mark,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        # Another request opened one first; the unique index kept it to one. Use theirs.
        raced = session.scalar(select(QuizAttempt).where(QuizAttempt.person_id == person_id, QuizAttempt.module_id == module.id, QuizAttempt.submitted_at.is_(None)))
        if raced is None:
            raise
        return raced
    return attempt


def get_attempt(session: Session, person_id: int, attempt_id: int) -> QuizAttempt:
    """A person's own attempt; anyone else's is indistinguishable from a missing one."""
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.person_id == person_id))
    if attempt is None:
        raise NotFound("no such attempt")
    return attempt


def answers_from_form(questions: list[dict[str, Any]], form: dict[str, list[str]]) -> dict[str, Any]:
    """Pick each served question's answer out of submitted form fields named q-<id>."""
    answers: dict[str, Any] = {}
    for q in questions:
        values = form.get(f"q-{q['id']}", [])
        if q["type"] == "multiple":
            answers[q["id"]] = sorted({v for v in values if isinstance(v, str)})
        else:
            answers[q["id"]] = values[0][:500] if values else None
    return answers


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: QuizAttempt
    completion: Completion | None
    first_submission: bool


def submit_attempt(session: Session, person_id: int, attempt_id: int, form: dict[str, list[str]], *, now: dt.datetime) -> SubmitOutcome:
    """Grade an attempt against the questions stored for it; a second submission changes nothing."""
    attempt = get_attempt(session, person_id, attempt_id)
    if attempt.submitted_at is not None:
        return SubmitOutcome(attempt, _completion_for(session, attempt.id), False)
    answers = answers_from_form(attempt.questions, form)
    score = score_attempt(attempt.questions, answers, attempt.pass_mark)
    result = session.execute(
        update(QuizAttempt)
        .where(and_(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None)))
        .values(submitted_at=now, answers=answers, points=float(score.points), percent=score.percent, passed=score.passed)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if not result.rowcount:  # type: ignore[attr-defined]
        return SubmitOutcome(attempt, _completion_for(session, attempt.id), False)
    completion = None
    if score.passed:
        revision = attempt.revision
        completion = Completion(
            person_id=person_id, module_id=attempt.module_id, revision_id=revision.id, assignment_id=attempt.assignment_id,
            attempt_id=attempt.id, completed_at=now, percent=score.percent, pass_mark=attempt.pass_mark,
            version=revision.version, major=revision.major, sha256=revision.sha256, certificate_code=new_certificate_code(),
        )  # fmt: skip
        session.add(completion)
        session.flush()
        assignment = session.get(Assignment, attempt.assignment_id) if attempt.assignment_id else None
        if assignment is not None:
            complete_assignment(session, assignment, now=now)
    return SubmitOutcome(attempt, completion, True)


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


def transcript(session: Session, person_id: int) -> list[TranscriptRow]:
    rows = session.execute(
        select(Completion, Module.slug, ModuleRevision.title)
        .join(Module, Module.id == Completion.module_id)
        .join(ModuleRevision, ModuleRevision.id == Completion.revision_id)
        .where(Completion.person_id == person_id)
        .order_by(Completion.completed_at.desc())
    ).all()
    return [TranscriptRow(c.id, slug, title, c.version, c.completed_at, c.percent, c.pass_mark, c.sha256) for c, slug, title in rows]


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
