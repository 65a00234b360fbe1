"""Use cases for e-KTP applications: one write transaction each, the transition stored as an
event, and the print consuming its blank through the ledger in that same transaction.

Every write runs inside ``ctx.write(office)``, which locks the office's ledger head. That
lock is what keeps two clerks from printing the same application twice or taking the same
blank: the second waits, then sees the application already printed and the blank consumed.
"""

from __future__ import annotations

import json
import secrets
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
    COLLECTOR_LABEL_ID,
    DOCUMENT_LABEL_ID,
    RECEIPT_RANDOM_BITS,
    STATUS_LABEL_ID,
    TYPE_LABEL_ID,
    Action,
    QueueItem,
    Status,
    check_documents,
    check_handover,
    check_status,
    check_type,
    format_receipt,
    initial_status,
    mask_documents,
    next_status,
    next_step,
    order_queue,
    parse_receipt,
    print_note,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.nik import check_nik_format, compact_nik, mask_nik
from blangko.domain.serials import single
from blangko.domain.wajib_ktp import is_wajib_ktp, seventeenth_birthday
from blangko.services import readlog
from blangko.services.admin import office as office_settings
from blangko.services.admin.office import DocumentRuleView, read_head
from blangko.services.calendar.days import require_open
from blangko.services.context import Context, WriteTx, resolve_office, write_once
from blangko.services.registry import Resident, read_resident
from blangko.services.stock import writes


# What the use cases return (TypedDicts: plain dicts at run time, checked by mypy, and the
# web API's response models) ---------------------------------------------------------------
class HandoverView(TypedDict):
    """Who collected the card: the applicant (pemohon) or a proxy (kuasa). The proxy's NIK is
    masked and their name left out unless revealed."""

    by: str
    by_label: str
    proxy_nik: str | None
    proxy_name: str | None
    power_of_attorney: str | None


class ApplicationView(TypedDict):
    """An application as lists and writes show it; the NIK and the documents' numbers masked
    unless revealed."""

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
    handover: HandoverView | None
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


class NextStepView(TypedDict):
    """What the counter can do for a resident now (domain.applications.next_step)."""

    code: str
    message: str
    types: list[str]
    action: str | None


class CounterLookup(TypedDict):
    """A resident found at the counter: who they are, their open application (if any), what
    can be done next, and the documents each type that may be submitted now needs."""

    resident: Resident
    open_application: ApplicationView | None
    next_step: NextStepView
    documents: list[DocumentRuleView]


class SlipDocument(TypedDict):
    key: str
    label: str
    value: str


class ApplicationSlip(TypedDict):
    """The receipt slip (tanda terima permohonan) handed to the resident: the NIK always
    masked (a slip may be lost), the name only when revealed."""

    office: str
    office_name: str
    letterhead: list[str]
    place: str
    receipt: str
    nik: str
    name: str | None
    type: str
    type_label: str
    submitted_date: str
    status: str
    status_label: str
    documents: list[SlipDocument]
    status_path: str
    status_url: str | None
    officer: str


class HandoverSlip(TypedDict):
    """The proof of collection (tanda terima penyerahan): the card, when, to whom."""

    office: str
    office_name: str
    letterhead: list[str]
    place: str
    receipt: str
    nik: str
    name: str | None
    type: str
    type_label: str
    serial: str | None
    printed_date: str | None
    collected_date: str
    collected_by: str | None
    collected_by_label: str
    proxy_nik: str | None
    proxy_name: str | None
    power_of_attorney: str | None
    officer: str


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
    return office or parse_receipt(receipt).office


def _load(conn: Connection, office: str, receipt: str) -> Any:
    """The application of this receipt number in the office; a malformed number, or one whose
    check character does not match (a typo), is refused before any look-up."""
    row = repo.by_receipt(conn, office, parse_receipt(receipt).number)
    if row is None:
        raise NotFound(
            "unknown_application",
            "receipt",
            f"Permohonan dengan tanda terima '{receipt}' tidak ada di kantor {office}.",
        )
    return row


def _handover(row: Any, reveal: bool) -> HandoverView | None:
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
        "handover": _handover(row, reveal),
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
    check_type(type)
    number = check_nik_format(nik, reference_date=ctx.today()).nik
    docs_in = dict(documents or {})
    params = {"nik": number, "type": type, "documents": docs_in, "date": on}

    def body(tx: WriteTx) -> NewApplication:
        rules = office_settings.document_rules_of(tx.conn, tx.office)
        docs = check_documents(type, docs_in, rules[type])
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
    receipt = _new_receipt(tx, on)
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


def _new_receipt(tx: WriteTx, on: date) -> str:
    """A receipt number nobody can guess from another: a random part (35 bits) and a check
    character; drawn again in the (one in billions) case that the office already issued it
    that day."""
    while True:
        receipt = format_receipt(tx.office, on, secrets.randbits(RECEIPT_RANDOM_BITS))
        if repo.by_receipt(tx.conn, tx.office, receipt) is None:
            return receipt


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
        note=print_note(app.receipt),
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


def _check_proxy_in_registry(conn: Connection, proxy_nik: str, on: date) -> None:
    """A proxy found in the registry must be alive and an adult (wajib KTP); one from
    elsewhere is taken on their NIK's form and the power of attorney."""
    person = registry_repo.resident_by_nik(conn, proxy_nik)
    if person is None:
        return
    if person.status != "HIDUP":
        raise DomainError(
            "proxy_not_alive",
            "proxy_nik",
            f"Kuasa {mask_nik(proxy_nik)} berstatus {person.status} di registri: kartu tidak "
            "dapat diserahkan kepadanya.",
        )
    if not is_wajib_ktp(
        birth_date=person.tanggal_lahir,
        marital_status=person.status_kawin,
        status=person.status,
        on=on,
    ):
        raise DomainError(
            "proxy_minor",
            "proxy_nik",
            f"Kuasa {mask_nik(proxy_nik)} belum dewasa (belum wajib KTP): kartu hanya "
            "diserahkan kepada pemohon atau kuasa yang sudah wajib KTP.",
        )


def collect(
    ctx: Context,
    *,
    receipt: str,
    proxy_nik: str | None = None,
    proxy_name: str | None = None,
    power_of_attorney: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ApplicationWritten:
    """Hand the printed card over: to the applicant, or to a proxy named by their NIK and name
    with the reference of the power of attorney (surat kuasa). Who took it is stored with the
    application and its event."""

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        handover = check_handover(
            applicant_nik=app.nik,
            proxy_nik=proxy_nik,
            proxy_name=proxy_name,
            power_of_attorney=power_of_attorney,
            reference_date=day,
        )
        changes: dict[str, Any] = {
            "collected_date": day,
            "collected_by": handover.by,
            "proxy_nik": handover.proxy_nik,
            "proxy_name": handover.proxy_name,
            "power_of_attorney": handover.power_of_attorney,
        }
        if handover.proxy_nik is None:
            return changes, "diterima pemohon sendiri"
        _check_proxy_in_registry(tx.conn, handover.proxy_nik, day)
        return changes, (
            f"diterima kuasa {handover.proxy_name} (NIK {mask_nik(handover.proxy_nik)}), "
            f"surat kuasa {handover.power_of_attorney}"
        )

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.COLLECT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={
            "proxy_nik": proxy_nik,
            "proxy_name": proxy_name,
            "power_of_attorney": power_of_attorney,
        },
        apply=apply,
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
        code = resolve_office(conn, _office_of(receipt, office))
        row = _load(conn, code, receipt)
        detail = _detail(conn, row, reveal=reveal)
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
        views = [_view(r, reveal=reveal) for r in rows]
    if reveal and note_read and views:
        what = ", ".join(f"{k}={v}" for k, v in (("status", status), ("type", type)) if v)
        readlog.note(ctx, office=code, action="applications", subject=what, rows=len(views))
    return views


def print_queue(
    ctx: Context, *, office: str | None = None, reveal: bool = False, note_read: bool = True
) -> list[QueuedApplication]:
    """Print-ready applications in the directorate's order (suket holders and first cards
    first, then lost/damaged, then data changes; oldest first within each). Revealed, the
    read is logged (see `show`)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.applications(conn, code, status=Status.SIAP_CETAK.value)
        by_receipt = {r.receipt: r for r in rows}
        items = order_queue(
            [
                QueueItem(r.receipt, r.type, r.submitted_date, r.suket_at is not None, r.day_seq)
                for r in rows
            ]
        )
        queue: list[QueuedApplication] = [
            {"position": i, **_view(by_receipt[item.receipt], reveal=reveal)}
            for i, item in enumerate(items, start=1)
        ]
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
        "open_application": _view(row, reveal=reveal) if row is not None else None,
        "next_step": {
            "code": step.code,
            "message": step.message,
            "types": list(step.types),
            "action": step.action,
        },
        "documents": [r for r in rules if r["type"] in step.types],
    }


def _event_actor(conn: Connection, app_id: int, action: str) -> str:
    """Who took the application's latest step of ``action`` ('new', 'collect')."""
    actors = [e.actor for e in repo.events(conn, app_id) if e.action == action]
    return actors[-1] if actors else ""


def slip(
    ctx: Context, *, receipt: str, office: str | None = None, reveal: bool = False
) -> ApplicationSlip:
    """The receipt slip (tanda terima permohonan): receipt number, resident (NIK masked),
    type, date, documents received, and where to check the status with the receipt number."""
    with ctx.read() as conn:
        code = resolve_office(conn, _office_of(receipt, office))
        row = _load(conn, code, receipt)
        head = read_head(conn, code)
        profile = office_settings.read_profile(conn, code)
        person = registry_repo.resident_by_nik(conn, row.nik)
        officer = _event_actor(conn, row.id, "new")
    docs = json.loads(row.documents)
    path = f"/status?resi={row.receipt}"
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
        code = resolve_office(conn, _office_of(receipt, office))
        row = _load(conn, code, receipt)
        if row.status != Status.DISERAHKAN.value or row.collected_date is None:
            raise Conflict(
                "not_collected",
                "receipt",
                f"Permohonan {row.receipt} berstatus "
                f"{STATUS_LABEL_ID[Status(row.status)]}: tanda terima penyerahan ada setelah "
                "kartu diserahkan.",
            )
        head = read_head(conn, code)
        person = registry_repo.resident_by_nik(conn, row.nik)
        officer = _event_actor(conn, row.id, "collect")
    by = row.collected_by  # None: collected before who took it was recorded
    proxy = by == "kuasa"
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
