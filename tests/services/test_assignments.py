"""Assignments follow audiences and curricula; cycles recur by the calendar rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import NOW, add_person
from training.models import Assignment, Module, Person
from training.services.accounts import set_audiences
from training.services.assignments import sync_person
from training.services.learning import correct_answers, start_attempt, submit_attempt


def assignments(session: Session, person: Person) -> list[tuple[str, int, str, dt.date, str]]:
    rows = session.execute(
        select(Module.slug, Assignment.cycle, Assignment.status, Assignment.due_on, Assignment.rule)
        .join(Module, Module.id == Assignment.module_id)
        .where(Assignment.person_id == person.id)
        .order_by(Module.slug, Assignment.cycle)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_new_person_gets_the_modules_of_their_audiences_and_included_ones(imported: Session) -> None:
    person = add_person(imported, "op@example.com", audiences=["ot-operator"])
    assert assignments(imported, person) == [
        (
            "alpha-basics",
            1,
            "open",
            dt.date(2026, 4, 9),
            "all-staff: due within 30 days of assignment; then every 12 months after each completion",
        ),
        (
            "beta-limited",
            1,
            "open",
            dt.date(2026, 3, 24),
            "ot-operator: due within 14 days of assignment; then by the end of the 15th calendar month after each completion",
        ),
    ]


def test_contractors_are_due_before_access(imported: Session) -> None:
    person = add_person(imported, "ctr@example.com", audiences=["contractor"])
    assert assignments(imported, person) == [("beta-limited", 1, "open", NOW.date(), "contractor: due before access is granted; once")]


def test_leaving_an_audience_withdraws_open_assignments_but_keeps_them(imported: Session) -> None:
    person = add_person(imported, "op@example.com", audiences=["ot-operator"])
    set_audiences(imported, person, ["all-staff"])
    sync_person(imported, person, now=NOW + dt.timedelta(days=1))
    statuses = [(slug, status) for slug, _, status, _, _ in assignments(imported, person)]
    assert statuses == [("alpha-basics", "open"), ("beta-limited", "withdrawn")]


def test_rejoining_an_audience_starts_a_new_cycle(imported: Session) -> None:
    person = add_person(imported, "op@example.com", audiences=["ot-operator"])
    set_audiences(imported, person, ["all-staff"])
    sync_person(imported, person, now=NOW)
    set_audiences(imported, person, ["ot-operator"])
    later = NOW + dt.timedelta(days=10)
    sync_person(imported, person, now=later)
    beta = [row for row in assignments(imported, person) if row[0] == "beta-limited"]
    assert [(cycle, status) for _, cycle, status, _, _ in beta] == [(1, "withdrawn"), (2, "open")]
    assert beta[1][3] == (later + dt.timedelta(days=14)).date()


def test_syncing_twice_changes_nothing(imported: Session) -> None:
    person = add_person(imported, "op@example.com", audiences=["ot-operator"])
    before = assignments(imported, person)
    sync_person(imported, person, now=NOW + dt.timedelta(days=3))
    assert assignments(imported, person) == before


def test_passing_opens_the_next_cycle_by_the_recurrence_rule(imported: Session) -> None:
    person = add_person(imported, "op@example.com", audiences=["ot-operator"])
    completed_on = dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC)
    for slug in ("alpha-basics", "beta-limited"):
        attempt = start_attempt(imported, person.id, slug, now=completed_on)
        submit_attempt(imported, person.id, attempt.id, correct_answers(attempt.questions), now=completed_on)
    imported.commit()
    rows = assignments(imported, person)
    assert [(slug, cycle, status, due) for slug, cycle, status, due, _ in rows] == [
        ("alpha-basics", 1, "completed", dt.date(2026, 4, 9)),
        ("alpha-basics", 2, "open", dt.date(2027, 1, 31)),  # every 12 months
        ("beta-limited", 1, "completed", dt.date(2026, 3, 24)),
        ("beta-limited", 2, "open", dt.date(2027, 4, 30)),  # end of the 15th calendar month
    ]


def test_when_two_rules_apply_the_stricter_one_wins(imported: Session) -> None:
    # beta-limited: ot-operator recurs every 15 calendar months, contractor never recurs; 15 months is stricter.
    person = add_person(imported, "both@example.com", audiences=["ot-operator", "contractor"])
    beta = [row for row in assignments(imported, person) if row[0] == "beta-limited"]
    assert beta[0][4].startswith("ot-operator:")
