"""Reading resident-registry exports (CSV, XLSX) row by row, and writing the rejects and
warnings files.

Exports from the civil-registry system run to a million rows for a large regency, so the
readers stream: CSV through the csv module over an open file, XLSX through openpyxl's
read-only mode, which parses the sheet XML lazily. Neither ever holds the whole file.

Rows come out as lists of strings in the file's own column order (the rejects file repeats
them verbatim); ``RegistryReader.canonical`` maps one onto the canonical column names.

What makes a file unreadable stops the reading with a DomainError naming the line (and the
column where it can be known): a byte that is not UTF-8 (the file saved in another
encoding), a cell longer than the csv module's limit of 131.072 characters, a damaged XLSX
sheet, a file over MAX_IMPORT_BYTES. The import writes nothing then (services/registry.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from blangko.adapters.reports.cells import csv_row
from blangko.domain.errors import DomainError
from blangko.domain.limits import MAX_IMPORT_BYTES, ribuan
from blangko.domain.text import Msg

CANONICAL = (
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_kawin",
    "kode_desa",
    "tanggal_rekam",
    "tanggal_cetak",
    "status",
    "tanggal_ikd",
)
REQUIRED = ("nik", "nama", "jenis_kelamin", "tanggal_lahir", "status_kawin", "kode_desa")
REJECT_REASON_COLUMN = "alasan"
WARNING_REASON_COLUMN = "peringatan"

# Header spellings seen in exports and spreadsheets people retype, after normalising
# (lower case, spaces/dashes/dots to underscores). SIAK's own headers are the canonical ones.
ALIASES: dict[str, str] = {
    # nik
    "nik": "nik",
    "no_nik": "nik",
    "nomor_nik": "nik",
    "nomor_induk_kependudukan": "nik",
    # nama
    "nama": "nama",
    "nama_lengkap": "nama",
    "name": "nama",
    "full_name": "nama",
    # jenis_kelamin
    "jenis_kelamin": "jenis_kelamin",
    "jk": "jenis_kelamin",
    "l_p": "jenis_kelamin",
    "sex": "jenis_kelamin",
    "gender": "jenis_kelamin",
    # tanggal_lahir
    "tanggal_lahir": "tanggal_lahir",
    "tgl_lahir": "tanggal_lahir",
    "birth_date": "tanggal_lahir",
    "date_of_birth": "tanggal_lahir",
    "birthdate": "tanggal_lahir",
    "dob": "tanggal_lahir",
    # status_kawin
    "status_kawin": "status_kawin",
    "status_perkawinan": "status_kawin",
    "marital_status": "status_kawin",
    # kode_desa
    "kode_desa": "kode_desa",
    "kode_kelurahan": "kode_desa",
    "kode_desa_kelurahan": "kode_desa",
    "village_code": "kode_desa",
    # tanggal_rekam
    "tanggal_rekam": "tanggal_rekam",
    "tgl_rekam": "tanggal_rekam",
    "tanggal_perekaman": "tanggal_rekam",
    "recorded_date": "tanggal_rekam",
    "recording_date": "tanggal_rekam",
    # tanggal_cetak
    "tanggal_cetak": "tanggal_cetak",
    "tgl_cetak": "tanggal_cetak",
    "tanggal_pencetakan": "tanggal_cetak",
    "printed_date": "tanggal_cetak",
    "print_date": "tanggal_cetak",
    # tanggal_ikd (optional: the IKD activation, where the export carries it)
    "tanggal_ikd": "tanggal_ikd",
    "tgl_ikd": "tanggal_ikd",
    "tanggal_aktivasi_ikd": "tanggal_ikd",
    "tgl_aktivasi_ikd": "tanggal_ikd",
    "ikd_date": "tanggal_ikd",
    "ikd_activation_date": "tanggal_ikd",
    # status
    "status": "status",
    "status_penduduk": "status",
    "resident_status": "status",
}

_HEADER_SEP = re.compile(r"[\s\-./()]+")


def canonical_column(header: Any) -> str | None:
    """The canonical name for a header cell, or None for a column we do not use."""
    if header is None:
        return None
    key = _HEADER_SEP.sub("_", str(header).strip().lower()).strip("_")
    return ALIASES.get(key)


_DMY = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def parse_registry_date(text: str) -> date:
    """YYYY-MM-DD or DD-MM-YYYY (SIAK exports both); ValueError for anything else."""
    s = text.strip()
    if len(s) == 10 and s[4] == "-":
        return date.fromisoformat(s)
    m = _DMY.fullmatch(s)
    if m is None:
        raise ValueError(s)
    return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold.

    Excel turns a NIK typed into a number cell into an int (or a float once it passes 2^53,
    losing digits; exporting the column as text avoids that). Date cells become ISO dates.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class RegistryReader:
    """An open export: its header, where each canonical column is, and its data rows."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line or sheet row number, cells)
    index: dict[str, int] = field(default_factory=dict)
    # Progress in arbitrary units (bytes for CSV, sheet rows for XLSX): (done, total or None).
    _position: Any = None

    def __post_init__(self) -> None:
        for i, header in enumerate(self.headers):
            name = canonical_column(header)
            if name is not None and name not in self.index:
                self.index[name] = i
        missing = [c for c in REQUIRED if c not in self.index]
        if missing:
            raise DomainError(
                "registry_columns",
                "file",
                Msg(
                    "Kolom wajib tidak ada: {missing} (kolom berkas: {headers}).",
                    missing=", ".join(missing),
                    headers=", ".join(h for h in self.headers if h) or "-",
                ),
            )

    def canonical(self, cells: list[str]) -> dict[str, str]:
        """The row under canonical names; absent optional columns and short rows give ''."""
        out: dict[str, str] = {}
        n = len(cells)
        for name in CANONICAL:
            i = self.index.get(name)
            out[name] = cells[i].strip() if i is not None and i < n and cells[i] else ""
        return out

    def position(self) -> tuple[int, int | None]:
        return self._position() if self._position else (0, None)


class _CountingReader(io.RawIOBase):
    """Counts bytes read from the file so the progress bar can show how far the CSV is."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _sniff_delimiter(sample: str) -> str:
    """',' or ';' (Excel in the Indonesian locale saves CSV with ';'), by the header line."""
    first = sample.splitlines()[0] if sample else ""
    return ";" if first.count(";") > first.count(",") else ","


@contextmanager
def open_registry(path: Path) -> Iterator[RegistryReader]:
    """Open a CSV or XLSX export for streaming; DomainError for unreadable or unknown files."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise DomainError(
            "registry_format",
            "file",
            Msg("Berkas {name}: gunakan format CSV atau XLSX.", name=path.name),
        )
    try:
        size = path.stat().st_size
        raw = path.open("rb")
    except OSError as exc:
        raise DomainError(
            "file_unreadable",
            "file",
            Msg("Berkas {path} tidak dapat dibaca: {strerror}.", path=path, strerror=exc.strerror),
        ) from exc
    if size > MAX_IMPORT_BYTES:
        raw.close()
        raise DomainError(
            "registry_too_large",
            "file",
            Msg(
                "Berkas {name} berukuran {size} byte: paling besar {max_import_bytes} byte per impor.",
                name=path.name,
                size=ribuan(size),
                max_import_bytes=ribuan(MAX_IMPORT_BYTES),
            ),
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            with _open_xlsx(raw, path) as reader:
                yield reader
        else:
            yield _open_csv(raw, size)
    finally:
        raw.close()


def _not_utf8(line: int, cells: list[str], headers: list[str]) -> DomainError | None:
    """The error for a row holding bytes that are not UTF-8 (decoded as surrogates), naming
    its line and column; None for a clean row."""
    try:
        "".join(cells).encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    for i, cell in enumerate(cells):
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as exc:
            column = headers[i] if i < len(headers) and headers[i] else f"ke-{i + 1}"
            byte = cell[exc.start].encode("utf-8", "surrogateescape").hex().upper()
            return DomainError(
                "registry_encoding",
                "file",
                Msg(
                    "Baris {line}, kolom {column}: byte 0x{byte} bukan UTF-8. Berkas CSV harus berenkode UTF-8 (simpan ulang sebagai 'CSV UTF-8'); tidak ada yang disimpan.",
                    line=ribuan(line),
                    column=column,
                    byte=byte,
                ),
            )
    return None  # pragma: no cover - the join failed, so one cell fails


def _open_csv(raw: IO[bytes], size: int) -> RegistryReader:
    counter = _CountingReader(raw)
    # Bytes that are not UTF-8 become surrogates here and are reported with their line and
    # column by rows() (a decoding error inside the text layer could not name either).
    text = io.TextIOWrapper(
        io.BufferedReader(counter, buffer_size=1 << 16),
        encoding="utf-8-sig",
        errors="surrogateescape",
        newline="",
    )
    header_line = text.readline()
    delimiter = _sniff_delimiter(header_line)
    headers = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    bad = _not_utf8(1, headers, headers)
    if bad is not None:
        raise bad
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # The header is line 1: the reader's line_num counts the lines after it, so a row's
        # number is that of its last line (a quoted cell may span lines).
        try:
            for cells in reader:
                if cells and any(c.strip() for c in cells):
                    try:
                        "".join(cells).encode("utf-8")  # the common case, at C speed
                    except UnicodeEncodeError:
                        raise _not_utf8(reader.line_num + 1, cells, headers) or DomainError(
                            "registry_encoding", "file", Msg("Berkas CSV harus berenkode UTF-8.")
                        ) from None
                    yield reader.line_num + 1, cells
        except csv.Error as exc:
            raise DomainError(
                "registry_unreadable",
                "file",
                Msg(
                    "Baris {nilai}: berkas CSV tidak dapat dibaca ({exc}); tidak ada yang disimpan.",
                    nilai=ribuan(reader.line_num + 1),
                    exc=exc,
                ),
            ) from exc

    return RegistryReader(
        headers=headers,
        rows=rows(),
        _position=lambda: (counter.count, size),
    )


@contextmanager
def _open_xlsx(raw: IO[bytes], path: Path) -> Iterator[RegistryReader]:
    import openpyxl  # heavy (about 0.3 s): only an XLSX import needs it

    try:
        book = openpyxl.load_workbook(raw, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DomainError(
            "registry_format",
            "file",
            Msg("Berkas {name} bukan XLSX yang dapat dibaca.", name=path.name),
        ) from exc
    try:
        sheet = book.worksheets[0]
        total = sheet.max_row  # from the sheet's <dimension>; None when the writer omitted it
        it = sheet.iter_rows(values_only=True)
        header_cells = next(it, ())
        done = [1]

        def rows() -> Iterator[tuple[int, list[str]]]:
            try:
                for n, values in enumerate(it, start=2):
                    done[0] = n
                    cells = [cell_text(v) for v in values]
                    if any(cells):
                        yield n, cells
            except Exception as exc:  # noqa: BLE001 - whatever breaks in the sheet: the file's fault
                raise DomainError(
                    "registry_unreadable",
                    "file",
                    Msg(
                        "Baris {nilai}: lembar XLSX tidak dapat dibaca ({name}); tidak ada yang disimpan.",
                        nilai=ribuan(done[0] + 1),
                        name=exc.__class__.__name__,
                    ),
                ) from exc

        yield RegistryReader(
            headers=[cell_text(h) for h in header_cells],
            rows=rows(),
            _position=lambda: (done[0], total),
        )
    finally:
        book.close()


class RejectsWriter:
    """The rejects file: the row as it came, in the file's columns, plus ``alasan``; or, with
    ``reason_column=WARNING_REASON_COLUMN``, the warnings file (rows imported with a warning,
    plus ``peringatan``).

    Opened lazily so a clean import leaves no empty file behind. Cells go through
    reports.cells: a text that would start a formula when the file is opened in a
    spreadsheet gets a leading apostrophe, a control character is written as \\xNN.
    """

    def __init__(
        self, path: Path, headers: list[str], reason_column: str = REJECT_REASON_COLUMN
    ) -> None:
        self.path = path
        self.headers = headers
        self.reason_column = reason_column
        self.count = 0
        self._file: IO[str] | None = None
        self._writer: Any = None

    def write(self, cells: list[str], reason: str) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(csv_row([*self.headers, self.reason_column]))
        width = len(self.headers)
        if len(cells) > width:
            # Cells beyond the header have no column: keep them, inside the reason.
            reason = f"{reason} (sel tanpa kolom: {'; '.join(cells[width:])})"
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        self._writer.writerow(csv_row([*cells, reason]))
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        """Close and remove the file written so far (an import that failed wrote nothing, so
        a half list of rejects or warnings would only mislead)."""
        opened = self._writer is not None
        self.close()
        if opened:
            self.path.unlink(missing_ok=True)
        self.count = 0

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
