"""SQL for the demand forecast: blanks used per day and per application type, read from the
ledger entries by effective date; the registry's recordings and first prints that the
take-up of the print-ready backlog is estimated on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, and_, bindparam, case, func, or_, select

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow, day_totals
from blangko.adapters.repos.applications import registry_prr_condition
from blangko.adapters.repos.coverage import card_scans, never_printed, recorded_condition
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_residents import resident

e = t.ledger_entry


def first_use(conn: Connection, office: str, kinds: Sequence[str]) -> date | None:
    """The effective date of the office's first entry of one of ``kinds``."""
    first: date | None = conn.execute(
        select(func.min(e.c.effective_date)).where(
            e.c.office_code == office, e.c.kind.in_(list(kinds))
        )
    ).scalar_one()
    return first


_FIRST = bindparam("b_first", type_=Date)
_LAST = bindparam("b_last", type_=Date)


def _use_per_day() -> Any:
    kinds: Any = bindparam("b_kinds", expanding=True)
    u = day_totals.tallied(
        lambda c: [c.kind.in_(kinds), c.effective_date >= _FIRST, c.effective_date <= _LAST]
    )
    return select(u.c.effective_date, day_totals.total(u.c.quantity)).group_by(u.c.effective_date)


def _consumed_by_service() -> Any:
    u = day_totals.tallied(
        lambda c: [c.kind == "consume", c.effective_date >= _FIRST, c.effective_date < _LAST]
    )
    return select(u.c.service, day_totals.total(u.c.quantity)).group_by(u.c.service)


def _consumed_per_service_day() -> Any:
    u = day_totals.tallied(
        lambda c: [c.kind == "consume", c.effective_date >= _FIRST, c.effective_date <= _LAST]
    )
    return select(u.c.service, u.c.effective_date, day_totals.total(u.c.quantity)).group_by(
        u.c.service, u.c.effective_date
    )


# Built once (through the stored daily totals, day_totals.tallied).
_USE_PER_DAY = _use_per_day()
_CONSUMED_BY_SERVICE = _consumed_by_service()
_CONSUMED_PER_SERVICE_DAY = _consumed_per_service_day()


def use_per_day(
    conn: Connection, office: str, kinds: Sequence[str], first: date, last: date
) -> Sequence[AnyRow]:
    """(day, quantity) of entries of ``kinds`` from first to last inclusive, days with any."""
    params = {"b_office": office, "b_kinds": list(kinds), "b_first": first, "b_last": last}
    return conn.execute(_USE_PER_DAY, params).all()


def consumed_by_service(
    conn: Connection, office: str, first: date, before: date
) -> dict[str | None, int]:
    """Blanks consumed per application type (the entry's `service`), first <= day < before."""
    params = {"b_office": office, "b_first": first, "b_last": before}
    rows = conn.execute(_CONSUMED_BY_SERVICE, params).all()
    return {service: int(qty) for service, qty in rows}


def consumed_per_service_day(
    conn: Connection, office: str, first: date, last: date
) -> Sequence[AnyRow]:
    """(service, day, quantity) of consume entries from first to last inclusive."""
    params = {"b_office": office, "b_first": first, "b_last": last}
    return conn.execute(_CONSUMED_PER_SERVICE_DAY, params).all()


def registry_print_history(
    conn: Connection, office: str, since: date, as_of: date, born_after: date
) -> Sequence[AnyRow]:
    """(tanggal_rekam, tanggal_cetak, status, replaced, young, prr, residents) of the
    office's residents recorded by ``as_of`` who had no card on ``since`` (no tanggal_cetak,
    or one on or after it), grouped: who waited for a first card in that time, and when they
    got it; and who was recorded when.

    A tanggal_cetak is the resident's current card: ``replaced`` is 1 when it is a card
    printed here on a replacement application (hilang, rusak, perubahan data) that day, so
    not a first card (the resident held one before). ``young`` is 1 for residents born after
    ``born_after``; ``prr`` is 1 for the registry PRR of the print backlog on ``as_of``
    (`applications.registry_prr_condition`, the residents `count_registry_prr` counts).
    Read in two index range scans (`coverage.card_scans`), not over the registry."""
    replaced = (
        select(application.c.id)
        .where(
            application.c.nik == resident.c.nik,
            application.c.type != "pemula",
            application.c.printed_date == resident.c.tanggal_cetak,
        )
        .exists()
    )
    replaced_flag = case((and_(resident.c.tanggal_cetak.is_not(None), replaced), 1), else_=0)
    young_flag = case((resident.c.tanggal_lahir > born_after, 1), else_=0)
    prr_flag = case((registry_prr_condition(office, as_of), 1), else_=0)
    groups = (
        resident.c.tanggal_rekam,
        resident.c.tanggal_cetak,
        resident.c.status,
        replaced_flag,
        young_flag,
        prr_flag,
    )
    printed_since = resident.c.tanggal_cetak >= since
    waited = and_(
        resident.c.office_code == office,
        recorded_condition(as_of),
        or_(never_printed(), printed_since),
    )
    # Two index range scans (coverage.card_scans); a group holds one tanggal_cetak, so the
    # groups of the two (no card; a card since ``since``) are apart. Grouped by the card
    # date first, the order both indexes read in (a planner with statistics would otherwise
    # read the recording-date index whole for its order).
    by = (groups[1], groups[0], *groups[2:])
    return [
        row
        for where in card_scans(office, waited, printed_since)
        for row in conn.execute(select(*groups, func.count()).where(where).group_by(*by))
    ]
