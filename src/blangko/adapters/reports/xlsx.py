"""A report as an Excel workbook: a cover sheet with the letterhead, facts, statements and
signatures, then one sheet per table with a frozen header row and a SUM-formula totals row."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from blangko.adapters.reports import fmt
from blangko.adapters.reports.cells import assign
from blangko.adapters.reports.lang import LANG
from blangko.adapters.reports.model import Percent, Report, Table
from blangko.domain.text import N_, Msg
from blangko.formatting import tanggal

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
COVER_WIDTHS = (34, 30, 4, 34)  # label, value, gap, second signature column
HEADER_ROW = 4  # of each table sheet: office, title, table title, then the column headers


def render_xlsx(report: Report) -> bytes:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Ringkasan"
    _cover(cover, report)
    used = {"Ringkasan"}
    for i, table in enumerate(report.tables, start=1):
        name = _sheet_name(table.sheet or table.title, i, used)
        _table_sheet(wb.create_sheet(name), report, table)
    wb.properties.title = report.title
    wb.properties.creator = "blangko"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(wanted: str, i: int, used: set[str]) -> str:
    name = "".join(c for c in wanted if c not in "[]:*?/\\")[:31] or f"Tabel {i}"
    while name in used:
        name = f"{name[:28]} {i}"
    used.add(name)
    return name


def _cell(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """The cell at (row, col) holding `value`; a text is shown as text, never run as a
    formula (cells.assign). Our own totals formulas are assigned directly."""
    return assign(ws.cell(row=row, column=col), value)


def _put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "text"):  # type: ignore[no-untyped-def]
    cell = _cell(ws, row, col, value)
    number_format = _number_format(value, kind)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _number_format(value: Any, kind: str) -> str | None:
    """The number format of a cell holding `value` in a column of `kind`; None: General."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, date):
        return fmt.xlsx_date()
    if kind == "percent" or isinstance(value, Percent):
        return fmt.XLSX_PERCENT
    if isinstance(value, int | float):
        return fmt.XLSX_INT
    return None


class _Looks:
    """Cells that look alike share one prepared style. Each assignment of a font, border or
    alignment object hashes it to find its index in the workbook's style lists; done per cell
    that was half of a long table's rendering (the demo's backlog list: 1 s of 2). The first
    cell of each look is styled through openpyxl's API; the others get a copy of its style
    array (the indexes into those lists), as openpyxl's own worksheet copier does."""

    def __init__(self, make: Callable[[Any, Any], None]) -> None:
        self._make = make  # styles a cell for a key
        self._made: dict[Hashable, StyleArray] = {}

    def apply(self, cell: Any, key: Hashable) -> None:
        """Style `cell` for `key`; before its value is assigned, which may mark it quoted
        (cells.assign), a mark that is part of the same style array."""
        style = self._made.get(key)
        if style is None:
            self._make(cell, key)
            self._made[key] = StyleArray(cell._style)
        else:
            # A copy: an assignment to one cell's style (its quote mark) changes its array.
            cell._style = StyleArray(style)


def _merged_text(ws: Worksheet, row: int, text: str, width_chars: int, font=None) -> None:  # type: ignore[no-untyped-def]
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COVER_WIDTHS))
    cell = _cell(ws, row, 1, text)
    cell.alignment = WRAP
    if font is not None:
        cell.font = font
    lines = max(1, math.ceil(len(text) * 1.1 / width_chars))
    ws.row_dimensions[row].height = 15 * lines


def _texts(ws: Worksheet, row: int, texts: list[str], width_chars: int) -> int:
    """Each text on a merged row of its own from ``row``; returns the row after the last."""
    for text in texts:
        _merged_text(ws, row, text, width_chars)
        row += 1
    return row


def _cover(ws: Worksheet, r: Report) -> None:
    for i, w in enumerate(COVER_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    full = sum(COVER_WIDTHS)
    row = 1
    for i, line in enumerate(r.header_lines):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COVER_WIDTHS))
        c = _cell(ws, row, 1, line)
        c.alignment = Alignment(horizontal="center")
        c.font = Font(bold=i < len(r.header_lines) - 1, size=12 if i < 2 else 10)
        row += 1
    row += 1
    _merged_text(ws, row, r.title, full, TITLE)
    row += 1
    if r.subtitle:
        _merged_text(ws, row, r.subtitle, full, BOLD)
        row += 1
    row += 1
    for label, value in r.facts:
        _cell(ws, row, 1, label).font = BOLD
        c = _put(ws, row, 2, value)
        c.alignment = Alignment(horizontal="left")
        row += 1
    if r.facts:
        row += 1
    row = _texts(ws, row, r.paragraphs, full)
    if r.checks:
        row += 1
        _cell(ws, row, 1, fmt.say(N_("Pemeriksaan kecocokan"))).font = BOLD
        row = _texts(ws, row + 1, r.checks, full)
    if r.tables:
        row += 1
        names = ", ".join(t.title for t in r.tables)
        _merged_text(
            ws, row, fmt.say(Msg("Rincian pada lembar berikut: {names}.", names=names)), full
        )
        row += 1
    if r.signatures:
        row += 1
        if r.issued_on:
            issued = tanggal(r.issued_on, LANG.get())
            _cell(ws, row, 4, f"{r.place}, {issued}".lstrip(", "))
            row += 1
        for k in range(0, len(r.signatures), 2):
            pair = r.signatures[k : k + 2]
            for j, sig in enumerate(pair):
                col = 1 if j == 0 else 4
                lines = [sig.caption or "", sig.role, "", "", "", sig.name or "(" + "." * 40 + ")"]
                lines.append(sig.position or "")
                for off, text in enumerate(lines):
                    c = _cell(ws, row + off, col, text or None)
                    if off == 5 and sig.name:
                        c.font = Font(bold=True, underline="single")
            row += 8
    ws.sheet_view.showGridLines = False
    _print_setup(ws)


def _table_sheet(ws: Worksheet, r: Report, t: Table) -> None:
    ncol = len(t.columns)
    widths = _widths(t)
    _cell(ws, 1, 1, r.office_name).font = BOLD
    _cell(ws, 2, 1, r.title + (f" — {r.subtitle}" if r.subtitle else ""))
    _cell(ws, 3, 1, t.title).font = BOLD
    for j, col in enumerate(t.columns, start=1):
        c = _cell(ws, HEADER_ROW, j, col.title)
        c.font = BOLD
        c.fill = HEAD_FILL
        c.border = BOX
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    first = HEADER_ROW + 1
    rows = t.rows or [[t.empty_text] + [None] * (ncol - 1)]
    looks = _Looks(_data_look)
    for i, values in enumerate(rows, start=first):
        for j, (col, value) in enumerate(zip(t.columns, values, strict=True), start=1):
            c = ws.cell(row=i, column=j)
            # Texts and serials sit at the top of a row another cell wrapped; a long text wraps.
            wrap = (
                isinstance(value, str) and len(value) > 60
                if col.kind in ("text", "serial")
                else None
            )
            looks.apply(c, (_number_format(value, col.kind), wrap))
            assign(c, value)
    last = first + len(rows) - 1
    row = last + 1
    if t.has_totals:
        _cell(ws, row, 1, t.totals_label)
        for j, col in enumerate(t.columns, start=1):
            c = ws.cell(row=row, column=j)
            c.font = BOLD
            c.fill = TOTAL_FILL
            c.border = BOX
            if col.total:
                letter = get_column_letter(j)
                c.value = f"=SUM({letter}{first}:{letter}{last})"
                c.number_format = fmt.XLSX_PERCENT if col.kind == "percent" else fmt.XLSX_INT
            elif col.ratio is not None:
                top, bottom = (f"{get_column_letter(k + 1)}{row}" for k in col.ratio)
                c.value = f"=IF({bottom}=0,0,{top}/{bottom})"
                c.number_format = fmt.XLSX_PERCENT
        row += 1
    if t.note:
        # Wrapped inside the table's width: a long line spilling to the right would widen the
        # printed page and shrink the table when printing fitted to the page width.
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=ncol)
        note = _cell(ws, row + 1, 1, t.note)
        note.alignment = WRAP
        note.font = Font(italic=True, size=9, color="595959")
        ws.row_dimensions[row + 1].height = 13 * max(1, math.ceil(len(t.note) * 1.1 / sum(widths)))
    ws.freeze_panes = ws.cell(row=first, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncol)}{last}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[HEADER_ROW].height = 15 * max(
        1, *(math.ceil(len(c.title) / w) for c, w in zip(t.columns, widths, strict=True))
    )
    _print_setup(ws)


def _data_look(cell: Any, key: tuple[str | None, bool | None]) -> None:
    """A table cell's style: its number format, the box, and for a text or a serial
    (wrap not None) the top alignment."""
    number_format, wrap = key
    if number_format is not None:
        cell.number_format = number_format
    cell.border = BOX
    if wrap is not None:
        cell.alignment = Alignment(vertical="top", wrap_text=wrap)


def _widths(t: Table) -> list[int]:
    """Each column's width in characters: its longest cell as the PDF writes it (fmt.text),
    its title's longest word, within 8 to 62."""
    totals = t.totals() if t.has_totals else []
    out = []
    for j, col in enumerate(t.columns):
        longest_word = max(len(w) for w in col.title.split())
        values = [r[j] for r in t.rows]
        # Each distinct value formatted once: a long list's date columns hold a few hundred
        # days (formatting a date costs a babel call). Keyed by type too: True == 1 == 1.0
        # but they read "ya", "1" and "1,0".
        cells = [
            len(fmt.text(v, col.kind)) for _, v in set(zip(map(type, values), values, strict=True))
        ]
        if col.total or col.ratio:
            cells.append(len(fmt.text(totals[j] or 0, col.kind)) + 1)
        if j == 0:
            cells.append(len(t.totals_label) if t.has_totals else 0)
            cells.append(len(t.empty_text) if not t.rows else 0)
        want = max([longest_word, min(len(col.title), 18), *cells]) + 2
        out.append(max(8, min(want, 62)))
    return out


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = fmt.say(N_("Halaman &P dari &N"))
