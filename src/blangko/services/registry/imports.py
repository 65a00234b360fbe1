"""The resident registry: importing the civil-registry export, looking residents up, NIK checks.

Import model: all or nothing
----------------------------
The file is read as a stream and checked row by row. A rejected row goes to the rejects
file with its ``alasan`` and is never written; the import goes on. The valid rows are staged
in batches (``batch_size``) in a temporary table on the import's own connection, by one
thread in file order while the reading thread checks the next batch; staging takes no lock
on the registry. When the whole file has been read, the staged rows are upserted into
``resident`` by NIK (INSERT ... SELECT ... ON CONFLICT (nik) DO UPDATE, on SQLite and
PostgreSQL) in ONE transaction: the only time the import holds the write lock. Only the rows
that are new or differ from the registry are written (a monthly export restates nearly every
resident: writing each again held the lock for seconds while changing nothing); the import
bumps the registry's version itself, so the stored figures follow it all the same.

So the registry changes all at once or not at all: a file that cannot be read to its end
(a byte that is not UTF-8, a cell over the csv module's limit, more than MAX_IMPORT_ROWS
rows), a database that refuses the swap, an interrupted or killed process: each leaves the
registry exactly as it was (the temporary table goes with its connection), and the rejects
file of the failed run is removed. Running the import again is safe: every row is an upsert
by NIK (rows already there are counted as ``updated``, written or not; a resident's
``updated_at`` is when its row last changed).

Duplicate NIKs inside one file and NIKs the registry holds for another office are found
when the whole file is staged, set-wise, before the lock is taken: the first row of a NIK is
kept, a later one goes to the rejects file, as does another office's resident (these rejects
come after the others in the file). A NIK registered by another office between that check and
the swap stops the import (nothing written; the next run rejects that row).

Refresh: what changed, and the record of the import
---------------------------------------------------
Re-importing a newer export updates by NIK. What it changes is computed set-wise in SQL, in
the swap's transaction just before the swap, from the staged rows against the registry as it
is (`ImportSummary.changes`): new residents issued in the regency, moved in (a new NIK issued
outside the regency, or PINDAH back to HIDUP), recording and print dates newly set, deaths
and moves out newly stated. The same transaction records the import (`registry_import`: the
office, when, the file's name, who, the rows and the changes), so a failed import records
nothing. `registry_age` is the one answer to "how old is this office's registry" that the
pages, the CLI and the forecast show.

NIKs of retired region codes
----------------------------
A NIK keeps the codes it was issued with for life, and codes are retired when regions split
(domain.nik). A row whose NIK's kecamatan or regency code is no longer in the region table is
imported and listed in the warnings file (``<stem>-peringatan.csv``, the row plus
``peringatan``) and counted (``warned``); only a province code that never existed rejects it.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from blangko.adapters.db import begin
from blangko.adapters.registry_files import (
    WARNING_REASON_COLUMN,
    RegistryReader,
    RejectsWriter,
    open_registry,
)
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import derived as derived_repo
from blangko.adapters.repos import registry as repo
from blangko.domain.errors import Conflict, DomainError
from blangko.domain.limits import (
    MAX_IMPORT_ROWS,
    ribuan,
)
from blangko.domain.nik import (
    mask_nik,
)
from blangko.domain.text import Msg
from blangko.services import derived
from blangko.services.context import Context, resolve_office
from blangko.services.registry.results import (
    ImportRecord,
    ImportSummary,
    RegistryChanges,
    ResidentRecord,
)
from blangko.services.registry.rows import (
    DUPLICATE_REASON,
    RowRejected,
    RowRules,
)

ProgressFn = Callable[[int, int, int | None], Any]  # (rows read, position, total position)


# --- database side ---------------------------------------------------------------------------


def run_stamp(conn: Connection, now: datetime) -> datetime:
    """``now``, or just after the latest stored ``updated_at`` if that is not earlier."""
    latest = repo.latest_update(conn)
    if latest is not None and latest >= now:
        return latest + timedelta(microseconds=1)
    return now


def load_rules(conn: Connection, office: str, reference: date) -> RowRules:
    return RowRules(
        office=office,
        reference=reference,
        villages=frozenset(admin_repo.villages(conn, office)),
        provinces=frozenset(admin_repo.region_codes(conn, "provinsi")),
        regencies=frozenset(admin_repo.region_codes(conn, "kabupaten_kota")),
        kecamatan=frozenset(admin_repo.region_codes(conn, "kecamatan")),
    )


@dataclass
class _Batch:
    rows: list[dict[str, Any]]  # the stage's rows: a record, its line, cells and NIK origin


class _Stage:
    """The checked rows, staged on a connection of their own in a temporary table, by a
    thread that writes one batch while the reading thread checks the next; swapped into the
    registry in one transaction by `finish`, or dropped by `abort`.

    Staging writes only the temporary table (no lock on the registry: SQLite's temporary
    tables live outside the database file, PostgreSQL's are the session's own); only the
    swap takes the write lock. At most one batch waits in the queue, so memory stays at
    about two batches.
    """

    _END = None

    def __init__(
        self,
        ctx: Context,
        office: str,
        rejects: RejectsWriter,
        warnings: RejectsWriter,
        file_name: str,
    ) -> None:
        self.ctx = ctx
        self.office = office
        self.rejects = rejects
        self.warnings = warnings
        self.file_name = file_name
        # Set by the reading thread before `finish`: the data rows read, and whether any row
        # was staged with a note (then the warnings file is written from the stage).
        self.rows = 0
        self.noted = False
        self.lock = threading.Lock()
        self.queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.swap = False
        self.ended = False  # the end marker was taken from the queue
        self.figures: dict[str, int] = {}
        self.thread = threading.Thread(target=self._run, name="blangko-import-stage")
        self.thread.start()

    def reject(self, cells: list[str], reason: str) -> None:
        # Called from the reading thread and the staging thread.
        with self.lock:
            self.rejects.write(cells, reason)

    def submit(self, batch: _Batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> dict[str, int]:
        """Stage what is queued, then swap it all into the registry in one transaction."""
        self.swap = True
        self._stop()
        if self.error is not None:
            raise self.error
        return self.figures

    def abort(self) -> None:
        """Drop everything staged: the registry stays as it was."""
        self.swap = False
        self._stop()

    def _stop(self) -> None:
        self.queue.put(self._END)
        self.thread.join()

    def _run(self) -> None:
        # Every failure is handed to the reading thread (self.error, the first one wins).
        try:
            with self.ctx.engine.connect() as conn:
                try:
                    repo.create_stage(conn)
                    conn.commit()
                    self._take(conn)
                    if self.swap and self.error is None:
                        self.figures = self._swap(conn)
                except BaseException as exc:  # noqa: BLE001
                    self.error = self.error or exc
                finally:
                    self._drop(conn)
        except BaseException as exc:  # noqa: BLE001 - no connection at all
            self.error = self.error or exc
        finally:
            # Keep taking batches until the end marker, so that submit never blocks.
            while not self.ended:
                self.ended = self.queue.get() is self._END

    def _take(self, conn: Connection) -> None:
        while not self.ended:
            batch = self.queue.get()
            if batch is self._END:
                self.ended = True
            elif self.error is None:  # after a failure: take, do not stage
                self._stage(conn, batch)

    def _drop(self, conn: Connection) -> None:
        """The staging table dropped; a connection that cannot do that is not reused."""
        try:
            conn.rollback()
            repo.drop_stage(conn)
            conn.commit()
        except DBAPIError:
            conn.invalidate()

    def _stage(self, conn: Connection, batch: _Batch) -> None:
        """Append a batch to the staging table: a short transaction that writes only it."""
        repo.stage_rows(conn, batch.rows)
        conn.commit()

    def _swap(self, conn: Connection) -> dict[str, int]:
        """Every staged row into the registry, in one write transaction, with what it changes
        and the record of the import. First, without any lock: a NIK an earlier row of the
        file has, or that the registry holds for another office, goes to the rejects file
        (the row as it came, in file order); then the rows staged with a note, that is the
        rows imported with a warning, go to the warnings file."""
        with begin(conn, write=False):
            repo.index_stage(conn)
            for row in repo.unstage_duplicates(conn):
                self.reject(json.loads(row.cells), DUPLICATE_REASON)
            for row in repo.unstage_elsewhere(conn, self.office):
                self.reject(
                    json.loads(row.cells), f"NIK sudah terdaftar di kantor {row.office_code}"
                )
            if self.noted:
                for row in repo.staged_notes(conn):
                    self.warnings.write(json.loads(row.cells), row.note)
            # What the swap changes, and which rows it writes, compared before the lock: on a
            # regency's export (about 1 % changed) the comparison is most of the swap's work.
            seen = repo.registry_versions(conn)
            early = repo.stage_figures(conn)
            repo.mark_changed(conn)
        with begin(conn, write=True):
            # No resident anywhere written since: the comparison holds (and no NIK was taken
            # by another office meanwhile). Else it is all made again under the lock.
            unchanged = repo.registry_versions(conn) == seen
            taken = [] if unchanged else repo.staged_elsewhere(conn, self.office)
            if taken:
                # Registered by another office's import since it was staged: the file is no
                # longer what was checked. Nothing is written; the next run reports them.
                first = taken[0]
                raise Conflict(
                    "nik_taken_meanwhile",
                    "nik",
                    Msg(
                        "Baris {line}: NIK {nik} baru saja didaftarkan di kantor {office_code} oleh impor lain; tidak ada yang disimpan. Jalankan impor lagi.",
                        line=ribuan(first.line),
                        nik=mask_nik(first.nik),
                        office_code=first.office_code,
                    ),
                )
            figures = early if unchanged else repo.stage_figures(conn)
            now = self.ctx.now()
            try:
                repo.swap_stage(conn, run_stamp(conn, now), only_marked=unchanged)
                # The swap writes only the rows that changed (none, for a file restating
                # the registry): the figures that read the registry's age follow the import.
                derived_repo.bump(conn, self.office, derived.REGISTRY)
                repo.insert_import(conn, self._record(figures, now))
            except OperationalError:
                raise  # the database is gone or locked: nothing was written
            except DBAPIError as exc:
                raise DomainError(
                    "registry_refused",
                    "file",
                    Msg(
                        "Basis data menolak impor ({orig}); tidak ada yang disimpan.", orig=exc.orig
                    ),
                ) from exc
        return figures

    def _record(self, figures: dict[str, int], now: datetime) -> dict[str, Any]:
        """The import's row of registry_import (every reject and warning is written by now)."""
        return {
            "office_code": self.office,
            "imported_at": now,
            "file_name": self.file_name[:255],
            "actor": self.ctx.actor[:100],
            "rows": self.rows,
            "imported": figures["rows"] - figures["known"],
            "updated": figures["known"],
            "rejected": self.rejects.count,
            "warned": self.warnings.count,
            **changes_of(figures),
        }


def changes_of(figures: dict[str, int]) -> RegistryChanges:
    """The changes of `repo.stage_figures`' figures: moved in are the new NIKs issued outside
    the regency and the residents back from PINDAH."""
    return {
        "new_local": figures["new_local"],
        "moved_in": figures["new_outside"] + figures["returned"],
        "returned": figures["returned"],
        "recorded": figures["recorded"],
        "printed": figures["printed"],
        "died": figures["died"],
        "moved_out": figures["moved_out"],
    }


def default_rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-ditolak.csv")


def default_warnings_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-peringatan.csv")


def _staged_row(
    record: ResidentRecord, line: int, cells: list[str], office: str, note: str | None
) -> dict[str, Any]:
    """A checked record as the stage holds it: with its line, the row as it came (for the
    rejects and warnings files), where its NIK was issued (counted, not rejected: people move
    and keep the NIK of their birthplace) and the warning it is imported with. A NIK of a
    retired regency code counts as issued outside the regency: which of today's regencies a
    retired code became is not in the region table."""
    nik = record["nik"]
    nik_kec = f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
    other = nik_kec != record["kode_kecamatan"]
    return {
        **record,
        "line": line,
        "cells": json.dumps(cells, ensure_ascii=False),
        "other_kecamatan": int(other),
        "outside_regency": int(other and not nik_kec.startswith(office + ".")),
        "note": note,
    }


def import_residents(
    ctx: Context,
    path: Path,
    *,
    office: str | None = None,
    reference_date: date | None = None,
    rejects_path: Path | None = None,
    warnings_path: Path | None = None,
    batch_size: int = 5000,
    progress: ProgressFn | None = None,
) -> ImportSummary:
    """Import a registry export (CSV or XLSX) for the office; see the module docstring.

    Returns ``{rows, imported, updated, rejected, rejects_file, warned, warnings_file,
    seconds, nik_other_kecamatan, nik_outside_regency, changes}``: ``nik_other_kecamatan``
    counts valid rows whose NIK was issued in another kecamatan than the village of
    residence, ``nik_outside_regency`` those of them issued outside the office's regency;
    ``warned`` the rows imported with a warning (a retired region code on the NIK, listed
    in ``warnings_file``); ``changes`` what the import changed (`RegistryChanges`).
    """
    started = time.perf_counter()
    path = Path(path)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(path)
    warnings_path = Path(warnings_path) if warnings_path else default_warnings_path(path)
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rules = load_rules(conn, code, reference_date or ctx.today())
    if batch_size < 1:
        raise DomainError("batch_size", "batch_size", Msg("Ukuran batch minimal 1"))

    rows = 0
    with (
        open_registry(path) as reader,
        RejectsWriter(rejects_path, reader.headers) as rejects,
        RejectsWriter(warnings_path, reader.headers, WARNING_REASON_COLUMN) as warnings,
    ):
        stage = _Stage(ctx, code, rejects, warnings, path.name)
        try:
            batch = _Batch([])
            for line, cells in reader.rows:
                rows += 1
                if rows > MAX_IMPORT_ROWS:
                    raise DomainError(
                        "registry_too_many_rows",
                        "file",
                        Msg(
                            "Berkas memuat lebih dari {max_import_rows} baris: bagi menjadi beberapa berkas; tidak ada yang disimpan.",
                            max_import_rows=ribuan(MAX_IMPORT_ROWS),
                        ),
                    )
                try:
                    record, note = rules.check(reader.canonical(cells))
                except RowRejected as exc:
                    stage.reject(cells, str(exc))
                    continue
                if note is not None:
                    stage.noted = True
                batch.rows.append(_staged_row(record, line, cells, code, note))
                if len(batch.rows) >= batch_size:
                    stage.submit(batch)
                    batch = _Batch([])
                    _report(progress, rows, reader)
            stage.submit(batch)
            stage.rows = rows
            figures = stage.finish()  # staged, then swapped in and recorded: the one write
        except BaseException:
            stage.abort()  # nothing was written; the staged rows are dropped
            rejects.discard()
            warnings.discard()
            raise
        _report(progress, rows, reader)
        rejected, warned = rejects.count, warnings.count

    return {
        "rows": rows,
        "imported": figures["rows"] - figures["known"],
        "updated": figures["known"],
        "rejected": rejected,
        "rejects_file": str(rejects_path) if rejected else None,
        "warned": warned,
        "warnings_file": str(warnings_path) if warned else None,
        "seconds": round(time.perf_counter() - started, 3),
        "nik_other_kecamatan": figures["other_kecamatan"],
        "nik_outside_regency": figures["outside_regency"],
        "changes": changes_of(figures),
    }


def _report(progress: ProgressFn | None, rows: int, reader: RegistryReader) -> None:
    if progress is not None:
        done, total = reader.position()
        progress(rows, done, total)


def write_records(
    ctx: Context, records: Iterable[dict[str, Any]], *, batch_size: int = 5000
) -> int:
    """Upsert already-valid resident records in batches (the demo generator's path; record
    the load with `record_load`)."""
    n = 0
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            with ctx.write_plain() as conn:
                repo.upsert_residents(conn, batch)
            n += len(batch)
            batch = []
    if batch:
        with ctx.write_plain() as conn:
            repo.upsert_residents(conn, batch)
        n += len(batch)
    return n


def record_load(ctx: Context, *, office: str | None = None, file_name: str) -> ImportRecord:
    """Record a first load of the office's registry written by `write_records` (the demo's)
    as an import: every resident of the office is new, issued in the regency or moved in by
    the NIK; nothing was there to be recorded, printed, to die or move out."""
    now = ctx.now()
    with ctx.write_plain() as conn:
        code = resolve_office(conn, office)
        total, local = repo.office_niks_issued_in(conn, code)
        values = {
            "office_code": code,
            "imported_at": now,
            "file_name": file_name[:255],
            "actor": ctx.actor[:100],
            "rows": total,
            "imported": total,
            "updated": 0,
            "rejected": 0,
            "warned": 0,
            "new_local": local,
            "moved_in": total - local,
            "returned": 0,
            "recorded": 0,
            "printed": 0,
            "died": 0,
            "moved_out": 0,
        }
        repo.insert_import(conn, values)
    return import_record_of(ctx, values)


def import_record_of(ctx: Context, row: Mapping[Any, Any]) -> ImportRecord:
    """A registry_import row (its mapping, or the values written) as the use cases return
    it."""
    return {
        "office": row["office_code"],
        "imported_at": row["imported_at"],
        "date": ctx.local_date(row["imported_at"]),
        "file_name": row["file_name"],
        "actor": row["actor"],
        "rows": row["rows"],
        "imported": row["imported"],
        "updated": row["updated"],
        "rejected": row["rejected"],
        "warned": row["warned"],
        "changes": {
            "new_local": row["new_local"],
            "moved_in": row["moved_in"],
            "returned": row["returned"],
            "recorded": row["recorded"],
            "printed": row["printed"],
            "died": row["died"],
            "moved_out": row["moved_out"],
        },
    }
