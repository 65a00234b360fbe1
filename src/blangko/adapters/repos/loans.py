"""SQL for loans of blanks between offices and their timeline (docs/network.md, "Loans")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_loans import loan, loan_event


def insert_loan(
    conn: Connection,
    *,
    lender: str,
    borrower: str,
    quantity: int,
    reason: str,
    due_date: date,
    arranged_by: str,
    arranged_at: datetime,
) -> int:
    return int(
        conn.execute(
            loan.insert()
            .values(
                office_code=lender,
                to_office=borrower,
                status="arranged",
                quantity=quantity,
                reason=reason,
                due_date=due_date,
                arranged_by=arranged_by,
                arranged_at=arranged_at,
                lent_qty=0,
                returned_qty=0,
                written_off_qty=0,
            )
            .returning(loan.c.id)
        ).scalar_one()
    )


def get(conn: Connection, loan_id: int, *, lock: bool = False) -> AnyRow | None:
    """One loan; `lock`: FOR UPDATE (PostgreSQL), so that two steps of it queue."""
    q = select(loan).where(loan.c.id == loan_id)
    if lock:
        q = q.with_for_update()
    return conn.execute(q).first()


def loans(
    conn: Connection, office: str | None = None, status: str | None = None
) -> Sequence[AnyRow]:
    """Loans lent or borrowed by the office (every one when None), newest first."""
    q = select(loan)
    if office is not None:
        q = q.where(or_(loan.c.office_code == office, loan.c.to_office == office))
    if status is not None:
        q = q.where(loan.c.status == status)
    return conn.execute(q.order_by(loan.c.id.desc())).all()


def update_loan(conn: Connection, loan_id: int, **values: Any) -> None:
    conn.execute(update(loan).where(loan.c.id == loan_id).values(**values))


def add_event(
    conn: Connection,
    *,
    loan_id: int,
    step: str,
    actor: str,
    at: datetime,
    quantity: int | None = None,
    shipment_id: int | None = None,
    comment: str | None = None,
) -> None:
    conn.execute(
        loan_event.insert().values(
            loan_id=loan_id,
            step=step,
            actor=actor,
            at=at,
            quantity=quantity,
            shipment_id=shipment_id,
            comment=comment,
        )
    )


def events(conn: Connection, loan_ids: Sequence[int]) -> Sequence[AnyRow]:
    if not loan_ids:
        return []
    return conn.execute(
        select(loan_event)
        .where(loan_event.c.loan_id.in_(list(loan_ids)))
        .order_by(loan_event.c.loan_id, loan_event.c.id)
    ).all()


def loan_shipments(conn: Connection, loan_ids: Sequence[int]) -> Sequence[AnyRow]:
    """The shipments marked with these loans (the lender's and the returns), oldest first."""
    if not loan_ids:
        return []
    s = t.shipment
    return conn.execute(
        select(s).where(s.c.loan_id.in_(list(loan_ids))).order_by(s.c.loan_id, s.c.id)
    ).all()


def pending_returns(conn: Connection, loan_id: int, borrower: str) -> int:
    """Blanks of the borrower's return shipments of this loan still in transit."""
    s = t.shipment
    return int(
        conn.execute(
            select(func.coalesce(func.sum(s.c.quantity), 0)).where(
                s.c.loan_id == loan_id, s.c.office_code == borrower, s.c.status == "in_transit"
            )
        ).scalar_one()
    )
