"""Web benchmark: every page and chart as every role, under concurrent clients, beside the
public /status page in the same run.

Run from the repository root, one command per configuration:

    .venv/bin/python bench/web.py --office demo --db sqlite
    .venv/bin/python bench/web.py --office demo --db postgres
    .venv/bin/python bench/web.py --office big --db sqlite       # 1 juta residents + entries
    .venv/bin/python bench/web.py --office big --db postgres
      [--clients 8] [--duration 60 | --rounds N] [--no-writes] [--print-every 5]
      [--imports 1 | --no-imports] [--import-file export|generated] [--first-views 3]
      [--no-files] [--no-warm-up] [--no-vacuum] [--timeout 60] [--port 0]
      [--residents N --entries N] [--json PATH] [--timeline PATH]

What it does:

1. A fresh database: the demo is built by the server itself (`blangko serve --demo`, as
   scripts/run starts it); the big office (bench/big_office.py: the demo's story on 1 juta
   residents and 1 juta ledger entries) is copied from its cache (a SQLite file, or a
   PostgreSQL template database). PostgreSQL databases are created for the run on the bench
   server (BLANGKO_BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432)
   and dropped afterwards.
2. The server as users start it: `python -m blangko serve --demo --port P` (one uvicorn
   process), this checkout's code, on a free port.
3. Log-in to dashboard, first thing after the start, once per role (POST /login, its 303 to
   /, the dashboard): the "dashboard right after log-in" figures. On PostgreSQL the run's
   database is then VACUUMed and ANALYZEd (unless --no-vacuum), as a production server's
   autovacuum would soon do after the build: the local test server runs with autovacuum
   off, and without it each index-only count reads every row's table page too.
4. The pages: every GET route of the web app that is a page, chart or download (not /api/,
   not the language switch), found from the app's routes, as every role that
   `domain.access.ROUTE_ROLES` allows; path parameters are filled from the data (receipt
   numbers from /layanan, events from /agenda, a serial from the ledger page, reports by
   name); a route whose parameter the bench cannot fill stops the run (so a new page cannot
   be missed).
5. A warm-up: every page and chart once per role, one after another. Then the load, for
   --duration seconds (or --rounds walks per client): --clients concurrent
   clients (httpx, asyncio), client i logged in as role i mod 5, each walking its role's
   pages and charts in turn, and between two walks the public /status page from an
   anonymous client: the baseline, in the same run under the same load. Meanwhile (unless
   --no-writes):
   - prints: one client consumes a blank (POST /api/v1/stock/consume, service pemula, at the
     store) every --print-every seconds (5: six times the rate of an office printing 1.000
     cards a day) and after each reads the dashboard, /stok and the request letter's form:
     the stock on hand they show must be the balance after that print (the ledger balance
     is immediate); a page that shows another figure is a freshness violation;
   - imports: the registry is re-imported with the CLI (`blangko residents import`)
     --imports times, one after the other, from the start of the load. The file
     (--import-file) is by default the office's own export a month on: every resident of
     the run's database restated, about 1 % changed (recorded, printed, died), what an office
     imports each month; `generated` is a generated registry of the office's size (most of
     its residents new to the office: the import writes nearly every row). The load lasts
     until the last import has ended; after each the dashboard's registry date must be
     today's and /cakupan's coverage must be the one the service computes after the
     import, unless the page states an older freshness (a
     `data-fresh` attribute: the figure of before, being computed again), which must be
     within BLANGKO_FIGURES_MAX_STALE_SECONDS; a mismatch is a violation.
6. First views after a change, with no load: --first-views times, a print, then every
   page, chart and (unless --no-files) download once, timed; then a registry import, then
   every page once more; then a log-in and the dashboard.

Prints markdown tables: per page p50/p95/p99/max ms, n, requests per second, errors, beside
/status; the first views after a print and after an import; the dashboard after log-in;
the freshness checks; the load average at the start and end. The figures also go to
bench/results/web-<office>-<db>.json (or --json).

Targets (issue 17): every page and chart p95 < 150 ms warm and < 1 s on the first view
after a change, on both offices; the dashboard right after log-in < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import ctypes
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import big_office
import httpx

from blangko.demo import printers as demo_printers
from blangko.demo import residents as demo_residents
from blangko.domain.access import ANONYMOUS, ROLES, ROUTE_ROLES
from blangko.services.admin.users import DEMO_PASSWORD, DEMO_USERS
from blangko.services.context import context_from_settings
from blangko.services.coverage import areas
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
USER_OF_ROLE = {role: name for name, role in DEMO_USERS}
P95_TARGET_MS = 150.0
FIRST_VIEW_TARGET_MS = 1000.0
DEMO_POPULATION = demo_residents.DEMO_RESIDENTS
# Routes not walked: the language switch only redirects (and would change the client's
# language); the log-in form redirects a signed-in user (it is timed as the anonymous page);
# the national and province view belongs to the directorate's and the provinces' users, not
# to the office's roles this bench signs in as (bench/national_scale.py measures it).
SKIPPED = {
    "page.lang",
    "page.national",
    "page.national.export",
    "page.province",
    "page.province.export",
    "page.national.allocation",
}
STATUS = "/status"
LOGIN = "log-in + /"  # the timeline's label of a log-in with its dashboard
# A slow request is put beside a print that began this many seconds before it, or during it.
NEAR_PRINT_S = 2.0
MONTH = f"{date.today():%Y-%m}"
# Reports by name, with the query their form sends (domain reports of web/reports.py).
REPORTS = {
    "page.report.stock": [
        f"usage?fmt=xlsx&month={MONTH}",
        "count?fmt=xlsx&count_id={count_id}",
        "receipt?fmt=pdf&seq={receipt_seq}",
        f"destruction?fmt=xlsx&month={MONTH}",
        # A quantity item's usage and count record (the demo's colour ribbon).
        f"item_usage?fmt=xlsx&item={demo_printers.RIBBON}&month={MONTH}",
        f"item_count?fmt=pdf&item={demo_printers.RIBBON}&as_of={date.today():%Y-%m-%d}",
    ],
    "page.report.office": [
        "coverage?fmt=pdf",
        "request?fmt=pdf&quantity=1000&reason=Kebutuhan%20tiga%20bulan",
        "purchase?fmt=pdf",
    ],
}
EXTRA_QUERY = {
    "page.stock.trace": "?serial={serial}",
    "page.old_cards.recap": f"?month={MONTH}",  # the recap is of one month
}
ON_HAND = re.compile(r'data-figure="on_hand" data-location="" data-value="(-?\d+)"')
COVERAGE = re.compile(r'data-figure="coverage" data-value="([^"]*)"')
REGISTRY_DATE = re.compile(r'data-figure="registry_age" data-date="([^"]*)"')
FRESH = re.compile(r'data-fresh="([^"]*)"')
# How old a figure a page may show while a newer one is computed (BLANGKO_FIGURES_MAX_STALE_SECONDS).
MAX_STALE_SECONDS = Settings().figures_max_stale_seconds


@dataclass
class Target:
    label: str  # what the tables show: the path with its parameters named
    url: str
    route: str
    roles: list[str]
    kind: str = "page"  # page | chart | file


@dataclass
class Figures:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)
    # Every request of the load as (seconds since the load began, page, role, ms), and the
    # writes beside it as (seconds, what): which views are slow, and next to which write.
    t0: float = field(default_factory=time.perf_counter)
    timeline: list[tuple[float, str, str, float]] = field(default_factory=list)
    writes: list[tuple[float, str]] = field(default_factory=list)

    def at(self) -> float:
        return round(time.perf_counter() - self.t0, 3)

    def add(self, label: str, ms: float, status: int, url: str, role: str = "") -> None:
        self.samples[label].append(ms)
        self.timeline.append((round(self.at() - ms / 1000, 3), label, role, round(ms, 1)))
        if status >= 400:
            self.errors[label] += 1
            if len(self.error_examples) < 10:
                self.error_examples.append(f"{url}: {status}")


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
    return ordered[k]


def ms(v: float) -> str:
    if v != v:  # NaN
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# The database and the server ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Database:
    """The run's own database; removed at the end."""

    def __init__(self, office: str, db: str, residents: int, entries: int, work: Path) -> None:
        self.office, self.db, self.work = office, db, work
        self.pg_name: str | None = None
        if db == "sqlite":
            path = work / "blangko.db"
            self.url = f"sqlite:///{path}"
            if office == "big":
                shutil.copyfile(big_office.ensure("sqlite", residents, entries), path)
            elif office == "small":
                big_office.build(self.url, residents, 0)
        else:
            self.pg_name = f"blangko_bench_web_{os.getpid()}"
            big_office._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
            if office == "big":
                template = big_office.ensure("postgres", residents, entries)
                big_office._pg_admin(f'CREATE DATABASE "{self.pg_name}" TEMPLATE "{template}"')
            else:
                big_office._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            self.url = big_office.pg_url(self.pg_name)
            if office == "small":
                big_office.build(self.url, residents, 0)

    def vacuum(self) -> float:
        """VACUUM ANALYZE the run's database, as a production server's autovacuum would soon
        after the demo's build or the copy. The local test server runs with autovacuum off:
        without it every index-only count fetches each row from the table (the visibility
        map is empty) and the planner has no statistics. Returns the seconds it took."""
        from sqlalchemy import create_engine

        started = time.monotonic()
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        finally:
            engine.dispose()
        return time.monotonic() - started

    def drop(self) -> None:
        if self.pg_name:
            big_office._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def server_env(url: str) -> dict[str, str]:
    src = str(ROOT / "src")
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "BLANGKO_DATABASE_URL": url,
        "PYTHONPATH": f"{src}{os.pathsep}{path}" if path else src,
    }


def start_server(
    url: str, port: int, work: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], Path]:
    log = work / "server.log"
    cmd = [sys.executable, "-m", "blangko", "serve", "--demo", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=work,
            env=server_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    return proc, log


def _die_with_parent() -> None:
    """In the server's process: end it when the bench dies, even killed (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def wait_up(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped (exit {proc.returncode}):\n{log.read_text()}")
        try:  # the log-in form: no figure to compute, so polling does not load the server
            if httpx.get(base + "/login", timeout=120).status_code < 500:
                return time.monotonic() - started
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s; log {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# Clients ----------------------------------------------------------------------------------
TIMEOUT = 60.0  # --timeout: a request not answered by then counts as an error, status 599


async def timed_get(client: httpx.AsyncClient, url: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    for attempt in (1, 2):
        try:
            r = await client.get(url, timeout=TIMEOUT)
            await r.aread()
            break
        except httpx.TimeoutException:
            r = httpx.Response(599, request=httpx.Request("GET", url))
            break
        except httpx.TransportError:
            # A kept-alive connection the server closed as it was reused (uvicorn closes
            # idle ones after 5 s): once more on a new one, timed from the first try.
            r = httpx.Response(598, request=httpx.Request("GET", url))
            if attempt == 2:
                break
    return (time.perf_counter() - started) * 1000, r


async def log_in(base: str, role: str) -> tuple[httpx.AsyncClient, float, float]:
    """A client signed in as `role`: (client, ms of the log-in with its redirect to the
    dashboard and the dashboard itself, ms of the dashboard alone)."""
    client = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=False)
    if role == ANONYMOUS:
        return client, 0.0, 0.0
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    data = {"username": USER_OF_ROLE[role], "password": DEMO_PASSWORD, "next": "/"}
    if csrf:
        data["csrf"] = csrf.group(1)
    started = time.perf_counter()
    r = await client.post("/login", data=data)
    if r.status_code != 303:
        raise SystemExit(f"log-in as {role} failed: {r.status_code} {r.text[:300]}")
    dash_ms, dash = await timed_get(client, r.headers["location"])
    total = (time.perf_counter() - started) * 1000
    if dash.status_code not in (200, 599):
        raise SystemExit(f"dashboard after log-in as {role}: {dash.status_code}")
    return client, total, dash_ms


async def api_token(base: str, role: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    r = await client.post(
        "/api/v1/auth/token", data={"username": USER_OF_ROLE[role], "password": DEMO_PASSWORD}
    )
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


# Targets ----------------------------------------------------------------------------------
def page_routes() -> list[tuple[str, str]]:
    """(route name, path) of every GET route that is a page, chart or download."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/routes.db", secret_key="x" * 32))
        routes = api_routes(app)
    out = [
        (r.name, r.path)
        for r in routes
        if "GET" in r.methods and not r.path.startswith("/api/") and r.name not in SKIPPED
    ]
    return sorted(out, key=lambda x: x[1])


async def discover(base: str) -> dict[str, list[str]]:
    """Values for the path and query parameters, read from the pages as the head of office."""
    head, _, _ = await log_in(base, "kepala")
    stok, _, _ = await log_in(base, "pengelola_stok")
    try:
        found: dict[str, list[str]] = {}
        layanan = (await timed_get(head, "/layanan"))[1].text
        receipts = re.findall(r"/layanan/permohonan/([\w-]+)", layanan)
        api = await api_token(base, "kepala")
        for status in ("diserahkan", "dicetak"):  # a handover slip needs a collected one
            page = (await api.get("/api/v1/applications", params={"status": status})).json()
            receipts += [a["receipt"] for a in page.get("items", [])[-3:]]
        await api.aclose()
        found["receipt"] = list(dict.fromkeys(receipts))
        agenda = (await timed_get(head, "/agenda"))[1].text
        found["event_id"] = list(dict.fromkeys(re.findall(r"/agenda/acara/(\d+)", agenda)))
        ledger = (await timed_get(stok, "/stok/ledger"))[1].text
        found["serial"] = list(dict.fromkeys(re.findall(r"\b[A-Z]{2}\d{7}\b", ledger)))[:5]
        found["serial"] = found["serial"] or ["KR0100001"]  # the demo's shipment
        stock = (await timed_get(stok, "/stok"))[1].text
        found["count_id"] = list(dict.fromkeys(re.findall(r'data-testid="count-(\d+)"', stock)))
        found["count_id"] = found["count_id"] or ["1"]
        found["receipt_seq"] = ["2"]  # the demo's shipment
        requests = (await timed_get(head, "/permohonan"))[1].text
        found["request_id"] = list(dict.fromkeys(re.findall(r"/permohonan/(\d+)", requests))) or [
            "1"
        ]  # the demo's first request
        shipments = (await timed_get(head, "/kiriman"))[1].text
        found["shipment_id"] = list(dict.fromkeys(re.findall(r"/kiriman/(\d+)", shipments))) or [
            "1"
        ]  # the demo's June shipment
        old_cards = (await timed_get(head, "/kartu-lama"))[1].text
        found["destruction_id"] = list(
            dict.fromkeys(re.findall(r"/kartu-lama/pemusnahan/(\d+)", old_cards))
        ) or ["1"]  # the demo's past destruction
    finally:
        await head.aclose()
        await stok.aclose()
    return found


async def build_targets(base: str) -> list[Target]:
    values = await discover(base)
    roles_of = {r: sorted(ROUTE_ROLES[r] - {ANONYMOUS}) for r in ROUTE_ROLES}
    out: list[Target] = []
    clients = {role: (await log_in(base, role))[0] for role in ROLES}
    anon = httpx.AsyncClient(base_url=base, timeout=120)
    clients[ANONYMOUS] = anon
    try:
        for name, path in page_routes():
            roles = roles_of[name] or [ANONYMOUS]
            if name in ("page.status", "page.login"):
                roles = [ANONYMOUS]
            if name in REPORTS:
                urls = [path.replace("{name}", q) for q in REPORTS[name]]
            else:
                urls = [path + EXTRA_QUERY.get(name, "")]
            for raw in urls:
                params = re.findall(r"\{(\w+)(?::\w+)?\}", raw)
                missing = [p for p in params if p not in values]
                if missing:
                    raise SystemExit(
                        f"bench/web.py cannot fill {missing} of {name} ({path}): add a source "
                        "for it in discover()"
                    )
                url = await _first_that_answers(raw, params, values, clients, roles)
                label = re.sub(r"\?.*", "", raw) if name not in REPORTS else raw.split("&")[0]
                out.append(Target(label=label, url=url, route=name, roles=roles))
        for target in out:  # the kind from what the route answers
            client = clients.get(target.roles[0], anon)
            r = (await timed_get(client, target.url))[1]
            kind = r.headers.get("content-type", "")
            if r.status_code == 599:  # no answer in time: the kind from the path
                kind = "svg" if ".svg" in target.url else "html"
                if re.search(r"\.(xlsx|pdf)|/unduh|/laporan/(stok|kantor)/", target.url):
                    kind = "file"
            target.kind = "chart" if "svg" in kind else "page" if "html" in kind else "file"
    finally:
        for c in clients.values():
            await c.aclose()
    return out


async def _first_that_answers(
    raw: str,
    params: list[str],
    values: dict[str, list[str]],
    clients: dict[str, httpx.AsyncClient],
    roles: list[str],
) -> str:
    """The path with its parameters filled by the first values the route answers 200 to."""
    if not params:
        return raw.format()
    client = clients[roles[0]]
    tried = []
    for i in range(max(len(values[p]) for p in params)):
        url = raw
        for p in params:
            choices = values[p]
            url = re.sub(r"\{" + p + r"(?::\w+)?\}", choices[min(i, len(choices) - 1)], url)
        tried.append(url)
        status = (await timed_get(client, url))[1].status_code
        if status in (200, 599):  # 599: too slow to tell, but not refused
            return url
    raise SystemExit(f"no value answered 200 for {raw}; tried {tried[:5]}")


# The load ---------------------------------------------------------------------------------
async def warm_up(base: str, targets: list[Target]) -> float:
    """One walk of every page and chart per role, one after another, before the load: the
    load measures warm pages."""
    started = time.monotonic()
    for role in ROLES:
        client, _, _ = await log_in(base, role)
        for t in targets:
            if role in t.roles and t.kind != "file":
                await timed_get(client, t.url)
        await client.aclose()
    return time.monotonic() - started


async def walker(
    base: str,
    role: str,
    targets: list[Target],
    figures: Figures,
    stop: asyncio.Event,
    rounds: int | None,
    logins: list[tuple[str, float, float]],
    think: float = 0.0,
    seed: int = 0,
) -> None:
    """One signed-in user walking their pages. With ``think`` > 0 the user logs in after a
    random time within the first ``think`` seconds and pauses between two pages for a random
    time (exponential, mean ``think`` seconds, seeded), as a clerk reads a page before the
    next: an open load of that many users. With 0 the client asks
    again at once: a saturated closed loop, the stress figure."""
    pause = random.Random(seed)
    if think > 0:
        # Users who read their pages do not all log in in the same instant either: 20 log-ins
        # at once queue about 3 s of argon2 behind each other, which is not a page's cost.
        await asyncio.sleep(pause.uniform(0, think))
    client, login_ms, dash_ms = await log_in(base, role)
    logins.append((role, login_ms, dash_ms))
    figures.timeline.append((round(figures.at() - login_ms / 1000, 3), LOGIN, role, login_ms))
    anon = httpx.AsyncClient(base_url=base, timeout=120)
    # Pages and charts (downloads are timed in the first views); /status is the baseline.
    mine = [t for t in targets if role in t.roles and t.kind != "file" and t.url != STATUS]
    done = 0
    try:
        while not stop.is_set() and (rounds is None or done < rounds):
            for t in mine:
                took, r = await timed_get(client, t.url)
                figures.add(t.label, took, r.status_code, t.url, role)
                took, r = await timed_get(anon, STATUS)
                figures.add(STATUS, took, r.status_code, STATUS, ANONYMOUS)
                if stop.is_set():
                    break
                if think > 0:
                    await asyncio.sleep(pause.expovariate(1 / think))
            done += 1
    finally:
        await client.aclose()
        await anon.aclose()


@dataclass
class Freshness:
    checks: int = 0
    violations: list[str] = field(default_factory=list)
    prints: int = 0
    print_ms: list[float] = field(default_factory=list)
    imports: list[float] = field(default_factory=list)


def on_hand(html: str) -> int | None:
    m = ON_HAND.search(html)
    return int(m.group(1)) if m else None


async def printer(
    base: str, stop: asyncio.Event, fresh: Freshness, every: float, figures: Figures
) -> None:
    """Prints one after another; after each, the dashboard, /stok and the request letter's
    form must show the balance after it. Only this client changes the stock during the load, so that balance is known
    without asking the server: the balance before the first print, minus the prints."""
    api = await api_token(base, "operator")
    head, _, _ = await log_in(base, "kepala")
    try:
        first = on_hand((await timed_get(head, "/stok"))[1].text)
        if first is None:
            raise SystemExit("no stock on hand found on /stok (data-figure='on_hand')")
        expected = first
        while not stop.is_set():
            started = time.perf_counter()
            figures.writes.append((figures.at(), "print"))
            r = await api.post(
                "/api/v1/stock/consume",
                json={"service": "pemula", "qty": 1, "location": "gudang"},
            )
            fresh.print_ms.append((time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                fresh.violations.append(f"print refused: {r.status_code} {r.text[:200]}")
                await asyncio.sleep(1)
                continue
            fresh.prints += 1
            expected -= 1
            for url in ("/", "/stok", "/laporan/permohonan"):
                page = (await timed_get(head, url))[1]
                if page.status_code >= 598:
                    continue  # no answer in time: nothing shown, nothing to check
                shown = on_hand(page.text)
                fresh.checks += 1
                if shown != expected:
                    fresh.violations.append(f"{url} shows on hand {shown}, ledger {expected}")
            await asyncio.sleep(every)
    finally:
        await api.aclose()
        await head.aclose()


def registry_file(population: int) -> Path:
    """A generated registry export of the office's size (cached): its recording dates are
    not the demo's, so the first import of it changes coverage."""
    big_office.CACHE.mkdir(parents=True, exist_ok=True)
    path = big_office.CACHE / f"registry-{population}-{date.today():%Y%m%d}.csv"
    if not path.exists():
        for old in big_office.CACHE.glob(f"registry-{population}-*.csv"):
            old.unlink()
        part = path.with_suffix(".part")
        demo_residents.write_registry_csv(part, population, today=date.today())
        part.rename(path)
    return path


# The office's own export a month on (`registry_export`): of every CHANGE_EVERY residents
# one not yet recorded is recorded today, one recorded but unprinted gets its card today, and
# of every DIED_EVERY alive residents one has died.
CHANGE_EVERY, DIED_EVERY = 100, 1_000


def registry_export(url: str, work: Path) -> Path:
    """The office's registry as SIAK would export it a month later: every resident of the
    run's database restated, about 1 % of them changed (recorded, printed, died). What an
    office imports each month; the first import of it changes coverage (its recordings)."""
    from sqlalchemy import create_engine, select

    from blangko.adapters.registry_files import CANONICAL
    from blangko.adapters.tables_residents import resident

    today = date.today().isoformat()
    path = work / "registry-export.csv"
    engine = create_engine(url)
    r = resident.c
    unrecorded = unprinted = alive = 0
    try:
        with engine.connect() as conn, path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(CANONICAL)
            rows = conn.execution_options(yield_per=20_000).execute(
                select(*(r[c] for c in CANONICAL))
                .where(r.office_code == big_office.OFFICE)
                .order_by(r.nik)
            )
            for row in rows:
                cells = {c: row[i] for i, c in enumerate(CANONICAL)}
                if cells["status"] == "HIDUP":
                    alive += 1
                    if alive % DIED_EVERY == 0:
                        cells["status"] = "MENINGGAL"
                    if cells["tanggal_rekam"] is None:
                        unrecorded += 1
                        if unrecorded % CHANGE_EVERY == 0:
                            cells["tanggal_rekam"] = today
                    elif cells["tanggal_cetak"] is None:
                        unprinted += 1
                        if unprinted % CHANGE_EVERY == 0:
                            cells["tanggal_cetak"] = today
                writer.writerow(
                    [
                        "" if v is None else v.isoformat() if isinstance(v, date) else v
                        for v in cells.values()
                    ]
                )
    finally:
        engine.dispose()
    return path


def run_import(url: str, csv: Path, work: Path) -> float:
    """`blangko residents import FILE` against the run's database; its wall time (s)."""
    cmd = [sys.executable, "-m", "blangko", "residents", "import", str(csv), "--json"]
    cmd += ["--rejects", str(work / "rejects.csv"), "--warnings", str(work / "warnings.csv")]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=work, env=server_env(url), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {proc.stdout[-500:]}{proc.stderr}")
    return time.monotonic() - started


def coverage_now(url: str) -> str:
    """The office's coverage as the service computes it now, as /cakupan writes it."""
    ctx = context_from_settings(Settings(database_url=url))
    try:
        c = areas.coverage(ctx, by="kecamatan")
    finally:
        ctx.engine.dispose()
    value = c["coverage_pct"]
    return "" if value is None else str(value)


def within_bound(computed_at: str) -> bool:
    """A stale figure's stated moment (naive UTC) is within the pages' bound (plus the
    request's own time): `data-fresh` is what a page states when it shows a figure of before
    the last change (services.derived)."""
    age = datetime.now(UTC).replace(tzinfo=None) - datetime.fromisoformat(computed_at)
    return age.total_seconds() <= MAX_STALE_SECONDS + 60


async def check_after_import(base: str, url: str, fresh: Freshness, label: str) -> None:
    head, _, _ = await log_in(base, "kepala")
    try:
        want = await asyncio.to_thread(coverage_now, url)
        answer = (await timed_get(head, "/cakupan"))[1]
        if answer.status_code >= 598:
            return  # no answer in time: nothing shown, nothing to check
        page = answer.text
        stated = FRESH.search(page)
        shown = COVERAGE.search(page)
        fresh.checks += 1
        if shown is None:
            fresh.violations.append(f"{label}: no coverage figure on /cakupan")
        elif shown.group(1) != want and not stated:
            fresh.violations.append(
                f"{label}: /cakupan shows coverage {shown.group(1)}, the registry {want}"
            )
        elif stated and not within_bound(stated.group(1)):
            fresh.violations.append(
                f"{label}: /cakupan shows coverage computed at {stated.group(1)} (UTC), "
                f"older than the {MAX_STALE_SECONDS:.0f} s a page may show"
            )
        dash = (await timed_get(head, "/"))[1].text
        day = REGISTRY_DATE.search(dash)
        fresh.checks += 1
        today = await asyncio.to_thread(_server_today, url)
        if day is None or day.group(1) != today:
            fresh.violations.append(
                f"{label}: the dashboard's registry date is {day and day.group(1)}, not {today}"
            )
    finally:
        await head.aclose()


def _server_today(url: str) -> str:
    ctx = context_from_settings(Settings(database_url=url))
    try:
        return ctx.today().isoformat()
    finally:
        ctx.engine.dispose()


async def importer(
    base: str,
    url: str,
    csv: Path,
    work: Path,
    fresh: Freshness,
    n: int,
    figures: Figures,
) -> None:
    """`n` imports one after another from the start of the load (the load ends only after
    the last, so each is read under)."""
    for _ in range(n):
        figures.writes.append((figures.at(), "import begins"))
        took = await asyncio.to_thread(run_import, url, csv, work)
        figures.writes.append((figures.at(), "import ends"))
        fresh.imports.append(took)
        await check_after_import(base, url, fresh, f"import {len(fresh.imports)}")


async def load(
    base: str,
    url: str,
    targets: list[Target],
    args: argparse.Namespace,
    csv: Path | None,
    work: Path,
) -> tuple[Figures, float, Freshness, list[tuple[str, float, float]]]:
    figures, fresh = Figures(), Freshness()
    stop = asyncio.Event()
    logins: list[tuple[str, float, float]] = []
    walkers = [
        asyncio.create_task(
            walker(
                base,
                ROLES[i % len(ROLES)],
                targets,
                figures,
                stop,
                args.rounds,
                logins,
                think=args.think,
                seed=i,
            )
        )
        for i in range(args.clients)
    ]
    writers = []
    imports: asyncio.Task[None] | None = None
    if args.writes:
        writers.append(asyncio.create_task(printer(base, stop, fresh, args.print_every, figures)))
        if csv is not None and args.imports:
            imports = asyncio.create_task(
                importer(base, url, csv, work, fresh, args.imports, figures)
            )
            writers.append(imports)
    started = time.perf_counter()
    if args.rounds is None:
        await asyncio.sleep(args.duration)
        if imports is not None:
            await imports  # read under until the last import has ended
        stop.set()
        await asyncio.gather(*walkers)
    else:
        await asyncio.gather(*walkers)
        stop.set()
    elapsed = time.perf_counter() - started
    await asyncio.gather(*writers)  # an import under way finishes first
    return figures, elapsed, fresh, logins


# First views ------------------------------------------------------------------------------
async def first_views(
    base: str,
    url: str,
    targets: list[Target],
    args: argparse.Namespace,
    csv: Path | None,
    work: Path,
    fresh: Freshness,
) -> dict[str, dict[str, list[float]]]:
    """{change: {label: [ms of the first view after each change]}}."""
    out: dict[str, dict[str, list[float]]] = {"print": defaultdict(list), "import": {}}
    out["login"] = defaultdict(list)
    api = await api_token(base, "operator")
    clients = {role: (await log_in(base, role))[0] for role in ROLES}
    walk = [t for t in targets if args.files or t.kind != "file"]

    async def every_page(into: dict[str, list[float]]) -> None:
        for t in walk:
            client = clients[t.roles[0]] if t.roles[0] in clients else clients["kepala"]
            if t.roles == [ANONYMOUS]:
                client = httpx.AsyncClient(base_url=base, timeout=120)
            took, r = await timed_get(client, t.url)
            into[t.label].append(took)
            if r.status_code >= 400:
                fresh.violations.append(f"first view {t.url}: {r.status_code}")
            if t.roles == [ANONYMOUS]:
                await client.aclose()

    try:
        for _ in range(args.first_views):
            r = await api.post(
                "/api/v1/stock/consume", json={"service": "pemula", "qty": 1, "location": "gudang"}
            )
            r.raise_for_status()
            await every_page(out["print"])
            for role in ROLES:
                c, total, _dash = await log_in(base, role)
                out["login"][role].append(total)
                await c.aclose()
        if csv is not None:
            fresh.imports.append(await asyncio.to_thread(run_import, url, csv, work))
            out["import"] = defaultdict(list)
            await every_page(out["import"])
            await check_after_import(base, url, fresh, "first views, import")
    finally:
        await api.aclose()
        for c in clients.values():
            await c.aclose()
    return out


# Report -----------------------------------------------------------------------------------
def tables(result: dict[str, Any]) -> str:
    lines = []
    cfg = result["config"]
    lines.append(
        f"### {cfg['office']} office, {cfg['db']}: {cfg['clients']} clients, "
        + (
            f"thinking {cfg['think_s']:g} s on average between pages, "
            if cfg.get("think_s")
            else "no pause between pages (saturated), "
        )
        + f"{cfg.get('server_workers', 1)} server process(es), "
        f"{result['load']['seconds']:.0f} s, writes {'on' if cfg['writes'] else 'off'}"
    )
    lines.append("")
    lines.append(
        f"{result['when']}; load average {result['loadavg_start']} at the start, "
        f"{result['loadavg_end']} at the end; server up in {result['server_start_s']:.0f} s. "
        f"Total {result['load']['requests']:,} requests, {result['load']['rps']:.1f}/s."
    )
    lines.append("")
    lines.append(
        "| page | kind | roles | n | p50 ms | p95 ms | p99 ms | max ms | req/s | errors "
        "| p95 after the log-ins |"
    )
    lines.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    met = met_after = total = 0
    for row in result["pages"]:
        after = row.get("p95_after_logins_ms", float("nan"))
        page = row["kind"] != "baseline"
        mark = " ✗" if page and not row["p95_ms"] < P95_TARGET_MS else ""
        mark_after = " ✗" if page and not after < P95_TARGET_MS else ""
        if page:
            total += 1
            met += not mark
            met_after += not mark_after
        lines.append(
            f"| `{row['page']}` | {row['kind']} | {row['roles']} | {row['n']:,} | "
            f"{ms(row['p50_ms'])} | {ms(row['p95_ms'])}{mark} | {ms(row['p99_ms'])} | "
            f"{ms(row['max_ms'])} | {row['rps']:.1f} | {row['errors']} | {ms(after)}{mark_after} |"
        )
    lines.append("")
    lines.append(
        f"✗: p95 at or above the 150 ms target. Pages and charts under it: {met} of {total}; "
        f"counting only the views begun after the last log-in of the load had ended "
        f"({result['load'].get('logins_done_s', 0):.1f} s in): {met_after} of {total}."
    )
    fv = result["first_views"]
    if fv:
        lines.append("")
        lines.append(
            f"First view after a change (no load; median / max over {cfg['first_views']} "
            "prints; one registry import):"
        )
        lines.append("")
        lines.append("| page | kind | after a print, median | max | after an import |")
        lines.append("|---|---|--:|--:|--:|")
        for row in fv:
            worst = max(row["print_max_ms"], row["import_ms"] or 0)
            flag = " ✗" if row["kind"] != "file" and worst >= FIRST_VIEW_TARGET_MS else ""
            lines.append(
                f"| `{row['page']}` | {row['kind']} | {ms(row['print_median_ms'])} | "
                f"{ms(row['print_max_ms'])}{flag} | {ms(row['import_ms'] or float('nan'))} |"
            )
        lines.append("")
        lines.append("✗: a page or chart whose first view took 1 s or more (the target).")
    lines.append("")
    lines.append("Log-in to the dashboard (POST /login, its redirect, the dashboard), ms:")
    lines.append("")
    lines.append("| role | first after the start | after a print (median) | under load (median) |")
    lines.append("|---|--:|--:|--:|")
    for row in result["logins"]:
        lines.append(
            f"| {row['role']} | {ms(row['cold_ms'])} | {ms(row['after_print_ms'])} | "
            f"{ms(row['under_load_ms'])} |"
        )
    f = result["freshness"]
    lines.append("")
    lines.append(
        f"Writes: {f['prints']} prints during the load (median {ms(f['print_median_ms'])} ms), "
        f"registry imports in the load and the first views: "
        f"{', '.join(f'{s:.1f} s' for s in f['imports_s']) or 'none'}; "
        f"freshness checks {f['checks']}, violations {len(f['violations'])}."
    )
    for v in f["violations"][:10]:
        lines.append(f"- {v}")
    if result["error_examples"]:
        lines.append("")
        lines.append("Errors: " + "; ".join(result["error_examples"]))
    slow = result.get("slow_beside_writes") or []
    if slow:
        lines.append("")
        lines.append(
            f"Requests of the load over {P95_TARGET_MS:.0f} ms, by what went on beside them "
            f"(an import under way or ended at most {NEAR_PRINT_S:.0f} s before; else a print "
            f"begun at most {NEAR_PRINT_S:.0f} s before):"
        )
        lines.append("")
        lines.append("| page | slow | import | print | no write | worst ms |")
        lines.append("|---|--:|--:|--:|--:|--:|")
        for r in slow[:15]:
            lines.append(
                f"| {r['page']} | {r['slow']} | {r['import']} | {r['print']} | {r['none']} "
                f"| {ms(r['worst_ms'])} |"
            )
    return "\n".join(lines)


def summarise(
    targets: list[Target],
    figures: Figures,
    elapsed: float,
    fv: dict[str, Any],
    logins_cold: dict[str, float],
    logins_load: list[tuple[str, float, float]],
) -> dict[str, Any]:
    rows = []
    # The users log in within the first seconds of the load (argon2, about 0,1 s of two cores
    # each): every page's p95 also without the views begun before the last log-in ended.
    settled = max(
        (at + took / 1000 for at, label, _r, took in figures.timeline if label == LOGIN),
        default=0.0,
    )
    after_logins: dict[str, list[float]] = defaultdict(list)
    for at, label, _r, took in figures.timeline:
        if at >= settled and label != LOGIN:
            after_logins[label].append(took)
    status = figures.samples.get(STATUS, [])
    rows.append(_row(STATUS, "baseline", "public", status, figures.errors[STATUS], elapsed))
    rows[-1]["p95_after_logins_ms"] = pct(after_logins[STATUS], 95)
    for t in targets:
        if t.label in figures.samples and t.url != STATUS:
            roles = ", ".join(sorted(t.roles)) if len(t.roles) < len(ROLES) else "all staff"
            vals = figures.samples[t.label]
            rows.append(_row(t.label, t.kind, roles, vals, figures.errors[t.label], elapsed))
            rows[-1]["p95_after_logins_ms"] = pct(after_logins[t.label], 95)
    first = []
    for t in targets:
        after = fv.get("print", {}).get(t.label) or []
        imp = fv.get("import", {}).get(t.label) or []
        if after:
            first.append(
                {
                    "page": t.label,
                    "kind": t.kind,
                    "print_median_ms": pct(after, 50),
                    "print_max_ms": max(after),
                    "import_ms": imp[0] if imp else None,
                }
            )
    logins = []
    for role in ROLES:
        under = [m for r, m, _d in logins_load if r == role]
        logins.append(
            {
                "role": role,
                "cold_ms": logins_cold.get(role, float("nan")),
                "after_print_ms": pct(fv.get("login", {}).get(role) or [], 50),
                "under_load_ms": pct(under, 50),
            }
        )
    total = sum(len(v) for v in figures.samples.values())
    return {
        "pages": rows,
        "first_views": first,
        "logins": logins,
        "load": {
            "seconds": elapsed,
            "requests": total,
            "rps": total / elapsed if elapsed else 0,
            "logins_done_s": settled,
        },
        "error_examples": figures.error_examples,
        "slow_beside_writes": beside_writes(figures),
    }


def beside_writes(figures: Figures) -> list[dict[str, Any]]:
    """The load's requests slower than the p95 target, per page, by what went on beside
    them: a registry import under way or ended at most NEAR_PRINT_S seconds before, a print
    begun at most NEAR_PRINT_S seconds before, or no write."""
    prints = [at for at, what in figures.writes if what == "print"]
    imports, begun = [], None
    for at, what in figures.writes:
        if what == "import begins":
            begun = at
        elif what == "import ends" and begun is not None:
            imports.append((begun, at))
            begun = None
    if begun is not None:
        imports.append((begun, float("inf")))
    rows: dict[str, dict[str, Any]] = {}
    for at, label, _role, took in figures.timeline:
        if took <= P95_TARGET_MS:
            continue
        row = rows.setdefault(
            label, {"page": label, "slow": 0, "import": 0, "print": 0, "none": 0, "worst_ms": 0.0}
        )
        row["slow"] += 1
        row["worst_ms"] = max(row["worst_ms"], took)
        end = at + took / 1000
        # An import's end is followed by the figures it changed being computed again.
        if any(b <= end and at <= e + NEAR_PRINT_S for b, e in imports):
            row["import"] += 1
        elif any(at - NEAR_PRINT_S <= p <= end for p in prints):
            row["print"] += 1
        else:
            row["none"] += 1
    return sorted(rows.values(), key=lambda r: -r["slow"])


def _row(
    label: str, kind: str, roles: str, vals: list[float], errors: int, elapsed: float
) -> dict[str, Any]:
    return {
        "page": label,
        "kind": kind,
        "roles": roles,
        "n": len(vals),
        "p50_ms": pct(vals, 50),
        "p95_ms": pct(vals, 95),
        "p99_ms": pct(vals, 99),
        "max_ms": max(vals) if vals else float("nan"),
        "rps": len(vals) / elapsed if elapsed else 0.0,
        "errors": errors,
    }


async def run(args: argparse.Namespace, db: Database, work: Path) -> dict[str, Any]:
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    proc, log = start_server(db.url, port, work, args.workers)
    try:
        up = await asyncio.to_thread(wait_up, base, proc, log, 1800)
        print(f"server up in {up:.0f} s ({base}, log {log})", flush=True)
        cold = {}
        for role in ROLES:  # the first thing after the start
            client, total, _dash = await log_in(base, role)
            cold[role] = total
            await client.aclose()
        if db.pg_name and args.vacuum:
            took = await asyncio.to_thread(db.vacuum)
            print(f"VACUUM ANALYZE (the server's autovacuum is off): {took:.1f} s", flush=True)
        targets = await build_targets(base)
        print(f"{len(targets)} pages, charts and downloads to walk", flush=True)
        population = DEMO_POPULATION if args.office == "demo" else args.residents
        csv = None
        if not args.no_imports:
            csv = await asyncio.to_thread(
                *(
                    (registry_export, db.url, work)
                    if args.import_file == "export"
                    else (registry_file, population)
                )
            )
        if args.warm_up:
            warm = await warm_up(base, targets)
            print(f"warm-up walk: {warm:.0f} s", flush=True)
        figures, elapsed, fresh, logins_load = await load(base, db.url, targets, args, csv, work)
        if args.timeline is not None:
            args.timeline.write_text(
                json.dumps({"requests": figures.timeline, "writes": figures.writes}) + "\n",
                encoding="utf-8",
            )
        print(f"load done: {elapsed:.0f} s", flush=True)
        fv: dict[str, Any] = {}
        if args.first_views:
            fv = await first_views(base, db.url, targets, args, csv, work, fresh)
        result = summarise(targets, figures, elapsed, fv, cold, logins_load)
        result["server_start_s"] = up
        result["freshness"] = {
            "checks": fresh.checks,
            "violations": fresh.violations,
            "prints": fresh.prints,
            "print_median_ms": pct(fresh.print_ms, 50),
            "imports_s": [round(s, 1) for s in fresh.imports],
        }
        result["wall_s"] = time.monotonic() - started
        return result
    finally:
        stop_server(proc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--office",
        choices=["demo", "big", "small"],
        default="demo",
        help="small: the demo's story on --residents residents (the smoke test)",
    )
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--clients", type=int, default=8, help="concurrent signed-in clients")
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client pauses between pages (exponential; its log-in within the "
        "first such seconds); 0: none, saturated",
    )
    ap.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--rounds", type=int, default=None, help="walks per client instead")
    ap.add_argument("--no-writes", dest="writes", action="store_false", help="reads only")
    ap.add_argument("--no-imports", action="store_true", help="no registry import at all")
    ap.add_argument("--imports", type=int, default=1, help="registry imports during the load")
    ap.add_argument(
        "--import-file",
        choices=["export", "generated"],
        default="export",
        help="export: the office's own registry a month on (about 1 %% changed); generated: "
        "a generated registry of the office's size (most residents new to the office)",
    )
    ap.add_argument("--print-every", type=float, default=5.0, help="seconds between prints")
    ap.add_argument("--first-views", type=int, default=3, help="prints before first views")
    ap.add_argument("--no-files", dest="files", action="store_false", help="skip downloads")
    ap.add_argument("--port", type=int, default=0, help="default: a free one")
    ap.add_argument("--no-warm-up", dest="warm_up", action="store_false", help="no warm-up walk")
    ap.add_argument(
        "--no-vacuum",
        dest="vacuum",
        action="store_false",
        help="PostgreSQL: no VACUUM ANALYZE after the start (as with autovacuum off)",
    )
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds; then status 599")
    ap.add_argument("--residents", type=int, default=None, help="big: 1 juta, small: 3.000")
    ap.add_argument("--entries", type=int, default=1_000_000, help="big office")
    ap.add_argument("--json", type=Path, default=None, help="default bench/results/web-...")
    ap.add_argument(
        "--timeline",
        type=Path,
        default=None,
        help="also write every request of the load and the writes beside it (JSON)",
    )
    args = ap.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    if args.residents is None:
        args.residents = 3_000 if args.office == "small" else 1_000_000
    load_start = loadavg()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    work = Path(tempfile.mkdtemp(prefix="blangko-web-"))
    try:
        db = Database(args.office, args.db, args.residents, args.entries, work)
        try:
            result = asyncio.run(run(args, db, work))
        finally:
            db.drop()
    except BaseException:
        log = work / "server.log"
        if log.exists():
            print(f"server log (last lines):\n{log.read_text()[-3000:]}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = {
        "when": when,
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
        "config": {
            "office": args.office,
            "db": args.db,
            "clients": args.clients,
            "think_s": args.think,
            "server_workers": args.workers,
            "duration": args.duration,
            "rounds": args.rounds,
            "writes": args.writes,
            "import_file": None if args.no_imports else args.import_file,
            "first_views": args.first_views,
            "files": args.files,
            "residents": DEMO_POPULATION if args.office == "demo" else args.residents,
            "entries": args.entries if args.office == "big" else None,
        },
        **result,
    }
    print(tables(result))
    out = args.json or RESULTS / f"web-{args.office}-{args.db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nfigures: {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
