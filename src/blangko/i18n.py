"""The user's language for every surface: the pages, the API, the CLI and the reports.

Bahasa Indonesia is the default and the source: message ids are the Indonesian texts.
English comes from the gettext catalog src/blangko/locale/en/LC_MESSAGES/messages.po,
compiled in memory with Babel on first use, so the committed .po file is the single source
and no build step is needed.

What is translated: a plain text marked where it is written (``_("...")`` in a template,
``N_("...")`` in Python, a label table's values), and a `Msg` (domain/text.py): its template
is looked up and its parameters put back in; a parameter that is a `Msg`, a number or date
from blangko.formatting, or a label under a label's name (LABEL_PARAMS) is translated too. Numbers and dates are formatted
by `blangko.formatting` with the same language code. tests/unit/test_catalog.py checks that
every marked text has its English translation.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from blangko.domain.errors import DomainError
from blangko.domain.text import STORED_NOTES, Formatted, Msg
from blangko.formatting import rewrite

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
# The CLI's language when no --lang is given (the pages keep theirs in the session).
ENV_VAR = "BLANGKO_LANG"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang` (a NullTranslations for Indonesian, the source language)."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def check_language(lang: str | None, what: str = "Bahasa") -> str:
    """'id' or 'en' (trimmed, any case); the default for None or blank; else the error that
    names both choices ("Bahasa 'fr' tidak dikenal: pilih id, en.")."""
    value = (lang or "").strip().lower() or DEFAULT_LANGUAGE
    if value not in LANGUAGES:
        raise DomainError(
            "unknown_language",
            "lang",
            Msg(
                "{what} '{value}' tidak dikenal: pilih {options}.",
                what=what,
                value=lang,
                options=", ".join(LANGUAGES),
            ),
        )
    return value


def language_from_env() -> str:
    """The language BLANGKO_LANG names (the default when it is unset); a bad value is refused
    with a message that names the variable."""
    return check_language(os.environ.get(ENV_VAR), ENV_VAR)


def translate(text: Any, lang: str) -> str:
    """`text` in `lang`: a `Msg` through its template, a plain text through the catalog; a
    text the catalog does not know is returned as it is (a name, a number, a code)."""
    if text is None:
        return ""
    if lang not in LANGUAGES or lang == DEFAULT_LANGUAGE:
        return str(text)
    catalog = translations(lang)
    if isinstance(text, Formatted):
        return rewrite(text, lang)
    if isinstance(text, Msg):
        template = catalog.gettext(text.template) if text.template else text.template
        if not text.params:
            return template
        params = {k: _param(k, v, lang) for k, v in text.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
            return str(text)
    if isinstance(text, str):
        # A text with its values written in (a holiday's reason) matches a stored template.
        return translate_stored(text, lang)
    return str(text)


# The parameters that hold a label (a field's, a code's) rather than what a user typed: by
# name, as the messages pass them (what=, label=, type_label_id=, kind_label_id= ...).
LABEL_PARAMS = frozenset({"what", "label", "word", "desk", "weekdays"})


def _param(name: str, value: Any, lang: str) -> Any:
    """A message's parameter in `lang`: a Msg or a number or date blangko.formatting wrote,
    always; a plain text only when the parameter holds a label (LABEL_PARAMS, or a name
    with 'label' in it), so that a location called 'gudang' stays 'gudang'."""
    if isinstance(value, Msg | Formatted):
        return translate(value, lang)
    if isinstance(value, str) and (name in LABEL_PARAMS or "label" in name):
        return translate(value, lang)
    return value


def gettext_for(lang: str) -> Callable[[Any], str]:
    """The `_` of one language: translate(text, lang) with the language bound."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def _(text: Any) -> str:
        return translate(text, lang)

    return _


_PLACEHOLDER = re.compile(r"\{(\w+)(?:[!:][^}]*)?\}")


@cache
def _stored_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for template in STORED_NOTES:
        parts = _PLACEHOLDER.split(template)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((template, re.compile(f"^{rx}$", re.DOTALL)))
    return tuple(out)


def translate_stored(text: str | None, lang: str) -> str:
    """A note stored in Indonesian (a history step's, a ledger entry's) in `lang`: each part
    ('; ' joins them) that is a marked text or matches one of domain.text.STORED_NOTES is
    translated with its values kept; anything else (what a clerk typed) is shown as stored."""
    if not text:
        return ""
    if lang not in LANGUAGES or lang == DEFAULT_LANGUAGE:
        return text
    # A marked text that itself holds "; " (a sentence) is found whole first.
    whole = _marked(text, lang)
    if whole is not None:
        return whole
    return "; ".join(_stored_part(part, lang) for part in text.split("; "))


def _marked(text: str, lang: str) -> str | None:
    """`text` from the catalog, or a label capitalised as a table cell starts ('Rusak (...)'
    for the marked 'rusak (...)') with its translation capitalised; None when not marked."""
    if not text.strip():  # gettext("") is the catalog's header
        return None
    catalog = translations(lang)
    said = catalog.gettext(text)
    if said != text:
        return said
    lowered = text[:1].lower() + text[1:]
    if lowered != text:
        said = catalog.gettext(lowered)
        if said != lowered:
            return said[:1].upper() + said[1:]
    return None


def _stored_part(part: str, lang: str) -> str:
    said = _marked(part, lang)
    if said is not None:
        return said
    if not part.strip():
        return part
    catalog = translations(lang)
    for template, rx in _stored_patterns():
        found = rx.match(part)
        if found:
            try:
                return catalog.gettext(template).format(**found.groupdict())
            except (KeyError, IndexError, ValueError):
                return part
    return part
