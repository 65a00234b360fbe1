"""The national and province view (issue 14): the compact demand paths an office's snapshot
stores for an allocation optimiser, and the order of risk the pages sort by. Pure."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

PERIOD_DAYS = 7  # the demand paths are stored per week (the last period may be shorter)
PATHS = 100  # sample paths kept of the forecast's simulated ones
# The stock levels (domain.stock_policy.stock_level), most at risk first.
LEVELS = ("habis", "menipis", "aman")
# Event kinds that are elections (tables_events: pilkades | pemilu | pilkada | lainnya).
ELECTION_KINDS = frozenset({"pilkades", "pemilu", "pilkada"})


def period_lengths(horizon: int, period: int = PERIOD_DAYS) -> list[int]:
    """The periods of a horizon: whole weeks, then the days left (120 -> 17 x 7 + 1)."""
    out = [period] * (horizon // period)
    if horizon % period:
        out.append(horizon % period)
    return out


def demand_paths(paths: np.ndarray, start: date, keep: int = PATHS) -> dict[str, Any]:
    """The forecast's simulated demand (paths x days) as stored in a snapshot: ``keep`` of
    its paths, equally spaced among them (each equally likely), summed per period, and the
    per-period quantiles over all paths (adapters/tables_snapshots.py documents the shape)."""
    n, horizon = paths.shape
    lengths = period_lengths(horizon)
    edges = np.cumsum([0, *lengths])
    per_period = np.add.reduceat(paths, edges[:-1], axis=1) if n and horizon else paths
    rows = np.linspace(0, n - 1, min(keep, n)).round().astype(int) if n else np.array([], int)
    return {
        "start": start.isoformat(),
        "horizon_days": int(horizon),
        "period_days": lengths,
        "paths": [[int(v) for v in per_period[i]] for i in rows],
        "quantiles": {
            name: [int(v) for v in np.quantile(per_period, q, axis=0)] if n else []
            for name, q in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))
        },
        "source_paths": int(n),
    }


def expected_shortfall(stored: dict[str, Any], stock: int, periods: int | None = None) -> float:
    """The mean, over the stored paths, of the blanks demanded beyond ``stock`` in the first
    ``periods`` periods (all by default): residents left waiting, in expectation."""
    rows = stored["paths"]
    if not rows:
        return 0.0
    k = len(rows[0]) if periods is None else periods
    return float(np.mean([max(0, sum(r[:k]) - stock) for r in rows]))


def risk_order(level: str, stockout_probability: float, cover_p50: int) -> tuple[int, float, int]:
    """The sort key that lists offices at risk first: by stock level (habis, menipis,
    aman), then the chance of running out before the next delivery (highest first), then
    the median days of cover (fewest first)."""
    rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
    return (rank, -stockout_probability, cover_p50)
