"""Texts a surface translates: an Indonesian template (the message id) and its parameters.

The domain and the services speak Indonesian, the default language. A message that a clerk
reads (an error, a history note, a forecast's reason, a report's title) is written as
``Msg("Stok {lokasi} tidak cukup.", lokasi=name)``: it *is* the Indonesian string
(``str(msg)``, ``==``, ``in`` all work as before) and it remembers its template and
parameters, so the web, the CLI and the reports render it in the user's language through the
catalog (blangko.i18n.translate; msgid = the template). A parameter that is itself a `Msg`
(a label such as ``Msg("Jenis permohonan")``), or a plain label under a name that says so
(``what=``, ``label=``, ``type_label_id=``: blangko.i18n.LABEL_PARAMS), is translated too; a
number or a date written by blangko.formatting is written again for the language; anything
else (a name, a code, what a clerk typed) is shown as given. tests/unit/test_catalog.py finds every ``Msg("...")`` and fails on one without an
English translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Msg(str):
    """An Indonesian message that remembers its template and parameters (see the module)."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template = template
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, dict(self.params)))

    # A message joined to another text stays translatable, each part in its own words.
    def __add__(self, other: str) -> Msg:  # type: ignore[override]
        return Msg("{a}{b}", a=self, b=other)

    def __radd__(self, other: str) -> Msg:
        return Msg("{a}{b}", a=other, b=self)


class Formatted(str):
    """A number or a date already written for a reader ('1.234', '2 Juni 2021') that keeps
    its value, so that a message or a report cell showing it can be re-written in another
    language (blangko.formatting makes these; blangko.i18n re-writes them)."""

    value: Any
    how: str  # the formatting function: num, pct, day
    pattern: str  # a day's Babel pattern ('long', 'MMMM yyyy'); '' otherwise

    def __new__(cls, text: str, value: Any, how: str, pattern: str = "") -> Formatted:
        self = super().__new__(cls, text)
        self.value = value
        self.how = how
        self.pattern = pattern
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Formatted, (str(self), self.value, self.how, self.pattern))


def _rebuild(template: str, params: dict[str, Any]) -> Msg:
    return Msg(template, **params)


# Notes the services store with a history step or a ledger entry (in Indonesian, the source
# language), with their values already written in: a page or the CLI shows a stored note in
# the user's language by matching it against these templates (blangko.i18n.translate_stored).
# A new note a service stores is added here and written with `Msg(template, ...)`.
STORED_NOTES: tuple[str, ...] = (
    "cetak KTP-el {receipt}",
    "salah cetak KTP-el {receipt}",
    "perekaman dilewati: sudah direkam {date}",
    "pemusnahan blangko rusak bulan {month}",
    # A closed day's reason (domain.calendar): the holiday's name is the office's own text.
    "Libur nasional: {name}",
    # A request closed by its last receipt (services/network/request_steps.on_receive).
    "otomatis: {value} keping yang disetujui sudah diterima",
)


def N_(text: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a plain Indonesian text (a label in a table) for the catalog; returns it as is."""
    return text
