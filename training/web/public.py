"""Pages anyone may open: the health check."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from training.extensions import db

from .access import protect

bp = protect(Blueprint("public", __name__), "public")


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
