"""The one neutraliser of every value we write into a spreadsheet or a CSV file: the report
workbooks (xlsx.py), the lists (tabular.py, .xlsx and .csv) and the import's rejects file.

A value typed by a person (a name, a document number, a note) is data. Written as it is, a
text beginning with ``=`` becomes a live formula in a workbook (openpyxl stores it as one),
and in a CSV file any text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel and LibreOffice when the file is opened
(=HYPERLINK(...) sending the reader somewhere, =cmd|... on old Excel). So:

- in a workbook such a text is stored as a text cell with the quote prefix (what Excel itself
  stores when a clerk types ``'=...``): it shows exactly as typed, is never evaluated, and
  stays text when the cell is edited;
- in a CSV file, which has no cell types, it gets a leading apostrophe (``'=...``), the
  usual neutralisation that both programs show as text;
- control characters (which openpyxl refuses, failing the whole file) are written as
  ``\\xNN`` (domain.limits.printable), in both.

Numbers, dates and booleans pass untouched: a negative number stays a number. Formulas we
write ourselves (the totals rows) are assigned directly, never through this module.
"""

from __future__ import annotations

from typing import Any

from blangko.domain.limits import printable

# What makes a spreadsheet program read a text as a formula (or, for tab and CR, hide one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """`value` as a CSV cell: a text safe to open in a spreadsheet; anything else as is."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if formula_like(text) else text


def csv_row(values: Any) -> list[Any]:
    return [csv_value(v) for v in values]


def assign(cell: Any, value: Any) -> Any:
    """Put `value` into an openpyxl cell (a worksheet's or a write-only one) so that a text is
    shown as text; returns the cell."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = printable(value)
    cell.value = text
    if formula_like(text):
        cell.data_type = "s"  # openpyxl typed a leading '=' as a formula
        cell.quotePrefix = True
    return cell
