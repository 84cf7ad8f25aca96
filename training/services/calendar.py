"""Calendar arithmetic for due dates and recurrence, as content-format.md defines it."""

from __future__ import annotations

import calendar
import datetime as dt

from training.content.model import Due, Recur


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def end_of_calendar_months_after(day: dt.date, months: int) -> dt.date:
    """The last day of the calendar month that lies `months` after `day`'s month.

    NERC CIP-004 counts "15 calendar months" this way: a completion on 2026-01-31 is next due by
    2027-04-30, and one on 2026-01-01 also by 2027-04-30.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return end_of_month(year, month + 1)


def end_of_next_quarter(day: dt.date) -> dt.date:
    """The last day of the calendar quarter after the one that holds `day`."""
    quarter_start_month = 3 * ((day.month - 1) // 3) + 1
    index = day.year * 12 + (quarter_start_month - 1) + 3
    year, month = divmod(index, 12)
    return end_of_month(year, month + 3)


def initial_due(due: Due, assigned_on: dt.date) -> dt.date:
    """When the first cycle of an assignment falls due."""
    if due.before_access:
        return assigned_on
    return assigned_on + dt.timedelta(days=due.days_after_assignment or 30)


def next_due(recur: Recur, completed_on: dt.date) -> dt.date | None:
    """When the next cycle falls due after a completion, or None if the rule does not recur."""
    if recur.every_months:
        return add_months(completed_on, recur.every_months)
    if recur.every_calendar_months:
        return end_of_calendar_months_after(completed_on, recur.every_calendar_months)
    if recur.each_calendar_quarter:
        return end_of_next_quarter(completed_on)
    return None


def describe_rule(audience: str, due: Due, recur: Recur) -> str:
    """The rule in words, stored with each assignment so an auditor can see why a date is what it is."""
    first = "before access is granted" if due.before_access else f"within {due.days_after_assignment} days of assignment"
    if recur.every_months:
        again = f"; then every {recur.every_months} months after each completion"
    elif recur.every_calendar_months:
        again = f"; then by the end of the {recur.every_calendar_months}th calendar month after each completion"
    elif recur.each_calendar_quarter:
        again = "; then once each calendar quarter"
    else:
        again = "; once"
    return f"{audience}: due {first}{again}"
