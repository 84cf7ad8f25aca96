"""A learner's certificates of completion, as PDF downloads."""

from __future__ import annotations

from flask import Blueprint, abort, make_response
from flask.typing import ResponseReturnValue
from flask_login import current_user

from training.extensions import db
from training.services import NotFound
from training.services.certificates import certificate_for, certificate_pdf

from .access import protect
from .navigation import public_url

bp = protect(Blueprint("certificates", __name__), "signed-in")


@bp.get("/certificates/<int:completion_id>.pdf")
def download(completion_id: int) -> ResponseReturnValue:
    try:
        certificate = certificate_for(db.session, current_user.id, completion_id)
    except NotFound:
        abort(404)
    db.session.commit()  # keeps the code given to a completion recorded before certificates existed
    pdf = certificate_pdf(certificate, verify_url=public_url("public.verify", code=certificate.code))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="conduit-certificate-{completion_id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
