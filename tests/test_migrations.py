"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import inspect

from training.extensions import alembic, db
from training.models import Model


def test_upgrading_an_empty_database_to_head_matches_the_models(app: Flask) -> None:
    # The `app` fixture's database was built by running every migration from empty.
    with app.app_context():
        assert alembic.compare_metadata() == []
        tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Model.metadata.sorted_tables} <= tables


def test_there_is_a_single_head(app: Flask) -> None:
    with app.app_context():
        assert len(alembic.script_directory.get_heads()) == 1
