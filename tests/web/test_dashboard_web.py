"""The dashboard on SQLite and PostgreSQL: the stock and usage charts; the forecast fan chart
and request, coverage vs target, next event and readiness, each only for the roles that plan."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

from web_helpers import add_resident, bearer, hold_background, login, stock_station

from blangko.domain.ledger import MOVES, Kind, State
from blangko.services import dashboard, derived, figures
from blangko.services.calendar import events
from blangko.services.stock import queries, writes
from blangko.web import charts


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


def _series_entry_by_entry(ctx):  # type: ignore[no-untyped-def]
    """The charts' series and the last entries as the dashboard computed them before, from
    every entry of the ledger: what the database's sums must equal."""
    entries = queries.ledger(ctx)["entries"]
    delta: dict[date, int] = defaultdict(int)
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        d, q = date.fromisoformat(e["effective_date"]), int(e["quantity"])
        if e["from_location"] is not None:
            delta[d] -= q
        if e["to_location"] is not None and MOVES[Kind(e["kind"])].to_state == State.AVAILABLE:
            delta[d] += q
        if e["kind"] == Kind.CONSUME:
            weeks[d - timedelta(days=d.weekday())][e["service"] or "lainnya"] += q
    levels, level = [], 0
    for d in sorted(delta):
        level += delta[d]
        levels.append((d, level))
    received = [
        (date.fromisoformat(e["effective_date"]), int(e["quantity"]))
        for e in entries
        if e["kind"] in (Kind.RECEIVE, Kind.SHIP_IN, Kind.OPENING)
    ]
    usage = {k: dict(v) for k, v in sorted(weeks.items())}
    return levels, received, usage, entries[-8:][::-1]


def test_chart_series_and_last_entries_are_the_ledgers(ctx, office) -> None:  # type: ignore[no-untyped-def]
    """The series summed by the database and the last entries read by a LIMIT are what the
    entries one by one give, on a ledger of every kind of move over several weeks (some
    entered out of date order)."""
    today = ctx.today()
    stock_station(ctx)
    writes.receive_shipment(
        ctx,
        serials="KR0100001-KR0100050",
        source="Ditjen",
        document="BA-7",
        effective=today - timedelta(days=20),
    )
    for i, service in enumerate(
        ["pemula", "pemula", "rusak", "hilang", "perubahan_data", "pemula"]
    ):
        writes.consume(ctx, service=service, qty=i + 1, effective=today - timedelta(days=3 * i))
    writes.transfer(ctx, qty=5, from_location="gudang", to_location="loket-1")
    writes.spoil(ctx, serial="KR0000099", reason="salah_cetak")
    writes.consume(ctx, service="pemula", qty=2, effective=today - timedelta(days=25))
    levels, received, usage, last = _series_entry_by_entry(ctx)
    assert dashboard.stock_series(ctx, None) == (levels, received)
    assert dashboard.usage_series(ctx, None) == usage
    assert dashboard.last_entries(ctx, None) == last
    assert len(last) == 8 and len(usage) >= 3 and len(received) == 2


def test_ledger_charts_are_drawn_once_per_entry(client, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stock and usage charts are drawn at the first view after an entry, stored and
    served to the next views without drawing; an entry makes the next view draw the ledger
    as it is now (never an older drawing)."""
    drawn: list[str] = []
    for name in ("stock_on_hand", "usage_by_week"):
        real = getattr(charts, name)

        def counted(*a, _real=real, _name=name, **kw):  # type: ignore[no-untyped-def]
            drawn.append(_name)
            return _real(*a, **kw)

        monkeypatch.setattr(charts, name, counted)
    writes.receive_shipment(ctx, serials="KR0100001-KR0100100", source="Ditjen", document="BA-1")
    writes.consume(ctx, service="pemula", qty=3)
    login(client, "operator")
    first = client.get("/grafik/stok.svg").text
    assert client.get("/grafik/stok.svg").text == first and "+100" in first
    client.get("/grafik/pemakaian.svg")
    client.get("/grafik/pemakaian.svg")
    assert drawn == ["stock_on_hand", "usage_by_week"]
    client.get("/grafik/stok.svg?narrow=1")  # another width: drawn for it
    assert drawn[-1] == "stock_on_hand" and len(drawn) == 3
    writes.receive_shipment(ctx, serials="KR0200001-KR0200040", source="Ditjen", document="BA-2")
    after = client.get("/grafik/stok.svg").text
    assert "+40" in after and after != first and len(drawn) == 4
    client.get("/grafik/pemakaian.svg")
    assert len(drawn) == 5


def _statements(ctx, monkeypatch, get) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL statements the server runs for one request (``get``)."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_a) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        assert get().status_code == 200
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)
    return seen


def test_dashboard_statements_do_not_grow_with_the_data(client, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The head's dashboard, its figures stored, runs the same number of statements on an
    office with a few entries, events and open counts as on one with many: a query per row
    (an N+1) would make the second larger; and no statement reads the whole ledger."""
    _office(ctx)
    login(client, "kepala")
    client.get("/")  # the figures computed and stored
    assert derived.wait_background(120)
    client.get("/")
    small = _statements(ctx, monkeypatch, lambda: client.get("/"))
    for i in range(12):
        writes.consume(ctx, service="pemula", qty=1, location="gudang")
        events.add_event(
            ctx,
            name=f"Acara {i}",
            event_date=date(2027, 2, 1) + timedelta(days=i),
            kind="lainnya",
            villages=["17.04.01.2001"],
        )
    client.get("/")  # computed again for the new ledger and events
    assert derived.wait_background(120)
    client.get("/")
    large = _statements(ctx, monkeypatch, lambda: client.get("/"))
    assert len(large) == len(small), (len(small), len(large))
    # 74 when written (21 short read transactions): a budget, so that new reads are noticed.
    assert len(small) <= 80, len(small)
    whole_ledger = [
        s for s in large if "FROM ledger_entry" in s and "LIMIT" not in s and "sum(" not in s
    ]
    assert not whole_ledger, whole_ledger
