"""The catalogue Conduit ships: the checker passes, and the catalogue-level rules hold."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest

from training.config import PROJECT_ROOT
from training.content import Catalogue, load_catalogue
from training.content.model import ModuleDoc, Recur

CONTENT = PROJECT_ROOT / "content"
MODULE_IDS = [
    "sa-01-security-basics", "sa-02-phishing", "sa-03-social-engineering", "sa-04-passwords-mfa",
    "sa-05-information-handling", "sa-06-removable-media", "sa-07-physical-security", "sa-08-remote-working",
    "sa-09-report-it", "ot-10-it-ot-convergence", "ot-11-ics-incidents", "ot-12-defensible-architecture",
    "ot-13-plant-floor-security", "ot-14-secure-remote-access", "ot-15-ot-patching",
    "ot-16-ot-incident-response", "gov-17-cyber-risk-for-leaders", "ctr-18-contractor-induction",
]  # fmt: skip
ALL_STAFF = MODULE_IDS[:10]
OT_ROLE = [
    "ot-11-ics-incidents",
    "ot-12-defensible-architecture",
    "ot-13-plant-floor-security",
    "ot-14-secure-remote-access",
    "ot-15-ot-patching",
    "ot-16-ot-incident-response",
]
CONTRACTOR = [
    "ctr-18-contractor-induction",
    "sa-02-phishing",
    "sa-04-passwords-mfa",
    "sa-06-removable-media",
    "sa-07-physical-security",
    "sa-09-report-it",
    "ot-10-it-ot-convergence",
]
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


@cache
def catalogue() -> Catalogue:
    return load_catalogue(CONTENT, today=dt.datetime.now(dt.UTC).date())


def docs() -> list[ModuleDoc]:
    return [m.doc for m in catalogue().modules]


def lesson_words(doc: ModuleDoc) -> int:
    text = doc.introduction + "\n".join(lesson.markdown for lesson in doc.lessons)
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", IMAGE.sub(" ", text)))


def is_scenario(prompt: str) -> bool:
    return bool(re.search(r"\byou(r)?\b", prompt, re.IGNORECASE)) and len(prompt.split()) >= 20


def test_the_checker_passes_the_shipped_content_with_no_errors_and_no_warnings() -> None:
    assert [str(p) for p in catalogue().problems] == []
    assert sorted(d.id for d in docs()) == sorted(MODULE_IDS)


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_module_meets_the_catalogue_bar(module_id: str) -> None:
    doc = next(d for d in docs() if d.id == module_id)
    assert doc.status == "published"
    assert 4 <= len(doc.objectives) <= 6
    assert doc.sources and doc.mappings
    assert doc.review_by is not None and doc.review_by > dt.date(2026, 11, 1)
    assert lesson_words(doc) >= 80 * doc.duration_minutes, f"{lesson_words(doc)} words for {doc.duration_minutes} minutes"
    assert any(re.search(r"^###? .*(scenario|example|case)", lesson.markdown, re.IGNORECASE | re.MULTILINE) for lesson in doc.lessons)
    assert any("> [!" in lesson.markdown for lesson in doc.lessons)


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_question_bank_is_big_enough_scenario_led_and_covers_every_objective(module_id: str) -> None:
    doc = next(d for d in docs() if d.id == module_id)
    bank = doc.questions
    assert len(bank) >= 12 and doc.questions_per_attempt == 8
    assert sum(is_scenario(q.prompt) for q in bank) * 2 >= len(bank)
    for objective in doc.objectives:
        assert sum(q.objective == objective.id for q in bank) >= 2, objective.id


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_every_question_teaches_when_it_is_answered(module_id: str) -> None:
    doc = next(d for d in docs() if d.id == module_id)
    for q in doc.questions:
        assert q.explanation, q.id
        if q.type in ("single", "multiple"):
            assert all(c.feedback for c in q.choices if not c.correct), q.id
            if q.type == "multiple":
                assert sum(c.correct for c in q.choices) >= 2 and any(not c.correct for c in q.choices), q.id
        if q.type == "truefalse":
            assert q.feedback_correct and q.feedback_incorrect, q.id
            assert not re.search(r"\b(always|never)\b", q.prompt, re.IGNORECASE), q.id
        texts = [c.text.lower() for c in q.choices]
        assert not any("all of the above" in t or "none of the above" in t for t in texts), q.id


def test_there_are_at_least_four_original_diagrams_with_descriptive_alt_text() -> None:
    diagrams = []
    for loaded in catalogue().modules:
        sources = {a.path: a for a in loaded.assets}
        for alt, path in IMAGE.findall(loaded.source):
            if path.endswith(".svg"):
                diagrams.append((loaded.doc.id, path, alt))
                assert len(alt.split()) >= 10, f"{loaded.doc.id} {path}: alt text too short"
                svg = sources[path].data.decode()
                assert "<script" not in svg and "foreignObject" not in svg and 'href="http' not in svg
    names = " ".join(path for _, path, _ in diagrams)
    assert len(diagrams) >= 4
    for topic in ("purdue", "zones", "remote-access", "incident"):
        assert topic in names, topic


def test_curricula_follow_the_standards() -> None:
    curricula = catalogue().curricula
    assert curricula is not None
    assert {a.id for a in curricula.audiences} == {
        "all-staff", "ot-operator", "ot-engineer", "it-admin", "manager", "contractor", "contractor-remote",
    }  # fmt: skip
    includes = {a.id: set(a.includes) for a in curricula.audiences}
    assert all(includes[role] == {"all-staff"} for role in ("ot-operator", "ot-engineer", "it-admin", "manager"))
    assert includes["contractor"] == set() and includes["contractor-remote"] == {"contractor"}
    rules = {(r.module, audience): r for r in curricula.requirements for audience in r.audiences}
    for module in ALL_STAFF:
        rule = rules[(module, "all-staff")]
        assert rule.recur == Recur(every_months=12) and rule.due.days_after_assignment == 30  # PCI DSS 12.6, ISO 27001 A.6.3
    for module in OT_ROLE:
        assert any(key[0] == module for key in rules)
        for (name, audience), rule in rules.items():
            if name == module and not audience.startswith("contractor"):
                assert rule.recur == Recur(every_calendar_months=15), (module, audience)  # NERC CIP-004 R2.3
    for module in CONTRACTOR:
        assert rules[(module, "contractor")].due.before_access  # NERC CIP-004 R2.2
    # Contractors who will reach OT remotely also take secure remote access, before that access.
    remote = rules[("ot-14-secure-remote-access", "contractor-remote")]
    assert remote.due.before_access and remote.recur == Recur(every_calendar_months=15)


def test_module_audiences_match_who_the_curricula_assign_them_to() -> None:
    curricula = catalogue().curricula
    assert curricula is not None
    for doc in docs():
        assigned = {a for r in curricula.requirements if r.module == doc.id for a in r.audiences}
        assert assigned, doc.id
        assert assigned <= set(doc.audience) | {"all-staff"}, (doc.id, assigned - set(doc.audience))
