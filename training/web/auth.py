"""Sign-in and sign-out."""

from __future__ import annotations

import datetime as dt
import math

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from training.extensions import db
from training.services.accounts import authenticate
from training.services.sign_ins import end_sign_in, record_failure, retry_after, start_sign_in

from .access import protect, safe_next
from .forms import ActionForm, SignInForm
from .sessions import csrf_token

bp = protect(Blueprint("auth", __name__), "public")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        email, ip, moment = form.email.data or "", request.remote_addr or "", now()
        wait = retry_after(db.session, email, ip, now=moment)
        if wait is not None:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            form.password.errors = [f"Too many failed sign-ins. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again."]
            return render_template("auth/login.html", form=form), 429
        person = authenticate(db.session, email, form.password.data or "")
        if person is not None:
            destination = safe_next(form.next.data) or url_for("learner.my_training")
            user = start_sign_in(db.session, person, now=moment, ip=ip, user_agent=request.user_agent.string)
            # A fresh session at sign-in: nothing from before (including the CSRF secret) carries over.
            session.clear()
            g.pop("csrf_token", None)  # Flask-WTF's copy for this request signs the old session's secret
            login_user(user)
            session.permanent = True
            csrf_token()  # a new secret, signed, into the new session now, so later pages need not re-send the cookie
            db.session.commit()  # the sign-in, and a rehashed password if argon2's parameters moved on
            current_app.logger.info("sign-in person=%s", person.id)
            return redirect(destination)
        record_failure(db.session, email, ip, now=moment)
        db.session.commit()
        form.password.errors = ["That email and password do not match an active account."]
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        abort(401)
    if not ActionForm().validate_on_submit():
        abort(400)
    end_sign_in(db.session, current_user.get_id(), now=now())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
