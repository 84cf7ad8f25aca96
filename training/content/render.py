"""The one renderer: authored Markdown to sanitized HTML, cached per content revision."""

from __future__ import annotations

import posixpath
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3
from markdown_callouts.github_callouts import GitHubCalloutsExtension

from .model import ModuleDoc
from .parser import parse_module

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "code": {"class"},
    "li": {"id"},
    "sup": {"id"},
    "ol": {"start"},
}
_SAFE_CLASS = re.compile(
    r"^(admonition|note|tip|important|warning|caution|admonition-title|footnote|footnote-ref|footnote-backref|language-[a-z0-9_+-]+)$"
)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[GitHubCalloutsExtension(), "tables", "fenced_code", "footnotes", "sane_lists"],
        output_format="html",
    )


def _attribute_filter(asset_base: str | None):  # type: ignore[no-untyped-def]
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = " ".join(c for c in value.split() if _SAFE_CLASS.match(c))
            return kept or None
        if attribute in ("href", "src") and value.strip().lower().startswith("data:") and tag != "img":
            return None
        if tag == "img" and attribute == "src":
            if value.startswith("data:"):
                return value if _DATA_IMAGE.match(value) else None
            if asset_base is not None and not re.match(r"^[a-z][a-z0-9+.-]*:|^/", value, re.IGNORECASE):
                path = posixpath.normpath(value)
                return None if path.startswith("..") else f"{asset_base}/{path}"
        return value

    return keep


# Added after sanitizing (the sanitizer keeps no attribute on a table): a wide table scrolls inside its own box on a
# narrow screen instead of breaking words apart, and the box takes keyboard focus so it can be scrolled by keyboard.
_TABLE_OPEN = '<div class="table-scroll" role="region" tabindex="0" aria-label="Table (scrolls sideways on a narrow screen)"><table>'


def render_markdown(text: str, *, asset_base: str | None = None) -> str:
    """Render Markdown and sanitize the result; the only path from authored text to HTML."""
    html = _markdown().convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_attribute_filter(asset_base),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return clean.replace("<table>", _TABLE_OPEN).replace("</table>", "</table></div>") if "<table>" in clean else clean


@lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    """Render a short Markdown string (a prompt, a choice, feedback) without its outer paragraph."""
    html = render_markdown(text)
    match = re.fullmatch(r"<p>(.*)</p>\s*", html, re.DOTALL)
    return match.group(1) if match and "<p>" not in match.group(1) else html


@dataclass(frozen=True)
class RenderedLesson:
    id: str
    title: str
    html: str


@dataclass(frozen=True)
class RenderedModule:
    introduction: str
    lessons: tuple[RenderedLesson, ...]

    def lesson(self, lesson_id: str) -> RenderedLesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


class _RenderCache:
    """A bounded per-process LRU keyed by the revision's SHA-256: safe across processes and servers
    because a key can only ever map to one rendering."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], RenderedModule] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> RenderedModule | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, str], value: RenderedModule) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_cache = _RenderCache(size=128)


def render_module(sha256: str, source: str | ModuleDoc, *, asset_base: str) -> RenderedModule:
    """Render a module revision's introduction and lessons, once per revision and process.

    `source` is the revision's text, or its already parsed document: the key is the content hash either way.
    """
    key = (sha256, asset_base)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    doc = source if isinstance(source, ModuleDoc) else parse_module(source)[0]
    if doc is None:
        rendered = RenderedModule("<p>This module could not be read.</p>", ())
    else:
        rendered = RenderedModule(
            render_markdown(doc.introduction, asset_base=asset_base),
            tuple(
                RenderedLesson(lesson.id, lesson.title, render_markdown(lesson.markdown, asset_base=asset_base)) for lesson in doc.lessons
            ),
        )
    _cache.put(key, rendered)
    return rendered
