"""List pages of a big office show one page and the count of all (issue 17: a page must not
hold the office's whole ledger or every application): the ledger page, the counter's
applications under way, the ledger and application APIs, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

import pytest
from web_helpers import KK, add_resident, bearer, login

from blangko.domain.applications import TERMINAL, Status
from blangko.services import applications
from blangko.services.stock import queries, writes
from blangko.web import applications as web_applications


def _ledger_rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="kind-\w+">\s*<td class="n">(\d+)</td>', html)]


@pytest.fixture
def stocked(ctx, staffed):  # type: ignore[no-untyped-def]
    writes.receive_shipment(
        ctx,
        serials="KR0100001-KR0100030",
        source="Ditjen",
        document="BA-1",
        effective=date(2026, 11, 2),
    )
    for i in range(11):
        writes.consume(ctx, service="pemula", qty=1, effective=date(2026, 11, 3 + i))
    return ctx


def test_the_ledger_page_shows_one_page_and_the_count_of_all(client, stocked) -> None:  # type: ignore[no-untyped-def]
    login(client, "auditor")
    everything = [e["seq"] for e in queries.ledger(stocked)["entries"]][::-1]  # newest first
    assert len(everything) == 12
    first = client.get("/stok/ledger?limit=5")
    assert first.status_code == 200
    assert _ledger_rows(first.text) == everything[:5]
    assert 'data-total="12"' in first.text and "menampilkan 1–5 dari 12 entri" in first.text
    assert "offset=5" in first.text and "Berikutnya" in first.text
    last = client.get("/stok/ledger?limit=5&offset=10")
    assert _ledger_rows(last.text) == everything[10:]
    assert "menampilkan 11–12 dari 12 entri" in last.text and "Berikutnya" not in last.text
    assert "Sebelumnya" in last.text
    # A filter counts what it selects: one entry moved KR0100003 in and one printed it.
    one = client.get("/stok/ledger?serial=KR0100003&limit=5")
    assert 'data-total="2"' in one.text and len(_ledger_rows(one.text)) == 2
    bad = client.get("/stok/ledger?serial=KR01-??")
    assert bad.status_code == 400 and 'data-total="0"' in bad.text


def test_the_ledger_api_pages_in_date_order(client, stocked) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "auditor")
    body = client.get("/api/v1/stock/ledger?limit=4&offset=2", headers=h).json()
    everything = [e["seq"] for e in queries.ledger(stocked)["entries"]]
    assert body["total"] == 12 and body["office"] == "17.04"
    assert [e["seq"] for e in body["items"]] == everything[2:6]
    consumed = client.get("/api/v1/stock/ledger?kind=consume&limit=100", headers=h).json()
    assert consumed["total"] == 11 and len(consumed["items"]) == 11


def test_the_counter_lists_the_newest_applications_under_way_and_counts_all(  # type: ignore[no-untyped-def]
    client, ctx, staffed, monkeypatch
) -> None:
    receipts = []
    for i in range(1, 8):
        nik = add_resident(ctx, serial=i)
        receipts.append(applications.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"])
    applications.cancel(ctx, receipt=receipts[6], reason="salah jenis")  # not under way
    monkeypatch.setattr(web_applications, "ACTIVE_SHOWN", 4)
    login(client, "operator")
    page = client.get("/layanan")
    assert page.status_code == 200
    shown = re.findall(
        r'<a href="/layanan/permohonan/([\w-]+)">',
        page.text.split('data-testid="active-applications"', 1)[1].split("</table>", 1)[0],
    )
    under_way = [
        a["receipt"] for a in applications.list_(ctx) if Status(a["status"]) not in TERMINAL
    ]
    assert len(under_way) == 6
    assert shown == under_way[::-1][:4]  # the newest four
    assert 'data-total="6"' in page.text and "menampilkan 4 dari 6" in page.text


def test_the_applications_api_pages_with_the_total(client, ctx, staffed) -> None:  # type: ignore[no-untyped-def]
    for i in range(1, 6):
        applications.new(ctx, nik=add_resident(ctx, serial=i), type="pemula", documents=KK)
    h = bearer(client, "kepala")
    body = client.get("/api/v1/applications?limit=2&offset=1", headers=h).json()
    everything = [a["receipt"] for a in applications.list_(ctx)]
    assert body["total"] == 5 and [a["receipt"] for a in body["items"]] == everything[1:3]
    none = client.get("/api/v1/applications?status=dicetak", headers=h).json()
    assert none == {"total": 0, "limit": 100, "offset": 0, "items": []}
