"""Lists as files: one header row, then data rows streamed to .xlsx or .csv, for exports that
are data to work through rather than documents to sign (the unrecorded residents for
door-to-door recording). Memory stays flat however long the list is.

A file is written next to its destination and renamed into place only when complete, so a
failed run leaves no half list behind. Every text goes through cells.py: a name that begins
with '=' is a name, not a formula, in both formats.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from blangko.adapters.reports.cells import assign, csv_row

SUFFIXES = (".xlsx", ".csv")


def write_rows(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "data",
    text_columns: Collection[int] = (),
) -> int:
    """Write `rows` under `header` to `path` (.xlsx or .csv, by its suffix); returns the
    number of data rows. Dates are written as dates (ISO text in CSV); the columns in
    `text_columns` stay text in the workbook (a NIK as a number would read 1.70401E+15)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"cannot write {path.name}: not one of {', '.join(SUFFIXES)}")
    partial = path.with_name(f".{path.name}.part")
    try:
        if suffix == ".xlsx":
            n = _write_xlsx(partial, header, rows, sheet, text_columns)
        else:
            n = _write_csv(partial, header, rows)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return n


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    # utf-8-sig so Excel opens names with diacritics correctly.
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(csv_row(header))
        for row in rows:
            out.writerow(csv_row(v.isoformat() if isinstance(v, date) else v for v in row))
            n += 1
    return n


def _write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str,
    text_columns: Collection[int],
) -> int:
    # openpyxl takes 0.3 s to import and only this export and the report files need it:
    # imported here, not by every CLI command and web worker that imports this module.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)  # rows go straight to disk: memory stays flat
    ws = wb.create_sheet(sheet)
    ws.append([assign(WriteOnlyCell(ws), h) for h in header])
    n = 0
    for row in rows:
        cells: list[Any] = []
        for i, value in enumerate(row):
            cell = assign(WriteOnlyCell(ws), value)
            if i in text_columns:
                cell.number_format = "@"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        ws.append(cells)
        n += 1
    wb.save(path)
    return n
