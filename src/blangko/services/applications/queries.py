"""Reads of applications: the backlog figure, one application, lists and the print queue, the
counter's look-up of a resident, and the printed slips."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import applications as repo
from blangko.adapters.repos import registry as registry_repo
from blangko.domain.applications import (
    ACTIVE,
    COLLECTOR_LABEL_ID,
    DOCUMENT_LABEL_ID,
    STATUS_LABEL_ID,
    TYPE_LABEL_ID,
    QueueItem,
    Status,
    check_status,
    check_type,
    next_step,
    order_queue,
)
from blangko.domain.errors import Conflict
from blangko.domain.nik import check_nik_format, mask_nik
from blangko.domain.text import Msg
from blangko.domain.wajib_ktp import seventeenth_birthday
from blangko.services import derived, rationing, readlog
from blangko.services.admin import office as office_settings
from blangko.services.admin.office import read_head
from blangko.services.applications.results import (
    ApplicationDetail,
    ApplicationPage,
    ApplicationSlip,
    ApplicationView,
    CounterLookup,
    HandoverSlip,
    QueuedApplication,
    SlipHead,
)
from blangko.services.applications.rows import (
    application_detail,
    application_view,
    load_application,
    office_of,
)
from blangko.services.calendar.days import closed_desks
from blangko.services.context import Context, resolve_office
from blangko.services.memo import read_once
from blangko.services.registry import read_resident

# --- reads -----------------------------------------------------------------------------------


def backlog_of(
    conn: Connection, office: str, as_of: date, *, registry_prr: int | None = None
) -> dict[str, int]:
    """THE backlog figure. Applications waiting to be recorded (diajukan), recorded
    (direkam) and print-ready (siap cetak); the registry's print-ready residents (PRR:
    recorded, no card, alive, wajib KTP on ``as_of``) who have no open application yet; the
    whole print backlog, every resident who will take a blank, counted once (those four
    together: a resident has at most one open application); and how many of them hold a
    suket. `blangko status`, the dashboard, the service page, the forecast and the request
    letter all read this. ``registry_prr``: the registry PRR on ``as_of`` if the caller
    has already counted it in this transaction (the work list reads it by village), so that
    the registry is not read again."""
    counts = repo.status_counts(conn, office)
    to_record = int(counts.get(Status.DIAJUKAN.value, 0))
    recorded = int(counts.get(Status.DIREKAM.value, 0))
    to_print = int(counts.get(Status.SIAP_CETAK.value, 0))
    if registry_prr is None:
        # Only a write to the registry or the applications changes it (a print does not).
        registry_prr = read_once(
            conn,
            office,
            (derived.REGISTRY, derived.APPLICATIONS),
            ["registry_prr", as_of],
            lambda: repo.count_registry_prr(conn, office, as_of),
        )
    return {
        "to_record": to_record,
        "recorded": recorded,
        "to_print": to_print,
        "registry_prr": registry_prr,
        "print_backlog": to_record + recorded + to_print + registry_prr,
        "suket_waiting": int(repo.count_suket_waiting(conn, office)),
    }


def backlog(
    ctx: Context, *, office: str | None = None, as_of: date | None = None
) -> dict[str, int]:
    """`backlog_of` in a read transaction of its own (``as_of`` default: today)."""
    with ctx.read() as conn:
        return backlog_of(conn, resolve_office(conn, office), as_of or ctx.today())


def show(
    ctx: Context,
    *,
    receipt: str,
    office: str | None = None,
    reveal: bool = False,
    note_read: bool = True,
) -> ApplicationDetail:
    """One application with its history. Revealed (the full NIK and documents), the read is
    written to the read log, unless the caller logs this request itself (`note_read=False`)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office_of(receipt, office))
        row = load_application(conn, code, receipt)
        detail = application_detail(conn, row, reveal=reveal)
    if reveal and note_read:
        readlog.note(ctx, office=code, action="application", nik=row.nik, subject=row.receipt)
    return detail


def list_(
    ctx: Context,
    *,
    status: str | None = None,
    type: str | None = None,  # noqa: A002
    office: str | None = None,
    reveal: bool = False,
    limit: int | None = None,
    note_read: bool = True,
) -> list[ApplicationView]:
    """Applications, oldest first; revealed, the read is logged (see `show`)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.applications(
            conn,
            code,
            status=check_status(status).value if status is not None else None,
            type=check_type(type) if type is not None else None,
            limit=limit,
        )
        views = [application_view(r, reveal=reveal) for r in rows]
    if reveal and note_read and views:
        what = ", ".join(f"{k}={v}" for k, v in (("status", status), ("type", type)) if v)
        readlog.note(ctx, office=code, action="applications", subject=what, rows=len(views))
    return views


def list_page(
    ctx: Context,
    *,
    limit: int,
    offset: int = 0,
    status: str | None = None,
    statuses: Collection[str] | None = None,
    type: str | None = None,  # noqa: A002
    office: str | None = None,
    reveal: bool = False,
    newest_first: bool = False,
    note_read: bool = True,
) -> ApplicationPage:
    """One page of the applications (oldest first, or the newest first) and how many the
    filters select in all; `statuses`: any of these. Reads one page, never every
    application. Revealed, the read is logged (see `show`)."""
    wanted = sorted(check_status(s).value for s in statuses) if statuses is not None else None
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        filters: dict[str, Any] = {
            "status": check_status(status).value if status is not None else None,
            "type": check_type(type) if type is not None else None,
            "statuses": wanted,
        }
        total = repo.count_applications(conn, code, **filters)
        rows = repo.applications(
            conn, code, **filters, limit=limit, offset=offset, newest_first=newest_first
        )
        views = [application_view(r, reveal=reveal) for r in rows]
    if reveal and note_read and views:
        what = ", ".join(f"{k}={v}" for k, v in (("status", status), ("type", type)) if v)
        readlog.note(ctx, office=code, action="applications", subject=what, rows=len(views))
    return {"total": total, "limit": limit, "offset": offset, "items": views}


def print_queue(
    ctx: Context, *, office: str | None = None, reveal: bool = False, note_read: bool = True
) -> list[QueuedApplication]:
    """Print-ready applications in the directorate's order (suket holders and first cards
    first, then lost/damaged, then data changes; oldest first within each), or, under a
    rationing policy in force today, in the policy's order (services.rationing.queue_order)
    with each one's class. Revealed, the read is logged (see `show`)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.applications(conn, code, status=Status.SIAP_CETAK.value)
        by_receipt = {r.receipt: r for r in rows}
        rationed = rationing.queue_order(conn, code, ctx.today())
        if rationed is not None:
            order = rationed
            classes = rationing.queue_classes(conn, code, ctx.today())
        else:
            order = [
                item.receipt
                for item in order_queue(
                    [
                        QueueItem(
                            r.receipt, r.type, r.submitted_date, r.suket_at is not None, r.day_seq
                        )
                        for r in rows
                    ]
                )
            ]
            classes = {}
        queue: list[QueuedApplication] = []
        for i, receipt in enumerate(order, start=1):
            entry: QueuedApplication = {
                "position": i,
                **application_view(by_receipt[receipt], reveal=reveal),
            }
            if receipt in classes:
                entry["ration_class"] = classes[receipt]
            queue.append(entry)
    if reveal and note_read and queue:
        readlog.note(
            ctx, office=code, action="applications", subject="antrean cetak", rows=len(queue)
        )
    return queue


# --- the counter's look-up and the printed slips ----------------------------------------------


def lookup(
    ctx: Context,
    *,
    nik: str,
    office: str | None = None,
    reveal: bool = False,
    note_read: bool = True,
) -> CounterLookup:
    """A resident at the counter: the registry row, the open application (one at a time), the
    next step and the documents the types allowed now need. A malformed NIK is refused with
    the rule it breaks; a NIK not in the registry is not found. The read is written to the
    read log unless the caller logs its request itself (``note_read=False``)."""
    today = ctx.today()
    with ctx.read() as conn:
        person = read_resident(conn, nik, reveal=reveal, office=office, today=today)
        number = check_nik_format(nik, reference_date=today).nik
        row = repo.open_application(conn, person["office"], number, [s.value for s in ACTIVE])
        rules = office_settings.read_profile(conn, person["office"])["documents"]
        closed = closed_desks(conn, person["office"], today)
    if note_read:
        readlog.note(ctx, office=person["office"], action="resident", nik=number)
    born = person["tanggal_lahir"]
    step = next_step(
        status=person["status"],
        wajib_ktp=person["wajib_ktp"],
        recorded=person["tanggal_rekam"],
        printed=person["tanggal_cetak"],
        open_status=row.status if row is not None else None,
        open_receipt=row.receipt if row is not None else None,
        wajib_from=seventeenth_birthday(born) if seventeenth_birthday(born) > today else None,
    )
    return {
        "resident": person,
        "open_application": application_view(row, reveal=reveal) if row is not None else None,
        "next_step": {
            "code": step.code,
            "message": step.message,
            "types": list(step.types),
            "action": step.action,
            "desk": step.desk,
        },
        "documents": [r for r in rules if r["type"] in step.types],
        "desk_closed": closed.get(step.desk) if step.desk else None,
    }


def _event_actor(conn: Connection, app_id: int, action: str) -> str:
    """Who took the application's latest step of ``action`` ('new', 'collect')."""
    actors = [e.actor for e in repo.events(conn, app_id) if e.action == action]
    return actors[-1] if actors else ""


def _slip_head(conn: Connection, code: str, row: Any, reveal: bool) -> SlipHead:
    """The office's letterhead and the application's resident, as both slips open with them:
    the NIK masked, the name only when ``reveal``."""
    head = read_head(conn, code)
    person = registry_repo.resident_by_nik(conn, row.nik)
    return {
        "office": code,
        "office_name": head.name,
        "letterhead": head.lines,
        "place": head.place,
        "receipt": row.receipt,
        "nik": mask_nik(row.nik),
        "name": person.nama if reveal and person is not None else None,
        "type": row.type,
        "type_label": TYPE_LABEL_ID[row.type],
    }


def slip(
    ctx: Context, *, receipt: str, office: str | None = None, reveal: bool = False
) -> ApplicationSlip:
    """The receipt slip (tanda terima permohonan): receipt number, resident (NIK masked),
    type, date, documents received, and where to check the status with the receipt number."""
    with ctx.read() as conn:
        code = resolve_office(conn, office_of(receipt, office))
        row = load_application(conn, code, receipt)
        top = _slip_head(conn, code, row, reveal)
        profile = office_settings.read_profile(conn, code)
        officer = _event_actor(conn, row.id, "new")
    docs = json.loads(row.documents)
    path = f"/status?resi={row.receipt}"
    return {
        **top,
        "submitted_date": row.submitted_date.isoformat(),
        "status": row.status,
        "status_label": STATUS_LABEL_ID[Status(row.status)],
        "documents": [
            {"key": k, "label": DOCUMENT_LABEL_ID.get(k, k), "value": v}
            for k, v in sorted(docs.items())
        ],
        "status_path": path,
        "status_url": f"{profile['public_url']}{path}" if profile["public_url"] else None,
        "officer": officer,
    }


def handover_slip(
    ctx: Context, *, receipt: str, office: str | None = None, reveal: bool = False
) -> HandoverSlip:
    """The proof of collection (tanda terima penyerahan) of a collected card: the card's
    serial, the day, and who took it (the applicant, or the proxy with their masked NIK and
    the power of attorney)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office_of(receipt, office))
        row = load_application(conn, code, receipt)
        if row.status != Status.DISERAHKAN.value or row.collected_date is None:
            raise Conflict(
                "not_collected",
                "receipt",
                Msg(
                    "Permohonan {receipt} berstatus {status_label_id}: tanda terima penyerahan ada setelah kartu diserahkan.",
                    receipt=row.receipt,
                    status_label_id=STATUS_LABEL_ID[Status(row.status)],
                ),
            )
        top = _slip_head(conn, code, row, reveal)
        officer = _event_actor(conn, row.id, "collect")
    by = row.collected_by  # None: collected before who took it was recorded
    proxy = by == "kuasa"
    return {
        **top,
        "serial": row.serial,
        "printed_date": row.printed_date.isoformat() if row.printed_date else None,
        "collected_date": row.collected_date.isoformat(),
        "collected_by": by,
        "collected_by_label": COLLECTOR_LABEL_ID.get(by, by) if by else "tidak tercatat",
        "proxy_nik": mask_nik(row.proxy_nik) if proxy and row.proxy_nik else None,
        "proxy_name": row.proxy_name if proxy and reveal else None,
        "power_of_attorney": row.power_of_attorney if proxy else None,
        "officer": officer,
    }
