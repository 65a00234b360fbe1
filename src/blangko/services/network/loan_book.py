"""The loan book: a loan as read (its view with its shipments and timeline) and what a
shipment's receipt does to the loan it is marked with. Used by shipments (the receipt, in
the receiver's write), by organisation (open loans in the network view) and by loans (the
use cases); imports none of them (docs/network.md, "Loans")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import loans as repo
from blangko.services.context import WriteTx
from blangko.services.network.results import LoanEvent, LoanView

OPEN = ("sent", "open")  # the loans the offices' pages show: on their way or not yet settled


def views(conn: Connection, rows: Sequence[Any], today: date) -> list[LoanView]:
    """The loans of `rows` as read, each with its shipments and its timeline."""
    ids = [int(r.id) for r in rows]
    events: dict[int, list[LoanEvent]] = {i: [] for i in ids}
    for e in repo.events(conn, ids):
        events[int(e.loan_id)].append(
            {
                "step": e.step,
                "actor": e.actor,
                "at": e.at.isoformat(),
                "quantity": e.quantity,
                "shipment": e.shipment_id,
                "comment": e.comment,
            }
        )
    shipped: dict[int, list[int]] = {i: [] for i in ids}
    returning: dict[int, int] = dict.fromkeys(ids, 0)
    for s in repo.loan_shipments(conn, ids):
        shipped[int(s.loan_id)].append(int(s.id))
    by_id = {int(r.id): r for r in rows}
    for s in repo.loan_shipments(conn, ids):
        r = by_id[int(s.loan_id)]
        if s.office_code == r.to_office and s.status == "in_transit":
            returning[int(r.id)] += int(s.quantity)
    out: list[LoanView] = []
    for r in rows:
        i = int(r.id)
        outstanding = int(r.lent_qty) - int(r.returned_qty) - int(r.written_off_qty)
        out.append(
            {
                "id": i,
                "lender": r.office_code,
                "borrower": r.to_office,
                "status": r.status,
                "quantity": int(r.quantity),
                "reason": r.reason,
                "due_date": r.due_date.isoformat(),
                "overdue": r.status in OPEN and r.due_date < today,
                "arranged_by": r.arranged_by,
                "arranged_at": r.arranged_at.isoformat(),
                "lent": int(r.lent_qty),
                "returned": int(r.returned_qty),
                "returning": returning[i],
                "written_off": int(r.written_off_qty),
                "outstanding": outstanding if r.status in OPEN else 0,
                "shipments": shipped[i],
                "events": events[i],
            }
        )
    return out


def open_loans(conn: Connection, covers: Callable[[str], bool], today: date) -> list[LoanView]:
    """The loans on their way or not yet settled that an office within reach lent or
    borrowed, newest first."""
    rows = [
        r
        for r in repo.loans(conn)
        if r.status in OPEN and (covers(r.office_code) or covers(r.to_office))
    ]
    return views(conn, rows, today)


def shipment_received(tx: WriteTx, shipment: Any) -> None:
    """Within the receiver's write: a loan's shipment received by the borrower opens the
    loan (what arrived is what is owed); a return received by the lender adds what arrived
    to the returned, and settles the loan when all that was lent is back."""
    loan = repo.get(tx.conn, int(shipment.loan_id), lock=True)
    if loan is None:
        return
    now, actor = tx.ctx.now(), tx.ctx.actor
    arrived = int(shipment.received_qty or 0)
    if shipment.office_code == loan.office_code:
        repo.update_loan(
            tx.conn, int(loan.id), lent_qty=arrived, status="open" if arrived else "settled"
        )
        repo.add_event(
            tx.conn,
            loan_id=int(loan.id),
            step="received",
            actor=actor,
            at=now,
            quantity=arrived,
            shipment_id=int(shipment.id),
            comment=shipment.received_document,
        )
        if not arrived:
            repo.add_event(tx.conn, loan_id=int(loan.id), step="settled", actor=actor, at=now)
        return
    returned = int(loan.returned_qty) + arrived
    settled = returned + int(loan.written_off_qty) >= int(loan.lent_qty)
    repo.update_loan(
        tx.conn,
        int(loan.id),
        returned_qty=returned,
        status="settled" if settled else loan.status,
    )
    repo.add_event(
        tx.conn,
        loan_id=int(loan.id),
        step="returned",
        actor=actor,
        at=now,
        quantity=arrived,
        shipment_id=int(shipment.id),
        comment=shipment.received_document,
    )
    if settled:
        repo.add_event(
            tx.conn, loan_id=int(loan.id), step="settled", actor=actor, at=now, quantity=returned
        )
