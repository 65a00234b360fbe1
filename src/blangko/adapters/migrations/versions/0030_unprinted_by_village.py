"""unprinted by village: a page of the print-backlog list reads its villages' rows only

Revision ID: 0030_unprinted_by_village
Revises: 0029_entry_range_class
Create Date: 2026-12-04

Issue 17 (a big office: 1 juta residents). A page of the print-backlog list (`/layanan/prr`,
`services.worklist`) reads the registry PRR of the few villages it spans. With only
`ix_resident_unprinted` (office, card date, recording date) both SQLite and PostgreSQL read
every unprinted resident of the office (35.000 on the big office) and kept a village's
hundred: 120-150 ms a page on SQLite. `ix_resident_unprinted_desa` is the same partial index
(the recorded residents without a card: a few percent of a registry) by village: the page's
rows in about 1 ms on both.

As in 0027, a SQLite database that holds planner statistics gets the resident table's again,
the new index's with them; one without statistics is left without.
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_unprinted_by_village"
down_revision = "0029_entry_range_class"
branch_labels = None
depends_on = None

UNPRINTED = sa.text("tanggal_rekam IS NOT NULL AND tanggal_cetak IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_resident_unprinted_desa",
        "resident",
        ["office_code", "kode_desa", "tanggal_cetak", "tanggal_rekam"],
        sqlite_where=UNPRINTED,
        postgresql_where=UNPRINTED,
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        stats = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        if bind.exec_driver_sql(stats).first() is not None:
            bind.exec_driver_sql("ANALYZE resident")


def downgrade() -> None:
    op.drop_index("ix_resident_unprinted_desa", table_name="resident")
