"""The demo network (issue 13, "Done when"; docs/network.md, "The demo network"): the
directorate with its national delivery, Bengkulu's ten offices, Kaur the home office with its
story's figures unchanged, the article's June shipment sent by the directorate and received
with its BAST, two neighbours' stock stories, and the network check sound: conservation for
each ledger and for the whole."""

from __future__ import annotations

import json
from datetime import date, timedelta

from typer.testing import CliRunner

from blangko.cli.main import app
from blangko.demo import network, network_requests, story
from blangko.domain import requests as rq
from blangko.domain.serials import parse_ranges, total
from blangko.services.admin import setup, users
from blangko.services.context import Context
from blangko.services.coverage import ikd
from blangko.services.network import audit, loans, organisation, requests, shipments
from blangko.services.reports import receipt
from blangko.services.stock import counts
from blangko.services.stock import queries as q


def _cli(db_url: str, *args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    return done.exit_code, done.stdout


def test_the_demo_network(demo_3000) -> None:  # type: ignore[no-untyped-def]
    ctx: Context = demo_3000.ctx
    db_url: str = demo_3000.db_url
    built = demo_3000.built  # story.build(ctx, population=3000), built once (tests/conftest.py)
    assert built["built"] is True
    net = built["network"]
    today = ctx.today()

    # The organisation: the directorate, Bengkulu with its 10 regencies and cities, Kaur home.
    org = organisation.organisation(ctx)
    assert org["directorate"] is not None and org["directorate"]["code"] == "00.00"
    (bengkulu,) = org["provinces"]
    assert (bengkulu["code"], bengkulu["name"]) == ("17", "Bengkulu")
    codes = [o["code"] for o in bengkulu["offices"]]
    assert len(codes) == 10 and codes == net["offices"]
    assert codes == [f"17.0{i}" for i in range(1, 10)] + ["17.71"]
    names = [o["name"] for o in bengkulu["offices"]]
    assert sum(n.startswith("Dinas Dukcapil Kabupaten ") for n in names) == 9
    assert names[-1] == "Dinas Dukcapil Kota Bengkulu"
    assert setup.home_office(ctx)["home"] == story.OFFICE

    # Kaur's story's figures, unchanged (README, "The demo office").
    bal = q.balance(ctx)  # no office named: the home office
    assert bal["office"] == "17.04" and bal["on_hand"] == 4500
    assert sum(bal["by_location"].values()) == 4500
    totals = bal["totals"]
    assert (totals["opening"], totals["received"], totals["shipped"]) == (1000, 4000, 0)
    assert totals["consumed"] + totals["spoiled"] == story.USED_SINCE_RECEIPT
    (count,) = counts.list_counts(ctx, office=story.OFFICE, status="open")
    assert (count["book"], count["counted"]) == (4500, 5200)

    # The June shipment: sent by the directorate, received by Kaur with its BAST.
    june = shipments.show(ctx, shipment=net["june_shipment"])
    assert (june["from_office"], june["to_office"], june["status"]) == (
        "00.00",
        "17.04",
        "received",
    )
    assert (june["serials"], june["quantity"]) == (story.SHIPMENT, 4000)
    assert (june["received_qty"], june["lost_qty"]) == (4000, 0)
    assert june["received_document"] == network.JUNE_BAST
    received = today - timedelta(days=story.STORY_DAYS - 7)
    assert june["received_date"] == received.isoformat()
    assert date.fromisoformat(june["sent_date"]) < received
    assert june["sent_by"] == network.DIRECTORATE_KEEPER
    # Booked in as a shipment, it still counts as blanks received (IKD against the blanks
    # received this year), and its handover record names the directorate as the giver.
    assert ikd.ikd_blank_ratio(ctx, office=story.OFFICE)["blanks_received"] == 4000
    handover = dict(receipt.build(ctx, seq=june["received_seq"], office=story.OFFICE).facts)
    assert handover["Pihak Pertama (yang menyerahkan)"] == organisation.DIRECTORATE_NAME
    assert handover["Nomor berita acara"] == network.JUNE_BAST

    # The neighbours: a surplus and a shortage; the other offices an opening stock each.
    on_hand = {o["code"]: o["on_hand"] for o in bengkulu["offices"]}
    surplus, short = network.NEIGHBOURS
    # The loan: the surplus lent the short office 300, 100 came back.
    loan = network_requests.LOAN
    assert (loan.lender, loan.borrower, loan.quantity, loan.returned) == (
        surplus.code,
        short.code,
        300,
        100,
    )
    assert on_hand[surplus.code] == 2000 + 3000 - surplus.used - 300 + 100
    assert on_hand[short.code] == 700 + 580 - short.used + 300 - 100
    assert on_hand[short.code] < 300 < 4000 < on_hand[surplus.code]
    plain = [c for c in codes if c not in {"17.04", surplus.code, short.code}]
    # The other offices: their opening, and what arrived for their requests (below): 1.000
    # for Bengkulu Utara's earlier request, 2.500 less 25 lost in transit for Kota Bengkulu.
    opening = dict(zip(plain, network.OPENING_OTHERS, strict=False))
    arrived = {"17.03": 1000, "17.71": 2500 - 25}
    assert {c: on_hand[c] for c in plain} == {c: opening[c] + arrived.get(c, 0) for c in plain}
    assert sum(
        r.tranches[i] - (r.short if i == r.received - 1 else 0)
        for r in network_requests.REQUESTS
        for i in range(r.received)
    ) == sum(arrived.values())
    seluma = shipments.list_shipments(ctx, office=short.code)
    assert sorted((s["status"], s["lost_qty"], s["quantity"]) for s in seluma) == [
        ("in_transit", None, 1000),
        ("received", 0, 100),  # the loan's part returned
        ("received", 0, 300),  # the loan
        ("received", 20, 600),
    ]
    lent = loans.show(ctx, loan=net["loan"])
    assert (lent["status"], lent["lent"], lent["returned"], lent["outstanding"]) == (
        "open",
        300,
        100,
        200,
    )
    assert lent["arranged_by"] == "provinsi" and len(lent["shipments"]) == 2
    assert [o["id"] for o in loans.open_for(ctx, short.code)] == [net["loan"]]
    assert [o["id"] for o in loans.open_for(ctx, surplus.code)] == [net["loan"]]
    directorate = q.balance(ctx, office="00.00")
    # The requests' tranches received: 1.000 (Bengkulu Utara), 1.500 + 1.000 (Kota
    # Bengkulu); on their way: 500 (Kepahiang) and 1.200 (Rejang Lebong).
    shipped = (
        1000
        + 1500
        + 1000
        + sum(total(parse_ranges(s)) for s in (story.SHIPMENT, surplus.shipped, short.shipped))
    )
    in_transit = total(parse_ranges(network.IN_TRANSIT)) + 500 + 1200
    assert directorate["totals"]["received"] == network.NATIONAL_QTY
    assert directorate["on_hand"] == network.NATIONAL_QTY - shipped - in_transit
    assert org["in_transit"] == in_transit

    # The network check: every ledger sound, and conservation per ledger and for the whole.
    for o in setup.list_offices(ctx):
        v = q.verify(ctx, office=o["code"])
        assert v["sound"], (o["code"], v["problems"])
    checked = audit.verify(ctx)
    assert checked["sound"], checked["problems"]
    assert len(checked["ledgers"]) == 11 and all(lb["holds"] for lb in checked["ledgers"])
    assert checked["whole_holds"] and checked["in_transit"] == in_transit
    assert checked["lost_in_transit"] == 20 + 25
    # The loan's two shipments (300 lent, 100 back) left one office's ledger and arrived in
    # another's.
    assert checked["shipped"] == checked["arrived"] + 45 + in_transit
    assert checked["shipped"] == shipped + in_transit + 300 + 100
    balances = [q.balance(ctx, office=o["code"]) for o in setup.list_offices(ctx)]
    for b in balances:
        t = b["totals"]
        net_of = (
            t["opening"]
            + t["received"]
            - t["consumed"]
            - t["spoiled"]
            - t["lost"]
            - t["returned"]
            - t["shipped"]
            + t["adjusted"]
        )
        assert net_of == b["on_hand"], b["office"]
    whole = sum(b["on_hand"] for b in balances) + in_transit
    entered = network.NATIONAL_QTY + sum(b["totals"]["opening"] for b in balances)
    left = sum(
        b["totals"][k] for b in balances for k in ("consumed", "spoiled", "lost", "returned")
    )
    adjusted = sum(b["totals"]["adjusted"] for b in balances)
    assert whole == entered - left + adjusted - 45 == checked["on_hand"] + in_transit

    # The requests: one in each state, Kaur's draft the first; each step by the demo's user
    # of that step (the office, the province, the directorate), on the story's days.
    listed_requests = requests.list_requests(ctx)
    by_state = {r["state"]: r for r in listed_requests}
    assert sorted(by_state) == sorted(rq.STATES) and len(listed_requests) == len(rq.STATES)
    first = requests.show(ctx, request=1)
    assert first["request"]["office"] == "17.04" and first["request"]["state"] == "draft"
    assert first["request"]["created_by"] == "stok" and net["requests"][0] == 1
    cut = by_state["partially_shipped"]
    assert (cut["office"], cut["asked_qty"], cut["approved_qty"], cut["shipped_qty"]) == (
        "17.08",
        2000,
        1000,
        500,
    )
    assert cut["decision_reason"]
    short_one = requests.show(ctx, request=by_state["received"]["id"])
    assert [(s["quantity"], s["lost_qty"]) for s in short_one["tranches"]] == [
        (1500, 0),
        (1000, 25),
    ]
    assert short_one["request"]["arrived_qty"] == 2475
    assert by_state["refused"]["approved_qty"] == 0 and by_state["refused"]["decision_reason"]
    returned = requests.show(ctx, request=by_state["returned"]["id"])
    assert [(e["action"], e["actor"]) for e in returned["events"]] == [
        ("draft", "stok-1703"),
        ("submit", "stok-1703"),
        ("return", "provinsi"),
    ]
    assert returned["events"][-1]["comment"]
    closed = requests.show(ctx, request=by_state["closed"]["id"])
    actors_of = {e["action"]: e["actor"] for e in closed["events"]}
    assert actors_of == {
        "draft": "stok-1703",
        "submit": "stok-1703",
        "endorse": "provinsi",
        "approve": "pusat",
        "ship": "pusat",
        "receive": "stok-1703",
        "close": "stok-1703",
    }
    # The steps are dated on the story's days: drafted weeks ago, received days later.
    drafted = date.fromisoformat(closed["request"]["created_at"][:10])
    assert drafted == today - timedelta(days=70)
    assert closed["request"]["received_at"] is not None
    assert closed["request"]["received_at"] > closed["request"]["submitted_at"]

    # The demo's accounts: Kaur's roles, the directorate's stock keeper, Bengkulu's user.
    accounts = {a["username"]: a for a in users.ensure_demo_users(ctx)}
    assert accounts["admin"]["scope"] == "17.04"
    assert accounts["pusat"]["scope"] == "00.00"
    assert accounts["provinsi"]["scope"] == "provinsi 17"
    assert users.get_user(ctx, "pusat")["office"] == "00.00"  # type: ignore[index]

    # The command line: the whole tree, the network check, a command without --office.
    code, listed = _cli(db_url, "network", "list")
    assert code == 0
    for line in ("00.00", "Provinsi Bengkulu", "Dinas Dukcapil Kota Bengkulu", "17.05"):
        assert line in listed, listed
    code, verified = _cli(db_url, "stock", "verify", "--network", "--json")
    assert code == 0 and json.loads(verified)["sound"] is True
    code, shown = _cli(db_url, "stock", "balance", "--json")
    assert code == 0 and json.loads(shown)["office"] == "17.04"
