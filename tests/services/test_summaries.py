"""The report summaries follow every change to assignments, in the same transaction, and match a rebuild."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import NOW
from training.extensions import alembic
from training.models import NEVER_DUE, Module, OrgUnit, Person, ReportCell, ReportCount, ReportMonth
from training.services import ServiceError
from training.services.accounts import create_person, deactivate_person, find_org_unit, move_org_unit, move_person, set_audiences
from training.services.assignments import reopen_for_major_change, sync_person
from training.services.learning import correct_answers, mark_lesson_read, start_attempt, submit_attempt, wrong_answers
from training.services.summaries import rebuild_summaries, refresh_cells, unit_chain


def join(
    session: Session,
    email: str,
    *,
    audiences: list[str],
    roles: tuple[str, ...] = ("learner",),
    unit: list[str] | None = None,
    manages: list[list[str]] | None = None,
) -> Person:
    """add_person without a password: these people never sign in, and hashing one costs more than the test."""
    org_unit = find_org_unit(session, unit, create=True) if unit else None
    managed = [m for m in (find_org_unit(session, path, create=True) for path in manages or []) if m is not None]
    person = create_person(
        session,
        email=email,
        name=email.split("@")[0].title(),
        password=None,
        roles=roles,
        audiences=audiences,
        org_unit=org_unit,
        manages=managed,
        now=NOW,
    )
    sync_person(session, person, now=NOW)
    session.commit()
    return person


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.flush()
    tables = {"cells": ReportCell, "counts": ReportCount, "months": ReportMonth}
    return {
        name: sorted(tuple(row) for row in session.execute(select(*model.__table__.columns)))  # type: ignore[attr-defined]
        for name, model in tables.items()
    }


def module(session: Session, slug: str) -> Module:
    found = session.scalar(select(Module).where(Module.slug == slug))
    assert found is not None
    return found


def passes(session: Session, person: Person, slug: str, when: dt.datetime) -> None:
    attempt = start_attempt(session, person.id, slug, now=when)
    submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=when)


def fails(session: Session, person: Person, slug: str, when: dt.datetime) -> None:
    attempt = start_attempt(session, person.id, slug, now=when)
    submit_attempt(session, person.id, attempt.id, wrong_answers(attempt.questions), now=when)


def a_busy_history(session: Session, *, moves: bool = True) -> None:
    """Joining, reading, failing, passing, recurring, leaving an audience, a contractor, a leaver, a move, a MAJOR change."""
    lena = join(session, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    omar = join(session, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    cara = join(session, "cara@example.com", audiences=["contractor"])
    leo = join(session, "leo@example.com", audiences=["all-staff"], unit=["Plant North"])
    mark_lesson_read(session, lena.id, module(session, "alpha-basics"), "first", now=NOW)
    fails(session, lena, "beta-limited", NOW + dt.timedelta(hours=1))
    passes(session, lena, "alpha-basics", NOW + dt.timedelta(days=2))
    passes(session, omar, "alpha-basics", NOW + dt.timedelta(days=40))
    passes(session, cara, "beta-limited", NOW)
    passes(session, leo, "alpha-basics", NOW + dt.timedelta(days=3))
    set_audiences(session, omar, [])
    sync_person(session, omar, now=NOW + dt.timedelta(days=50))
    deactivate_person(session, leo, now=NOW + dt.timedelta(days=60))
    if moves:
        move_person(session, lena, find_org_unit(session, ["Plant North", "Engineering"], create=True), now=NOW + dt.timedelta(days=65))
    reopen_for_major_change(session, module(session, "alpha-basics"), "2.0.0", 2, now=NOW + dt.timedelta(days=70))
    session.commit()


def test_the_summaries_kept_in_step_match_a_rebuild_from_the_records(imported: Session) -> None:
    a_busy_history(imported)
    kept = snapshot(imported)

    rebuild_summaries(imported)

    assert snapshot(imported) == kept
    assert kept["cells"] and kept["counts"] and kept["months"]


def test_moving_an_org_unit_under_another_parent_keeps_the_summaries_true(imported: Session) -> None:
    a_busy_history(imported)
    engineering = find_org_unit(imported, ["Plant North", "Engineering"])
    corporate = find_org_unit(imported, ["Corporate IT"])
    assert engineering is not None and corporate is not None
    move_org_unit(imported, engineering, corporate)
    imported.commit()
    assert engineering.path == f"{corporate.path}{engineering.id}/"
    moved = snapshot(imported)
    plant = find_org_unit(imported, ["Plant North"])
    assert plant is not None
    # Lena's cells now count under Corporate IT and no longer under Plant North.
    units_of_cells = {row[0] for row in moved["counts"]}
    assert corporate.id in units_of_cells
    rebuild_summaries(imported)
    assert snapshot(imported) == moved
    with pytest.raises(ServiceError, match="cannot move under itself"):
        move_org_unit(imported, corporate, engineering)


def test_a_cell_holds_the_open_cycle_due_date_and_whether_an_earlier_one_was_completed(imported: Session) -> None:
    lena = join(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    alpha = module(imported, "alpha-basics")

    def cell() -> tuple[dt.date, bool, bool]:
        row = imported.execute(
            select(ReportCell.due_on, ReportCell.completed_before, ReportCell.started).where(
                ReportCell.person_id == lena.id, ReportCell.module_id == alpha.id
            )
        ).one()
        return (row[0], row[1], row[2])

    assert cell() == (dt.date(2026, 4, 9), False, False)
    mark_lesson_read(imported, lena.id, alpha, "first", now=NOW)
    assert cell() == (dt.date(2026, 4, 9), False, True)
    passes(imported, lena, "alpha-basics", NOW)
    assert cell() == (dt.date(2027, 3, 10), True, False)


def test_a_completed_rule_that_does_not_recur_is_never_due_again(imported: Session) -> None:
    cara = join(imported, "cara@example.com", audiences=["contractor"])
    passes(imported, cara, "beta-limited", NOW)
    due = imported.scalar(select(ReportCell.due_on).where(ReportCell.person_id == cara.id))
    assert due == NEVER_DUE


def test_a_leaver_has_no_cells_and_counts_nowhere(imported: Session) -> None:
    leo = join(imported, "leo@example.com", audiences=["contractor"], unit=["Plant North"])
    passes(imported, leo, "beta-limited", NOW)
    leo.active = False
    sync_person(imported, leo, now=NOW)
    assert snapshot(imported)["cells"] == []
    assert snapshot(imported)["counts"] == []


def test_counts_roll_up_to_every_enclosing_unit_and_the_whole_organisation(imported: Session) -> None:
    lena = join(imported, "lena@example.com", audiences=["all-staff"], unit=["Plant North", "Operations"])
    unit = imported.get(OrgUnit, lena.org_unit_id)
    assert unit is not None
    chain = unit_chain(unit.path, unit.id)
    rows = imported.execute(select(ReportCount.unit_id, ReportCount.module_id, ReportCount.n)).all()
    alpha = module(imported, "alpha-basics")
    assert sorted(rows) == sorted([(u, m, 1) for u in chain for m in (0, alpha.id)])
    assert len(chain) == 3  # everyone, Plant North, Operations


def test_completions_are_counted_in_the_month_they_happened_for_every_enclosing_unit(imported: Session) -> None:
    lena = join(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    passes(imported, lena, "alpha-basics", dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    passes(imported, lena, "beta-limited", dt.datetime(2026, 4, 1, 0, 30, tzinfo=dt.UTC))
    months = imported.execute(select(ReportMonth.month, ReportMonth.n).where(ReportMonth.unit_id == 0)).all()
    assert sorted(months) == [(dt.date(2026, 3, 1), 1), (dt.date(2026, 4, 1), 1)]
    assert len(imported.execute(select(ReportMonth)).all()) == 6  # two months × (everyone, Plant North, Operations)


def test_refreshing_again_changes_nothing(imported: Session) -> None:
    a_busy_history(imported)
    before = snapshot(imported)
    refresh_cells(imported, imported.scalars(select(Person.id)).all())
    assert snapshot(imported) == before


def test_the_migration_fills_the_summaries_from_existing_records(app: Flask, imported: Session) -> None:
    # No moves: going down past the revision that keeps each completion's org unit forgets where it was made.
    a_busy_history(imported, moves=False)
    kept = snapshot(imported)
    imported.commit()
    imported.close()

    alembic.downgrade("1795631596")  # the revision before the summaries existed
    alembic.upgrade()

    assert snapshot(imported) == kept
