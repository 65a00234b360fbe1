"""The ledger's sums timed in-process, before and after the stored daily totals (issue 17).

Run from the repository root on a COPY of a SQLite database (it is written to: migrated to
this code's head, and a transfer before each chart view):

    PYTHONPATH=src .venv/bin/python bench/day_totals.py --db COPY.db [--repeat 5] [--lag N]

The same script runs with the code before the totals (PYTHONPATH=<old checkout>/src): it
only calls functions both have. It times, median of ``--repeat`` calls after a first one:
the repository functions (`quantity_by_kind`, `daily_moves`, `usage_by_day`, the
forecast's `use_per_day`, `consumed_by_service`, `consumed_per_service_day` over the
forecast's 730 days), the services of /stok (`balance`) and of the two charts
(`stock_series`, `usage_series`), and through the web app /stok and the stock chart, each
chart view after a transfer (so that it is drawn again). ``--lag N`` (with the totals):
first folds all but the office's last N entries, so that every read sums N entries after
the mark (FOLD_AFTER is the most a read sums without folding).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from blangko.adapters.db import migrate
from blangko.adapters.repos import forecast as forecast_repo
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.errors import Conflict
from blangko.services import dashboard
from blangko.services.admin import users
from blangko.services.context import context_from_settings
from blangko.services.stock import queries, writes
from blangko.settings import Settings
from blangko.web.app import create_app

OFFICE = "17.04"
PASSWORD = "kata-sandi-bench-1"
SECRET = "bench-secret-key-0123456789abcdef0123"
USE_KINDS = ("consume", "spoil")


def timed(repeat: int, call: Callable[[], Any]) -> tuple[float, float]:
    """(first, median of the next ``repeat``) in ms."""
    t0 = time.perf_counter()
    call()
    first = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append((time.perf_counter() - t0) * 1000)
    return first, statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a COPY of a SQLite database")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lag", type=int, default=None)
    args = ap.parse_args()
    settings = Settings(database_url=f"sqlite:///{args.db}", secret_key=SECRET)
    ctx = context_from_settings(settings, actor="bench")
    t0 = time.perf_counter()
    applied = migrate(ctx.engine)
    print(f"migrations applied: {applied or 'none'} ({time.perf_counter() - t0:.1f} s)")
    with ctx.read() as conn:
        entries = ledger_repo.head_seq(conn, OFFICE)
    print(f"office {OFFICE}: {entries} entries")
    if args.lag is not None:
        from blangko.adapters.repos import day_totals

        with ctx.write_plain() as conn:
            conn.execute(text("DELETE FROM ledger_day_total"))
            conn.execute(text("DELETE FROM ledger_total_mark"))
        t0 = time.perf_counter()
        with ctx.write_plain() as conn:
            day_totals.fold(conn, OFFICE, entries - args.lag)
        print(f"folded {entries - args.lag} entries from scratch: {time.perf_counter() - t0:.1f} s")
    today = ctx.today()
    first, last = today - timedelta(days=730), today - timedelta(days=1)

    def repo(call: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with ctx.read() as conn:
                return call(conn)

        return run

    rows: list[tuple[str, Callable[[], Any]]] = [
        ("quantity_by_kind", repo(lambda c: ledger_repo.quantity_by_kind(c, OFFICE, today))),
        ("daily_moves", repo(lambda c: ledger_repo.daily_moves(c, OFFICE))),
        ("usage_by_day", repo(lambda c: ledger_repo.usage_by_day(c, OFFICE, "consume"))),
        (
            "use_per_day (730 days)",
            repo(lambda c: forecast_repo.use_per_day(c, OFFICE, USE_KINDS, first, last)),
        ),
        (
            "consumed_by_service",
            repo(lambda c: forecast_repo.consumed_by_service(c, OFFICE, first, today)),
        ),
        (
            "consumed_per_service_day",
            repo(lambda c: forecast_repo.consumed_per_service_day(c, OFFICE, first, last)),
        ),
        ("balance (/stok's sums)", lambda: queries.balance(ctx, office=OFFICE)),
        ("stock_series (chart)", lambda: dashboard.stock_series(ctx, OFFICE)),
        ("usage_series (chart)", lambda: dashboard.usage_series(ctx, OFFICE)),
    ]
    with contextlib.suppress(Conflict):  # a database this script ran on before
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username="bench-kepala",
            role="kepala",
            password=PASSWORD,
            office=OFFICE,
        )
    client = TestClient(create_app(settings))
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login",
        data={"username": "bench-kepala", "password": PASSWORD, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )

    def get(path: str) -> Callable[[], Any]:
        def run() -> Any:
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)

        return run

    def after_a_transfer(path: str) -> Callable[[], Any]:
        def run() -> Any:
            writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1")
            t0 = time.perf_counter()
            get(path)()
            return time.perf_counter() - t0

        return run

    rows += [
        ("GET /stok", get("/stok")),
        ("GET /grafik/stok.svg after a transfer", after_a_transfer("/grafik/stok.svg")),
    ]
    print(f"{'what':40} {'first ms':>10} {'median ms':>10}")
    for name, call in rows:
        first_ms, median_ms = timed(args.repeat, call)
        print(f"{name:40} {first_ms:10.1f} {median_ms:10.1f}")


if __name__ == "__main__":
    main()
