"""The `flask content|users|demo` commands: thin wrappers over the same services as the web."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content import load_catalogue
from .extensions import db
from .services import ServiceError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


content_cli = AppGroup("content", help="Check and import training content.")
users_cli = AppGroup("users", help="Manage people.")
demo_cli = AppGroup("demo", help="Demo data.")


def _content_path(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_PATH"])


@content_cli.command("check")
@click.argument("path", required=False)
def content_check(path: str | None) -> None:
    """Check content files; exit 1 if any has an error (warnings do not fail)."""
    catalogue = load_catalogue(_content_path(path), today=_now().date())
    for problem in catalogue.problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors, warnings = len(catalogue.errors), len(catalogue.warnings)
    click.echo(f"{len(catalogue.modules)} module(s) checked: {errors} error(s), {warnings} warning(s)")
    if errors:
        sys.exit(1)


@content_cli.command("import")
@click.argument("path", required=False)
def content_import(path: str | None) -> None:
    """Import content into the database; unchanged files create no revision."""
    from .services.catalogue import import_catalogue

    root = _content_path(path)
    catalogue = load_catalogue(root, today=_now().date())
    if catalogue.errors:
        for problem in catalogue.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(catalogue.errors)} error(s); nothing was imported")
    try:
        report = import_catalogue(db.session, catalogue, now=_now(), origin="")
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"imported {root}: {len(report.created)} new, {len(report.updated)} changed, {len(report.unchanged)} unchanged"
        + (", curricula updated" if report.curricula_changed else "")
    )
    for slug, count in report.reopened.items():
        click.echo(f"  {slug}: MAJOR version change, {count} person(s) must re-train")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["learner", "manager", "author", "admin"]),
    help="Permission role; repeat for several.",
)
@click.option("--audience", "audiences", multiple=True, help="Audience id from curricula.yml; repeat for several.")
@click.option("--org-unit", default="", help="Org unit path, e.g. 'Plant North/Operations' (created if missing).")
@click.option("--manages", multiple=True, help="Org unit path this manager may report on; repeat for several.")
@click.password_option(help="Password (at least 15 characters); prompted when omitted.")
def users_create(
    email: str, name: str, roles: tuple[str, ...], audiences: tuple[str, ...], org_unit: str, manages: tuple[str, ...], password: str
) -> None:
    """Create a person who can sign in."""
    from .services.accounts import MIN_PASSWORD_LENGTH, create_person, find_org_unit
    from .services.assignments import sync_person

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters (a passphrase works well)", param_hint="password")
    now = _now()
    try:
        unit = find_org_unit(db.session, [p for p in org_unit.split("/") if p], create=True) if org_unit else None
        managed = [find_org_unit(db.session, [p for p in m.split("/") if p], create=True) for m in manages]
        person = create_person(
            db.session, email=email, name=name, password=password, roles=roles or ("learner",), audiences=audiences,
            org_unit=unit, manages=[m for m in managed if m is not None], now=now,
        )  # fmt: skip
        sync_person(db.session, person, now=now)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {person.email} ({', '.join(sorted(person.roles))})")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Seed a demo organisation into an empty database (refused in production)."""
    from .services.demo import DEMO_PASSWORD, seed_demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("refusing to seed demo data: the app is configured for production")
    try:
        report = seed_demo(db.session, now=_now())
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if report.skipped:
        click.echo("the database already has people; demo seed skipped")
    else:
        click.echo(f"seeded {report.people} people in {report.units} org units")
    click.echo(f"demo sign-ins (password: {DEMO_PASSWORD}):")
    for email, what in report.sign_ins:
        click.echo(f"  {email:24} {what}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
