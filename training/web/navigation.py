"""The header's extra links, shown by role and only for blueprints that are registered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user

# (endpoint, label, roles that see it)
SECTIONS = [
    ("manager.dashboard", "Reports", {"manager", "admin"}),
    ("author.index", "Authoring", {"author", "admin"}),
    ("admin.index", "Admin", {"admin"}),
]


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    current: bool


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, roles in SECTIONS:
        if endpoint in current_app.view_functions and roles & current_user.roles:
            blueprint = endpoint.partition(".")[0]
            items.append(NavItem(url_for(endpoint), label, request.blueprint == blueprint))
    return items


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for paper and email: the configured address, never the request's Host header."""
    return str(current_app.config["BASE_URL"]).rstrip("/") + url_for(endpoint, **values)
