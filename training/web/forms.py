"""WTForms for the web layer; each POST form carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A bare form for buttons that POST (sign out, mark read, start quiz): CSRF only."""
