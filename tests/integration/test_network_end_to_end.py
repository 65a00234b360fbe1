"""The network from end to end (issue 13, "Done when"): the directorate receives a national
delivery; three offices in two provinces request; each province endorses its offices'; the
directorate cuts one request and ships the others in two tranches; one office receives
short; a loan moves 300 blanks between two offices of one province (and 100 come back);
`verify` is sound for every office and for the network, and the conservation identity holds
for each ledger and for the whole. Through the services, with the organisation made and the
network checked once through the command line. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import pytest

from blangko.domain.errors import NotFound
from blangko.domain.ledger import SERVICES
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import audit, loans, organisation, shipments
from blangko.services.network import requests as rq
from blangko.services.network.organisation import Reach
from blangko.services.network.request_steps import Acting
from blangko.services.stock import queries as q
from blangko.services.stock import writes
from blangko_main import run_blangko

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"  # two of Bengkulu, one of Sumatera Selatan
NATIONAL = "KR0100001-KR0120000"
OPENING = {KAUR: "KR0001001-KR0001500", BS: "KR0010001-KR0013000", OKU: "KR0020001-KR0020200"}
USED = {KAUR: 120, BS: 200, OKU: 150}
ASKED = {KAUR: 2000, BS: 1500, OKU: 2000}
TRANCHES = {KAUR: (1200, 800), BS: (1000, 500), OKU: (1000,)}  # OKU's request cut to 1.000
SHORT = "KR0103991-KR0104000"  # the last 10 of Kaur's second tranche, lost in transit

DIRECTORATE = Acting(office=D)
BENGKULU, SUMSEL = Acting(province="17"), Acting(province="16")


def _cli(db_url: str, *args: str) -> Any:
    done = run_blangko("--db", db_url, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _on(clock: Any, day: date) -> date:
    """The clock set to ``day`` (the office's morning); the day."""
    clock.value = datetime.combine(day, time(3))
    return day


@pytest.fixture
def made(db_url: str, ctx: Context) -> Context:
    """The organisation, through the command line: the directorate, Kaur and Bengkulu
    Selatan in Bengkulu, Ogan Komering Ulu in Sumatera Selatan."""
    assert _cli(db_url, "init", "--directorate")["directorate"]["code"] == D
    for code in (KAUR, BS, OKU):
        assert _cli(db_url, "init", "--office", code)["office"]["code"] == code
    return ctx


def test_the_network_from_delivery_to_loan(made: Context, clock: Any, db_url: str) -> None:
    ctx = made
    org = organisation.organisation(ctx)
    assert org["directorate"] is not None
    assert {p["code"]: [o["code"] for o in p["offices"]] for p in org["provinces"]} == {
        "16": [OKU],
        "17": [BS, KAUR],
    }

    # The national delivery into the central warehouse; each office's opening stock and use.
    start = _on(clock, date(2026, 10, 1))
    writes.receive_shipment(
        ctx,
        serials=NATIONAL,
        source="Penyedia blangko KTP-el",
        document="BAST/PENGADAAN/2026/01",
        effective=start,
        office=D,
    )
    for code in (KAUR, BS, OKU):
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        writes.record_opening(ctx, serials=OPENING[code], effective=start, office=code)
    used_on = _on(clock, date(2026, 10, 5))
    for code in (KAUR, BS, OKU):
        writes.transfer(
            ctx,
            qty=USED[code],
            from_location="gudang",
            to_location="loket-1",
            effective=used_on,
            office=code,
        )
        writes.consume(
            ctx,
            service=SERVICES[0],
            qty=USED[code],
            location="loket-1",
            effective=used_on,
            office=code,
        )

    # Three offices request: drafted and submitted by the office.
    _on(clock, date(2026, 10, 10))
    number = {}
    for code in (KAUR, BS, OKU):
        mine = Acting(office=code)
        drafted = rq.draft(
            ctx,
            office=code,
            quantity=ASKED[code],
            reason="Kebutuhan tiga bulan dan Pilkades serentak",
            acting=mine,
        )["request"]
        number[code] = drafted["id"]
        assert rq.submit(ctx, request=drafted["id"], acting=mine)["request"]["state"] == (
            "submitted"
        )

    # Each province endorses its own offices' requests, and reaches no other province's.
    _on(clock, date(2026, 10, 11))
    with pytest.raises(NotFound):
        rq.endorse(ctx, request=number[OKU], acting=BENGKULU)
    for code, province in ((KAUR, BENGKULU), (BS, BENGKULU), (OKU, SUMSEL)):
        done = rq.endorse(ctx, request=number[code], comment="Diteruskan.", acting=province)
        assert done["request"]["state"] == "endorsed"

    # The directorate cuts one request (Ogan Komering Ulu: 1.000 of 2.000) and approves the
    # others in full.
    _on(clock, date(2026, 10, 13))
    cut = rq.approve(
        ctx,
        request=number[OKU],
        quantity=1000,
        reason="Stok nasional terbatas; separuh dulu.",
        acting=DIRECTORATE,
    )["request"]
    assert (cut["state"], cut["asked_qty"], cut["approved_qty"]) == ("approved", 2000, 1000)
    for code in (KAUR, BS):
        full = rq.approve(ctx, request=number[code], acting=DIRECTORATE)["request"]
        assert full["approved_qty"] == ASKED[code]

    # The shipments: Kaur's and Bengkulu Selatan's in two tranches, the cut one in one; the
    # offices receive each tranche; Kaur's second arrives 10 short.
    tranches: dict[str, list[int]] = {code: [] for code in number}
    for i, sent_on in enumerate((date(2026, 10, 15), date(2026, 10, 22))):
        for code in (KAUR, BS, OKU):
            if i >= len(TRANCHES[code]):
                continue
            _on(clock, sent_on)
            sent = rq.ship(
                ctx,
                request=number[code],
                qty=TRANCHES[code][i],
                document=f"470/{code}/{i + 1}",
                effective=sent_on,
                acting=DIRECTORATE,
            )
            tranches[code].append(sent["shipment"]["id"])
            assert sent["shipment"]["status"] == "in_transit"
        arrived_on = _on(clock, date(2026, 10, 19 + 7 * i))
        for code in (KAUR, BS, OKU):
            if i >= len(TRANCHES[code]):
                continue
            short = code == KAUR and i == 1
            if short:
                assert shipments.show(ctx, shipment=tranches[code][i])["serials"].endswith(
                    SHORT.split("-")[1]
                )
            shipments.receive(
                ctx,
                shipment=tranches[code][i],
                document=f"BAST/{code}/{i + 1}",
                missing=SHORT if short else None,
                missing_document="BA-KURANG/1704/1" if short else None,
                effective=arrived_on,
                office=code,
            )
    states = {code: rq.show(ctx, request=n)["request"] for code, n in number.items()}
    assert {c: (s["state"], s["shipped_qty"], s["arrived_qty"]) for c, s in states.items()} == {
        KAUR: ("received", 2000, 1990),  # short: left for the office to close by hand
        BS: ("closed", 1500, 1500),
        OKU: ("closed", 1000, 1000),
    }
    kaur_timeline = [e["action"] for e in rq.show(ctx, request=number[KAUR])["events"]]
    assert kaur_timeline == [
        "draft",
        "submit",
        "endorse",
        "approve",
        "ship",
        "receive",
        "ship",
        "receive",
    ]

    # The loan: the province has Bengkulu Selatan lend Kaur 300; 100 come back.
    arranged_on = _on(clock, date(2026, 11, 2))
    loan = loans.arrange(
        ctx,
        lender=BS,
        borrower=KAUR,
        quantity=300,
        reason="Kaur menunggu kiriman; Bengkulu Selatan kelebihan stok.",
        due=date(2026, 12, 31),
        reach=Reach(province="17"),
    )["loan"]["id"]
    lent = loans.send(ctx, loan=loan, document="PINJAM/1", effective=arranged_on, office=BS)
    assert lent["shipment"] is not None and lent["shipment"]["quantity"] == 300
    received_on = _on(clock, date(2026, 11, 4))
    shipments.receive(
        ctx,
        shipment=lent["shipment"]["id"],
        document="BAST/PINJAM/1",
        effective=received_on,
        office=KAUR,
    )
    back_on = _on(clock, date(2026, 11, 20))
    back = loans.return_loan(
        ctx, loan=loan, document="KEMBALI/1", qty=100, effective=back_on, office=KAUR
    )
    assert back["shipment"] is not None
    shipments.receive(
        ctx,
        shipment=back["shipment"]["id"],
        document="BAST/KEMBALI/1",
        effective=back_on,
        office=BS,
    )
    shown = loans.show(ctx, loan=loan)
    assert (shown["status"], shown["lent"], shown["returned"], shown["outstanding"]) == (
        "open",
        300,
        100,
        200,
    )

    # Every office's ledger is sound and holds what its story says.
    _on(clock, date(2026, 11, 27))
    expected = {
        D: 20000 - 2000 - 1500 - 1000,
        KAUR: 500 - 120 + 1990 + 300 - 100,
        BS: 3000 - 200 + 1500 - 300 + 100,
        OKU: 200 - 150 + 1000,
    }
    balances = {}
    for code, on_hand in expected.items():
        v = q.verify(ctx, office=code)
        assert v["sound"], (code, v["problems"])
        b = q.balance(ctx, office=code)
        balances[code] = b
        t = b["totals"]
        net = (
            t["opening"]
            + t["received"]
            - t["consumed"]
            - t["spoiled"]
            - t["lost"]
            - t["returned"]
            - t["shipped"]
            + t["adjusted"]
        )
        assert net == b["on_hand"] == on_hand, code

    # The network: sound, each ledger's identity holds, and the whole is conserved: what
    # came in from outside (the national delivery and the openings) less what was used and
    # lost in transit is on hand, nothing left in transit.
    checked = audit.verify(ctx)
    assert checked["sound"], checked["problems"]
    assert {lb["office"]: (lb["holds"], lb["on_hand"]) for lb in checked["ledgers"]} == {
        code: (True, on_hand) for code, on_hand in expected.items()
    }
    assert (checked["in_transit"], checked["open_shipments"], checked["lost_in_transit"]) == (
        0,
        0,
        10,
    )
    # Shipped: 4.500 from the warehouse, 300 lent and 100 returned.
    assert checked["shipped"] == 4500 + 300 + 100 == checked["arrived"] + 10
    came_in = 20000 + sum(int(r.split("-")[1][2:]) - int(r[2:9]) + 1 for r in OPENING.values())
    assert came_in == 20000 + 500 + 3000 + 200
    assert checked["whole_holds"]
    assert checked["on_hand"] == sum(expected.values()) == came_in - sum(USED.values()) - 10
    assert checked["net_external"] == came_in - sum(USED.values()) - 10

    # The same checks through the command line: every office's and the network's.
    verified = _cli(db_url, "stock", "verify", "--network")
    assert verified["sound"] is True
    assert verified["network"]["sound"] is True and verified["network"]["lost_in_transit"] == 10
    each = verified["offices"]
    assert len(each) == len(expected) and all(r["sound"] for r in each)
