"""The IKD figures on the demo: what the head's dashboard and the coverage page cost, and how
often a view reads the registry (issue 17 point 1, over issue 16's IKD coverage).

Set-up (not timed): the demo office (`blangko demo`, 136.000 residents) is built into a
temporary SQLite database (or copied from ``--db`` and migrated), a head of office (kepala)
is added. Run with another checkout's src on PYTHONPATH for the "before" figures.

Timed: the two IKD figures the dashboard shows (`ikd_coverage`, `ikd_blank_ratio`, what
the dashboard and the coverage page call), the dashboard's outlook for the head
(`services.dashboard.outlook`: the forecast, coverage and the IKD figures) and the coverage
page `/cakupan` through the app in-process (FastAPI TestClient, logged in as kepala), in
that order, each first view and the median of ``--rounds`` warm views; then the first view
of each after a change that the IKD figures depend on (an application's IKD mark, a blank
receipt) and after one they do not (a calendar closure). After a change the IKD figures are
asked first, so their row is what computing them again costs, and the outlook's is mostly
the forecast's.
Beside each time, the SQL statements of the view that read the `resident` table. The
machine's load average is printed at the start and the end.

    .venv/bin/python bench/ikd.py [--db demo.db] [--rounds 6]
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
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from blangko.services import applications, dashboard
from blangko.services.admin import setup, users
from blangko.services.calendar import days
from blangko.services.context import context_from_settings
from blangko.services.coverage import ikd
from blangko.services.stock import writes
from blangko.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from blangko.web.app import create_app

PASSWORD = "rahasia-bench-123"
SECRET = "kunci-rahasia-bench-yang-panjang"


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


def login(client: TestClient) -> None:
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": "kepala", "password": PASSWORD, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text


class Reads:
    """Counts the statements that read the resident table."""

    def __init__(self, engine: Any) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and " resident" in statement:
            self.n += 1


def timed(reads: Reads, call: Callable[[], Any]) -> tuple[float, int]:
    before = reads.n
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0, reads.n - before


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="a demo database to copy (else built)")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    print(f"load average at the start: {load()}")
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
        reads = Reads(ctx.engine)
        client = TestClient(create_app(ctx, settings=settings))
        login(client)

        def ikd_figures() -> None:
            ikd.ikd_coverage(ctx, office="17.04")
            ikd.ikd_blank_ratio(ctx, office="17.04")

        def outlook() -> None:
            dashboard.outlook(ctx, "17.04", "kepala")

        def page() -> None:
            r = client.get("/cakupan")
            assert r.status_code == 200, r.status_code

        views = (("IKD figures", ikd_figures), ("dashboard outlook", outlook), ("/cakupan", page))
        print(f"\n  {'view':40} {'time':>10} {'resident reads':>15}")
        for name, call in views:
            took, n = timed(reads, call)
            print(f"  {name + ': first':40} {ms(took):>10} {n:>15}")
            warm = [timed(reads, call) for _ in range(args.rounds)]
            print(
                f"  {name + ': median':40} {ms(statistics.median(t for t, _ in warm)):>10}"
                f" {warm[-1][1]:>15}"
            )
        # An application with recorded biometrics and no IKD mark yet.
        candidates = [
            a["receipt"]
            for status in ("direkam", "siap_cetak", "dicetak", "diserahkan")
            for a in applications.list_(ctx, status=status, office="17.04")
            if not a["ikd"]
        ]
        changes: list[tuple[str, Callable[[], Any]]] = []
        if candidates:
            receipt = candidates[0]
            changes.append(
                ("an IKD mark", lambda: applications.ikd(ctx, receipt=receipt, office="17.04"))
            )
        changes += [
            (
                "a blank receipt",
                lambda: writes.receive_shipment(
                    ctx,
                    serials="ZZ9000001-ZZ9000010",
                    source="Ditjen Dukcapil Kemendagri",
                    document="bench",
                    office="17.04",
                ),
            ),
            (
                "a closure",
                lambda: days.add_closure(
                    ctx,
                    service="perekaman",
                    start=ctx.today() + timedelta(days=40),
                    reason="bench",
                    office="17.04",
                ),
            ),
        ]
        for label, change in changes:
            change()
            for name, call in views:
                took, n = timed(reads, call)
                print(f"  {'after ' + label + ': ' + name:40} {ms(took):>10} {n:>15}")
    print(f"\nload average at the end: {load()}")


if __name__ == "__main__":
    main()
