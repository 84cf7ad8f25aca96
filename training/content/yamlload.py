"""Strict YAML loading for authored content: duplicate keys, boolean traps and tabs are errors."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

# YAML 1.1 reads these bare words as booleans; authors almost always mean a string.
_BOOLEAN_TRAPS = {"yes", "no", "on", "off", "y", "n"}


class YamlProblem(Exception):
    """A YAML error at a line (1-based, relative to the parsed text)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class LineDict(dict[str, Any]):
    """A mapping that remembers the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _StrictLoader(yaml.SafeLoader):
    offset = 0  # added to every line number, so that lines are counted in the enclosing file
    # Problems that leave the data usable (a duplicate key keeps its first value, a boolean trap its text):
    # recorded here so that one run of the checker reports all of them, not just the first.
    problems: list[YamlProblem]


def _construct_mapping(loader: _StrictLoader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1 + loader.offset
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | None):
            raise YamlProblem(key_node.start_mark.line + 1 + loader.offset, "mapping keys must be plain scalars")
        skey = str(key)
        if skey in result:
            loader.problems.append(
                YamlProblem(
                    key_node.start_mark.line + 1 + loader.offset,
                    f"duplicate key '{skey}' (first on line {result.key_lines[skey]})",
                )
            )
            continue
        result[skey] = loader.construct_object(value_node, deep=True)
        result.key_lines[skey] = key_node.start_mark.line + 1 + loader.offset
    return result


def _construct_bool(loader: _StrictLoader, node: ScalarNode) -> bool | str:
    raw = str(node.value)
    if raw.lower() in _BOOLEAN_TRAPS:
        loader.problems.append(
            YamlProblem(
                node.start_mark.line + 1 + loader.offset,
                f"unquoted '{raw}' is read as a boolean; quote it if you mean text, or write true/false",
            )
        )
        return raw
    return bool(loader.construct_yaml_bool(node))


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(text: str, *, offset: int = 0) -> Any:
    """Parse YAML text strictly; raise YamlProblem (the first one) if anything is wrong."""
    data, problems = load_yaml_checked(text, offset=offset)
    if problems:
        raise problems[0]
    return data


def load_yaml_checked(text: str, *, offset: int = 0) -> tuple[Any, list[YamlProblem]]:
    """Parse YAML text strictly, returning the data and every problem found.

    Line numbers (in results and problems) are 1-based plus `offset`. If the text cannot be parsed at all,
    the data is None and the problems say why; otherwise the data is usable, with duplicate keys dropped.
    """
    tabs = [
        YamlProblem(number + offset, "tab used for indentation; use spaces")
        for number, line in enumerate(text.splitlines(), start=1)
        if "\t" in line[: len(line) - len(line.lstrip())]
    ]
    if tabs:
        return None, tabs
    loader = _StrictLoader(text)
    loader.offset = offset
    loader.problems = []
    try:
        data = loader.get_single_data()
        return data, sorted(loader.problems, key=lambda p: p.line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        fatal = YamlProblem((mark.line + 1 + offset) if mark else 1 + offset, str(exc.problem or exc))
        return None, [*loader.problems, fatal]
    except yaml.YAMLError as exc:
        return None, [*loader.problems, YamlProblem(1 + offset, str(exc))]
    finally:
        loader.dispose()
