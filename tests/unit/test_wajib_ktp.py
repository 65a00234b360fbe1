from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blangko.domain.errors import DomainError
from blangko.domain.wajib_ktp import (
    AGE_BANDS,
    age_band,
    age_on,
    coverage_pct,
    gap_to_target,
    is_wajib_ktp,
    round_pct,
    seventeenth_birthday,
)


class TestAge:
    def test_day_before_birthday(self) -> None:
        assert age_on(date(2009, 3, 15), date(2026, 3, 14)) == 16

    def test_on_birthday(self) -> None:
        assert age_on(date(2009, 3, 15), date(2026, 3, 15)) == 17

    def test_day_of_birth_is_zero(self) -> None:
        assert age_on(date(2026, 3, 15), date(2026, 3, 15)) == 0

    def test_leapling_reaches_age_on_1_march_in_non_leap_year(self) -> None:
        born = date(2008, 2, 29)
        assert age_on(born, date(2025, 2, 28)) == 16
        assert age_on(born, date(2025, 3, 1)) == 17

    def test_leapling_reaches_age_on_29_february_in_leap_year(self) -> None:
        born = date(2008, 2, 29)
        assert age_on(born, date(2028, 2, 28)) == 19
        assert age_on(born, date(2028, 2, 29)) == 20

    def test_birth_after_reference_is_an_error(self) -> None:
        with pytest.raises(DomainError) as info:
            age_on(date(2026, 1, 2), date(2026, 1, 1))
        assert info.value.code == "birth_date_after_reference"
        assert info.value.field == "tanggal_lahir"


class TestSeventeenthBirthday:
    def test_ordinary(self) -> None:
        assert seventeenth_birthday(date(2009, 3, 15)) == date(2026, 3, 15)

    def test_leapling_in_non_leap_year_is_1_march(self) -> None:
        assert seventeenth_birthday(date(2008, 2, 29)) == date(2025, 3, 1)

    def test_leapling_17th_birthday_is_always_1_march(self) -> None:
        # 17 years after a leap year is never a leap year (17 mod 4 = 1), so every leapling
        # becomes wajib KTP on 1 March, and is still 16 on 28 February.
        born = date(1996, 2, 29)
        assert seventeenth_birthday(born) == date(2013, 3, 1)
        assert age_on(born, date(2013, 2, 28)) == 16


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2080, 12, 31)))
def test_seventeenth_birthday_is_the_first_day_aged_17(born: date) -> None:
    day = seventeenth_birthday(born)
    assert age_on(born, day) == 17
    assert age_on(born, day - timedelta(days=1)) == 16


class TestWajibKtp:
    born = date(2009, 3, 15)

    def wajib(self, on: date, marital: str = "BELUM KAWIN", status: str = "HIDUP") -> bool:
        return is_wajib_ktp(birth_date=self.born, marital_status=marital, status=status, on=on)

    def test_day_before_17th_birthday_is_not_wajib(self) -> None:
        assert self.wajib(date(2026, 3, 14)) is False

    def test_17th_birthday_is_wajib(self) -> None:
        assert self.wajib(date(2026, 3, 15)) is True

    @pytest.mark.parametrize("marital", ["KAWIN", "CERAI HIDUP", "CERAI MATI"])
    def test_married_at_16_is_wajib(self, marital: str) -> None:
        assert self.wajib(date(2025, 6, 1), marital=marital) is True

    def test_unmarried_at_16_is_not(self) -> None:
        assert self.wajib(date(2025, 6, 1)) is False

    @pytest.mark.parametrize("status", ["MENINGGAL", "PINDAH"])
    def test_deceased_or_moved_away_is_never_wajib(self, status: str) -> None:
        assert self.wajib(date(2060, 1, 1), marital="KAWIN", status=status) is False

    def test_not_yet_born_is_not_wajib(self) -> None:
        assert self.wajib(date(2000, 1, 1), marital="KAWIN") is False

    def test_leapling_becomes_wajib_on_1_march(self) -> None:
        kwargs = {"birth_date": date(2008, 2, 29), "marital_status": "BELUM KAWIN"}
        assert not is_wajib_ktp(**kwargs, status="HIDUP", on=date(2025, 2, 28))  # type: ignore[arg-type]
        assert is_wajib_ktp(**kwargs, status="HIDUP", on=date(2025, 3, 1))  # type: ignore[arg-type]

    def test_unknown_marital_status(self) -> None:
        with pytest.raises(DomainError) as info:
            self.wajib(date(2026, 6, 1), marital="kawin")
        assert (info.value.code, info.value.field) == (
            "unknown_marital_status",
            "status_perkawinan",
        )

    def test_unknown_resident_status(self) -> None:
        with pytest.raises(DomainError) as info:
            self.wajib(date(2026, 6, 1), status="HILANG")
        assert (info.value.code, info.value.field) == ("unknown_resident_status", "status")


class TestAgeBands:
    @pytest.mark.parametrize(
        ("age", "band"),
        [
            (16, "<17"),
            (0, "<17"),
            (17, "17-19"),
            (19, "17-19"),
            (20, "20-29"),
            (39, "30-39"),
            (49, "40-49"),
            (59, "50-59"),
            (60, "60+"),
            (104, "60+"),
        ],
    )
    def test_band(self, age: int, band: str) -> None:
        assert age_band(age) == band

    def test_bands_are_contiguous_from_17(self) -> None:
        assert AGE_BANDS[0][1] == 17
        for (_, _, high), (_, low, _) in zip(AGE_BANDS, AGE_BANDS[1:], strict=False):
            assert high is not None and low == high + 1
        assert AGE_BANDS[-1][2] is None

    def test_negative_age(self) -> None:
        with pytest.raises(DomainError):
            age_band(-1)


class TestGapToTarget:
    def test_national_target_on_1000_is_992_exactly(self) -> None:
        assert gap_to_target(1000, 0, Decimal("99.2")) == 992

    def test_national_target_on_93000(self) -> None:
        assert gap_to_target(93000, 0, Decimal("99.2")) == 92256
        assert gap_to_target(93000, 92256, Decimal("99.2")) == 0
        assert gap_to_target(93000, 92255, Decimal("99.2")) == 1

    def test_kaur_style_float_trap(self) -> None:
        # 95.2% of 125 is exactly 119; float arithmetic gives 119.00000000000001 -> 120.
        assert math.ceil(95.2 / 100 * 125) == 120  # the trap this code avoids
        assert gap_to_target(125, 0, Decimal("95.2")) == 119

    def test_fractional_head_count_rounds_up(self) -> None:
        # 99.2% of 93 001 = 92 256.992: 92 256 recorded is still short by one.
        assert gap_to_target(93001, 92256, Decimal("99.2")) == 1

    def test_over_target_is_zero_not_negative(self) -> None:
        assert gap_to_target(1000, 1000, Decimal("99.2")) == 0

    def test_float_target_is_refused(self) -> None:
        with pytest.raises(TypeError):
            gap_to_target(1000, 0, 99.2)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("100.1")])
    def test_target_out_of_range(self, bad: Decimal) -> None:
        with pytest.raises(DomainError) as info:
            gap_to_target(1000, 0, bad)
        assert info.value.code == "target_pct_range"

    def test_negative_count(self) -> None:
        with pytest.raises(DomainError) as info:
            gap_to_target(-1, 0, Decimal("99.2"))
        assert info.value.code == "count_negative"


@given(
    wajib=st.integers(0, 10_000_000),
    tenths=st.integers(0, 1000),
)
def test_gap_reaches_target_and_one_fewer_does_not(wajib: int, tenths: int) -> None:
    target = Decimal(tenths) / 10
    needed = gap_to_target(wajib, 0, target)
    # Integer-only check: needed/wajib >= tenths/1000 and (needed-1)/wajib < tenths/1000.
    assert needed * 1000 >= tenths * wajib
    assert needed == 0 or (needed - 1) * 1000 < tenths * wajib


class TestCoverage:
    def test_exact_ratio(self) -> None:
        assert coverage_pct(952, 1000) == Decimal("95.2")

    def test_none_when_nobody_is_wajib(self) -> None:
        assert coverage_pct(0, 0) is None

    def test_unrounded(self) -> None:
        value = coverage_pct(1, 3)
        assert value is not None
        assert str(value).startswith("33.3333333333333333333333333")

    def test_may_exceed_100(self) -> None:
        assert coverage_pct(1010, 1000) == Decimal("101")

    def test_round_half_up_once(self) -> None:
        value = coverage_pct(9525, 10000)  # 95.25 exactly
        assert value == Decimal("95.25")
        assert round_pct(value) == Decimal("95.3")  # banker's rounding would give 95.2
        assert round_pct(Decimal("95.24999")) == Decimal("95.2")
        assert round_pct(Decimal("95.25"), places=0) == Decimal("95")
        assert str(round_pct(Decimal("95"), places=2)) == "95.00"
