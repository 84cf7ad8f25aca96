"""Parse a module's `index.md` into a ModuleDoc, collecting every problem with its line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Choice, Lesson, ModuleDoc, Objective, Problem, Question, Source
from .yamlload import LineDict, load_yaml_checked

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
HEADING_ID = re.compile(r"\s*\{#([A-Za-z0-9_-]+)\}\s*$")
FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*([^`\s]*)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")

STATUSES = ("draft", "review", "published", "retired")
LEVELS = ("foundation", "practitioner", "advanced")
QUESTION_TYPES = ("single", "multiple", "truefalse", "short")
MAPPING_KEYS = (
    "nist_sp_800_50r1",
    "nist_sp_800_53r5",
    "nist_sp_800_82r3",
    "iec_62443",
    "mitre_attack_ics",
    "nerc_cip_004",
    "cis_controls_v8",
    "pci_dss_4",
    "iso_27001_2022",
    "nis2",
)
FRONT_MATTER_FIELDS = {
    "id", "title", "version", "status", "language", "summary", "audience", "duration_minutes",
    "objectives", "pass_mark", "attempts", "questions_per_attempt", "level", "prerequisites",
    "mappings", "sources", "review_by", "owner", "tags", "license", "next",
}  # fmt: skip
REQUIRED_FIELDS = (
    "id", "title", "version", "status", "language", "summary", "audience", "duration_minutes",
    "objectives", "pass_mark",
)  # fmt: skip
QUESTION_FIELDS = {
    "id", "type", "objective", "prompt", "choices", "answer", "feedback", "accept",
    "explanation", "points", "shuffle",
}  # fmt: skip
CHOICE_FIELDS = {"text", "correct", "feedback"}
ALL_OR_NONE = re.compile(r"\b(all|none)\s+of\s+(the\s+)?(above|these|them)\b", re.IGNORECASE)


def slugify(text: str) -> str:
    """The lesson id a heading gets when it declares none."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "lesson"


@dataclass
class _Collector:
    path: str
    problems: list[Problem] = field(default_factory=list)
    broken_blocks: int = 0

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, "warning"))


@dataclass
class _Block:
    """A ```quiz block: its YAML text and the file line of its first YAML line."""

    text: str
    first_line: int
    lesson_id: str


def parse_module(text: str, path: str = "index.md", *, today: dt.date | None = None) -> tuple[ModuleDoc | None, list[Problem]]:
    """Parse one module file; return the module (None if unusable) and all problems found."""
    out = _Collector(path)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        out.error(1, "the file must start with YAML front matter between '---' lines")
        return None, out.problems
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        out.error(1, "front matter is not closed by a '---' line")
        return None, out.problems
    meta, yaml_problems = load_yaml_checked("\n".join(lines[1:end]), offset=1)
    for problem in yaml_problems:
        out.error(problem.line, f"front matter: {problem.message}")
    if not isinstance(meta, LineDict):
        if meta is not None or not yaml_problems:
            out.error(2, "front matter must be a YAML mapping")
        # The module is unusable, but its quiz blocks can still be checked, so that one run reports everything.
        _parse_questions(_split_body(lines, end + 1, out)[2], out)
        return None, out.problems

    def line_of(key: str) -> int:
        return meta.key_lines.get(key, 2)

    introduction, lessons, blocks, images = _split_body(lines, end + 1, out)
    questions = _parse_questions(blocks, out)
    module = _build_module(meta, line_of, introduction, lessons, questions, images, out, today)
    return module, out.problems


def _split_body(lines: list[str], start: int, out: _Collector) -> tuple[str, list[Lesson], list[_Block], list[tuple[str, int]]]:
    """Split the body into introduction and lessons, lifting out quiz blocks."""
    intro: list[str] = []
    current: list[str] = intro
    lessons: list[tuple[str, str, int, list[str]]] = []
    blocks: list[_Block] = []
    images: list[tuple[str, int]] = []
    lesson_id = ""
    i = start
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            marker, info = fence.group(2), fence.group(3)
            close = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if lines[j].strip().startswith(marker[0] * len(marker)) and lines[j].strip().strip(marker[0]) == ""
                ),
                None,
            )
            if close is None:
                out.error(i + 1, "code fence is never closed")
                close = len(lines)
            if info == "quiz":
                blocks.append(_Block("\n".join(lines[i + 1 : close]), i + 2, lesson_id))
            else:
                current.extend(lines[i : close + 1])
            i = close + 1
            continue
        if line.startswith("## "):
            heading = line[3:].strip()
            declared = HEADING_ID.search(heading)
            title = HEADING_ID.sub("", heading).strip() if declared else heading
            lesson_id = declared.group(1) if declared else slugify(title)
            current = []
            lessons.append((lesson_id, title, i + 1, current))
            i += 1
            continue
        for match in IMAGE.finditer(line):
            images.append((match.group(1), i + 1))
        current.append(line)
        i += 1

    seen: dict[str, int] = {}
    result = []
    for lid, title, line_no, body in lessons:
        if lid in seen:
            out.error(line_no, f"lesson id '{lid}' is already used on line {seen[lid]}")
        seen[lid] = line_no
        if not title:
            out.error(line_no, "lesson heading has no title")
        result.append(Lesson(lid, title, "\n".join(body).strip() + "\n", line_no))
    return "\n".join(intro).strip() + "\n", result, blocks, images


def _iter_questions(blocks: list[_Block], out: _Collector) -> Iterator[tuple[LineDict, _Block]]:
    for block in blocks:
        data, problems = load_yaml_checked(block.text, offset=block.first_line - 1)
        for problem in problems:
            out.error(problem.line, f"quiz block: {problem.message}")
        if data is None and problems:
            out.broken_blocks += 1
            continue
        if data is None:
            out.error(block.first_line - 1, "quiz block is empty")
            continue
        if not isinstance(data, list):
            out.error(block.first_line - 1, "a quiz block holds a YAML list of questions")
            continue
        for item in data:
            if not isinstance(item, LineDict):
                out.error(block.first_line - 1, "each question must be a mapping")
                continue
            yield item, block


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _parse_questions(blocks: list[_Block], out: _Collector) -> list[Question]:
    questions: list[Question] = []
    for raw, block in _iter_questions(blocks, out):
        line = raw.line
        for key in raw:
            if key not in QUESTION_FIELDS:
                out.error(raw.key_lines[key], f"unknown question field '{key}'")
        qid = _text(raw.get("id"))
        if not qid:
            out.error(line, "question has no id")
            continue
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            out.error(line, f"question {qid}: type must be one of {', '.join(QUESTION_TYPES)}")
            continue
        prompt = _text(raw.get("prompt"))
        if not prompt:
            out.error(line, f"question {qid}: prompt is required")
        objective = _text(raw.get("objective"))
        if not objective:
            out.error(line, f"question {qid}: objective is required")
        points = raw.get("points", 1)
        if not isinstance(points, int) or isinstance(points, bool) or points < 1:
            out.error(raw.key_lines.get("points", line), f"question {qid}: points must be an int ≥ 1")
            points = 1
        shuffle = raw.get("shuffle", True)
        if not isinstance(shuffle, bool):
            out.error(raw.key_lines.get("shuffle", line), f"question {qid}: shuffle must be true or false")
            shuffle = True
        explanation = _text(raw.get("explanation")) or ""
        choices: tuple[Choice, ...] = ()
        answer: bool | None = None
        fb_correct = fb_incorrect = ""
        accept: tuple[str, ...] = ()
        if qtype in ("single", "multiple"):
            choices = _parse_choices(raw, qid, qtype, shuffle, out)
            if "answer" in raw or "accept" in raw:
                out.error(line, f"question {qid}: '{qtype}' takes choices, not answer/accept")
        elif qtype == "truefalse":
            answer = raw.get("answer")
            if not isinstance(answer, bool):
                out.error(raw.key_lines.get("answer", line), f"question {qid}: truefalse needs answer: true or false")
                answer = None
            feedback = raw.get("feedback")
            if feedback is not None:
                if not isinstance(feedback, dict) or set(feedback) - {"correct", "incorrect"}:
                    out.error(
                        raw.key_lines.get("feedback", line), f"question {qid}: truefalse feedback is {{correct: ..., incorrect: ...}}"
                    )
                else:
                    fb_correct = _text(feedback.get("correct")) or ""
                    fb_incorrect = _text(feedback.get("incorrect")) or ""
        else:
            values = raw.get("accept")
            if not isinstance(values, list) or not values or not all(_text(v) for v in values):
                out.error(raw.key_lines.get("accept", line), f"question {qid}: short needs accept: a list of answers")
            else:
                accept = tuple(_text(v) or "" for v in values)
            fb = raw.get("feedback")
            if isinstance(fb, dict):
                fb_correct = _text(fb.get("correct")) or ""
                fb_incorrect = _text(fb.get("incorrect")) or ""
        questions.append(
            Question(
                id=qid, type=qtype, objective=objective or "", prompt=prompt or "", line=line,
                choices=choices, answer=answer, feedback_correct=fb_correct,
                feedback_incorrect=fb_incorrect, accept=accept, explanation=explanation,
                points=points, shuffle=shuffle, lesson_id=block.lesson_id,
            )
        )  # fmt: skip
    return questions


def _parse_choices(raw: LineDict, qid: str, qtype: str, shuffle: bool, out: _Collector) -> tuple[Choice, ...]:
    items = raw.get("choices")
    line = raw.key_lines.get("choices", raw.line)
    if not isinstance(items, list) or len(items) < 2:
        out.error(line, f"question {qid}: needs a list of at least 2 choices")
        return ()
    choices = []
    for item in items:
        if not isinstance(item, LineDict):
            out.error(line, f"question {qid}: each choice is a mapping with text, correct, feedback")
            continue
        cline = item.line
        for key in item:
            if key not in CHOICE_FIELDS:
                out.error(item.key_lines[key], f"question {qid}: unknown choice field '{key}'")
        text = _text(item.get("text"))
        if not text:
            out.error(cline, f"question {qid}: a choice has no text")
            continue
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            out.error(cline, f"question {qid}: correct must be true or false")
            correct = False
        if shuffle and ALL_OR_NONE.search(text):
            out.error(cline, f"question {qid}: '{text}' makes no sense when choices are shuffled")
        choices.append(Choice(text, correct, _text(item.get("feedback")) or ""))
    texts = [c.text.lower() for c in choices]
    if len(set(texts)) != len(texts):
        out.error(line, f"question {qid}: two choices have the same text")
    right = sum(c.correct for c in choices)
    if qtype == "single" and right != 1:
        out.error(line, f"question {qid}: a single-answer question needs exactly one correct choice, found {right}")
    if qtype == "multiple" and right < 1:
        out.error(line, f"question {qid}: a multiple-answer question needs at least one correct choice")
    return tuple(choices)


def _build_module(
    meta: LineDict,
    line_of: Any,
    introduction: str,
    lessons: list[Lesson],
    questions: list[Question],
    images: list[tuple[str, int]],
    out: _Collector,
    today: dt.date | None,
) -> ModuleDoc | None:
    for key in meta:
        if key not in FRONT_MATTER_FIELDS:
            out.error(line_of(key), f"unknown front matter field '{key}'")
    missing = [key for key in REQUIRED_FIELDS if key not in meta]
    for key in missing:
        out.error(2, f"front matter field '{key}' is required")

    module_id = _text(meta.get("id")) or ""
    if "id" in meta and not SLUG.match(module_id):
        out.error(line_of("id"), f"id '{module_id}' is not a slug (lowercase letters, digits, dashes)")
    version = _text(meta.get("version")) or ""
    if "version" in meta and not SEMVER.match(version):
        out.error(line_of("version"), f"version '{version}' is not MAJOR.MINOR.PATCH")
        version = ""
    status = meta.get("status")
    if "status" in meta and status not in STATUSES:
        out.error(line_of("status"), f"status must be one of {', '.join(STATUSES)}")
    language = _text(meta.get("language")) or ""
    if "language" in meta and not LANGUAGE.match(language):
        out.error(line_of("language"), f"language '{language}' is not a BCP-47 tag")
    audience = meta.get("audience")
    if "audience" in meta and (not isinstance(audience, list) or not audience or not all(isinstance(a, str) for a in audience)):
        out.error(line_of("audience"), "audience must be a non-empty list of audience ids")
        audience = []
    duration = meta.get("duration_minutes")
    if "duration_minutes" in meta and (not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0):
        out.error(line_of("duration_minutes"), "duration_minutes must be an integer > 0")
        duration = 0
    pass_mark = meta.get("pass_mark")
    if "pass_mark" in meta and (not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100):
        out.error(line_of("pass_mark"), "pass_mark must be an integer from 1 to 100")
        pass_mark = 100
    attempts_raw = meta.get("attempts", "unlimited")
    attempts: int | None = None
    if attempts_raw != "unlimited":
        if isinstance(attempts_raw, int) and not isinstance(attempts_raw, bool) and attempts_raw >= 1:
            attempts = attempts_raw
        else:
            out.error(line_of("attempts"), "attempts must be an integer ≥ 1 or 'unlimited'")
    qpa_raw = meta.get("questions_per_attempt")
    qpa: int | None = None
    if qpa_raw is not None:
        if isinstance(qpa_raw, int) and not isinstance(qpa_raw, bool) and qpa_raw >= 1:
            qpa = qpa_raw
        else:
            out.error(line_of("questions_per_attempt"), "questions_per_attempt must be an integer ≥ 1")
    level = meta.get("level")
    if level is not None and level not in LEVELS:
        out.error(line_of("level"), f"level must be one of {', '.join(LEVELS)}")

    objectives = _objectives(meta.get("objectives"), line_of("objectives"), out) if "objectives" in meta else []
    prerequisites = _string_list(meta.get("prerequisites", []), "prerequisites", line_of, out)
    tags = _string_list(meta.get("tags", []), "tags", line_of, out)
    mappings = _mappings(meta.get("mappings", {}), line_of("mappings"), out)
    sources = _sources(meta.get("sources", []), line_of("sources"), out)

    review_by = meta.get("review_by")
    if review_by is not None and not isinstance(review_by, dt.date):
        out.error(line_of("review_by"), "review_by must be a date (YYYY-MM-DD)")
        review_by = None
    if isinstance(review_by, dt.datetime):
        review_by = review_by.date()
    if review_by is not None and today is not None and review_by < today:
        out.warn(line_of("review_by"), f"review_by {review_by.isoformat()} has passed; review this module")

    # Rules on the bank as a whole.
    objective_ids = {o.id for o in objectives}
    seen_q: dict[str, int] = {}
    for q in questions:
        if q.id in seen_q:
            out.error(q.line, f"question id '{q.id}' is already used on line {seen_q[q.id]}")
        seen_q.setdefault(q.id, q.line)
        if q.objective and objectives and q.objective not in objective_ids:
            out.error(q.line, f"question {q.id}: objective '{q.objective}' is not in the front matter")
        if status == "published" and q.type == "single":
            for c in q.choices:
                if not c.correct and not c.feedback:
                    out.error(q.line, f"question {q.id}: wrong choice '{c.text}' needs feedback in a published module")
    covered = {q.objective for q in questions}
    for o in objectives:
        if o.id not in covered and not out.broken_blocks:
            out.error(o.line or line_of("objectives"), f"objective {o.id} is not tested by any question")
    if not questions and "pass_mark" in meta and not out.broken_blocks:
        out.error(line_of("pass_mark"), "pass_mark can never be reached: the module has no questions")
    if qpa is not None and qpa > len(questions):
        out.error(line_of("questions_per_attempt"), f"questions_per_attempt {qpa} is more than the {len(questions)} questions in the bank")
    if not lessons:
        out.error(2, "the module has no lessons ('## ' headings)")

    if missing or (any(p.severity == "error" for p in out.problems) and not module_id):
        return None
    return ModuleDoc(
        path=out.path, id=module_id, title=_text(meta.get("title")) or module_id, version=version or "0.0.0",
        status=str(status), language=language, summary=_text(meta.get("summary")) or "",
        audience=tuple(audience or ()), duration_minutes=int(duration or 0), objectives=tuple(objectives),
        pass_mark=int(pass_mark or 100), attempts=attempts, questions_per_attempt=qpa,
        introduction=introduction, lessons=tuple(lessons), questions=tuple(questions),
        level=level, prerequisites=tuple(prerequisites), mappings=mappings, sources=tuple(sources),
        review_by=review_by, owner=_text(meta.get("owner")), tags=tuple(tags),
        license=_text(meta.get("license")), next=_text(meta.get("next")), images=tuple(images),
        field_lines={k: line_of(k) for k in meta},
    )  # fmt: skip


def _objectives(value: Any, line: int, out: _Collector) -> list[Objective]:
    if not isinstance(value, list) or not value:
        out.error(line, "objectives must be a non-empty list of {id, text}")
        return []
    result: list[Objective] = []
    for item in value:
        oid = _text(item.get("id")) if isinstance(item, dict) else None
        text = _text(item.get("text")) if isinstance(item, dict) else None
        item_line = item.line if isinstance(item, LineDict) else line
        if not oid or not text:
            out.error(item_line, "each objective needs an id and a text")
            continue
        if any(o.id == oid for o in result):
            out.error(item_line, f"objective id '{oid}' is used twice")
            continue
        result.append(Objective(oid, text, item_line))
    return result


def _string_list(value: Any, name: str, line_of: Any, out: _Collector) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.error(line_of(name), f"{name} must be a list of strings")
        return []
    return list(value)


def _mappings(value: Any, line: int, out: _Collector) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        out.error(line, "mappings must map a framework to a list of references")
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for key, refs in value.items():
        key_line = value.key_lines.get(key, line) if isinstance(value, LineDict) else line
        if key not in MAPPING_KEYS:
            out.error(key_line, f"unknown mapping framework '{key}' (allowed: {', '.join(MAPPING_KEYS)})")
            continue
        if not isinstance(refs, list) or not all(_text(r) for r in refs):
            out.error(key_line, f"mappings.{key} must be a list of references")
            continue
        result[key] = tuple(_text(r) or "" for r in refs)
    return result


def _sources(value: Any, line: int, out: _Collector) -> list[Source]:
    if not isinstance(value, list):
        out.error(line, "sources must be a list of {title, url}")
        return []
    result = []
    for item in value:
        item_line = item.line if isinstance(item, LineDict) else line
        title = _text(item.get("title")) if isinstance(item, dict) else None
        url = _text(item.get("url")) if isinstance(item, dict) else None
        if not title or not url:
            out.error(item_line, "each source needs a title and a url")
            continue
        if not url.startswith(("https://", "http://")):
            out.error(item_line, f"source url '{url}' must be an http(s) address")
            continue
        result.append(Source(title, url))
    return result
