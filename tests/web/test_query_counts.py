"""Each learner page costs a small, constant number of SQL statements, and static files are cached for good.

Every round trip counts (bench/README.md): these ceilings are exact, so a page that starts issuing
one more statement, or one per row, fails here before it shows in the benchmark.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.conftest import NOW, make_app, sign_in
from training.config import PROJECT_ROOT
from training.extensions import db
from training.models import Person
from training.services import fastread
from training.services.learning import (
    correct_answers,
    get_attempt,
    mark_lesson_read,
    module_view,
    start_attempt,
    submit_attempt,
    wrong_answers,
)

# Page → the statements it may issue once this process has seen the content: one loads the signed-in
# person with their roles, the rest are the page's own.
CEILINGS = {
    "/training": 2,
    "/modules/alpha-basics": 2,
    "/modules/alpha-basics/lessons/first": 2,
    "/modules/alpha-basics/quiz": 4,
    "/attempts/{open}": 2,
    "/transcript": 2,
}


@pytest.fixture
def served(database_url: str) -> Iterator[Flask]:
    """The app as a server runs it: each request in an app context of its own. (The `session` fixture
    keeps one open for the test's data, which would let requests share the signed-in user.)"""
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(served: Flask) -> FlaskClient:
    return served.test_client()


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    def record_fast(statement: str) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    fastread.statement_listeners.append(record_fast)  # the hot reads that bypass the engine's events
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        fastread.statement_listeners.remove(record_fast)


def statements_for(app: Flask, client: FlaskClient, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: parsed and rendered content is cached per process
    with counting_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def open_attempt(imported: Session, learner: Person, slug: str = "beta-limited") -> int:
    attempt = start_attempt(imported, learner.id, slug, now=NOW)
    imported.commit()
    return attempt.id


def build_history(imported: Session, learner: Person) -> None:
    """Read every lesson, fail and pass alpha-basics' quiz: more rows behind every page."""
    view = module_view(imported, learner.id, "alpha-basics")
    for lesson in view.doc.lessons:
        mark_lesson_read(imported, learner.id, view.module_id, lesson.id, now=NOW)
    failed = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, failed.id, wrong_answers(failed.questions), now=NOW)
    passed = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, passed.id, correct_answers(get_attempt(imported, learner.id, passed.id).questions), now=NOW)
    imported.commit()


@pytest.mark.parametrize("path", list(CEILINGS))
def test_a_learner_page_issues_no_more_statements_than_its_ceiling(
    served: Flask, browser: FlaskClient, imported: Session, learner: Person, path: str
) -> None:
    url = path.format(open=open_attempt(imported, learner))
    sign_in(browser, learner.email)
    assert statements_for(served, browser, url) == CEILINGS[path]


@pytest.mark.parametrize("path", list(CEILINGS))
def test_a_learner_page_issues_as_many_statements_after_a_history_of_reading_and_attempts(
    served: Flask, browser: FlaskClient, imported: Session, learner: Person, path: str
) -> None:
    url = path.format(open=open_attempt(imported, learner))
    sign_in(browser, learner.email)
    before = statements_for(served, browser, url)
    build_history(imported, learner)
    assert statements_for(served, browser, url) == before


def test_a_signed_in_request_loads_the_sign_in_the_person_and_their_roles_in_one_statement(
    served: Flask, browser: FlaskClient, learner: Person
) -> None:
    sign_in(browser, learner.email)
    with counting_statements(served) as statements:
        assert browser.get("/transcript").status_code == 200
    loading_person = [s for s in statements if "person_roles" in s or "person_audiences" in s or "sign_ins" in s]
    assert len(loading_person) == 1
    assert "JOIN sign_ins" in loading_person[0] and "person_roles" in loading_person[0]
    assert "person_audiences" not in loading_person[0]  # audiences wait until a page asks for them


STATIC = re.compile(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"')


@pytest.fixture
def linked_static(client: FlaskClient, learner: Person) -> list[tuple[str, str, str]]:
    """(url, file, version) of every static file a signed-in page links to."""
    sign_in(client, learner.email)
    found = STATIC.findall(client.get("/training").text)
    assert found, "the page links no versioned static files"
    return found


def test_static_files_are_linked_with_a_hash_of_their_content(linked_static: list[tuple[str, str, str]]) -> None:
    for _, name, version in linked_static:
        content = (Path(PROJECT_ROOT) / "static" / name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[: len(version)]
        assert len(version) >= 8


def test_versioned_static_files_may_be_cached_for_a_year(client: FlaskClient, linked_static: list[tuple[str, str, str]]) -> None:
    for url, _, _ in linked_static:
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age == 31536000
            assert response.cache_control.public and response.cache_control.immutable


def test_an_unversioned_static_file_is_not_cached_for_a_year(client: FlaskClient) -> None:
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert not response.cache_control.immutable
        assert (response.cache_control.max_age or 0) < 31536000
