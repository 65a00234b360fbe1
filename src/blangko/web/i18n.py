"""Translations and locale formatting for the pages.

Message ids are the Indonesian texts (Bahasa Indonesia is the default); English comes from
the gettext catalog locale/en/LC_MESSAGES/messages.po, compiled with Babel when the app
starts, so the committed .po file is the single source and no build step is needed.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def gettext_for(lang: str):  # type: ignore[no-untyped-def]
    return translations(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).gettext


def num(n: int | float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """5200 -> '5.200' in id, '5,200' in en."""
    if n is None:
        return "-"
    return format_decimal(n, locale=lang)


def pct(x: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """0.952 -> '95,2 %' in id."""
    if x is None:
        return "-"
    return format_percent(x, format="#,##0.0 %", locale=lang)


def tanggal(d: date | str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """date(2021, 6, 2) -> '2 Juni 2021' in id."""
    if d is None or d == "":
        return "-"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return format_date(d, format="long", locale=lang)


def waktu(dt: datetime | str | None, lang: str = DEFAULT_LANGUAGE, tz: str = "Asia/Jakarta") -> str:
    """A stored naive-UTC time shown in the office's zone: '27 Nov 2026 10.00'."""
    if dt is None or dt == "":
        return "-"
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt.rstrip("Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(dt, format="medium", tzinfo=ZoneInfo(tz), locale=lang)
