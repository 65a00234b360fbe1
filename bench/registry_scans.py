"""The registry scans of the forecast and of the counter's pages, timed in-process, with the
plan of each statement (issue 17: a big office's registry of 1 juta residents).

Run from the repository root, on a database you may write (a copy: the first forecast stores
its figure, the pages write the read log):

    PYTHONPATH=src .venv/bin/python bench/registry_scans.py --url sqlite:///COPY.db \
        [--office 17.04] [--repeat 3] [--plans] [--json PATH]

Timed, each ``--repeat`` times (the first is the cold one: nothing of the registry in the
page cache of the database or of the OS after a fresh copy, unless warmed otherwise):

- `applications.count_registry_prr` (THE registry PRR count, in `backlog_of`);
- `forecast.registry_print_history` with the arguments the forecast passes it;
- `applications.backlog_of` (the backlog figure the pages show);
- `worklist.read_work_list`, its first page of 100 rows (what `/layanan/prr` reads);
- the pages `/layanan` and `/layanan/prr` as the head of office (kepala), in-process
  (FastAPI's TestClient, the demo's users and password), body read;
- the whole first forecast, `forecast.forecast` for today (it is not stored: every
  repetition computes it), with the SQL statements that took the most of its time.

The code measured is whatever `blangko` PYTHONPATH gives (e.g. /work/main/src for the
"before" figures), so this script uses only functions that exist before and after.
``--plans`` prints the plan of every timed registry statement (SQLite: EXPLAIN QUERY PLAN;
PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from blangko.adapters.db import make_engine
from blangko.adapters.repos import applications as app_repo
from blangko.adapters.repos import forecast as fc_repo
from blangko.adapters.tables_residents import resident
from blangko.domain import take_up as tu
from blangko.services import forecast, worklist
from blangko.services.admin.users import DEMO_PASSWORD
from blangko.services.applications import backlog_of
from blangko.services.context import Context
from blangko.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Statements:
    """The time of each SQL statement run on the engine while `recording`, by its text."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.took: dict[str, list[float]] = defaultdict(list)
        self.last: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        started = conn.info["bench_started"].pop()
        if self.on:
            self.took[statement].append(time.perf_counter() - started)
            self.last.append((statement, parameters))

    @contextmanager
    def recording(self) -> Iterator[None]:
        self.took.clear()
        self.last.clear()
        self.on = True
        try:
            yield
        finally:
            self.on = False

    def top(self, n: int) -> list[dict[str, Any]]:
        rows = sorted(self.took.items(), key=lambda kv: -sum(kv[1]))[:n]
        return [
            {"ms": round(sum(v) * 1000), "runs": len(v), "sql": " ".join(s.split())[:160]}
            for s, v in rows
        ]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    out, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - started)
    return out, result


def summary(times: list[float]) -> dict[str, Any]:
    ms = [round(x * 1000) for x in times]
    return {"first_ms": ms[0], "median_ms": round(statistics.median(times) * 1000), "all_ms": ms}


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(f"  {r[3]}" for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars()
        return "\n".join("  " + r for r in rows)


def print_history_args(engine: Engine, office: str, as_of: date) -> tuple[date, date]:
    """(since, born_after) as `forecast._registry` passes them."""
    with engine.connect() as conn:
        first = fc_repo.first_use(conn, office, forecast.USE_KINDS)
    start = (
        as_of if first is None else max(first, as_of - timedelta(days=forecast.HISTORY_DAYS_MAX))
    )
    base = start - timedelta(days=tu.WINDOW_DAYS)
    born_after = date(as_of.year - 19, as_of.month, min(as_of.day, 28))
    return base, born_after


def page_client(ctx: Context) -> TestClient:
    app_settings = Settings(demo=True, secret_key="bench-registry-scans-0123456789abcdef")
    from blangko.web.app import create_app

    client = TestClient(create_app(ctx, settings=app_settings))
    client.__enter__()
    page = client.get("/login")
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "no log-in form"
    done = client.post(
        "/login",
        data={"username": "kepala", "password": DEMO_PASSWORD, "csrf": csrf.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code in (302, 303), done.status_code
    return client


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--office", default="17.04")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--forecast-repeat", type=int, default=1)
    ap.add_argument("--plans", action="store_true")
    ap.add_argument("--skip", nargs="*", default=[], help="parts to leave out")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    engine = make_engine(args.url)
    stmts = Statements(engine)
    ctx = Context(engine, actor="bench")
    office, as_of = args.office, ctx.today()
    since, born_after = print_history_args(engine, office, as_of)
    with engine.connect() as conn:
        residents = conn.execute(
            select(func.count()).select_from(resident).where(resident.c.office_code == office)
        ).scalar_one()
    out: dict[str, Any] = {
        "url": args.url.split("@")[-1],
        "office": office,
        "as_of": as_of.isoformat(),
        "since": since.isoformat(),
        "residents": residents,
        "load_start": os.getloadavg(),
        "code": str(Path(forecast.__file__).resolve().parents[1]),
        "timings": {},
    }

    def read(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        def go() -> Any:
            with engine.connect() as conn:
                return fn(conn)

        return go

    parts: dict[str, Callable[[], Any]] = {
        "count_registry_prr": read(lambda c: app_repo.count_registry_prr(c, office, as_of)),
        "registry_print_history": read(
            lambda c: len(fc_repo.registry_print_history(c, office, since, as_of, born_after))
        ),
        "backlog_of": read(lambda c: backlog_of(c, office, as_of)["print_backlog"]),
        "read_work_list": read(
            lambda c: worklist.read_work_list(c, office, as_of, limit=100)["total"]
        ),
    }
    for name, fn in parts.items():
        if name in args.skip:
            continue
        with stmts.recording():
            times, result = timed(fn, args.repeat)
        out["timings"][name] = {**summary(times), "result": result}
        print(f"{name}: {summary(times)} -> {result}", flush=True)
        if args.plans:
            seen = set()
            for statement, params in stmts.last:
                if statement in seen:
                    continue
                seen.add(statement)
                print(" ".join(statement.split())[:300])
                print(plan(engine, statement, params), flush=True)

    if "pages" not in args.skip:
        client = page_client(ctx)
        for path in ("/layanan", "/layanan/prr"):

            def get(p: str = path) -> int:
                r = client.get(p)
                assert r.status_code == 200, (p, r.status_code)
                return len(r.content)

            with stmts.recording():
                times, size = timed(get, args.repeat)
            out["timings"][path] = {**summary(times), "bytes": size, "top_sql": stmts.top(5)}
            print(f"{path}: {summary(times)}", flush=True)
            for s in stmts.top(5):
                print("   ", s, flush=True)
        client.__exit__(None, None, None)

    if "forecast" not in args.skip:
        with stmts.recording():
            times, _ = timed(
                lambda: forecast.forecast(ctx, as_of=as_of, office=office), args.forecast_repeat
            )
        out["timings"]["forecast"] = {**summary(times), "top_sql": stmts.top(8)}
        print(f"forecast: {summary(times)}", flush=True)
        for s in stmts.top(8):
            print("   ", s, flush=True)
    out["load_end"] = os.getloadavg()
    print("load", out["load_start"], "->", out["load_end"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
