"""A report in the reader's language: the model's texts translated, the cells written for it.

The services build a `Report` in Indonesian, with its texts marked (``N_("Keping")``,
``Msg("Saldo akhir per {end}", end=tanggal(end))``); `translated(report, lang)` returns a
copy whose every text (title, facts, paragraphs, table and column titles, text cells, notes,
checks, signatures, chart labels) goes through the catalog (blangko.i18n.translate), and
numbers and dates written into texts are written again for that language. `LANG` is the
language the writers format typed cells in (fmt.text, the XLSX date format), set by
`render_bytes` for the one report it renders (a context variable: concurrent web requests
each keep their own).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from blangko.adapters.reports.model import Chart, Column, Report, Series, Signature, Table
from blangko.i18n import DEFAULT_LANGUAGE, translate

LANG: ContextVar[str] = ContextVar("report_lang", default=DEFAULT_LANGUAGE)


def _t(value: Any, lang: str) -> Any:
    """A text translated; any other cell (a number, a date, None) as it is."""
    if isinstance(value, str):
        return translate(value, lang)
    return value


def _table(t: Table, lang: str) -> Table:
    return replace(
        t,
        title=_t(t.title, lang),
        columns=[replace(c, title=_t(c.title, lang)) for c in t.columns],
        rows=[[_t(v, lang) for v in row] for row in t.rows],
        sheet=_t(t.sheet, lang),
        totals_label=_t(t.totals_label, lang),
        note=_t(t.note, lang),
        empty_text=_t(t.empty_text, lang),
    )


def _signature(s: Signature, lang: str) -> Signature:
    # The name is a person's; the position may be "NIP 1970..." (kept) or a title.
    return replace(
        s, role=_t(s.role, lang), position=_t(s.position, lang), caption=_t(s.caption, lang)
    )


def _chart(c: Chart, lang: str) -> Chart:
    return replace(
        c,
        title=_t(c.title, lang),
        series=[replace(s, label=_t(s.label, lang)) for s in c.series],
        y_label=_t(c.y_label, lang),
        y2_label=_t(c.y2_label, lang),
    )


def translated(report: Report, lang: str) -> Report:
    """`report` with every text in `lang` (the report itself for Indonesian)."""
    if lang == DEFAULT_LANGUAGE:
        return report
    return replace(
        report,
        title=_t(report.title, lang),
        subtitle=_t(report.subtitle, lang),
        facts=[(_t(k, lang), _t(v, lang)) for k, v in report.facts],
        paragraphs=[_t(p, lang) for p in report.paragraphs],
        tables=[_table(t, lang) for t in report.tables],
        chart=_chart(report.chart, lang) if report.chart else None,
        checks=[_t(c, lang) for c in report.checks],
        signatures=[_signature(s, lang) for s in report.signatures],
    )


__all__ = ["LANG", "Column", "Series", "translated"]
