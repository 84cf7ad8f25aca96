"""The learner's path in the service layer: reading, attempts, grading, records."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.conftest import NOW, add_person
from training.models import Assignment, Completion, LessonProgress, Person, QuizAttempt
from training.services import NotFound, ServiceError
from training.services.learning import (
    correct_answers,
    item_status,
    mark_lesson_read,
    module_view,
    my_training,
    start_attempt,
    submit_attempt,
    transcript,
    wrong_answers,
)


def test_an_attempt_draws_questions_per_attempt_from_the_bank_and_shuffles_choices(imported: Session, learner: Person) -> None:
    seen_orders = set()
    for seed in range(12):
        attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW, rng=random.Random(seed))
        assert len(attempt.questions) == 4
        assert attempt.max_points == 4
        seen_orders.add(tuple(q["id"] for q in attempt.questions))
        multiple = next(q for q in attempt.questions if q["type"] == "multiple")
        seen_orders.add(tuple(c["text"] for c in multiple["choices"]))
        submit_attempt(imported, learner.id, attempt.id, wrong_answers(attempt.questions), now=NOW)
    assert len(seen_orders) > 4  # question order and choice order both vary


def test_an_open_attempt_is_resumed_not_duplicated(imported: Session, learner: Person) -> None:
    first = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    again = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    assert first.id == again.id


def test_the_database_allows_only_one_open_attempt_per_person_and_module(imported: Session, learner: Person) -> None:
    first = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    imported.commit()
    duplicate = QuizAttempt(
        person_id=learner.id,
        module_id=first.module_id,
        revision_id=first.revision_id,
        questions=[],
        max_points=0,
        pass_mark=80,
        started_at=NOW,
    )
    imported.add(duplicate)
    with pytest.raises(IntegrityError):
        imported.flush()
    imported.rollback()


def test_passing_records_a_completion_pinned_to_the_revision(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    outcome = submit_attempt(imported, learner.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    imported.commit()
    assert outcome.first_submission and outcome.attempt.passed and outcome.attempt.percent == 100.0
    completion = outcome.completion
    assert completion is not None
    assert completion.version == attempt.revision.version == "1.0.0"
    assert completion.sha256 == attempt.revision.sha256 and len(completion.sha256) == 64
    assert [row.title for row in transcript(imported, learner.id)] == ["Alpha Basics"]


def test_submitting_the_same_attempt_twice_records_it_once(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    answers = correct_answers(attempt.questions)
    first = submit_attempt(imported, learner.id, attempt.id, answers, now=NOW)
    second = submit_attempt(imported, learner.id, attempt.id, {}, now=NOW + dt.timedelta(seconds=1))
    imported.commit()
    assert first.first_submission and not second.first_submission
    assert second.attempt.passed and second.attempt.submitted_at == NOW  # the first grading stands
    assert imported.scalar(select(func.count()).select_from(Completion)) == 1


def test_a_failed_attempt_records_no_completion(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    outcome = submit_attempt(imported, learner.id, attempt.id, wrong_answers(attempt.questions), now=NOW)
    assert outcome.attempt.passed is False and outcome.completion is None
    assert imported.scalar(select(func.count()).select_from(Completion)) == 0


def test_the_attempts_limit_holds_per_cycle(imported: Session, learner: Person) -> None:
    for _ in range(2):
        attempt = start_attempt(imported, learner.id, "beta-limited", now=NOW)
        submit_attempt(imported, learner.id, attempt.id, wrong_answers(attempt.questions), now=NOW)
    with pytest.raises(ServiceError, match="used all 2 attempts"):
        start_attempt(imported, learner.id, "beta-limited", now=NOW)
    assignment = imported.scalars(select(Assignment).where(Assignment.person_id == learner.id, Assignment.status == "open")).all()
    assert {a.attempts_used for a in assignment} == {0, 2}


def test_another_persons_attempt_is_not_found(imported: Session, learner: Person) -> None:
    other = add_person(imported, "other@example.com", audiences=["all-staff"])
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    with pytest.raises(NotFound):
        submit_attempt(imported, other.id, attempt.id, correct_answers(attempt.questions), now=NOW)


def test_reading_a_lesson_twice_records_it_once(imported: Session, learner: Person) -> None:
    view = module_view(imported, learner.id, "alpha-basics")
    assert mark_lesson_read(imported, learner.id, view.module_id, "first", now=NOW)
    assert not mark_lesson_read(imported, learner.id, view.module_id, "first", now=NOW)
    assert imported.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert module_view(imported, learner.id, "alpha-basics").read == {"first"}


def test_overall_progress_counts_completions_whose_renewal_is_due_soon(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    # alpha-basics renews yearly: a week before the renewal it is due soon, yet still current.
    week_before = NOW + dt.timedelta(days=358)
    summary = my_training(imported, learner.id, now=week_before)
    alpha = next(item for item in summary.items if item.slug == "alpha-basics")
    assert alpha.status == "due-soon" and alpha.completed_at is not None
    assert summary.completed == 1
    lapsed = my_training(imported, learner.id, now=NOW + dt.timedelta(days=400))
    assert next(item for item in lapsed.items if item.slug == "alpha-basics").status == "overdue" and lapsed.completed == 0


def test_my_training_shows_status_due_date_and_progress(imported: Session, learner: Person) -> None:
    view = module_view(imported, learner.id, "alpha-basics")
    mark_lesson_read(imported, learner.id, view.module_id, "first", now=NOW)
    summary = my_training(imported, learner.id, now=NOW)
    by_slug = {item.slug: item for item in summary.items}
    assert by_slug["alpha-basics"].status == "in-progress"
    assert by_slug["alpha-basics"].percent == 33  # one of two lessons plus the quiz
    assert by_slug["beta-limited"].status == "due-soon"  # due in 14 days
    assert summary.percent == 0

    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    later = my_training(imported, learner.id, now=NOW + dt.timedelta(days=20))
    by_slug = {item.slug: item for item in later.items}
    assert by_slug["alpha-basics"].status == "completed" and by_slug["alpha-basics"].percent == 100
    assert by_slug["beta-limited"].status == "overdue"
    assert later.completed == 1 and later.percent == 50


@pytest.mark.parametrize(
    ("due", "valid", "started", "expected"),
    [
        (dt.date(2026, 3, 9), True, True, "overdue"),
        (dt.date(2026, 3, 24), False, False, "due-soon"),
        (dt.date(2026, 3, 25), False, False, "not-started"),
        (dt.date(2026, 3, 25), False, True, "in-progress"),
        (dt.date(2026, 9, 1), True, False, "completed"),
    ],
)
def test_item_status_boundaries(due: dt.date, valid: bool, started: bool, expected: str) -> None:
    assert item_status(due_on=due, today=dt.date(2026, 3, 10), has_valid_completion=valid, started=started) == expected
