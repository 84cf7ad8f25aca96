"""Pages anyone may open: the health check, and the check of a certificate's verification code."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import literal, select

from training.extensions import db, reader
from training.services.certificates import CODE_EXAMPLE, normalise_code, verify_certificate
from training.services.fastread import Prepared

from .access import protect

bp = protect(Blueprint("public", __name__), "public")


_ALIVE = Prepared(select(literal(1)))


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    reader().rows(_ALIVE)  # the database answers
    return {"status": "ok"}


@bp.get("/verify")
def verify() -> ResponseReturnValue:
    """Genuine or not, and only what the certificate itself shows."""
    typed = request.args.get("code", "")[:100].strip()
    error = None
    certificate = None
    if "code" in request.args:
        if normalise_code(typed) is None:
            error = f"Enter the 16-character code printed on the certificate, for example {CODE_EXAMPLE}."
        else:
            certificate = verify_certificate(db.session, typed)
    checked = "code" in request.args and error is None
    page = render_template("public/verify.html", typed=typed, checked=checked, error=error, certificate=certificate)
    return page, 200, {"X-Robots-Tag": "noindex"}
