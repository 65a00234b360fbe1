"""Requests on the command line (issue 13, points 4, 6, 7): `request draft/edit/submit/
endorse/return/approve/refuse/ship/close/list/show`, with `--json`, `--idempotency-key` and
`--office`/`--province` naming who acts; bad input exits 2 (or 1 for not found) naming the
flag, with nothing written."""

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
    return run_blangko("--db", db_url, *args, env={"COLUMNS": "100"})


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


def test_requests_from_the_command_line(db_url: str) -> None:
    _json(db_url, "init", "--directorate")
    for code in ("17.04", "16.01"):
        _json(db_url, "init", "--office", code)
    _json(
        db_url, "stock", "receive", "--office", "00.00", "--serials", "KR0000001-KR0001000",
        "--source", "Pengadaan pusat", "--document", "K-1", "--date", "2026-11-02",
    )  # fmt: skip
    d = _json(
        db_url, "request", "draft", "--office", "17.04", "--quantity", "600", "--reason",
        "menjelang Pilkades", "--idempotency-key", "cli-d1",
    )  # fmt: skip
    n = str(d["request"]["id"])
    assert (d["request"]["state"], d["request"]["asked_qty"]) == ("draft", 600)
    again = _json(
        db_url, "request", "draft", "--office", "17.04", "--quantity", "600", "--reason",
        "menjelang Pilkades", "--idempotency-key", "cli-d1",
    )  # fmt: skip
    assert again["replayed"] is True and str(again["request"]["id"]) == n
    _json(db_url, "request", "submit", n, "--office", "17.04")
    # Bad input: exit 2 naming the flag, nothing written.
    before = _written(db_url)
    for args, flag in (
        (("request", "endorse", n, "--province", "16"), None),  # another province: not found
        (("request", "approve", n), None),  # not endorsed yet
        (("request", "return", n, "--comment", " "), "--comment"),
        (("request", "draft", "--office", "17.99", "--quantity", "5", "--reason", "x"), "--office"),
        (
            ("request", "draft", "--office", "17.04", "--quantity", "0", "--reason", "x"),
            "--quantity",
        ),
    ):
        done = _run(db_url, *args)
        assert done.returncode in (1, 2), (args, done.stdout, done.stderr)
        if flag:
            assert flag in done.stderr, (args, done.stderr)
    assert _written(db_url) == before
    _json(db_url, "request", "endorse", n, "--province", "17", "--comment", "sesuai")
    done = _run(db_url, "request", "approve", n, "--office", "00.00", "--quantity", "700")
    assert done.returncode == 2 and "--reason" in done.stderr
    a = _json(db_url, "request", "approve", n, "--office", "00.00", "--quantity", "500", "--reason",
              "stok terbatas")  # fmt: skip
    assert (a["request"]["state"], a["request"]["approved_qty"]) == ("approved", 500)
    t1 = _json(db_url, "request", "ship", n, "--qty", "200", "--document", "SP-1",
               "--date", "2026-11-27")  # fmt: skip
    assert t1["request"]["state"] == "partially_shipped"
    t2 = _json(db_url, "request", "ship", n, "--document", "SP-2", "--date", "2026-11-27")
    assert t2["shipment"]["quantity"] == 300 and t2["request"]["state"] == "shipped"
    for s in (t1, t2):
        _json(db_url, "shipment", "receive", str(s["shipment"]["id"]), "--office", "17.04",
              "--document", f"BAST-{s['shipment']['id']}")  # fmt: skip
    shown = _json(db_url, "request", "show", n)
    assert shown["request"]["state"] == "closed"
    assert [e["action"] for e in shown["events"]] == [
        "draft", "submit", "endorse", "approve_part", "ship", "ship", "receive", "receive",
        "close",
    ]  # fmt: skip
    listed = _json(db_url, "request", "list", "--office", "17.04")
    assert [r["id"] for r in listed] == [int(n)]
    text = _run(db_url, "request", "show", n)
    assert text.returncode == 0 and "Permohonan #" in text.stdout and "Selesai" in text.stdout
    table = _run(db_url, "request", "list")
    assert table.returncode == 0 and "17.04" in table.stdout
