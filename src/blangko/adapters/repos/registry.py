"""SQL for the resident registry: the import's staging table, what it changes and its swap
into the registry, the record of each import, the upsert by NIK, look-ups, and the recording
and printing dates that applications set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_derived import figure_version
from blangko.adapters.tables_residents import registry_import, resident

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
    "tanggal_ikd",
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


# The import's staging table: a temporary table (private to the import's connection, gone with
# it, no migration) holding the checked rows until they are swapped into `resident` in one
# transaction. Not in the schema's metadata: it is never part of the database itself. It is
# filled as a heap (no key, no index: appending is all the reading has to wait for) and
# indexed once, when the file has been read.
STAGE = Table(
    "resident_import_stage",
    MetaData(),
    Column("nik", String(16), nullable=False),
    Column("line", Integer, nullable=False),  # the row's line in the file
    Column("cells", Text, nullable=False),  # the row as read (JSON), for the rejects file
    # The columns of `resident` but updated_at (set by the swap), without its foreign key.
    Column("office_code", String(5), nullable=False),
    Column("nama", String(200), nullable=False),
    Column("jenis_kelamin", String(1), nullable=False),
    Column("tanggal_lahir", Date, nullable=False),
    Column("status_kawin", String(12), nullable=False),
    Column("kode_desa", String(13), nullable=False),
    Column("kode_kecamatan", String(8), nullable=False),
    Column("tanggal_rekam", Date, nullable=True),
    Column("tanggal_cetak", Date, nullable=True),
    Column("tanggal_ikd", Date, nullable=True),
    Column("status", String(10), nullable=False),
    Column("other_kecamatan", Integer, nullable=False),  # 1: NIK issued in another kecamatan
    Column("outside_regency", Integer, nullable=False),  # 1: ... outside the office's regency
    # Why the row is imported with a warning (a retired region code on its NIK), or NULL.
    Column("note", Text, nullable=True),
    # 1: new to the registry or different from it, when `mark_changed` last looked.
    Column("changed", Integer, nullable=True),
    prefixes=["TEMPORARY"],
)


def create_stage(conn: Connection) -> None:
    drop_stage(conn)
    STAGE.create(conn)


def drop_stage(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {STAGE.name}"))


def stage_rows(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append checked rows (every STAGE column) to the staging table."""
    if rows:
        conn.execute(STAGE.insert(), rows)


def index_stage(conn: Connection) -> None:
    """Index the staged rows by NIK (and line), once they are all in."""
    conn.execute(text(f"CREATE INDEX ix_{STAGE.name}_nik ON {STAGE.name} (nik, line)"))


def _later_duplicate() -> Any:
    earlier = STAGE.alias("earlier")
    return exists().where(earlier.c.nik == STAGE.c.nik, earlier.c.line < STAGE.c.line)


def _registered_elsewhere(office: str) -> Any:
    return exists().where(resident.c.nik == STAGE.c.nik, resident.c.office_code != office)


def unstage_duplicates(conn: Connection) -> list[AnyRow]:
    """Remove the staged rows whose NIK an earlier row of the file has; returns them
    (line, cells), in file order."""
    rows = list(
        conn.execute(
            select(STAGE.c.line, STAGE.c.cells).where(_later_duplicate()).order_by(STAGE.c.line)
        )
    )
    if rows:
        conn.execute(delete(STAGE).where(_later_duplicate()))
    return rows


def unstage_elsewhere(conn: Connection, office: str) -> list[AnyRow]:
    """Remove the staged rows whose NIK the registry holds for another office; returns them
    (line, cells, office_code), in file order."""
    rows = list(
        conn.execute(
            select(STAGE.c.line, STAGE.c.cells, resident.c.office_code)
            .join(resident, resident.c.nik == STAGE.c.nik)
            .where(resident.c.office_code != office)
            .order_by(STAGE.c.line)
        )
    )
    if rows:
        conn.execute(delete(STAGE).where(_registered_elsewhere(office)))
    return rows


def staged_elsewhere(conn: Connection, office: str, limit: int = 5) -> list[AnyRow]:
    """Staged rows whose NIK the registry holds for another office (line, nik, office)."""
    return list(
        conn.execute(
            select(STAGE.c.line, STAGE.c.nik, resident.c.office_code)
            .join(resident, resident.c.nik == STAGE.c.nik)
            .where(resident.c.office_code != office)
            .order_by(STAGE.c.line)
            .limit(limit)
        )
    )


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def stage_figures(conn: Connection) -> dict[str, int]:
    """Of the staged rows, against the registry as it is (before the swap), in one pass:
    how many, how many are in the registry already (`known`), the sums of the NIK-origin
    flags, and what the swap will change (`ImportSummary.changes` in services/registry.py):
    new NIKs issued in the office's regency and outside it, returns (PINDAH in the registry,
    HIDUP in the file), recording and print dates newly set, deaths and moves newly stated.
    The rows of another office are unstaged before this is asked."""
    s, r = STAGE.c, resident.c
    known, new = r.nik.is_not(None), r.nik.is_(None)
    row = conn.execute(
        select(
            func.count(),
            func.count(r.nik),
            func.coalesce(func.sum(s.other_kecamatan), 0),
            func.coalesce(func.sum(s.outside_regency), 0),
            _count(and_(new, s.outside_regency == 0)),
            _count(and_(new, s.outside_regency == 1)),
            _count(and_(r.status == "PINDAH", s.status == "HIDUP")),
            _count(and_(known, r.tanggal_rekam.is_(None), s.tanggal_rekam.is_not(None))),
            _count(and_(known, r.tanggal_cetak.is_(None), s.tanggal_cetak.is_not(None))),
            _count(and_(r.status != "MENINGGAL", s.status == "MENINGGAL")),
            _count(and_(r.status != "PINDAH", s.status == "PINDAH")),
        ).select_from(STAGE.outerjoin(resident, r.nik == s.nik))
    ).one()
    names = (
        "rows",
        "known",
        "other_kecamatan",
        "outside_regency",
        "new_local",
        "new_outside",
        "returned",
        "recorded",
        "printed",
        "died",
        "moved_out",
    )
    return {name: int(value) for name, value in zip(names, row, strict=True)}


def staged_notes(conn: Connection) -> list[AnyRow]:
    """The staged rows imported with a note (line, cells, note), in file order."""
    return list(
        conn.execute(
            select(STAGE.c.line, STAGE.c.cells, STAGE.c.note)
            .where(STAGE.c.note.is_not(None))
            .order_by(STAGE.c.line)
        )
    )


# The columns whose values a staged row restates (not the key, not the stamp).
CONTENT = [c for c in COLUMNS if c not in ("nik", "office_code", "updated_at")]


def mark_changed(conn: Connection) -> None:
    """Mark the staged rows that are new to the registry or differ from it in any column
    (`swap_stage(only_marked=True)` writes only those); staged rows start unmarked. Written
    to the staging table only: no lock on the registry."""
    same = (
        select(resident.c.nik)
        .where(
            resident.c.nik == STAGE.c.nik,
            resident.c.office_code == STAGE.c.office_code,
            *(resident.c[c].is_not_distinct_from(STAGE.c[c]) for c in CONTENT),
        )
        .exists()
    )
    conn.execute(update(STAGE).where(~same).values(changed=1))


def registry_versions(conn: Connection) -> dict[str, int]:
    """Every office's registry version: unchanged, no resident anywhere was written."""
    return {
        row.office_code: int(row.version)
        for row in conn.execute(
            select(figure_version.c.office_code, figure_version.c.version).where(
                figure_version.c.source == "registry"
            )
        )
    }


def swap_stage(conn: Connection, stamp: datetime, *, only_marked: bool = False) -> None:
    """Upsert the staged rows into the registry by NIK, in one statement: the new ones, and
    the known ones that differ from the registry in any column, stamped ``updated_at =
    stamp`` (when the row last changed); another office's resident is never taken over.

    A known row restated as it is is not written: a monthly export restates nearly every
    resident, and writing each again (its triggers: the coverage counts, the registry's
    version) held the write lock for seconds on a regency while changing nothing. The
    import bumps the registry's version itself (`services.registry.imports`).

    ``only_marked``: only the rows `mark_changed` marked, when no resident was written since
    it looked (`registry_versions` unchanged): the comparison is then made before the lock."""
    wanted = [c for c in COLUMNS if c != "updated_at"]
    # SQLite needs a WHERE to tell the upsert's ON CONFLICT from a join's ON.
    rows = select(*(STAGE.c[c] for c in wanted), literal(stamp, resident.c.updated_at.type)).where(
        STAGE.c.changed == 1 if only_marked else true()
    )
    ins: Any = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(resident)
    stmt = ins.from_select([*wanted, "updated_at"], rows).on_conflict_do_update(
        index_elements=[resident.c.nik],
        set_={c: ins.excluded[c] for c in COLUMNS if c not in ("nik", "office_code")},
        where=and_(
            resident.c.office_code == ins.excluded.office_code,
            or_(*(resident.c[c].is_distinct_from(ins.excluded[c]) for c in CONTENT)),
        ),
    )
    conn.execute(stmt)


def insert_import(conn: Connection, values: Mapping[str, Any]) -> None:
    """Record an import (every column of registry_import but id)."""
    conn.execute(registry_import.insert().values(**values))


def imports(conn: Connection, office: str, limit: int) -> Sequence[AnyRow]:
    """The office's last ``limit`` imports, the latest first."""
    return conn.execute(
        select(registry_import)
        .where(registry_import.c.office_code == office)
        .order_by(registry_import.c.imported_at.desc(), registry_import.c.id.desc())
        .limit(limit)
    ).all()


def last_import(conn: Connection, office: str, before: datetime | None = None) -> AnyRow | None:
    """The office's latest import that wrote any resident (before ``before``, when given), or
    None: a file whose every row was rejected is recorded, but refreshes nothing."""
    q = select(registry_import).where(
        registry_import.c.office_code == office,
        registry_import.c.imported + registry_import.c.updated > 0,
    )
    if before is not None:
        q = q.where(registry_import.c.imported_at < before)
    return conn.execute(
        q.order_by(registry_import.c.imported_at.desc(), registry_import.c.id.desc()).limit(1)
    ).first()


def office_niks_issued_in(conn: Connection, office: str) -> tuple[int, int]:
    """(residents of the office, those whose NIK was issued in its regency)."""
    prefix = office.replace(".", "")
    row = conn.execute(
        select(func.count(), _count(func.substr(resident.c.nik, 1, 4) == prefix)).where(
            resident.c.office_code == office
        )
    ).one()
    return int(row[0]), int(row[1])


def upsert_residents(conn: Connection, records: Sequence[Mapping[str, Any]]) -> None:
    """Insert or update residents by NIK (all COLUMNS present in every record)."""
    if records:
        conn.execute(_upsert_statement(conn.dialect.name), records)


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
