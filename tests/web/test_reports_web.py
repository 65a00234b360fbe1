"""Report downloads on SQLite and PostgreSQL: the stock keeper's stock reports, the head's
coverage recap and request letter, refusals for the others."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from web_helpers import add_resident, bearer, login, stock_station


def test_stock_keeper_downloads_usage_and_receipt(client, ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    login(client, "stok")
    page = client.get("/stok")
    assert 'action="/laporan/stok/usage"' in page.text
    assert "/laporan/kantor/request" not in page.text  # the letter is the head's
    r = client.get("/laporan/stok/usage?month=2026-10&fmt=xlsx")
    assert r.status_code == 200, r.text[:300]
    assert (
        "attachment" in r.headers["content-disposition"]
        and ".xlsx" in r.headers["content-disposition"]
    )
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    cells = [
        v
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert 100 in cells  # the opening balance of 100 blanks appears in October's report
    pdf = client.get("/laporan/stok/usage?month=2026-10&fmt=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get("/laporan/stok/usage?month=2027-05&fmt=xlsx")
    assert bad.status_code == 400 and "belum dimulai" in bad.text
    assert client.get("/laporan/stok/request?fmt=pdf").status_code == 404
    assert client.get("/laporan/kantor/request?fmt=pdf").status_code == 403
    api = client.get(
        "/api/v1/reports/stock/usage?month=2026-10&fmt=pdf", headers=bearer(client, "stok")
    )
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    missing = client.get("/api/v1/reports/stock/count?fmt=pdf", headers=bearer(client, "stok"))
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "count_id"
    huge = client.get(
        "/api/v1/reports/stock/count?count_id=9223372036854775808", headers=bearer(client, "stok")
    )
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "out_of_range"


def test_head_downloads_request_letter_and_coverage_recap(client, ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    add_resident(ctx, serial=1)
    login(client, "kepala")
    assert 'href="/laporan/kantor/request?fmt=pdf"' in client.get("/stok").text
    r = client.get("/laporan/kantor/request?fmt=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get("/laporan/kantor/coverage?fmt=xlsx")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    text = " ".join(
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    assert "Kinal" in text
    op = bearer(client, "operator")
    assert client.get("/api/v1/reports/stock/usage?month=2026-10", headers=op).status_code == 403
    assert client.get("/api/v1/reports/office/coverage", headers=op).status_code == 403
