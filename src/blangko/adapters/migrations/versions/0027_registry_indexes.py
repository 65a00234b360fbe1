"""registry indexes: the print backlog and the print history read by index

Revision ID: 0027_registry_indexes
Revises: 0026_big_office
Create Date: 2026-12-03

Issue 17 (a big office: 1 juta residents). The registry PRR of the print backlog (recorded,
no card by the day: `applications.count_registry_prr`, the work list, every page showing the
backlog) and the forecast's print history (`forecast.registry_print_history`) read every
recorded resident of the office through `ix_resident_office_rekam` (two thirds of a
registry), for a few percent of them. They now read two index range scans
(repos.coverage.card_scans): `ix_resident_unprinted`, a partial index over the recorded
residents without a card (the print backlog and the dead and moved among them), and
`ix_resident_office_cetak` (office, card date) for the residents printed after a day.

A SQLite database that holds planner statistics (sqlite_stat1: someone ran ANALYZE, as
bench/big_office.py does) gets the resident table's again, the new indexes' with them: with
statistics for the old indexes and none for the new, SQLite's planner took the village index
for the suket holders of the election villages (7 ms -> 1,3 s on 1 juta residents). A
database without statistics (the application never writes them) is left without.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_registry_indexes"
down_revision = "0026_big_office"
branch_labels = None
depends_on = None

UNPRINTED = sa.text("tanggal_rekam IS NOT NULL AND tanggal_cetak IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_resident_unprinted",
        "resident",
        ["office_code", "tanggal_cetak", "tanggal_rekam"],
        sqlite_where=UNPRINTED,
        postgresql_where=UNPRINTED,
    )
    op.create_index("ix_resident_office_cetak", "resident", ["office_code", "tanggal_cetak"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        stats = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        if bind.exec_driver_sql(stats).first() is not None:
            bind.exec_driver_sql("ANALYZE resident")


def downgrade() -> None:
    op.drop_index("ix_resident_office_cetak", table_name="resident")
    op.drop_index("ix_resident_unprinted", table_name="resident")
