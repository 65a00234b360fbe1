"""office lock count: a PostgreSQL write reads the office's state with its lock when no other
writer came between

Revision ID: 0031_office_lock_count
Revises: 0030_unprinted_by_village
Create Date: 2026-12-04

Issue 17 (point 2, a print within 3x of a raw INSERT+COMMIT). On PostgreSQL a write locked its
office's row (SELECT ... FOR UPDATE) and read the closed months and its idempotency key in a
second statement: under READ COMMITTED a statement that waited for the lock reads the other
tables as they were when it began. Every write's lock now adds one to `office.lock_count`
and reads the state in the same statement, with the count as it was when the statement
began: when the new count is that plus one, no writer came between and the state read is
current; otherwise it is read again after the lock (adapters.repos.ledger.lock_head).
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_office_lock_count"
down_revision = "0030_unprinted_by_village"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(
            sa.Column("lock_count", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.drop_column("lock_count")
