"""Small SQL helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=keys).returning(*table.primary_key.columns)
    # RETURNING, not rowcount: drivers disagree on rowcount for a skipped ON CONFLICT insert.
    return session.execute(statement).first() is not None


def upsert_if_older(
    session: Session, table: Table, values: dict[str, Any], keys: list[str], *, column: str, older_than: dt.datetime
) -> bool:
    """INSERT, or on conflict move `column` to the new value if the stored one is older than `older_than`.

    True when a row was inserted or moved; a row that is recent enough is left alone and False is returned.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    proposed = insert(table).values(**values)
    statement = proposed.on_conflict_do_update(
        index_elements=keys, set_={column: proposed.excluded[column]}, where=table.c[column] < older_than
    ).returning(*table.primary_key.columns)
    return session.execute(statement).first() is not None
