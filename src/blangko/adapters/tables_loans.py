"""Loans of blanks between offices (docs/network.md, "Loans"): a province's user or the
directorate arranges one from an office with a surplus (office_code, the lender) to an
office at risk (to_office, the borrower); the lender sends it as a shipment marked with the
loan (`shipment.loan_id`); the borrower receives it as any shipment; the loan is then open
until the borrower's return shipments (marked with the loan too) bring back what was lent,
or the directorate writes the rest off with a reason. Every step is a row of `loan_event`
(actor, time, comment): the loan's timeline."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text

from blangko.adapters.tables import metadata

loan = Table(
    "loan",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),  # the lender
    Column("to_office", String(5), ForeignKey("office.code"), nullable=False),  # the borrower
    # arranged | sent | open | settled | written_off
    Column("status", String(12), nullable=False),
    Column("quantity", Integer, nullable=False),  # as arranged
    Column("reason", Text, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("arranged_by", String(100), nullable=False),
    Column("arranged_at", DateTime, nullable=False),
    Column("lent_qty", Integer, nullable=False, default=0),  # received by the borrower
    Column("returned_qty", Integer, nullable=False, default=0),  # received back by the lender
    Column("written_off_qty", Integer, nullable=False, default=0),
)
Index("ix_loan_office_status", loan.c.office_code, loan.c.status)
Index("ix_loan_to_office", loan.c.to_office, loan.c.status)

# The loan's timeline: arranged, sent, received, return_sent, returned, settled, written_off.
loan_event = Table(
    "loan_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("loan_id", Integer, ForeignKey("loan.id"), nullable=False),
    Column("step", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("quantity", Integer, nullable=True),
    Column("shipment_id", Integer, nullable=True),
    Column("comment", Text, nullable=True),
)
Index("ix_loan_event_loan", loan_event.c.loan_id)
