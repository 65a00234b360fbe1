"""A small SVG writer for the web's charts (web/charts.py): strings, no plotting library.

Drawing a chart with matplotlib cost 65-140 ms of Python under the GIL, in the web server's
process, after every print (issue 17); writing the same picture as text costs a few ms.

Units: the drawing's user units are points (viewBox), and its width and height attributes
are the same numbers in `pt`, so that one unit is 4/3 CSS px at the drawn size, as the
matplotlib drawings were: 9-unit text is 12 px (tests/web/test_dashboard_web.py and
tests/e2e/test_web_layout.py read the viewBox and the `font-size: Npx` styles). Text is laid
out with an estimated width (`text_width`: a fixed share of an em per character), generous
for the page's sans-serif fonts, so that a label estimated to fit does fit.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from blangko.formatting import num
from blangko.ticks import date_ticks

# The widths, in points: about 530 and 340 CSS px. The wide one is shown filling a desktop
# column of 500-600 px, so that its 9-point text stays 12 px or more there.
WIDE, NARROW = 400.0, 252.0
FONT_SIZE = 9.0  # 12 CSS px at the drawn size: the smallest text of any chart
TITLE_SIZE = 10.8
CHAR_EM = 0.6  # an estimated character's width, in ems
LINE = 1.3  # a line's height, in ems
FONT_FAMILY = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
INK, MUTED, GRID = "#1d2733", "#555555", "#d8dee6"
PAD = 4.0  # the drawing's margin

# Characters XML 1.0 does not allow at all (not even escaped): a label holding one would make
# the whole SVG unreadable. charts.py writes control characters visibly (domain.limits.
# printable) before they get here; this is the last guard.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: str) -> str:
    """`text` as XML character data or an attribute's value."""
    text = _NOT_XML.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * CHAR_EM


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    """`text` cut with an ellipsis to what fits `width`."""
    chars = max(1, int(width / (size * CHAR_EM)))
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def wrap(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """`text` in lines that fit `width` (a word longer than a line is cut)."""
    chars = max(1, int(width / (size * CHAR_EM)))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


def _f(v: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


@dataclass
class Legend:
    """Swatches and their names, laid out below the axes."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, colour, label)

    def add(self, kind: str, color: str, label: str) -> None:
        """kind: 'box' (a filled square; a band's opacity in `color` as 'colour/opacity') or
        'line'."""
        self.items.append((kind, color, label))


@dataclass
class Canvas:
    """Elements in points; `render` writes them as an SVG document."""

    width: float
    height: float
    title: str
    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        *,
        size: float = FONT_SIZE,
        color: str = INK,
        anchor: str = "start",
        halo: bool = False,
    ) -> None:
        """`halo`: a white outline under the letters, for a label drawn over data or lines."""
        style = f"font-size: {_f(size)}px"
        extra = ' stroke="#ffffff" stroke-width="2.5" paint-order="stroke"' if halo else ""
        self.add(
            f'<text x="{_f(x)}" y="{_f(y)}" style="{style}" fill="{color}"'
            f' text-anchor="{anchor}"{extra}>{esc(s)}</text>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        color: str,
        width: float = 1.0,
        dash: str = "",
        opacity: float = 1.0,
    ) -> None:
        extra = (f' stroke-dasharray="{dash}"' if dash else "") + (
            f' stroke-opacity="{_f(opacity)}"' if opacity < 1 else ""
        )
        self.add(
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}"'
            f' stroke="{color}" stroke-width="{_f(width)}"{extra}/>'
        )

    def rect(
        self, x: float, y: float, w: float, h: float, color: str, opacity: float = 1.0
    ) -> None:
        extra = f' fill-opacity="{_f(opacity)}"' if opacity < 1 else ""
        self.add(
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"'
            f' fill="{color}"{extra}/>'
        )

    def path(
        self,
        d: str,
        *,
        fill: str = "none",
        fill_opacity: float = 1.0,
        stroke: str = "none",
        width: float = 1.0,
    ) -> None:
        extra = f' fill-opacity="{_f(fill_opacity)}"' if fill_opacity < 1 else ""
        if stroke != "none":
            extra += f' stroke="{stroke}" stroke-width="{_f(width)}" stroke-linejoin="round"'
        self.add(f'<path d="{d}" fill="{fill}"{extra}/>')

    def render(self) -> str:
        w, h = _f(self.width), _f(self.height)
        return "".join(
            [
                '<?xml version="1.0" encoding="utf-8"?>\n',
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt"',
                f' viewBox="0 0 {w} {h}" font-family="{esc(FONT_FAMILY)}">',
                f"<title>{esc(self.title)}</title>",
                '<rect width="100%" height="100%" fill="#ffffff"/>',
                *self.parts,
                "</svg>\n",
            ]
        )


def points(xs: Iterable[float], ys: Iterable[float]) -> str:
    """Path data through the points, in order."""
    out = [f"{_f(x)} {_f(y)}" for x, y in zip(xs, ys, strict=True)]
    return ("M" + " L".join(out)) if out else ""


@dataclass
class Frame:
    """A chart's layout: the title at the top, the plot, tick labels below it and at its
    left, the legend below them; `x` and `y` map data to points."""

    canvas: Canvas
    left: float
    top: float
    right: float
    bottom: float
    x0: float = 0.0
    x1: float = 1.0
    y0: float = 0.0
    y1: float = 1.0

    def x(self, v: float) -> float:
        span = self.x1 - self.x0 or 1.0
        return self.left + (v - self.x0) / span * (self.right - self.left)

    def y(self, v: float) -> float:
        """Within the plot: a value below the axis's start (a negative level) is drawn on
        the base line, as the plot would clip it."""
        span = self.y1 - self.y0 or 1.0
        y = self.bottom - (v - self.y0) / span * (self.bottom - self.top)
        return min(max(y, self.top), self.bottom)


def title_lines(title: str, width: float) -> list[str]:
    return wrap(title, width - 2 * PAD, TITLE_SIZE)


def legend_height(legend: Legend, width: float, narrow: bool) -> float:
    if not legend.items:
        return 0.0
    return len(_legend_rows(legend, width, narrow)) * FONT_SIZE * LINE + 4


def _legend_rows(
    legend: Legend, width: float, narrow: bool
) -> list[list[tuple[str, str, str, float]]]:
    """Rows of (kind, colour, label, width): two columns on a narrow chart, else as many as
    fit a row."""
    swatch = FONT_SIZE * 1.6
    avail = width - 2 * PAD
    if narrow:
        col = avail / 2
        items = [(k, c, fit(t, col - swatch - 4), col) for k, c, t in legend.items]
        return [items[i : i + 2] for i in range(0, len(items), 2)]
    rows: list[list[tuple[str, str, str, float]]] = [[]]
    used = 0.0
    for k, c, t in legend.items:
        label = fit(t, avail - swatch)
        w = swatch + text_width(label) + 12
        if rows[-1] and used + w > avail:
            rows.append([])
            used = 0.0
        rows[-1].append((k, c, label, w))
        used += w
    return rows


def draw_legend(canvas: Canvas, legend: Legend, y: float, narrow: bool) -> None:
    """The legend's rows from `y` (their top) down, from the drawing's left margin."""
    line_h = FONT_SIZE * LINE
    for r, row in enumerate(_legend_rows(legend, canvas.width, narrow)):
        x = PAD
        base = y + r * line_h + FONT_SIZE
        for kind, color, label, w in row:
            colour, _, opacity = color.partition("/")
            if kind == "line":
                mid = base - FONT_SIZE * 0.4
                canvas.line(x, mid, x + FONT_SIZE * 1.2, mid, colour, 1.6)
            else:
                canvas.rect(
                    x,
                    base - FONT_SIZE * 0.8,
                    FONT_SIZE * 1.2,
                    FONT_SIZE * 0.8,
                    colour,
                    float(opacity) if opacity else 1.0,
                )
            canvas.text(x + FONT_SIZE * 1.6, base, label)
            x += w


def draw_title(canvas: Canvas, lines: Sequence[str]) -> float:
    """The title's lines from the top left; returns the y below them."""
    y = PAD
    for line in lines:
        y += TITLE_SIZE * 1.15
        canvas.text(PAD, y, line, size=TITLE_SIZE)
    return y + 4


def y_axis(frame: Frame, ticks: Sequence[int], lang: str) -> None:
    """Grid lines and whole-number labels up the left, and the base line."""
    c = frame.canvas
    for t in ticks:
        y = frame.y(t)
        c.line(frame.left, y, frame.right, y, GRID, 0.8)
        c.text(frame.left - 4, y + FONT_SIZE * 0.35, num(int(t), lang), anchor="end")
    c.line(frame.left, frame.bottom, frame.right, frame.bottom, INK, 0.8)
    c.line(frame.left, frame.top, frame.left, frame.bottom, INK, 0.8)


def y_label_width(ticks: Sequence[int], lang: str) -> float:
    return max(text_width(num(int(t), lang)) for t in ticks) + 8


def x_date_axis(frame: Frame, first: date, last: date, narrow: bool) -> None:
    """Days as dd/mm below the plot: at most five on a narrow chart; the labels at the ends
    kept within the drawing."""
    c = frame.canvas
    most = 5 if narrow else 8
    y = frame.bottom + FONT_SIZE * 1.3
    for d in date_ticks(first, last, most):
        x = frame.x(d.toordinal())
        label = d.strftime("%d/%m")
        half = text_width(label) / 2
        anchor = "middle"
        if x - half < PAD:
            anchor, tx = "start", max(PAD, x - half)
        elif x + half > c.width - PAD:
            anchor, tx = "end", min(c.width - PAD, x + half)
        else:
            tx = x
        c.line(x, frame.bottom, x, frame.bottom + 3, INK, 0.8)
        c.text(tx, y, label, anchor=anchor)
