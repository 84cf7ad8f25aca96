"""The audit evidence pack: rows per completion in range and scope, the content they certify, the manifest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import NOW, TEST_CONTENT, add_person
from training.content import load_catalogue
from training.models import Assignment, Completion, ModuleRevision, Person
from training.services import ServiceError
from training.services.accounts import find_org_unit, set_audiences
from training.services.catalogue import import_catalogue
from training.services.evidence import COLUMNS, MANIFEST, EvidencePack, build_evidence_pack
from training.services.learning import correct_answers, start_attempt, submit_attempt
from training.services.scope import Scope, scope_for

ORG_UNIT = "org_unit_path (at completion)"
AUDIENCES = "audiences (at completion)"
DAY = dt.timedelta(days=1)
FIRST_DAY = NOW.date()
LAST_DAY = FIRST_DAY + 30 * DAY


def complete(session: Session, person: Person, slug: str, when: dt.datetime) -> Completion:
    attempt = start_attempt(session, person.id, slug, now=when - dt.timedelta(minutes=9))
    outcome = submit_attempt(session, person.id, attempt.id, correct_answers(attempt.questions), now=when)
    session.commit()
    assert outcome.completion is not None
    return outcome.completion


def build(
    session: Session, scope: Scope, *, date_from: dt.date = FIRST_DAY, date_to: dt.date = LAST_DAY, framework: str | None = None
) -> tuple[EvidencePack, zipfile.ZipFile]:
    out = io.BytesIO()
    pack = build_evidence_pack(session, scope, date_from=date_from, date_to=date_to, framework=framework, out=out, now=NOW + 60 * DAY)
    return pack, zipfile.ZipFile(io.BytesIO(out.getvalue()))


def rows(pack: zipfile.ZipFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(pack.read("completions.csv").decode())))


def everyone(session: Session) -> Scope:
    admin = add_person(session, "ada@example.com", audiences=[], roles=("admin",))
    return scope_for(session, admin)


def import_alpha_with_mapping(session: Session, tmp_path: Path, *, now: dt.datetime) -> None:
    """Version 1.1.0 of alpha-basics, now mapped to NERC CIP-004; beta-limited stays unmapped."""
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    index = root / "modules" / "alpha-basics" / "index.md"
    text = index.read_text()
    text = text.replace("version: 1.0.0", "version: 1.1.0", 1)
    text = text.replace("pass_mark: 75\n", 'pass_mark: 75\nmappings:\n  nerc_cip_004: ["CIP-004-7 R1", "CIP-004-7 R2"]\n', 1)
    index.write_text(text)
    catalogue = load_catalogue(root, today=now.date())
    assert not catalogue.errors, catalogue.errors
    import_catalogue(session, catalogue, now=now)
    session.commit()


def test_a_row_records_who_what_version_score_times_and_due_date_rule(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    completion = complete(imported, lena, "alpha-basics", NOW + DAY)
    revision = imported.get(ModuleRevision, completion.revision_id)
    assignment = imported.get(Assignment, completion.assignment_id)
    assert revision is not None
    assert assignment is not None

    summary, pack = build(imported, everyone(imported))

    assert (summary.completions, summary.people, summary.revisions) == (1, 1, 1)
    [row] = rows(pack)
    assert list(row) == list(COLUMNS)
    assert row["person_name"] == "Lena"
    assert row["person_email"] == "lena@example.com"
    assert row[ORG_UNIT] == "Plant North/Operations"
    assert row[AUDIENCES] == "ot-operator"
    assert row["required_via_audience (at assignment)"] == "all-staff"
    assert row["module_id"] == "alpha-basics"
    assert row["module_version"] == "1.0.0"
    assert row["content_sha256"] == revision.sha256
    assert row["content_file"] == "content/alpha-basics/r1-v1.0.0/index.html"
    assert (row["score_percent"], row["pass_mark_percent"]) == ("100.0", "75")
    assert row["attempt_started_at"] == "2026-03-11T08:51:00+00:00"
    assert row["attempt_submitted_at"] == "2026-03-11T09:00:00+00:00"
    assert row["completed_at"] == "2026-03-11T09:00:00+00:00"
    assert row["due_date_rule"] == assignment.rule
    assert "within 30 days of assignment" in row["due_date_rule"]


def test_only_completions_inside_the_inclusive_date_range_are_included(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)  # 2026-03-11 09:00
    complete(imported, lena, "beta-limited", NOW + 3 * DAY)  # 2026-03-13 09:00

    scope = everyone(imported)

    first_day_only = rows(build(imported, scope, date_from=NOW.date(), date_to=NOW.date() + DAY)[1])
    last_day_only = rows(build(imported, scope, date_from=NOW.date() + 3 * DAY, date_to=NOW.date() + 3 * DAY)[1])

    assert [r["module_id"] for r in first_day_only] == ["alpha-basics"]
    assert [r["module_id"] for r in last_day_only] == ["beta-limited"]


def test_a_manager_pack_holds_only_the_people_they_manage(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    marcus = add_person(imported, "marcus@example.com", audiences=[], roles=("manager",), manages=[["Plant North"]])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    complete(imported, omar, "alpha-basics", NOW + DAY)

    summary, pack = build(imported, scope_for(imported, marcus))

    assert [r["person_email"] for r in rows(pack)] == ["lena@example.com"]
    assert summary.people == 1
    assert "Scope:          the people in these org units and their sub-units: Plant North" in pack.read("README.txt").decode()


def test_a_learner_pack_holds_only_their_own_completions(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    complete(imported, omar, "alpha-basics", NOW + DAY)

    _, pack = build(imported, scope_for(imported, omar))

    assert [r["person_email"] for r in rows(pack)] == ["omar@example.com"]


def test_a_row_keeps_the_org_unit_and_audiences_the_person_had_when_they_completed(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    # Later she moves to Corporate IT and changes job.
    corporate = find_org_unit(imported, ["Corporate IT"], create=True)
    assert corporate is not None
    lena.org_unit_id = corporate.id
    set_audiences(imported, lena, ["contractor"])
    imported.commit()
    complete(imported, lena, "beta-limited", NOW + 2 * DAY)

    first, second = rows(build(imported, everyone(imported))[1])

    assert (first["module_id"], first[ORG_UNIT], first[AUDIENCES]) == ("alpha-basics", "Plant North/Operations", "ot-operator")
    assert (second["module_id"], second[ORG_UNIT], second[AUDIENCES]) == ("beta-limited", "Corporate IT", "contractor")


def test_people_who_have_left_keep_their_evidence(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    lena.active = False
    imported.commit()

    [row] = rows(build(imported, everyone(imported))[1])

    assert (row["person_email"], row["person_active"]) == ("lena@example.com", "no")


def test_a_framework_keeps_only_modules_mapped_to_it_with_their_references(imported: Session, tmp_path: Path) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    omar = add_person(imported, "omar@example.com", audiences=["all-staff"], unit=["Corporate IT"])
    complete(imported, omar, "alpha-basics", NOW + DAY)  # revision 1: not mapped
    import_alpha_with_mapping(imported, tmp_path, now=NOW + 2 * DAY)
    complete(imported, lena, "alpha-basics", NOW + 3 * DAY)  # revision 2: mapped
    complete(imported, lena, "beta-limited", NOW + 3 * DAY)  # never mapped

    summary, pack = build(imported, everyone(imported), framework="nerc_cip_004")

    [row] = rows(pack)
    assert (row["person_email"], row["module_id"], row["module_version"], row["revision_number"]) == (
        "lena@example.com",
        "alpha-basics",
        "1.1.0",
        "2",
    )
    assert row["mapped_references"] == "CIP-004-7 R1; CIP-004-7 R2"
    assert summary.revisions == 1
    assert not [name for name in pack.namelist() if name.startswith(("content/beta-limited/", "content/alpha-basics/r1-"))]
    assert "Framework:      nerc_cip_004" in pack.read("README.txt").decode()


def test_without_a_framework_every_mapping_of_the_revision_is_listed(imported: Session, tmp_path: Path) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    import_alpha_with_mapping(imported, tmp_path, now=NOW)
    complete(imported, lena, "alpha-basics", NOW + DAY)

    [row] = rows(build(imported, everyone(imported))[1])

    assert row["mapped_references"] == "nerc_cip_004: CIP-004-7 R1, CIP-004-7 R2"


def test_every_revision_referenced_is_rendered_with_lessons_images_and_answers(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    completion = complete(imported, lena, "alpha-basics", NOW + DAY)
    complete(imported, lena, "beta-limited", NOW + DAY)

    summary, pack = build(imported, everyone(imported))

    assert summary.revisions == 2
    page = pack.read("content/alpha-basics/r1-v1.0.0/index.html").decode()
    assert completion.sha256 in page
    assert "<h2>Lesson 1: First lesson</h2>" in page
    assert "<h2>Lesson 2: Second lesson</h2>" in page
    assert '<img alt="A box labelled alpha" src="./img/box.svg">' in page
    assert pack.read("content/alpha-basics/r1-v1.0.0/img/box.svg") == (TEST_CONTENT / "modules/alpha-basics/img/box.svg").read_bytes()
    assert '<li class="correct"><strong>Correct:</strong> The right one' in page
    assert (
        '<li class="incorrect"><strong>Incorrect:</strong> The wrong one <span class="feedback">Feedback: No, that one is wrong.</span>'
        in page
    )
    assert "<strong>Answer:</strong> False" in page
    assert "<code>alpha</code>, <code>the alpha</code>" in page
    assert '<link rel="stylesheet" href="../../evidence.css">' in page
    assert "content/evidence.css" in pack.namelist()
    assert "Beta text." in pack.read("content/beta-limited/r1-v1.0.0/index.html").decode()


def test_the_manifest_covers_every_other_file_and_sha256sum_accepts_it(imported: Session, tmp_path: Path) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    summary, pack = build(imported, everyone(imported))
    pack.extractall(tmp_path / "pack")

    listed = [line.split("  ", 1)[1] for line in pack.read(MANIFEST).decode().splitlines()]
    assert sorted(listed) == sorted(set(pack.namelist()) - {MANIFEST})
    assert summary.files == len(pack.namelist())
    checked = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=tmp_path / "pack", capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(listed)

    (tmp_path / "pack" / "completions.csv").write_text("tampered\n")
    tampered = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=tmp_path / "pack", capture_output=True, text=True, check=False)
    assert tampered.returncode != 0
    assert "completions.csv: FAILED" in tampered.stdout


def test_the_readme_describes_scope_range_framework_time_and_counts(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    complete(imported, lena, "beta-limited", NOW + DAY)

    _, pack = build(imported, everyone(imported), date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))

    readme = pack.read("README.txt").decode()
    assert "Scope:          the whole organisation" in readme
    assert "Date range:     2026-03-01 to 2026-03-31 inclusive" in readme
    assert "Framework:      all (no framework filter)" in readme
    assert "Generated at:   2026-05-09T09:00:00+00:00" in readme
    assert "Completions:    2\nPeople:         1\nRevisions:      2\n" in readme
    assert "the person's when the completion was recorded" in readme
    assert "sha256sum -c MANIFEST.sha256" in readme


def test_an_empty_range_still_makes_a_valid_pack(imported: Session) -> None:
    summary, pack = build(imported, everyone(imported))

    assert (summary.completions, summary.revisions) == (0, 0)
    assert rows(pack) == []
    assert sorted(pack.namelist()) == ["MANIFEST.sha256", "README.txt", "completions.csv", "content/evidence.css"]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    lena.name = '=HYPERLINK("https://evil.example","x")'
    imported.commit()
    complete(imported, lena, "alpha-basics", NOW + DAY)

    [row] = rows(build(imported, everyone(imported))[1])

    assert row["person_name"] == '\'=HYPERLINK("https://evil.example","x")'


@pytest.mark.parametrize(
    ("date_from", "date_to", "framework", "message"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 1), None, "the range ends (2026-03-01) before it starts (2026-03-02)"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2), "nerc_cip_999", "unknown framework 'nerc_cip_999'"),
    ],
)
def test_a_bad_range_or_unknown_framework_is_refused(
    imported: Session, date_from: dt.date, date_to: dt.date, framework: str | None, message: str
) -> None:
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_evidence_pack(
            imported, everyone(imported), date_from=date_from, date_to=date_to, framework=framework, out=io.BytesIO(), now=NOW
        )


def test_building_a_pack_writes_nothing_to_the_database(imported: Session) -> None:
    lena = add_person(imported, "lena@example.com", audiences=["ot-operator"], unit=["Plant North", "Operations"])
    complete(imported, lena, "alpha-basics", NOW + DAY)
    scope = everyone(imported)
    before = imported.scalar(select(func.count()).select_from(Completion))

    build(imported, scope)

    assert not (imported.new or imported.dirty or imported.deleted)
    assert imported.scalar(select(func.count()).select_from(Completion)) == before
