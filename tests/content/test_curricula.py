"""curricula.yml: audiences, includes and requirements."""

from __future__ import annotations

from training.content import expand_audiences, parse_curricula
from training.content.model import Due, Recur

GOOD = """\
audiences:
  all-staff: {title: All staff}
  ot-operator: {title: OT operators, includes: [all-staff]}
  shift-lead: {title: Shift leads, includes: [ot-operator]}
requirements:
  - module: sa-02-phishing
    audiences: [all-staff]
    due: {days_after_assignment: 30}
    recur: {every_months: 12}
  - module: ot-13-plant-floor
    audiences: [ot-operator]
    due: {before_access: true}
    recur: {every_calendar_months: 15}
  - module: quarterly-brief
    audiences: [shift-lead]
    due: {days_after_assignment: 7}
    recur: {each_calendar_quarter: true}
"""


def test_a_valid_curricula_file_parses() -> None:
    curricula, problems = parse_curricula(GOOD)
    assert problems == []
    assert curricula is not None
    assert [r.due for r in curricula.requirements] == [Due(days_after_assignment=30), Due(before_access=True), Due(days_after_assignment=7)]
    assert [r.recur for r in curricula.requirements] == [
        Recur(every_months=12),
        Recur(every_calendar_months=15),
        Recur(each_calendar_quarter=True),
    ]


def test_includes_are_followed_transitively() -> None:
    curricula, _ = parse_curricula(GOOD)
    assert curricula is not None
    assert expand_audiences(curricula, {"shift-lead"}) == {"shift-lead", "ot-operator", "all-staff"}


def test_unknown_audiences_and_include_cycles_are_errors() -> None:
    text = GOOD.replace("includes: [all-staff]", "includes: [shift-lead]").replace("audiences: [all-staff]", "audiences: [everyone]")
    _, problems = parse_curricula(text, "curricula.yml")
    messages = [str(p) for p in problems]
    assert "curricula.yml:7: requirement for sa-02-phishing: unknown audience 'everyone'" in messages
    assert any("cycle" in m for m in messages)


def test_a_recurrence_rule_must_be_one_of_the_spec() -> None:
    _, problems = parse_curricula(GOOD.replace("{every_months: 12}", "{every_weeks: 2}"), "c.yml")
    assert [p.line for p in problems] == [9]
    assert "recur is one of" in problems[0].message


def test_due_must_be_positive_days_or_before_access() -> None:
    _, problems = parse_curricula(GOOD.replace("{days_after_assignment: 30}", "{days_after_assignment: 0}"), "c.yml")
    assert "days_after_assignment must be an integer > 0" in problems[0].message
