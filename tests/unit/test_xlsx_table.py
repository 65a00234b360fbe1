"""A report table sheet in the XLSX writer (adapters/reports/xlsx.py), read back cell by cell.

Pins what styling the cells in bulk and measuring the columns once could break: each cell's
value, number format, border, alignment and wrap, the header and totals rows, and the column
widths. The expected widths are what the writer gave before (branch `xlsxfast`), when it
formatted every cell of a column as text to measure it.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from blangko.adapters.reports import Column, Report, Table, fmt, render_bytes

LONG = (
    "Permohonan berjalan sejak lama; penduduk pindah datang dari kabupaten lain, berkas "
    "belum lengkap"
)
KINDS = ("int", "serial", "text", "date", "int", "int", "percent", "text")


def mixed() -> Table:
    return Table(
        "Campuran",
        [
            Column("No.", "int"),
            Column("NIK", "serial"),
            Column("Nama lengkap sesuai kartu keluarga"),
            Column("Tanggal rekam", "date"),
            Column("Dipakai", "int", total=True),
            Column("Wajib KTP", "int", total=True),
            Column("Cakupan", "percent", ratio=(4, 5)),
            Column("Keterangan"),
        ],
        [
            [1, "1601010101900001", "Budi", date(2026, 9, 2), 5, 10, 0.5, LONG],
            [2, "1601010101900002", "=1+1", date(2026, 11, 30), 1234567, 2000000, 0.617, ""],
            [3, "16010101019000**", "Siti Aminah binti Abdullah", None, 0, 3, 0.0, "pendek"],
            [4, "1601", None, date(2026, 5, 1), -7, 0, 1.0, None],
        ],
        sheet="Campuran",
        note="Catatan di bawah tabel.",
    )


def empty() -> Table:
    return Table(
        "Kosong",
        [Column("Kode", "serial"), Column("Jumlah", "int", total=True)],
        [],
        empty_text="Tidak ada penduduk yang menunggu cetak.",
    )


def sheets(lang: str = "id") -> tuple[Worksheet, Worksheet]:
    report = Report(
        name="uji",
        title="UJI",
        office_name="Kantor Uji",
        filename_stem="uji",
        tables=[mixed(), empty()],
    )
    wb = load_workbook(io.BytesIO(render_bytes(report, "xlsx", lang)))
    assert wb.sheetnames == ["Ringkasan", "Campuran", "Kosong"]
    return wb["Campuran"], wb["Kosong"]


def widths(ws: Worksheet, n: int) -> list[float | None]:
    return [ws.column_dimensions[chr(ord("A") + j)].width for j in range(n)]


def boxed(cell: Any) -> bool:
    b = cell.border
    return all(
        s is not None and s.style == "thin" and s.color.rgb == "00808080"
        for s in (b.left, b.right, b.top, b.bottom)
    )


def expected_format(value: Any, kind: str, lang: str) -> str:
    if value is None or isinstance(value, str):
        return "General"
    if isinstance(value, date):
        return fmt.XLSX_DATE_BY_LANG[lang]
    return fmt.XLSX_PERCENT if kind == "percent" else fmt.XLSX_INT


@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_cell_keeps_its_value_format_border_and_wrap(lang: str) -> None:
    ws, _ = sheets(lang)
    table = mixed()
    for i, row in enumerate(table.rows):
        for j, (value, kind) in enumerate(zip(row, KINDS, strict=True)):
            cell = ws.cell(row=5 + i, column=1 + j)
            got = cell.value.date() if isinstance(cell.value, datetime) else cell.value
            assert got == (None if value == "" else value), cell.coordinate  # "" is no value
            assert cell.number_format == expected_format(value, kind, lang), cell.coordinate
            assert boxed(cell), cell.coordinate
            assert not cell.font.bold and cell.fill.fill_type is None, cell.coordinate
            if kind in ("text", "serial"):
                assert cell.alignment.vertical == "top", cell.coordinate
                assert cell.alignment.wrap_text is (value == LONG or None), cell.coordinate
            else:
                assert cell.alignment.vertical is None and not cell.alignment.wrap_text
    assert ws["C6"].data_type == "s" and ws["C6"].quotePrefix  # "=1+1" stays a text


def test_header_totals_note_and_sheet_setup() -> None:
    ws, _ = sheets()
    assert [ws["A1"].value, ws["A3"].value] == ["Kantor Uji", "Campuran"]
    assert ws["A1"].font.bold and ws["A3"].font.bold and not ws["A2"].font.bold
    for j in range(1, 9):
        head = ws.cell(row=4, column=j)
        assert head.font.bold and head.fill.fgColor.rgb == "00D9E1F2" and boxed(head)
        assert (head.alignment.horizontal, head.alignment.vertical) == ("center", "center")
        assert head.alignment.wrap_text
        total = ws.cell(row=9, column=j)
        assert total.font.bold and total.fill.fgColor.rgb == "00F2F2F2" and boxed(total)
    assert ws["A9"].value == "Jumlah"
    assert [ws["E9"].value, ws["F9"].value, ws["G9"].value] == [
        "=SUM(E5:E8)",
        "=SUM(F5:F8)",
        "=IF(F9=0,0,E9/F9)",
    ]
    assert [ws["E9"].number_format, ws["G9"].number_format] == [fmt.XLSX_INT, fmt.XLSX_PERCENT]
    assert ws["A11"].value == "Catatan di bawah tabel."
    assert "A11:H11" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A11"].font.italic and ws["A11"].alignment.wrap_text
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:H8"
    assert ws.print_title_rows == "$4:$4"
    assert ws.row_dimensions[4].height == 30  # the name column's title on two lines
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_column_widths_as_measured_on_every_cell() -> None:
    ws, empty_ws = sheets()
    # From the writer that formatted every cell: "2 September 2026" is the longest date, the
    # long text is capped at 62, the percent column at the 8 minimum plus its totals cell.
    assert widths(ws, 8) == [8, 18, 28, 18, 12, 12, 9, 62]
    assert widths(empty_ws, 2) == [41, 8]  # the empty table's text sets the first column
    assert empty_ws["A5"].value == "Tidak ada penduduk yang menunggu cetak."


def test_english_dates_widen_their_column() -> None:
    ws, _ = sheets("en")
    # "September 2, 2026"; the translated titles "Required to hold an ID" and "Coverage".
    assert widths(ws, 8) == [8, 18, 28, 19, 12, 20, 10, 62]
