"""Derived figures on the demo: the pages that show a forecast or coverage, first view and
warm, in one process and in a second one (a restart), and the first view after a change.

Set-up (not timed): the demo office (`blangko demo`, 136.000 residents) is built into a
temporary SQLite database (or copied from ``--db``), a head of office (kepala) is added.

Timed, through the app in-process (FastAPI TestClient, logged in as kepala): the dashboard
right after log-in, `/cakupan`, `/grafik/perkiraan.svg`, `/grafik/cakupan.svg`, each 1 first
view then ``--rounds`` warm views (median); then the same in a second app instance (a new
process's view: nothing in memory), then the first view after a recording (a resident's
coverage changes) and after a ledger entry. Beside them, `/status` (public) as the baseline.

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

from blangko.services.admin import users
from blangko.services.context import context_from_settings
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
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        build(db, args.db)
        settings = Settings(database_url=f"sqlite:///{db}", secret_key=SECRET)
        ctx = context_from_settings(settings, actor="bench")
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
        print(f"dashboard right after log-in (first process): {ms(first)}")
        walk(client, args.rounds, "one process (after the dashboard's first view)")
        second = client_for(settings)
        walk(second, args.rounds, "a second app instance on the same database (a restart)")
        print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
