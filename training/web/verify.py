"""The public check of a certificate's verification code: genuine or not, and only what the certificate shows."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from training.extensions import db
from training.services.certificates import CODE_EXAMPLE, normalise_code, verify_certificate

from .access import protect

bp = protect(Blueprint("verify", __name__), "public")


@bp.get("/verify")
def check() -> ResponseReturnValue:
    typed = request.args.get("code", "")[:100].strip()
    checked = "code" in request.args
    error = None
    certificate = None
    if checked:
        if normalise_code(typed) is None:
            error = f"Enter the 16-character code printed on the certificate, for example {CODE_EXAMPLE}."
        else:
            certificate = verify_certificate(db.session, typed)
    response = render_template("verify/check.html", typed=typed, checked=checked and error is None, error=error, certificate=certificate)
    return response, 200, {"X-Robots-Tag": "noindex"}
