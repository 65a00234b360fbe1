"""SQL for physical counts (stock opname): recording a count with its parts (one per location
it covers), and the moves of its life: superseded, posted, voided."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow


def insert_count(
    conn: Connection,
    *,
    office: str,
    location: int | None,
    count_date: date,
    recorded_at: datetime,
    actor: str,
    mode: str,
    book: int,
    counted: int,
    missing: str,
    unexpected: str,
    parts: Iterable[dict[str, Any]],
) -> int:
    """A new open count (location None: office-wide) and its parts; returns its id. Each part
    is a dict of location_id, mode, book, counted, missing, unexpected."""
    count_id = int(
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
    conn.execute(t.stock_count_part.insert(), [{**p, "count_id": count_id} for p in parts])
    return count_id


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


def parts(conn: Connection, count_ids: Sequence[int]) -> dict[int, list[AnyRow]]:
    """The parts of these counts, by count, in location order."""
    out: dict[int, list[AnyRow]] = {i: [] for i in count_ids}
    if not count_ids:
        return out
    rows = conn.execute(
        select(t.stock_count_part)
        .where(t.stock_count_part.c.count_id.in_(list(count_ids)))
        .order_by(t.stock_count_part.c.count_id, t.stock_count_part.c.location_id)
    )
    for row in rows:
        out[row.count_id].append(row)
    return out


def open_counts_at(conn: Connection, office: str, locations: Iterable[int]) -> list[int]:
    """The open counts of the office that cover any of these locations."""
    return list(
        conn.execute(
            select(t.stock_count.c.id)
            .distinct()
            .join(t.stock_count_part, t.stock_count_part.c.count_id == t.stock_count.c.id)
            .where(
                t.stock_count.c.office_code == office,
                t.stock_count.c.status == "open",
                t.stock_count_part.c.location_id.in_(list(locations)),
            )
            .order_by(t.stock_count.c.id)
        ).scalars()
    )


def mark_superseded(conn: Connection, count_ids: Sequence[int], by: int) -> None:
    if count_ids:
        conn.execute(
            update(t.stock_count)
            .where(t.stock_count.c.id.in_(list(count_ids)), t.stock_count.c.status == "open")
            .values(status="superseded", superseded_by=by)
        )


def mark_posted(conn: Connection, count_id: int, *, reason: str, at: datetime, actor: str) -> None:
    conn.execute(
        update(t.stock_count)
        .where(t.stock_count.c.id == count_id)
        .values(status="posted", post_reason=reason, posted_at=at, posted_by=actor)
    )


def mark_voided(conn: Connection, count_id: int, *, reason: str, at: datetime, actor: str) -> None:
    conn.execute(
        update(t.stock_count)
        .where(t.stock_count.c.id == count_id)
        .values(status="voided", void_reason=reason, voided_at=at, voided_by=actor)
    )
