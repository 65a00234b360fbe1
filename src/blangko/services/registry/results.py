"""What the registry's use cases return (TypedDicts: plain dicts at run time, checked by
mypy, and the web API's response models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, NotRequired

from typing_extensions import TypedDict

from blangko.domain.errors import ErrorInfo


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
    tanggal_ikd: date | None  # IKD activated (the export's optional column)
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
