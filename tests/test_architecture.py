"""Layers point inward: content and services never import Flask."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "training"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["content", "services"])
def test_inner_layers_do_not_import_flask(package: str) -> None:
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        flaskish = {m for m in imported_modules(path) if m.split(".")[0].startswith("flask") or m.startswith("training.web")}
        if flaskish:
            offenders[path.name] = flaskish
    assert offenders == {}


def test_content_does_not_touch_the_database() -> None:
    for path in sorted((ROOT / "content").rglob("*.py")):
        assert not {m for m in imported_modules(path) if m.startswith(("sqlalchemy", "training.models", "training.services"))}, path.name


def test_safe_filter_is_used_only_for_rendered_markdown() -> None:
    templates = ROOT / "web" / "templates"
    uses = {}
    for path in sorted(templates.rglob("*.html")):
        for line in path.read_text().splitlines():
            if "|safe" in line.replace(" ", ""):
                uses.setdefault(path.relative_to(templates).as_posix(), []).append(line.strip())
    for name, lines in uses.items():
        for line in lines:
            assert any(allowed in line for allowed in ("rendered.introduction|safe", "lesson.html|safe")), f"{name}: {line}"


def test_templates_have_no_inline_scripts_or_event_handlers() -> None:
    for path in sorted((ROOT / "web" / "templates").rglob("*.html")):
        text = path.read_text()
        assert "<script>" not in text and "<script " not in text.replace('<script src="', ""), path.name
        assert " style=" not in text, path.name
        assert not any(f" on{event}=" in text for event in ("click", "load", "submit", "change", "error", "input")), path.name
