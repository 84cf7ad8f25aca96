"""Importing content: revisions, idempotence, assets, and the MAJOR-version rule."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.conftest import NOW, TEST_CONTENT, add_person
from training.content import load_catalogue
from training.models import Asset, Assignment, Completion, Module, ModuleRevision, QuizAttempt
from training.services import ServiceError
from training.services.catalogue import asset_for, import_catalogue
from training.services.learning import correct_answers, mark_lesson_read, module_view, my_training, start_attempt, submit_attempt


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, target)
    return target


def run_import(session: Session, root: Path, now: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    report = import_catalogue(session, load_catalogue(root, today=now.date()), now=now)
    session.commit()
    return report


def revisions(session: Session, slug: str) -> list[ModuleRevision]:
    return list(
        session.scalars(
            select(ModuleRevision)
            .join(Module, Module.id == ModuleRevision.module_id)
            .where(Module.slug == slug)
            .order_by(ModuleRevision.number)
        )
    )


def test_importing_unchanged_files_creates_no_revision(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    first = run_import(session, root)
    second = run_import(session, root)
    assert sorted(first.created) == ["alpha-basics", "beta-limited"]
    assert second.created == [] and second.updated == [] and sorted(second.unchanged) == ["alpha-basics", "beta-limited"]
    assert session.scalar(select(func.count()).select_from(ModuleRevision)) == 2


def test_a_changed_file_creates_a_new_revision_pinned_by_hash(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    index = root / "modules/alpha-basics/index.md"
    index.write_text(
        index.read_text().replace("Welcome to **Alpha**.", "Welcome to **Alpha**, edited.").replace("version: 1.0.0", "version: 1.0.1")
    )
    report = run_import(session, root)
    assert report.updated == ["alpha-basics"]
    first, second = revisions(session, "alpha-basics")
    assert (first.number, second.number) == (1, 2)
    assert second.version == "1.0.1" and second.sha256 != first.sha256
    module = session.scalar(select(Module).where(Module.slug == "alpha-basics"))
    assert module is not None and module.published_revision_id == second.id


def bump(root: Path, slug: str, version: str, old: str = "", new: str = "") -> None:
    index = root / f"modules/{slug}/index.md"
    text = index.read_text()
    current = next(line for line in text.splitlines() if line.startswith("version: "))
    index.write_text(text.replace(current, f"version: {version}", 1).replace(old, new))


def test_a_changed_image_alone_creates_a_new_revision(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    (root / "modules/alpha-basics/img/box.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    bump(root, "alpha-basics", "1.0.1")
    assert run_import(session, root).updated == ["alpha-basics"]


def test_a_change_without_a_higher_version_is_refused_and_nothing_is_imported(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    bump(root, "alpha-basics", "1.0.0", "Welcome", "Hello")
    bump(root, "beta-limited", "0.9.0")  # below the imported 1.0.0
    (root / "modules/beta-limited/index.md").write_text((root / "modules/beta-limited/index.md").read_text() + "\nMore.\n")
    with pytest.raises(ServiceError) as refused:
        import_catalogue(session, load_catalogue(root, today=NOW.date()), now=NOW)
    message = str(refused.value)
    assert "alpha-basics/index.md:4: the content changed but version 1.0.0 is not above 1.0.0" in message
    assert "beta-limited/index.md:4: the content changed but version 0.9.0 is not above 1.0.0" in message
    session.rollback()
    assert [r.version for r in revisions(session, "alpha-basics")] == ["1.0.0"]


def test_a_question_id_used_by_a_module_already_imported_is_refused(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    # The copy is imported on its own, so only the database knows that alpha-basics owns these ids.
    copy = tmp_path / "elsewhere" / "alpha-copy"
    shutil.copytree(root / "modules/alpha-basics", copy)
    index = copy / "index.md"
    index.write_text(index.read_text().replace("id: alpha-basics", "id: alpha-copy"))
    with pytest.raises(ServiceError, match=r"alpha-copy/index.md:\d+: question id 'alpha-q1' is already used by module alpha-basics"):
        import_catalogue(session, load_catalogue(copy, today=NOW.date()), now=NOW)


def test_images_are_stored_in_the_database_per_revision(session: Session, tmp_path: Path) -> None:
    run_import(session, copy_content(tmp_path))
    revision = revisions(session, "alpha-basics")[0]
    asset = asset_for(session, revision.id, "img/box.svg")
    assert asset is not None and asset.content_type == "image/svg+xml" and b"alpha" in asset.data
    assert asset_for(session, revision.id, "img/missing.svg") is None


def test_a_newer_draft_does_not_hide_the_published_revision(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    index = root / "modules/alpha-basics/index.md"
    index.write_text(index.read_text().replace("status: published", "status: draft").replace("version: 1.0.0", "version: 1.1.0"))
    run_import(session, root)
    module = session.scalar(select(Module).where(Module.slug == "alpha-basics"))
    published, draft = revisions(session, "alpha-basics")
    assert module is not None
    assert module.published_revision_id == published.id and module.latest_revision_id == draft.id


def test_content_with_errors_is_refused(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    index = root / "modules/beta-limited/index.md"
    index.write_text(index.read_text().replace("type: single", "type: essay"))
    with pytest.raises(ServiceError, match="error"):
        import_catalogue(session, load_catalogue(root, today=NOW.date()), now=NOW)
    assert session.scalar(select(func.count()).select_from(Module)) == 0


def test_a_major_version_reopens_the_assignments_of_people_who_completed_the_old_one(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    done = add_person(session, "done@example.com", audiences=["all-staff"])
    fresh = add_person(session, "fresh@example.com", audiences=["all-staff"])
    attempt = start_attempt(session, done.id, "alpha-basics", now=NOW)
    submit_attempt(session, done.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    session.commit()

    later = NOW + dt.timedelta(days=40)
    index = root / "modules/alpha-basics/index.md"
    index.write_text(
        index.read_text().replace("version: 1.0.0", "version: 2.0.0").replace("Never do the bad thing.", "Never do the worse thing.")
    )
    report = run_import(session, root, now=later)
    assert report.reopened == {"alpha-basics": 1}

    done_open = session.scalars(select(Assignment).where(Assignment.person_id == done.id, Assignment.status == "open")).one()
    assert done_open.due_on == (later + dt.timedelta(days=30)).date()  # pulled in from a year away
    assert done_open.reason == "major-change" and "2.0.0" in done_open.rule
    fresh_open = session.scalars(select(Assignment).where(Assignment.person_id == fresh.id, Assignment.status == "open")).one()
    assert fresh_open.due_on == (NOW + dt.timedelta(days=30)).date()  # never completed: its date stands
    # The old completion stays on record, pinned to version 1.
    completion = session.scalars(select(Completion).where(Completion.person_id == done.id)).one()
    assert completion.version == "1.0.0"


def test_after_a_major_version_the_learner_must_retrain_and_the_old_completion_no_longer_counts(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    done = add_person(session, "done@example.com", audiences=["all-staff"])
    alpha = module_view(session, done.id, "alpha-basics")
    for lesson in alpha.doc.lessons:
        mark_lesson_read(session, done.id, alpha.module_id, lesson.id, now=NOW)
    attempt = start_attempt(session, done.id, "alpha-basics", now=NOW)
    submit_attempt(session, done.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    session.commit()
    before = {i.slug: i for i in my_training(session, done.id, now=NOW + dt.timedelta(days=40)).items}["alpha-basics"]
    assert before.status == "completed"

    later = NOW + dt.timedelta(days=40)
    bump(root, "alpha-basics", "2.0.0", "Never do the bad thing.", "Never do the worse thing.")
    run_import(session, root, now=later)

    item = {i.slug: i for i in my_training(session, done.id, now=later).items}["alpha-basics"]
    assert (item.status, item.completed_at, item.lessons_read) == ("not-started", None, 0)
    assert item.due_on == (later + dt.timedelta(days=30)).date()
    assert module_view(session, done.id, "alpha-basics").read == frozenset()  # ticks start again for the new content
    # Reading now counts towards the re-training cycle.
    mark_lesson_read(session, done.id, alpha.module_id, alpha.doc.lessons[0].id, now=later)
    item = {i.slug: i for i in my_training(session, done.id, now=later).items}["alpha-basics"]
    assert (item.status, item.lessons_read) == ("in-progress", 1)


def test_a_quiz_left_open_on_the_old_major_is_voided_and_cannot_close_the_retraining(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    person = add_person(session, "slow@example.com", audiences=["all-staff"])
    first = start_attempt(session, person.id, "alpha-basics", now=NOW)
    submit_attempt(session, person.id, first.id, correct_answers(first.questions), now=NOW)
    left_open = start_attempt(session, person.id, "alpha-basics", now=NOW)  # a second go, in the next cycle
    answers = correct_answers(left_open.questions)
    session.commit()

    later = NOW + dt.timedelta(days=5)
    bump(root, "alpha-basics", "2.0.0", "Never do the bad thing.", "Never do the worse thing.")
    run_import(session, root, now=later)
    outcome = submit_attempt(session, person.id, left_open.id, answers, now=later)
    session.commit()

    assert not outcome.first_submission and outcome.completion is None
    voided = session.get(QuizAttempt, left_open.id)
    assert voided is not None and voided.void_reason == "replaced by version 2.0.0 before it was submitted" and voided.passed is False
    assert session.scalar(select(func.count()).select_from(Completion).where(Completion.person_id == person.id)) == 1
    retraining = session.scalars(select(Assignment).where(Assignment.person_id == person.id, Assignment.status == "open")).one()
    assert retraining.reason == "major-change" and retraining.attempts_used == 0
    fresh = start_attempt(session, person.id, "alpha-basics", now=later)
    assert fresh.id != left_open.id and fresh.revision.version == "2.0.0"


def test_the_database_allows_one_open_cycle_per_person_and_module(session: Session, tmp_path: Path) -> None:
    run_import(session, copy_content(tmp_path))
    person = add_person(session, "one@example.com", audiences=["all-staff"])
    current = session.scalars(select(Assignment).where(Assignment.person_id == person.id, Assignment.status == "open")).first()
    assert current is not None
    session.add(
        Assignment(
            person_id=person.id, module_id=current.module_id, cycle=current.cycle + 1, due_on=current.due_on,
            audience=current.audience, rule="a second open cycle",
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_minor_version_keeps_completions_valid(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    index = root / "modules/alpha-basics/index.md"
    index.write_text(index.read_text().replace("version: 1.0.0", "version: 1.1.0").replace("Welcome", "Hello"))
    assert run_import(session, root).reopened == {}


def test_identical_images_are_stored_once(session: Session, tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    run_import(session, root)
    bump(root, "alpha-basics", "1.0.1", "Welcome", "Hello")
    run_import(session, root)
    assert session.scalar(select(func.count()).select_from(Asset)) == 1
