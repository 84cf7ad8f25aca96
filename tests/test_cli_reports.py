"""The `flask reports evidence` and `flask reminders send` commands, run as cron would run them."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import NOW, TEST_CONTENT, add_person
from tests.smtp import SmtpSink, free_port, smtp_sink
from training import cli
from training.models import Person, ReminderSent
from training.services.learning import correct_answers, start_attempt, submit_attempt

MONDAY = dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.UTC)  # beta-limited overdue, alpha-basics due soon (see test_reminders)


@pytest.fixture
def sink(app: Flask) -> Iterator[SmtpSink]:
    with smtp_sink() as sink:
        app.config.update(
            SMTP_HOST=sink.host, SMTP_PORT=sink.port, SMTP_FROM="training@example.com", BASE_URL="https://training.example.com"
        )
        yield sink


@pytest.fixture
def lena(imported: Session) -> Person:
    return add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A directory of its own for packs (tmp_path also holds the SQLite test database)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def at_monday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_now", lambda: MONDAY)


def reminders_logged(session: Session) -> int:
    session.rollback()  # see what the command committed
    return session.scalar(select(func.count()).select_from(ReminderSent)) or 0


# ---------------------------------------------------------------- reports evidence


def test_evidence_writes_a_pack_for_the_whole_organisation(app: Flask, imported: Session, lena: Person, out: Path, at_monday: None) -> None:
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    for person in (lena, omar):
        attempt = start_attempt(imported, person.id, "alpha-basics", now=NOW)
        submit_attempt(imported, person.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    imported.commit()
    output = out / "evidence.zip"

    result = app.test_cli_runner().invoke(
        args=["reports", "evidence", "--from", "2026-03-01", "--to", "2026-03-31", "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {output}: 2 completion(s) of 2 person(s), 1 module revision(s), 6 files\n"
    with zipfile.ZipFile(output) as pack:
        assert "MANIFEST.sha256" in pack.namelist()
        readme = pack.read("README.txt").decode()
    assert "Scope:          the whole organisation" in readme
    assert "Generated at:   2026-03-30T06:00:00+00:00" in readme
    assert [p.name for p in out.iterdir()] == ["evidence.zip"]  # no partial file left behind


def test_evidence_filters_by_a_known_framework(app: Flask, imported: Session, lena: Person, out: Path) -> None:
    attempt = start_attempt(imported, lena.id, "alpha-basics", now=NOW)
    submit_attempt(imported, lena.id, attempt.id, correct_answers(attempt.questions), now=NOW)
    imported.commit()
    output = out / "cip.zip"

    args = ["reports", "evidence", "--from", "2026-03-01", "--to", "2026-03-31", "--framework", "nerc_cip_004", "--output", str(output)]
    result = app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 0, result.output
    assert "0 completion(s)" in result.output  # the test modules map to no framework
    with zipfile.ZipFile(output) as pack:
        assert "Framework:      nerc_cip_004" in pack.read("README.txt").decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-03-31"], "Invalid value for '--from': '2026-13-01' does not match the format '%Y-%m-%d'"),
        (["--from", "2026-03-01", "--to", "yesterday"], "Invalid value for '--to': 'yesterday' does not match the format '%Y-%m-%d'"),
        (["--from", "2026-03-31", "--to", "2026-03-01"], "Error: the range ends (2026-03-01) before it starts (2026-03-31)"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--framework", "sox"], "Invalid value for '--framework': 'sox' is not one of"),
        (["--from", "2026-03-01", "--to", "2026-03-31"], "Missing option '--output'"),
    ],
)
def test_evidence_refuses_bad_input_naming_the_problem(app: Flask, imported: Session, out: Path, args: list[str], message: str) -> None:
    output = ["--output", str(out / "pack.zip")] if "Missing" not in message else []

    result = app.test_cli_runner().invoke(args=["reports", "evidence", *args, *output])

    assert result.exit_code != 0
    assert message in result.output
    assert list(out.iterdir()) == []


def test_evidence_refuses_an_output_in_a_missing_directory(app: Flask, imported: Session, out: Path) -> None:
    output = out / "nowhere" / "pack.zip"

    result = app.test_cli_runner().invoke(
        args=["reports", "evidence", "--from", "2026-03-01", "--to", "2026-03-31", "--output", str(output)]
    )

    assert result.exit_code != 0
    assert f"the directory {output.parent} does not exist" in result.output


# ---------------------------------------------------------------- reminders send


def test_reminders_send_emails_learners_with_a_link_to_my_training(app: Flask, lena: Person, sink: SmtpSink, at_monday: None) -> None:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert result.output == "sent 1 email(s); 0 failed (retried on the next run)\n"
    [email] = sink.received
    assert email.recipients == ["lena@example.com"]
    assert email.message["From"] == "training@example.com"
    assert "Beta Limited: was due 2026-03-24" in email.body
    assert "Alpha Basics: due 2026-04-09 (in 10 days)" in email.body
    assert "https://training.example.com/training\n" in email.body


def test_reminders_send_twice_sends_nothing_the_second_time(
    app: Flask, imported: Session, lena: Person, sink: SmtpSink, at_monday: None
) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["reminders", "send"])
    logged = reminders_logged(imported)

    again = runner.invoke(args=["reminders", "send"])

    assert again.exit_code == 0, again.output
    assert again.output.startswith("sent 0 email(s)")
    assert len(sink.received) == 1
    assert reminders_logged(imported) == logged == 2


def test_reminders_days_narrows_the_window(app: Flask, lena: Person, sink: SmtpSink, at_monday: None) -> None:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--days", "5"])

    assert result.exit_code == 0, result.output
    [email] = sink.received
    assert "Alpha Basics" not in email.body


def test_reminders_dry_run_sends_and_records_nothing(app: Flask, imported: Session, lena: Person, sink: SmtpSink, at_monday: None) -> None:
    add_person(imported, "marcus@example.com", audiences=[], roles=("learner", "manager"), manages=[["Plant North"]])

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would remind lena@example.com: 1 overdue, 1 due soon" in result.output
    assert "would send a digest to marcus@example.com: 1 people overdue, 0 due soon" in result.output
    assert "dry run: 1 reminder(s) and 1 digest(s) would be sent; nothing was sent or recorded" in result.output
    assert sink.received == []
    assert reminders_logged(imported) == 0


def test_reminders_report_smtp_failure_and_exit_non_zero(app: Flask, imported: Session, lena: Person, at_monday: None) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=5)

    result = app.test_cli_runner().invoke(args=["reminders", "send"])

    assert result.exit_code == 1
    assert "could not send the learner email to lena@example.com" in result.output
    assert "sent 0 email(s); 1 failed (retried on the next run)" in result.output
    assert reminders_logged(imported) == 0


def test_rebuild_summaries_recomputes_the_report_tables(app: Flask) -> None:
    from sqlalchemy import delete

    from training.extensions import db
    from training.services.summaries import CELLS

    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(TEST_CONTENT)])
    with app.app_context():
        add_person(db.session, "summary@example.com", audiences=["ot-operator"])
        before = db.session.scalar(select(func.count()).select_from(CELLS))
        db.session.execute(delete(CELLS))
        db.session.commit()
    result = runner.invoke(args=["reports", "rebuild-summaries"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert before == 2
        assert db.session.scalar(select(func.count()).select_from(CELLS)) == before
