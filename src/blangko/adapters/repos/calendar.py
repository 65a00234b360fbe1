"""SQL for the office calendar: closures of a desk, weekend days declared open, and daily
capacity per desk (the `service` column of closure and capacity holds the desk)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, and_, or_, select

from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_calendar import capacity, closure, open_day

# --- closures --------------------------------------------------------------------------------


def closures(conn: Connection, office: str, *, active_on: date | None = None) -> Sequence[AnyRow]:
    """The office's closures (covering ``active_on``, when given), by start date."""
    q = select(closure).where(closure.c.office_code == office)
    if active_on is not None:
        q = q.where(
            closure.c.start_date <= active_on,
            or_(closure.c.end_date.is_(None), closure.c.end_date >= active_on),
        )
    return conn.execute(q.order_by(closure.c.start_date, closure.c.id)).all()


def closures_by_id(conn: Connection, office: str) -> Sequence[AnyRow]:
    return conn.execute(
        select(closure).where(closure.c.office_code == office).order_by(closure.c.id)
    ).all()


def closure_by_id(conn: Connection, closure_id: int, office: str | None = None) -> AnyRow | None:
    q = select(closure).where(closure.c.id == closure_id)
    if office is not None:
        q = q.where(closure.c.office_code == office)
    return conn.execute(q).first()


def insert_closure(
    conn: Connection,
    *,
    office: str,
    desk: str,
    start: date,
    end: date | None,
    reason: str,
    at: datetime,
    actor: str,
) -> int:
    return int(
        conn.execute(
            closure.insert()
            .values(
                office_code=office,
                service=desk,
                start_date=start,
                end_date=end,
                reason=reason,
                created_at=at,
                actor=actor,
            )
            .returning(closure.c.id)
        ).scalar_one()
    )


def end_closure(
    conn: Connection, closure_id: int, *, last_closed: date, at: datetime, actor: str
) -> None:
    conn.execute(
        closure.update()
        .where(closure.c.id == closure_id)
        .values(end_date=last_closed, ended_at=at, ended_by=actor)
    )


# --- open days -------------------------------------------------------------------------------


def open_days(conn: Connection, office: str) -> set[date]:
    return set(
        conn.execute(select(open_day.c.day).where(open_day.c.office_code == office)).scalars()
    )


def open_day_exists(conn: Connection, office: str, day: date) -> bool:
    return (
        conn.execute(
            select(open_day.c.day).where(open_day.c.office_code == office, open_day.c.day == day)
        ).first()
        is not None
    )


def insert_open_day(
    conn: Connection, *, office: str, day: date, reason: str, at: datetime, actor: str
) -> None:
    conn.execute(
        open_day.insert().values(
            office_code=office, day=day, reason=reason, created_at=at, actor=actor
        )
    )


# --- capacity --------------------------------------------------------------------------------


def capacities(conn: Connection, office: str) -> dict[str, int]:
    """Daily capacity per desk, for the desks that have one."""
    rows = conn.execute(
        select(capacity.c.service, capacity.c.per_day).where(capacity.c.office_code == office)
    ).all()
    return {r.service: int(r.per_day) for r in rows}


def set_capacity(
    conn: Connection, *, office: str, desk: str, per_day: int, at: datetime, actor: str
) -> None:
    where = and_(capacity.c.office_code == office, capacity.c.service == desk)
    values = {"per_day": per_day, "updated_at": at, "actor": actor}
    if conn.execute(select(capacity.c.per_day).where(where)).first() is None:
        conn.execute(capacity.insert().values(office_code=office, service=desk, **values))
    else:
        conn.execute(capacity.update().where(where).values(**values))
