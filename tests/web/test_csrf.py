"""A POST without a CSRF token is refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

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
