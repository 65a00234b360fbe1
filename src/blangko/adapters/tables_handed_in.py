"""The register of handed-in e-KTP cards (kartu lama), their destructions and counts.

Append-only: rows are inserted, never updated or deleted. The rows of one office form one
hash chain, ordered by `seq` (shared by the three kinds of row): each row's `hash` covers its
fields and the previous row's hash (domain.handed_in.register_hash). A card is destroyed at
most once: `card_destruction_item.card_id` is unique, so even two destructions committed at
the same moment cannot both list it.
"""

from __future__ import annotations

from sqlalchemy import (
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

handed_in_card = Table(
    "handed_in_card",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the register number
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("seq", Integer, nullable=False),  # position in the office's register chain
    Column("nik", String(16), nullable=False),  # the card's owner
    Column("card_serial", String(32), nullable=True),  # where legible
    Column("reason", String(20), nullable=False),  # domain.handed_in.REASONS
    Column("received_on", Date, nullable=False),
    Column("received_by", String(100), nullable=False),  # the officer who took the card
    Column("application_id", Integer, ForeignKey("application.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("office_code", "seq", name="uq_handed_in_card_seq"),
    UniqueConstraint("application_id", name="uq_handed_in_card_application"),
)
Index(
    "ix_handed_in_card_office_received", handed_in_card.c.office_code, handed_in_card.c.received_on
)

card_destruction = Table(
    "card_destruction",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("destroyed_on", Date, nullable=False),
    Column("place", String(200), nullable=False),
    Column("method", String(10), nullable=False),  # domain.handed_in.METHODS
    Column("witnesses", Text, nullable=False),  # JSON list of names, two or more
    Column("cards", Integer, nullable=False),  # how many cards it destroyed
    Column("note", Text, nullable=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("office_code", "seq", name="uq_card_destruction_seq"),
)
Index(
    "ix_card_destruction_office_on", card_destruction.c.office_code, card_destruction.c.destroyed_on
)

card_destruction_item = Table(
    "card_destruction_item",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("destruction_id", Integer, ForeignKey("card_destruction.id"), nullable=False),
    Column("card_id", Integer, ForeignKey("handed_in_card.id"), nullable=False),
    UniqueConstraint("card_id", name="uq_card_destruction_item_card"),
)
Index("ix_card_destruction_item_destruction", card_destruction_item.c.destruction_id)

# A count of the cards held in the locked store against the register (like stock opname).
handed_in_count = Table(
    "handed_in_count",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("counted_on", Date, nullable=False),
    Column("expected", Integer, nullable=False),  # held by the register on counted_on
    Column("counted", Integer, nullable=False),
    Column("variance", Integer, nullable=False),  # counted - expected
    Column("reason", Text, nullable=True),  # required when variance is not 0
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("office_code", "seq", name="uq_handed_in_count_seq"),
)
