"""adapters.prepared: a print's statements run on the driver's cursor store and read what
`Connection.execute` would, raise SQLAlchemy's exceptions, and are seen by statement
listeners. On both backends."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from blangko.adapters.db import transaction
from blangko.adapters.prepared import Prepared

_meta = MetaData()
probe = Table(
    "prepared_probe",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("day", Date),
    Column("at", DateTime),
    Column("doc", JSON),
)
ROW = {
    "name": "loket-1",
    "day": date(2026, 11, 30),
    "at": datetime(2026, 12, 1, 8, 5, 3, 250),
    "doc": {"serials": "KR0001-KR0002", "n": 2},
}
_INSERT = Prepared(
    insert(probe)
    .values({c: bindparam(c) for c in ("id", "name", "day", "at", "doc")})
    .returning(probe.c.id, probe.c.day, probe.c.doc)
)


@pytest.fixture
def tables(engine: Engine) -> Engine:
    _meta.create_all(engine)
    return engine


def _stored(engine: Engine, row_id: int) -> tuple[Any, ...]:
    """The row as the driver returns it, no conversion (SQLite: the text SQLAlchemy wrote)."""
    with engine.connect() as conn:
        return tuple(
            conn.exec_driver_sql(
                "SELECT name, day, at, doc FROM prepared_probe WHERE id = " + str(row_id)
            ).one()
        )


def test_stores_and_returns_what_execute_would(tables: Engine) -> None:
    with transaction(tables, write=True) as conn:
        conn.execute(insert(probe), {"id": 1, **ROW})
        returned = _INSERT.rows(conn, {"id": 2, **ROW})
    # Dates and JSON converted on the way back, as Connection.execute converts them.
    assert returned == [(2, ROW["day"], ROW["doc"])]
    assert returned[0].day == ROW["day"] and returned[0].doc == ROW["doc"]
    assert _stored(tables, 2) == _stored(tables, 1)
    with transaction(tables, write=False) as conn:
        read = conn.execute(select(probe.c.name, probe.c.day, probe.c.at, probe.c.doc)).all()
    assert [tuple(r) for r in read] == [tuple(ROW.values())] * 2


def test_literals_in_the_statement_are_bound(tables: Engine) -> None:
    named = Prepared(select(probe.c.id).where(probe.c.name == "loket-1", probe.c.id > 0))
    with transaction(tables, write=True) as conn:
        assert named.first(conn, {}) is None
        _INSERT.run(conn, {"id": 7, **ROW})
        assert named.first(conn, {}) == (7,)
        # A statement without RETURNING returns no rows.
        renamed = Prepared(update(probe).values(name=bindparam("b_name")))
        assert renamed.rows(conn, {"b_name": "gudang"}) == []
        assert named.first(conn, {}) is None


def test_driver_errors_are_sqlalchemy_errors_and_nothing_stays(tables: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(tables, write=True) as conn:
        _INSERT.run(conn, {"id": 3, **ROW})
        _INSERT.run(conn, {"id": 3, **ROW})  # the same primary key
    with transaction(tables, write=False) as conn:
        assert conn.execute(select(probe.c.id)).all() == []


def test_statement_listeners_see_it(tables: Engine) -> None:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(tables, "before_cursor_execute", record)
    try:
        with transaction(tables, write=True) as conn:
            _INSERT.run(conn, {"id": 4, **ROW})
    finally:
        event.remove(tables, "before_cursor_execute", record)
    assert [s for s in seen if "prepared_probe" in s] == [
        str(_INSERT.statement.compile(dialect=tables.dialect))
    ]


def test_a_parameter_rendered_at_execution_is_refused(tables: Engine) -> None:
    rendered = Prepared(
        select(probe.c.id).limit(bindparam("b_n", type_=Integer, literal_execute=True))
    )
    with (
        transaction(tables, write=False) as conn,
        pytest.raises(ValueError, match="render parameters at execution"),
    ):
        rendered.rows(conn, {"b_n": 1})
