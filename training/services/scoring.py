"""Grade answers against the questions served for an attempt (pure: no session, no Flask)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


def normalise_short(text: str) -> str:
    """Short answers compare case-insensitively after trimming and collapsing spaces."""
    return re.sub(r"\s+", " ", text.strip()).casefold()


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    points: Fraction
    max_points: int
    correct: bool


def score_question(served: dict[str, Any], answer: Any) -> QuestionResult:
    """Score one served question.

    `served` is the stored snapshot of the question as shown in the attempt: for single/multiple it
    lists choices in display order, each with `key` and `correct`. `answer` is a choice key (single,
    truefalse as "true"/"false"), a list of keys (multiple) or text (short).
    """
    qtype = served["type"]
    points = int(served.get("points", 1))
    # Whole points where the rule is all or nothing; a Fraction only where thirds and sevenths can arise.
    earned: int | Fraction = 0
    if qtype == "single":
        earned = points if isinstance(answer, str) and any(c["correct"] and c["key"] == answer for c in served["choices"]) else 0
    elif qtype == "truefalse":
        earned = points if answer == ("true" if served["answer"] else "false") else 0
    elif qtype == "short":
        accepted = {normalise_short(a) for a in served["accept"]}
        earned = points if isinstance(answer, str) and normalise_short(answer) in accepted else 0
    elif qtype == "multiple":
        picked = set(answer) if isinstance(answer, list | tuple | set) else set()
        right = {c["key"] for c in served["choices"] if c["correct"]}
        wrong = {c["key"] for c in served["choices"] if not c["correct"]}
        net = len(picked & right) - len(picked & wrong)  # +1/k per right choice picked, -1/k per wrong one
        earned = Fraction(net * points, len(right)) if net > 0 else 0
    else:
        raise ValueError(f"unknown question type {qtype!r}")
    earned = Fraction(earned) if isinstance(earned, int) else earned
    return QuestionResult(served["id"], earned, points, earned == points)


@dataclass(frozen=True)
class AttemptScore:
    results: tuple[QuestionResult, ...]
    points: Fraction
    max_points: int
    percent: float
    passed: bool


def score_attempt(served: list[dict[str, Any]], answers: dict[str, Any], pass_mark: int) -> AttemptScore:
    """Score every served question; pass when points reach pass_mark percent of the points drawn."""
    results = tuple(score_question(q, answers.get(q["id"])) for q in served)
    total = sum((r.points for r in results), Fraction(0))
    maximum = sum(r.max_points for r in results)
    passed = maximum > 0 and total * 100 >= Fraction(pass_mark) * maximum
    percent = float(total * 100 / maximum) if maximum else 0.0
    return AttemptScore(results, total, maximum, round(percent, 2), passed)
