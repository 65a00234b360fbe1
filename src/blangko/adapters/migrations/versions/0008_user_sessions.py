"""app_user: session_version, so that sessions and tokens can be ended at once

Revision ID: 0008_user_sessions
Revises: 0006
Create Date: 2026-12-01

Every session cookie and API token carries the user's session_version when it was issued;
each request compares it with the stored one. Log-out, a password change, a role, office or
active change add one to it, which ends every session and token of that user at once
(issue 19, finding 7).
"""

from alembic import op
import sqlalchemy as sa

revision = "0008_user_sessions"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("session_version")
