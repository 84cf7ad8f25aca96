"""Parse `curricula.yml`: audiences, what they include, and the requirements that assign modules."""

from __future__ import annotations

from typing import Any

from .model import AudienceDef, Curricula, Due, Problem, Recur, Requirement
from .parser import SLUG
from .yamlload import LineDict, load_yaml_checked

_DUE_KEYS = {"days_after_assignment", "before_access"}
_RECUR_KEYS = {"every_months", "every_calendar_months", "each_calendar_quarter"}


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def parse_curricula(text: str, path: str = "curricula.yml") -> tuple[Curricula | None, list[Problem]]:
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    data, yaml_problems = load_yaml_checked(text)
    for problem in yaml_problems:
        error(problem.line, problem.message)
    if data is None and yaml_problems:
        return None, problems
    if not isinstance(data, LineDict):
        error(1, "curricula.yml must be a mapping with 'audiences' and 'requirements'")
        return None, problems
    for key in data:
        if key not in ("audiences", "requirements"):
            error(data.key_lines[key], f"unknown top-level key '{key}'")

    audiences: list[AudienceDef] = []
    raw_audiences = data.get("audiences")
    if not isinstance(raw_audiences, LineDict) or not raw_audiences:
        error(data.key_lines.get("audiences", 1), "audiences must be a mapping of audience id to {title, includes}")
        raw_audiences = LineDict()
        raw_audiences.key_lines = {}
    for aid, spec in raw_audiences.items():
        line = raw_audiences.key_lines[aid]
        if not SLUG.match(aid):
            error(line, f"audience id '{aid}' is not a slug")
        if not isinstance(spec, dict) or not isinstance(spec.get("title"), str):
            error(line, f"audience '{aid}' needs a title")
            continue
        if set(spec) - {"title", "includes"}:
            error(line, f"audience '{aid}': only title and includes are allowed")
        includes = spec.get("includes", [])
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            error(line, f"audience '{aid}': includes must be a list of audience ids")
            includes = []
        audiences.append(AudienceDef(aid, spec["title"], tuple(includes)))
    known = {a.id for a in audiences}
    for audience in audiences:
        for included in audience.includes:
            if included not in known:
                error(raw_audiences.key_lines[audience.id], f"audience '{audience.id}' includes unknown audience '{included}'")
    _check_include_cycles(audiences, raw_audiences, error)

    requirements: list[Requirement] = []
    raw_requirements = data.get("requirements", [])
    if not isinstance(raw_requirements, list):
        error(data.key_lines.get("requirements", 1), "requirements must be a list")
        raw_requirements = []
    for item in raw_requirements:
        if not isinstance(item, LineDict):
            error(1, "each requirement must be a mapping")
            continue
        requirement = _requirement(item, known, error)
        if requirement:
            requirements.append(requirement)
    if problems:
        return None, problems
    return Curricula(tuple(audiences), tuple(requirements)), problems


def _check_include_cycles(audiences: list[AudienceDef], raw: LineDict, error: Any) -> None:
    graph = {a.id: a.includes for a in audiences}

    def visit(node: str, trail: tuple[str, ...]) -> None:
        for nxt in graph.get(node, ()):
            if nxt in trail:
                error(raw.key_lines[node], f"audience includes form a cycle: {' → '.join((*trail, nxt))}")
                continue
            visit(nxt, (*trail, nxt))

    for audience in graph:
        visit(audience, (audience,))


def _requirement(item: LineDict, known: set[str], error: Any) -> Requirement | None:
    line = item.line
    for key in item:
        if key not in ("module", "audiences", "due", "recur"):
            error(item.key_lines[key], f"unknown requirement key '{key}'")
    module = item.get("module")
    if not isinstance(module, str) or not SLUG.match(module):
        error(line, "requirement needs a module id")
        return None
    audiences = item.get("audiences")
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
        error(line, f"requirement for {module}: audiences must be a non-empty list")
        return None
    for audience in audiences:
        if audience not in known:
            error(item.key_lines.get("audiences", line), f"requirement for {module}: unknown audience '{audience}'")
    due_raw = item.get("due", {})
    due = Due()
    if not isinstance(due_raw, dict) or set(due_raw) - _DUE_KEYS or len(due_raw) != 1:
        error(item.key_lines.get("due", line), f"requirement for {module}: due is {{days_after_assignment: N}} or {{before_access: true}}")
    elif "days_after_assignment" in due_raw:
        if not _positive_int(due_raw["days_after_assignment"]):
            error(item.key_lines["due"], f"requirement for {module}: days_after_assignment must be an integer > 0")
        else:
            due = Due(days_after_assignment=due_raw["days_after_assignment"])
    elif due_raw.get("before_access") is not True:
        error(item.key_lines["due"], f"requirement for {module}: before_access must be true")
    else:
        due = Due(before_access=True)
    recur = Recur()
    recur_raw = item.get("recur")
    if recur_raw is not None:
        if not isinstance(recur_raw, dict) or len(recur_raw) != 1 or set(recur_raw) - _RECUR_KEYS:
            error(item.key_lines["recur"], f"requirement for {module}: recur is one of {', '.join(sorted(_RECUR_KEYS))}")
        elif "each_calendar_quarter" in recur_raw:
            if recur_raw["each_calendar_quarter"] is not True:
                error(item.key_lines["recur"], f"requirement for {module}: each_calendar_quarter must be true")
            recur = Recur(each_calendar_quarter=True)
        else:
            ((key, months),) = recur_raw.items()
            if not _positive_int(months):
                error(item.key_lines["recur"], f"requirement for {module}: {key} must be an integer > 0")
            else:
                recur = Recur(**{key: months})
    return Requirement(module, tuple(audiences), due, recur, line)


def expand_audiences(curricula: Curricula, direct: set[str]) -> set[str]:
    """Every audience a person belongs to, following `includes` transitively."""
    graph = {a.id: a.includes for a in curricula.audiences}
    result: set[str] = set()
    stack = list(direct)
    while stack:
        audience = stack.pop()
        if audience in result:
            continue
        result.add(audience)
        stack.extend(graph.get(audience, ()))
    return result
