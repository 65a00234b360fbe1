"""Derived figures on the demo: the pages that show a forecast or coverage, first view and
warm, in one process and in a second one (a restart), and the first view after a change.

Set-up (not timed): the demo office (`blangko demo`, 136.000 residents) is built into a
temporary SQLite database (or copied from ``--db`` and migrated), a head of office (kepala)
is added. Run with another checkout's src on PYTHONPATH for the "before" figures.

Timed, through the app in-process (FastAPI TestClient, logged in as kepala): the dashboard
right after log-in, `/cakupan`, `/grafik/perkiraan.svg`, `/grafik/cakupan.svg`, each 1 first
view then ``--rounds`` warm views (median); then the same in a second app instance (a new
process's view: nothing in memory), then the first view of each page after a ledger entry. Beside them, `/status` (public) as the baseline.
Last, as `blangko serve` runs it (the background thread of services.figures.refresh on): a
ledger entry, ``--wait`` seconds, then log-in and the dashboard and pages.

    .venv/bin/python bench/derived.py [--db demo.db] [--rounds 6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from blangko.services.admin import setup, users
from blangko.services.context import context_from_settings
from blangko.services.stock import writes
from blangko.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from blangko.web.app import create_app

PAGES = ("/", "/cakupan", "/grafik/perkiraan.svg", "/grafik/cakupan.svg")
PASSWORD = "rahasia-bench-123"
SECRET = "kunci-rahasia-bench-yang-panjang"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def build(db: Path, source: Path | None) -> None:
    if source:
        shutil.copy(source, db)
        return
    env = {**os.environ, "BLANGKO_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run(
        [sys.executable, "-m", "blangko", "demo", "--fresh"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def client_for(settings: Settings) -> TestClient:
    client = TestClient(create_app(settings))
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": "kepala", "password": PASSWORD, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text
    return client


def timed(client: TestClient, path: str) -> float:
    t0 = time.perf_counter()
    r = client.get(path)
    took = time.perf_counter() - t0
    assert r.status_code == 200, (path, r.status_code)
    return took


def walk(client: TestClient, rounds: int, label: str) -> None:
    print(f"\n{label}")
    print(f"  {'page':24} {'first':>10} {'median':>10}")
    base = [timed(client, "/status") for _ in range(rounds)]
    print(f"  {'/status (baseline)':24} {ms(base[0]):>10} {ms(statistics.median(base)):>10}")
    for path in PAGES:
        first = timed(client, path)
        warm = [timed(client, path) for _ in range(rounds)]
        print(f"  {path:24} {ms(first):>10} {ms(statistics.median(warm)):>10}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="a demo database to copy (else built)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--wait", type=float, default=8.0, help="seconds after the change")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        build(db, args.db)
        settings = Settings(database_url=f"sqlite:///{db}", secret_key=SECRET)
        ctx = context_from_settings(settings, actor="bench")
        setup.init(ctx)  # a copied database gets this code's migrations (not timed)
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username="kepala",
            role="kepala",
            password=PASSWORD,
            office="17.04",
        )
        t0 = time.perf_counter()
        client = client_for(settings)
        first = timed(client, "/")
        print(f"dashboard right after log-in, nothing stored yet: {ms(first)}")
        walk(client, args.rounds, "one process (after the dashboard's first view)")
        second = client_for(settings)
        walk(second, args.rounds, "a second app instance on the same database (a restart)")
        # A change (a blank moved to the counter), then the first view of each page.
        writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1", office="17.04")
        print("\nfirst view after a ledger entry (computed by the view)")
        for path in PAGES:
            print(f"  {path:24} {ms(timed(second, path)):>10}")
        # As `blangko serve` runs: the background thread computes after a change.
        served = settings.model_copy(update={"figures_refresh_seconds": 1.0})
        with TestClient(create_app(served)):
            writes.transfer(
                ctx, qty=1, from_location="gudang", to_location="loket-1", office="17.04"
            )
            time.sleep(args.wait)  # the server's thread computes meanwhile (1 s rounds)
            third = client_for(served)
            print(f"\nserver with the background thread, {args.wait:.0f} s after a ledger entry:")
            print(f"  {'/ (right after log-in)':24} {ms(timed(third, '/')):>10}")
            for path in PAGES[1:]:
                print(f"  {path:24} {ms(timed(third, path)):>10}")
        print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
