"""Compliance reports within a viewer's scope: statuses, dashboard, matrix, a person's record and export rows."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, bindparam, case, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from training.models import (
    NEVER_DUE,
    Assignment,
    Audience,
    Completion,
    Module,
    ModuleRevision,
    OrgUnit,
    Person,
    PersonAudience,
    QuizAttempt,
    ReportCell,
    ReportCount,
    ReportMonth,
)

from . import NotFound
from .fastread import Prepared, Reader, as_reader
from .scope import Scope, people_in_scope
from .summaries import ALL_MODULES, EVERYONE

DUE_SOON_DAYS = 30
STATUSES = ("current", "due-soon", "overdue", "expired", "in-progress", "not-started")
STATUS_LABELS = {
    "current": "Current",
    "due-soon": "Due soon",
    "overdue": "Overdue",
    "expired": "Expired",
    "in-progress": "In progress",
    "not-started": "Not started",
}
# A filter across the statuses: nothing done yet in any cycle, whatever the due date (the dashboard's "never started").
NEVER_STARTED = "never-started"
FILTERS = (*STATUSES, NEVER_STARTED)
FILTER_LABELS = {**STATUS_LABELS, NEVER_STARTED: "Never started (any due date)"}
PAGE_SIZE = 50
SORTS = ("name", "-name", "due", "-due")
MONTHS_SHOWN = 12
STREAM_BATCH = 2000


# ---------------------------------------------------------------- statuses


def status_condition(status: str, due_on: Any, completed_before: Any, started: Any, *, today: dt.date) -> ColumnElement[bool]:
    """SQL that holds when a cell with these columns has `status` today.

    Past due: expired if an earlier cycle was completed, else overdue. Due within DUE_SOON_DAYS
    (today included): due soon. Later: current if completed before, else in progress or not started.
    """
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    later = due_on > soon
    conditions: dict[str, ColumnElement[bool]] = {
        "expired": and_(due_on < today, completed_before.is_(True)),
        "overdue": and_(due_on < today, completed_before.is_(False)),
        "due-soon": and_(due_on >= today, due_on <= soon),
        "current": and_(later, completed_before.is_(True)),
        "in-progress": and_(later, completed_before.is_(False), started.is_(True)),
        "not-started": and_(later, completed_before.is_(False), started.is_(False)),
        NEVER_STARTED: and_(completed_before.is_(False), started.is_(False)),
    }
    return conditions[status]


def status_of(due_on: Any, completed_before: Any, started: Any, *, today: dt.date) -> ColumnElement[str]:
    """SQL for a cell's status name, consistent with status_condition."""
    return case(*[(status_condition(s, due_on, completed_before, started, today=today), s) for s in STATUSES[:-1]], else_="not-started")


def _flag_sums(due_on: Any, n: Any) -> list[Any]:
    """For cells grouped by their two flags: how many are past due, due by the end of the due-soon window, in all.

    The dates are bound when the statement runs (`today`, `soon`), so the statement is built once.
    """
    past = func.sum(case((due_on < bindparam("today", type_=Date), n), else_=0)).label("past")
    by_soon = func.sum(case((due_on <= bindparam("soon", type_=Date), n), else_=0)).label("by_soon")
    return [past, by_soon, func.sum(n).label("total")]


def _days(today: dt.date) -> dict[str, dt.date]:
    return {"today": today, "soon": today + dt.timedelta(days=DUE_SOON_DAYS)}


@dataclass(frozen=True)
class StatusCounts:
    """How many person × required-module cells are in each status."""

    current: int = 0
    due_soon: int = 0
    overdue: int = 0
    expired: int = 0
    in_progress: int = 0
    not_started: int = 0
    # Across the statuses above, not one of them: cells never completed and not started, whatever their due date.
    never_started: int = 0

    @classmethod
    def from_flags(cls, completed_before: bool, started: bool, past: int, by_soon: int, total: int) -> StatusCounts:
        """Cells that share both flags, split by due date (the rules of status_condition, applied to counts)."""
        soon, later = int(by_soon) - int(past), int(total) - int(by_soon)
        if completed_before:
            return cls(current=later, due_soon=soon, expired=int(past))
        if started:
            return cls(due_soon=soon, overdue=int(past), in_progress=later)
        return cls(due_soon=soon, overdue=int(past), not_started=later, never_started=int(total))

    def get(self, status: str) -> int:
        value: int = getattr(self, _FIELDS[status])
        return value

    @classmethod
    def sum(cls, parts: Iterable[StatusCounts]) -> StatusCounts:
        """Many counts added up in one pass (adding them pairwise makes a new object each time)."""
        totals = [0] * 7
        for p in parts:
            totals[0] += p.current
            totals[1] += p.due_soon
            totals[2] += p.overdue
            totals[3] += p.expired
            totals[4] += p.in_progress
            totals[5] += p.not_started
            totals[6] += p.never_started
        return cls(*totals)

    @property
    def total(self) -> int:
        return self.current + self.due_soon + self.overdue + self.expired + self.in_progress + self.not_started

    def percent(self, status: str) -> int:
        """The share in `status`, rounded down so 100% means everyone."""
        return 100 * self.get(status) // self.total if self.total else 0

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(
            self.current + other.current, self.due_soon + other.due_soon, self.overdue + other.overdue,
            self.expired + other.expired, self.in_progress + other.in_progress, self.not_started + other.not_started,
            self.never_started + other.never_started,
        )  # fmt: skip

    def __sub__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(
            self.current - other.current, self.due_soon - other.due_soon, self.overdue - other.overdue,
            self.expired - other.expired, self.in_progress - other.in_progress, self.not_started - other.not_started,
            self.never_started - other.never_started,
        )  # fmt: skip


_FIELDS = {status: status.replace("-", "_") for status in FILTERS}


# ---------------------------------------------------------------- where a report looks


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True)
class Reach:
    """A scope, optionally narrowed to one org unit inside it, and the summary units that cover it."""

    scope: Scope
    roots: tuple[int, ...]  # subtree roots in report_counts (EVERYONE for all); empty: only the viewer
    unit: UnitRow | None = None

    def people(self, person_id: Any) -> ColumnElement[bool]:
        """SQL that holds for people this report may show: the scope from scope.py, then the unit."""
        conditions: list[ColumnElement[bool]] = []
        if not self.scope.everyone:
            conditions.append(person_id.in_(people_in_scope(self.scope)))
        if self.unit is not None:
            units = select(OrgUnit.id).where(OrgUnit.path.startswith(self.unit.path, autoescape=True))
            conditions.append(person_id.in_(select(Person.id).where(Person.org_unit_id.in_(units))))
        return and_(true(), *conditions)


def unit_in_scope(scope: Scope, path: str) -> bool:
    """Whether the org unit at this path lies in one of the scope's subtrees."""
    return scope.everyone or any(path.startswith(managed) for managed in scope.unit_paths)


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    path: str


_UNIT_ROW = Prepared(select(OrgUnit.id, OrgUnit.name, OrgUnit.path).where(OrgUnit.id == bindparam("unit_id")))


def reach(db: Session | Reader, scope: Scope, unit_id: int | None = None) -> Reach:
    """Where a report for this scope looks; a unit outside the scope is indistinguishable from a missing one."""
    if unit_id is not None:
        row = as_reader(db).first(_UNIT_ROW, unit_id=unit_id)
        unit = UnitRow(*row) if row is not None else None
        if unit is None or not unit.path or not unit_in_scope(scope, unit.path):
            raise NotFound("no such org unit")
        return Reach(scope, (unit.id,), unit)
    if scope.everyone:
        return Reach(scope, (EVERYONE,))
    # A subtree inside another managed subtree is already counted there.
    outermost = [p for p in scope.unit_paths if not any(p != q and p.startswith(q) for q in scope.unit_paths)]
    return Reach(scope, tuple(int(p.strip("/").rsplit("/", 1)[-1]) for p in outermost))


# ---------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    counts: StatusCounts
    unit_id: int | None = None  # a drill-down link, for org-unit bars


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    completions: int


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    title: str
    unit: UnitRef | None
    trail: tuple[UnitRef, ...]  # from the scope's top down to the unit's parent
    people: int
    totals: StatusCounts
    by_unit: tuple[Bar, ...]
    by_audience: tuple[Bar, ...]
    by_module: tuple[Bar, ...]
    by_month: tuple[MonthCount, ...]


def dashboard(db: Session | Reader, scope: Scope, *, now: dt.datetime, unit_id: int | None = None) -> Dashboard:
    """Headline figures and breakdowns for a scope, from the summary tables: a handful of queries at any size."""
    reader = as_reader(db)
    where = reach(reader, scope, unit_id)
    today = now.date()
    rows = _module_audience_counts(reader, where, today)
    by_module: dict[str, tuple[str, list[StatusCounts]]] = {}
    by_audience: dict[str, list[StatusCounts]] = {}
    titles: dict[str, str] = {}
    for slug, title, audience, audience_title, counts in rows:
        by_module.setdefault(slug, (title, []))[1].append(counts)
        by_audience.setdefault(audience, []).append(counts)
        titles[audience] = audience_title or audience
    module_bars = tuple(Bar(slug, title, StatusCounts.sum(parts)) for slug, (title, parts) in sorted(by_module.items()))
    audience_bars = tuple(Bar(slug, titles.get(slug, slug), StatusCounts.sum(parts)) for slug, parts in sorted(by_audience.items()))
    units, title, trail = _unit_bars(reader, where, today)
    return Dashboard(
        as_of=today, title=title, unit=UnitRef(where.unit.id, where.unit.name) if where.unit else None, trail=trail,
        people=_people_count(reader, where), totals=StatusCounts.sum(counts for *_, counts in rows), by_unit=units,
        by_audience=audience_bars, by_module=module_bars, by_month=_months(reader, where, now),
    )  # fmt: skip


def _module_audience_statement(source: str) -> Select[Any]:
    if source == "subtrees":
        c = ReportCount
        flags: tuple[Any, ...] = (c.module_id, c.audience, c.completed_before, c.started)
        grouped = select(*flags, *_flag_sums(c.due_on, c.n)).where(
            c.unit_id.in_(bindparam("roots", expanding=True)), c.module_id != ALL_MODULES
        )
    else:
        r = ReportCell
        flags = (r.module_id, r.audience, r.completed_before, r.started)
        grouped = select(*flags, *_flag_sums(r.due_on, literal(1))).where(r.person_id == bindparam("viewer"))
    sums = grouped.group_by(*flags).subquery("sums")
    query = select(
        Module.slug, Module.title, sums.c.audience, Audience.title, sums.c.completed_before, sums.c.started, sums.c.past,
        sums.c.by_soon, sums.c.total,
    )  # fmt: skip
    return query.join(sums, sums.c.module_id == Module.id).outerjoin(Audience, Audience.slug == sums.c.audience)


# The dashboard's statements, built and compiled once (building one costs more than running it on the summaries).
_MODULE_AUDIENCE = {source: Prepared(_module_audience_statement(source)) for source in ("subtrees", "viewer")}
_UNIT_COUNTS = Prepared(
    select(ReportCount.unit_id, ReportCount.completed_before, ReportCount.started, *_flag_sums(ReportCount.due_on, ReportCount.n))
    .where(ReportCount.unit_id.in_(bindparam("units", expanding=True)), ReportCount.module_id == ALL_MODULES)
    .group_by(ReportCount.unit_id, ReportCount.completed_before, ReportCount.started)
)
_UNITS = select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id, OrgUnit.path)
_UNITS_BELOW_EVERYONE = Prepared(_UNITS.where(or_(OrgUnit.parent_id.is_(None), OrgUnit.id.in_(bindparam("units", expanding=True)))))
_UNITS_BELOW_ROOTS = Prepared(
    _UNITS.where(or_(OrgUnit.parent_id.in_(bindparam("roots", expanding=True)), OrgUnit.id.in_(bindparam("units", expanding=True))))
)
_MONTHS = Prepared(
    select(ReportMonth.month, func.sum(ReportMonth.n))
    .where(ReportMonth.unit_id.in_(bindparam("roots", expanding=True)), ReportMonth.month >= bindparam("since", type_=Date))
    .group_by(ReportMonth.month)
)
_MY_MONTHS = Prepared(
    select(Completion.completed_at).where(
        Completion.person_id == bindparam("person_id"), Completion.completed_at >= bindparam("since", type_=Completion.completed_at.type)
    )
)
_PEOPLE_EVERYWHERE = Prepared(select(func.count()).select_from(Person).where(Person.active.is_(True)))
# People in one org-unit subtree: its path and every path that starts with it, as a range the path index can walk
# (a LIKE with a bound pattern would be planned anew on every execution).
_PEOPLE_UNDER = Prepared(
    select(func.count())
    .select_from(Person)
    .join(OrgUnit, OrgUnit.id == Person.org_unit_id)
    .where(Person.active.is_(True), OrgUnit.path >= bindparam("low"), OrgUnit.path < bindparam("high"))
)


def path_range(path: str) -> tuple[str, str]:
    """The paths in a subtree are those from `path` up to (not including) `path` with its last character moved on one."""
    return path, path[:-1] + chr(ord(path[-1]) + 1)


def _module_audience_counts(reader: Reader, where: Reach, today: dt.date) -> list[tuple[str, str, str, str | None, StatusCounts]]:
    """Status counts per module and audience (with its title); several rows for one pair, one per combination of the flags."""
    if where.roots:
        rows = reader.rows(_MODULE_AUDIENCE["subtrees"], roots=list(where.roots), **_days(today))
    else:
        rows = reader.rows(_MODULE_AUDIENCE["viewer"], viewer=where.scope.viewer_id, **_days(today))
    return [(slug, title, audience, named, StatusCounts.from_flags(*flag_counts)) for slug, title, audience, named, *flag_counts in rows]


@dataclass(frozen=True)
class _Unit:
    id: int
    name: str
    parent_id: int | None
    path: str


def _unit_bars(reader: Reader, where: Reach, today: dt.date) -> tuple[tuple[Bar, ...], str, tuple[UnitRef, ...]]:
    """A bar for each child of each subtree root (and one for people directly in a root), the title and trail."""
    if not where.roots:
        return (), "Your own training", ()
    roots = [r for r in where.roots if r != EVERYONE]
    trail_ids = [int(part) for part in where.unit.path.strip("/").split("/")[:-1]] if where.unit else []
    if EVERYONE in where.roots:
        found = reader.rows(_UNITS_BELOW_EVERYONE, units=roots + trail_ids or [-1])
    else:
        found = reader.rows(_UNITS_BELOW_ROOTS, roots=roots, units=roots + trail_ids)
    units = [_Unit(*row) for row in found]
    names = {u.id: u.name for u in units}
    children: dict[int, list[Any]] = {root: [] for root in where.roots}
    for unit in units:
        parent = EVERYONE if unit.parent_id is None else unit.parent_id
        if parent in children and unit.id not in where.roots:
            children[parent].append(unit)
    ids = [*where.roots, *(u.id for kids in children.values() for u in kids)]
    parts: dict[int, list[StatusCounts]] = {}
    for unit_id, *flag_counts in reader.rows(_UNIT_COUNTS, units=ids, **_days(today)):
        parts.setdefault(unit_id, []).append(StatusCounts.from_flags(*flag_counts))
    counts = {unit_id: StatusCounts.sum(found) for unit_id, found in parts.items()}
    bars: list[Bar] = []
    for root in sorted(where.roots, key=lambda r: (r != EVERYONE, names.get(r, "").casefold())):
        total = counts.get(root, StatusCounts())
        kids = sorted(children[root], key=lambda u: u.name.casefold())
        if not kids:
            bars.append(Bar(str(root), names.get(root, "Everyone"), total, root if len(where.roots) > 1 else None))
            continue
        direct = total
        for kid in kids:
            bars.append(Bar(str(kid.id), kid.name, counts.get(kid.id, StatusCounts()), kid.id))
            direct -= counts.get(kid.id, StatusCounts())
        if direct.total:
            label = "No org unit" if root == EVERYONE else f"{names.get(root, '')} (not in a sub-unit)"
            bars.append(Bar(f"{root}-direct", label, direct))
    if where.unit is not None:
        title = where.unit.name
    elif EVERYONE in where.roots:
        title = "The whole organisation"
    else:
        title = " and ".join(sorted((names.get(r, "") for r in where.roots), key=str.casefold))
    paths = {u.id: u.path for u in units}
    trail = tuple(UnitRef(i, names[i]) for i in trail_ids if i in names and unit_in_scope(where.scope, paths[i]))
    return tuple(bars), title, trail


def _people_count(reader: Reader, where: Reach) -> int:
    """Active people in the report's reach: subtrees never overlap (reach keeps only the outermost), so counts add up."""
    if not where.roots:
        return 1
    if where.unit is not None:
        paths = [where.unit.path]
    elif EVERYONE in where.roots:
        return int(reader.rows(_PEOPLE_EVERYWHERE)[0][0])
    else:
        paths = [p for p in where.scope.unit_paths if not any(p != q and p.startswith(q) for q in where.scope.unit_paths)]
    total = 0
    for path in paths:
        low, high = path_range(path)
        total += int(reader.rows(_PEOPLE_UNDER, low=low, high=high)[0][0])
    return total


def month_starts(today: dt.date, count: int = MONTHS_SHOWN) -> list[dt.date]:
    """The first days of the `count` calendar months that end with today's."""
    index = today.year * 12 + today.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _months(reader: Reader, where: Reach, now: dt.datetime) -> tuple[MonthCount, ...]:
    months = month_starts(now.date())
    found: dict[dt.date, int] = {}
    if where.roots:
        found = {month: int(n) for month, n in reader.rows(_MONTHS, roots=list(where.roots), since=months[0])}
    else:
        since = dt.datetime.combine(months[0], dt.time(), tzinfo=dt.UTC)
        for (completed_at,) in reader.rows(_MY_MONTHS, person_id=where.scope.viewer_id, since=since):
            month = completed_at.astimezone(dt.UTC).date().replace(day=1)
            found[month] = found.get(month, 0) + 1
    return tuple(MonthCount(month, found.get(month, 0)) for month in months)


# ---------------------------------------------------------------- matrix


@dataclass(frozen=True)
class MatrixFilters:
    unit_id: int | None = None
    audience: str | None = None  # slug: people who belong to the audience
    module: str | None = None  # slug: only this module's column, and people it applies to
    status: str | None = None  # people with a cell in this status, or never started (in the chosen module, if any)
    sort: str = "name"
    page: int = 1

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in FILTERS:
            raise ValueError(f"unknown status {self.status!r}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")
        if self.page < 1:
            raise ValueError("pages start at 1")


@dataclass(frozen=True)
class ModuleColumn:
    id: int
    slug: str
    title: str

    @property
    def short(self) -> str:
        """A column heading: the module id's first two parts (sa-01-security-basics → SA-01)."""
        return "-".join(self.slug.split("-")[:2]).upper()


@dataclass(frozen=True)
class Cell:
    status: str
    due_on: dt.date | None
    last_completed_at: dt.datetime | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class MatrixRow:
    person_id: int
    name: str
    email: str
    unit: str
    cells: tuple[Cell | None, ...]  # one per column; None: not required


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Matrix:
    as_of: dt.date
    filters: MatrixFilters
    columns: tuple[ModuleColumn, ...]
    rows: tuple[MatrixRow, ...]
    has_next: bool
    total: int | None  # people matching, when it can be counted cheaply
    units: tuple[Option, ...] = field(default=())
    audiences: tuple[Option, ...] = field(default=())
    modules: tuple[Option, ...] = field(default=())

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class _Resolved:
    where: Reach
    audience: Audience | None
    module: ModuleColumn | None
    scope_modules: tuple[ModuleColumn, ...]


def _resolve(session: Session, scope: Scope, filters: MatrixFilters) -> _Resolved:
    where = reach(session, scope, filters.unit_id)
    audience = None
    if filters.audience is not None:
        audience = session.scalar(select(Audience).where(Audience.slug == filters.audience))
        if audience is None:
            raise NotFound("no such audience")
    modules = _scope_modules(session, where)
    module = None
    if filters.module is not None:
        module = next((m for m in modules if m.slug == filters.module), None)
        if module is None:
            raise NotFound("no such module in this report")
    return _Resolved(where, audience, module, modules)


def _scope_modules(session: Session, where: Reach) -> tuple[ModuleColumn, ...]:
    """The modules anyone in the reach is required to complete."""
    if where.roots:
        # One index probe per module, rather than reading every summary row of the subtree.
        present = exists().where(ReportCount.unit_id.in_(where.roots), ReportCount.module_id == Module.id)
    else:
        present = exists().where(ReportCell.person_id == where.scope.viewer_id, ReportCell.module_id == Module.id)
    rows = session.execute(select(Module.id, Module.slug, Module.title).where(present).order_by(Module.slug))
    return tuple(ModuleColumn(*row) for row in rows)


def _people_query(resolved: _Resolved, filters: MatrixFilters, today: dt.date, *columns: Any) -> Select[Any]:
    """People in the reach matching the filters, joined to their cell of the chosen module if any."""
    query = select(*columns).select_from(Person)
    query = query.where(Person.active.is_(True), resolved.where.people(Person.id))
    if resolved.audience is not None:
        query = query.where(exists().where(PersonAudience.person_id == Person.id, PersonAudience.audience_id == resolved.audience.id))
    if resolved.module is not None:
        r = ReportCell
        wanted = status_condition(filters.status, r.due_on, r.completed_before, r.started, today=today) if filters.status else true()
        query = query.join(r, and_(r.person_id == Person.id, r.module_id == resolved.module.id)).where(wanted)
    elif filters.status:
        # Aliased: the export joins report_cells too, and this must not correlate to that join.
        any_cell = aliased(ReportCell)
        wanted = status_condition(filters.status, any_cell.due_on, any_cell.completed_before, any_cell.started, today=today)
        query = query.where(exists().where(any_cell.person_id == Person.id, wanted))
    return query


def _order(query: Select[Any], resolved: _Resolved, filters: MatrixFilters) -> Select[Any]:
    descending = filters.sort.startswith("-")
    name = (Person.name.desc(), Person.id.desc()) if descending else (Person.name, Person.id)
    if filters.sort.endswith("due") and resolved.module is not None:
        return query.order_by(ReportCell.due_on.desc() if descending else ReportCell.due_on, *name)
    return query.order_by(*name)


def matrix(session: Session, scope: Scope, filters: MatrixFilters, *, now: dt.datetime) -> Matrix:
    """One page of people × required modules, each cell a status with its date."""
    today = now.date()
    resolved = _resolve(session, scope, filters)
    columns = (resolved.module,) if resolved.module else resolved.scope_modules
    query = _people_query(resolved, filters, today, Person.id, Person.name, Person.email, Person.org_unit_id)
    page = session.execute(_order(query, resolved, filters).limit(PAGE_SIZE + 1).offset((filters.page - 1) * PAGE_SIZE)).all()
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    cells: dict[tuple[int, int], Cell] = {}
    if page:
        r = ReportCell
        found = select(
            r.person_id, r.module_id, status_of(r.due_on, r.completed_before, r.started, today=today), r.due_on, r.last_completed_at
        ).where(r.person_id.in_([row[0] for row in page]), r.module_id.in_([c.id for c in columns]))
        for person_id, module_id, status, due_on, last in session.execute(found):
            cells[(person_id, module_id)] = Cell(status, None if due_on == NEVER_DUE else due_on, last)
    units = _unit_options(session, scope)
    labels = {int(o.value): o.label for o in units}
    rows = tuple(
        MatrixRow(pid, name, email, labels.get(unit_id, ""), tuple(cells.get((pid, c.id)) for c in columns))
        for pid, name, email, unit_id in page
    )
    return Matrix(
        as_of=today, filters=filters, columns=columns, rows=rows, has_next=has_next, total=_matrix_total(session, resolved, filters, today),
        units=units, audiences=_audience_options(session),
        modules=tuple(Option(m.slug, f"{m.short} · {m.title}") for m in resolved.scope_modules),
    )  # fmt: skip


def _matrix_total(session: Session, resolved: _Resolved, filters: MatrixFilters, today: dt.date) -> int | None:
    if resolved.module is not None and resolved.audience is None and resolved.where.roots:
        # One cell per person and module: the summary counts them without touching people.
        c = ReportCount
        wanted = status_condition(filters.status, c.due_on, c.completed_before, c.started, today=today) if filters.status else true()
        query = select(func.coalesce(func.sum(c.n), 0)).where(
            c.unit_id.in_(resolved.where.roots), c.module_id == resolved.module.id, wanted
        )
        return int(session.scalar(query) or 0)
    if filters.status is None and resolved.module is None:
        return session.scalar(_people_query(resolved, filters, today, func.count())) or 0
    return None


def _unit_options(session: Session, scope: Scope) -> tuple[Option, ...]:
    """Every org unit in the scope, labelled with its path below the scope's top and sorted by it."""
    query = select(OrgUnit.id, OrgUnit.name, OrgUnit.path)
    if not scope.everyone:
        query = query.where(or_(false(), *[OrgUnit.path.startswith(p, autoescape=True) for p in scope.unit_paths]))
    units = session.execute(query).all()
    names = {u.id: u.name for u in units}
    labelled = []
    for unit in units:
        chain = [names[int(part)] for part in unit.path.strip("/").split("/") if part.isdigit() and int(part) in names]
        labelled.append((chain, Option(str(unit.id), " › ".join(chain))))
    return tuple(option for _, option in sorted(labelled, key=lambda item: [n.casefold() for n in item[0]]))


def _audience_options(session: Session) -> tuple[Option, ...]:
    return tuple(Option(slug, title) for slug, title in session.execute(select(Audience.slug, Audience.title).order_by(Audience.title)))


# ---------------------------------------------------------------- a person's record


@dataclass(frozen=True)
class RequiredRow:
    module: ModuleColumn
    cell: Cell
    rule: str


@dataclass(frozen=True)
class TranscriptEntry:
    module: str
    version: str
    completed_at: dt.datetime
    percent: float
    pass_mark: int
    sha256: str


@dataclass(frozen=True)
class AssignmentEntry:
    module: str
    cycle: int
    status: str
    assigned_at: dt.datetime
    due_on: dt.date
    closed_at: dt.datetime | None
    audience: str
    rule: str
    reason: str
    attempts_used: int


@dataclass(frozen=True)
class AttemptEntry:
    module: str
    version: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    percent: float | None
    pass_mark: int
    passed: bool | None
    void_reason: str | None = None


@dataclass(frozen=True)
class PersonReport:
    as_of: dt.date
    person_id: int
    name: str
    email: str
    units: tuple[str, ...]  # from the top of the tree down
    audiences: tuple[str, ...]
    required: tuple[RequiredRow, ...]
    transcript: tuple[TranscriptEntry, ...]
    assignments: tuple[AssignmentEntry, ...]
    attempts: tuple[AttemptEntry, ...]

    @property
    def counts(self) -> StatusCounts:
        return StatusCounts(*(sum(1 for row in self.required if row.cell.status == s) for s in STATUSES))


def person_report(session: Session, scope: Scope, person_id: int, *, now: dt.datetime) -> PersonReport:
    """A person's required training, transcript, assignments and quiz attempts; NotFound outside the scope."""
    today = now.date()
    found = session.execute(
        select(Person.id, Person.name, Person.email, OrgUnit.path)
        .outerjoin(OrgUnit, OrgUnit.id == Person.org_unit_id)
        .where(Person.id == person_id, Reach(scope, ()).people(Person.id))
    ).first()
    if found is None:
        raise NotFound("no such person")
    path_ids = [int(part) for part in (found.path or "").strip("/").split("/") if part.isdigit()]
    unit_names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(path_ids))).all())
    audiences = session.scalars(
        select(Audience.title)
        .join(PersonAudience, PersonAudience.audience_id == Audience.id)
        .where(PersonAudience.person_id == person_id)
        .order_by(Audience.title)
    )
    r = ReportCell
    required = session.execute(
        select(
            Module.id,
            Module.slug,
            Module.title,
            status_of(r.due_on, r.completed_before, r.started, today=today),
            r.due_on,
            r.last_completed_at,
            Assignment.rule,
        )
        .join(Module, Module.id == r.module_id)
        .join(Assignment, Assignment.id == r.assignment_id)
        .where(r.person_id == person_id)
        .order_by(Module.slug)
    )
    transcript = session.execute(
        select(Module.title, Completion.version, Completion.completed_at, Completion.percent, Completion.pass_mark, Completion.sha256)
        .join(Module, Module.id == Completion.module_id)
        .where(Completion.person_id == person_id)
        .order_by(Completion.completed_at.desc())
    )
    assignments = session.execute(
        select(
            Module.title.label("module"),
            Assignment.cycle,
            Assignment.status,
            Assignment.assigned_at,
            Assignment.due_on,
            Assignment.closed_at,
            Assignment.audience,
            Assignment.rule,
            Assignment.reason,
            Assignment.attempts_used,
        )
        .join(Module, Module.id == Assignment.module_id)
        .where(Assignment.person_id == person_id)
        .order_by(Module.title, Assignment.cycle.desc())
    )
    attempts = session.execute(
        select(
            Module.title,
            ModuleRevision.version,
            QuizAttempt.started_at,
            QuizAttempt.submitted_at,
            QuizAttempt.percent,
            QuizAttempt.pass_mark,
            QuizAttempt.passed,
            QuizAttempt.void_reason,
        )
        .join(Module, Module.id == QuizAttempt.module_id)
        .join(ModuleRevision, ModuleRevision.id == QuizAttempt.revision_id)
        .where(QuizAttempt.person_id == person_id)
        .order_by(QuizAttempt.started_at.desc())
    )
    return PersonReport(
        as_of=today, person_id=found.id, name=found.name, email=found.email,
        units=tuple(unit_names[i] for i in path_ids if i in unit_names), audiences=tuple(audiences),
        required=tuple(
            RequiredRow(ModuleColumn(mid, slug, title), Cell(status, None if due == NEVER_DUE else due, last), rule)
            for mid, slug, title, status, due, last, rule in required
        ),
        transcript=tuple(TranscriptEntry(*row) for row in transcript),
        assignments=tuple(AssignmentEntry(**row._asdict()) for row in assignments),
        attempts=tuple(AttemptEntry(*row) for row in attempts),
    )  # fmt: skip


# ---------------------------------------------------------------- export rows


@dataclass(frozen=True)
class Table:
    """A report as a header and rows produced one at a time from a server-side cursor."""

    name: str
    header: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


def matrix_table(session: Session, scope: Scope, filters: MatrixFilters, *, now: dt.datetime) -> Table:
    """The whole matrix for these filters (all pages): a row per person, a status and a date per module."""
    today = now.date()
    resolved = _resolve(session, scope, filters)
    columns = (resolved.module,) if resolved.module else resolved.scope_modules
    r = ReportCell
    query = _people_query(
        resolved, filters, today, Person.id, Person.name, Person.email, Person.org_unit_id,
        r.module_id, status_of(r.due_on, r.completed_before, r.started, today=today), r.due_on, r.last_completed_at,
    )  # fmt: skip
    if resolved.module is None:
        query = query.outerjoin(r, and_(r.person_id == Person.id, r.module_id.in_([c.id for c in columns])))
    query = _order(query, resolved, filters)
    labels = {int(o.value): o.label for o in _unit_options(session, scope)}
    header = ["Name", "Email", "Org unit"]
    for column in columns:
        header += [f"{column.short} status", f"{column.short} due", f"{column.short} last completed"]
    position = {c.id: i for i, c in enumerate(columns)}

    def rows() -> Iterator[tuple[Any, ...]]:
        result = session.execute(query.execution_options(yield_per=STREAM_BATCH))
        for (_, name, email, unit), group in itertools.groupby(result, key=lambda row: tuple(row[:4])):
            values: list[Any] = [""] * (3 * len(columns))
            for *_, module_id, status, due_on, last in group:
                if module_id is None:
                    continue
                at = 3 * position[module_id]
                values[at : at + 3] = [STATUS_LABELS[status], None if due_on == NEVER_DUE else due_on, last.date() if last else None]
            yield (name, email, labels.get(unit, ""), *values)

    return Table("matrix", tuple(header), rows())


def overdue_table(session: Session, scope: Scope, filters: MatrixFilters, *, now: dt.datetime) -> Table:
    """Every overdue or expired requirement in the scope (and the filters' unit, audience and module)."""
    today = now.date()
    resolved = _resolve(session, scope, MatrixFilters(unit_id=filters.unit_id, audience=filters.audience, module=filters.module))
    r = ReportCell
    query = _people_query(
        resolved, MatrixFilters(), today, Person.name, Person.email, Person.org_unit_id, Module.slug, Module.title,
        status_of(r.due_on, r.completed_before, r.started, today=today), r.due_on, r.last_completed_at, Assignment.rule,
    )  # fmt: skip
    if resolved.module is None:
        query = query.join(r, r.person_id == Person.id)
    query = query.join(Module, Module.id == r.module_id).join(Assignment, Assignment.id == r.assignment_id).where(r.due_on < today)
    query = query.order_by(Person.name, Person.id, Module.slug)
    header = ("Name", "Email", "Org unit", "Module", "Module title", "Status", "Due", "Days past due", "Last completed", "Rule")
    labels = {int(o.value): o.label for o in _unit_options(session, scope)}

    def rows() -> Iterator[tuple[Any, ...]]:
        for name, email, unit, slug, title, status, due_on, last, rule in session.execute(query.execution_options(yield_per=STREAM_BATCH)):
            yield (
                name,
                email,
                labels.get(unit, ""),
                slug,
                title,
                STATUS_LABELS[status],
                due_on,
                (today - due_on).days,
                last.date() if last else None,
                rule,
            )

    return Table("overdue", header, rows())
