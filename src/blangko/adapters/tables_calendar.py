"""The office calendar: closures of a desk (perekaman, pencetakan or both), weekend days
declared open, and daily capacity per desk (the `service` column holds the desk)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text

from blangko.adapters.tables import metadata

closure = Table(
    "closure",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("service", String(12), nullable=False),  # perekaman | pencetakan | semua
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),  # None: closed until reopened
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("ended_at", DateTime, nullable=True),
    Column("ended_by", String(100), nullable=True),
)
Index("ix_closure_office", closure.c.office_code)

open_day = Table(
    "open_day",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)

capacity = Table(
    "capacity",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("service", String(12), primary_key=True),  # perekaman | pencetakan
    Column("per_day", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)
