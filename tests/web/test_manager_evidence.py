"""The evidence pack page: a manager downloads the pack for the people they manage, and nobody else's."""

from __future__ import annotations

import csv
import io
import zipfile

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import NOW, add_person, sign_in
from training.models import Person
from training.services.learning import correct_answers, start_attempt, submit_attempt

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def complete(session: Session, person: Person, slug: str) -> None:
    attempt = start_attempt(session, person.id, slug, now=NOW)
    submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    session.commit()


def emails_in(pack: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        return [row["person_email"] for row in csv.DictReader(io.StringIO(archive.read("completions.csv").decode()))]


def test_a_manager_downloads_a_pack_of_only_the_people_they_manage(client: FlaskClient, imported: Session, learner: Person) -> None:
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    complete(imported, learner, "alpha-basics")
    complete(imported, omar, "alpha-basics")
    sign_in(client, "marcus@example.com")

    with client.post("/reports/evidence", data={**RANGE, "framework": ""}) as response:  # closing it closes the pack's file
        assert response.status_code == 200
        assert response.mimetype == "application/zip"
        assert response.headers["Content-Disposition"] == "attachment; filename=conduit-evidence-2026-03-01-to-2026-03-31.zip"
        assert response.headers["Cache-Control"] == "no-store"
        assert emails_in(response.data) == ["lena@example.com"]


def test_extra_fields_in_the_evidence_form_cannot_widen_a_managers_pack(client: FlaskClient, imported: Session, learner: Person) -> None:
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    complete(imported, learner, "alpha-basics")
    complete(imported, omar, "alpha-basics")
    sign_in(client, "marcus@example.com")
    forged = {**RANGE, "framework": "", "scope": "everyone", "person_id": str(omar.id), "unit": "1", "viewer": "1"}
    with client.post("/reports/evidence?unit=1&scope=everyone", data=forged) as response:
        assert response.status_code == 200
        assert emails_in(response.data) == ["lena@example.com"]


def test_an_admin_pack_covers_everyone(client: FlaskClient, imported: Session, learner: Person) -> None:
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    add_person(imported, "ada@example.com", audiences=[], roles=("admin",))
    complete(imported, learner, "alpha-basics")
    complete(imported, omar, "alpha-basics")
    sign_in(client, "ada@example.com")

    with client.post("/reports/evidence", data=RANGE) as response:
        assert sorted(emails_in(response.data)) == ["lena@example.com", "omar@example.com"]


def test_the_form_offers_the_range_and_every_framework(client: FlaskClient, imported: Session) -> None:
    add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    sign_in(client, "marcus@example.com")

    page = client.get("/reports/evidence")

    assert page.status_code == 200
    assert '<input aria-describedby="date_from-hint" id="date_from" name="date_from" required type="date" value="">' in page.text
    assert '<option value="nerc_cip_004">NERC CIP-004</option>' in page.text
    assert '<option selected value="">All modules</option>' in page.text


def test_a_range_that_ends_before_it_starts_is_refused_with_the_reason(client: FlaskClient, imported: Session) -> None:
    add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    sign_in(client, "marcus@example.com")

    response = client.post("/reports/evidence", data={"date_from": "2026-03-31", "date_to": "2026-03-01"})

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The last day must be on or after the first day." in response.text


def test_an_unknown_framework_or_a_missing_date_is_refused(client: FlaskClient, imported: Session) -> None:
    add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    sign_in(client, "marcus@example.com")

    unknown = client.post("/reports/evidence", data={**RANGE, "framework": "sox"})
    missing = client.post("/reports/evidence", data={"date_to": "2026-03-31"})

    assert unknown.status_code == 400
    assert "Not a valid choice" in unknown.text
    assert missing.status_code == 400
    assert "Enter the first day of the range." in missing.text


def test_a_learner_cannot_download_an_evidence_pack(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)

    assert client.get("/reports/evidence").status_code == 403
    assert client.post("/reports/evidence", data=RANGE).status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: FlaskClient, imported: Session) -> None:
    response = client.get("/reports/evidence")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/reports/evidence")
    assert client.post("/reports/evidence", data=RANGE).status_code == 401
