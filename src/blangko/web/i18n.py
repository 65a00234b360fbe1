"""The pages' language: blangko.i18n (the catalog every surface shares), named for the web."""

from __future__ import annotations

from blangko.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    gettext_for,
    translate,
    translate_stored,
    translations,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "gettext_for",
    "translate",
    "translate_stored",
    "translations",
]
