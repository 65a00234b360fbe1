"""stock_count: the life of a count (superseded, voided) and office-wide counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A count is open, posted, superseded (a newer count of the same location replaced it while
it was open) or voided (by the head, with a reason). An office-wide count is one count of
every location: its row holds the office's totals with location_id NULL, and
stock_count_part holds each location's book and findings. Every count gets its parts here
(one part for a count of one location, copied from the count), so posting reads one shape.

Counts recorded before this migration that are open while a newer open count of the same
location exists become superseded by the newest one: only the latest count of a location
can be posted (issue 11). The ledger is not touched: counts are not ledger entries.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_count") as batch_op:
        batch_op.alter_column("location_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_stock_count_superseded_by_stock_count"),
            "stock_count",
            ["superseded_by"],
            ["id"],
        )
        batch_op.create_index(
            "ix_stock_count_office_status", ["office_code", "status"], unique=False
        )
    op.create_table(
        "stock_count_part",
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("book", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("unexpected", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["count_id"], ["stock_count.id"], name=op.f("fk_stock_count_part_count_id_stock_count")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_stock_count_part_location_id_location")
        ),
        sa.PrimaryKeyConstraint("count_id", "location_id", name=op.f("pk_stock_count_part")),
    )
    op.execute(
        "INSERT INTO stock_count_part (count_id, location_id, mode, book, counted, missing, "
        "unexpected) SELECT id, location_id, mode, book, counted, missing, unexpected "
        "FROM stock_count"
    )
    # Only the newest open count of a location stays open.
    op.execute(
        "UPDATE stock_count SET status = 'superseded', superseded_by = ("
        "  SELECT max(n.id) FROM stock_count n WHERE n.office_code = stock_count.office_code"
        "  AND n.location_id = stock_count.location_id AND n.status = 'open')"
        " WHERE status = 'open' AND id < ("
        "  SELECT max(n.id) FROM stock_count n WHERE n.office_code = stock_count.office_code"
        "  AND n.location_id = stock_count.location_id AND n.status = 'open')"
    )


def downgrade() -> None:
    # Office-wide counts have no single location to go back to.
    op.execute(
        "DELETE FROM stock_count_part WHERE count_id IN "
        "(SELECT id FROM stock_count WHERE location_id IS NULL)"
    )
    op.execute("DELETE FROM stock_count WHERE location_id IS NULL")
    op.execute("UPDATE stock_count SET status = 'open' WHERE status IN ('superseded', 'voided')")
    op.drop_table("stock_count_part")
    with op.batch_alter_table("stock_count") as batch_op:
        batch_op.drop_index("ix_stock_count_office_status")
        batch_op.drop_constraint(
            op.f("fk_stock_count_superseded_by_stock_count"), type_="foreignkey"
        )
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("superseded_by")
        batch_op.alter_column("location_id", existing_type=sa.Integer(), nullable=False)
