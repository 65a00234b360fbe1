"""PDF tables that read on paper (issue 18, point 5): a column header wraps between words,
never inside one ("Dikembali kan", "Penyesuai an" before); numbers, dates and serials are
never split; a table whose columns cannot fit A4 portrait so sets the whole report in
landscape. The reports are built here from the report model, so no database is needed; the
text is read back from the PDF as a reader's tools see it (pypdf).

Before the change the usage report's daily table gave each of its eight columns a share of
the page by weight alone: 52 points for "Dikembalikan" (60 points in bold 8 pt).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from blangko.adapters.reports import Column, Report, Table, render_bytes
from blangko.adapters.reports.pdf import (
    CELL_PAD,
    CELL_SIZE,
    FONT_BOLD,
    MARGIN,
    WIDTH,
    column_widths,
    min_widths,
)

A4_PORTRAIT = (595.3, 841.9)


def daily_table(days: int = 30) -> Table:
    """The usage report's "Mutasi harian", as services/reports/usage.py declares it."""
    first = date(2026, 11, 1)
    return Table(
        "Mutasi harian",
        [
            Column("Tanggal", "date", weight=2),
            Column("Diterima", "int", total=True),
            Column("Dipakai", "int", total=True),
            Column("Rusak", "int", total=True),
            Column("Hilang", "int", total=True),
            Column("Dikembalikan", "int", total=True),
            Column("Penyesuaian", "int", total=True),
            Column("Stok akhir hari", "int", weight=1.2),
        ],
        [[first + timedelta(i), 0, 7, 0, 0, 0, -2, 4633 - 7 * i] for i in range(days)],
    )


def wide_table() -> Table:
    """Nine columns of serials and numbers: not whole in the 482 points of portrait."""
    return Table(
        "Seri per lokasi",
        [Column("Nomor seri awal", "serial"), Column("Nomor seri akhir", "serial")]
        + [Column(f"Pengembalian {i}", "int", total=True) for i in range(1, 8)],
        [["KR0100001-KR0100050", "KR0100051-KR0100100", *range(1_000_000, 1_000_007)]],
    )


def report(*tables: Table) -> Report:
    return Report(
        name="uji",
        title="LAPORAN UJI",
        office_name="Dinas Dukcapil Kabupaten Kaur",
        filename_stem="uji",
        tables=list(tables),
    )


def pdf_text(data: bytes) -> tuple[list[str], tuple[float, float]]:
    pdf = PdfReader(io.BytesIO(data))
    box = pdf.pages[0].mediabox
    words = [w for page in pdf.pages for w in page.extract_text().split()]
    return words, (float(box.width), float(box.height))


def test_every_header_word_fits_its_column() -> None:
    t = daily_table()
    widths = column_widths(t, WIDTH)
    assert widths is not None and abs(sum(widths) - WIDTH) < 0.01
    for col, width in zip(t.columns, widths, strict=True):
        for word in col.title.split():
            need = pdfmetrics.stringWidth(word, FONT_BOLD, CELL_SIZE) + 2 * CELL_PAD
            assert need <= width, (col.title, word, need, width)
    # Wider than before for the long words, the room taken from the date column (weight 2).
    weights = sum(c.weight for c in t.columns)
    assert widths[5] > WIDTH / weights and widths[0] < WIDTH * 2 / weights


def test_the_daily_table_keeps_its_headers_whole_on_a_portrait_page() -> None:
    words, size = pdf_text(render_bytes(report(daily_table()), "pdf"))
    assert (round(size[0], 1), round(size[1], 1)) == A4_PORTRAIT
    for header in ("Dikembalikan", "Penyesuaian", "Diterima", "Dipakai"):
        assert header in words, header
    assert not {"Dikembali", "Penyesuai", "kan", "an"} & set(words)
    assert {"4.633", "-2", "-60"} <= set(words)  # numbers whole, Indonesian style


def test_a_table_too_wide_for_portrait_turns_the_report_to_landscape() -> None:
    t = wide_table()
    assert column_widths(t, WIDTH) is None
    assert sum(min_widths(t)) <= A4_PORTRAIT[1] - 2 * MARGIN  # whole in landscape
    words, (w, h) = pdf_text(render_bytes(report(daily_table(), t), "pdf"))
    assert w > h  # landscape, every page
    for i in range(1, 8):
        assert f"Pengembalian {i}" in " ".join(words)
    assert "KR0100001-KR0100050" in words and "1.000.006" in words


def test_a_portrait_report_stays_portrait() -> None:
    _, (w, h) = pdf_text(render_bytes(report(daily_table(3)), "pdf"))
    assert w < h
