"""How close Conduit's main pages come to hello-world Flask on the same machine, SQLite and PostgreSQL.

    .venv/bin/python bench/perf.py [--duration 6] [--databases sqlite,postgresql]

For each database: migrate a fresh database, import content/, seed the demo organisation, serve
Conduit and bench/hello.py under identical gunicorn settings on free loopback ports, drive each page
with wrk (bench/wrk.lua), and print requests/s, p50/p99 latency and the ratio to hello-world. The
last line is one JSON object mapping "<database>/<page>" to that ratio. Exits 1 if any response
was an error or not the one expected. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

BENCH = ROOT / "bench"
WRK_SCRIPT = BENCH / "wrk.lua"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# The same for Conduit and for hello-world: two sync workers, no access log.
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/conduit_perf"
AGENT = "conduit-bench"
PASSWORD = "conduit-demo"  # noqa: S105 - the published demo password
PAGES = ("my-training", "lesson", "quiz", "submit", "dashboard")
# Targets from issue 6: ratio to hello-world, (SQLite, PostgreSQL).
TARGETS = {
    "my-training": (0.4, 0.25),
    "lesson": (0.5, 0.35),
    "quiz": (0.35, 0.25),
    "submit": (0.2, 0.15),
    "dashboard": (0.2, 0.15),
}
MEMORY_LIMIT_MB = 150


class BenchError(Exception):
    """A database's run could not be measured; the others still are."""


# ---------------------------------------------------------------- the database


@dataclass
class Fixture:
    """What the benchmark needs to know about the seeded demo."""

    learner_id: int
    lesson_path: str
    quiz_slug: str
    submit_slugs: list[str]
    answers: str
    catalogue_paths: list[str]
    quiz_answers: str = ""  # an answer to every question of the quiz module, for submitting its open attempt


def prepare_postgresql(url: str) -> None:
    """Create the benchmark's own database if missing, and empty it."""
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


def seed(url: str, connections: int) -> Fixture:
    """Migrate, import the shipped content and seed the demo, through the app's own code."""
    from training import create_app
    from training.content import load_catalogue
    from training.extensions import alembic, db
    from training.models import Assignment, Module, ModuleRevision, Person
    from training.services.catalogue import import_catalogue, revision_doc
    from training.services.demo import seed_demo

    now = dt.datetime.now(dt.UTC)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)})
    with app.app_context():
        alembic.upgrade()
        catalogue = load_catalogue(Path(app.config["CONTENT_PATH"]), today=now.date())
        import_catalogue(db.session, catalogue, now=now)
        db.session.commit()
        seed_demo(db.session, now=now)
        db.session.commit()
        session = db.session
        learner = session.scalars(select(Person).where(Person.email == "learner@example.com")).one()
        assigned = session.scalars(
            select(Module.slug)
            .join(Assignment, Assignment.module_id == Module.id)
            .where(Assignment.person_id == learner.id, Assignment.status == "open")
            .order_by(Module.slug)
        ).all()
        if len(assigned) < connections + 1:
            raise BenchError(f"the demo learner has {len(assigned)} open assignments; the benchmark needs {connections + 1}")
        docs = {}
        for module, revision in session.execute(
            select(Module, ModuleRevision).join(ModuleRevision, ModuleRevision.id == Module.published_revision_id).order_by(Module.slug)
        ):
            docs[module.slug] = revision_doc(revision)
        # The longest lesson the learner is assigned: the page with the most to render and send.
        lesson_slug, lesson = max(
            ((slug, item) for slug in assigned for item in docs[slug].lessons), key=lambda pair: len(pair[1].markdown)
        )
        quiz_slug, *others = assigned
        submit_slugs = others[:connections]
        catalogue_paths = []
        for slug, doc in docs.items():
            catalogue_paths += [f"/modules/{slug}", f"/modules/{slug}/quiz"] + [
                f"/modules/{slug}/lessons/{item.id}" for item in doc.lessons
            ]
        fixture = Fixture(
            learner_id=learner.id,
            lesson_path=f"/modules/{lesson_slug}/lessons/{lesson.id}",
            quiz_slug=quiz_slug,
            submit_slugs=submit_slugs,
            answers=answers_form([docs[slug] for slug in submit_slugs]),
            catalogue_paths=catalogue_paths,
            quiz_answers=answers_form([docs[quiz_slug]]),
        )
        for engine in db.engines.values():
            engine.dispose()
    return fixture


def answers_form(docs: list) -> str:  # type: ignore[type-arg]
    """One answer for every question of these modules: right where the bank fixes it (true/false and
    short answers), the first shown choice where shuffling decides, so attempts both pass and fail."""
    fields: list[tuple[str, str]] = []
    for doc in docs:
        for question in doc.questions:
            if question.type == "truefalse":
                fields.append((f"q-{question.id}", "true" if question.answer else "false"))
            elif question.type in ("single", "multiple"):
                fields.append((f"q-{question.id}", "c0"))
            else:
                fields.append((f"q-{question.id}", question.accept[0]))
    return urllib.parse.urlencode(fields)


def attempt_counts(url: str, person_id: int) -> tuple[int, int]:
    """(submitted attempts, passed attempts) of one person, read straight from the database."""
    from training.models import QuizAttempt

    engine = create_engine(url)
    with engine.connect() as connection:
        submitted = connection.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.person_id == person_id, QuizAttempt.submitted_at.is_not(None))
        )
        passed = connection.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.person_id == person_id, QuizAttempt.passed.is_(True))
        )
    engine.dispose()
    return submitted or 0, passed or 0


# ---------------------------------------------------------------- servers and clients


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes


@contextmanager
def gunicorn(app: str, chdir: Path, env: dict[str, str], log: Path, probe: str, *, workers: int = 2) -> Iterator[Server]:
    port = free_port()
    settings = [*GUNICORN_SETTINGS]
    settings[settings.index("--workers") + 1] = str(workers)
    command = [GUNICORN, *settings, "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), app]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Client(port).request("GET", probe).status < 500:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"gunicorn for {app} did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Answer:
    status: int
    location: str
    body: str


@dataclass
class Client:
    """A tiny HTTP client that keeps the session cookie, as a browser would."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"User-Agent": AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        answer = Answer(response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace"))
        connection.close()
        return answer

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        if page.status != 200 or match is None:
            raise BenchError(f"no CSRF token on {path} (status {page.status})")
        return match.group(1)

    def sign_in(self, email: str) -> None:
        token = self.csrf_token("/sign-in")
        answer = self.request("POST", "/sign-in", {"csrf_token": token, "email": email, "password": PASSWORD})
        if answer.status != 302:
            raise BenchError(f"signing in as {email} failed with status {answer.status}")


# ---------------------------------------------------------------- wrk


@dataclass
class Result:
    page: str
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    detail: str = ""
    starts: int = 0
    submits: int = 0
    skipped: str = ""
    hello_rps: float = 0.0  # hello-world's rate around this run (its own rate for hello-world itself)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(page: str, url: str, *, duration: int, connections: int, env: dict[str, str]) -> Result:
    # One connection per wrk thread, for every page: the quiz cycle needs it, and so all runs are alike.
    command = [
        "wrk",
        "--latency",
        "-t",
        str(connections),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    completed = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=duration + 60, check=False)
    output = completed.stdout + completed.stderr
    result = Result(page)
    found = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if completed.returncode != 0 or not found or not rps:
        result.errors = 1
        result.detail = f"wrk failed: {output.strip()[-500:]}"
        return result
    result.requests = int(found.group(1))
    result.rps = float(rps.group(1))
    result.p50_ms = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    result.p99_ms = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    problems = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.errors += int(match.group(1))
        problems.append(f"{match.group(1)} non-2xx/3xx")
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        count = sum(int(n) for n in match.groups())
        result.errors += count
        problems.append(f"socket errors {match.group(0)[15:]}" if count else "")
    if match := re.search(r"bench: unexpected=(\d+) starts=(\d+) submits=(\d+) first_unexpected=(.*)", output):
        unexpected = int(match.group(1))
        result.starts, result.submits = int(match.group(2)), int(match.group(3))
        if unexpected:
            result.errors += unexpected
            problems.append(f"{unexpected} unexpected answers (first: {match.group(4).strip()})")
    elif env.get("BENCH_MODE", "get") != "get":
        result.errors += 1
        problems.append("the wrk script reported nothing")
    result.detail = "; ".join(p for p in problems if p)
    return result


def drive(page: str, url: str, *, duration: int, connections: int, env: dict[str, str]) -> Result:
    """A one-second warm-up (not counted), then the measured run."""
    wrk(page, url, duration=1, connections=connections, env=env)
    return wrk(page, url, duration=duration, connections=connections, env=env)


# ---------------------------------------------------------------- one database


@dataclass
class Run:
    database: str
    hello: list[Result]
    results: dict[str, Result]
    memory_mb: list[float]
    hello_memory_mb: list[float]
    problems: list[str]


def bench_database(database: str, url: str, *, duration: int, connections: int, workdir: Path) -> Run:
    started = time.monotonic()
    if database == "postgresql":
        prepare_postgresql(url)
    fixture = seed(url, connections)
    print(f"  prepared in {time.monotonic() - started:.1f}s: migrated, content imported, demo seeded", flush=True)
    problems: list[str] = []
    server_env = {"TRAINING_DATABASE_URL": url, "TRAINING_SECRET_KEY": secrets.token_hex(32)}
    results: dict[str, Result] = {}
    hellos: list[Result] = []

    with (
        gunicorn("hello:app", BENCH, {}, workdir / f"hello-{database}.log", "/") as hello_server,
        gunicorn("app:app", ROOT, server_env, workdir / f"conduit-{database}.log", "/healthz") as server,
    ):
        base = f"http://127.0.0.1:{server.port}"

        def hello_world() -> Result:
            # Warmed up once; after that the runs follow each other.
            measure = drive if not hellos else wrk
            result = measure("hello-world", f"http://127.0.0.1:{hello_server.port}/", duration=duration, connections=connections, env={})
            result.hello_rps = result.rps
            hellos.append(result)
            return result

        def measured(result: Result, what: str) -> None:
            """Record a page's run, its ratio taken to hello-world run just before and just after it: the
            machine's other work drifts, and so the two are measured under the same conditions."""
            before, after = hellos[-1], hello_world()
            result.hello_rps = (before.rps + after.rps) / 2
            results[result.page] = result
            report(database, result, what)

        def page(name: str, client: Client, path: str) -> None:
            """GET a page under load; it must answer 200 to that session before and after the run."""
            env = {"BENCH_COOKIE": client.cookie_header, "BENCH_AGENT": AGENT}
            statuses = [client.request("GET", path).status]
            result = drive(name, base + path, duration=duration, connections=connections, env=env)
            statuses.append(client.request("GET", path).status)
            if statuses != [200, 200]:
                result.errors += 1
                result.detail = f"{path} answered {statuses[0]} before and {statuses[1]} after the run, not 200"
            measured(result, path)

        learner = Client(server.port)
        learner.sign_in("learner@example.com")
        token = learner.csrf_token("/training")
        opened = learner.request("POST", f"/modules/{fixture.quiz_slug}/quiz", {"csrf_token": token})
        if opened.status != 302 or not re.search(r"/attempts/\d+$", opened.location):
            raise BenchError(f"could not open a quiz attempt: {opened.status} {opened.location}")
        quiz_path = urllib.parse.urlsplit(opened.location).path
        as_learner = {"BENCH_COOKIE": learner.cookie_header, "BENCH_AGENT": AGENT}

        first = hello_world()
        report(database, first, "/ (and again after each page below)")
        page("my-training", learner, "/training")
        page("lesson", learner, fixture.lesson_path)
        page("quiz", learner, quiz_path)

        manager = Client(server.port)
        manager.sign_in("manager@example.com")
        probe = manager.request("GET", "/reports/")
        if probe.status != 404:
            page("dashboard", manager, "/reports/")
        else:
            results["dashboard"] = Result("dashboard", skipped=f"/reports/ answered {probe.status} for the manager: not there yet")
            print(f"  {'dashboard':<12} skipped: {results['dashboard'].skipped}", flush=True)

        # Fresh submissions: each thread starts an attempt on its own module and submits it, in turn.
        quiz_env = {
            **as_learner,
            "BENCH_MODE": "quiz",
            "BENCH_TOKEN": urllib.parse.quote(token),
            "BENCH_MODULES": " ".join(fixture.submit_slugs),
            "BENCH_ANSWERS": fixture.answers,
        }
        wrk("submit", base + "/", duration=1, connections=connections, env=quiz_env)
        before, passed_before = attempt_counts(url, fixture.learner_id)
        submit = wrk("submit", base + "/", duration=duration, connections=connections, env=quiz_env)
        after, passed_after = attempt_counts(url, fixture.learner_id)
        recorded = after - before
        # A request in flight when wrk stops still completes on the server: at most one per connection.
        if not submit.submits <= recorded <= submit.submits + connections:
            submit.errors += 1
            submit.detail = f"{submit.detail}; wrk counted {submit.submits} submissions but {recorded} were recorded".strip("; ")
        measured(submit, "POST start + POST submit, alternating")
        print(
            f"  {'':<12} {submit.submits} fresh submissions ({submit.submits / duration:.0f}/s), {recorded} graded attempts "
            f"recorded ({passed_after - passed_before} passed)",
            flush=True,
        )

        # For comparison only: POSTing an attempt that is already submitted records nothing and redirects.
        graded = learner.request("POST", quiz_path, {"csrf_token": token, **dict(urllib.parse.parse_qsl(fixture.quiz_answers))})
        if not graded.location.endswith("/result"):
            problems.append(f"submitting {quiz_path} answered {graded.status} {graded.location}, not the result page")
        resubmit = drive(
            "resubmit", base + quiz_path, duration=duration, connections=connections,
            env={**as_learner, "BENCH_MODE": "post", "BENCH_EXPECT": "302", "BENCH_BODY": f"csrf_token={urllib.parse.quote(token)}"},
        )  # fmt: skip
        measured(resubmit, "POST of an already-submitted attempt (not in the JSON)")
        hello_memory = hello_server.worker_rss_mb()

    # Memory: one worker (a server of its own, so that worker surely served every page) after every
    # module's introduction, lessons and quiz page, and the pages above, have been through it.
    with gunicorn("app:app", ROOT, server_env, workdir / f"memory-{database}.log", "/healthz", workers=1) as single:
        reader = Client(single.port)
        reader.sign_in("learner@example.com")
        for path in [*fixture.catalogue_paths, "/training", f"{quiz_path}/result", "/transcript"]:
            answer = reader.request("GET", path)
            if answer.status != 200:
                problems.append(f"catalogue page {path} answered {answer.status}")
        memory = single.worker_rss_mb()
    rates = [h.rps for h in hellos]
    print(
        f"  hello-world over {len(rates)} runs: {min(rates):.0f} to {max(rates):.0f} req/s\n"
        f"  worker RSS with the full catalogue loaded: {', '.join(f'{m:.1f} MB' for m in memory)} (limit {MEMORY_LIMIT_MB} MB); "
        f"hello-world workers: {', '.join(f'{m:.1f} MB' for m in hello_memory)}",
        flush=True,
    )
    return Run(database, hellos, results, memory, hello_memory, problems)


def report(database: str, result: Result, what: str) -> None:
    ratio = result.rps / result.hello_rps if result.hello_rps else 0.0
    target = TARGETS.get(result.page)
    goal = ""
    if target:
        wanted = target[0] if database == "sqlite" else target[1]
        goal = f"target {wanted:.2f} {'ok' if ratio >= wanted else 'MISSED'}"
    print(
        f"  {result.page:<12} {result.rps:>9.1f} req/s  p50 {result.p50_ms:>7.2f} ms  p99 {result.p99_ms:>7.2f} ms  "
        f"ratio {ratio:>5.3f}  errors {result.errors:<3} {goal:<18} {what}" + (f"\n  {'':<12} {result.detail}" if result.detail else ""),
        flush=True,
    )


# ---------------------------------------------------------------- the run


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    wrk_version = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0].split(" Copyright")[0]
    )
    return (
        f"machine: {os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB RAM, Linux {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {wrk_version.strip() or 'wrk'}; "
        f"load average {os.getloadavg()[0]:.2f} (other work on the machine shares its CPUs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=6, help="seconds of measured load per page (default 6)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections, one per wrk thread (default 4)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    args = parser.parse_args()
    postgres_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    print(machine(), flush=True)
    print(
        f"gunicorn {' '.join(GUNICORN_SETTINGS)}; wrk -t{args.connections} -c{args.connections} -d{args.duration}s after a 1 s warm-up, loopback",
        flush=True,
    )
    started = time.monotonic()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := set(databases) - {"sqlite", "postgresql"}:
        raise SystemExit(f"unknown database(s): {', '.join(sorted(unknown))}")
    runs: list[Run] = []
    ratios: dict[str, float | None] = {f"{database}/{page}": None for database in databases for page in PAGES}
    errors = 0
    with tempfile.TemporaryDirectory(prefix="conduit-bench-") as tmp:
        workdir = Path(tmp)
        for database in databases:
            url = f"sqlite:///{workdir / 'conduit.db'}" if database == "sqlite" else postgres_url
            print(f"\n{database}: {make_url(url).render_as_string(hide_password=True)}", flush=True)
            try:
                runs.append(bench_database(database, url, duration=args.duration, connections=args.connections, workdir=workdir))
            except (BenchError, SQLAlchemyError, OSError) as error:
                errors += 1
                print(f"  could not be measured: {error}", flush=True)
    for run in runs:
        errors += sum(h.errors for h in run.hello) + sum(result.errors for result in run.results.values()) + len(run.problems)
        for name in PAGES:
            result = run.results.get(name)
            if result is not None and not result.skipped:
                ratios[f"{run.database}/{name}"] = round(result.rps / result.hello_rps, 3) if result.hello_rps else 0.0
        for problem in run.problems:
            print(f"error ({run.database}): {problem}")
    if runs:
        largest = max(m for run in runs for m in run.memory_mb)
        print(f"\nlargest worker RSS: {largest:.1f} MB (limit {MEMORY_LIMIT_MB} MB, {'ok' if largest < MEMORY_LIMIT_MB else 'MISSED'})")
    print(f"errors: {errors}; total time {time.monotonic() - started:.0f}s")
    print(json.dumps(ratios))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
