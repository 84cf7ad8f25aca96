"""Compliance reports in the service layer: statuses at their boundaries, scope, filters and export rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.conftest import NOW
from training.models import Assignment, Module, OrgUnit, Person, ReportCell
from training.services import NotFound, reports
from training.services.accounts import create_person, find_org_unit
from training.services.assignments import sync_person
from training.services.learning import correct_answers, mark_lesson_read, start_attempt, submit_attempt, wrong_answers
from training.services.reports import MatrixFilters, StatusCounts, dashboard, matrix, matrix_table, overdue_table, person_report
from training.services.scope import Scope, scope_for
from training.services.summaries import refresh_cells


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


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)


def module(session: Session, slug: str) -> Module:
    found = session.scalar(select(Module).where(Module.slug == slug))
    assert found is not None
    return found


def unit_id(session: Session, name: str) -> int:
    found = session.scalar(select(OrgUnit.id).where(OrgUnit.name == name))
    assert found is not None
    return found


def passes(session: Session, person: Person, slug: str, when: dt.datetime) -> None:
    attempt = start_attempt(session, person.id, slug, now=when)
    submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=when)
    session.commit()


def everyone(session: Session) -> Scope:
    admin = join(session, "ada@example.com", audiences=[], roles=("admin",))
    return scope_for(session, admin)


def plant_north_manager(session: Session) -> Scope:
    marcus = join(session, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    return scope_for(session, marcus)


def status(session: Session, scope: Scope, person: Person, slug: str, *, now: dt.datetime) -> str:
    report = person_report(session, scope, person.id, now=now)
    return next(row.cell.status for row in report.required if row.module.slug == slug)


def move_due_date(session: Session, person: Person, slug: str, due: dt.date) -> None:
    """An open cycle due later than the test curriculum's rules give (30 days at most)."""
    alpha = module(session, slug)
    session.execute(
        update(Assignment)
        .where(Assignment.person_id == person.id, Assignment.module_id == alpha.id, Assignment.status == "open")
        .values(due_on=due)
    )
    refresh_cells(session, [person.id], [alpha.id])
    session.commit()


# ---------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-03-10", "due-soon"),  # assigned today, due in exactly 30 days
        ("2026-04-09", "due-soon"),  # due today
        ("2026-04-10", "overdue"),  # the day after the due date, never completed
    ],
)
def test_a_first_cycle_is_due_soon_within_thirty_days_and_overdue_the_day_after(
    imported: Session, learner: Person, today: str, expected: str
) -> None:
    assert status(imported, everyone(imported), learner, "alpha-basics", now=at(today)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-04-08", "not-started"),  # 31 days before the due date
        ("2026-04-09", "due-soon"),  # 30 days before
    ],
)
def test_a_cycle_due_later_than_thirty_days_is_not_started_until_it_is_due_soon(
    imported: Session, learner: Person, today: str, expected: str
) -> None:
    move_due_date(imported, learner, "alpha-basics", dt.date(2026, 5, 9))
    assert status(imported, everyone(imported), learner, "alpha-basics", now=at(today)) == expected


def test_reading_a_lesson_of_this_cycle_puts_it_in_progress(imported: Session, learner: Person) -> None:
    move_due_date(imported, learner, "alpha-basics", dt.date(2026, 5, 9))
    mark_lesson_read(imported, learner.id, module(imported, "alpha-basics"), "first", now=NOW)
    imported.commit()
    assert status(imported, everyone(imported), learner, "alpha-basics", now=NOW) == "in-progress"


def test_starting_the_quiz_puts_it_in_progress(imported: Session, learner: Person) -> None:
    move_due_date(imported, learner, "alpha-basics", dt.date(2026, 5, 9))
    start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    imported.commit()
    assert status(imported, everyone(imported), learner, "alpha-basics", now=NOW) == "in-progress"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2027-02-07", "current"),  # renewal due 2027-03-10, 31 days away
        ("2027-02-08", "due-soon"),  # 30 days away
        ("2027-03-10", "due-soon"),  # due today
        ("2027-03-11", "expired"),  # passed, after an earlier completion
    ],
)
def test_a_completed_cycle_is_current_then_due_soon_then_expired(imported: Session, learner: Person, today: str, expected: str) -> None:
    passes(imported, learner, "alpha-basics", NOW)
    assert status(imported, everyone(imported), learner, "alpha-basics", now=at(today)) == expected


def test_a_completed_rule_that_does_not_recur_stays_current(imported: Session) -> None:
    cara = join(imported, "cara@example.com", audiences=["contractor"])
    passes(imported, cara, "beta-limited", NOW)
    assert status(imported, everyone(imported), cara, "beta-limited", now=at("2036-01-01")) == "current"


def test_the_status_shown_and_the_status_filter_agree(imported: Session, learner: Person) -> None:
    omar = join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    passes(imported, omar, "alpha-basics", NOW)
    scope = everyone(imported)
    for today in ("2026-03-10", "2026-04-10", "2027-02-07", "2027-02-08", "2027-03-11"):
        shown = {
            (row.name, cell.status)
            for row in matrix(imported, scope, MatrixFilters(module="alpha-basics"), now=at(today)).rows
            for cell in row.cells
            if cell
        }
        filtered = {
            (row.name, s)
            for s in reports.STATUSES
            for row in matrix(imported, scope, MatrixFilters(module="alpha-basics", status=s), now=at(today)).rows
        }
        assert filtered == shown, today


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_counts_every_required_module_by_status(imported: Session, learner: Person) -> None:
    omar = join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    passes(imported, omar, "alpha-basics", NOW)
    view = dashboard(imported, everyone(imported), now=at("2026-03-25"))
    # Lena: alpha due 04-09 (due soon), beta due 03-24 (overdue), neither begun. Omar: alpha renewed to 2027 (current).
    assert view.totals == StatusCounts(current=1, due_soon=1, overdue=1, never_started=2)
    assert view.totals.percent("current") == 33
    assert view.people == 3  # Lena, Omar and the admin, who has nothing required
    assert {bar.key: bar.counts.total for bar in view.by_module} == {"alpha-basics": 2, "beta-limited": 1}
    assert {bar.key: bar.counts for bar in view.by_audience} == {
        "all-staff": StatusCounts(current=1, due_soon=1, never_started=1),
        "ot-operator": StatusCounts(overdue=1, never_started=1),
    }
    assert [(bar.label, bar.counts.total) for bar in view.by_unit] == [("Corporate IT", 1), ("Plant North", 2)]
    assert view.title == "The whole organisation"


def test_the_dashboard_agrees_with_the_status_of_every_cell_on_any_day(imported: Session, learner: Person) -> None:
    eli = join(imported, "eli@example.com", audiences=["ot-operator"], unit=["Plant North", "Engineering"])
    cara = join(imported, "cara@example.com", audiences=["contractor"])
    passes(imported, eli, "alpha-basics", NOW)
    passes(imported, cara, "beta-limited", NOW)
    move_due_date(imported, learner, "alpha-basics", dt.date(2026, 6, 1))
    mark_lesson_read(imported, learner.id, module(imported, "alpha-basics"), "first", now=NOW)
    imported.commit()
    scope = everyone(imported)
    for today in ("2026-03-10", "2026-04-01", "2026-05-02", "2026-06-02", "2027-02-08", "2027-03-11", "2027-07-01"):
        cells = [cell.status for row in matrix(imported, scope, MatrixFilters(), now=at(today)).rows for cell in row.cells if cell]
        view = dashboard(imported, scope, now=at(today))
        assert [view.totals.get(s) for s in reports.STATUSES] == [cells.count(s) for s in reports.STATUSES], today
        assert sum((bar.counts for bar in view.by_unit), StatusCounts()) == view.totals, today
        never = imported.scalar(
            select(func.count()).select_from(ReportCell).where(ReportCell.completed_before.is_(False), ReportCell.started.is_(False))
        )
        assert view.totals.never_started == never, today


def test_people_without_an_org_unit_get_their_own_bar_in_the_whole_organisation(imported: Session, learner: Person) -> None:
    join(imported, "cara@example.com", audiences=["contractor"])
    view = dashboard(imported, everyone(imported), now=NOW)
    assert [(bar.label, bar.counts.total) for bar in view.by_unit] == [("Plant North", 2), ("No org unit", 1)]


def test_completions_per_month_cover_the_last_twelve_months_in_scope(imported: Session, learner: Person) -> None:
    omar = join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    passes(imported, learner, "alpha-basics", at("2026-02-27"))
    passes(imported, learner, "beta-limited", at("2026-03-02"))
    passes(imported, omar, "alpha-basics", at("2026-03-03"))
    months = dashboard(imported, plant_north_manager(imported), now=NOW).by_month
    assert len(months) == 12
    assert (months[0].month, months[-1].month) == (dt.date(2025, 4, 1), dt.date(2026, 3, 1))
    assert [(m.month.month, m.completions) for m in months if m.completions] == [(2, 1), (3, 1)]


def test_a_manager_sees_their_subtrees_and_can_look_inside_a_unit(imported: Session, learner: Person) -> None:
    join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    join(imported, "eli@example.com", audiences=["all-staff"], unit=["Plant North", "Engineering"])
    scope = plant_north_manager(imported)

    view = dashboard(imported, scope, now=NOW)
    assert view.title == "Plant North"
    assert [bar.label for bar in view.by_unit] == ["Engineering", "Operations"]
    assert view.totals.total == 3  # Lena's two modules and Eli's one; not Omar's
    assert view.people == 2

    inside = dashboard(imported, scope, now=NOW, unit_id=unit_id(imported, "Operations"))
    assert (inside.title, inside.totals.total, [u.name for u in inside.trail]) == ("Operations", 2, ["Plant North"])


def test_a_manager_cannot_look_inside_a_unit_they_do_not_manage(imported: Session, learner: Person) -> None:
    join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    scope = plant_north_manager(imported)
    with pytest.raises(NotFound):
        dashboard(imported, scope, now=NOW, unit_id=unit_id(imported, "Corporate IT"))
    with pytest.raises(NotFound):
        dashboard(imported, scope, now=NOW, unit_id=999_999)


def test_a_learner_scope_reports_only_their_own_training(imported: Session, learner: Person) -> None:
    join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    scope = scope_for(imported, learner)
    view = dashboard(imported, scope, now=NOW)
    assert (view.people, view.totals.total, view.by_unit) == (1, 2, ())
    assert [row.name for row in matrix(imported, scope, MatrixFilters(), now=NOW).rows] == ["Lena"]


def test_nested_managed_units_are_counted_once(imported: Session, learner: Person) -> None:
    marcus = join(
        imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"], ["Plant North", "Operations"]]
    )
    assert dashboard(imported, scope_for(imported, marcus), now=NOW).totals.total == 2


# ---------------------------------------------------------------- matrix


@pytest.fixture
def staff(imported: Session, learner: Person) -> dict[str, Person]:
    """Lena (OT operator, Operations), Eli (all staff, Engineering), Omar (all staff, Corporate IT)."""
    eli = join(imported, "eli@example.com", audiences=["all-staff"], unit=["Plant North", "Engineering"])
    omar = join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    passes(imported, eli, "alpha-basics", NOW)
    return {"lena": learner, "eli": eli, "omar": omar}


def names(view: reports.Matrix) -> list[str]:
    return [row.name for row in view.rows]


def test_the_matrix_shows_people_in_scope_against_the_modules_they_need(imported: Session, staff: dict[str, Person]) -> None:
    view = matrix(imported, plant_north_manager(imported), MatrixFilters(), now=NOW)
    assert names(view) == ["Eli", "Lena"]
    assert [c.slug for c in view.columns] == ["alpha-basics", "beta-limited"]
    eli, lena = view.rows
    assert [c.status if c else None for c in eli.cells] == ["current", None]
    assert [c.status if c else None for c in lena.cells] == ["due-soon", "due-soon"]
    assert eli.unit == "Plant North › Engineering"
    assert lena.cells[1] is not None and lena.cells[1].due_on == dt.date(2026, 3, 24)
    assert view.total == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (MatrixFilters(audience="ot-operator"), ["Lena"]),
        (MatrixFilters(module="beta-limited"), ["Lena"]),
        (MatrixFilters(status="current"), ["Eli"]),
        (MatrixFilters(status="due-soon"), ["Lena", "Omar"]),
        (MatrixFilters(module="beta-limited", status="current"), []),
        (MatrixFilters(sort="-name"), ["Omar", "Lena", "Eli", "Ada"]),
        (MatrixFilters(module="alpha-basics", sort="due"), ["Lena", "Omar", "Eli"]),
        (MatrixFilters(module="alpha-basics", sort="-due"), ["Eli", "Omar", "Lena"]),
    ],
)
def test_the_matrix_filters_and_sorts(imported: Session, staff: dict[str, Person], filters: MatrixFilters, expected: list[str]) -> None:
    assert names(matrix(imported, everyone(imported), filters, now=NOW)) == expected


def test_the_matrix_filters_by_org_unit_including_sub_units(imported: Session, staff: dict[str, Person]) -> None:
    scope = everyone(imported)
    assert names(matrix(imported, scope, MatrixFilters(unit_id=unit_id(imported, "Plant North")), now=NOW)) == ["Eli", "Lena"]
    assert names(matrix(imported, scope, MatrixFilters(unit_id=unit_id(imported, "Engineering")), now=NOW)) == ["Eli"]


def test_the_matrix_pages_through_people(imported: Session, staff: dict[str, Person], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "PAGE_SIZE", 2)
    scope = everyone(imported)
    first = matrix(imported, scope, MatrixFilters(), now=NOW)
    second = matrix(imported, scope, MatrixFilters(page=2), now=NOW)
    assert (names(first), first.has_next, first.total) == (["Ada", "Eli"], True, 4)
    assert (names(second), second.has_next, second.first, second.last) == (["Lena", "Omar"], False, 3, 4)


def test_the_matrix_refuses_a_unit_outside_the_scope_and_unknown_filters(imported: Session, staff: dict[str, Person]) -> None:
    scope = plant_north_manager(imported)
    for filters in (
        MatrixFilters(unit_id=unit_id(imported, "Corporate IT")),
        MatrixFilters(audience="nobody"),
        MatrixFilters(module="no-such-module"),
    ):
        with pytest.raises(NotFound):
            matrix(imported, scope, filters, now=NOW)


def test_the_unit_choices_are_the_scope_only(imported: Session, staff: dict[str, Person]) -> None:
    view = matrix(imported, plant_north_manager(imported), MatrixFilters(), now=NOW)
    assert [o.label for o in view.units] == ["Plant North", "Plant North › Engineering", "Plant North › Operations"]


# ---------------------------------------------------------------- a person's record


def test_a_person_report_has_the_transcript_assignments_with_rules_and_attempts(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "beta-limited", now=NOW)
    submit_attempt(imported, learner.id, attempt.id, wrong_answers(attempt.questions), now=NOW)
    passes(imported, learner, "alpha-basics", NOW + dt.timedelta(hours=1))

    report = person_report(imported, plant_north_manager(imported), learner.id, now=NOW)

    assert (report.name, report.units, report.audiences) == ("Lena", ("Plant North", "Operations"), ("OT operators",))
    assert [(t.module, t.version, t.percent, t.pass_mark) for t in report.transcript] == [("Alpha Basics", "1.0.0", 100.0, 75)]
    assert [(a.module, a.cycle, a.status, a.reason) for a in report.assignments] == [
        ("Alpha Basics", 2, "open", "recurrence"),
        ("Alpha Basics", 1, "completed", "curriculum"),
        ("Beta Limited", 1, "open", "curriculum"),
    ]
    assert report.assignments[0].rule == "all-staff: due within 30 days of assignment; then every 12 months after each completion"
    assert [(q.module, q.version, q.percent, q.pass_mark, q.passed) for q in report.attempts] == [
        ("Alpha Basics", "1.0.0", 100.0, 75, True),
        ("Beta Limited", "1.0.0", 0.0, 100, False),
    ]
    assert [(r.module.slug, r.cell.status, r.rule.split(":")[0]) for r in report.required] == [
        ("alpha-basics", "current", "all-staff"),
        ("beta-limited", "due-soon", "ot-operator"),
    ]


def test_a_person_outside_the_scope_is_not_found(imported: Session, staff: dict[str, Person]) -> None:
    with pytest.raises(NotFound):
        person_report(imported, plant_north_manager(imported), staff["omar"].id, now=NOW)
    with pytest.raises(NotFound):
        person_report(imported, scope_for(imported, staff["lena"]), staff["eli"].id, now=NOW)
    assert person_report(imported, everyone(imported), staff["omar"].id, now=NOW).name == "Omar"


# ---------------------------------------------------------------- export rows


def test_the_matrix_table_has_a_row_per_person_and_three_columns_per_module(imported: Session, staff: dict[str, Person]) -> None:
    table = matrix_table(imported, plant_north_manager(imported), MatrixFilters(), now=NOW)
    assert table.header == ("Name", "Email", "Org unit", "ALPHA-BASICS status", "ALPHA-BASICS due", "ALPHA-BASICS last completed",
                            "BETA-LIMITED status", "BETA-LIMITED due", "BETA-LIMITED last completed")  # fmt: skip
    assert list(table.rows) == [
        ("Eli", "eli@example.com", "Plant North › Engineering", "Current", dt.date(2027, 3, 10), NOW.date(), "", "", ""),
        (
            "Lena",
            "lena@example.com",
            "Plant North › Operations",
            "Due soon",
            dt.date(2026, 4, 9),
            None,
            "Due soon",
            dt.date(2026, 3, 24),
            None,
        ),
    ]


def test_the_matrix_table_honours_the_filters(imported: Session, staff: dict[str, Person]) -> None:
    scope = everyone(imported)
    table = matrix_table(imported, scope, MatrixFilters(status="current"), now=NOW)
    assert [row[0] for row in table.rows] == ["Eli"]
    table = matrix_table(imported, scope, MatrixFilters(module="beta-limited"), now=NOW)
    assert len(table.header) == 6
    assert [row[:4] for row in table.rows] == [("Lena", "lena@example.com", "Plant North › Operations", "Due soon")]


def test_the_overdue_table_lists_what_is_past_due_in_scope(imported: Session, staff: dict[str, Person]) -> None:
    today = at("2026-04-20")
    table = overdue_table(imported, plant_north_manager(imported), MatrixFilters(), now=today)
    rows = list(table.rows)
    assert [(r[0], r[3], r[5], r[6], r[7]) for r in rows] == [
        ("Lena", "alpha-basics", "Overdue", dt.date(2026, 4, 9), 11),
        ("Lena", "beta-limited", "Overdue", dt.date(2026, 3, 24), 27),
    ]
    assert rows[0][9].startswith("all-staff: due within 30 days")
    assert list(overdue_table(imported, everyone(imported), MatrixFilters(), now=NOW).rows) == []
