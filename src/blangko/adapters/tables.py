"""The database schema as SQLAlchemy Core tables. Alembic migrations create it; tests check
that the migrated schema and these definitions agree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

region = Table(
    "region",
    metadata,
    Column("code", String(13), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(20), nullable=False),  # provinsi, kabupaten_kota, kecamatan, desa
    Column("parent_code", String(13), nullable=True, index=True),
)

office = Table(
    "office",
    metadata,
    Column("code", String(5), primary_key=True),  # regency code, e.g. 17.04
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    # Chain head: locked by every write (an UPDATE of lock_count on PostgreSQL) so one office's
    # appends are serialised.
    Column("ledger_seq", BigInteger, nullable=False, default=0),
    Column("ledger_hash", String(64), nullable=False),
    # How many write transactions have locked this head (PostgreSQL): a write that finds it
    # one more than when its statement began knows no other writer came between (see
    # adapters.repos.ledger.lock_head).
    Column("lock_count", BigInteger, nullable=False, server_default="0"),
    # Not "kind": the PostgreSQL entry insert updates this row with the entry's parameters,
    # and an UPDATE sets every column a parameter is named after.
    # kabupaten (a regency's or city's Dinas Dukcapil) | direktorat (Ditjen Dukcapil, code
    # 00.00, with its central warehouse). A province is no row here: it is the region of
    # the offices whose code starts with its two digits (docs/network.md).
    Column("level", String(12), nullable=False, server_default="kabupaten"),
)

# The database's home office: the office it was first set up for, on which a command that
# names no office acts (docs/network.md, "Which office a command acts on"). One row at most,
# id 1; none in a database made before it (there, one office is still the only one).
home_office = Table(
    "home_office",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("set_at", DateTime, nullable=False),
    Column("set_by", String(100), nullable=False),
)

# The office's own settings: what its letterhead and signatures print (address, the regency
# seat where reports are signed, the head's name and NIP), where residents check their
# application's status, and the documents each application type needs (JSON, only the types
# the office has set; the others follow domain.applications.DEFAULT_DOCUMENT_RULES).
office_profile = Table(
    "office_profile",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("address", Text, nullable=True),
    Column("seat", String(100), nullable=True),  # ibu kota kabupaten, e.g. Bintuhan
    Column("head_name", String(200), nullable=True),
    Column("head_nip", String(18), nullable=True),
    Column("public_url", String(200), nullable=True),
    Column("documents", Text, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

location = Table(
    "location",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("kind", String(10), nullable=False),  # store | station
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("office_code", "name", name="uq_location_office_name"),
)

ledger_entry = Table(
    "ledger_entry",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("from_location", Integer, ForeignKey("location.id"), nullable=True),
    Column("to_location", Integer, ForeignKey("location.id"), nullable=True),
    Column("service", String(20), nullable=True),
    Column("reason", Text, nullable=True),
    Column("document", Text, nullable=True),
    Column("party", Text, nullable=True),
    Column("note", Text, nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("quantity", Integer, nullable=False),
    Column("serials", Text, nullable=False),
    Column("corrects_seq", BigInteger, nullable=True),
    Column("count_id", Integer, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("office_code", "seq", name="uq_ledger_entry_office_seq"),
)
Index("ix_ledger_entry_office_date", ledger_entry.c.office_code, ledger_entry.c.effective_date)
# Every column the ledger's sums read (the stock on hand by kind and location, the daily
# charts), so that they scan this index and not the table (migration 0026_big_office).
Index(
    "ix_ledger_entry_tally",
    ledger_entry.c.office_code,
    ledger_entry.c.kind,
    ledger_entry.c.from_location,
    ledger_entry.c.to_location,
    ledger_entry.c.effective_date,
    ledger_entry.c.seq,
    ledger_entry.c.service,
    ledger_entry.c.quantity,
)
# The ledger page's order (date, then entry number): one page read from the index's end.
Index(
    "ix_ledger_entry_page",
    ledger_entry.c.office_code,
    ledger_entry.c.effective_date,
    ledger_entry.c.seq,
)

# Stored daily totals of the ledger (docs/ledger.md, "Stored daily totals"; migration 0028):
# the office's entries with seq <= ledger_total_mark.through_seq summed per effective date,
# kind, locations and service. A read adds the entries after the mark to them, in the same
# statement (adapters/repos/day_totals.py), so it is exact whatever the mark's lag. No
# location or no service is stored as 0 or '' (a primary key column cannot be NULL).
ledger_day_total = Table(
    "ledger_day_total",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("from_location", Integer, primary_key=True),
    Column("to_location", Integer, primary_key=True),
    Column("service", String(20), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("entries", BigInteger, nullable=False),
)
# Per office: the last entry number the stored daily totals hold (none: 0).
ledger_total_mark = Table(
    "ledger_total_mark",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("through_seq", BigInteger, nullable=False),
)

# The serial ranges each entry names, so that a serial's history is an index lookup.
entry_range = Table(
    "entry_range",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("ledger_entry.id"),
        nullable=False,
    ),
    Column("office_code", String(5), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("first_no", BigInteger, nullable=False),
    Column("last_no", BigInteger, nullable=False),
    # The range's length class: the bit length of last_no - first_no (0 for one serial;
    # repos.ledger.span_class). A range of class c holding serial x starts at most 2**c - 1
    # below x, so the ranges holding x are found by one bounded index range per class rather
    # than among every range starting below x (0029).
    Column("span_class", SmallInteger, nullable=False),
)
Index(
    "ix_entry_range_class",
    entry_range.c.prefix,
    entry_range.c.width,
    entry_range.c.span_class,
    entry_range.c.first_no,
)
Index("ix_entry_range_entry", entry_range.c.entry_id)

blank = Table(
    "blank",
    metadata,
    Column("serial", String(32), primary_key=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("number", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),
    Column("location_id", Integer, ForeignKey("location.id"), nullable=True),
    Column("last_seq", BigInteger, nullable=False),
)
Index("ix_blank_range", blank.c.prefix, blank.c.width, blank.c.number)
# Serves "available at this location" and, ordered by serial, "the lowest N available here"
# without sorting the whole location (the --qty path and every print).
Index(
    "ix_blank_where",
    blank.c.office_code,
    blank.c.location_id,
    blank.c.state,
    blank.c.prefix,
    blank.c.width,
    blank.c.number,
)

# A physical count (stock opname): what the book said and what was found, stored when the
# count was taken, at one location or, with location_id NULL, at every location of the office
# (one count, the office's totals here and each location's figures in stock_count_part).
stock_count = Table(
    "stock_count",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("location_id", Integer, ForeignKey("location.id"), nullable=True),  # NULL: every one
    Column("count_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("mode", String(10), nullable=False),  # quantity | serials | mixed (office-wide)
    Column("book", Integer, nullable=False),
    Column("counted", Integer, nullable=False),
    Column("missing", Text, nullable=False),  # serial ranges on the books, not found
    Column("unexpected", Text, nullable=False),  # serial ranges found, not on the books here
    Column("status", String(10), nullable=False),  # open | posted | superseded | voided
    Column("post_reason", Text, nullable=True),
    Column("posted_at", DateTime, nullable=True),
    Column("posted_by", String(100), nullable=True),
    # The newer count of the same location(s) that replaced this one while it was open.
    Column("superseded_by", Integer, ForeignKey("stock_count.id"), nullable=True),
    Column("voided_at", DateTime, nullable=True),
    Column("voided_by", String(100), nullable=True),
    Column("void_reason", Text, nullable=True),
)
Index("ix_stock_count_office_status", stock_count.c.office_code, stock_count.c.status)

# Each location a count covers, with its own book and findings (one row for a count of one
# location, one per location for an office-wide count). Posting works through these.
stock_count_part = Table(
    "stock_count_part",
    metadata,
    Column("count_id", Integer, ForeignKey("stock_count.id"), primary_key=True),
    Column("location_id", Integer, ForeignKey("location.id"), primary_key=True),
    Column("mode", String(10), nullable=False),  # quantity | serials
    Column("book", Integer, nullable=False),
    Column("counted", Integer, nullable=False),
    Column("missing", Text, nullable=False),
    Column("unexpected", Text, nullable=False),
)

month_close = Table(
    "month_close",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("closed_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)

# Anchors of each office's chain: the head (seq, hash) and digests of the records outside
# the chain, HMAC-signed with a key that is not in the database (domain/anchor.py). Only
# ever appended: at every month close and by `blangko stock anchor`.
ledger_anchor = Table(
    "ledger_anchor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, ... per office
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("records", Text, nullable=False),  # JSON: kind -> {upto, rows, sha256}
    Column("anchored_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", String(20), nullable=False),  # month_close | manual
    Column("month", String(7), nullable=True),
    Column("key_id", String(16), nullable=False),
    Column("prev_signature", String(64), nullable=False),
    Column("signature", String(64), nullable=False),
    UniqueConstraint("office_code", "number", name="uq_ledger_anchor_office_number"),
)

# One row per idempotency key used for a write: the request's fingerprint and its result, so a
# retry returns the first answer and a reused key with other content is refused.
idempotency = Table(
    "idempotency",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("operation", String(40), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# A shipment of blanks from one ledger to another (docs/network.md): the sender's ship-out
# entry takes the serials out of its stock into transit (state in_transit, no location, still
# on the sender's row of `blank`); the receiver's receipt takes them into its own ledger:
# received, lost in transit (with a document) or received damaged. office_code is the
# sender's; to_office the receiver's. Each side's entries stay in its own chain; the entry
# numbers here tie the shipment to them (the network check of `stock verify --network`).
shipment = Table(
    "shipment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("to_office", String(5), ForeignKey("office.code"), nullable=False),
    Column("status", String(12), nullable=False),  # in_transit | received
    Column("sent_date", Date, nullable=False),
    Column("sent_at", DateTime, nullable=False),
    Column("sent_by", String(100), nullable=False),
    Column("sent_seq", BigInteger, nullable=False),  # the sender's ship_out entry
    Column("document", Text, nullable=False),  # the sender's dispatch letter / BAST number
    Column("quantity", Integer, nullable=False),
    Column("serials", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("received_date", Date, nullable=True),
    Column("received_at", DateTime, nullable=True),
    Column("received_by", String(100), nullable=True),
    Column("received_document", Text, nullable=True),  # the receiver's signed BAST
    Column("received_qty", Integer, nullable=True),  # into the receiver's stock
    Column("lost_qty", Integer, nullable=True),  # lost in transit
    Column("damaged_qty", Integer, nullable=True),  # received, then booked spoiled
    Column("received_seq", BigInteger, nullable=True),  # the receiver's ship_in entry
    Column("lost_seq", BigInteger, nullable=True),  # the receiver's transit_loss entry
    Column("lost_document", Text, nullable=True),
    # The request this shipment is a tranche of (docs/network.md, "The life of a request").
    Column("request_id", Integer, nullable=True, index=True),
    # A loan's shipment (the lender's) or a return of it (the borrower's): tables_loans.loan
    # (no foreign key here: that table is defined after this one; migration 0022_loans has it).
    Column("loan_id", Integer, nullable=True),
)
Index("ix_shipment_office_status", shipment.c.office_code, shipment.c.status)
Index("ix_shipment_to_office", shipment.c.to_office, shipment.c.status)
