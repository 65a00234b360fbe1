"""SQL for the print backlog as a list (the counter's and the head's work list): the
registry's print-ready residents without an application, and the open applications, one row
per resident.

The two parts are the two halves of `applications.backlog_of`'s print_backlog: the first
selects with `applications.registry_prr_scans` (the conditions and index scans
`count_registry_prr` counts), the second the applications diajukan, direkam and siap_cetak
of the office (what `status_counts` counts for them). A resident has at most one open
application and a resident with one is not in the first part, so the union has each resident
once and as many rows as the figure says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)

from blangko.adapters.repos import AnyRow
from blangko.adapters.repos.applications import OPEN_BEFORE_PRINT, registry_prr_scans
from blangko.adapters.tables_applications import application as app_t
from blangko.adapters.tables_events import event, event_village
from blangko.adapters.tables_residents import resident as r

# The status a registry row carries in the list: no application yet.
REGISTRY_STATUS = "prr"


def election_villages(office: str, as_of: date, kinds: Sequence[str]) -> Select[Any]:
    """A one-column SELECT of the villages touched by an event of ``kinds`` on or after
    ``as_of`` (the election villages)."""
    return (
        select(event_village.c.kode_desa)
        .join(event, event.c.id == event_village.c.event_id)
        .where(event.c.office_code == office, event.c.event_date >= as_of, event.c.kind.in_(kinds))
    )


def coming_events_by_village(
    conn: Connection, office: str, as_of: date, kinds: Sequence[str]
) -> Sequence[AnyRow]:
    """(kode_desa, id, name, event_date, kind) of every coming event of ``kinds`` and each
    village it touches, the nearest event first."""
    return conn.execute(
        select(
            event_village.c.kode_desa, event.c.id, event.c.name, event.c.event_date, event.c.kind
        )
        .join(event, event.c.id == event_village.c.event_id)
        .where(event.c.office_code == office, event.c.event_date >= as_of, event.c.kind.in_(kinds))
        .order_by(event.c.event_date, event.c.id)
    ).all()


def work(
    office: str,
    as_of: date,
    *,
    kecamatan: str | None,
    desa: str | None,
    villages: Select[Any] | None,
    groups: Sequence[tuple[str, str]] | None = None,
) -> Subquery:
    """The work list as a subquery: (nik, nama, kode_kecamatan, kode_desa, since,
    recorded_date, receipt, type, status, suket). ``since`` is the date the list is ordered
    by: the recording date of a registry row, the application date of an application.
    ``groups``: only these (kode_kecamatan, kode_desa) pairs (a page's villages)."""
    area: list[ColumnElement[bool]] = []
    if groups is not None:
        area.append(tuple_(r.c.kode_kecamatan, r.c.kode_desa).in_(list(groups)))
    if kecamatan:
        area.append(r.c.kode_kecamatan == kecamatan)
    if desa:
        area.append(r.c.kode_desa == desa)
    if villages is not None:
        area.append(r.c.kode_desa.in_(villages))
    # The registry PRR in its two index scans (never printed; printed after as_of).
    registry = [
        select(
            r.c.nik,
            r.c.nama,
            r.c.kode_kecamatan,
            r.c.kode_desa,
            r.c.tanggal_rekam.label("since"),
            r.c.tanggal_rekam.label("recorded_date"),
            cast(null(), String(20)).label("receipt"),
            cast(null(), String(20)).label("type"),
            literal(REGISTRY_STATUS, String(12)).label("status"),
            literal(0, Integer).label("suket"),
        ).where(where)
        for where in registry_prr_scans(office, as_of, *area)
    ]
    if groups:
        # A page's never printed, village by village through ix_resident_unprinted_desa:
        # joined to its villages as a table. Given them as an IN list instead, SQLite's
        # planner (no statistics) read every unprinted resident of the office, or worse its
        # birth-date index (2 s on 1 juta residents).
        page = union_all(
            *(select(literal(k).label("kec"), literal(d).label("desa")) for k, d in groups)
        ).subquery("page")
        registry[0] = registry[0].select_from(
            page.join(r, and_(r.c.kode_desa == page.c.desa, r.c.kode_kecamatan == page.c.kec))
        )
    applications = (
        select(
            app_t.c.nik,
            r.c.nama,
            r.c.kode_kecamatan,
            r.c.kode_desa,
            app_t.c.submitted_date.label("since"),
            r.c.tanggal_rekam.label("recorded_date"),
            app_t.c.receipt,
            app_t.c.type,
            app_t.c.status,
            case((app_t.c.suket_at.is_not(None), 1), else_=0).label("suket"),
        )
        .select_from(app_t.join(r, r.c.nik == app_t.c.nik))
        .where(app_t.c.office_code == office, app_t.c.status.in_(OPEN_BEFORE_PRINT), *area)
    )
    return union_all(*registry, applications).subquery("work")


def rows(
    conn: Connection, w: Subquery, *, limit: int | None = None, offset: int = 0
) -> Sequence[AnyRow]:
    """The rows of the work list `w` (from `work`), by kecamatan and village, the oldest
    first within a village (then by NIK, so that pages do not overlap); ``limit`` None:
    every row from ``offset``."""
    q = select(w).order_by(w.c.kode_kecamatan, w.c.kode_desa, w.c.since, w.c.nik).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return conn.execute(q).all()


def villages_summary(conn: Connection, w: Subquery) -> Sequence[AnyRow]:
    """Per village of the work list `w` (from `work`): (kode_kecamatan, kode_desa,
    residents, registry_prr, oldest), by kecamatan and village."""
    prr = func.coalesce(func.sum(case((w.c.status == REGISTRY_STATUS, 1), else_=0)), 0)
    return conn.execute(
        select(
            w.c.kode_kecamatan,
            w.c.kode_desa,
            func.count().label("residents"),
            prr.label("registry_prr"),
            func.min(w.c.since).label("oldest"),
        )
        .group_by(w.c.kode_kecamatan, w.c.kode_desa)
        .order_by(w.c.kode_kecamatan, w.c.kode_desa)
    ).all()


def open_receipt_in(conn: Connection, office: str, nik: str, statuses: Sequence[str]) -> str | None:
    """The receipt of the resident's application in one of ``statuses`` at the office."""
    receipt: str | None = conn.execute(
        select(app_t.c.receipt).where(
            app_t.c.office_code == office, app_t.c.nik == nik, app_t.c.status.in_(statuses)
        )
    ).scalar()
    return receipt
