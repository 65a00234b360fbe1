"""The forecast's model of the blanks used (issue 12, point 3), one function for the forecast
(services.forecast) and its backtest (domain.backtest): the sum of

- replacements and other use: the count model (domain.forecast) fitted to the blanks used
  less the registry's first cards (`take_up.first_cards_in_use`), so that no first card is
  counted twice, with the uplifts known in advance (events, the print queue);
- the print-ready backlog (PRR) of the origin coming in to print and the new recordings
  joining it, at take-up rates estimated on the registry up to the origin (domain.take_up).

Only what the origin knew is read: the blanks used and the registry's recording and print
dates before it, the calendars (the recording calendar of the days after it, never the
recordings that then happened). The registry itself is the last one imported: a resident
who died after the origin is missing from that origin's backlog (the registry keeps no date
of death), a few at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from blangko.domain import forecast as fc
from blangko.domain import take_up as tu

RECORDINGS_SEED = 20  # added to the seed: the recordings forecast's paths
TAKE_UP_SEED = 30  # added to the seed: the first cards' paths


@dataclass
class Demand:
    """Sample paths of the blanks used per day from the origin, by part."""

    other: fc.Forecast  # replacements and other use, with the uplifts
    parts: tu.Parts  # first cards: the origin's backlog and new recordings coming in
    take_up: tu.TakeUp  # the rates the parts were drawn with
    first_in_history: np.ndarray  # the first cards taken out of the blanks used

    @property
    def paths(self) -> np.ndarray:
        return self.other.paths + self.parts.total


def recordings_forecast(
    registry: tu.Registry,
    origin: date,
    future_open: np.ndarray,
    *,
    uplifts: list[fc.Uplift] | None = None,
    multiplier: np.ndarray | None = None,
    n_paths: int,
    seed: int,
) -> fc.Forecast:
    """Recordings per day from ``origin``: the count model fitted to the registry's
    recordings of the year before (``tu.WINDOW_DAYS``, not before the registry's base) on the
    recording calendar, a day with recordings counting as open; ``future_open`` is the
    recording calendar of the coming days. ``uplifts``: events' extra recordings;
    ``multiplier``: a known shift per coming day (the cohort turning 17)."""
    first = max(registry.base, origin - timedelta(days=tu.WINDOW_DAYS))
    days = (origin - first).days
    done = registry.recordings(first, days)
    lo = registry.offset(first)
    past_open = np.asarray(registry.record_open[lo : lo + days], dtype=bool) | (done > 0)
    return fc.forecast_paths(
        first,
        done,
        past_open,
        future_open,
        uplifts=uplifts,
        multiplier=multiplier,
        n_paths=n_paths,
        seed=seed,
    )


def future_recording_days(registry: tu.Registry, origin: date, horizon: int) -> np.ndarray:
    """The recording calendar of the ``horizon`` days from ``origin`` as the registry holds
    it (closed where it does not reach)."""
    lo = registry.offset(origin)
    fut = np.asarray(registry.record_open[lo : lo + horizon], dtype=bool)
    return np.concatenate([fut, np.zeros(horizon - len(fut), dtype=bool)])


def forecast(
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    future_open: np.ndarray,
    registry: tu.Registry,
    ledger_first: np.ndarray,
    *,
    n_paths: int,
    seed: int,
    event_windows: tuple[tuple[date, date], ...] = (),
    uplifts: list[fc.Uplift] | None = None,
    multiplier: np.ndarray | None = None,
    recordings: np.ndarray | None = None,
    backlog: np.ndarray | None = None,
    event_prr_share: dict[str, float] | None = None,
) -> Demand:
    """The blanks used per day for the days after a history (``used`` and ``open_flags``
    from ``start``; ``future_open``: the printing calendar of the coming days).

    ``ledger_first``: the ledger's first cards (blanks consumed as pemula) per day of the
    history (days beyond it: none). ``event_windows``: past events' rush periods (those before the origin are
    used). ``uplifts`` and ``multiplier``: on the replacements and other use (events, the
    print queue; a known shift). ``recordings``: (paths, horizon) new recordings (default:
    `recordings_forecast` on the registry's recording calendar). ``backlog``: the waiting
    residents by days waited (default: the registry's backlog at the origin).
    ``event_prr_share``: for an uplift of that name, the share of its people who are print
    ready: they are drawn from the backlog, not counted again by it.

    Without a recorded resident in the registry (and no recordings given) there are no
    first-card parts: the forecast is the count model of all blanks used."""
    origin = start + timedelta(days=len(used))
    horizon = len(future_open)
    ledger = np.zeros(len(used))
    known = min(len(used), len(ledger_first))
    ledger[:known] = np.asarray(ledger_first, dtype=float)[:known]
    first = tu.first_cards_in_use(used, ledger, registry.first_prints(start, len(used)))
    other = fc.forecast_paths(
        start,
        used - first,
        open_flags,
        future_open,
        event_windows=tuple(w for w in event_windows if w[0] < origin),
        uplifts=uplifts,
        multiplier=multiplier,
        n_paths=n_paths,
        seed=seed,
    )
    take_up = tu.estimate(registry, origin)
    if recordings is None and registry.active:
        recordings = recordings_forecast(
            registry,
            origin,
            future_recording_days(registry, origin, horizon),
            n_paths=n_paths,
            seed=seed + RECORDINGS_SEED,
        ).paths
    if not registry.active and (recordings is None or not recordings.any()):
        zeros = np.zeros((n_paths, horizon))
        parts = tu.Parts(
            zeros, zeros, zeros, zeros, np.zeros((n_paths, len(tu.BANDS))), np.zeros(n_paths)
        )
        return Demand(other, parts, take_up, first)
    draw = np.zeros((n_paths, horizon))
    for name, share in (event_prr_share or {}).items():
        if name in other.uplift_daily:
            draw += other.uplift_daily[name] * share
    parts = tu.simulate(
        take_up,
        registry.backlog_at(origin) if backlog is None else backlog,
        future_open,
        recordings,
        n_paths=n_paths,
        seed=seed + TAKE_UP_SEED,
        event_draw=draw if draw.any() else None,
    )
    return Demand(other, parts, take_up, first)
