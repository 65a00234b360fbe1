"""Scale, measured (issue 14 point 6): every regency's office on one PostgreSQL, a year of
ledger history at the national print volume split by population, registries at a fraction of
the population; then the snapshot job, the allocation and the national page, timed.

    .venv/bin/python bench/national_scale.py [--fraction 0.1] [--registry-divisor 20]
        [--months 12] [--clients 20] [--duration 30] [--budget 1800] [--force]
        [--registry-path copy|upsert] [--build-workers N] [--build-only]

Scale: `--fraction` of the national volume (1,5 juta prints a month in total, FIELD.md's top
of 1 to 1,5 juta) and of the registries (population / `--registry-divisor`, 20: the
issue's 1/20); `--fraction 1` is the full scale. The figures say which scale they are of.

How it is built (bench/big_office.py's techniques): offices and their store and station
through the services (setup.create_office, add_location); per office a history of
`--months` months before today: receipts of 10.000 at the store, transfers of 1.000 to the
station, one consumption per print (weekday pattern, Sundays closed), each entry hash-chained
as the ledger does, written with COPY office by office (memory bounded by the largest
office); every blank of the history consumed, then a last receipt of a month's prints left at
the store. Residents from the demo's generator (`--registry-path copy`, the default: as a first
load, the generator in `--build-workers` processes and each office's rows COPYed into
`resident`, which leaves what the upsert leaves; `upsert`: through the registry import's batch
upsert, `registry.write_records`, one process).
`blangko stock verify` is run on a sample of offices and must find them sound.

Cached as a PostgreSQL template database `blangko_bench_national_<key>` (key: date, scale,
migrations); each run measures on its own copy, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).parent))

import big_office as bo  # noqa: E402
import national as nat  # noqa: E402

import web as bw  # noqa: E402
from blangko.adapters import tables as t  # noqa: E402
from blangko.adapters import tables_residents as tr  # noqa: E402
from blangko.adapters.repos import registry as registry_repo  # noqa: E402
from blangko.adapters.repos.ledger import span_class  # noqa: E402
from blangko.adapters.tables_snapshots import office_snapshot  # noqa: E402
from blangko.demo import residents as demo_residents  # noqa: E402
from blangko.domain.allocation import AllocationInput, OfficeNeed, compare, optimise  # noqa: E402
from blangko.domain.demand_simulation import WEEKDAY_FACTORS  # noqa: E402
from blangko.domain.errors import NotFound  # noqa: E402
from blangko.domain.ledger import GENESIS_HASH, TYPES, EntryRecord  # noqa: E402
from blangko.services.admin import setup, users  # noqa: E402
from blangko.services.context import Context, context_from_settings  # noqa: E402
from blangko.services.network import organisation, snapshots  # noqa: E402
from blangko.services.stock import queries  # noqa: E402
from blangko.settings import Settings  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NATIONAL_MONTHLY = 1_500_000
HOME = "17.04"
PREFIX, WIDTH = "KN", 9
RECEIPT, TRANSFER = 10_000, 1_000
STATION = "loket-1"


def key_of(args: argparse.Namespace) -> str:
    k = bo.cache_key(0, 0).split("_")
    return f"{k[0]}_{args.fraction:g}_{args.registry_divisor}_{args.months}_{k[-1]}".replace(
        ".", "p"
    )


class Writer:
    """One office's history, chained and written with COPY."""

    def __init__(self, raw: Any, office: str, store: int, station: int, first_no: int) -> None:
        self.raw, self.office, self.store, self.station = raw, office, store, station
        self.no = first_no  # next serial number
        self.seq, self.prev = 0, GENESIS_HASH
        self.rows: list[tuple[Any, ...]] = []
        self.ranges: list[tuple[Any, ...]] = []
        self.blanks: list[tuple[Any, ...]] = []

    def add(self, kind: str, day: date, i: int, qty: int, first: int, **f: Any) -> None:
        self.seq += 1
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, seconds=i * 20)
        s = f"{PREFIX}{first:0{WIDTH}d}"
        serials = s if qty == 1 else f"{s}-{PREFIX}{first + qty - 1:0{WIDTH}d}"
        rec = EntryRecord(
            office=self.office,
            seq=self.seq,
            kind=kind,
            effective_date=day,
            recorded_at=at,
            actor=f.get("actor", "stok"),
            from_location=f.get("from_location"),
            to_location=f.get("to_location"),
            service=f.get("service"),
            reason=None,
            document=f.get("document"),
            party=f.get("party"),
            note=f.get("note"),
            idempotency_key=None,
            quantity=qty,
            serials=serials,
            corrects_seq=None,
            count_id=None,
            prev_hash=self.prev,
        )
        h = rec.compute_hash()
        self.rows.append(
            (self.office, self.seq, kind, day, at, rec.actor, rec.from_location, rec.to_location,
             rec.service, None, rec.document, rec.party, rec.note, None, qty, serials, None,
             None, self.prev, h)
        )  # fmt: skip
        self.ranges.append((self.seq, first, first + qty - 1))
        self.prev = h

    def flush(self) -> None:
        cur = self.raw.cursor()
        cols = bo.COLUMNS.replace("id, ", "", 1)
        with cur.copy(f"COPY ledger_entry ({cols}) FROM STDIN") as copy:
            for row in self.rows:
                copy.write_row(row)
        ids = dict(
            cur.execute(
                "SELECT seq, id FROM ledger_entry WHERE office_code = %s", (self.office,)
            ).fetchall()
        )
        with cur.copy(
            "COPY entry_range (entry_id, office_code, prefix, width, first_no, last_no,"
            " span_class) FROM STDIN"
        ) as copy:
            for seq, a, b in self.ranges:
                copy.write_row((ids[seq], self.office, PREFIX, WIDTH, a, b, span_class(a, b)))
        with cur.copy(
            "COPY blank (serial, office_code, prefix, width, number, state, location_id, "
            "last_seq) FROM STDIN"
        ) as copy:
            for row in self.blanks:
                copy.write_row(row)
        cur.execute(
            "UPDATE office SET ledger_seq = %s, ledger_hash = %s WHERE code = %s",
            (self.seq, self.prev, self.office),
        )
        self.raw.commit()
        self.rows, self.ranges, self.blanks = [], [], []


def office_history(w: Writer, monthly: float, months: int, today: date, rng: random.Random) -> int:
    """``months`` of prints for one office before today; returns the prints written. Every
    blank received in the history is consumed; then a month's prints left at the store."""
    days = [today - timedelta(days=d) for d in range(int(months * 30.4375), 0, -1)]
    factors = np.array([WEEKDAY_FACTORS[d.weekday()] for d in days])
    per_day = monthly * months / factors.sum() * factors
    counts = [int(m) + (1 if rng.random() < m - int(m) else 0) for m in per_day]
    k = sum(counts)
    received = moved = used = 0
    base = w.no
    for day, n in zip(days, counts, strict=True):
        for i in range(n):
            if used == moved:
                if moved == received:
                    qty = min(RECEIPT, k - received)
                    w.add("receive", day, i, qty, base + received, to_location=w.store,
                          document=f"BAST/DUKCAPIL/KTP-EL/{w.office}/{received // RECEIPT + 1}",
                          party="Ditjen Dukcapil Kemendagri")  # fmt: skip
                    received += qty
                qty = min(TRANSFER, received - moved)
                w.add("transfer", day, i, qty, base + moved, from_location=w.store,
                      to_location=w.station, note="isi ulang loket")  # fmt: skip
                moved += qty
            no = base + used
            w.add("consume", day, i, 1, no, actor="operator", from_location=w.station,
                  service=TYPES[0] if used % 10 < 7 else TYPES[1 + used % 3],
                  note="cetak KTP-el")  # fmt: skip
            w.blanks.append((f"{PREFIX}{no:0{WIDTH}d}", w.office, PREFIX, WIDTH, no, "consumed",
                             None, w.seq))  # fmt: skip
            used += 1
    left = max(100, int(round(monthly / 100.0)) * 100)
    first = base + k
    w.add("receive", today - timedelta(days=1), 0, left, first, to_location=w.store,
          document=f"BAST/DUKCAPIL/KTP-EL/{w.office}/akhir", party="Ditjen Dukcapil Kemendagri")  # fmt: skip
    for no in range(first, first + left):
        w.blanks.append((f"{PREFIX}{no:0{WIDTH}d}", w.office, PREFIX, WIDTH, no, "available",
                         w.store, w.seq))  # fmt: skip
    w.no = first + left
    return used


# --- the registries -----------------------------------------------------------------------------
# A plan: (office, residents to generate, generator seed), in the order the offices are loaded.
Plan = list[tuple[str, int, int]]
_COPY_COLUMNS = ", ".join(registry_repo.COLUMNS)


def registry_upsert(ctx: Context, plan: Plan, say: Any = print) -> dict[str, Any]:
    """The registries through the product's path: the demo's generator feeding
    `registry.write_records` (batch upsert), one office after the other."""
    residents = 0
    started = time.monotonic()
    for n, (code, count, seed) in enumerate(plan, start=1):
        residents += demo_residents.populate(ctx, office=code, count=count, seed=seed)["residents"]
        if n % 50 == 0:
            say(f"  registry: {n} offices, {residents:,} residents, "
                f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return {"residents": residents, "residents_stored": _stored(ctx)}


def _stored(ctx: Context) -> int:
    with ctx.read() as conn:
        return int(conn.execute(text("SELECT count(*) FROM resident")).scalar_one())


def _copy_text(value: Any) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    out = str(value)
    if any(c in out for c in "\\\t\n\r"):
        out = out.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        out = out.replace("\r", "\\r")
    return out


def generate_office(task: tuple[Any, ...]) -> tuple[str, bytes, int]:
    """One office's residents from the demo's generator (`populate`'s records, the same for
    the same seed), as COPY text: run in a worker process."""
    code, count, seed, villages, pool, today, stamp = task
    lines = []
    for person in demo_residents.generate_people(
        villages, pool, count=count, today=today, seed=seed
    ):
        record = demo_residents.as_record(person, code, stamp)
        lines.append("\t".join(_copy_text(record.get(c)) for c in registry_repo.COLUMNS))
    lines.append("")
    return code, "\n".join(lines).encode(), count


def tasks_for(ctx: Context, plan: Plan) -> list[tuple[Any, ...]]:
    """The generator's work for each office of the plan, as `populate` would do it: the
    office's villages, its province's kecamatan (the movers' NIKs), today, and the rows'
    stamp (`registry.run_stamp`'s rule: now, or just after the latest stamp). Refused when
    an office of the plan has residents already: a first load only."""
    r = tr.resident
    with ctx.read() as conn:
        desa: dict[str, list[str]] = {}
        kecamatan: dict[str, list[str]] = {}
        for code, level in conn.execute(
            select(t.region.c.code, t.region.c.level).where(
                t.region.c.level.in_(("desa", "kecamatan"))
            )
        ).all():
            if level == "desa":
                desa.setdefault(code[:5], []).append(code)
            else:
                kecamatan.setdefault(code.split(".")[0], []).append(code)
        offices = [o for o, _c, _s in plan]
        loaded = set(
            conn.execute(
                select(r.c.office_code).where(r.c.office_code.in_(offices)).distinct()
            ).scalars()
        )
        latest = registry_repo.latest_update(conn)
    if loaded:
        raise SystemExit(f"registry_copy is a first load: {sorted(loaded)} have residents")
    today = ctx.today()
    out = []
    for code, count, seed in plan:
        stamp = ctx.now()
        if latest is not None and latest >= stamp:
            stamp = latest + timedelta(microseconds=1)
        latest = stamp
        province = code.split(".")[0]
        out.append((code, count, seed, desa.get(code, []), kecamatan.get(province, []), today,
                    stamp))  # fmt: skip
    return out


def registry_copy(ctx: Context, plan: Plan, workers: int, say: Any = print) -> dict[str, Any]:
    """The registries as a first load: the generator in ``workers`` processes (0: in this
    one), each office's rows COPYed straight into `resident` by this process, in the plan's
    order, one transaction per office. Leaves what `registry_upsert` leaves: the same rows
    (the same stamps, run_stamp's rule), and the counts and versions the triggers on
    `resident` keep (COPY fires them as an INSERT does), tests/integration/
    test_bench_national_scale.py. Only for offices with no resident yet (no NIK to update):
    refused otherwise. A NIK another office already holds (a mover's NIK, issued where
    another office's generator also issues it) is skipped, as the upsert skips it: then that
    office goes through a temporary table and one INSERT ... ON CONFLICT DO NOTHING."""
    todo = iter(tasks_for(ctx, plan))
    raw = ctx.engine.raw_connection()
    pg = raw.driver_connection
    figures = {"residents": 0, "offices_through_stage": 0, "copy_s": 0.0}
    started = time.monotonic()
    pool = multiprocessing.get_context("spawn").Pool(workers) if workers > 0 else None
    try:
        pending: deque[Any] = deque()
        window = 2 * max(1, workers)  # offices generated ahead of the writing, at most
        n = 0
        while True:
            while pool is not None and len(pending) < window:
                task = next(todo, None)
                if task is None:
                    break
                pending.append(pool.apply_async(generate_office, (task,)))
            if pool is not None:
                if not pending:
                    break
                code, blob, count = pending.popleft().get()
            else:
                task = next(todo, None)
                if task is None:
                    break
                code, blob, count = generate_office(task)
            t0 = time.monotonic()
            if not _copy_office(pg, blob):
                figures["offices_through_stage"] += 1
            figures["copy_s"] += time.monotonic() - t0
            figures["residents"] += count
            n += 1
            if n % 50 == 0:
                say(f"  registry: {n} offices, {figures['residents']:,} residents, "
                    f"{time.monotonic() - started:.0f} s")  # fmt: skip
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        raw.close()
    figures["copy_s"] = round(figures["copy_s"], 1)
    return {**figures, "residents_stored": _stored(ctx)}


def _copy_office(pg: Any, blob: bytes) -> bool:
    """One office's rows into `resident` in one transaction: COPY straight in (True), or,
    when a NIK is another office's already, through a temporary table, skipping those
    (False)."""
    with pg.transaction(), pg.cursor() as cur:
        try:
            with pg.transaction(), cur.copy(f"COPY resident ({_COPY_COLUMNS}) FROM STDIN") as cp:
                cp.write(blob)
            return True
        except psycopg.errors.UniqueViolation:
            pass  # the savepoint is rolled back: nothing of this office is written
        cur.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS resident_first_load "
            "(LIKE resident) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY resident_first_load ({_COPY_COLUMNS}) FROM STDIN") as cp:
            cp.write(blob)
        cur.execute(
            f"INSERT INTO resident ({_COPY_COLUMNS}) SELECT {_COPY_COLUMNS} "
            "FROM resident_first_load ON CONFLICT (nik) DO NOTHING"
        )
    return False


def build(url: str, args: argparse.Namespace, say: Any = print) -> dict[str, Any]:
    """The offices, their histories and registries in the (empty) database at ``url``."""
    ctx = context_from_settings(Settings(database_url=url), actor="bench")
    load_start = bw.loadavg()
    started = time.monotonic()
    setup.init(ctx)
    organisation.create_directorate(ctx)
    offices = nat.load_offices()
    share = offices.population / offices.population.sum()
    made: list[tuple[str, float, float]] = []  # (code, share, population)
    for code, sh, pop in zip(offices.code, share, offices.population, strict=True):
        try:
            setup.create_office(ctx, code=code)
        except NotFound:
            continue
        setup.add_location(ctx, name=STATION, kind="station", office=code)
        made.append((code, float(sh), float(pop)))
    setup.set_home_office(ctx, office=HOME)
    users.ensure_demo_users(ctx)
    offices_s = time.monotonic() - started
    say(f"  {len(made)} offices ({offices.source}): {offices_s:.0f} s")
    total_share = sum(sh for _, sh, _ in made)
    engine = create_engine(url)
    with engine.connect() as conn:
        locs = {
            (o, k): i
            for o, k, i in conn.execute(
                select(t.location.c.office_code, t.location.c.kind, t.location.c.id)
            ).all()
        }
    raw = engine.raw_connection()
    rng = random.Random(14)
    today = date.today()
    started = time.monotonic()
    prints = 0
    generate_s = 0.0  # of the ledger's time, the history's generation and hashing (no I/O)
    no = 1
    try:
        for n, (code, sh, _pop) in enumerate(made, start=1):
            monthly = NATIONAL_MONTHLY * args.fraction * sh / total_share
            w = Writer(raw, code, locs[(code, "store")], locs[(code, "station")], no)
            t0 = time.monotonic()
            prints += office_history(w, monthly, args.months, today, rng)
            generate_s += time.monotonic() - t0
            w.flush()
            no = w.no
            if n % 50 == 0:
                say(f"  ledger: {n} offices, {prints:,} prints, {time.monotonic() - started:.0f} s")
    finally:
        raw.close()
    ledger_s = time.monotonic() - started
    say(f"  ledger: {prints:,} prints in {ledger_s:.0f} s ({generate_s:.0f} s generating)")
    plan = [
        (code, max(1, round(pop / args.registry_divisor * args.fraction)), n)
        for n, (code, _sh, pop) in enumerate(made, start=1)
    ]
    started = time.monotonic()
    if args.registry_path == "upsert":
        registry = registry_upsert(ctx, plan, say)
    else:
        registry = registry_copy(ctx, plan, args.build_workers, say)
    registry_s = time.monotonic() - started
    say(f"  registry ({args.registry_path}): {registry['residents']:,} residents in "
        f"{registry_s:.0f} s")  # fmt: skip
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    ctx.engine.dispose()
    return {
        "offices": len(made),
        "prints": prints,
        "offices_s": round(offices_s, 1),
        "ledger_s": round(ledger_s, 1),
        "ledger_generate_s": round(generate_s, 1),
        "registry_path": args.registry_path,
        "build_workers": args.build_workers if args.registry_path == "copy" else 1,
        **registry,
        "registry_s": round(registry_s, 1),
        "loadavg_start": load_start,
        "loadavg_end": bw.loadavg(),
    }


def ensure(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    name = f"blangko_bench_national_{key_of(args)}"
    meta = bo.CACHE / f"{name}.json"
    existing = [d for d in bo._pg_databases("blangko_bench_national_") if "_run_" not in d]
    if name in existing and meta.exists() and not args.force:
        return name, json.loads(meta.read_text())
    for old in existing:
        bo._pg_admin(f'DROP DATABASE IF EXISTS "{old}"')
    print(f"national scale: building {name} ...", flush=True)
    started = time.monotonic()
    bo._pg_admin(f'CREATE DATABASE "{name}"')
    try:
        figures = build(bo.pg_url(name), args)
    except BaseException:
        bo._pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        raise
    figures["build_s"] = round(time.monotonic() - started, 1)
    bo.CACHE.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(figures))
    print(f"national scale: built in {figures['build_s']:.0f} s {figures}", flush=True)
    return name, figures


# --- measuring -----------------------------------------------------------------------------------


def db_size(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())
    engine.dispose()
    return size


def needs_from_snapshots(url: str) -> list[OfficeNeed]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(office_snapshot)).mappings().all()
    engine.dispose()
    out = []
    for r in rows:
        paths = json.loads(r["demand_paths"])["paths"]
        out.append(
            OfficeNeed(
                office=r["office_code"],
                on_hand=int(r["on_hand"]),
                in_transit=int(r["in_transit"]),
                paths=np.asarray(paths, dtype=float),
                asked=int(r["recommended_request"]),
                backlog=int(r["registry_prr"]),
                election=r["election_date"] is not None,
                province=r["office_code"][:2],
            )
        )
    return out


async def readers(
    base: str, clients: int, duration: float, think: float = 0.0
) -> dict[str, dict[str, Any]]:
    """``clients`` signed-in directorate readers, each in turn /nasional, the API and
    /status, for ``duration`` seconds. With ``think`` > 0 each reader pauses between two
    requests (exponential, mean ``think`` seconds, seeded per reader), as people read a page:
    an open load of that many users. With 0 each asks again at once, a saturated closed loop
    whose latency is mostly queueing behind the other readers."""
    targets = ["/nasional", "/api/v1/national", "/status"]
    samples: dict[str, list[float]] = {u: [] for u in targets}
    errors: dict[str, int] = {u: 0 for u in targets}
    user, password = users.DEMO_DIRECTORATE_USER[0], users.DEMO_PASSWORD
    sessions = []
    for _ in range(clients):
        c = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=False)
        page = await c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        data = {"username": user, "password": password, "next": "/"}
        if csrf:
            data["csrf"] = csrf.group(1)
        r = await c.post("/login", data=data)
        if r.status_code != 303:
            raise SystemExit(f"log-in failed: {r.status_code} {r.text[:300]}")
        sessions.append(c)
    tok = await sessions[0].post(
        "/api/v1/auth/token", data={"username": user, "password": password}
    )
    tok.raise_for_status()
    bearer = {"Authorization": f"Bearer {tok.json()['access_token']}"}
    for u in targets:  # warm-up, untimed
        r = await sessions[0].get(u, headers=bearer if "/api/" in u else None)
        if r.status_code != 200:
            raise SystemExit(f"{u}: {r.status_code} {r.text[:300]}")
    stop = time.monotonic() + duration

    async def one(i: int, c: httpx.AsyncClient) -> None:
        k = i
        pause = random.Random(i)
        if think > 0:  # the readers do not all start at the same instant
            await asyncio.sleep(pause.uniform(0, think))
        while time.monotonic() < stop:
            u = targets[k % len(targets)]
            k += 1
            t0 = time.perf_counter()
            r = await c.get(u, headers=bearer if "/api/" in u else None)
            await r.aread()
            samples[u].append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                errors[u] += 1
            if think > 0:
                await asyncio.sleep(pause.expovariate(1 / think))

    started = time.monotonic()
    await asyncio.gather(*(one(i, c) for i, c in enumerate(sessions)))
    elapsed = time.monotonic() - started
    for c in sessions:
        await c.aclose()
    return {
        u: {
            "n": len(v),
            "errors": errors[u],
            "per_s": round(len(v) / elapsed, 1),
            "p50_ms": round(bw.pct(v, 50), 1),
            "p95_ms": round(bw.pct(v, 95), 1),
            "p99_ms": round(bw.pct(v, 99), 1),
        }
        for u, v in samples.items()
    }


def snapshot_job(url: str, workers: int) -> dict[str, Any]:
    ctx = context_from_settings(Settings(database_url=url), actor="bench")
    started = time.perf_counter()
    done = snapshots.run(ctx, workers=workers, force=True)
    secs = time.perf_counter() - started
    ctx.engine.dispose()
    print(f"  snapshot job, {workers} worker(s): {secs:.1f} s ({done['computed']} computed)")
    return {"offices": done["offices"], "computed": done["computed"], "seconds": round(secs, 1)}


def web_run(url: str, args: argparse.Namespace, server_workers: int) -> dict[str, Any]:
    """The readers against `blangko serve --workers server_workers` on the database."""
    port = bw.free_port()
    work = Path(tempfile.mkdtemp(prefix="blangko-scale-"))
    log = work / "server.log"
    cmd = [sys.executable, "-m", "blangko", "serve", "--port", str(port)]
    if server_workers > 1:
        cmd += ["--workers", str(server_workers)]
    # As users start it on a server of their own: a secret key of their own, no demo mode.
    env = {**bw.server_env(url), "BLANGKO_SECRET_KEY": secrets.token_hex(32)}
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=fh,
                                stderr=subprocess.STDOUT, preexec_fn=bw._die_with_parent)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        bw.wait_up(base, proc, log, 120)
        runs = {}
        for think in args.think:
            load_before = bw.loadavg()
            requests = asyncio.run(readers(base, args.clients, args.duration, think))
            load_after = bw.loadavg()
            runs[f"{think:g}"] = {"requests": requests, "loadavg_before": load_before,
                                  "loadavg_after": load_after}  # fmt: skip
            print(f"  server workers {server_workers}, think {think:g} s, "
                  f"load {load_before} -> {load_after}")  # fmt: skip
            for u, f in requests.items():
                print(f"  {u}: n={f['n']} err={f['errors']} p50 {f['p50_ms']} "
                      f"p95 {f['p95_ms']} p99 {f['p99_ms']} ms")  # fmt: skip
    finally:
        bw.stop_server(proc)
    # The first think time's figures where one run was kept before (the JSON's old shape)
    return {**runs[f"{args.think[0]:g}"], "by_think_s": runs}


def measure(url: str, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    out: dict[str, Any] = {"db_bytes_before_snapshots": db_size(url)}
    ctx = context_from_settings(Settings(database_url=url), actor="bench")
    with ctx.read() as conn:
        codes = [c for c, _ in conn.execute(select(t.office.c.code, t.office.c.name)).all()]
    regencies = sorted(c for c in codes if c != organisation.DIRECTORATE_CODE)
    sample = sorted(random.Random(1).sample(regencies, min(args.verify_sample, len(regencies))))
    started = time.perf_counter()
    for code in sample:
        v = queries.verify(ctx, office=code)
        if not v["sound"]:
            raise SystemExit(f"stock verify of {code} is not sound: {v}")
    out["verify"] = {"offices": sample, "seconds": round(time.perf_counter() - started, 2)}
    print(f"  stock verify sound on {len(sample)} offices ({out['verify']['seconds']} s)")
    ctx.engine.dispose()
    out["snapshot"] = {}
    workers = sorted(args.workers, reverse=True)  # the most workers first: then alloc and web
    out["snapshot"][str(workers[0])] = snapshot_job(url, workers[0])
    out["db_bytes"] = db_size(url)
    needs = needs_from_snapshots(url)
    demand = sum(float(np.asarray(n.paths).mean(axis=0).sum()) for n in needs)
    inp = AllocationInput(national_stock=int(demand * 0.25) // 100 * 100, offices=needs)
    started = time.perf_counter()
    best = optimise(inp)
    opt_s = time.perf_counter() - started
    started = time.perf_counter()
    compare(inp)
    cmp_s = time.perf_counter() - started
    out["allocation"] = {
        "offices": len(needs),
        "periods": int(np.asarray(needs[0].paths).shape[1]) if needs else 0,
        "paths": int(np.asarray(needs[0].paths).shape[0]) if needs else 0,
        "national_stock": inp.national_stock,
        "optimise_s": round(opt_s, 2),
        "compare_s": round(cmp_s, 2),
        "shipped": int(sum(best.quantities)),
    }
    print(f"  allocation on {len(needs)} snapshots: optimise {opt_s:.2f} s, compare {cmp_s:.2f} s")
    if time.monotonic() > deadline:
        out["web"] = "skipped: over the budget"
        return out
    out["web_by_server_workers"] = {}
    for n in args.serve_workers:
        if time.monotonic() > deadline:
            out["web_by_server_workers"][str(n)] = "skipped: over the budget"
            continue
        out["web_by_server_workers"][str(n)] = web_run(url, args, n)
    first = out["web_by_server_workers"].get(str(args.serve_workers[0]))
    if isinstance(first, dict):
        out["web"] = first["requests"]
        out["web_clients"], out["web_duration_s"] = args.clients, args.duration
        out["web_think_s"] = args.think
    # Again on the same database: the forecasts are stored and current (a re-run the same day)
    if time.monotonic() < deadline:
        out["snapshot_again"] = {str(workers[0]): snapshot_job(url, workers[0])}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fraction", type=float, default=0.1, help="of the national scale")
    ap.add_argument("--registry-divisor", type=int, default=20)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument(
        "--serve-workers",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1],
        help="`blangko serve --workers`, one web run each (e.g. 1,2)",
    )
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument(
        "--think",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[0.0],
        help="mean seconds each reader pauses between requests; one run each (e.g. 0,3)",
    )
    ap.add_argument("--verify-sample", type=int, default=5)
    ap.add_argument("--budget", type=float, default=3600.0, help="seconds; later phases skipped")
    ap.add_argument("--force", action="store_true")
    ap.add_argument(
        "--registry-path",
        choices=("copy", "upsert"),
        default="copy",
        help="the registries' build: COPY as a first load (default) or the import's batch upsert",
    )
    ap.add_argument(
        "--build-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes generating the registries for the COPY path (0: in this one)",
    )
    ap.add_argument("--build-only", action="store_true", help="build (or reuse) and stop")
    ap.add_argument("--out", type=Path, default=RESULTS / "national-scale.json")
    args = ap.parse_args()
    deadline = time.monotonic() + args.budget
    started = datetime.now(UTC)
    name, built = ensure(args)
    if args.build_only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"started": started.strftime("%Y-%m-%d %H:%M UTC"),
                                        "built": built}, indent=2) + "\n")  # fmt: skip
        return 0
    run_db = f"blangko_bench_national_run_{os.getpid()}"  # not a cache: ensure keeps it
    bo._pg_admin(f'CREATE DATABASE "{run_db}" TEMPLATE "{name}"')
    try:
        measured = measure(bo.pg_url(run_db), args, deadline)
    finally:
        bo._pg_admin(f'DROP DATABASE IF EXISTS "{run_db}"')
    # The other worker counts, each on a fresh copy (no forecast stored yet, as the first job)
    for workers in sorted(args.workers, reverse=True)[1:]:
        if time.monotonic() > deadline:
            measured["snapshot"][str(workers)] = "skipped: over the budget"
            continue
        bo._pg_admin(f'CREATE DATABASE "{run_db}" TEMPLATE "{name}"')
        try:
            measured["snapshot"][str(workers)] = snapshot_job(bo.pg_url(run_db), workers)
        finally:
            bo._pg_admin(f'DROP DATABASE IF EXISTS "{run_db}"')
    result = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "scale": {
            "fraction": args.fraction,
            "prints_per_month": NATIONAL_MONTHLY * args.fraction,
            "months": args.months,
            "registry": f"population / {args.registry_divisor} x {args.fraction:g}",
        },
        "built": built,
        "measured": measured,
        "loadavg": bw.loadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
