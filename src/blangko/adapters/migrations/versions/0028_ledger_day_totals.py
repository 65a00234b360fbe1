"""ledger day totals: the ledger's sums stored per day, with a sequence watermark

Revision ID: 0028_ledger_day_totals
Revises: 0027_registry_indexes
Create Date: 2026-12-03

Issue 17 (a big office: 1 juta ledger entries). The stock on hand, the stock and usage
charts and the forecast's ledger reads summed every entry of the office on each read, even
through the covering index of 0026 (seconds for /stok, 21-46 s for a chart under load).
`ledger_day_total` holds the office's entries with seq <= `ledger_total_mark.through_seq`
summed per effective date, kind, locations and service; a read adds the entries after the
mark (docs/ledger.md, "Stored daily totals").

Filled here, in SQL, for every office's whole ledger (the mark at the office's chain head):
an upgrade is a maintenance moment with no print waiting, and otherwise the first page view
after it would fold the whole ledger of a big office, holding SQLite's write lock (every
print waiting) for as long as the full sum takes. The read stays exact without this (an
office with no mark reads every entry), so it is only about when the one full sum is paid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_ledger_day_totals"
down_revision = "0027_registry_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_day_total",
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("from_location", sa.Integer(), nullable=False),
        sa.Column("to_location", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(20), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_ledger_day_total_office_code_office")
        ),
        sa.PrimaryKeyConstraint(
            "office_code",
            "kind",
            "effective_date",
            "from_location",
            "to_location",
            "service",
            name=op.f("pk_ledger_day_total"),
        ),
    )
    op.create_table(
        "ledger_total_mark",
        sa.Column("office_code", sa.String(5), nullable=False),
        sa.Column("through_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["office.code"], name=op.f("fk_ledger_total_mark_office_code_office")
        ),
        sa.PrimaryKeyConstraint("office_code", name=op.f("pk_ledger_total_mark")),
    )
    # Every entry up to the office's chain head (all of them: nothing writes during an
    # upgrade), and the mark there.
    op.execute(
        "INSERT INTO ledger_day_total (office_code, kind, effective_date, from_location,"
        " to_location, service, quantity, entries)"
        " SELECT e.office_code, e.kind, e.effective_date, COALESCE(e.from_location, 0),"
        " COALESCE(e.to_location, 0), COALESCE(e.service, ''), SUM(e.quantity), COUNT(*)"
        " FROM ledger_entry e JOIN office o ON o.code = e.office_code"
        " WHERE e.seq <= o.ledger_seq"
        " GROUP BY e.office_code, e.kind, e.effective_date, COALESCE(e.from_location, 0),"
        " COALESCE(e.to_location, 0), COALESCE(e.service, '')"
    )
    op.execute(
        "INSERT INTO ledger_total_mark (office_code, through_seq)"
        " SELECT code, ledger_seq FROM office"
    )


def downgrade() -> None:
    op.drop_table("ledger_total_mark")
    op.drop_table("ledger_day_total")
