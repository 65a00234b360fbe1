"""derived figures: versions, stored figures, coverage counts (issue 17, point 1)

Revision ID: 0012_derived_figures
Revises: 0011_registry_import
Create Date: 2026-12-02

- figure_version: per office and source (registry, applications, calendar, events) a counter
  bumped by triggers in the transaction of every write to the source's tables, whoever
  writes (a service, an import, a script).
- derived_figure: forecasts, coverage, cohort and projection as computed, keyed by the
  versions they were computed from (services.derived).
- coverage_count: alive residents per village, sex, birth year and married or not, and how
  many are recorded, kept by triggers on resident; filled here from the registry.
- two indexes on resident (birth date, recording date, each after the office).

SQLite has row triggers only; PostgreSQL gets statement triggers with transition tables, so
an import of a million rows runs each trigger once, not a million times.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_derived_figures"
down_revision = "0011_registry_import"
branch_labels = None
depends_on = None

MARRIED = "('KAWIN', 'CERAI HIDUP', 'CERAI MATI')"  # domain.wajib_ktp.EVER_MARRIED
# Tables whose writes bump a source's version (the table, the source, how to find the office).
VERSIONED = (
    ("resident", "registry", "office_code"),
    ("application", "applications", "office_code"),
    ("closure", "calendar", "office_code"),
    ("open_day", "calendar", "office_code"),
    ("capacity", "calendar", "office_code"),
    ("event", "events", "office_code"),
    ("event_village", "events", "(SELECT e.office_code FROM event e WHERE e.id = {row}.event_id)"),
)
COVERAGE_COLUMNS = (
    "office_code, kode_desa, jenis_kelamin, birth_year, married, kode_kecamatan, residents, "
    "recorded"
)
COVERAGE_KEY = "office_code, kode_desa, jenis_kelamin, birth_year, married"
# Columns whose change moves a resident between coverage counts.
COVERAGE_SOURCES = (
    "office_code",
    "kode_desa",
    "kode_kecamatan",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_kawin",
    "status",
    "tanggal_rekam",
)


def _sqlite_married(row: str) -> str:
    # Not "IN (...)": in a row trigger SQLite builds the list's table again for every row
    # (measured: three times slower on an update of the whole registry).
    return " OR ".join(
        f"{row}.status_kawin = '{m}'" for m in ("KAWIN", "CERAI HIDUP", "CERAI MATI")
    )


def _sqlite_cell(row: str, sign: int) -> str:
    return (
        f"INSERT INTO coverage_count ({COVERAGE_COLUMNS}) "
        f"SELECT {row}.office_code, {row}.kode_desa, {row}.jenis_kelamin, "
        f"CAST(substr({row}.tanggal_lahir, 1, 4) AS INTEGER), "
        f"CASE WHEN {_sqlite_married(row)} THEN 1 ELSE 0 END, {row}.kode_kecamatan, "
        f"{sign}, CASE WHEN {row}.tanggal_rekam IS NOT NULL THEN {sign} ELSE 0 END "
        f"WHERE {row}.status = 'HIDUP' "
        f"ON CONFLICT ({COVERAGE_KEY}) DO UPDATE SET "
        "residents = residents + excluded.residents, recorded = recorded + excluded.recorded;"
    )


def _sqlite_bump(source: str, office: str) -> str:
    return (
        "INSERT INTO figure_version (office_code, source, version) "
        f"SELECT {office}, '{source}', 1 WHERE {office} IS NOT NULL "
        "ON CONFLICT (office_code, source) DO UPDATE SET version = version + 1;"
    )


def _sqlite() -> None:
    for table, source, office in VERSIONED:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            where = office.format(row=row) if "{row}" in office else f"{row}.{office}"
            op.execute(
                f"CREATE TRIGGER trg_{table}_{event.lower()}_version AFTER {event} ON {table} "
                f"BEGIN {_sqlite_bump(source, where)} END"
            )
    op.execute(
        f"CREATE TRIGGER trg_resident_insert_coverage AFTER INSERT ON resident "
        f"BEGIN {_sqlite_cell('NEW', 1)} END"
    )
    op.execute(
        f"CREATE TRIGGER trg_resident_delete_coverage AFTER DELETE ON resident "
        f"BEGIN {_sqlite_cell('OLD', -1)} END"
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COVERAGE_SOURCES)
    op.execute(
        f"CREATE TRIGGER trg_resident_update_coverage AFTER UPDATE ON resident WHEN {changed} "
        f"BEGIN {_sqlite_cell('OLD', -1)} {_sqlite_cell('NEW', 1)} END"
    )


def _pg_cells(rows: str, sign: int) -> str:
    return (
        f"SELECT office_code, kode_desa, jenis_kelamin, "
        f"CAST(EXTRACT(YEAR FROM tanggal_lahir) AS INTEGER) AS birth_year, "
        f"CASE WHEN status_kawin IN {MARRIED} THEN 1 ELSE 0 END AS married, kode_kecamatan, "
        f"{sign} * COUNT(*) AS residents, {sign} * COUNT(tanggal_rekam) AS recorded "
        f"FROM {rows} WHERE status = 'HIDUP' GROUP BY 1, 2, 3, 4, 5, 6"
    )


def _pg_upsert(select: str) -> str:
    return (
        f"INSERT INTO coverage_count ({COVERAGE_COLUMNS}) "
        f"SELECT office_code, kode_desa, jenis_kelamin, birth_year, married, "
        f"MIN(kode_kecamatan), SUM(residents), SUM(recorded) FROM ({select}) AS d "
        f"GROUP BY office_code, kode_desa, jenis_kelamin, birth_year, married "
        f"ON CONFLICT ({COVERAGE_KEY}) DO UPDATE SET "
        "residents = coverage_count.residents + excluded.residents, "
        "recorded = coverage_count.recorded + excluded.recorded;"
    )


def _pg_bump(source: str, office: str, rows: str) -> str:
    return (
        "INSERT INTO figure_version (office_code, source, version) "
        f"SELECT DISTINCT o, '{source}', 1 FROM (SELECT {office} AS o FROM {rows} AS r) AS x "
        "WHERE o IS NOT NULL "
        "ON CONFLICT (office_code, source) DO UPDATE SET version = figure_version.version + 1;"
    )


def _pg() -> None:
    for table, source, office in VERSIONED:
        for event, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows")):
            col = office.format(row="r") if "{row}" in office else f"r.{office}"
            body = _pg_bump(source, col, rows)
            if table == "resident":
                if event == "INSERT":
                    body += _pg_upsert(_pg_cells("new_rows", 1))
                elif event == "DELETE":
                    body += _pg_upsert(_pg_cells("old_rows", -1))
                else:
                    body += _pg_upsert(
                        f"{_pg_cells('new_rows', 1)} UNION ALL {_pg_cells('old_rows', -1)}"
                    )
            name = f"trg_{table}_{event.lower()}_version"
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
            ref = (
                "OLD TABLE AS old_rows NEW TABLE AS new_rows"
                if event == "UPDATE"
                else f"{'NEW' if event == 'INSERT' else 'OLD'} TABLE AS {rows}"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {ref} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )


def upgrade() -> None:
    op.create_table(
        "figure_version",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_figure_version_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "source", name=op.f("pk_figure_version")),
    )
    op.create_table(
        "derived_figure",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=True),
        sa.Column("compute_ms", sa.Integer(), nullable=True),
        sa.Column("claim_key", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_derived_figure_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "kind", "params", name=op.f("pk_derived_figure")),
    )
    op.create_table(
        "coverage_count",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("kode_desa", sa.String(length=13), nullable=False),
        sa.Column("jenis_kelamin", sa.String(length=1), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("married", sa.Integer(), nullable=False),
        sa.Column("kode_kecamatan", sa.String(length=8), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_coverage_count_office_code_office")
        ),
        sa.PrimaryKeyConstraint(
            "office_code",
            "kode_desa",
            "jenis_kelamin",
            "birth_year",
            "married",
            name=op.f("pk_coverage_count"),
        ),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index("ix_resident_office_lahir", ["office_code", "tanggal_lahir"])
        batch_op.create_index("ix_resident_office_rekam", ["office_code", "tanggal_rekam"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    year = (
        "CAST(substr(tanggal_lahir, 1, 4) AS INTEGER)"
        if sqlite
        else "CAST(EXTRACT(YEAR FROM tanggal_lahir) AS INTEGER)"
    )
    # The counts of the registry as it is; from here on the triggers keep them.
    op.execute(
        f"INSERT INTO coverage_count ({COVERAGE_COLUMNS}) "
        f"SELECT office_code, kode_desa, jenis_kelamin, {year}, "
        f"CASE WHEN status_kawin IN {MARRIED} THEN 1 ELSE 0 END, MIN(kode_kecamatan), "
        "COUNT(*), COUNT(tanggal_rekam) FROM resident WHERE status = 'HIDUP' "
        f"GROUP BY office_code, kode_desa, jenis_kelamin, {year}, "
        f"CASE WHEN status_kawin IN {MARRIED} THEN 1 ELSE 0 END"
    )
    if sqlite:
        _sqlite()
    else:
        _pg()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    names = [
        f"trg_{t}_{e}_version" for t, _s, _o in VERSIONED for e in ("insert", "update", "delete")
    ]
    if sqlite:
        names += [f"trg_resident_{e}_coverage" for e in ("insert", "update", "delete")]
    for name in names:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            table = name.split("_", 1)[1].rsplit("_", 2)[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_office_rekam")
        batch_op.drop_index("ix_resident_office_lahir")
    op.drop_table("coverage_count")
    op.drop_table("derived_figure")
    op.drop_table("figure_version")
