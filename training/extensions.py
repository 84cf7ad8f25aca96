"""The Flask extensions, created unbound and initialised by create_app."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from flask import g
from flask_alembic import Alembic
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

from training.models import Model
from training.services.fastread import Reader
from training.web.sessions import SessionCSRFProtect

db = SQLAlchemy()
alembic = Alembic(metadatas=Model.metadata)
login_manager = LoginManager()
csrf = SessionCSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_durability(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, FULL sync so a committed record survives power loss, and FKs on."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def reader() -> Reader:
    """This request's connection for hot reads (services/fastread.py), checked out of the pool on first use.

    It reads outside any transaction (autocommit), so each statement sees what is committed, as on a GET with the
    Session; it is returned to the pool when the app context ends.
    """
    found: Reader | None = g.get("_conduit_reader")
    if found is None:
        engine = db.engine
        pooled = engine.raw_connection()
        if engine.dialect.name == "postgresql":
            pooled.driver_connection.autocommit = True  # type: ignore[union-attr]  # no BEGIN/ROLLBACK round trips
        found = g._conduit_reader = Reader(pooled, engine.dialect)
    return found


def release_reader(_: BaseException | None = None) -> None:
    found: Reader | None = g.pop("_conduit_reader", None)
    if found is not None:
        if found.dialect.name == "postgresql":
            found.connection.driver_connection.autocommit = False  # as the pool hands connections out
        found.connection.close()


IDLE_BEFORE_PING = 2.0  # seconds a pooled connection may rest before it is checked on its way out


@event.listens_for(Pool, "checkin")
def _rested_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A connection that has sat idle answers a ping before it is used; one that does not is replaced.

    Under load connections go straight back out and pay nothing; after a database restart, every connection has
    been idle for longer than this, so none fails a request. Raising DisconnectionError makes the pool retry
    with a fresh connection.
    """
    rested = record.info.get("checked_in")
    if rested is None or time.monotonic() - rested < IDLE_BEFORE_PING or isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        cursor.close()
        dbapi_connection.rollback()  # the ping began a transaction; hand the connection out as idle as it came
    except Exception as error:
        raise DisconnectionError(str(error)) from error
