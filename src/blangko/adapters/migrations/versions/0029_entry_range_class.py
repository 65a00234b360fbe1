"""entry range length class: a serial's entries found by bounded index ranges

Revision ID: 0029_entry_range_class
Revises: 0028_ledger_day_totals
Create Date: 2026-12-03

Issue 17 (a big office: 1 juta ledger entries). A serial's history (/stok/lacak) looked for
the entry ranges holding serial x as `first_no <= x AND last_no >= x`: nothing bounds
first_no from below, so the search read every range of the prefix starting below x (SQLite
instead walked the office's whole ledger and looked up each entry's ranges: 0,45 s). Each
range now carries its length class, the bit length of last_no - first_no; a range of class c
holding x starts in [x - (2**c - 1), x], one short index range per class
(`ix_entry_range_class`, which replaces `ix_entry_range_lookup`: nothing else searched by
first_no).

Filled here in SQL for every stored range (the bit length as a CASE over the powers of two:
SQLite has no log2 unless built with its math functions).
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_entry_range_class"
down_revision = "0028_ledger_day_totals"
branch_labels = None
depends_on = None

# BigInteger serial numbers: a difference below 2**63, so a bit length of at most 63.
_CLASS_SQL = (
    "CASE WHEN last_no - first_no < 1 THEN 0 "
    + " ".join(f"WHEN last_no - first_no < {2**k} THEN {k}" for k in range(1, 63))
    + " ELSE 63 END"
)


def upgrade() -> None:
    with op.batch_alter_table("entry_range", schema=None) as batch_op:
        batch_op.add_column(sa.Column("span_class", sa.SmallInteger(), nullable=True))
    op.execute(f"UPDATE entry_range SET span_class = {_CLASS_SQL}")
    with op.batch_alter_table("entry_range", schema=None) as batch_op:
        batch_op.alter_column("span_class", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.drop_index("ix_entry_range_lookup")
        batch_op.create_index(
            "ix_entry_range_class", ["prefix", "width", "span_class", "first_no"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("entry_range", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_range_class")
        batch_op.create_index(
            "ix_entry_range_lookup", ["prefix", "width", "first_no"], unique=False
        )
        batch_op.drop_column("span_class")
