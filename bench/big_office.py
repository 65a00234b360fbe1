"""A big office for the web benchmark: the demo's story on 1 juta residents and 1 juta
ledger entries, cached on disk between runs.

Run from the repository root (bench/web.py calls it when its cache is missing):

    .venv/bin/python bench/big_office.py [--db sqlite|postgres] [--residents 1000000]
        [--entries 1000000] [--force]

How it is built, fast:

1. `blangko.demo.story.build(population=N)`: the demo office (Kaur, 17.04: its locations,
   profile, applications, events, the open count, the registry import record) with N
   generated residents written by the registry import's batch upsert (no service call per
   resident).
2. The ledger is brought to `--entries` entries by appending a history of the same shape
   as a big office's: receipts of 10.000 blanks (prefix KB) at the store, transfers of
   1.000 to the station, and one consumption per printed card, dated over the 1.000 days
   before today, about 1.000 a day. Every generated blank is consumed, so the stock on hand
   is the demo's. The rows are computed in Python (each entry's hash chained to the one
   before, as the ledger does) and written in bulk: executemany on SQLite, COPY on
   PostgreSQL; then the office's chain head. `blangko stock verify` finds the result sound.

The cache: SQLite, a file bench/.cache/big-<key>.db; PostgreSQL, a template database
`blangko_bench_big_<key>` on the bench server (BLANGKO_BENCH_POSTGRES_URL, default the local
one), from which each run creates its own database. The key holds today's date (the demo's
story is dated from today), the sizes and the latest migration, so a new migration or a new
day builds again. Other keys' caches are removed when a new one is built.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from blangko.adapters import tables as t
from blangko.adapters.repos import day_totals
from blangko.adapters.repos.ledger import span_class
from blangko.demo import story
from blangko.domain.applications import TYPES
from blangko.domain.ledger import EntryRecord
from blangko.services.admin import users
from blangko.services.context import context_from_settings
from blangko.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
OFFICE = "17.04"
PREFIX, WIDTH = "KB", 7
RECEIPT_SIZE, TRANSFER_SIZE = 10_000, 1_000
HISTORY_DAYS = 1_000
COLUMNS = (
    "id, office_code, seq, kind, effective_date, recorded_at, actor, from_location, "
    "to_location, service, reason, document, party, note, idempotency_key, quantity, "
    "serials, corrects_seq, count_id, prev_hash, hash"
)


def pg_server() -> str:
    return os.environ.get("BLANGKO_BENCH_POSTGRES_URL", DEFAULT_PG)


def cache_key(residents: int, entries: int) -> str:
    versions = ROOT / "src" / "blangko" / "adapters" / "migrations" / "versions"
    names = sorted(p.name for p in versions.glob("*.py"))
    mig = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
    return f"{date.today():%Y%m%d}_{residents}_{entries}_{mig}"


def _serial(n: int) -> str:
    return f"{PREFIX}{n:0{WIDTH}d}"


def _plan(extra: int) -> int:
    """The most consumptions k with k + its transfers + its receipts <= extra entries."""
    k = extra
    while k > 0 and k + -(-k // TRANSFER_SIZE) + -(-k // RECEIPT_SIZE) > extra:
        k -= 1
    return k


def append_history(url: str, entries: int) -> dict[str, int]:
    """Append receipts, transfers and consumptions until the office has `entries` entries."""
    engine = create_engine(url)
    with engine.connect() as conn:
        head = conn.execute(
            select(t.office.c.ledger_seq, t.office.c.ledger_hash).where(t.office.c.code == OFFICE)
        ).one()
        locs = dict(
            conn.execute(
                select(t.location.c.kind, t.location.c.id).where(t.location.c.office_code == OFFICE)
            ).all()
        )
        next_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM ledger_entry")).scalar())
    store, station = locs["store"], locs["station"]
    seq, prev = int(head.ledger_seq), str(head.ledger_hash)
    if entries <= seq:
        engine.dispose()
        return {"entries_added": 0, "blanks_added": 0, "ledger_seq": seq}
    k = _plan(entries - seq)
    first_day = date.today() - timedelta(days=HISTORY_DAYS)
    per_day = -(-k // HISTORY_DAYS)
    rows: list[tuple[Any, ...]] = []
    ranges: list[tuple[Any, ...]] = []
    blanks: list[tuple[Any, ...]] = []
    received = moved = used = 0

    def add(kind: str, day: date, n_in_day: int, qty: int, first: int, **f: Any) -> None:
        nonlocal seq, prev, next_id
        seq += 1
        next_id += 1
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, seconds=n_in_day * 20)
        serials = _serial(first) if qty == 1 else f"{_serial(first)}-{_serial(first + qty - 1)}"
        rec = EntryRecord(
            office=OFFICE,
            seq=seq,
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
            prev_hash=prev,
        )
        h = rec.compute_hash()
        rows.append(
            (
                next_id,
                OFFICE,
                seq,
                kind,
                day,
                at,
                rec.actor,
                rec.from_location,
                rec.to_location,
                rec.service,
                None,
                rec.document,
                rec.party,
                rec.note,
                None,
                qty,
                serials,
                None,
                None,
                prev,
                h,
            )
        )
        ranges.append(
            (next_id, OFFICE, PREFIX, WIDTH, first, first + qty - 1, span_class(0, qty - 1))
        )
        prev = h

    day_index = 0
    while used < k:
        day = first_day + timedelta(days=day_index)
        today_n = min(per_day, k - used)
        for i in range(today_n):
            if used == moved:  # the station is empty: a transfer, after a receipt if need be
                if moved == received:
                    qty = min(RECEIPT_SIZE, k - received)
                    add(
                        "receive",
                        day,
                        i,
                        qty,
                        received + 1,
                        to_location=store,
                        document=f"BAST/DUKCAPIL/KTP-EL/B{received // RECEIPT_SIZE + 1:04d}",
                        party="Ditjen Dukcapil Kemendagri",
                    )
                    received += qty
                qty = min(TRANSFER_SIZE, received - moved)
                add(
                    "transfer",
                    day,
                    i,
                    qty,
                    moved + 1,
                    from_location=store,
                    to_location=station,
                    note="isi ulang loket untuk pencetakan",
                )
                moved += qty
            add(
                "consume",
                day,
                i,
                1,
                used + 1,
                actor="operator",
                from_location=station,
                service=TYPES[0] if used % 10 < 7 else TYPES[1 + used % 3],
                note="cetak KTP-el",
            )
            used += 1
            blanks.append((_serial(used), OFFICE, PREFIX, WIDTH, used, "consumed", None, seq))
        day_index += 1
    _write(engine, rows, ranges, blanks, seq, prev)
    engine.dispose()
    return {"entries_added": len(rows), "blanks_added": len(blanks), "ledger_seq": seq}


def _write(
    engine: Any,
    rows: list[tuple[Any, ...]],
    ranges: list[tuple[Any, ...]],
    blanks: list[tuple[Any, ...]],
    seq: int,
    head_hash: str,
) -> None:
    range_cols = "entry_id, office_code, prefix, width, first_no, last_no, span_class"
    blank_cols = "serial, office_code, prefix, width, number, state, location_id, last_seq"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            fmt = "%Y-%m-%d %H:%M:%S.%f"
            conv = [(*r[:4], r[4].isoformat(), r[5].strftime(fmt), *r[6:]) for r in rows]
            marks = ", ".join("?" * 21)
            cur.executemany(f"INSERT INTO ledger_entry ({COLUMNS}) VALUES ({marks})", conv)
            cur.executemany(
                f"INSERT INTO entry_range ({range_cols}) VALUES (?,?,?,?,?,?,?)", ranges
            )
            cur.executemany(f"INSERT INTO blank ({blank_cols}) VALUES (?,?,?,?,?,?,?,?)", blanks)
        else:
            for table, cols, data in (
                ("ledger_entry", COLUMNS, rows),
                ("entry_range", range_cols, ranges),
                ("blank", blank_cols, blanks),
            ):
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('ledger_entry', 'id'), "
                "(SELECT max(id) FROM ledger_entry))"
            )
        cur.execute(
            "UPDATE office SET ledger_seq = %s, ledger_hash = %s WHERE code = %s".replace(
                "%s", "?" if engine.dialect.name == "sqlite" else "%s"
            ),
            (seq, head_hash, OFFICE),
        )
        raw.commit()
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            raw.cursor().execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
    finally:
        raw.close()
        engine.dispose()


def build(url: str, residents: int, entries: int, say: Any = print) -> dict[str, Any]:
    """Build the big office in the (empty) database at `url`; returns the timings."""
    settings = Settings(database_url=url)
    ctx = context_from_settings(settings, actor="bench")
    started = time.monotonic()
    story.build(ctx, progress=None, population=residents)
    users.ensure_demo_users(ctx)
    ctx.engine.dispose()
    demo_s = time.monotonic() - started
    say(f"  demo story with {residents:,} residents: {demo_s:.0f} s")
    started = time.monotonic()
    added = append_history(url, entries)
    ledger_s = time.monotonic() - started
    say(f"  {added['entries_added']:,} ledger entries appended: {ledger_s:.0f} s")
    # The ledger's stored daily totals, as an upgrade fills them (migration 0028): the rows
    # above were written past the services, so none of them is folded yet.
    started = time.monotonic()
    ctx = context_from_settings(settings, actor="bench")
    with ctx.write_plain() as conn:
        folded = day_totals.fold(conn, OFFICE, added["ledger_seq"])
        conn.execute(text("ANALYZE ledger_day_total"))
    ctx.engine.dispose()
    totals_s = time.monotonic() - started
    say(f"  stored daily totals of {folded:,} entries: {totals_s:.0f} s")
    return {
        "demo_story_s": round(demo_s, 1),
        "ledger_s": round(ledger_s, 1),
        "totals_s": round(totals_s, 1),
        **added,
    }


def _pg_admin(sql: str) -> None:
    engine = create_engine(pg_server(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pg_databases(prefix: str) -> list[str]:
    engine = create_engine(pg_server())
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": prefix + "%"}
        ).scalars()
        out = list(names)
    engine.dispose()
    return out


def pg_url(database: str) -> str:
    return make_url(pg_server()).set(database=database).render_as_string(hide_password=False)


def ensure(db: str, residents: int, entries: int, *, force: bool = False) -> str:
    """The cached big office for `db` ('sqlite': the file's path; 'postgres': the template
    database's name), built first if missing."""
    key = cache_key(residents, entries)
    if db == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"big-{key}.db"
        if path.exists() and not force:
            return str(path)
        for old in CACHE.glob("big-*.db*"):
            old.unlink()
        building = CACHE / f"building-{os.getpid()}.db"
        print(f"big office: building {path.name} (SQLite) ...", flush=True)
        started = time.monotonic()
        figures = build(f"sqlite:///{building}", residents, entries)
        engine = create_engine(f"sqlite:///{building}")
        with engine.connect() as conn:  # one file, no WAL beside it, before it is copied
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        shutil.move(building, path)
        for side in CACHE.glob(f"building-{os.getpid()}.db-*"):
            side.unlink()
        _done(figures, started, path.name)
        return str(path)
    name = f"blangko_bench_big_{key}"
    existing = _pg_databases("blangko_bench_big_")
    if name in existing and not force:
        return name
    for old in existing:
        _pg_admin(f'DROP DATABASE IF EXISTS "{old}"')
    print(f"big office: building {name} (PostgreSQL) ...", flush=True)
    started = time.monotonic()
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        figures = build(pg_url(name), residents, entries)
    except BaseException:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        raise
    _done(figures, started, name)
    return name


def _done(figures: dict[str, Any], started: float, where: str) -> None:
    total = time.monotonic() - started
    print(f"big office: {where} built in {total:.0f} s ({figures})", flush=True)
    log = CACHE / "build-times.txt"
    CACHE.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as f:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        f.write(f"{stamp} {where} {total:.0f} s {figures}\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--force", action="store_true", help="build again even if cached")
    args = ap.parse_args()
    print(ensure(args.db, args.residents, args.entries, force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
