"""A report as an A4 PDF: letterhead, title, facts, statements, chart, tables, signatures,
"Halaman X dari Y" on every page, with an embedded TrueType font (DejaVu Sans) so the
file prints the same everywhere and its text can be extracted.

Table columns share the width by their weights, but none is narrower than what it must show
whole (`min_widths`): its header's longest word, so that a header wraps between words
("Dikembalikan", never "Dikembali kan"), a number, a date or a serial (never split), the
longest word of a text (up to a third of the page). When a table's columns do not fit A4
portrait that way, the whole report is set in landscape (`page_size`)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from blangko.adapters.reports import fmt
from blangko.adapters.reports.chart import chart_drawing
from blangko.adapters.reports.fonts import FONT, FONT_BOLD, register_fonts
from blangko.adapters.reports.lang import LANG
from blangko.adapters.reports.model import Report, Signature, Table
from blangko.domain.limits import printable
from blangko.domain.text import N_, Msg
from blangko.formatting import tanggal

MARGIN = 2 * cm
WIDTH = A4[0] - 2 * MARGIN  # portrait
CELL_SIZE = 8  # points, the table cells' font size
CELL_PAD = 3  # points, each side of a cell (the table style's LEFT/RIGHTPADDING)
UNBROKEN = ("int", "percent", "date", "serial")  # column kinds whose cells never wrap


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "base": base,
        "just": ParagraphStyle("just", parent=base, alignment=TA_JUSTIFY, spaceAfter=5),
        "head1": ParagraphStyle(
            "head1", parent=base, fontName=FONT_BOLD, fontSize=12.5, leading=15, alignment=TA_CENTER
        ),
        "head2": ParagraphStyle(
            "head2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_CENTER
        ),
        "addr": ParagraphStyle("addr", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=12.5, leading=16, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=10, leading=13, alignment=TA_CENTER
        ),
        "h": ParagraphStyle(
            "h", parent=base, fontName=FONT_BOLD, fontSize=10, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cellb": ParagraphStyle("cellb", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10),
        "cellr": ParagraphStyle("cellr", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "cellh": ParagraphStyle(
            "cellh", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10, alignment=TA_CENTER
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, textColor=colors.grey),
        "sig": ParagraphStyle("sig", parent=base, alignment=TA_CENTER, fontSize=9.5, leading=12),
    }


def _esc(text: str) -> str:
    """Text as a paragraph shows it: markup escaped, control characters as \\xNN."""
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def min_widths(t: Table, page_width: float = WIDTH) -> list[float]:
    """The narrowest each column may be, in points, padding included: the longest word of its
    header (bold), each number, percent, date and serial whole, the longest word of a text
    cell (at most a third of `page_width`: a long free text may break inside a word)."""
    register_fonts()
    rows: list[tuple[list[Any], str]] = [(row, FONT) for row in t.rows]
    if t.has_totals:
        rows.append(([t.totals_label, *t.totals()[1:]], FONT_BOLD))
    out: list[float] = []
    for i, col in enumerate(t.columns):
        need = max(_width(w, FONT_BOLD) for w in col.title.split())
        words = 0.0
        for row, font in rows:
            if row[i] is None:
                continue
            text = fmt.text(row[i], col.kind)
            if col.kind in UNBROKEN or not isinstance(row[i], str):
                need = max(need, _width(text, font))
            else:
                words = max(words, *(_width(w, font) for w in text.split() or [""]))
        out.append(max(need, min(words, page_width / 3)) + 2 * CELL_PAD + 0.5)
    return out


def _width(text: str, font: str) -> float:
    return float(pdfmetrics.stringWidth(text, font, CELL_SIZE))


def column_widths(t: Table, page_width: float) -> list[float] | None:
    """Widths by the columns' weights, each raised to its minimum (the others share what is
    left, by weight); None when the minimums alone are wider than `page_width`."""
    least = min_widths(t, page_width)
    if sum(least) > page_width:
        return None
    weights = [c.weight for c in t.columns]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = page_width - sum(fixed.values())
        share = {i: room * weights[i] / sum(weights[j] for j in free) for i in free}
        raised = [i for i in free if share[i] < least[i]]
        if not raised:
            return [fixed.get(i, share.get(i, 0.0)) for i in range(len(weights))]
        for i in raised:
            fixed[i] = least[i]


def page_size(report: Report) -> tuple[float, float]:
    """A4 portrait, or landscape when a table's columns do not fit portrait whole."""
    if all(column_widths(t, WIDTH) is not None for t in report.tables):
        return A4
    return landscape(A4)


def render_pdf(report: Report) -> bytes:
    register_fonts()
    st = _styles()
    out = io.BytesIO()
    page = page_size(report)
    width = page[0] - 2 * MARGIN
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.6 * cm,
        bottomMargin=1.8 * cm,
        title=report.title,
        author=report.office_name,
        creator="blangko",
        subject=report.subtitle or report.title,
    )
    story: list[Any] = []
    story += _letterhead(report, st)
    story.append(Paragraph(_esc(report.title), st["title"]))
    if report.subtitle:
        story.append(Paragraph(_esc(report.subtitle), st["subtitle"]))
    story.append(Spacer(1, 0.4 * cm))
    if report.facts:
        story.append(_facts(report, st, width))
        story.append(Spacer(1, 0.3 * cm))
    for text in report.paragraphs:
        story.append(Paragraph(_esc(text), st["just"]))
    if report.chart is not None:
        story.append(Spacer(1, 0.2 * cm))
        story.append(chart_drawing(report.chart, width, 6.2 * cm))
    for table in report.tables:
        story += _table(table, st, width)
    if report.checks:
        block = [Paragraph(fmt.say(N_("Pemeriksaan kecocokan")), st["h"])]
        block += [Paragraph("• " + _esc(c), st["just"]) for c in report.checks]
        story.append(KeepTogether(block))
    if report.signatures:
        story.append(Spacer(1, 0.5 * cm))
        story.append(KeepTogether(_signatures(report, st, width)))
    footer = f"{report.title} — {report.office_name}"
    doc.build(story, canvasmaker=_numbered_canvas(footer, page[0]))
    return out.getvalue()


def _letterhead(r: Report, st: dict[str, ParagraphStyle]) -> list[Any]:
    out: list[Any] = []
    n = len(r.header_lines)
    for i, line in enumerate(r.header_lines):
        style = st["head1"] if i == 0 else st["head2"] if i < n - 1 else st["addr"]
        out.append(Paragraph(_esc(line), style))
    if out:
        out.append(Spacer(1, 0.15 * cm))
        out.append(HRFlowable(width="100%", thickness=1.6, color=colors.black, spaceAfter=1))
        out.append(HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=10))
    return out


def _facts(r: Report, st: dict[str, ParagraphStyle], width: float) -> RLTable:
    rows = [
        [Paragraph(_esc(label), st["base"]), ":", Paragraph(_esc(fmt.text(value)), st["base"])]
        for label, value in r.facts
    ]
    t = RLTable(rows, colWidths=[5.6 * cm, 0.4 * cm, width - 6 * cm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


def _table(t: Table, st: dict[str, ParagraphStyle], width: float) -> list[Any]:
    widths = column_widths(t, width)
    if widths is None:  # wider than landscape too: every column shrinks alike
        least = min_widths(t, width)
        widths = [w * width / sum(least) for w in least]
    header = [Paragraph(_esc(c.title), st["cellh"]) for c in t.columns]
    body: list[list[Any]] = []
    for row in t.rows:
        cells = []
        for col, value in zip(t.columns, row, strict=True):
            cell_style = st["cellr"] if col.kind in ("int", "percent") else st["cell"]
            cells.append(Paragraph(_esc(fmt.text(value, col.kind)), cell_style))
        body.append(cells)
    if not t.rows:
        body.append([Paragraph(_esc(t.empty_text), st["cell"])] + [""] * (len(t.columns) - 1))
    data = [header, *body]
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E1F2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F7F7F7")))
    if not t.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    if t.has_totals:
        totals = t.totals()
        row = [Paragraph(_esc(t.totals_label), st["cellb"])]
        for col, value in zip(t.columns[1:], totals[1:], strict=True):
            text = fmt.text(value, col.kind) if value is not None else ""
            row.append(Paragraph(f"<b>{_esc(text)}</b>", st["cellr"]))
        data.append(row)
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#EDEDED")))
    rl = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    rl.setStyle(TableStyle(style))
    out: list[Any] = (
        [KeepTogether([Paragraph(_esc(t.title), st["h"]), rl])]
        if len(data) <= 12
        else [Paragraph(_esc(t.title), st["h"]), rl]
    )
    if t.note:
        out.append(Spacer(1, 2))
        out.append(Paragraph(_esc(t.note), st["note"]))
    return out


def _signature_cell(sig: Signature, st: dict[str, ParagraphStyle]) -> list[Any]:
    name = f"<u><b>{_esc(sig.name)}</b></u>" if sig.name else "(" + "." * 36 + ")"
    return [
        Paragraph(_esc(sig.caption or "") or "&nbsp;", st["sig"]),
        Paragraph(_esc(sig.role), st["sig"]),
        Spacer(1, 1.7 * cm),
        Paragraph(name, st["sig"]),
        Paragraph(_esc(sig.position or "") or "&nbsp;", st["sig"]),
    ]


def _signatures(r: Report, st: dict[str, ParagraphStyle], width: float) -> list[Any]:
    per_row = 2 if len(r.signatures) in (2, 4) else min(3, len(r.signatures))
    out: list[Any] = []
    if r.issued_on:
        issued = tanggal(r.issued_on, LANG.get())
        when = f"{r.place}, {issued}" if r.place else issued
        date_style = ParagraphStyle("d", parent=st["sig"], alignment=TA_CENTER)
        spacer_w = width * (per_row - 1) / per_row
        dt = RLTable(
            [["", Paragraph(_esc(when), date_style)]], colWidths=[spacer_w, width / per_row]
        )
        dt.setStyle(
            TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        out.append(dt)
    rows: list[list[Any]] = []
    for k in range(0, len(r.signatures), per_row):
        chunk: list[Any] = [_signature_cell(s, st) for s in r.signatures[k : k + per_row]]
        chunk += [""] * (per_row - len(chunk))
        rows.append(chunk)
    t = RLTable(rows, colWidths=[width / per_row] * per_row)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    out.append(t)
    return out


def _numbered_canvas(footer: str, page_width: float):  # type: ignore[no-untyped-def]
    class NumberedCanvas(canvas.Canvas):
        """Defers each page so the footer can say how many pages there are in all."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Otherwise every page names Helvetica, a font that is not embedded.
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.grey)
                self.drawString(MARGIN, 1.1 * cm, footer[:110])
                self.drawRightString(
                    page_width - MARGIN,
                    1.1 * cm,
                    fmt.say(Msg("Halaman {page} dari {total}", page=self._pageNumber, total=total)),
                )
                super().showPage()
            super().save()

    return NumberedCanvas
