"""Use cases that write items other than the e-KTP blank and the printers: one transaction
each, under the office's lock (the same lock as the blank ledger's writes), all or nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.repos import items as repo
from blangko.domain.errors import Conflict, DomainError, NotFound, one_of
from blangko.domain.items import (
    DEFAULT_ITEM,
    DOWN_STATES,
    ITEM_KINDS,
    REGENCY_LEAD_TIME_DAYS,
    ItemEntryRecord,
    ItemTally,
    check_item_code,
    check_lot,
    check_printer_state,
    check_role,
    check_units,
    check_yield,
    print_overrun,
    refuse_serials,
    serial_rule,
)
from blangko.domain.limits import check_date
from blangko.domain.text import Msg
from blangko.services.context import Context, WriteTx, location_id, write_once
from blangko.services.items import serialised
from blangko.services.items.queries import item_view, load_views, printer_view
from blangko.services.items.results import (
    ItemAdded,
    ItemCountResult,
    ItemEntriesWritten,
    ItemEntryView,
    PrinterWritten,
    SerialCountResult,
)
from blangko.services.stock.entries import check_entry_date


def _text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value.strip()


def _quantity_item(tx: WriteTx, code: str, field: str = "lot") -> Any:
    code = check_item_code(code)
    if code == DEFAULT_ITEM:
        raise DomainError(
            "serialised_item",
            "item",
            Msg(
                "Blangko KTP-el dicatat per nomor seri di buku blangko: gunakan perintah stok blangko."
            ),
        )
    row = repo.item(tx.conn, tx.office, code)
    if row is None:
        raise NotFound(
            "unknown_item",
            "item",
            Msg("Barang '{code}' tidak ada di kantor {office}.", code=code, office=tx.office),
        )
    if row.kind == "serialised":
        raise DomainError(
            "serialised_item_by_quantity",
            field,
            Msg(
                "Barang '{item}' dicatat per nomor seri, bukan per lot dan jumlah: sebutkan rentang serinya, tanpa lot dan jumlah.",
                item=row.code,
            ),
        )
    return row


def _append(
    tx: WriteTx,
    item_code: str,
    kind: str,
    effective: date,
    lot: str,
    quantity: int,
    *,
    printer_id: int | None = None,
    printer_name: str | None = None,
    reason: str | None = None,
    document: str | None = None,
    note: str | None = None,
    serials: str | None = None,
) -> ItemEntryView:
    seq, prev = repo.chain_head(tx.conn, tx.office, item_code)
    record = ItemEntryRecord(
        office=tx.office,
        item=item_code,
        seq=seq + 1,
        kind=kind,
        effective_date=effective,
        recorded_at=tx.ctx.now(),
        actor=tx.ctx.actor,
        lot=lot,
        quantity=quantity,
        printer_id=printer_id,
        reason=reason,
        document=document,
        note=note,
        idempotency_key=tx.idempotency_key,
        prev_hash=prev,
        serials=serials,
    )
    digest = record.compute_hash()
    repo.insert_entry(tx.conn, record, digest)
    return {
        "item": item_code,
        "seq": record.seq,
        "kind": kind,
        "date": effective.isoformat(),
        "lot": lot,
        "quantity": quantity,
        "printer": printer_name,
        "hash": digest,
    }


# The serialised items' use cases (services.items.serialised) write their entries with it.
append_entry = _append


def _required(value: Any, field: str, what: str) -> Any:
    if value is None:
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value


def _lot_on_hand(tx: WriteTx, item_code: str, lot: str, as_of: date | None = None) -> int:
    tally = ItemTally()
    for row in repo.iter_entries(tx.conn, tx.office, item_code, as_of=as_of):
        tally.add(row.kind, row.lot, int(row.quantity))
    return tally.by_lot.get(lot, 0)


def _existing_lot(tx: WriteTx, item_code: str, lot: str) -> Any:
    row = repo.lot(tx.conn, tx.office, item_code, check_lot(lot))
    if row is None:
        raise NotFound(
            "unknown_lot",
            "lot",
            Msg("Lot '{lot}' barang '{item}' belum pernah diterima.", lot=lot, item=item_code),
        )
    return row


def _take(tx: WriteTx, item_code: str, lot: str, quantity: int, effective: date) -> None:
    """Refuses to take more units of a lot than the store holds, on the date and today."""
    have = min(_lot_on_hand(tx, item_code, lot, effective), _lot_on_hand(tx, item_code, lot, None))
    if quantity > have:
        raise Conflict(
            "insufficient_units",
            "qty",
            Msg(
                "Lot '{lot}' barang '{item}' hanya tersisa {have} unit; {quantity} diminta.",
                lot=lot,
                item=item_code,
                have=have,
                quantity=quantity,
            ),
        )


def _written(tx: WriteTx, item_code: str, entries: list[ItemEntryView]) -> ItemEntriesWritten:
    return {"office": tx.office, "item": item_code, "entries": entries, "replayed": False}


# Items ----------------------------------------------------------------------------------------


def add_item(
    ctx: Context,
    *,
    code: str,
    name: str,
    role: str,
    unit: str,
    yield_prints: int | None = None,
    lead_time_days: int | None = None,
    kind: str = "quantity",
    serial_pattern: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemAdded:
    """Adds a quantity item (ribbon, film, other) to the office's list, or with kind
    "serialised" another serialised card type (a KIA blank) with its serial pattern."""
    params = {
        "code": code,
        "name": name,
        "role": role,
        "unit": unit,
        "yield": yield_prints,
        "lead": lead_time_days,
    }
    if kind != "quantity":
        params.update({"kind": kind, "pattern": serial_pattern})
    item_code = check_item_code(code)
    if item_code == DEFAULT_ITEM:
        raise Conflict(
            "item_exists", "item", Msg("Blangko KTP-el sudah ada di setiap kantor (kode 'ektp').")
        )
    kind = one_of(kind, ITEM_KINDS, "unknown_item_kind", "kind", "Jenis barang")
    pattern: str | None = None
    if kind == "serialised":
        # A card: one print a blank; the role and yield of a ribbon do not apply.
        pattern = serial_rule(serial_pattern).pattern
        role, yield_prints = "card", 1
        unit = unit if unit and unit != "roll" else "keping"
    elif serial_pattern is not None:
        raise DomainError(
            "serial_pattern_quantity",
            "serial_pattern",
            Msg("Pola seri hanya untuk barang berseri (jenis serialised)."),
        )
    else:
        role = check_role(role)
    yld = check_yield(yield_prints, role)
    label = _text(name, "name", "Nama barang")
    unit_name = _text(unit, "unit", "Satuan")
    lead = REGENCY_LEAD_TIME_DAYS if lead_time_days is None else lead_time_days
    if not 1 <= lead <= 730:
        raise DomainError(
            "lead_time_range", "lead_time", Msg("Waktu tunggu harus 1 sampai 730 hari.")
        )

    def body(tx: WriteTx) -> ItemAdded:
        if repo.item(tx.conn, tx.office, item_code) is not None:
            raise Conflict(
                "item_exists",
                "item",
                Msg("Barang '{code}' sudah ada di kantor ini.", code=item_code),
            )
        repo.insert_item(
            tx.conn,
            office_code=tx.office,
            code=item_code,
            name=label,
            kind=kind,
            role=role,
            unit=unit_name,
            yield_prints=yld,
            lead_time_days=lead,
            serial_pattern=pattern,
            created_at=tx.ctx.now(),
            created_by=tx.ctx.actor,
        )
        row = repo.item(tx.conn, tx.office, item_code)
        return {"office": tx.office, "item": item_view(row, 0), "replayed": False}

    return write_once(ctx, office, "item.add", params, idempotency_key, body)


def receive(
    ctx: Context,
    *,
    item: str,
    lot: str | None = None,
    quantity: int | None = None,
    document: str = "",
    effective: date | None = None,
    yield_prints: int | None = None,
    serials: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemEntriesWritten:
    """A new lot of a quantity item into the store, with its delivery document; for a
    serialised item a serial range instead (services.items.serialised.receive)."""
    if serialised.is_serialised(ctx, item, office):
        return serialised.receive(
            ctx,
            item=item,
            serials=serials,
            document=document,
            effective=effective,
            lot=lot,
            quantity=quantity,
            office=office,
            idempotency_key=idempotency_key,
        )
    refuse_serials(serials)
    lot_no = check_lot(_required(lot, "lot", "Nomor lot"))
    quantity = check_units(_required(quantity, "qty", "Jumlah"))
    doc = _text(document, "document", "Nomor dokumen penerimaan")
    params = {"item": item, "lot": lot_no, "qty": quantity, "doc": doc, "yield": yield_prints}
    params["date"] = effective

    def body(tx: WriteTx) -> ItemEntriesWritten:
        row = _quantity_item(tx, item)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        yld = check_yield(yield_prints, row.role) if yield_prints is not None else row.yield_prints
        if repo.lot(tx.conn, tx.office, row.code, lot_no) is not None:
            raise Conflict(
                "lot_known",
                "lot",
                Msg(
                    "Lot '{lot}' barang '{item}' sudah pernah diterima.", lot=lot_no, item=row.code
                ),
            )
        view = _append(tx, row.code, "receive", day, lot_no, quantity, document=doc)
        repo.insert_lot(
            tx.conn,
            office_code=tx.office,
            item_code=row.code,
            lot=lot_no,
            yield_prints=yld,
            received_seq=view["seq"],
        )
        return _written(tx, row.code, [view])

    return write_once(ctx, office, "item.receive", params, idempotency_key, body)


def remove(
    ctx: Context,
    *,
    item: str,
    kind: str,
    lot: str | None = None,
    quantity: int | None = None,
    reason: str = "",
    document: str | None = None,
    effective: date | None = None,
    serials: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemEntriesWritten:
    """Units of a lot spoiled or lost, with the reason (a loss also its report's number);
    for a serialised item its serials (services.items.serialised.remove)."""
    if serialised.is_serialised(ctx, item, office):
        return serialised.remove(
            ctx,
            item=item,
            kind=kind,
            serials=serials,
            reason=reason,
            document=document,
            effective=effective,
            lot=lot,
            quantity=quantity,
            office=office,
            idempotency_key=idempotency_key,
        )
    refuse_serials(serials)
    if kind not in ("spoil", "lose"):
        raise DomainError("unknown_kind", "kind", Msg("Jenis harus rusak atau hilang."))
    lot = _required(lot, "lot", "Nomor lot")
    quantity = check_units(_required(quantity, "qty", "Jumlah"))
    why = _text(reason, "reason", "Alasan")
    if kind == "lose":
        document = _text(document, "document", "Nomor laporan kehilangan")
    params = {"item": item, "kind": kind, "lot": lot, "qty": quantity, "reason": why}
    params.update({"doc": document, "date": effective})

    def body(tx: WriteTx) -> ItemEntriesWritten:
        row = _quantity_item(tx, item)
        the_lot = _existing_lot(tx, row.code, lot)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        _take(tx, row.code, the_lot.lot, quantity, day)
        view = _append(
            tx, row.code, kind, day, the_lot.lot, quantity, reason=why, document=document
        )
        return _written(tx, row.code, [view])

    return write_once(ctx, office, f"item.{kind}", params, idempotency_key, body)


def count(
    ctx: Context,
    *,
    item: str,
    lot: str | None = None,
    counted: int | None = None,
    reason: str | None = None,
    effective: date | None = None,
    serials: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ItemCountResult | SerialCountResult:
    """A count of one lot in the store: the variance is booked at once (found or missing),
    with the reason; a count with no variance writes nothing. A serialised item is counted
    by serial scan instead (services.items.serialised.count)."""
    if serialised.is_serialised(ctx, item, office):
        return serialised.count(
            ctx,
            item=item,
            serials=serials,
            reason=reason,
            effective=effective,
            lot=lot,
            counted=counted,
            office=office,
            idempotency_key=idempotency_key,
        )
    refuse_serials(serials)
    lot = _required(lot, "lot", "Nomor lot")
    counted = _required(counted, "counted", "Jumlah terhitung")
    if counted < 0 or counted > 100_000:
        raise DomainError(
            "counted_range", "counted", Msg("Jumlah terhitung harus 0 sampai 100.000 unit.")
        )
    params = {"item": item, "lot": lot, "counted": counted, "reason": reason, "date": effective}

    def body(tx: WriteTx) -> ItemCountResult:
        row = _quantity_item(tx, item)
        the_lot = _existing_lot(tx, row.code, lot)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        book = _lot_on_hand(tx, row.code, the_lot.lot)
        variance = counted - book
        entries: list[ItemEntryView] = []
        if variance:
            why = _text(reason, "reason", "Alasan selisih hitung")
            kind = "found" if variance > 0 else "missing"
            entries.append(_append(tx, row.code, kind, day, the_lot.lot, abs(variance), reason=why))
        return {
            "office": tx.office,
            "item": row.code,
            "lot": the_lot.lot,
            "book": book,
            "counted": counted,
            "variance": variance,
            "entries": entries,
            "replayed": False,
        }

    return write_once(ctx, office, "item.count", params, idempotency_key, body)


# Printers -------------------------------------------------------------------------------------


def _printer(tx: WriteTx, name: str) -> Any:
    row = repo.printer(tx.conn, tx.office, name.strip())
    if row is None:
        raise NotFound(
            "unknown_printer",
            "printer",
            Msg("Printer '{name}' tidak ada di kantor {office}.", name=name, office=tx.office),
        )
    return row


def _state_on(tx: WriteTx, printer_id: int, day: date) -> str:
    state = "working"
    for s in repo.states(tx.conn, tx.office, printer_id):
        if s.since <= day:
            state = s.state
    return state


def add_printer(
    ctx: Context,
    *,
    name: str,
    station: str,
    capacity: int,
    since: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PrinterWritten:
    """A card printer at a print station, with the cards it prints in a day (100 to 250)."""
    label = _text(name, "name", "Nama printer")
    if not 1 <= capacity <= 2000:
        raise DomainError(
            "capacity_range",
            "capacity",
            Msg("Kapasitas printer harus 1 sampai 2.000 kartu sehari."),
        )
    params = {"name": label, "station": station, "capacity": capacity, "since": since}

    def body(tx: WriteTx) -> PrinterWritten:
        loc = location_id(tx.conn, tx.office, station, "station")
        if repo.printer(tx.conn, tx.office, label) is not None:
            raise Conflict("printer_exists", "name", Msg("Printer '{name}' sudah ada.", name=label))
        now = tx.ctx.now()
        pid = repo.insert_printer(
            tx.conn,
            office_code=tx.office,
            location_id=loc,
            name=label,
            capacity=capacity,
            created_at=now,
            created_by=tx.ctx.actor,
        )
        repo.insert_state(
            tx.conn,
            office_code=tx.office,
            printer_id=pid,
            state="working",
            since=since or tx.ctx.today(),
            recorded_at=now,
            actor=tx.ctx.actor,
        )
        return {
            "office": tx.office,
            "printer": printer_view(tx.conn, tx.office, label, tx.ctx.today()),
            "replayed": False,
        }

    return write_once(ctx, office, "printer.add", params, idempotency_key, body)


def set_state(
    ctx: Context,
    *,
    name: str,
    state: str,
    since: date | None = None,
    expected_back: date | None = None,
    note: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PrinterWritten:
    """A printer's new state since a date (working, broken, in repair, replaced), kept with
    the earlier ones. A printer that is not working needs a note saying what happened."""
    st = check_printer_state(state)
    if st in DOWN_STATES:
        note = _text(note, "note", "Catatan kerusakan/perbaikan")
    params = {"name": name, "state": st, "since": since, "back": expected_back, "note": note}

    def body(tx: WriteTx) -> PrinterWritten:
        row = _printer(tx, name)
        day = check_date(since or tx.ctx.today(), "date")
        if expected_back is not None:
            check_date(expected_back, "expected_back")
        if day > tx.ctx.today():
            raise DomainError("date_in_future", "date", Msg("Tanggal tidak boleh di masa depan."))
        if expected_back is not None and expected_back <= day:
            raise DomainError(
                "expected_back_order",
                "expected_back",
                Msg("Perkiraan selesai perbaikan harus sesudah tanggal mulai rusak."),
            )
        repo.insert_state(
            tx.conn,
            office_code=tx.office,
            printer_id=row.id,
            state=st,
            since=day,
            expected_back=expected_back,
            note=note,
            recorded_at=tx.ctx.now(),
            actor=tx.ctx.actor,
        )
        return {
            "office": tx.office,
            "printer": printer_view(tx.conn, tx.office, row.name, tx.ctx.today()),
            "replayed": False,
        }

    return write_once(ctx, office, "printer.state", params, idempotency_key, body)


def load(
    ctx: Context,
    *,
    name: str,
    item: str,
    lot: str,
    label: str,
    effective: date | None = None,
    note: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PrinterWritten:
    """Loads one unit of ribbon or film (from a lot in the store, named by its box label)
    into a printer: the unit leaves the store (a load entry in the item's chain) and the
    unit of the same role loaded before comes out (shown early when it printed less than its
    yield). A label loaded in another printer is refused."""
    box = _text(label, "label", "Label unit (nomor kotak)")
    params = {"name": name, "item": item, "lot": lot, "label": box, "date": effective}
    params["note"] = note

    def body(tx: WriteTx) -> PrinterWritten:
        row = _printer(tx, name)
        it = _quantity_item(tx, item, "item")
        if it.role not in ("ribbon", "film"):
            raise DomainError(
                "not_loadable",
                "item",
                Msg("Hanya pita atau film yang dipasang di printer; '{item}' bukan.", item=it.code),
            )
        the_lot = _existing_lot(tx, it.code, lot)
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        active = repo.active_loads(tx.conn, tx.office)
        names = {p.id: p.name for p in repo.printers(tx.conn, tx.office)}
        for a in active:
            if a.item_code == it.code and a.label == box:
                raise Conflict(
                    "unit_loaded_elsewhere",
                    "label",
                    Msg(
                        "Unit '{label}' sudah terpasang di printer '{printer}': lepas dulu dari sana.",
                        label=box,
                        printer=names.get(a.printer_id, "?"),
                    ),
                )
        _take(tx, it.code, the_lot.lot, 1, day)
        entry = _append(
            tx,
            it.code,
            "load",
            day,
            the_lot.lot,
            1,
            printer_id=row.id,
            printer_name=row.name,
            note=note,
        )
        roles = {i.code: i.role for i in repo.items(tx.conn, tx.office)}
        for a in active:
            if a.printer_id == row.id and roles.get(a.item_code) == it.role:
                repo.remove_load(tx.conn, a.id, day, note)
        yld = the_lot.yield_prints or it.yield_prints or 1
        repo.insert_load(
            tx.conn,
            office_code=tx.office,
            printer_id=row.id,
            item_code=it.code,
            lot=the_lot.lot,
            label=box,
            yield_prints=yld,
            entry_seq=entry["seq"],
            loaded_date=day,
            recorded_at=tx.ctx.now(),
            actor=tx.ctx.actor,
        )
        return {
            "office": tx.office,
            "printer": printer_view(tx.conn, tx.office, row.name, tx.ctx.today()),
            "replayed": False,
        }

    return write_once(ctx, office, "printer.load", params, idempotency_key, body)


def record_prints_in(
    tx: WriteTx,
    *,
    name: str,
    prints: int,
    day: date,
    note: str | None = None,
    station: str | None = None,
) -> Any:
    """Cards printed on a printer on a day, inside an open write transaction (the counter's
    print of an application and `stock consume --printer` count their prints with it, in
    their own transaction): they use the ribbon and film loaded in it. A print on a printer
    that is not working, with no ribbon loaded, or beyond the ribbon's or film's yield
    without a note, is refused; so is a printer of another station than ``station`` (the
    print's, when it names one). Returns the printer's row."""
    if not 1 <= prints <= 2000:
        raise DomainError("prints_range", "prints", Msg("Jumlah cetak harus 1 sampai 2.000 kartu."))
    row = _printer(tx, name)
    if station is not None and row.location_id != location_id(
        tx.conn, tx.office, station, "station"
    ):
        raise DomainError(
            "printer_elsewhere",
            "printer",
            Msg(
                "Printer '{name}' bukan printer loket '{station}': sebutkan printer loket itu.",
                name=row.name,
                station=station,
            ),
        )
    state = _state_on(tx, row.id, day)
    if state != "working":
        raise Conflict(
            "printer_down",
            "printer",
            Msg(
                "Printer '{name}' tidak berfungsi pada {day:%d-%m-%Y} (keadaan: {state}): cetak di printer lain atau catat printernya berfungsi lagi.",
                name=row.name,
                day=day,
                state=state,
            ),
        )
    loads = [v for v in load_views(tx.conn, tx.office, row.id) if v["removed"] is None]
    ribbon = next((v for v in loads if v["role"] == "ribbon"), None)
    film = next((v for v in loads if v["role"] == "film"), None)
    if ribbon is None:
        raise Conflict(
            "no_ribbon",
            "printer",
            Msg("Printer '{name}' belum dipasangi pita: pasang pita dulu.", name=row.name),
        )
    for v in (ribbon, film):
        if v is not None:
            print_overrun(v["prints"], prints, v["yield_prints"], note)
    repo.insert_print(
        tx.conn,
        office_code=tx.office,
        printer_id=row.id,
        day=day,
        prints=prints,
        ribbon_load_id=ribbon["id"],
        film_load_id=film["id"] if film else None,
        note=note,
        recorded_at=tx.ctx.now(),
        actor=tx.ctx.actor,
    )
    return row


def record_prints(
    ctx: Context,
    *,
    name: str,
    prints: int,
    effective: date | None = None,
    note: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PrinterWritten:
    """Cards printed on a printer on a day, recorded per day (record_prints_in)."""
    if not 1 <= prints <= 2000:
        raise DomainError("prints_range", "prints", Msg("Jumlah cetak harus 1 sampai 2.000 kartu."))
    params = {"name": name, "prints": prints, "date": effective, "note": note}

    def body(tx: WriteTx) -> PrinterWritten:
        day = effective or tx.ctx.today()
        check_entry_date(tx, day)
        row = record_prints_in(tx, name=name, prints=prints, day=day, note=note)
        return {
            "office": tx.office,
            "printer": printer_view(tx.conn, tx.office, row.name, tx.ctx.today()),
            "replayed": False,
        }

    return write_once(ctx, office, "printer.prints", params, idempotency_key, body)
