"""Quantity items (ribbon, film) and printers through their service functions, on SQLite
and on PostgreSQL: the ledger rules of a quantity item (lots, receive, load, count with a
variance, spoil, lose, conservation, the item's own hash chain), the printers' states and
loads, and the bad inputs of issue 15 (nothing written)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.domain.errors import DomainError
from blangko.services.context import Context
from blangko.services.items import queries as iq
from blangko.services.items import writes as iw
from blangko.services.stock import queries as sq
from blangko.services.stock import writes as sw

D1 = date(2026, 10, 5)
D2 = date(2026, 11, 2)


def rows(ctx: Context) -> dict[str, Any]:
    with ctx.read() as conn:
        counts = {
            tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar_one()
            for tbl in (
                ti.item,
                ti.item_lot,
                ti.item_entry,
                ti.printer,
                ti.printer_state,
                ti.printer_load,
                ti.printer_print,
                t.ledger_entry,
            )
        }
        head = conn.execute(select(t.office.c.ledger_seq, t.office.c.ledger_hash)).all()
    return {"rows": counts, "head": head}


@pytest.fixture
def stocked(ctx: Context, office: str) -> str:
    sw.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    iw.add_item(
        ctx,
        code="pita-warna",
        name="Pita warna YMCKO",
        role="ribbon",
        unit="roll",
        yield_prints=500,
    )
    iw.add_item(
        ctx,
        code="film",
        name="Film retransfer",
        role="film",
        unit="roll",
        yield_prints=1000,
        lead_time_days=45,
    )
    iw.receive(
        ctx, item="pita-warna", lot="R-2026-01", quantity=6, document="BAST/APBD/1", effective=D1
    )
    iw.receive(ctx, item="film", lot="F-1", quantity=2, document="BAST/APBD/1", effective=D1)
    return office


def test_items_list_has_the_blank_first(ctx: Context, stocked: str) -> None:
    items = iq.list_items(ctx)["items"]
    assert [i["code"] for i in items] == ["ektp", "film", "pita-warna"]
    assert items[0]["on_hand"] == 100 and items[0]["kind"] == "serialised"
    assert items[2]["on_hand"] == 6 and items[2]["yield_prints"] == 500
    assert items[1]["lead_time_days"] == 45 and items[2]["lead_time_days"] == 60


def test_quantity_item_ledger_rules(ctx: Context, stocked: str) -> None:
    iw.remove(
        ctx,
        item="pita-warna",
        kind="spoil",
        lot="R-2026-01",
        quantity=1,
        reason="pita sobek",
        effective=D2,
    )
    iw.remove(
        ctx,
        item="pita-warna",
        kind="lose",
        lot="R-2026-01",
        quantity=1,
        reason="tidak ada di lemari",
        document="LP/12/2026",
        effective=D2,
    )
    c = iw.count(
        ctx, item="pita-warna", lot="R-2026-01", counted=3, reason="selisih opname", effective=D2
    )
    assert (c["book"], c["counted"], c["variance"]) == (4, 3, -1)
    assert c["entries"][0]["kind"] == "missing"
    b = iq.item_balance(ctx, item="pita-warna")
    assert b["on_hand"] == 3 and b["balanced"]
    assert b["totals"] == {"received": 6, "loaded": 0, "spoiled": 1, "lost": 1, "adjusted": -1}
    # Found at a later count: a positive adjustment.
    c2 = iw.count(ctx, item="pita-warna", lot="R-2026-01", counted=4, reason="ketemu")
    assert c2["variance"] == 1 and c2["entries"][0]["kind"] == "found"
    # A count with no variance writes nothing.
    before = rows(ctx)
    assert iw.count(ctx, item="pita-warna", lot="R-2026-01", counted=4)["entries"] == []
    assert rows(ctx) == before
    # As of the receipt's date: the balance then.
    assert iq.item_balance(ctx, item="pita-warna", as_of=D1)["on_hand"] == 6


def test_item_chain_is_its_own_and_verified(ctx: Context, stocked: str) -> None:
    blank_before = sq.verify(ctx)
    assert blank_before["sound"]
    with ctx.read() as conn:
        head = conn.execute(select(t.office.c.ledger_seq)).scalar_one()
    assert head == 1  # only the opening: the item entries are not in the blank's chain
    audit = {a["item"]: a for a in blank_before["items"]}
    assert audit["pita-warna"] == {
        "item": "pita-warna",
        "entries": 1,
        "sound": True,
        "problems": [],
    }
    # Editing an item entry behind the ledger's back is found, and names the item.
    with ctx.engine.begin() as conn:
        conn.execute(
            update(ti.item_entry).where(ti.item_entry.c.item_code == "film").values(quantity=20)
        )
    v = sq.verify(ctx)
    assert not v["sound"]
    bad = {a["item"]: a for a in v["items"]}["film"]
    assert not bad["sound"] and "hash" in bad["problems"][0]
    assert any("film" in p["message"] for p in v["problems"])


def _refused(ctx: Context, error: str, fn: Any, /, **kw: Any) -> DomainError:
    before = rows(ctx)
    with pytest.raises(DomainError) as exc:
        fn(ctx, **kw)
    assert exc.value.code == error, exc.value
    assert rows(ctx) == before
    return exc.value


def test_quantity_item_bad_input(ctx: Context, stocked: str) -> None:
    _refused(
        ctx,
        "quantity_item_by_serial",
        iw.count,
        item="pita-warna",
        lot="R-2026-01",
        counted=6,
        serials="KR0001001-KR0001006",
    )
    _refused(
        ctx,
        "quantity_item_by_serial",
        iw.receive,
        item="pita-warna",
        lot="R-2",
        quantity=1,
        document="X",
        serials="R1",
    )
    _refused(
        ctx, "lot_known", iw.receive, item="pita-warna", lot="R-2026-01", quantity=1, document="X"
    )
    _refused(
        ctx,
        "insufficient_units",
        iw.remove,
        item="pita-warna",
        kind="spoil",
        lot="R-2026-01",
        quantity=7,
        reason="x",
    )
    _refused(
        ctx,
        "unknown_lot",
        iw.remove,
        item="pita-warna",
        kind="spoil",
        lot="NOPE",
        quantity=1,
        reason="x",
    )
    _refused(
        ctx,
        "required",
        iw.remove,
        item="pita-warna",
        kind="lose",
        lot="R-2026-01",
        quantity=1,
        reason="x",
    )
    _refused(ctx, "unknown_item", iw.receive, item="kia", lot="K1", quantity=1, document="X")
    _refused(ctx, "serialised_item", iw.receive, item="ektp", lot="K1", quantity=1, document="X")
    _refused(
        ctx, "yield_required", iw.add_item, code="pita-2", name="Pita", role="ribbon", unit="roll"
    )
    _refused(
        ctx,
        "item_exists",
        iw.add_item,
        code="film",
        name="Film",
        role="film",
        unit="roll",
        yield_prints=1000,
    )
    _refused(ctx, "quantity_range", iw.receive, item="film", lot="F-9", quantity=0, document="X")
    _refused(
        ctx,
        "date_in_future",
        iw.receive,
        item="film",
        lot="F-9",
        quantity=1,
        document="X",
        effective=date(2027, 1, 1),
    )
    _refused(ctx, "required", iw.count, item="pita-warna", lot="R-2026-01", counted=5)


@pytest.fixture
def printers(ctx: Context, stocked: str) -> str:
    iw.add_printer(ctx, name="P1", station="loket-1", capacity=200, since=D1)
    iw.add_printer(ctx, name="P2", station="loket-1", capacity=150, since=D1)
    iw.load(ctx, name="P1", item="pita-warna", lot="R-2026-01", label="BOX-1", effective=D1)
    iw.load(ctx, name="P1", item="film", lot="F-1", label="F-BOX-1", effective=D1)
    return stocked


def test_printer_states_loads_and_prints(ctx: Context, printers: str) -> None:
    # Loading took a ribbon and a film out of the store (load entries in their chains).
    assert iq.item_balance(ctx, item="pita-warna")["on_hand"] == 5
    assert iq.item_balance(ctx, item="film")["on_hand"] == 1
    iw.record_prints(ctx, name="P1", prints=180, effective=date(2026, 10, 6))
    iw.record_prints(ctx, name="P1", prints=200, effective=date(2026, 10, 7))
    # A new ribbon before the first one's 500 prints: the first shows as replaced early.
    iw.load(
        ctx,
        name="P1",
        item="pita-warna",
        lot="R-2026-01",
        label="BOX-2",
        effective=date(2026, 10, 8),
        note="pita bergaris",
    )
    hist = iq.printer_history(ctx, name="P1")
    ribbons = [v for v in hist["loads"] if v["role"] == "ribbon"]
    assert [(v["label"], v["prints"], v["early"], v["removed"]) for v in ribbons] == [
        ("BOX-1", 380, True, "2026-10-08"),
        ("BOX-2", 0, False, None),
    ]
    film = next(v for v in hist["loads"] if v["role"] == "film")
    assert film["prints"] == 380 and film["removed"] is None
    # A week broken last month, then working again; the history keeps both.
    iw.set_state(
        ctx,
        name="P2",
        state="broken",
        since=date(2026, 10, 12),
        note="head cetak rusak, dikirim ke Jakarta",
    )
    iw.set_state(ctx, name="P2", state="working", since=date(2026, 10, 19))
    states = iq.printer_history(ctx, name="P2")["states"]
    assert [s["state"] for s in states] == ["working", "broken", "working"]
    listed = {p["name"]: p for p in iq.list_printers(ctx)["printers"]}
    assert listed["P2"]["state"] == "working" and listed["P1"]["capacity"] == 200
    assert {v["label"] for v in listed["P1"]["loaded"]} == {"BOX-2", "F-BOX-1"}


def test_printer_bad_input(ctx: Context, printers: str) -> None:
    iw.set_state(ctx, name="P2", state="broken", since=date(2026, 10, 12), note="rusak")
    iw.load(
        ctx,
        name="P2",
        item="pita-warna",
        lot="R-2026-01",
        label="BOX-9",
        effective=date(2026, 10, 10),
    )
    # A print on a broken printer.
    e = _refused(
        ctx, "printer_down", iw.record_prints, name="P2", prints=10, effective=date(2026, 10, 13)
    )
    assert "P2" in str(e)
    # A ribbon loaded in two printers.
    e = _refused(
        ctx,
        "unit_loaded_elsewhere",
        iw.load,
        name="P2",
        item="pita-warna",
        lot="R-2026-01",
        label="BOX-1",
        effective=date(2026, 10, 14),
    )
    assert "P1" in str(e)
    # More prints than the ribbon's yield without a note; with a note it is taken.
    iw.record_prints(ctx, name="P1", prints=450, effective=date(2026, 10, 20))
    _refused(
        ctx, "yield_exceeded", iw.record_prints, name="P1", prints=100, effective=date(2026, 10, 21)
    )
    iw.record_prints(
        ctx,
        name="P1",
        prints=100,
        effective=date(2026, 10, 21),
        note="pita masih bagus, dipakai sampai habis",
    )
    # Not working states need a note; unknown state and printer refused.
    _refused(ctx, "required", iw.set_state, name="P1", state="in_repair")
    _refused(ctx, "unknown_printer_state", iw.set_state, name="P1", state="rusak-berat")
    _refused(ctx, "unknown_printer", iw.record_prints, name="P9", prints=1)
    iw.add_printer(ctx, name="P4", station="loket-1", capacity=100, since=D1)
    _refused(ctx, "no_ribbon", iw.record_prints, name="P4", prints=1, effective=date(2026, 10, 11))
    iw.add_item(ctx, code="kit", name="Kit pembersih", role="other", unit="kit")
    iw.receive(ctx, item="kit", lot="K1", quantity=2, document="BAST/3", effective=D1)
    _refused(ctx, "not_loadable", iw.load, name="P1", item="kit", lot="K1", label="y")
    _refused(ctx, "capacity_range", iw.add_printer, name="P3", station="loket-1", capacity=0)
    _refused(ctx, "unknown_location", iw.add_printer, name="P3", station="loket-9", capacity=100)


def test_purchase_request_nota_dinas(ctx: Context, printers: str) -> None:
    from blangko.services import reports

    report = reports.build(ctx, "purchase", {})
    lines = {line["item"]: line for line in report.data["lines"]}
    assert set(lines) == {"pita-warna", "film"}
    assert all(line["route"] == "apbd" for line in lines.values())
    assert report.data["total_units"] == sum(x["request_units"] for x in lines.values())
    content, name, mime = reports.render(ctx, "purchase", {}, "pdf")
    assert content.startswith(b"%PDF") and name.startswith("nota-dinas-pita-film-")
    xlsx, _, _ = reports.render(ctx, "purchase", {}, "xlsx", "en")
    assert xlsx.startswith(b"PK")


def test_purchase_request_needs_consumables(ctx: Context, office: str) -> None:
    from blangko.services import reports

    with pytest.raises(DomainError) as exc:
        reports.build(ctx, "purchase", {})
    assert exc.value.code == "no_consumables"


def _rewrite_item_chain(ctx: Context, item: str, seq: int, quantity: int) -> None:
    """Edit one entry of an item's chain and recompute every hash after it, as someone with
    write access to the database and the source code could: the chain alone stays sound."""
    from blangko.adapters.repos import items as repo

    with ctx.engine.begin() as conn:
        e = ti.item_entry.c
        conn.execute(
            update(ti.item_entry).where(e.item_code == item, e.seq == seq).values(quantity=quantity)
        )
        prev = None
        for row in list(repo.iter_entries(conn, "17.04", item)):
            rec = repo.row_to_record(row)
            if prev is not None:
                rec = replace(rec, prev_hash=prev)
            digest = rec.compute_hash()
            conn.execute(
                update(ti.item_entry)
                .where(e.id == row.id)
                .values(prev_hash=rec.prev_hash, hash=digest)
            )
            prev = digest


def test_anchor_covers_each_item_chain(ctx: Context, stocked: str) -> None:
    from blangko.services.stock import anchors

    iw.remove(ctx, item="pita-warna", kind="spoil", lot="R-2026-01", quantity=1, reason="basah",
              effective=D2)  # fmt: skip
    made = anchors.anchor(ctx)
    assert made["anchored"]
    with ctx.read() as conn:
        records = json.loads(
            conn.execute(select(t.ledger_anchor.c.records).order_by(t.ledger_anchor.c.number))
            .scalars()
            .all()[-1]
        )
    assert records["item:pita-warna"]["upto"] == 2 and records["item:film"]["upto"] == 1
    # Nothing changed: no new anchor; an item entry written: a new one.
    assert not anchors.anchor(ctx)["anchored"]
    iw.receive(ctx, item="film", lot="F-2", quantity=1, document="BAST/2", effective=D2)
    assert anchors.anchor(ctx)["anchored"]
    assert sq.verify(ctx)["sound"]
    # The ribbon's chain rewritten and recomputed: its own audit passes, the anchor does not.
    _rewrite_item_chain(ctx, "pita-warna", 1, 60)
    v = sq.verify(ctx)
    assert {a["item"]: a["sound"] for a in v["items"]} == {"film": True, "pita-warna": True}
    assert not v["sound"]
    assert any(
        "pita-warna" in p["message"] and "ditulis ulang" in p["message"] for p in v["problems"]
    )


def test_anchor_finds_an_item_chain_cut_short(ctx: Context, stocked: str) -> None:
    from blangko.services.stock import anchors

    iw.remove(ctx, item="pita-warna", kind="spoil", lot="R-2026-01", quantity=1, reason="basah",
              effective=D2)  # fmt: skip
    anchors.anchor(ctx)
    with ctx.engine.begin() as conn:
        e = ti.item_entry.c
        conn.execute(delete(ti.item_entry).where(e.item_code == "pita-warna", e.seq == 2))
    v = sq.verify(ctx)
    assert not v["sound"]
    assert any("pita-warna" in p["message"] and "dihapus" in p["message"] for p in v["problems"])
