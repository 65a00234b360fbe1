"""read_log and ledger_anchor; receipt numbers up to 32 characters

Revision ID: 0009_read_log_anchor
Revises: 0008_user_sessions
Create Date: 2026-12-03

read_log: one row per request that showed a resident's personal data (who, when, which
resident or which list), for the administrator and the auditor (issue 19, finding 8).

ledger_anchor: each office's chain head and digests of the records outside the chain, signed
with a key that is not in the database, so that a chain rewritten as a whole is found by
`verify` (issue 19, finding 9). Nothing is anchored here: the first month close or
`blangko stock anchor` after the upgrade makes an office's first anchor (the key lives in the
settings, not in a migration).

application.receipt grows from 20 to 32 characters for the new receipt numbers
(1704-20261127-7KQX-M9PD: a random part and a check character). Existing receipts stay.
"""

from alembic import op
import sqlalchemy as sa

revision = "0009_read_log_anchor"
down_revision = "0008_user_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "read_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_read_log_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_log")),
    )
    with op.batch_alter_table("read_log", schema=None) as batch_op:
        batch_op.create_index("ix_read_log_office_at", ["office_code", "at"], unique=False)
        batch_op.create_index("ix_read_log_nik", ["nik"], unique=False)

    op.create_table(
        "ledger_anchor",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("anchored_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("prev_signature", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_ledger_anchor_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_anchor")),
        sa.UniqueConstraint("office_code", "number", name="uq_ledger_anchor_office_number"),
    )

    # On SQLite this copies the table and drops the old one, which application_event rows
    # refer to: env.py runs migrations with foreign keys checked after, not during.
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column(
            "receipt",
            existing_type=sa.String(length=20),
            type_=sa.String(length=32),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Receipts of the new shape are longer than 20 characters: the column keeps its length.
    op.drop_table("ledger_anchor")
    with op.batch_alter_table("read_log", schema=None) as batch_op:
        batch_op.drop_index("ix_read_log_nik")
        batch_op.drop_index("ix_read_log_office_at")
    op.drop_table("read_log")
