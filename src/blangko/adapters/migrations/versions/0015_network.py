"""network: the directorate as a ledger holder, shipments between ledgers

Revision ID: 0015_network
Revises: 0014_rationing
Create Date: 2026-12-02

Issue 13, points 1 and 3. `office.level` tells a regency's office (kabupaten, every office
that exists before this migration) from the directorate (direktorat, code 00.00, created by
`blangko init --directorate`). `shipment` holds a shipment of blanks from one ledger to
another while its serials are in transit, and its receipt (received, lost in transit,
damaged); the entries of each side stay in that side's chain (docs/network.md).
`app_user.province` gives a user the scope of a province (no office): the network view of
the offices of that province.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_network"
down_revision = "0014_rationing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(
            sa.Column("level", sa.String(12), nullable=False, server_default="kabupaten")
        )
    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("to_office", sa.String(5), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("sent_date", sa.Date, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("sent_by", sa.String(100), nullable=False),
        sa.Column("sent_seq", sa.BigInteger, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("serials", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("received_date", sa.Date, nullable=True),
        sa.Column("received_at", sa.DateTime, nullable=True),
        sa.Column("received_by", sa.String(100), nullable=True),
        sa.Column("received_document", sa.Text, nullable=True),
        sa.Column("received_qty", sa.Integer, nullable=True),
        sa.Column("lost_qty", sa.Integer, nullable=True),
        sa.Column("damaged_qty", sa.Integer, nullable=True),
        sa.Column("received_seq", sa.BigInteger, nullable=True),
        sa.Column("lost_seq", sa.BigInteger, nullable=True),
        sa.Column("lost_document", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_shipment_office_code_office")
        ),
        sa.ForeignKeyConstraint(
            ["to_office"], ["office.code"], name=op.f("fk_shipment_to_office_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
    )
    op.create_index("ix_shipment_office_status", "shipment", ["office_code", "status"])
    op.create_index("ix_shipment_to_office", "shipment", ["to_office", "status"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("province", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("province")
    op.drop_index("ix_shipment_to_office", "shipment")
    op.drop_index("ix_shipment_office_status", "shipment")
    op.drop_table("shipment")
    with op.batch_alter_table("office") as batch:
        batch.drop_column("level")
