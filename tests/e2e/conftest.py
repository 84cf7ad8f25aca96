"""Browser journeys: Conduit served on loopback (real migrations, the shipped content, the demo
organisation, CSRF on) and driven by Debian's Chromium through pytest-playwright."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.conftest import PASSWORD
from training import create_app
from training.config import PROJECT_ROOT
from training.content import load_catalogue
from training.extensions import alembic, db
from training.models import Person
from training.services.accounts import create_person, find_org_unit
from training.services.assignments import sync_person
from training.services.catalogue import import_catalogue
from training.services.demo import seed_demo
from training.services.learning import get_attempt, start_attempt

# Debian's Chromium: Playwright's own browser download does not work here, and CI installs this one.
CHROMIUM = os.environ.get("CONDUIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1440, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every browser test `e2e` and run them last: the fast layers report first, and
    Playwright's event loop (alive until the session ends) never sits under another test."""
    e2e_dir = Path(__file__).parent
    browser_tests = [item for item in items if e2e_dir in Path(str(item.path)).parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


# ---------------------------------------------------------------- the app under test


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep the request log out of test output; failures show the page instead."""


@dataclass
class LiveServer:
    """The app serving on 127.0.0.1, and a way into its database for what a page cannot tell a test."""

    app: Flask
    url: str
    _emails: count[int] = field(default_factory=lambda: count(1))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.app.app_context():
            yield db.session

    def person(self, email: str) -> Person:
        with self.session() as session:
            person = session.scalar(select(Person).where(Person.email == email))
            assert person is not None, email
            session.expunge(person)
            return person

    def served_questions(self, email: str, attempt_id: int) -> list[dict[str, Any]]:
        """The questions (with their keys) the server drew for an attempt, as stored on its row."""
        with self.session() as session:
            return list(get_attempt(session, self.person(email).id, attempt_id).questions)

    def open_attempt(self, email: str, slug: str, *, with_types: set[str]) -> int:
        """Open a person's attempt at a module whose draw includes these question types (trying seeds in turn)."""
        now = dt.datetime.now(dt.UTC)
        with self.session() as session:
            person_id = self.person(email).id
            for seed in range(200):
                attempt = start_attempt(session, person_id, slug, now=now, rng=random.Random(seed))
                if with_types <= {q["type"] for q in attempt.questions}:
                    session.commit()
                    return attempt.id
                session.rollback()
        raise AssertionError(f"no draw of {slug} holds every one of {sorted(with_types)}")

    def add_person(self, *, audiences: list[str], roles: tuple[str, ...] = ("learner",), unit: list[str] | None = None) -> str:
        """A new person (any roles) who signs in with PASSWORD, with their assignments; returns their email."""
        email = f"e2e-{next(self._emails)}-{secrets.token_hex(3)}@example.com"
        now = dt.datetime.now(dt.UTC)
        with self.session() as session:
            org_unit = find_org_unit(session, unit, create=True) if unit else None
            person = create_person(
                session, email=email, name=f"Test Person {email.split('-')[1]}", password=PASSWORD, roles=roles,
                audiences=audiences, org_unit=org_unit, now=now,
            )  # fmt: skip
            sync_person(session, person, now=now)
            session.commit()
        return email


def _prepare_database(app: Flask) -> None:
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        alembic.upgrade()
        catalogue = load_catalogue(Path(app.config["CONTENT_PATH"]), today=now.date())
        assert not catalogue.errors, catalogue.errors
        import_catalogue(db.session, catalogue, now=now)
        db.session.commit()
        seed_demo(db.session, now=now)
        db.session.commit()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A fresh SQLite file, migrated, with content/ imported and the demo seeded, served in a thread."""
    database = tmp_path_factory.mktemp("e2e") / "conduit.db"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": secrets.token_hex(32),
            "CONTENT_PATH": str(PROJECT_ROOT / "content"),
            "WTF_CSRF_ENABLED": True,
        }
    )
    _prepare_database(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="conduit-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


# ---------------------------------------------------------------- the browser (pytest-playwright's fixtures, adjusted)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).is_file():
        # Fail, never skip: a journey that silently does not run proves nothing.
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (or set CONDUIT_CHROMIUM)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB", "timezone_id": "UTC", "accept_downloads": True}


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """The test's page, failing the test on any browser console error (a CSP violation, a broken script)."""
    errors: list[str] = []

    def remember(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url")
        if message.text.startswith("Failed to load resource") and source == page.url:
            return  # the page itself answered 4xx, which a test asks for on purpose and checks
        errors.append(f"{message.text} at {source}")

    page.on("console", remember)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    assert not errors, "console errors:\n" + "\n".join(errors)
