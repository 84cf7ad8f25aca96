"""The audit evidence pack: completions in a range and scope, the content they certify, a SHA-256 manifest."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from training.content import ModuleDoc, Question, render_inline, render_module
from training.content.parser import MAPPING_KEYS
from training.models import (
    Asset,
    Assignment,
    Completion,
    Module,
    ModuleRevision,
    OrgUnit,
    Person,
    QuizAttempt,
    RevisionAsset,
)

from . import ServiceError
from .catalogue import revision_doc
from .scope import Scope, people_in_scope

MANIFEST = "MANIFEST.sha256"
COMPLETIONS = "completions.csv"
STYLESHEET = "content/evidence.css"
ROWS_PER_FETCH = 1000
_TEMPLATES = Path(__file__).parent / "templates"
# Excel and LibreOffice run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A completion keeps the person's org unit and audiences as they were when it was recorded; the org unit's
# path is named as the tree is named now (a renamed unit is still the same unit).
COLUMNS = (
    "completion_id",
    "completed_at",
    "person_id",
    "person_name",
    "person_email",
    "person_active",
    "org_unit_path (at completion)",
    "audiences (at completion)",
    "required_via_audience (at assignment)",
    "module_id",
    "module_title",
    "module_version",
    "revision_number",
    "content_sha256",
    "content_file",
    "score_percent",
    "pass_mark_percent",
    "points",
    "max_points",
    "attempt_id",
    "attempt_started_at",
    "attempt_submitted_at",
    "assignment_cycle",
    "assigned_at",
    "due_on",
    "due_date_rule",
    "mapped_references",
    "certificate_code",
)


@dataclass(frozen=True)
class EvidencePack:
    """What went into a pack, for the README and for whoever asked for it."""

    completions: int
    people: int
    revisions: int
    files: int


@dataclass
class _Tally:
    completions: int = 0
    people: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Revision:
    id: int
    slug: str
    number: int
    revision: ModuleRevision
    doc: ModuleDoc
    references: tuple[str, ...]

    @property
    def title(self) -> str | None:
        return _text(self.revision.title)

    @property
    def mapped(self) -> str | None:
        return _text("; ".join(self.references))

    @property
    def folder(self) -> str:
        return f"content/{self.slug}/r{self.number}-v{self.revision.version}"

    @property
    def page(self) -> str:
        return f"{self.folder}/index.html"


class _ManifestedZip:
    """A zip being written whose every member's SHA-256 is noted for the manifest."""

    def __init__(self, out: IO[bytes], now: dt.datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.stamp = now.astimezone(dt.UTC).timetuple()[:6]
        self.digests: dict[str, str] = {}

    def _info(self, path: str) -> zipfile.ZipInfo:
        if path in self.digests or path == MANIFEST:
            raise ValueError(f"{path} written twice")
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def write(self, path: str, data: bytes) -> None:
        self.zip.writestr(self._info(path), data)
        self.digests[path] = hashlib.sha256(data).hexdigest()

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        digest = hashlib.sha256()
        # force_zip64: an organisation's history can pass the 2 GiB a plain entry may hold.
        with self.zip.open(self._info(path), "w", force_zip64=True) as member:
            for chunk in chunks:
                digest.update(chunk)
                member.write(chunk)
        self.digests[path] = digest.hexdigest()

    def close(self) -> None:
        lines = "".join(f"{digest}  {path}\n" for path, digest in sorted(self.digests.items()))
        self.zip.writestr(zipfile.ZipInfo(MANIFEST, date_time=self.stamp), lines.encode())
        self.zip.close()


def build_evidence_pack(
    session: Session,
    scope: Scope,
    *,
    date_from: dt.date,
    date_to: dt.date,
    framework: str | None = None,
    out: IO[bytes],
    now: dt.datetime,
) -> EvidencePack:
    """Write one zip to `out`: completions.csv, each revision's content, README.txt and MANIFEST.sha256.

    Both dates are inclusive UTC days. Rows are streamed from the database, so the size of the
    organisation bounds neither memory nor the time to the first byte.
    """
    if date_to < date_from:
        raise ServiceError(f"the range ends ({date_to.isoformat()}) before it starts ({date_from.isoformat()})")
    if framework is not None and framework not in MAPPING_KEYS:
        raise ServiceError(f"unknown framework '{framework}'; use one of: {', '.join(MAPPING_KEYS)}")
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    chosen = and_(Completion.completed_at >= start, Completion.completed_at < end, Completion.person_id.in_(people_in_scope(scope)))

    revisions = _referenced_revisions(session, chosen, framework)
    # Also without a framework: a completion committed meanwhile cannot name a revision the pack lacks.
    chosen = and_(chosen, Completion.revision_id.in_(list(revisions)))
    unit_names = _org_unit_names(session)

    pack = _ManifestedZip(out, now)
    tally = _Tally()
    pack.write_chunks(COMPLETIONS, _completion_csv(session, chosen, revisions, unit_names, tally))
    pack.write(STYLESHEET, (_TEMPLATES / "evidence.css").read_bytes())
    for revision in sorted(revisions.values(), key=lambda r: (r.slug, r.number)):
        _write_revision(session, pack, revision)
    summary = EvidencePack(completions=tally.completions, people=len(tally.people), revisions=len(revisions), files=len(pack.digests) + 2)
    pack.write("README.txt", _readme(scope, unit_names, date_from, date_to, framework, now, summary, revisions.values()).encode())
    pack.close()
    return summary


def _referenced_revisions(session: Session, chosen: Any, framework: str | None) -> dict[int, _Revision]:
    """The revisions that completions in range certify (only those mapped to `framework`, if one is given)."""
    used = select(Completion.revision_id).where(chosen).distinct()
    rows = session.execute(
        select(ModuleRevision, Module.slug).join(Module, Module.id == ModuleRevision.module_id).where(ModuleRevision.id.in_(used))
    )
    found: dict[int, _Revision] = {}
    for revision, slug in rows:
        doc = revision_doc(revision)
        if framework is None:
            references = tuple(f"{key}: {', '.join(refs)}" for key, refs in sorted(doc.mappings.items()))
        else:
            references = doc.mappings.get(framework, ())
            if not references:
                continue
        found[revision.id] = _Revision(revision.id, slug, revision.number, revision, doc, references)
    return found


def _org_unit_names(session: Session) -> dict[int, str]:
    """Org unit id → its path in names ('Plant North/Operations'); units are few beside people."""
    units = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.path)).all()
    names = {unit_id: name for unit_id, name, _ in units}
    return {unit_id: "/".join(names.get(int(part), "?") for part in path.strip("/").split("/") if part) for unit_id, _, path in units}


def _text(value: str | None) -> str | None:
    """Text as a spreadsheet will show it, never run it (csv writes None as an empty cell)."""
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def _time(value: dt.datetime | dt.date | None) -> str | None:
    # UtcDateTime already hands back UTC, so the offset always reads +00:00.
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value.isoformat() if value else None


def _audience_list(aggregated: str | None, seen: dict[str | None, str]) -> str:
    """The database's unordered list of audience slugs, sorted; each combination is worked out once."""
    listed = seen.get(aggregated)
    if listed is None:
        listed = seen[aggregated] = _text(" ".join(sorted((aggregated or "").split()))) or ""
    return listed


def _completion_csv(
    session: Session, chosen: Any, revisions: dict[int, _Revision], unit_names: dict[int, str], tally: _Tally
) -> Iterable[bytes]:
    """The CSV in chunks of one database fetch each, counting completions and people on the way."""
    columns = (
        Completion.id, Completion.completed_at, Completion.revision_id, Completion.percent, Completion.pass_mark,
        Completion.version, Completion.sha256, Completion.certificate_code, Completion.person_id,
        Person.name, Person.email, Person.active, Completion.org_unit_id, Completion.audiences, Module.slug,
        QuizAttempt.id.label("attempt_id"), QuizAttempt.started_at, QuizAttempt.submitted_at, QuizAttempt.points, QuizAttempt.max_points,
        Assignment.cycle, Assignment.assigned_at, Assignment.due_on, Assignment.rule, Assignment.audience,
    )  # fmt: skip
    query = (
        select(*columns)
        .join(Person, Person.id == Completion.person_id)
        .join(Module, Module.id == Completion.module_id)
        .outerjoin(QuizAttempt, QuizAttempt.id == Completion.attempt_id)
        .outerjoin(Assignment, Assignment.id == Completion.assignment_id)
        .where(chosen)
        .order_by(Completion.completed_at, Completion.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    audience_lists: dict[str | None, str] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for partition in session.execute(query).partitions():
        for row in partition:
            revision = revisions[row.revision_id]
            tally.people.add(row.person_id)
            tally.completions += 1
            writer.writerow(
                (
                    row.id, _time(row.completed_at), row.person_id, _text(row.name), _text(row.email), "yes" if row.active else "no",
                    _text(unit_names.get(row.org_unit_id)), _audience_list(row.audiences, audience_lists),
                    _text(row.audience), row.slug, revision.title, row.version, revision.number, row.sha256, revision.page,
                    round(row.percent, 2), row.pass_mark, row.points, row.max_points, row.attempt_id, _time(row.started_at),
                    _time(row.submitted_at), row.cycle, _time(row.assigned_at), _time(row.due_on), _text(row.rule), revision.mapped,
                    row.certificate_code,
                )
            )  # fmt: skip
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


_jinja = _environment()


def _write_revision(session: Session, pack: _ManifestedZip, revision: _Revision) -> None:
    """One standalone page per revision, with its images beside it, exactly as learners were shown it."""
    rendered = render_module(revision.revision.sha256, revision.revision.source, asset_base=".")
    doc = revision.doc
    html = _jinja.get_template("evidence_revision.html").render(
        revision=revision.revision,
        slug=revision.slug,
        doc=doc,
        stylesheet=posixpath.relpath(STYLESHEET, revision.folder),
        introduction=_sanitized(rendered.introduction),
        lessons=[(lesson.title, _sanitized(lesson.html)) for lesson in rendered.lessons],
        questions=[_question(q) for q in doc.questions],
    )
    pack.write(revision.page, html.encode())
    assets = session.execute(
        select(RevisionAsset.path, Asset.data)
        .join(Asset, Asset.sha256 == RevisionAsset.asset_sha256)
        .where(RevisionAsset.revision_id == revision.id)
        .order_by(RevisionAsset.path)
    )
    for path, data in assets:
        clean = posixpath.normpath(path)
        if clean.startswith(("..", "/")) or clean in (".", "index.html"):
            raise ServiceError(f"revision {revision.id} has an image at an unsafe path: {path!r}")
        pack.write(f"{revision.folder}/{clean}", data)


def _sanitized(html: str) -> Markup:
    """Mark HTML that came out of the one renderer (Markdown, then nh3) as safe to place in a page."""
    return Markup(html)  # noqa: S704 - only ever given render_markdown/render_inline output


def _inline(text: str) -> Markup:
    return _sanitized(render_inline(text)) if text else Markup("")


def _question(question: Question) -> dict[str, Any]:
    """A question of the bank with its key, for an auditor."""
    return {
        "id": question.id,
        "type": question.type,
        "objective": question.objective,
        "points": question.points,
        "lesson": question.lesson_id,
        "prompt": _inline(question.prompt),
        "choices": [{"text": _inline(c.text), "correct": c.correct, "feedback": _inline(c.feedback)} for c in question.choices],
        "answer": question.answer,
        "accept": question.accept,
        "feedback_correct": _inline(question.feedback_correct),
        "feedback_incorrect": _inline(question.feedback_incorrect),
        "explanation": _inline(question.explanation),
    }


def _scope_description(scope: Scope, unit_names: dict[int, str]) -> str:
    if scope.everyone:
        return "the whole organisation"
    if not scope.unit_paths:
        return "the requesting person's own records"
    named = []
    for path in scope.unit_paths:
        last = path.strip("/").rpartition("/")[2]
        named.append(unit_names.get(int(last), path) if last.isdigit() else path)
    return "the people in these org units and their sub-units: " + "; ".join(sorted(named))


def _readme(
    scope: Scope,
    unit_names: dict[int, str],
    date_from: dt.date,
    date_to: dt.date,
    framework: str | None,
    now: dt.datetime,
    summary: EvidencePack,
    revisions: Iterable[_Revision],
) -> str:
    listed: Sequence[_Revision] = sorted(revisions, key=lambda r: (r.slug, r.number))
    lines = [
        "Conduit audit evidence pack",
        "===========================",
        "",
        f"Scope:          {_scope_description(scope, unit_names)}",
        f"Date range:     {date_from.isoformat()} to {date_to.isoformat()} inclusive (completion time, UTC)",
        f"Framework:      {framework or 'all (no framework filter)'}",
        f"Generated at:   {now.astimezone(dt.UTC).isoformat(timespec='seconds')}",
        f"Completions:    {summary.completions}",
        f"People:         {summary.people}",
        f"Revisions:      {summary.revisions}",
        f"Files:          {summary.files} (including this README and the manifest)",
        "",
        "Contents",
        "--------",
        f"{COMPLETIONS}  one row per completion: who, which module revision (version and SHA-256 of",
        "    its source), score and pass mark, when the quiz attempt started and was submitted, when the",
        "    module was completed, and the rule that set the due date.",
        "    The org unit and audiences are the person's when the completion was recorded (the unit's",
        "    path is named as the organisation tree is named today). `required_via_audience` is the",
        "    audience through which the training was required when the assignment was made.",
        "    `mapped_references` lists the revision's framework references"
        + (f" for {framework}." if framework else " for every framework it maps to."),
        "content/<module>/r<revision>-v<version>/index.html  the content of every revision referenced,",
        "    as learners saw it: introduction, lessons, images and the question bank with its answers.",
        f"{MANIFEST}  the SHA-256 of every other file. To check the pack, unzip it and run",
        f"    sha256sum -c {MANIFEST}",
        "",
        "Revisions in this pack",
        "----------------------",
    ]
    lines += [f"{r.slug} {r.revision.version} (revision {r.number}, sha256 {r.revision.sha256}): {r.page}" for r in listed] or ["(none)"]
    return "\n".join(lines) + "\n"
