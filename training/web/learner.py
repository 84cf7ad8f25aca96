"""The employee's pages: My training, modules and lessons, quizzes, results and transcript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from training.content import RenderedModule, render_inline, render_module
from training.extensions import db, reader
from training.models import ModuleRevision
from training.services import NotFound, ServiceError, learning
from training.services.catalogue import asset_for, revision_doc
from training.services.certificates import certificate_id_for_attempt
from training.services.learning import get_attempt, quiz_status
from training.services.scoring import score_question

from .access import protect
from .forms import ActionForm
from .pagecache import cached_page

bp = protect(Blueprint("learner", __name__), "signed-in")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@bp.app_template_filter("md")
def markdown_inline(text: str) -> str:
    return render_inline(text)


@bp.app_template_filter("day")
def day(value: dt.date) -> str:
    """A date as people write it: 3 Dec 2026."""
    return f"{value.day} {value.strftime('%b %Y')}"


def _asset_base(slug: str, revision_id: int) -> str:
    return url_for("learner.asset", slug=slug, revision_id=revision_id, path="x")[:-2]


def _view_key(view: learning.ModuleView) -> tuple[object, ...]:
    """Everything a module page shows besides the viewer (the document is named by its hash)."""
    return (view.slug, view.revision_id, view.sha256, view.read, view.assignment_id, view.due_on)


def _view(slug: str) -> tuple[learning.ModuleView, RenderedModule]:
    try:
        view = learning.module_view(reader(), current_user.id, slug)
    except NotFound:
        abort(404)
    return view, render_module(view.sha256, view.doc, asset_base=_asset_base(slug, view.revision_id))


@bp.get("/")
def my_training_page() -> ResponseReturnValue:
    return redirect(url_for("learner.my_training"))


@bp.get("/training")
def my_training() -> ResponseReturnValue:
    summary = learning.my_training(reader(), current_user.id, now=now(), due_soon_days=current_app.config["DUE_SOON_DAYS"])
    module_url = url_for("learner.module", slug="x")[:-1]  # each card's link is this and the module's slug
    first_name = current_user.name.split(" ")[0]
    return cached_page(
        summary.items, lambda: render_template("learner/my_training.html", summary=summary, module_url=module_url, first_name=first_name)
    )


@bp.get("/modules/<slug>")
def module(slug: str) -> ResponseReturnValue:
    view, rendered = _view(slug)
    first_unread = next((lesson.id for lesson in view.doc.lessons if lesson.id not in view.read), None)
    return cached_page(
        _view_key(view), lambda: render_template("learner/module.html", view=view, rendered=rendered, first_unread=first_unread)
    )


@bp.get("/modules/<slug>/lessons/<lesson_id>")
def lesson(slug: str, lesson_id: str) -> ResponseReturnValue:
    view, rendered = _view(slug)
    ids = [lesson.id for lesson in view.doc.lessons]
    if lesson_id not in ids:
        abort(404)
    index = ids.index(lesson_id)
    return cached_page(
        (_view_key(view), lesson_id),
        lambda: render_template(
            "learner/lesson.html", view=view, rendered=rendered, lesson=rendered.lessons[index], index=index,
            previous=ids[index - 1] if index > 0 else None, following=ids[index + 1] if index + 1 < len(ids) else None,
        ),
    )  # fmt: skip


@bp.post("/modules/<slug>/lessons/<lesson_id>/read")
def mark_read(slug: str, lesson_id: str) -> ResponseReturnValue:
    view, _ = _view(slug)
    ids = [lesson.id for lesson in view.doc.lessons]
    if lesson_id not in ids:
        abort(404)
    began = view.assigned_at or learning.EPOCH
    learning.mark_lesson_read(db.session, current_user.id, view.module_id, lesson_id, now=now(), cycle_began=began)
    db.session.commit()
    index = ids.index(lesson_id)
    if index + 1 < len(ids):
        return redirect(url_for("learner.lesson", slug=slug, lesson_id=ids[index + 1]))
    return redirect(url_for("learner.quiz", slug=slug))


@bp.get("/modules/<slug>/quiz")
def quiz(slug: str) -> ResponseReturnValue:
    view, rendered = _view(slug)
    status = quiz_status(db.session, current_user.id, view.module_id, view.doc)
    return render_template("learner/quiz_start.html", view=view, rendered=rendered, status=status)


@bp.post("/modules/<slug>/quiz")
def start_quiz(slug: str) -> ResponseReturnValue:
    try:
        attempt_id = learning.open_attempt(db.session, current_user.id, slug, now=now())
    except NotFound:
        abort(404)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("learner.quiz", slug=slug))
    db.session.commit()
    return redirect(url_for("learner.attempt", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> ResponseReturnValue:
    try:
        page = learning.attempt_page(reader(), current_user.id, attempt_id)
    except NotFound:
        abort(404)
    if page.submitted:
        return redirect(url_for("learner.result", attempt_id=page.id))
    # An attempt's questions and revision never change: its id and module name the page.
    return cached_page(
        (page.id, page.slug),
        lambda: render_template(
            "learner/quiz.html", attempt=page, questions=public_questions(page.questions), doc=page.doc, slug=page.slug
        ),
    )


@dataclass(frozen=True, slots=True)
class ShownChoice:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class ShownQuestion:
    """A question as the quiz page shows it. Attributes, not dict keys: Jinja finds them at the first try."""

    id: str
    type: str
    prompt: str
    points: int
    choices: tuple[ShownChoice, ...] = ()


def public_questions(questions: list[dict[str, Any]]) -> list[ShownQuestion]:
    """What the quiz page may know of each question: no keys, feedback or explanations."""
    shown = []
    for q in questions:
        choices = tuple(ShownChoice(c["key"], c["text"]) for c in q["choices"]) if q["type"] in ("single", "multiple") else ()
        shown.append(ShownQuestion(q["id"], q["type"], q["prompt"], q["points"], choices))
    return shown


@bp.post("/attempts/<int:attempt_id>")
def submit(attempt_id: int) -> ResponseReturnValue:
    try:
        learning.grade_attempt(db.session, current_user.id, attempt_id, request.form.to_dict(flat=False), now=now())
    except NotFound:
        abort(404)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("learner.attempt", attempt_id=attempt_id))
    db.session.commit()
    return redirect(url_for("learner.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/result")
def result(attempt_id: int) -> ResponseReturnValue:
    try:
        attempt = get_attempt(db.session, current_user.id, attempt_id)
    except NotFound:
        abort(404)
    if attempt.submitted_at is None:
        return redirect(url_for("learner.attempt", attempt_id=attempt.id))
    revision = attempt.revision

    results = {q["id"]: score_question(q, (attempt.answers or {}).get(q["id"])) for q in attempt.questions}
    status = quiz_status(db.session, current_user.id, revision.module, revision_doc(revision))
    certificate_id = certificate_id_for_attempt(db.session, current_user.id, attempt.id) if attempt.passed else None
    return render_template(
        "learner/result.html", attempt=attempt, revision=revision, results=results, status=status, certificate_id=certificate_id,
        form=ActionForm(),
    )  # fmt: skip


@bp.get("/transcript")
def transcript_page() -> ResponseReturnValue:
    return render_template("learner/transcript.html", rows=learning.transcript(db.session, current_user.id))


@bp.get("/modules/<slug>/r/<int:revision_id>/<path:path>")
def asset(slug: str, revision_id: int, path: str) -> ResponseReturnValue:
    revision = db.session.get(ModuleRevision, revision_id)
    if (
        revision is None
        or revision.module.slug != slug
        or (revision.status != "published" and not ({"author", "admin"} & current_user.roles))
    ):
        abort(404)
    stored = asset_for(db.session, revision_id, path)
    if stored is None:
        abort(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    # Revisions never change, so the browser may keep the file; SVG gets a sandbox so any script in it is inert.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response
