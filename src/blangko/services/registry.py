"""The resident registry: importing the civil-registry export, looking residents up, NIK checks.

Import model
------------
The file is read as a stream and validated row by row; valid rows are written in batches
(``batch_size``), each batch one transaction with an upsert keyed by NIK (INSERT ... ON
CONFLICT (nik) DO UPDATE, which SQLite and PostgreSQL both support). A rejected row goes to
the rejects file with its ``alasan`` and is never written, so a bad row can neither stop the
import nor half-write. Batches are written by one writer thread, in file order, while the
reading thread checks the next batch.

If the process dies mid-file, the batches already committed stay and the rest is simply not
there yet; running the same import again is safe because every row is an upsert by NIK (rows
already written are rewritten with the same values and counted as ``updated``). If a batch
fails in the database (a constraint the validation did not foresee), it is retried row by
row, each row in its own transaction, so the valid rows of that batch are still written and
only the failing ones go to the rejects file.

Duplicate NIKs inside one file are found without keeping every NIK in memory: each run
stamps the rows it writes with its own ``updated_at`` (strictly later than any stored one),
so a NIK already stored with this run's stamp was written by an earlier row of the same file.
Two imports running at once for the same office could share a stamp; run one at a time.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NotRequired

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from typing_extensions import TypedDict

from blangko.adapters.registry_files import (
    RegistryReader,
    RejectsWriter,
    open_registry,
    parse_registry_date,
)
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import registry as repo
from blangko.domain.errors import DomainError, ErrorInfo, NotFound
from blangko.domain.nik import check_nik_against, compact_nik, mask_nik, parse_nik
from blangko.domain.wajib_ktp import age_on, is_wajib_ktp
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
NAME_MAX = 200
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


class ImportSummary(TypedDict):
    """What an import did; see `import_residents`."""

    rows: int
    imported: int
    updated: int
    rejected: int
    rejects_file: str | None
    seconds: float
    nik_other_kecamatan: int
    nik_outside_regency: int


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
    """A valid NIK's parts."""

    valid: Literal[True]
    nik: str
    provinsi: NamedCode
    kabupaten_kota: NamedCode
    kecamatan: NamedCode
    tanggal_lahir: date
    jenis_kelamin: str
    nomor_urut: str
    note: str


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


@dataclass(frozen=True)
class RowRules:
    """What a row is checked against, loaded once per import."""

    office: str
    reference: date
    villages: frozenset[str]  # dotted village codes of the office's regency
    kecamatan: frozenset[str]  # every known kecamatan code, for the NIK's first six digits

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

    def check(self, row: dict[str, str]) -> ResidentRecord:
        """The row as a resident record, or RowRejected naming the first rule it breaks."""
        raw_nik = row["nik"]
        if not raw_nik:
            raise RowRejected("NIK kosong")
        try:
            parsed = parse_nik(
                raw_nik,
                reference_date=self.reference,
                is_known_kecamatan=self.kecamatan.__contains__,
            )
        except DomainError as exc:
            raise RowRejected(exc.message) from None

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

        return {
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


# --- database side ---------------------------------------------------------------------------


def run_stamp(conn: Connection, now: datetime) -> datetime:
    """``now``, or just after the latest stored ``updated_at`` if that is not earlier."""
    latest = repo.latest_update(conn)
    if latest is not None and latest >= now:
        return latest + timedelta(microseconds=1)
    return now


def load_rules(conn: Connection, office: str, reference: date) -> RowRules:
    villages = frozenset(admin_repo.villages(conn, office))
    kecamatan = frozenset(admin_repo.region_codes(conn, "kecamatan"))
    return RowRules(office=office, reference=reference, villages=villages, kecamatan=kecamatan)


@dataclass
class _Batch:
    records: list[ResidentRecord]
    cells: list[list[str]]  # the original rows, for the rejects file


class _Importer:
    def __init__(self, ctx: Context, office: str, stamp: datetime, rejects: RejectsWriter) -> None:
        self.ctx = ctx
        self.office = office
        self.stamp = stamp
        self.rejects = rejects
        self.imported = 0
        self.updated = 0
        self.other_kecamatan = 0
        self.outside_regency = 0
        self.lock = threading.Lock()

    def reject(self, cells: list[str], reason: str) -> None:
        # Called from the reading thread and the writer thread.
        with self.lock:
            self.rejects.write(cells, reason)

    def flush(self, batch: _Batch) -> None:
        if not batch.records:
            return
        try:
            self._write(batch)
        except OperationalError:
            raise  # the database is gone or locked: stop; committed batches stay
        except DBAPIError:
            for record, cells in zip(batch.records, batch.cells, strict=True):
                try:
                    self._write(_Batch([record], [cells]))
                except OperationalError:
                    raise
                except DBAPIError as exc:
                    self.reject(cells, f"Gagal disimpan ke basis data: {exc.orig}")

    def _write(self, batch: _Batch) -> None:
        keep: list[ResidentRecord] = []
        refused: list[tuple[list[str], str]] = []
        with self.ctx.write_plain() as conn:
            stored = repo.stored(conn, [r["nik"] for r in batch.records], self.stamp)
            new = updated = other_kec = outside = 0
            for record, cells in zip(batch.records, batch.cells, strict=True):
                hit = stored.get(record["nik"])
                if hit is not None:
                    office, this_run = hit
                    if office != self.office:
                        refused.append((cells, f"NIK sudah terdaftar di kantor {office}"))
                        continue
                    if this_run:
                        refused.append((cells, DUPLICATE_REASON))
                        continue
                    updated += 1
                else:
                    new += 1
                # Counted here, not rejected: people move and keep the NIK of their birthplace.
                nik_kec = f"{record['nik'][0:2]}.{record['nik'][2:4]}.{record['nik'][4:6]}"
                if nik_kec != record["kode_kecamatan"]:
                    other_kec += 1
                    if not nik_kec.startswith(self.office + "."):
                        outside += 1
                record["updated_at"] = self.stamp
                keep.append(record)
            repo.upsert_residents(conn, keep)
        # Only counted (and refused rows only reported) once the batch is committed, so a
        # batch retried row by row does not report anything twice.
        for cells, reason in refused:
            self.reject(cells, reason)
        self.imported += new
        self.updated += updated
        self.other_kecamatan += other_kec
        self.outside_regency += outside


class _Writer:
    """Writes batches on a thread of its own while the next batch is being read and checked.

    Validation is Python work and the upsert mostly waits on the database, so overlapping
    them keeps both busy. Batches are still written one at a time, in file order, each in
    its own transaction (the duplicate check across batches relies on that order). At most
    one batch waits in the queue, so memory stays at about two batches.
    """

    def __init__(self, importer: _Importer) -> None:
        self.importer = importer
        self.queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="blangko-import-writer")
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            # After a failure keep taking batches (without writing) so submit never blocks.
            if self.error is None:
                try:
                    self.importer.flush(batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                    self.error = exc

    def submit(self, batch: _Batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self, *, raise_error: bool = True) -> None:
        self.queue.put(None)
        self.thread.join()
        if raise_error and self.error is not None:
            raise self.error


def default_rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-ditolak.csv")


def import_residents(
    ctx: Context,
    path: Path,
    *,
    office: str | None = None,
    reference_date: date | None = None,
    rejects_path: Path | None = None,
    batch_size: int = 5000,
    progress: ProgressFn | None = None,
) -> ImportSummary:
    """Import a registry export (CSV or XLSX) for the office; see the module docstring.

    Returns ``{rows, imported, updated, rejected, rejects_file, seconds,
    nik_other_kecamatan, nik_outside_regency}``: ``nik_other_kecamatan`` counts valid rows
    whose NIK was issued in another kecamatan than the village of residence, and
    ``nik_outside_regency`` those of them issued outside the office's regency.
    """
    started = time.perf_counter()
    path = Path(path)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(path)
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rules = load_rules(conn, code, reference_date or ctx.today())
        stamp = run_stamp(conn, ctx.now())
    if batch_size < 1:
        raise DomainError("batch_size", "batch_size", "Ukuran batch minimal 1")

    rows = 0
    with open_registry(path) as reader, RejectsWriter(rejects_path, reader.headers) as rejects:
        importer = _Importer(ctx, code, stamp, rejects)
        writer = _Writer(importer)
        try:
            batch = _Batch([], [])
            seen_in_batch: set[str] = set()
            for _line, cells in reader.rows:
                rows += 1
                try:
                    record = rules.check(reader.canonical(cells))
                except RowRejected as exc:
                    importer.reject(cells, str(exc))
                    continue
                if record["nik"] in seen_in_batch:
                    importer.reject(cells, DUPLICATE_REASON)
                    continue
                seen_in_batch.add(record["nik"])
                batch.records.append(record)
                batch.cells.append(cells)
                if len(batch.records) >= batch_size:
                    writer.submit(batch)
                    batch = _Batch([], [])
                    seen_in_batch.clear()
                    _report(progress, rows, reader)
            writer.submit(batch)
        except BaseException:
            writer.close(raise_error=False)  # let the batch being written finish, then stop
            raise
        writer.close()  # waits for the last batch; re-raises the writer's error, if any
        _report(progress, rows, reader)
        rejected = rejects.count

    return {
        "rows": rows,
        "imported": importer.imported,
        "updated": importer.updated,
        "rejected": rejected,
        "rejects_file": str(rejects_path) if rejected else None,
        "seconds": round(time.perf_counter() - started, 3),
        "nik_other_kecamatan": importer.other_kecamatan,
        "nik_outside_regency": importer.outside_regency,
    }


def _report(progress: ProgressFn | None, rows: int, reader: RegistryReader) -> None:
    if progress is not None:
        done, total = reader.position()
        progress(rows, done, total)


def write_records(
    ctx: Context, records: Iterable[dict[str, Any]], *, batch_size: int = 5000
) -> int:
    """Upsert already-valid resident records in batches (the demo generator's path)."""
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


# --- look-ups --------------------------------------------------------------------------------


def show_resident(
    ctx: Context, nik: str, *, reveal: bool, office: str | None = None, note_read: bool = True
) -> Resident:
    """One resident, with names of the village and kecamatan and today's wajib-KTP state.

    The NIK is masked unless ``reveal``: the caller decides whether its user may see it. The
    name and the rest are personal data in any case: the read is written to the read log
    (one row), unless the caller logs this request itself (``note_read=False``).
    """
    number = compact_nik(nik)
    with ctx.read() as conn:
        row = repo.resident_by_nik(conn, number, resolve_office(conn, office) if office else None)
        if row is None:
            raise NotFound(
                "unknown_resident",
                "nik",
                f"Penduduk dengan NIK {number if reveal else mask_nik(number)} "
                "tidak ada di registri.",
            )
        nik_kec = f"{number[0:2]}.{number[2:4]}.{number[4:6]}"
        names = admin_repo.region_names(conn, [row.kode_desa, row.kode_kecamatan, nik_kec])
    if note_read:
        readlog.note(ctx, office=row.office_code, action="resident", nik=number)
    today = ctx.today()
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
    """The NIK's parts, or the rule it breaks, as data (never raises for a bad NIK)."""
    today = ctx.today()
    with ctx.read() as conn:

        def known(code: str) -> bool:
            return admin_repo.region_exists(conn, code, "kecamatan")

        try:
            parsed = parse_nik(nik, reference_date=today, is_known_kecamatan=known)
        except DomainError as exc:
            return {"valid": False, "nik": nik, "error": exc.as_dict()}
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
    }
