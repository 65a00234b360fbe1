"""How report cells read: a typed value as the PDF prints it (through blangko.formatting,
the one formatting module), the XLSX number formats, and numbers in Indonesian words."""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.reports.lang import LANG
from blangko.adapters.reports.model import Percent
from blangko.domain.text import N_
from blangko.formatting import num, pct, tanggal
from blangko.i18n import translate

# Excel stores number formats in its own neutral notation ("," groups, "." decimals); the
# application shows them with the reader's locale separators, so "#,##0" reads 5.200 on an
# Indonesian system. The [$-421] prefix (LCID 0x421, Indonesian) makes month names Indonesian
# whatever the reader's locale is: "2 Juni 2021".
XLSX_INT = "#,##0;-#,##0"
XLSX_DATE = "[$-421]d mmmm yyyy;@"
# English: LCID 0x409 (en-US) month names, "June 2, 2021" as blangko.formatting writes it.
XLSX_DATE_BY_LANG = {"id": XLSX_DATE, "en": "[$-409]mmmm d, yyyy;@"}
XLSX_PERCENT = "0.0%"


def xlsx_date() -> str:
    """The XLSX date format of the report being written (its language, lang.LANG)."""
    return XLSX_DATE_BY_LANG.get(LANG.get(), XLSX_DATE)


def say(text: str) -> str:
    """A writer's own text (page footer, yes/no) in the report's language."""
    return translate(text, LANG.get())


def text(value: Any, kind: str = "text") -> str:
    """A cell or fact value as the PDF prints it."""
    if value is None:
        return ""
    lang = LANG.get()
    if isinstance(value, bool):
        return say(N_("ya") if value else N_("tidak"))
    if (kind == "percent" or isinstance(value, Percent)) and isinstance(value, int | float):
        return pct(value, lang)
    if isinstance(value, int | float):
        return num(value, lang)
    if isinstance(value, date):
        return tanggal(value, lang)
    return str(value)


_ONES = [
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]


def terbilang(n: int) -> str:
    """Cardinal number in Indonesian words, as written in official records: 5200 -> 'lima
    ribu dua ratus'."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n == 0:
        return "nol"
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        rest = n % 10
        return f"{_ONES[n // 10]} puluh" + (f" {_ONES[rest]}" if rest else "")
    if n < 200:
        return "seratus" + (f" {terbilang(n - 100)}" if n > 100 else "")
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} ratus" + (f" {terbilang(rest)}" if rest else "")
    if n < 2000:
        return "seribu" + (f" {terbilang(n - 1000)}" if n > 1000 else "")
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            rest = n % size
            return f"{terbilang(n // size)} {word}" + (f" {terbilang(rest)}" if rest else "")
    raise AssertionError(n)
