"""Realistic synthetic histories of an office's daily blank use, for tests, backtests and the demo.

What it puts in, each knob a parameter:
- a base level (blanks per open day) with a weekday pattern: Monday busiest, Friday short
  (Friday prayers), weekends closed;
- a gentle trend (per year, multiplicative);
- national holidays closed (passed in, e.g. from domain.calendar.indonesian_holidays);
- one multi-week closure (PPKM) whose demand is not lost: it queues and comes back over the
  days after reopening;
- an election surge: extra demand spread over the weeks before the election date;
- negative-binomial noise (var = mu + alpha mu^2).

`simulate_registry_office` adds a registry: an old backlog of recorded, unprinted residents,
new recordings, each resident coming to print with the chance of their waiting band
(domain.take_up), and a campaign that clears the old backlog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from blangko.domain.take_up import BANDS, NEVER, OLD_DAYS, Registry, band_of

WEEKDAY_FACTORS = (1.35, 1.1, 1.0, 1.0, 0.7, 0.0, 0.0)


@dataclass
class SimulatedHistory:
    start: date
    used: np.ndarray  # blanks used per day
    open: np.ndarray  # office open for printing that day
    latent: np.ndarray  # expected demand arising that day (open or not)
    closures: list[tuple[date, date]] = field(default_factory=list)
    election: date | None = None
    election_window: tuple[date, date] | None = None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(len(self.used))]


def simulate_history(
    *,
    start: date,
    days: int = 400,
    base: float = 6.0,
    weekday_factors: tuple[float, ...] = WEEKDAY_FACTORS,
    trend_per_year: float = 0.1,
    alpha: float = 0.12,
    holidays: set[date] | frozenset[date] = frozenset(),
    closure: tuple[int, int] | None = (120, 21),  # (first day offset, length in days)
    election: tuple[int, float, int] | None = (330, 400.0, 28),  # (offset, extra, window)
    backlog_release: float = 0.3,
    seed: int = 0,
) -> SimulatedHistory:
    rng = np.random.default_rng(seed)
    dates = [start + timedelta(days=i) for i in range(days)]
    open_flags = np.array(
        [weekday_factors[d.weekday()] > 0 and d not in holidays for d in dates], dtype=bool
    )
    closures = []
    if closure is not None:
        c0, clen = closure
        open_flags[c0 : c0 + clen] = False
        closures.append((dates[c0], dates[min(days - 1, c0 + clen - 1)]))
    latent = np.array(
        [
            base * weekday_factors[d.weekday()] * (1 + trend_per_year) ** (i / 365.0)
            for i, d in enumerate(dates)
        ]
    )
    # Holidays remove demand (people know the office is shut); a closure only defers it.
    for i, d in enumerate(dates):
        if d in holidays:
            latent[i] = 0.0
    election_date = None
    election_window = None
    if election is not None:
        e_off, extra, window = election
        election_date = dates[min(days - 1, e_off)]
        lo = max(0, e_off - window)
        election_window = (dates[lo], election_date)
        win = [
            i for i in range(lo, min(days, e_off + 1)) if weekday_factors[dates[i].weekday()] > 0
        ]
        for i in win:
            latent[i] += extra / len(win)
    used = np.zeros(days)
    backlog = 0.0
    shape = 1.0 / alpha
    for i in range(days):
        if not open_flags[i]:
            if i > 0 and any(a <= dates[i] <= b for a, b in closures):
                backlog += latent[i]
            continue
        release = backlog * backlog_release
        backlog -= release
        mu = latent[i] + release
        used[i] = rng.poisson(mu * rng.gamma(shape, 1.0 / shape))
    return SimulatedHistory(
        start, used, open_flags, latent, closures, election_date, election_window
    )


@dataclass
class RegistryOffice:
    """A simulated office whose first cards come from its registry: the blanks used per day
    (replacements and other use plus first cards), the first cards alone, and the registry
    the take-up model reads (print and recording calendars included)."""

    start: date
    used: np.ndarray
    first: np.ndarray  # first cards printed per day
    other: SimulatedHistory  # replacements and other use
    registry: Registry
    campaign: tuple[date, date] | None = None

    @property
    def open(self) -> np.ndarray:
        return self.other.open


def simulate_registry_office(
    *,
    start: date,
    days: int = 440,
    holidays: set[date] | frozenset[date] = frozenset(),
    other_base: float = 4.0,
    recordings_per_day: float = 8.0,
    old_backlog: int = 3000,
    hazards: tuple[float, ...] = (0.5, 0.05, 0.02, 0.0005),
    campaign: tuple[int, int, float] | None = None,  # (first day offset, length, old rate)
    burn_in: int = 400,
    seed: int = 0,
) -> RegistryOffice:
    """An office with a registry: an old backlog of ``old_backlog`` residents recorded long
    ago, ``recordings_per_day`` new recordings a working day (weekday pattern), each resident
    printing on an open day with the chance of their waiting band (``hazards``, one per
    band of `take_up.BANDS`), and ``other_base`` replacements a day (`simulate_history`,
    no closure, no election, no trend). A campaign (jemput bola, a call-up of the old
    backlog) raises the old band's chance to its rate for its days. The registry starts
    ``burn_in`` days before ``start`` so that its backlog is settled when the history
    begins."""
    if len(hazards) != len(BANDS):
        raise ValueError(f"one chance per band of {BANDS}")
    rng = np.random.default_rng(seed)
    base = start - timedelta(days=burn_in)
    total_days = burn_in + days
    dates = [base + timedelta(days=i) for i in range(total_days)]
    open_flags = np.array(
        [WEEKDAY_FACTORS[d.weekday()] > 0 and d not in holidays for d in dates], dtype=bool
    )
    rec: list[np.ndarray] = [-rng.integers(100, 3000, size=old_backlog)]
    for i, d in enumerate(dates):
        if open_flags[i]:
            k = int(rng.poisson(recordings_per_day * WEEKDAY_FACTORS[d.weekday()]))
            rec.append(np.full(k, i))
    recorded = np.concatenate(rec).astype(np.int64)
    printed = np.full(len(recorded), NEVER, dtype=np.int64)
    chances = np.asarray(hazards, dtype=float)
    c_lo = c_hi = -1
    if campaign is not None:
        c_lo = burn_in + campaign[0]
        c_hi = c_lo + campaign[1]
    for i in range(total_days):
        if not open_flags[i]:
            continue
        waiting = np.flatnonzero((printed == NEVER) & (recorded <= i))
        h = chances[band_of(i - recorded[waiting])]
        if c_lo <= i < c_hi:
            h = np.where(i - recorded[waiting] >= OLD_DAYS, campaign[2], h)  # type: ignore[index]
        printed[waiting[rng.random(len(waiting)) < h]] = i
    pairs, counts = np.unique(np.column_stack([recorded, printed]), axis=0, return_counts=True)
    registry = Registry(
        base,
        pairs[:, 0],
        pairs[:, 1],
        counts.astype(np.int64),
        np.ones(len(counts), dtype=bool),
        open_flags,
        open_flags.copy(),
    )
    other = simulate_history(
        start=start,
        days=days,
        base=other_base,
        trend_per_year=0.0,
        holidays=holidays,
        closure=None,
        election=None,
        seed=seed + 1,
    )
    first = registry.first_prints(start, days)
    window = None
    if campaign is not None:
        window = (start + timedelta(days=campaign[0]), start + timedelta(days=c_hi - burn_in - 1))
    return RegistryOffice(start, other.used + first, first, other, registry, window)
