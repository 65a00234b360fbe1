"""The network on the command line (issue 13, points 1, 3, 6, 7): `init --directorate`,
`init --office` adding offices, `network list`, `shipment send/receive/list/show`,
`stock verify --network`; bad input exits 2 naming the flag, with nothing written."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko_main import run_blangko


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_blangko("--db", db_url, *args)


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
                conn.execute(select(func.count()).select_from(t.shipment)).scalar_one(),
            )
    finally:
        engine.dispose()


def test_the_network_from_the_command_line(db_url: str) -> None:
    assert _json(db_url, "init", "--directorate")["directorate"]["code"] == "00.00"
    for code in ("17.04", "17.01"):
        assert _json(db_url, "init", "--office", code)["office"]["code"] == code
    _json(
        db_url,
        "stock",
        "receive",
        "--office",
        "00.00",
        "--serials",
        "KR0000001-KR0001000",
        "--source",
        "Pengadaan pusat",
        "--document",
        "K-1",
        "--date",
        "2026-11-02",
    )
    sent = _json(
        db_url,
        "shipment",
        "send",
        "--office",
        "00.00",
        "--to",
        "17.04",
        "--qty",
        "300",
        "--document",
        "SP-1",
        "--date",
        "2026-11-03",
        "--idempotency-key",
        "kirim-1",
    )["shipment"]
    assert (sent["serials"], sent["status"]) == ("KR0000001-KR0000300", "in_transit")
    again = _json(
        db_url,
        "shipment",
        "send",
        "--office",
        "00.00",
        "--to",
        "17.04",
        "--qty",
        "300",
        "--document",
        "SP-1",
        "--date",
        "2026-11-03",
        "--idempotency-key",
        "kirim-1",
    )
    assert again["replayed"] is True and again["shipment"]["id"] == sent["id"]
    org = _json(db_url, "network", "list")
    assert (org["directorate"]["on_hand"], org["directorate"]["in_transit"]) == (700, 300)
    bengkulu = org["provinces"][0]
    assert (bengkulu["code"], bengkulu["name"]) == ("17", "Bengkulu")

    got = _json(
        db_url,
        "shipment",
        "receive",
        str(sent["id"]),
        "--document",
        "BAST-1",
        "--missing",
        "KR0000300",
        "--missing-document",
        "BA-KURANG-1",
        "--date",
        "2026-11-04",
    )["shipment"]
    assert (got["received_qty"], got["lost_qty"]) == (299, 1)
    audit = _json(db_url, "stock", "verify", "--network")
    assert audit["sound"] is True
    assert (audit["network"]["shipped"], audit["network"]["arrived"]) == (300, 299)
    shown = _run(db_url, "network", "list")
    assert "Provinsi Bengkulu" in shown.stdout and "299" in shown.stdout

    # Bad input: exit 2, the flag named, nothing written.
    before = _written(db_url)
    for args, flag in (
        (("shipment", "receive", str(sent["id"]), "--document", "BAST-2"), "SHIPMENT"),
        (
            (
                "shipment",
                "send",
                "--office",
                "17.04",
                "--to",
                "17.01",
                "--qty",
                "5000",
                "--document",
                "X",
            ),
            "--qty",
        ),
        (
            (
                "shipment",
                "send",
                "--office",
                "17.04",
                "--to",
                "99.99",
                "--qty",
                "1",
                "--document",
                "X",
            ),
            "--to",
        ),
        (
            (
                "shipment",
                "send",
                "--office",
                "17.04",
                "--to",
                "17.01",
                "--serials",
                "KR0000500",
                "--document",
                "X",
            ),
            "--serials",
        ),
    ):
        done = _run(db_url, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert flag in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert _written(db_url) == before
