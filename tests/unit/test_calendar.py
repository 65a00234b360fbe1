from __future__ import annotations

from datetime import date, timedelta

import pytest

from blangko.domain.calendar import (
    Closure,
    ServiceDay,
    indonesian_holidays,
    next_open_day,
    open_days_between,
    service_open,
)
from blangko.domain.errors import DomainError

MONDAY = date(2021, 7, 5)
SATURDAY = date(2021, 7, 10)
HUT_RI_2021 = date(2021, 8, 17)  # a Tuesday
HOLIDAYS = {HUT_RI_2021: "Hari Kemerdekaan Republik Indonesia"}

PPKM = Closure(
    id=7,
    service="perekaman",
    start=date(2021, 7, 3),
    end=None,
    reason="Tiga petugas terkonfirmasi Covid-19",
)


def open_on(
    service: str,
    day: date,
    closures: tuple[Closure, ...] = (),
    open_days: frozenset[date] = frozenset(),
) -> ServiceDay:
    return service_open(
        service, day, closures=closures, open_days=open_days, national_holidays=HOLIDAYS
    )


def test_weekday_without_anything_is_open() -> None:
    assert open_on("pencetakan", MONDAY) == ServiceDay(open=True, reason=None)


@pytest.mark.parametrize("day", [SATURDAY, date(2021, 7, 11)])
def test_weekend_is_closed(day: date) -> None:
    assert open_on("pencetakan", day) == ServiceDay(open=False, reason="Akhir pekan")


def test_declared_open_day_opens_a_saturday() -> None:
    assert open_on("pencetakan", SATURDAY, open_days=frozenset({SATURDAY})).open is True


def test_national_holiday_is_closed_with_its_name() -> None:
    result = open_on("pencetakan", HUT_RI_2021)
    assert result == ServiceDay(
        open=False, reason="Libur nasional: Hari Kemerdekaan Republik Indonesia"
    )


def test_open_day_does_not_lift_a_national_holiday() -> None:
    assert open_on("pencetakan", HUT_RI_2021, open_days=frozenset({HUT_RI_2021})).open is False


def test_open_ended_closure_closes_its_service_only() -> None:
    later = date(2022, 1, 3)
    closed = open_on("perekaman", later, closures=(PPKM,))
    assert closed == ServiceDay(open=False, reason=PPKM.reason, closure_id=7)
    assert open_on("pencetakan", later, closures=(PPKM,)).open is True


def test_closure_before_its_start_does_not_apply() -> None:
    assert open_on("perekaman", date(2021, 7, 2), closures=(PPKM,)).open is True


def test_closure_end_is_inclusive() -> None:
    closure = Closure(1, "semua", date(2021, 7, 5), date(2021, 7, 6), "Pemadaman listrik")
    assert open_on("pencetakan", date(2021, 7, 6), closures=(closure,)).open is False
    assert open_on("perekaman", date(2021, 7, 6), closures=(closure,)).open is False
    assert open_on("perekaman", date(2021, 7, 7), closures=(closure,)).open is True


def test_closure_beats_open_day() -> None:
    result = open_on("perekaman", SATURDAY, closures=(PPKM,), open_days=frozenset({SATURDAY}))
    assert result.open is False
    assert result.reason == PPKM.reason


def test_closure_reason_beats_holiday_reason() -> None:
    assert open_on("perekaman", HUT_RI_2021, closures=(PPKM,)).reason == PPKM.reason


def test_overlapping_closures_report_the_earliest_whatever_the_order() -> None:
    later = Closure(9, "semua", date(2021, 7, 4), None, "Gangguan jaringan SIAK")
    assert open_on("perekaman", MONDAY, closures=(later, PPKM)).closure_id == 7
    assert open_on("perekaman", MONDAY, closures=(PPKM, later)).closure_id == 7


@pytest.mark.parametrize("service", ["semua", "cetak", "PEREKAMAN"])
def test_unknown_service_is_rejected(service: str) -> None:
    with pytest.raises(DomainError) as info:
        open_on(service, MONDAY)
    assert (info.value.code, info.value.field) == ("unknown_service", "service")


def test_closure_validation() -> None:
    with pytest.raises(DomainError) as info:
        Closure(None, "cetak", MONDAY, None, "x")  # type: ignore[arg-type]
    assert info.value.code == "unknown_service"
    with pytest.raises(DomainError) as info:
        Closure(None, "semua", MONDAY, date(2021, 7, 4), "x")
    assert info.value.code == "closure_end_before_start"
    with pytest.raises(DomainError) as info:
        Closure(None, "semua", MONDAY, None, "   ")
    assert info.value.code == "closure_reason_required"


def test_open_days_between_counts_inclusive_range() -> None:
    # August 2021: 31 days, 9 weekend days (Sat/Sun), one holiday on a Tuesday -> 21.
    def count(start: date, end: date) -> int:
        return open_days_between(
            "pencetakan", start, end, closures=(), open_days=set(), national_holidays=HOLIDAYS
        )

    assert count(date(2021, 8, 1), date(2021, 8, 31)) == 21
    assert count(MONDAY, MONDAY) == 1
    assert count(HUT_RI_2021, HUT_RI_2021) == 0


def test_open_days_between_with_closure_and_generator_input() -> None:
    # Week of 5-11 July 2021: 5 weekdays, Saturday declared open; recording closed from 3 July.
    closures = (c for c in [PPKM])  # a one-shot iterable must still work for every day
    count = open_days_between(
        "pencetakan",
        MONDAY,
        date(2021, 7, 11),
        closures=closures,
        open_days={SATURDAY},
        national_holidays={},
    )
    assert count == 6
    assert (
        open_days_between(
            "perekaman",
            MONDAY,
            date(2021, 7, 11),
            closures=(PPKM,),
            open_days={SATURDAY},
            national_holidays={},
        )
        == 0
    )


def test_open_days_between_rejects_reversed_range() -> None:
    with pytest.raises(DomainError) as info:
        open_days_between(
            "pencetakan",
            MONDAY,
            SATURDAY.replace(day=1),
            closures=(),
            open_days=set(),
            national_holidays={},
        )
    assert info.value.code == "range_end_before_start"


class TestIndonesianHolidays:
    def test_2026_includes_independence_day_in_indonesian(self) -> None:
        table = indonesian_holidays([2026])
        assert table[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
        assert table[date(2026, 1, 1)] == "Tahun Baru Masehi"
        assert all(day.year == 2026 for day in table)

    def test_several_years(self) -> None:
        table = indonesian_holidays(range(2021, 2023))
        assert date(2021, 8, 17) in table and date(2022, 8, 17) in table

    def test_cuti_bersama_is_opt_in(self) -> None:
        plain = indonesian_holidays([2026])
        with_leave = indonesian_holidays([2026], include_cuti_bersama=True)
        extra = set(with_leave) - set(plain)
        assert extra, "expected cuti bersama days"
        assert all("Cuti Bersama" in with_leave[day] for day in extra)

    def test_feeds_service_open(self) -> None:
        result = service_open(
            "pencetakan",
            date(2026, 8, 17),
            closures=(),
            open_days=set(),
            national_holidays=indonesian_holidays([2026]),
        )
        assert result.reason == "Libur nasional: Hari Kemerdekaan Republik Indonesia"


def reopens(service: str, day: date, closures: tuple[Closure, ...] = ()) -> date | None:
    return next_open_day(
        service, day, closures=closures, open_days=frozenset(), national_holidays=HOLIDAYS
    )


def test_a_closed_desk_reopens_on_its_next_open_day() -> None:
    # Friday -> Monday over the weekend; the day before a holiday -> the day after it.
    assert reopens("pencetakan", date(2021, 7, 9)) == MONDAY + timedelta(days=7)
    assert reopens("pencetakan", date(2021, 8, 16)) == date(2021, 8, 18)
    # A closure with an end: the first open day after it (a Saturday end -> Monday).
    ended = Closure(1, "semua", date(2021, 7, 6), date(2021, 7, 10), "Rapat kerja")
    assert reopens("perekaman", date(2021, 7, 6), (ended,)) == date(2021, 7, 12)
    # Without an end: not within the year looked at (reopened when the closure is ended).
    assert reopens("perekaman", MONDAY, (PPKM,)) is None
    assert reopens("pencetakan", MONDAY, (PPKM,)) == MONDAY + timedelta(days=1)
