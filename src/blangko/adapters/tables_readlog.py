"""The read log: who viewed which resident's personal data, when, and how (UU 27/2022)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table

from blangko.adapters.tables import metadata

# Only ever appended, one row per request that showed personal data (services/readlog.py).
read_log = Table(
    "read_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("role", String(20), nullable=True),  # the web user's role; NULL: the command line
    Column("action", String(20), nullable=False),  # resident | application | applications ...
    Column("nik", String(16), nullable=True),  # the one resident shown, if one
    Column("subject", String(200), nullable=True),  # receipt, list filter, area
    Column("rows", Integer, nullable=False),  # residents shown (a list, an export)
)
Index("ix_read_log_office_at", read_log.c.office_code, read_log.c.at)
Index("ix_read_log_nik", read_log.c.nik)
