"""SQL of the items other than the e-KTP blank and of the printers (adapters/tables_items.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.domain.items import GENESIS_HASH, ItemEntryRecord

# Items ----------------------------------------------------------------------------------------


def items(conn: Connection, office: str) -> list[Any]:
    return list(
        conn.execute(
            select(ti.item).where(ti.item.c.office_code == office).order_by(ti.item.c.code)
        )
    )


def item(conn: Connection, office: str, code: str) -> Any | None:
    return conn.execute(
        select(ti.item).where(ti.item.c.office_code == office, ti.item.c.code == code)
    ).first()


def insert_item(conn: Connection, **values: Any) -> None:
    conn.execute(insert(ti.item).values(**values))


def lot(conn: Connection, office: str, item_code: str, lot_no: str) -> Any | None:
    return conn.execute(
        select(ti.item_lot).where(
            ti.item_lot.c.office_code == office,
            ti.item_lot.c.item_code == item_code,
            ti.item_lot.c.lot == lot_no,
        )
    ).first()


def lots(conn: Connection, office: str, item_code: str) -> list[Any]:
    return list(
        conn.execute(
            select(ti.item_lot)
            .where(ti.item_lot.c.office_code == office, ti.item_lot.c.item_code == item_code)
            .order_by(ti.item_lot.c.id)
        )
    )


def insert_lot(conn: Connection, **values: Any) -> None:
    conn.execute(insert(ti.item_lot).values(**values))


# The item's chain ------------------------------------------------------------------------------


def chain_head(conn: Connection, office: str, item_code: str) -> tuple[int, str]:
    row = conn.execute(
        select(ti.item_entry.c.seq, ti.item_entry.c.hash)
        .where(ti.item_entry.c.office_code == office, ti.item_entry.c.item_code == item_code)
        .order_by(ti.item_entry.c.seq.desc())
        .limit(1)
    ).first()
    return (0, GENESIS_HASH) if row is None else (int(row.seq), row.hash)


def chain_heads(conn: Connection, office: str) -> dict[str, tuple[int, str]]:
    """Every item chain's head (last entry number and hash) of the office, items with no
    entry left out: what an anchor records of the item chains."""
    e = ti.item_entry.c
    last = (
        select(e.item_code, func.max(e.seq).label("seq"))
        .where(e.office_code == office)
        .group_by(e.item_code)
        .subquery()
    )
    rows = conn.execute(
        select(e.item_code, e.seq, e.hash)
        .join(last, and_(last.c.item_code == e.item_code, last.c.seq == e.seq))
        .where(e.office_code == office)
        .order_by(e.item_code)
    )
    return {r.item_code: (int(r.seq), r.hash) for r in rows}


def entry_hash(conn: Connection, office: str, item_code: str, seq: int) -> str | None:
    e = ti.item_entry.c
    return conn.execute(
        select(e.hash).where(e.office_code == office, e.item_code == item_code, e.seq == seq)
    ).scalar_one_or_none()


def insert_entry(conn: Connection, record: ItemEntryRecord, digest: str) -> None:
    conn.execute(
        insert(ti.item_entry).values(
            office_code=record.office,
            item_code=record.item,
            seq=record.seq,
            kind=record.kind,
            effective_date=record.effective_date,
            recorded_at=record.recorded_at,
            actor=record.actor,
            lot=record.lot,
            quantity=record.quantity,
            printer_id=record.printer_id,
            reason=record.reason,
            document=record.document,
            note=record.note,
            idempotency_key=record.idempotency_key,
            prev_hash=record.prev_hash,
            hash=digest,
            serials=record.serials,
        )
    )


def row_to_record(row: Any) -> ItemEntryRecord:
    return ItemEntryRecord(
        office=row.office_code,
        item=row.item_code,
        seq=int(row.seq),
        kind=row.kind,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        actor=row.actor,
        lot=row.lot,
        quantity=int(row.quantity),
        printer_id=row.printer_id,
        reason=row.reason,
        document=row.document,
        note=row.note,
        idempotency_key=row.idempotency_key,
        prev_hash=row.prev_hash,
        serials=row.serials,
    )


def iter_entries(
    conn: Connection, office: str, item_code: str, *, as_of: date | None = None
) -> Iterator[Any]:
    q = select(ti.item_entry).where(
        ti.item_entry.c.office_code == office, ti.item_entry.c.item_code == item_code
    )
    if as_of is not None:
        q = q.where(ti.item_entry.c.effective_date <= as_of)
    yield from conn.execute(q.order_by(ti.item_entry.c.seq))


def entry_sums(conn: Connection, office: str, item_code: str, start: date, end: date) -> list[Any]:
    """Units per kind of an item's entries dated start..end (the usage report)."""
    e = ti.item_entry.c
    return list(
        conn.execute(
            select(e.kind, func.sum(e.quantity).label("quantity"))
            .where(
                e.office_code == office,
                e.item_code == item_code,
                e.effective_date >= start,
                e.effective_date <= end,
            )
            .group_by(e.kind)
        )
    )


# A serialised item's serials (item_serial) ----------------------------------------------------


def serial_states(conn: Connection, office: str, item_code: str) -> dict[str, str]:
    s = ti.item_serial.c
    rows = conn.execute(
        select(s.serial, s.state).where(s.office_code == office, s.item_code == item_code)
    )
    return {r.serial: r.state for r in rows}


def serials_between(
    conn: Connection, office: str, item_code: str, first: str, last: str
) -> list[Any]:
    """The item's known serials from ``first`` to ``last``: a serialised item's serials have
    one prefix and width, so their text order is their number order."""
    s = ti.item_serial.c
    return list(
        conn.execute(
            select(s.serial, s.state, s.seq)
            .where(
                s.office_code == office,
                s.item_code == item_code,
                s.serial >= first,
                s.serial <= last,
            )
            .order_by(s.serial)
        )
    )


def serials_in_state(conn: Connection, office: str, item_code: str, state: str) -> list[str]:
    s = ti.item_serial.c
    return list(
        conn.execute(
            select(s.serial)
            .where(s.office_code == office, s.item_code == item_code, s.state == state)
            .order_by(s.serial)
        ).scalars()
    )


def insert_serials(
    conn: Connection, office: str, item_code: str, serials: list[str], state: str, seq: int
) -> None:
    if serials:
        conn.execute(
            insert(ti.item_serial),
            [
                {
                    "office_code": office,
                    "item_code": item_code,
                    "serial": x,
                    "state": state,
                    "seq": seq,
                }  # fmt: skip
                for x in serials
            ],
        )


def move_serials(
    conn: Connection, office: str, item_code: str, serials: list[str], state: str, seq: int
) -> None:
    s = ti.item_serial.c
    for chunk in range(0, len(serials), 500):
        conn.execute(
            update(ti.item_serial)
            .where(
                s.office_code == office,
                s.item_code == item_code,
                s.serial.in_(serials[chunk : chunk + 500]),
            )
            .values(state=state, seq=seq)
        )


# Printers -------------------------------------------------------------------------------------


def printers(conn: Connection, office: str) -> list[Any]:
    p, loc = ti.printer, t.location
    return list(
        conn.execute(
            select(p, loc.c.name.label("station"))
            .join(loc, loc.c.id == p.c.location_id)
            .where(p.c.office_code == office)
            .order_by(p.c.name)
        )
    )


def printer(conn: Connection, office: str, name: str) -> Any | None:
    return conn.execute(
        select(ti.printer).where(ti.printer.c.office_code == office, ti.printer.c.name == name)
    ).first()


def insert_printer(conn: Connection, **values: Any) -> int:
    key = conn.execute(insert(ti.printer).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_state(conn: Connection, **values: Any) -> None:
    conn.execute(insert(ti.printer_state).values(**values))


def states(conn: Connection, office: str, printer_id: int | None = None) -> list[Any]:
    s = ti.printer_state
    q = select(s).where(s.c.office_code == office)
    if printer_id is not None:
        q = q.where(s.c.printer_id == printer_id)
    return list(conn.execute(q.order_by(s.c.printer_id, s.c.since, s.c.id)))


def active_loads(conn: Connection, office: str) -> list[Any]:
    pl = ti.printer_load
    return list(
        conn.execute(
            select(pl)
            .where(pl.c.office_code == office, pl.c.removed_date.is_(None))
            .order_by(pl.c.printer_id, pl.c.id)
        )
    )


def all_loads(conn: Connection, office: str) -> list[Any]:
    pl = ti.printer_load
    return list(conn.execute(select(pl).where(pl.c.office_code == office).order_by(pl.c.id)))


def insert_load(conn: Connection, **values: Any) -> int:
    key = conn.execute(insert(ti.printer_load).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def remove_load(conn: Connection, load_id: int, day: date, note: str | None) -> None:
    pl = ti.printer_load
    conn.execute(
        update(pl)
        .where(and_(pl.c.id == load_id, pl.c.removed_date.is_(None)))
        .values(removed_date=day, removed_note=note)
    )


def prints_on_loads(conn: Connection, office: str) -> dict[int, int]:
    """Prints made on each loaded unit (ribbon and film alike)."""
    pp = ti.printer_print.c
    out: dict[int, int] = {}
    for column in (pp.ribbon_load_id, pp.film_load_id):
        rows = conn.execute(
            select(column, func.sum(pp.prints))
            .where(pp.office_code == office, column.is_not(None))
            .group_by(column)
        )
        for load_id, n in rows:
            out[int(load_id)] = out.get(int(load_id), 0) + int(n)
    return out


def insert_print(conn: Connection, **values: Any) -> None:
    conn.execute(insert(ti.printer_print).values(**values))


def prints(conn: Connection, office: str, start: date, end: date) -> list[Any]:
    pp = ti.printer_print.c
    return list(
        conn.execute(
            select(ti.printer_print)
            .where(pp.office_code == office, pp.day >= start, pp.day <= end)
            .order_by(pp.day, pp.id)
        )
    )


def fingerprint(conn: Connection, office: str) -> list[int]:
    """Row counts and the highest ids of the office's items and printers: what the stored
    "what stops printing first" depends on beyond the forecast's own sources (these tables
    have no version trigger). Empty office: all zeros."""
    out: list[int] = []
    pl = ti.printer_load.c
    for table, id_col in (
        (ti.item, None),
        (ti.item_entry, ti.item_entry.c.id),
        (ti.printer, ti.printer.c.id),
        (ti.printer_state, ti.printer_state.c.id),
        (ti.printer_load, pl.id),
        (ti.printer_print, ti.printer_print.c.id),
    ):
        cols: list[Any] = [func.count()]
        if id_col is not None:
            cols.append(func.coalesce(func.max(id_col), 0))
        row = conn.execute(select(*cols).select_from(table).where(table.c.office_code == office))
        out.extend(int(v) for v in row.one())
    removed = conn.execute(
        select(func.count()).where(pl.office_code == office, pl.removed_date.is_not(None))
    ).scalar_one()
    out.append(int(removed))
    return out
