"""`blangko old-card`, `coverage ikd` and the old-card reports through the command line, on
both backends: the register's writes and reads, bad input (exit 2, the field's flag, nothing
written) and the files. The CLI runs on the real clock: every date here lies in the past."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from service_helpers import add_resident
from sqlalchemy import func, select
from test_applications_cli import _cli, _fails
from typer.testing import CliRunner

from blangko.adapters import tables_handed_in as th
from blangko.adapters.db import make_engine
from blangko.cli.main import app
from blangko.services.context import Context
from blangko_main import run_blangko


def _rows(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return sum(
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (th.handed_in_card, th.card_destruction, th.card_destruction_item)
            )
    finally:
        engine.dispose()


def test_old_card_commands(db_url: str, tmp_path: Path) -> None:
    _cli(db_url, "init", "--office", "17.04", "--json")
    engine = make_engine(db_url)
    niks = [
        add_resident(Context(engine), serial=k, recorded=date(2014, 1, 1), printed=date(2015, 1, 1))
        for k in (1, 2)
    ]
    engine.dispose()
    ids = [
        _cli(
            db_url, "old-card", "receive", "--nik", nik, "--reason", "pindah",
            "--card-serial", f"k{k}", "--date", "2026-01-05", "--json",
        )["card"]["id"]
        for k, nik in enumerate(niks)
    ]  # fmt: skip
    before = _rows(db_url)
    err = _fails(
        db_url, "old-card", "destroy", "--card", str(ids[0]), "--witness", "Andi",
        "--place", "Kantor", "--date", "2026-01-06",
    )  # fmt: skip
    assert (err["code"], err["field"]) == ("witnesses_too_few", "witnesses")
    err = _fails(
        db_url, "old-card", "receive", "--nik", niks[0], "--reason", "rusak", "--date", "2999-01-01"
    )
    assert err["field"] == "received_on"
    assert _rows(db_url) == before
    done = _cli(
        db_url, "old-card", "destroy", "--card", str(ids[0]), "--witness", "Andi",
        "--witness", "Sri", "--place", "Halaman kantor", "--date", "2026-01-06", "--json",
    )  # fmt: skip
    assert done["totals"]["destroyed"] == 1 and done["totals"]["held"] == 1
    err = _fails(
        db_url, "old-card", "destroy", "--card", str(ids[0]), "--witness", "Andi",
        "--witness", "Sri", "--place", "Halaman kantor", "--date", "2026-01-07",
    )  # fmt: skip
    assert (err["code"], err["field"]) == ("card_destroyed", "cards")
    # Not JSON: the clerk's message names the flag to fix.
    plain = run_blangko(
        "--db", db_url, "old-card", "destroy", "--card", str(ids[1]), "--witness", "A",
        "--place", "Kantor", "--date", "2026-01-07",
    )  # fmt: skip
    assert plain.returncode == 2 and "(--witnesses)" in plain.stderr, plain.stderr
    listed = _cli(db_url, "old-card", "list", "--json")
    assert listed["totals"]["reconciled"] and listed["items"][0]["nik"] != niks[0]
    assert _cli(db_url, "old-card", "verify", "--json")["ok"]
    recap = _cli(db_url, "old-card", "recap", "--month", "2026-01", "--json")
    assert (recap["received"], recap["destroyed"], recap["held_at_end"]) == (2, 1, 1)
    out = tmp_path / "ba.pdf"
    wrote = _cli(
        db_url, "report", "old-card-destruction", str(done["destruction"]["id"]),
        "--output", str(out), "--json",
    )  # fmt: skip
    assert wrote["bytes"] > 1000 and out.read_bytes()[:4] == b"%PDF"
    xlsx = tmp_path / "rekap.xlsx"
    _cli(db_url, "report", "old-card-recap", "--month", "2026-01", "--output", str(xlsx), "--json")
    assert xlsx.read_bytes()[:2] == b"PK"
    ikd = _cli(db_url, "coverage", "ikd", "--as-of", "2026-01-31", "--json")
    assert ikd["coverage"]["wajib_ktp"] == 2 and ikd["ratio"]["met"] is None
    err = _fails(db_url, "coverage", "ikd", "--ikd-target", "120")
    assert err["field"] == "ikd_target"
    daily = json.loads(
        CliRunner().invoke(app, ["--db", db_url, "coverage", "ikd-daily", "--from", "2026-01-01",
                                 "--to", "2026-01-31", "--json"]).stdout
    )  # fmt: skip
    assert len(daily["days"]) == 31
