"""loans: loans of blanks between offices, with their timeline

Revision ID: 0022_loans
Revises: 0015_network
Create Date: 2026-12-02

Issue 13, point 5. `loan` holds a loan from one office (the lender, office_code) to another
(the borrower, to_office): arranged by a province's user or the directorate, sent by the
lender as a shipment marked with the loan, settled by return shipments marked with it or
written off by the directorate. `loan_event` is its timeline (actor, time, comment).
`shipment.loan_id` marks a loan's shipment and its returns (docs/network.md, "Loans").
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_loans"
down_revision = "0021_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loan",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("to_office", sa.String(5), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("arranged_by", sa.String(100), nullable=False),
        sa.Column("arranged_at", sa.DateTime, nullable=False),
        sa.Column("lent_qty", sa.Integer, nullable=False),
        sa.Column("returned_qty", sa.Integer, nullable=False),
        sa.Column("written_off_qty", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_loan_office_code_office")
        ),
        sa.ForeignKeyConstraint(
            ["to_office"], ["office.code"], name=op.f("fk_loan_to_office_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan")),
    )
    op.create_index("ix_loan_office_status", "loan", ["office_code", "status"])
    op.create_index("ix_loan_to_office", "loan", ["to_office", "status"])
    op.create_table(
        "loan_event",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("loan_id", sa.Integer, nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=True),
        sa.Column("shipment_id", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_loan_event_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_event")),
    )
    op.create_index("ix_loan_event_loan", "loan_event", ["loan_id"])
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(sa.Column("loan_id", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("loan_id")
    op.drop_index("ix_loan_event_loan", "loan_event")
    op.drop_table("loan_event")
    op.drop_index("ix_loan_to_office", "loan")
    op.drop_index("ix_loan_office_status", "loan")
    op.drop_table("loan")
