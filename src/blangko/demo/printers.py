"""The demo's printers, ribbons and films (issue 15): two card printers at the print station,
one of them broken for a week last month; colour ribbons of about 500 prints each (FIELD.md,
"Printing": harianjogja.com 2018) and retransfer films of 1.000 prints (an assumption: the
field facts give no film yield) bought from the regency's budget; the prints of each day on
the printer that made them, so ribbon use follows from the prints the ledger shows.

The story is the field's: the office has thousands of blanks but is down to the ribbon in the
printer and none in the store, so what stops printing first is the ribbon, weeks before the
blanks (docs/forecast.md, "Yang menghentikan cetak lebih dulu")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.demo.actors import HEAD, STOCK_KEEPER, acting
from blangko.services.context import Context
from blangko.services.items import serialised, writes

RIBBON, FILM = "pita-warna", "film-retransfer"
RIBBON_YIELD, FILM_YIELD = 500, 1000
PRINTERS = (("printer-1", 200), ("printer-2", 150))
BROKEN_DAYS_AGO, BROKEN_FOR = 35, 7  # printer-2: a week broken last month
TRACK_DAYS = 140  # prints recorded on the printers over the last this many days
RIBBON_PRINTED_NOW = 400  # prints on the ribbon in the printer today (of its 500)
# A second serialised card type: KIA blanks (child identity cards), a range received with the
# printers, a few cards printed in the last weeks and one spoiled.
KIA, KIA_PATTERN = "kia", "KA########"
KIA_RECEIVED = "KA00000001-KA00000200"
KIA_PRINT_DAYS_AGO = (20, 16, 13, 9, 6, 2)  # two cards each
KIA_SPOILED = "KA00000005"


def _on(ctx: Context, day: date) -> Context:
    moment = ctx.day_start(day) + timedelta(hours=9)
    return replace(ctx, clock=lambda: moment)


def _prints_per_day(ctx: Context, office: str, first: date) -> dict[date, int]:
    """Blanks printed (consumed) per day from ``first`` on, from the ledger."""
    e = t.ledger_entry.c
    with ctx.read() as conn:
        rows = conn.execute(
            select(e.effective_date, func.sum(e.quantity))
            .where(e.office_code == office, e.kind == "consume", e.effective_date >= first)
            .group_by(e.effective_date)
        ).all()
    return {d: int(n) for d, n in rows}


def add_printers(ctx: Context, office: str, station: str) -> dict[str, Any]:
    today = ctx.today()
    first = today - timedelta(days=TRACK_DAYS)
    keeper = acting(ctx, STOCK_KEEPER)
    head = acting(ctx, HEAD)
    k0 = _on(keeper, first)
    writes.add_item(
        k0, code=RIBBON, name="Pita warna YMCKO", role="ribbon", unit="roll",
        yield_prints=RIBBON_YIELD, office=office,
    )  # fmt: skip
    writes.add_item(
        k0, code=FILM, name="Film retransfer", role="film", unit="roll",
        yield_prints=FILM_YIELD, office=office,
    )  # fmt: skip
    # Bought after the budget revision: two ribbons and one film, all loaded since.
    writes.receive(
        k0, item=RIBBON, lot="APBD-P-01", quantity=2, document="BAST/APBD-P/2026/014",
        effective=first, office=office,
    )  # fmt: skip
    writes.receive(
        k0, item=FILM, lot="APBD-P-F1", quantity=2, document="BAST/APBD-P/2026/014",
        effective=first, office=office,
    )  # fmt: skip
    for name, capacity in PRINTERS:
        writes.add_printer(
            k0, name=name, station=station, capacity=capacity, since=first, office=office
        )
    writes.load(
        k0, name="printer-1", item=RIBBON, lot="APBD-P-01", label="PITA-0141",
        effective=first, office=office,
    )  # fmt: skip
    writes.load(
        k0, name="printer-1", item=FILM, lot="APBD-P-F1", label="FILM-0077",
        effective=first, office=office,
    )  # fmt: skip
    broken = today - timedelta(days=BROKEN_DAYS_AGO)
    back = broken + timedelta(days=BROKEN_FOR)
    writes.set_state(
        _on(head, broken), name="printer-2", state="broken", since=broken,
        expected_back=back, note="Head cetak rusak; diperbaiki teknisi penyedia di Jakarta",
        office=office,
    )  # fmt: skip
    writes.set_state(
        _on(head, back), name="printer-2", state="working", since=back,
        note="Kembali dari perbaikan", office=office,
    )  # fmt: skip
    # Every day's prints on printer-1. The first ribbon streaked early and was replaced
    # before its yield (the printer's history shows it); the one loaded since has printed
    # about RIBBON_PRINTED_NOW, and the store holds no other.
    per_day = sorted(_prints_per_day(ctx, office, first).items())
    target = min(RIBBON_PRINTED_NOW, sum(n for _, n in per_day) * 3 // 4)
    switch = per_day[0][0] if per_day else today
    since = 0
    for day, n in reversed(per_day):
        since += n
        switch = day
        if since >= target:
            break
    printed = 0
    for day, n in per_day:
        if day == switch:
            writes.load(
                _on(keeper, day), name="printer-1", item=RIBBON, lot="APBD-P-01",
                label="PITA-0142", effective=day, note="Pita bergaris, diganti lebih awal",
                office=office,
            )  # fmt: skip
        writes.record_prints(
            _on(keeper, day), name="printer-1", prints=n, effective=day, office=office
        )
        printed += n
    kia = _add_kia(keeper, office, first, today)
    return {
        "kia": kia,
        "printers": [p for p, _ in PRINTERS],
        "broken": (broken, back),
        "printed": printed,
        "ribbon_prints_left": max(0, RIBBON_YIELD - since),
    }


def _add_kia(keeper: Context, office: str, first: date, today: date) -> dict[str, Any]:
    """The KIA blanks: received with the printers, printed two a day on a few days, one
    spoiled. Printed without naming a printer: a print on printer-1 would also count on its
    ribbon, and the ribbon's story (what stops printing first) is the e-KTP prints' alone."""
    k0 = _on(keeper, first)
    writes.add_item(
        k0, code=KIA, name="Blangko KIA", role="other", unit="keping", kind="serialised",
        serial_pattern=KIA_PATTERN, office=office,
    )  # fmt: skip
    writes.receive(
        k0, item=KIA, serials=KIA_RECEIVED, document="BAST/KIA/2026/003", effective=first,
        office=office,
    )  # fmt: skip
    n = 0
    for ago in KIA_PRINT_DAYS_AGO:
        day = today - timedelta(days=ago)
        for _ in range(2):
            n += 1 + (n + 1 == 5)  # KA00000005 is the spoiled one
            serialised.print_serial(
                _on(keeper, day), item=KIA, serial=f"KA{n:08d}", effective=day, office=office
            )
    day = today - timedelta(days=KIA_PRINT_DAYS_AGO[1])
    writes.remove(
        _on(keeper, day), item=KIA, kind="spoil", serials=KIA_SPOILED,
        reason="Salah cetak: foto buram", effective=day, office=office,
    )  # fmt: skip
    return {"printed": 2 * len(KIA_PRINT_DAYS_AGO), "spoiled": 1}
