"""serialised items: a second serialised card type (KIA) in the item chains

Revision ID: 0024_serialised_items
Revises: 0023_allocation
Create Date: 2026-12-02

Issue 15. `item.serial_pattern` (a serialised item's serial rule: a prefix and its digits,
e.g. "KA#########"), `item_entry.serials` (the serial ranges an entry of a serialised item
moves; NULL for quantity items, and left out of the canonical form when NULL, so every stored
item hash is unchanged) and `item_serial`, each serial's current state (in_store, printed,
spoiled, lost, missing), one row per (office, item, serial).
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_serialised_items"
down_revision = "0023_allocation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("serial_pattern", sa.String(40), nullable=True))
    with op.batch_alter_table("item_entry") as batch:
        batch.add_column(sa.Column("serials", sa.Text, nullable=True))
    op.create_table(
        "item_serial",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("item_code", sa.String(length=24), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_item_serial_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "item_code", "serial", name=op.f("pk_item_serial")),
    )


def downgrade() -> None:
    op.drop_table("item_serial")
    with op.batch_alter_table("item_entry") as batch:
        batch.drop_column("serials")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("serial_pattern")
