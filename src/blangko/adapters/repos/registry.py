"""SQL for the resident registry: the upsert by NIK that imports use, look-ups, and the
recording and printing dates that applications set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_residents import resident

COLUMNS = (
    "nik",
    "office_code",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_kawin",
    "kode_desa",
    "kode_kecamatan",
    "tanggal_rekam",
    "tanggal_cetak",
    "status",
    "updated_at",
)
_IN_BATCH = 1000
_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        # Both dialects spell the upsert the same way; only the construct's class differs.
        ins: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(resident)
        stmt = ins.on_conflict_do_update(
            index_elements=[resident.c.nik],
            set_={c: ins.excluded[c] for c in COLUMNS if c not in ("nik", "office_code")},
            # Never take over another office's resident, whatever the caller checked.
            where=resident.c.office_code == ins.excluded.office_code,
        )
        _UPSERTS[dialect] = stmt
    return stmt


def upsert_residents(conn: Connection, records: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update residents by NIK (all COLUMNS present in every record)."""
    if records:
        conn.execute(_upsert_statement(conn.dialect.name), records)


def stored(conn: Connection, niks: list[str], stamp: datetime) -> dict[str, tuple[str, bool]]:
    """For the NIKs already in the registry: their office and whether they were written with
    ``stamp``. The stamp is compared in SQL so no stored timestamp has to be parsed in Python.
    """
    out: dict[str, tuple[str, bool]] = {}
    mine = (resident.c.updated_at == stamp).label("mine")
    for i in range(0, len(niks), _IN_BATCH):
        rows = conn.execute(
            select(resident.c.nik, resident.c.office_code, mine).where(
                resident.c.nik.in_(niks[i : i + _IN_BATCH])
            )
        )
        for nik, office, this_run in rows:
            out[nik] = (office, bool(this_run))
    return out


def latest_update(conn: Connection) -> datetime | None:
    """The latest ``updated_at`` stored (any office)."""
    latest: datetime | None = conn.execute(select(func.max(resident.c.updated_at))).scalar()
    return latest


def resident_by_nik(conn: Connection, nik: str, office: str | None = None) -> AnyRow | None:
    q = select(resident).where(resident.c.nik == nik)
    if office is not None:
        q = q.where(resident.c.office_code == office)
    return conn.execute(q).first()


def set_recorded(conn: Connection, nik: str, day: date, at: datetime) -> None:
    """The biometrics were recorded on ``day`` (tanggal_rekam)."""
    conn.execute(
        resident.update().where(resident.c.nik == nik).values(tanggal_rekam=day, updated_at=at)
    )


def set_printed(conn: Connection, nik: str, day: date | None, at: datetime) -> None:
    """The current card was printed on ``day`` (tanggal_cetak); None: no card (a misprint)."""
    conn.execute(
        resident.update().where(resident.c.nik == nik).values(tanggal_cetak=day, updated_at=at)
    )


def recordings_per_day(
    conn: Connection, office: str, first: date, before: date
) -> Sequence[AnyRow]:
    """(day, residents recorded that day) for first <= day < before, days with any only."""
    return conn.execute(
        select(resident.c.tanggal_rekam, func.count())
        .where(
            resident.c.office_code == office,
            resident.c.tanggal_rekam >= first,
            resident.c.tanggal_rekam < before,
        )
        .group_by(resident.c.tanggal_rekam)
    ).all()


def count_recorded(conn: Connection, office: str, first: date, last: date) -> int:
    """Residents recorded from first to last inclusive."""
    return int(
        conn.execute(
            select(func.count()).where(
                resident.c.office_code == office,
                resident.c.tanggal_rekam >= first,
                resident.c.tanggal_rekam <= last,
            )
        ).scalar_one()
    )
