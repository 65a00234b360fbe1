"""Who must hold an e-KTP (wajib KTP), and the exact arithmetic of coverage against a target.

A resident is wajib KTP when alive and registered here (status HIDUP) and either aged 17 or
over, or married / ever married (UU 23/2006 as amended by UU 24/2013, art. 63(1)).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Final

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

WAJIB_KTP_AGE: Final = 17

MARITAL_STATUSES: Final = frozenset({"BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"})
EVER_MARRIED: Final = frozenset({"KAWIN", "CERAI HIDUP", "CERAI MATI"})
RESIDENT_STATUSES: Final = frozenset({"HIDUP", "MENINGGAL", "PINDAH"})
# The registry's values (SIAK writes them in capitals) as a page shows them.
MARITAL_STATUS_LABEL_ID: Final = {
    "BELUM KAWIN": "belum kawin",
    "KAWIN": "kawin",
    "CERAI HIDUP": "cerai hidup",
    "CERAI MATI": "cerai mati",
}
RESIDENT_STATUS_LABEL_ID: Final = {"HIDUP": "hidup", "MENINGGAL": "meninggal", "PINDAH": "pindah"}

# (label, lowest age, highest age or None for open-ended). Married residents under 17 are
# wajib KTP too and get their own band so they are not silently folded into 17-19.
UNDER_AGE_BAND: Final = "<17"
AGE_BANDS: Final[tuple[tuple[str, int, int | None], ...]] = (
    ("17-19", 17, 19),
    ("20-29", 20, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60+", 60, None),
)


def _anniversary(birth_date: date, year: int) -> date:
    """The birthday in ``year``.

    Someone born on 29 February reaches the next year of age on 1 March in a non-leap year:
    the civil-registration practice is to count the day after 28 February, never 28 February
    itself, so nobody becomes wajib KTP a day early.
    """
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a non-leap year
        return date(year, 2, 28) + timedelta(days=1)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on ``on`` (the birthday itself counts as reached)."""
    if on < birth_date:
        raise DomainError(
            "birth_date_after_reference",
            "tanggal_lahir",
            Msg(
                "Tanggal lahir {birth_date:%d-%m-%Y} sesudah tanggal acuan {on:%d-%m-%Y}",
                birth_date=birth_date,
                on=on,
            ),
        )
    years = on.year - birth_date.year
    if on < _anniversary(birth_date, on.year):
        years -= 1
    return years


def seventeenth_birthday(birth_date: date) -> date:
    """First day on which ``age_on`` returns 17."""
    return _anniversary(birth_date, birth_date.year + WAJIB_KTP_AGE)


def is_wajib_ktp(*, birth_date: date, marital_status: str, status: str, on: date) -> bool:
    """Whether the resident must hold an e-KTP on ``on``.

    ``marital_status`` is the register's current value; the register does not date
    marriages, so for a past ``on`` the caller accepts that a later marriage counts.
    Someone not yet born on ``on`` is simply not wajib KTP (useful for historical counts).
    """
    if marital_status not in MARITAL_STATUSES:
        raise DomainError(
            "unknown_marital_status",
            "status_perkawinan",
            Msg(
                "Status perkawinan tidak dikenal: {marital_status!r} (pilih BELUM KAWIN, KAWIN, CERAI HIDUP atau CERAI MATI)",
                marital_status=marital_status,
            ),
        )
    if status not in RESIDENT_STATUSES:
        raise DomainError(
            "unknown_resident_status",
            "status",
            Msg(
                "Status penduduk tidak dikenal: {status!r} (pilih HIDUP, MENINGGAL atau PINDAH)",
                status=status,
            ),
        )
    if status != "HIDUP" or on < birth_date:
        return False
    return marital_status in EVER_MARRIED or age_on(birth_date, on) >= WAJIB_KTP_AGE


def age_band(age: int) -> str:
    """Reporting band for an age: '17-19' ... '60+', or '<17' for married minors."""
    if age < 0:
        raise DomainError("age_invalid", "umur", Msg("Umur tidak boleh negatif ({age})", age=age))
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return UNDER_AGE_BAND


# --- coverage arithmetic -------------------------------------------------------------------
# Targets like 99.2% are decimal numbers; binary floats cannot hold them, and
# ceil(0.952 * 125) comes out as 120 instead of 119. Everything here is exact: Decimal in,
# Fraction in the middle, rounding only in round_pct at display time.

# Enough digits that a non-terminating ratio can never land on a rounding boundary.
_PCT_CONTEXT: Final = Context(prec=50)


def _check_count(value: int, field: str) -> None:
    if value < 0:
        raise DomainError(
            "count_negative", field, Msg("Jumlah tidak boleh negatif ({value})", value=value)
        )


def _exact_pct(target_pct: Decimal) -> Fraction:
    if isinstance(target_pct, float):
        # A float has already lost the decimal value the office meant; refuse it loudly.
        raise TypeError("target_pct harus Decimal, bukan float")
    pct = Fraction(Decimal(target_pct))
    if not 0 <= pct <= 100:
        raise DomainError(
            "target_pct_range",
            "target_pct",
            Msg("Target harus antara 0 dan 100 persen ({pct})", pct=pct),
        )
    return pct


def gap_to_target(wajib: int, recorded: int, target_pct: Decimal) -> int:
    """How many more residents must be recorded to reach ``target_pct`` of ``wajib``.

    The target head-count is rounded up: 99.2% of 93 001 is 92 256.992 people, and 92 256
    recorded residents would still be below the target.
    """
    _check_count(wajib, "wajib")
    _check_count(recorded, "recorded")
    needed = math.ceil(_exact_pct(target_pct) * wajib / 100)
    return max(0, needed - recorded)


def coverage_pct(recorded: int, wajib: int) -> Decimal | None:
    """recorded / wajib × 100, unrounded; None when nobody is wajib KTP (no meaningful ratio).

    May exceed 100: residents recorded here and since moved away still count centrally.
    """
    _check_count(wajib, "wajib")
    _check_count(recorded, "recorded")
    if wajib == 0:
        return None
    return _PCT_CONTEXT.divide(_PCT_CONTEXT.multiply(recorded, 100), Decimal(wajib))


def round_pct(value: Decimal, places: int = 1) -> Decimal:
    """Half-up rounding for display (95.25 → 95.3), done once, never on intermediate values."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
