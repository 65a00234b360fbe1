"""Report downloads on SQLite and PostgreSQL: the stock keeper's stock reports, the head's
coverage recap and request letter, refusals for the others."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from web_helpers import add_resident, bearer, login, stock_station

from blangko.services import forecast
from blangko.services.stock import writes


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
    assert 'href="/laporan/permohonan"' in client.get("/stok").text
    form = client.get("/laporan/permohonan")
    assert form.status_code == 200 and 'data-testid="request-form"' in form.text
    r = client.get("/laporan/kantor/request?fmt=pdf&quantity=50&reason=Pilkades")
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


def _in_layout(html: str) -> bool:
    return '<header class="top">' in html and "<footer>" in html


def test_request_letter_with_nothing_recommended_is_a_form_not_a_dead_end(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, observation 7: the forecast recommends 0; the link on Dasbor and Stok leads
    to a form that says so, prefilled, and the head can still ask with a reason."""
    stock_station(ctx)
    writes.receive_shipment(ctx, serials="KR0100001-KR0105000", source="Ditjen", document="BA-1")
    assert forecast.forecast(ctx)["recommended_request"]["quantity"] == 0
    login(client, "kepala")
    for page in ("/", "/stok"):
        html = client.get(page).text
        assert 'href="/laporan/permohonan"' in html, page
        assert "/laporan/kantor/request?fmt=" not in html, page
    form = client.get("/laporan/permohonan")
    assert form.status_code == 200 and _in_layout(form.text)
    assert 'data-testid="no-recommendation"' in form.text
    assert 'data-figure="recommended_request"' in form.text and 'data-value="0"' in form.text
    assert 'data-figure="request_reasons"' in form.text
    # The old link without a quantity: the form again, saying what to fill in.
    r = client.get("/laporan/kantor/request?fmt=pdf")
    assert r.status_code == 400 and _in_layout(r.text)
    assert 'data-testid="request-form"' in r.text and 'data-field="quantity"' in r.text
    # More than recommended without a reason: the form again, the error at the reason.
    r = client.get("/laporan/kantor/request?fmt=pdf&quantity=2.000")
    assert r.status_code == 400 and 'data-field="reason"' in r.text
    assert 'value="2.000"' in r.text  # what the head typed is kept
    r = client.get("/laporan/kantor/request?fmt=pdf&quantity=2.000&reason=Menjelang+Pilkades")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get("/laporan/kantor/request?fmt=xlsx&quantity=2000&reason=Menjelang+Pilkades")
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    cover = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]}
    assert cover["Jumlah dimohon (keping)"] == 2000
    api = client.get(
        "/api/v1/reports/office/request?fmt=pdf&quantity=2000&reason=Pilkades",
        headers=bearer(client, "kepala"),
    )
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    refused = client.get("/api/v1/reports/office/request?fmt=pdf", headers=bearer(client, "kepala"))
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "quantity"


BAD_DOWNLOADS = [
    ("/laporan/stok/usage?fmt=xlsx", "month", "/stok"),
    ("/laporan/stok/usage?month=2026-13&fmt=xlsx", "month", "/stok"),
    ("/laporan/stok/usage?month=2026-10&fmt=doc", "format", "/stok"),
    ("/laporan/stok/count?fmt=pdf", "count_id", "/stok"),
    ("/laporan/stok/count?count_id=abc&fmt=pdf", "count_id", "/stok"),
    ("/laporan/stok/count?count_id=99999&fmt=pdf", "count_id", "/stok"),
    ("/laporan/stok/receipt?seq=0&fmt=pdf", "seq", "/stok"),
    ("/laporan/stok/receipt?seq=99999&fmt=pdf", "seq", "/stok"),
    ("/laporan/stok/destruction?month=kemarin&fmt=pdf", "month", "/stok"),
    ("/laporan/stok/tidak-ada?fmt=pdf", "report", "/"),
    ("/laporan/kantor/coverage?as_of=31-02-2026&fmt=xlsx", "as_of", "/cakupan"),
    ("/laporan/kantor/coverage?fmt=docx", "format", "/cakupan"),
    ("/laporan/kantor/tidak-ada", "report", "/"),
]


def test_every_bad_download_is_a_page_that_says_what_to_do(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Every /laporan/* route with bad parameters answers with a page in the app's layout
    naming the field and where to try again, never a bare status code."""
    stock_station(ctx)
    login(client, "kepala")
    for url, field, back in BAD_DOWNLOADS:
        r = client.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), url
        assert _in_layout(r.text), url
        assert 'data-testid="report-error"' in r.text, url
        assert f'data-field="{field}"' in r.text, (url, r.text[-800:])
        assert f'href="{back}"' in r.text.split('data-testid="report-error"', 1)[1], url


def test_the_month_of_a_stock_report_takes_mm_yyyy_and_shows_a_bad_one_at_its_field(
    client, ctx
) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    login(client, "kepala")
    page = client.get("/stok").text
    assert 'type="month"' not in page and 'placeholder="bb-tttt"' in page
    for month in ("10-2026", "2026-10"):
        r = client.get(f"/laporan/stok/usage?month={month}&fmt=xlsx")
        assert r.status_code == 200 and r.content[:2] == b"PK", month
    bad = client.get("/laporan/stok/destruction?month=10.2026&fmt=pdf")
    assert bad.status_code == 400 and 'data-testid="report-retry"' in bad.text
    retry = bad.text.split('data-testid="report-retry"', 1)[1]
    assert 'data-testid="field-error-month"' in retry and "bb-tttt" in retry
    assert 'value="10.2026"' in retry and 'aria-invalid="true"' in retry
