"""SQL for the demand forecast: blanks used per day and per application type, read from the
ledger entries by effective date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, func, select

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow

e = t.ledger_entry


def first_use(conn: Connection, office: str, kinds: Sequence[str]) -> date | None:
    """The effective date of the office's first entry of one of ``kinds``."""
    first: date | None = conn.execute(
        select(func.min(e.c.effective_date)).where(
            e.c.office_code == office, e.c.kind.in_(list(kinds))
        )
    ).scalar_one()
    return first


def use_per_day(
    conn: Connection, office: str, kinds: Sequence[str], first: date, last: date
) -> Sequence[AnyRow]:
    """(day, quantity) of entries of ``kinds`` from first to last inclusive, days with any."""
    return conn.execute(
        select(e.c.effective_date, func.sum(e.c.quantity))
        .where(
            e.c.office_code == office,
            e.c.kind.in_(list(kinds)),
            e.c.effective_date >= first,
            e.c.effective_date <= last,
        )
        .group_by(e.c.effective_date)
    ).all()


def consumed_by_service(
    conn: Connection, office: str, first: date, before: date
) -> dict[str | None, int]:
    """Blanks consumed per application type (the entry's `service`), first <= day < before."""
    rows = conn.execute(
        select(e.c.service, func.sum(e.c.quantity))
        .where(
            e.c.office_code == office,
            e.c.kind == "consume",
            e.c.effective_date >= first,
            e.c.effective_date < before,
        )
        .group_by(e.c.service)
    ).all()
    return {service: int(qty) for service, qty in rows}


def consumed_per_service_day(
    conn: Connection, office: str, first: date, last: date
) -> Sequence[AnyRow]:
    """(service, day, quantity) of consume entries from first to last inclusive."""
    return conn.execute(
        select(e.c.service, e.c.effective_date, func.sum(e.c.quantity))
        .where(
            e.c.office_code == office,
            e.c.kind == "consume",
            e.c.effective_date >= first,
            e.c.effective_date <= last,
        )
        .group_by(e.c.service, e.c.effective_date)
    ).all()
