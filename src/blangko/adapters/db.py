"""Engines, transactions and schema migrations.

SQLite is the embedded default (WAL, foreign keys on). Writes on SQLite start with BEGIN
IMMEDIATE so that two writers queue instead of failing half-way; on PostgreSQL they lock the
office's chain head row instead (see adapters.repos.ledger.lock_head).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from blangko.domain.errors import DomainError, Unavailable
from blangko.domain.text import Msg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# How long a SQLite statement waits for another connection's write lock (ms).
BUSY_TIMEOUT_MS = 60_000


class Busy(Exception):
    """A `quick_write` found the database's write lock held beyond its wait."""


def make_engine(url: str, **kwargs: object) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same user error
        raise DomainError(
            "db_url", "db", Msg("URL basis data tidak dapat dibaca: {url!r}", url=url)
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    raise DomainError(
        "db_backend",
        "db",
        Msg(
            "Basis data '{backend}' tidak didukung: gunakan sqlite atau postgresql.",
            backend=backend,
        ),
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.info.pop("blangko_write", False) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back on any exception. A lock
    not granted within the wait (SQLite's busy timeout behind a long write such as a registry
    import's swap; a PostgreSQL lock timeout, deadlock or serialisation failure) is the
    caller's `Unavailable` (a 503 on the web), not a crash: the transaction is rolled back."""
    try:
        with engine.connect() as conn, begin(conn, write=write):
            yield conn
    except OperationalError as exc:
        if not lock_not_granted(exc):
            raise
        raise Unavailable(
            "db_busy",
            None,
            Msg(
                "Basis data sedang sibuk: penulisan lain (mis. impor registri) masih memegang kuncinya. Tidak ada yang ditulis; coba lagi sebentar lagi."
            ),
        ) from exc


# PostgreSQL's SQLSTATEs of a lock not granted: lock_not_available, deadlock_detected,
# serialization_failure.
_LOCK_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database is busy")


def lock_not_granted(exc: OperationalError) -> bool:
    """Whether the database refused for a lock it could not grant in time (worth retrying)."""
    if getattr(exc.orig, "sqlstate", None) in _LOCK_SQLSTATES:
        return True
    return str(exc.orig).strip().lower().startswith(_SQLITE_LOCKED)


@contextmanager
def quick_write(engine: Engine, wait_seconds: float) -> Iterator[Connection]:
    """A write transaction that waits at most ``wait_seconds`` for the write lock (SQLite's
    database lock, PostgreSQL's row locks), else raises `Busy` with nothing written: for a
    write a reader may skip (storing a chart it has drawn) rather than wait behind a long
    one (a registry import's swap holds SQLite's lock for many seconds)."""
    wait_ms = max(1, int(wait_seconds * 1000))
    with engine.connect() as conn:
        sqlite = is_sqlite(conn)
        if sqlite:
            _pragma(conn, f"busy_timeout={wait_ms}")
        try:
            with begin(conn, write=True):
                if not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{wait_ms}ms'")
                yield conn
        except OperationalError as exc:
            raise Busy(str(exc.orig)) from exc
        finally:
            if sqlite:
                _pragma(conn, f"busy_timeout={BUSY_TIMEOUT_MS}")


def _pragma(conn: Connection, pragma: str) -> None:
    # On the driver's connection: through SQLAlchemy a statement would begin a transaction.
    cur = conn.connection.cursor()
    cur.execute(f"PRAGMA {pragma}")
    cur.close()


def begin(conn: Connection, *, write: bool) -> RootTransaction:
    """A transaction on a connection that is kept across several (the registry import's):
    a write one starts with BEGIN IMMEDIATE on SQLite."""
    if write:
        conn.info["blangko_write"] = True
    return conn.begin()


def alembic_config(engine: Engine) -> Any:
    # Alembic is heavy to import (about 0.25 s) and only `init`/migrations need it.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> list[str]:
    """Apply every pending migration; returns the revisions applied (empty when up to date)."""
    from alembic import command  # heavy: see alembic_config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    with engine.connect() as conn:
        before = MigrationContext.configure(conn).get_current_revision()
    command.upgrade(cfg, "head")
    script = ScriptDirectory.from_config(cfg)
    with engine.connect() as conn:
        after = MigrationContext.configure(conn).get_current_revision()
    if before == after:
        return []
    return [r.revision for r in script.iterate_revisions(after, before or "base")][::-1]


def schema_ready(engine: Engine) -> bool:
    return inspect(engine).has_table("office")
