"""How much one request may ask for and what a text may hold: every limit, defined once.

A request that asks for more than these is refused with a DomainError naming the field and
the limit, before any office's write lock is taken and before a serial range is expanded
(ranges are counted by arithmetic on their ends). docs/security.md, "Limits", lists them with
their reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from blangko.domain.errors import FIELD_LABEL_ID, DomainError
from blangko.domain.text import Msg

# Serials ------------------------------------------------------------------------------------
# One write (opening, receive, transfer, consume, lose, return): a shipment from the
# directorate is a few thousand blanks; 100.000 is a year of a large city.
MAX_SERIALS_PER_WRITE = 100_000
# One physical count (the serials scanned at a location, or the quantity counted there).
MAX_SERIALS_PER_COUNT = 100_000
# One range typed anywhere (a ledger filter, a trace): larger is a typing error.
MAX_RANGE = 10_000_000
# The text of one serials field: 100.000 serials one per line is about 1,1 million characters.
MAX_SERIALS_TEXT = 2_000_000

# Texts --------------------------------------------------------------------------------------
MAX_NAME = 200  # names, document numbers, sources, parties, codes: one line
MAX_NOTE = 1_000  # notes and reasons: free text, may span lines
# Input fields that may hold several lines (and tabs); every other text is one line.
MULTILINE_FIELDS = frozenset({"note", "reason", "serials", "scanned"})
FIELD_LIMITS: dict[str, int] = {
    "serials": MAX_SERIALS_TEXT,
    "scanned": MAX_SERIALS_TEXT,
    "note": MAX_NOTE,
    "reason": MAX_NOTE,
}

# Numbers and dates --------------------------------------------------------------------------
# Any whole number a write takes (an id, a quantity, a capacity) fits a 32-bit column.
MAX_NUMBER = 2_147_483_647
# No date before e-KTP's time (blangko holds nothing older) nor absurdly far ahead: every
# date arithmetic (cohorts, projections, horizons) then stays inside what dates can hold.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2099, 12, 31)

# Requests and imports -----------------------------------------------------------------------
# The body of one web request (a form, a JSON document); the largest legitimate one is a
# count of 100.000 scanned serials.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
# One registry export: the largest regency has about 5,5 million residents.
MAX_IMPORT_ROWS = 6_000_000
MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024
# One cell of a registry export (the longest real one, a name, is 200 characters).
MAX_IMPORT_FIELD = 1_000

# C0 controls, DEL and C1 controls. Tab, line feed and carriage return are text in a note.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_NOT_SPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def ribuan(n: int) -> str:
    """1234567 -> '1.234.567' (Indonesian thousands), for the messages below."""
    return f"{n:,}".replace(",", ".")


def control_character(text: str, *, multiline: bool = False) -> int | None:
    """The position of the first control character in `text` (tab and line breaks allowed
    when `multiline`), or None."""
    m = (_CONTROL_NOT_SPACE if multiline else _CONTROL).search(text)
    return m.start() if m else None


def check_text(
    value: str,
    field: str,
    *,
    limit: int = MAX_NAME,
    multiline: bool = False,
    label: str | None = None,
) -> str:
    """`value` if it holds no control character and at most `limit` characters; else
    DomainError naming the field. A one-line text is checked without its surrounding blanks
    (a pasted trailing tab or line break is trimmed by the use case anyway)."""
    what = label or FIELD_LABEL_ID.get(field) or f"Isian '{field}'"
    text = value if multiline else value.strip()
    if len(text) > limit:
        raise DomainError(
            "too_long",
            field,
            Msg(
                "{what} paling banyak {limit} karakter (diisi {text}).",
                what=what,
                limit=ribuan(limit),
                text=ribuan(len(text)),
            ),
        )
    at = control_character(text, multiline=multiline)
    if at is not None:
        raise DomainError(
            "control_character",
            field,
            Msg(
                "{what} berisi karakter kendali (U+{text:04X}) pada posisi {nilai}: hapus karakter itu (sering terbawa saat menyalin dari aplikasi lain).",
                what=what,
                text=ord(text[at]),
                nilai=at + 1,
            ),
        )
    return value


def check_serial_count(count: int, field: str, *, limit: int, per: str = "transaksi") -> int:
    """`count` serials are at most `limit`; else DomainError naming the field."""
    if count > limit:
        raise DomainError(
            "too_many_serials",
            field,
            Msg(
                "Paling banyak {limit} nomor seri per {per} (diminta {count}): bagi menjadi beberapa {per}.",
                limit=ribuan(limit),
                per=per,
                count=ribuan(count),
            ),
        )
    return count


def check_number(value: int, field: str, *, low: int = -MAX_NUMBER, high: int = MAX_NUMBER) -> int:
    if not low <= value <= high:
        raise DomainError(
            "number_out_of_range",
            field,
            Msg(
                "{nilai} harus {low} sampai {high} (diisi {value}).",
                nilai=FIELD_LABEL_ID.get(field, "Angka"),
                low=ribuan(low),
                high=ribuan(high),
                value=value,
            ),
        )
    return value


def check_date(value: date, field: str = "date") -> date:
    """`value` between DATE_MIN and DATE_MAX; else DomainError naming the field."""
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise DomainError(
            "date_out_of_range",
            field,
            Msg(
                "{nilai} {value:%d-%m-%Y} di luar rentang yang diterima: {date_min:%d-%m-%Y} sampai {date_max:%d-%m-%Y}.",
                nilai=FIELD_LABEL_ID.get(field, "Tanggal"),
                value=value,
                date_min=DATE_MIN,
                date_max=DATE_MAX,
            ),
        )
    return value


def check_inputs(params: Mapping[str, Any]) -> None:
    """Every value of a write's input (texts, numbers, dates, in lists and mappings too)
    within the limits above, each under its own field name: the one check every write runs
    before it takes the office's lock (services.context.write_once)."""
    for field, value in params.items():
        _check_value(value, field)


def _check_value(value: Any, field: str) -> None:
    if isinstance(value, str):
        check_text(
            value,
            field,
            limit=FIELD_LIMITS.get(field, MAX_NAME),
            multiline=field in MULTILINE_FIELDS,
        )
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        check_number(value, field)
    elif isinstance(value, date):
        check_date(value, field)
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            _check_value(key, field)
            _check_value(inner, str(key))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_value(item, field)


def printable(text: str) -> str:
    """`text` with every control character but tab and line breaks written as \\xNN: what an
    export, a chart or a document shows of a value stored before these checks existed."""
    return _CONTROL_NOT_SPACE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
