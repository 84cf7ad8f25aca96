"""Load and check a content tree (modules, images, curricula) as one catalogue."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .curricula import parse_curricula
from .model import Curricula, ModuleDoc, Problem
from .parser import parse_module

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the module folder, e.g. "img/purdue.svg"
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class LoadedModule:
    doc: ModuleDoc
    source: str
    assets: tuple[Asset, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()


@dataclass
class Catalogue:
    modules: list[LoadedModule] = field(default_factory=list)
    curricula: Curricula | None = None
    curricula_source: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _module_dirs(root: Path) -> tuple[list[Path], Path | None]:
    """The module folders under PATH and the curricula file that applies to them."""
    if root.is_file():
        root = root.parent
    if (root / "index.md").is_file():
        candidates = [root.parent.parent / "curricula.yml", root.parent / "curricula.yml"]
        return [root], next((c for c in candidates if c.is_file()), None)
    modules_dir = root / "modules" if (root / "modules").is_dir() else root
    dirs = sorted(p for p in modules_dir.iterdir() if p.is_dir() and (p / "index.md").is_file())
    curricula = root / "curricula.yml"
    if not curricula.is_file():
        curricula = modules_dir.parent / "curricula.yml"
    return dirs, curricula if curricula.is_file() else None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_catalogue(root: Path, *, today: dt.date) -> Catalogue:
    """Parse every module under ROOT and run the catalogue-wide rules."""
    catalogue = Catalogue()
    if not root.exists():
        catalogue.problems.append(Problem(str(root), 0, "no such file or directory"))
        return catalogue
    dirs, curricula_path = _module_dirs(root)
    if curricula_path is not None:
        source = curricula_path.read_text(encoding="utf-8")
        curricula, problems = parse_curricula(source, _display(curricula_path))
        catalogue.curricula = curricula
        catalogue.curricula_source = source
        catalogue.problems.extend(problems)
    for folder in dirs:
        index = folder / "index.md"
        shown = _display(index)
        try:
            source = index.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            catalogue.problems.append(Problem(shown, 1, "file is not UTF-8"))
            continue
        doc, problems = parse_module(source, shown, today=today)
        catalogue.problems.extend(problems)
        if doc is None:
            continue
        if doc.id != folder.name:
            catalogue.problems.append(
                Problem(shown, doc.field_lines.get("id", 2), f"id '{doc.id}' must equal the folder name '{folder.name}'")
            )
        assets = _load_assets(folder, doc, shown, catalogue.problems)
        catalogue.modules.append(LoadedModule(doc, source, assets))
    _check_catalogue(catalogue)
    return catalogue


def _load_assets(folder: Path, doc: ModuleDoc, shown: str, problems: list[Problem]) -> tuple[Asset, ...]:
    assets: dict[str, Asset] = {}
    for ref, line in doc.images:
        if ref.startswith(("http://", "https://", "data:", "/", "//")) or ":" in ref.split("/")[0]:
            if not ref.startswith(("https://", "http://")):
                problems.append(Problem(shown, line, f"image '{ref}' must be a relative path inside the module folder"))
            continue
        normalised = posixpath.normpath(ref)
        if normalised.startswith("../") or normalised == "..":
            problems.append(Problem(shown, line, f"image '{ref}' points outside the module folder"))
            continue
        suffix = Path(normalised).suffix.lower()
        if suffix not in IMAGE_TYPES:
            problems.append(Problem(shown, line, f"image '{ref}': only {', '.join(sorted(IMAGE_TYPES))} files are allowed"))
            continue
        file = folder / normalised
        if not file.is_file():
            problems.append(Problem(shown, line, f"image '{ref}' does not exist"))
            continue
        data = file.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            problems.append(Problem(shown, line, f"image '{ref}' is {len(data)} bytes; the limit is 2 MiB"))
            continue
        assets[normalised] = Asset(normalised, IMAGE_TYPES[suffix], data)
    return tuple(assets.values())


def _check_catalogue(catalogue: Catalogue) -> None:
    problems = catalogue.problems
    by_id: dict[str, LoadedModule] = {}
    for loaded in catalogue.modules:
        doc = loaded.doc
        if doc.id in by_id:
            problems.append(
                Problem(doc.path, doc.field_lines.get("id", 2), f"module id '{doc.id}' is also used by {by_id[doc.id].doc.path}")
            )
        by_id.setdefault(doc.id, loaded)
    owners: dict[str, str] = {}
    for loaded in catalogue.modules:
        for q in loaded.doc.questions:
            if q.id in owners and owners[q.id] != loaded.doc.path:
                problems.append(Problem(loaded.doc.path, q.line, f"question id '{q.id}' is also used in {owners[q.id]}"))
            owners.setdefault(q.id, loaded.doc.path)
    audiences = {a.id for a in catalogue.curricula.audiences} if catalogue.curricula else None
    for loaded in catalogue.modules:
        doc = loaded.doc
        if audiences is not None:
            for audience in doc.audience:
                if audience not in audiences:
                    problems.append(
                        Problem(doc.path, doc.field_lines.get("audience", 2), f"audience '{audience}' is not defined in curricula.yml")
                    )
        if len(catalogue.modules) > 1:
            for prerequisite in doc.prerequisites:
                if prerequisite not in by_id:
                    problems.append(
                        Problem(doc.path, doc.field_lines.get("prerequisites", 2), f"prerequisite '{prerequisite}' is not a module")
                    )
            if doc.next and doc.next not in by_id:
                problems.append(Problem(doc.path, doc.field_lines.get("next", 2), f"next module '{doc.next}' does not exist"))
    _check_prerequisite_cycles(catalogue.modules, problems)
    if catalogue.curricula is not None and len(catalogue.modules) > 1:
        for requirement in catalogue.curricula.requirements:
            target = by_id.get(requirement.module)
            if target is None:
                problems.append(Problem("curricula.yml", requirement.line, f"requirement names unknown module '{requirement.module}'"))
            elif target.doc.status == "retired":
                problems.append(
                    Problem(
                        "curricula.yml", requirement.line, f"module '{requirement.module}' is retired and is no longer assigned", "warning"
                    )
                )


def _check_prerequisite_cycles(modules: list[LoadedModule], problems: list[Problem]) -> None:
    graph = {m.doc.id: m.doc.prerequisites for m in modules}
    docs = {m.doc.id: m.doc for m in modules}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                doc = docs[node]
                problems.append(
                    Problem(doc.path, doc.field_lines.get("prerequisites", 2), f"prerequisites form a cycle: {' → '.join([*trail, nxt])}")
                )
            elif nxt in graph and state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in graph:
        if state.get(node) is None:
            visit(node, [node])
