"""The demo's printers, ribbons and films (issue 15, "Done when"): two printers, one broken
for a week last month; ribbons of 500 prints and films of 1.000; the prints on the printer
agree with the blanks the ledger printed; the dashboard and `forecast stops` name what stops
printing first (the ribbon, weeks before the blanks)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.demo import printers as demo_printers
from blangko.demo import story
from blangko.services import dashboard, supply_limits
from blangko.services.context import Context
from blangko.services.items import queries
from blangko.services.stock import queries as sq


def test_the_demo_names_what_stops_printing_first(demo_3000) -> None:  # type: ignore[no-untyped-def]
    ctx: Context = demo_3000.ctx
    built = demo_3000.built  # story.build(ctx, population=3000), built once (tests/conftest.py)
    assert any("printer-2 rusak" in n for n in built["notes"])
    today = ctx.today()
    listed = {p["name"]: p for p in queries.list_printers(ctx, office=story.OFFICE)["printers"]}
    assert set(listed) == {"printer-1", "printer-2"}
    assert listed["printer-2"]["state"] == "working"
    hist = queries.printer_history(ctx, name="printer-2", office=story.OFFICE)
    broken = next(s for s in hist["states"] if s["state"] == "broken")
    start = date.fromisoformat(broken["since"])
    assert start == today - timedelta(days=demo_printers.BROKEN_DAYS_AGO)
    assert broken["expected_back"] == (start + timedelta(days=7)).isoformat()
    # The prints on printer-1 are Kaur's blanks printed since the printers were recorded (the
    # demo network's other offices print too, on printers the demo does not record).
    first = today - timedelta(days=demo_printers.TRACK_DAYS)
    with ctx.read() as conn:
        on_printer = conn.execute(select(func.sum(ti.printer_print.c.prints))).scalar_one()
        e = t.ledger_entry.c
        in_ledger = conn.execute(
            select(func.sum(e.quantity)).where(
                e.office_code == story.OFFICE, e.kind == "consume", e.effective_date >= first
            )
        ).scalar_one()
    assert on_printer == in_ledger
    p1 = queries.printer_history(ctx, name="printer-1", office=story.OFFICE)
    ribbons = [v for v in p1["loads"] if v["role"] == "ribbon"]
    assert [v["early"] for v in ribbons] == [True, False]
    assert ribbons[1]["yield_prints"] == 500
    assert ribbons[1]["prints"] >= min(demo_printers.RIBBON_PRINTED_NOW, on_printer * 3 // 4)
    assert ribbons[0]["prints"] > 0 and ribbons[0]["removed"] is not None
    # Sound books: the blank's chain and each item's.
    audit = sq.verify(ctx, office=story.OFFICE)
    assert audit["sound"], audit["problems"]
    assert {a["item"] for a in audit["items"]} == {"pita-warna", "film-retransfer", "kia"}
    # The KIA blanks: a range received, twelve printed, one spoiled; each serial in one state.
    kia = queries.item_balance(ctx, item="kia", office=story.OFFICE)
    assert kia["balanced"] and kia["on_hand"] == 200 - 12 - 1
    assert kia["states"]["printed"] == 12 and kia["states"]["spoiled"] == 1
    # What stops printing first: the ribbon, within the horizon; the blanks do not.
    stops = supply_limits.supply_limits(ctx, office=story.OFFICE)
    assert stops["binding"]["constraint"] == "ribbon", stops["limits"]
    assert stops["binding"]["stops_on"] is not None
    assert stops["binding"]["request_units"] >= 1
    assert stops["binding"]["route"] == "apbd" and stops["binding"]["lead_time_days"] == 60
    blanks = next(lim for lim in stops["limits"] if lim["constraint"] == "blanks")
    assert blanks["stops_on"] is None or blanks["stops_on"] > stops["binding"]["stops_on"]
    # The dashboard shows the same figure (the stored one).
    more = dashboard.outlook(ctx, story.OFFICE, "kepala")
    assert more["supply_limits"]["binding"] == stops["binding"]
