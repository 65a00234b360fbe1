"""SQL for events that drive demand (village-head elections and the like) and the villages
each one touches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_events import event, event_village


def insert_event(
    conn: Connection,
    *,
    office: str,
    name: str,
    kind: str,
    event_date: date,
    villages: Iterable[str],
    at: datetime,
    actor: str,
) -> int:
    """A new event with its villages; returns its id."""
    event_id = int(
        conn.execute(
            insert(event)
            .values(
                office_code=office,
                name=name,
                kind=kind,
                event_date=event_date,
                created_at=at,
                actor=actor,
            )
            .returning(event.c.id)
        ).scalar_one()
    )
    conn.execute(insert(event_village), [{"event_id": event_id, "kode_desa": c} for c in villages])
    return event_id


def events_with_village_counts(conn: Connection, office: str) -> Sequence[AnyRow]:
    """(id, name, event_date, kind, villages) of the office's events, by date."""
    n = func.count(event_village.c.kode_desa).label("villages")
    return conn.execute(
        select(event.c.id, event.c.name, event.c.event_date, event.c.kind, n)
        .select_from(event.outerjoin(event_village, event_village.c.event_id == event.c.id))
        .where(event.c.office_code == office)
        .group_by(event.c.id, event.c.name, event.c.event_date, event.c.kind)
        .order_by(event.c.event_date, event.c.id)
    ).all()


def event_row(conn: Connection, office: str, event_id: int) -> AnyRow | None:
    return conn.execute(
        select(event).where(event.c.id == event_id, event.c.office_code == office)
    ).first()


def villages_of(conn: Connection, event_id: int) -> Sequence[AnyRow]:
    """(kode_desa, name, parent_code) of the event's villages, by code."""
    return conn.execute(
        select(event_village.c.kode_desa, t.region.c.name, t.region.c.parent_code)
        .join(t.region, t.region.c.code == event_village.c.kode_desa)
        .where(event_village.c.event_id == event_id)
        .order_by(event_village.c.kode_desa)
    ).all()


def village_codes(event_id: int) -> Select[Any]:
    """A one-column SELECT of the event's village codes, for use inside other queries."""
    return select(event_village.c.kode_desa).where(event_village.c.event_id == event_id)


def count_villages(conn: Connection, event_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(village_codes(event_id).subquery())
        ).scalar_one()
    )
