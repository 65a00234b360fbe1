"""Reads of the items other than the e-KTP blank and of the printers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import items as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.items import (
    DEFAULT_ITEM,
    DEFAULT_ITEM_NAME,
    ItemTally,
    SerialReplay,
    check_item_code,
)
from blangko.domain.serials import format_ranges, from_serials
from blangko.domain.text import Msg
from blangko.services.context import Context, resolve_office
from blangko.services.items.results import (
    ItemBalance,
    ItemList,
    ItemView,
    LoadView,
    PrinterHistory,
    PrinterList,
    PrinterView,
    StateView,
)
from blangko.services.stock.queries import balance


def item_view(row: Any, on_hand: int) -> ItemView:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "role": row.role,
        "unit": row.unit,
        "yield_prints": row.yield_prints,
        "lead_time_days": row.lead_time_days,
        "on_hand": on_hand,
        "serial_pattern": row.serial_pattern,
    }


def tally(conn: Connection, office: str, item_code: str, as_of: date | None = None) -> ItemTally:
    t = ItemTally()
    for row in repo.iter_entries(conn, office, item_code, as_of=as_of):
        t.add(row.kind, row.lot, int(row.quantity))
    return t


def list_items(ctx: Context, *, office: str | None = None) -> ItemList:
    """The e-KTP blank (built in) and the office's quantity items, with what is on hand."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.items(conn, code)
        views = [item_view(r, tally(conn, code, r.code).on_hand) for r in rows]
    blanks = balance(ctx, office=code)["on_hand"]
    ektp: ItemView = {
        "code": DEFAULT_ITEM,
        "name": DEFAULT_ITEM_NAME,
        "kind": "serialised",
        "role": "card",
        "unit": "keping",
        "yield_prints": 1,
        "lead_time_days": int(ctx.settings.forecast.lead_time_days),
        "on_hand": blanks,
    }
    return {"office": code, "items": [ektp, *views]}


def item_balance(
    ctx: Context, *, item: str, as_of: date | None = None, office: str | None = None
) -> ItemBalance:
    """Units on hand per lot and the totals lines of a quantity item, from its entries."""
    item_code = check_item_code(item)
    day = as_of or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = repo.item(conn, code, item_code)
        if row is None:
            if item_code == DEFAULT_ITEM:
                raise DomainError(
                    "serialised_item",
                    "item",
                    Msg("Saldo blangko KTP-el ada di perintah saldo stok blangko."),
                )
            raise NotFound(
                "unknown_item", "item", Msg("Barang '{code}' tidak ada.", code=item_code)
            )
        t = tally(conn, code, item_code, day)
        yields = {lot.lot: lot.yield_prints for lot in repo.lots(conn, code, item_code)}
        extra: dict[str, Any] = {}
        if row.kind == "serialised":
            replay = SerialReplay()
            for e in repo.iter_entries(conn, code, item_code, as_of=day):
                replay.apply(int(e.seq), e.kind, e.lot, e.serials or "")
            in_store = [s for s, st in replay.states.items() if st == "in_store"]
            extra = {
                "states": replay.counts(),
                "in_store": format_ranges(from_serials(in_store)),
            }
    out: ItemBalance = {
        "office": code,
        "item": item_code,
        "as_of": day.isoformat(),
        "on_hand": t.on_hand,
        "totals": dict(t.totals),
        "by_lot": [
            {"lot": lot, "yield_prints": yields.get(lot), "on_hand": n}
            for lot, n in sorted(t.by_lot.items())
        ],
        "balanced": t.balanced(),
    }
    out.update(extra)  # type: ignore[typeddict-item]
    return out


def load_views(conn: Connection, office: str, printer_id: int | None = None) -> list[LoadView]:
    roles = {i.code: i.role for i in repo.items(conn, office)}
    made = repo.prints_on_loads(conn, office)
    out: list[LoadView] = []
    for a in repo.all_loads(conn, office):
        if printer_id is not None and a.printer_id != printer_id:
            continue
        prints = made.get(a.id, 0)
        out.append(
            {
                "id": a.id,
                "item": a.item_code,
                "role": roles.get(a.item_code, "other"),
                "lot": a.lot,
                "label": a.label,
                "loaded": a.loaded_date.isoformat(),
                "removed": a.removed_date.isoformat() if a.removed_date else None,
                "prints": prints,
                "yield_prints": int(a.yield_prints),
                "early": a.removed_date is not None and prints < int(a.yield_prints),
            }
        )
    return out


def _current_state(states: list[Any], today: date) -> Any | None:
    current = None
    for s in states:
        if s.since <= today:
            current = s
    return current


def printer_view(conn: Connection, office: str, name: str, today: date) -> PrinterView:
    rows = [p for p in repo.printers(conn, office) if p.name == name]
    if not rows:
        raise NotFound("unknown_printer", "printer", Msg("Printer '{name}' tidak ada.", name=name))
    return _view(conn, office, rows[0], today)


def _view(conn: Connection, office: str, p: Any, today: date) -> PrinterView:
    st = _current_state(repo.states(conn, office, p.id), today)
    return {
        "name": p.name,
        "station": p.station,
        "capacity": int(p.capacity),
        "state": st.state if st else "working",
        "since": st.since.isoformat() if st else None,
        "expected_back": st.expected_back.isoformat() if st and st.expected_back else None,
        "loaded": [v for v in load_views(conn, office, p.id) if v["removed"] is None],
    }


def list_printers(ctx: Context, *, office: str | None = None) -> PrinterList:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        views = [_view(conn, code, p, ctx.today()) for p in repo.printers(conn, code)]
    return {"office": code, "printers": views}


def printer_history(ctx: Context, *, name: str, office: str | None = None) -> PrinterHistory:
    """A printer's states (who set which, since when) and every unit loaded in it."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = repo.printer(conn, code, name.strip())
        if row is None:
            raise NotFound(
                "unknown_printer", "printer", Msg("Printer '{name}' tidak ada.", name=name)
            )
        states: list[StateView] = [
            {
                "state": s.state,
                "since": s.since.isoformat(),
                "expected_back": s.expected_back.isoformat() if s.expected_back else None,
                "note": s.note,
                "actor": s.actor,
                "recorded_at": s.recorded_at.isoformat(),
            }
            for s in repo.states(conn, code, row.id)
        ]
        loads = load_views(conn, code, row.id)
    return {"office": code, "printer": row.name, "states": states, "loads": loads}
