"""The CLI in an 80-column terminal (issue 18, point 5), on the demo office (SQLite: how text
is laid out does not depend on the database).

Every read command runs with COLUMNS=80, in one fresh interpreter (Rich reads COLUMNS when
its console is made), through Typer's runner. Then:

- no line is wider than 80 columns;
- nothing is cut short: no "…" anywhere, and every receipt number, NIK and area code the
  command shows is there whole (a table's key columns never wrap nor shrink);
- no "-0": a zero has no sign ("Hilang 0"; `stock balance` printed "Hilang -0");
- a table's title is a line of its own, not wrapped at the table's width (`stock balance`
  printed its title over four lines above a 20-column table).

And the `serve` banner gives each address a line of its own, never broken.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from sqlalchemy import select

from blangko.adapters.db import make_engine
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_events import event
from blangko.cli.serve import print_banner
from blangko.services.context import Context

WIDTH = 80
SIGNED_ZERO = re.compile(r"(?<![\w.,-])[-\u2212]0(?![\d.,])")
DRIVER = """
import json, sys
from typer.testing import CliRunner
from blangko.cli.main import app
out = {}
for args in json.loads(sys.argv[2]):
    r = CliRunner().invoke(app, ["--db", sys.argv[1], *args], catch_exceptions=False)
    out[" ".join(args)] = {"code": r.exit_code, "stdout": r.stdout}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, built_demo) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A copy of the demo `blangko demo` built for the run (conftest.py)."""
    assert built_demo.returncode == 0, built_demo.stderr
    url = built_demo.copy_to(tmp_path_factory.mktemp("cli80"))
    ctx = Context(make_engine(url))
    with ctx.engine.connect() as conn:
        apps = conn.execute(select(application.c.receipt, application.c.status)).all()
        collected = conn.execute(
            select(application.c.receipt, application.c.nik, application.c.serial).where(
                application.c.status == "diserahkan"
            )
        ).first()
        event_id = conn.execute(select(event.c.id)).scalars().first()
    assert collected is not None and event_id is not None
    return {
        "url": url,
        "receipts": {r for r, _ in apps},
        "queue": {r for r, s in apps if s == "siap_cetak"},
        "receipt": collected.receipt,
        "nik": collected.nik,
        "serial": collected.serial,
        "event": str(event_id),
    }


COMMANDS = [
    ["status"],
    ["stock", "balance"],
    ["stock", "counts"],
    ["stock", "ledger"],
    ["app", "list"],
    ["app", "queue"],
    ["app", "prr", "--limit", "40"],
    ["closure", "list"],
    ["coverage"],
    ["coverage", "cohort"],
    ["coverage", "projection"],
    ["coverage", "ikd"],
    ["coverage", "ikd", "--by", "desa"],
    ["coverage", "ikd-daily"],
    ["old-card", "list"],
    ["old-card", "list", "--held"],
    ["old-card", "destruction", "1"],
    ["old-card", "verify"],
    ["event", "list"],
    ["forecast"],
    ["forecast", "stops"],
    ["item", "list"],
    ["item", "balance", "--item", "pita-warna"],
    ["printer", "list"],
    ["printer", "history", "printer-1"],
    ["location", "list"],
    ["office", "list"],
    ["office", "show"],
    ["readlog", "list"],
    ["rationing", "list"],
    ["rationing", "list", "--history"],
    ["regions", "list", "--under", "17.04"],
    ["user", "list"],
]


@pytest.fixture(scope="module")
def printed(demo: dict[str, Any]) -> dict[str, str]:
    commands = [
        *COMMANDS,
        ["stock", "trace", demo["serial"]],
        ["app", "show", demo["receipt"]],
        ["event", "show", demo["event"]],
        ["event", "impact", demo["event"]],
        ["residents", "show", demo["nik"]],
        ["old-card", "recap", "--month", datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")],
    ]
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, demo["url"], json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": str(WIDTH)},
        cwd=Path(__file__).parent,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)
    failed = {k: v["stdout"][-500:] for k, v in results.items() if v["code"] != 0}
    assert not failed, failed
    return {k: v["stdout"] for k, v in results.items()}


def test_every_line_fits_80_columns_and_nothing_is_cut(printed: dict[str, str]) -> None:
    too_wide = [
        f"{cmd}: {len(line)} columns: {line}"
        for cmd, out in printed.items()
        for line in out.splitlines()
        if len(line) > WIDTH
    ]
    assert not too_wide, "\n".join(too_wide[:20])
    cut = [
        f"{cmd}: {line}" for cmd, out in printed.items() for line in out.splitlines() if "…" in line
    ]
    assert not cut, "\n".join(cut[:20])
    widest = {cmd: max(map(len, out.splitlines()), default=0) for cmd, out in printed.items()}
    print(f"\nwidest line per command at {WIDTH} columns: {widest}")


def test_no_signed_zero(printed: dict[str, str]) -> None:
    found = [
        f"{cmd}: {line}"
        for cmd, out in printed.items()
        for line in out.splitlines()
        if SIGNED_ZERO.search(line)
    ]
    assert not found, "\n".join(found)
    assert "Hilang 0;" in printed["stock balance"]


def test_identifiers_are_shown_whole(printed: dict[str, str], demo: dict[str, Any]) -> None:
    listed = printed["app list"]
    missing = [r for r in demo["receipts"] if r not in listed]
    assert not missing, missing[:5]
    assert demo["queue"] and all(r in printed["app queue"] for r in demo["queue"])
    for code in [f"17.04.{k:02d}" for k in range(1, 16)]:
        assert code in printed["coverage"], code
    assert re.search(r"\b1704\*{8}\d{4}\b", printed["app prr --limit 40"])
    assert demo["nik"] in printed[f"residents show {demo['nik']}"]


def test_a_table_title_is_one_line(printed: dict[str, str]) -> None:
    first = printed["stock balance"].splitlines()[0]
    assert first.startswith("Dinas Dukcapil Kabupaten Kaur — posisi stok blangko per "), first
    assert re.search(r"per \d{1,2} \w+ \d{4}$", first), first


@pytest.mark.parametrize("width", [40, 80])
def test_the_serve_banner_never_breaks_an_address(width: int) -> None:
    buf = io.StringIO()
    host, port = "dukcapil-kaur.kaurkab.go.id", 8443
    accounts = [{"username": "admin", "role": "admin", "password": "demo12345"}]
    print_banner(host, port, accounts, out=Console(file=buf, width=width))
    lines = buf.getvalue().splitlines()
    for path in ("/", "/login", "/status", "/api/docs"):
        url = f"http://{host}:{port}{path}"
        assert any(line.rstrip().endswith(url) for line in lines), (url, lines)
    assert "demo12345" in buf.getvalue()
