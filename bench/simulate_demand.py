"""Simulated office histories, as used by the forecast tests and backtests.

The generator lives in blangko.domain.demand_simulation (documented there): weekday pattern,
national holidays, a multi-week closure whose demand comes back after reopening, an election
surge and a trend, with negative-binomial noise. This script prints one history's summary
and can write it as CSV (date,used,open) to look at or feed elsewhere.

    .venv/bin/python bench/simulate_demand.py --seed 3 --days 440 --csv /tmp/office.csv
"""

from __future__ import annotations

import argparse
import csv
from datetime import date

from blangko.domain.calendar import indonesian_holidays
from blangko.domain.demand_simulation import simulate_history


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--start", default="2025-09-01")
    ap.add_argument("--days", type=int, default=440)
    ap.add_argument("--base", type=float, default=6.0, help="blanks per ordinary open day")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", help="write date,used,open to this file")
    a = ap.parse_args()
    start = date.fromisoformat(a.start)
    years = range(start.year, start.year + a.days // 365 + 2)
    h = simulate_history(
        start=start,
        days=a.days,
        base=a.base,
        seed=a.seed,
        holidays=frozenset(indonesian_holidays(years)),
    )
    days = h.days
    print(
        f"{a.days} days from {start}: {int(h.used.sum())} blanks used on {int(h.open.sum())} open days"
    )
    for first, last in h.closures:
        print(f"closure {first} .. {last}")
    if h.election_window:
        w0, w1 = h.election_window
        in_window = sum(u for d, u in zip(days, h.used, strict=True) if w0 <= d <= w1)
        print(f"election {w1}: {int(in_window)} blanks used in its window from {w0}")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["date", "used", "open"])
            for d, u, o in zip(days, h.used, h.open, strict=True):
                w.writerow([d.isoformat(), int(u), int(o)])
        print(f"written {a.csv}")


if __name__ == "__main__":
    main()
