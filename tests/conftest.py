"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL when
TRAINING_TEST_DATABASE_URL is set), the app, a client, a session, and imported test content."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from training import create_app
from training.content import load_catalogue
from training.extensions import alembic, db
from training.models import Model, Person
from training.services import accounts
from training.services.accounts import create_person, find_org_unit
from training.services.assignments import sync_person
from training.services.catalogue import import_catalogue

# Cheap argon2 parameters keep each test's password hashing in microseconds; production keeps the defaults.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts._DUMMY_HASH = accounts._hasher.hash("timing-equaliser")

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CONTENT = FIXTURES / "content"
PASSWORD = "correct horse battery staple"
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _migrate(url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        alembic.upgrade()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run: a template SQLite file to copy, or the PostgreSQL test database."""
    url = os.environ.get("TRAINING_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if database_template.startswith("postgresql"):
        yield database_template
        engine = create_engine(database_template)
        tables = ", ".join(t.name for t in Model.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    target = tmp_path / "test.db"
    shutil.copy(database_template, target)
    yield f"sqlite:///{target}"


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "CONTENT_PATH": str(TEST_CONTENT),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build apps with other settings; their connection pools are closed after the test."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = make_app(database_url, **overrides)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


@pytest.fixture
def imported(session: Session) -> Session:
    """The test catalogue (tests/fixtures/content) imported at NOW."""
    catalogue = load_catalogue(TEST_CONTENT, today=NOW.date())
    assert not catalogue.errors, catalogue.errors
    import_catalogue(session, catalogue, now=NOW)
    session.commit()
    return session


def add_person(
    session: Session,
    email: str,
    *,
    audiences: list[str],
    roles: tuple[str, ...] = ("learner",),
    unit: list[str] | None = None,
    manages: list[list[str]] | None = None,
    now: dt.datetime = NOW,
) -> Person:
    org_unit = find_org_unit(session, unit, create=True) if unit else None
    managed = [find_org_unit(session, path, create=True) for path in manages or []]
    person = create_person(
        session, email=email, name=email.split("@")[0].title(), password=PASSWORD, roles=roles, audiences=audiences,
        org_unit=org_unit, manages=[m for m in managed if m is not None], now=now,
    )  # fmt: skip
    sync_person(session, person, now=now)
    session.commit()
    return person


@pytest.fixture
def learner(imported: Session) -> Person:
    return add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.text
