"""Backup and restore of the whole database (docs/security.md, "Backup and restore").

`backup` copies the live database while the office keeps working: SQLite through its online
backup API (one step, so the copy is one consistent moment), PostgreSQL through `pg_dump -Fc`
(one repeatable-read snapshot). The copy is written beside the target name and renamed into
place when complete: a failed backup leaves no half file.

`restore` loads a backup into a NEW database only: a SQLite file that does not exist or is
empty, a PostgreSQL database that does not exist (it is created) or has no table. It never
overwrites a database in use; to go back to a backup, restore it into a new database, check
the result, then point the server at it. After loading, pending migrations are applied (a
backup of an older release is brought up to this one, as `blangko init` does) and `verify`
runs for every office; the result says whether each office's ledger is sound.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from typing_extensions import TypedDict

from blangko.adapters import backup as files
from blangko.adapters.db import migrate
from blangko.adapters.repos import admin as admin_repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.text import Msg
from blangko.services.context import Context
from blangko.services.stock.queries import verify
from blangko.services.stock.results import Verification

BACKENDS = {"sqlite": "sqlite", "postgresql": "pg_dump"}


class BackupWritten(TypedDict):
    file: str
    backend: str  # sqlite | postgresql
    format: str  # sqlite (a database file) | pg_dump (custom format, for pg_restore)
    bytes: int
    sha256: str  # to check the copy later, or after moving it elsewhere
    seconds: float


class Restored(TypedDict):
    file: str
    backend: str
    database_created: bool
    migrations_applied: list[str]
    offices: list[Verification]
    sound: bool  # every office's ledger verified sound
    seconds: float


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(ctx: Context, *, output: Path) -> BackupWritten:
    """Copy the database into `output` (a new file), consistent while writes go on."""
    started = time.perf_counter()
    backend = ctx.engine.dialect.name
    if backend not in BACKENDS:
        raise DomainError(
            "db_backend", "db", Msg("Basis data '{backend}' tidak didukung.", backend=backend)
        )
    if output.exists():
        raise Conflict(
            "backup_exists",
            "file",
            Msg("Berkas {output} sudah ada: cadangan tidak menimpa berkas.", output=output),
        )
    if not output.parent.is_dir():
        raise DomainError(
            "backup_dir", "file", Msg("Folder {parent} tidak ada.", parent=output.parent)
        )
    part = output.with_name(output.name + ".part")
    part.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            files.sqlite_backup(ctx.engine, part)
            problem = files.sqlite_check(part)
            if problem != "ok":
                raise DomainError(
                    "backup_corrupt",
                    "file",
                    Msg("Salinan tidak utuh (quick_check: {problem}).", problem=problem),
                )
        else:
            files.pg_dump(files.url_of(ctx.engine), part)
        part.replace(output)
    finally:
        part.unlink(missing_ok=True)
    return {
        "file": str(output),
        "backend": backend,
        "format": BACKENDS[backend],
        "bytes": output.stat().st_size,
        "sha256": _sha256(output),
        "seconds": round(time.perf_counter() - started, 3),
    }


def restore(ctx: Context, *, source: Path) -> Restored:
    """Load the backup `source` into ctx's database, which must be new (empty); then bring
    its schema up to date and verify every office."""
    started = time.perf_counter()
    if not source.is_file():
        raise NotFound(
            "backup_missing", "file", Msg("Berkas cadangan {source} tidak ada.", source=source)
        )
    kind = files.file_kind(source)
    if kind is None:
        raise DomainError(
            "backup_format",
            "file",
            Msg(
                "{source} bukan cadangan blangko (bukan berkas SQLite maupun arsip pg_dump -Fc).",
                source=source,
            ),
        )
    backend = ctx.engine.dialect.name
    if BACKENDS.get(backend) != kind:
        want = "berkas SQLite" if kind == "sqlite" else "arsip pg_dump"
        raise DomainError(
            "backup_backend",
            "file",
            Msg(
                "{source} adalah {want}: pulihkan ke basis data {nilai}, bukan {backend}.",
                source=source,
                want=want,
                nilai="SQLite" if kind == "sqlite" else "PostgreSQL",
                backend=backend,
            ),
        )
    url = files.url_of(ctx.engine)
    created = False
    if backend == "sqlite":
        target = files.sqlite_file(url)
        if target is None:
            raise DomainError(
                "restore_memory", "db", Msg("Pulihkan ke berkas SQLite, bukan :memory:.")
            )
        if target.exists() and target.stat().st_size > 0 and files.has_tables(ctx.engine):
            raise _not_new(str(target))
        ctx.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        files.sqlite_copy(source, target)
    else:
        created = files.pg_ensure_database(url)
        if not created and files.has_tables(ctx.engine):
            raise _not_new(str(url.database))
        ctx.engine.dispose()
        files.pg_restore(url, source)
    ctx.engine.dispose()
    applied = migrate(ctx.engine)
    with ctx.read() as conn:
        codes = admin_repo.office_codes(conn)
    results = [verify(ctx, office=code) for code in codes]
    return {
        "file": str(source),
        "backend": backend,
        "database_created": created,
        "migrations_applied": applied,
        "offices": results,
        "sound": all(r["sound"] for r in results),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _not_new(name: str) -> Conflict:
    return Conflict(
        "restore_target_not_empty",
        "db",
        Msg(
            "Basis data tujuan {name} sudah berisi tabel: pemulihan hanya ke basis data baru (belum ada, atau kosong), tidak pernah menimpa basis data yang dipakai.",
            name=name,
        ),
    )
