"""The `flask content|users|demo|reports|reminders` commands: thin wrappers over the same services as the web."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content import load_catalogue
from .content.parser import MAPPING_KEYS
from .extensions import db
from .services import ServiceError

if TYPE_CHECKING:
    from .services.reminders import ReminderSettings


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
    for problem in sorted(catalogue.problems, key=lambda p: (p.path, p.line)):
        click.echo(str(problem), err=problem.severity == "error")
    errors, warnings = len(catalogue.errors), len(catalogue.warnings)
    click.echo(f"{catalogue.checked} module(s) checked: {errors} error(s), {warnings} warning(s)")
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
        click.echo(str(error), err=True)
        raise click.ClickException("nothing was imported") from error
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


reports_cli = AppGroup("reports", help="Compliance reports and audit evidence.")
reminders_cli = AppGroup("reminders", help="Email training reminders.")
DATE = click.DateTime(formats=["%Y-%m-%d"])
# After this many failed sends in a row the SMTP server is down, not one address refused: stop and retry later.
MAX_FAILURES_IN_A_ROW = 5


@reports_cli.command("rebuild-summaries")
def reports_rebuild_summaries() -> None:
    """Recompute the report summary tables from the records (after bulk loads or org-tree moves)."""
    from .services.summaries import rebuild_summaries

    rebuild_summaries(db.session)
    db.session.commit()
    click.echo("report summaries rebuilt")


@reports_cli.command("evidence")
@click.option("--from", "date_from", required=True, type=DATE, help="First day of completions to include (YYYY-MM-DD, UTC).")
@click.option("--to", "date_to", required=True, type=DATE, help="Last day of completions to include (YYYY-MM-DD, UTC), inclusive.")
@click.option("--framework", type=click.Choice(MAPPING_KEYS), help="Only modules whose front matter maps to this framework.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The zip file to write.")
def reports_evidence(date_from: dt.datetime, date_to: dt.datetime, framework: str | None, output: Path) -> None:
    """Write an audit evidence pack for the whole organisation: completions, content, README and manifest."""
    import os
    import tempfile

    from .services.evidence import build_evidence_pack
    from .services.scope import Scope

    if not output.parent.is_dir():
        raise click.BadParameter(f"the directory {output.parent} does not exist", param_hint="--output")
    everyone = Scope(viewer_id=0, everyone=True, unit_paths=())
    # Written beside the target and renamed into place, so a failed run never leaves half a pack.
    with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", suffix=".partial", delete=False) as partial:
        try:
            summary = build_evidence_pack(
                db.session, everyone, date_from=date_from.date(), date_to=date_to.date(), framework=framework, out=partial, now=_now()
            )
        except ServiceError as error:
            partial.close()
            os.unlink(partial.name)
            raise click.ClickException(str(error)) from error
        finally:
            db.session.rollback()  # reports only read; end the transaction
    os.replace(partial.name, output)
    click.echo(
        f"wrote {output}: {summary.completions} completion(s) of {summary.people} person(s), "
        f"{summary.revisions} module revision(s), {summary.files} files"
    )


def _reminder_settings(days: int) -> ReminderSettings:
    from flask import url_for

    from .services.reminders import ReminderSettings

    config = current_app.config
    with current_app.test_request_context("/", base_url=str(config["BASE_URL"])):
        my_training = url_for("learner.my_training", _external=True)
        reports = (
            url_for("manager.dashboard", _external=True)
            if "manager.dashboard" in current_app.view_functions
            else url_for("learner.my_training_page", _external=True)
        )
    return ReminderSettings(
        sender=str(config["SMTP_FROM"]),
        my_training_url=my_training,
        reports_url=reports,
        days=days,
        interval_days=int(config["REMINDER_INTERVAL_DAYS"]),
    )


@reminders_cli.command("send")
@click.option(
    "--days",
    default=14,
    show_default=True,
    type=click.IntRange(min=0),
    help="Remind of training due within this many days, and of anything overdue.",
)
@click.option("--dry-run", is_flag=True, help="List who would be emailed; send nothing and record nothing.")
def reminders_send(days: int, dry_run: bool) -> None:
    """Email learners with training due soon or overdue, and each manager a digest; once per interval."""
    from .mail import SmtpMailer
    from .services.reminders import learner_reminders, manager_digests, send_reminders

    now = _now()
    try:
        settings = _reminder_settings(days)
        if dry_run:
            today = now.date()
            learners = digests = 0
            for reminder in learner_reminders(db.session, now=now, days=days, interval_days=settings.interval_days):
                learners += 1
                click.echo(
                    f"would remind {reminder.email}: {len(reminder.overdue(today))} overdue, {len(reminder.due_soon(today))} due soon"
                )
            for digest in manager_digests(db.session, now=now, days=days, interval_days=settings.interval_days):
                digests += 1
                click.echo(
                    f"would send a digest to {digest.email}: {digest.people_overdue} people overdue, {digest.people_due_soon} due soon"
                )
            click.echo(f"dry run: {learners} reminder(s) and {digests} digest(s) would be sent; nothing was sent or recorded")
            db.session.rollback()
            return
        counts = {"sent": 0, "already-sent": 0, "failed": 0}
        failures_in_a_row = 0
        with SmtpMailer.from_config(current_app.config) as mailer:
            for delivery in send_reminders(db.session, mailer.send, now=now, settings=settings):
                db.session.commit()  # per person: what was sent stays recorded even if the run stops later
                counts[delivery.status] += 1
                if delivery.status != "failed":
                    failures_in_a_row = 0
                    continue
                failures_in_a_row += 1
                click.echo(f"could not send the {delivery.kind} email to {delivery.email}: {delivery.error}", err=True)
                if failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                    click.echo(f"stopping after {failures_in_a_row} failures in a row; the rest are sent on the next run", err=True)
                    break
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"sent {counts['sent']} email(s); {counts['failed']} failed (retried on the next run)")
    if counts["failed"]:
        sys.exit(1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(reminders_cli)
