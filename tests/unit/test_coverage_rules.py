"""Coverage arithmetic and rounding (national vs areas), the age-cutoff dates the SQL relies
on, month spans of the cohort, and the arithmetic of an event's impact."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from blangko.adapters.repos.coverage import BAND_LABELS, Cell, birth_cutoff
from blangko.cli.coverage import pct_points
from blangko.demo.events import pilkades_date, pilkades_villages
from blangko.domain import wajib_ktp as wk
from blangko.domain.errors import DomainError
from blangko.services.calendar import events as ev
from blangko.services.coverage import areas as cov
from blangko.settings import ImpactAssumptions, Settings

TARGET = Decimal("99.2")


# --- the birth-date cutoff is the age rule ---------------------------------------------------


def _days(start: date, end: date):  # type: ignore[no-untyped-def]
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def test_cutoff_is_exactly_the_17th_birthday_rule_every_day_of_a_leap_cycle() -> None:
    # Every reference day of 2027-2030 (covers 28/29 February and 1 March in and out of
    # leap years): born on the cutoff is 17 already, born a day later is not.
    for on in _days(date(2027, 1, 1), date(2030, 12, 31)):
        cut = birth_cutoff(on, 17)
        assert wk.seventeenth_birthday(cut) <= on, on
        assert wk.seventeenth_birthday(cut + timedelta(days=1)) > on, on


@pytest.mark.parametrize("years", [17, 20, 30, 60])
def test_cutoff_agrees_with_age_on_for_band_edges(years: int) -> None:
    for on in _days(date(2028, 2, 25), date(2028, 3, 3)):
        cut = birth_cutoff(on, years)
        assert wk.age_on(cut, on) >= years
        assert wk.age_on(cut + timedelta(days=1), on) < years


def test_leapling_cutoffs() -> None:
    # On 28 Feb 2029 someone born 29 Feb 2012 is still 16 (their birthday is 1 March).
    assert birth_cutoff(date(2029, 2, 28), 17) == date(2012, 2, 28)
    assert birth_cutoff(date(2029, 3, 1), 17) == date(2012, 3, 1)
    # On 29 Feb 2028 the day 17 years earlier (29 Feb 2011) does not exist.
    assert birth_cutoff(date(2028, 2, 29), 17) == date(2011, 2, 28)


def test_band_labels_follow_the_domain_bands() -> None:
    assert BAND_LABELS == ("<17", "17-19", "20-29", "30-39", "40-49", "50-59", "60+")


# --- coverage arithmetic and rounding --------------------------------------------------------


def test_half_up_once_at_display() -> None:
    # 381 / 400 = 95.25 exactly: half-up gives 95.3 (a float round() would give 95.2).
    f = cov.figures(400, 381, TARGET)
    assert f["coverage_pct"] == 95.3
    assert f["unrecorded"] == 19
    assert f["gap_to_target"] == 397 - 381  # ceil(0.992 * 400) = 396.8 -> 397


def test_no_ratio_without_wajib() -> None:
    assert cov.figures(0, 0, TARGET)["coverage_pct"] is None
    assert cov.figures(0, 0, TARGET)["gap_to_target"] == 0


def _cells() -> list[Cell]:
    return [
        Cell("17.04.01", "L", "20-29", 60, 50),  # area 01: 90 of 100
        Cell("17.04.01", "P", "60+", 40, 40),
        Cell("17.04.02", "L", "17-19", 100, 95),  # area 02: 95 of 100
        Cell("17.04.03", "P", "<17", 1000, 952),  # area 03: 952 of 1000
    ]


def test_national_figures_come_from_summed_exact_counts() -> None:
    r = cov.rollup(
        _cells(),
        {
            "17.04.01": "Kinal",
            "17.04.02": "Tanjung Kemuning",
            "17.04.03": "Kaur Utara",
            "17.04.04": "Maje",
        },
        as_of=date(2026, 11, 27),
        by="kecamatan",
        target=TARGET,
        office="17.04",
    )
    areas = {a["code"]: a for a in r["areas"]}
    assert r["wajib_ktp"] == sum(a["wajib_ktp"] for a in areas.values()) == 1200
    assert r["recorded"] == sum(a["recorded"] for a in areas.values()) == 1137
    # 1137 / 1200 = 94.75 exactly: rounded once, half up, from the exact counts ...
    assert r["coverage_pct"] == 94.8
    # ... not the mean of the rounded area figures (93.4).
    assert [areas[c]["coverage_pct"] for c in ("17.04.01", "17.04.02", "17.04.03")] == [
        90.0,
        95.0,
        95.2,
    ]
    # The national gap is the gap of the national counts: ceil(0.992 * 1200 = 1190.4) - 1137
    # = 54; each area rounds its own head-count up, so the area gaps sum to 55 (10 + 5 + 40).
    assert r["gap_to_target"] == 54
    assert sum(a["gap_to_target"] for a in areas.values()) == 55
    # An area without residents is listed, with no ratio.
    assert areas["17.04.04"]["wajib_ktp"] == 0 and areas["17.04.04"]["coverage_pct"] is None
    # By sex and by band add up to the same national counts.
    assert {s["sex"]: s["wajib_ktp"] for s in r["by_sex"]} == {"L": 160, "P": 1040}
    assert sum(b["recorded"] for b in r["by_age_band"]) == 1137
    assert {b["band"]: b["wajib_ktp"] for b in r["by_age_band"]}["<17"] == 1000


def test_under_age_band_hidden_when_empty() -> None:
    r = cov.rollup(
        [Cell("17.04.01", "L", "30-39", 5, 5)],
        {},
        as_of=date(2026, 11, 27),
        by="kecamatan",
        target=TARGET,
        office="17.04",
    )
    assert [b["band"] for b in r["by_age_band"]] == [
        "17-19",
        "20-29",
        "30-39",
        "40-49",
        "50-59",
        "60+",
    ]
    assert r["coverage_pct"] == 100.0 and r["gap_to_target"] == 0


@pytest.mark.parametrize(
    ("text", "value"), [("99.2", Decimal("99.2")), ("99,2", Decimal("99.2")), (None, TARGET)]
)
def test_parse_target(text: str | None, value: Decimal) -> None:
    assert cov.parse_target(text) == value


@pytest.mark.parametrize("bad", ["abc", "100.1", "-1", "NaN"])
def test_parse_target_refuses(bad: str) -> None:
    with pytest.raises(DomainError) as e:
        cov.parse_target(bad)
    assert e.value.field == "target"


def test_indonesian_percent_format() -> None:
    assert pct_points(95.2) == "95,2 %"
    assert pct_points(95.0) == "95,0 %"
    assert pct_points(None) == "-"


# --- cohort months -----------------------------------------------------------------------------


def test_month_spans_start_tomorrow_and_cover_calendar_months() -> None:
    spans = cov.month_spans(date(2026, 11, 27), 3)
    assert spans == [
        ("2026-11", date(2026, 11, 28), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 31)),
    ]
    assert cov.month_spans(date(2028, 1, 31), 2) == [
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2028-03", date(2028, 3, 1), date(2028, 3, 31)),
    ]


# --- event impact arithmetic ----------------------------------------------------------------


def test_demand_range_rounds_outward_and_half_up() -> None:
    a = ImpactAssumptions()
    # 7 people: 25 % = 1.75 -> 1 (down), 50 % = 3.5 -> 4 (half up), 80 % = 5.6 -> 6 (up).
    assert ev.demand_range(7, a) == {"low": 1, "expected": 4, "high": 6}
    assert ev.demand_range(0, a) == {"low": 0, "expected": 0, "high": 0}
    assert ev.demand_range(1000, a) == {"low": 250, "expected": 500, "high": 800}


def test_extra_demand_pools() -> None:
    a = ImpactAssumptions()
    counts = {"unrecorded": 5, "turning_17_before": 1, "recorded_not_printed": 3}
    x = ev.extra_demand(counts, a, {"perekaman": 0, "pencetakan": 6})
    assert x["pools"] == {"recordings": 6, "blanks": 9}
    assert x["recordings"] == {"low": 1, "expected": 3, "high": 5}  # 1.5, 3.0, 4.8
    assert x["blanks"] == {"low": 2, "expected": 5, "high": 8}  # 2.25, 4.5, 7.2
    # Per day: each total over the open days of its desk in the window (5 / 6 = 0.83..).
    assert x["per_day_in_window"]["blanks"] == {"low": 0.3, "expected": 0.8, "high": 1.3}
    # Recording closed through the window: no per-day figure rather than a made-up one.
    assert x["per_day_in_window"]["recordings"] is None
    assert "per_day_in_window" not in ev.extra_demand(counts, a)


def test_per_day_is_the_total_over_the_open_days() -> None:
    """Issue 11, observation 5: 743 extra recordings over a window of 6 open days is 123,8 a
    day, not 743 x 70 % / 30 = 17,3."""
    assert ev.per_day({"low": 371, "expected": 743, "high": 1189}, 6) == {
        "low": 61.8,
        "expected": 123.8,
        "high": 198.2,
    }
    assert ev.per_day({"expected": 10}, 0) is None


def test_assumptions_are_overridable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLANGKO_EVENT_TAKE_UP_HIGH", "0.9")
    monkeypatch.setenv("BLANGKO_EVENT_WINDOW_DAYS", "14")
    a = Settings().event.check()
    assert a.take_up_high == Decimal("0.9") and a.window_days == 14
    # The CLI's --take-up-* options go on top of the environment's values.
    assert a.with_overrides(take_up_expected=Decimal("0.6")).as_dict()["take_up"] == {
        "low": 0.25,
        "expected": 0.6,
        "high": 0.9,
    }
    with pytest.raises(DomainError) as e:
        ImpactAssumptions(take_up_low=Decimal("0.7"), take_up_expected=Decimal("0.5")).check()
    assert e.value.code == "assumption_order"
    with pytest.raises(DomainError) as e:
        ImpactAssumptions(take_up_high=Decimal("1.5")).check()
    assert e.value.field == "take_up_high"
    with pytest.raises(DomainError):
        ImpactAssumptions(window_days=0).check()


def test_village_file(tmp_path: Path) -> None:
    f = tmp_path / "desa.csv"
    f.write_text("kode\n17.04.01.2001\n# komentar\n\n17.04.01.2002, 17.04.02.2001\n")
    assert ev.read_village_file(f) == ["17.04.01.2001", "17.04.01.2002", "17.04.02.2001"]
    with pytest.raises(DomainError) as e:
        ev.read_village_file(tmp_path / "tidak-ada.txt")
    assert e.value.field == "villages_file"


# --- demo event ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 27), date(2026, 12, 9)),  # 2 Dec is only 5 days away
        (date(2026, 11, 24), date(2026, 12, 2)),  # exactly 8 days
        (date(2026, 11, 25), date(2026, 12, 2)),  # exactly 7 days
        (date(2026, 12, 26), date(2027, 12, 1)),  # no Wednesday left this December
        (date(2027, 3, 10), date(2027, 12, 1)),
    ],
)
def test_pilkades_date(today: date, expected: date) -> None:
    assert pilkades_date(today) == expected
    assert expected.weekday() == 2


def test_pilkades_villages_are_66_desa_spread_over_the_list() -> None:
    codes = [f"17.04.{k:02d}.{2000 + v}" for k in range(1, 16) for v in range(1, 14)]
    codes += ["17.04.01.1001", "17.04.02.1001"]  # kelurahan: no Pilkades
    chosen = pilkades_villages(codes)
    assert len(chosen) == len(set(chosen)) == 66
    assert not any(c.rsplit(".", 1)[1].startswith("1") for c in chosen)
    assert {c[:8] for c in chosen} == {f"17.04.{k:02d}" for k in range(1, 16)}
