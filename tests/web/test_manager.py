"""The manager's reports over HTTP: scope on every page, filter, drill-down and export; files; query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.conftest import NOW, add_person, sign_in
from training.extensions import db
from training.models import OrgUnit, Person
from training.services.accounts import create_person, find_org_unit
from training.services.assignments import sync_person
from training.services.learning import correct_answers, mark_lesson_read, published_module, start_attempt, submit_attempt


def join(session: Session, email: str, *, audiences: list[str], unit: list[str] | None = None, name: str | None = None) -> Person:
    """Someone who never signs in (no password: hashing one costs more than these tests)."""
    org_unit = find_org_unit(session, unit, create=True) if unit else None
    person = create_person(
        session, email=email, name=name or email.split("@")[0].title(), password=None, audiences=audiences, org_unit=org_unit, now=NOW
    )
    sync_person(session, person, now=NOW)
    session.commit()
    return person


def unit_id(session: Session, name: str) -> int:
    found = session.scalar(select(OrgUnit.id).where(OrgUnit.name == name))
    assert found is not None
    return found


@pytest.fixture
def omar(imported: Session) -> Person:
    """Corporate IT: outside the Plant North manager's scope."""
    return join(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])


@pytest.fixture
def marcus(client: FlaskClient, imported: Session, learner: Person, omar: Person) -> Person:
    """The manager of Plant North, signed in."""
    person = add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    sign_in(client, person.email)
    return person


@pytest.fixture
def ada(client: FlaskClient, imported: Session, learner: Person, omar: Person) -> Person:
    """An administrator, signed in."""
    person = add_person(imported, "ada@example.com", audiences=[], roles=("admin",))
    sign_in(client, person.email)
    return person


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


# ---------------------------------------------------------------- access and scope


def test_a_learner_is_refused_every_report(client: FlaskClient, learner: Person, omar: Person) -> None:
    sign_in(client, learner.email)
    for path in (
        "/reports/",
        "/reports/matrix",
        f"/reports/people/{learner.id}",
        "/reports/exports",
        "/reports/exports/matrix.csv",
        "/reports/exports/overdue.xlsx",
    ):
        assert client.get(path).status_code == 403, path


def test_the_reports_link_appears_for_managers(client: FlaskClient, marcus: Person) -> None:
    assert '<a href="/reports/"' in client.get("/training").text


def test_a_manager_sees_only_the_people_they_manage(
    client: FlaskClient, imported: Session, marcus: Person, learner: Person, omar: Person
) -> None:
    dashboard = client.get("/reports/").text
    assert "Plant North" in dashboard and "Corporate IT" not in dashboard
    matrix = client.get("/reports/matrix").text
    assert "Lena" in matrix and "Omar" not in matrix and "omar@example.com" not in matrix
    assert f"/reports/people/{learner.id}" in matrix
    assert client.get(f"/reports/people/{learner.id}").status_code == 200
    assert "Omar" not in client.get("/reports/matrix?status=overdue&sort=-name").text
    assert "Corporate IT" not in client.get("/reports/matrix").text  # not even as a filter choice


@pytest.mark.parametrize(
    "path",
    [
        "/reports/people/{omar}",
        "/reports/?unit={it}",
        "/reports/matrix?unit={it}",
        "/reports/exports?unit={it}",
        "/reports/exports/matrix.csv?unit={it}",
        "/reports/exports/matrix.xlsx?unit={it}",
        "/reports/exports/overdue.csv?unit={it}",
        "/reports/exports/overdue.xlsx?unit={it}",
        "/reports/people/999999",
        "/reports/matrix?unit=999999",
        "/reports/matrix?module=no-such-module",
        "/reports/matrix?audience=no-such-audience",
        "/reports/exports/matrix.csv?module=no-such-module",
        "/reports/exports/overdue.csv?audience=no-such-audience",
    ],
)
def test_a_manager_cannot_reach_other_people_by_changing_ids(
    client: FlaskClient, imported: Session, marcus: Person, omar: Person, path: str
) -> None:
    assert client.get(path.format(omar=omar.id, it=unit_id(imported, "Corporate IT"))).status_code == 404


def test_every_export_of_a_manager_leaves_out_people_outside_their_scope(client: FlaskClient, marcus: Person) -> None:
    for report in ("matrix", "overdue"):
        assert {row["Email"] for row in csv_rows(client.get(f"/reports/exports/{report}.csv"))} == {"lena@example.com"}, report
        emails = {row[1] for row in xlsx_rows(client.get(f"/reports/exports/{report}.xlsx"))[1:]}
        assert emails == {"lena@example.com"}, report


def test_a_filter_on_a_module_or_audience_outside_the_scope_shows_nobody_outside_it(
    client: FlaskClient, imported: Session, marcus: Person, omar: Person
) -> None:
    # Omar (Corporate IT) is in all-staff and required alpha-basics; inside Plant North those filters never reach him.
    all_staff = client.get("/reports/matrix?audience=all-staff")
    assert all_staff.status_code == 200 and "Omar" not in all_staff.text and "No one matches these filters." in all_staff.text
    for path in ("/reports/matrix?module=alpha-basics", "/reports/matrix?status=never-started"):
        page = client.get(path)
        assert page.status_code == 200 and "Omar" not in page.text and "Lena" in page.text, path
    assert {row["Email"] for row in csv_rows(client.get("/reports/exports/matrix.csv?module=alpha-basics"))} == {"lena@example.com"}
    assert csv_rows(client.get("/reports/exports/overdue.csv?audience=all-staff")) == []


def test_a_page_number_far_past_the_end_is_an_empty_page_not_an_error(client: FlaskClient, marcus: Person) -> None:
    for page in ("99999999999999999999", "1000000", "-5", "x"):
        response = client.get(f"/reports/matrix?page={page}")
        assert response.status_code == 200, page


def test_an_admin_sees_everyone(client: FlaskClient, ada: Person, omar: Person) -> None:
    assert "Corporate IT" in client.get("/reports/").text
    matrix = client.get("/reports/matrix").text
    assert "Lena" in matrix and "Omar" in matrix
    assert client.get(f"/reports/people/{omar.id}").status_code == 200
    assert {row["Email"] for row in csv_rows(client.get("/reports/exports/overdue.csv"))} == {"lena@example.com", "omar@example.com"}


def test_a_drill_down_inside_the_scope_narrows_every_page(client: FlaskClient, imported: Session, marcus: Person) -> None:
    join(imported, "eli@example.com", audiences=["all-staff"], unit=["Plant North", "Engineering"])
    operations = unit_id(imported, "Operations")
    assert "<h1>Operations</h1>" in client.get(f"/reports/?unit={operations}").text
    matrix = client.get(f"/reports/matrix?unit={operations}").text
    assert "Lena" in matrix and "Eli" not in matrix
    assert [row["Name"] for row in csv_rows(client.get(f"/reports/exports/matrix.csv?unit={operations}"))] == ["Lena"]


# ---------------------------------------------------------------- pages


def test_the_dashboard_draws_each_chart_as_svg_with_a_table_of_the_numbers(client: FlaskClient, marcus: Person) -> None:
    page = client.get("/reports/").text
    for chart in ("by-unit", "by-audience", "by-module", "by-month"):
        figure = re.search(rf'<figure class="chart[^"]*" id="{chart}" aria-labelledby="{chart}-title">(.*?)</figure>', page, re.S)
        assert figure is not None, chart
        assert '<svg class="' in figure.group(1) and 'role="img"' in figure.group(1)
        assert "<table" in figure.group(1) and "<summary>Show the numbers</summary>" in figure.group(1)
    assert '<rect class="seg seg-overdue"' in page  # the test content was assigned in March 2026
    assert "reports.css" in page


def test_the_matrix_shows_a_status_word_and_date_in_each_cell(client: FlaskClient, marcus: Person) -> None:
    page = client.get("/reports/matrix?module=beta-limited").text
    assert re.search(r'badge badge-overdue">.*?Overdue</span>\s*<span class="cell-date">Due <time datetime="2026-03-24">', page, re.S)
    assert "Showing people 1–1 of 1." in page


def test_the_person_page_shows_assignments_with_their_rules_and_attempts(
    client: FlaskClient, imported: Session, marcus: Person, learner: Person
) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    imported.commit()
    page = client.get(f"/reports/people/{learner.id}").text
    assert "ot-operator: due within 14 days of assignment" in page
    assert "Passed" in page and "75%" in page and "1.0.0" in page


def test_the_exports_page_keeps_the_matrix_filters(client: FlaskClient, marcus: Person) -> None:
    page = client.get("/reports/exports?status=overdue&module=beta-limited").text
    assert "/reports/exports/matrix.csv?module=beta-limited&amp;status=overdue" in page
    assert "/reports/exports/overdue.xlsx?module=beta-limited&amp;status=overdue" in page


# ---------------------------------------------------------------- files


def test_exports_are_streamed_and_named_by_report_and_date(client: FlaskClient, marcus: Person) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    response = client.get("/reports/exports/matrix.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="conduit-matrix-{today}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/csv"
    xlsx = client.get("/reports/exports/overdue.xlsx")
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="conduit-overdue-{today}.xlsx"'
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get("/reports/exports/matrix.pdf").status_code == 404


def test_the_matrix_export_honours_the_filters(client: FlaskClient, marcus: Person) -> None:
    rows = csv_rows(client.get("/reports/exports/matrix.csv?module=beta-limited&status=overdue"))
    assert [(row["Name"], row["BETA-LIMITED status"], row["BETA-LIMITED due"]) for row in rows] == [("Lena", "Overdue", "2026-03-24")]
    assert csv_rows(client.get("/reports/exports/matrix.csv?status=current")) == []


def test_text_a_spreadsheet_would_run_is_exported_as_text(client: FlaskClient, imported: Session, ada: Person) -> None:
    join(imported, "mallory@example.com", audiences=["all-staff"], unit=["Corporate IT"], name='=HYPERLINK("http://evil.example","x")')
    names = {row["Name"] for row in csv_rows(client.get("/reports/exports/matrix.csv"))}
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    cells = {row[0] for row in xlsx_rows(client.get("/reports/exports/overdue.xlsx"))[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in cells


# ---------------------------------------------------------------- the number of queries


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow_plant_north(session: Session, start: int, end: int) -> None:
    """People with some history: every third one read a lesson, every fourth passed a module."""
    alpha, _ = published_module(session, "alpha-basics")
    for n in range(start, end):
        person = join(
            session, f"op{n}@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations" if n % 2 else "Engineering"]
        )
        if n % 3 == 0:
            mark_lesson_read(session, person.id, alpha, "first", now=NOW)
        if n % 4 == 0:
            attempt = start_attempt(session, person.id, "alpha-basics", now=NOW)
            submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=NOW)
        session.commit()


def test_the_number_of_queries_per_report_page_does_not_grow_with_the_organisation(
    app: Flask, client: FlaskClient, imported: Session, marcus: Person, learner: Person
) -> None:
    operations = unit_id(imported, "Operations")
    pages = [
        "/reports/",
        f"/reports/?unit={operations}",
        "/reports/matrix",
        "/reports/matrix?status=overdue&audience=ot-operator",
        "/reports/matrix?module=alpha-basics&sort=-due",
        f"/reports/people/{learner.id}",
        "/reports/exports",
    ]

    def queries() -> dict[str, int]:
        counted = {}
        for page in pages:
            with counting_statements(app) as statements:
                assert client.get(page).status_code == 200, page
            counted[page] = len(statements)
        return counted

    grow_plant_north(imported, 0, 4)
    small = queries()
    grow_plant_north(imported, 4, 49)
    large = queries()

    assert large == small
    assert max(small.values()) <= 12
