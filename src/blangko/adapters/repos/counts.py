"""SQL for physical counts (stock opname): recording a count and marking it posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow


def insert_count(
    conn: Connection,
    *,
    office: str,
    location: int,
    count_date: date,
    recorded_at: datetime,
    actor: str,
    mode: str,
    book: int,
    counted: int,
    missing: str,
    unexpected: str,
) -> int:
    """A new open count; returns its id."""
    return int(
        conn.execute(
            t.stock_count.insert()
            .values(
                office_code=office,
                location_id=location,
                count_date=count_date,
                recorded_at=recorded_at,
                actor=actor,
                mode=mode,
                book=book,
                counted=counted,
                missing=missing,
                unexpected=unexpected,
                status="open",
            )
            .returning(t.stock_count.c.id)
        ).scalar_one()
    )


def count(conn: Connection, count_id: int, office: str | None = None) -> AnyRow | None:
    """One count (of that office, when named)."""
    q = select(t.stock_count).where(t.stock_count.c.id == count_id)
    if office is not None:
        q = q.where(t.stock_count.c.office_code == office)
    return conn.execute(q).first()


def counts(conn: Connection, office: str, status: str | None = None) -> Sequence[AnyRow]:
    q = select(t.stock_count).where(t.stock_count.c.office_code == office)
    if status:
        q = q.where(t.stock_count.c.status == status)
    return conn.execute(q.order_by(t.stock_count.c.id)).all()


def mark_posted(conn: Connection, count_id: int, *, reason: str, at: datetime, actor: str) -> None:
    conn.execute(
        update(t.stock_count)
        .where(t.stock_count.c.id == count_id)
        .values(status="posted", post_reason=reason, posted_at=at, posted_by=actor)
    )
