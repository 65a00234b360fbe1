"""One row of a registry export checked against the rules (NIK, names, dates, village),
before anything is written: the values the exports spell in several ways, and `RowRules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from blangko.adapters.registry_files import (
    parse_registry_date,
)
from blangko.domain.errors import DomainError
from blangko.domain.limits import (
    MAX_IMPORT_FIELD,
    MAX_NAME,
    control_character,
    ribuan,
)
from blangko.domain.nik import (
    check_nik_against,
    parse_nik,
    retired_region_note,
)
from blangko.services.registry.results import ResidentRecord

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

        ikd = self._event_date(row["tanggal_ikd"], "Tanggal IKD", born)
        if ikd is not None and recorded is None:
            # IKD is activated on a recorded identity (the biometrics of perekaman).
            raise RowRejected("Tanggal IKD terisi tetapi tanggal rekam kosong")
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
            "tanggal_ikd": ikd,
            "status": status,
        }
        return record, note
