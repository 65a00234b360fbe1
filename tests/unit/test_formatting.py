"""The one formatting module (issue 18, point 5): no "-0" on any surface, whatever way a zero
came negative (-0.0 from arithmetic, a small negative that rounding shows as 0); short dates
and month names for narrow tables."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from blangko.domain.errors import DomainError
from blangko.formatting import form_month, month_name, num, parse_month, pct, short_date, signed


@pytest.mark.parametrize(
    "zero", [0, 0.0, -0.0, -0.0001, -0.0004, Decimal("-0"), Decimal("-0.0000")]
)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_zero_has_no_sign(zero: float, lang: str) -> None:
    assert num(zero, lang) == "0"
    assert signed(zero, lang) == "0"
    assert signed(-1 * zero, lang) == "0"  # an outflow of nothing: "Hilang 0", not "-0"


@pytest.mark.parametrize("zero", [-0.0, -0.00001, -0.0004, Decimal("-0.0001")])
def test_a_zero_percent_has_no_sign(zero: float) -> None:
    assert pct(zero) == "0,0 %"
    assert pct(zero, "en") == "0.0 %"


def test_signs_that_mean_something_stay() -> None:
    assert num(-3) == "-3" and num(-0.4) == "-0,4" and num(5200) == "5.200"
    assert signed(700) == "+700" and signed(-3) == "-3" and signed(-1 * 493) == "-493"
    assert signed(1000, "en") == "+1,000"
    assert pct(-0.01) == "-1,0 %" and pct(0.952) == "95,2 %"


def test_short_dates_and_month_names() -> None:
    assert short_date(date(2026, 10, 5)) == "05-10-2026"
    assert short_date("2026-10-05T08:00:00") == "05-10-2026"
    assert short_date(None) == "-"
    assert month_name("2026-12") == "Desember 2026"
    assert month_name("2027-05", short=True) == "Mei"
    assert month_name("2027-08", "en", short=True) == "Aug"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_whole_numbers_fast_path_writes_what_babel_writes(lang: str) -> None:
    """num() writes a whole number without Babel (a page of 514 offices writes thousands):
    the text must be Babel's, digit for digit, negative numbers and big ones included."""
    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = [
        *range(-1200, 1200),
        10**6,
        -(10**9),
        10**15,
        *(rng.randint(-(10**13), 10**13) for _ in range(3000)),
    ]
    for n in values:
        assert num(n, lang) == format_decimal(n, locale=lang), n


@pytest.mark.parametrize("text", ["11-2026", "1-2026", "2026-11", "2026-1", " 11-2026 "])
def test_a_month_field_takes_mm_yyyy_and_iso(text: str) -> None:
    want = "2026-11" if "11" in text else "2026-01"
    assert parse_month(text) == want


@pytest.mark.parametrize("text", ["13-2026", "2026-13", "11/2026", "nov 2026", "2026", "0-2026"])
def test_a_month_field_refuses_nonsense_naming_the_field(text: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_month(text, "bulan")
    assert exc.value.field == "bulan" and exc.value.code == "month_format"
    assert "bb-tttt" in str(exc.value.message)


def test_a_month_field_shows_mm_yyyy_and_keeps_what_was_typed() -> None:
    assert form_month("2026-11") == "11-2026" and form_month("2026-1") == "01-2026"
    assert form_month("13-20x") == "13-20x" and form_month(None) == ""
