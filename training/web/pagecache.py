"""Rendered pages kept per process, keyed by everything that goes into them.

A page's queries still run on every request; what they return, with who is asking, becomes the key, and the template
runs only for a key it has not seen. A key names one HTML forever, so several processes and servers can each keep
their own copy and never disagree. Pages with a message to flash are never cached (the message is shown once).
The cache is bounded by the total size of what it holds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request, session
from flask_login import current_user

from .sessions import csrf_token

MAX_BYTES = 24 * 1024 * 1024  # of HTML, per process


class _Pages:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.size -= len(previous)
            self._items[key] = html
            self.size += len(html)
            while self.size > self.max_bytes and self._items:
                _, evicted = self._items.popitem(last=False)
                self.size -= len(evicted)


_pages = _Pages(MAX_BYTES)


def viewer_key() -> Hashable:
    """Who the page is drawn for, as far as the layout shows it: the app, its mount point, the person and their form token."""
    app = id(current_app._get_current_object())  # type: ignore[attr-defined]
    user = current_user._get_current_object()  # once: each use of the proxy looks the user up again
    if not user.is_authenticated:
        return (app, request.root_path, None)
    return (app, request.root_path, user.id, user.name, frozenset(user.roles), csrf_token())


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """The page for this key (which must hold everything the template reads besides the viewer), rendered once."""
    if "_flashes" in session:
        return render()
    full = (request.endpoint, viewer_key(), key)
    html = _pages.get(full)
    if html is None:
        html = render()
        _pages.put(full, html)
    return html
