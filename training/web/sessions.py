"""The session cookie: a small JSON object signed with HMAC-SHA256, read and written without itsdangerous.

Flask's default cookie session builds a serializer, derives its key and walks a tagged-JSON encoding on every
request: about 60 µs, a third of what hello-world costs in all. This cookie holds only strings, numbers and
booleans (Flask-Login's sign-in token, the CSRF secret, flashed messages), is signed with a key derived once,
and costs about 10 µs. How long a sign-in lasts is decided on the server (sign_ins.expires_at), not by the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from flask import Flask, Request, Response, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFProtect, generate_csrf, same_origin, validate_csrf
from wtforms.validators import ValidationError

_SALT = b"conduit-session-v1"
_MAX_COOKIE = 3800  # browsers keep 4 KB per cookie; a larger session is a bug, not something to sign


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SignedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session with a cheaper encoding: base64(JSON) '.' base64(HMAC-SHA256)."""

    def __init__(self) -> None:
        self._keys: dict[tuple[Any, ...], list[bytes]] = {}

    def _signing_keys(self, app: Flask) -> list[bytes]:
        """The current key first, then any fallbacks (SECRET_KEY_FALLBACKS), each derived once per process."""
        secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        keys = self._keys.get(secrets)
        if keys is None:
            raw = [s.encode() if isinstance(s, str) else bytes(s) for s in secrets if s]
            keys = self._keys[secrets] = [hmac.new(secret, _SALT, hashlib.sha256).digest() for secret in raw]
        return keys

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        keys = self._signing_keys(app)
        if not keys:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        payload, _, signature = value.rpartition(".")
        if payload and signature:
            for key in keys:
                expected = _b64encode(hmac.new(key, payload.encode("ascii", "replace"), hashlib.sha256).digest())
                if hmac.compare_digest(expected, signature):
                    try:
                        data = json.loads(_b64decode(payload))
                    except ValueError:
                        break
                    if isinstance(data, dict):
                        return self.session_class(data)
                    break
        return self.session_class()  # unsigned, forged or from an older format: start afresh

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        secure, samesite, httponly = self.get_cookie_secure(app), self.get_cookie_samesite(app), self.get_cookie_httponly(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(name, domain=domain, path=path, secure=secure, samesite=samesite, httponly=httponly)
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        payload = _b64encode(json.dumps(dict(session), separators=(",", ":"), default=list).encode())
        value = f"{payload}.{_b64encode(hmac.new(self._signing_keys(app)[0], payload.encode(), hashlib.sha256).digest())}"
        if len(value) > _MAX_COOKIE:
            raise ValueError(f"the session cookie would be {len(value)} bytes; keep large state in the database")
        response.set_cookie(
            name, value, expires=self.get_expiration_time(app, session), httponly=httponly, domain=domain, path=path,
            secure=secure, samesite=samesite,
        )  # fmt: skip
        response.vary.add("Cookie")


def csrf_token() -> str:
    """The CSRF token for forms, signed once per session and kept in it (Flask-WTF signs it anew on every page).

    The token signs the session's CSRF secret, which lives as long as the session does, and Conduit sets no time
    limit on tokens, so the signed value never changes within a session. Flask-WTF still checks it on every POST.
    """
    signed = session.get("_csrf_signed")
    if signed is None or "csrf_token" not in session:
        signed = session["_csrf_signed"] = generate_csrf()
    return str(signed)


class SessionCSRFProtect(CSRFProtect):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Flask-WTF's CSRF protection, checking first against the token this session was issued.

    A POST whose token is exactly the one csrf_token() signed for this session is genuine; comparing it costs a
    microsecond where Flask-WTF's check derives a key and verifies a signature (about 40 µs). Any other token still
    goes through Flask-WTF's own validation, and the HTTPS referrer check is Flask-WTF's, unchanged.
    """

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        token = self._get_csrf_token()
        issued = session.get("_csrf_signed") if "csrf_token" in session else None
        if not (isinstance(token, str) and isinstance(issued, str) and hmac.compare_digest(token, issued)):
            try:
                validate_csrf(token)
            except ValidationError as error:
                self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
