"""Use cases that write e-KTP applications: one write transaction each, the transition stored
as an event, and the print consuming its blank through the ledger in that same transaction.

Every write runs inside ``ctx.write(office)``, which locks the office's ledger head. That
lock is what keeps two clerks from printing the same application twice or taking the same
blank: the second waits, then sees the application already printed and the blank consumed."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import applications as repo
from blangko.adapters.repos import registry as registry_repo
from blangko.domain.applications import (
    ACTION_DESK,
    ACTIVE,
    RECEIPT_RANDOM_BITS,
    TYPE_LABEL_ID,
    Action,
    Status,
    check_documents,
    check_handover,
    check_type,
    desk_for,
    format_receipt,
    initial_status,
    next_status,
    print_note,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.ledger import SPOIL_REASON_LABEL_ID
from blangko.domain.nik import check_nik_format, compact_nik, mask_nik
from blangko.domain.rationing import classes_of
from blangko.domain.serials import single
from blangko.domain.text import Msg
from blangko.domain.wajib_ktp import is_wajib_ktp
from blangko.services import handed_in
from blangko.services.admin import office as office_settings
from blangko.services.applications.results import (
    ApplicationWritten,
    NewApplication,
)
from blangko.services.applications.rows import (
    add_event,
    application_view,
    check_day,
    check_order,
    load_application,
    office_of,
    resident_here,
)
from blangko.services.calendar.days import closed_desks, require_open
from blangko.services.context import Context, WriteTx, write_once
from blangko.services.items.writes import record_prints_in
from blangko.services.rationing import check_print
from blangko.services.stock import writes

# A transition's side effects: (the application's column changes, the event's note).
Apply = Callable[[WriteTx, Any, date], tuple[dict[str, Any], str | None]]


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
        check_day(tx, on)
        person = resident_here(tx, number)
        if person.status != "HIDUP":
            raise DomainError(
                "resident_not_alive",
                "nik",
                Msg(
                    "Penduduk {number} berstatus {status}: hanya penduduk berstatus HIDUP yang dapat mengajukan KTP-el.",
                    number=mask_nik(number),
                    status=person.status,
                ),
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
                    Msg(
                        "Penduduk {number} belum wajib KTP pada {on:%d-%m-%Y}: KTP-el pemula hanya untuk yang berumur 17 tahun atau sudah/pernah kawin.",
                        number=mask_nik(number),
                        on=on,
                    ),
                )
            if person.tanggal_cetak is not None:
                raise DomainError(
                    "already_has_card",
                    "type",
                    Msg(
                        "Penduduk {number} sudah memiliki KTP-el (dicetak {tanggal_cetak:%d-%m-%Y}): ajukan penggantian karena hilang, karena rusak, atau perubahan data, bukan pemula.",
                        number=mask_nik(number),
                        tanggal_cetak=person.tanggal_cetak,
                    ),
                )
        elif type in ("hilang", "rusak") and person.tanggal_cetak is None:
            raise DomainError(
                "no_card_yet",
                "type",
                Msg(
                    "Penduduk {number} belum pernah dicetak KTP-el-nya: {type_label_id} tidak berlaku; ajukan pemula (KTP pertama).",
                    number=mask_nik(number),
                    type_label_id=TYPE_LABEL_ID[type],
                ),
            )
        _refuse_open_application(tx, number)
        _, receipt, status = _insert_application(tx, person, type, docs, on)
        # Taken, not refused, when its desk is closed today: the clerk is told at once (and
        # when it reopens), rather than only when the step is refused later.
        desk = desk_for(status)
        closed = closed_desks(tx.conn, tx.office, ctx.today()).get(desk) if desk else None
        return {
            "receipt": receipt,
            "status": status.value,
            "office": tx.office,
            "desk_closed": closed,
            "replayed": False,
        }

    return write_once(ctx, office, "app.new", params, idempotency_key, body)


def _refuse_open_application(tx: WriteTx, nik: str) -> None:
    """One open application per resident: Conflict naming the one under way."""
    open_app = repo.open_receipt(tx.conn, nik, [s.value for s in ACTIVE])
    if open_app is not None:
        raise Conflict(
            "application_open",
            "nik",
            Msg(
                "Penduduk {nik} masih memiliki permohonan berjalan {open_app}: selesaikan atau batalkan dulu.",
                nik=mask_nik(nik),
                open_app=open_app,
            ),
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
        notes.append(
            Msg(
                "perekaman dilewati: sudah direkam {date}",
                date=f"{person.tanggal_rekam:%d-%m-%Y}",
            )
        )
    add_event(tx, app_id, "new", None, status.value, on, "; ".join(notes) or None)
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
        app = load_application(tx.conn, tx.office, receipt)
        after = next_status(action, app.status)
        check_day(tx, on, app)
        check_order(tx, app, on)
        changes, note = apply(tx, app, on) if apply else ({}, None)
        repo.update(tx.conn, app.id, {"status": after.value, "updated_at": ctx.now(), **changes})
        add_event(tx, app.id, action.value, app.status, after.value, on, note)
        return {**application_view(repo.by_id(tx.conn, app.id)), "replayed": False}

    return write_once(
        ctx, office_of(receipt, office), f"app.{action.value}", params, idempotency_key, body
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
        require_open(tx.conn, tx.office, ACTION_DESK[Action.RECORD], day)
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
            "unknown_location",
            "station",
            Msg("Loket '{name}' tidak ada di kantor {office}.", name=name, office=tx.office),
        )
    if kind != "station":
        raise DomainError(
            "not_a_station",
            "station",
            Msg(
                "Lokasi '{name}' adalah gudang, bukan loket cetak: cetak hanya di loket.", name=name
            ),
        )


def _print_blank(
    tx: WriteTx,
    app: Any,
    day: date,
    station: str,
    serial: str | None,
    idempotency_key: str | None,
    printer: str | None = None,
) -> tuple[dict[str, Any], str | None]:
    """The print's side effects: one blank consumed at ``station`` through the ledger and
    the resident's card date; returns (the application's column changes, the event note).
    Under a rationing policy the print must be within the day's cap and in its class's turn
    (services.rationing.check_print); the note then names the policy."""
    require_open(tx.conn, tx.office, ACTION_DESK[Action.PRINT], day)
    _require_station(tx, station)
    member = classes_of(app.type, app.suket_at is not None, json.loads(app.documents))
    ration = check_print(tx, receipt=app.receipt, member=member, day=day)
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
    if printer is not None:  # the card counts as a print on the station's printer
        record_prints_in(tx, name=printer, prints=1, day=day, station=station)
    registry_repo.set_printed(tx.conn, app.nik, day, tx.ctx.now())
    changes = {"serial": used, "station": station, "printed_date": day}
    note = f"blangko {used} di {station} (ledger #{entries[0]['seq']})"
    if printer is not None:
        note = f"{note}, printer {printer.strip()}"
    return changes, f"{note}; {ration}" if ration else note


def print_card(
    ctx: Context,
    *,
    receipt: str,
    station: str,
    serial: str | None = None,
    on: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
    printer: str | None = None,
) -> ApplicationWritten:
    """Print the card: one blank consumed at ``station`` and the status change, one write.
    With ``printer`` (the station's printer) the card is also one print on it that day, so
    its ribbon use follows (refused on a printer not working that day, with no ribbon, or
    past the ribbon's yield)."""

    def apply(tx: WriteTx, app: Any, day: date) -> tuple[dict[str, Any], str | None]:
        return _print_blank(tx, app, day, station, serial, idempotency_key, printer)

    return _transition(
        ctx,
        receipt=receipt,
        action=Action.PRINT,
        on=on,
        office=office,
        idempotency_key=idempotency_key,
        extra={"station": station, "serial": serial}
        | ({"printer": printer} if printer is not None else {}),
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
            "diajukan di Layanan sebagai hilang, rusak atau perubahan data"
        )
    if why is not None:
        raise DomainError(
            "not_prr",
            "nik",
            Msg("Penduduk {nik} bukan PRR (siap cetak di registri): {why}.", nik=nik, why=why),
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
        check_day(tx, on)
        person = resident_here(tx, number)
        _refuse_open_application(tx, number)
        _check_prr(person, on)
        # No counter documents are asked: a PRR resident's documents were checked when they
        # were recorded, and the central database has accepted the recording.
        app_id, _, status = _insert_application(tx, person, "pemula", {}, on, "dari daftar PRR")
        ready = next_status(Action.READY, status)
        add_event(tx, app_id, Action.READY.value, status.value, ready.value, on)
        app = repo.by_id(tx.conn, app_id)
        printed = next_status(Action.PRINT, ready)
        changes, note = _print_blank(tx, app, on, station, serial, idempotency_key)
        repo.update(
            tx.conn,
            app_id,
            {"status": printed.value, "ready_date": on, "updated_at": ctx.now(), **changes},
        )
        add_event(tx, app_id, Action.PRINT.value, ready.value, printed.value, on, note)
        return {**application_view(repo.by_id(tx.conn, app_id)), "replayed": False}

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
            note=note or Msg("salah cetak KTP-el {receipt}", receipt=app.receipt),
            idempotency_key=idempotency_key,
        )
        registry_repo.set_printed(tx.conn, app.nik, None, tx.ctx.now())
        changes = {"serial": None, "printed_date": None}
        why = SPOIL_REASON_LABEL_ID[reason].lower()
        return changes, f"blangko {app.serial} rusak ({why}), ledger #{entry['seq']}"

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


def _check_proxy_in_registry(conn: Connection, proxy_nik: str, office: str, on: date) -> None:
    """A proxy found in the office's registry must be alive and an adult (wajib KTP); one
    from elsewhere (another office's resident too: one office does not learn about another's
    residents) is taken on their NIK's form and the power of attorney."""
    person = registry_repo.resident_by_nik(conn, proxy_nik, office)
    if person is None:
        return
    if person.status != "HIDUP":
        raise DomainError(
            "proxy_not_alive",
            "proxy_nik",
            Msg(
                "Kuasa {proxy_nik} berstatus {status} di registri: kartu tidak dapat diserahkan kepadanya.",
                proxy_nik=mask_nik(proxy_nik),
                status=person.status,
            ),
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
            Msg(
                "Kuasa {proxy_nik} belum dewasa (belum wajib KTP): kartu hanya diserahkan kepada pemohon atau kuasa yang sudah wajib KTP.",
                proxy_nik=mask_nik(proxy_nik),
            ),
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
        if handover.proxy_nik is not None:
            _check_proxy_in_registry(tx.conn, handover.proxy_nik, tx.office, day)
        # A replacement's old card comes back with the collection: into the register.
        card = handed_in.record_collected(tx, app, day)
        old = f"; kartu lama diterima (register nomor {card})" if card is not None else ""
        if handover.proxy_nik is None:
            return changes, "diterima pemohon sendiri" + old
        return changes, (
            f"diterima kuasa {handover.proxy_name} (NIK {mask_nik(handover.proxy_nik)}), "
            f"surat kuasa {handover.power_of_attorney}" + old
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
            raise DomainError("required", "reason", Msg("Alasan penolakan wajib diisi."))
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
