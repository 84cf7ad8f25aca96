"""Checking a certificate's code on the public page, signed out, as an auditor or employer would."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from training.models import Completion, Person

from .conftest import LiveServer
from .helpers import look_at

pytestmark = pytest.mark.e2e


def a_certificate_code_of(live_server: LiveServer, email: str) -> str:
    with live_server.session() as session:
        code = session.scalar(
            select(Completion.certificate_code).join(Person, Person.id == Completion.person_id).where(Person.email == email).limit(1)
        )
    assert code is not None
    return code


def test_anyone_can_tell_a_genuine_certificate_from_a_made_up_one(page: Page, live_server: LiveServer) -> None:
    code = a_certificate_code_of(live_server, "learner@example.com")
    page.goto("/verify")
    expect(page.get_by_role("heading", level=1, name="Verify a certificate")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    look_at(page, "verify")

    page.get_by_label("Verification code").fill(code.lower().replace("-", " "))  # typed from paper, loosely
    page.get_by_role("button", name="Check the code").click()
    result = page.get_by_role("region", name="Genuine certificate")
    expect(result).to_be_visible()
    expect(result).to_contain_text("Lena Ortiz")
    expect(result).to_contain_text(code)
    expect(result).not_to_contain_text("learner@example.com")
    look_at(page, "verify-genuine")

    page.get_by_label("Verification code").fill("ABCD-EFGH-JKLM-NPQR")
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("region", name="Not a genuine certificate")).to_be_visible()
    expect(page.get_by_text("Lena Ortiz")).to_have_count(0)
    look_at(page, "verify-not-genuine")


def test_a_code_that_cannot_be_one_is_explained_to_screen_readers(page: Page, live_server: LiveServer) -> None:
    page.goto("/verify")
    page.get_by_label("Verification code").fill("12345")
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the 16-character code printed on the certificate")
    field = page.get_by_label("Verification code")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "16 letters and digits, as printed: for example ABCD-EFGH-JKLM-NPQR. "
        "Enter the 16-character code printed on the certificate, for example ABCD-EFGH-JKLM-NPQR."
    )
    look_at(page, "verify-error")
