"""Statements of the per-print path, compiled once per dialect and run on the driver's cursor.

A print is a handful of small statements, each 5-40 µs inside SQLite; going through
`Connection.execute` adds 15-60 µs of Python to each (the execution context, the cache-key
lookup, the result object). bench/ledger.py measures a print against a bare
single-row INSERT+COMMIT, and that overhead was a third of it. A `Prepared` statement does
what `Connection.execute` does for it, once: the SQL text, the order of its parameters and
their types' bind and result conversions (a date as SQLite's text, and back). Each run only
converts the values and executes on the cursor of the connection's own transaction.

What stays the same as `Connection.execute`: the same SQL and conversions (SQLAlchemy's own,
from the dialect), the `before_cursor_execute` event (statement counters and tracers see
these statements too), and a driver error raised as SQLAlchemy's exception class (an
`OperationalError` for a lock not granted, an `IntegrityError` for a constraint), so callers
catch the same thing.

Only for statements without parameters rendered into the SQL at execution
(`literal_execute`) or expanding IN lists; compiling such a statement raises.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Convert = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the driver's order
    binds: tuple[Convert, ...]
    fixed: dict[str, Any]  # the values written in the statement (a literal compared with)
    positional: bool
    results: tuple[Convert, ...]  # per column returned (empty: returns no rows)
    row: Any  # a named tuple of the columns returned


class Prepared:
    """A Core statement (a SELECT, or a DML statement with or without RETURNING)."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Run with `params` (by bind-parameter name) in the connection's transaction; the
        rows it returns, as named tuples of the statement's columns (by their keys)."""
        c = self._by_dialect.get(conn.dialect.name) or self._compile(conn.dialect)
        given = {**c.fixed, **params} if c.fixed else params
        values = [
            given[name] if bind is None else bind(given[name])
            for name, bind in zip(c.names, c.binds, strict=True)
        ]
        args: Sequence[Any] | dict[str, Any] = (
            values if c.positional else dict(zip(c.names, values, strict=True))
        )
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            conn.dispatch.before_cursor_execute(conn, cursor, c.sql, args, None, False)
            try:
                cursor.execute(c.sql, args)
                fetched = cursor.fetchall() if c.results else []
            except conn.dialect.loaded_dbapi.Error as exc:
                raise DBAPIError.instance(
                    c.sql, args, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
                ) from exc
        finally:
            cursor.close()
        if not any(c.results):
            return [c.row._make(row) for row in fetched]
        return [
            c.row._make(v if f is None else f(v) for v, f in zip(row, c.results, strict=True))
            for row in fetched
        ]

    def run(self, conn: Connection, params: Mapping[str, Any]) -> None:
        self.rows(conn, params)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled: Any = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a Prepared statement cannot render parameters at execution")
        positional = bool(dialect.positional)
        names = tuple(compiled.positiontup if positional else compiled.binds)
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        fixed = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and bind.callable is None and bind.value is not None
        }
        columns = list(getattr(self.statement, "exported_columns", None) or [])
        results = tuple(
            col.type.dialect_impl(dialect).result_processor(dialect, None) for col in columns
        )
        row = namedtuple("Row", [col.key for col in columns])  # type: ignore[misc]
        done = _Compiled(str(compiled), names, binds, fixed, positional, results, row)
        self._by_dialect[dialect.name] = done
        return done
