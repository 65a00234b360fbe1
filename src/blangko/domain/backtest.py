"""Rolling-origin backtest of daily demand forecasts against simple baselines.

Scores are computed on the days the office was open (a closed day is a known zero for every
method and would flatter them all). Scale for MASE and the scaled pinball loss: the in-sample
mean absolute error of the weekly seasonal naive forecast over each origin's training data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from blangko.domain import demand
from blangko.domain import forecast as fc
from blangko.domain import take_up as tu

QUANTILES = fc.QUANTILES

# forecaster(start, used, open, future_open) -> array (len(QUANTILES), horizon)
Forecaster = Callable[[date, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def pinball(y: np.ndarray, q_pred: np.ndarray, q: float) -> np.ndarray:
    diff = y - q_pred
    return np.maximum(q * diff, (q - 1) * diff)


def inside(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """How much of each actual lies inside [lo, hi]: 1 strictly inside, 1/2 on a bound.

    Counts are integers and so are the quantiles, so an actual often equals a bound; counting
    that as fully inside overstates coverage of small counts (an interval [2, 9] of a mean-4
    count holds far more than 90 %). Half weight on a bound is the mid-PIT convention for
    discrete forecasts; a degenerate interval (lo == hi == y) counts as inside.
    """
    strictly = (y > lo) & (y < hi)
    on_bound = 0.5 * ((y == lo).astype(float) + (y == hi).astype(float))
    return np.minimum(1.0, strictly + on_bound)


def seasonal_scale(used: np.ndarray, open_flags: np.ndarray) -> float:
    """Mean |y_t - y_(t-7)| over open days whose previous same weekday was open too."""
    pairs = [
        abs(used[i] - used[i - 7])
        for i in range(7, len(used))
        if open_flags[i] and open_flags[i - 7]
    ]
    return float(np.mean(pairs)) if pairs and np.mean(pairs) > 0 else 1.0


def _empirical_quantiles(
    point: np.ndarray, residuals: np.ndarray, future_open: np.ndarray
) -> np.ndarray:
    res = residuals if len(residuals) else np.zeros(1)
    offsets = np.quantile(res, QUANTILES)
    out = np.maximum(0.0, point[None, :] + offsets[:, None])
    return out * future_open[None, :]


def seasonal_naive(
    start: date, used: np.ndarray, open_flags: np.ndarray, future_open: np.ndarray
) -> np.ndarray:
    """Each weekday repeats its last open value; intervals from in-sample seasonal errors."""
    last: dict[int, float] = {}
    for i in range(len(used)):
        if open_flags[i]:
            last[(start + timedelta(days=i)).weekday()] = used[i]
    origin = start + timedelta(days=len(used))
    fallback = float(np.mean(used[open_flags])) if open_flags.any() else 0.0
    point = np.array(
        [
            last.get((origin + timedelta(days=h)).weekday(), fallback)
            for h in range(len(future_open))
        ]
    )
    res = np.array(
        [used[i] - used[i - 7] for i in range(7, len(used)) if open_flags[i] and open_flags[i - 7]]
    )
    return _empirical_quantiles(point, res, future_open)


def moving_average_28(
    start: date, used: np.ndarray, open_flags: np.ndarray, future_open: np.ndarray
) -> np.ndarray:
    """Mean of the last 28 open days; intervals from the spread of open days around it."""
    recent = used[open_flags][-28:]
    mean = float(np.mean(recent)) if len(recent) else 0.0
    point = np.full(len(future_open), mean)
    return _empirical_quantiles(point, recent - mean, future_open)


def nb_model(
    n_paths: int = 1000, seed: int = 0, event_windows: tuple[tuple[date, date], ...] = ()
) -> Forecaster:
    """The count model on the blanks used alone (the forecast before the registry's parts)."""

    def run(
        start: date, used: np.ndarray, open_flags: np.ndarray, future_open: np.ndarray
    ) -> np.ndarray:
        origin = start + timedelta(days=len(used))
        past = tuple(w for w in event_windows if w[0] < origin)
        return fc.forecast_paths(
            start, used, open_flags, future_open, event_windows=past, n_paths=n_paths, seed=seed
        ).quantiles()

    return run


def nb_prr_model(
    registry: tu.Registry,
    ledger_first: np.ndarray,
    n_paths: int = 1000,
    seed: int = 0,
    event_windows: tuple[tuple[date, date], ...] = (),
) -> Forecaster:
    """The forecast's model (`demand.forecast`, as services.forecast runs it, without the
    events and the queue to come): the count model fitted to the blanks used less their
    first cards (``ledger_first``: the ledger's first cards per day, aligned with the
    history's start) for replacements and other use, plus the backlog of the origin coming
    in and the recordings forecast joining it, at take-up rates estimated on the registry up
    to the origin. Without a recorded resident it is `nb_model`."""

    def run(
        start: date, used: np.ndarray, open_flags: np.ndarray, future_open: np.ndarray
    ) -> np.ndarray:
        d = demand.forecast(
            start,
            used,
            open_flags,
            future_open,
            registry,
            ledger_first,
            n_paths=n_paths,
            seed=seed,
            event_windows=event_windows,
        )
        return np.quantile(d.paths, QUANTILES, axis=0)

    return run


def forecasters(
    registry: tu.Registry | None = None,
    ledger_first: np.ndarray | None = None,
    *,
    event_windows: tuple[tuple[date, date], ...] = (),
    n_paths: int = 1000,
    seed: int = 0,
) -> dict[str, Forecaster]:
    """The models a backtest compares, in the order they are shown: the count model on the
    blanks used (``nb_glm``), the forecast's model (``nb_glm_prr``, when a registry is
    given; ``ledger_first``: the ledger's first cards per day, none by default) and the
    baselines ``seasonal_naive`` and ``moving_average_28``. The one set of models of
    `blangko forecast backtest` and of bench/backtest.py."""
    models = {"nb_glm": nb_model(n_paths, seed, event_windows)}
    if registry is not None:
        first = np.zeros(0) if ledger_first is None else ledger_first
        models["nb_glm_prr"] = nb_prr_model(registry, first, n_paths, seed, event_windows)
    return models | {"seasonal_naive": seasonal_naive, "moving_average_28": moving_average_28}


@dataclass(frozen=True)
class Scores:
    mase: float
    scaled_pinball: float
    coverage_50: float
    coverage_90: float
    days_scored: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "mase": round(self.mase, 4),
            "scaled_pinball": round(self.scaled_pinball, 4),
            "coverage_50": round(self.coverage_50, 4),
            "coverage_90": round(self.coverage_90, 4),
            "days_scored": self.days_scored,
        }


def origins_for(n_days: int, horizon: int, min_train: int, n_origins: int, step: int) -> list[int]:
    """Origin offsets, the last one leaving exactly one horizon of data after it."""
    last = n_days - horizon
    out = [last - k * step for k in range(n_origins)]
    return sorted(o for o in out if o >= min_train)


def backtest(
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    forecasters: dict[str, Forecaster],
    *,
    horizon: int = 28,
    n_origins: int = 6,
    step: int = 7,
    min_train: int = 56,
) -> tuple[list[int], dict[str, Scores]]:
    origins = origins_for(len(used), horizon, min_train, n_origins, step)
    sums: dict[str, dict[str, float]] = {
        name: {"ae": 0.0, "pb": 0.0, "in50": 0.0, "in90": 0.0, "n": 0.0} for name in forecasters
    }
    for o in origins:
        train_used, train_open = used[:o], open_flags[:o]
        actual, fut_open = used[o : o + horizon], open_flags[o : o + horizon]
        scale = seasonal_scale(train_used, train_open)
        mask = fut_open.astype(bool)
        for name, f in forecasters.items():
            q = f(start, train_used, train_open, fut_open)
            y = actual[mask]
            qs = q[:, mask]
            s = sums[name]
            s["ae"] += float(np.sum(np.abs(y - qs[2]))) / scale
            s["pb"] += (
                float(
                    sum(np.sum(pinball(y, qs[i], qq)) for i, qq in enumerate(QUANTILES))
                    / len(QUANTILES)
                )
                / scale
            )
            s["in50"] += float(np.sum(inside(y, qs[1], qs[3])))
            s["in90"] += float(np.sum(inside(y, qs[0], qs[4])))
            s["n"] += len(y)
    scores = {}
    for name, s in sums.items():
        n = max(1.0, s["n"])
        scores[name] = Scores(s["ae"] / n, s["pb"] / n, s["in50"] / n, s["in90"] / n, int(s["n"]))
    return origins, scores


@dataclass(frozen=True)
class PartCheck:
    """One part of the forecast's model against what followed, summed over the origins'
    scored (open) days: the expected blanks and the blanks the history shows."""

    part: str  # "first_cards" or "replacements_other"
    forecast: float
    actual: float

    def as_dict(self) -> dict[str, str | float]:
        return {
            "part": self.part,
            "forecast": round(self.forecast, 1),
            "actual": round(self.actual, 1),
        }


def part_checks(
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    registry: tu.Registry,
    ledger_first: np.ndarray,
    *,
    horizon: int = 28,
    n_origins: int = 6,
    step: int = 7,
    min_train: int = 56,
    event_windows: tuple[tuple[date, date], ...] = (),
    n_paths: int = 500,
    seed: int = 0,
) -> list[PartCheck]:
    """The forecast's two parts at the backtest's origins against what followed: the first
    cards (the backlog and the new recordings coming in) against the first cards of the
    blanks used (`take_up.first_cards_in_use` over the whole history), the replacements and
    other use against the rest. The total's score can hide two errors that cancel (too many
    first cards, too little other use); these cannot."""
    ledger = np.zeros(len(used))
    known = min(len(used), len(ledger_first))
    ledger[:known] = np.asarray(ledger_first, dtype=float)[:known]
    first_all = tu.first_cards_in_use(used, ledger, registry.first_prints(start, len(used)))
    sums = np.zeros(4)  # forecast first, actual first, forecast other, actual other
    for o in origins_for(len(used), horizon, min_train, n_origins, step):
        fut = open_flags[o : o + horizon].astype(bool)
        d = demand.forecast(
            start,
            used[:o],
            open_flags[:o],
            fut,
            registry,
            ledger[:o],
            n_paths=n_paths,
            seed=seed,
            event_windows=event_windows,
        )
        first = first_all[o : o + horizon][fut]
        sums += (
            d.parts.total.mean(axis=0)[fut].sum(),
            first.sum(),
            d.other.paths.mean(axis=0)[fut].sum(),
            used[o : o + horizon][fut].sum() - first.sum(),
        )
    return [
        PartCheck("first_cards", float(sums[0]), float(sums[1])),
        PartCheck("replacements_other", float(sums[2]), float(sums[3])),
    ]
