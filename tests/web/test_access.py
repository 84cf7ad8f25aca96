"""Every route declares who may use it, and the declaration is enforced."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import add_person, sign_in
from training.web.access import POLICY_ROLES, policy_for

PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def test_every_endpoint_declares_a_policy(app: Flask) -> None:
    undeclared = sorted({rule.endpoint for rule in app.url_map.iter_rules() if policy_for(rule.endpoint) not in POLICY_ROLES})
    assert undeclared == []


def concrete(path: str) -> str:
    return PLACEHOLDER.sub(lambda m: "1" if m.group(1) == "int" else "x", path)


def protected_rules(app: Flask) -> list[tuple[str, str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        policy = policy_for(rule.endpoint)
        if policy == "public":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, method, concrete(rule.rule)))
    return rules


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(app_factory: Callable[..., Flask]) -> None:
    app = app_factory()
    client = app.test_client()
    checked = 0
    for endpoint, method, path in protected_rules(app):
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith("/sign-in?next="), endpoint
        else:
            assert response.status_code in (400, 401), endpoint
        checked += 1
    assert checked >= 8


def test_a_plain_learner_is_refused_every_route_above_signed_in(app_factory: Callable[..., Flask]) -> None:
    app = app_factory()
    client = app.test_client()
    with app.app_context():
        from training.extensions import db

        add_person(db.session, "plain@example.com", audiences=[])
    sign_in(client, "plain@example.com")
    refused = 0
    for rule in app.url_map.iter_rules():
        if policy_for(rule.endpoint) in ("public", "signed-in"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert client.open(concrete(rule.rule), method=method).status_code == 403, rule.endpoint
            refused += 1
    assert refused >= 5  # the manager's reports at least


def test_health_check_is_public(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
