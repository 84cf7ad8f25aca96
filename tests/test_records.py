"""Records of training are kept: the database refuses to change or delete them, and a submission is whole."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from tests.conftest import NOW
from training.models import Assignment, Completion, Person, QuizAttempt
from training.services import learning
from training.services.learning import correct_answers, start_attempt, submit_attempt


@pytest.fixture
def passed(imported: Session, learner: Person) -> Completion:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    outcome = submit_attempt(imported, learner.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    imported.commit()
    assert outcome.completion is not None
    return outcome.completion


@pytest.mark.parametrize(
    "change",
    [
        update(Completion).values(percent=100.0, pass_mark=1),
        update(Completion).values(completed_at=NOW.replace(year=2020)),
        update(Completion).values(certificate_code="FORGED-CODE"),  # a code, once given, stays
        delete(Completion),
        update(QuizAttempt).values(points=99.0, passed=True),
        update(QuizAttempt).values(answers={}),
        delete(QuizAttempt),
    ],
    ids=[
        "completion score",
        "completion date",
        "certificate code",
        "delete completion",
        "attempt grade",
        "attempt answers",
        "delete attempt",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_record_of_training(imported: Session, passed: Completion, change: object) -> None:
    with pytest.raises(DatabaseError, match=r"records of training|never changes"):
        imported.execute(change)  # type: ignore[call-overload]
    imported.rollback()
    assert imported.scalar(select(func.count()).select_from(Completion)) == 1


def test_a_completion_without_a_code_may_be_given_one_once(imported: Session, passed: Completion) -> None:
    # A record from before certificates existed: everything but the code.
    legacy = Completion(
        person_id=passed.person_id, module_id=passed.module_id, revision_id=passed.revision_id, completed_at=NOW,
        percent=90.0, pass_mark=75, version=passed.version, major=passed.major, sha256=passed.sha256,
    )  # fmt: skip
    imported.add(legacy)
    imported.commit()
    imported.execute(update(Completion).where(Completion.id == legacy.id).values(certificate_code="ABCD-EFGH-JKLM-NPQR"))
    imported.commit()
    with pytest.raises(DatabaseError, match=r"records of training|never changes"):
        imported.execute(update(Completion).where(Completion.id == legacy.id).values(certificate_code="ZZZZ-EFGH-JKLM-NPQR"))
    imported.rollback()


def test_an_open_attempt_can_still_be_voided_or_submitted(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    imported.commit()
    imported.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(void_reason="replaced", submitted_at=NOW, passed=False))
    imported.commit()
    assert imported.get(QuizAttempt, attempt.id) is not None


def test_a_submission_is_recorded_whole_or_not_at_all(imported: Session, learner: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    imported.commit()
    answers = correct_answers(attempt.questions)

    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("the disk filled up half way")

    # The grade, the completion and the next cycle are written; the report summaries are not, and so nothing must be.
    monkeypatch.setattr(learning, "refresh_cells", fail)
    with pytest.raises(RuntimeError):
        submit_attempt(imported, learner.id, attempt.id, answers, now=NOW)
    imported.rollback()
    monkeypatch.undo()

    again = imported.get(QuizAttempt, attempt.id)
    assert again is not None and again.submitted_at is None and again.answers is None
    assert imported.scalar(select(func.count()).select_from(Completion)) == 0
    open_cycle = imported.scalars(select(Assignment).where(Assignment.person_id == learner.id, Assignment.status == "open")).all()
    assert {a.cycle for a in open_cycle} == {1}
    # And the same attempt can then be submitted properly.
    assert submit_attempt(imported, learner.id, attempt.id, answers, now=NOW).completion is not None
