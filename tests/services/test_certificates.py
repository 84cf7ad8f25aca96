"""Certificates in the service layer: codes, the certificate's facts, the PDF, and checking a code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.conftest import NOW, add_person
from training.models import Completion, Person
from training.services import NotFound
from training.services.certificates import (
    Certificate,
    certificate_for,
    certificate_id_for_attempt,
    certificate_pdf,
    new_certificate_code,
    normalise_code,
    printable,
    verify_certificate,
)
from training.services.learning import correct_answers, start_attempt, submit_attempt, wrong_answers

CODE = re.compile(r"^([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}$")
VERIFY_URL = "https://training.example.org/verify?code="


def complete(session: Session, person: Person, slug: str = "alpha-basics", *, now: dt.datetime = NOW) -> Completion:
    attempt = start_attempt(session, person.id, slug, now=now)
    outcome = submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=now)
    assert outcome.completion is not None
    session.commit()
    return outcome.completion


def pdf_text(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_a_pass_records_a_random_code_in_groups_of_four(imported: Session, learner: Person) -> None:
    other = add_person(imported, "omar@example.com", audiences=["all-staff"])
    first, second = complete(imported, learner), complete(imported, other)
    assert first.certificate_code and CODE.match(first.certificate_code)
    assert second.certificate_code and CODE.match(second.certificate_code)
    assert first.certificate_code != second.certificate_code


def test_a_failed_attempt_records_no_completion_and_so_no_certificate(imported: Session, learner: Person) -> None:
    attempt = start_attempt(imported, learner.id, "alpha-basics", now=NOW)
    submit_attempt(imported, learner.id, attempt.id, wrong_answers(attempt.questions), now=NOW)
    assert certificate_id_for_attempt(imported, learner.id, attempt.id) is None


def test_new_codes_use_only_characters_nobody_misreads() -> None:
    codes = {new_certificate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(CODE.match(code) for code in codes)
    assert not set("".join(codes)) & set("IO01")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ABCD-EFGH-JKLM-NPQR", "ABCD-EFGH-JKLM-NPQR"),
        ("abcd efgh jklm npqr", "ABCD-EFGH-JKLM-NPQR"),
        ("  ABCDEFGHJKLMNPQR\n", "ABCD-EFGH-JKLM-NPQR"),
        ("abcd–efgh—jklm-npqr", "ABCD-EFGH-JKLM-NPQR"),  # dashes a word processor substituted
        ("ABCD-EFGH-JKLM-NPQ", None),
        ("ABCD-EFGH-JKLM-NPQRS", None),
        ("ABCD-EFGH-JKLM-NPQ0", None),
        ("ABCD-EFGH-IKLM-NPQR", None),
        ("ABCD-EFGH-JKLM-NPQ%", None),
        ("", None),
    ],
)
def test_a_typed_code_is_read_loosely_but_only_from_the_alphabet(typed: str, stored: str | None) -> None:
    assert normalise_code(typed) == stored


def test_a_certificate_shows_the_person_module_version_date_and_score(imported: Session, learner: Person) -> None:
    completion = complete(imported, learner)
    certificate = certificate_for(imported, learner.id, completion.id)
    assert certificate == Certificate(
        code=completion.certificate_code or "", person_name="Lena", module_title="Alpha Basics", version="1.0.0",
        completed_at=NOW, percent=100.0, pass_mark=75,
    )  # fmt: skip
    assert certificate.completed_on == "10 March 2026"
    assert certificate.score == "100%"


def test_another_persons_certificate_is_indistinguishable_from_a_missing_one(imported: Session, learner: Person) -> None:
    completion = complete(imported, learner)
    other = add_person(imported, "omar@example.com", audiences=["all-staff"])
    with pytest.raises(NotFound):
        certificate_for(imported, other.id, completion.id)
    with pytest.raises(NotFound):
        certificate_for(imported, learner.id, completion.id + 1000)


def test_a_completion_recorded_before_certificates_gets_its_code_once(imported: Session, learner: Person) -> None:
    passed = complete(imported, learner)
    # A record from before certificates existed: everything but the code (the database refuses to clear one).
    completion = Completion(
        person_id=passed.person_id, module_id=passed.module_id, revision_id=passed.revision_id, completed_at=passed.completed_at,
        percent=passed.percent, pass_mark=passed.pass_mark, version=passed.version, major=passed.major, sha256=passed.sha256,
    )  # fmt: skip
    imported.add(completion)
    imported.commit()
    imported.expire_all()

    given = certificate_for(imported, learner.id, completion.id).code
    imported.commit()
    assert CODE.match(given)
    assert certificate_for(imported, learner.id, completion.id).code == given
    imported.expire_all()
    assert imported.get(Completion, completion.id).certificate_code == given  # type: ignore[union-attr]
    assert verify_certificate(imported, given) is not None


def test_a_code_checks_out_as_genuine_however_it_is_typed(imported: Session, learner: Person) -> None:
    completion = complete(imported, learner)
    code = completion.certificate_code or ""
    found = verify_certificate(imported, code.lower().replace("-", " "))
    assert found == certificate_for(imported, learner.id, completion.id)


def test_unknown_and_malformed_codes_are_simply_not_genuine(imported: Session, learner: Person) -> None:
    complete(imported, learner)
    assert verify_certificate(imported, "ABCD-EFGH-JKLM-NPQR") is None
    assert verify_certificate(imported, "not a code") is None
    assert verify_certificate(imported, "") is None


def test_the_pdf_prints_what_the_certificate_says(imported: Session, learner: Person) -> None:
    completion = complete(imported, learner)
    certificate = certificate_for(imported, learner.id, completion.id)
    data = certificate_pdf(certificate, verify_url=VERIFY_URL + certificate.code)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Certificate of completion" in text
    assert "Lena" in text and "Alpha Basics" in text
    assert "Version 1.0.0 · Completed 10 March 2026 · Score 100% (pass mark 75%)" in text
    assert f"Verification code {certificate.code}" in text
    assert VERIFY_URL + certificate.code in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Certificate of completion: Alpha Basics"  # type: ignore[union-attr]


def test_the_same_certificate_always_makes_the_same_pdf() -> None:
    certificate = Certificate("ABCD-EFGH-JKLM-NPQR", "Ada Byrne", "Alpha Basics", "1.2.0", NOW, 87.5, 80)
    assert certificate_pdf(certificate, verify_url=VERIFY_URL) == certificate_pdf(certificate, verify_url=VERIFY_URL)
    assert "Score 87.5% (pass mark 80%)" in pdf_text(certificate_pdf(certificate, verify_url=VERIFY_URL))


def test_names_and_titles_print_as_written_in_latin_greek_and_cyrillic_scripts() -> None:
    assert printable("Łukasz Dvořák, Олена Петрова, Γιώργος") == "Łukasz Dvořák, Олена Петрова, Γιώργος"
    assert printable("李雷") == "??"  # the embedded font has no CJK glyphs
    certificate = Certificate("ABCD-EFGH-JKLM-NPQR", "Олена Петрова", "Zones – “and” conduits", "1.0.0", NOW, 100.0, 80)
    text = pdf_text(certificate_pdf(certificate, verify_url=VERIFY_URL))
    assert "Олена Петрова" in text and "Zones – “and” conduits" in text
