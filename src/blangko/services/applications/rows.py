"""An application row as the use cases share it: loading it in its office, its resident, its
history events, the checks of the day and order of a step, and the views of it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import applications as repo
from blangko.adapters.repos import registry as registry_repo
from blangko.domain.applications import (
    COLLECTOR_LABEL_ID,
    mask_documents,
    parse_receipt,
)
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.nik import mask_nik
from blangko.domain.text import Msg
from blangko.services.applications.results import (
    ApplicationDetail,
    ApplicationEvent,
    ApplicationView,
    HandoverView,
)
from blangko.services.context import WriteTx


def check_day(tx: WriteTx, on: date, app: Any | None = None) -> None:
    if on > tx.ctx.today():
        raise DomainError(
            "date_in_future",
            "date",
            Msg("Tanggal {on:%d-%m-%Y} belum terjadi: tanggal tidak boleh di masa depan.", on=on),
        )
    if app is not None and on < app.submitted_date:
        raise DomainError(
            "date_before_application",
            "date",
            Msg(
                "Tanggal {on:%d-%m-%Y} sebelum permohonan diajukan ({submitted_date:%d-%m-%Y}).",
                on=on,
                submitted_date=app.submitted_date,
            ),
        )


def check_order(tx: WriteTx, app: Any, on: date) -> None:
    """A step may not be dated before the step it follows (printing before recording ...)."""
    last = repo.last_step_date(tx.conn, app.id)
    if last is not None and on < last:
        raise DomainError(
            "date_before_previous_step",
            "date",
            Msg(
                "Tanggal {on:%d-%m-%Y} sebelum langkah sebelumnya pada permohonan ini ({last:%d-%m-%Y}).",
                on=on,
                last=last,
            ),
        )


def office_of(receipt: str, office: str | None) -> str:
    """The office named, else the one the receipt number encodes."""
    return office or parse_receipt(receipt).office


def load_application(conn: Connection, office: str, receipt: str) -> Any:
    """The application of this receipt number in the office; a malformed number, or one whose
    check character does not match (a typo), is refused before any look-up."""
    row = repo.by_receipt(conn, office, parse_receipt(receipt).number)
    if row is None:
        raise NotFound(
            "unknown_application",
            "receipt",
            Msg(
                "Permohonan dengan tanda terima '{receipt}' tidak ada di kantor {office}.",
                receipt=receipt,
                office=office,
            ),
        )
    return row


def handover_view(row: Any, reveal: bool) -> HandoverView | None:
    if row.collected_by is None:
        return None
    proxy = row.collected_by == "kuasa"
    return {
        "by": row.collected_by,
        "by_label": COLLECTOR_LABEL_ID.get(row.collected_by, row.collected_by),
        "proxy_nik": (row.proxy_nik if reveal else mask_nik(row.proxy_nik)) if proxy else None,
        "proxy_name": row.proxy_name if proxy and reveal else None,
        "power_of_attorney": row.power_of_attorney if proxy else None,
    }


def resident_of(conn: Connection, nik: str, office: str) -> Any:
    """The office's resident. A resident of another office is not found, with the same
    answer as a NIK nobody has: one office does not learn who is registered at another
    (issue 19; tests/web/test_isolation.py)."""
    row = registry_repo.resident_by_nik(conn, nik, office)
    if row is None:
        raise NotFound(
            "unknown_resident",
            "nik",
            Msg(
                "NIK {nik} tidak terdaftar dalam data penduduk: impor data penduduk atau periksa NIK.",
                nik=mask_nik(nik),
            ),
        )
    return row


def resident_here(tx: WriteTx, nik: str) -> Any:
    """The resident, registered at the office of the write; else NotFound."""
    return resident_of(tx.conn, nik, tx.office)


def add_event(
    tx: WriteTx,
    app_id: int,
    action: str,
    before: str | None,
    after: str,
    on: date,
    note: str | None = None,
) -> None:
    repo.insert_event(
        tx.conn,
        app_id=app_id,
        action=action,
        before=before,
        after=after,
        on=on,
        at=tx.ctx.now(),
        actor=tx.ctx.actor,
        note=note,
    )


def application_view(row: Any, *, reveal: bool = False) -> ApplicationView:
    documents = json.loads(row.documents)
    return {
        "receipt": row.receipt,
        "office": row.office_code,
        "nik": row.nik if reveal else mask_nik(row.nik),
        "type": row.type,
        "status": row.status,
        "documents": documents if reveal else mask_documents(documents),
        "submitted_date": row.submitted_date.isoformat(),
        "recorded_date": row.recorded_date.isoformat() if row.recorded_date else None,
        "ready_date": row.ready_date.isoformat() if row.ready_date else None,
        "printed_date": row.printed_date.isoformat() if row.printed_date else None,
        "station": row.station,
        "serial": row.serial,
        "suket": row.suket_at is not None,
        "ikd": row.ikd_at is not None,
        "collected_date": row.collected_date.isoformat() if row.collected_date else None,
        "handover": handover_view(row, reveal),
        "reason": row.reason,
    }


def application_detail(conn: Connection, row: Any, *, reveal: bool = False) -> ApplicationDetail:
    events: list[ApplicationEvent] = [
        {
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "date": e.effective_date.isoformat(),
            "at": e.at.isoformat(),
            "actor": e.actor,
            "note": e.note,
        }
        for e in repo.events(conn, row.id)
    ]
    return {**application_view(row, reveal=reveal), "events": events}
