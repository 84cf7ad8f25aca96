"""Parsing and checking one module file: every rule names its file and line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from training.content import parse_module

# A copy of the content spec's example module (shared/specs/example-module), which must always parse.
EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "example-module" / "index.md"
TODAY = dt.date(2026, 11, 25)

HEAD = """\
---
id: demo-module
title: Demo
version: 1.2.3
status: published
language: en
summary: A demo.
audience: [all-staff]
duration_minutes: 5
objectives:
  - {id: O1, text: Do the thing.}
pass_mark: 80
---
"""


def module_with(quiz: str, head: str = HEAD, body: str = "Intro.\n\n## Lesson one {#one}\n\nText.\n\n") -> str:
    return head + "\n" + body + "```quiz\n" + textwrap.dedent(quiz).strip() + "\n```\n"


GOOD_QUIZ = """
- id: demo-q1
  type: single
  objective: O1
  prompt: Which?
  choices:
    - {text: This, correct: true}
    - {text: That, feedback: Not that.}
"""


def errors(text: str) -> list[str]:
    _, problems = parse_module(text, "m.md", today=TODAY)
    return [f"{p.line}: {p.message}" for p in problems if p.severity == "error"]


def test_a_valid_module_parses_into_lessons_and_a_bank() -> None:
    doc, problems = parse_module(module_with(GOOD_QUIZ), "m.md", today=TODAY)
    assert problems == []
    assert doc is not None
    assert doc.version == "1.2.3" and doc.major == 1
    assert [lesson.id for lesson in doc.lessons] == ["one"]
    assert [q.id for q in doc.questions] == ["demo-q1"]
    assert doc.questions[0].lesson_id == "one"
    assert "quiz" not in doc.lessons[0].markdown and "demo-q1" not in doc.lessons[0].markdown


def test_the_spec_example_module_parses_without_errors() -> None:
    doc, problems = parse_module(EXAMPLE.read_text(), str(EXAMPLE), today=dt.date(2026, 1, 1))
    assert doc is not None
    assert [p for p in problems if p.severity == "error"] == []
    assert [lesson.id for lesson in doc.lessons] == ["what-is-ot", "why-converge", "your-part"]
    assert {q.type for q in doc.questions} == {"single", "multiple", "truefalse"}


def test_a_heading_without_an_id_gets_the_slug_of_its_title() -> None:
    doc, _ = parse_module(module_with(GOOD_QUIZ, body="## What's new: OT & IT?\n\nText.\n\n"), "m.md")
    assert doc is not None
    assert doc.lessons[0].id == "what-s-new-ot-it"


def test_code_fences_that_are_not_quiz_blocks_stay_in_the_lesson() -> None:
    body = "## One {#one}\n\n```python\n## not a heading\nprint(1)\n```\n\n"
    doc, _ = parse_module(module_with(GOOD_QUIZ, body=body), "m.md")
    assert doc is not None
    assert len(doc.lessons) == 1
    assert "## not a heading" in doc.lessons[0].markdown


def test_duplicate_front_matter_keys_are_an_error_with_the_line() -> None:
    head = HEAD.replace("pass_mark: 80\n", "pass_mark: 80\npass_mark: 90\n")
    assert errors(module_with(GOOD_QUIZ, head=head)) == ["13: front matter: duplicate key 'pass_mark' (first on line 12)"]


def test_unquoted_yes_is_rejected_where_text_is_meant() -> None:
    text = module_with(GOOD_QUIZ.replace("{text: This, correct: true}", "{text: yes, correct: true}"))
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "{text: yes" in row)
    found = errors(text)
    assert len(found) == 1
    assert found[0].startswith(f"{line}: quiz block: unquoted 'yes' is read as a boolean")


def test_one_run_reports_every_yaml_problem_in_the_front_matter_and_in_the_quiz_blocks() -> None:
    head = HEAD.replace("pass_mark: 80\n", "pass_mark: 80\npass_mark: 90\nstatus: draft\n")
    quiz = GOOD_QUIZ.replace("{text: That, feedback: Not that.}", "{text: That, correct: true}") + "  prompt: Again?\n"
    found = errors(module_with(quiz, head=head))
    assert found[:2] == [
        "13: front matter: duplicate key 'pass_mark' (first on line 12)",
        "14: front matter: duplicate key 'status' (first on line 5)",
    ]
    assert any("quiz block: duplicate key 'prompt'" in f for f in found)
    assert any("needs exactly one correct choice, found 2" in f for f in found)


def test_quiz_blocks_are_still_checked_when_the_front_matter_cannot_be_parsed() -> None:
    head = HEAD.replace("summary: A demo.", "summary: [unclosed")
    quiz = GOOD_QUIZ.replace("{text: That, feedback: Not that.}", "{text: That, correct: true}")
    doc, problems = parse_module(module_with(quiz, head=head), "m.md", today=TODAY)
    assert doc is None
    messages = [p.message for p in problems]
    assert any(m.startswith("front matter:") for m in messages)
    assert any("needs exactly one correct choice, found 2" in m for m in messages)


def test_tabs_in_yaml_are_rejected() -> None:
    head = HEAD.replace("  - {id: O1", "\t- {id: O1")
    assert errors(module_with(GOOD_QUIZ, head=head)) == ["11: front matter: tab used for indentation; use spaces"]


@pytest.mark.parametrize(
    ("quiz", "message"),
    [
        (
            GOOD_QUIZ.replace("{text: That, feedback: Not that.}", "{text: That, correct: true}"),
            "needs exactly one correct choice, found 2",
        ),
        (
            GOOD_QUIZ.replace("type: single", "type: multiple").replace("correct: true", "correct: false"),
            "needs at least one correct choice",
        ),
        (GOOD_QUIZ.replace("    - {text: That, feedback: Not that.}\n", ""), "needs a list of at least 2 choices"),
        (
            GOOD_QUIZ.replace("{text: That, feedback: Not that.}", "{text: All of the above, feedback: x}"),
            "makes no sense when choices are shuffled",
        ),
        (GOOD_QUIZ.replace("objective: O1", "objective: O9"), "objective 'O9' is not in the front matter"),
        (
            GOOD_QUIZ.replace("{text: That, feedback: Not that.}", "{text: That}"),
            "wrong choice 'That' needs feedback in a published module",
        ),
        (GOOD_QUIZ.replace("  prompt: Which?", "  prompt: Which?\n  corect: true"), "unknown question field 'corect'"),
        (GOOD_QUIZ.replace("type: single", "type: essay"), "type must be one of"),
        (GOOD_QUIZ + GOOD_QUIZ, "question id 'demo-q1' is already used"),
    ],
)
def test_question_rules_are_enforced(quiz: str, message: str) -> None:
    found = errors(module_with(quiz))
    assert any(message in e for e in found), found


def test_errors_point_at_the_question_line() -> None:
    quiz = GOOD_QUIZ.replace("objective: O1", "objective: O9")
    text = module_with(quiz)
    question_line = text.splitlines().index("- id: demo-q1") + 1
    assert errors(text) == [
        f"{question_line}: question demo-q1: objective 'O9' is not in the front matter",
        "11: objective O1 is not tested by any question",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("version: 1.2.3", "version: 1.2", "is not MAJOR.MINOR.PATCH"),
        ("id: demo-module", "id: Demo_Module", "is not a slug"),
        ("status: published", "status: live", "status must be one of"),
        ("pass_mark: 80", "pass_mark: 120", "pass_mark must be an integer from 1 to 100"),
        ("duration_minutes: 5", "duration_minutes: 0", "duration_minutes must be an integer > 0"),
        ("title: Demo\n", "title: Demo\ncolour: blue\n", "unknown front matter field 'colour'"),
        ("pass_mark: 80", "pass_mark: 80\nquestions_per_attempt: 3", "questions_per_attempt 3 is more than the 1 questions"),
        ("pass_mark: 80", "pass_mark: 80\nmappings: {sox: [a]}", "unknown mapping framework 'sox'"),
        ("summary: A demo.\n", "", "front matter field 'summary' is required"),
    ],
)
def test_front_matter_rules_are_enforced(old: str, new: str, message: str) -> None:
    found = errors(module_with(GOOD_QUIZ, head=HEAD.replace(old, new)))
    assert any(message in e for e in found), found


def test_a_past_review_date_is_a_warning_not_an_error() -> None:
    head = HEAD.replace("pass_mark: 80", "pass_mark: 80\nreview_by: 2026-01-31")
    doc, problems = parse_module(module_with(GOOD_QUIZ, head=head), "m.md", today=TODAY)
    assert doc is not None
    assert [(p.severity, p.line) for p in problems] == [("warning", 13)]
    assert "review_by 2026-01-31 has passed" in str(problems[0])


def test_a_module_without_front_matter_is_unusable() -> None:
    doc, problems = parse_module("# Just a heading\n", "m.md")
    assert doc is None
    assert str(problems[0]) == "m.md:1: the file must start with YAML front matter between '---' lines"


def test_truefalse_and_short_questions_parse_their_answers() -> None:
    quiz = (
        GOOD_QUIZ
        + """
- id: demo-q2
  type: truefalse
  objective: O1
  prompt: Water is wet.
  answer: true
  feedback: {correct: Yes., incorrect: It is.}
- id: demo-q3
  type: short
  objective: O1
  prompt: Name the port.
  accept: [502, "five oh two"]
"""
    )
    doc, problems = parse_module(module_with(quiz), "m.md")
    assert problems == []
    assert doc is not None
    tf, short = doc.questions[1], doc.questions[2]
    assert tf.answer is True and tf.feedback_correct == "Yes."
    assert short.accept == ("502", "five oh two")
