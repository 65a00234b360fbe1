"""Axis ticks: nice whole-number steps and the days of a date axis to label. Pure
arithmetic, shared by the web's SVG charts (web/svg_chart.py) and the PDF reports' charts
(adapters/reports/chart.py), so both label their axes alike."""

from __future__ import annotations

import math
from datetime import date, timedelta


def nice_step(span: float, most: int) -> float:
    """The smallest step of 1, 2 or 5 times a power of ten that covers `span` in at most
    `most` steps."""
    if span <= 0:
        return 1.0
    raw = span / max(1, most)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw - 1e-12:
            return float(m * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10


def nice_ticks(top: float, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 up to the first at or above `top` (an axis from 0 that
    covers the data): steps of 1, 2 or 5 times a power of ten, at most `most` steps."""
    step = max(1, int(nice_step(max(top, 1), most)))
    n = max(1, math.ceil(max(top, 0) / step))
    return [i * step for i in range(n + 1)]


def range_ticks(low: float, high: float, most: int) -> list[float]:
    """Ticks of a nice step from the first at or above `low` to the last at or below
    `high` (an axis that does not start at 0: the coverage chart's percents)."""
    step = nice_step(high - low, most)
    first = math.ceil(low / step - 1e-9)
    out: list[float] = []
    i = first
    while i * step <= high + 1e-9:
        out.append(round(i * step, 6))
        i += 1
    return out


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def date_ticks(first: date, last: date, most: int) -> list[date]:
    """At most `most` days between `first` and `last` to label: every n days over a short
    span, the first of every n months over a longer one."""
    span = (last - first).days
    if span <= 0:
        return [first]
    for days in (1, 2, 3, 7, 14):
        if span // days + 1 <= most:
            return [first + timedelta(days=i) for i in range(0, span + 1, days)]
    halves = [
        d
        for m in range(span // 28 + 2)
        for d in (_add_months(first, m - 1), _add_months(first, m - 1).replace(day=15))
        if first <= d <= last
    ]
    if len(halves) <= most:
        return halves or [first]
    for months in (1, 2, 3, 6, 12, 24, 60, 120, 600, 1200):
        start = date(first.year, first.month, 1)
        if start < first:
            start = _add_months(start, 1)
        out = []
        d = start
        while d <= last:
            out.append(d)
            d = _add_months(d, months)
        if len(out) <= most:
            return out or [first]
    return [first]  # pragma: no cover - 100 years a tick ends the loop
