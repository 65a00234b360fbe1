"""Use cases for e-KTP applications: one write transaction each, the transition stored as an
event, and the print consuming its blank through the ledger in that same transaction.

Every write runs inside ``ctx.write(office)``, which locks the office's ledger head. That
lock is what keeps two clerks from printing the same application twice or taking the same
blank: the second waits, then sees the application already printed and the blank consumed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection
from typing_extensions import TypedDict

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import applications as repo
from blangko.adapters.repos import registry as registry_repo
from blangko.domain.applications import (
    ACTIVE,
    Action,
    QueueItem,
    Status,
    check_documents,
    check_status,
    check_type,
    format_receipt,
    initial_status,
    next_status,
    order_queue,
    parse_receipt,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.nik import compact_nik, mask_nik
from blangko.domain.serials import single
from blangko.domain.wajib_ktp import is_wajib_ktp
from blangko.services.calendar.days import require_open
from blangko.services.context import Context, WriteTx, resolve_office, write_once
from blangko.services.stock import writes


# What the use cases return (TypedDicts: plain dicts at run time, checked by mypy, and the
# web API's response models) ---------------------------------------------------------------
class ApplicationView(TypedDict):
    """An application as lists and writes show it; the NIK masked unless revealed."""

    receipt: str
    office: str
    nik: str
    type: str
    status: str
    documents: dict[str, str]
    submitted_date: str
    recorded_date: str | None
    ready_date: str | None
    printed_date: str | None
    station: str | None
    serial: str | None
    suket: bool
    ikd: bool
    collected_date: str | None
    reason: str | None


# One step in an application's history; "from" is a keyword: the functional form.
ApplicationEvent = TypedDict(
    "ApplicationEvent",
    {
        "action": str,
        "from": str | None,
        "to": str,
        "date": str,
        "at": str,
        "actor": str,
        "note": str | None,
    },
)


class ApplicationDetail(ApplicationView):
    """One application with its history (`app show`)."""

    events: list[ApplicationEvent]


class ApplicationWritten(ApplicationView):
    """A step taken: the application after it."""

    replayed: bool


class NewApplication(TypedDict):
    """An application registered: its receipt number and first status."""

    receipt: str
    status: str
    office: str
    replayed: bool


class QueuedApplication(ApplicationView):
    """An application in the print queue, with its place (1 first)."""

    position: int


# A transition's side effects: (tx, application row, date) -> (column changes, event note).
Apply = Callable[[WriteTx, Any, date], tuple[dict[str, Any], str | None]]


def _check_day(tx: WriteTx, on: date, app: Any | None = None) -> None:
    if on > tx.ctx.today():
        raise DomainError(
            "date_in_future",
            "date",
            f"Tanggal {on:%d-%m-%Y} belum terjadi: tanggal tidak boleh di masa depan.",
        )
    if app is not None and on < app.submitted_date:
        raise DomainError(
            "date_before_application",
            "date",
            f"Tanggal {on:%d-%m-%Y} sebelum permohonan diajukan ({app.submitted_date:%d-%m-%Y}).",
        )


def _check_order(tx: WriteTx, app: Any, on: date) -> None:
    """A step may not be dated before the step it follows (printing before recording ...)."""
    last = repo.last_step_date(tx.conn, app.id)
    if last is not None and on < last:
        raise DomainError(
            "date_before_previous_step",
            "date",
            f"Tanggal {on:%d-%m-%Y} sebelum langkah sebelumnya pada permohonan ini "
            f"({last:%d-%m-%Y}).",
        )


def _office_of(receipt: str, office: str | None) -> str:
    """The office named, else the one the receipt number encodes."""
    return office or parse_receipt(receipt)[0]


def _load(conn: Connection, office: str, receipt: str) -> Any:
    row = repo.by_receipt(conn, office, receipt.strip())
    if row is None:
        raise NotFound(
            "unknown_application",
            "receipt",
            f"Permohonan dengan tanda terima '{receipt}' tidak ada di kantor {office}.",
        )
    return row


def _resident(conn: Connection, nik: str, office: str) -> Any:
    """The office's resident. A resident of another office is not found, with the same
    answer as a NIK nobody has: one office does not learn who is registered at another
    (issue 19; tests/web/test_isolation.py)."""
    row = registry_repo.resident_by_nik(conn, nik, office)
    if row is None:
        raise NotFound(
            "unknown_resident",
            "nik",
            f"NIK {mask_nik(nik)} tidak terdaftar dalam data penduduk: "
            "impor data penduduk atau periksa NIK.",
        )
    return row


def _resident_here(tx: WriteTx, nik: str) -> Any:
    """The resident, registered at the office of the write; else NotFound."""
    return _resident(tx.conn, nik, tx.office)


def _event(
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


def _view(row: Any, *, reveal: bool = False) -> ApplicationView:
    return {
        "receipt": row.receipt,
        "office": row.office_code,
        "nik": row.nik if reveal else mask_nik(row.nik),
        "type": row.type,
        "status": row.status,
        "documents": json.loads(row.documents),
        "submitted_date": row.submitted_date.isoformat(),
        "recorded_date": row.recorded_date.isoformat() if row.recorded_date else None,
        "ready_date": row.ready_date.isoformat() if row.ready_date else None,
        "printed_date": row.printed_date.isoformat() if row.printed_date else None,
        "station": row.station,
        "serial": row.serial,
        "suket": row.suket_at is not None,
        "ikd": row.ikd_at is not None,
        "collected_date": row.collected_date.isoformat() if row.collected_date else None,
        "reason": row.reason,
    }


def _detail(conn: Connection, row: Any, *, reveal: bool = False) -> ApplicationDetail:
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
    return {**_view(row, reveal=reveal), "events": events}


# --- new -------------------------------------------------------------------------------------


def new(
    ctx: Context,
    *,
    nik: str,
    type: str,  # noqa: A002 - the issue's word for it
    documents: dict[str, str] | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> NewApplication:
    """Register an application at the counter and issue its receipt number."""
    on = on or ctx.today()
    number = compact_nik(nik)
    docs_in = dict(documents or {})
    params = {"nik": number, "type": type, "documents": docs_in, "date": on}

    def body(tx: WriteTx) -> NewApplication:
        check_type(type)
        docs = check_documents(type, docs_in)
        _check_day(tx, on)
        person = _resident_here(tx, number)
        if person.status != "HIDUP":
            raise DomainError(
                "resident_not_alive",
                "nik",
                f"Penduduk {mask_nik(number)} berstatus {person.status}: hanya penduduk "
                "berstatus HIDUP yang dapat mengajukan KTP-el.",
            )
        if type == "pemula":
            if not is_wajib_ktp(
                birth_date=person.tanggal_lahir,
                marital_status=person.status_kawin,
                status=person.status,
                on=on,
            ):
                raise DomainError(
                    "not_wajib_ktp",
                    "nik",
                    f"Penduduk {mask_nik(number)} belum wajib KTP pada {on:%d-%m-%Y}: "
                    "KTP-el pemula hanya untuk yang berumur 17 tahun atau sudah/pernah kawin.",
                )
            if person.tanggal_cetak is not None:
                raise DomainError(
                    "already_has_card",
                    "type",
                    f"Penduduk {mask_nik(number)} sudah memiliki KTP-el (dicetak "
                    f"{person.tanggal_cetak:%d-%m-%Y}): ajukan hilang, rusak atau "
                    "perubahan_data, bukan pemula.",
                )
        elif type in ("hilang", "rusak") and person.tanggal_cetak is None:
            raise DomainError(
                "no_card_yet",
                "type",
                f"Penduduk {mask_nik(number)} belum pernah dicetak KTP-el-nya: penggantian "
                f"karena {type} tidak berlaku; ajukan pemula.",
            )
        _refuse_open_application(tx, number)
        _, receipt, status = _insert_application(tx, person, type, docs, on)
        return {"receipt": receipt, "status": status.value, "office": tx.office, "replayed": False}

    return write_once(ctx, office, "app.new", params, idempotency_key, body)


def _refuse_open_application(tx: WriteTx, nik: str) -> None:
    """One open application per resident: Conflict naming the one under way."""
    open_app = repo.open_receipt(tx.conn, nik, [s.value for s in ACTIVE])
    if open_app is not None:
        raise Conflict(
            "application_open",
            "nik",
            f"Penduduk {mask_nik(nik)} masih memiliki permohonan berjalan "
            f"{open_app}: selesaikan atau batalkan dulu.",
        )


def _insert_application(
    tx: WriteTx,
    person: Any,
    type: str,  # noqa: A002 - the issue's word for it
    docs: dict[str, str],
    on: date,
    note: str | None = None,
) -> tuple[int, str, Status]:
    """The application row with its receipt number and its first event ("new"); a resident
    already recorded starts at direkam. Returns (id, receipt, status)."""
    seq = repo.next_day_seq(tx.conn, tx.office, on)
    receipt = format_receipt(tx.office, on, seq)
    recorded = person.tanggal_rekam is not None
    status = initial_status(recorded)
    app_id = repo.insert(
        tx.conn,
        office=tx.office,
        receipt=receipt,
        nik=person.nik,
        type=type,
        status=status.value,
        documents=docs,
        submitted=on,
        day_seq=seq,
        recorded=person.tanggal_rekam,
        at=tx.ctx.now(),
    )
    notes = [note] if note else []
    if recorded:
        notes.append(f"perekaman dilewati: sudah direkam {person.tanggal_rekam:%d-%m-%Y}")
    _event(tx, app_id, "new", None, status.value, on, "; ".join(notes) or None)
    return app_id, receipt, status


# --- transitions -----------------------------------------------------------------------------


def _transition(
    ctx: Context,
    *,
    receipt: str,
    action: Action,
    on: date | None,
    office: str | None,
    idempotency_key: str | None,
    extra: dict[str, Any] | None = None,
    apply: Apply | None = None,
) -> ApplicationWritten:
    """Load the application, check the move is legal, apply its side effects, store the event.

    ``apply(tx, app, on)`` returns (column changes, event note) and may write elsewhere
    (the resident, the ledger) in the same transaction.
    """
    on = on or ctx.today()
    params = {"receipt": receipt, "date": on, **(extra or {})}

    def body(tx: WriteTx) -> ApplicationWritten:
        app = _load(tx.conn, tx.office, receipt)
        after = next_status(action, app.status)
        _check_day(tx, on, app)
        _check_order(tx, app, on)
        changes, note = apply(tx, app, on) if apply else ({}, None)
        repo.update(tx.conn, app.id, {"status": after.value, "updated_at": ctx.now(), **changes})
        _event(tx, app.id, action.value, app.status, after.value, on, note)
        return {**_view(repo.by_id(tx.conn, app.id)), "replayed": False}

    return write_once(
        ctx, _office_of(receipt, office), f"app.{action.value}", params, idempotency_key, body
    )


def record(
    ctx: Context,
    *,
    receipt: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Biometric recording (perekaman); sets the resident's tanggal_rekam."""

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        require_open(tx.conn, tx.office, "perekaman", day)
        registry_repo.set_recorded(tx.conn, app.nik, day, tx.ctx.now())
        return {"recorded_date": day}, None

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.RECORD,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        apply=apply,
    )


def ready(
    ctx: Context,
    *,
    receipt: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Print-ready (PRR): the central database has matched the biometrics."""
    return _transition(
        ctx,
        receipt=receipt,
        action=Action.READY,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        apply=lambda tx, app, day: ({"ready_date": day}, None),
    )


def _require_station(tx: WriteTx, name: str) -> None:
    kind = admin_repo.location_kind(tx.conn, tx.office, name)
    if kind is None:
        raise NotFound(
            "unknown_location", "station", f"Loket '{name}' tidak ada di kantor {tx.office}."
        )
    if kind != "station":
        raise DomainError(
            "not_a_station",
            "station",
            f"Lokasi '{name}' adalah gudang, bukan loket cetak: cetak hanya di loket.",
        )


def _print_blank(
    tx: WriteTx,
    app: Any,
    day: date,
    station: str,
    serial: str | None,
    idempotency_key: str | None,
) -> tuple[dict[str, Any], str | None]:
    """The print's side effects: one blank consumed at ``station`` through the ledger and
    the resident's card date; returns (the application's column changes, the event note)."""
    require_open(tx.conn, tx.office, "pencetakan", day)
    _require_station(tx, station)
    named = str(single(serial, "serial")) if serial else None
    entries = writes.consume_in(
        tx,
        service=app.type,
        effective=day,
        serials=named,
        qty=None if named else 1,
        location=station,
        note=f"cetak KTP-el {app.receipt}",
        idempotency_key=idempotency_key,
    )
    used = entries[0]["serials"]
    registry_repo.set_printed(tx.conn, app.nik, day, tx.ctx.now())
    changes = {"serial": used, "station": station, "printed_date": day}
    return changes, f"blangko {used} di {station} (ledger #{entries[0]['seq']})"


def print_card(
    ctx: Context,
    *,
    receipt: str,
    station: str,
    serial: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Print the card: one blank consumed at ``station`` and the status change, one write."""

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        return _print_blank(tx, app, day, station, serial, idempotency_key)

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.PRINT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={"station": station, "serial": serial},
        apply=apply,
    )


def _check_prr(person: Any, on: date) -> None:
    """The resident is print-ready (PRR) on ``on`` as the registry has it: alive, wajib KTP,
    recorded by then, no card printed. Otherwise `not_prr`, saying which of these fails."""
    nik = mask_nik(person.nik)
    why = None
    if person.status != "HIDUP":
        why = f"berstatus {person.status}"
    elif not is_wajib_ktp(
        birth_date=person.tanggal_lahir,
        marital_status=person.status_kawin,
        status=person.status,
        on=on,
    ):
        why = f"belum wajib KTP pada {on:%d-%m-%Y}"
    elif person.tanggal_rekam is None or person.tanggal_rekam > on:
        why = "belum direkam: ajukan permohonan dan rekam dulu"
    elif person.tanggal_cetak is not None:
        why = (
            f"sudah memiliki KTP-el (dicetak {person.tanggal_cetak:%d-%m-%Y}): penggantian "
            "diajukan sebagai hilang, rusak atau perubahan_data"
        )
    if why is not None:
        raise DomainError(
            "not_prr", "nik", f"Penduduk {nik} bukan PRR (siap cetak di registri): {why}."
        )


def print_from_backlog(
    ctx: Context,
    *,
    nik: str,
    station: str,
    serial: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Print the card of a print-ready resident of the registry (PRR) who has no application
    yet, from the work list: the application (pemula: a PRR resident has never had a card),
    its steps new -> direkam -> siap_cetak -> dicetak and the blank consumed at ``station``,
    all in one transaction. Refused, with nothing written, when the resident has an open
    application (print that one: `application_open` names it), is not PRR (`not_prr`), or
    no blank is available at the station."""
    on = on or ctx.today()
    number = compact_nik(nik)
    params = {"nik": number, "station": station, "serial": serial, "date": on}

    def body(tx: WriteTx) -> ApplicationWritten:
        _check_day(tx, on)
        person = _resident_here(tx, number)
        _refuse_open_application(tx, number)
        _check_prr(person, on)
        kind = "pemula"
        docs = check_documents(kind, {})
        app_id, _, status = _insert_application(tx, person, kind, docs, on, "dari daftar PRR")
        ready = next_status(Action.READY, status)
        _event(tx, app_id, Action.READY.value, status.value, ready.value, on)
        app = repo.by_id(tx.conn, app_id)
        printed = next_status(Action.PRINT, ready)
        changes, note = _print_blank(tx, app, on, station, serial, idempotency_key)
        repo.update(
            tx.conn,
            app_id,
            {"status": printed.value, "ready_date": on, "updated_at": ctx.now(), **changes},
        )
        _event(tx, app_id, Action.PRINT.value, ready.value, printed.value, on, note)
        return {**_view(repo.by_id(tx.conn, app_id)), "replayed": False}

    return write_once(ctx, office, "app.print_backlog", params, idempotency_key, body)


def misprint(
    ctx: Context,
    *,
    receipt: str,
    reason: str,
    note: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """A bad print: its blank is booked spoiled (kept for destruction); back to siap_cetak."""

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        # spoil_printed_in checks the reason (domain.ledger.check_spoil_reason) first.
        entry = writes.spoil_printed_in(
            tx,
            serial=app.serial,
            reason=reason,
            effective=day,
            service=app.type,
            note=note or f"salah cetak KTP-el {app.receipt}",
            idempotency_key=idempotency_key,
        )
        registry_repo.set_printed(tx.conn, app.nik, None, tx.ctx.now())
        changes = {"serial": None, "printed_date": None}
        return changes, f"blangko {app.serial} rusak ({reason}), ledger #{entry['seq']}"

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.MISPRINT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={"reason": reason, "note": note},
        apply=apply,
    )


def suket(
    ctx: Context,
    *,
    receipt: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Temporary certificate (surat keterangan) while no blank can be printed."""
    return _stamp_once(
        ctx,
        receipt,
        Action.SUKET,
        "suket",
        "Suket untuk {receipt} sudah terbit.",
        on,
        office,
        idempotency_key,
    )


def ikd(
    ctx: Context,
    *,
    receipt: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Digital ID (IKD) activated; no blank is used and the card is still owed."""
    return _stamp_once(
        ctx,
        receipt,
        Action.IKD,
        "ikd",
        "IKD untuk {receipt} sudah aktif.",
        on,
        office,
        idempotency_key,
    )


def _stamp_once(
    ctx: Context,
    receipt: str,
    action: Action,
    what: str,
    refusal: str,
    on: date | None,
    office: str | None,
    idempotency_key: str | None,
) -> ApplicationWritten:
    """A transition that stamps `<what>_at` with the time, once: a second time is refused
    (`<what>_exists`, the `refusal` message with the receipt)."""
    column = f"{what}_at"

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        if getattr(app, column) is not None:
            raise Conflict(f"{what}_exists", "receipt", refusal.format(receipt=app.receipt))
        return {column: tx.ctx.now()}, None

    return _transition(
        ctx,
        receipt=receipt,
        action=action,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        apply=apply,
    )


def collect(
    ctx: Context,
    *,
    receipt: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    return _transition(
        ctx,
        receipt=receipt,
        action=Action.COLLECT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        apply=lambda tx, app, day: ({"collected_date": day}, None),
    )


def reject(
    ctx: Context,
    *,
    receipt: str,
    reason: str,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        if not reason or not reason.strip():
            raise DomainError("required", "reason", "Alasan penolakan (--reason) wajib diisi.")
        return {"reason": reason.strip()}, reason.strip()

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.REJECT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={"reason": reason},
        apply=apply,
    )


def cancel(
    ctx: Context,
    *,
    receipt: str,
    reason: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    note = reason.strip() if reason and reason.strip() else None
    return _transition(
        ctx,
        receipt=receipt,
        action=Action.CANCEL,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={"reason": reason},
        apply=lambda tx, app, day: ({"reason": note}, note),
    )


# --- reads -----------------------------------------------------------------------------------


def backlog_of(conn: Connection, office: str, as_of: date) -> dict[str, int]:
    """THE backlog figure. Applications waiting to be recorded (diajukan), recorded
    (direkam) and print-ready (siap cetak); the registry's print-ready residents (PRR:
    recorded, no card, alive, wajib KTP on ``as_of``) who have no open application yet; the
    whole print backlog, every resident who will take a blank, counted once (those four
    together: a resident has at most one open application); and how many of them hold a
    suket. `blangko status`, the dashboard, the service page, the forecast and the request
    letter all read this."""
    counts = repo.status_counts(conn, office)
    to_record = int(counts.get(Status.DIAJUKAN.value, 0))
    recorded = int(counts.get(Status.DIREKAM.value, 0))
    to_print = int(counts.get(Status.SIAP_CETAK.value, 0))
    registry_prr = repo.count_registry_prr(conn, office, as_of)
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
    ctx: Context, *, receipt: str, office: str | None = None, reveal: bool = False
) -> ApplicationDetail:
    with ctx.read() as conn:
        code = resolve_office(conn, _office_of(receipt, office))
        row = _load(conn, code, receipt)
        return _detail(conn, row, reveal=reveal)


def list_(
    ctx: Context,
    *,
    status: str | None = None,
    type: str | None = None,  # noqa: A002
    office: str | None = None,
    reveal: bool = False,
    limit: int | None = None,
) -> list[ApplicationView]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.applications(
            conn,
            code,
            status=check_status(status).value if status is not None else None,
            type=check_type(type) if type is not None else None,
            limit=limit,
        )
        return [_view(r, reveal=reveal) for r in rows]


def print_queue(
    ctx: Context, *, office: str | None = None, reveal: bool = False
) -> list[QueuedApplication]:
    """Print-ready applications in the directorate's order (suket holders and first cards
    first, then lost/damaged, then data changes; oldest first within each)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.applications(conn, code, status=Status.SIAP_CETAK.value)
        by_receipt = {r.receipt: r for r in rows}
        items = order_queue(
            [QueueItem(r.receipt, r.type, r.submitted_date, r.suket_at is not None) for r in rows]
        )
        return [
            {"position": i, **_view(by_receipt[item.receipt], reveal=reveal)}
            for i, item in enumerate(items, start=1)
        ]
