"""big office: a covering index for the ledger's totals

Revision ID: 0026_big_office
Revises: 0025_snapshot_loans
Create Date: 2026-12-02

Issue 17 (a big office: 1 juta ledger entries). The stock on hand (every page that shows
it: the dashboard, /stok, /status, the request letter) and the daily stock and usage charts
sum the office's ledger by kind of move, locations and day. The only index on the ledger
by office was (office_code, effective_date): each such sum read every entry's row from the
table, about 10 s on SQLite for 1 juta entries. `ix_ledger_entry_tally` holds every column
those sums read, so they scan the index alone. `ix_ledger_entry_page` (office, date, entry
number) is the ledger page's order: its newest 50 entries are read from the index's end
rather than by sorting the office's ledger (25 s on SQLite for 1 juta entries, since the
planner took the tally index for it).
"""

from alembic import op

revision = "0026_big_office"
down_revision = "0025_snapshot_loans"
branch_labels = None
depends_on = None

COLUMNS = [
    "office_code",
    "kind",
    "from_location",
    "to_location",
    "effective_date",
    "seq",
    "service",
    "quantity",
]


def upgrade() -> None:
    op.create_index("ix_ledger_entry_tally", "ledger_entry", COLUMNS)
    op.create_index(
        "ix_ledger_entry_page", "ledger_entry", ["office_code", "effective_date", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_entry_page", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_tally", table_name="ledger_entry")
