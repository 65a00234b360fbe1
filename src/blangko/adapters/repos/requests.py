"""SQL of requests for blanks (docs/network.md, "The life of a request"): the request, its
timeline, its tranches (shipments with its request_id), the history the forecast reads, and
the `requests` version of the stored figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.repos import derived as derived_repo
from blangko.adapters.tables_requests import blank_request as br
from blangko.adapters.tables_requests import request_event as ev

REQUESTS_SOURCE = "requests"


def insert_request(conn: Connection, **values: Any) -> int:
    return int(conn.execute(br.insert().values(**values).returning(br.c.id)).scalar_one())


def request(conn: Connection, request_id: int, *, lock: bool = False) -> AnyRow | None:
    """One request; `lock`: FOR UPDATE (PostgreSQL), so that two steps on it queue."""
    q = select(br).where(br.c.id == request_id)
    if lock:
        q = q.with_for_update()
    return conn.execute(q).first()


def requests(
    conn: Connection,
    *,
    office: str | None = None,
    province: str | None = None,
    state: str | None = None,
) -> Sequence[AnyRow]:
    """Requests of one office, of a province's offices, or all; newest first."""
    q = select(br)
    if office is not None:
        q = q.where(br.c.office_code == office)
    if province is not None:
        q = q.where(br.c.office_code.like(f"{province}.%"))
    if state is not None:
        q = q.where(br.c.state == state)
    return conn.execute(q.order_by(br.c.id.desc())).all()


def update_request(conn: Connection, request_id: int, **values: Any) -> None:
    conn.execute(update(br).where(br.c.id == request_id).values(**values))


def insert_event(conn: Connection, **values: Any) -> None:
    conn.execute(ev.insert().values(**values))


def events(conn: Connection, request_id: int) -> Sequence[AnyRow]:
    return conn.execute(select(ev).where(ev.c.request_id == request_id).order_by(ev.c.id)).all()


def tranches(conn: Connection, request_id: int) -> Sequence[AnyRow]:
    """The shipments sent for the request, oldest first."""
    s = t.shipment
    return conn.execute(select(s).where(s.c.request_id == request_id).order_by(s.c.id)).all()


def set_shipment_request(conn: Connection, shipment_id: int, request_id: int) -> None:
    conn.execute(
        update(t.shipment).where(t.shipment.c.id == shipment_id).values(request_id=request_id)
    )


def history(conn: Connection, states: Iterable[str]) -> Sequence[AnyRow]:
    """The requests in these states (decided ones): office, asked, approved, submitted and
    received moments."""
    return conn.execute(
        select(
            br.c.id,
            br.c.office_code,
            br.c.state,
            br.c.asked_qty,
            br.c.approved_qty,
            br.c.arrived_qty,
            br.c.submitted_at,
            br.c.received_at,
        )
        .where(br.c.state.in_(list(states)))
        .order_by(br.c.id)
    ).all()


def offices_of_province(conn: Connection, province: str) -> list[str]:
    rows = conn.execute(
        select(t.office.c.code)
        .where(t.office.c.code.like(f"{province}.%"))
        .order_by(t.office.c.code)
    ).scalars()
    return list(rows)


def bump_version(conn: Connection, offices: Iterable[str]) -> None:
    """The `requests` version of these offices' stored figures (their forecasts read the
    request history), one up; in sorted order, so that two writes never wait in a cycle."""
    for code in sorted(set(offices)):
        derived_repo.bump(conn, code, REQUESTS_SOURCE)
