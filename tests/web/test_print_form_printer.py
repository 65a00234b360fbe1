"""The counter's print form takes the printer (issue 15), on SQLite and PostgreSQL: the form
offers the office's working printers, the station's single working printer chosen; a print
through the form records the printer (its ribbon and film count the print); a broken printer
posted from a stale page is refused with the domain's message next to the field and nothing
written (neither the blank nor the print)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from web_helpers import KK, add_resident, csrf_of, login, stock_station

from blangko.adapters import tables as t
from blangko.adapters import tables_items as ti
from blangko.services import applications
from blangko.services.items import queries as iq
from blangko.services.items import writes as iw


def _printers(ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    start = ctx.today() - timedelta(days=30)
    iw.add_item(ctx, code="pita-warna", name="Pita", role="ribbon", unit="roll", yield_prints=500)
    iw.receive(ctx, item="pita-warna", lot="R1", quantity=2, document="BAST/1", effective=start)
    iw.add_printer(ctx, name="printer-1", station="loket-1", capacity=200, since=start)
    iw.add_printer(ctx, name="printer-2", station="loket-1", capacity=150, since=start)
    iw.load(ctx, name="printer-1", item="pita-warna", lot="R1", label="BOX-1", effective=start)
    iw.set_state(ctx, name="printer-2", state="broken", since=start, note="head rusak")


def _ready(client, ctx, serial: int) -> str:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=serial, recorded=ctx.today() - timedelta(days=400))
    r = applications.new(ctx, nik=nik, type="pemula", documents=KK)
    applications.ready(ctx, receipt=r["receipt"])
    return str(r["receipt"])


def _counts(ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(t.ledger_entry)).scalar_one(),
            conn.execute(select(func.count()).select_from(ti.printer_print)).scalar_one(),
        )


def _print(client, receipt: str, **data: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/layanan/permohonan/{receipt}")
    return client.post(
        f"/layanan/permohonan/{receipt}/print",
        data={"csrf": csrf_of(page.text), "station": "loket-1", **data},
        follow_redirects=False,
    )


def _ribbon_prints(ctx) -> int:  # type: ignore[no-untyped-def]
    return iq.printer_history(ctx, name="printer-1")["loads"][0]["prints"]


def test_the_print_form_records_the_printer(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _printers(ctx)
    login(client, "operator")
    receipt = _ready(client, ctx, 1)
    page = client.get(f"/layanan/permohonan/{receipt}").text
    select_html = page.split('data-testid="print-printer"', 1)[1].split("</select>", 1)[0]
    # Only the working printer is offered, and chosen: the station's single working one.
    assert '<option value="printer-1" selected>' in select_html
    assert "printer-2" not in select_html
    r = _print(client, receipt, printer="printer-1")
    assert r.status_code == 303, r.text[:500]
    assert applications.show(ctx, receipt=receipt)["status"] == "dicetak"
    assert _ribbon_prints(ctx) == 1  # the ribbon counts the card
    # Left blank, the print is recorded without a printer, as before.
    before = _ribbon_prints(ctx)
    assert _print(client, _ready(client, ctx, 2), printer="").status_code == 303
    assert _ribbon_prints(ctx) == before


def test_a_broken_printer_is_refused_next_to_the_field(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _printers(ctx)
    login(client, "operator")
    receipt = _ready(client, ctx, 1)
    before = _counts(ctx)
    r = _print(client, receipt, printer="printer-2")
    assert r.status_code == 409
    assert 'data-testid="field-error-printer"' in r.text
    assert (
        "Printer &#39;printer-2&#39; tidak berfungsi"
        in r.text.split('data-testid="field-error-printer"', 1)[1]
    )
    assert _counts(ctx) == before  # no blank consumed, no print counted
    assert applications.show(ctx, receipt=receipt)["status"] == "siap_cetak"
