"""Clerks printing at once through the API of a real server, on PostgreSQL (issue 19, "keep
proving it").

The server is started the documented production way (uvicorn with two workers, a real
secret; docs/web.md), on a PostgreSQL database with two offices. Clerks (counter operators;
`BLANGKO_SOAK_CLERKS`, default 4, shared out between the offices) sign in and, each in a
thread of its own, work the counter for `BLANGKO_SOAK_SECONDS` (default 45): submit an
application, record it, mark it ready, print it at their station (one blank consumed); and
on every third application also consume one blank straight from their office's store, which
the clerks of one office share. Every write carries an Idempotency-Key.

Then:
- no errors: every answer 2xx, or a deliberate 4xx with its error code (`DELIBERATE`);
- nothing lost: every serial acknowledged (a print's card, a consumption's blank) is
  consumed in the ledger of the clerk's office, each once; the office's consumed blanks are
  exactly the acknowledged ones (nothing written that was not acknowledged), and its printed
  applications are exactly the acknowledged prints;
- `verify` is sound for both offices and the stock is conserved (on hand = opening +
  received - consumed - ...; the blanks available = the stock on hand).

The figures (duration, requests, writes, errors, lost, latency) are printed; with
`BLANGKO_SOAK_REPORT=<file>` they are written there too, as JSON. bench/soak.py runs this
test for longer and prints them (bench/README.md).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, insert, select

from blangko.adapters import tables as t
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_residents import resident
from blangko.adapters.tables_users import app_user
from blangko.domain.ledger import conservation_holds
from blangko.domain.nik import build_nik
from blangko.services.admin import setup
from blangko.services.calendar import days
from blangko.services.context import Context, utc_now
from blangko.services.stock import queries, writes

SECONDS = float(os.environ.get("BLANGKO_SOAK_SECONDS", "45"))
CLERKS = int(os.environ.get("BLANGKO_SOAK_CLERKS", "4"))
REPORT = os.environ.get("BLANGKO_SOAK_REPORT")
OFFICES = {"17.04": "SA", "17.01": "SB"}  # code -> serial prefix
PASSWORD = "sandi-loket-yang-panjang"
SECRET = "kunci-rahasia-soak-yang-panjang"
# Refusals a clerk may meet on a normal day, by error code: the service closed today (a
# public holiday), the store empty (when a long run outlasts it).
DELIBERATE = {"service_closed", "insufficient_stock"}


@dataclass
class Clerk:
    name: str
    office: str
    station: str
    niks: list[str]
    prints: list[str] = field(default_factory=list)  # serials of acknowledged prints
    consumed: list[str] = field(default_factory=list)  # serials of acknowledged consumptions
    writes: int = 0
    requests: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def _prepare(ctx: Context, clerks: int, per_clerk: int) -> list[Clerk]:
    """Two offices, a station and a pool of unrecorded adults per clerk, blanks at each
    station and in each store, the clerks' accounts; weekend days opened for the run."""
    out: list[Clerk] = []
    digest = PasswordHasher().hash(PASSWORD)
    today = ctx.today()
    for code, prefix in OFFICES.items():
        setup.create_office(ctx, code=code)
        mine = [i for i in range(clerks) if i % len(OFFICES) == list(OFFICES).index(code)]
        store = per_clerk * len(mine)  # the shared store: a third of that is consumed
        total = store + per_clerk * len(mine)
        writes.record_opening(
            ctx, serials=f"{prefix}0000001-{prefix}{total:07d}", effective=today, office=code
        )
        villages = sorted(
            r["code"] for r in setup.office_regions(ctx, office=code) if r["level"] == "desa"
        )
        for i in mine:
            name = f"loket{i}_{code.replace('.', '')}"
            station = f"loket-{i}"
            setup.add_location(ctx, name=station, kind="station", office=code)
            writes.transfer(
                ctx, qty=per_clerk, from_location="gudang", to_location=station, office=code
            )
            desa = villages[i % len(villages)]
            born = [date(1995, 1, 1) + timedelta(days=j) for j in range(per_clerk)]
            niks = [build_nik(desa[:8], b, "P", i + 1) for b in born]
            with ctx.write_plain() as conn:
                conn.execute(
                    insert(resident),
                    [
                        {
                            "nik": nik,
                            "office_code": code,
                            "nama": f"Pemohon {i}-{j}",
                            "jenis_kelamin": "P",
                            "tanggal_lahir": b,
                            "status_kawin": "BELUM KAWIN",
                            "kode_desa": desa,
                            "kode_kecamatan": desa[:8],
                            "status": "HIDUP",
                            "updated_at": ctx.now(),
                        }
                        for j, (nik, b) in enumerate(zip(niks, born, strict=True))
                    ],
                )
                conn.execute(
                    insert(app_user).values(
                        username=name,
                        office_code=code,
                        role="operator",
                        password_hash=digest,
                        active=True,
                        created_at=ctx.now(),
                    )
                )
            out.append(Clerk(name, code, station, niks))
        for day in (today, today + timedelta(days=1)):  # a run may pass midnight
            if day.weekday() >= 5:
                days.add_open_day(ctx, day=day, reason="Uji ketahanan", office=code)
    return sorted(out, key=lambda c: c.name)


@pytest.fixture
def server(db_url: str) -> Iterator[str]:
    """The production start of docs/web.md on a free loopback port: `uvicorn --factory
    blangko.web.app:create_app --workers 2` on the database, with a real secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLANGKO_")}
    env.update(BLANGKO_DATABASE_URL=db_url, BLANGKO_SECRET_KEY=SECRET)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    command = (
        "-m uvicorn --factory blangko.web.app:create_app --host 127.0.0.1 --workers 2 "
        "--proxy-headers --forwarded-allow-ips 127.0.0.1 --no-server-header --log-level warning"
    )
    proc = subprocess.Popen([sys.executable, *command.split(), "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, "the server stopped"
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "server did not start"
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _work(clerk: Clerk, base: str, deadline: float) -> None:
    """One clerk at the counter until the deadline (or the pool of residents is used up)."""
    with httpx.Client(base_url=base, timeout=120) as http:
        r = http.post("/api/v1/auth/token", data={"username": clerk.name, "password": PASSWORD})
        if r.status_code != 200:
            clerk.errors.append(f"log-in {r.status_code} {r.text[:200]}")
            return
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}

        def write(path: str, body: dict[str, Any]) -> dict[str, Any] | None:
            """The answer of a write; None when refused (deliberately) or failed."""
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
            start = time.perf_counter()
            try:
                resp = http.post(path, json=body, headers=headers)
            except httpx.HTTPError as exc:
                clerk.errors.append(f"{path}: {exc!r}")
                return None
            finally:
                clerk.latencies.append(time.perf_counter() - start)
                clerk.requests += 1
            if 200 <= resp.status_code < 300:
                clerk.writes += 1
                return dict(resp.json())
            code = _code(resp)
            if 400 <= resp.status_code < 500 and code in DELIBERATE:
                clerk.refused[code] += 1
            else:
                clerk.errors.append(f"{path} {body}: {resp.status_code} {resp.text[:300]}")
            return None

        n = 0
        while time.time() < deadline and clerk.niks:
            n += 1
            nik = clerk.niks.pop()
            made = write(
                "/api/v1/applications",
                {"nik": nik, "type": "pemula", "documents": {"no_kk": "1704010101010001"}},
            )
            if made is None:
                continue
            receipt = made["receipt"]
            if write(f"/api/v1/applications/{receipt}/record", {}) is None:
                continue
            if write(f"/api/v1/applications/{receipt}/ready", {}) is None:
                continue
            printed = write(f"/api/v1/applications/{receipt}/print", {"station": clerk.station})
            if printed is not None:
                clerk.prints.append(printed["serial"])
            if n % 3 == 0:
                used = write(
                    "/api/v1/stock/consume",
                    {"service": "pemula", "qty": 1, "location": "gudang", "note": clerk.name},
                )
                if used is not None:
                    clerk.consumed += [s for e in used["entries"] for s in _serials(e)]


def _code(resp: httpx.Response) -> str | None:
    try:
        return str(resp.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def _serials(entry: dict[str, Any]) -> list[str]:
    """The serials of one ledger entry of a single blank (`SA0000101`, or a range of one)."""
    text = entry["serials"]
    assert entry["quantity"] == 1, entry
    return [text.split("-")[0]]


def _percentile(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(p * len(values)))] if values else 0.0


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_clerks_print_at_once_and_nothing_is_lost(db_url, ctx, server, capsys) -> None:  # type: ignore[no-untyped-def]
    real = replace(ctx, clock=utc_now, actor="persiapan-soak")  # the server's clock
    per_clerk = int(SECONDS * 8) + 60
    clerks = _prepare(real, CLERKS, per_clerk)
    threads = [
        threading.Thread(target=_work, args=(c, server, time.time() + SECONDS), name=c.name)
        for c in clerks
    ]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=SECONDS + 600)
    duration = time.perf_counter() - started
    assert not any(th.is_alive() for th in threads), "a clerk did not finish"

    problems: list[str] = [e for c in clerks for e in c.errors[:5]]
    lost = phantom = 0
    sound: dict[str, bool] = {}
    for code in OFFICES:
        mine = [c for c in clerks if c.office == code]
        prints = [s for c in mine for s in c.prints]
        acknowledged = prints + [s for c in mine for s in c.consumed]
        if len(set(acknowledged)) != len(acknowledged):
            problems.append(f"{code}: a serial acknowledged twice")
        with real.read() as conn:
            consumed = set(
                conn.execute(
                    select(t.blank.c.serial).where(
                        t.blank.c.office_code == code, t.blank.c.state == "consumed"
                    )
                ).scalars()
            )
            available = conn.execute(
                select(func.count()).where(
                    t.blank.c.office_code == code, t.blank.c.state == "available"
                )
            ).scalar_one()
            printed = set(
                conn.execute(
                    select(application.c.serial).where(
                        application.c.office_code == code, application.c.serial.is_not(None)
                    )
                ).scalars()
            )
        lost += len(set(acknowledged) - consumed) + len(set(prints) - printed)
        phantom += len(consumed - set(acknowledged)) + len(printed - set(prints))
        verified = queries.verify(real, office=code)
        sound[code] = verified["sound"]
        if not verified["sound"]:
            problems.append(f"{code}: verify {verified['problems'][:3]}")
        balance = queries.balance(real, office=code)
        if not conservation_holds(balance["totals"], balance["on_hand"]):
            problems.append(f"{code}: not conserved {balance['totals']} {balance['on_hand']}")
        if available != balance["on_hand"] or balance["totals"]["consumed"] != len(consumed):
            problems.append(f"{code}: blanks {available} / {len(consumed)} against {balance}")
        if not all(c.prints for c in mine):
            problems.append(f"{code}: a clerk printed nothing")

    latencies = [x for c in clerks for x in c.latencies]
    figures = {
        "backend": "postgresql",
        "server": "uvicorn --workers 2",
        "clerks": len(clerks),
        "offices": len(OFFICES),
        "seconds_asked": SECONDS,
        "duration_s": round(duration, 1),
        "requests": sum(c.requests for c in clerks),
        "writes_acknowledged": sum(c.writes for c in clerks),
        "prints": sum(len(c.prints) for c in clerks),
        "store_consumptions": sum(len(c.consumed) for c in clerks),
        "writes_per_s": round(sum(c.writes for c in clerks) / duration, 1),
        "refused_deliberately": dict(sum((c.refused for c in clerks), Counter())),
        "errors": sum(len(c.errors) for c in clerks),
        "lost": lost,
        "unacknowledged_writes": phantom,
        "verify_sound": sound,
        "latency_ms": {
            "median": round(1000 * statistics.median(latencies), 1) if latencies else None,
            "p95": round(1000 * _percentile(latencies, 0.95), 1),
            "max": round(1000 * max(latencies, default=0.0), 1),
        },
    }
    if REPORT:
        Path(REPORT).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    with capsys.disabled():
        print(
            f"\nsoak: {figures['clerks']} clerks, {figures['duration_s']} s, "
            f"{figures['requests']} requests, {figures['writes_acknowledged']} writes "
            f"({figures['prints']} prints, {figures['store_consumptions']} store consumptions), "
            f"{figures['errors']} errors, {lost} lost, {phantom} unacknowledged; "
            f"latency median {figures['latency_ms']['median']} ms, "
            f"p95 {figures['latency_ms']['p95']} ms"
        )
    assert not problems and lost == 0 and phantom == 0, "\n".join(problems)
