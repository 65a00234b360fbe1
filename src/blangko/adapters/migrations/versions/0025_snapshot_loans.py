"""snapshot loans: the office's open loans in its snapshot, and the snapshots' generation

Revision ID: 0025_snapshot_loans
Revises: 0024_serialised_items
Create Date: 2026-12-02

Issue 14, point 1 (follow-up). `office_snapshot.open_loans` (JSON, a list of {"id",
"lender", "borrower", "status", "quantity", "outstanding", "returning", "due_date",
"overdue"}) holds the loans the office lent or borrowed that are on their way or not yet
settled, as its dashboard's "Pinjaman" section reads them (services.network.loan_book.
open_loans). `snapshot_generation` is one row counting the snapshots saved: the national
and province view are cached per generation (web/national.py), in every server process.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_snapshot_loans"
down_revision = "0024_serialised_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office_snapshot") as batch:
        batch.add_column(sa.Column("open_loans", sa.Text, nullable=False, server_default="[]"))
    generation = op.create_table(
        "snapshot_generation",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_generation")),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("snapshot_generation")
    with op.batch_alter_table("office_snapshot") as batch:
        batch.drop_column("open_loans")
