"""handed-in cards: the register of old cards, their destructions and counts; IKD dates

Revision ID: 0013_handed_in_cards
Revises: 0012_derived_figures
Create Date: 2026-12-02

Issue 16, points 1 and 2. handed_in_card records each old or invalid e-KTP card a resident
hands in (owner's NIK, card serial where legible, reason, date, who received it, the
application whose collection took it in); card_destruction each destruction (date, place,
method, witnesses) with card_destruction_item listing its cards, each card at most once
(unique card_id); handed_in_count the counts of the held cards against the register. The
three tables are append-only and chained per office by seq and hash. resident.tanggal_ikd
holds the IKD activation date where the registry export carries it (empty before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_handed_in_cards"
down_revision = "0012_derived_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_destruction",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("destroyed_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("witnesses", sa.Text(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_card_destruction_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_destruction")),
        sa.UniqueConstraint("office_code", "seq", name="uq_card_destruction_seq"),
    )
    with op.batch_alter_table("card_destruction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_card_destruction_office_on", ["office_code", "destroyed_on"], unique=False
        )

    op.create_table(
        "handed_in_count",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("variance", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_handed_in_count_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handed_in_count")),
        sa.UniqueConstraint("office_code", "seq", name="uq_handed_in_count_seq"),
    )
    op.create_table(
        "handed_in_card",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("card_serial", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_handed_in_card_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_handed_in_card_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handed_in_card")),
        sa.UniqueConstraint("application_id", name="uq_handed_in_card_application"),
        sa.UniqueConstraint("office_code", "seq", name="uq_handed_in_card_seq"),
    )
    with op.batch_alter_table("handed_in_card", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handed_in_card_office_received", ["office_code", "received_on"], unique=False
        )

    op.create_table(
        "card_destruction_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("destruction_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["handed_in_card.id"],
            name=op.f("fk_card_destruction_item_card_id_handed_in_card"),
        ),
        sa.ForeignKeyConstraint(
            ["destruction_id"],
            ["card_destruction.id"],
            name=op.f("fk_card_destruction_item_destruction_id_card_destruction"),
        ),
        sa.ForeignKeyConstraint(
            ["office_code"],
            ["office.code"],
            name=op.f("fk_card_destruction_item_office_code_office"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_destruction_item")),
        sa.UniqueConstraint("card_id", name="uq_card_destruction_item_card"),
    )
    with op.batch_alter_table("card_destruction_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_card_destruction_item_destruction", ["destruction_id"], unique=False
        )

    op.add_column("resident", sa.Column("tanggal_ikd", sa.Date(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("tanggal_ikd")

    with op.batch_alter_table("card_destruction_item", schema=None) as batch_op:
        batch_op.drop_index("ix_card_destruction_item_destruction")

    op.drop_table("card_destruction_item")
    with op.batch_alter_table("handed_in_card", schema=None) as batch_op:
        batch_op.drop_index("ix_handed_in_card_office_received")

    op.drop_table("handed_in_card")
    op.drop_table("handed_in_count")
    with op.batch_alter_table("card_destruction", schema=None) as batch_op:
        batch_op.drop_index("ix_card_destruction_office_on")

    op.drop_table("card_destruction")
