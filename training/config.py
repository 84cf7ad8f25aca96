"""Configuration: safe defaults, TRAINING_* environment overrides, refusal of unsafe production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_NAMES = ("development", "production")
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production below


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app will not start."""


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.update(
        ENV_NAME="development",
        SECRET_KEY=DEV_SECRET_KEY,
        DATABASE_URL=f"sqlite:///{app.instance_path}/conduit.db",
        CONTENT_PATH=str(PROJECT_ROOT / "content"),
        DUE_SOON_DAYS=14,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        # A session lasts twelve hours from sign-in (an absolute limit), so the cookie is not
        # re-signed and re-sent on every request.
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        SESSION_REFRESH_EACH_REQUEST=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        # Reminder emails (flask reminders send): TRAINING_SMTP_HOST, TRAINING_SMTP_PORT ...
        SMTP_HOST="localhost",
        SMTP_PORT=25,
        SMTP_USERNAME="",
        SMTP_PASSWORD="",
        SMTP_STARTTLS=False,
        SMTP_FROM="Conduit training <training@localhost>",
        SMTP_TIMEOUT=30,
        REMINDER_INTERVAL_DAYS=7,  # the same reminder goes out at most once per interval (7: once per ISO week)
        BASE_URL="http://localhost:5000",  # links in emails point here
    )
    # TRAINING_DATABASE_URL, TRAINING_SECRET_KEY, TRAINING_ENV_NAME ... (values parsed as JSON when they can be)
    app.config.from_prefixed_env("TRAINING")
    if test_config:
        app.config.update(test_config)
    if app.config["ENV_NAME"] not in ENV_NAMES:
        # A typo must not quietly run production with development's keys and cookies.
        raise ConfigError(f"TRAINING_ENV_NAME must be one of {', '.join(ENV_NAMES)}, not {app.config['ENV_NAME']!r}")
    production = app.config["ENV_NAME"] == "production"
    app.config["PRODUCTION"] = production
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        key = app.config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(str(key)) < 32:
            raise ConfigError("TRAINING_SECRET_KEY must be set to a random value of at least 32 characters in production")
        if not str(app.config["BASE_URL"]).startswith("https://"):
            # Certificates and emails carry links built from it, never from a request's Host header.
            raise ConfigError("TRAINING_BASE_URL must be the https:// address people use to reach Conduit in production")
    app.config["SQLALCHEMY_ENGINES"] = {"default": _engine_options(app.config["DATABASE_URL"])}
    app.config["ALEMBIC"] = {"script_location": str(PROJECT_ROOT / "migrations")}
    app.config["ALEMBIC_CONTEXT"] = {"render_item": _render_migration_item, "compare_server_default": True}


def _render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC timestamp type into migrations as the plain column type it stores."""
    from training.models import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"url": url, "connect_args": {"timeout": 15}}
    # No pool_pre_ping: a ping on every checkout is a round trip on every request. extensions.py pings a connection
    # only when it has sat idle in the pool, which is when a database restart can have left it dead.
    return {"url": url}
