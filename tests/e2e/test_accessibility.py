"""What only a browser can show about access for everyone: the keyboard, focus, and errors read aloud."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

from .conftest import LiveServer
from .helpers import (
    assert_accessible,
    assert_focus_visible,
    attempt_id,
    is_focused,
    look_at,
    question_group,
    right_radio,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.e2e
TITLE = "Security Basics: Why You Are a Target"


def test_the_whole_quiz_works_by_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    email = live_server.add_person(audiences=["all-staff"])
    # A draw with every kind of question, so that each is answered by keyboard here.
    live_server.open_attempt(email, "sa-01-security-basics", with_types={"single", "multiple", "truefalse", "short"})
    sign_in(page, email, PASSWORD)
    page.goto("/modules/sa-01-security-basics/quiz")

    resume = page.get_by_role("link", name="Resume your attempt")
    tab_to(page, resume)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=f"Quiz: {TITLE}")).to_be_visible()
    assert_accessible(page)

    questions = live_server.served_questions(email, attempt_id(page))
    assert {q["type"] for q in questions} == {"single", "multiple", "truefalse", "short"}
    for number, question in enumerate(questions, start=1):
        group = question_group(page, number)
        if question["type"] in ("single", "truefalse"):
            radios = group.get_by_role("radio")
            tab_to(page, radios.first)  # Tab enters a group at its first radio; the arrows move within it
            index = right_radio(question)
            for _ in range(index):
                page.keyboard.press("ArrowDown")
            if index == 0:
                page.keyboard.press("Space")
            assert_focus_visible(page)
            expect(radios.nth(index)).to_be_checked()
        elif question["type"] == "multiple":
            boxes = group.get_by_role("checkbox")
            for index, choice in enumerate(question["choices"]):
                tab_to(page, boxes.nth(index))
                if choice["correct"]:
                    page.keyboard.press("Space")
                expect(boxes.nth(index)).to_be_checked(checked=bool(choice["correct"]))
        else:
            tab_to(page, group.get_by_role("textbox"))
            page.keyboard.type(question["accept"][0])

    tab_to(page, page.get_by_role("button", name="Submit answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=f"Passed: {TITLE}")).to_be_visible()
    expect(page.get_by_text("100%", exact=True)).to_be_visible()
    assert_accessible(page)


def test_the_skip_link_is_the_first_stop_and_lands_in_the_main_content(page: Page, live_server: LiveServer) -> None:
    sign_in(page, "learner@example.com")
    page.goto("/training")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert is_focused(skip)
    assert_focus_visible(page)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert is_focused(page.get_by_role("main"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert_focus_visible(page)


def test_sign_in_errors_are_announced_and_tied_to_their_fields(page: Page, live_server: LiveServer) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    look_at(page, "sign-in")

    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Enter your email address.")
    expect(alert).to_contain_text("Enter your password.")
    expect(alert).to_be_focused()  # a screen reader reads the summary first
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter your email address.")
    look_at(page, "sign-in-errors")

    email.fill("learner@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That email and password do not match an active account.")
    expect(page.get_by_label("Password")).to_have_accessible_description("That email and password do not match an active account.")
    assert_accessible(page)


def test_a_missing_page_explains_itself_accessibly(page: Page, live_server: LiveServer) -> None:
    sign_in(page, "learner@example.com")
    response = page.goto("/modules/no-such-module")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1, name="We could not find that page.")).to_be_visible()
    look_at(page, "error-404")
    page.get_by_role("link", name="Go to My training").click()
    expect(page.get_by_role("heading", level=1, name="My training")).to_be_visible()
