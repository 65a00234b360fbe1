"""Events that drive demand for recording and cards (village-head elections, general
elections, regional elections) and the villages each one touches."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table

from blangko.adapters.tables import metadata

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(10), nullable=False),  # pilkades | pemilu | pilkada | lainnya
    Column("event_date", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)
Index("ix_event_office_date", event.c.office_code, event.c.event_date)

event_village = Table(
    "event_village",
    metadata,
    Column("event_id", Integer, ForeignKey("event.id"), primary_key=True),
    Column("kode_desa", String(13), ForeignKey("region.code"), primary_key=True),
)
