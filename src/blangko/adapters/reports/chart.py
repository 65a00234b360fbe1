"""Time-series charts for the PDF reports (matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # files only: no display on an office server

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from blangko.adapters.reports.lang import LANG  # noqa: E402
from blangko.adapters.reports.model import Chart  # noqa: E402
from blangko.formatting import num  # noqa: E402

# Labels and titles are text: a '$' in a name is a dollar sign, never the start of maths.
plt.rcParams["text.parse_math"] = False
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
COLORS = {"left": ["#4472C4", "#70AD47"], "right": ["#ED7D31", "#A5A5A5"]}


def _day_label(v: float, _pos: int) -> str:
    d = mdates.num2date(v)
    months = SHORT_MONTHS_EN if LANG.get() == "en" else SHORT_MONTHS
    return f"{d.day} {months[d.month - 1]}"


def _thousands(v: float, _pos: int) -> str:
    lang = LANG.get()
    return num(int(v), lang) if float(v).is_integer() else num(round(v, 1), lang)


def chart_png(chart: Chart, width_cm: float, height_cm: float, dpi: int = 200) -> bytes:
    fig, left = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
    # Days as matplotlib's date numbers (what it converts dates to itself).
    x = mdates.date2num(chart.dates)
    try:
        right = left.twinx() if any(s.axis == "right" for s in chart.series) else None
        handles: list[Artist | BarContainer] = []  # what the legend lists
        used = {"left": 0, "right": 0}
        for s in chart.series:
            ax = right if s.axis == "right" and right is not None else left
            color = COLORS[s.axis][used[s.axis] % 2]
            used[s.axis] += 1
            h: Artist | BarContainer
            if s.style == "bar":
                h = ax.bar(x, s.values, width=0.7, color=color, alpha=0.8, label=s.label)
            else:
                (h,) = ax.plot(
                    x,
                    s.values,
                    color=color,
                    linewidth=1.6,
                    marker="o",
                    markersize=2.2,
                    label=s.label,
                )
            handles.append(h)
        left.set_title(chart.title, fontsize=9)
        left.set_ylabel(chart.y_label, fontsize=8)
        for axes in (left, right):
            if axes is None:
                continue
            axes.tick_params(labelsize=7)
            axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
            axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            # Headroom above the highest value keeps the legend clear of the lines.
            top = max(
                [
                    v
                    for s in chart.series
                    if (s.axis == "right") == (axes is right)
                    for v in s.values
                ]
                or [0]
            )
            axes.set_ylim(0, max(top * 1.3, 1))
            axes.spines["top"].set_visible(False)
        if right is not None:
            right.set_ylabel(chart.y2_label or chart.y_label, fontsize=8)
        else:
            left.spines["right"].set_visible(False)
        if len(x):
            left.set_xlim(float(x[0]) - 0.8, float(x[-1]) + 0.8)
        left.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
        left.xaxis.set_major_formatter(FuncFormatter(_day_label))
        left.grid(True, axis="y", linewidth=0.3, alpha=0.6)
        left.legend(
            handles=handles, fontsize=7, loc="upper left", frameon=False, ncols=len(handles)
        )
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi)
        return out.getvalue()
    finally:
        plt.close(fig)
