"""The learner's pages over HTTP: reading, the quiz page contract, results and records."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import add_person, sign_in
from training.models import Completion, Person, QuizAttempt
from training.services.learning import correct_answers, wrong_answers


def start(client: FlaskClient, slug: str = "alpha-basics") -> int:
    response = client.post(f"/modules/{slug}/quiz")
    assert response.status_code == 302
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match is not None
    return int(match.group(1))


def test_my_training_lists_modules_with_status_due_date_and_progress(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    page = client.get("/training").text
    assert "Alpha Basics" in page and "Beta Limited" in page
    assert page.count("badge-overdue") == 2  # the fixtures were assigned in March 2026
    assert 'role="progressbar"' in page
    assert "0 of 2</strong> modules complete" in page


def test_a_module_reads_lesson_by_lesson_and_ticks_what_was_read(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    intro = client.get("/modules/alpha-basics").text
    assert "Welcome to <strong>Alpha</strong>." in intro and "Start reading" in intro
    lesson = client.get("/modules/alpha-basics/lessons/first").text
    assert 'class="admonition warning"' in lesson
    assert "alpha-q1" not in lesson and "The right one" not in lesson  # quiz blocks are lifted out
    assert "/modules/alpha-basics/r/" in lesson and "img/box.svg" in lesson
    response = client.post("/modules/alpha-basics/lessons/first/read")
    assert response.headers["Location"] == "/modules/alpha-basics/lessons/second-lesson"
    toc = client.get("/modules/alpha-basics/lessons/second-lesson").text
    assert re.search(r'<li class="read">\s*<a href="/modules/alpha-basics/lessons/first"', toc)
    last = client.post("/modules/alpha-basics/lessons/second-lesson/read")
    assert last.headers["Location"] == "/modules/alpha-basics/quiz"


def test_progress_survives_signing_out(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    client.post("/modules/alpha-basics/lessons/first/read")
    client.post("/sign-out")
    sign_in(client, learner.email)
    assert "1/2 lessons read" in client.get("/training").text


def test_unknown_modules_and_lessons_are_404(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    assert client.get("/modules/nope").status_code == 404
    assert client.get("/modules/alpha-basics/lessons/nope").status_code == 404
    assert client.post("/modules/alpha-basics/lessons/nope/read").status_code == 404


def test_the_quiz_page_follows_the_accessible_contract(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    page = client.get(f"/attempts/{start(client)}").text
    assert page.count("<fieldset") == 4 and page.count("<legend>") == 4
    assert '<label for="alpha-q3-true">True</label>' in page and '<label for="alpha-q3-false">False</label>' in page
    assert 'type="radio"' in page and 'type="checkbox"' in page
    assert re.search(r'<input type="text"[^>]*aria-labelledby="prompt-alpha-q4"', page)
    assert ">Submit answers</button>" in page


def test_the_quiz_page_reveals_no_answers(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").text
    for secret in (
        "correct",
        "Yes, the right one.",
        "No, that one is wrong.",
        "Because it is right.",
        "C is wrong.",
        "Look up.",
        "the alpha",
    ):
        assert secret not in page, secret
    # The choice values are opaque keys, in display order; nothing in them marks the right one.
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    single = next(q for q in attempt.questions if q["id"] == "alpha-q1")
    assert [c["key"] for c in single["choices"]] == ["c0", "c1"]


def test_submitting_shows_score_pass_and_feedback(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    response = client.post(f"/attempts/{attempt_id}", data=correct_answers(attempt.questions))
    assert response.headers["Location"] == f"/attempts/{attempt_id}/result"
    result = client.get(f"/attempts/{attempt_id}/result").text
    assert "Passed: Alpha Basics" in result and "100%" in result and "pass mark is 75%" in result
    assert "Because it is right." in result and "Yes, the right one." in result
    transcript = client.get("/transcript").text
    assert "Alpha Basics" in transcript and "1.0.0" in transcript


def questions_of(session: Session, attempt_id: int) -> list[dict[str, object]]:
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    return attempt.questions


def test_a_failed_quiz_can_be_retried(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    client.post(f"/attempts/{attempt_id}", data=wrong_answers(questions_of(session, attempt_id)))
    result = client.get(f"/attempts/{attempt_id}/result").text
    assert "Not passed yet" in result and "Try again" in result
    # The feedback of each wrong choice picked is shown, and only of those picked.
    assert "No, that one is wrong." in result
    assert ("C is wrong." in result) != ("D is wrong." in result)
    assert start(client) != attempt_id


def test_an_empty_submission_is_refused_and_records_nothing(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    refused = client.post(f"/attempts/{attempt_id}", data={"q-alpha-q1": "not-a-choice"}, follow_redirects=True)
    assert "Answer at least one question before you submit." in refused.text
    assert 'type="submit"' in refused.text and "Submit answers" in refused.text  # back on the quiz
    session.expire_all()
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None and attempt.submitted_at is None


def test_forged_answers_never_reach_the_record(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    questions = questions_of(session, attempt_id)
    form = {key: [*value, "c9", "zzz"] for key, value in correct_answers(questions).items()}
    client.post(f"/attempts/{attempt_id}", data=form)
    session.expire_all()
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None and attempt.answers is not None
    stored = [a for answer in attempt.answers.values() for a in (answer if isinstance(answer, list) else [answer])]
    assert "zzz" not in stored and "c9" not in stored
    multiple = next(q for q in questions if q["type"] == "multiple")
    assert attempt.answers[multiple["id"]] == sorted(c["key"] for c in multiple["choices"] if c["correct"])


def test_a_double_submitted_quiz_is_recorded_once(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    attempt_id = start(client)
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    answers = correct_answers(attempt.questions)
    assert client.post(f"/attempts/{attempt_id}", data=answers).status_code == 302
    assert client.post(f"/attempts/{attempt_id}", data=answers).status_code == 302
    assert len(session.scalars(select(Completion).where(Completion.person_id == learner.id)).all()) == 1


def test_another_persons_attempt_answers_404(client: FlaskClient, learner: Person, imported: Session) -> None:
    other = add_person(imported, "other@example.com", audiences=["all-staff"])
    sign_in(client, learner.email)
    attempt_id = start(client)
    client.post("/sign-out")
    sign_in(client, other.email)
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    assert client.post(f"/attempts/{attempt_id}", data={}).status_code == 404
    assert client.get(f"/attempts/{attempt_id}/result").status_code == 404


def test_the_attempts_limit_holds_over_http(client: FlaskClient, learner: Person, session: Session) -> None:
    sign_in(client, learner.email)
    for _ in range(2):
        attempt_id = start(client, "beta-limited")
        client.post(f"/attempts/{attempt_id}", data=wrong_answers(questions_of(session, attempt_id)))
    refused = client.post("/modules/beta-limited/quiz", follow_redirects=True)
    assert "You have used all 2 attempts" in refused.text


def test_module_images_are_served_from_the_database_with_a_sandbox(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    lesson = client.get("/modules/alpha-basics/lessons/first").text
    match = re.search(r'src="(/modules/alpha-basics/r/\d+/img/box.svg)"', lesson)
    assert match is not None
    image = client.get(match.group(1))
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert client.get(match.group(1).replace("alpha-basics", "beta-limited")).status_code == 404
