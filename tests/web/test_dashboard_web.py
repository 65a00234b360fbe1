"""The dashboard on SQLite and PostgreSQL: the stock and usage charts; the forecast fan chart
and request, coverage vs target, next event and readiness, each only for the roles that plan."""

from __future__ import annotations

import re
from datetime import date

from web_helpers import add_resident, bearer, hold_background, login, stock_station

from blangko.services import derived, figures
from blangko.services.calendar import events
from blangko.services.stock import writes


def _office(ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    for i in range(1, 4):
        add_resident(ctx, serial=i, recorded=date(2020, 1, 6) if i == 1 else None)
    events.add_event(
        ctx,
        name="Pilkades Kinal",
        event_date=date(2027, 1, 20),
        kind="pilkades",
        villages=["17.04.01.2001"],
    )


def test_head_sees_forecast_coverage_and_readiness(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _office(ctx)
    login(client, "kepala")
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="/grafik/perkiraan.svg"' in page.text
    fc = figures.forecast_for(ctx, None)
    qty = page.text.split('data-testid="request-qty"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert qty == f"{fc['recommended_request']['quantity']:,}".replace(",", ".")
    assert (
        page.text.split('data-testid="dash-coverage">', 1)[1].split(">", 1)[1].startswith("33,3 %")
    )
    assert "Pilkades Kinal" in page.text.split('data-testid="next-event">', 1)[1][:300]
    (seen,) = fc["events"]
    assert seen["blanks"] == events.impact(ctx, 1)["expected_extra"]["blanks"]
    r = seen["readiness"]
    shown = page.text.split('data-testid="readiness"', 1)[1][:600]
    assert ("Siap" in shown) == r["ready"] and f'data-need="{r["need"]}"' in shown
    svg = client.get("/grafik/perkiraan.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "kiriman berikut" in svg.text and "Pilkades Kinal" in svg.text


def test_operator_dashboard_has_no_forecast_and_api_roles(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _office(ctx)
    login(client, "operator")
    page = client.get("/")
    assert page.status_code == 200 and "perkiraan.svg" not in page.text
    assert 'data-testid="dash-coverage"' not in page.text
    assert client.get("/grafik/perkiraan.svg").status_code == 403
    stok = bearer(client, "stok")
    r = client.get("/api/v1/forecast", headers=stok)
    assert r.status_code == 200 and r.json()["on_hand"] == 100
    assert len(r.json()["daily"]) == 120
    assert client.get("/api/v1/forecast?horizon=3", headers=stok).status_code == 422
    assert client.get("/api/v1/forecast", headers=bearer(client, "operator")).status_code == 403


def test_charts_are_svg(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100100", source="Ditjen", document="BA-1")
    writes.consume(ctx, service="pemula", qty=3)
    login(client, "operator")
    for url in ("/grafik/stok.svg", "/grafik/pemakaian.svg"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.lstrip().startswith("<?xml") and "<svg" in r.text
    assert "+100" in client.get("/grafik/stok.svg").text  # the receipt is marked
    assert "Pemula" in client.get("/grafik/pemakaian.svg").text


def _svg_size(text: str) -> tuple[float, float]:
    """(viewBox width, smallest font size) of a chart, both in the SVG's points."""
    width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', text).group(1))  # type: ignore[union-attr]
    return width, min(float(f) for f in re.findall(r"font-size: ([\d.]+)px", text))


def test_charts_are_drawn_again_for_a_phone(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: `?narrow=1` draws each chart for a phone's width, so that the browser does
    not scale its text down to 6 px. The pages offer that drawing below 600 px (<picture>);
    tests/e2e/test_web_layout.py measures the text as shown."""
    _office(ctx)
    writes.consume(ctx, service="pemula", qty=3)
    login(client, "kepala")
    page = client.get("/")
    assert '<source media="(max-width: 600px)" srcset="/grafik/stok.svg?narrow=1">' in page.text
    for url in (
        "/grafik/stok.svg",
        "/grafik/pemakaian.svg",
        "/grafik/perkiraan.svg",
        "/grafik/cakupan.svg?by=desa",
    ):
        wide, narrow = client.get(url), client.get(url + ("&" if "?" in url else "?") + "narrow=1")
        assert narrow.status_code == 200 and narrow.headers["content-type"].startswith("image/svg")
        (wide_w, wide_font), (narrow_w, narrow_font) = _svg_size(wide.text), _svg_size(narrow.text)
        # 9-point text is 12 px at the drawn size; a 310 px box shows it at 10 px or more.
        assert narrow_w <= 270 < wide_w, (url, narrow_w, wide_w)
        assert narrow_font >= 9 and wide_font >= 9, url
    assert client.get("/grafik/stok.svg?narrow=ja").status_code in (400, 422)


def _on_hand(page: str) -> int:
    m = re.search(r'data-figure="on_hand" data-location="" data-value="(-?\d+)"', page)
    assert m, "no stock on hand on the page"
    return int(m.group(1))


def test_after_a_print_pages_show_the_stored_figures_as_being_updated(
    client, ctx, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A page view after a change shows the stored forecast and coverage with when they were
    computed and that newer ones are being computed (data-fresh), the stock on hand of now;
    the background then stores the new ones and the marker goes."""
    hold_background(monkeypatch)  # the new forecast is stored only when the test waits
    _office(ctx)
    login(client, "kepala")
    first = client.get("/")
    assert first.status_code == 200 and "data-fresh" not in first.text
    assert "sedang diperbarui" not in first.text and _on_hand(first.text) == 100
    stored = figures.forecast_stored(ctx, None)
    writes.consume(ctx, service="pemula", qty=1, location="gudang")
    add_resident(ctx, serial=9, recorded=date(2020, 2, 3))  # coverage changes too
    page = client.get("/")
    assert _on_hand(page.text) == 99  # the ledger's, now
    for testid in ("forecast-computed", "coverage-computed", "cover-computed"):
        line = page.text.split(f'data-testid="{testid}"', 1)[1].split("</p>", 1)[0]
        assert f'data-fresh="{stored.computed_at.isoformat()}"' in line, testid
        assert "Dihitung pada" in line and "sedang diperbarui" in line, testid
    status = client.get("/status")
    assert "sedang diperbarui" in status.text.split('data-testid="level-computed"', 1)[1][:300]
    assert derived.wait_background(120)
    page = client.get("/")
    assert "data-fresh" not in page.text and "sedang diperbarui" not in page.text
    assert _on_hand(page.text) == 99
    assert figures.forecast_stored(ctx, None).value["on_hand"] == 99
    assert 'data-testid="level-computed"' not in client.get("/status").text


def test_the_first_view_computes_and_the_api_is_never_stale(client, ctx) -> None:  # type: ignore[no-untyped-def]
    _office(ctx)
    login(client, "kepala")
    assert "sedang diperbarui" not in client.get("/").text  # nothing stored: computed in it
    writes.consume(ctx, service="pemula", qty=1, location="gudang")
    fc = client.get("/api/v1/forecast", headers=bearer(client, "kepala")).json()
    assert fc["on_hand"] == 99  # the API reads the current figure, computed in the call
    # ... which the page then shows as current (IKD against the blanks received follows the
    # ledger too: that one is being computed again).
    page = client.get("/").text
    assert "sedang diperbarui" not in page.split('data-testid="forecast-computed"', 1)[1][:200]
    assert "sedang diperbarui" in page.split('data-testid="ikd-computed"', 1)[1][:200]
