"""What stops printing first: blanks, ribbon, film or printer capacity, on the forecast's own
demand paths (docs/forecast.md, "Yang menghentikan cetak lebih dulu").

Pure: it takes the simulated prints per day (the same paths the blank forecast uses, one row
per path) and what the office holds, and says for each constraint on which day printing
stops (or falls behind) and which one binds first. Nothing here forecasts demand again.

Per path and day: the printers working that day can print at most their capacity; what they
cannot print waits in a queue for the next day. Every card printed uses one blank and one
print of the ribbon and of the film (a ribbon of yield 500 is 500 prints). A stock runs out
on the first day its cumulative prints exceed what is on hand; printer capacity binds on the
first day a print that was asked for cannot be made that day (the queue grows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

# Constraint codes, in the order a tie is broken (the blank first: it is what the office
# reports upward).
BLANKS = "blanks"
PRINTERS = "printers"
CONSTRAINT_ORDER = (BLANKS, "ribbon", "film", PRINTERS)

# The route each kind of item is supplied by.
ROUTE_DIRECTORATE = "direktorat"
ROUTE_REGENCY = "apbd"


@dataclass(frozen=True)
class Stock:
    """One stock that every print draws on: the blank (1 per print) or a consumable whose
    units each give `yield_prints` prints (a ribbon: about 500)."""

    code: str  # "blanks", or the consumable's role: "ribbon", "film"
    item: str  # the item's code (ektp, pita-warna, ...)
    name: str
    prints_left: int  # prints the stock on hand still gives (units x yield + what is loaded)
    yield_prints: int  # prints per unit (1 for blanks)
    lead_time_days: int
    route: str


@dataclass(frozen=True)
class PrinterPlan:
    """A printer's capacity per day and the days (0 = today) it cannot print."""

    name: str
    capacity: int
    down_from: int | None = None  # first day down; None: working
    down_until: int | None = None  # first day working again; None: down to the horizon's end

    def working(self, day: int) -> bool:
        if self.down_from is None or day < self.down_from:
            return True
        return self.down_until is not None and day >= self.down_until


@dataclass(frozen=True)
class Limit:
    code: str
    item: str | None
    name: str
    stop_day_p50: int  # median day printing stops for this reason (horizon: not within it)
    stop_day_p90: int  # the day that holds with 90 % probability (earlier)
    beyond_horizon: bool
    request_units: int  # what to request to last the horizon at the service level
    lead_time_days: int | None
    route: str | None
    request_by_day: int | None  # the last day a request can go out and arrive in time


@dataclass(frozen=True)
class SupplyLimits:
    horizon: int
    limits: list[Limit]  # binding first

    @property
    def binding(self) -> Limit:
        return self.limits[0]


def _first_day(exceeded: np.ndarray, horizon: int) -> np.ndarray:
    return np.where(exceeded.any(axis=1), exceeded.argmax(axis=1), horizon)


def _quantiles(first: np.ndarray, horizon: int) -> tuple[int, int, bool]:
    p50 = int(np.quantile(first, 0.5, method="lower"))
    p90 = int(np.quantile(first, 0.1, method="lower"))
    return p50, p90, p50 >= horizon


def capacity_per_day(printers: list[PrinterPlan], horizon: int) -> np.ndarray:
    """The prints the working printers can make on each day."""
    return np.array(
        [sum(p.capacity for p in printers if p.working(d)) for d in range(horizon)], dtype=float
    )


def served_prints(paths: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per path and day: the prints made (at most the day's capacity, the rest queued for
    the next day) and whether a print asked for had to wait (the queue at the day's end)."""
    n, horizon = paths.shape
    served = np.zeros_like(paths, dtype=float)
    waiting = np.zeros((n, horizon), dtype=bool)
    queue = np.zeros(n)
    for d in range(horizon):
        asked = queue + paths[:, d]
        made = np.minimum(asked, capacity[d])
        served[:, d] = made
        queue = asked - made
        waiting[:, d] = queue > 0.5
    return served, waiting


def check_inputs(paths: np.ndarray, stocks: list[Stock], printers: list[PrinterPlan]) -> None:
    if paths.ndim != 2 or paths.shape[1] < 1:
        raise DomainError(
            "paths_shape", "paths", Msg("Jalur permintaan harus berupa tabel jalur x hari.")
        )
    for s in stocks:
        if s.yield_prints < 1 or s.prints_left < 0 or s.lead_time_days < 0:
            raise DomainError(
                "stock_figures",
                "yield",
                Msg(
                    "Barang '{item}': hasil cetak per unit harus minimal 1 dan stok serta waktu tunggu tidak boleh negatif.",
                    item=s.item,
                ),
            )
    for p in printers:
        if p.capacity < 0:
            raise DomainError(
                "capacity_negative",
                "capacity",
                Msg("Kapasitas printer '{name}' tidak boleh negatif.", name=p.name),
            )


def supply_limits(
    paths: np.ndarray,
    stocks: list[Stock],
    printers: list[PrinterPlan] | None,
    *,
    service_level: float = 0.95,
) -> SupplyLimits:
    """Each constraint's stop day and what to request, the binding constraint first.

    `paths` are prints asked for per day (n_paths x horizon); `printers` None means the
    office has recorded no printers: capacity is not a constraint (as before printers were
    kept). The request of an item is the units that cover the horizon's demand at the
    service level beyond what is on hand; its request-by day is the (90 %) stop day less the
    route's lead time, not before today."""
    printers_known = printers is not None
    plans = printers or []
    check_inputs(paths, stocks, plans)
    horizon = paths.shape[1]
    if printers_known:
        cap = capacity_per_day(plans, horizon)
        served, waiting = served_prints(paths, cap)
    else:
        served, waiting = paths.astype(float), np.zeros(paths.shape, dtype=bool)
    cum = np.cumsum(served, axis=1)
    demand_total = float(np.quantile(paths.sum(axis=1), service_level))
    limits: list[Limit] = []
    for s in stocks:
        first = _first_day(cum > s.prints_left + 1e-9, horizon)
        p50, p90, beyond = _quantiles(first, horizon)
        short = max(0.0, demand_total - s.prints_left)
        units = int(math.ceil(short / s.yield_prints - 1e-9)) if short > 0 else 0
        request_by = None if beyond and units == 0 else max(0, p90 - s.lead_time_days)
        limits.append(
            Limit(
                s.code,
                s.item,
                s.name,
                p50,
                p90,
                beyond,
                units,
                s.lead_time_days,
                s.route,
                request_by,
            )
        )
    if printers_known:
        first = _first_day(waiting, horizon)
        p50, p90, beyond = _quantiles(first, horizon)
        limits.append(Limit(PRINTERS, None, "printer", p50, p90, beyond, 0, None, None, None))
    rank = {c: i for i, c in enumerate(CONSTRAINT_ORDER)}
    limits.sort(key=lambda lim: (lim.stop_day_p50, lim.stop_day_p90, rank.get(lim.code, 99)))
    return SupplyLimits(horizon, limits)
