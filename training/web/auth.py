"""Sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from training.extensions import db
from training.services.accounts import authenticate

from .access import protect, safe_next
from .forms import ActionForm, SignInForm

bp = protect(Blueprint("auth", __name__), "public")


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        person = authenticate(db.session, form.email.data or "", form.password.data or "")
        if person is not None:
            destination = safe_next(form.next.data) or url_for("learner.my_training")
            # A fresh session at sign-in: nothing from before (including the CSRF secret) carries over.
            session.clear()
            login_user(person)
            session.permanent = True
            generate_csrf()  # into the new session now, so later pages need not re-send the cookie
            db.session.commit()  # a rehashed password, if argon2's parameters moved on
            current_app.logger.info("sign-in person=%s", person.id)
            return redirect(destination)
        form.password.errors = ["That email and password do not match an active account."]
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or not form.errors else 400


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        abort(401)
    if not ActionForm().validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
