"""Signing in and out: labels, messages, redirects, sessions and cookies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from training.config import ConfigError
from training.extensions import db
from training.models import Person, SignIn
from training.services.accounts import deactivate_person
from training.services.sign_ins import FAILURES_PER_EMAIL, record_failure, retry_after, token_hash

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
        token = session["_user_id"]
    # The cookie holds a random token; the database keeps only its hash, tied to the person.
    row = db.session.scalars(select(SignIn).where(SignIn.token_sha256 == token_hash(token))).one()
    assert row.person_id == learner.id and row.ended_at is None and len(token) >= 40


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, learner: Person) -> None:
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(ENV_NAME="production", SECRET_KEY="x" * 40, BASE_URL="https://training.example.com")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("name", ["Production", "prod", "staging"])
def test_an_unknown_environment_name_is_refused_rather_than_run_as_development(app_factory: Callable[..., Flask], name: str) -> None:
    with pytest.raises(ConfigError, match="TRAINING_ENV_NAME"):
        app_factory(ENV_NAME=name, SECRET_KEY="x" * 40)


@pytest.mark.parametrize("base_url", ["http://localhost:5000", "http://training.example.com"])
def test_production_refuses_a_base_url_that_is_not_https(app_factory: Callable[..., Flask], base_url: str) -> None:
    with pytest.raises(ConfigError, match="TRAINING_BASE_URL"):
        app_factory(ENV_NAME="production", SECRET_KEY="x" * 40, BASE_URL=base_url)


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short"])
def test_production_refuses_a_missing_or_default_secret_key(app_factory: Callable[..., Flask], key: str | None) -> None:
    with pytest.raises(ConfigError, match="TRAINING_SECRET_KEY"):
        app_factory(ENV_NAME="production", SECRET_KEY=key, BASE_URL="https://training.example.com")


def test_signing_out_ends_the_session(client: FlaskClient, learner: Person) -> None:
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert client.post("/sign-out").status_code == 302
    assert client.get("/training").status_code == 302


def test_a_cookie_kept_from_before_sign_out_no_longer_signs_anyone_in(app_factory: Callable[..., Flask], learner: Person) -> None:
    client = app_factory().test_client()
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    kept = client.get_cookie("session")
    assert kept is not None and client.get("/training").status_code == 200
    client.post("/sign-out")
    client.set_cookie("session", kept.value)  # replayed by someone who copied it
    assert client.get("/training").status_code == 302


def test_a_sign_in_ends_after_twelve_hours_and_when_the_person_is_deactivated(
    app_factory: Callable[..., Flask], learner: Person, session: Session
) -> None:
    # An app of its own, so that each request runs in its own app context, as under a real server.
    client = app_factory().test_client()
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert client.get("/training").status_code == 200
    sign_in = session.scalars(select(SignIn).where(SignIn.person_id == learner.id)).one()
    sign_in.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    assert client.get("/training").status_code == 302
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert client.get("/training").status_code == 200
    deactivate_person(session, learner, now=dt.datetime.now(dt.UTC))
    session.commit()
    assert client.get("/training").status_code == 302
    assert all(s.ended_at is not None for s in session.scalars(select(SignIn).where(SignIn.person_id == learner.id)))


def test_repeated_failed_sign_ins_are_refused_for_a_while_whether_or_not_the_account_exists(client: FlaskClient, learner: Person) -> None:
    for email in (learner.email, "nobody@example.com"):
        for _ in range(FAILURES_PER_EMAIL):
            assert client.post("/sign-in", data={"email": email, "password": "wrong password, surely"}).status_code == 400
        refused = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert refused.status_code == 429
        assert "Too many failed sign-ins. Wait 15 minutes and try again." in refused.text
    # Another account from the same address is not locked out by these.
    other = client.post("/sign-in", data={"email": "OTHER@example.com", "password": "wrong password, surely"})
    assert other.status_code == 400


def test_the_throttle_counts_failures_in_the_database_so_every_server_sees_them(session: Session, learner: Person) -> None:
    moment = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    for minute in range(FAILURES_PER_EMAIL):
        record_failure(session, learner.email, f"10.0.0.{minute}", now=moment + dt.timedelta(minutes=minute))
    assert retry_after(session, learner.email.upper(), "10.9.9.9", now=moment + dt.timedelta(minutes=5)) == dt.timedelta(minutes=10)
    assert retry_after(session, learner.email, "10.9.9.9", now=moment + dt.timedelta(minutes=15, seconds=1)) is None


def test_pages_carry_a_strict_content_security_policy(client: FlaskClient) -> None:
    headers = client.get("/sign-in").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_set_at_sign_in_and_not_resent_on_every_page(client: FlaskClient, learner: Person) -> None:
    signed_in = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert "Expires=" in signed_in.headers["Set-Cookie"]  # twelve hours from sign-in, then sign in again
    assert "Set-Cookie" not in client.get("/training").headers
