"""Copies of the whole database: SQLite's online backup API, PostgreSQL's pg_dump and
pg_restore (custom format). Each function does one thing to one database or file; the use
cases (services/admin/backup.py) decide what is allowed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
_DB_NAME = re.compile(r"^[A-Za-z0-9_]{1,63}$")


def file_kind(path: Path) -> str | None:
    """'sqlite' for a SQLite database file, 'pg_dump' for a pg_dump custom-format archive."""
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    return None


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL (None: in memory)."""
    return Path(url.database) if url.database and url.database != ":memory:" else None


def sqlite_backup(engine: Engine, target: Path) -> None:
    """Copy the live database to `target` with SQLite's online backup API in one step: the
    copy is the database as one read transaction saw it, while writers go on (WAL)."""
    with engine.connect() as conn:
        source = conn.connection.driver_connection
        assert isinstance(source, sqlite3.Connection)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite backup file into `target` (a new file) with the backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def sqlite_check(path: Path) -> str:
    """SQLite's quick_check of a file: 'ok', or the first problem it finds."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection URI of a SQLAlchemy URL (no password in it: that goes in the
    environment, where `ps` cannot see it) and the environment for pg_dump / pg_restore."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(tool: str, args: list[str], env: dict[str, str], field: str) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise DomainError(
            f"{tool}_missing",
            field,
            Msg(
                "Program {tool} tidak ditemukan: pasang klien PostgreSQL yang versinya sama dengan server (paket postgresql-client).",
                tool=tool,
            ),
        )
    done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DomainError(
            f"{tool}_failed",
            field,
            Msg(
                "{tool} gagal (kode {code}): {detail}",
                tool=tool,
                code=done.returncode,
                detail=" ".join(detail[-3:]),
            ),
        )


def pg_dump(url: URL, target: Path) -> None:
    """pg_dump -Fc of the database into `target`: one consistent snapshot (it reads in one
    repeatable-read transaction), writers are not blocked."""
    uri, env = _libpq(url)
    _run("pg_dump", ["-Fc", "--no-owner", "--no-privileges", "-f", str(target), uri], env, "file")


def pg_restore(url: URL, source: Path) -> None:
    """pg_restore of a custom-format archive into the (empty) database; stops at the first
    error."""
    uri, env = _libpq(url)
    _run(
        "pg_restore",
        ["--no-owner", "--no-privileges", "--exit-on-error", "-d", uri, str(source)],
        env,
        "file",
    )


def pg_ensure_database(url: URL) -> bool:
    """Create the URL's database when it does not exist yet; True when it was created."""
    name = url.database or ""
    if not _DB_NAME.match(name):
        raise DomainError(
            "db_name",
            "db",
            Msg(
                "Nama basis data '{name}' tidak dapat dibuat otomatis: buat dulu dengan createdb.",
                name=name,
            ),
        )
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if exists:
                return False
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            return True
    finally:
        admin.dispose()


def url_of(engine: Engine) -> URL:
    return make_url(engine.url.render_as_string(hide_password=False))
