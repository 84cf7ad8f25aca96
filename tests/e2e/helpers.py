"""What every journey does again and again: sign in, check a page's accessibility, look at it at
two widths, move by keyboard, and answer a quiz with the keys the server stored."""

from __future__ import annotations

import html
import re
from itertools import pairwise
from typing import Any, Literal

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from training.config import PROJECT_ROOT
from training.content import render_inline
from training.services.demo import DEMO_PASSWORD

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
WIDTHS = (1440, 375)
# WCAG 2.2 AA and axe's best practices; a serious or critical finding fails the page.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# ---------------------------------------------------------------- accessibility


def assert_accessible(page: Page) -> None:
    """axe-core finds nothing serious or critical, headings run in order, and the landmarks are there."""
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url} at {page.viewport_size}:\n" + "\n".join(_describe(v) for v in blocking)
    assert_headings_in_order(page)
    assert_landmarks(page)


def _describe(violation: dict[str, Any]) -> str:
    nodes = "\n".join(f"    {node['target']}: {node.get('failureSummary', '')}" for node in violation["nodes"][:5])
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def assert_headings_in_order(page: Page) -> None:
    """One h1 first, and no level skipped on the way down (h2 → h4 would leave a gap)."""
    levels: list[int] = page.evaluate(
        "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]"
        ".filter(h => h.getClientRects().length).map(h => Number(h.tagName[1]))"
    )
    assert levels[:1] == [1] and levels.count(1) == 1, f"{page.url}: headings {levels}"
    for before, after in pairwise(levels):
        assert after <= before + 1, f"{page.url}: heading h{after} follows h{before} in {levels}"


def assert_landmarks(page: Page) -> None:
    """A skip link to the main landmark, and banner, main and footer landmarks, once each."""
    expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")
    expect(page.locator("main#main")).to_have_count(1)
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator: a solid outline of 2px or more, or a ring it lacks unfocused."""
    focus = page.evaluate(
        """() => {
            const el = document.activeElement;
            const look = () => { const s = getComputedStyle(el); return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), ring: s.boxShadow}; };
            const focused = look();
            const visible = el.matches(':focus-visible');
            el.blur();
            const unfocused = look();
            el.focus({focusVisible: true});
            return {element: el.outerHTML.slice(0, 120), visible, focused, unfocused};
        }"""
    )
    focused, unfocused = focus["focused"], focus["unfocused"]
    outline = focused["outline"] not in ("none", "hidden") and focused["width"] >= 2
    ring = focused["ring"] != "none" and focused["ring"] != unfocused["ring"]  # a shadow it always has is no indicator
    assert focus["visible"] and (outline or ring), f"no visible focus on {focus}"


def assert_fits_width(page: Page) -> None:
    """Nothing makes the whole page scroll sideways (wide tables scroll inside their own region)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {page.viewport_size} screen"


def look_at(page: Page, name: str) -> None:
    """Check the page at desktop and phone widths, and save a screenshot of each into test-artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            assert_accessible(page)
            assert_fits_width(page)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True, animations="disabled")
    finally:
        if original:
            page.set_viewport_size(original)


# ---------------------------------------------------------------- keyboard


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until the target has focus, checking that focus is visible at every stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if is_focused(target):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


# ---------------------------------------------------------------- quizzes


def attempt_id(page: Page) -> int:
    match = re.search(r"/attempts/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def accessible_name(markdown: str) -> str:
    """The accessible name a browser computes for a rendered inline-Markdown label."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", render_inline(markdown))).split())


def question_group(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^Question {number}\b"))


def right_radio(question: dict[str, Any]) -> int:
    """Which radio of a single-choice or true/false question is right, counting from 0 in page order."""
    if question["type"] == "truefalse":
        return 0 if question["answer"] else 1  # the page lists True, then False
    return next(index for index, choice in enumerate(question["choices"]) if choice["correct"])


def answer_correctly(page: Page, questions: list[dict[str, Any]]) -> None:
    """Fill in the quiz on the page with the right answers, by role and label."""
    for number, question in enumerate(questions, start=1):
        group = question_group(page, number)
        if question["type"] in ("single", "multiple"):
            role: Literal["radio", "checkbox"] = "radio" if question["type"] == "single" else "checkbox"
            for choice in question["choices"]:
                if choice["correct"]:
                    group.get_by_role(role, name=accessible_name(choice["text"]), exact=True).check()
        elif question["type"] == "truefalse":
            group.get_by_role("radio", name="True" if question["answer"] else "False", exact=True).check()
        else:
            group.get_by_role("textbox").fill(question["accept"][0])


def answer_wrongly(page: Page, questions: list[dict[str, Any]]) -> None:
    """Fill in the quiz on the page with an answer to every question that scores nothing, by role and label."""
    for number, question in enumerate(questions, start=1):
        group = question_group(page, number)
        if question["type"] in ("single", "multiple"):
            role: Literal["radio", "checkbox"] = "radio" if question["type"] == "single" else "checkbox"
            wrong = next(choice for choice in question["choices"] if not choice["correct"])
            group.get_by_role(role, name=accessible_name(wrong["text"]), exact=True).check()
        elif question["type"] == "truefalse":
            group.get_by_role("radio", name="False" if question["answer"] else "True", exact=True).check()
        else:
            group.get_by_role("textbox").fill("not the answer")
