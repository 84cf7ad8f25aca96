"""Who may use which route: every blueprint declares a policy, enforced before each request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

# policy → the permission roles that satisfy it (None: nobody needs to sign in; empty: any signed-in person)
POLICY_ROLES: dict[str, frozenset[str] | None] = {
    "public": None,
    "signed-in": frozenset(),
    "manager": frozenset({"manager", "admin"}),
    "author": frozenset({"author", "admin"}),
    "admin": frozenset({"admin"}),
}
BLUEPRINT_POLICIES: dict[str, str] = {}
# Endpoints that belong to no blueprint.
ENDPOINT_POLICIES: dict[str, str] = {"static": "public"}


def policy_for(endpoint: str) -> str | None:
    if endpoint in ENDPOINT_POLICIES:
        return ENDPOINT_POLICIES[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return BLUEPRINT_POLICIES.get(blueprint) if blueprint else None


def protect(blueprint: Blueprint, policy: str) -> Blueprint:
    """Declare the blueprint's policy and guard every one of its routes with it."""
    if policy not in POLICY_ROLES:
        raise ValueError(f"unknown policy {policy!r}")
    BLUEPRINT_POLICIES[blueprint.name] = policy
    roles = POLICY_ROLES[policy]

    @blueprint.before_request
    def guard() -> ResponseReturnValue | None:
        if roles is None:
            return None
        user = current_user._get_current_object()
        if not user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(401)
        if roles and not (roles & user.roles):
            abort(403)
        return None

    return blueprint


def safe_next(target: str | None) -> str | None:
    """Accept only a relative path on this site as a post-sign-in destination."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
