"""SQL for the ledger's anchors: appending and reading them, and the rows of the records an
anchor digests (applications, counts, closed months, locations), read in a fixed order."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_applications import application as app_t
from blangko.domain.anchor import Anchor


def insert(conn: Connection, anchor: Anchor, signature: str) -> None:
    conn.execute(
        t.ledger_anchor.insert().values(
            office_code=anchor.office,
            number=anchor.number,
            seq=anchor.seq,
            hash=anchor.hash,
            records=json.dumps(
                {k: v.as_dict() for k, v in sorted(anchor.records.items())}, sort_keys=True
            ),
            anchored_at=anchor.anchored_at,
            actor=anchor.actor,
            reason=anchor.reason,
            month=anchor.month,
            key_id=anchor.key_id,
            prev_signature=anchor.prev_signature,
            signature=signature,
        )
    )


def all_of(conn: Connection, office: str) -> Sequence[AnyRow]:
    """The office's anchors in the order they were made."""
    return conn.execute(
        select(t.ledger_anchor)
        .where(t.ledger_anchor.c.office_code == office)
        .order_by(t.ledger_anchor.c.number, t.ledger_anchor.c.id)
    ).all()


def latest(conn: Connection, office: str) -> AnyRow | None:
    return conn.execute(
        select(t.ledger_anchor)
        .where(t.ledger_anchor.c.office_code == office)
        .order_by(t.ledger_anchor.c.number.desc())
        .limit(1)
    ).first()


def entry_hash(conn: Connection, office: str, seq: int) -> str | None:
    return conn.execute(
        select(t.ledger_entry.c.hash).where(
            t.ledger_entry.c.office_code == office, t.ledger_entry.c.seq == seq
        )
    ).scalar()


# --- the records an anchor digests --------------------------------------------------------
# Each function yields the rows' fields that never change once written, by id (or month),
# with ids after `after` and up to `upto` (None: no bound). `max_ids` gives the watermarks
# of a new anchor.


def max_ids(conn: Connection, office: str) -> dict[str, int]:
    def top(table: Any) -> int:
        return int(
            conn.execute(
                select(func.coalesce(func.max(table.c.id), 0)).where(table.c.office_code == office)
            ).scalar_one()
        )

    return {"application": top(app_t), "count": top(t.stock_count), "location": top(t.location)}


def application_rows(
    conn: Connection, office: str, after: int | None, upto: int | None
) -> Iterator[Sequence[Any]]:
    q = select(
        app_t.c.id,
        app_t.c.receipt,
        app_t.c.nik,
        app_t.c.type,
        app_t.c.submitted_date,
        app_t.c.day_seq,
        app_t.c.created_at,
    ).where(app_t.c.office_code == office)
    if after is not None:
        q = q.where(app_t.c.id > after)
    if upto is not None:
        q = q.where(app_t.c.id <= upto)
    yield from conn.execute(q.order_by(app_t.c.id))


def count_rows(
    conn: Connection, office: str, after: int | None, upto: int | None
) -> Iterator[Sequence[Any]]:
    """Each count with its parts after it: the figures found when it was taken."""
    c, p = t.stock_count, t.stock_count_part
    q = (
        select(
            c.c.id,
            c.c.location_id,
            c.c.count_date,
            c.c.recorded_at,
            c.c.actor,
            c.c.mode,
            c.c.book,
            c.c.counted,
            c.c.missing,
            c.c.unexpected,
            p.c.location_id.label("part_location"),
            p.c.mode.label("part_mode"),
            p.c.book.label("part_book"),
            p.c.counted.label("part_counted"),
            p.c.missing.label("part_missing"),
            p.c.unexpected.label("part_unexpected"),
        )
        .select_from(c.outerjoin(p, p.c.count_id == c.c.id))
        .where(c.c.office_code == office)
    )
    if after is not None:
        q = q.where(c.c.id > after)
    if upto is not None:
        q = q.where(c.c.id <= upto)
    yield from conn.execute(q.order_by(c.c.id, p.c.location_id))


def month_close_rows(
    conn: Connection, office: str, after: int | None = None, upto: int | None = None
) -> Iterator[Sequence[Any]]:
    """Every closed month (they have no id: closing a month always makes an anchor)."""
    mc = t.month_close
    yield from conn.execute(
        select(mc.c.month, mc.c.closed_at, mc.c.actor)
        .where(mc.c.office_code == office)
        .order_by(mc.c.month)
    )


def location_rows(
    conn: Connection, office: str, after: int | None, upto: int | None
) -> Iterator[Sequence[Any]]:
    loc = t.location
    q = select(loc.c.id, loc.c.name, loc.c.kind).where(loc.c.office_code == office)
    if after is not None:
        q = q.where(loc.c.id > after)
    if upto is not None:
        q = q.where(loc.c.id <= upto)
    yield from conn.execute(q.order_by(loc.c.id))


def printed_serials(conn: Connection, office: str) -> dict[str, str | None]:
    """Every application of the office: receipt -> the serial its card is printed on."""
    rows = conn.execute(
        select(app_t.c.receipt, app_t.c.serial).where(app_t.c.office_code == office)
    )
    return {r.receipt: r.serial for r in rows}
