"""Resident import throughput and memory, against a raw baseline, on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--rows 1000000] [--small 200000]
                                     [--backends sqlite,postgresql] [--batch 5000]

Generates a registry export of ``--rows`` rows (streamed to a temporary CSV; the small file
is its first ``--small`` rows), then for each backend and each file size runs, each in a
fresh database and a fresh Python process:

* baseline: csv module + bulk INSERT (SQLAlchemy Core executemany, same batch size, one
  transaction per batch) of the same rows, without validation, into a plain table with the
  same columns, primary key and indexes as ``resident``; the only conversion is
  ``date.fromisoformat`` because the date columns are typed;
* import: ``blangko.services.registry.import_residents`` (full validation, rejects file,
  the valid rows staged in a temporary table, then upserted by NIK in one transaction).

Peak memory is the worker process's high-water RSS (VmHWM); the worker does nothing but the timed run
(schema set-up happens in another process), so comparing the small and large files shows
whether memory grows with the file. Results go to bench/results/import-<backend>.json.

PostgreSQL: BLANGKO_BENCH_POSTGRES_URL (default the local server as user postgres); a
database is created and dropped for every run, as tests/conftest.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get(
    "BLANGKO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The bench files are generated as of this day, so the reference date is fixed too.
REFERENCE = date(2026, 11, 27)


# --- worker side (runs in a fresh process) --------------------------------------------------


def _rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    VmHWM from /proc, not ru_maxrss: on Linux ru_maxrss survives exec, so a worker started
    from the (large) parent would report the parent's peak at fork time.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_setup(url: str) -> dict:
    from blangko.adapters.db import make_engine
    from blangko.services.admin import setup
    from blangko.services.context import Context

    engine = make_engine(url)
    setup.init(Context(engine), office="17.04")
    engine.dispose()
    return {"ok": True}


def worker_import(url: str, file: Path, batch: int) -> dict:
    from blangko.adapters.db import make_engine
    from blangko.services import registry
    from blangko.services.context import Context

    ctx = Context(make_engine(url))
    before = _rss_mb()
    started = time.perf_counter()
    result = registry.import_residents(
        ctx,
        file,
        office="17.04",
        reference_date=REFERENCE,
        rejects_path=file.with_suffix(".rejects.csv"),
        batch_size=batch,
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": result["rows"],
        "written": result["imported"] + result["updated"],
        "rejected": result["rejected"],
        "rss_before_mb": before,
        "rss_peak_mb": _rss_mb(),
    }


def worker_baseline(url: str, file: Path, batch: int) -> dict:
    import csv

    from sqlalchemy import Column, Date, DateTime, Index, MetaData, String, Table

    from blangko.adapters.db import make_engine

    md = MetaData()
    raw = Table(
        "bench_raw_resident",
        md,
        Column("nik", String(16), primary_key=True),
        Column("office_code", String(5), nullable=False),
        Column("nama", String(200), nullable=False),
        Column("jenis_kelamin", String(1), nullable=False),
        Column("tanggal_lahir", Date, nullable=False),
        Column("status_kawin", String(12), nullable=False),
        Column("kode_desa", String(13), nullable=False),
        Column("kode_kecamatan", String(8), nullable=False),
        Column("tanggal_rekam", Date, nullable=True),
        Column("tanggal_cetak", Date, nullable=True),
        Column("status", String(10), nullable=False),
        Column("updated_at", DateTime, nullable=False),
    )
    Index("ix_raw_office_desa", raw.c.office_code, raw.c.kode_desa)
    Index("ix_raw_office_kecamatan", raw.c.office_code, raw.c.kode_kecamatan)
    engine = make_engine(url)
    md.create_all(engine)
    insert = raw.insert()
    now = datetime.now(UTC).replace(tzinfo=None)
    fromiso = date.fromisoformat

    before = _rss_mb()
    started = time.perf_counter()
    rows = 0
    with file.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        buf: list[dict] = []
        for nik, nama, jk, lahir, kawin, desa, rekam, cetak, status in reader:
            buf.append(
                {
                    "nik": nik,
                    "office_code": "17.04",
                    "nama": nama,
                    "jenis_kelamin": jk,
                    "tanggal_lahir": fromiso(lahir),
                    "status_kawin": kawin,
                    "kode_desa": desa,
                    "kode_kecamatan": desa[:8],
                    "tanggal_rekam": fromiso(rekam) if rekam else None,
                    "tanggal_cetak": fromiso(cetak) if cetak else None,
                    "status": status,
                    "updated_at": now,
                }
            )
            if len(buf) >= batch:
                with engine.begin() as conn:
                    conn.execute(insert, buf)
                rows += len(buf)
                buf = []
        if buf:
            with engine.begin() as conn:
                conn.execute(insert, buf)
            rows += len(buf)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": rows,
        "written": rows,
        "rejected": 0,
        "rss_before_mb": before,
        "rss_peak_mb": _rss_mb(),
    }


# --- orchestration -----------------------------------------------------------------------------


def _run_worker(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class FreshDb:
    """A new empty database for one run; removed afterwards."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.name = f"blangko_bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            self.url = f"sqlite:///{self.tmp / (self.name + '.db')}"
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = (
                make_url(PG_URL).set(database=self.name).render_as_string(hide_password=False)
            )
        _run_worker("setup", self.url)
        return self.url

    def __exit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.tmp / (self.name + '.db')}{suffix}").unlink(missing_ok=True)
        else:
            from sqlalchemy import text

            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


def _fmt(r: dict) -> str:
    return (
        f"{r['seconds']:8.1f} s {r['rows_per_s']:>9,.0f} rows/s  "
        f"peak RSS {r['rss_peak_mb']:6.1f} MB (before run {r['rss_before_mb']:5.1f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, url, *rest = args.worker
        if kind == "setup":
            out = worker_setup(url)
        elif kind == "import":
            out = worker_import(url, Path(rest[0]), int(rest[1]))
        else:
            out = worker_baseline(url, Path(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return

    sys.path.insert(0, str(ROOT / "src"))
    from blangko.demo.residents import write_registry_csv

    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blangko-bench-") as tmpname:
        tmp = Path(tmpname)
        big = tmp / f"residents-{args.rows}.csv"
        small = tmp / f"residents-{args.small}.csv"
        t0 = time.perf_counter()
        write_registry_csv(big, args.rows, today=REFERENCE)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s "
              f"({big.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip
        with big.open(encoding="utf-8") as src, small.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > args.small:
                    break
                dst.write(line)

        for backend in args.backends.split(","):
            report: dict = {
                "backend": backend,
                "batch_size": args.batch,
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_avg_at_start": os.getloadavg(),
                },
                "runs": {},
            }
            for label, file, n in (("small", small, args.small), ("full", big, args.rows)):
                runs = {}
                for kind in ("baseline", "import"):
                    with FreshDb(backend, tmp) as url:
                        r = _run_worker(kind, url, str(file), str(args.batch))
                    r["rows_per_s"] = r["rows"] / r["seconds"]
                    runs[kind] = r
                    print(f"{backend:10} {n:>9,} {kind:8} {_fmt(r)}", flush=True)
                runs["ratio"] = runs["import"]["seconds"] / runs["baseline"]["seconds"]
                print(f"{backend:10} {n:>9,} import/baseline time ratio {runs['ratio']:.2f}x",
                      flush=True)  # fmt: skip
                report["runs"][label] = {"rows": n, **runs}
            s, f = report["runs"]["small"], report["runs"]["full"]
            report["memory_growth_mb_small_to_full"] = {
                kind: f[kind]["rss_peak_mb"] - s[kind]["rss_peak_mb"]
                for kind in ("baseline", "import")
            }
            out = RESULTS / f"import-{backend}.json"
            out.write_text(json.dumps(report, indent=2) + "\n")
            print(f"wrote {out.relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    main()
