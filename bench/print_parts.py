"""Where a print's time goes, in process: each step of the per-print path timed on its own.

Run from the repository root:

    .venv/bin/python bench/print_parts.py [--backend sqlite|postgres] [--consume qty|serials]
        [--prints 2000]

A fresh database as bench/ledger.py makes it (one office, 20,000 blanks received in one
shipment; PostgreSQL ANALYZEd after), 50 warm-up prints, then --prints single consumptions,
each its own transaction. The repository functions of the print path, the connection's
check-out and COMMIT are wrapped with `time.perf_counter` (no profiler: it would slow
SQLAlchemy's Python more than the driver's C); it prints µs per print for each, largest
first. The wrappers nest (a take includes its statement), so the rows do not add up to the
total.
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Any

from ledger import OFFICE, Database, serial  # bench/ledger.py, beside this file
from sqlalchemy.engine import base, default

from blangko.adapters.repos import ledger as ledger_repo
from blangko.services.context import Context
from blangko.services.stock import entries, writes

SPENT: dict[str, float] = {}


def timed(owner: Any, name: str, label: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] = SPENT.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


STEPS = [
    (ledger_repo, "lock_head", "lock and ledger state"),
    (ledger_repo, "take_lowest", "take (by quantity)"),
    (ledger_repo, "take_named", "take (a named serial)"),
    (ledger_repo, "insert_entry", "entry, range and head"),
    (ledger_repo, "insert_taken_entry", "take, entry, range and head (PostgreSQL, one statement)"),
    (ledger_repo, "_entry_values", "  of which the entry's hash and values"),
    (entries, "_record", "the entry record"),
    (base.Engine, "connect", "connection check-out (PostgreSQL: with its ping)"),
    (base.Connection, "begin", "BEGIN (SQLite: BEGIN IMMEDIATE)"),
    (default.DefaultDialect, "do_commit", "COMMIT"),
    (base.Connection, "close", "connection check-in"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--consume", choices=["qty", "serials"], default="qty")
    ap.add_argument("--prints", type=int, default=2000)
    args = ap.parse_args()
    db = Database(args.backend)
    try:
        ctx = Context(db.engine, actor="bench")
        today = ctx.today()
        writes.receive_shipment(
            ctx,
            serials=f"{serial(1)}-{serial(20_000)}",
            source="Ditjen Dukcapil",
            document="BAST/001/2026",
            effective=today,
            office=OFFICE,
        )
        if args.backend == "postgres":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")

        def one(n: int) -> None:
            if args.consume == "qty":
                writes.consume(ctx, service="pemula", qty=1, effective=today, office=OFFICE)
            else:
                writes.consume(
                    ctx,
                    service="pemula",
                    serials=serial(10_000 + n),
                    effective=today,
                    office=OFFICE,
                )

        for n in range(50):
            one(n)
        for owner, name, label in STEPS:
            timed(owner, name, label)
        started = time.perf_counter()
        for n in range(50, 50 + args.prints):
            one(n)
        total = time.perf_counter() - started
    finally:
        db.close()
    print(
        f"{args.backend}, {args.consume}: {args.prints} prints, {1e6 * total / args.prints:.0f} µs each"
    )
    for label, seconds in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        print(f"  {1e6 * seconds / args.prints:7.1f} µs  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
