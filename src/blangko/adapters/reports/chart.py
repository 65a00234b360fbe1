"""Time-series charts for the PDF reports, as reportlab vector drawings (a flowable).

matplotlib drew them as PNGs until issue 17: importing pyplot cost ~0.6 s and a drawing
80-500 ms on the first PDF after a change; reportlab, which writes the PDF anyway, draws
the same lines, bars and text in a few ms, sharp at any zoom, with the report's own font.

Layout, top to bottom: the title (wrapped, at most two lines), the legend (wrapped into
rows), the plot with its gridlines, the date labels. The y-axis titles stand rotated at the
sides; a right axis is drawn only when a series asks for one. Every text is measured with
the embedded font and cut with an ellipsis where it would leave the drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from blangko.adapters.reports.fonts import FONT, register_fonts
from blangko.adapters.reports.lang import LANG
from blangko.adapters.reports.model import Chart, Series
from blangko.domain.limits import printable
from blangko.formatting import num
from blangko.ticks import date_ticks, nice_step

SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
SHORT_MONTHS_EN = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
# Per axis, in turn: the first two are what matplotlib drew; more for a chart of more series.
COLORS = {
    "left": ["#4472C4", "#70AD47", "#FFC000", "#5B9BD5"],
    "right": ["#ED7D31", "#A5A5A5", "#264478", "#9E480E"],
}
INK = colors.HexColor("#333333")
GRID = colors.HexColor("#D9D9D9")
TITLE_SIZE = 9.0
LABEL_SIZE = 8.0  # the axes' titles
TICK_SIZE = 7.0  # tick labels and the legend
PAD = 2.0
HEADROOM = 1.15  # the top of a scale, over its highest value: lines clear of the frame
Y_STEPS = 6  # at most, per scale
DAY_SLACK = 0.8  # days of room before the first and after the last day (half a bar and more)
BAR_SHARE = 0.7  # of a day's width, shared by the bar series


def day_label(d: date, lang: str) -> str:
    months = SHORT_MONTHS_EN if lang == "en" else SHORT_MONTHS
    return f"{d.day} {months[d.month - 1]}"


def tick_label(v: float, lang: str) -> str:
    return num(int(v), lang) if float(v).is_integer() else num(round(v, 1), lang)


def _w(text: str, size: float) -> float:
    return float(stringWidth(text, FONT, size))


def fit(text: str, width: float, size: float) -> str:
    """`text` cut with an ellipsis to what fits `width` points."""
    if _w(text, size) <= width:
        return text
    while text and _w(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def title_lines(text: str, width: float, size: float = TITLE_SIZE, most: int = 2) -> list[str]:
    """`text` wrapped between words to `width`; a word longer than a line, or a line past
    `most`, cut with an ellipsis."""
    lines = [fit(line, width, size) for line in simpleSplit(text, FONT, size, width)] or [""]
    if len(lines) > most:
        lines = lines[: most - 1] + [fit(" ".join(lines[most - 1 :]) + "…", width, size)]
    return lines


@dataclass(frozen=True)
class Scale:
    """One y axis: its range (a tick at each end) and its ticks."""

    low: float
    high: float
    ticks: list[float]

    def y(self, v: float, bottom: float, top: float) -> float:
        return bottom + (v - self.low) / (self.high - self.low) * (top - bottom)


def scale(values: list[int]) -> Scale:
    """From 0 (or the lowest value, when negative) to the highest value with headroom, on
    whole steps of 1, 2 or 5 times a power of ten; 0 to 1 when every value is 0."""
    low = min([0, *values])
    high = max([0, *values])
    top = high + (HEADROOM - 1) * (high - low) if high > 0 else high
    step = max(1, int(nice_step(max(top - low, 1), Y_STEPS)))
    lo = math.floor(low / step) * step
    hi = max(math.ceil(top / step) * step, lo + step)
    return Scale(lo, hi, [float(v) for v in range(int(lo), int(hi) + 1, step)])


def _series_scale(series: list[Series], axis: str) -> Scale:
    return scale([v for s in series if s.axis == axis for v in s.values])


def chart_drawing(chart: Chart, width: float, height: float) -> Drawing:
    """`chart` as a drawing `width` x `height` points (a flowable for the PDF's story)."""
    register_fonts()
    lang = LANG.get()
    # Its own font from the start: else the drawing names Helvetica, a font not embedded.
    d = Drawing(width, height, initialFontName=FONT, initialFontSize=TICK_SIZE)
    title = title_lines(printable(chart.title), width - 2 * PAD)
    top = height - PAD
    for line in title:
        top -= TITLE_SIZE * 1.2
        d.add(
            String(
                width / 2,
                top + 2,
                line,
                fontName=FONT,
                fontSize=TITLE_SIZE,
                textAnchor="middle",
                fillColor=INK,
            )
        )
    top -= 3

    has_right = any(s.axis == "right" for s in chart.series)
    left_scale = _series_scale(chart.series, "left")
    right_scale = _series_scale(chart.series, "right") if has_right else None
    left_w = max(_w(tick_label(t, lang), TICK_SIZE) for t in left_scale.ticks) + 4
    right_w = (
        max(_w(tick_label(t, lang), TICK_SIZE) for t in right_scale.ticks) + 4
        if right_scale
        else 0.0
    )
    plot_left = PAD + LABEL_SIZE * 1.3 + left_w
    # Without a right axis, room for half the last date's label.
    plot_right = width - PAD - (LABEL_SIZE * 1.3 + right_w if right_scale else 12)

    # The legend's rows, under the title.
    swatch = TICK_SIZE * 1.6
    items = []
    used = {"left": 0, "right": 0}
    for s in chart.series:
        axis = s.axis if has_right else "left"
        color = colors.HexColor(COLORS[axis][used[axis] % len(COLORS[axis])])
        used[axis] += 1
        items.append((s, color))
    x = plot_left
    row_h = TICK_SIZE * 1.5
    legend_top = top
    for s, color in items:
        label = fit(printable(s.label), plot_right - plot_left - swatch - 4, TICK_SIZE)
        w = swatch + 4 + _w(label, TICK_SIZE) + 12
        if x > plot_left and x + w > plot_right:
            x = plot_left
            top -= row_h
        if x == plot_left and top == legend_top:
            top -= row_h
        base = top + 2
        if s.style == "bar":
            d.add(Rect(x, base, swatch, TICK_SIZE * 0.75, fillColor=color, strokeColor=None))
        else:
            mid = base + TICK_SIZE * 0.35
            d.add(Line(x, mid, x + swatch, mid, strokeColor=color, strokeWidth=1.6))
        d.add(String(x + swatch + 4, base, label, fontName=FONT, fontSize=TICK_SIZE, fillColor=INK))
        x += w
    plot_top = top - 4
    plot_bottom = PAD + TICK_SIZE * 1.9
    if plot_top - plot_bottom < 20:  # a drawing too low for its texts: the plot keeps 20 points
        plot_top = plot_bottom + 20

    # Gridlines and the left scale's labels.
    ys = [left_scale.y(t, plot_bottom, plot_top) for t in left_scale.ticks]
    for t, y in zip(left_scale.ticks, ys, strict=True):
        d.add(Line(plot_left, y, plot_right, y, strokeColor=GRID, strokeWidth=0.4))
        d.add(
            String(
                plot_left - 3,
                y - TICK_SIZE * 0.35,
                tick_label(t, lang),
                fontName=FONT,
                fontSize=TICK_SIZE,
                textAnchor="end",
                fillColor=INK,
            )
        )
    _axis_title(d, chart.y_label, PAD + LABEL_SIZE, plot_bottom, plot_top, 90)
    if right_scale:
        for t in right_scale.ticks:
            y = right_scale.y(t, plot_bottom, plot_top)
            d.add(Line(plot_right, y, plot_right + 2, y, strokeColor=INK, strokeWidth=0.6))
            d.add(
                String(
                    plot_right + 3,
                    y - TICK_SIZE * 0.35,
                    tick_label(t, lang),
                    fontName=FONT,
                    fontSize=TICK_SIZE,
                    fillColor=INK,
                )
            )
        label = chart.y2_label or chart.y_label
        _axis_title(d, label, width - PAD - LABEL_SIZE, plot_bottom, plot_top, -90)

    # The days: a day's centre at its ordinal, with room at both ends.
    days = [day.toordinal() for day in chart.dates]
    x0 = (days[0] if days else 0) - DAY_SLACK
    x1 = (days[-1] if days else 0) + DAY_SLACK
    per_day = (plot_right - plot_left) / (x1 - x0)

    def xs(day: float) -> float:
        return plot_left + (day - x0) * per_day

    bars = [s for s in chart.series if s.style == "bar"]
    bar_w = per_day * BAR_SHARE / max(1, len(bars))
    k = 0  # the bar series drawn so far: each takes its own slot of the day
    for s, color in items:
        sc = right_scale if s.axis == "right" and right_scale else left_scale
        zero = sc.y(0, plot_bottom, plot_top)
        points = [
            (xs(day), sc.y(v, plot_bottom, plot_top)) for day, v in zip(days, s.values, strict=True)
        ]
        if s.style == "bar":
            for (cx, y), v in zip(points, s.values, strict=False):
                if v == 0:
                    continue
                left = cx - per_day * BAR_SHARE / 2 + k * bar_w
                d.add(
                    Rect(
                        left,
                        min(y, zero),
                        bar_w,
                        abs(y - zero),
                        fillColor=color,
                        strokeColor=None,
                        fillOpacity=0.85,
                    )
                )
            k += 1
        elif points:
            flat = [c for p in points for c in p]
            d.add(PolyLine(flat, strokeColor=color, strokeWidth=1.4, strokeLineJoin=1))
            if per_day >= 5:  # markers only where the days are apart: else they are a blot
                for cx, y in points:
                    d.add(Circle(cx, y, 1.1, fillColor=color, strokeColor=None))

    # The frame's sides (no top) and the date labels.
    d.add(Line(plot_left, plot_bottom, plot_right, plot_bottom, strokeColor=INK, strokeWidth=0.6))
    d.add(Line(plot_left, plot_bottom, plot_left, plot_top, strokeColor=INK, strokeWidth=0.6))
    if right_scale:
        d.add(Line(plot_right, plot_bottom, plot_right, plot_top, strokeColor=INK, strokeWidth=0.6))
    if chart.dates:
        widest = max(_w(day_label(date(2026, m, 28), lang), TICK_SIZE) for m in range(1, 13))
        most = max(2, int((plot_right - plot_left) / (widest + 10)))
        for day in date_ticks(chart.dates[0], chart.dates[-1], most):
            cx = xs(day.toordinal())
            d.add(Line(cx, plot_bottom, cx, plot_bottom - 2, strokeColor=INK, strokeWidth=0.6))
            d.add(
                String(
                    cx,
                    plot_bottom - 2 - TICK_SIZE,
                    day_label(day, lang),
                    fontName=FONT,
                    fontSize=TICK_SIZE,
                    textAnchor="middle",
                    fillColor=INK,
                )
            )
    return d


def _axis_title(d: Drawing, text: str, x: float, bottom: float, top: float, angle: int) -> None:
    """An axis's title along it, centred, turned `angle` degrees (90: reads upwards, its
    letters left of `x`; -90: downwards, right of it)."""
    label = fit(printable(text), top - bottom, LABEL_SIZE)
    g = Group(
        String(0, 0, label, fontName=FONT, fontSize=LABEL_SIZE, textAnchor="middle", fillColor=INK)
    )
    g.translate(x, (bottom + top) / 2)
    g.rotate(angle)
    d.add(g)
