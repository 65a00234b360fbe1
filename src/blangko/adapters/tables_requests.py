"""Requests for blanks, from asked to received (docs/network.md, "The life of a request").

- `blank_request`: one request of an office: what it asked (the forecast's recommendation
  and its reasons as they were when drafted, the quantity asked and the reason for a change),
  its state, the directorate's decision (approved quantity, reason) and the running totals
  of its tranches (shipped, arrived). Tranches are shipments whose `request_id` names it.
- `request_event`: its timeline: every step with its actor, time, comment and quantity.
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
)

from blangko.adapters.tables import metadata

blank_request = Table(
    "blank_request",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("as_of", Date, nullable=False),  # the forecast's day
    Column("recommended_qty", Integer, nullable=False),  # the forecast's recommendation
    Column("reasons", Text, nullable=False),  # JSON: its reasons as drafted
    Column("asked_qty", Integer, nullable=False),
    Column("edit_reason", Text, nullable=True),  # why asked differs from recommended
    Column("number", String(100), nullable=True),  # the letter's number
    Column("approved_qty", Integer, nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("shipped_qty", Integer, nullable=False, default=0),
    Column("arrived_qty", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("submitted_at", DateTime, nullable=True),
    Column("decided_at", DateTime, nullable=True),
    Column("received_at", DateTime, nullable=True),  # the last tranche received
    Column("closed_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_blank_request_office_state", blank_request.c.office_code, blank_request.c.state)

request_event = Table(
    "request_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("blank_request.id"), nullable=False, index=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("comment", Text, nullable=True),
    Column("quantity", Integer, nullable=True),
    Column("shipment_id", Integer, nullable=True),
)
