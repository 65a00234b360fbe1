"""Residents and stock for application tests, written straight into the tables so these tests
do not depend on the resident import."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from blangko.adapters import tables_residents as tr
from blangko.domain.nik import build_nik
from blangko.services.context import Context
from blangko.services.stock import writes

# The family card a first-card application (pemula) brings by default.
KK = {"no_kk": "1704010101010001"}
KINAL = "17.04.01"
KINAL_VILLAGE = "17.04.01.2001"


def add_resident(
    ctx: Context,
    *,
    serial: int,
    birth: date = date(1990, 5, 17),
    sex: str = "L",
    marital: str = "BELUM KAWIN",
    recorded: date | None = None,
    printed: date | None = None,
    status: str = "HIDUP",
    office: str = "17.04",
) -> str:
    nik = build_nik(KINAL, birth, sex, serial)  # type: ignore[arg-type]
    with ctx.write_plain() as conn:
        conn.execute(
            tr.resident.insert().values(
                nik=nik,
                office_code=office,
                nama=f"Penduduk Uji {serial}",
                jenis_kelamin=sex,
                tanggal_lahir=birth,
                status_kawin=marital,
                kode_desa=KINAL_VILLAGE,
                kode_kecamatan=KINAL,
                tanggal_rekam=recorded,
                tanggal_cetak=printed,
                status=status,
                updated_at=ctx.now(),
            )
        )
    return nik


def resident_row(ctx: Context, nik: str):  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return conn.execute(select(tr.resident).where(tr.resident.c.nik == nik)).one()


def stock_station(ctx: Context, *, at_station: int = 20, office: str = "17.04") -> None:
    """100 blanks KR0000001-KR0000100 in the store, the lowest ``at_station`` at loket-1."""
    start = ctx.today() - timedelta(days=30)
    writes.record_opening(ctx, serials="KR0000001-KR0000100", effective=start, office=office)
    if at_station:
        writes.transfer(
            ctx,
            qty=at_station,
            from_location="gudang",
            to_location="loket-1",
            effective=start,
            office=office,
        )
