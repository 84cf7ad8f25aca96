"""A database restart costs no failed request: a connection that sat idle is checked before use."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from training import extensions
from training.extensions import db


def test_connections_the_database_dropped_while_idle_are_replaced_without_an_error(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # a pooled connection now exists
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            # A SQLite file has no server to restart; its connections are never pinged.
            assert extensions.IDLE_BEFORE_PING > 0
            return
        backends = [
            row[0]
            for row in db.session.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            )
        ]
        db.session.rollback()
    monkeypatch.setattr(extensions, "IDLE_BEFORE_PING", 0.0)  # every pooled connection counts as rested
    with app.app_context():
        outside = create_engine(db.engine.url, poolclass=NullPool)  # not from the pool whose connections are dropped
    with outside.connect() as killer:
        for pid in backends:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outside.dispose()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
