"""The read log (issue 19, finding 8): every read of a resident's personal data writes one
row (who, role, what, which resident or list), on SQLite and PostgreSQL; the log is read per
office with the NIKs masked, and found by a full NIK."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from service_helpers import KK, add_resident, stock_station
from sqlalchemy import func, select
from typer.testing import CliRunner

from blangko.adapters.tables_readlog import read_log
from blangko.cli.main import app
from blangko.services import applications as apps
from blangko.services import readlog, registry
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.coverage import areas


def _rows(ctx: Context) -> list:  # type: ignore[type-arg]
    with ctx.read() as conn:
        return list(conn.execute(select(read_log).order_by(read_log.c.id)).all())


def _count(ctx: Context) -> int:
    with ctx.read() as conn:
        return int(conn.execute(select(func.count()).select_from(read_log)).scalar_one())


@pytest.fixture
def operator(ctx: Context) -> Context:
    """The context of a web user of the counter (the web hands services the name and role)."""
    return replace(ctx, actor="operator", role="operator")


def test_each_read_of_personal_data_writes_one_row(operator: Context, office: str) -> None:
    nik = add_resident(operator, serial=1, recorded=date(2020, 1, 1))
    other = add_resident(operator, serial=2)
    receipt = apps.new(operator, nik=nik, type="pemula", documents=KK)["receipt"]
    apps.new(operator, nik=other, type="pemula", documents=KK)
    assert _count(operator) == 0  # writes show masked NIKs: nothing to log

    registry.show_resident(operator, nik, reveal=True)
    apps.show(operator, receipt=receipt, reveal=True)
    apps.list_(operator, reveal=True, status="direkam")
    apps.print_queue(operator, reveal=True)
    rows = _rows(operator)
    assert [(r.action, r.nik, r.subject, r.rows) for r in rows] == [
        ("resident", nik, None, 1),
        ("application", nik, receipt, 1),
        ("applications", None, "status=direkam", 1),
    ]  # the print queue is empty: nobody's data was shown
    assert {(r.office_code, r.actor, r.role) for r in rows} == {("17.04", "operator", "operator")}
    assert all(r.at == operator.now() for r in rows)


def test_masked_reads_and_refused_reads_are_not_logged(operator: Context, office: str) -> None:
    nik = add_resident(operator, serial=1)
    receipt = apps.new(operator, nik=nik, type="pemula", documents=KK)["receipt"]
    auditor = replace(operator, actor="auditor", role="auditor")
    apps.show(auditor, receipt=receipt)
    apps.list_(auditor)
    apps.print_queue(auditor)
    with pytest.raises(Exception):  # noqa: B017 - any refusal: nothing was shown
        registry.show_resident(operator, "1704011203900099", reveal=True)
    assert _count(operator) == 0


def test_a_caller_that_logs_its_request_itself_is_not_logged_twice(
    operator: Context, office: str
) -> None:
    nik = add_resident(operator, serial=1)
    receipt = apps.new(operator, nik=nik, type="pemula", documents=KK)["receipt"]
    apps.show(operator, receipt=receipt, reveal=True, note_read=False)
    registry.show_resident(operator, nik, reveal=True, note_read=False)
    assert _count(operator) == 0


def test_the_export_of_names_is_logged_with_its_area_and_rows(
    operator: Context, office: str, tmp_path: Path
) -> None:
    for serial in range(1, 4):
        add_resident(operator, serial=serial, birth=date(2000, 1, serial))
    written = areas.gaps(operator, output=tmp_path / "gaps.csv", kecamatan="17.04.01")
    [row] = _rows(operator)
    assert (row.action, row.subject, row.rows, row.nik) == (
        "gaps",
        "17.04.01",
        written["rows"],
        None,
    )
    assert written["rows"] == 3


def test_the_log_is_read_per_office_with_niks_masked(operator: Context, office: str) -> None:
    setup.create_office(operator, code="17.71")
    mine = add_resident(operator, serial=1)
    theirs = add_resident(operator, serial=2, office="17.71")
    registry.show_resident(operator, mine, reveal=True)
    registry.show_resident(replace(operator, actor="kepala_b", role="kepala"), theirs, reveal=True)

    log = readlog.list_reads(operator, office="17.04")
    assert log["total"] == 1
    [entry] = log["items"]
    assert entry["nik"] == mine[:4] + "********" + mine[-4:]
    assert (entry["actor"], entry["role"], entry["action"]) == ("operator", "operator", "resident")
    assert mine not in json.dumps(log)
    # A full NIK finds who viewed that resident; another office's reads are not there.
    assert readlog.list_reads(operator, office="17.04", nik=mine)["total"] == 1
    assert readlog.list_reads(operator, office="17.04", nik=theirs)["total"] == 0
    assert readlog.list_reads(operator, office="17.71", nik=theirs)["items"][0]["actor"] == (
        "kepala_b"
    )
    assert readlog.list_reads(operator, office="17.04", actor="kepala_b")["total"] == 0


def test_the_command_line_reads_are_logged_and_listed(
    db_url: str, ctx: Context, office: str
) -> None:
    stock_station(ctx)
    nik = add_resident(ctx, serial=1, recorded=date(2020, 1, 1))
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    run = CliRunner()
    base = ["--db", db_url, "--actor", "pak-budi"]
    for args in (
        ["residents", "show", nik, "--json"],
        ["app", "show", receipt, "--show-nik", "--json"],
        ["app", "show", receipt, "--json"],  # masked: not logged
        ["app", "list", "--show-nik", "--json"],
    ):
        done = run.invoke(app, [*base, *args], catch_exceptions=False)
        assert done.exit_code == 0, done.output
    done = run.invoke(app, [*base, "readlog", "list", "--json"], catch_exceptions=False)
    log = json.loads(done.stdout)
    assert log["total"] == 3
    assert [(e["action"], e["actor"], e["role"]) for e in log["items"]] == [
        ("applications", "pak-budi", readlog.ROLE_CLI),
        ("application", "pak-budi", readlog.ROLE_CLI),
        ("resident", "pak-budi", readlog.ROLE_CLI),
    ]
    assert nik not in done.stdout
    done = run.invoke(app, [*base, "readlog", "list", "--nik", nik], catch_exceptions=False)
    assert done.exit_code == 0 and "pak-budi" in done.stdout and nik not in done.stdout
