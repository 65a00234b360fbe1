"""Official reports (usage, count record, handover, destruction) on SQLite and PostgreSQL.

The files are read back the way a user's tools would: the XLSX with openpyxl and,
recalculated, by headless LibreOffice (skipped with the reason where `soffice` is missing,
except when CI=true, where that fails: CI must open the files in a real spreadsheet), the
PDF through its extracted text. The clock is fixed at 2026-11-27: October is over, November
is running.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from service_helpers import add_resident
from typer.testing import CliRunner

from blangko.adapters.reports import render_bytes
from blangko.adapters.reports.fmt import terbilang, text
from blangko.adapters.reports.model import Report
from blangko.adapters.repos import ledger as ledger_repo
from blangko.cli.main import app
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.ledger import conservation_holds
from blangko.domain.serials import from_serials
from blangko.services import reports
from blangko.services.context import Context, location_id
from blangko.services.stock import counts, writes
from blangko.services.stock import queries as q

SEP_30, OCT_31, NOV_30 = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# The story ---------------------------------------------------------------------------------


def build_story(ctx: Context) -> dict[str, Any]:
    """October: opening 100, received 200, used 15, spoiled 2, lost 1, returned 11 -> 271.
    November: received 1.000, used 3, spoiled 1, a count finds one missing and one unknown
    card (adjusted -1 +1) -> 1.267."""
    writes.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    oct_receipt = writes.receive_shipment(
        ctx,
        serials="KR0100001-KR0100200",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/2026/01",
        effective=date(2026, 10, 15),
    )
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=50, effective=date(2026, 10, 16)
    )
    writes.consume(ctx, service="pemula", qty=10, location="loket-1", effective=date(2026, 10, 20))
    writes.consume(ctx, service="hilang", qty=5, location="loket-1", effective=date(2026, 10, 21))
    writes.spoil(ctx, serial="KR0001020", reason="salah_cetak", effective=date(2026, 10, 22))
    writes.spoil(ctx, serial="KR0001021", reason="rusak_fisik", effective=date(2026, 10, 23))
    writes.lose(
        ctx,
        serials="KR0001090",
        reason="dicuri",
        document="LP/123/X/2026",
        effective=date(2026, 10, 25),
    )
    returned = writes.return_blanks(
        ctx,
        serials="KR0100190-KR0100200",
        to="Dinas Dukcapil Kabupaten Seluma",
        document="BA-PINJAM/2026/07",
        effective=date(2026, 10, 28),
    )
    writes.receive_shipment(
        ctx,
        serials="KR0200001-KR0201000",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/2026/02",
        effective=date(2026, 11, 2),
    )
    writes.consume(ctx, service="pemula", qty=3, location="loket-1", effective=date(2026, 11, 5))
    writes.spoil(ctx, serial="KR0001030", reason="gagal_encode", effective=date(2026, 11, 6))
    # Count the store: every card on the books except KR0001095, plus an unknown KR0900001.
    with ctx.read() as conn:
        gudang = location_id(conn, "17.04", "gudang")
        book = ledger_repo.available_ranges(conn, "17.04", gudang)
    scanned = {s for r in book for s in r.serials()} - {"KR0001095"} | {"KR0900001"}
    count = counts.record_count(ctx, location="gudang", scanned=from_serials(scanned))
    counts.post_count(ctx, count_id=count["count_id"], reason="selisih ditemukan saat opname")
    return {
        "oct_receipt_seq": oct_receipt["entries"][0]["seq"],
        "return_seq": returned["entries"][0]["seq"],
        "count_id": count["count_id"],
    }


@pytest.fixture
def story(ctx: Context, office: str) -> dict[str, Any]:
    return build_story(ctx)


# Reading files back ----------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Whitespace normalised: a sentence may wrap anywhere on the page.
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


_SUM = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")


def check_xlsx(content: bytes, report: Report) -> dict[str, list[tuple[str, int]]]:
    """Every table sheet: frozen below its header, totals as SUM formulas whose sum over the
    stored cells equals the model's stated total, numbers stored as numbers, dates as dates.
    Returns, per sheet, the formulas found with the computed sums."""
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[0] == "Ringkasan"
    assert len(wb.sheetnames) == 1 + len(report.tables)
    found: dict[str, list[tuple[str, int]]] = {}
    for ws, table in zip(wb.worksheets[1:], report.tables, strict=True):
        assert ws.freeze_panes == "A5", ws.title
        assert [c.value for c in ws[4][: len(table.columns)]] == [c.title for c in table.columns]
        for i, row in enumerate(table.rows):
            for j, (col, want) in enumerate(zip(table.columns, row, strict=True)):
                cell = ws.cell(row=5 + i, column=j + 1)
                if col.kind == "int":
                    assert isinstance(cell.value, int) and cell.value == want, cell.coordinate
                    assert "#,##0" in cell.number_format
                elif col.kind == "date":
                    assert isinstance(cell.value, datetime) and cell.value.date() == want
                    assert cell.number_format.startswith("[$-421]d mmmm yyyy")
        stated = table.totals()
        formulas = []
        for j, col in enumerate(table.columns):
            if not col.total:
                continue
            total_row = 5 + max(len(table.rows), 1)
            value = ws.cell(row=total_row, column=j + 1).value
            m = _SUM.match(str(value))
            assert m, (ws.title, value)
            first, last = int(m.group(2)), int(m.group(4))
            computed = sum(
                ws.cell(row=r, column=j + 1).value or 0
                for r in range(first, last + 1)
                if not isinstance(ws.cell(row=r, column=j + 1).value, str)
            )
            assert computed == stated[j], (ws.title, col.title, computed, stated[j])
            formulas.append((value, computed))
        for j, col in enumerate(table.columns):
            if col.ratio is None:
                continue
            total_row = 5 + max(len(table.rows), 1)
            value = ws.cell(row=total_row, column=j + 1).value
            top, bottom = (chr(ord("A") + k) for k in col.ratio)
            assert value == f"=IF({bottom}{total_row}=0,0,{top}{total_row}/{bottom}{total_row})"
            top_v, bottom_v = (table.totals()[k] for k in col.ratio)
            assert stated[j] == (top_v / bottom_v if bottom_v else 0)
        # Column widths fit the widest displayed value (numbers and dates as shown).
        for j, col in enumerate(table.columns):
            width = ws.column_dimensions[chr(ord("A") + j)].width
            if col.kind in ("int", "date"):
                longest = max([len(text(r[j], col.kind)) for r in table.rows] or [0])
                assert width >= longest + 1, (ws.title, col.title, width, longest)
        found[ws.title] = formulas
    return found


# Usage report ----------------------------------------------------------------------------------


def test_usage_reconciles_with_balance_at_both_month_ends(ctx: Context, story) -> None:
    for month, start, end, figures in (
        (
            "2026-10",
            SEP_30,
            OCT_31,
            {
                "opening": 100,
                "received": 200,
                "consumed": 15,
                "spoiled": 2,
                "lost": 1,
                "returned": 11,
                "shipped": 0,
                "adjusted": 0,
            },
        ),
        (
            "2026-11",
            OCT_31,
            NOV_30,
            {
                "opening": 0,
                "received": 1000,
                "consumed": 3,
                "spoiled": 1,
                "lost": 0,
                "returned": 0,
                "shipped": 0,
                "adjusted": 0,
            },
        ),
    ):
        r = reports.usage.build(ctx, month=month)
        before = q.balance(ctx, as_of=start)["on_hand"]
        after = q.balance(ctx, as_of=min(end, ctx.today()))["on_hand"]
        assert r.data["opening"] == before
        assert r.data["closing"] == after
        assert r.data["moved"] == figures
        m = figures
        assert (
            before
            + m["opening"]
            + m["received"]
            - m["consumed"]
            - m["spoiled"]
            - m["lost"]
            - m["returned"]
            + m["adjusted"]
            == after
        )
        recap, received, service, reason, other, locations, daily = r.tables
        assert recap.totals()[1] == after  # the recap's signed column sums to the closing
        assert locations.totals()[1] == after
        assert received.totals()[4] == m["opening"] + m["received"]
        assert service.totals()[1] == m["consumed"]
        assert reason.totals()[1] == m["spoiled"]
        assert other.totals()[3] == -m["lost"] - m["returned"] + m["adjusted"]
        assert daily.totals()[2] == m["consumed"]
        # The daily running stock starts from the opening and ends where the balance is today.
        last_day = daily.rows[-1]
        assert last_day[0] == min(end, ctx.today())
        assert last_day[-1] == q.balance(ctx, as_of=last_day[0])["on_hand"]
    oct_report = reports.usage.build(ctx, month="2026-10")
    assert oct_report.data["by_service"] == {"pemula": 10, "hilang": 5}
    assert oct_report.data["by_reason"] == {"salah_cetak": 1, "rusak_fisik": 1}
    assert len(oct_report.tables[-1].rows) == 31
    nov = reports.usage.build(ctx, month="2026-11")
    # Count adjustments appear as -1 (missing) and +1 (found) on 27 November.
    other_rows = nov.tables[4].rows
    assert sorted(row[3] for row in other_rows) == [-1, 1]
    assert all(row[0] == date(2026, 11, 27) for row in other_rows)
    assert nov.data["closing"] == 1267
    assert len(nov.tables[-1].rows) == 27  # up to today, not into the future


@pytest.mark.parametrize("at_read", [1, 2], ids=["before-opening", "before-closing"])
def test_a_card_printed_while_the_usage_report_is_built(
    ctx: Context, story, monkeypatch: pytest.MonkeyPatch, at_read: int
) -> None:
    """A card printed while the usage report reads the ledger (just before the report's first
    or second balance query, that is, before or after it reads the month's entries) neither
    breaks the report nor gets half into it: the report is the ledger as one snapshot,
    reconciled end to end, and the next report shows the print.

    Before the report read once, this raised "usage report: consumed 3 != balance
    difference" on both backends; reading in one transaction without bounding the reads by
    the ledger head still raised it on PostgreSQL (READ COMMITTED) when printed before the
    second query."""
    on_hand = q.balance(ctx)["on_hand"]
    real = ledger_repo.quantity_by_kind
    calls: list[int] = []
    printed: list[dict[str, Any]] = []

    def print_then_read(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == at_read:  # another clerk prints a card, in its own transaction
            printed.append(writes.consume(ctx, service="pemula", qty=1, location="loket-1"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_repo, "quantity_by_kind", print_then_read)
    r = reports.usage.build(ctx, month="2026-11")
    monkeypatch.undo()
    assert printed and printed[0]["entries"][0]["quantity"] == 1
    # The report is the ledger as it stood when the report began to read: before the print.
    m = r.data["moved"]
    assert m["consumed"] == 3
    assert r.data["closing"] == on_hand
    assert conservation_holds(m, r.data["closing"] - r.data["opening"])
    recap, _received, service, _reason, _other, locations, daily = r.tables
    assert recap.totals()[1] == locations.totals()[1] == daily.rows[-1][-1] == r.data["closing"]
    assert service.totals()[1] == daily.totals()[2] == m["consumed"]
    assert r.data["ledger_seq"] == printed[0]["entries"][0]["seq"] - 1
    # The next report sees the print.
    again = reports.usage.build(ctx, month="2026-11")
    assert again.data["moved"]["consumed"] == 4
    assert again.data["closing"] == on_hand - 1 == q.balance(ctx)["on_hand"]


def test_usage_xlsx_has_real_numbers_dates_and_sum_formulas(ctx: Context, story) -> None:
    r = reports.usage.build(ctx, month="2026-10")
    content = render_bytes(r, "xlsx")
    formulas = check_xlsx(content, r)
    assert formulas["Rekapitulasi"] == [("=SUM(B5:B12)", 271)]
    assert formulas["Harian"][1] == ("=SUM(C5:C35)", 15)
    wb = load_workbook(io.BytesIO(content))
    cover = {row[0].value: row[1].value for row in wb["Ringkasan"].iter_rows() if row[0].value}
    assert cover["Saldo awal (keping)"] == 0
    assert cover["Saldo akhir (keping)"] == 271
    assert cover["Dipakai (keping)"] == 15
    assert wb["Ringkasan"]["A1"].value == "PEMERINTAH KABUPATEN KAUR"


def test_usage_pdf_text_in_indonesian_format(ctx: Context, story) -> None:
    r = reports.usage.build(ctx, month="2026-11", address="Jl. Merdeka No. 1, Bintuhan")
    content = render_bytes(r, "pdf")
    text = pdf_text(content)
    n = pdf_pages(content)
    assert "LAPORAN PENGGUNAAN BLANGKO KTP-EL" in text
    assert "Jl. Merdeka No. 1, Bintuhan" in text
    assert "Bulan November 2026" in text
    assert "1 November 2026 s.d. 30 November 2026" in text
    assert "1.267" in text and "1.000" in text  # closing and received, with '.' grouping
    assert "2 November 2026" in text  # a date in the daily table, long Indonesian form
    assert "saldo akhir 1.267" in text
    # November is still running: the closing is today's, not a date still to come.
    assert "Saldo akhir per 27 November 2026 1.267" in text
    assert "27 November 2026 (bulan berjalan)" in text
    assert "30 November 2026 (" not in text
    assert f"Halaman {n} dari {n}" in text and "Halaman 1 dari" in text
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    # Every font on every page is an embedded TrueType (DejaVu Sans, or reportlab's Vera where
    # the system has no DejaVu: reports/fonts.py), none a bare base-14.
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
            assert "DejaVuSans" in str(font["/BaseFont"]) or "VeraSans" in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
    # The chart is drawn in vectors on the first page (no image), its texts extractable.
    assert len(reader.pages[0].images) == 0
    first = reader.pages[0].extract_text()
    assert "Pemakaian harian dan stok akhir hari, November 2026" in first
    assert "dipakai (keping)" in first and "stok (keping)" in first


def test_usage_refuses_a_month_not_started(ctx: Context, story) -> None:
    with pytest.raises(DomainError) as exc:
        reports.usage.build(ctx, month="2026-12")
    assert exc.value.code == "month_in_future"
    with pytest.raises(DomainError) as exc:
        reports.usage.build(ctx, month="2026-13")
    assert exc.value.code == "month_format"


# Count record, handover ------------------------------------------------------------------------


def test_count_record(ctx: Context, story) -> None:
    r = reports.count_record.build(ctx, count_id=story["count_id"])
    # The store held 1.238 (opening 100 + 200 + 1.000 received - 50 moved to loket-1 - 1 lost
    # - 11 returned); one card not found, one unknown card found.
    assert r.data == {
        "count_id": story["count_id"],
        "book": 1238,
        "counted": 1238,
        "variance": 0,
        "missing": 1,
        "unexpected": 1,
    }
    assert r.data["counted"] - r.data["book"] == r.data["variance"]
    missing, unexpected, posted = r.tables
    assert missing.rows == [["KR0001095", "KR0001095", 1]]
    assert unexpected.rows == [["KR0900001", "KR0900001", 1]]
    assert [row[2] for row in posted.rows] == [
        "Penyesuaian (tidak ditemukan)",
        "Penyesuaian (ditemukan)",
    ]
    check_xlsx(render_bytes(r, "xlsx"), r)
    text = pdf_text(render_bytes(r, "pdf"))
    assert "BERITA ACARA STOCK OPNAME" in text
    assert "KR0001095" in text and "KR0900001" in text
    assert "27 November 2026" in text and "Jumat" in text
    assert "selisih ditemukan saat opname" in text
    with pytest.raises(NotFound):
        reports.count_record.build(ctx, count_id=999)


def test_book_figure_of_the_count_matches_the_balance(ctx: Context, story) -> None:
    r = reports.count_record.build(ctx, count_id=story["count_id"])
    # The count was taken before posting, so its book is the store's balance minus the
    # posted adjustments (one missing, one found: net zero).
    assert r.data["book"] == q.balance(ctx, location="gudang")["location_on_hand"]


def test_receipt_handover(ctx: Context, story) -> None:
    r = reports.receipt.build(ctx, seq=story["oct_receipt_seq"])
    assert r.tables[0].rows == [["KR0100001", "KR0100200", 200]]
    assert r.tables[0].totals()[2] == 200
    check_xlsx(render_bytes(r, "xlsx"), r)
    text = pdf_text(render_bytes(r, "pdf"))
    for piece in (
        "BERITA ACARA SERAH TERIMA",
        "BAST/2026/01",
        "Ditjen Dukcapil Kemendagri",
        "200 (dua ratus) keping",
        "15 Oktober 2026",
        "KR0100001",
        "KR0100200",
        "Pihak Kedua, yang menerima",
    ):
        assert piece in text, piece
    # A return is handed over the other way.
    back = reports.receipt.build(ctx, seq=story["return_seq"])
    assert dict(back.facts)["Pihak Pertama (yang menyerahkan)"] == "Dinas Dukcapil Kabupaten Kaur"
    assert dict(back.facts)["Pihak Kedua (yang menerima)"] == "Dinas Dukcapil Kabupaten Seluma"
    assert back.tables[0].totals()[2] == 11
    with pytest.raises(DomainError) as exc:
        reports.receipt.build(ctx, seq=story["oct_receipt_seq"] + 1)  # the transfer
    assert exc.value.code == "not_a_handover"
    with pytest.raises(NotFound):
        reports.receipt.build(ctx, seq=9999)


# Destruction ---------------------------------------------------------------------------------


def test_destruction_before_and_after_destroy(ctx: Context, story) -> None:
    before = reports.destruction.build(ctx, month="2026-10")
    assert before.data == {"month": "2026-10", "spoiled": 2, "destroyed": 0, "pending": 2}
    rows = before.tables[1].rows
    assert [(row[1], row[3], row[6]) for row in rows] == [
        ("KR0001020", "Salah cetak", "rusak, belum dimusnahkan"),
        ("KR0001021", "Rusak fisik", "rusak, belum dimusnahkan"),
    ]
    bal_before = q.balance(ctx)
    writes.destroy_spoiled(
        ctx,
        month="2026-10",
        destroyed_on=date(2026, 11, 20),
        witnesses=["Budi Santoso", "Siti Aminah"],
        document="BA-MUSNAH/2026/10",
    )
    assert q.balance(ctx) == bal_before  # destroyed cards were already counted as spoiled
    after = reports.destruction.build(ctx, month="2026-10")
    assert after.data == {"month": "2026-10", "spoiled": 2, "destroyed": 2, "pending": 0}
    assert all(row[6] == "dimusnahkan" for row in after.tables[1].rows)
    check_xlsx(render_bytes(after, "xlsx"), after)
    text = pdf_text(render_bytes(after, "pdf"))
    for piece in (
        "BERITA ACARA PEMUSNAHAN",
        "KR0001020",
        "KR0001021",
        "Salah cetak",
        "20 November 2026",
        "BA-MUSNAH/2026/10",
        "Budi Santoso",
        "Siti Aminah",
        "2 (dua) keping",
    ):
        assert piece in text, piece
    # November's spoiled card is not part of October's destruction.
    assert q.trace(ctx, serial="KR0001030")["state"] == "spoiled"
    assert reports.destruction.build(ctx, month="2026-11").data["pending"] == 1
    # The usage report still reconciles after destruction.
    assert reports.usage.build(ctx, month="2026-11").data["closing"] == 1267


# Rendering entry point and CLI -------------------------------------------------------------


def test_render_for_downloads(ctx: Context, story) -> None:
    content, filename, mimetype = reports.render(ctx, "usage", {"month": "2026-10"}, "xlsx")
    assert filename == "laporan-penggunaan-2026-10.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert content[:2] == b"PK"
    content, filename, mimetype = reports.render(
        ctx, "receipt", {"seq": story["oct_receipt_seq"]}, "pdf"
    )
    assert (filename, mimetype) == (
        f"berita-acara-serah-terima-{story['oct_receipt_seq']}.pdf",
        "application/pdf",
    )
    assert content.startswith(b"%PDF")
    with pytest.raises(NotFound):
        reports.render(ctx, "nope", {}, "pdf")
    with pytest.raises(DomainError) as exc:
        reports.render(ctx, "usage", {"month": "2026-10"}, "docx")
    assert exc.value.field == "format"
    with pytest.raises(DomainError) as exc:
        reports.render(ctx, "usage", {}, "pdf")
    assert exc.value.field == "month"


def test_cli_writes_the_files(ctx: Context, story, db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "u.pdf"
    res = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "report",
            "usage",
            "--month",
            "2026-10",
            "--format",
            "pdf",
            "--output",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "271" in pdf_text(out.read_bytes())
    res = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "report",
            "destruction",
            "--month",
            "2026-10",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "berita-acara-pemusnahan-2026-10.xlsx").is_file()
    res = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "stock",
            "destroy",
            "--month",
            "2026-10",
            "--date",
            "2026-11-20",
            "--document",
            "BA/1",
            "--witness",
            "A",
            "--witness",
            "B",
        ],
    )
    assert res.exit_code == 0, res.output
    assert q.trace(ctx, serial="KR0001020")["state"] == "destroyed"


def test_cli_refuses_an_output_name_of_the_other_format(story, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`--output x.pdf` with the command's default format (xlsx) wrote a workbook under a .pdf
    name; now it is refused, naming the option to add, and nothing is written."""
    out = tmp_path / "daftar.pdf"
    res = CliRunner().invoke(app, ["--db", db_url, "report", "backlog", "--output", str(out)])
    assert res.exit_code != 0 and res.exception.code == "output_format_mismatch"
    assert res.exception.field == "output"
    assert "daftar.pdf" in str(res.exception) and "--format pdf" in str(res.exception)
    assert not out.exists()
    res = CliRunner().invoke(
        app, ["--db", db_url, "report", "backlog", "--format", "pdf", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF")


# LibreOffice -----------------------------------------------------------------------------------


def _need_soffice() -> str:
    if SOFFICE is not None:
        return SOFFICE
    reason = "LibreOffice (soffice) not installed (apt-get install libreoffice-calc-nogui)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def test_libreoffice_opens_and_recalculates_the_xlsx(ctx: Context, story, tmp_path: Path) -> None:
    soffice = _need_soffice()
    r = reports.usage.build(ctx, month="2026-10")
    src = tmp_path / "in" / "usage.xlsx"
    src.parent.mkdir()
    src.write_bytes(render_bytes(r, "xlsx"))
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    converted = out / "usage.xlsx"
    assert converted.is_file(), proc.stdout + proc.stderr
    wb = load_workbook(converted, data_only=True)  # the values LibreOffice computed
    for ws, table in zip(wb.worksheets[1:], r.tables, strict=True):
        total_row = 5 + max(len(table.rows), 1)
        for j, stated in enumerate(table.totals()):
            if stated is not None:
                assert ws.cell(row=total_row, column=j + 1).value == stated, (ws.title, j)
    assert wb["Rekapitulasi"]["B13"].value == 271


def test_terbilang() -> None:
    assert terbilang(5200) == "lima ribu dua ratus"
    assert terbilang(1000) == "seribu"
    assert terbilang(111) == "seratus sebelas"
    assert terbilang(2_000_015) == "dua juta lima belas"
    assert terbilang(19) == "sembilan belas"


# Coverage recap ------------------------------------------------------------------------------


def test_coverage_recap(ctx: Context, office: str) -> None:
    # Kinal: ten adults, eight recorded; one 10-year-old who is not wajib KTP yet.
    for i in range(1, 11):
        add_resident(ctx, serial=i, recorded=date(2025, 1, 2) if i <= 8 else None)
    add_resident(ctx, serial=11, birth=date(2016, 3, 1))
    r = reports.coverage_recap.build(ctx, address="Jl. Merdeka No. 1")
    kec, desa, sex, band, ikd_kec, ikd_desa = r.tables
    kinal = next(row for row in kec.rows if row[0] == "17.04.01")
    # IKD: nobody activated; 30 % of 10 wajib KTP is 3 to go, in Kinal and in the regency.
    assert next(row for row in ikd_kec.rows if row[0] == "17.04.01")[2:] == [10, 0, 0.0, 3]
    assert ikd_kec.totals()[2:4] == [10, 0] and len(ikd_kec.rows) == 15
    assert ikd_desa.totals()[2:4] == [10, 0]
    assert r.data["ikd"]["to_target"] == 3 and r.data["ikd_ratio"]["met"] is None
    assert kinal[2:] == [10, 8, 2, 0.8, 2]  # 99,2 % of 10 is 9,92 -> 10 needed, 8 recorded
    assert kec.totals()[2:5] == [10, 8, 2] and kec.totals()[5] == 0.8
    assert desa.totals()[3:6] == [10, 8, 2]
    assert sex.totals()[1:4] == [10, 8, 2]
    assert band.totals()[1:4] == [10, 8, 2]
    assert len(kec.rows) == 15  # every kecamatan of Kaur, also those without residents
    check_xlsx(render_bytes(r, "xlsx"), r)
    text = pdf_text(render_bytes(r, "pdf"))
    for piece in ("REKAPITULASI CAKUPAN", "Kinal", "80,0 %", "99,2 %", "27 November 2026"):
        assert piece in text, piece
    content, filename, _ = reports.render(ctx, "coverage", {"as_of": date(2024, 12, 31)}, "pdf")
    assert filename == "rekap-cakupan-2024-12-31.pdf"
    # On 31 December 2024 nobody had been recorded yet.
    assert "0,0 %" in pdf_text(content)
