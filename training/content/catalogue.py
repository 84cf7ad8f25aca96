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
    curricula_path: str = "curricula.yml"
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0  # module folders read, whether or not they parsed

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(frozen=True)
class _Layout:
    """Where the modules to check are, the curricula file that applies, and sibling modules for context."""

    folders: list[Path]
    curricula: Path | None
    siblings: list[Path]


def _layout(root: Path, problems: list[Problem]) -> _Layout:
    if root.is_file():
        root = root.parent
    if (root / "index.md").is_file():
        # One module. If it sits in a content tree (content/modules/<id>/), the rest of the tree is read
        # too, so that catalogue-wide rules (unique question ids, prerequisites) still hold for it.
        in_tree = root.parent.name == "modules"
        siblings = [p for p in _folders(root.parent, []) if p != root] if in_tree else []
        candidates = [root.parent.parent / "curricula.yml", root.parent / "curricula.yml"]
        return _Layout([root], next((c for c in candidates if c.is_file()), None), siblings)
    modules_dir = root / "modules" if (root / "modules").is_dir() else root
    folders = _folders(modules_dir, problems)
    curricula = root / "curricula.yml"
    if not curricula.is_file():
        curricula = modules_dir.parent / "curricula.yml"
    found = curricula if curricula.is_file() else None
    if not folders and found is None:
        problems.append(Problem(_display(root), 0, "no modules found: expected modules/<id>/index.md or <id>/index.md"))
    return _Layout(folders, found, [])


def _folders(modules_dir: Path, problems: list[Problem]) -> list[Path]:
    """The module folders in a modules directory; a folder without an index.md is an error."""
    folders = []
    for path in sorted(modules_dir.iterdir()):
        if not path.is_dir() or path.name.startswith((".", "_")):
            continue
        if (path / "index.md").is_file():
            folders.append(path)
        else:
            problems.append(Problem(_display(path), 0, "module folder has no index.md"))
    return folders


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_module(folder: Path, today: dt.date, problems: list[Problem]) -> LoadedModule | None:
    index = folder / "index.md"
    shown = _display(index)
    try:
        source = index.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "file is not UTF-8"))
        return None
    doc, found = parse_module(source, shown, today=today)
    problems.extend(found)
    if doc is None:
        return None
    if doc.id != folder.name:
        problems.append(Problem(shown, doc.field_lines.get("id", 2), f"id '{doc.id}' must equal the folder name '{folder.name}'"))
    assets = _load_assets(folder, doc, shown, problems)
    return LoadedModule(doc, source, assets)


def load_catalogue(root: Path, *, today: dt.date) -> Catalogue:
    """Parse every module under ROOT and run the catalogue-wide rules."""
    catalogue = Catalogue()
    if not root.exists():
        catalogue.problems.append(Problem(str(root), 0, "no such file or directory"))
        return catalogue
    layout = _layout(root, catalogue.problems)
    if layout.curricula is not None:
        source = layout.curricula.read_text(encoding="utf-8")
        catalogue.curricula_path = _display(layout.curricula)
        curricula, problems = parse_curricula(source, catalogue.curricula_path)
        catalogue.curricula = curricula
        catalogue.curricula_source = source
        catalogue.problems.extend(problems)
    catalogue.checked = len(layout.folders)
    for folder in layout.folders:
        loaded = _load_module(folder, today, catalogue.problems)
        if loaded is not None:
            catalogue.modules.append(loaded)
    context: list[LoadedModule] = []
    for folder in layout.siblings:
        # Siblings are read for context only: their own problems belong to a check of the whole tree.
        loaded = _load_module(folder, today, [])
        if loaded is not None:
            context.append(loaded)
    _check_catalogue(catalogue, context)
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


def _check_catalogue(catalogue: Catalogue, context: list[LoadedModule]) -> None:
    """Rules across modules. `context` holds modules that are not being checked but must not be contradicted."""
    problems = catalogue.problems
    everything = [*catalogue.modules, *context]
    by_id: dict[str, LoadedModule] = {}
    for loaded in everything:
        doc = loaded.doc
        if doc.id in by_id and loaded in catalogue.modules:
            problems.append(
                Problem(doc.path, doc.field_lines.get("id", 2), f"module id '{doc.id}' is also used by {by_id[doc.id].doc.path}")
            )
        by_id.setdefault(doc.id, loaded)
    owners: dict[str, str] = {q.id: loaded.doc.path for loaded in context for q in loaded.doc.questions}
    for loaded in catalogue.modules:
        for q in loaded.doc.questions:
            if q.id in owners and owners[q.id] != loaded.doc.path:
                problems.append(Problem(loaded.doc.path, q.line, f"question id '{q.id}' is also used in {owners[q.id]}"))
            owners.setdefault(q.id, loaded.doc.path)
    audiences = {a.id for a in catalogue.curricula.audiences} if catalogue.curricula else None
    whole_tree = len(everything) > 1
    for loaded in catalogue.modules:
        doc = loaded.doc
        if audiences is not None:
            for audience in doc.audience:
                if audience not in audiences:
                    problems.append(
                        Problem(doc.path, doc.field_lines.get("audience", 2), f"audience '{audience}' is not defined in curricula.yml")
                    )
        if whole_tree:
            for prerequisite in doc.prerequisites:
                if prerequisite not in by_id:
                    problems.append(
                        Problem(doc.path, doc.field_lines.get("prerequisites", 2), f"prerequisite '{prerequisite}' is not a module")
                    )
            if doc.next and doc.next not in by_id:
                problems.append(Problem(doc.path, doc.field_lines.get("next", 2), f"next module '{doc.next}' does not exist"))
    cycles: list[Problem] = []
    _check_prerequisite_cycles(everything, cycles)
    checked_paths = {loaded.doc.path for loaded in catalogue.modules}
    problems.extend(p for p in cycles if p.path in checked_paths)
    if catalogue.curricula is not None and whole_tree:
        shown = catalogue.curricula_path
        for requirement in catalogue.curricula.requirements:
            target = by_id.get(requirement.module)
            if target is None:
                problems.append(Problem(shown, requirement.line, f"requirement names unknown module '{requirement.module}'"))
            elif target.doc.status == "retired":
                problems.append(
                    Problem(shown, requirement.line, f"module '{requirement.module}' is retired and is no longer assigned", "warning")
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
