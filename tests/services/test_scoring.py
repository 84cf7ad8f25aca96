"""Scoring of every question type, including partial credit for multiple answers."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from training.services.scoring import normalise_short, score_attempt, score_question


def choice_question(qtype: str, correct: list[str], keys: str = "abcd", points: int = 1) -> dict[str, Any]:
    return {"id": "q", "type": qtype, "points": points, "choices": [{"key": k, "correct": k in correct} for k in keys]}


def test_single_scores_all_or_nothing() -> None:
    q = choice_question("single", ["b"])
    assert score_question(q, "b").points == 1
    assert score_question(q, "a").points == 0
    assert score_question(q, None).points == 0
    assert score_question(q, ["b"]).points == 0  # a list is not a single answer


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        (["a", "b", "c"], Fraction(1)),  # every correct choice
        (["a", "b"], Fraction(2, 3)),  # two of three correct
        (["a"], Fraction(1, 3)),
        (["a", "b", "d"], Fraction(1, 3)),  # 2/3 - 1/3
        (["a", "d"], Fraction(0)),  # 1/3 - 1/3
        (["d"], Fraction(0)),  # floored at zero, not negative
        ([], Fraction(0)),
        (["a", "b", "c", "d"], Fraction(2, 3)),  # picking everything costs the wrong one
        (["a", "zz"], Fraction(1, 3)),  # unknown keys are ignored
    ],
)
def test_multiple_gives_partial_credit(picked: list[str], expected: Fraction) -> None:
    assert score_question(choice_question("multiple", ["a", "b", "c"]), picked).points == expected


def test_multiple_partial_credit_scales_with_points() -> None:
    assert score_question(choice_question("multiple", ["a", "b"], points=3), ["a"]).points == Fraction(3, 2)


def test_truefalse_compares_the_chosen_value() -> None:
    q = {"id": "q", "type": "truefalse", "answer": False, "points": 1}
    assert score_question(q, "false").correct
    assert not score_question(q, "true").correct
    assert not score_question(q, None).correct


def test_short_answers_ignore_case_and_extra_spaces() -> None:
    q = {"id": "q", "type": "short", "accept": ["Modbus TCP", "502"], "points": 2}
    assert score_question(q, "  modbus   tcp ").points == 2
    assert score_question(q, "502").points == 2
    assert score_question(q, "modbus").points == 0
    assert normalise_short(" A\t B ") == "a b"


def test_an_attempt_passes_at_exactly_the_pass_mark() -> None:
    questions = [dict(choice_question("single", ["a"]), id=f"q{i}") for i in range(5)]
    answers = {"q0": "a", "q1": "a", "q2": "a", "q3": "a", "q4": "b"}
    result = score_attempt(questions, answers, pass_mark=80)
    assert result.passed and result.percent == 80.0 and result.max_points == 5
    assert not score_attempt(questions, answers, pass_mark=81).passed


def test_partial_points_count_towards_the_pass_mark() -> None:
    questions = [dict(choice_question("multiple", ["a", "b"]), id="m"), dict(choice_question("single", ["a"]), id="s")]
    result = score_attempt(questions, {"m": ["a"], "s": "a"}, pass_mark=75)
    assert result.points == Fraction(3, 2) and result.percent == 75.0 and result.passed
