"""Items other than the e-KTP blank (docs/ledger.md, "Barang lain: pita, film"): the office's
item list, the lots of quantity items, their ledger (one hash chain per item, apart from the
blank's chain), the printers of each print station with their state history, the ribbon or
film loaded in each printer and the prints made on it. Every table is only appended to, except
`printer_load.removed_*` (set once, when the unit comes out of the printer)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from blangko.adapters.tables import metadata

# An item the office keeps: the e-KTP blank is built in (code "ektp", the blank ledger) and
# has no row; every row here is a quantity item (ribbon, film, cleaning kit ...) or another
# serialised card type (KIA), whose serials move in its own item chain.
item = Table(
    "item",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("code", String(24), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(12), nullable=False),  # quantity | serialised
    Column("role", String(10), nullable=False),  # ribbon | film | other
    Column("unit", String(20), nullable=False),  # roll, kit ...
    Column("yield_prints", Integer, nullable=True),  # prints per unit (ribbon: about 500)
    Column("lead_time_days", Integer, nullable=True),  # the regency budget route
    # A serialised card type other than the e-KTP blank (KIA): its serial rule, "KA#########".
    Column("serial_pattern", String(40), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

item_lot = Table(
    "item_lot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("item_code", String(24), nullable=False),
    Column("lot", String(40), nullable=False),
    Column("yield_prints", Integer, nullable=True),
    Column("received_seq", BigInteger, nullable=False),  # the receive entry of the item's chain
    UniqueConstraint("office_code", "item_code", "lot", name="uq_item_lot_office_item_lot"),
)

# The ledger of a quantity item: one hash chain per (office, item), genesis "0" x 64, seq
# from 1. The blank's chain (ledger_entry) is not touched: its hashes stay as they were.
item_entry = Table(
    "item_entry",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("item_code", String(24), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("lot", String(40), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("printer_id", Integer, nullable=True),
    Column("reason", Text, nullable=True),
    Column("document", Text, nullable=True),
    Column("note", Text, nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # The serial ranges a serialised item's entry moves (NULL for a quantity item).
    Column("serials", Text, nullable=True),
    UniqueConstraint("office_code", "item_code", "seq", name="uq_item_entry_office_item_seq"),
)

# Each serial of a serialised item (KIA) and its current state: in_store, printed, spoiled,
# lost, missing; the primary key gives a serial one state. Kept with the entry that set it
# (seq); `stock verify` replays the item's chain and compares.
item_serial = Table(
    "item_serial",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("item_code", String(24), primary_key=True),
    Column("serial", String(32), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("seq", BigInteger, nullable=False),
)
Index("ix_item_entry_office_date", item_entry.c.office_code, item_entry.c.effective_date)

printer = Table(
    "printer",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("location_id", Integer, ForeignKey("location.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("capacity", Integer, nullable=False),  # cards a day
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint("office_code", "name", name="uq_printer_office_name"),
)

# A printer's states, appended: working | broken | in_repair | replaced, since a date.
printer_state = Table(
    "printer_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("printer_id", Integer, ForeignKey("printer.id"), nullable=False),
    Column("state", String(10), nullable=False),
    Column("since", Date, nullable=False),
    Column("expected_back", Date, nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)
Index("ix_printer_state_printer", printer_state.c.printer_id, printer_state.c.id)

# A unit of ribbon or film loaded in a printer: taken from a lot (the item's load entry),
# named by its box label; in at most one printer until removed.
printer_load = Table(
    "printer_load",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("printer_id", Integer, ForeignKey("printer.id"), nullable=False),
    Column("item_code", String(24), nullable=False),
    Column("lot", String(40), nullable=False),
    Column("label", String(40), nullable=False),
    Column("yield_prints", Integer, nullable=False),
    Column("entry_seq", BigInteger, nullable=False),
    Column("loaded_date", Date, nullable=False),
    Column("removed_date", Date, nullable=True),
    Column("removed_note", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)
Index("ix_printer_load_printer", printer_load.c.printer_id, printer_load.c.removed_date)

# Prints made on a printer on a day, with the ribbon and film loaded then.
printer_print = Table(
    "printer_print",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("printer_id", Integer, ForeignKey("printer.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("prints", Integer, nullable=False),
    Column("ribbon_load_id", Integer, ForeignKey("printer_load.id"), nullable=True),
    Column("film_load_id", Integer, ForeignKey("printer_load.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)
Index("ix_printer_print_printer", printer_print.c.printer_id, printer_print.c.day)
