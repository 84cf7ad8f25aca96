"""Hot statements: select(), insert() and update() compiled once per dialect and run straight on the DBAPI cursor.

SQLAlchemy spends 60 to 150 µs of Python on each execution (an execution context, a result object, ORM rows),
more than an indexed query costs SQLite and as much as hello-world Flask costs in all. The handful of queries on
every signed-in page (the sign-in, a module page, My training, the quiz page) are written as select()s like any
other, compiled once, and run here with the same bind and result processing that their column types define; so are
the writes of a quiz's start and submission, on the Session's own connection and inside its transaction.
Everything else goes through the Session.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import ClauseElement

# Called with each statement a Reader runs (SQLAlchemy's engine events do not see them): for tests that count queries.
statement_listeners: list[Callable[[str], None]] = []


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for qmark/format drivers; None for named styles
    binds: dict[str, Callable[[Any], Any] | None]
    fixed: dict[str, Any]  # the values of parameters written into the statement itself (status == 'open', LIMIT 1)
    results: tuple[Callable[[Any], Any] | None, ...]
    expanding: frozenset[str]  # IN lists: each becomes as many placeholders as it has values, at execution
    placeholder: str  # the driver's parameter style, for expanded lists: "?" or "%({})s"
    processing: tuple[tuple[int, Callable[[Any], Any]], ...]  # the result columns that need converting (most need none)


class Prepared:
    """A statement to run many times; bound parameters are given by name, with no expanding IN lists."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
            binds: dict[str, Callable[[Any], Any] | None] = {}
            fixed: dict[str, Any] = {}
            expanding: set[str] = set()
            for name, bind in compiled.binds.items():
                if isinstance(bind, BindParameter) and name in compiled.bind_names.values():
                    if bind.expanding:
                        expanding.add(name)
                    binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
                    if not bind.required:
                        fixed[name] = bind.effective_value
            sql = str(compiled)
            for bind in compiled.literal_execute_params:
                # A value SQLAlchemy writes into the SQL at execution (aggregate_strings' separator): written in here.
                name = compiled.bind_names[bind]
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", compiled.render_literal_value(bind.effective_value, bind.type))
                binds.pop(name, None)
                fixed.pop(name, None)
            unknown = set(re.findall(r"__\[POSTCOMPILE_(\w+)\]", sql)) - expanding
            if unknown:
                raise ValueError(f"unsupported parameters {sorted(unknown)} in {sql!r}")
            columns = getattr(self.statement, "exported_columns", ())  # a select's columns, or what an insert RETURNs
            results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
            positional = tuple(n for n in compiled.positiontup if n in binds) if compiled.positional and compiled.positiontup else None
            placeholder = "?" if dialect.paramstyle == "qmark" else "%({})s"
            if dialect.paramstyle not in ("qmark", "pyformat"):
                raise ValueError(f"parameter style {dialect.paramstyle} is not supported here")
            processing = tuple((i, p) for i, p in enumerate(results) if p is not None)
            found = self._compiled[dialect.name] = _Compiled(
                sql, positional, binds, fixed, results, frozenset(expanding), placeholder, processing
            )
        return found


class Reader:
    """Runs Prepared statements on one DBAPI connection (the request's, or a session's in tests and the CLI)."""

    def __init__(self, dbapi_connection: Any, dialect: Dialect) -> None:
        self.connection = dbapi_connection
        self.dialect = dialect

    @classmethod
    def of(cls, session: Session) -> Reader:
        """A reader inside a session's transaction: it sees what the session has flushed."""
        connection = session.connection()
        return cls(connection.connection.dbapi_connection, connection.dialect)

    def _run(self, prepared: Prepared, params: dict[str, Any], *, fetch: bool) -> tuple[list[Sequence[Any]], int]:
        compiled = prepared.compiled(self.dialect)
        values: dict[str, Any] = {}
        fixed = compiled.fixed
        sql = compiled.sql
        for name, process in compiled.binds.items():
            value = params[name] if name in params else fixed[name]
            if name in compiled.expanding:
                items = [process(v) if process is not None else v for v in value]
                if not items:
                    raise ValueError(f"{name}: an IN list needs at least one value")
                if compiled.positional:
                    values[name] = items
                    marks = ", ".join("?" * len(items))
                else:
                    keys = [f"{name}_{i}" for i in range(len(items))]
                    values.update(zip(keys, items, strict=True))
                    marks = ", ".join(compiled.placeholder.format(k) for k in keys)
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", marks)
            else:
                values[name] = process(value) if process is not None else value
        if compiled.positional:
            ordered: list[Any] = []
            for n in compiled.positional:
                if n in compiled.expanding:
                    ordered.extend(values[n])
                else:
                    ordered.append(values[n])
            arguments: Any = tuple(ordered)
        else:
            arguments = values
        for listener in statement_listeners:
            listener(sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, arguments)
            fetched = cursor.fetchall() if fetch else []
            count = cursor.rowcount
        finally:
            cursor.close()
        processing = compiled.processing
        if not fetched or not processing:
            return list(fetched), count
        out: list[Sequence[Any]] = []
        for row in fetched:
            converted = list(row)
            for index, process in processing:
                converted[index] = process(converted[index])
            out.append(converted)
        return out, count

    def rows(self, prepared: Prepared, **params: Any) -> list[Sequence[Any]]:
        return self._run(prepared, params, fetch=True)[0]

    def execute(self, prepared: Prepared, **params: Any) -> int:
        """Run an UPDATE or INSERT without RETURNING; the number of rows it changed."""
        return self._run(prepared, params, fetch=False)[1]

    def first(self, prepared: Prepared, **params: Any) -> Sequence[Any] | None:
        found = self.rows(prepared, **params)
        return found[0] if found else None


def as_reader(db: Session | Reader) -> Reader:
    """A service's database handle as a Reader: the request's own, or one inside a session's transaction."""
    return db if isinstance(db, Reader) else Reader.of(db)
