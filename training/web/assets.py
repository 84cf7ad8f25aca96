"""Static files under content-hashed URLs, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, url_for


def register_static_helpers(app: Flask) -> None:
    static_root = Path(app.static_folder or "static")

    @lru_cache(maxsize=256)
    def digest(filename: str) -> str:
        path = static_root / filename
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=digest(filename))

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def cache_static(response):  # type: ignore[no-untyped-def]
        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
