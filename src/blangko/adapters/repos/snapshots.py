"""SQL of the office snapshots (services/network/snapshots.py): what a snapshot depends on
that the stored figures' versions do not cover (shipments in transit to the office, the
kinds of its coming events), the stored snapshot, and the latest snapshot of each office."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from blangko.adapters import tables as t
from blangko.adapters.tables_events import event
from blangko.adapters.tables_requests import blank_request as br
from blangko.adapters.tables_snapshots import office_snapshot as s
from blangko.adapters.tables_snapshots import snapshot_generation as g


def regency_offices(conn: Connection) -> list[tuple[str, str]]:
    """Every office that is no directorate: (code, name), by code."""
    rows = conn.execute(
        select(t.office.c.code, t.office.c.name)
        .where(t.office.c.level != "direktorat")
        .order_by(t.office.c.code)
    ).all()
    return [(r.code, r.name) for r in rows]


def office_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.office)).scalar_one())


def incoming(conn: Connection, office: str) -> list[tuple[int, int]]:
    """The shipments in transit to the office: (id, quantity), by id."""
    rows = conn.execute(
        select(t.shipment.c.id, t.shipment.c.quantity)
        .where(t.shipment.c.to_office == office, t.shipment.c.status == "in_transit")
        .order_by(t.shipment.c.id)
    ).all()
    return [(int(r.id), int(r.quantity)) for r in rows]


def open_requests(conn: Connection, office: str, states: Sequence[str]) -> list[dict[str, Any]]:
    """The office's requests in one of ``states`` (the open ones): id, asked, state, by id."""
    rows = conn.execute(
        select(br.c.id, br.c.asked_qty, br.c.state)
        .where(br.c.office_code == office, br.c.state.in_(list(states)))
        .order_by(br.c.id)
    ).all()
    return [{"id": int(r.id), "asked": int(r.asked_qty), "state": str(r.state)} for r in rows]


def event_kinds(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(event.c.id, event.c.kind).where(event.c.id.in_(wanted))).all()
    return {int(r.id): str(r.kind) for r in rows}


def key_of(conn: Connection, office: str, as_of: date) -> str | None:
    return conn.execute(
        select(s.c.key).where(s.c.office_code == office, s.c.as_of == as_of)
    ).scalar_one_or_none()


def save(conn: Connection, row: dict[str, Any]) -> None:
    """The office's snapshot of the day, replacing the one stored before."""
    conn.execute(delete(s).where(s.c.office_code == row["office_code"], s.c.as_of == row["as_of"]))
    conn.execute(insert(s).values(**row))
    conn.execute(update(g).where(g.c.id == 1).values(generation=g.c.generation + 1))


def generation(conn: Connection) -> int:
    """How many snapshots were ever saved (snapshot_generation): a reader compares it to
    know whether the stored snapshots changed."""
    return int(conn.execute(select(g.c.generation).where(g.c.id == 1)).scalar_one_or_none() or 0)


def latest(
    conn: Connection,
    as_of: date,
    offices: Sequence[str] | None = None,
    *,
    paths: bool = True,
) -> list[Any]:
    """Each office's latest snapshot of a day up to ``as_of`` (only ``offices``, when given),
    with the office's name, by office code; without its demand paths unless ``paths`` (the
    largest column by far, which only the allocation reads)."""
    last = select(s.c.office_code, func.max(s.c.as_of).label("as_of")).where(s.c.as_of <= as_of)
    if offices is not None:
        last = last.where(s.c.office_code.in_(list(offices)))
    sub = last.group_by(s.c.office_code).subquery()
    q = (
        select(
            *(c for c in s.c if paths or c.name != "demand_paths"),
            t.office.c.name.label("office_name"),
        )
        .join(sub, and_(s.c.office_code == sub.c.office_code, s.c.as_of == sub.c.as_of))
        .join(t.office, t.office.c.code == s.c.office_code)
        .order_by(s.c.office_code)
    )
    return list(conn.execute(q).all())
