"""Applications for an e-KTP (permohonan) and the history of each one."""

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

application = Table(
    "application",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    # 1704-20261127-7KQX-M9PD (random part and check character); 1704-20210602-0001 before
    Column("receipt", String(32), nullable=False),
    Column("nik", String(16), ForeignKey("resident.nik"), nullable=False),
    Column("type", String(20), nullable=False),  # pemula | hilang | rusak | perubahan_data
    Column("status", String(12), nullable=False),
    Column("documents", Text, nullable=False),  # JSON object, e.g. {"laporan_polisi": "..."}
    Column("submitted_date", Date, nullable=False),
    Column("day_seq", Integer, nullable=False),  # the receipt's per-office, per-day number
    Column("recorded_date", Date, nullable=True),
    Column("ready_date", Date, nullable=True),
    Column("printed_date", Date, nullable=True),
    Column("station", String(64), nullable=True),
    Column("serial", String(32), nullable=True),  # the blank the current card is printed on
    Column("suket_at", DateTime, nullable=True),  # temporary certificate issued
    Column("ikd_at", DateTime, nullable=True),  # digital ID (IKD) activated
    Column("collected_date", Date, nullable=True),
    # Who took the card: pemohon (the applicant) or kuasa (a proxy, with NIK, name and the
    # power of attorney's reference).
    Column("collected_by", String(10), nullable=True),
    Column("proxy_nik", String(16), nullable=True),
    Column("proxy_name", String(200), nullable=True),
    Column("power_of_attorney", String(200), nullable=True),
    Column("reason", Text, nullable=True),  # why rejected
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("receipt", name="uq_application_receipt"),
    UniqueConstraint("office_code", "submitted_date", "day_seq", name="uq_application_day_seq"),
)
Index("ix_application_office_status", application.c.office_code, application.c.status)
Index("ix_application_nik", application.c.nik)

# Every transition, so a resident's complaint can be answered with who did what and when.
application_event = Table(
    "application_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", Integer, ForeignKey("application.id"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_status", String(12), nullable=True),
    Column("to_status", String(12), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=True),
)
Index("ix_application_event_app", application_event.c.application_id)
