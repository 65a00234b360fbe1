"""Ledger benchmark: the service layer beside a raw-SQL baseline, on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/ledger.py [--backend sqlite|postgres|both] [--serials 100000]
        [--shipments 25] [--consumptions 5000] [--consume qty|serials|both] [--profile]

Each backend gets a fresh database (SQLite: a temporary file; PostgreSQL: a database created
on the server of BLANGKO_BENCH_POSTGRES_URL, default the local one, dropped afterwards),
migrated with `blangko init` and one office (17.04). After a warm-up query:

  receive    `writes.receive_shipment` per shipment (one serial range each, one transaction
             each: checks, range expansion in SQL, hash-chained entry).
  baseline   the same blank rows (same columns, primary key and indexes; no foreign keys, no
             checks, no ledger) written into plain tables, one transaction per shipment, once
             with executemany and once with one multi-row INSERT per shipment; the rows are
             built in Python before the clock starts. The ratio uses the faster of the two.
  consume    `writes.consume(qty=1)` (lowest available serial at the store) and
             `writes.consume(serials=ONE)`, each call its own transaction.
  baseline   single-row INSERT + COMMIT into a plain table, as many times.
  verify     `queries.verify` on the resulting ledger (chain + replay of every serial).

On PostgreSQL the tables are ANALYZEd (untimed) between receiving and consuming and after each
block of consumptions, as autovacuum would do on a production server (it analyses a table
after about 10 % of its rows changed); --no-analyze leaves the planner without statistics.

Every phase runs once. Service and baseline alternate (shipment by shipment; blocks of 250
consumptions) so that load from other processes on the machine falls on both sides. Both use
the same engine (blangko.adapters.db.make_engine: WAL, synchronous at its default, foreign
keys on; on SQLite every write transaction starts with BEGIN IMMEDIATE on both sides).
Figures go to stdout and to bench/results/ledger-<backend>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from blangko.adapters.db import is_sqlite, make_engine, transaction
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.stock import queries, writes

RESULTS = Path(__file__).parent / "results"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
OFFICE = "17.04"
PREFIX = "KR"
WIDTH = 9

# Published figures the issue compares against (serials per second).
CONSUME_LABEL = {"qty": "qty=1", "serials": "one named serial"}

REFERENCES = {
    "ERPNext (10,000 serials per submission, ~60 s)": 10_000 / 60,
    "Odoo (5,000 serials, ~4 min)": 5_000 / 240,
}

# Wide enough for the tables when the output is not a terminal (a log file, CI).
console = Console(width=None if sys.stdout.isatty() else 110)


# Plain tables for the baselines: the blank table's columns, primary key and indexes, without
# foreign keys, checks or a ledger.
BLANK_COLUMNS = (
    "serial VARCHAR(32) PRIMARY KEY, office_code VARCHAR(5) NOT NULL,"
    " prefix VARCHAR(32) NOT NULL, width INTEGER NOT NULL, number BIGINT NOT NULL,"
    " state VARCHAR(12) NOT NULL, location_id INTEGER, last_seq BIGINT NOT NULL"
)
BASELINE_TABLES = ("bench_blank", "bench_blank_multi", "bench_single")
BASELINE_DDL = [
    ddl
    for name in BASELINE_TABLES
    for ddl in (
        f"CREATE TABLE {name} ({BLANK_COLUMNS})",
        f"CREATE INDEX ix_{name}_range ON {name} (prefix, width, number)",
        f"CREATE INDEX ix_{name}_where ON {name} (office_code, location_id, state)",
    )
]
INSERT_BLANK = (
    "INSERT INTO {table} (serial, office_code, prefix, width, number, state, location_id,"
    " last_seq) VALUES {values}"
)
BLOCK = 250  # consumptions per alternation between the service and the baseline


def _values(placeholder: str, rows: int) -> str:
    one = "(" + ", ".join([placeholder] * 8) + ")"
    return ", ".join([one] * rows)


def serial(n: int) -> str:
    return f"{PREFIX}{n:0{WIDTH}d}"


# Databases -------------------------------------------------------------------------------------


class Database:
    """A fresh, migrated database with the office; removed by close()."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._pg_admin_url: str | None = None
        self._pg_name: str | None = None
        if backend == "sqlite":
            self._tmp = tempfile.TemporaryDirectory(prefix="blangko-bench-")
            self.url = f"sqlite:///{self._tmp.name}/bench.db"
        else:
            base = make_url(os.environ.get("BLANGKO_BENCH_POSTGRES_URL", DEFAULT_PG))
            base = base.set(drivername="postgresql+psycopg")
            self._pg_admin_url = str(base.render_as_string(hide_password=False))
            self._pg_name = f"blangko_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            self._admin(f'CREATE DATABASE "{self._pg_name}"')
            self.url = base.set(database=self._pg_name).render_as_string(hide_password=False)
        self.engine: Engine = make_engine(self.url)
        ctx = Context(self.engine, actor="bench")
        setup.init(ctx, office=OFFICE)
        with transaction(self.engine, write=True) as conn:
            for ddl in BASELINE_DDL:
                conn.exec_driver_sql(ddl)

    def _admin(self, sql: str) -> None:
        assert self._pg_admin_url is not None
        admin = create_engine(self._pg_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(sql))
        finally:
            admin.dispose()

    def server_version(self) -> str:
        with self.engine.connect() as conn:
            if is_sqlite(conn):
                return "SQLite " + conn.exec_driver_sql("SELECT sqlite_version()").scalar_one()
            return conn.exec_driver_sql("SHOW server_version").scalar_one().split()[0]

    def settings(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            if is_sqlite(conn):
                return {
                    "journal_mode": conn.exec_driver_sql("PRAGMA journal_mode").scalar_one(),
                    "synchronous": conn.exec_driver_sql("PRAGMA synchronous").scalar_one(),
                }
            return {
                k: conn.exec_driver_sql(f"SHOW {k}").scalar_one()
                for k in ("synchronous_commit", "fsync", "wal_level")
            }

    def close(self) -> None:
        self.engine.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()
        if self._pg_name is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')


def warm_up(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1").scalar_one()


# Phases ----------------------------------------------------------------------------------------


class Stopwatch:
    """Adds up the wall-clock time of the blocks run under it."""

    def __init__(self) -> None:
        self.total = 0.0

    @contextmanager
    def run(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.total += time.perf_counter() - started


class Profiler:
    """cProfile around the service blocks when --profile is given (it slows them down)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.profiles: dict[str, cProfile.Profile] = {}

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        prof = self.profiles.setdefault(name, cProfile.Profile())
        prof.enable()
        try:
            yield
        finally:
            prof.disable()

    def reports(self) -> dict[str, str]:
        out = {}
        for name, prof in self.profiles.items():
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
            out[name] = buf.getvalue()
        return out


def timed(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def shipments_of(serials: int, shipments: int) -> list[tuple[int, int]]:
    """(first, last) numbers of each shipment; the last one takes any remainder."""
    size = serials // shipments
    out = []
    for i in range(shipments):
        first = i * size + 1
        last = serials if i == shipments - 1 else (i + 1) * size
        out.append((first, last))
    return out


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    console.print(f"[bold]{backend}[/bold]: preparing a fresh database ...")
    db = Database(backend)
    try:
        return _measure(db, args)
    finally:
        db.close()


def _measure(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    engine = db.engine
    modes = ["qty", "serials"] if args.consume == "both" else [args.consume]
    ctx = Context(engine, actor="bench")
    profiler = Profiler(args.profile)
    ranges = shipments_of(args.serials, args.shipments)
    today = ctx.today()
    warm_up(engine)
    load_start = os.getloadavg()

    placeholder = "?" if is_sqlite(engine) else "%s"
    watch = {name: Stopwatch() for name in ("receive", "executemany", "multirow", "single")}

    # a) receiving -------------------------------------------------------------------------
    # Service and baselines alternate shipment by shipment, so that a burst of load from
    # elsewhere on the machine falls on both sides instead of on one phase.
    insert_many = INSERT_BLANK.format(table="bench_blank", values=_values(placeholder, 1))
    rows_per_shipment = [
        [(serial(n), OFFICE, PREFIX, WIDTH, n, "available", 1, i) for n in range(first, last + 1)]
        for i, (first, last) in enumerate(ranges, 1)
    ]
    # One multi-row INSERT per shipment, in chunks that stay under the drivers' limits on
    # bound parameters (SQLite 32,766; PostgreSQL 65,535).
    chunk = 4000
    multirow: dict[int, str] = {}

    def multirow_sql(n: int) -> str:
        if n not in multirow:
            multirow[n] = INSERT_BLANK.format(
                table="bench_blank_multi", values=_values(placeholder, n)
            )
        return multirow[n]

    for i, (first, last) in enumerate(ranges, 1):
        with watch["receive"].run(), profiler.section("receive"):
            writes.receive_shipment(
                ctx,
                serials=f"{serial(first)}-{serial(last)}",
                source="Ditjen Dukcapil",
                document=f"BAST/{i:03d}/2026",
                effective=today,
                office=OFFICE,
            )
        rows = rows_per_shipment[i - 1]
        with watch["executemany"].run(), transaction(engine, write=True) as conn:
            conn.exec_driver_sql(insert_many, rows)
        with watch["multirow"].run(), transaction(engine, write=True) as conn:
            for k in range(0, len(rows), chunk):
                part = rows[k : k + chunk]
                conn.exec_driver_sql(multirow_sql(len(part)), tuple(v for row in part for v in row))

    # This server may run with autovacuum off (the test server does); a production one would
    # have analysed the 100,000 new rows within a minute. Without statistics PostgreSQL
    # picks ix_blank_where for the range lookups and each consumption scans the whole store
    # (--no-analyze shows it). Not timed. SQLite is left as the application leaves it.
    analyzed = not is_sqlite(engine) and not args.no_analyze
    if analyzed:
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("ANALYZE")

    # b) single consumptions -------------------------------------------------------------------
    # qty=1 takes the lowest available serial at the store; "one named serial" names it (the
    # print path scans the card's serial) and takes the serials after those qty=1 took. The
    # service and the baseline alternate in blocks, as above.
    insert_single = INSERT_BLANK.format(table="bench_single", values=_values(placeholder, 1))
    offset = args.consumptions if "qty" in modes else 0
    for start in range(0, args.consumptions, BLOCK):
        block = range(start + 1, min(start + BLOCK, args.consumptions) + 1)
        if "qty" in modes:
            with watch.setdefault("qty", Stopwatch()).run(), profiler.section("consume qty=1"):
                for _ in block:
                    writes.consume(ctx, service="pemula", qty=1, effective=today, office=OFFICE)
        if "serials" in modes:
            with (
                watch.setdefault("serials", Stopwatch()).run(),
                profiler.section("consume by serial"),
            ):
                for n in block:
                    writes.consume(
                        ctx,
                        service="pemula",
                        serials=serial(offset + n),
                        effective=today,
                        office=OFFICE,
                    )
        with watch["single"].run():
            for n in block:
                with transaction(engine, write=True) as conn:
                    conn.exec_driver_sql(
                        insert_single, (serial(n), OFFICE, PREFIX, WIDTH, n, "consumed", None, n)
                    )
        if analyzed:
            # Untimed, as autovacuum analyses a table after about 10 % of its rows changed:
            # ledger_entry grows from 25 rows to 10,000 here, and a plan made for 25 rows
            # (the foreign-key checks' among them) reads every row of it.
            with transaction(engine, write=True) as conn:
                conn.exec_driver_sql("ANALYZE")
    receive_s = watch["receive"].total
    bulk_s = watch["executemany"].total
    multirow_s = watch["multirow"].total
    bulk_best = min(bulk_s, multirow_s)
    single_s = watch["single"].total
    consume_s = {mode: watch[mode].total for mode in modes}

    # verify -----------------------------------------------------------------------------------
    report: dict[str, Any] = {}

    def run_verify() -> None:
        report.update(queries.verify(ctx, office=OFFICE))

    verify_s = timed(run_verify)
    load_end = os.getloadavg()

    balance = queries.balance(ctx, office=OFFICE)
    with engine.connect() as conn:
        baseline_rows = {
            name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in BASELINE_TABLES
        }
    expected_on_hand = args.serials - args.consumptions * len(consume_s)
    checks = {
        "verify_sound": bool(report["sound"]),
        "ledger_entries": report["entries"],
        "ledger_serials": report["serials"],
        "on_hand": balance["on_hand"],
        "on_hand_expected": expected_on_hand,
        "baseline_rows": baseline_rows,
    }
    if not (
        report["sound"]
        and balance["on_hand"] == expected_on_hand
        and baseline_rows["bench_blank"] == args.serials
        and baseline_rows["bench_blank_multi"] == args.serials
        and baseline_rows["bench_single"] == args.consumptions
    ):
        raise SystemExit(f"benchmark produced a wrong ledger: {checks}")

    def op(name: str, seconds: float, ops: int, rows: int, baseline: float | None) -> dict:
        return {
            "operation": name,
            "seconds": round(seconds, 4),
            "ops": ops,
            "per_op_ms": round(seconds / ops * 1000, 4),
            "rows": rows,
            "rows_per_s": round(rows / seconds, 1),
            "ratio_to_baseline": round(seconds / baseline, 2) if baseline else None,
        }

    n_ship = len(ranges)
    operations = [
        op(
            f"receive {args.serials:,} serials, service",
            receive_s,
            n_ship,
            args.serials,
            bulk_best,
        ),
        op("receive, raw executemany", bulk_s, n_ship, args.serials, None),
        op("receive, raw multi-row INSERT", multirow_s, n_ship, args.serials, None),
        *(
            op(
                f"consume {args.consumptions:,} x {CONSUME_LABEL[mode]}, service",
                seconds,
                args.consumptions,
                args.consumptions,
                single_s,
            )
            for mode, seconds in consume_s.items()
        ),
        op(
            f"{args.consumptions:,} x single-row INSERT+COMMIT, raw",
            single_s,
            args.consumptions,
            args.consumptions,
            None,
        ),
        op("verify the resulting ledger", verify_s, 1, report["serials"], None),
    ]
    receive_rate = args.serials / receive_s
    return {
        "backend": db.backend,
        "server": db.server_version(),
        "settings": db.settings(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in load_end],
        },
        "params": {
            "serials": args.serials,
            "shipments": n_ship,
            "serials_per_shipment": args.serials // args.shipments,
            "consumptions": args.consumptions,
            "consume_modes": list(consume_s),
            "postgres_analyzed_after_receive_and_each_block": analyzed,
        },
        "operations": operations,
        "receive_serials_per_s": round(receive_rate, 1),
        "references": [
            {
                "system": name,
                "serials_per_s": round(rate, 1),
                "service_speedup": round(receive_rate / rate, 1),
            }
            for name, rate in REFERENCES.items()
        ],
        "aims": {
            "receive_100x_erpnext": receive_rate >= 100 * max(REFERENCES.values()),
            "receive_within_3x_baseline": receive_s <= 3 * bulk_best,
            **{
                f"consume_{mode}_within_3x_baseline": seconds <= 3 * single_s
                for mode, seconds in consume_s.items()
            },
        },
        "checks": checks,
        "profiles": profiler.reports(),
    }


# Output ----------------------------------------------------------------------------------------


def show(result: dict[str, Any]) -> None:
    m = result["machine"]
    table = Table(
        title=(
            f"{result['backend']} ({result['server']}, {result['settings']}); "
            f"{m['cpus']} CPUs, load {m['loadavg_start'][0]} -> {m['loadavg_end'][0]}"
        ),
        title_justify="left",
    )
    for col in ("operation", "total s", "per op ms", "rows/s", "x baseline"):
        table.add_column(col, justify="left" if col == "operation" else "right")
    for o in result["operations"]:
        table.add_row(
            o["operation"],
            f"{o['seconds']:.3f}",
            f"{o['per_op_ms']:.3f}",
            f"{o['rows_per_s']:,.0f}",
            f"{o['ratio_to_baseline']:.2f}" if o["ratio_to_baseline"] else "",
        )
    console.print(table)
    ref = Table(title="receiving, compared with published figures", title_justify="left")
    ref.add_column("system")
    ref.add_column("serials/s", justify="right")
    ref.add_column("blangko service is x faster", justify="right")
    ref.add_row("blangko service (this run)", f"{result['receive_serials_per_s']:,.0f}", "")
    for r in result["references"]:
        ref.add_row(r["system"], f"{r['serials_per_s']:,.1f}", f"{r['service_speedup']:,.0f}")
    console.print(ref)
    console.print(f"aims: {result['aims']}")
    console.print(f"checks: {result['checks']}")
    for name, text_ in result["profiles"].items():
        console.print(f"[bold]profile: {name}[/bold]")
        console.print(text_, markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--serials", type=int, default=100_000)
    parser.add_argument("--shipments", type=int, default=25)
    parser.add_argument("--consumptions", type=int, default=5_000)
    parser.add_argument(
        "--consume",
        choices=["qty", "serials", "both"],
        default="both",
        help="consume by qty=1 (lowest available), by a named serial, or both (default)",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: do not ANALYZE after receiving and each block (autovacuum off)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the service phases")
    parser.add_argument(
        "--no-save", action="store_true", help="do not write bench/results/ledger-<backend>.json"
    )
    args = parser.parse_args(argv)
    if args.shipments < 1 or args.serials < args.shipments:
        parser.error("--serials must be at least --shipments, which must be at least 1")
    modes = 2 if args.consume == "both" else 1
    if not 1 <= args.consumptions * modes <= args.serials:
        parser.error("--consumptions (twice, with --consume both) must fit in --serials")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        result = run_backend(backend, args)
        show(result)
        if not args.no_save:
            RESULTS.mkdir(exist_ok=True)
            path = RESULTS / f"ledger-{backend}.json"
            saved = {k: v for k, v in result.items() if k != "profiles"}
            path.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
            console.print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
