"""The PDF reports' charts (adapters/reports/chart.py): reportlab vector drawings, read back
shape by shape."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, Shape, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from blangko.adapters.reports import Chart, Report, Series, fonts, render_bytes
from blangko.adapters.reports.chart import GRID, chart_drawing, day_label, scale, title_lines
from blangko.adapters.reports.lang import LANG

W, H = 481.9, 175.7  # the portrait page's width and the chart's height, points
DAY = date(2026, 8, 1)
SRC = Path(__file__).resolve().parents[2] / "src"


def _days(n: int) -> list[date]:
    return [DAY + timedelta(days=i) for i in range(n)]


def _usage(n: int, **kw: object) -> Chart:
    args: dict[str, object] = {
        "title": "Pemakaian harian dan stok akhir hari, Agustus 2026",
        "dates": _days(n),
        "series": [
            Series("Dipakai per hari", [(i * 37) % 90 for i in range(n)], "bar", "left"),
            Series("Stok akhir hari", [6000 - 40 * i for i in range(n)], "line", "right"),
        ],
        "y_label": "dipakai (keping)",
        "y2_label": "stok (keping)",
    }
    return Chart(**(args | kw))  # type: ignore[arg-type]


def _shapes(
    node: Group, at: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
) -> Iterator[tuple[Shape, bool]]:
    """Every shape of the drawing, with whether a group turned it (a rotated axis title)."""
    for child in node.contents:
        if isinstance(child, Group):
            yield from _shapes(child, child.transform)
        else:
            yield child, tuple(at[:4]) != (1, 0, 0, 1)


def _strings(d: Drawing, turned: bool = False) -> list[String]:
    return [s for s, t in _shapes(d) if isinstance(s, String) and t == turned]


def _extent(s: String) -> tuple[float, float]:
    w = stringWidth(s.text, s.fontName, s.fontSize)
    left = {"start": s.x, "middle": s.x - w / 2, "end": s.x - w}[s.textAnchor]
    return left, left + w


def _draw(chart: Chart, lang: str = "id") -> Drawing:
    token = LANG.set(lang)
    try:
        return chart_drawing(chart, W, H)
    finally:
        LANG.reset(token)


def test_scale_from_zero_with_headroom_on_nice_steps() -> None:
    s = scale([0, 12, 89])
    assert s.low == 0 and s.high >= 89 * 1.15
    assert s.ticks[0] == s.low and s.ticks[-1] == s.high
    steps = {b - a for a, b in zip(s.ticks, s.ticks[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (10, 20, 50)
    assert 3 <= len(s.ticks) <= 7
    assert scale([0, 0, 0]).ticks == [0, 1]  # all zeros: still an axis
    assert scale([]).ticks == [0, 1]
    big = scale([6000, 3200])
    assert big.high >= 6900 and all(t % 1000 == 0 for t in big.ticks)


def test_scale_takes_negative_values_in() -> None:
    s = scale([-35, 10, 80])
    assert s.low <= -35 < s.low + (s.ticks[1] - s.ticks[0])
    assert 0 in s.ticks and s.high >= 80


def test_bars_lines_and_the_right_axis() -> None:
    d = _draw(_usage(30))
    shapes = [s for s, _ in _shapes(d)]
    bars = [s for s in shapes if isinstance(s, Rect) and s.height > 0 and s.width < 20]
    nonzero = sum(1 for v in _usage(30).series[0].values if v)
    assert len(bars) == nonzero + 1  # and the legend's swatch
    assert len([s for s in shapes if isinstance(s, PolyLine)]) == 1
    axis_titles = [s.text for s in _strings(d, turned=True)]
    assert axis_titles == ["dipakai (keping)", "stok (keping)"]
    texts = {s.text for s in _strings(d)}
    assert {"0", "2.000", "4.000", "6.000"} <= texts  # the right scale, Indonesian grouping
    assert {"Dipakai per hari", "Stok akhir hari"} <= texts  # the legend


def test_no_right_axis_unless_a_series_asks() -> None:
    chart = _usage(30, series=[Series("Dipakai per hari", [5] * 30, "bar", "left")])
    d = _draw(chart)
    assert [s.text for s in _strings(d, turned=True)] == ["dipakai (keping)"]
    assert "2.000" not in {s.text for s in _strings(d)}
    # Nothing stands right of the plot but half a date label.
    assert max(_extent(s)[1] for s in _strings(d)) <= W


def test_day_labels_in_both_languages() -> None:
    assert day_label(date(2026, 8, 17), "id") == "17 Agu"
    assert day_label(date(2026, 5, 2), "en") == "2 May"
    chart = _usage(20, dates=[date(2026, 5, 1) + timedelta(days=i) for i in range(20)])
    ids = {s.text for s in _strings(_draw(chart, "id"))}
    ens = {s.text for s in _strings(_draw(chart, "en"))}
    assert "1 Mei" in ids and "1 May" in ens
    assert "6,000" in ens and "6.000" in ids  # the right scale's 6000, each grouping


def test_long_texts_stay_within_the_width() -> None:
    long = "Pemakaian harian menurut jenis layanan dan stok akhir hari di kantor " * 6
    word = "X" * 300  # one word longer than a line
    chart = _usage(
        30,
        title=long + word,
        series=[
            Series(word, [3] * 30, "bar", "left"),
            Series(long, [9] * 30, "line", "right"),
        ],
        y_label=long,
        y2_label=word,
    )
    d = _draw(chart)
    for s in _strings(d):
        left, right = _extent(s)
        assert left >= 0 and right <= W, s.text
    assert len(title_lines(long + word, W)) == 2
    assert title_lines(long + word, W)[-1].endswith("…")
    for s in _strings(d, turned=True):  # along the plot's height
        assert stringWidth(s.text, s.fontName, s.fontSize) <= H


def test_hundreds_of_days_thin_bars_and_labels_apart() -> None:
    d = _draw(_usage(400))
    bars = [s for s, _ in _shapes(d) if isinstance(s, Rect) and s.width < 2]
    assert len(bars) > 300 and all(b.width < 1.2 for b in bars)
    dates = sorted(
        (_extent(s) for s in _strings(d) if s.text[:1].isdigit() and s.text[-1].isalpha()),
    )
    assert 4 <= len(dates) <= 14
    assert all(a[1] + 4 <= b[0] for a, b in zip(dates, dates[1:], strict=False))


@pytest.mark.parametrize("n", [0, 1])
def test_no_dates_or_one_date(n: int) -> None:
    d = _draw(_usage(n))
    texts = [s.text for s in _strings(d)]
    assert "0" in texts  # the axes are there
    assert ("1 Agu" in texts) == (n == 1)


def test_all_zeros_and_negative_values_stay_in_the_plot() -> None:
    zeros = _usage(10, series=[Series("a", [0] * 10, "line", "left")])
    assert {"0", "1"} <= {s.text for s in _strings(_draw(zeros))}
    neg = _usage(10, series=[Series("a", [-40, 5, 80, 0, 3, -2, 1, 1, 1, 1], "bar", "left")])
    d = _draw(neg)
    bars = [s for s, _ in _shapes(d) if isinstance(s, Rect)][1:]  # the first: the legend's
    grid = [ln.y1 for ln, _ in _shapes(d) if isinstance(ln, Line) and ln.strokeColor == GRID]
    assert len(bars) == 9  # every value but the 0
    assert all(min(grid) <= b.y and b.y + b.height <= max(grid) for b in bars)
    assert "-50" in {s.text for s in _strings(d)}  # the scale reaches below the lowest value


def _report(chart: Chart) -> Report:
    return Report(
        name="usage", title="LAPORAN", office_name="Kantor", filename_stem="x", chart=chart
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_report_with_a_chart_is_a_pdf_with_vector_text(lang: str) -> None:
    content = render_bytes(_report(_usage(31)), "pdf", lang)
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert len(page.images) == 0
    text = page.extract_text()
    assert ("1 Agu" if lang == "id" else "1 Aug") in text
    for font in page["/Resources"]["/Font"].values():
        assert font.get_object()["/Subtype"] == "/TrueType"  # no base-14 Helvetica


def test_fonts_fall_back_to_reportlabs_vera(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        fonts, "_FILES", [(Path("/nonexistent"), "a.ttf", "b.ttf"), *fonts._FILES[1:]]
    )
    regular, bold = fonts.font_files()
    assert regular.name == "Vera.ttf" and bold.name == "VeraBd.ttf" and regular.is_file()


def test_a_pdf_with_a_chart_loads_no_matplotlib() -> None:
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from blangko.adapters.reports import Chart, Report, Series, render_bytes\n"
        "c = Chart('t', [date(2026, 1, 1)], [Series('a', [1])])\n"
        "render_bytes(Report('usage', 'T', 'K', 'x', chart=c), 'pdf')\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False"


def test_each_series_its_own_colour() -> None:
    series = [Series(f"s{i}", [i + 1] * 5, "bar" if i % 2 else "line", "left") for i in range(4)]
    d = _draw(_usage(5, series=series))
    fills = {str(s.fillColor) for s, _ in _shapes(d) if isinstance(s, Rect)}
    strokes = {str(s.strokeColor) for s, _ in _shapes(d) if isinstance(s, PolyLine)}
    assert len(fills) == 2 and len(strokes) == 2 and not fills & strokes
