"""Numbers, percents, dates and months as people read and write them, for every surface.

The CLI, the pages and the reports all format through these functions, so that a figure
reads the same wherever it is shown ("5.200", "95,2 %", "2 Juni 2021"). Bahasa Indonesia is
the default; pass `lang="en"` for English. Parsing accepts what clerks type: ISO dates and
the Indonesian day-month-year order.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from blangko.domain.errors import DomainError
from blangko.domain.limits import DATE_MAX, DATE_MIN, check_date
from blangko.domain.text import Formatted, Msg

DEFAULT_LANG = "id"
PERCENT_PATTERN = "#,##0.0 %"
EMPTY = "-"


_NONZERO_DIGIT = re.compile(r"[1-9]")


def _no_signed_zero(text: str) -> str:
    """'-0', '-0,0 %' -> '0', '0,0 %': a value that shows as zero has no sign, whether it was
    -0.0 or a small negative number that rounding made zero."""
    if text[:1] in ("-", "\u2212") and not _NONZERO_DIGIT.search(text):
        return text[1:]
    return text


# The thousands separator of a whole number, per language whose Babel pattern is #,##0.###.
_INT_GROUP = {"id": ".", "en": ","}


def num(n: int | float | Decimal | None, lang: str = DEFAULT_LANG) -> str:
    """5200 -> '5.200' (id), '5,200' (en). Never '-0' (-0.0, -0.0001)."""
    if n is None:
        return EMPTY
    group = _INT_GROUP.get(lang)
    if type(n) is int and group is not None:
        # Babel's own output for a whole number in these languages (tests/unit/
        # test_formatting.py compares them), at a tenth of the cost: a page of 514 offices
        # writes thousands of numbers.
        return Formatted(f"{n:,}".replace(",", group), n, "num")
    return Formatted(_no_signed_zero(format_decimal(n, locale=lang)), n, "num")


def pct(x: float | Decimal | None, lang: str = DEFAULT_LANG) -> str:
    """A fraction as a percent with one decimal: 0.952 -> '95,2 %' (id). Never '-0,0 %'."""
    if x is None:
        return EMPTY
    return Formatted(
        _no_signed_zero(format_percent(x, format=PERCENT_PATTERN, locale=lang)), x, "pct"
    )


def signed(n: int | float, lang: str = DEFAULT_LANG) -> str:
    """A variance or a movement with its sign: +700, -3, 0 (a zero has none)."""
    text = num(n, lang)
    if text.startswith(("-", "\u2212")) or not _NONZERO_DIGIT.search(text):
        return text
    return "+" + text


def _format_day(d: date | str | None, pattern: str, lang: str) -> str:
    """A date (an ISO string is read first) in Babel's ``pattern``; EMPTY for none."""
    if d is None or d == "":
        return EMPTY
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return Formatted(_babel_day(d, pattern, lang), d, "day", pattern)


@lru_cache(maxsize=8192)
def _babel_day(d: date, pattern: str, lang: str) -> str:
    # Babel parses the pattern and builds the locale's formatter on every call (15 us); a
    # page of the print backlog writes 400 dates, an export of it hundreds of thousands,
    # most of them the same few hundred days.
    return format_date(d, format=pattern, locale=lang)


def tanggal(d: date | str | None, lang: str = DEFAULT_LANG) -> str:
    """date(2021, 6, 2) -> '2 Juni 2021' (id); an ISO string is read first."""
    return _format_day(d, "long", lang)


def short_date(d: date | str | None, lang: str = DEFAULT_LANG) -> str:
    """date(2026, 10, 5) -> '05-10-2026': a date in a table of a narrow terminal."""
    return _format_day(d, "dd-MM-yyyy", lang)


def month_name(month: str, lang: str = DEFAULT_LANG, *, short: bool = False) -> str:
    """'2026-12' -> 'Desember 2026', or 'Des' when short (a column of a narrow table)."""
    year, mon = (int(p) for p in month.split("-")[:2])
    return _format_day(date(year, mon, 1), "MMM" if short else "MMMM yyyy", lang)


def waktu(moment: datetime | str | None, lang: str = DEFAULT_LANG, tz: str = "Asia/Jakarta") -> str:
    """A stored naive-UTC time in the office's zone: '27 Nov 2026 10.00' (id)."""
    if moment is None or moment == "":
        return EMPTY
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.rstrip("Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(moment, format="medium", tzinfo=ZoneInfo(tz), locale=lang)


def rewrite(text: Formatted, lang: str) -> str:
    """A number or a date this module wrote, written again in `lang` (blangko.i18n)."""
    if text.how == "num":
        return num(text.value, lang)
    if text.how == "pct":
        return pct(text.value, lang)
    if text.how == "day":
        return _format_day(text.value, text.pattern, lang)
    return str(text)


def form_date(value: date | str | None) -> str:
    """A date field's value as the app writes dates: an ISO date (or a date) as dd-mm-yyyy,
    what a clerk typed (even if wrong) as typed, nothing as ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    try:
        return f"{date.fromisoformat(value.strip()):%d-%m-%Y}"
    except ValueError:
        return value


_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_date(text: str | None, field: str = "date") -> date | None:
    """YYYY-MM-DD or DD-MM-YYYY; None or blank stays None (the service then uses today).
    A date outside DATE_MIN..DATE_MAX (domain/limits.py) is refused."""
    if text is None or not text.strip():
        return None
    s = text.strip()
    try:
        m = _DMY.match(s)
        if m:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        else:
            day = date.fromisoformat(s)
    except ValueError as exc:
        raise DomainError(
            "date_format",
            field,
            Msg(
                "Tanggal '{text}' tidak sah: tulis hh-bb-tttt (mis. 05-10-2026) atau YYYY-MM-DD.",
                text=text,
            ),
        ) from exc
    return check_date(day, field)


_MY = re.compile(r"^(\d{1,2})-(\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_bounds(month: str, field: str = "month") -> tuple[date, date]:
    """'2026-11' or '11-2026' -> (2026-11-01, 2026-11-30); a month outside DATE_MIN..DATE_MAX
    is refused."""
    s = month.strip()
    try:
        if m := _MY.match(s):
            year, mon = int(m.group(2)), int(m.group(1))
        elif m := _YM.match(s):
            year, mon = int(m.group(1)), int(m.group(2))
        else:
            raise ValueError(s)
        first = date(year, mon, 1)
    except ValueError as exc:
        raise DomainError(
            "month_format",
            field,
            Msg(
                "Bulan '{month}' tidak sah: tulis bb-tttt (mis. 10-2026) atau YYYY-MM.", month=month
            ),
        ) from exc
    if not DATE_MIN <= first <= DATE_MAX:
        raise DomainError(
            "date_out_of_range",
            field,
            Msg(
                "Bulan {nilai} di luar rentang yang diterima: {date_min:%Y-%m} sampai {date_max:%Y-%m}.",
                nilai=month.strip(),
                date_min=DATE_MIN,
                date_max=DATE_MAX,
            ),
        )
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def parse_month(text: str, field: str = "month") -> str:
    """A month field (mm-yyyy, or YYYY-MM) as the services take it, YYYY-MM; refused with
    the field named when it is neither or out of range."""
    first, _ = month_bounds(text, field)
    return f"{first:%Y-%m}"


def form_month(value: str | None) -> str:
    """A month field's value as the app writes months: YYYY-MM as mm-yyyy, what a clerk typed
    (even if wrong) as typed."""
    if not value:
        return ""
    m = _YM.match(value.strip())
    return f"{int(m.group(2)):02d}-{m.group(1)}" if m else value


def blank_to_none(value: str | None) -> str | None:
    """A form field left empty means 'not given'."""
    if value is None:
        return None
    value = value.strip()
    return value or None
