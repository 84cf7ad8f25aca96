"""Import a checked content tree into the database as revisions; serve revisions and assets."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from training.content import Catalogue, ModuleDoc, parse_module
from training.models import Asset, Audience, CurriculaRevision, Module, ModuleRevision, RevisionAsset

from . import ServiceError
from .assignments import reopen_for_major_change, sync_everyone


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reopened: dict[str, int] = field(default_factory=dict)
    curricula_changed: bool = False


def bundle_hash(source: str, assets: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(source.encode())
    for path, sha in sorted(assets):
        digest.update(f"\0{path}\0{sha}".encode())
    return digest.hexdigest()


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def check_against_database(session: Session, catalogue: Catalogue) -> list[str]:
    """What the files would contradict in the database, as `file:line: message` lines.

    A changed module must carry a higher version than its latest revision, so that a revision's version names
    one content forever; and question ids stay unique across every module the database holds, including
    modules that this import does not touch.
    """
    problems: list[str] = []
    slugs = {loaded.doc.id for loaded in catalogue.modules}
    latest = {
        module.slug: revision
        for module, revision in session.execute(
            select(Module, ModuleRevision).join(ModuleRevision, ModuleRevision.id == Module.latest_revision_id)
        )
    }
    owners: dict[str, str] = {}
    for slug, revision in latest.items():
        if slug not in slugs:
            owners.update(dict.fromkeys((q.id for q in revision_doc(revision).questions), slug))
    for loaded in catalogue.modules:
        doc = loaded.doc
        previous = latest.get(doc.id)
        bundle = bundle_hash(loaded.source, [(a.path, a.sha256) for a in loaded.assets])
        if previous is not None and previous.bundle_sha256 != bundle and _semver(doc.version) <= _semver(previous.version):
            problems.append(
                f"{doc.path}:{doc.field_lines.get('version', 2)}: the content changed but version {doc.version} is not above "
                f"{previous.version}, the latest imported; raise MAJOR if the meaning changed, otherwise MINOR or PATCH"
            )
        for question in doc.questions:
            if question.id in owners:
                problems.append(f"{doc.path}:{question.line}: question id '{question.id}' is already used by module {owners[question.id]}")
    return problems


def import_catalogue(session: Session, catalogue: Catalogue, *, now: dt.datetime, origin: str = "") -> ImportReport:
    """Write new revisions for changed modules; unchanged files create nothing. All or nothing."""
    if catalogue.errors:
        raise ServiceError(f"the content has {len(catalogue.errors)} error(s); run 'flask content check'")
    conflicts = check_against_database(session, catalogue)
    if conflicts:
        raise ServiceError("\n".join(conflicts))
    report = ImportReport()
    if catalogue.curricula is not None:
        report.curricula_changed = _import_curricula(session, catalogue, now=now)
    majors: list[tuple[Module, ModuleRevision]] = []
    for loaded in catalogue.modules:
        doc = loaded.doc
        asset_pairs = [(a.path, a.sha256) for a in loaded.assets]
        bundle = bundle_hash(loaded.source, asset_pairs)
        module = session.scalar(select(Module).where(Module.slug == doc.id))
        if module is None:
            module = Module(slug=doc.id, title=doc.title, status=doc.status, created_at=now)
            session.add(module)
            session.flush()
            previous: ModuleRevision | None = None
            report.created.append(doc.id)
        else:
            previous = session.get(ModuleRevision, module.latest_revision_id) if module.latest_revision_id else None
            if previous is not None and previous.bundle_sha256 == bundle:
                report.unchanged.append(doc.id)
                continue
            report.updated.append(doc.id)
        revision = ModuleRevision(
            module_id=module.id, number=(previous.number + 1) if previous else 1, version=doc.version, major=doc.major,
            status=doc.status, title=doc.title, sha256=loaded.sha256, bundle_sha256=bundle, source=loaded.source,
            imported_from=f"{origin}{doc.path}"[-500:], created_at=now,
        )  # fmt: skip
        session.add(revision)
        session.flush()
        for asset in loaded.assets:
            if session.get(Asset, asset.sha256) is None:
                session.add(Asset(sha256=asset.sha256, content_type=asset.content_type, size=len(asset.data), data=asset.data))
            session.add(RevisionAsset(revision_id=revision.id, path=asset.path, asset_sha256=asset.sha256))
        published_before = session.get(ModuleRevision, module.published_revision_id) if module.published_revision_id else None
        module.latest_revision_id = revision.id
        module.title = doc.title
        if doc.status == "published":
            module.published_revision_id = revision.id
            module.status = "published"
            if published_before is not None and doc.major > published_before.major:
                majors.append((module, revision))
        elif doc.status == "retired":
            module.status = "retired"
        elif module.published_revision_id is None:
            module.status = doc.status
        session.flush()
    sync_everyone(session, now=now)
    for module, revision in majors:
        report.reopened[module.slug] = reopen_for_major_change(session, module, revision.version, revision.major, now=now)
    return report


def _import_curricula(session: Session, catalogue: Catalogue, *, now: dt.datetime) -> bool:
    curricula = catalogue.curricula
    if curricula is None:
        return False
    for definition in curricula.audiences:
        audience = session.scalar(select(Audience).where(Audience.slug == definition.id))
        if audience is None:
            session.add(Audience(slug=definition.id, title=definition.title))
        elif audience.title != definition.title:
            audience.title = definition.title
    session.flush()
    source = catalogue_curricula_source(catalogue)
    sha = hashlib.sha256(source.encode()).hexdigest()
    latest = session.scalars(select(CurriculaRevision).order_by(CurriculaRevision.id.desc()).limit(1)).first()
    if latest is not None and latest.sha256 == sha:
        return False
    session.add(CurriculaRevision(sha256=sha, source=source, created_at=now))
    session.flush()
    return True


def catalogue_curricula_source(catalogue: Catalogue) -> str:
    if catalogue.curricula_source is None:
        raise ServiceError("the catalogue has no curricula.yml")
    return catalogue.curricula_source


@lru_cache(maxsize=256)
def parsed_revision(sha256: str, source: str) -> ModuleDoc:
    """A revision's parsed document, once per process (the key is the content hash)."""
    doc, problems = parse_module(source)
    if doc is None:
        raise ServiceError("; ".join(str(p) for p in problems))
    return doc


def revision_doc(revision: ModuleRevision) -> ModuleDoc:
    return parsed_revision(revision.sha256, revision.source)


def asset_for(session: Session, revision_id: int, path: str) -> Asset | None:
    return session.scalar(
        select(Asset)
        .join(RevisionAsset, RevisionAsset.asset_sha256 == Asset.sha256)
        .where(RevisionAsset.revision_id == revision_id, RevisionAsset.path == path)
    )
