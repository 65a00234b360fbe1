"""What stops printing first (domain.supply_limits) on constructed cases: blanks binding,
ribbon binding, printer capacity binding, and the request of each item."""

from __future__ import annotations

import numpy as np
import pytest

from blangko.domain.errors import DomainError
from blangko.domain.supply_limits import PrinterPlan, Stock, capacity_per_day, supply_limits


def flat(per_day: int, days: int = 120, n: int = 50) -> np.ndarray:
    return np.full((n, days), float(per_day))


def blanks(left: int, lead: int = 30) -> Stock:
    return Stock("blanks", "ektp", "Blangko KTP-el", left, 1, lead, "direktorat")


def ribbon(prints_left: int, lead: int = 60, yield_prints: int = 500) -> Stock:
    return Stock("ribbon", "pita-warna", "Pita warna", prints_left, yield_prints, lead, "apbd")


def film(prints_left: int, lead: int = 60) -> Stock:
    return Stock("film", "film-retransfer", "Film retransfer", prints_left, 1000, lead, "apbd")


def test_blanks_bind_first() -> None:
    # 100 a day; 1.000 blanks last 10 days (day 10 is the first short), ribbon 5.000 prints.
    res = supply_limits(flat(100), [blanks(1000), ribbon(5000), film(8000)], None)
    assert res.binding.code == "blanks"
    assert res.binding.stop_day_p50 == 10
    by = {lim.code: lim for lim in res.limits}
    assert by["ribbon"].stop_day_p50 == 50
    assert by["film"].stop_day_p50 == 80
    # 12.000 prints over 120 days: 11.000 blanks, 7.000 ribbon prints = 14 ribbons of 500.
    assert by["blanks"].request_units == 11000
    assert by["ribbon"].request_units == 14
    assert by["film"].request_units == 4
    # The ribbon runs out on day 50 and the regency route takes 60 days: ask today.
    assert by["ribbon"].request_by_day == 0
    assert [lim.code for lim in res.limits] == ["blanks", "ribbon", "film"]


def test_ribbon_binds_before_blanks() -> None:
    # Plenty of blanks, one ribbon of 500 prints left at 50 a day: stops on day 10.
    res = supply_limits(flat(50), [blanks(10_000), ribbon(500)], None)
    assert res.binding.code == "ribbon"
    assert res.binding.stop_day_p50 == 10
    assert res.binding.route == "apbd"
    blank = next(lim for lim in res.limits if lim.code == "blanks")
    assert blank.beyond_horizon and blank.request_units == 0


def test_printer_down_binds() -> None:
    # Two printers of 100 a day, demand 150; printer B is broken from day 5 to the horizon:
    # from day 5 one printer prints 100 and the queue grows on day 5.
    printers = [PrinterPlan("A", 100), PrinterPlan("B", 100, down_from=5)]
    res = supply_limits(flat(150), [blanks(100_000), ribbon(100_000)], printers)
    assert res.binding.code == "printers"
    assert res.binding.stop_day_p50 == 5
    # Consumables are used at the rate printed (100 a day after day 5), not at the demand.
    res2 = supply_limits(flat(150), [blanks(1500), ribbon(100_000)], printers)
    b = next(lim for lim in res2.limits if lim.code == "blanks")
    # Days 0-4 print 150 (750), then 100 a day: 1.500 used by the end of day 11, day 12 short.
    assert b.stop_day_p50 == 12


def test_printer_back_from_repair_clears_queue() -> None:
    printers = [PrinterPlan("A", 100), PrinterPlan("B", 100, down_from=0, down_until=3)]
    cap = capacity_per_day(printers, 6)
    assert list(cap) == [100, 100, 100, 200, 200, 200]
    res = supply_limits(flat(150, days=6), [blanks(100_000)], printers)
    assert res.binding.code == "printers" and res.binding.stop_day_p50 == 0


def test_enough_of_everything_is_beyond_horizon() -> None:
    printers = [PrinterPlan("A", 250)]
    res = supply_limits(flat(20), [blanks(100_000), ribbon(100_000), film(100_000)], printers)
    assert all(lim.beyond_horizon for lim in res.limits)
    assert all(lim.request_units == 0 for lim in res.limits)
    # A tie beyond the horizon names the blank first.
    assert res.binding.code == "blanks"


def test_uncertain_demand_uses_paths() -> None:
    rng = np.random.default_rng(3)
    paths = rng.poisson(40, size=(400, 120)).astype(float)
    res = supply_limits(paths, [blanks(2000), ribbon(1000)], None)
    rib = next(lim for lim in res.limits if lim.code == "ribbon")
    # 1.000 prints at about 40 a day: about 25 days; the 90 % figure is not later.
    assert 22 <= rib.stop_day_p50 <= 27
    assert rib.stop_day_p90 <= rib.stop_day_p50
    assert res.binding.code == "ribbon"


def test_bad_figures_refused() -> None:
    with pytest.raises(DomainError) as exc:
        supply_limits(flat(10), [ribbon(100, yield_prints=0)], None)
    assert exc.value.field == "yield"
    with pytest.raises(DomainError):
        supply_limits(flat(10), [blanks(10)], [PrinterPlan("A", -1)])
