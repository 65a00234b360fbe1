"""The web's SVG writer (web/svg_chart.py) and the charts drawn with it (web/charts.py), read
back as XML: ticks, dates, bars, escaping, and the narrow width kept."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.dom.minidom
from datetime import date, timedelta

import pytest

from blangko.ticks import date_ticks, nice_ticks, range_ticks
from blangko.web import charts
from blangko.web.svg_chart import (
    FONT_SIZE,
    NARROW,
    WIDE,
    esc,
    text_width,
)

DAY = date(2026, 1, 5)  # a Monday


def _doc(svg: str) -> xml.dom.minidom.Document:
    assert svg.startswith("<?xml")
    return xml.dom.minidom.parseString(svg)


def _texts(svg: str) -> list[tuple[float, float, str, str, float]]:
    """(x, y, anchor, text, font size) of every <text>."""
    out = []
    for el in _doc(svg).getElementsByTagName("text"):
        size = float(re.search(r"font-size: ([\d.]+)px", el.getAttribute("style")).group(1))  # type: ignore[union-attr]
        text = "".join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)
        out.append(
            (
                float(el.getAttribute("x")),
                float(el.getAttribute("y")),
                el.getAttribute("text-anchor"),
                text,
                size,
            )
        )
    return out


def _extent(x: float, anchor: str, text: str, size: float) -> tuple[float, float]:
    w = text_width(text, size)
    return {"start": (x, x + w), "middle": (x - w / 2, x + w / 2), "end": (x - w, x)}[anchor]


def _width(svg: str) -> float:
    root = _doc(svg).documentElement
    assert root is not None
    width = float(root.getAttribute("viewBox").split()[2])
    assert root.getAttribute("width") == f"{root.getAttribute('viewBox').split()[2]}pt"
    return width


def _assert_within(svg: str) -> None:
    """Every text, as estimated, inside the drawing; every text at least 9 points."""
    width = _width(svg)
    for x, _y, anchor, text, size in _texts(svg):
        lo, hi = _extent(x, anchor, text, size)
        assert lo >= -0.01 and hi <= width + 0.01, (text, lo, hi, width)
        assert size >= FONT_SIZE


def _bottom(svg: str) -> float:
    """The y of the plot's base line: the lowest horizontal line in the axes' ink."""
    return max(
        float(line.getAttribute("y1"))
        for line in _doc(svg).getElementsByTagName("line")
        if line.getAttribute("stroke") == "#1d2733"
        and line.getAttribute("y1") == line.getAttribute("y2")
    )


def _rects(svg: str, colors: set[str]) -> list[tuple[float, float, float, float, str]]:
    """(x, y, width, height, fill) of the rects filled with one of `colors` in the plot (not
    the legend's swatches below it)."""
    bottom = _bottom(svg)
    return [
        (
            float(r.getAttribute("x")),
            float(r.getAttribute("y")),
            float(r.getAttribute("width")),
            float(r.getAttribute("height")),
            r.getAttribute("fill"),
        )
        for r in _doc(svg).getElementsByTagName("rect")
        if r.getAttribute("fill") in colors and float(r.getAttribute("y")) < bottom
    ]


@pytest.mark.parametrize("top", [0, 1, 3, 7, 10, 11, 99, 100, 101, 1234, 4999, 5001, 87654])
def test_nice_ticks_cover_the_data_from_zero_in_whole_steps(top) -> None:  # type: ignore[no-untyped-def]
    ticks = nice_ticks(top, 5)
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6
    assert all(isinstance(t, int) for t in ticks)
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in {m * 10**k for m in (1, 2, 5) for k in range(6)}
    assert ticks[-2] < top or top == 0  # no tick more than needed


def test_range_ticks_are_within_the_range() -> None:
    ticks = range_ticks(92.4, 100.0, 8)
    assert ticks == [93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0]
    assert range_ticks(92.4, 100.0, 4) == [94.0, 96.0, 98.0, 100.0]


def test_date_ticks_are_within_the_span_and_at_most_as_many_as_asked() -> None:
    for days in (0, 1, 4, 13, 30, 120, 365, 3 * 365):
        last = DAY + timedelta(days=days)
        for most in (5, 8):
            ticks = date_ticks(DAY, last, most)
            assert 1 <= len(ticks) <= most, (days, most, ticks)
            assert all(DAY <= t <= last for t in ticks) and ticks == sorted(ticks)
    # A year: the first of the months.
    assert all(t.day == 1 for t in date_ticks(DAY, DAY + timedelta(days=365), 5))


def test_escape_covers_markup_and_characters_xml_forbids() -> None:
    assert esc('<&">') == "&lt;&amp;&quot;&gt;"
    assert esc("a\x01b") == "a\ufffdb"  # XML 1.0 allows no control character, escaped or not


def _stock(n: int, *, narrow: bool = False, level: int = 1234, receipts=None) -> str:  # type: ignore[no-untyped-def]
    series = [(DAY + timedelta(days=i), level + i) for i in range(n)]
    return charts.stock_on_hand(
        series,
        receipts if receipts is not None else [(DAY, 100)],
        lang="id",
        title="Stok di tangan (keping)",
        received_label="Penerimaan",
        empty="Belum ada entri ledger.",
        narrow=narrow,
    )


@pytest.mark.parametrize("narrow", [False, True])
def test_stock_axis_starts_at_zero_and_numbers_are_indonesian(narrow) -> None:  # type: ignore[no-untyped-def]
    svg = _stock(365, narrow=narrow)
    texts = [t[3] for t in _texts(svg)]
    assert "+100" in texts
    assert "0" in texts and "1.000" in texts  # whole numbers, a dot between thousands
    assert not any(t.startswith("-") for t in texts)
    # The y labels (right-aligned at the axis) go up from 0 and cover the highest level.
    ys = sorted(
        ((y, t) for x, y, a, t, _s in _texts(svg) if a == "end" and t[0].isdigit()), reverse=True
    )
    values = [int(t.replace(".", "")) for _y, t in ys]
    assert values[0] == 0 and values == sorted(values) and values[-1] >= 1234 + 364
    assert _width(svg) == (NARROW if narrow else WIDE)
    _assert_within(svg)
    # dd/mm along x; at most five on a narrow chart
    dates = [t for t in texts if re.fullmatch(r"\d\d/\d\d", t)]
    assert 2 <= len(dates) <= (5 if narrow else 8)
    english = charts.stock_on_hand(
        [(DAY, 1234)], [], lang="en", title="t", received_label="r", empty="e"
    )
    assert "1,000" in [t[3] for t in _texts(english)]


def test_dates_lie_under_the_plot() -> None:
    svg = _stock(120)
    doc = _doc(svg)
    axis_lines = [
        line
        for line in doc.getElementsByTagName("line")
        if line.getAttribute("stroke") == "#1d2733"
        and line.getAttribute("y1") == line.getAttribute("y2")
    ]
    left = min(float(line.getAttribute("x1")) for line in axis_lines)
    right = max(float(line.getAttribute("x2")) for line in axis_lines)
    for x, _y, anchor, text, _s in _texts(svg):
        if re.fullmatch(r"\d\d/\d\d", text):
            assert anchor == "middle" and left <= x <= right, (text, x, left, right)


@pytest.mark.parametrize("narrow", [False, True])
def test_one_day_all_zeros_and_empty(narrow) -> None:  # type: ignore[no-untyped-def]
    one = _stock(1, narrow=narrow, receipts=[])
    assert [t[3] for t in _texts(one) if re.fullmatch(r"\d\d/\d\d", t[3])] == ["05/01"]
    _assert_within(one)
    zeros = charts.stock_on_hand(
        [(DAY + timedelta(days=i), 0) for i in range(30)],
        [],
        lang="id",
        title="t",
        received_label="r",
        empty="e",
        narrow=narrow,
    )
    labels = [t[3] for t in _texts(zeros) if t[2] == "end"]
    assert labels == ["0", "1"]  # an axis from 0, not a collapsed one
    _assert_within(zeros)
    assert "nan" not in zeros.lower() and "inf" not in zeros.lower()
    empty = _stock(0, narrow=narrow)
    assert [t[3] for t in _texts(empty)] == ["Belum ada entri ledger."]
    assert _width(empty) == (NARROW if narrow else WIDE)
    zero_weeks = charts.usage_by_week(
        {DAY: {"pemula": 0}}, lang="id", title="t", labels={}, empty="e", narrow=narrow
    )
    assert _rects(zero_weeks, set(charts.SERVICE_COLORS.values()) - {"#1f6f8b"}) == []
    _assert_within(zero_weeks)


def _usage(weeks: dict[date, dict[str, int]], narrow: bool = False) -> str:
    return charts.usage_by_week(
        weeks,
        lang="id",
        title="Pemakaian per minggu menurut jenis layanan (keping)",
        labels={"pemula": "Pemula", "hilang": "Pengganti hilang", "rusak": "Pengganti rusak"},
        empty="-",
        narrow=narrow,
    )


@pytest.mark.parametrize("narrow", [False, True])
def test_bars_are_as_high_as_their_values_and_stack_to_the_week(narrow) -> None:  # type: ignore[no-untyped-def]
    weeks = {
        DAY + timedelta(weeks=i): {"pemula": 10 + i, "hilang": 3 * i, "rusak": i % 2}
        for i in range(52)
    }
    svg = _usage(weeks, narrow)
    colors = {charts.SERVICE_COLORS[s]: s for s in ("pemula", "hilang", "rusak")}
    rects = _rects(svg, set(colors))
    # no zero-high bar drawn; one bar per service and week with something used
    assert len(rects) == sum(1 for w in weeks.values() for v in w.values() if v > 0)
    per_unit = {round(h / weeks[_week_of(x, rects)][colors[c]], 6) for x, _y, _w, h, c in rects}
    assert max(per_unit) - min(per_unit) < 1e-3  # the same points per blank for every bar
    unit = next(iter(per_unit))
    by_week: dict[float, list[tuple[float, float, float, float, str]]] = {}
    for r in rects:
        by_week.setdefault(r[0], []).append(r)
    for stack in by_week.values():
        stack.sort(key=lambda r: -r[1])  # from the bottom up
        for lower, upper in zip(stack, stack[1:], strict=False):
            assert abs(lower[1] - (upper[1] + upper[3])) < 0.02  # each sits on the one below
        total = weeks[_week_of(stack[0][0], rects)]
        height = stack[0][1] + stack[0][3] - stack[-1][1]
        assert abs(height - unit * sum(total.values())) < 0.05
    assert {"Pemula", "Pengganti hilang", "Pengganti rusak"} <= {t[3] for t in _texts(svg)}
    _assert_within(svg)


def _week_of(x: float, rects) -> date:  # type: ignore[no-untyped-def]
    """The week of a bar at `x`: bars are drawn left to right, a week apart."""
    xs = sorted({r[0] for r in rects})
    return DAY + timedelta(weeks=xs.index(x))


ODD = "Desa <&\"> 'Tanjung' $x^{$ \x01"


def _areas(n: int, name: str = "Kinal") -> list[dict[str, object]]:
    return [
        {"code": f"17.04.{i:02d}", "name": f"{name} {i}", "coverage_pct": 93 + (i % 60) / 10}
        for i in range(n)
    ]


def _coverage(areas, narrow: bool) -> str:  # type: ignore[no-untyped-def]
    return charts.coverage_by_area(
        areas,
        target=99.2,
        lang="id",
        title="Cakupan perekaman wajib KTP (%) menurut desa dan kecamatan di Kabupaten Kaur",
        target_label="target",
        empty="-",
        narrow=narrow,
    )


@pytest.mark.parametrize("narrow", [False, True])
def test_long_area_names_never_widen_the_chart(narrow) -> None:  # type: ignore[no-untyped-def]
    long = "Desa Yang Namanya Sangat Panjang Sekali Sampai Tidak Muat " * 3
    svg = _coverage(_areas(80, long), narrow)
    assert _width(svg) == (NARROW if narrow else WIDE)
    _assert_within(svg)
    texts = [t[3] for t in _texts(svg)]
    assert "target 99,2 %" in texts
    assert any(t.endswith("…") for t in texts)  # cut with an ellipsis
    # one bar per area, as long as its value from the axis's start
    bars = _rects(svg, {"#b35c00", "#2f7d32"})
    assert len(bars) == 80 and {b[4] for b in bars} == {"#b35c00"}
    widths = sorted(b[2] for b in bars)
    values = sorted(float(a["coverage_pct"]) for a in _areas(80))  # type: ignore[arg-type]
    low = values[0] - 2
    ratios = [w / (v - low) for w, v in zip(widths, values, strict=True)]
    assert max(ratios) - min(ratios) < 1e-2


def test_above_target_is_green() -> None:
    svg = _coverage(
        [
            {"code": "a", "name": "A", "coverage_pct": 99.5},
            {"code": "b", "name": None, "coverage_pct": 98},
        ],
        False,
    )
    assert sorted(b[4] for b in _rects(svg, {"#b35c00", "#2f7d32"})) == ["#2f7d32", "#b35c00"]
    assert "b" in [t[3] for t in _texts(svg)]  # no name: its code


@pytest.mark.parametrize("narrow", [False, True])
def test_every_label_is_escaped_and_round_trips(narrow) -> None:  # type: ignore[no-untyped-def]
    today = DAY
    daily = [
        {"date": (today + timedelta(days=i)).isoformat(), "open": i % 7 != 6}
        | {"p05": 0, "p25": 1, "p50": 2 + i % 3, "p75": 3 + i % 3, "p95": 4 + i}
        for i in range(120)
    ]
    svg = charts.forecast_fan(
        daily,
        lang="id",
        title=ODD,
        labels={"p90": "p05–p95 <", "p50band": "p25–p75 &", "p50": 'median "'},
        marks=[
            (today + timedelta(days=8), ODD, "#9b2c2c"),
            (today + timedelta(days=9), "x", "#e07a1f"),
        ],
        empty="-",
        narrow=narrow,
    )
    texts = [t[3] for t in _texts(svg)]
    shown = ODD.replace("\x01", "\\x01")
    assert shown in texts or any(t.rstrip("…") and shown.startswith(t.rstrip("…")) for t in texts)
    assert {"p05–p95 <", "p25–p75 &", 'median "'} <= set(texts)
    title = _doc(svg).getElementsByTagName("title")[0]
    assert title.firstChild.data == ODD.replace("\x01", "\ufffd")  # type: ignore[union-attr]
    _assert_within(svg)
    areas = _coverage([{"code": "x", "name": ODD, "coverage_pct": 95.0}], narrow)
    assert any(t[3].startswith('Desa <&"> ') for t in _texts(areas))
    weeks = _usage({DAY: {"pemula": 1}}, narrow)
    _doc(weeks)


def test_every_chart_has_its_title_for_screen_readers() -> None:
    svg = _usage({DAY: {"pemula": 1}})
    titles = _doc(svg).getElementsByTagName("title")
    assert titles[0].parentNode is not None and titles[0].parentNode.nodeName == "svg"
    assert titles[0].firstChild.data == "Pemakaian per minggu menurut jenis layanan (keping)"  # type: ignore[union-attr]


def test_narrow_titles_are_wrapped() -> None:
    svg = _coverage(_areas(3), True)
    title_lines = [t for t in _texts(svg) if t[4] > FONT_SIZE]
    assert len(title_lines) >= 2
    _assert_within(svg)


def test_a_negative_level_stays_within_the_plot() -> None:
    """An axis from 0: a level below it (a stored adjustment gone wrong) is drawn on the base
    line, not below the plot over the dates."""
    svg = charts.stock_on_hand(
        [(DAY, 50), (DAY + timedelta(days=3), -40), (DAY + timedelta(days=9), 20)],
        [],
        lang="id",
        title="t",
        received_label="r",
        empty="e",
    )
    bottom = _bottom(svg)
    ys = [
        float(v)
        for p in _doc(svg).getElementsByTagName("path")
        for v in re.findall(r"(?:V|M[\d.]+ )([\d.-]+)", p.getAttribute("d"))
    ]
    assert ys and max(ys) <= bottom + 0.01 and min(ys) >= 0
    assert [t[3] for t in _texts(svg) if t[2] == "end"][0] == "0"


def test_the_web_app_loads_no_plotting_library() -> None:
    """The web's charts cost no matplotlib import (~0.3 s, a font cache) nor its drawing: it
    stays for the PDF reports' charts, loaded only when one is written."""
    code = "import sys, blangko.web.app; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
