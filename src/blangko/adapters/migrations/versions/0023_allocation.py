"""allocation: the office's open requests in its snapshot

Revision ID: 0023_allocation
Revises: 0021_requests
Create Date: 2026-12-02

Issue 14, points 1 and 3. `office_snapshot.open_requests` (JSON, a list of
{"id", "asked", "state"}) holds the office's requests for blanks that are not yet decided or
not yet received (domain.requests.OPEN_STATES), as the snapshot job read them from
`blank_request`; the national and province rows show them, the allocation reads what was asked.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_allocation"
down_revision = "0022_loans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office_snapshot") as batch:
        batch.add_column(sa.Column("open_requests", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("office_snapshot") as batch:
        batch.drop_column("open_requests")
