"""A database made by the previous release, with data, is upgraded by `blangko init` and stays
sound (issue 19, finding 11), on SQLite and PostgreSQL.

The previous release is the code of commit 0bf46f2 (schema 0006: before the count life, the
user sessions, the read log and the anchors), taken from this repository with `git archive`
and run in a process of its own: it sets up an office, moves stock, registers residents,
prints cards (one misprinted), counts twice and closes a month, through its own command
line. This release then runs `blangko init` on that database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ta
from blangko.adapters import tables_derived as tdv
from blangko.adapters import tables_residents as tr
from blangko.adapters.db import make_engine
from blangko.cli.main import app

PREVIOUS_RELEASE = "0bf46f2"
REPO = Path(__file__).resolve().parents[2]

# Run with the previous release's code on the path: builds its office through its own CLI.
OLD_STORY = r"""
import json, sys
from datetime import date, datetime
from sqlalchemy import insert
from typer.testing import CliRunner
from blangko.cli.main import app
from blangko.adapters.db import make_engine
from blangko.adapters.tables_residents import resident
from blangko.domain.nik import build_nik

db = sys.argv[1]

def cli(*args):
    r = CliRunner().invoke(app, ["--db", db, "--actor", "rilis-lama", *args, "--json"])
    assert r.exit_code == 0, (args, r.output, r.exception)
    return json.loads(r.stdout)

cli("init", "--office", "17.04")
cli("location", "add", "loket-1", "--kind", "station")
cli("stock", "opening", "--serials", "KR0000001-KR0000100", "--date", "2026-09-01")
cli("stock", "transfer", "--from", "gudang", "--to", "loket-1", "--qty", "20",
    "--date", "2026-09-01")
niks = [build_nik("17.04.01", date(1990, 5, 17), "L", i) for i in (1, 2, 3)]
engine = make_engine(db)
with engine.begin() as conn:
    conn.execute(insert(resident), [
        dict(nik=n, office_code="17.04", nama=f"Penduduk Lama {i}", jenis_kelamin="L",
             tanggal_lahir=date(1990, 5, 17), status_kawin="BELUM KAWIN",
             kode_desa="17.04.01.2001", kode_kecamatan="17.04.01",
             tanggal_rekam=date(2020, 1, 1), tanggal_cetak=None, status="HIDUP",
             updated_at=datetime(2026, 11, 1))
        for i, n in enumerate(niks, 1)])
engine.dispose()
receipts = [cli("app", "new", "--nik", n, "--type", "pemula", "--date", "2026-11-02")["receipt"]
            for n in niks]
for r in receipts[:2]:
    cli("app", "ready", r, "--date", "2026-11-02")
    cli("app", "print", r, "--station", "loket-1", "--date", "2026-11-03")
cli("app", "misprint", receipts[1], "--reason", "gagal_encode", "--date", "2026-11-03")
cli("app", "print", receipts[1], "--station", "loket-1", "--date", "2026-11-03")
cli("stock", "count", "--location", "loket-1", "--counted", "19")
cli("stock", "count", "--location", "loket-1", "--counted", "18")
cli("stock", "close-month", "2026-10")
print(json.dumps({"receipts": receipts, "niks": niks}))
"""


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree (src/), from git."""
    # CI checks out the whole history: there a missing release is a failure, not a skip.
    give_up = pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip
    if shutil.which("git") is None:
        give_up("git is needed to take the previous release from the repository")
    found = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        give_up(f"commit {PREVIOUS_RELEASE} is not in this clone (a shallow checkout?)")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE, "src"],
        capture_output=True,
        check=True,
    ).stdout
    root = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    return root / "src"


@pytest.fixture
def empty_db(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it yet, on the test's backend."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'previous.db'}"
        return
    name = f"blangko_up_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in {
                    "ledger_entry": t.ledger_entry,
                    "blank": t.blank,
                    "stock_count": t.stock_count,
                    "month_close": t.month_close,
                    "location": t.location,
                    "application": ta.application,
                    "application_event": ta.application_event,
                }.items()
            }
    finally:
        engine.dispose()


def _cli(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    done = CliRunner().invoke(app, ["--db", url, *args, "--json"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_init_upgrades_a_database_of_the_previous_release(
    previous_release: Path, empty_db: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    made = subprocess.run(
        [sys.executable, "-c", OLD_STORY, empty_db],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(previous_release)},
        check=False,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    story = json.loads(made.stdout.strip().splitlines()[-1])
    before = _rows(empty_db)
    assert before["application"] == 3 and before["stock_count"] == 2

    monkeypatch.setenv("BLANGKO_ANCHOR_KEY", "kunci-jangkar-upgrade-0123456789")
    upgraded = _cli(empty_db, "init")
    assert upgraded["migrations_applied"] == [
        "0007",
        "0008_user_sessions",
        "0009_read_log_anchor",
        "0010_office_profile",
        "0011_registry_import",
        "0012_derived_figures",
        "0013_handed_in_cards",
        "0014_rationing",
        "0015_network",
        "0018_items",
        "0019_snapshots",
        "0020_home_office",
        "0021_requests",
        "0022_loans",
        "0023_allocation",
        "0024_serialised_items",
        "0025_snapshot_loans",
        "0026_big_office",
        "0027_registry_indexes",
        "0028_ledger_day_totals",
        "0029_entry_range_class",
        "0030_unprinted_by_village",
        "0031_office_lock_count",
    ]
    assert _rows(empty_db) == before  # nothing lost, nothing added
    # The old release's one office became the database's home office (0020).
    assert _cli(empty_db, "office", "home")["home"] == "17.04"
    # The coverage counts (0012) hold the registry the old release wrote: coverage read
    # from them is the full scan's.
    engine = make_engine(empty_db)
    with engine.connect() as conn:
        kept = conn.execute(select(func.sum(tdv.coverage_count.c.residents))).scalar_one()
        alive = conn.execute(
            select(func.count()).select_from(tr.resident).where(tr.resident.c.status == "HIDUP")
        ).scalar_one()
    engine.dispose()
    assert kept == alive == 3
    # Sound, including the prints the old release made (each application's serial is the
    # blank its print consumed), before and after the first anchor.
    audit = _cli(empty_db, "stock", "verify")
    assert audit["sound"] is True, audit["problems"]
    assert audit["anchors"] == 0
    # Counts of the old release: the older of two open counts was superseded (0007).
    states = sorted(c["status"] for c in _cli(empty_db, "stock", "counts"))
    assert states == ["open", "superseded"]
    # Old receipts keep working; a new application gets a receipt of the new shape.
    old = story["receipts"][0]
    shown = _cli(empty_db, "app", "show", old)
    assert (shown["receipt"], shown["status"], shown["serial"]) == (old, "dicetak", "KR0000001")
    assert _cli(empty_db, "app", "collect", old)["status"] == "diserahkan"

    anchored = _cli(empty_db, "stock", "anchor")
    assert anchored["anchored"] is True
    audit = _cli(empty_db, "stock", "verify")
    assert audit["sound"] is True and audit["anchors"] == 1 and audit["warnings"] == []
    # The anchor covers the rows the old release wrote: an edit of one is found.
    engine = make_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            update(ta.application)
            .where(ta.application.c.receipt == story["receipts"][2])
            .values(nik=story["niks"][0])
        )
    engine.dispose()
    done = CliRunner().invoke(app, ["--db", empty_db, "stock", "verify", "--json"])
    assert done.exit_code == 1
    assert any("permohonan" in p["message"] for p in json.loads(done.stdout)["problems"])
