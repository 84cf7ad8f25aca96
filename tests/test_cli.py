"""The flask commands: content check and import, users, demo."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import TEST_CONTENT
from training.config import PROJECT_ROOT
from training.extensions import db
from training.models import Completion, ModuleRevision, Person


def test_content_check_passes_clean_content(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["content", "check", str(TEST_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "2 module(s) checked: 0 error(s), 0 warning(s)" in result.output


def test_content_check_prints_file_and_line_and_exits_1(app: Flask, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    index = root / "modules/beta-limited/index.md"
    lines = index.read_text().splitlines()
    broken = next(i for i, line in enumerate(lines) if "type: truefalse" in line)
    lines[broken] = "  type: trueish"
    index.write_text("\n".join(lines) + "\n")
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    assert f"modules/beta-limited/index.md:{broken}: question beta-q2: type must be one of" in result.output


def test_content_check_warnings_do_not_fail(app: Flask, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    index = root / "modules/alpha-basics/index.md"
    index.write_text(index.read_text().replace("pass_mark: 75", "pass_mark: 75\nreview_by: 2020-01-01"))
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 0 and "1 warning(s)" in result.output and "has passed" in result.output


def test_checking_one_module_of_a_tree_still_finds_question_ids_used_by_its_siblings(app: Flask, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    copy = root / "modules/alpha-copy"
    shutil.copytree(root / "modules/alpha-basics", copy)
    (copy / "index.md").write_text((copy / "index.md").read_text().replace("id: alpha-basics", "id: alpha-copy"))
    result = app.test_cli_runner().invoke(args=["content", "check", str(copy)])
    assert result.exit_code == 1
    assert "alpha-copy/index.md:29: question id 'alpha-q1' is also used in" in result.output
    assert "alpha-basics/index.md" in result.output and "1 module(s) checked" in result.output


def test_a_folder_without_modules_or_a_module_folder_without_index_is_an_error(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["content", "check", str(tmp_path)])
    assert empty.exit_code == 1 and "no modules found" in empty.output
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    (root / "modules/half-written").mkdir()
    result = runner.invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    assert "modules/half-written: module folder has no index.md" in result.output
    assert "2 module(s) checked: 1 error(s)" in result.output


def test_curricula_problems_name_the_curricula_file_they_are_in(app: Flask, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    curricula = root / "curricula.yml"
    curricula.write_text(curricula.read_text().replace("module: alpha-basics", "module: alpha-missing", 1))
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    assert f"{curricula}:" in result.output and "unknown module 'alpha-missing'" in result.output


def test_content_import_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "import", str(TEST_CONTENT)])
    second = runner.invoke(args=["content", "import", str(TEST_CONTENT)])
    assert "2 new, 0 changed, 0 unchanged" in first.output
    assert "0 new, 0 changed, 2 unchanged" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == 2


def test_users_create_makes_a_person_with_roles_and_assignments(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(TEST_CONTENT)])
    result = runner.invoke(
        args=["users", "create", "New.Person@Example.com", "--name", "New Person", "--role", "manager", "--role", "learner",
              "--audience", "ot-operator", "--org-unit", "Plant North/Operations", "--password", "a long enough passphrase"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created new.person@example.com (learner, manager)" in result.output
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "new.person@example.com"))
        assert person is not None and person.org_unit is not None and person.org_unit.name == "Operations"


def test_users_create_rejects_short_passwords_and_unknown_audiences(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(TEST_CONTENT)])
    short = runner.invoke(args=["users", "create", "a@example.com", "--password", "short"])
    assert short.exit_code == 2 and "at least 15 characters" in short.output
    unknown = runner.invoke(args=["users", "create", "a@example.com", "--audience", "pilots", "--password", "a long enough passphrase"])
    assert unknown.exit_code == 1 and "unknown audience(s): pilots" in unknown.output


def test_demo_seed_builds_an_organisation_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(PROJECT_ROOT / "content")])
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "learner@example.com" in first.output and "conduit-demo" in first.output
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person))
        completions = db.session.scalar(select(func.count()).select_from(Completion))
    assert people == 21 and completions and completions > 10
    second = runner.invoke(args=["demo", "seed"])
    assert "already has people" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == people


def test_demo_seed_refuses_production(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(ENV_NAME="production", SECRET_KEY="p" * 40, BASE_URL="https://training.example.com")
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1 and "refusing" in result.output
