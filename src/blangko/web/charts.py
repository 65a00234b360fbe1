"""Charts drawn on the server as SVG with matplotlib (no JavaScript, no CDN).

Each chart is drawn in two widths: `narrow=False` for a desktop column (6.4 in, about 600
CSS px), `narrow=True` for a phone (3.5 in, about 340 px), laid out within its width, with
the title wrapped and the legend below the axes. A browser scales an SVG image to its box, text included: one drawing for every
width would shrink 9-point text to 6 px on a phone. The pages choose the width with <picture>
(templates/_chart.html); every text is at least 9 points, 12 px at the drawn size.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from blangko.domain.limits import printable  # noqa: E402
from blangko.formatting import num  # noqa: E402
from blangko.services.coverage.results import AreaFigures  # noqa: E402

# pyplot keeps global state; two requests drawing at once must not share a figure.
_lock = threading.Lock()
WIDE_IN, NARROW_IN = 6.4, 3.5  # figure widths, inches
NARROW_TITLE_CHARS = 36  # a title's line on a narrow chart
SERVICE_COLORS = {
    "pemula": "#1f6f8b",
    "hilang": "#e07a1f",
    "rusak": "#9b2c2c",
    "perubahan_data": "#5a8f29",
    "lainnya": "#777777",
}
plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, selectable, uses the page font
        # Labels are data (event and area names): '$...$' is text, never TeX-like maths.
        "text.parse_math": False,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _x(days: Sequence[date]) -> NDArray[np.float64]:
    """Dates as matplotlib's day numbers, the x values of a date axis (`ax.xaxis_date()`):
    what matplotlib would convert them to itself, but typed, which its stubs need."""
    return np.asarray(mdates.date2num(list(days)), dtype=np.float64)


def _x1(day: date) -> float:
    return float(mdates.date2num(day))


def _figure(narrow: bool, height: float):  # type: ignore[no-untyped-def]
    """A figure and its axes. A narrow one lays itself out within its width (constrained
    layout: long tick labels shrink the axes instead of widening the image)."""
    if narrow:
        return plt.subplots(figsize=(NARROW_IN, height), layout="constrained")
    return plt.subplots(figsize=(WIDE_IN, height))


def _title(ax, title: str, narrow: bool, **kw: Any) -> None:  # type: ignore[no-untyped-def]
    """Above the axes from their left edge; on a narrow chart, the figure's title from the
    figure's left edge, wrapped (the axes may start far right of it, after long area names)."""
    if narrow:
        wrapped = textwrap.fill(title, NARROW_TITLE_CHARS)
        ax.figure.suptitle(wrapped, x=0.01, ha="left", fontsize="large")
    else:
        ax.set_title(title, loc="left", **kw)


def _legend(ax, narrow: bool, ncols: int, **kw: Any) -> None:  # type: ignore[no-untyped-def]
    """Where `kw` puts it; on a narrow chart below the axes, in two columns, so that it
    covers no data."""
    if narrow:
        ax.figure.legend(loc="outside lower left", ncols=min(2, ncols), frameon=False)
    else:
        ax.legend(frameon=False, ncols=ncols, **kw)


def _date_axis(ax, narrow: bool) -> None:  # type: ignore[no-untyped-def]
    """Dates as dd/mm; at most five of them on a narrow chart, so that they do not overlap."""
    if narrow:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=5))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))


def _svg(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _empty(message: str, narrow: bool = False) -> str:
    with _lock:
        fig, ax = _figure(narrow, 2.4)
        ax.axis("off")
        text = textwrap.fill(message, NARROW_TITLE_CHARS) if narrow else message
        ax.text(0.5, 0.5, text, ha="center", va="center", color="#555")
        return _svg(fig)


def _date_chart(narrow: bool) -> tuple[Figure, Axes]:
    """A figure for a chart over dates: its x axis takes matplotlib's day numbers."""
    fig, ax = _figure(narrow, 2.8)
    ax.xaxis_date()
    return fig, ax


def _label_date_axes(ax: Axes, title: str, lang: str, narrow: bool) -> None:
    """The title at the left, whole numbers up the y axis and days (dd/mm) along x."""
    _title(ax, title, narrow)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: num(int(v), lang)))
    _date_axis(ax, narrow)


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
    with _lock:
        fig, ax = _date_chart(narrow)
        days = _x([d for d, _ in series])
        levels = [v for _, v in series]
        ax.step(days, levels, where="post", color="#1f6f8b", linewidth=1.8)
        ax.fill_between(days, levels, step="post", alpha=0.12, color="#1f6f8b")
        level_at = dict(series)
        for i, (d, q) in enumerate(receipts):
            ax.axvline(_x1(d), color="#e07a1f", linestyle="--", linewidth=1)
            ax.annotate(
                f"+{num(q, lang)}",
                (d, level_at.get(d, 0)),
                textcoords="offset points",
                xytext=(4, 4),
                color="#b35c00",
                label=received_label if i == 0 else None,
            )
        _label_date_axes(ax, title, lang, narrow)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
        return _svg(fig)


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
    with _lock:
        fig, ax = _date_chart(narrow)
        mondays = list(weeks)
        bottom = [0] * len(mondays)
        services = [s for s in SERVICE_COLORS if any(s in w for w in weeks.values())]
        for s in services:
            values = [weeks[m].get(s, 0) for m in mondays]
            ax.bar(
                _x(mondays),
                values,
                width=5,
                bottom=bottom,
                color=SERVICE_COLORS[s],
                label=labels.get(s, s),
                align="edge",
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        _label_date_axes(ax, title, lang, narrow)
        _legend(ax, narrow, min(4, len(services)), loc="upper left")
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylim(top=max(bottom) * (1.1 if narrow else 1.3) if bottom else 1)
        return _svg(fig)


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
    with _lock:
        rows = sorted(areas, key=lambda a: a["coverage_pct"] or 0)
        height = min(0.24 * len(rows) + 1.0, 40)
        fig, ax = _figure(narrow, height)
        values = [float(a["coverage_pct"] or 0) for a in rows]
        colors = ["#b35c00" if v < target else "#2f7d32" for v in values]
        # An area whose name is not in the region table is shown by its code.
        ax.barh([printable(a["name"] or a["code"]) for a in rows], values, color=colors, height=0.7)
        low = min([*values, target])
        ax.set_xlim(max(0.0, low - 2), 100)
        ax.axvline(target, color="#9b2c2c", linestyle="--", linewidth=1.2)
        ax.text(
            target,
            1.0,
            f"{target_label} {num(target, lang)} %",
            transform=ax.get_xaxis_transform(),
            ha="right",
            va="bottom",
            color="#9b2c2c",
        )
        for i, v in enumerate(values):
            ax.text(v, i, f" {num(v, lang)}", va="center", color="#333")
        _title(ax, title, narrow, pad=14)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: num(round(v, 1), lang)))
        if narrow:
            ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.grid(axis="x", alpha=0.3)
        return _svg(fig)


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
    with _lock:
        fig, ax = _date_chart(narrow)
        first, last = days[0][0], days[-1][0]
        x = _x([d for d, _ in days])
        get = lambda k: [row[k] for _, row in days]  # noqa: E731
        ax.fill_between(x, get("p05"), get("p95"), color="#1f6f8b", alpha=0.15, label=labels["p90"])
        ax.fill_between(
            x, get("p25"), get("p75"), color="#1f6f8b", alpha=0.3, label=labels["p50band"]
        )
        ax.plot(x, get("p50"), color="#154e63", linewidth=1.4, label=labels["p50"])
        top = max(get("p95") or [1])
        shown = [m for m in marks if first <= m[0] <= last]
        for i, (when, label, color) in enumerate(shown):
            ax.axvline(_x1(when), color=color, linestyle="--", linewidth=1.1)
            # Each label one line lower than the previous: marks close in time stay legible.
            ax.text(
                _x1(when),
                top * (1.12 - 0.11 * i),
                f" {printable(label)}",  # a stored control character would break the SVG
                color=color,
                va="top",
            )
        _label_date_axes(ax, title, lang, narrow)
        ax.set_ylim(bottom=0, top=top * 1.15 if top else 1)
        _legend(ax, narrow, 3, loc="upper left", bbox_to_anchor=(0, -0.12))
        ax.grid(axis="y", alpha=0.3)
        return _svg(fig)
