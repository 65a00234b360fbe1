"""Backup and restore (issue 19, finding 11), on SQLite and PostgreSQL: a backup taken while a
clerk keeps receiving and printing is one consistent moment, restores into a new database,
verifies sound and holds exactly what the database held at that moment; a restore never
overwrites a database in use."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from service_helpers import KK, add_resident, stock_station
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from blangko.adapters import tables as t
from blangko.adapters.all_tables import metadata
from blangko.adapters.db import make_engine
from blangko.cli.main import app
from blangko.domain.errors import Conflict, DomainError
from blangko.services import applications as apps
from blangko.services import registry
from blangko.services.admin import backup as backups
from blangko.services.context import Context
from blangko.services.stock import anchors, counts, writes
from blangko.services.stock import queries as q
from blangko.settings import Settings

KEY = "kunci-jangkar-cadangan-uji-0123456789"
# Tables that only the set-up writes (the same in both databases by construction).
SKIP = {"alembic_version", "region"}


@pytest.fixture
def keyed(ctx: Context) -> Context:
    return replace(ctx, settings=Settings(anchor_key=KEY))


@pytest.fixture
def filled(keyed: Context, office: str) -> Context:
    """An office that has been working: stock, applications printed and misprinted, a count,
    a closed month and its anchor, reads of personal data."""
    stock_station(keyed, at_station=30)
    for serial in range(1, 6):
        nik = add_resident(keyed, serial=serial, recorded=date(2020, 1, 1))
        receipt = apps.new(keyed, nik=nik, type="pemula", documents=KK)["receipt"]
        apps.ready(keyed, receipt=receipt)
        if serial <= 3:
            apps.print_card(keyed, receipt=receipt, station="loket-1")
        registry.show_resident(keyed, nik, reveal=True)
    apps.misprint(
        keyed, receipt=apps.list_(keyed, status="dicetak")[0]["receipt"], reason="gagal_encode"
    )
    counts.record_count(keyed, location="loket-1", counted=26)
    writes.close_month(keyed, month="2026-10")
    assert q.verify(keyed)["sound"] is True
    return keyed


def _counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in metadata.tables.items()
            if name not in SKIP
        }


@pytest.fixture
def new_db(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a database that does not exist yet, on the test's backend."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_r{uuid.uuid4().hex[:6]}"
    yield str(url.set(database=name).render_as_string(hide_password=False))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _restore(url: str, source: Path, settings: Settings) -> tuple[dict, Context]:  # type: ignore[type-arg]
    ctx = Context(make_engine(url), settings=settings)
    return dict(backups.restore(ctx, source=source)), ctx


def test_a_backup_while_a_clerk_works_restores_one_consistent_moment(
    filled: Context, db_url: str, new_db: str, tmp_path: Path
) -> None:
    # A larger book makes the copy take a while (~1.5 MB of blanks on SQLite).
    writes.receive_shipment(
        filled, serials="KT0000001-KT0030000", source="Ditjen", document="BA-9", to="gudang"
    )
    clerk = Context(
        make_engine(db_url), actor="loket", clock=filled.clock, settings=filled.settings
    )
    stop = threading.Event()
    done: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        """Receive ten blanks and print one of them at the station, again and again."""
        try:
            i = 0
            while not stop.is_set():
                first = 1 + 10 * i
                got = writes.receive_shipment(
                    clerk,
                    serials=f"KW{first:07d}-KW{first + 9:07d}",
                    source="Ditjen",
                    document=f"BA-W{i}",
                    to="loket-1",
                )
                done.append(got["entries"][-1]["seq"])
                used = writes.consume(clerk, serials=f"KW{first:07d}", service="pemula")
                done.append(used["entries"][-1]["seq"])
                i += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    writer = threading.Thread(target=work)
    writer.start()
    try:
        while len(done) < 6:
            time.sleep(0.01)
        # The backup must overlap a write to prove anything: on a loaded machine the clerk's
        # thread may not get a turn during one (under a second), so try again, up to five.
        for attempt in range(5):
            copy = tmp_path / f"copy{attempt}.bak"
            before = done[-1]
            result = backups.backup(filled, output=copy)
            after = done[-1]
            if after > before:
                break
        seen = len(done)
        while len(done) < seen + 2 and not failures:  # the clerk goes on after it too
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=60)
        clerk.engine.dispose()
    assert not failures, failures
    assert after > before, "the clerk wrote nothing while the backup ran"
    assert result["bytes"] > 0 and len(result["sha256"]) == 64

    restored, rctx = _restore(new_db, copy, filled.settings)
    try:
        assert restored["sound"] is True, restored["offices"]
        [office] = restored["offices"]
        seq = office["entries"]
        # The copy is the database at one moment between the first and the last write seen.
        assert before <= seq <= after + 2
        with rctx.read() as conn:
            head = conn.execute(select(t.office.c.ledger_seq)).scalar_one()
        assert head == seq
        # Everything before that moment is there, byte for byte, and nothing after it.
        with filled.read() as src, rctx.read() as dst:
            mine = src.execute(
                select(t.ledger_entry.c.seq, t.ledger_entry.c.hash)
                .where(t.ledger_entry.c.seq <= seq)
                .order_by(t.ledger_entry.c.seq)
            ).all()
            theirs = dst.execute(
                select(t.ledger_entry.c.seq, t.ledger_entry.c.hash).order_by(t.ledger_entry.c.seq)
            ).all()
        assert theirs == mine
        with filled.read() as src:
            then = q.read_balance(src, "17.04", as_of=filled.today(), upto_seq=seq)
        assert q.balance(rctx, as_of=filled.today()) == then
    finally:
        rctx.engine.dispose()


def test_a_quiet_backup_restores_every_row(filled: Context, new_db: str, tmp_path: Path) -> None:
    backups.backup(filled, output=tmp_path / "copy.bak")
    restored, rctx = _restore(new_db, tmp_path / "copy.bak", filled.settings)
    try:
        assert restored["sound"] is True and restored["migrations_applied"] == []
        [office] = restored["offices"]
        assert office["anchors"] == 1 and office["warnings"] == []
        assert _counts(rctx.engine) == _counts(filled.engine)
        mine, theirs = dict(q.verify(filled)), dict(q.verify(rctx))
        mine.pop("seconds"), theirs.pop("seconds")
        assert theirs == mine
        # The restored office works on: the next month closes and anchors after the copy's.
        assert anchors.anchor(replace(rctx, clock=filled.clock))["anchored"] is False
    finally:
        rctx.engine.dispose()


def test_restore_never_overwrites_a_database_in_use(
    filled: Context, db_url: str, tmp_path: Path
) -> None:
    backups.backup(filled, output=tmp_path / "copy.bak")
    before = _counts(filled.engine)
    with pytest.raises(Conflict) as err:
        backups.restore(filled, source=tmp_path / "copy.bak")
    assert (err.value.code, err.value.field) == ("restore_target_not_empty", "db")
    assert _counts(filled.engine) == before
    with pytest.raises(Conflict) as err:
        backups.backup(filled, output=tmp_path / "copy.bak")
    assert err.value.code == "backup_exists"
    (tmp_path / "notes.txt").write_text("bukan cadangan")
    with pytest.raises(DomainError) as err:
        backups.restore(filled, source=tmp_path / "notes.txt")
    assert err.value.code == "backup_format"


def test_backup_and_restore_from_the_command_line(
    filled: Context, db_url: str, new_db: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BLANGKO_ANCHOR_KEY", KEY)
    copy = tmp_path / "cli.bak"
    run = CliRunner()
    done = run.invoke(app, ["--db", db_url, "backup", str(copy)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "SHA-256" in done.stdout and copy.is_file()
    done = run.invoke(app, ["--db", new_db, "restore", str(copy)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "dipulihkan" in done.stdout and "Ledger 17.04 utuh" in done.stdout
    # A second restore into the same (now full) database is refused, exit 2.
    again = run.invoke(app, ["--db", new_db, "restore", str(copy)])
    assert again.exit_code != 0
    assert isinstance(again.exception, Conflict)
