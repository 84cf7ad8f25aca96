"""The manager's journey in a real browser: dashboard, a filtered matrix, one person's record, the CSV."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from .conftest import LiveServer
from .helpers import look_at, sign_in

pytestmark = pytest.mark.e2e

MANAGER = "manager@example.com"  # the demo's Marcus Reed, who manages Plant North


def test_manager_opens_the_dashboard_filters_the_matrix_opens_a_person_and_downloads_the_csv(page: Page, live_server: LiveServer) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_text("Compliance dashboard")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    look_at(page, "manager-dashboard")

    page.get_by_role("link", name="Open the matrix").click()
    expect(page.get_by_role("heading", level=1, name="People × required modules")).to_be_visible()
    look_at(page, "manager-matrix")

    # Only Plant North's operators, and only where something is overdue.
    page.get_by_label("Org unit", exact=True).select_option(label="Plant North › Operations")
    page.get_by_label("Status", exact=True).select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("with a module overdue")).to_be_visible()
    matrix = page.get_by_role("table")
    people = matrix.get_by_role("rowheader")
    expect(people.first).to_be_visible()
    names = [name.split("\n")[0].strip() for name in people.all_inner_texts()]
    assert "Tom Walsh" in names  # joined 75 days ago and has done almost nothing
    for row in matrix.locator("tbody").get_by_role("row").all():
        expect(row).to_contain_text("Overdue")  # a word beside the colour, in every row
        expect(row).to_contain_text("Plant North › Operations")
    look_at(page, "manager-matrix-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    name_column = next(index for index, title in enumerate(header) if "name" in title.lower())
    assert sorted(row[name_column] for row in body) == sorted(names)  # the download is what the page showed

    matrix.get_by_role("link", name="Tom Walsh").click()
    expect(page.get_by_role("heading", level=1, name="Tom Walsh")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Required training")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Overdue")
    look_at(page, "manager-person")
