"""Signing in and out: labels, messages, redirects, sessions and cookies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from training.config import ConfigError
from training.models import Person

FAILED = "That email and password do not match an active account."


def test_the_sign_in_form_has_labelled_fields_and_a_sign_in_button(client: FlaskClient) -> None:
    page = client.get("/sign-in").text
    assert '<label for="email">Email</label>' in page
    assert '<label for="password">Password</label>' in page
    assert 'value="Sign in"' in page


def test_a_wrong_email_and_a_wrong_password_get_the_same_message(client: FlaskClient, learner: Person) -> None:
    wrong_password = client.post("/sign-in", data={"email": learner.email, "password": "not the password at all"})
    wrong_email = client.post("/sign-in", data={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 400
    assert FAILED in wrong_password.text and FAILED in wrong_email.text
    assert wrong_password.text.replace(learner.email, "nobody@example.com") == wrong_email.text


def test_an_inactive_person_cannot_sign_in(client: FlaskClient, learner: Person, session) -> None:  # type: ignore[no-untyped-def]
    learner.active = False
    session.commit()
    assert FAILED in client.post("/sign-in", data={"email": learner.email, "password": PASSWORD}).text


def test_email_is_matched_without_regard_to_case(client: FlaskClient, learner: Person) -> None:
    assert client.post("/sign-in", data={"email": "  LENA@Example.com ", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/modules/alpha-basics", "/modules/alpha-basics"),
        ("https://evil.example/", "/training"),
        ("//evil.example/", "/training"),
        ("/\\evil.example", "/training"),
        ("javascript:alert(1)", "/training"),
    ],
)
def test_next_accepts_only_relative_paths(client: FlaskClient, learner: Person, target: str, expected: str) -> None:
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_signing_in_renews_the_session(client: FlaskClient, learner: Person) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(learner.id)


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, learner: Person) -> None:
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(ENV_NAME="production", SECRET_KEY="x" * 40)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short"])
def test_production_refuses_a_missing_or_default_secret_key(app_factory: Callable[..., Flask], key: str | None) -> None:
    with pytest.raises(ConfigError, match="TRAINING_SECRET_KEY"):
        app_factory(ENV_NAME="production", SECRET_KEY=key)


def test_signing_out_ends_the_session(client: FlaskClient, learner: Person) -> None:
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert client.post("/sign-out").status_code == 302
    assert client.get("/training").status_code == 302


def test_pages_carry_a_strict_content_security_policy(client: FlaskClient) -> None:
    headers = client.get("/sign-in").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_set_at_sign_in_and_not_resent_on_every_page(client: FlaskClient, learner: Person) -> None:
    signed_in = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert "Expires=" in signed_in.headers["Set-Cookie"]  # twelve hours from sign-in, then sign in again
    assert "Set-Cookie" not in client.get("/training").headers
