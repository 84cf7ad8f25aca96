"""How fast the manager reports are for a large organisation, on SQLite and PostgreSQL.

    .venv/bin/python bench/reports.py [--people 100000] [--modules 40] [--databases sqlite,postgresql]

For each database: migrate an empty database, load an organisation of --people learners who each must
complete --modules modules, with years of history (cycles completed on time, late or not at all, renewals,
lapses, reading and failed attempts), straight into the tables with bulk inserts (COPY on PostgreSQL);
build the report summaries from those records (as the migration does); then time the org-wide
dashboard, the matrix, one site manager's 2,500-person scope, a person's page and the full CSV export,
through the services and through the Flask app, and print the timings, the peak memory of the export
and the targets. The last line is one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_SQLITE = "/tmp/conduit-bench-reports.db"  # noqa: S108 - a benchmark's scratch file
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/conduit_bench_reports"
PASSWORD = "bench-reports-password"  # noqa: S105 - the benchmark's own throwaway accounts
TARGETS_MS = {"dashboard (whole organisation)": 150.0, "dashboard (2,500-person scope)": 30.0}
DIVISIONS, SITES_PER_DIVISION, DEPARTMENTS_PER_SITE = 8, 5, 5
ROLE_AUDIENCES = {"ot-operator": 0.18, "ot-engineer": 0.08, "it-admin": 0.07, "manager": 0.05, "contractor": 0.02}
FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kemi", "Lars", "Mei", "Nia", "Omar", "Priya"]
LAST = [
    "Adams",
    "Bauer",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
]


# ---------------------------------------------------------------- the organisation


@dataclass
class Org:
    today: dt.date
    now: dt.datetime
    units: list[tuple[int, str, int | None, str]] = field(default_factory=list)  # id, name, parent, path
    departments: list[int] = field(default_factory=list)
    sites: list[int] = field(default_factory=list)
    admin_id: int = 0
    manager_id: int = 0
    sample_person_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def add_months(day: dt.date, months: int) -> dt.date:
    from training.services.calendar import add_months as shift

    return shift(day, months)


def end_of_calendar_months_after(day: dt.date, months: int) -> dt.date:
    from training.services.calendar import end_of_calendar_months_after as shift

    return shift(day, months)


def build_tree(org: Org) -> None:
    unit_id = 0

    def add(name: str, parent: tuple[int, str] | None) -> tuple[int, str]:
        nonlocal unit_id
        unit_id += 1
        path = f"{parent[1] if parent else '/'}{unit_id}/"
        org.units.append((unit_id, name, parent[0] if parent else None, path))
        return unit_id, path

    root = add("Conduit Energy", None)
    for d in range(DIVISIONS):
        division = add(f"Division {d + 1}", root)
        for s in range(SITES_PER_DIVISION):
            site = add(f"Site {d + 1}.{s + 1}", division)
            org.sites.append(site[0])
            for p in range(DEPARTMENTS_PER_SITE):
                org.departments.append(add(f"Department {d + 1}.{s + 1}.{p + 1}", site)[0])


@dataclass
class Rows:
    """One batch of rows for each table, filled by the history generator."""

    people: list[tuple[Any, ...]] = field(default_factory=list)
    roles: list[tuple[Any, ...]] = field(default_factory=list)
    audiences: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)
    completions: list[tuple[Any, ...]] = field(default_factory=list)
    attempts: list[tuple[Any, ...]] = field(default_factory=list)
    reading: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Ids:
    person: int = 0
    assignment: int = 0
    completion: int = 0
    attempt: int = 0
    reading: int = 0


def stamp(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(7, 17), rng.randint(0, 59), rng.randint(0, 59), tzinfo=dt.UTC)


def history(
    org: Org,
    rows: Rows,
    ids: Ids,
    person_id: int,
    hired: dt.date,
    profile: str,
    modules: list[tuple[int, str, str, int]],
    rng: random.Random,
    who: tuple[int, str] = (0, ""),
) -> None:
    """Every cycle of every module since the person joined, acted out by their profile; `who` is their unit and audiences.

    diligent: on time; late: up to two months late; lapsed: stopped renewing a year or so ago;
    never: completes about half of their modules, never the rest; new: joined recently.
    """
    stop = org.today - dt.timedelta(days=rng.randint(200, 500)) if profile == "lapsed" else org.today
    for module_id, audience, recur, revision_id in modules:
        assigned, due, cycle = hired, hired + dt.timedelta(days=30), 1
        rule = f"{audience}: due within 30 days of assignment; then " + (
            "every 12 months after each completion"
            if recur.startswith("every_months")
            else "by the end of the 15th calendar month after each completion"
        )
        skip = profile == "never" and rng.random() < 0.5
        while True:
            early, late = (25, 0) if profile == "diligent" else (20, 60)
            done = max(due + dt.timedelta(days=rng.randint(-early, late)), assigned)
            if skip or done >= stop or done >= org.today:
                break
            ids.assignment += 1
            ids.attempt += 1
            ids.completion += 1
            finished = stamp(done, rng)
            assigned_at = stamp(assigned, rng) if cycle > 1 else dt.datetime(hired.year, hired.month, hired.day, 9, tzinfo=dt.UTC)
            finished = max(finished, assigned_at + dt.timedelta(minutes=30))
            rows.assignments.append(
                (
                    ids.assignment,
                    person_id,
                    module_id,
                    cycle,
                    "completed",
                    assigned_at,
                    due,
                    audience,
                    recur,
                    rule,
                    "curriculum" if cycle == 1 else "recurrence",
                    1,
                    finished,
                    finished,
                )
            )
            rows.attempts.append(
                (
                    ids.attempt,
                    person_id,
                    module_id,
                    revision_id,
                    ids.assignment,
                    finished - dt.timedelta(minutes=12),
                    finished,
                    "[]",
                    None,
                    5.0,
                    5,
                    100.0,
                    80,
                    True,
                )
            )
            rows.completions.append(
                (
                    ids.completion,
                    person_id,
                    module_id,
                    revision_id,
                    ids.assignment,
                    ids.attempt,
                    finished,
                    100.0,
                    80,
                    "1.0.0",
                    1,
                    "0" * 64,
                    *who,
                )
            )
            assigned = done
            due = add_months(done, 12) if recur.startswith("every_months") else end_of_calendar_months_after(done, 15)
            cycle += 1
        ids.assignment += 1
        assigned_at = dt.datetime(assigned.year, assigned.month, assigned.day, 9, tzinfo=dt.UTC)
        attempts = 0
        if cycle == 1 and profile in ("new", "never") and rng.random() < 0.3:
            attempts = 1  # tried and failed the quiz once
            ids.attempt += 1
            tried = assigned_at + dt.timedelta(days=2)
            rows.attempts.append(
                (ids.attempt, person_id, module_id, revision_id, ids.assignment, tried, tried, "[]", None, 2.0, 5, 40.0, 80, False)
            )
        elif cycle == 1 and rng.random() < 0.2:
            ids.reading += 1
            rows.reading.append((ids.reading, person_id, module_id, "introduction", assigned_at + dt.timedelta(days=1)))
        rows.assignments.append(
            (
                ids.assignment,
                person_id,
                module_id,
                cycle,
                "open",
                assigned_at,
                due,
                audience,
                recur,
                rule,
                "curriculum" if cycle == 1 else "recurrence",
                attempts,
                None,
                None,
            )
        )


def people_batches(org: Org, people: int, module_count: int, rng: random.Random, batch: int = 2000) -> Iterator[Rows]:
    """Learners spread evenly over the departments, with their roles, audiences and history."""
    audience_ids = {slug: i + 1 for i, slug in enumerate(["all-staff", *ROLE_AUDIENCES])}
    role_modules = max(1, module_count // 4)
    ids = Ids(person=2)  # 1: the admin, 2: the site manager
    rows = Rows()
    for n in range(people):
        ids.person += 1
        person_id = ids.person
        department = org.departments[n % len(org.departments)]
        pick = rng.random()
        audience = "all-staff"
        for slug, share in ROLE_AUDIENCES.items():
            if pick < share:
                audience = slug
                break
            pick -= share
        profile = rng.choices(["diligent", "late", "lapsed", "never", "new"], weights=[55, 20, 12, 8, 5])[0]
        tenure = rng.randint(5, 60) if profile == "new" else rng.randint(60, 365 * 3)
        hired = org.today - dt.timedelta(days=tenure)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n:06d}"
        rows.people.append((person_id, f"person{n:06d}@example.com", name, None, department, True, stamp(hired, rng)))
        rows.roles.append((person_id, "learner"))
        rows.audiences.append((person_id, audience_ids[audience]))
        modules = [
            (
                m,
                "all-staff" if m <= module_count - role_modules or audience == "all-staff" else audience,
                "every_months:12" if m <= module_count - role_modules else "every_calendar_months:15",
                m,
            )
            for m in range(1, module_count + 1)
        ]
        history(org, rows, ids, person_id, hired, profile, modules, rng, (department, audience))
        if person_id == 3 + people // 2:
            org.sample_person_id = person_id
        if len(rows.people) >= batch:
            yield rows
            rows = Rows()
    if rows.people:
        yield rows


# ---------------------------------------------------------------- loading


class Loader:
    """Bulk inserts: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.db = sqlite3.connect(make_url(url).database or "")
            self.db.execute("PRAGMA synchronous=OFF")
        else:
            import psycopg

            self.pg = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))

    @staticmethod
    def _sqlite_value(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def insert(self, table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        names = [c.strip() for c in columns.split(",")]
        if self.sqlite:
            marks = ", ".join("?" * len(names))
            self.db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", ([self._sqlite_value(v) for v in row] for row in rows))  # noqa: S608
        else:
            with self.pg.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def execute(self, statement: str) -> None:
        if self.sqlite:
            self.db.execute(statement)
        else:
            self.pg.execute(statement)

    def commit(self) -> None:
        (self.db if self.sqlite else self.pg).commit()

    def close(self) -> None:
        (self.db if self.sqlite else self.pg).close()


def prepare(url: str) -> None:
    """An empty database migrated to the head revision."""
    from training import create_app
    from training.extensions import alembic

    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        parsed = make_url(url)
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}):
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        alembic.upgrade()


def load(url: str, people: int, module_count: int, seed: int) -> Org:
    from training.services.accounts import hash_password

    now = dt.datetime.now(dt.UTC)
    org = Org(today=now.date(), now=now)
    rng = random.Random(seed)
    build_tree(org)
    loader = Loader(url)
    created = now - dt.timedelta(days=365 * 7)
    loader.insert("org_units", "id, name, parent_id, path, created_at", ((*u, created) for u in org.units))
    audience_rows = [(i + 1, slug, slug.replace("-", " ").capitalize()) for i, slug in enumerate(["all-staff", *ROLE_AUDIENCES])]
    loader.insert("audiences", "id, slug, title", audience_rows)
    modules = [
        (m, f"m{m:02d}-module-{m}", f"Module {m:02d}: required training", "published", None, None, created)
        for m in range(1, module_count + 1)
    ]
    loader.insert("modules", "id, slug, title, status, published_revision_id, latest_revision_id, created_at", modules)
    revisions = [
        (m, m, 1, "1.0.0", 1, "published", f"Module {m:02d}: required training", f"{m:064x}", f"{m:064x}", "---\n", "", created)
        for m in range(1, module_count + 1)
    ]
    loader.insert(
        "module_revisions",
        "id, module_id, number, version, major, status, title, sha256, bundle_sha256, source, imported_from, created_at",
        revisions,
    )
    loader.execute("UPDATE modules SET published_revision_id = id, latest_revision_id = id")
    password = hash_password(PASSWORD)
    org.admin_id, org.manager_id = 1, 2
    site = org.sites[0]
    loader.insert(
        "people",
        "id, email, name, password_hash, org_unit_id, active, created_at",
        [
            (1, "admin@bench.example", "Bench Admin", password, org.units[0][0], True, created),
            (2, "manager@bench.example", "Bench Manager", password, site, True, created),
        ],
    )
    loader.insert("person_roles", "person_id, role", [(1, "admin"), (1, "learner"), (2, "manager"), (2, "learner")])
    loader.insert("managed_units", "person_id, org_unit_id", [(2, site)])
    totals = dict.fromkeys(("people", "assignments", "completions", "attempts", "reading"), 0)
    for batch in people_batches(org, people, module_count, rng):
        loader.insert("people", "id, email, name, password_hash, org_unit_id, active, created_at", batch.people)
        loader.insert("person_roles", "person_id, role", batch.roles)
        loader.insert("person_audiences", "person_id, audience_id", batch.audiences)
        loader.insert(
            "assignments",
            "id, person_id, module_id, cycle, status, assigned_at, due_on, audience, recur, rule, reason, attempts_used, completed_at, closed_at",
            batch.assignments,
        )
        loader.insert(
            "quiz_attempts",
            "id, person_id, module_id, revision_id, assignment_id, started_at, submitted_at, questions, answers, points, max_points, percent, pass_mark, passed",
            batch.attempts,
        )
        loader.insert(
            "completions",
            "id, person_id, module_id, revision_id, assignment_id, attempt_id, completed_at, percent, pass_mark, version, major, sha256, "
            "org_unit_id, audiences",
            batch.completions,
        )
        loader.insert("lesson_progress", "id, person_id, module_id, lesson_key, read_at", batch.reading)
        for name in totals:
            totals[name] += len(getattr(batch, "roles" if name == "people" else name))
        loader.commit()
    if not loader.sqlite:
        for table in (
            "org_units",
            "audiences",
            "people",
            "modules",
            "module_revisions",
            "assignments",
            "quiz_attempts",
            "completions",
            "lesson_progress",
        ):
            loader.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    loader.commit()
    loader.close()
    org.counts = totals
    return org


def build_summaries(url: str) -> None:
    from training import create_app
    from training.extensions import db
    from training.services.summaries import rebuild_summaries

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        rebuild_summaries(db.session)
        db.session.commit()
        # Fresh statistics, as autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) would keep them.
        db.session.execute(text("ANALYZE"))
        db.session.commit()


# ---------------------------------------------------------------- timing


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and best of `repeat` runs after one warm-up, in milliseconds."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), min(runs)


def measure(url: str, org: Org, repeat: int) -> dict[str, Any]:
    from training import create_app
    from training.extensions import db
    from training.models import Assignment, Person, ReportCell, ReportCount
    from training.services import reports
    from training.services.assignments import complete_assignment
    from training.services.exports import csv_chunks
    from training.services.reports import MatrixFilters
    from training.services.scope import scope_for

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    figures: dict[str, Any] = {}
    with app.app_context():
        session = db.session
        admin, manager = session.get(Person, org.admin_id), session.get(Person, org.manager_id)
        assert admin is not None
        assert manager is not None
        everyone, site = scope_for(session, admin), scope_for(session, manager)
        cells = session.scalar(select(func.count()).select_from(ReportCell))
        counted = session.scalar(select(func.sum(ReportCount.n)).where(ReportCount.unit_id == 0, ReportCount.module_id == 0))
        assert cells == counted, (cells, counted)
        figures["cells"] = cells
        figures["summary rows"] = session.scalar(select(func.count()).select_from(ReportCount))
        now = org.now

        def service(name: str, fn: Callable[[], Any]) -> None:
            figures[name] = timed(fn, repeat)
            session.rollback()

        service("dashboard (whole organisation)", lambda: reports.dashboard(session, everyone, now=now))
        service("dashboard (2,500-person scope)", lambda: reports.dashboard(session, site, now=now))
        service("matrix page 1 (whole organisation)", lambda: reports.matrix(session, everyone, MatrixFilters(), now=now))
        service("matrix page 1, overdue only", lambda: reports.matrix(session, everyone, MatrixFilters(status="overdue"), now=now))
        service(
            "matrix page 1, one module by due date",
            lambda: reports.matrix(session, everyone, MatrixFilters(module="m01-module-1", sort="due"), now=now),
        )
        service("matrix page 1,000 (whole organisation)", lambda: reports.matrix(session, everyone, MatrixFilters(page=1000), now=now))
        service("matrix page 1 (2,500-person scope)", lambda: reports.matrix(session, site, MatrixFilters(), now=now))
        service("person page", lambda: reports.person_report(session, everyone, org.sample_person_id, now=now))
        start = time.perf_counter()
        figures["people in the 2,500-person scope"] = sum(1 for _ in reports.matrix_table(session, site, MatrixFilters(), now=now).rows)
        figures["CSV export, 2,500-person scope (s)"] = round(time.perf_counter() - start, 2)
        session.rollback()

        def export_all() -> int:
            return sum(len(chunk) for chunk in csv_chunks(reports.matrix_table(session, everyone, MatrixFilters(), now=now)))

        start = time.perf_counter()
        size = export_all()
        figures["CSV export, whole matrix (s)"] = round(time.perf_counter() - start, 2)
        figures["CSV export size (MB)"] = round(size / 1e6, 1)
        session.rollback()
        start = time.perf_counter()
        overdue = sum(len(chunk) for chunk in csv_chunks(reports.overdue_table(session, everyone, MatrixFilters(), now=now)))
        figures["CSV export, overdue list (s)"] = round(time.perf_counter() - start, 2)
        figures["overdue list size (MB)"] = round(overdue / 1e6, 1)
        session.rollback()
        gc.collect()
        tracemalloc.start()
        export_all()
        figures["CSV export peak Python memory (MB)"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        tracemalloc.stop()
        session.rollback()

        # What a completion costs the summaries: close one open cycle (and open the next), then undo it.
        open_cycle = session.scalar(
            select(Assignment).where(Assignment.person_id == org.sample_person_id, Assignment.status == "open").limit(1)
        )
        assert open_cycle is not None

        def complete() -> None:
            complete_assignment(session, open_cycle, now=now)
            session.rollback()

        figures["completion incl. summary upkeep"] = timed(complete, repeat)

    client = app.test_client()
    for email, label in (("admin@bench.example", "whole organisation"), ("manager@bench.example", "2,500-person scope")):
        client.post("/sign-out")
        response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code

        def page(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        figures[f"HTTP /reports/ ({label})"] = timed(lambda: page("/reports/"), repeat)
        figures[f"HTTP /reports/matrix ({label})"] = timed(lambda: page("/reports/matrix"), repeat)
    start = time.perf_counter()
    response = client.get("/reports/exports/matrix.xlsx")
    figures["HTTP XLSX export (2,500-person scope) (s)"] = round(time.perf_counter() - start, 2)
    figures["XLSX size (MB)"] = round(len(response.data) / 1e6, 1)
    figures["peak RSS of this process (MB)"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite", default=f"sqlite:///{DEFAULT_SQLITE}", help="SQLite URL (a file: it is replaced)")
    parser.add_argument("--postgresql", default=DEFAULT_POSTGRES, help="PostgreSQL URL (its own database: it is emptied)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="skip building: time the database left by the last run")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for name in args.databases.split(","):
        url = args.sqlite if name == "sqlite" else args.postgresql
        print(f"== {name}: {url}", flush=True)
        if args.reuse:
            org = reuse(url)
        else:
            start = time.perf_counter()
            prepare(url)
            org = load(url, args.people, args.modules, args.seed)
            print(f"loaded {org.counts} in {time.perf_counter() - start:.0f} s", flush=True)
            start = time.perf_counter()
            build_summaries(url)
            print(f"built the report summaries in {time.perf_counter() - start:.0f} s", flush=True)
        figures = measure(url, org, args.repeat)
        results[name] = figures
        report(figures)
    print(json.dumps(results, default=list))


def reuse(url: str) -> Org:
    from training.models import Person, PersonRole

    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    org = Org(today=now.date(), now=now, admin_id=1, manager_id=2)
    with engine.connect() as connection:
        org.sample_person_id = connection.scalar(select(func.max(Person.id))) // 2 + 2
        assert connection.scalar(select(func.count()).select_from(PersonRole).where(PersonRole.role == "admin")) == 1
    engine.dispose()
    return org


def report(figures: dict[str, Any]) -> None:
    for name, value in figures.items():
        if isinstance(value, tuple):
            median, best = value
            target = TARGETS_MS.get(name)
            verdict = "" if target is None else f"  target {target:.0f} ms: {'met' if median <= target else 'MISSED'}"
            print(f"  {name:48} {median:9.1f} ms median {best:9.1f} ms best{verdict}")
        else:
            print(f"  {name:48} {value}")


if __name__ == "__main__":
    main()
