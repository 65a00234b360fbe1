"""Printer dan barang (/printer) on SQLite and PostgreSQL: the stock keeper records a broken
printer through the page and the API, a bad state is refused with the field named and nothing
written, the auditor reads but may not write (403), the operator may not read; the dashboard
and the page show what stops printing first (one stored figure)."""

from __future__ import annotations

from datetime import date

import pytest
from web_helpers import bearer, csrf_of, login

from blangko.services.items import queries
from blangko.services.items import writes as iw
from blangko.services.stock import writes as sw


def _stock(ctx) -> None:  # type: ignore[no-untyped-def]
    sw.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    iw.add_item(ctx, code="pita-warna", name="Pita warna YMCKO", role="ribbon", unit="roll",
                yield_prints=500)  # fmt: skip
    iw.receive(ctx, item="pita-warna", lot="R1", quantity=2, document="BAST/APBD/1",
               effective=date(2026, 10, 2))  # fmt: skip
    iw.add_printer(ctx, name="printer-1", station="loket-1", capacity=200,
                   since=date(2026, 10, 1))  # fmt: skip
    iw.load(ctx, name="printer-1", item="pita-warna", lot="R1", label="BOX-1",
            effective=date(2026, 10, 2))  # fmt: skip


def _post(client, data: dict):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/printer").text)
    return client.post("/printer/keadaan", data={"csrf": token, **data}, follow_redirects=False)


def test_stock_keeper_records_a_broken_printer(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _stock(ctx)
    login(client, "stok")
    page = client.get("/printer")
    assert page.status_code == 200
    assert 'data-testid="printers"' in page.text and "BOX-1" in page.text
    assert 'data-testid="dash-stops"' in page.text  # the stock keeper reads the forecast
    bad = _post(client, {"printer": "printer-1", "state": "broken", "note": ""})
    assert bad.status_code == 400 and 'data-field="note"' in bad.text
    assert [s["state"] for s in queries.printer_history(ctx, name="printer-1")["states"]] == [
        "working"
    ]
    r = _post(client, {"printer": "printer-1", "state": "broken", "since": "2026-11-20",
                       "note": "head cetak rusak"})  # fmt: skip
    assert r.status_code == 303
    assert "Keadaan printer dicatat: printer-1" in client.get("/printer").text
    assert queries.list_printers(ctx)["printers"][0]["state"] == "broken"
    # The dashboard names what stops printing first: the only printer is down.
    dash = client.get("/")
    assert 'data-testid="dash-stops"' in dash.text and "Kapasitas printer" in dash.text


def test_roles_on_the_printer_page_and_api(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _stock(ctx)
    login(client, "auditor")
    page = client.get("/printer")
    assert page.status_code == 200
    # The header's role, which the page's own item-role labels once replaced with nothing.
    assert '<span class="user">auditor <small>(Auditor)</small>' in page.text
    assert _post(client, {"printer": "printer-1", "state": "working"}).status_code == 403
    headers = bearer(client, "auditor")
    assert client.get("/api/v1/printers", headers=headers).json()["printers"][0]["name"] == (
        "printer-1"
    )
    refused = client.post("/api/v1/printers/state", headers=headers,
                          json={"printer": "printer-1", "state": "working"})  # fmt: skip
    assert refused.status_code == 403
    op = bearer(client, "operator")
    assert client.get("/api/v1/items", headers=op).status_code == 403
    keeper = bearer(client, "stok")
    items = client.get("/api/v1/items", headers=keeper).json()["items"]
    assert [i["code"] for i in items] == ["ektp", "pita-warna"]
    r = client.post("/api/v1/printers/state", headers={**keeper, "Idempotency-Key": "k1"},
                    json={"printer": "printer-1", "state": "in_repair",
                          "note": "dikirim ke Jakarta"})  # fmt: skip
    assert r.status_code == 200 and r.json()["printer"]["state"] == "in_repair"
    again = client.post("/api/v1/printers/state", headers={**keeper, "Idempotency-Key": "k1"},
                        json={"printer": "printer-1", "state": "in_repair",
                              "note": "dikirim ke Jakarta"})  # fmt: skip
    assert again.json()["replayed"] is True
    assert len(queries.printer_history(ctx, name="printer-1")["states"]) == 2
    bad = client.post("/api/v1/printers/state", headers=keeper,
                      json={"printer": "printer-1", "state": "rusak-berat"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "state"
    stops = client.get("/api/v1/forecast/stops", headers=keeper).json()
    assert stops["binding"]["constraint"] == "printers"
    assert {lim["constraint"] for lim in stops["limits"]} == {"blanks", "ribbon", "printers"}


def test_item_reports_and_nota_dinas_downloads(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _stock(ctx)
    iw.count(ctx, item="pita-warna", lot="R1", counted=0, reason="tidak ditemukan",
             effective=date(2026, 11, 20))  # fmt: skip
    login(client, "stok")
    page = client.get("/printer").text
    assert 'data-testid="item-reports"' in page and 'action="/laporan/stok/item_usage"' in page
    assert 'data-testid="report-purchase"' not in page  # the nota dinas is the head's
    r = client.get("/laporan/stok/item_usage?item=pita-warna&month=2026-11&fmt=xlsx")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    assert "laporan-penggunaan-pita-warna-2026-11.xlsx" in r.headers["content-disposition"]
    r = client.get("/laporan/stok/item_count?item=pita-warna&fmt=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    bad = client.get("/laporan/stok/item_usage?item=tinta&month=2026-11&fmt=pdf")
    assert bad.status_code == 404 and "tinta" in bad.text and 'href="/printer"' in bad.text
    assert client.get("/laporan/kantor/purchase?fmt=pdf").status_code == 403
    keeper = bearer(client, "stok")
    api = client.get("/api/v1/reports/stock/item_count", headers=keeper,
                     params={"item": "pita-warna", "as_of": "2026-11-20", "fmt": "xlsx"})  # fmt: skip
    assert api.status_code == 200 and api.content.startswith(b"PK")
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    login(client, "kepala")
    page = client.get("/printer").text
    assert 'data-testid="report-purchase"' in page
    r = client.get("/laporan/kantor/purchase?fmt=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "nota-dinas-pita-film-" in r.headers["content-disposition"]
    assert 'data-testid="report-purchase-stock"' in client.get("/stok").text
    head = bearer(client, "kepala")
    r = client.get("/api/v1/reports/office/purchase", headers=head, params={"fmt": "xlsx"})
    assert r.status_code == 200 and r.content.startswith(b"PK")
    auditor = bearer(client, "auditor")
    assert client.get("/api/v1/reports/office/purchase", headers=auditor).status_code == 403


def test_printer_page_dates_are_dd_mm_yyyy_text_fields(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _stock(ctx)
    login(client, "stok")
    page = client.get("/printer").text
    assert 'type="date"' not in page
    assert 'name="since" value="" inputmode="numeric"' in page
    r = _post(client, {"printer": "printer-1", "state": "broken", "since": "20-11-2026",
                       "expected_back": "30-11-2026", "note": "head cetak rusak"})  # fmt: skip
    assert r.status_code == 303
    view = queries.list_printers(ctx)["printers"][0]
    assert view["since"] == "2026-11-20" and view["expected_back"] == "2026-11-30"


def test_a_serialised_item_on_the_printer_page(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _stock(ctx)
    iw.add_item(ctx, code="kia", name="Blangko KIA", role="other", unit="keping",
                kind="serialised", serial_pattern="KA######")  # fmt: skip
    iw.receive(ctx, item="kia", serials="KA000001-KA000040", document="BAST/KIA/1",
               effective=date(2026, 10, 2))  # fmt: skip
    login(client, "stok")
    page = client.get("/printer").text
    row = page.split('data-testid="items"', 1)[1].split("</table>", 1)[0]
    assert "Blangko KIA" in row and "KA######" in row and "40 keping" in row
    reports = page.split('data-testid="item-reports"', 1)[1]
    assert '<option value="kia">Blangko KIA</option>' in reports
    assert '<option value="ektp">' not in reports
    r = client.get("/laporan/stok/item_usage", params={"item": "kia", "month": "2026-10",
                                                       "fmt": "pdf"})  # fmt: skip
    assert r.status_code == 200 and r.content[:4] == b"%PDF"


def test_a_page_cannot_replace_what_every_page_shows(app) -> None:  # type: ignore[no-untyped-def]
    from starlette.requests import Request

    from blangko.web.deps import page_context

    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": [],
                       "query_string": b"", "app": app})  # fmt: skip
    request.state.session = {}
    with pytest.raises(TypeError, match="role_labels"):
        page_context(request, role_labels={})
