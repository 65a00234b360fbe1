"""items: quantity items with lots and their own hash chain, printers with states and loads

Revision ID: 0018_items
Revises: 0015_network
Create Date: 2026-12-02

Issue 15. New tables only: `item` (an office's quantity items: ribbon, film ...; the e-KTP
blank is built in and has no row), `item_lot`, `item_entry` (one hash chain per office and
item), `printer`, `printer_state`, `printer_load`, `printer_print`. The blank ledger
(`ledger_entry`) is not altered, so every existing chain verifies as before.
"""

from alembic import op
import sqlalchemy as sa


revision = "0018_items"
down_revision = "0015_network"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item",
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("yield_prints", sa.Integer(), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_item_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", "code", name=op.f("pk_item")),
    )
    op.create_table(
        "item_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("item_code", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_item_entry_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_entry")),
        sa.UniqueConstraint(
            "office_code", "item_code", "seq", name="uq_item_entry_office_item_seq"
        ),
    )
    with op.batch_alter_table("item_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_entry_office_date", ["office_code", "effective_date"], unique=False
        )

    op.create_table(
        "item_lot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("item_code", sa.String(length=24), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=False),
        sa.Column("yield_prints", sa.Integer(), nullable=True),
        sa.Column("received_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_item_lot_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_lot")),
        sa.UniqueConstraint("office_code", "item_code", "lot", name="uq_item_lot_office_item_lot"),
    )
    op.create_table(
        "printer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_printer_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_printer_office_code_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer")),
        sa.UniqueConstraint("office_code", "name", name="uq_printer_office_name"),
    )
    op.create_table(
        "printer_load",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=24), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("yield_prints", sa.Integer(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("loaded_date", sa.Date(), nullable=False),
        sa.Column("removed_date", sa.Date(), nullable=True),
        sa.Column("removed_note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_printer_load_office_code_office")
        ),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printer.id"], name=op.f("fk_printer_load_printer_id_printer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_load")),
    )
    with op.batch_alter_table("printer_load", schema=None) as batch_op:
        batch_op.create_index(
            "ix_printer_load_printer", ["printer_id", "removed_date"], unique=False
        )

    op.create_table(
        "printer_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("expected_back", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_printer_state_office_code_office")
        ),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printer.id"], name=op.f("fk_printer_state_printer_id_printer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_state")),
    )
    with op.batch_alter_table("printer_state", schema=None) as batch_op:
        batch_op.create_index("ix_printer_state_printer", ["printer_id", "id"], unique=False)

    op.create_table(
        "printer_print",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office_code", sa.String(length=5), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("ribbon_load_id", sa.Integer(), nullable=True),
        sa.Column("film_load_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["film_load_id"],
            ["printer_load.id"],
            name=op.f("fk_printer_print_film_load_id_printer_load"),
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_printer_print_office_code_office")
        ),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printer.id"], name=op.f("fk_printer_print_printer_id_printer")
        ),
        sa.ForeignKeyConstraint(
            ["ribbon_load_id"],
            ["printer_load.id"],
            name=op.f("fk_printer_print_ribbon_load_id_printer_load"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_print")),
    )
    with op.batch_alter_table("printer_print", schema=None) as batch_op:
        batch_op.create_index("ix_printer_print_printer", ["printer_id", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("printer_print", schema=None) as batch_op:
        batch_op.drop_index("ix_printer_print_printer")

    op.drop_table("printer_print")
    with op.batch_alter_table("printer_state", schema=None) as batch_op:
        batch_op.drop_index("ix_printer_state_printer")

    op.drop_table("printer_state")
    with op.batch_alter_table("printer_load", schema=None) as batch_op:
        batch_op.drop_index("ix_printer_load_printer")

    op.drop_table("printer_load")
    op.drop_table("printer")
    op.drop_table("item_lot")
    with op.batch_alter_table("item_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_item_entry_office_date")

    op.drop_table("item_entry")
    op.drop_table("item")
