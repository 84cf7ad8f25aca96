"""The content format as typed values: what a parsed module, lesson and question are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal["single", "multiple", "truefalse", "short"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """A finding of the parser or checker, addressed to a file and line."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        suffix = " (warning)" if self.severity == "warning" else ""
        where = f"{self.path}:{self.line}" if self.line else self.path  # line 0: about a file or folder as a whole
        return f"{where}: {self.message}{suffix}"


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    line: int = 0


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    objective: str
    prompt: str
    line: int
    choices: tuple[Choice, ...] = ()
    answer: bool | None = None  # truefalse
    feedback_correct: str = ""  # truefalse
    feedback_incorrect: str = ""  # truefalse
    accept: tuple[str, ...] = ()  # short
    explanation: str = ""
    points: int = 1
    shuffle: bool = True
    lesson_id: str = ""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    markdown: str
    line: int


@dataclass(frozen=True)
class ModuleDoc:
    """One parsed `index.md`: front matter, introduction, lessons and question bank."""

    path: str
    id: str
    title: str
    version: str
    status: str
    language: str
    summary: str
    audience: tuple[str, ...]
    duration_minutes: int
    objectives: tuple[Objective, ...]
    pass_mark: int
    attempts: int | None  # None = unlimited
    questions_per_attempt: int | None  # None = the whole bank
    introduction: str
    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]
    level: str | None = None
    prerequisites: tuple[str, ...] = ()
    mappings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    review_by: dt.date | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    license: str | None = None
    next: str | None = None
    images: tuple[tuple[str, int], ...] = ()  # (relative path, line) referenced by Markdown
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def draw_count(self) -> int:
        return self.questions_per_attempt or len(self.questions)


@dataclass(frozen=True)
class Due:
    days_after_assignment: int | None = None
    before_access: bool = False


@dataclass(frozen=True)
class Recur:
    every_months: int | None = None
    every_calendar_months: int | None = None
    each_calendar_quarter: bool = False

    @property
    def recurs(self) -> bool:
        return bool(self.every_months or self.every_calendar_months or self.each_calendar_quarter)


@dataclass(frozen=True)
class Requirement:
    module: str
    audiences: tuple[str, ...]
    due: Due
    recur: Recur
    line: int


@dataclass(frozen=True)
class AudienceDef:
    id: str
    title: str
    includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Curricula:
    audiences: tuple[AudienceDef, ...]
    requirements: tuple[Requirement, ...]
