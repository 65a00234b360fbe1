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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

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
