"""One resident, and a NIK's parts: the registry's look-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import registry as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.nik import (
    check_nik_format,
    compact_nik,
    mask_nik,
    parse_nik,
    retired_region_note,
)
from blangko.domain.text import Msg
from blangko.domain.wajib_ktp import age_on, is_wajib_ktp
from blangko.services import readlog
from blangko.services.context import Context, resolve_office
from blangko.services.registry.results import (
    NikInvalid,
    NikParts,
    Resident,
)

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
            Msg(
                "Penduduk dengan NIK {nilai} tidak ada di registri.",
                nilai=number if reveal else mask_nik(number),
            ),
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
