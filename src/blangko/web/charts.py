"""Charts drawn on the server as SVG text by our own writer (web/svg_chart.py; no JavaScript,
no CDN, no plotting library: matplotlib cost 65-140 ms of Python per drawing in the server's
process, issue 17).

Each chart is drawn in two widths: `narrow=False` for a desktop column (5.6 in, about 530
CSS px, shown filling the column), `narrow=True` for a phone (3.5 in, about 340 px), laid out within its width: the
title wrapped, long area names cut with an ellipsis, the legend below the axes. A browser
scales an SVG image to its box, text included: one drawing for every width would shrink
9-point text to 6 px on a phone. The pages choose the width with <picture>
(templates/_chart.html); every text is at least 9 points, 12 px at the drawn size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from blangko.domain.limits import printable
from blangko.formatting import num
from blangko.services.coverage.results import AreaFigures
from blangko.ticks import nice_ticks, range_ticks
from blangko.web.svg_chart import (
    FONT_SIZE,
    INK,
    LINE,
    MUTED,
    NARROW,
    PAD,
    WIDE,
    Canvas,
    Frame,
    Legend,
    draw_legend,
    draw_title,
    esc,
    fit,
    legend_height,
    points,
    text_width,
    title_lines,
    wrap,
    x_date_axis,
    y_axis,
    y_label_width,
)

SERVICE_COLORS = {
    "pemula": "#1f6f8b",
    "hilang": "#e07a1f",
    "rusak": "#9b2c2c",
    "perubahan_data": "#5a8f29",
    "lainnya": "#777777",
}
PLOT_H = {False: 135.0, True: 125.0}  # a date chart's plot height, points
ROW_H = 15.0  # a coverage chart's row of one area, points
X_LABELS_H = FONT_SIZE * 1.9  # the dd/mm labels below a plot
EMPTY_H = 172.8  # an empty chart's height, points (2,4 in, as matplotlib drew it)
Y_TICKS = 5  # at most, up a date chart's axis: a narrow one is as high as a wide one


def _width(narrow: bool) -> float:
    return NARROW if narrow else WIDE


def _empty(message: str, narrow: bool = False) -> str:
    width = _width(narrow)
    canvas = Canvas(width, EMPTY_H, message)
    lines = wrap(message, width - 4 * PAD)
    y = EMPTY_H / 2 - (len(lines) - 1) * FONT_SIZE * LINE / 2 + FONT_SIZE * 0.35
    for i, line in enumerate(lines):
        canvas.text(width / 2, y + i * FONT_SIZE * LINE, line, color=MUTED, anchor="middle")
    return canvas.render()


def _date_frame(
    title: str,
    narrow: bool,
    first: date,
    last: date,
    ticks: list[int],
    lang: str,
    legend: Legend,
    above: float = 0.0,
) -> tuple[Frame, float]:
    """A chart over dates: the title, `above` points of room over the plot (the marks'
    labels), the plot with `ticks` up the left and days along x, the legend's room below.
    Returns the frame and the legend's top."""
    width = _width(narrow)
    lines = title_lines(title, width)
    canvas = Canvas(width, 0.0, title)
    top = draw_title(canvas, lines) + above + FONT_SIZE * 0.5
    bottom = top + PLOT_H[narrow]
    legend_top = bottom + X_LABELS_H + 2
    canvas.height = legend_top + legend_height(legend, width, narrow) + PAD
    # A margin of 2 % (half a day at least) at either end: a line or a mark on the first or
    # the last day is not drawn over the axis.
    margin = max(0.5, (last - first).days * 0.02)
    x0, x1 = first.toordinal() - margin, last.toordinal() + margin
    frame = Frame(
        canvas,
        left=PAD + y_label_width(ticks, lang),
        top=top,
        right=width - PAD - FONT_SIZE,
        bottom=bottom,
        x0=x0,
        x1=x1,
        y0=0,
        y1=ticks[-1],
    )
    y_axis(frame, ticks, lang)
    x_date_axis(frame, first, last, narrow)
    return frame, legend_top


def stock_on_hand(
    series: list[tuple[date, int]],
    receipts: list[tuple[date, int]],
    *,
    lang: str,
    title: str,
    received_label: str,
    empty: str,
    narrow: bool = False,
) -> str:
    if not series:
        return _empty(empty, narrow)
    days = [d for d, _ in series] + [d for d, _ in receipts]
    levels = [v for _, v in series]
    ticks = nice_ticks(max(levels), Y_TICKS)
    frame, _legend_top = _date_frame(title, narrow, min(days), max(days), ticks, lang, Legend())
    c = frame.canvas
    xs = [frame.x(d.toordinal()) for d, _ in series]
    # A step after each day: the level holds until the next day with entries.
    d = f"M{xs[0]:.2f} {frame.y(levels[0]):.2f}"
    for x, v in zip(xs[1:], levels[1:], strict=True):
        d += f" H{x:.2f} V{frame.y(v):.2f}"
    c.path(f"{d} V{frame.bottom:.2f} H{xs[0]:.2f} Z", fill="#1f6f8b", fill_opacity=0.12)
    c.path(d, stroke="#1f6f8b", width=1.8)
    level_at = dict(series)
    for when, q in receipts:
        x = frame.x(when.toordinal())
        label = f"+{num(q, lang)}"
        c.add(f"<g><title>{esc(received_label)} {when:%d/%m/%Y}: {esc(label)}</title>")
        c.line(x, frame.top, x, frame.bottom, "#e07a1f", 1.0, dash="4 3")
        y = max(frame.y(level_at.get(when, 0)) - 3, frame.top + FONT_SIZE)
        if x + 3 + text_width(label) > c.width - PAD:
            c.text(x - 3, y, label, color="#b35c00", anchor="end", halo=True)
        else:
            c.text(x + 3, y, label, color="#b35c00", halo=True)
        c.add("</g>")
    return c.render()


def usage_by_week(
    weeks: dict[date, dict[str, int]],
    *,
    lang: str,
    title: str,
    labels: dict[str, str],
    empty: str,
    narrow: bool = False,
) -> str:
    if not weeks:
        return _empty(empty, narrow)
    mondays = list(weeks)
    services = [s for s in SERVICE_COLORS if any(s in w for w in weeks.values())]
    totals = [sum(weeks[m].get(s, 0) for s in services) for m in mondays]
    legend = Legend()
    for s in services:
        legend.add("box", SERVICE_COLORS[s], labels.get(s, s))
    first, last = min(mondays), max(mondays)
    ticks = nice_ticks(max(totals), Y_TICKS)
    frame, legend_top = _date_frame(
        title, narrow, first, date.fromordinal(last.toordinal() + 7), ticks, lang, legend
    )
    c = frame.canvas
    for m in mondays:
        x = frame.x(m.toordinal())
        w = frame.x(m.toordinal() + 5) - x  # five days of the week's seven, as before
        bottom = 0
        for s in services:
            v = weeks[m].get(s, 0)
            if v > 0:
                c.rect(
                    x,
                    frame.y(bottom + v),
                    w,
                    frame.y(bottom) - frame.y(bottom + v),
                    SERVICE_COLORS[s],
                )
            bottom += v
    draw_legend(c, legend, legend_top, narrow)
    return c.render()


def coverage_by_area(
    areas: Sequence[AreaFigures],
    *,
    target: float,
    lang: str,
    title: str,
    target_label: str,
    empty: str,
    narrow: bool = False,
) -> str:
    """Horizontal bars of recording coverage per area against the target line; areas below
    the target in the warning colour. The x axis starts near the lowest value so that the
    few tenths of a percent that matter can be seen."""
    if not areas:
        return _empty(empty, narrow)
    width = _width(narrow)
    rows = sorted(areas, key=lambda a: a["coverage_pct"] or 0)
    values = [float(a["coverage_pct"] or 0) for a in rows]
    # An area whose name is not in the region table is shown by its code.
    names = [printable(a["name"] or a["code"]) for a in rows]
    # The names' column: as wide as the longest name, within a share of the width (a long
    # name is cut with an ellipsis: it never widens the drawing).
    name_w = min(max(text_width(n) for n in names), width * 0.4)
    value_w = text_width(f" {num(100.0, lang)}") + 2
    lines = title_lines(title, width)
    canvas = Canvas(width, 0.0, title)
    label_y = draw_title(canvas, lines) + FONT_SIZE * 1.1
    top = label_y + 5
    bottom = top + ROW_H * len(rows)
    canvas.height = bottom + X_LABELS_H + PAD
    low = max(0.0, min([*values, target]) - 2)
    frame = Frame(
        canvas,
        left=PAD + name_w + 4,
        top=top,
        right=width - PAD - value_w,
        bottom=bottom,
        x0=low,
        x1=100.0,
    )
    c = canvas
    for t in range_ticks(low, 100.0, 5 if narrow else 8):
        x = frame.x(t)
        c.line(x, top, x, bottom, "#d8dee6", 0.8)
        c.line(x, bottom, x, bottom + 3, INK, 0.8)
        c.text(x, bottom + FONT_SIZE * 1.3, num(round(t, 1), lang), anchor="middle")
    c.line(frame.left, top, frame.left, bottom, INK, 0.8)
    c.line(frame.left, bottom, frame.right, bottom, INK, 0.8)
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        row_top = bottom - (i + 1) * ROW_H  # the lowest value at the bottom, as matplotlib drew
        middle = row_top + ROW_H / 2
        c.rect(
            frame.left,
            row_top + ROW_H * 0.15,
            max(0.0, frame.x(max(v, low)) - frame.left),
            ROW_H * 0.7,
            "#b35c00" if v < target else "#2f7d32",
        )
        c.text(frame.left - 4, middle + FONT_SIZE * 0.35, fit(name, name_w), anchor="end")
        c.text(
            frame.x(max(v, low)) + 1,
            middle + FONT_SIZE * 0.35,
            f" {num(v, lang)}",
            color="#333",
            halo=True,
        )
    tx = frame.x(target)
    c.line(tx, top - 3, tx, bottom, "#9b2c2c", 1.2, dash="4 3")
    label = fit(f"{target_label} {num(target, lang)} %", width - 2 * PAD)
    lw = text_width(label)
    # Right-aligned at the target line, moved left or right to stay within the drawing.
    end = min(max(tx, PAD + lw), width - PAD)
    c.text(end, label_y, label, color="#9b2c2c", anchor="end")
    return c.render()


def forecast_fan(
    daily: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    title: str,
    labels: dict[str, str],
    marks: list[tuple[date, str, str]],
    empty: str,
    narrow: bool = False,
) -> str:
    """Blanks used per open day: the 90 % band (p05-p95), the 50 % band (p25-p75) and the
    median; closed days are left out (nothing is used on them). ``marks`` are vertical
    lines: (date, label, colour), e.g. the next delivery and the next event."""
    days = [(date.fromisoformat(d["date"]), d) for d in daily if d["open"]]
    if not days:
        return _empty(empty, narrow)
    first, last = days[0][0], days[-1][0]
    get = lambda k: [float(row[k]) for _, row in days]  # noqa: E731
    top = max(get("p95") or [1.0])
    legend = Legend()
    legend.add("box", "#1f6f8b/0.15", labels["p90"])
    legend.add("box", "#1f6f8b/0.4", labels["p50band"])
    legend.add("line", "#154e63", labels["p50"])
    shown = [m for m in marks if first <= m[0] <= last]
    line_h = FONT_SIZE * LINE
    # The marks' labels in a band of their own above the plot, each a line lower than the
    # previous: marks close in time stay legible, and no label lies over the data.
    frame, legend_top = _date_frame(
        title,
        narrow,
        first,
        last,
        nice_ticks(top, Y_TICKS),
        lang,
        legend,
        above=line_h * len(shown),
    )
    c = frame.canvas
    band_top = frame.top - line_h * len(shown) - FONT_SIZE * 0.5
    xs = [frame.x(d.toordinal()) for d, _ in days]

    def band(lo: str, hi: str) -> str:
        up = points(xs, [frame.y(v) for v in get(hi)])
        down = points(xs[::-1], [frame.y(v) for v in get(lo)[::-1]])
        return f"{up} L{down[1:]} Z"

    c.path(band("p05", "p95"), fill="#1f6f8b", fill_opacity=0.15)
    c.path(band("p25", "p75"), fill="#1f6f8b", fill_opacity=0.3)
    c.path(points(xs, [frame.y(v) for v in get("p50")]), stroke="#154e63", width=1.4)
    for i, (when, label, color) in enumerate(shown):
        x = frame.x(when.toordinal())
        y = band_top + (i + 1) * line_h - 2
        c.line(x, y - FONT_SIZE * 0.8, x, frame.bottom, color, 1.1, dash="4 3")
        # A stored control character would break the SVG: printable writes it as \\xNN.
        text = printable(label)
        room_right, room_left = c.width - PAD - (x + 3), x - 3 - PAD
        if text_width(text) <= room_right or room_right >= room_left:
            c.text(x + 3, y, fit(text, room_right), color=color, halo=True)
        else:
            c.text(x - 3, y, fit(text, room_left), color=color, anchor="end", halo=True)
    draw_legend(c, legend, legend_top, narrow)
    return c.render()
