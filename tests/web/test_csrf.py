"""A POST without a CSRF token is refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, add_person


def test_a_post_without_a_csrf_token_is_refused(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from training.extensions import db

        add_person(db.session, "csrf@example.com", audiences=[])
    client = app.test_client()
    refused = client.post("/sign-in", data={"email": "csrf@example.com", "password": PASSWORD})
    assert refused.status_code == 400
    assert "This form has expired" in refused.text

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/sign-in").text)
    assert token is not None
    accepted = client.post("/sign-in", data={"email": "csrf@example.com", "password": PASSWORD, "csrf_token": token.group(1)})
    assert accepted.status_code == 302
    assert client.post("/sign-out").status_code == 400  # signed in, but still no token


def test_the_token_a_signed_in_page_carries_works_and_another_sessions_token_does_not(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from training.extensions import db

        add_person(db.session, "one@example.com", audiences=[])
        add_person(db.session, "two@example.com", audiences=[])

    def signed_in(email: str) -> tuple[FlaskClient, str]:
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/sign-in").text)
        assert token is not None
        assert client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).status_code == 302
        page = client.get("/training")
        assert "Set-Cookie" not in page.headers  # the new session's token was signed at sign-in, once
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None
        return client, found.group(1)

    one, one_token = signed_in("one@example.com")
    two, two_token = signed_in("two@example.com")
    assert one_token != two_token
    assert one.post("/sign-out", data={"csrf_token": two_token}).status_code == 400  # not this session's
    assert one.post("/sign-out", data={"csrf_token": one_token[:-2] + "xx"}).status_code == 400  # tampered
    assert one.post("/sign-out", data={"csrf_token": one_token}).status_code == 302
    assert two.post("/sign-out", data={"csrf_token": two_token}).status_code == 302
