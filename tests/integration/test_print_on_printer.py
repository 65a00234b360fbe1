"""A print records its printer (issue 15 point 2), on SQLite and on PostgreSQL: the counter's
print of an application and `stock consume` name the station's printer, and the day's prints
on it follow from them (its ribbon and film counted), with no separate `printer prints`
entry; a print on a broken printer, on a printer with no ribbon, or on another station's
printer is refused with nothing written (neither the blank nor the print); without a printer,
as before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from service_helpers import KK, add_resident, stock_station
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.domain.errors import DomainError
from blangko.services import applications as apps
from blangko.services.context import Context
from blangko.services.items import queries as iq
from blangko.services.items import writes as iw
from blangko.services.stock import writes as sw


def _counts(ctx: Context) -> tuple[int, int, int]:
    with ctx.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(t.ledger_entry)).scalar_one(),
            conn.execute(select(func.count()).select_from(ti.printer_print)).scalar_one(),
            conn.execute(
                select(func.coalesce(func.sum(ti.printer_print.c.prints), 0))
            ).scalar_one(),
        )


@pytest.fixture
def station(ctx: Context, office: str) -> str:
    stock_station(ctx)
    start = ctx.today() - timedelta(days=30)
    iw.add_item(ctx, code="pita-warna", name="Pita", role="ribbon", unit="roll", yield_prints=500)
    iw.add_item(ctx, code="film", name="Film", role="film", unit="roll", yield_prints=1000)
    iw.receive(ctx, item="pita-warna", lot="R1", quantity=3, document="BAST/1", effective=start)
    iw.receive(ctx, item="film", lot="F1", quantity=1, document="BAST/1", effective=start)
    iw.add_printer(ctx, name="printer-1", station="loket-1", capacity=200, since=start)
    iw.add_printer(ctx, name="printer-2", station="loket-1", capacity=150, since=start)
    iw.load(ctx, name="printer-1", item="pita-warna", lot="R1", label="BOX-1", effective=start)
    iw.load(ctx, name="printer-1", item="film", lot="F1", label="F-1", effective=start)
    return office


def _ready(ctx: Context, serial: int) -> str:
    nik = add_resident(ctx, serial=serial, recorded=date(2020, 3, 3))
    r = apps.new(ctx, nik=nik, type="pemula", documents=KK)
    apps.ready(ctx, receipt=r["receipt"])
    return r["receipt"]


def _loaded(ctx: Context, printer: str) -> dict[str, int]:
    views = iq.printer_history(ctx, name=printer)["loads"]
    return {v["label"]: v["prints"] for v in views if v["removed"] is None}


def test_prints_follow_from_the_counter_and_consume(ctx: Context, station: str) -> None:
    before = _counts(ctx)
    r = apps.print_card(ctx, receipt=_ready(ctx, 1), station="loket-1", printer="printer-1")
    assert r["status"] == "dicetak"
    apps.print_card(ctx, receipt=_ready(ctx, 2), station="loket-1", printer="printer-1")
    sw.consume(
        ctx, service="pemula", qty=3, location="loket-1", printer="printer-1"
    )  # three cards printed outside an application
    after = _counts(ctx)
    assert after[0] - before[0] == 3  # one ledger entry per print/consumption
    assert after[2] - before[2] == 5  # five prints counted on the printer
    assert _loaded(ctx, "printer-1") == {"BOX-1": 5, "F-1": 5}
    # The same idempotency key replays: no second print counted.
    key = "cetak-1"
    receipt = _ready(ctx, 3)
    apps.print_card(ctx, receipt=receipt, station="loket-1", printer="printer-1",
                    idempotency_key=key)  # fmt: skip
    again = apps.print_card(ctx, receipt=receipt, station="loket-1", printer="printer-1",
                            idempotency_key=key)  # fmt: skip
    assert again["replayed"] is True and _loaded(ctx, "printer-1")["BOX-1"] == 6
    # Without a printer: as before, nothing counted on a printer.
    apps.print_card(ctx, receipt=_ready(ctx, 4), station="loket-1")
    sw.consume(ctx, service="pemula", qty=1, location="loket-1")
    assert _counts(ctx)[2] == after[2] + 1


def _refused(ctx: Context, code: str, fn, /, **kw) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ctx)
    with pytest.raises(DomainError) as exc:
        fn(ctx, **kw)
    assert exc.value.code == code, exc.value
    assert _counts(ctx) == before  # nothing written: no blank, no print


def test_print_on_a_broken_printer_is_refused(ctx: Context, station: str) -> None:
    receipt = _ready(ctx, 1)
    iw.set_state(ctx, name="printer-1", state="broken", since=ctx.today(), note="head rusak")
    _refused(ctx, "printer_down", apps.print_card, receipt=receipt, station="loket-1",
             printer="printer-1")  # fmt: skip
    _refused(ctx, "printer_down", sw.consume, service="pemula", qty=1, location="loket-1",
             printer="printer-1")  # fmt: skip
    assert apps.show(ctx, receipt=receipt)["status"] == "siap_cetak"
    # No ribbon in printer-2; an unknown printer; another station's printer.
    _refused(ctx, "no_ribbon", apps.print_card, receipt=receipt, station="loket-1",
             printer="printer-2")  # fmt: skip
    _refused(ctx, "unknown_printer", sw.consume, service="pemula", qty=1, location="loket-1",
             printer="printer-9")  # fmt: skip
    iw.set_state(ctx, name="printer-1", state="working", since=ctx.today())
    _refused(ctx, "printer_elsewhere", sw.consume, service="pemula", qty=1, location="gudang",
             printer="printer-1")  # fmt: skip
    r = apps.print_card(ctx, receipt=receipt, station="loket-1", printer="printer-1")
    assert r["status"] == "dicetak"
