"""Forecast + stock decisions for one office and for all 514 regencies/cities.

Set-up (not timed): a SQLite database with the 514 offices of the region list, each with a
simulated 400-day history of daily blank use (blangko.domain.demand_simulation, one seed per
office) written straight into ledger_entry as one consume entry per open day. The history
rows are bench data: they skip the hash chain, which the forecast does not read.

Timed: `blangko.services.forecast.forecast` (history read, calendar, fit, 2,000 paths x 120
days, decisions) for one office cold and warm, then for all offices in one process and
across 2 worker processes; beside the raw part that every method pays, the SQL GROUP BY of
daily use per office, in the same run.

    .venv/bin/python bench/forecast.py [--offices 514] [--workers 2]

Targets (issue "Forecast demand and decide stock"): one office under 2 s, 514 under 2 min.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.domain.calendar import indonesian_holidays
from blangko.domain.demand_simulation import simulate_history
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.forecast import daily_use, forecast

RESULTS = Path(__file__).parent / "results"


def build(url: str, n_offices: int, today: date) -> list[str]:
    engine = make_engine(url)
    ctx = Context(engine, actor="bench")
    setup.init(ctx)
    with engine.connect() as conn:
        codes = list(
            conn.execute(
                select(t.region.c.code)
                .where(t.region.c.level == "kabupaten_kota")
                .order_by(t.region.c.code)
            ).scalars()
        )[:n_offices]
    hol = frozenset(indonesian_holidays(range(today.year - 2, today.year + 2)))
    start = today - timedelta(days=400)
    now = datetime.utcnow()
    for i, code in enumerate(codes):
        with engine.begin() as conn:
            conn.execute(
                insert(t.office).values(
                    code=code,
                    name=f"Bench {code}",
                    created_at=now,
                    ledger_seq=0,
                    ledger_hash="0" * 64,
                )
            )
            loc = conn.execute(
                insert(t.location)
                .values(office_code=code, name="gudang", kind="store", created_at=now)
                .returning(t.location.c.id)
            ).scalar_one()
            h = simulate_history(start=start, days=400, base=3 + (i % 20), holidays=hol, seed=i)
            rows = []
            for k, (d, u) in enumerate(zip(h.days, h.used, strict=True)):
                if u > 0:
                    rows.append(
                        {
                            "office_code": code,
                            "seq": k + 1,
                            "kind": "consume",
                            "effective_date": d,
                            "recorded_at": now,
                            "actor": "bench",
                            "from_location": loc,
                            "service": "pemula",
                            "quantity": int(u),
                            "serials": "X",
                            "prev_hash": "0" * 64,
                            "hash": "0" * 64,
                        }
                    )
            conn.execute(insert(t.ledger_entry), rows)
    engine.dispose()
    return codes


def _run_chunk(args: tuple[str, list[str], str]) -> float:
    url, codes, as_of = args
    ctx = Context(make_engine(url), actor="bench")
    started = time.perf_counter()
    for code in codes:
        forecast(ctx, office=code, as_of=date.fromisoformat(as_of))
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offices", type=int, default=514)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    today = date(2026, 11, 27)
    tmp = tempfile.mkdtemp(prefix="blangko-bench-")
    url = f"sqlite:///{os.path.join(tmp, 'forecast.db')}"
    t0 = time.perf_counter()
    codes = build(url, a.offices, today)
    print(
        f"set-up: {len(codes)} offices with 400-day histories in {time.perf_counter() - t0:.1f} s"
    )

    ctx = Context(make_engine(url), actor="bench")
    t0 = time.perf_counter()
    first = forecast(ctx, office=codes[0], as_of=today)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    forecast(ctx, office=codes[1], as_of=today)
    warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    with ctx.read() as conn:
        for code in codes:
            daily_use(conn, code, today - timedelta(days=400), today - timedelta(days=1))
    raw_sql = time.perf_counter() - t0

    serial = _run_chunk((url, codes, today.isoformat()))
    chunks = [codes[i :: a.workers] for i in range(a.workers)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.workers) as pool:
        list(pool.map(_run_chunk, [(url, c, today.isoformat()) for c in chunks]))
    parallel = time.perf_counter() - t0

    result = {
        "offices": len(codes),
        "one_office_cold_s": round(cold, 3),
        "one_office_warm_s": round(warm, 3),
        "all_offices_one_process_s": round(serial, 1),
        f"all_offices_{a.workers}_workers_s": round(parallel, 1),
        "raw_sql_daily_use_all_offices_s": round(raw_sql, 2),
        "paths": first["model"]["paths"],
        "horizon_days": first["horizon_days"],
        "cpu_count": os.cpu_count(),
    }
    print(f"{'what':44} {'seconds':>9}")
    for k, v in result.items():
        print(f"{k:44} {v:>9}")
    print("targets: one office < 2 s; 514 offices < 120 s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "forecast-sqlite.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
