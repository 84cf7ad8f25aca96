"""Keep the report summaries in step with assignments, inside the transaction that changes them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Select,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from training.models import NEVER_DUE, OPEN, Assignment, Completion, LessonProgress, OrgUnit, Person, ReportCell, ReportCount, ReportMonth

EVERYONE = 0  # report_counts.unit_id and report_months.unit_id of the whole organisation
ALL_MODULES = 0  # report_counts.module_id of every module together (with audience '')
CHUNK = 500

CELLS: Table = ReportCell.__table__  # type: ignore[assignment]
COUNTS: Table = ReportCount.__table__  # type: ignore[assignment]
MONTHS: Table = ReportMonth.__table__  # type: ignore[assignment]

CountKey = tuple[int, int, str, bool, bool, dt.date]  # report_counts' key: unit, module, audience, completed_before, started, due_on


@dataclass(frozen=True)
class CellState:
    """What the summaries know of one person × required module."""

    org_unit_id: int | None
    audience: str
    assignment_id: int
    due_on: dt.date
    completed_before: bool
    started: bool
    last_completed_at: dt.datetime | None


def unit_chain(path: str, unit_id: int | None) -> tuple[int, ...]:
    """The summary units a person in this unit counts towards: everyone, then each unit from the root down."""
    if unit_id is None:
        return (EVERYONE,)
    ids = tuple(int(part) for part in path.strip("/").split("/") if part.isdigit())
    return (EVERYONE, *ids) if ids else (EVERYONE, unit_id)


def _chains(session: Session, unit_ids: Iterable[int | None]) -> dict[int | None, tuple[int, ...]]:
    wanted = sorted({u for u in unit_ids if u is not None})
    chains: dict[int | None, tuple[int, ...]] = {None: (EVERYONE,)}
    if wanted:
        for unit_id, path in session.execute(_UNIT_PATHS, {"ids": wanted}):
            chains[unit_id] = unit_chain(path, unit_id)
    return chains


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- what a cell should say


def _last_completed() -> ColumnElement[Any]:
    done = aliased(Assignment)
    return (
        select(func.max(done.completed_at))
        .where(done.person_id == Assignment.person_id, done.module_id == Assignment.module_id, done.status == "completed")
        .scalar_subquery()
    )


def _read_since_assigned() -> ColumnElement[bool]:
    return exists().where(
        LessonProgress.person_id == Assignment.person_id,
        LessonProgress.module_id == Assignment.module_id,
        LessonProgress.read_at >= Assignment.assigned_at,
    )


def _is_cell() -> ColumnElement[bool]:
    """An assignment is a person's cell when it is open, or completed with no later cycle (a rule that does not recur).

    At most one cycle per person and module is open, and it is always the latest.
    """
    later = aliased(Assignment)
    newer = exists().where(later.person_id == Assignment.person_id, later.module_id == Assignment.module_id, later.cycle > Assignment.cycle)
    return and_(Person.active.is_(True), or_(Assignment.status == OPEN, and_(Assignment.status == "completed", ~newer)))


# Built once: refresh_cells runs inside learners' requests, and building a statement costs more than running it.
_PEOPLE: BindParameter[list[int]] = bindparam("ids", expanding=True)
_MODULES: BindParameter[list[int]] = bindparam("modules", expanding=True)
_UNIT_PATHS = select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(bindparam("ids", expanding=True)))
_LOCK_PEOPLE = select(Person.id).where(Person.id.in_(_PEOPLE)).order_by(Person.id).with_for_update()
_CELLS_OF_PEOPLE = (
    select(
        Assignment.person_id,
        Assignment.module_id,
        Person.org_unit_id,
        OrgUnit.path,
        Assignment.audience,
        Assignment.id,
        Assignment.status,
        Assignment.due_on,
        Assignment.attempts_used,
        _last_completed(),
        _read_since_assigned(),
    )
    .join(Person, Person.id == Assignment.person_id)
    .outerjoin(OrgUnit, OrgUnit.id == Person.org_unit_id)
    .where(Assignment.person_id.in_(_PEOPLE), _is_cell())
)
_CELLS_OF_PEOPLE_IN_MODULES = _CELLS_OF_PEOPLE.where(Assignment.module_id.in_(_MODULES))
_STORED = select(
    CELLS.c.person_id, CELLS.c.module_id, CELLS.c.org_unit_id, CELLS.c.audience, CELLS.c.assignment_id, CELLS.c.due_on,
    CELLS.c.completed_before, CELLS.c.started, CELLS.c.last_completed_at,
).where(CELLS.c.person_id.in_(_PEOPLE))  # fmt: skip
_STORED_IN_MODULES = _STORED.where(CELLS.c.module_id.in_(_MODULES))
_DELETE_CELL = delete(CELLS).where(CELLS.c.person_id == bindparam("p"), CELLS.c.module_id == bindparam("m"))
_DELETE_EMPTY_COUNT = delete(COUNTS).where(
    COUNTS.c.unit_id == bindparam("u"), COUNTS.c.module_id == bindparam("m"), COUNTS.c.audience == bindparam("a"),
    COUNTS.c.completed_before == bindparam("c"), COUNTS.c.started == bindparam("s"), COUNTS.c.due_on == bindparam("d"), COUNTS.c.n == 0,
)  # fmt: skip
COUNT_KEY = ("unit_id", "module_id", "audience", "completed_before", "started", "due_on")


@lru_cache(maxsize=4)
def _upserts(dialect: str) -> tuple[Any, Any, Any]:
    """INSERT ... ON CONFLICT for cells (replace), counts and months (add), in the dialect's words."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    cells = insert(CELLS)
    cells = cells.on_conflict_do_update(
        index_elements=["person_id", "module_id"],
        set_={c.name: cells.excluded[c.name] for c in CELLS.c if c.name not in ("person_id", "module_id")},
    )
    counts = insert(COUNTS)
    counts = counts.on_conflict_do_update(index_elements=list(COUNT_KEY), set_={"n": COUNTS.c.n + counts.excluded.n})
    months = insert(MONTHS)
    months = months.on_conflict_do_update(index_elements=["unit_id", "month"], set_={"n": MONTHS.c.n + months.excluded.n})
    return cells, counts, months


def _cells_from_assignments(
    session: Session, person_ids: Sequence[int], module_ids: Sequence[int] | None, chains: dict[int | None, tuple[int, ...]]
) -> dict[tuple[int, int], CellState]:
    """The cells as the assignments say they should be; notes each person's unit chain in `chains`."""
    if module_ids is None:
        rows = session.execute(_CELLS_OF_PEOPLE, {"ids": person_ids})
    else:
        rows = session.execute(_CELLS_OF_PEOPLE_IN_MODULES, {"ids": person_ids, "modules": module_ids})
    cells = {}
    for person_id, module_id, unit_id, path, audience, assignment_id, status, due_on, attempts, last_completed_at, read_since in rows:
        if unit_id not in chains:
            chains[unit_id] = unit_chain(path or "", unit_id)
        if status == "open":
            done = last_completed_at is not None
            # Once a person has completed a cycle, starting the next one changes nothing a report shows.
            started = not done and (attempts > 0 or bool(read_since))
            cells[(person_id, module_id)] = CellState(unit_id, audience, assignment_id, due_on, done, started, last_completed_at)
        else:
            cells[(person_id, module_id)] = CellState(unit_id, audience, assignment_id, NEVER_DUE, True, False, last_completed_at)
    return cells


def _stored_cells(session: Session, person_ids: Sequence[int], module_ids: Sequence[int] | None) -> dict[tuple[int, int], CellState]:
    if module_ids is None:
        rows = session.execute(_STORED, {"ids": person_ids})
    else:
        rows = session.execute(_STORED_IN_MODULES, {"ids": person_ids, "modules": module_ids})
    return {(row[0], row[1]): CellState(*row[2:]) for row in rows}


# ---------------------------------------------------------------- keeping them in step


def refresh_cells(session: Session, person_ids: Iterable[int], module_ids: Iterable[int] | None = None) -> None:
    """Bring the summaries of these people (optionally only these modules) in line with their assignments.

    Call it after any change to assignments, lesson progress or attempts, in the same transaction.
    The people's rows are locked first (PostgreSQL), so two transactions never apply the same change twice.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return
    modules = sorted(set(module_ids)) if module_ids is not None else None
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":  # SQLite has one writer at a time already
        for chunk in _chunks(ids):
            session.execute(_LOCK_PEOPLE, {"ids": chunk})
    deltas: dict[CountKey, int] = defaultdict(int)
    chains: dict[int | None, tuple[int, ...]] = {None: (EVERYONE,)}
    for chunk in _chunks(ids):
        before = _stored_cells(session, chunk, modules)
        after = _cells_from_assignments(session, chunk, modules, chains)
        if before == after:
            continue
        moved = {s.org_unit_id for s in before.values()} - chains.keys()
        if moved:
            chains.update(_chains(session, moved))
        upserts, removed = [], []
        for key in before.keys() | after.keys():
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            if old is not None:
                for count_key in _count_keys(key[1], old, chains[old.org_unit_id]):
                    deltas[count_key] -= 1
            if new is not None:
                for count_key in _count_keys(key[1], new, chains[new.org_unit_id]):
                    deltas[count_key] += 1
                upserts.append({"person_id": key[0], "module_id": key[1], **new.__dict__})
            else:
                removed.append({"p": key[0], "m": key[1]})
        if upserts:
            session.execute(_upserts(dialect)[0], upserts)
        if removed:
            session.execute(_DELETE_CELL, removed)
    _apply_counts(session, dialect, deltas)


def _count_keys(module_id: int, state: CellState, chain: tuple[int, ...]) -> Iterator[CountKey]:
    for unit_id in chain:
        yield (unit_id, module_id, state.audience, state.completed_before, state.started, state.due_on)
        yield (unit_id, ALL_MODULES, "", state.completed_before, state.started, state.due_on)


def _apply_counts(session: Session, dialect: str, deltas: dict[CountKey, int]) -> None:
    # Sorted, so concurrent transactions lock the counter rows in the same order and cannot deadlock.
    changed = sorted((key, n) for key, n in deltas.items() if n)
    if not changed:
        return
    session.execute(_upserts(dialect)[1], [dict(zip(COUNT_KEY, key, strict=True), n=n) for key, n in changed])
    emptied = [dict(zip(("u", "m", "a", "c", "s", "d"), key, strict=True)) for key, n in changed if n < 0]
    if emptied:
        session.execute(_DELETE_EMPTY_COUNT, emptied)


def count_completion(session: Session, unit_id: int | None, path: str | None, completed_at: dt.datetime) -> None:
    """Add a completion to the completions-per-month summary of the org-unit subtrees the person was in."""
    month = completed_at.astimezone(dt.UTC).date().replace(day=1)
    rows = [{"unit_id": u, "month": month, "n": 1} for u in sorted(unit_chain(path or "", unit_id))]
    session.execute(_upserts(session.get_bind().dialect.name)[2], rows)


# ---------------------------------------------------------------- rebuilding from scratch


def _month_start(session: Session, column: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", func.timezone("UTC", column)), Date)
    return func.date(column, "start of month")


def _unit_pairs() -> Any:
    """Each org unit with itself and each of its ancestors."""
    ancestor = aliased(OrgUnit)
    return (
        select(OrgUnit.id.label("unit_id"), ancestor.id.label("ancestor_id"))
        .join(ancestor, OrgUnit.path.startswith(ancestor.path))
        .subquery("pairs")
    )


def cells_query() -> Select[Any]:
    """Every cell as refresh_cells would write it, for a bulk INSERT ... SELECT."""
    done = (
        select(Assignment.person_id, Assignment.module_id, func.max(Assignment.completed_at).label("last"))
        .where(Assignment.status == "completed")
        .group_by(Assignment.person_id, Assignment.module_id)
        .subquery("done")
    )
    is_open = Assignment.status == OPEN
    started = case((and_(is_open, done.c.last.is_(None)), or_(Assignment.attempts_used > 0, _read_since_assigned())), else_=false())
    return (
        select(
            Assignment.person_id,
            Assignment.module_id,
            Person.org_unit_id,
            Assignment.audience,
            Assignment.id.label("assignment_id"),
            case((is_open, Assignment.due_on), else_=literal(NEVER_DUE, Date)).label("due_on"),
            case((is_open, done.c.last.is_not(None)), else_=true()).label("completed_before"),
            started.label("started"),
            done.c.last.label("last_completed_at"),
        )
        .join(Person, Person.id == Assignment.person_id)
        .outerjoin(done, and_(done.c.person_id == Assignment.person_id, done.c.module_id == Assignment.module_id))
        .where(_is_cell())
    )


def rebuild_summaries(session: Session) -> None:
    """Recompute every summary from the source tables: for bulk loads, repairs and reorganised org trees."""
    session.flush()
    for table in (COUNTS, MONTHS, CELLS):
        session.execute(delete(table))
    cell_columns = [
        "person_id",
        "module_id",
        "org_unit_id",
        "audience",
        "assignment_id",
        "due_on",
        "completed_before",
        "started",
        "last_completed_at",
    ]
    session.execute(CELLS.insert().from_select(cell_columns, cells_query()))

    c = CELLS.c
    dims = (c.module_id, c.audience, c.due_on, c.completed_before, c.started)
    leaf = select(c.org_unit_id, *dims, func.count().label("n")).group_by(c.org_unit_id, *dims).subquery("leaf")
    pairs = _unit_pairs()
    leaf_dims = (leaf.c.module_id, leaf.c.audience, leaf.c.due_on, leaf.c.completed_before, leaf.c.started)
    by_unit = (
        select(pairs.c.ancestor_id, *leaf_dims, func.sum(leaf.c.n))
        .join(pairs, pairs.c.unit_id == leaf.c.org_unit_id)
        .group_by(pairs.c.ancestor_id, *leaf_dims)
    )
    everyone = select(literal(EVERYONE), *dims, func.count()).group_by(*dims)
    count_columns = ["unit_id", "module_id", "audience", "due_on", "completed_before", "started", "n"]
    session.execute(COUNTS.insert().from_select(count_columns, by_unit.union_all(everyone)))
    k = COUNTS.c
    flags = (k.due_on, k.completed_before, k.started)
    all_modules = (
        select(k.unit_id, literal(ALL_MODULES), literal(""), *flags, func.sum(k.n))
        .where(k.module_id != ALL_MODULES)
        .group_by(k.unit_id, *flags)
    )
    session.execute(COUNTS.insert().from_select(count_columns, all_modules))

    # By the unit each completion was recorded in, as count_completion counted it then.
    month = _month_start(session, Completion.completed_at).label("month")
    completed = select(Completion.org_unit_id, month, func.count().label("n")).group_by(Completion.org_unit_id, month).subquery("completed")
    by_unit_month = (
        select(pairs.c.ancestor_id, completed.c.month, func.sum(completed.c.n))
        .join(pairs, pairs.c.unit_id == completed.c.org_unit_id)
        .group_by(pairs.c.ancestor_id, completed.c.month)
    )
    everyone_month = select(literal(EVERYONE), completed.c.month, func.sum(completed.c.n)).group_by(completed.c.month)
    session.execute(MONTHS.insert().from_select(["unit_id", "month", "n"], by_unit_month.union_all(everyone_month)))
    session.flush()
