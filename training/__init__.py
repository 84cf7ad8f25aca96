"""Conduit: security awareness training for organisations that run both IT and OT."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask, Response, has_request_context, request

from .config import PROJECT_ROOT, configure


class Conduit(Flask):
    """Flask, with URL building memoised inside requests.

    A page builds twenty-odd URLs (navigation, lesson contents, hashed static files) at about 7 µs each.
    A relative URL depends only on the endpoint, its arguments, the URL map (fixed once the app is built)
    and the mount point (part of the key), so a cached one can never be stale.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cached_url = lru_cache(maxsize=4096)(self._build_url)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        plain = _anchor is None and _method is None and _scheme is None and not _external and endpoint[:1] != "."
        if plain and has_request_context() and not any(self.url_default_functions.values()):
            try:
                return self._cached_url(request.root_path, endpoint, tuple(values.items()))
            except TypeError:  # an unhashable argument: build it the ordinary way
                pass
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values)

    def _build_url(self, root_path: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
        return super().url_for(endpoint, **dict(values))

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks, for every hook on every request, whether it is a coroutine; a function's answer never changes."""
        found = self._sync.get(func)
        if found is None:
            found = self._sync[func] = super().ensure_sync(func)
        return found


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error handlers → CLI. No side effects."""
    app = Conduit(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder="web/templates",
    )
    configure(app, test_config)

    from .extensions import alembic, csrf, db, login_manager

    db.init_app(app)
    # Flask-SQLAlchemy-Lite also registers a coroutine teardown for async sessions, which Flask runs
    # through asgiref after every request: a new thread and event loop, about 1 ms. We have no async engine.
    if not app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        app.teardown_appcontext_funcs[:] = [
            f
            for f in app.teardown_appcontext_funcs
            if not (inspect.iscoroutinefunction(f) and f.__module__.startswith("flask_sqlalchemy_lite"))
        ]
    alembic.init_app(app)
    csrf.init_app(app)
    from .web.sessions import SignedCookieSessionInterface, csrf_token

    app.session_interface = SignedCookieSessionInterface()
    # Our csrf_token() for templates; Flask-WTF also puts its own into every template context, which would win.
    app.jinja_env.globals["csrf_token"] = csrf_token
    processors = app.template_context_processors[None]
    processors[:] = [f for f in processors if getattr(f, "__module__", "") != "flask_wtf.csrf"]
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "basic"

    from .extensions import reader, release_reader
    from .services.sign_ins import signed_in

    app.teardown_appcontext(release_reader)

    @login_manager.user_loader  # type: ignore[untyped-decorator]
    def load_person(token: str) -> Any:
        return signed_in(reader(), token, now=dt.datetime.now(dt.UTC))

    from .web import auth, learner, public

    app.register_blueprint(auth.bp)
    app.register_blueprint(learner.bp)
    app.register_blueprint(public.bp)

    from .web import certificates

    app.register_blueprint(certificates.bp)

    from .web import manager

    app.register_blueprint(manager.bp)

    from .web.errors import register_error_handlers

    register_error_handlers(app)

    from .web.assets import register_static_helpers

    register_static_helpers(app)

    from .web.navigation import page_assets, page_footer, page_header, public_url

    app.jinja_env.globals.update(public_url=public_url, page_header=page_header, page_assets=page_assets, page_footer=page_footer)

    # The headers every response carries unless its view set its own (an SVG asset has a stricter CSP), appended
    # in one pass: setting them one by one looks each up in the header list, a cost every request pays.
    defaults = [
        (
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config["PRODUCTION"]:
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        present = {key.lower() for key in headers.keys()}  # noqa: SIM118 - Headers iterates as (key, value) pairs
        headers.extend([(key, value) for key, value in defaults if key.lower() not in present])
        if "cache-control" not in present and response.mimetype == "text/html":
            headers["Cache-Control"] = "no-store"
        return response

    from .cli import register_cli

    register_cli(app)
    return app
