"""The resident registry: importing the civil-registry export, looking residents up, NIK checks.

Import model: all or nothing
----------------------------
The file is read as a stream and checked row by row. A rejected row goes to the rejects
file with its ``alasan`` and is never written; the import goes on. The valid rows are staged
in batches (``batch_size``) in a temporary table on the import's own connection, by one
thread in file order while the reading thread checks the next batch; staging takes no lock
on the registry. When the whole file has been read, the staged rows are upserted into
``resident`` by NIK (INSERT ... SELECT ... ON CONFLICT (nik) DO UPDATE, on SQLite and
PostgreSQL) in ONE transaction: the only time the import holds the write lock.

So the registry changes all at once or not at all: a file that cannot be read to its end
(a byte that is not UTF-8, a cell over the csv module's limit, more than MAX_IMPORT_ROWS
rows), a database that refuses the swap, an interrupted or killed process: each leaves the
registry exactly as it was (the temporary table goes with its connection), and the rejects
file of the failed run is removed. Running the import again is safe: every row is an upsert
by NIK (rows already there are counted as ``updated``).

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
from typing import Any, Literal, NotRequired

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from typing_extensions import TypedDict

from blangko.adapters.db import begin
from blangko.adapters.registry_files import (
    WARNING_REASON_COLUMN,
    RegistryReader,
    RejectsWriter,
    open_registry,
    parse_registry_date,
)
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import registry as repo
from blangko.domain.errors import Conflict, DomainError, ErrorInfo, NotFound
from blangko.domain.limits import (
    MAX_IMPORT_FIELD,
    MAX_IMPORT_ROWS,
    MAX_NAME,
    control_character,
    ribuan,
)
from blangko.domain.nik import (
    check_nik_against,
    check_nik_format,
    compact_nik,
    mask_nik,
    parse_nik,
    retired_region_note,
)
from blangko.domain.wajib_ktp import age_on, is_wajib_ktp
from blangko.formatting import num, tanggal
from blangko.services import readlog
from blangko.services.context import Context, resolve_office

ProgressFn = Callable[[int, int, int | None], Any]  # (rows read, position, total position)

SEX_VALUES = {
    "L": "L",
    "P": "P",
    "LAKI-LAKI": "L",
    "LAKI LAKI": "L",
    "PEREMPUAN": "P",
    "M": "L",
    "MALE": "L",
    "F": "P",
    "FEMALE": "P",
}
MARITAL_VALUES = {
    "BELUM KAWIN": "BELUM KAWIN",
    "KAWIN": "KAWIN",
    "CERAI HIDUP": "CERAI HIDUP",
    "CERAI MATI": "CERAI MATI",
    "SINGLE": "BELUM KAWIN",
    "NEVER MARRIED": "BELUM KAWIN",
    "MARRIED": "KAWIN",
    "DIVORCED": "CERAI HIDUP",
    "WIDOWED": "CERAI MATI",
}
STATUS_VALUES = {
    "": "HIDUP",
    "HIDUP": "HIDUP",
    "MENINGGAL": "MENINGGAL",
    "PINDAH": "PINDAH",
    "ALIVE": "HIDUP",
    "DECEASED": "MENINGGAL",
    "DEAD": "MENINGGAL",
    "MOVED": "PINDAH",
}
NAME_MAX = MAX_NAME
DUPLICATE_REASON = "NIK ganda: NIK yang sama sudah ada di baris sebelumnya dalam berkas"


# What the use cases return (TypedDicts: plain dicts at run time, checked by mypy, and the
# web API's response models) ---------------------------------------------------------------
class ResidentRecord(TypedDict):
    """A registry row checked, as written to the `resident` table (updated_at set by the
    batch that writes it)."""

    nik: str
    office_code: str
    nama: str
    jenis_kelamin: str
    tanggal_lahir: date
    status_kawin: str
    kode_desa: str
    kode_kecamatan: str
    tanggal_rekam: date | None
    tanggal_cetak: date | None
    status: str
    updated_at: NotRequired[datetime]


class RegistryChanges(TypedDict):
    """What an import changed in the office's registry, against the registry before it."""

    new_local: int  # new NIKs (not in the registry before) issued in the office's regency
    moved_in: int  # new NIKs issued outside the regency, plus `returned`
    returned: int  # of moved_in: PINDAH in the registry, HIDUP in the file
    recorded: int  # tanggal_rekam empty before, set now
    printed: int  # tanggal_cetak empty before, set now
    died: int  # status MENINGGAL now, not before
    moved_out: int  # status PINDAH now, not before


class ImportSummary(TypedDict):
    """What an import did; see `import_residents`."""

    rows: int
    imported: int
    updated: int
    rejected: int
    rejects_file: str | None
    warned: int
    warnings_file: str | None
    seconds: float
    nik_other_kecamatan: int
    nik_outside_regency: int
    changes: RegistryChanges


class ImportRecord(TypedDict):
    """One recorded import (`registry_import`); ``date`` is the office's local date of it."""

    office: str
    imported_at: datetime
    date: date
    file_name: str
    actor: str
    rows: int
    imported: int
    updated: int
    rejected: int
    warned: int
    changes: RegistryChanges


class RegistryAge(TypedDict):
    """How old the office's registry is: its last recorded import and the warning when it is
    older than ``stale_after_days`` (or none is recorded)."""

    office: str
    last_import: date | None  # the office's local date of the last import
    file_name: str | None
    age_days: int | None
    stale_after_days: int
    stale: bool
    message: str  # what the pages and the CLI say, in Indonesian


class ImportHistory(TypedDict):
    """`registry_age` and the office's last imports, the latest first."""

    age: RegistryAge
    imports: list[ImportRecord]


class Resident(TypedDict):
    """One resident with the names of their village and kecamatan; the NIK masked unless
    revealed."""

    nik: str
    office: str
    nama: str
    jenis_kelamin: str
    tanggal_lahir: date
    umur: int | None
    status_kawin: str
    kode_desa: str
    desa: str | None
    kode_kecamatan: str
    kecamatan: str | None
    kecamatan_nik: str
    kecamatan_nik_nama: str | None
    tanggal_rekam: date | None
    tanggal_cetak: date | None
    status: str
    wajib_ktp: bool
    updated_at: datetime


class NamedCode(TypedDict):
    code: str
    name: str | None


class NikParts(TypedDict):
    """A valid NIK's parts; ``region_note`` says which of its region codes is no longer in the
    current list (valid all the same: a NIK keeps its codes for life)."""

    valid: Literal[True]
    nik: str
    provinsi: NamedCode
    kabupaten_kota: NamedCode
    kecamatan: NamedCode
    tanggal_lahir: date
    jenis_kelamin: str
    nomor_urut: str
    note: str
    region_note: str | None


class NikInvalid(TypedDict):
    """A NIK that breaks a rule, and the rule (code, field, message)."""

    valid: Literal[False]
    nik: str
    error: ErrorInfo


class RowRejected(Exception):
    """One row breaks a rule; the message is the ``alasan`` written to the rejects file."""


def _enum_key(value: str) -> str:
    return " ".join(value.upper().replace("_", " ").split())


def _lookup(values: dict[str, str], raw: str) -> str | None:
    # Exports almost always hold the exact spelling; normalise only when they do not.
    hit = values.get(raw)
    return hit if hit is not None else values.get(_enum_key(raw))


def _dmy(d: date) -> str:
    return f"{d:%d-%m-%Y}"


def _check_cells(row: dict[str, str]) -> None:
    """RowRejected for the first cell over MAX_IMPORT_FIELD characters or holding a control
    character (which an export or a page would otherwise have to show)."""
    for column, value in row.items():
        if len(value) > MAX_IMPORT_FIELD:
            raise RowRejected(
                f"Kolom {column} lebih dari {ribuan(MAX_IMPORT_FIELD)} karakter "
                f"({ribuan(len(value))})"
            )
        at = control_character(value)
        if at is not None:
            raise RowRejected(
                f"Kolom {column} berisi karakter kendali (U+{ord(value[at]):04X}) pada "
                f"posisi {at + 1}"
            )


@dataclass(frozen=True)
class RowRules:
    """What a row is checked against, loaded once per import."""

    office: str
    reference: date
    villages: frozenset[str]  # dotted village codes of the office's regency
    # Every known code of each level, for the NIK's first two, four and six digits.
    provinces: frozenset[str]
    regencies: frozenset[str]
    kecamatan: frozenset[str]

    def _date(self, raw: str, label: str) -> date:
        try:
            return parse_registry_date(raw)
        except ValueError:
            raise RowRejected(
                f"{label} '{raw}' tidak sah: gunakan YYYY-MM-DD atau DD-MM-YYYY"
            ) from None

    def _event_date(self, raw: str, label: str, born: date) -> date | None:
        if not raw:
            return None
        d = self._date(raw, label)
        if d < born:
            raise RowRejected(f"{label} {_dmy(d)} sebelum tanggal lahir {_dmy(born)}")
        if d > self.reference:
            raise RowRejected(f"{label} {_dmy(d)} sesudah tanggal acuan {_dmy(self.reference)}")
        return d

    def check(self, row: dict[str, str]) -> tuple[ResidentRecord, str | None]:
        """The row as a resident record, with the warning it is imported with (a retired
        region code on its NIK) or None; RowRejected naming the first rule it breaks."""
        values = row.values()
        # One look at the whole row (the common case: clean), then at each cell if not.
        joined = "".join(values)
        if max(map(len, values)) > MAX_IMPORT_FIELD or control_character(joined) is not None:
            _check_cells(row)
        raw_nik = row["nik"]
        if not raw_nik:
            raise RowRejected("NIK kosong")
        try:
            parsed = parse_nik(
                raw_nik,
                reference_date=self.reference,
                is_known_province=self.provinces.__contains__,
            )
        except DomainError as exc:
            raise RowRejected(exc.message) from None
        note = (
            None
            if parsed.kecamatan_code in self.kecamatan
            else retired_region_note(
                parsed,
                is_known_kecamatan=self.kecamatan.__contains__,
                is_known_regency=self.regencies.__contains__,
            )
        )

        nama = " ".join(row["nama"].split())
        if not nama:
            raise RowRejected("Nama kosong")
        if len(nama) > NAME_MAX:
            raise RowRejected(f"Nama lebih dari {NAME_MAX} karakter")

        sex = _lookup(SEX_VALUES, row["jenis_kelamin"])
        if sex is None:
            raise RowRejected(
                f"Jenis kelamin '{row['jenis_kelamin']}' tidak dikenal (gunakan L atau P)"
            )

        if not row["tanggal_lahir"]:
            raise RowRejected("Tanggal lahir kosong")
        born = self._date(row["tanggal_lahir"], "Tanggal lahir")
        if born > self.reference:
            raise RowRejected(
                f"Tanggal lahir {_dmy(born)} sesudah tanggal acuan {_dmy(self.reference)}"
            )
        try:
            check_nik_against(parsed, birth_date=born, sex=sex)
        except DomainError as exc:
            raise RowRejected(exc.message) from None

        marital = _lookup(MARITAL_VALUES, row["status_kawin"])
        if marital is None:
            raise RowRejected(
                f"Status kawin '{row['status_kawin']}' tidak dikenal "
                "(pilih BELUM KAWIN, KAWIN, CERAI HIDUP atau CERAI MATI)"
            )
        status = _lookup(STATUS_VALUES, row["status"])
        if status is None:
            raise RowRejected(
                f"Status penduduk '{row['status']}' tidak dikenal (pilih HIDUP, MENINGGAL atau PINDAH)"
            )

        village = row["kode_desa"]
        if len(village) == 10 and village.isdigit():  # typed without the dots
            village = f"{village[0:2]}.{village[2:4]}.{village[4:6]}.{village[6:10]}"
        if village not in self.villages:
            raise RowRejected(
                f"Kode desa '{row['kode_desa']}' bukan desa/kelurahan yang dikenal "
                f"di wilayah kantor {self.office}"
                if village
                else "Kode desa kosong"
            )

        recorded = self._event_date(row["tanggal_rekam"], "Tanggal rekam", born)
        printed = self._event_date(row["tanggal_cetak"], "Tanggal cetak", born)
        if printed is not None:
            # An e-KTP chip is personalised with the biometrics taken at recording.
            if recorded is None:
                raise RowRejected("Tanggal cetak terisi tetapi tanggal rekam kosong")
            if printed < recorded:
                raise RowRejected(
                    f"Tanggal cetak {_dmy(printed)} sebelum tanggal rekam {_dmy(recorded)}"
                )

        record: ResidentRecord = {
            "nik": parsed.nik,
            "office_code": self.office,
            "nama": nama,
            "jenis_kelamin": sex,
            "tanggal_lahir": born,
            "status_kawin": marital,
            "kode_desa": village,
            "kode_kecamatan": village[:8],
            "tanggal_rekam": recorded,
            "tanggal_cetak": printed,
            "status": status,
        }
        return record, note


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
        with begin(conn, write=True):
            taken = repo.staged_elsewhere(conn, self.office)
            if taken:
                # Registered by another office's import since it was staged: the file is no
                # longer what was checked. Nothing is written; the next run reports them.
                first = taken[0]
                raise Conflict(
                    "nik_taken_meanwhile",
                    "nik",
                    f"Baris {ribuan(first.line)}: NIK {mask_nik(first.nik)} baru saja didaftarkan di "
                    f"kantor {first.office_code} oleh impor lain; tidak ada yang disimpan. "
                    "Jalankan impor lagi.",
                )
            figures = repo.stage_figures(conn)
            now = self.ctx.now()
            try:
                repo.swap_stage(conn, run_stamp(conn, now))
                repo.insert_import(conn, self._record(figures, now))
            except OperationalError:
                raise  # the database is gone or locked: nothing was written
            except DBAPIError as exc:
                raise DomainError(
                    "registry_refused",
                    "file",
                    f"Basis data menolak impor ({exc.orig}); tidak ada yang disimpan.",
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
        raise DomainError("batch_size", "batch_size", "Ukuran batch minimal 1")

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
                        f"Berkas memuat lebih dari {ribuan(MAX_IMPORT_ROWS)} baris: bagi "
                        "menjadi beberapa berkas; tidak ada yang disimpan.",
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
    return _import_record(ctx, values)


def _import_record(ctx: Context, row: Mapping[Any, Any]) -> ImportRecord:
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


# --- how old the registry is ----------------------------------------------------------------


def registry_age(ctx: Context, *, office: str | None = None, on: date | None = None) -> RegistryAge:
    """THE age of the office's registry, as every surface shows it (the coverage, service and
    work-list pages, the dashboard, `blangko residents status`, the forecast's warning): the
    office's date of its last import recorded up to ``on`` (default today) that wrote any
    resident (a file whose every row was rejected refreshes nothing), the days since, and
    ``stale`` when that is more than settings.registry_stale_days or no import is recorded
    (imports before migration 0011 were not)."""
    day = on or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = repo.last_import(conn, code, before=ctx.day_start(day + timedelta(days=1)))
    limit = ctx.settings.registry_stale_days
    if row is None:
        return {
            "office": code,
            "last_import": None,
            "file_name": None,
            "age_days": None,
            "stale_after_days": limit,
            "stale": True,
            "message": "Belum ada impor registri yang tercatat untuk kantor ini: impor ekspor "
            "SIAK terbaru agar antrean cetak dan cakupan mengikuti registri pusat.",
        }
    last = ctx.local_date(row.imported_at)
    age = (day - last).days
    stale = age > limit
    when = "hari ini" if age == 0 else f"{num(age)} hari lalu"
    message = f"Registri terakhir diimpor {tanggal(last)} ({when}, berkas {row.file_name})."
    if stale:
        message = (
            f"Registri terakhir diimpor {tanggal(last)} ({when}), lebih dari {num(limit)} "
            "hari: antrean cetak dan cakupan mungkin tidak lagi sesuai registri pusat; "
            "impor ekspor SIAK terbaru."
        )
    return {
        "office": code,
        "last_import": last,
        "file_name": row.file_name,
        "age_days": age,
        "stale_after_days": limit,
        "stale": stale,
        "message": message,
    }


def import_history(ctx: Context, *, office: str | None = None, limit: int = 10) -> ImportHistory:
    """`registry_age` and the office's last ``limit`` imports, the latest first."""
    if not 1 <= limit <= 1000:
        raise DomainError("limit", "limit", "Jumlah impor yang ditampilkan harus 1 sampai 1.000")
    age = registry_age(ctx, office=office)
    with ctx.read() as conn:
        rows = repo.imports(conn, age["office"], limit)
    return {"age": age, "imports": [_import_record(ctx, r._mapping) for r in rows]}


# --- look-ups --------------------------------------------------------------------------------


def show_resident(
    ctx: Context, nik: str, *, reveal: bool, office: str | None = None, note_read: bool = True
) -> Resident:
    """One resident, with names of the village and kecamatan and today's wajib-KTP state.

    The NIK is masked unless ``reveal``: the caller decides whether its user may see it. A NIK
    that is not well formed (15 digits, letters, a birth date that does not exist) is refused
    with the rule it breaks, not reported as absent from the registry.
    The name and the rest are personal data in any case: the read is written to the read log
    (one row), unless the caller logs this request itself (``note_read=False``).
    """
    with ctx.read() as conn:
        person = read_resident(conn, nik, reveal=reveal, office=office, today=ctx.today())
    if note_read:
        readlog.note(ctx, office=person["office"], action="resident", nik=compact_nik(nik))
    return person


def read_resident(
    conn: Connection, nik: str, *, reveal: bool, office: str | None, today: date
) -> Resident:
    """`show_resident` inside the caller's transaction."""
    number = check_nik_format(nik, reference_date=today).nik
    row = repo.resident_by_nik(conn, number, resolve_office(conn, office) if office else None)
    if row is None:
        raise NotFound(
            "unknown_resident",
            "nik",
            f"Penduduk dengan NIK {number if reveal else mask_nik(number)} tidak ada di registri.",
        )
    nik_kec = f"{number[0:2]}.{number[2:4]}.{number[4:6]}"
    names = admin_repo.region_names(conn, [row.kode_desa, row.kode_kecamatan, nik_kec])
    return {
        "nik": number if reveal else mask_nik(number),
        "office": row.office_code,
        "nama": row.nama,
        "jenis_kelamin": row.jenis_kelamin,
        "tanggal_lahir": row.tanggal_lahir,
        "umur": age_on(row.tanggal_lahir, today) if row.tanggal_lahir <= today else None,
        "status_kawin": row.status_kawin,
        "kode_desa": row.kode_desa,
        "desa": names.get(row.kode_desa),
        "kode_kecamatan": row.kode_kecamatan,
        "kecamatan": names.get(row.kode_kecamatan),
        "kecamatan_nik": nik_kec,
        "kecamatan_nik_nama": names.get(nik_kec),
        "tanggal_rekam": row.tanggal_rekam,
        "tanggal_cetak": row.tanggal_cetak,
        "status": row.status,
        "wajib_ktp": is_wajib_ktp(
            birth_date=row.tanggal_lahir,
            marital_status=row.status_kawin,
            status=row.status,
            on=today,
        ),
        "updated_at": row.updated_at,
    }


def check_nik(ctx: Context, nik: str) -> NikParts | NikInvalid:
    """The NIK's parts, or the rule it breaks, as data (never raises for a bad NIK). A NIK
    whose kecamatan or regency code is no longer in the region table is valid, with a
    ``region_note`` saying so (codes are retired when regions split; a NIK is for life)."""
    today = ctx.today()
    with ctx.read() as conn:

        def known(level: str) -> Callable[[str], bool]:
            return lambda code: admin_repo.region_exists(conn, code, level)

        try:
            parsed = parse_nik(nik, reference_date=today, is_known_province=known("provinsi"))
        except DomainError as exc:
            return {"valid": False, "nik": nik, "error": exc.as_dict()}
        region_note = retired_region_note(
            parsed,
            is_known_kecamatan=known("kecamatan"),
            is_known_regency=known("kabupaten_kota"),
        )
        names = admin_repo.region_names(
            conn, [parsed.province_code, parsed.regency_code, parsed.kecamatan_code]
        )
    return {
        "valid": True,
        "nik": parsed.nik,
        "provinsi": {"code": parsed.province_code, "name": names.get(parsed.province_code)},
        "kabupaten_kota": {"code": parsed.regency_code, "name": names.get(parsed.regency_code)},
        "kecamatan": {"code": parsed.kecamatan_code, "name": names.get(parsed.kecamatan_code)},
        "tanggal_lahir": parsed.birth_date,
        "jenis_kelamin": parsed.sex,
        "nomor_urut": parsed.serial,
        "note": "Abad tahun lahir ditebak dari tanggal hari ini; NIK tidak memuat abad.",
        "region_note": (
            f"{region_note[0].upper()}{region_note[1:]}: NIK tetap sah (NIK berlaku seumur "
            "hidup; kode wilayah diganti saat pemekaran)."
            if region_note
            else None
        ),
    }
