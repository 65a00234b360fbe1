"""Backtest figures of the forecast models on simulated offices (no database, a few seconds).

Cases (blangko.domain.demand_simulation):
- ledger: the six ledger histories of tests/unit/test_forecast.py (weekday pattern,
  holidays, a three-week closure, an election surge, a trend), no registry: 8 origins;
- registry, steady: offices whose first cards come from their registry (an old backlog of
  3.000 recorded, unprinted residents, 8 recordings a working day, replacements 4 a day),
  three seeds: 6 origins;
- registry, campaign: the same offices where a campaign clears the old backlog over two
  months (days 300-360, 8 % of it a day), origins 2 to 7 weeks after it ended.

Models: `nb_glm` (the count model on the blanks used: the forecast before the registry's
parts), `nb_glm_prr` (the forecast's model: the count model on the blanks used less the
first cards, plus the registry's backlog and new recordings at their take-up rates), and the
baselines `seasonal_naive` and `moving_average_28`. Scores as `blangko forecast backtest`
gives them (domain.backtest), averaged over the offices of a case.

    .venv/bin/python bench/backtest.py

Writes bench/results/backtest.json.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np

from blangko.domain import backtest as bt
from blangko.domain import demand_simulation as ds
from blangko.domain import take_up as tu
from blangko.domain.calendar import indonesian_holidays

RESULTS = Path(__file__).parent / "results"
START = date(2025, 9, 1)
HOLIDAYS = frozenset(indonesian_holidays([2024, 2025, 2026, 2027]))
METRICS = ("mase", "scaled_pinball", "coverage_50", "coverage_90")


def ledger_case() -> list[dict[str, bt.Scores]]:
    out = []
    for seed in range(6):
        h = ds.simulate_history(start=START, days=440, holidays=HOLIDAYS, seed=100 + seed)
        assert h.election_window is not None
        empty = tu.Registry(
            START,
            *(np.zeros(0, np.int64),) * 3,
            np.zeros(0, bool),
            np.ones(440, bool),
            np.ones(440, bool),
        )
        models = bt.forecasters(empty, event_windows=(h.election_window,))
        out.append(bt.backtest(h.start, h.used, h.open, models, n_origins=8)[1])
    return out


def registry_case(campaign: tuple[int, int, float] | None) -> list[dict[str, bt.Scores]]:
    out = []
    for seed in range(3):
        o = ds.simulate_registry_office(
            start=START, holidays=HOLIDAYS, seed=seed, campaign=campaign
        )
        models = bt.forecasters(o.registry, o.first)
        out.append(bt.backtest(o.start, o.used, o.open, models)[1])
    return out


def mean_scores(runs: list[dict[str, bt.Scores]]) -> dict[str, dict[str, float]]:
    return {
        name: {m: round(float(np.mean([getattr(r[name], m) for r in runs])), 4) for m in METRICS}
        for name in runs[0]
    }


def main() -> None:
    cases = {
        "ledger (6 histories, no registry)": ledger_case(),
        "registry, steady (3 offices)": registry_case(None),
        "registry, campaign clears 3.000 PRR (3 offices)": registry_case((300, 61, 0.08)),
    }
    result = {case: mean_scores(runs) for case, runs in cases.items()}
    for case, scores in result.items():
        print(case)
        print(f"  {'model':20} {'MASE':>7} {'pinball':>8} {'cov50':>6} {'cov90':>6}")
        for name, s in scores.items():
            print(
                f"  {name:20} {s['mase']:7.3f} {s['scaled_pinball']:8.3f} "
                f"{s['coverage_50']:6.2f} {s['coverage_90']:6.2f}"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "backtest.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
