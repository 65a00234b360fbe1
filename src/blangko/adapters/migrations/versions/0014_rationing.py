"""rationing: the office's rationing policies (penjatahan cetak), append-only versions

Revision ID: 0014_rationing
Revises: 0013_handed_in_cards
Create Date: 2026-12-02

rationing_policy holds every version of every rationing policy of an office (issue 16, point
3): its period, the daily print cap, the priority classes in order (JSON), what the others
get, the reason, who and when. Setting a policy writes version 1; ending it early writes the
next version with the new end date. Rows are never updated or deleted. rationing_exception
holds the head's leave to print one application beyond the cap or ahead of its turn on one
day, with the reason.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_rationing"
down_revision = "0013_handed_in_cards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rationing_policy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("policy_no", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("classes", sa.Text(), nullable=False),
        sa.Column("others_get", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_rationing_policy_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rationing_policy")),
        sa.UniqueConstraint(
            "office_code", "policy_no", "version", name="uq_rationing_policy_version"
        ),
    )
    with op.batch_alter_table("rationing_policy", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rationing_policy_office", ["office_code", "policy_no"], unique=False
        )
    op.create_table(
        "rationing_exception",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"],
            ["office.code"],
            name=op.f("fk_rationing_exception_office_code_office"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rationing_exception")),
        sa.UniqueConstraint("office_code", "receipt", "day", name="uq_rationing_exception_day"),
    )


def downgrade() -> None:
    op.drop_table("rationing_exception")
    with op.batch_alter_table("rationing_policy", schema=None) as batch_op:
        batch_op.drop_index("ix_rationing_policy_office")
    op.drop_table("rationing_policy")
