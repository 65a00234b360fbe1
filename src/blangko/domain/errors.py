"""Errors a clerk can act on: a stable code, the field at fault and a message in Indonesian.

The message names the thing in the clerk's words and says what to do next; it never names a
command-line flag nor a field's code. Each surface adds its own name of the field: the web
its label (FIELD_LABEL_ID, translated), the CLI its flag (cli/output.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from typing_extensions import TypedDict

from blangko.domain.text import Msg

# The fields errors name, in the clerk's words (the pages translate these Indonesian labels).
# A field missing here is shown by the web without a label; tests/web/test_labels_web.py
# fails on every field an error or a counter or stock form names that has none.
FIELD_LABEL_ID: Final = {
    # people, applications and the counter
    "nik": "NIK",
    "type": "Jenis permohonan",
    "status": "Status",
    "receipt": "Nomor tanda terima",
    "random_part": "Nomor tanda terima",
    "documents": "Dokumen",
    "doc": "Dokumen",
    "no_kk": "No. KK",
    "akta_kelahiran": "Akta kelahiran",
    "akta_perkawinan": "Akta perkawinan",
    "akta_perceraian": "Akta perceraian",
    "laporan_polisi": "Surat keterangan kehilangan dari kepolisian",
    "ktp_lama": "KTP-el lama yang rusak",
    "station": "Loket cetak",
    "printer": "Printer",
    "action": "Tindakan",
    "proxy_nik": "NIK kuasa",
    "proxy_name": "Nama kuasa",
    "power_of_attorney": "Nomor/tanggal surat kuasa",
    "collector": "Diterima oleh",
    "tanggal_lahir": "Tanggal lahir",
    "jenis_kelamin": "Jenis kelamin",
    "status_perkawinan": "Status perkawinan",
    # stock
    "serials": "Rentang seri",
    "serial": "Seri",
    "scanned": "Seri yang dipindai",
    "serials_file": "Berkas seri yang dipindai",
    "qty": "Jumlah keping",
    "quantity": "Jumlah yang dimohon",
    "counted": "Jumlah terhitung",
    "counted_at": "Jumlah terhitung per lokasi",
    "source": "Asal kiriman",
    "document": "Nomor dokumen",
    "from": "Dari",
    "to": "Tujuan",
    "from_location": "Lokasi asal",
    "to_location": "Lokasi tujuan",
    "location": "Lokasi",
    "locations": "Lokasi",
    "reason": "Alasan",
    "void_reason": "Alasan pembatalan",
    "note": "Keterangan",
    "witness": "Saksi",
    # handed-in cards and their destruction
    "card_serial": "Nomor seri kartu lama",
    "received_on": "Tanggal penyerahan",
    "received_by": "Diterima oleh petugas",
    "witnesses": "Saksi",
    "place": "Tempat pemusnahan",
    "method": "Cara pemusnahan",
    "cards": "Kartu yang dimusnahkan",
    "destroyed_on": "Tanggal pemusnahan",
    "destruction_id": "Pemusnahan",
    "counted_on": "Tanggal penghitungan",
    "ikd_target": "Target IKD",
    "date_from": "Dari tanggal",
    "date_to": "Sampai tanggal",
    "count_id": "Stock opname",
    "seq": "Entri ledger",
    "month": "Bulan",
    "kind": "Jenis",
    # the network: shipments between ledgers
    "shipment": "Kiriman",
    "missing": "Seri yang tidak sampai",
    "missing_document": "Nomor dokumen kehilangan dalam perjalanan",
    "damaged": "Seri yang rusak saat diterima",
    # requests for blanks
    "request": "Permohonan",
    "comment": "Catatan",
    "number": "Nomor surat permohonan",
    # loans between offices
    "loan": "Pinjaman",
    "lender": "Kantor pemberi pinjaman",
    "borrower": "Kantor peminjam",
    "due": "Tanggal kembali",
    # dates, the calendar and events
    "date": "Tanggal",
    "day": "Tanggal",
    "start": "Mulai",
    "end": "Sampai",
    "reopen": "Buka kembali",
    "as_of": "Per tanggal",
    "active_on": "Berlaku pada",
    "service": "Jenis layanan",
    "per_day": "Kapasitas per hari",
    "name": "Nama",
    "villages": "Desa terdampak",
    "villages_file": "Berkas desa terdampak",
    "id": "Nomor",
    # regions, coverage and lists
    "kecamatan": "Kecamatan",
    "kecamatan_code": "Kode kecamatan",
    "desa": "Desa/kelurahan",
    "by": "Tingkat wilayah",
    "months": "Jumlah bulan",
    "target": "Target cakupan",
    "limit": "Jumlah baris",
    "offset": "Baris awal",
    # offices, users and reports
    "office": "Kantor",
    "province": "Provinsi",
    "username": "Nama pengguna",
    "password": "Kata sandi",
    "role": "Peran",
    "address": "Alamat kantor",
    "seat": "Ibu kota kabupaten (tempat penandatanganan)",
    "head_name": "Nama kepala dinas",
    "head_nip": "NIP kepala dinas",
    "public_url": "Alamat web status publik",
    "report": "Laporan",
    "format": "Format",
    "lang": "Bahasa",
    "file": "Berkas",
    "idempotency_key": "Kunci pengiriman ulang",
    # the national and province view (services/network/snapshots.py)
    "risk": "Risiko",
    "sort": "Urutan",
    "workers": "Proses pekerja",
}


def field_label(field: str | None) -> str:
    """The field as the clerk knows it ('Asal kiriman'); 'Isian' for a field without a label."""
    return FIELD_LABEL_ID.get(field or "", "Isian")


class ErrorInfo(TypedDict):
    """An error as data (the CLI's --json, the API's error body, a NIK check)."""

    code: str
    field: str | None
    message: str


class DomainError(Exception):
    """Bad input or a broken rule. Nothing has been written when this is raised."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def as_dict(self) -> ErrorInfo:
        return {"code": self.code, "field": self.field, "message": self.message}


class NotFound(DomainError):
    """The thing named (office, location, serial, count, ...) does not exist."""


class Conflict(DomainError):
    """The request contradicts stored state (serial already known, idempotency key reused ...)."""


class Forbidden(DomainError):
    """The caller may not do this (outside their office's scope, no scope at all ...)."""


class Unavailable(DomainError):
    """The database could not do it now (another write held its lock beyond the wait, a
    deadlock): nothing was written, and the same request may simply be sent again."""


def one_of(value: str, choices: Iterable[str], code: str, field: str, what: str) -> str:
    """`value` when it is one of `choices`; else the clerk's error that names them all:
    "<what> '<value>' tidak dikenal: pilih a, b, c." (code e.g. 'unknown_type')."""
    options = list(choices)
    if value not in options:
        raise DomainError(
            code,
            field,
            Msg(
                "{what} '{value}' tidak dikenal: pilih {options}.",
                what=what,
                value=value,
                options=", ".join(options),
            ),
        )
    return value


def check_name(value: str | None, code: str, field: str, what: str, marks: str) -> str:
    """`value` trimmed when it is 1 to 64 letters, digits and the characters of `marks`
    (e.g. "-_"); else the clerk's error "<what> wajib diisi: huruf, angka, '-' atau '_',
    paling banyak 64 karakter." (a location's name, a user name)."""
    name = (value or "").strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in marks for c in name):
        quoted = [f"'{m}'" for m in marks]
        allowed = ", ".join(quoted[:-1]) + " atau " + quoted[-1]
        raise DomainError(
            code,
            field,
            Msg(
                "{what} wajib diisi: huruf, angka, {allowed}, paling banyak 64 karakter.",
                what=what,
                allowed=allowed,
            ),
        )
    return name
