"""snapshots: each office's figures as of a day, for the national and province view

Revision ID: 0019_snapshots
Revises: 0015_network
Create Date: 2026-12-02

Issue 14, point 1. `office_snapshot` holds, per office and day, the figures the snapshot job
computed (stock on hand by location and in transit, days of cover, P(stockout), the
backlog, coverage and its gap, the forecast's demand paths) with the versions they were
computed from; the national and province pages read these rows only
(adapters/tables_snapshots.py, docs/network.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_snapshots"
down_revision = "0018_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_snapshot",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("versions", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("compute_ms", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("by_location", sa.Text(), nullable=False),
        sa.Column("in_transit", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("cover_p50", sa.Integer(), nullable=False),
        sa.Column("cover_p90", sa.Integer(), nullable=False),
        sa.Column("cover_beyond", sa.Boolean(), nullable=False),
        sa.Column("stockout_probability", sa.Float(), nullable=False),
        sa.Column("next_delivery", sa.Date(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("recommended_request", sa.Integer(), nullable=False),
        sa.Column("backlog", sa.Text(), nullable=False),
        sa.Column("print_backlog", sa.Integer(), nullable=False),
        sa.Column("registry_prr", sa.Integer(), nullable=False),
        sa.Column("wajib_ktp", sa.Integer(), nullable=False),
        sa.Column("coverage_pct", sa.Float(), nullable=True),
        sa.Column("gap_to_target", sa.Integer(), nullable=False),
        sa.Column("target_pct", sa.String(length=10), nullable=False),
        sa.Column("election_date", sa.Date(), nullable=True),
        sa.Column("election_name", sa.String(length=200), nullable=True),
        sa.Column("demand_paths", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_office_snapshot_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "as_of", name=op.f("pk_office_snapshot")),
    )
    op.create_index("ix_office_snapshot_as_of", "office_snapshot", ["as_of"])


def downgrade() -> None:
    op.drop_index("ix_office_snapshot_as_of", table_name="office_snapshot")
    op.drop_table("office_snapshot")
