"""Conduit: security awareness training for organisations that run both IT and OT."""

from __future__ import annotations

import inspect
from typing import Any

from flask import Flask, Response

from .config import PROJECT_ROOT, configure


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error handlers → CLI. No side effects."""
    app = Flask(
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
            f for f in app.teardown_appcontext_funcs if not (inspect.iscoroutinefunction(f) and f.__module__.startswith("flask_sqlalchemy_lite"))
        ]
    alembic.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "basic"

    @login_manager.user_loader  # type: ignore[untyped-decorator]
    def load_person(person_id: str) -> Any:
        from .models import Person

        person = db.session.get(Person, int(person_id)) if person_id.isdigit() else None
        return person if person is not None and person.active else None

    from .web import auth, learner, public

    app.register_blueprint(auth.bp)
    app.register_blueprint(learner.bp)
    app.register_blueprint(public.bp)

    from .web import certificates, verify

    app.register_blueprint(certificates.bp)
    app.register_blueprint(verify.bp)

    from .web.errors import register_error_handlers

    register_error_handlers(app)

    from .web.assets import register_static_helpers

    register_static_helpers(app)

    from .web.navigation import nav_items

    app.jinja_env.globals["nav_items"] = nav_items

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["PRODUCTION"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response

    from .cli import register_cli

    register_cli(app)
    return app
