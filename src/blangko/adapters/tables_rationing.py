"""Rationing policies (penjatahan cetak): append-only versions. Setting a policy writes its
version 1; every change (ending it early) writes the next version of the same policy number
with the whole policy as it then stands, who and when; rows are never updated or deleted.
A policy as it stands is its latest version. The head's exceptions (one application printed
beyond the cap or ahead of its turn, on one day, with the reason) beside them."""

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

rationing_policy = Table(
    "rationing_policy",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("policy_no", Integer, nullable=False),  # per office, from 1
    Column("version", Integer, nullable=False),  # per policy, from 1
    Column("action", String(10), nullable=False),  # set | end
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("daily_cap", Integer, nullable=False),
    Column("classes", Text, nullable=False),  # JSON list, in priority order
    Column("others_get", String(10), nullable=False),  # suket | tanggal
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    UniqueConstraint("office_code", "policy_no", "version", name="uq_rationing_policy_version"),
)
Index("ix_rationing_policy_office", rationing_policy.c.office_code, rationing_policy.c.policy_no)

# The head's leave to print one application beyond the cap or ahead of a higher class, on one
# day, with the reason; the print that uses it names it in its event.
rationing_exception = Table(
    "rationing_exception",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("receipt", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    UniqueConstraint("office_code", "receipt", "day", name="uq_rationing_exception_day"),
)
