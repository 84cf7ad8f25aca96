"""The learner's journey in a real browser: sign in, read a module, fail, retry, pass, and keep the record."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import LiveServer
from .helpers import SCREENSHOTS, answer_correctly, answer_wrongly, assert_accessible, attempt_id, look_at, sign_in

pytestmark = pytest.mark.e2e

LEARNER = "learner@example.com"  # the demo's Lena Ortiz, who moved into an OT role ten days ago
MODULE = "Security on the Plant Floor: Operator Awareness and Safety"  # new to her: not started


def test_learner_reads_a_module_fails_the_quiz_retries_passes_and_sees_it_on_the_transcript(page: Page, live_server: LiveServer) -> None:
    sign_in(page, LEARNER)
    expect(page.get_by_role("heading", level=1, name="My training")).to_be_visible()
    look_at(page, "learner-my-training")

    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=MODULE))
    expect(card).to_contain_text("Not started")
    card.get_by_role("link", name=MODULE).click()
    expect(page.get_by_role("heading", level=1, name=MODULE)).to_be_visible()
    version = re.search(r"version (\d+\.\d+\.\d+)", page.get_by_role("article").text_content() or "")[1]  # type: ignore[index]
    look_at(page, "learner-module")

    contents = page.get_by_role("navigation", name="Lessons in this module")
    expect(contents).to_contain_text(re.compile(r"0 of \d+ read"))
    lessons = int(re.search(r"0 of (\d+) read", contents.text_content() or "")[1])  # type: ignore[index]
    page.get_by_role("link", name="Start reading").click()
    for number in range(1, lessons + 1):
        expect(page.get_by_text(f"Lesson {number} of {lessons}", exact=True)).to_be_visible()
        if number == 1:
            look_at(page, "learner-lesson")
        else:
            assert_accessible(page)
        last = number == lessons
        page.get_by_role("button", name="Finish and take the quiz" if last else "Next", exact=True).click()

    expect(page.get_by_role("heading", level=2, name="Check your understanding")).to_be_visible()
    expect(contents).to_contain_text(f"{lessons} of {lessons} read")
    look_at(page, "learner-quiz-start")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", level=1, name=f"Quiz: {MODULE}")).to_be_visible()
    look_at(page, "learner-quiz")

    # Nothing answered: refused, with the reason announced, and no attempt spent.
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("alert")).to_have_text("Answer at least one question before you submit.")
    expect(page.get_by_role("heading", level=1, name=f"Quiz: {MODULE}")).to_be_visible()

    # Every answer wrong: a fail, with every question marked in words, not only in colour.
    answer_wrongly(page, live_server.served_questions(LEARNER, attempt_id(page)))
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1, name=f"Not passed yet: {MODULE}")).to_be_visible()
    expect(page.get_by_text("0%", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Not correct · 0 of \d+ points?"))).to_have_count(8)
    expect(page.get_by_text(re.compile(r"Correct ·|Partly correct ·"))).to_have_count(0)
    expect(page.get_by_role("link", name="Download your certificate (PDF)")).to_have_count(0)
    look_at(page, "learner-result-fail")

    page.get_by_role("button", name="Try again").click()
    assert_accessible(page)
    answer_correctly(page, live_server.served_questions(LEARNER, attempt_id(page)))
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1, name=f"Passed: {MODULE}")).to_be_visible()
    expect(page.get_by_text("100%", exact=True)).to_be_visible()
    look_at(page, "learner-result-pass")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    text = " ".join(PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text().split())
    assert "Lena Ortiz" in text
    assert MODULE in text
    assert re.search(rf"Version {re.escape(version)} · Completed \d{{1,2}} \w+ 20\d\d · Score 100% \(pass mark 80%\)", text), text
    assert re.search(r"Verification code ([A-Z2-9]{4}-){3}[A-Z2-9]{4}", text), text

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Transcript").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=MODULE, exact=True))
    expect(row).to_contain_text(version)
    expect(row).to_contain_text("100%")
    expect(row.get_by_role("link", name=f"Certificate for {MODULE} version {version} (PDF)")).to_be_visible()
    look_at(page, "learner-transcript")

    # On paper: the record without the site's chrome or the download links.
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(row.get_by_role("link", name=re.compile("Certificate for"))).to_be_hidden()
    expect(row).to_contain_text(version)
    page.screenshot(path=SCREENSHOTS / "learner-transcript-print.png", full_page=True)
    page.emulate_media(media="screen")
