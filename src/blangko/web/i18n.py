"""Translations for the pages (numbers and dates are formatted by `blangko.formatting`).

Message ids are the Indonesian texts (Bahasa Indonesia is the default); English comes from
the gettext catalog locale/en/LC_MESSAGES/messages.po, compiled with Babel when the app
starts, so the committed .po file is the single source and no build step is needed.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
