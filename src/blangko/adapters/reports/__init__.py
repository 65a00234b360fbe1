"""Report writers: one report model (model.py) rendered to XLSX (xlsx.py) and PDF (pdf.py).

The services build a `Report` from the ledger; these modules only lay it out, so a new
report is a new builder in services/reports/ and nothing here changes. tabular.py writes
plain lists (a header and rows) to .xlsx or .csv.
"""

from __future__ import annotations

from blangko.adapters.reports.lang import LANG, translated
from blangko.adapters.reports.model import Chart, Column, Report, Series, Signature, Table

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render_bytes(report: Report, fmt: str, lang: str = "id") -> bytes:
    """The report as an .xlsx or .pdf file's bytes, in `lang` (id, the default, or en)."""
    token = LANG.set(lang)
    try:
        return _render(translated(report, lang), fmt)
    finally:
        LANG.reset(token)


def _render(report: Report, fmt: str) -> bytes:
    # The writers are imported here, not at the top: they load openpyxl (0.3 s) and reportlab
    # (its charts included), which every CLI command and web worker would otherwise pay for
    # at start-up (they import the services that import this package) to write no file.
    if fmt == "xlsx":
        from blangko.adapters.reports.xlsx import render_xlsx

        return render_xlsx(report)
    if fmt == "pdf":
        from blangko.adapters.reports.pdf import render_pdf

        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}")


__all__ = ["MIMETYPES", "Chart", "Column", "Report", "Series", "Signature", "Table", "render_bytes"]
