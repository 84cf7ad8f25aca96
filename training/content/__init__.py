"""Pure content handling: parse, check and render the training content format (no Flask, no SQL)."""

from .catalogue import Asset, Catalogue, LoadedModule, load_catalogue
from .curricula import expand_audiences, parse_curricula
from .model import Choice, Curricula, Due, ModuleDoc, Objective, Problem, Question, Recur, Requirement
from .parser import parse_module
from .render import RenderedModule, render_inline, render_markdown, render_module

__all__ = [
    "Asset", "Catalogue", "Choice", "Curricula", "Due", "LoadedModule", "ModuleDoc", "Objective",
    "Problem", "Question", "Recur", "RenderedModule", "Requirement", "expand_audiences",
    "load_catalogue", "parse_curricula", "parse_module", "render_inline", "render_markdown",
    "render_module",
]  # fmt: skip
