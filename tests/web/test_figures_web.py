"""Issue 11, observations 3 to 6, each on a demo-like office (tests/web/office_builder.py): the
same figure read off the surfaces a user would compare, by their visible text and JSON.

The office, on the fixture's Friday 27 November 2026: months of use (about 4 a working day)
and some 4.700 blanks on hand, a Pilkades on Wednesday 2 December in 3 villages (300 unrecorded,
60 recorded but not printed: 180 extra blanks expected, 150 extra recordings), and recording
closed since Thursday "until further notice" (PPKM).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from office_builder import PPKM, Plan, build
from typer.testing import CliRunner
from web_helpers import SECRET, TestClient, session_cookie

from blangko.cli import state
from blangko.cli.main import app as cli_app
from blangko.formatting import num
from blangko.settings import Settings
from blangko.web.app import create_app


@pytest.fixture
def demo_like(ctx, monkeypatch):  # type: ignore[no-untyped-def]
    office = build(ctx, "17.04", Plan())
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    client = TestClient(app)
    for k, v in session_cookie(app, office.user).items():
        client.cookies.set(k, v)
    monkeypatch.setattr(state, "context", lambda: ctx)
    monkeypatch.setattr(state, "configure", lambda **_: None)
    return office, client


def cli_json(*args: str) -> Any:
    res = CliRunner().invoke(cli_app, [*args, "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_days_of_cover_is_one_figure_on_every_screen(demo_like) -> None:  # type: ignore[no-untyped-def]
    """Observation 3: `status` and `forecast` give the same days of cover (the forecast's
    median and 90 % figures); every "Cukup untuk" on the dashboard and the stock page shows
    that one figure; the simple average is only the OpenLMIS comparison."""
    _, client = demo_like
    fc = cli_json("forecast")
    status = cli_json("status")
    cover = fc["days_of_cover"]
    shown = status["stock"]["days_of_cover"]
    assert isinstance(shown, dict), shown
    assert {k: shown[k] for k in ("p50", "p90", "beyond_horizon")} == cover
    assert "average_daily_use" not in status["stock"]
    assert (
        status["stock"]["comparison"]["average_monthly_consumption"]
        == (fc["comparison"]["average_monthly_consumption"])
    )
    more = "> " if cover["beyond_horizon"] else ""
    for url in ("/", "/stok"):
        text = text_of(client.get(url).text)
        said = re.findall(r"Cukup untuk(?: \(median\))? (>? ?[\d.]+) hari", text)
        assert said, (url, text[:500])
        assert set(said) == {f"{more}{num(cover['p50'])}"}, (url, said)


def test_the_events_extra_blanks_have_one_value(demo_like) -> None:  # type: ignore[no-untyped-def]
    """Observation 4: the request's reason for the election, the readiness box, the event
    page and `event impact` give the same extra blanks."""
    office, client = demo_like
    impact = cli_json("event", "impact", str(office.event_id))
    expected = impact["expected_extra"]["blanks"]["expected"]
    assert expected == 180
    fc = cli_json("forecast")
    (reason,) = [
        r for r in fc["recommended_request"]["reasons"] if r["reason"].startswith("Pilkades")
    ]
    assert reason["quantity"] == expected
    dash = text_of(client.get("/").text)
    assert f"Pilkades serentak (3 desa): {num(expected)}" in dash  # Alasan usulan
    assert f"tambahan acara {num(expected)}" in dash  # the readiness box
    page = client.get(f"/agenda/acara/{office.event_id}").text
    got = page.split('data-testid="extra-blanks"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert got == num(expected)


def test_the_event_pages_per_day_figures_follow_from_its_totals(demo_like) -> None:  # type: ignore[no-untyped-def]
    """Observation 5: per day is the total over the open days actually in the window (Friday
    27 November to Wednesday 2 December: 4 printing days; recording closed throughout), and
    the number of open days is shown beside it."""
    office, client = demo_like
    x = cli_json("event", "impact", str(office.event_id))["expected_extra"]
    blanks = x["blanks"]["expected"]
    assert x["per_day_in_window"]["blanks"]["expected"] == round(blanks / 4, 1) == 45.0
    assert x["per_day_in_window"]["recordings"] is None
    assert x["window"]["open_days"] == {"pencetakan": 4, "perekaman": 0}
    text = text_of(client.get(f"/agenda/acara/{office.event_id}").text)
    assert f"Tambahan blangko per hari buka {num(45.0)} per hari (4 hari buka)" in text
    assert f"Tambahan perekaman per hari buka tutup sepanjang jendela ({PPKM}" in text


def test_readiness_says_what_is_missing_when_recording_is_closed_through_the_event(  # type: ignore[no-untyped-def]
    demo_like,
) -> None:
    """Observation 6: enough blanks, but recording closed "until further notice" through the
    event: not ready, and the box says so."""
    office, client = demo_like
    for url in ("/", f"/agenda/acara/{office.event_id}"):
        page = client.get(url).text
        assert 'data-testid="readiness"' in page, url
        box = text_of(page.split('data-testid="readiness"', 1)[1].split("</p>", 1)[0])
        assert "Belum siap" in box and "Perekaman tutup sepanjang jendela acara" in box, box
        assert PPKM in box
    (event,) = cli_json("forecast")["events"]
    r = event["readiness"]
    assert r["shortfall"] == 0 and r["ready"] is False
    assert [m["desk"] for m in r["missing"]] == ["perekaman"]
