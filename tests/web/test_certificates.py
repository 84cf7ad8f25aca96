"""Certificates over HTTP: a learner downloads their own, and anyone may check a code on /verify."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import add_person, sign_in
from training.models import Completion, Person, QuizAttempt
from training.services.learning import correct_answers


def pass_the_quiz(client: FlaskClient, session: Session, slug: str = "alpha-basics") -> int:
    started = client.post(f"/modules/{slug}/quiz")
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    client.post(f"/attempts/{attempt_id}", data=correct_answers(attempt.questions))
    return attempt_id


def completion_of(session: Session, person: Person) -> Completion:
    completion = session.scalar(select(Completion).where(Completion.person_id == person.id))
    assert completion is not None
    return completion


def test_a_learner_downloads_the_certificate_of_their_own_pass(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = pass_the_quiz(client, session)
    completion = completion_of(session, learner)
    result = client.get(f"/attempts/{attempt_id}/result").text
    assert f'href="/certificates/{completion.id}.pdf"' in result and "Download your certificate (PDF)" in result

    response = client.get(f"/certificates/{completion.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="conduit-certificate-{completion.id}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Lena" in text and "Alpha Basics" in text and f"Verification code {completion.certificate_code}" in text
    # The link is built from TRAINING_BASE_URL, whatever Host header the request came with.
    assert f"http://localhost:5000/verify?code={completion.certificate_code}" in text
    spoofed = client.get(f"/certificates/{completion.id}.pdf", headers={"Host": "evil.example"})
    assert "evil.example" not in " ".join(PdfReader(io.BytesIO(spoofed.data)).pages[0].extract_text().split())


def test_a_failed_result_offers_no_certificate(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    started = client.post("/modules/alpha-basics/quiz")
    attempt_path = started.headers["Location"]
    client.post(attempt_path, data={})
    assert "/certificates/" not in client.get(f"{attempt_path}/result").text


def test_the_transcript_links_each_completion_to_its_certificate(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    pass_the_quiz(client, session)
    completion = completion_of(session, learner)
    transcript = client.get("/transcript").text
    assert re.search(
        rf'<a class="no-print" href="/certificates/{completion.id}\.pdf" download>Certificate<span class="visually-hidden"> for Alpha Basics '
        rf"version 1\.0\.0</span> \(PDF\)</a>",
        transcript,
    )
    assert f"Code <code>{completion.certificate_code}</code>" in transcript  # printed with the transcript, to be checked


def test_someone_elses_certificate_is_404(client: FlaskClient, learner: Person, session: Session, imported: Session) -> None:
    sign_in(client, learner.email)
    pass_the_quiz(client, session)
    completion = completion_of(session, learner)
    other = add_person(imported, "omar@example.com", audiences=["all-staff"])
    client.post("/sign-out")
    sign_in(client, other.email)
    assert client.get(f"/certificates/{completion.id}.pdf").status_code == 404
    assert client.get(f"/certificates/{completion.id + 1000}.pdf").status_code == 404


def test_signed_out_visitors_are_asked_to_sign_in_for_a_certificate(client: FlaskClient, learner: Person) -> None:
    response = client.get("/certificates/1.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_anyone_can_open_the_verify_page(client: FlaskClient) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert '<label for="code">Verification code</label>' in page.text
    assert 'method="get"' in page.text
    assert "Genuine certificate" not in page.text and "Not a genuine certificate" not in page.text
    assert page.headers["X-Robots-Tag"] == "noindex"


def test_a_genuine_code_shows_only_what_the_certificate_shows(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    pass_the_quiz(client, session)
    code = completion_of(session, learner).certificate_code or ""
    client.post("/sign-out")
    page = client.get("/verify", query_string={"code": code.lower()}).text
    assert "Genuine certificate" in page
    for shown in ("Lena", "Alpha Basics", "1.0.0", "100% (pass mark 75%)", code):
        assert shown in page, shown
    for hidden in (learner.email, "Plant North", "Operations"):
        assert hidden not in page, hidden


def test_an_unknown_code_is_not_genuine(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    pass_the_quiz(client, session)
    client.post("/sign-out")
    page = client.get("/verify?code=ABCD-EFGH-JKLM-NPQR").text
    assert "Not a genuine certificate" in page and "Lena" not in page


def test_a_code_that_cannot_be_one_is_an_error_tied_to_the_field(client: FlaskClient) -> None:
    page = client.get("/verify?code=%3Cscript%3E").text
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="code-hint code-error"' in page
    assert "Enter the 16-character code printed on the certificate" in page
    assert "<script>" not in page and 'value="&lt;script&gt;"' in page
    assert "Not a genuine certificate" not in page
