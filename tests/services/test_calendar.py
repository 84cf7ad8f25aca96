"""Due dates follow calendar arithmetic, not day counts."""

from __future__ import annotations

import datetime as dt

import pytest

from training.content.model import Due, Recur
from training.services.calendar import add_months, describe_rule, end_of_calendar_months_after, end_of_next_quarter, initial_due, next_due

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to February's end
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # leap day, a year on
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # across the year end
        (D(2026, 5, 10), 12, D(2027, 5, 10)),
        (D(2026, 8, 31), -6, D(2026, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_clamps_to_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (D(2026, 1, 31), D(2027, 4, 30)),  # the spec's own example
        (D(2026, 1, 1), D(2027, 4, 30)),  # any day of January gives the same month end
        (D(2026, 11, 15), D(2028, 2, 29)),  # lands in a leap February
        (D(2026, 10, 3), D(2028, 1, 31)),
    ],
)
def test_every_15_calendar_months_falls_due_at_the_end_of_the_month(completed: dt.date, expected: dt.date) -> None:
    assert end_of_calendar_months_after(completed, 15) == expected
    assert next_due(Recur(every_calendar_months=15), completed) == expected


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (D(2026, 1, 1), D(2026, 6, 30)),
        (D(2026, 3, 31), D(2026, 6, 30)),  # the last day of a quarter still counts for that quarter
        (D(2026, 4, 1), D(2026, 9, 30)),
        (D(2026, 12, 31), D(2027, 3, 31)),  # across the year end
        (D(2027, 11, 20), D(2028, 3, 31)),
    ],
)
def test_each_calendar_quarter_is_due_by_the_end_of_the_next_quarter(completed: dt.date, expected: dt.date) -> None:
    assert end_of_next_quarter(completed) == expected
    assert next_due(Recur(each_calendar_quarter=True), completed) == expected


def test_every_12_months_is_the_same_day_a_year_later() -> None:
    assert next_due(Recur(every_months=12), D(2026, 1, 31)) == D(2027, 1, 31)
    assert next_due(Recur(every_months=1), D(2026, 1, 31)) == D(2026, 2, 28)


def test_a_rule_without_recurrence_has_no_next_cycle() -> None:
    assert next_due(Recur(), D(2026, 1, 31)) is None


def test_initial_due_dates() -> None:
    assert initial_due(Due(days_after_assignment=30), D(2026, 1, 15)) == D(2026, 2, 14)
    assert initial_due(Due(before_access=True), D(2026, 1, 15)) == D(2026, 1, 15)


def test_rules_are_described_in_words_for_auditors() -> None:
    assert describe_rule("ot-operator", Due(days_after_assignment=30), Recur(every_calendar_months=15)) == (
        "ot-operator: due within 30 days of assignment; then by the end of the 15th calendar month after each completion"
    )
    assert describe_rule("contractor", Due(before_access=True), Recur()) == "contractor: due before access is granted; once"
