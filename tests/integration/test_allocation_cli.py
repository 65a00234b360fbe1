"""The national allocation on the command line (issue 14, points 3 and 4): `network allocate`
(80 columns, --json), `network allocate --apply` with --set and --idempotency-key (approvals
and shipments; `stock verify --network` sound after), bad input exits 2 with nothing written,
`network rebalance`."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.adapters.tables_requests import blank_request, request_event
from blangko_main import run_blangko


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # In this process (tests/blangko_main.py): the test is about what the commands answer;
    # tests/integration/test_cli.py keeps the real interpreter runs.
    return run_blangko("--db", db_url, *args, env={"COLUMNS": "80"})


def _json(db_url: str, *args: str) -> Any:
    done = _run(db_url, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _written(db_url: str) -> tuple[Any, ...]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return (
                tuple(conn.execute(select(t.office.c.code, t.office.c.ledger_seq)).all()),
                tuple(conn.execute(select(blank_request)).all()),
                conn.execute(select(func.count()).select_from(request_event)).scalar_one(),
                conn.execute(select(func.count()).select_from(t.shipment)).scalar_one(),
            )
    finally:
        engine.dispose()


def test_allocate_and_apply_from_the_command_line(db_url: str) -> None:
    _json(db_url, "init", "--directorate")
    for code in ("17.04", "16.01"):
        _json(db_url, "init", "--office", code)
        _json(
            db_url, "stock", "receive", "--office", code, "--serials",
            f"Q{code[:2]}00001-Q{code[:2]}00100", "--source", "Ditjen Dukcapil",
            "--document", f"B-{code}", "--date", "2026-10-01",
        )  # fmt: skip
    _json(
        db_url, "stock", "receive", "--office", "00.00", "--serials", "KR0000001-KR0001000",
        "--source", "Pengadaan pusat", "--document", "K-1", "--date", "2026-11-02",
    )  # fmt: skip
    n = str(
        _json(
            db_url, "request", "draft", "--office", "17.04", "--quantity", "700", "--reason",
            "Pilkades",
        )["request"]["id"]
    )  # fmt: skip
    _json(db_url, "request", "submit", n, "--office", "17.04")
    _json(db_url, "network", "snapshot")
    v = _json(db_url, "network", "allocate")
    assert v["warehouse"] == 1000 and {x["office"] for x in v["lines"]} == {"16.01", "17.04"}
    kaur = next(x for x in v["lines"] if x["office"] == "17.04")
    assert kaur["asked"] == 700 and kaur["request_state"] == "submitted"
    table = _run(db_url, "network", "allocate")
    assert table.returncode == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    assert "17.04" in table.stdout and "Jumlah" in table.stdout
    rb = _run(db_url, "network", "rebalance")
    assert rb.returncode == 0 and max(len(x) for x in rb.stdout.splitlines()) <= 80
    # Bad input: exit 2, nothing written.
    before = _written(db_url)
    for args in (
        ("--set", "17.04=150"),  # not whole boxes
        ("--set", "17.04=-100"),
        ("--set", "17.04=2000"),  # above the warehouse
        ("--set", "17.04=abc"),
    ):
        bad = _run(db_url, "network", "allocate", "--apply", *args)
        assert bad.returncode == 2, (args, bad.stdout, bad.stderr)
    assert _run(db_url, "network", "allocate", "--set", "17.04=100").returncode == 2
    assert _written(db_url) == before
    done = _json(
        db_url, "network", "allocate", "--apply", "--set", "17.04=500", "--set", "16.01=200",
        "--document", "SP/9", "--idempotency-key", "cli-a1",
    )  # fmt: skip
    assert [(a["office"], a["quantity"], a["action"]) for a in done["applied"]] == [
        ("17.04", 500, "approve_part")
    ]
    assert done["skipped"] == [{"office": "16.01", "quantity": 200, "why": "no_request"}]
    shown = _json(db_url, "request", "show", n)["request"]
    assert (shown["state"], shown["approved_qty"], shown["shipped_qty"]) == ("shipped", 500, 500)
    assert _run(db_url, "stock", "verify", "--network").returncode == 0
