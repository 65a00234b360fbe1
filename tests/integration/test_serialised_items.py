"""A second serialised card type (KIA) on SQLite and on PostgreSQL (issue 15): its entries in
the item's own hash chain with the serial ranges they move, each serial in one state; receive
a range (an overlap or a serial of another pattern refused, nothing written), print one
serial on a printer (its ribbon counts the print; a serial not in store refused), spoil and
lose, a count by serial scan (found and missing serials, a variance needs a reason), verify
(chain tamper, a serial's state changed behind the book's back) in `stock verify`; quantity
commands on it and serials on a quantity item refused naming the field; the blank's chain
untouched."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.domain.errors import DomainError
from blangko.services.context import Context
from blangko.services.items import queries as iq
from blangko.services.items import serialised as ks
from blangko.services.items import writes as iw
from blangko.services.stock import queries as sq
from blangko.services.stock import writes as sw

D1 = date(2026, 10, 5)
D2 = date(2026, 11, 2)


def rows(ctx: Context) -> dict[str, Any]:
    with ctx.read() as conn:
        counts = {
            tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar_one()
            for tbl in (ti.item_entry, ti.item_serial, ti.printer_print, t.ledger_entry)
        }
        states = sorted(conn.execute(select(ti.item_serial.c.serial, ti.item_serial.c.state)))
        head = conn.execute(select(t.office.c.ledger_seq, t.office.c.ledger_hash)).all()
    return {"rows": counts, "states": states, "head": head}


@pytest.fixture
def kia(ctx: Context, office: str) -> str:
    sw.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    iw.add_item(ctx, code="kia", name="Blangko KIA", role="other", unit="keping",
                kind="serialised", serial_pattern="KA######")  # fmt: skip
    iw.add_item(ctx, code="pita-warna", name="Pita", role="ribbon", unit="roll", yield_prints=500)
    iw.receive(ctx, item="pita-warna", lot="R1", quantity=2, document="BAST/1", effective=D1)
    iw.add_printer(ctx, name="printer-1", station="loket-1", capacity=200, since=D1)
    iw.load(ctx, name="printer-1", item="pita-warna", lot="R1", label="BOX-1", effective=D1)
    iw.receive(ctx, item="kia", serials="KA000001-KA000050", document="BAST/KIA/1", effective=D1)
    return office


def _refused(ctx: Context, error: str, fn: Any, /, **kw: Any) -> DomainError:
    before = rows(ctx)
    with pytest.raises(DomainError) as exc:
        fn(ctx, **kw)
    assert exc.value.code == error, exc.value
    assert rows(ctx) == before  # nothing written
    return exc.value


def _audit(ctx: Context) -> dict[str, Any]:
    return {a["item"]: a for a in sq.verify(ctx)["items"]}["kia"]


def test_serialised_item_ledger_rules(ctx: Context, kia: str) -> None:
    blank_head = rows(ctx)["head"]
    listed = {i["code"]: i for i in iq.list_items(ctx)["items"]}["kia"]
    assert listed["kind"] == "serialised" and listed["on_hand"] == 50
    assert listed["serial_pattern"] == "KA######"
    r = ks.print_serial(ctx, item="kia", serial="KA000003", printer="printer-1", effective=D2)
    assert r["entries"][0]["kind"] == "print" and r["entries"][0]["printer"] == "printer-1"
    assert iq.printer_history(ctx, name="printer-1")["loads"][0]["prints"] == 1  # the ribbon
    iw.remove(ctx, item="kia", kind="spoil", serials="KA000004", reason="cetak gagal",
              effective=D2)  # fmt: skip
    iw.remove(ctx, item="kia", kind="lose", serials="KA000010-KA000011", reason="hilang",
              document="LP/1", effective=D2)  # fmt: skip
    b = iq.item_balance(ctx, item="kia")
    assert b["on_hand"] == 46 and b["balanced"]
    assert b["totals"] == {"received": 50, "loaded": 1, "spoiled": 1, "lost": 2, "adjusted": 0}
    assert b["states"] == {"in_store": 46, "printed": 1, "spoiled": 1, "lost": 2, "missing": 0}
    assert b["in_store"] == "KA000001-KA000002,KA000005-KA000009,KA000012-KA000050"
    # A count by scan: KA000050 not found, KA000011 (lost) found again.
    scanned = "KA000001-KA000002,KA000005-KA000009,KA000011-KA000049"
    _refused(ctx, "required", iw.count, item="kia", serials=scanned, effective=D2)
    c = iw.count(ctx, item="kia", serials=scanned, reason="selisih hitung", effective=D2)
    assert (c["book"], c["counted"], c["variance"]) == (46, 46, 0)  # type: ignore[typeddict-item]
    assert c["found"] == "KA000011" and c["missing"] == "KA000050"  # type: ignore[typeddict-item]
    assert [e["kind"] for e in c["entries"]] == ["missing", "found"]
    b = iq.item_balance(ctx, item="kia")
    assert b["on_hand"] == 46 and b["balanced"] and b["states"]["missing"] == 1
    # A count that agrees writes nothing.
    before = rows(ctx)
    again = iw.count(ctx, item="kia", serials=scanned, effective=D2)
    assert again["entries"] == [] and rows(ctx) == before
    audit = _audit(ctx)
    assert audit["sound"] and audit["entries"] == 6, audit
    assert rows(ctx)["head"] == blank_head  # the blank's chain untouched


def test_serialised_item_bad_input(ctx: Context, kia: str) -> None:
    # A receipt overlapping serials already held, or of another pattern.
    e = _refused(ctx, "serials_held", iw.receive, item="kia", serials="KA000040-KA000060",
                 document="BAST/KIA/2")  # fmt: skip
    assert e.field == "serials" and "KA000040-KA000050" in str(e.message)
    e = _refused(ctx, "serial_pattern", iw.receive, item="kia", serials="KR000051-KR000060",
                 document="BAST/KIA/2")  # fmt: skip
    assert e.field == "serials"
    # A print of a serial not in store (never received; printed already).
    _refused(ctx, "serial_not_in_store", ks.print_serial, item="kia", serial="KA000099")
    ks.print_serial(ctx, item="kia", serial="KA000001")
    e = _refused(ctx, "serial_not_in_store", ks.print_serial, item="kia", serial="KA000001")
    assert "dicetak" in str(e.message)
    # A print on a broken printer: nothing written, neither the serial nor the print.
    iw.set_state(ctx, name="printer-1", state="broken", since=D2, note="head rusak")
    _refused(ctx, "printer_down", ks.print_serial, item="kia", serial="KA000002",
             printer="printer-1")  # fmt: skip
    # Quantity commands on the serialised item name the field; serials on a quantity item too.
    e = _refused(ctx, "serialised_item_by_quantity", iw.receive, item="kia", lot="L1",
                 quantity=5, serials="KA000100", document="BAST")  # fmt: skip
    assert e.field == "lot"
    e = _refused(ctx, "serialised_item_by_quantity", iw.count, item="kia", counted=3)
    assert e.field == "qty"
    e = _refused(ctx, "quantity_item_by_serial", iw.receive, item="pita-warna", lot="R2",
                 quantity=1, document="BAST/2", serials="KA000100")  # fmt: skip
    assert e.field == "serials"
    _refused(ctx, "quantity_item_by_serial", ks.print_serial, item="pita-warna", serial="X1")
    _refused(ctx, "required", iw.remove, item="kia", kind="lose", serials="KA000005",
             reason="hilang")  # fmt: skip
    _refused(ctx, "serial_pattern_format", iw.add_item, code="kia2", name="KIA", role="other",
             unit="keping", kind="serialised", serial_pattern="KA-1")  # fmt: skip


def test_verify_finds_a_tampered_serialised_book(ctx: Context, kia: str) -> None:
    ks.print_serial(ctx, item="kia", serial="KA000002")
    assert _audit(ctx)["sound"]
    # A serial's state changed behind the book's back: printed card shown back in store.
    with ctx.engine.begin() as conn:
        conn.execute(
            update(ti.item_serial)
            .where(ti.item_serial.c.serial == "KA000002")
            .values(state="in_store")
        )
    bad = _audit(ctx)
    assert not bad["sound"] and any("KA000002" in p for p in bad["problems"]), bad
    with ctx.engine.begin() as conn:
        conn.execute(
            update(ti.item_serial)
            .where(ti.item_serial.c.serial == "KA000002")
            .values(state="printed")
        )
    assert _audit(ctx)["sound"]
    # An entry's serials rewritten: the hash no longer matches its content.
    with ctx.engine.begin() as conn:
        conn.execute(
            update(ti.item_entry)
            .where(ti.item_entry.c.item_code == "kia", ti.item_entry.c.kind == "print")
            .values(serials="KA000003")
        )
    v = sq.verify(ctx)
    bad = {a["item"]: a for a in v["items"]}["kia"]
    assert not v["sound"] and any("hash" in p for p in bad["problems"]), bad
