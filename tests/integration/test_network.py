"""The network (issue 13, points 1 and 3): the directorate as a ledger holder, the
organisation by province, and shipments between ledgers with blanks in transit, checked by
each office's `verify` and by the network check. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from blangko.adapters import tables as t
from blangko.domain.errors import DomainError
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import audit, organisation, shipments
from blangko.services.reports import usage
from blangko.services.stock import queries as q
from blangko.services.stock import writes

D = organisation.DIRECTORATE_CODE


@pytest.fixture
def network(ctx: Context) -> Context:
    """The directorate with 10.000 blanks; Kaur (17.04) and Bengkulu Selatan (17.01) in
    Bengkulu, Ogan Komering Ulu (16.01) in Sumatera Selatan."""
    setup.init(ctx, directorate=True)
    for code in ("17.04", "17.01", "16.01"):
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0010000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=date(2026, 11, 2),
        office=D,
    )
    return ctx


def _send(ctx: Context, to: str, serials: str, **kw: Any) -> dict[str, Any]:
    return dict(
        shipments.send(
            ctx,
            from_office=kw.pop("office", D),
            to_office=to,
            serials=serials,
            document=kw.pop("document", "SP-1"),
            effective=kw.pop("effective", date(2026, 11, 3)),
            **kw,
        )
    )


def _state(ctx: Context) -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    with ctx.engine.connect() as conn:
        heads = conn.execute(
            select(t.office.c.code, t.office.c.ledger_seq).order_by(t.office.c.code)
        ).all()
        ships = conn.execute(select(t.shipment).order_by(t.shipment.c.id)).all()
        blanks = conn.execute(
            select(t.blank.c.office_code, t.blank.c.state, func.count()).group_by(
                t.blank.c.office_code, t.blank.c.state
            )
        ).all()
    return tuple(heads), tuple(ships), tuple(sorted(blanks))


def _all_sound(ctx: Context) -> dict[str, Any]:
    for o in setup.list_offices(ctx):
        r = q.verify(ctx, office=o["code"])
        assert r["sound"], (o["code"], r["problems"])
    net = audit.verify(ctx)
    assert net["sound"], net["problems"]
    return dict(net)


def test_directorate_and_organisation(network: Context) -> None:
    again = setup.init(network, directorate=True)
    assert again["directorate"] == {
        "code": D,
        "name": organisation.DIRECTORATE_NAME,
        "created": False,
    }
    _send(network, "17.04", "KR0000001-KR0002000")
    o = organisation.organisation(network)
    assert o["directorate"] is not None
    assert (o["directorate"]["kind"], o["directorate"]["on_hand"]) == ("direktorat", 8000)
    assert o["directorate"]["in_transit"] == 2000
    provinces = {p["code"]: p for p in o["provinces"]}
    assert provinces["17"]["name"] == "Bengkulu"
    assert provinces["16"]["name"] == "Sumatera Selatan"
    assert [x["code"] for x in provinces["17"]["offices"]] == ["17.01", "17.04"]
    assert all(x["kind"] == "kabupaten" for x in provinces["17"]["offices"])
    assert (o["on_hand"], o["in_transit"]) == (8000, 2000)


def test_full_receipt_moves_blanks_between_ledgers(network: Context) -> None:
    sent = _send(network, "17.04", "KR0000001-KR0002000", note="tahap 1")
    s = sent["shipment"]
    assert (sent["office"], s["status"], s["quantity"]) == (D, "in_transit", 2000)
    # In transit: out of the directorate's stock, in nobody's.
    assert q.balance(network, office=D)["on_hand"] == 8000
    assert q.balance(network, office=D)["totals"]["shipped"] == 2000
    assert q.balance(network, office="17.04")["on_hand"] == 0
    assert q.trace(network, serial="KR0000005")["state"] == "in_transit"
    net = _all_sound(network)
    assert (net["open_shipments"], net["in_transit"]) == (1, 2000)

    got = shipments.receive(
        network, shipment=s["id"], document="BAST-17.04-1", effective=date(2026, 11, 5)
    )
    r = got["shipment"]
    assert got["office"] == "17.04"
    assert (r["status"], r["received_qty"], r["lost_qty"], r["damaged_qty"]) == (
        "received",
        2000,
        0,
        0,
    )
    kaur = q.balance(network, office="17.04")
    assert (kaur["on_hand"], kaur["totals"]["received"]) == (2000, 2000)
    # The card is the office's now and it can print it.
    writes.consume(network, service="pemula", serials="KR0000005", office="17.04")
    net = _all_sound(network)
    assert (net["shipped"], net["arrived"], net["in_transit"]) == (2000, 2000, 0)
    assert net["on_hand"] == 8000 + 1999 and net["whole_holds"]

    # Both usage reports show the shipment.
    out = usage.build(network, month="2026-11", office=D)
    shown = [
        row for tbl in out.tables for row in tbl.rows if any("kiriman #1" in str(c) for c in row)
    ]
    assert shown and any("17.04" in str(c) for c in shown[0])
    into = usage.build(network, month="2026-11", office="17.04")
    arrived = [
        row for tbl in into.tables for row in tbl.rows if any("kiriman #1" in str(c) for c in row)
    ]
    assert arrived and "BAST-17.04-1" in arrived[0]


def test_short_and_damaged_receipt(network: Context) -> None:
    s = _send(network, "17.01", "KR0000001-KR0000100")["shipment"]
    r = shipments.receive(
        network,
        shipment=s["id"],
        document="BAST-2",
        missing="KR0000091-KR0000100",
        missing_document="BA-KURANG-2",
        damaged="KR0000001-KR0000002",
        effective=date(2026, 11, 6),
    )["shipment"]
    assert (r["received_qty"], r["lost_qty"], r["damaged_qty"]) == (90, 10, 2)
    assert r["lost_document"] == "BA-KURANG-2"
    b = q.balance(network, office="17.01")
    assert b["on_hand"] == 88
    assert (b["totals"]["received"], b["totals"]["spoiled"], b["totals"]["lost"]) == (90, 2, 0)
    lost = q.trace(network, serial="KR0000095")
    assert lost["state"] == "lost"
    net = _all_sound(network)
    assert (net["shipped"], net["arrived"], net["lost_in_transit"]) == (100, 90, 10)


def test_loan_back_to_the_sender(network: Context) -> None:
    """Serials that went out of a ledger may come back to it (a loan returned)."""
    s = _send(network, "17.04", "KR0000001-KR0000300")["shipment"]
    shipments.receive(network, shipment=s["id"], document="BAST-3", effective=date(2026, 11, 5))
    back = _send(network, D, "KR0000001-KR0000300", office="17.04", effective=date(2026, 11, 10))[
        "shipment"
    ]
    shipments.receive(network, shipment=back["id"], document="BAST-4", effective=date(2026, 11, 11))
    assert q.balance(network, office=D)["on_hand"] == 10000
    assert q.balance(network, office="17.04")["on_hand"] == 0
    net = _all_sound(network)
    assert (net["shipments"], net["shipped"], net["arrived"]) == (2, 600, 600)


def test_idempotent_send_and_receive(network: Context) -> None:
    first = _send(network, "17.04", "KR0000001-KR0000010", idempotency_key="kirim-1")
    again = _send(network, "17.04", "KR0000001-KR0000010", idempotency_key="kirim-1")
    assert again["replayed"] is True and again["shipment"]["id"] == first["shipment"]["id"]
    number = first["shipment"]["id"]
    shipments.receive(network, shipment=number, document="B", idempotency_key="terima-1")
    before = _state(network)
    replay = shipments.receive(network, shipment=number, document="B", idempotency_key="terima-1")
    assert replay["replayed"] is True
    assert _state(network) == before


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("receive_twice", "shipment_received", "shipment"),
        ("not_in_shipment", "serial_not_in_shipment", "missing"),
        ("damaged_not_in_shipment", "serial_not_in_shipment", "damaged"),
        ("missing_without_document", "required", "missing_document"),
        ("lost_and_damaged", "serial_twice", "damaged"),
        ("more_than_held", "insufficient_stock", "qty"),
        ("serials_not_held", "serial_not_available", "serials"),
        ("unknown_office", "unknown_office", "to"),
        ("same_office", "same_office", "to"),
        ("not_the_receiver", "not_receiver", "shipment"),
        ("another_office", "unknown_shipment", "shipment"),
        ("unknown_shipment", "unknown_shipment", "shipment"),
        ("no_bast", "required", "document"),
        ("received_before_sent", "received_before_sent", "date"),
    ],
)
def test_bad_input_writes_nothing(network: Context, case: str, code: str, field: str) -> None:
    s = _send(network, "17.04", "KR0000001-KR0000100")["shipment"]
    if case == "receive_twice":
        shipments.receive(network, shipment=s["id"], document="BAST-1")
    before = _state(network)
    attempts = {
        "receive_twice": lambda: shipments.receive(network, shipment=s["id"], document="BAST-2"),
        "not_in_shipment": lambda: shipments.receive(
            network, shipment=s["id"], document="B", missing="KR0000101", missing_document="X"
        ),
        "damaged_not_in_shipment": lambda: shipments.receive(
            network, shipment=s["id"], document="B", damaged="KR0009000"
        ),
        "missing_without_document": lambda: shipments.receive(
            network, shipment=s["id"], document="B", missing="KR0000001"
        ),
        "lost_and_damaged": lambda: shipments.receive(
            network,
            shipment=s["id"],
            document="B",
            missing="KR0000001-KR0000005",
            missing_document="X",
            damaged="KR0000005",
        ),
        "more_than_held": lambda: shipments.send(
            network, from_office=D, to_office="17.01", qty=9901, document="SP"
        ),
        "serials_not_held": lambda: _send(network, "17.01", "KR0000050-KR0000150"),
        "unknown_office": lambda: _send(network, "99.99", "KR0000200"),
        "same_office": lambda: _send(network, D, "KR0000200"),
        "not_the_receiver": lambda: shipments.receive(
            network, shipment=s["id"], document="B", office=D
        ),
        "another_office": lambda: shipments.receive(
            network, shipment=s["id"], document="B", office="17.01"
        ),
        "unknown_shipment": lambda: shipments.receive(network, shipment=999, document="B"),
        "no_bast": lambda: shipments.receive(network, shipment=s["id"], document="  "),
        "received_before_sent": lambda: shipments.receive(
            network, shipment=s["id"], document="B", effective=date(2026, 11, 2)
        ),
    }
    with pytest.raises(DomainError) as err:
        attempts[case]()
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message
    assert _state(network) == before


def test_network_check_finds_a_serial_with_two_stories(network: Context) -> None:
    s = _send(network, "17.04", "KR0000001-KR0000100")["shipment"]
    _all_sound(network)
    # A blank in transit put back on a shelf behind the ledger's back.
    with network.engine.begin() as conn:
        conn.execute(
            update(t.blank)
            .where(t.blank.c.serial == "KR0000007")
            .values(state="available", location_id=None)
        )
    net = audit.verify(network)
    assert not net["sound"]
    assert any("KR0000007" in p["message"] for p in net["problems"])
    assert not q.verify(network, office=D)["sound"]
    with network.engine.begin() as conn:
        conn.execute(
            update(t.blank).where(t.blank.c.serial == "KR0000007").values(state="in_transit")
        )
    # The shipment row edited to claim fewer serials than the entry shipped.
    with network.engine.begin() as conn:
        conn.execute(
            update(t.shipment)
            .where(t.shipment.c.id == s["id"])
            .values(serials="KR0000001-KR0000050", quantity=50)
        )
    net = audit.verify(network)
    assert not net["sound"]
    assert any(p["shipment"] == s["id"] for p in net["problems"])


def test_the_organisation_counts_every_blank_in_its_state_wherever_it_is(
    network: Context,
) -> None:
    """The organisation's stock on hand and in transit (counted by location through the
    blank index, adapters/repos/network.py) equal a plain count of each office's blanks by
    state: blanks at a store, at a station, in transit (no location), and an available blank
    whose location is gone from the row (not a state the services make, counted all the same)."""
    ctx = network
    setup.add_location(ctx, name="loket-1", kind="station", office="17.04")
    _send(ctx, "17.04", "KR0000001-KR0000500")
    shipments.receive(ctx, shipment=1, document="BAST-1", office="17.04")
    writes.transfer(ctx, from_location="gudang", to_location="loket-1", qty=120, office="17.04")
    _send(ctx, "16.01", "KR0001001-KR0001300", document="SP-2")  # in transit
    with ctx.engine.begin() as conn:
        conn.execute(
            update(t.blank).where(t.blank.c.serial == "KR0009999").values(location_id=None)
        )
        plain = {
            (r.office_code, r.state): int(r.n)
            for r in conn.execute(
                select(t.blank.c.office_code, t.blank.c.state, func.count().label("n")).group_by(
                    t.blank.c.office_code, t.blank.c.state
                )
            )
        }
    tree = organisation.organisation(ctx)
    offices = [tree["directorate"], *(o for p in tree["provinces"] for o in p["offices"])]
    got = {o["code"]: (o["on_hand"], o["in_transit"]) for o in offices if o}
    want = {
        code: (plain.get((code, "available"), 0), plain.get((code, "in_transit"), 0))
        for code in got
    }
    assert got == want
    assert got[D] == (10_000 - 500 - 300, 300) and got["17.04"] == (500, 0)
    # Each count reads its own office's locations: the locations' subquery is correlated to
    # the outer office, not joined to every office (PostgreSQL read that by a join, 0,1 s).
    from sqlalchemy.dialects import postgresql, sqlite

    from blangko.adapters.repos import network as network_repo

    counted = select(t.office.c.code, network_repo._blanks_in_state(network_repo.State.AVAILABLE))
    for dialect in (postgresql.dialect(), sqlite.dialect()):
        sql = " ".join(str(counted.compile(dialect=dialect)).split())
        assert "FROM location WHERE location.office_code = office.code" in sql, sql
        assert "FROM location, office" not in sql, sql
