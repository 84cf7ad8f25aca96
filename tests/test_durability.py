"""SQLite is set up to keep what it commits."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from training.extensions import db


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            return
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
