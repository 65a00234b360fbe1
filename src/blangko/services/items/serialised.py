"""Use cases of a serialised item other than the e-KTP blank (a KIA blank; docs/ledger.md,
"Kartu berseri lain: KIA"): receive a serial range, print one serial (on a printer, so its
ribbon counts the print), spoil or lose serials, count by serial scan. Each writes one entry
in the item's own hash chain (item_entry, with the serial ranges it moves) and moves the
serials' states (item_serial), in one transaction under the office's lock; refused with
nothing written when a serial is not where the entry needs it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from blangko.adapters import tables_items as ti
from blangko.adapters.repos import items as repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.items import (
    SERIAL_MOVES,
    SERIAL_STATE_LABEL_ID,
    SerialRule,
    check_item_code,
    check_serials,
    refuse_quantity,
    serial_rule,
)
from blangko.domain.serials import (
    SerialRange,
    difference,
    expand,
    format_ranges,
    from_serials,
    merge,
    total,
)
from blangko.domain.text import Msg
from blangko.services.context import Context, WriteTx, resolve_office, write_once

# writes imports this module (its receive, remove and count hand a serialised item here) and
# this one writes its entries with writes' helpers: a module import, read at call time.
from blangko.services.items import writes as item_writes
from blangko.services.items.results import (
    ItemEntriesWritten,
    ItemEntryView,
    SerialCountResult,
)
from blangko.services.stock.entries import check_entry_date


def is_serialised(ctx: Context, item: str, office: str | None) -> bool:
    """Whether ``item`` is a serialised item of the office (its kind never changes, so read
    before the write's own transaction)."""
    with ctx.read() as conn:
        row = repo.item(conn, resolve_office(conn, office), check_item_code(item))
    return row is not None and row.kind == "serialised"


def _item(tx: WriteTx, code: str) -> tuple[Any, SerialRule]:
    code = check_item_code(code)
    row = repo.item(tx.conn, tx.office, code)
    if row is None:
        raise NotFound(
            "unknown_item",
            "item",
            Msg("Barang '{code}' tidak ada di kantor {office}.", code=code, office=tx.office),
        )
    if row.kind != "serialised":
        raise DomainError(
            "quantity_item_by_serial",
            "serials",
            Msg(
                "Barang ini dihitung per unit dan lot, bukan per nomor seri: sebutkan jumlah unit per lot."
            ),
        )
    return row, serial_rule(row.serial_pattern)


def _entry_dates(tx: WriteTx, item_code: str, seqs: set[int]) -> dict[int, date]:
    e = ti.item_entry.c
    rows = tx.conn.execute(
        select(e.seq, e.effective_date).where(
            e.office_code == tx.office, e.item_code == item_code, e.seq.in_(sorted(seqs))
        )
    )
    return {int(r.seq): r.effective_date for r in rows}


def _held(tx: WriteTx, item_code: str, ranges: list[SerialRange]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in ranges:
        first, last = r.serial(r.first), r.serial(r.last)
        for row in repo.serials_between(tx.conn, tx.office, item_code, first, last):
            out[row.serial] = row
    return out


def _move(
    tx: WriteTx,
    item_code: str,
    kind: str,
    ranges: list[SerialRange],
    day: date,
    held: dict[str, Any],
) -> None:
    """Refuses when a serial is not in a state the entry moves it from, or was put there
    after ``day``: the first such serial named, with its state."""
    allowed, _after = SERIAL_MOVES[kind]
    dates = _entry_dates(tx, item_code, {int(r.seq) for r in held.values()})
    for s in expand(ranges):
        row = held.get(s)
        state = row.state if row is not None else None
        if state not in allowed:
            where = SERIAL_STATE_LABEL_ID[state] if state else "belum diterima"
            raise Conflict(
                "serial_not_in_store" if state != "in_store" else "serial_held",
                "serials",
                Msg(
                    "Seri {serial} barang '{item}' {where}: tidak bisa dicatat sebagai {kind}.",
                    serial=s,
                    item=item_code,
                    where=where,
                    kind=_KIND_WORD[kind],
                ),
            )
        if row is not None and dates[int(row.seq)] > day:
            raise DomainError(
                "serial_after_date",
                "date",
                Msg(
                    "Seri {serial} baru tercatat di gudang sesudah {day:%d-%m-%Y}.",
                    serial=s,
                    day=day,
                ),
            )


_KIND_WORD = {
    "receive": "diterima",
    "print": "dicetak",
    "spoil": "rusak",
    "lose": "hilang",
    "found": "ditemukan",
    "missing": "tidak ditemukan",
}


def _book(
    tx: WriteTx,
    item_code: str,
    rule: SerialRule,
    kind: str,
    ranges: list[SerialRange],
    day: date,
    held: dict[str, Any],
    **fields: Any,
) -> ItemEntryView:
    """The entry in the item's chain and the serials' new states."""
    text = format_ranges(ranges)
    view = item_writes.append_entry(
        tx, item_code, kind, day, rule.lot, total(ranges), serials=text, **fields
    )
    _before, after = SERIAL_MOVES[kind]
    serials = list(expand(ranges))
    new = [s for s in serials if s not in held]
    repo.insert_serials(tx.conn, tx.office, item_code, new, after, view["seq"])
    repo.move_serials(
        tx.conn, tx.office, item_code, [s for s in serials if s in held], after, view["seq"]
    )
    view["serials"] = text
    return view


def _text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value.strip()


def _written(tx: WriteTx, item_code: str, view: ItemEntryView) -> ItemEntriesWritten:
    return {"office": tx.office, "item": item_code, "entries": [view], "replayed": False}


def receive(
    ctx: Context,
    *,
    item: str,
    serials: str | None,
    document: str,
    effective: date | None = None,
    lot: str | None = None,
    quantity: int | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemEntriesWritten:
    """A serial range of a serialised item into the store, with its delivery document. A
    serial the office already holds (in any state) or of another pattern is refused."""
    refuse_quantity(lot, quantity, item)
    doc = _text(document, "document", "Nomor dokumen penerimaan")
    raw = _text(serials, "serials", "Nomor seri")
    params = {"item": item, "serials": raw, "doc": doc, "date": effective}

    def body(tx: WriteTx) -> ItemEntriesWritten:
        row, rule = _item(tx, item)
        ranges = check_serials(raw, rule)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        held = _held(tx, row.code, ranges)
        if held:
            known = from_serials(held)
            raise Conflict(
                "serials_held",
                "serials",
                Msg(
                    "Seri {serials} barang '{item}' sudah tercatat di kantor ini: satu seri hanya diterima sekali.",
                    serials=format_ranges(known[:5]),
                    item=row.code,
                ),
            )
        view = _book(tx, row.code, rule, "receive", ranges, day, held, document=doc)
        return _written(tx, row.code, view)

    return write_once(ctx, office, "item.serial.receive", params, idempotency_key, body)


def print_serial(
    ctx: Context,
    *,
    item: str,
    serial: str,
    printer: str | None = None,
    station: str | None = None,
    note: str | None = None,
    effective: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemEntriesWritten:
    """One card of a serialised item printed: the serial leaves the store; with ``printer``
    the card is one print on it that day (its ribbon and film count it, refused on a printer
    not working, with no ribbon, or past the ribbon's yield without a note)."""
    raw = _text(serial, "serial", "Nomor seri")
    params: dict[str, Any] = {"item": item, "serial": raw, "printer": printer, "station": station}
    params.update({"note": note, "date": effective})

    def body(tx: WriteTx) -> ItemEntriesWritten:
        row, rule = _item(tx, item)
        ranges = check_serials(raw, rule, "serial")
        if total(ranges) != 1:
            raise DomainError(
                "one_serial", "serial", Msg("Sebutkan satu nomor seri untuk satu kartu.")
            )
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        held = _held(tx, row.code, ranges)
        _move(tx, row.code, "print", ranges, day, held)
        printer_id = printer_name = None
        if printer is not None:
            p = item_writes.record_prints_in(
                tx, name=printer, prints=1, day=day, note=note, station=station
            )
            printer_id, printer_name = int(p.id), str(p.name)
        view = _book(
            tx,
            row.code,
            rule,
            "print",
            ranges,
            day,
            held,
            printer_id=printer_id,
            printer_name=printer_name,
            note=note,
        )
        return _written(tx, row.code, view)

    return write_once(ctx, office, "item.serial.print", params, idempotency_key, body)


def remove(
    ctx: Context,
    *,
    item: str,
    kind: str,
    serials: str | None,
    reason: str,
    document: str | None = None,
    effective: date | None = None,
    lot: str | None = None,
    quantity: int | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemEntriesWritten:
    """Serials spoiled or lost, with the reason (a loss also its report's number)."""
    refuse_quantity(lot, quantity, item)
    if kind not in ("spoil", "lose"):
        raise DomainError("unknown_kind", "kind", Msg("Jenis harus rusak atau hilang."))
    why = _text(reason, "reason", "Alasan")
    if kind == "lose":
        document = _text(document, "document", "Nomor laporan kehilangan")
    raw = _text(serials, "serials", "Nomor seri")
    params: dict[str, Any] = {"item": item, "kind": kind, "serials": raw, "reason": why}
    params["doc"] = document
    params["date"] = effective

    def body(tx: WriteTx) -> ItemEntriesWritten:
        row, rule = _item(tx, item)
        ranges = check_serials(raw, rule)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        held = _held(tx, row.code, ranges)
        _move(tx, row.code, kind, ranges, day, held)
        view = _book(tx, row.code, rule, kind, ranges, day, held, reason=why, document=document)
        return _written(tx, row.code, view)

    return write_once(ctx, office, f"item.serial.{kind}", params, idempotency_key, body)


def count(
    ctx: Context,
    *,
    item: str,
    serials: str | None,
    reason: str | None = None,
    effective: date | None = None,
    lot: str | None = None,
    counted: int | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> SerialCountResult:
    """A count of a serialised item by scanning every card in the store: serials on the book
    but not scanned are missing, serials scanned but not on the book in store are found; the
    variances are booked at once with the reason (a count that agrees writes nothing)."""
    refuse_quantity(lot, counted, item)
    raw = (serials or "").strip()
    params = {"item": item, "serials": raw, "reason": reason, "date": effective}

    def body(tx: WriteTx) -> SerialCountResult:
        row, rule = _item(tx, item)
        scanned = check_serials(raw, rule) if raw else []
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        book = from_serials(repo.serials_in_state(tx.conn, tx.office, row.code, "in_store"))
        found = _minus(scanned, book)
        missing = _minus(book, scanned)
        entries: list[ItemEntryView] = []
        if found or missing:
            why = _text(reason, "reason", "Alasan selisih hitung")
            for kind, ranges in (("missing", missing), ("found", found)):
                if ranges:
                    held = _held(tx, row.code, ranges)
                    _move(tx, row.code, kind, ranges, day, held)
                    entries.append(_book(tx, row.code, rule, kind, ranges, day, held, reason=why))
        return {
            "office": tx.office,
            "item": row.code,
            "book": total(book),
            "counted": total(scanned),
            "variance": total(found) - total(missing),
            "found": format_ranges(found),
            "missing": format_ranges(missing),
            "entries": entries,
            "replayed": False,
        }

    return write_once(ctx, office, "item.serial.count", params, idempotency_key, body)


def _minus(a: list[SerialRange], b: list[SerialRange]) -> list[SerialRange]:
    return merge(difference(a, b))
