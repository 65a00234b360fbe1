"""Shipments of blanks between ledgers (docs/network.md, "The life of a shipment").

Sending is one write of the sender's ledger: a ship_out entry takes the serials out of its
stock into transit (state in_transit, no location, still on the sender's rows), and the
shipment row records them. Receiving is one write of the receiver's ledger, against its
signed handover record (BAST): a ship_in entry takes the serials that arrived into its store,
a transit_loss entry books those that did not (with the document that says so), and a spoil
entry books those that arrived damaged. Each side's entries stay in its own chain, so each
write locks one chain head; the shipment row (locked FOR UPDATE on PostgreSQL, BEGIN
IMMEDIATE on SQLite) makes a second receipt wait and then find the shipment received.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.repos import ledger as ledger_repo
from blangko.adapters.repos import network as repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.ledger import Kind, State
from blangko.domain.limits import MAX_SERIALS_PER_WRITE, check_serial_count
from blangko.domain.serials import (
    SerialRange,
    difference,
    format_ranges,
    merge,
    parse_ranges,
    total,
)
from blangko.domain.text import N_, Msg
from blangko.formatting import num
from blangko.services.context import Context, WriteTx, location_id, write_once
from blangko.services.network import loan_book, request_steps
from blangko.services.network.organisation import EVERYTHING, STORE_NAME, Reach
from blangko.services.network.results import ShipmentView, ShipmentWritten
from blangko.services.stock.entries import append_entry, check_entry_date, record_entry


def view(row: Any) -> ShipmentView:
    return {
        "id": int(row.id),
        "from_office": row.office_code,
        "to_office": row.to_office,
        "status": row.status,
        "sent_date": row.sent_date.isoformat(),
        "sent_by": row.sent_by,
        "sent_seq": int(row.sent_seq),
        "document": row.document,
        "quantity": int(row.quantity),
        "serials": row.serials,
        "note": row.note,
        "received_date": row.received_date.isoformat() if row.received_date else None,
        "received_by": row.received_by,
        "received_document": row.received_document,
        "received_qty": row.received_qty,
        "lost_qty": row.lost_qty,
        "damaged_qty": row.damaged_qty,
        "received_seq": row.received_seq,
        "lost_seq": row.lost_seq,
        "lost_document": row.lost_document,
        "request": row.request_id,
        "loan_id": row.loan_id,
    }


def _required(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value.strip()


def _ranges(text: str | None, field: str) -> list[SerialRange]:
    if text is None or not text.strip():
        return []
    return parse_ranges(text, field=field, limit=MAX_SERIALS_PER_WRITE)


def send(
    ctx: Context,
    *,
    from_office: str | None,
    to_office: str,
    document: str,
    serials: str | None = None,
    qty: int | None = None,
    location: str | None = None,
    effective: date | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
    request: int | None = None,
) -> ShipmentWritten:
    """Book serials (named, or the lowest `qty` available at the store) out of the sender's
    stock into a shipment to another office of the database; with `request`, as a tranche of
    that approved request (request_steps.on_ship, in the same transaction)."""
    effective = effective or ctx.today()
    params: dict[str, Any] = {
        "to": to_office,
        "document": document,
        "serials": serials,
        "qty": qty,
        "location": location,
        "date": effective,
        "note": note,
    }
    if request is not None:
        params["request"] = request
    if (serials is None or not serials.strip()) == (qty is None):
        raise DomainError(
            "serials_or_qty",
            "serials",
            N_("Sebutkan rentang seri yang dikirim atau jumlah kepingnya (salah satu saja)."),
        )
    asked = _ranges(serials, "serials") if qty is None else None
    if qty is not None:
        check_serial_count(qty, "qty", limit=MAX_SERIALS_PER_WRITE)

    def body(tx: WriteTx) -> ShipmentWritten:
        shipped = book_send(
            tx,
            to_office=to_office,
            document=document,
            asked=asked,
            qty=qty,
            location=location,
            effective=effective,
            note=note,
            request=request,
        )
        return {"office": tx.office, "shipment": shipped, "replayed": False}

    return write_once(ctx, from_office, "shipment.send", params, idempotency_key, body)


def book_send(
    tx: WriteTx,
    *,
    to_office: str,
    document: str,
    asked: list[SerialRange] | None,
    qty: int | None,
    location: str | None,
    effective: date,
    note: str | None,
    loan_id: int | None = None,
    request: int | None = None,
) -> ShipmentView:
    """Within the sender's write `tx`: book the serials `asked` (or the lowest `qty`
    available at the store) out into a new shipment to `to_office` (of `loan_id`, when it
    is a loan's shipment or a return of one; a tranche of `request`, when it is one)."""
    idempotency_key = tx.idempotency_key
    receiver = _required(to_office, "to", "Kantor tujuan")
    if repo.office_kind(tx.conn, receiver) is None:
        raise NotFound(
            "unknown_office",
            "to",
            Msg("Kantor tujuan '{receiver}' tidak ada di basis data ini.", receiver=receiver),
        )
    if receiver == tx.office:
        raise DomainError(
            "same_office",
            "to",
            N_("Kantor tujuan sama dengan kantor pengirim: kirim ke kantor lain."),
        )
    doc = _required(document, "document", "Nomor dokumen (surat pengantar/BAST kiriman)")
    check_entry_date(tx, effective)
    name = location or STORE_NAME
    loc = location_id(tx.conn, tx.office, name, "location")
    if asked is None:
        assert qty is not None
        if qty < 1:
            raise DomainError("qty_positive", "qty", N_("Jumlah keping harus lebih dari 0."))
        ranges = ledger_repo.lowest_available(tx.conn, tx.office, loc, qty)
        if total(ranges) < qty:
            raise DomainError(
                "insufficient_stock",
                "qty",
                Msg(
                    ("Stok di '{name}' hanya {value} keping; tidak cukup untuk mengirim {qty}."),
                    name=name,
                    value=num(total(ranges)),
                    qty=num(qty),
                ),
            )
    else:
        ranges = merge(asked)
    shipment_id = repo.insert_shipment(
        tx.conn,
        sender=tx.office,
        receiver=receiver,
        sent_date=effective,
        sent_at=tx.ctx.now(),
        sent_by=tx.ctx.actor,
        sent_seq=tx.seq + 1,
        document=doc,
        quantity=total(ranges),
        serials=format_ranges(ranges),
        note=note,
        loan_id=loan_id,
    )
    if request is not None:
        request_steps.on_ship(
            tx.conn,
            request,
            receiver=receiver,
            quantity=total(ranges),
            shipment=shipment_id,
            actor=tx.ctx.actor,
            at=tx.ctx.now(),
            note=note,
        )
    # Out of the store into transit; serials not available there fail it all, naming them.
    append_entry(
        tx,
        Kind.SHIP_OUT,
        effective,
        ranges,
        from_location=loc,
        party=receiver,
        document=doc,
        note=_note(shipment_id, note),
        idempotency_key=idempotency_key,
    )
    row = repo.shipment(tx.conn, shipment_id)
    return view(row)


def _note(shipment_id: int, note: str | None) -> str:
    return f"kiriman #{shipment_id}" + (f"; {note}" if note and note.strip() else "")


def _shipment_id(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise DomainError(
            "shipment_id", "shipment", Msg("Nomor kiriman '{value}' tidak sah.", value=value)
        )
    return number


def receive(
    ctx: Context,
    *,
    shipment: int | str,
    document: str,
    missing: str | None = None,
    missing_document: str | None = None,
    damaged: str | None = None,
    location: str | None = None,
    effective: date | None = None,
    office: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> ShipmentWritten:
    """Book a shipment in against the receiver's handover record: the serials that arrived
    into its store, `missing` ones as lost in transit (with `missing_document`), `damaged`
    ones received and booked spoiled (reason rusak_kiriman)."""
    number = _shipment_id(shipment)
    effective = effective or ctx.today()
    params = {
        "shipment": number,
        "document": document,
        "missing": missing,
        "missing_document": missing_document,
        "damaged": damaged,
        "location": location,
        "date": effective,
        "note": note,
    }
    lost = _ranges(missing, "missing")
    bad = _ranges(damaged, "damaged")
    with ctx.read() as conn:
        found = repo.shipment(conn, number)
    if found is None:
        raise NotFound(
            "unknown_shipment", "shipment", Msg("Kiriman #{number} tidak ada.", number=number)
        )
    receiver = found.to_office
    acting = office.strip() if office and office.strip() else None
    if acting is not None and acting not in (receiver, found.office_code):
        # Another office's shipment: as unknown as one that does not exist.
        raise NotFound(
            "unknown_shipment", "shipment", Msg("Kiriman #{number} tidak ada.", number=number)
        )
    if acting is not None and acting != receiver:
        raise DomainError(
            "not_receiver",
            "shipment",
            Msg(
                (
                    "Kiriman #{number} dikirim oleh kantor ini ke kantor {receiver}: hanya "
                    "kantor tujuan yang dapat menerimanya."
                ),
                number=number,
                receiver=receiver,
            ),
        )

    def body(tx: WriteTx) -> ShipmentWritten:
        row = repo.shipment(tx.conn, number, lock=True)
        assert row is not None
        if row.status != "in_transit":
            raise Conflict(
                "shipment_received",
                "shipment",
                Msg(
                    (
                        "Kiriman #{number} sudah diterima pada {received_date:%d-%m-%Y} (BAST "
                        "{received_document}): kiriman hanya diterima sekali."
                    ),
                    number=number,
                    received_date=row.received_date,
                    received_document=row.received_document,
                ),
            )
        doc = _required(document, "document", "Nomor BAST (berita acara serah terima)")
        check_entry_date(tx, effective)
        if effective < row.sent_date:
            raise DomainError(
                "received_before_sent",
                "date",
                Msg(
                    (
                        "Tanggal terima {effective:%d-%m-%Y} sebelum tanggal kirim "
                        "{sent_date:%d-%m-%Y}."
                    ),
                    effective=effective,
                    sent_date=row.sent_date,
                ),
            )
        sent = parse_ranges(row.serials)
        for ranges, field, what in ((lost, "missing", "tidak sampai"), (bad, "damaged", "rusak")):
            outside = difference(ranges, sent)
            if outside:
                raise DomainError(
                    "serial_not_in_shipment",
                    field,
                    Msg(
                        "Seri yang dicatat {what} tidak termasuk kiriman #{number}: {value}.",
                        what=what,
                        number=number,
                        value=format_ranges(outside[:5]),
                    ),
                )
        if lost and total(difference(lost, bad)) != total(merge(lost)):
            raise DomainError(
                "serial_twice",
                "damaged",
                N_(
                    "Seri yang sama dicatat tidak sampai dan rusak: satu keping hanya "
                    "salah satunya."
                ),
            )
        lost_doc = None
        if lost:
            lost_doc = _required(
                missing_document,
                "missing_document",
                "Nomor dokumen kehilangan dalam perjalanan (berita acara kekurangan)",
            )
        arrived = difference(sent, lost)
        store = location_id(tx.conn, tx.office, location or STORE_NAME, "location")
        received_seq = None
        if arrived:
            received_seq = _adopt(
                tx,
                row,
                arrived,
                State.AVAILABLE,
                store,
                Kind.SHIP_IN,
                effective,
                doc,
                note,
                idempotency_key,
            )
        lost_seq = None
        if lost:
            lost_seq = _adopt(
                tx,
                row,
                merge(lost),
                State.LOST,
                None,
                Kind.TRANSIT_LOSS,
                effective,
                lost_doc,
                note,
                idempotency_key,
            )
        if bad:
            append_entry(
                tx,
                Kind.SPOIL,
                effective,
                merge(bad),
                from_location=store,
                reason="rusak_kiriman",
                document=doc,
                note=_note(number, note),
                idempotency_key=idempotency_key,
            )
        changed = repo.mark_received(
            tx.conn,
            number,
            received_date=effective,
            received_at=ctx.now(),
            received_by=ctx.actor,
            document=doc,
            received_qty=total(arrived),
            lost_qty=total(lost),
            damaged_qty=total(bad),
            received_seq=received_seq,
            lost_seq=lost_seq,
            lost_document=lost_doc,
        )
        if changed != 1:
            raise Conflict(
                "shipment_received",
                "shipment",
                Msg(
                    (
                        "Kiriman #{number} baru saja diterima oleh proses lain: kiriman hanya "
                        "diterima sekali."
                    ),
                    number=number,
                ),
            )
        if row.request_id is not None:
            request_steps.on_receive(
                tx.conn,
                int(row.request_id),
                shipment=number,
                arrived=total(arrived),
                actor=ctx.actor,
                at=ctx.now(),
            )
        done = repo.shipment(tx.conn, number)
        if done is not None and done.loan_id is not None:
            loan_book.shipment_received(tx, done)
        return {"office": tx.office, "shipment": view(done), "replayed": False}

    return write_once(ctx, receiver, "shipment.receive", params, idempotency_key, body)


def _adopt(
    tx: WriteTx,
    row: Any,
    ranges: list[SerialRange],
    to_state: State,
    to_location: int | None,
    kind: Kind,
    effective: date,
    document: str | None,
    note: str | None,
    idempotency_key: str | None,
) -> int:
    """Take the shipment's in-transit serials of `ranges` into this ledger by one entry."""
    seq = tx.seq + 1
    moved = repo.adopt_in_transit(
        tx.conn,
        sender=row.office_code,
        receiver=tx.office,
        ranges=ranges,
        sent_seq=int(row.sent_seq),
        to_state=to_state,
        to_location=to_location,
        seq=seq,
    )
    if moved != total(ranges):
        raise Conflict(
            "shipment_state",
            "shipment",
            Msg(
                (
                    "Hanya {moved} dari {value} seri kiriman #{id} masih dalam perjalanan: "
                    "buku kiriman ini tidak utuh; jalankan pemeriksaan jaringan."
                ),
                moved=moved,
                value=total(ranges),
                id=row.id,
            ),
        )
    entry = record_entry(
        tx,
        kind,
        effective,
        ranges,
        to_location=to_location,
        party=row.office_code,
        document=document,
        note=_note(int(row.id), note),
        idempotency_key=idempotency_key,
    )
    return entry["seq"]


def list_shipments(
    ctx: Context,
    *,
    office: str | None = None,
    status: str | None = None,
    reach: Reach = EVERYTHING,
) -> list[ShipmentView]:
    """Shipments sent or received by `office` (every office's when None) that a ledger
    within `reach` sent or received, newest first."""
    if status is not None and status not in ("in_transit", "received"):
        raise DomainError(
            "shipment_status", "status", N_("Status kiriman harus in_transit atau received.")
        )
    with ctx.read() as conn:
        if office is not None and repo.office_kind(conn, office.strip()) is None:
            raise NotFound(
                "unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=office)
            )
        rows = repo.shipments(conn, office.strip() if office else None, status)
    return [view(r) for r in rows if reach.covers(r.office_code) or reach.covers(r.to_office)]


def show(ctx: Context, *, shipment: int | str, reach: Reach = EVERYTHING) -> ShipmentView:
    """One shipment that a ledger within `reach` sent or received (else: not found)."""
    number = _shipment_id(shipment)
    with ctx.read() as conn:
        row = repo.shipment(conn, number)
    if row is None or not (reach.covers(row.office_code) or reach.covers(row.to_office)):
        raise NotFound(
            "unknown_shipment", "shipment", Msg("Kiriman #{number} tidak ada.", number=number)
        )
    return view(row)
