"""The page chrome every page shares (assets, header with navigation, footer), rendered once and kept.

The layout used to cost a signed-in page about 280 µs of template work: a dozen URL builds, the signed-in person
looked up through Flask-Login's proxy again and again, the navigation worked out afresh. What it shows depends only
on who is signed in (their name, roles and session's CSRF token), which part of the site the page belongs to and the
app's mount point, so each combination is rendered once per process and reused. The caches are bounded and keyed
by everything that goes into the HTML, so an entry can never be wrong, only evicted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .sessions import csrf_token

# (endpoint, label, roles that see it), after My training and Transcript, which everyone signed in sees.
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


def _section() -> str | None:
    """Which item of the main navigation this page belongs to."""
    endpoint = request.endpoint or ""
    if endpoint == "learner.transcript_page":
        return "learner.transcript_page"
    if endpoint.startswith("learner."):
        return "learner.my_training"
    return request.blueprint


def page_header(error_page: bool = False) -> Markup:
    section = None if error_page else _section()
    app, root = id(current_app._get_current_object()), request.root_path  # type: ignore[attr-defined]
    user = current_user._get_current_object()
    if user.is_authenticated:
        return _header(app, root, user.name, frozenset(user.roles), section, csrf_token(), False)
    return _header(app, root, None, frozenset(), section, "", request.endpoint != "auth.login")


@lru_cache(maxsize=4096)
def _header(app: int, root: str, name: str | None, roles: frozenset[str], section: str | None, csrf: str, show_sign_in: bool) -> Markup:
    signed_in = name is not None
    nav = []
    if signed_in:
        nav = [
            NavItem(url_for("learner.my_training"), "My training", section == "learner.my_training"),
            NavItem(url_for("learner.transcript_page"), "Transcript", section == "learner.transcript_page"),
        ]
        for endpoint, label, allowed in SECTIONS:
            if endpoint in current_app.view_functions and allowed & roles:
                nav.append(NavItem(url_for(endpoint), label, section == endpoint.partition(".")[0]))
    return Markup(  # noqa: S704 - an autoescaped template
        render_template(
            "chrome/header.html", name=name, nav=nav, csrf=csrf, show_sign_in=show_sign_in,
            home=url_for("learner.my_training") if signed_in else url_for("auth.login"), logo=_static(root, "img/logo.svg"),
            sign_out=url_for("auth.logout"), sign_in=url_for("auth.login"),
        )
    )  # fmt: skip


def _static(root: str, filename: str) -> str:
    return str(current_app.jinja_env.globals["static_url"](filename))  # type: ignore[operator]


def page_assets() -> Markup:
    return _assets(id(current_app._get_current_object()), request.root_path)  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def _assets(app: int, root: str) -> Markup:
    return Markup(render_template("chrome/assets.html"))  # noqa: S704 - an autoescaped template


def page_footer() -> Markup:
    return _footer(id(current_app._get_current_object()), request.root_path)  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def _footer(app: int, root: str) -> Markup:
    return Markup(render_template("chrome/footer.html"))  # noqa: S704 - an autoescaped template


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for paper and email: the configured address, never the request's Host header."""
    return str(current_app.config["BASE_URL"]).rstrip("/") + url_for(endpoint, **values)
