"""Loans between offices (issue 13, point 5): arranged by the province or the directorate,
sent by the lender as a shipment marked with the loan, received by the borrower (the loan
is then open), returned in parts (settled when all is back) or written off by the
directorate; the timeline; every bad input refused with nothing written; idempotent
replays; the network check sound after. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.tables_loans import loan, loan_event
from blangko.domain.errors import DomainError
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import audit, loans, organisation, shipments
from blangko.services.network.organisation import Reach
from blangko.services.stock import queries as q
from blangko.services.stock import writes
from blangko_main import run_blangko

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"
BENGKULU = Reach(province="17")


@pytest.fixture
def network(ctx: Context) -> Context:
    """The directorate; Kaur (17.04, short) and Bengkulu Selatan (17.01, 1.000 blanks) in
    Bengkulu; Ogan Komering Ulu (16.01, 200 blanks) in Sumatera Selatan."""
    setup.init(ctx, directorate=True)
    for code in (KAUR, BS, OKU):
        setup.create_office(ctx, code=code)
    for code, serials in ((BS, "BS0000001-BS0001000"), (OKU, "OK0000001-OK0000200")):
        writes.receive_shipment(
            ctx,
            serials=serials,
            source="Ditjen Dukcapil",
            document=f"BAST-{code}",
            effective=date(2026, 11, 2),
            office=code,
        )
    return ctx


def _due(ctx: Context) -> date:
    return ctx.today() + timedelta(days=30)


def _arrange(ctx: Context, qty: int = 300, **kw: Any) -> dict[str, Any]:
    return dict(
        loans.arrange(
            ctx,
            lender=kw.pop("lender", BS),
            borrower=kw.pop("borrower", KAUR),
            quantity=qty,
            reason=kw.pop("reason", "Kaur kehabisan blangko menjelang pilkades"),
            due=kw.pop("due", _due(ctx)),
            reach=kw.pop("reach", BENGKULU),
            **kw,
        )
    )


def _written(ctx: Context) -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    with ctx.engine.connect() as conn:
        return (
            tuple(conn.execute(select(t.office.c.code, t.office.c.ledger_seq)).all()),
            tuple(conn.execute(select(t.shipment).order_by(t.shipment.c.id)).all()),
            tuple(conn.execute(select(loan).order_by(loan.c.id)).all()),
            conn.execute(select(func.count()).select_from(loan_event)).scalar_one(),
        )


def _on_hand(ctx: Context, office: str) -> int:
    return int(q.balance(ctx, office=office)["on_hand"])


def _sound(ctx: Context) -> None:
    for o in setup.list_offices(ctx):
        r = q.verify(ctx, office=o["code"])
        assert r["sound"], (o["code"], r["problems"])
    net = audit.verify(ctx)
    assert net["sound"], net["problems"]


def test_a_loan_from_arranged_to_settled(network: Context) -> None:
    ctx = network
    prov = Context(ctx.engine, actor="prov_bengkulu", clock=ctx.clock)
    arranged = _arrange(prov)
    n = arranged["loan"]["id"]
    assert arranged["office"] == BS
    assert arranged["loan"]["status"] == "arranged"
    assert arranged["loan"]["arranged_by"] == "prov_bengkulu"
    sent = loans.send(ctx, loan=n, document="SP-PINJAM-1", office=BS)
    assert sent["loan"]["status"] == "sent"
    shipment = sent["shipment"]
    assert shipment is not None
    assert shipment["loan_id"] == n and shipment["quantity"] == 300
    assert shipment["to_office"] == KAUR
    assert _on_hand(ctx, BS) == 700
    # The borrower receives it as any shipment: the loan is open.
    shipments.receive(ctx, shipment=shipment["id"], document="BAST/KAUR/1", office=KAUR)
    opened = loans.show(ctx, loan=n)
    assert (opened["status"], opened["lent"], opened["outstanding"]) == ("open", 300, 300)
    assert _on_hand(ctx, KAUR) == 300
    assert [x["id"] for x in loans.open_for(ctx, KAUR)] == [n]
    assert [x["id"] for x in loans.open_for(ctx, BS)] == [n]
    assert [x["id"] for x in organisation.organisation(ctx, reach=BENGKULU)["open_loans"]] == [n]
    assert organisation.organisation(ctx, reach=Reach(province="16"))["open_loans"] == []
    # Partial returns add up.
    first = loans.return_loan(ctx, loan=n, qty=100, document="SP-KEMBALI-1", office=KAUR)
    assert first["office"] == KAUR and first["loan"]["returning"] == 100
    assert first["shipment"] is not None and first["shipment"]["to_office"] == BS
    shipments.receive(ctx, shipment=first["shipment"]["id"], document="BAST/BS/1", office=BS)
    part = loans.show(ctx, loan=n)
    assert (part["status"], part["returned"], part["outstanding"]) == ("open", 100, 200)
    second = loans.return_loan(ctx, loan=n, qty=200, document="SP-KEMBALI-2", office=KAUR)
    assert second["shipment"] is not None
    shipments.receive(ctx, shipment=second["shipment"]["id"], document="BAST/BS/2", office=BS)
    done = loans.show(ctx, loan=n)
    assert (done["status"], done["returned"], done["outstanding"]) == ("settled", 300, 0)
    assert loans.open_for(ctx, KAUR) == []
    assert [e["step"] for e in done["events"]] == [
        "arranged",
        "sent",
        "received",
        "return_sent",
        "returned",
        "return_sent",
        "returned",
        "settled",
    ]
    assert done["events"][0]["actor"] == "prov_bengkulu"
    assert done["events"][0]["comment"] == "Kaur kehabisan blangko menjelang pilkades"
    assert done["events"][2]["comment"] == "BAST/KAUR/1"
    assert len(done["shipments"]) == 3
    assert _on_hand(ctx, BS) == 1000 and _on_hand(ctx, KAUR) == 0
    _sound(ctx)


def test_written_off_by_the_directorate(network: Context) -> None:
    ctx = network
    n = _arrange(ctx, 50, reach=organisation.EVERYTHING)["loan"]["id"]
    s = loans.send(ctx, loan=n, document="SP-2", office=BS)["shipment"]
    assert s is not None
    shipments.receive(ctx, shipment=s["id"], document="BAST-2", office=KAUR)
    back = loans.return_loan(ctx, loan=n, qty=10, document="SP-K", office=KAUR)["shipment"]
    assert back is not None
    before = _written(ctx)
    with pytest.raises(DomainError) as pending:
        loans.write_off(ctx, loan=n, reason="Habis terpakai")
    assert pending.value.code == "return_in_transit"
    shipments.receive(ctx, shipment=back["id"], document="BAST-K", office=BS)
    before = _written(ctx)
    for reach in (BENGKULU, Reach(office=KAUR)):
        with pytest.raises(DomainError) as refused:
            loans.write_off(ctx, loan=n, reason="Habis terpakai", reach=reach)
        assert (refused.value.code, refused.value.field) == ("directorate_only", "loan")
    with pytest.raises(DomainError) as no_reason:
        loans.write_off(ctx, loan=n, reason=" ")
    assert (no_reason.value.code, no_reason.value.field) == ("required", "reason")
    assert _written(ctx) == before
    off = loans.write_off(ctx, loan=n, reason="Habis terpakai untuk pilkades")
    assert off["loan"]["status"] == "written_off"
    assert (off["loan"]["written_off"], off["loan"]["outstanding"]) == (40, 0)
    assert off["loan"]["events"][-1]["step"] == "written_off"
    assert off["loan"]["events"][-1]["comment"] == "Habis terpakai untuk pilkades"
    with pytest.raises(DomainError) as closed:
        loans.return_loan(ctx, loan=n, qty=1, document="SP-X", office=KAUR)
    assert closed.value.code == "loan_closed"
    _sound(ctx)


def test_bad_input_writes_nothing(network: Context) -> None:
    ctx = network
    n = _arrange(ctx, 20)["loan"]["id"]
    before = _written(ctx)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"borrower": BS}, "same_office", "borrower"),
        ({"borrower": OKU}, "outside_province", "borrower"),
        ({"lender": OKU, "borrower": KAUR}, "outside_province", "lender"),
        ({"lender": "17.99"}, "unknown_office", "lender"),
        ({"borrower": "17.98"}, "unknown_office", "borrower"),
        ({"borrower": D}, "loan_directorate", "borrower"),
        ({"reach": Reach(office=KAUR)}, "loan_arranger", "lender"),
        ({"reason": " "}, "required", "reason"),
        ({"due": date(2020, 1, 1)}, "due_in_past", "due"),
    ]
    for kw, code, field in cases:
        with pytest.raises(DomainError) as e:
            _arrange(ctx, **kw)
        assert (e.value.code, e.value.field) == (code, field), kw
    for qty in (0, -5):
        with pytest.raises(DomainError) as e:
            _arrange(ctx, qty)
        assert e.value.field == "quantity", qty
    # The directorate may arrange across provinces.
    assert _written(ctx) == before
    # Sending: only the lender, only the loan's quantity, only once; outside reach: unknown.
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=n, document="SP", office=KAUR)
    assert (e.value.code, e.value.field) == ("not_lender", "loan")
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=n, document="SP", office=OKU)
    assert e.value.code == "unknown_loan"
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=n, document="SP", office=BS, reach=Reach(province="16"))
    assert e.value.code == "unknown_loan"
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=n, document="SP", office=BS, qty=21)
    assert (e.value.code, e.value.field) == ("loan_quantity", "qty")
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=999999, document="SP", office=BS)
    assert e.value.code == "unknown_loan"
    with pytest.raises(DomainError) as e:
        loans.return_loan(ctx, loan=n, qty=1, document="SP", office=KAUR)
    assert e.value.code == "loan_not_open"
    assert _written(ctx) == before
    s = loans.send(ctx, loan=n, document="SP", office=BS)["shipment"]
    assert s is not None
    with pytest.raises(DomainError) as e:
        loans.send(ctx, loan=n, document="SP", office=BS)
    assert e.value.code == "loan_sent"
    shipments.receive(ctx, shipment=s["id"], document="BAST", office=KAUR)
    before = _written(ctx)
    for qty, code in ((21, "return_exceeds"), (0, "qty_positive"), (-1, "qty_positive")):
        with pytest.raises(DomainError) as e:
            loans.return_loan(ctx, loan=n, qty=qty, document="SP-K", office=KAUR)
        assert (e.value.code, e.value.field) == (code, "qty"), qty
    with pytest.raises(DomainError) as e:
        loans.return_loan(ctx, loan=n, qty=1, document="SP-K", office=BS)
    assert (e.value.code, e.value.field) == ("not_borrower", "loan")
    assert _written(ctx) == before
    # More than is owed, counting what is on its way back.
    loans.return_loan(ctx, loan=n, qty=15, document="SP-K1", office=KAUR)
    with pytest.raises(DomainError) as e:
        loans.return_loan(ctx, loan=n, qty=6, document="SP-K2", office=KAUR)
    assert e.value.code == "return_exceeds"
    _sound(ctx)


def test_idempotent_replays(network: Context) -> None:
    ctx = network
    first = _arrange(ctx, 30, idempotency_key="atur-1")
    again = _arrange(ctx, 30, idempotency_key="atur-1")
    assert again["replayed"] and again["loan"]["id"] == first["loan"]["id"]
    n = first["loan"]["id"]
    sent = loans.send(ctx, loan=n, document="SP", office=BS, idempotency_key="kirim-1")
    resent = loans.send(ctx, loan=n, document="SP", office=BS, idempotency_key="kirim-1")
    assert resent["replayed"] and resent["shipment"] == sent["shipment"]
    assert sent["shipment"] is not None
    shipments.receive(ctx, shipment=sent["shipment"]["id"], document="B", office=KAUR)
    back = loans.return_loan(ctx, loan=n, qty=5, document="K", office=KAUR, idempotency_key="k")
    back2 = loans.return_loan(ctx, loan=n, qty=5, document="K", office=KAUR, idempotency_key="k")
    assert back2["replayed"] and back2["shipment"] == back["shipment"]
    with pytest.raises(DomainError) as e:
        loans.return_loan(ctx, loan=n, qty=6, document="K", office=KAUR, idempotency_key="k")
    assert e.value.code == "idempotency_key_reused"
    assert len(loans.list_loans(ctx)) == 1
    assert loans.show(ctx, loan=n)["returning"] == 5
    assert [x["id"] for x in loans.list_loans(ctx, office=KAUR, status="open")] == [n]
    assert loans.list_loans(ctx, reach=Reach(province="16")) == []
    _sound(ctx)


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # In this process (tests/blangko_main.py): the test is about what the commands answer;
    # tests/integration/test_cli.py keeps the real interpreter runs.
    return run_blangko("--db", db_url, *args)


def test_loans_on_the_command_line(db_url: str) -> None:
    for args in (
        ("init", "--directorate"),
        ("init", "--office", KAUR),
        ("init", "--office", BS),
        ("stock", "receive", "--office", BS, "--serials", "BS0000001-BS0000500")
        + ("--source", "Ditjen", "--document", "BAST-BS"),
    ):
        assert _cli(db_url, *args).returncode == 0, args
    made = _cli(db_url, "loan", "arrange", "--lender", BS, "--borrower", KAUR, "--quantity", "50")
    assert made.returncode == 2  # --reason and --due are required
    due = "2099-01-31"
    made = _cli(
        db_url,
        *("loan", "arrange", "--lender", BS, "--borrower", BS, "--quantity", "50"),
        *("--reason", "x", "--due", due),
    )
    assert made.returncode == 2 and "same_office" in made.stderr and "--borrower" in made.stderr
    made = _cli(
        db_url,
        *("loan", "arrange", "--lender", BS, "--borrower", KAUR, "--quantity", "0"),
        *("--reason", "x", "--due", due),
    )
    assert made.returncode == 2 and "--quantity" in made.stderr
    made = _cli(
        db_url,
        *("loan", "arrange", "--lender", BS, "--borrower", KAUR, "--quantity", "50"),
        *("--reason", "Kaur habis", "--due", due, "--json"),
    )
    assert made.returncode == 0, made.stderr
    n = str(json.loads(made.stdout)["loan"]["id"])
    sent = _cli(db_url, "loan", "send", n, "--document", "SP-1", "--json")
    assert sent.returncode == 0, sent.stderr
    shipment = str(json.loads(sent.stdout)["shipment"]["id"])
    got = _cli(db_url, "shipment", "receive", shipment, "--document", "BAST-1", "--office", KAUR)
    assert got.returncode == 0, got.stderr
    too_much = _cli(db_url, "loan", "return", n, "--qty", "51", "--document", "K")
    assert too_much.returncode == 2 and "return_exceeds" in too_much.stderr
    back = _cli(db_url, "loan", "return", n, "--qty", "50", "--document", "K", "--json")
    assert back.returncode == 0, back.stderr
    ret = str(json.loads(back.stdout)["shipment"]["id"])
    assert (
        _cli(db_url, "shipment", "receive", ret, "--document", "B2", "--office", BS).returncode == 0
    )
    shown = _cli(db_url, "loan", "show", n, "--json")
    assert json.loads(shown.stdout)["status"] == "settled"
    listed = _cli(db_url, "loan", "list")
    assert listed.returncode == 0 and "lunas" in listed.stdout
    verified = _cli(db_url, "stock", "verify", "--network")
    assert verified.returncode == 0, verified.stdout + verified.stderr
