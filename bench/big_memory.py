"""Each page of the big office, alone, as the head of office: first and warm time and the
server's peak memory while it answered.

Run from the repository root:

    .venv/bin/python bench/big_memory.py [--db sqlite|postgres] [--src PATH]
        [--timeout 120] [--memory-gb 8] [--json PATH] [--only /stok/ledger ...]

The big office is bench/big_office.py's (built first if its cache is missing), copied for
the run. The server is started as bench/web.py starts it (`python -m blangko serve --demo --port P`) from
the code at --src (default this checkout's src; e.g. /work/main/src for the "before"
figures), one uvicorn process, under an address-space limit of --memory-gb (so that a page
that loads the whole registry fails with a MemoryError there rather than exhausting the
shared machine). Logged in as the head (kepala), for every GET page, chart and download the
head may open (bench/web.py's list, with its parameters read from the database):

- the peak resident memory of the server while it answered (VmHWM in /proc/PID/status,
  reset before each request by writing 5 to /proc/PID/clear_refs), and its resident memory
  after;
- the first view (the first request for that page since the server started) and the warm
  view (the same request again at once), client side, body read.

A request not answered within --timeout seconds is recorded as such and the server started
again (an abandoned request goes on in the server and would weigh on the next pages). The
load average is recorded at the start and the end. Writes bench/results/big-memory-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import big_office
import httpx
from sqlalchemy import create_engine, select

import web
from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ta
from blangko.adapters import tables_events as te
from blangko.adapters import tables_handed_in as th
from blangko.adapters import tables_requests as tr
from blangko.domain.access import ROUTE_ROLES

ROOT = Path(__file__).resolve().parents[1]
ROLE = "kepala"


def values_from_db(url: str) -> dict[str, list[str]]:
    """The path parameters, read from the database (not from the pages: a page that does not
    answer must not keep the others from being measured)."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def first(q: Any) -> list[str]:
            return [str(v) for v in conn.execute(q.limit(3)).scalars()]

        app = ta.application
        out = {
            "receipt": first(
                select(app.c.receipt).where(app.c.status == "diserahkan").order_by(app.c.id.desc())
            ),
            "event_id": first(select(te.event.c.id).order_by(te.event.c.id)),
            "serial": first(select(t.blank.c.serial).where(t.blank.c.state == "available")),
            "count_id": first(select(t.stock_count.c.id).order_by(t.stock_count.c.id.desc())),
            "receipt_seq": first(
                select(t.ledger_entry.c.seq)
                .where(t.ledger_entry.c.kind == "receive")
                .order_by(t.ledger_entry.c.seq)
            ),
            "request_id": first(select(tr.blank_request.c.id).order_by(tr.blank_request.c.id)),
            "shipment_id": first(select(t.shipment.c.id).order_by(t.shipment.c.id)),
            "destruction_id": first(
                select(th.card_destruction.c.id).order_by(th.card_destruction.c.id)
            ),
        }
    engine.dispose()
    return {k: v or ["1"] for k, v in out.items()}


def targets(values: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(label, url) of every page, chart and download the head may open."""
    out = []
    for name, path in web.page_routes():
        if ROLE not in ROUTE_ROLES.get(name, set()) and name not in ("page.status",):
            continue
        if name == "page.login":
            continue
        if name in web.REPORTS:
            raws = [path.replace("{name}", q) for q in web.REPORTS[name]]
        else:
            raws = [path + web.EXTRA_QUERY.get(name, "")]
        for raw in raws:
            url = raw
            for p, vs in values.items():
                url = url.replace("{" + p + "}", vs[0])
            url = url.replace("{receipt_seq}", values["receipt_seq"][0])
            label = raw if name in web.REPORTS else raw.split("?")[0]
            out.append((label.split("&")[0], url))
    return out


def status_of(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(rest.split()[0]) // 1024  # MB
    return out


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(self, url: str, src: Path, work: Path, memory_gb: float) -> None:
        self.url, self.src, self.work, self.memory_gb = url, src, work, memory_gb
        self.proc: subprocess.Popen[bytes] | None = None
        self.client: httpx.Client | None = None

    def start(self) -> float:
        port = web.free_port()
        self.base = f"http://127.0.0.1:{port}"
        limit = int(self.memory_gb * 1024**3)

        def child() -> None:
            web._die_with_parent()
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        env = {**os.environ, "BLANGKO_DATABASE_URL": self.url, "PYTHONPATH": str(self.src)}
        log = (self.work / "server.log").open("ab")
        cmd = [sys.executable, "-m", "blangko", "serve", "--demo", "--port", str(port)]
        self.proc = subprocess.Popen(
            cmd, cwd=self.work, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=child
        )
        up = web.wait_up(self.base, self.proc, self.work / "server.log", 600)
        self.client = httpx.Client(base_url=self.base, timeout=None, follow_redirects=False)
        page = self.client.get("/login")
        import re

        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        data = {"username": web.USER_OF_ROLE[ROLE], "password": web.DEMO_PASSWORD, "next": "/"}
        if csrf:
            data["csrf"] = csrf.group(1)
        r = self.client.post("/login", data=data)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        return up

    def stop(self) -> None:
        if self.client:
            self.client.close()
        if self.proc:
            web.stop_server(self.proc)


def get(server: Server, url: str, timeout: float) -> tuple[float, int, int]:
    """(ms, status, bytes) of one request; status 599: no answer within `timeout`."""
    assert server.client is not None
    started = time.perf_counter()
    try:
        r = server.client.get(url, timeout=timeout)
        status, size = r.status_code, len(r.content)
    except httpx.TimeoutException:
        status, size = 599, 0
    return (time.perf_counter() - started) * 1000, status, size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--src", default=str(ROOT / "src"))
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--memory-gb", type=float, default=8)
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--sqlite-file", help="this database instead of the big office's cache")
    ap.add_argument("--only", nargs="*", help="only these pages (labels as printed)")
    ap.add_argument("--json")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bigmem-"))
    pg_name = None
    if args.db == "sqlite":
        source = args.sqlite_file or big_office.ensure("sqlite", args.residents, args.entries)
        shutil.copyfile(source, work / "blangko.db")
        url = f"sqlite:///{work / 'blangko.db'}"
    else:
        template = big_office.ensure("postgres", args.residents, args.entries)
        pg_name = f"blangko_bench_mem_{os.getpid()}"
        big_office._pg_admin(f'CREATE DATABASE "{pg_name}" TEMPLATE "{template}"')
        url = big_office.pg_url(pg_name)
    values = values_from_db(url)
    pages = targets(values)
    if args.only:
        pages = [(label, u) for label, u in pages if label in args.only]
    result: dict[str, Any] = {
        "db": args.db,
        "src": args.src,
        "date": date.today().isoformat(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": web.loadavg(),
        "timeout_s": args.timeout,
        "memory_limit_gb": args.memory_gb,
        "pages": [],
    }
    out = Path(args.json or ROOT / "bench" / "results" / f"big-memory-{args.db}.json")

    def save() -> None:  # after each page: a run cut short keeps what it measured
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")

    server = Server(url, Path(args.src), work, args.memory_gb)
    try:
        result["server_up_s"] = round(server.start(), 1)
        assert server.proc is not None
        result["rss_after_login_mb"] = status_of(server.proc.pid)["VmRSS"]
        for label, url_ in pages:
            pid = server.proc.pid
            reset_peak(pid)
            first_ms, status, size = get(server, url_, args.timeout)
            row: dict[str, Any] = {"page": label, "url": url_, "status": status, "bytes": size}
            row["first_ms"] = round(first_ms, 1)
            if status == 599 or server.proc.poll() is not None:
                row["peak_mb"] = status_of(pid)["VmHWM"] if server.proc.poll() is None else None
                row["warm_ms"] = None
                print(f"{label}: no answer in {args.timeout:.0f} s; restarting", flush=True)
                server.stop()
                server.start()
            else:
                warm_ms, _, _ = get(server, url_, args.timeout)
                mem = status_of(pid)
                row.update(warm_ms=round(warm_ms, 1), peak_mb=mem["VmHWM"], rss_mb=mem["VmRSS"])
            result["pages"].append(row)
            save()
            print(
                f"{label:60} {status} first {row['first_ms']:>9.0f} ms  warm "
                f"{row['warm_ms'] or 0:>9.0f} ms  peak {row['peak_mb']} MB",
                flush=True,
            )
    finally:
        server.stop()
        if pg_name:
            big_office._pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    result["load_end"] = web.loadavg()
    peaks = [p["peak_mb"] for p in result["pages"] if p["peak_mb"] is not None]
    result["max_peak_mb"] = max(peaks) if peaks else None
    save()
    print(
        f"load {result['load_start']} -> {result['load_end']}; max peak {result['max_peak_mb']} MB"
    )
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
