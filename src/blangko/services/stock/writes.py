"""Use cases that write the blank-card ledger: one transaction each, all or nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import Conflict, DomainError, one_of
from blangko.domain.ledger import (
    MOVES,
    SERVICES,
    SPOIL_REASON_LABEL_ID,
    Kind,
    State,
    check_spoil_reason,
)
from blangko.domain.limits import MAX_SERIALS_PER_WRITE, check_serial_count
from blangko.domain.serials import SerialRange, from_serials, parse_ranges, single, total
from blangko.domain.text import Msg
from blangko.formatting import month_bounds
from blangko.services.context import Context, WriteTx, location_id, write_once
from blangko.services.items.writes import record_prints_in
from blangko.services.stock import guesses
from blangko.services.stock.anchors import anchor_in
from blangko.services.stock.entries import (
    append_entry,
    check_entry_date,
    explain_shortfall,
    record_entry,
)
from blangko.services.stock.results import EntriesWritten, EntryView, MonthClosed

DEFAULT_STORE = "gudang"


def _require(value: str | None, field: str, what: str, hint: str | None = None) -> str:
    """The text, trimmed; blank: "<what> wajib diisi[: <hint>]." (what: the field's words)."""
    if value is None or not value.strip():
        raise DomainError(
            "required",
            field,
            Msg("{what} wajib diisi{nilai}.", what=what, nilai=": " + hint if hint else ""),
        )
    return value.strip()


def _serials(serials: str) -> list[SerialRange]:
    """The serials a write names, at most MAX_SERIALS_PER_WRITE of them: parsed and counted
    by the ranges' ends before the office's lock is taken."""
    return parse_ranges(serials, limit=MAX_SERIALS_PER_WRITE)


def _new_serials(tx: WriteTx, ranges: list[SerialRange]) -> list[SerialRange]:
    known = repo.known_serials(tx.conn, ranges)
    if known:
        raise Conflict(
            "serial_known",
            "serials",
            Msg(
                "Seri sudah tercatat di basis data: {known}. Setiap seri hanya boleh diterima sekali.",
                known=", ".join(known),
            ),
        )
    return ranges


def _store(tx: WriteTx, name: str | None, field: str) -> int:
    return location_id(tx.conn, tx.office, name or DEFAULT_STORE, field)


def _entries(tx: WriteTx, results: list[EntryView]) -> EntriesWritten:
    return {
        "office": tx.office,
        "entries": results,
        "quantity": sum(r["quantity"] for r in results),
        "replayed": False,
    }


def record_opening(
    ctx: Context,
    *,
    serials: str,
    effective: date | None = None,
    location: str | None = None,
    office: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    params = {"serials": serials, "date": effective, "location": location, "note": note}
    asked = _serials(serials)

    def body(tx: WriteTx) -> EntriesWritten:
        check_entry_date(tx, effective, opening=True)
        ranges = _new_serials(tx, asked)
        to = _store(tx, location, "location")
        return _entries(
            tx,
            [
                append_entry(
                    tx,
                    Kind.OPENING,
                    effective,
                    ranges,
                    to_location=to,
                    note=note,
                    idempotency_key=idempotency_key,
                )
            ],
        )

    return write_once(ctx, office, "stock.opening", params, idempotency_key, body)


def receive_shipment(
    ctx: Context,
    *,
    serials: str,
    source: str,
    document: str,
    effective: date | None = None,
    to: str | None = None,
    office: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    params = {
        "serials": serials,
        "date": effective,
        "source": source,
        "document": document,
        "to": to,
        "note": note,
    }
    asked = _serials(serials)

    def body(tx: WriteTx) -> EntriesWritten:
        src = _require(source, "source", "Asal kiriman")
        doc = _require(document, "document", "Nomor dokumen", "nomor berita acara serah terima")
        check_entry_date(tx, effective)
        ranges = _new_serials(tx, asked)
        dest = _store(tx, to, "to")
        return _entries(
            tx,
            [
                append_entry(
                    tx,
                    Kind.RECEIVE,
                    effective,
                    ranges,
                    to_location=dest,
                    party=src,
                    document=doc,
                    note=note,
                    idempotency_key=idempotency_key,
                )
            ],
        )

    return write_once(ctx, office, "stock.receive", params, idempotency_key, body)


def _one_of(serials: str | None, qty: int | None) -> None:
    if (serials is None) == (qty is None):
        raise DomainError(
            "serials_or_qty",
            "serials",
            Msg("Isi salah satu: rentang seri atau jumlah keping, tidak keduanya."),
        )


def _asked(serials: str | None, qty: int | None) -> list[SerialRange] | None:
    """Serials or a quantity, one of the two, within MAX_SERIALS_PER_WRITE (checked before
    the office's lock); the serials parsed, None for a quantity."""
    _one_of(serials, qty)
    if serials is not None:
        return _serials(serials)
    assert qty is not None
    if qty <= 0:
        raise DomainError("qty_positive", "qty", Msg("Jumlah keping harus lebih dari 0."))
    check_serial_count(qty, "qty", limit=MAX_SERIALS_PER_WRITE)
    return None


def _pick(
    tx: WriteTx,
    asked: list[SerialRange] | None,
    qty: int | None,
    location: int,
    location_name: str,
) -> list[SerialRange]:
    """The serials named (`asked`), or the lowest `qty` available at the location."""
    if asked is not None:
        return asked
    assert qty is not None
    ranges = repo.lowest_available(tx.conn, tx.office, location, qty)
    have = total(ranges)
    if have < qty:
        raise _insufficient(location_name, have, qty)
    return ranges


def _insufficient(location_name: str, have: int, qty: int) -> DomainError:
    return DomainError(
        "insufficient_stock",
        "qty",
        Msg(
            "Stok di '{location_name}' hanya {have} keping; tidak cukup untuk {qty}.",
            location_name=location_name,
            have=have,
            qty=qty,
        ),
    )


def _take(
    tx: WriteTx,
    asked: list[SerialRange] | None,
    qty: int | None,
    location_name: str,
    effective: date,
) -> tuple[int, list[SerialRange]]:
    """Consume the serials named (`asked`), or the lowest `qty` available, at the location
    named `location_name`: picked and moved in one statement per range, the location's id
    looked up inside it (no statement of its own on a print). Returns the location's id and
    the ranges moved. When fewer moved than asked, the books are read again to say why (the
    same errors, in the same order, as looking the location up, picking and checking the
    arrival dates one statement at a time)."""
    seq = tx.seq + 1
    to_state = MOVES[Kind.CONSUME].to_state
    if asked is None:
        assert qty is not None
        loc, ranges = repo.take_lowest(
            tx.conn, tx.office, location_name, qty, to_state, seq, effective
        )
        wanted, moved = qty, total(ranges)
    else:
        ranges = asked
        loc, moved = repo.take_named(
            tx.conn, tx.office, asked, location_name, to_state, seq, effective
        )
        wanted = total(asked)
    if loc is not None and moved == wanted:
        tx.met_locations({loc: location_name})
        return loc, ranges
    # Raising rolls back whatever this statement moved.
    loc = location_id(tx.conn, tx.office, location_name, "location")
    tx.met_locations({loc: location_name})
    if asked is None:
        assert qty is not None
        have = repo.count_available(tx.conn, tx.office, loc) + moved
        if have < qty:
            raise _insufficient(location_name, have, qty)
        # The lowest `qty` were picked; those left behind (an arrival after `effective`)
        # are now the lowest available.
        asked = repo.lowest_available(tx.conn, tx.office, loc, qty - moved)
    explain_shortfall(tx, asked, loc, effective, wanted, moved)


def transfer(
    ctx: Context,
    *,
    from_location: str,
    to_location: str,
    serials: str | None = None,
    qty: int | None = None,
    effective: date | None = None,
    office: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    params = {
        "serials": serials,
        "qty": qty,
        "from": from_location,
        "to": to_location,
        "date": effective,
        "note": note,
    }
    asked = _asked(serials, qty)

    def body(tx: WriteTx) -> EntriesWritten:
        check_entry_date(tx, effective)
        src = location_id(tx.conn, tx.office, from_location, "from")
        dst = location_id(tx.conn, tx.office, to_location, "to")
        if src == dst:
            raise DomainError(
                "same_location", "to", Msg("Lokasi asal dan tujuan tidak boleh sama.")
            )
        ranges = _pick(tx, asked, qty, src, from_location)
        return _entries(
            tx,
            [
                append_entry(
                    tx,
                    Kind.TRANSFER,
                    effective,
                    ranges,
                    from_location=src,
                    to_location=dst,
                    note=note,
                    idempotency_key=idempotency_key,
                )
            ],
        )

    return write_once(ctx, office, "stock.transfer", params, idempotency_key, body)


def check_service(service: str) -> str:
    return one_of(service, SERVICES, "unknown_service", "service", "Layanan")


def consume_in(
    tx: WriteTx,
    *,
    service: str,
    effective: date,
    serials: str | None = None,
    qty: int | None = None,
    location: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> list[EntryView]:
    """Consume blanks inside an open write transaction.

    The application-driven print uses this same function, in its own transaction, so a card
    printed and a blank consumed are one write.
    """
    check_service(service)
    check_entry_date(tx, effective)
    # Checked before the per-location path, which would otherwise ignore a --qty given too.
    asked = _asked(serials, qty)
    if location is None and asked is None:
        location = DEFAULT_STORE
    fields: dict[str, Any] = {"service": service, "note": note, "idempotency_key": idempotency_key}
    # A print (one blank) where this process has a guess: one statement (PostgreSQL).
    guessed = guesses.consume_guessed(tx, asked, qty, location, effective, **fields)
    if guessed is not None:
        return [guessed]
    if location is None:
        assert asked is not None
        views = _per_location(tx, Kind.CONSUME, effective, asked, **fields)
        found = views[0]["from_location"] if len(views) == 1 else None
        loc = None if found is None else tx.met_location_id(found)
        if found is not None and loc is not None:
            guesses.remember(tx, None, loc, found, None)  # where the next is tried first
        return views
    loc, ranges = _take(tx, asked, qty, location, effective)
    guesses.remember(tx, location, loc, location, ranges if asked is None else None)
    return [record_entry(tx, Kind.CONSUME, effective, ranges, from_location=loc, **fields)]


def consume(
    ctx: Context,
    *,
    service: str,
    serials: str | None = None,
    qty: int | None = None,
    location: str | None = None,
    effective: date | None = None,
    office: str | None = None,
    note: str | None = None,
    printer: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    """Blanks consumed (printed). With ``printer`` (the station's printer, by name) the cards
    are counted as that day's prints on it, in the same transaction, so its ribbon and film
    follow from the prints (services.items.writes.record_prints_in: refused on a printer not
    working that day, with no ribbon, or beyond the ribbon's yield without a note)."""
    effective = effective or ctx.today()
    params = {
        "serials": serials,
        "qty": qty,
        "service": service,
        "location": location,
        "date": effective,
        "note": note,
    }
    if printer is not None:
        params["printer"] = printer
    _asked(serials, qty)  # the limits, before the lock (consume_in parses them again)

    def body(tx: WriteTx) -> EntriesWritten:
        entries = consume_in(
            tx,
            service=service,
            effective=effective,
            serials=serials,
            qty=qty,
            location=location,
            note=note,
            idempotency_key=idempotency_key,
        )
        if printer is not None:
            cards = sum(int(e["quantity"]) for e in entries)
            record_prints_in(
                tx, name=printer, prints=cards, day=effective, note=note, station=location
            )
        return _entries(tx, entries)

    return write_once(ctx, office, "stock.consume", params, idempotency_key, body)


def _per_location(
    tx: WriteTx, kind: Kind, effective: date, ranges: list[SerialRange], **fields: Any
) -> list[EntryView]:
    """One entry per location holding the serials; any serial not available fails it all."""
    split, names = repo.locations_holding_named(tx.conn, tx.office, ranges)
    tx.met_locations(names)
    if None in split:
        bad = split[None][:5]
        raise DomainError(
            "serial_not_available",
            "serials",
            Msg(
                "Seri tidak tersedia (belum diterima, atau sudah terpakai/rusak/hilang/dikembalikan): {nilai}.",
                nilai=", ".join(str(r) for r in bad),
            ),
        )
    return [
        append_entry(tx, kind, effective, loc_ranges, from_location=loc, **fields)
        for loc, loc_ranges in sorted(split.items(), key=lambda kv: kv[0] or 0)
    ]


def spoil(
    ctx: Context,
    *,
    serial: str,
    reason: str,
    note: str | None = None,
    effective: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    params = {"serial": serial, "reason": reason, "note": note, "date": effective}

    def body(tx: WriteTx) -> EntriesWritten:
        check_spoil_reason(reason)
        if reason == "lainnya" and not (note and note.strip()):
            raise DomainError(
                "required",
                "note",
                Msg(
                    "Alasan {spoil_reason_label_id} wajib diberi keterangan: tulis apa yang terjadi pada blangko itu.",
                    spoil_reason_label_id=SPOIL_REASON_LABEL_ID["lainnya"],
                ),
            )
        check_entry_date(tx, effective)
        return _entries(
            tx,
            _per_location(
                tx,
                Kind.SPOIL,
                effective,
                [single(serial, "serial")],
                reason=reason,
                note=note,
                idempotency_key=idempotency_key,
            ),
        )

    return write_once(ctx, office, "stock.spoil", params, idempotency_key, body)


def spoil_printed_in(
    tx: WriteTx,
    *,
    serial: str,
    reason: str,
    effective: date,
    service: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> EntryView:
    """Re-book a printed (consumed) card as spoiled, inside an open write transaction.

    Used by the application misprint: the bad card is kept for destruction, so it must be in
    the spoiled state, not left counted as a card handed out.
    """
    check_spoil_reason(reason)
    check_entry_date(tx, effective)
    return append_entry(
        tx,
        Kind.MISPRINT,
        effective,
        [single(serial, "serial")],
        service=check_service(service) if service else None,
        reason=reason,
        note=note,
        idempotency_key=idempotency_key,
    )


def _leave_by_document(
    ctx: Context,
    operation: str,
    kind: Kind,
    params: dict[str, Any],
    required: dict[str, tuple[str, str, str, str | None]],
    *,
    office: str | None,
    idempotency_key: str | None,
) -> EntriesWritten:
    """Cards that leave the office's stock wherever they are, on a document: lost (police
    report) or returned (handover record). `required` maps each entry field to the input
    field, its value, its words in the error message and what it holds (or None); they are
    checked in order."""
    effective: date = params["date"]
    asked = _serials(params["serials"])

    def body(tx: WriteTx) -> EntriesWritten:
        fields = {
            name: _require(value, field, label, hint)
            for name, (field, value, label, hint) in required.items()
        }
        check_entry_date(tx, effective)
        return _entries(
            tx,
            _per_location(
                tx,
                kind,
                effective,
                asked,
                idempotency_key=idempotency_key,
                **fields,
            ),
        )

    return write_once(ctx, office, operation, params, idempotency_key, body)


def lose(
    ctx: Context,
    *,
    serials: str,
    reason: str,
    document: str,
    effective: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    return _leave_by_document(
        ctx,
        "stock.lose",
        Kind.LOSE,
        {"serials": serials, "reason": reason, "document": document, "date": effective},
        {
            "reason": ("reason", reason, "Alasan kehilangan", None),
            "document": ("document", document, "Nomor dokumen", "nomor laporan polisi"),
        },
        office=office,
        idempotency_key=idempotency_key,
    )


def return_blanks(
    ctx: Context,
    *,
    serials: str,
    to: str,
    document: str,
    effective: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    effective = effective or ctx.today()
    return _leave_by_document(
        ctx,
        "stock.return",
        Kind.RETURN,
        {"serials": serials, "to": to, "document": document, "date": effective},
        {
            "party": ("to", to, "Penerima (tujuan pengembalian)", None),
            "document": ("document", document, "Nomor dokumen", "nomor berita acara"),
        },
        office=office,
        idempotency_key=idempotency_key,
    )


def close_month(
    ctx: Context, *, month: str, office: str | None = None, idempotency_key: str | None = None
) -> MonthClosed:
    params = {"month": month}

    def body(tx: WriteTx) -> MonthClosed:
        first, _last = month_bounds(month)
        today = ctx.today()
        if (first.year, first.month) >= (today.year, today.month):
            raise DomainError(
                "month_not_over",
                "month",
                Msg(
                    "Bulan {month} belum berakhir: hanya bulan yang sudah lewat dapat ditutup.",
                    month=month,
                ),
            )
        key = first.strftime("%Y-%m")
        if key in repo.closed_months(tx.conn, tx.office):
            raise Conflict(
                "month_already_closed", "month", Msg("Bulan {key} sudah ditutup.", key=key)
            )
        repo.close_month(tx.conn, office=tx.office, month=key, at=ctx.now(), actor=ctx.actor)
        tx.closed(key)
        # The head at the close, anchored and signed: the number for the signed record.
        anchor = anchor_in(tx, reason="month_close", month=key)
        return {
            "office": tx.office,
            "month": key,
            "closed": True,
            "ledger_seq": anchor["seq"],
            "ledger_hash": anchor["hash"],
            "anchor": anchor["number"],
            "replayed": False,
        }

    return write_once(ctx, office, "stock.close_month", params, idempotency_key, body)


def destroy_spoiled(
    ctx: Context,
    *,
    month: str,
    destroyed_on: date | None = None,
    witnesses: list[str],
    document: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> EntriesWritten:
    """Record the destruction of every card spoiled in a month that is not destroyed yet.

    Destruction is witnessed: the witnesses' names go into the entry (party) so that the
    destruction record can be reprinted from the ledger alone.
    """
    destroyed_on = destroyed_on or ctx.today()
    params = {
        "month": month,
        "date": destroyed_on,
        "witnesses": witnesses,
        "document": document,
    }

    def body(tx: WriteTx) -> EntriesWritten:
        first, last = month_bounds(month)
        doc = _require(document, "document", "Nomor dokumen", "nomor berita acara pemusnahan")
        names = [w.strip() for w in witnesses if w and w.strip()]
        if len({n.lower() for n in names}) < 2:
            raise DomainError(
                "witnesses_required",
                "witness",
                Msg(
                    "Pemusnahan wajib disaksikan sedikitnya dua orang yang berbeda: sebutkan nama setiap saksi."
                ),
            )
        check_entry_date(tx, destroyed_on)
        cards = repo.spoiled_between(tx.conn, tx.office, first, last)
        key = first.strftime("%Y-%m")
        if not cards:
            raise DomainError(
                "nothing_to_destroy",
                "month",
                Msg("Tidak ada blangko rusak pada bulan {key}.", key=key),
            )
        pending = [c for c in cards if c.state == State.SPOILED.value]
        if not pending:
            raise Conflict(
                "already_destroyed",
                "month",
                Msg(
                    "Semua {cards} blangko rusak bulan {key} sudah dimusnahkan.",
                    cards=len(cards),
                    key=key,
                ),
            )
        latest = max(c.effective_date for c in pending)
        if destroyed_on < latest:
            raise DomainError(
                "destroyed_before_spoiled",
                "date",
                Msg(
                    "Tanggal pemusnahan {destroyed_on:%d-%m-%Y} sebelum tanggal blangko dicatat rusak ({latest:%d-%m-%Y}): pemusnahan harus sesudahnya.",
                    destroyed_on=destroyed_on,
                    latest=latest,
                ),
            )
        ranges = from_serials(c.serial for c in pending)
        return _entries(
            tx,
            [
                append_entry(
                    tx,
                    Kind.DESTROY,
                    destroyed_on,
                    ranges,
                    document=doc,
                    party="; ".join(names),
                    note=Msg("pemusnahan blangko rusak bulan {month}", month=key),
                    idempotency_key=idempotency_key,
                )
            ],
        )

    return write_once(ctx, office, "stock.destroy", params, idempotency_key, body)
