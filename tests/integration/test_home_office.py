"""Which office a command acts on (docs/network.md): the office named (--office, then
BLANGKO_OFFICE), else the database's home office (set by the first `init --office` or
`init --directorate`, changed with `office home CODE`), else the only office; a database
with more than one office and no home office refuses, naming how to choose. Web users act for
their account's office, home office or not."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.domain.errors import DomainError, NotFound
from blangko.services.admin import setup, users
from blangko.services.context import Context, resolve_office
from blangko.services.stock import queries, writes
from blangko_main import run_blangko


def _resolve(ctx: Context, office: str | None = None) -> str:
    with ctx.read() as conn:
        return resolve_office(conn, office)


def _home_rows(ctx: Context) -> int:
    with ctx.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.home_office)).scalar_one())


def test_one_office_without_a_home_is_still_the_office(ctx: Context) -> None:
    setup.create_office(ctx, code="17.04")
    assert setup.home_office(ctx)["home"] is None
    assert _resolve(ctx) == "17.04"


def test_more_offices_without_a_home_refuse_naming_how_to_choose(ctx: Context) -> None:
    for code in ("17.04", "17.01"):
        setup.create_office(ctx, code=code)
    with pytest.raises(DomainError) as refused:
        _resolve(ctx)
    assert (refused.value.code, refused.value.field) == ("office_required", "office")
    text = str(refused.value.message)
    for how in ("BLANGKO_OFFICE", "blangko office home"):
        assert how in text, text
    # A write without an office is refused too, with nothing written.
    with pytest.raises(DomainError):
        writes.record_opening(ctx, serials="KR0000001-KR0000010")
    with ctx.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.ledger_entry)).scalar_one() == 0


def test_the_first_init_sets_the_home_office_and_later_ones_keep_it(ctx: Context) -> None:
    assert setup.init(ctx, office="17.04")["home"] == "17.04"
    assert setup.init(ctx, office="17.01")["home"] == "17.04"
    assert setup.init(ctx, directorate=True)["home"] == "17.04"
    assert _resolve(ctx) == "17.04"
    assert _resolve(ctx, "17.01") == "17.01"  # a named office still wins
    # A write and a read without an office act on the home office.
    writes.record_opening(ctx, serials="KR0000001-KR0000010", office=None)
    assert queries.balance(ctx, office=None)["office"] == "17.04"
    assert queries.balance(ctx, office="17.01")["on_hand"] == 0
    listed = {o["code"]: o["home"] for o in setup.list_offices(ctx)}
    assert listed == {"00.00": False, "17.01": False, "17.04": True}


def test_a_directorate_set_up_first_is_the_home_office(ctx: Context) -> None:
    assert setup.init(ctx, directorate=True)["home"] == "00.00"
    setup.init(ctx, office="17.04")
    assert _resolve(ctx) == "00.00"


def test_the_home_office_is_changed_by_its_command(ctx: Context) -> None:
    for code in ("17.04", "17.01"):
        setup.init(ctx, office=code)
    changed = setup.set_home_office(ctx, office="17.01")
    assert (changed["home"], changed["changed"]) == ("17.01", True)
    assert changed["name"] == "Dinas Dukcapil Kabupaten Bengkulu Selatan"
    assert setup.set_home_office(ctx, office="17.01")["changed"] is False
    assert _resolve(ctx) == "17.01"
    assert _home_rows(ctx) == 1
    # An office the database does not hold (a region code too): refused, nothing changed.
    for bad in ("17.02", "99.99", ""):
        with pytest.raises(NotFound) as refused:
            setup.set_home_office(ctx, office=bad)
        assert (refused.value.code, refused.value.field) == ("unknown_office", "office")
    assert setup.home_office(ctx)["home"] == "17.01"


def test_web_users_act_for_their_account_office_not_the_home_office(ctx: Context) -> None:
    for code in ("17.04", "17.01"):
        setup.init(ctx, office=code)
    made = users.add_user(
        ctx,
        scope=users.MACHINE,
        username="kepala-bs",
        role="kepala",
        password="rahasia-panjang-1",
        office="17.01",
    )
    found = users.acting_user(ctx, made["username"], 0)
    assert found is not None and found["scope"] == "17.01"
    # The demo's accounts belong to the home office.
    accounts = users.ensure_demo_users(ctx)
    assert {a.get("scope") for a in accounts} == {"17.04"}
    for account in accounts:
        user = users.get_user(ctx, account["username"])
        assert user is not None and user["office"] == "17.04"


# --- the command line -----------------------------------------------------------------------


def _run(
    db_url: str, *args: str, office_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    # In this process (tests/blangko_main.py): the test is about what the commands answer;
    # tests/integration/test_cli.py keeps the real interpreter runs.
    # BLANGKO_OFFICE unset (None) unless the test names one.
    return run_blangko("--db", db_url, *args, env={"BLANGKO_OFFICE": office_env})


def _json(db_url: str, *args: str, office_env: str | None = None) -> Any:
    done = _run(db_url, *args, "--json", office_env=office_env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_command_line_chooses_option_then_environment_then_home(db_url: str) -> None:
    assert _json(db_url, "init", "--office", "17.04")["home"] == "17.04"
    assert _json(db_url, "init", "--office", "17.01")["home"] == "17.04"
    assert _json(db_url, "office", "home")["home"] == "17.04"
    assert _json(db_url, "stock", "balance")["office"] == "17.04"
    assert _json(db_url, "stock", "balance", office_env="17.01")["office"] == "17.01"
    both = _json(db_url, "stock", "balance", "--office", "17.04", office_env="17.01")
    assert both["office"] == "17.04"
    # A write without --office lands at the office BLANGKO_OFFICE names.
    _json(db_url, "stock", "opening", "--serials", "KR0000001-KR0000005", office_env="17.01")
    assert _json(db_url, "stock", "balance", "--office", "17.01")["on_hand"] == 5
    assert _json(db_url, "stock", "balance")["on_hand"] == 0
    # The home office changed by its command; the list marks it.
    assert _json(db_url, "office", "home", "17.01")["changed"] is True
    assert _json(db_url, "stock", "balance")["office"] == "17.01"
    listed = _run(db_url, "office", "list")
    assert "17.01 *" in listed.stdout and "17.04 *" not in listed.stdout
    shown = _run(db_url, "office", "home")
    assert "Kantor utama basis data ini: 17.01" in " ".join(shown.stdout.split())


def test_the_command_line_refuses_an_unknown_office(db_url: str) -> None:
    _json(db_url, "init", "--office", "17.04")
    engine = make_engine(db_url)
    try:
        for args, env in (
            (("office", "home", "17.02"), None),
            (("stock", "balance"), "99.99"),
        ):
            done = _run(db_url, *args, office_env=env)
            assert done.returncode == 2, (args, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr
            assert "17.02" in done.stderr or "99.99" in done.stderr, done.stderr
        with engine.connect() as conn:
            home = conn.execute(select(t.home_office.c.office_code)).scalars().all()
        assert home == ["17.04"]
    finally:
        engine.dispose()


def test_the_command_line_without_a_home_refuses_with_the_way_out(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        ctx = Context(engine)
        for code in ("17.04", "17.01"):
            setup.create_office(ctx, code=code)  # offices, no home (as before the home office)
    finally:
        engine.dispose()
    done = _run(db_url, "stock", "balance")
    assert done.returncode == 2, done.stdout
    said = " ".join(done.stderr.split())
    assert "2 kantor" in said and "blangko office home KODE" in said, said
    assert "--office" in said, said  # the field, named as the command's flag
    assert _json(db_url, "office", "home")["home"] is None
