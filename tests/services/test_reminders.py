"""Reminder emails through a real local SMTP server: who is emailed, with what, and only once per interval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import add_person
from tests.smtp import SmtpSink, free_port, smtp_sink
from training.mail import SmtpMailer
from training.models import Person, ReminderSent
from training.services import ServiceError
from training.services.learning import correct_answers, start_attempt, submit_attempt
from training.services.reminders import Delivery, ReminderSettings, interval_key, send_reminders

DAY = dt.timedelta(days=1)
# NOW is Tuesday 2026-03-10. Assigned then, beta-limited (ot-operator) falls due on 2026-03-24 and
# alpha-basics on 2026-04-09. Monday 2026-03-30 starts an ISO week in which beta is overdue and alpha due soon.
MONDAY = dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.UTC)
SETTINGS = ReminderSettings(
    sender="Conduit <training@example.com>",
    my_training_url="https://training.example.com/training",
    reports_url="https://training.example.com/reports",
)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as sink:
        yield sink


@pytest.fixture
def people(imported: Session) -> dict[str, Person]:
    return {
        "lena": add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"]),
        "omar": add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"]),
        "marcus": add_person(imported, "marcus@example.com", audiences=[], roles=("learner", "manager"), manages=[["Plant North"]]),
    }


def run(session: Session, sink: SmtpSink, *, now: dt.datetime = MONDAY, settings: ReminderSettings = SETTINGS) -> list[Delivery]:
    with SmtpMailer(sink.host, sink.port, timeout=5) as mailer:
        deliveries = []
        for delivery in send_reminders(session, mailer.send, now=now, settings=settings):
            session.commit()
            deliveries.append(delivery)
    return deliveries


def logged(session: Session, person: Person | None = None) -> int:
    query = select(func.count()).select_from(ReminderSent)
    if person is not None:
        query = query.where(ReminderSent.person_id == person.id)
    return session.scalar(query) or 0


def test_each_learner_gets_one_email_listing_their_overdue_and_due_soon_training(
    imported: Session, people: dict[str, Person], sink: SmtpSink
) -> None:
    run(imported, sink)

    [lena] = sink.to("lena@example.com")
    assert lena.recipients == ["lena@example.com"]
    assert lena.message["Subject"] == "Training reminder: 1 overdue, 1 due soon"
    assert lena.message["From"] == "Conduit <training@example.com>"
    assert lena.message["Auto-Submitted"] == "auto-generated"
    assert lena.message.get_content_type() == "text/plain"
    assert "Hello Lena," in lena.body
    assert "Overdue:\n  - Beta Limited: was due 2026-03-24 (6 days ago)\n" in lena.body
    assert "Due in the next 14 days:\n  - Alpha Basics: due 2026-04-09 (in 10 days)\n" in lena.body
    assert "https://training.example.com/training" in lena.body
    [omar] = sink.to("omar@example.com")
    assert "Beta Limited" not in omar.body
    assert "Alpha Basics: due 2026-04-09 (in 10 days)" in omar.body


def test_training_due_beyond_the_window_is_not_reminded(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    run(imported, sink, settings=ReminderSettings(SETTINGS.sender, SETTINGS.my_training_url, SETTINGS.reports_url, days=5))

    [lena] = sink.to("lena@example.com")
    assert "Beta Limited" in lena.body
    assert "Alpha Basics" not in lena.body
    assert sink.to("omar@example.com") == []


def test_running_again_in_the_same_interval_sends_nothing_new(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    first = run(imported, sink)
    sent, rows = len(sink.received), logged(imported)

    again = run(imported, sink, now=MONDAY + 6 * DAY)  # Sunday: still the same ISO week

    assert {d.status for d in first} == {"sent"}
    assert again == []
    assert len(sink.received) == sent
    assert logged(imported) == rows


def test_a_new_interval_sends_the_same_reminders_again(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    run(imported, sink)

    run(imported, sink, now=MONDAY + 7 * DAY)

    assert len(sink.to("lena@example.com")) == 2
    intervals = imported.scalars(select(ReminderSent.interval_key).where(ReminderSent.person_id == people["lena"].id).distinct())
    assert sorted(intervals) == ["2026-03-30", "2026-04-06"]


def test_training_that_comes_due_later_in_the_interval_is_reminded_once_with_the_rest(
    imported: Session, people: dict[str, Person], sink: SmtpSink
) -> None:
    five_days = ReminderSettings(SETTINGS.sender, SETTINGS.my_training_url, SETTINGS.reports_url, days=5)
    run(imported, sink, settings=five_days)  # Monday: beta overdue; alpha (due in 10 days) not yet

    run(imported, sink, now=MONDAY + 5 * DAY, settings=five_days)  # Saturday: alpha now due in 5 days
    run(imported, sink, now=MONDAY + 6 * DAY, settings=five_days)

    first, second = sink.to("lena@example.com")
    assert "Alpha Basics" not in first.body
    assert "Beta Limited" in second.body
    assert "Alpha Basics: due 2026-04-09 (in 5 days)" in second.body
    assert logged(imported, people["lena"]) == 2  # one row per assignment: beta once, alpha once


def test_completed_training_is_not_reminded(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    lena = people["lena"]
    attempt = start_attempt(imported, lena.id, "beta-limited", now=MONDAY - DAY)
    submit_attempt(imported, lena.id, attempt.id, correct_answers(attempt.questions), now=MONDAY - DAY)
    imported.commit()

    run(imported, sink)

    [email] = sink.to("lena@example.com")
    assert "Beta Limited" not in email.body
    assert email.message["Subject"] == "Training reminder: 1 due soon"


def test_people_who_are_not_active_are_not_emailed(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    people["omar"].active = False
    imported.commit()

    run(imported, sink)

    assert sink.to("omar@example.com") == []
    assert sink.to("lena@example.com")
    assert logged(imported, people["omar"]) == 0


def test_a_refused_email_leaves_no_log_rows_and_is_sent_on_the_next_run(
    imported: Session, people: dict[str, Person], sink: SmtpSink
) -> None:
    sink.refuse.add("lena@example.com")

    deliveries = run(imported, sink)

    failed = next(d for d in deliveries if d.email == "lena@example.com")
    assert (failed.status, failed.items) == ("failed", 2)
    assert "mailbox unavailable" in failed.error
    assert logged(imported, people["lena"]) == 0
    assert sink.to("omar@example.com")  # one refusal does not stop the others
    assert logged(imported, people["omar"]) == 1

    sink.refuse.clear()
    run(imported, sink)

    assert len(sink.to("lena@example.com")) == 1
    assert logged(imported, people["lena"]) == 2
    assert len(sink.to("omar@example.com")) == 1


def test_an_unreachable_smtp_server_leaves_no_log_rows(imported: Session, people: dict[str, Person]) -> None:
    with SmtpMailer("127.0.0.1", free_port(), timeout=5) as mailer:
        deliveries = list(send_reminders(imported, mailer.send, now=MONDAY, settings=SETTINGS))
        imported.commit()

    assert deliveries
    assert {d.status for d in deliveries} == {"failed"}
    assert logged(imported) == 0


def test_a_manager_gets_a_digest_of_the_people_they_manage_once_per_interval(
    imported: Session, people: dict[str, Person], sink: SmtpSink
) -> None:
    add_person(imported, "jin@example.com", audiences=["all-staff"], unit=["Plant North", "Engineering"])

    run(imported, sink)
    run(imported, sink, now=MONDAY + DAY)

    [digest] = sink.to("marcus@example.com")
    assert digest.message["Subject"] == "Training digest: 1 overdue, 1 due soon"
    assert "  1 person with training overdue\n" in digest.body
    assert (
        "  - Lena <lena@example.com>, Plant North › Operations: 1 overdue, 1 due soon; earliest was due 2026-03-24 (6 days ago)"
        in digest.body
    )
    assert "  - Jin <jin@example.com>, Plant North › Engineering: 1 due soon; earliest due 2026-04-09 (in 10 days)" in digest.body
    assert "omar@example.com" not in digest.body
    assert "https://training.example.com/reports" in digest.body
    assert imported.scalar(select(func.count()).select_from(ReminderSent).where(ReminderSent.kind == "digest")) == 1


def test_a_manager_whose_people_are_all_up_to_date_gets_no_digest(imported: Session, people: dict[str, Person], sink: SmtpSink) -> None:
    add_person(imported, "nora@example.com", audiences=[], roles=("learner", "manager"), manages=[["Corporate IT"]])
    people["omar"].active = False  # the only person in Corporate IT with training due
    imported.commit()

    run(imported, sink)

    assert sink.to("nora@example.com") == []
    assert sink.to("marcus@example.com")


@pytest.mark.parametrize(
    ("day", "interval_days", "expected"),
    [
        (dt.date(2026, 3, 30), 7, "2026-03-30"),  # a Monday starts its ISO week
        (dt.date(2026, 4, 5), 7, "2026-03-30"),  # ...which runs to Sunday
        (dt.date(2026, 4, 6), 7, "2026-04-06"),
        (dt.date(2026, 4, 5), 1, "2026-04-05"),  # daily
        (dt.date(2026, 4, 5), 14, "2026-03-30"),  # fortnights, counted from a Monday
    ],
)
def test_the_interval_key_is_the_first_day_of_a_fixed_interval(day: dt.date, interval_days: int, expected: str) -> None:
    assert interval_key(day, interval_days) == expected


def test_an_interval_shorter_than_a_day_is_refused() -> None:
    with pytest.raises(ServiceError, match="at least one day"):
        interval_key(dt.date(2026, 4, 5), 0)
