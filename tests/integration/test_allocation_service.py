"""The national allocation wired to the snapshots and the requests (issue 14, points 3 and
4), on SQLite and PostgreSQL: the snapshots hold the open requests; the allocation read from
them equals the pure optimiser on the same input; applying it approves and ships exactly the
allocation (the network check sound after); bad input writes nothing; only the directorate
sees or applies it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.adapters.repos import snapshots as snapshots_repo
from blangko.adapters.tables_requests import blank_request, request_event
from blangko.domain import allocation as da
from blangko.domain import rebalancing
from blangko.domain.errors import DomainError, NotFound
from blangko.services import derived
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import allocation, audit, loans, organisation, shipments, snapshots
from blangko.services.network import requests as rq
from blangko.services.network.request_steps import Acting
from blangko.services.stock import queries as q
from blangko.services.stock import writes

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"
PREFIX = {KAUR: "KA", BS: "KB", OKU: "KC"}


def _network(ctx: Context) -> None:
    """The directorate with 2.000 blanks; three offices with stock and use; Kaur's request
    endorsed (1.000), Bengkulu Selatan's submitted (400), none from Ogan Komering Ulu."""
    setup.init(ctx, directorate=True)
    start = ctx.today() - timedelta(days=60)
    for i, code in enumerate((KAUR, BS, OKU)):
        setup.create_office(ctx, code=code)
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        writes.record_opening(
            ctx,
            serials=f"{PREFIX[code]}0000001-{PREFIX[code]}0000{300 - 100 * i:03d}",
            effective=start,
            office=code,
        )
        writes.transfer(
            ctx, qty=80, from_location="gudang", to_location="loket-1", effective=start, office=code
        )
        for k in range(12):
            writes.consume(
                ctx,
                qty=2 + (k + i) % 4,
                location="loket-1",
                service="hilang",
                effective=start + timedelta(days=3 * k + 1),
                office=code,
            )
    writes.receive_shipment(
        ctx,
        serials="KD0000001-KD0002000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=ctx.today() - timedelta(days=5),
        office=D,
    )
    n = rq.draft(ctx, office=KAUR, quantity=1000, reason="Pilkades")["request"]["id"]
    rq.submit(ctx, request=n)
    rq.endorse(ctx, request=n, comment="sesuai")
    m = rq.draft(ctx, office=BS, quantity=400, reason="rekam ulang")["request"]["id"]
    rq.submit(ctx, request=m)
    snapshots.run(ctx)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def network(request: pytest.FixtureRequest, built_copy: Any, clock: Any) -> Iterator[Context]:
    """A database of the test's own, copied from `_network` built once per backend
    (tests/conftest.py); not through `db_url`, which the test without a snapshot takes as
    the migrated schema."""
    engine = make_engine(built_copy(request.param, _network))
    try:
        yield Context(engine, actor="petugas-uji", clock=clock)
    finally:
        derived.wait_background()
        engine.dispose()


def _written(ctx: Context) -> tuple[Any, ...]:
    with ctx.engine.connect() as conn:
        heads = conn.execute(
            select(t.office.c.code, t.office.c.ledger_seq).order_by(t.office.c.code)
        ).all()
        reqs = conn.execute(select(blank_request).order_by(blank_request.c.id)).all()
        events = conn.execute(select(func.count()).select_from(request_event)).scalar_one()
        ships = conn.execute(select(t.shipment).order_by(t.shipment.c.id)).all()
    return tuple(heads), tuple(reqs), events, tuple(ships)


def _sound(ctx: Context) -> None:
    for o in setup.list_offices(ctx):
        r = q.verify(ctx, office=o["code"])
        assert r["sound"], (o["code"], r["problems"])
    net = audit.verify(ctx)
    assert net["sound"], net["problems"]


def test_snapshots_hold_the_open_requests(network: Context) -> None:
    ctx = network
    by_code = {o["code"]: o for o in snapshots.view(ctx)["offices"]}
    assert [(r["asked"], r["state"]) for r in by_code[KAUR]["open_requests"]] == [
        (1000, "endorsed")
    ]
    assert [(r["asked"], r["state"]) for r in by_code[BS]["open_requests"]] == [(400, "submitted")]
    assert by_code[OKU]["open_requests"] == []
    # A step on a request changes what the snapshot holds: the office is computed again.
    n = by_code[BS]["open_requests"][0]["id"]
    rq.send_back(ctx, request=n, comment="lampirkan data")
    again = snapshots.run(ctx)
    assert {d["office"] for d in again["done"] if d["computed"]} == {BS}
    bs = {o["code"]: o for o in snapshots.view(ctx)["offices"]}[BS]
    assert bs["open_requests"][0]["state"] == "returned"


def test_allocation_from_snapshots_equals_the_pure_optimiser(network: Context) -> None:
    ctx = network
    v = allocation.allocation(ctx)
    assert v["warehouse"] == 2000 and v["stock"] == 2000 and v["box_size"] == 100
    inp, rows, missing, held = allocation.build_input(ctx)
    assert missing == [] and held == 2000
    # The same input by hand from the stored snapshots and the requests.
    offices = []
    for r in rows:
        stored = json.loads(r.demand_paths)
        asked = {KAUR: 1000, BS: 400}.get(r.office_code, 0)
        offices.append(
            da.OfficeNeed(
                office=r.office_code,
                on_hand=int(r.on_hand),
                in_transit=int(r.in_transit),
                paths=stored["paths"],
                asked=asked,
                backlog=int(r.print_backlog),
                election=r.election_date is not None,
                province=r.office_code[:2],
            )
        )
    pure = da.compare(da.AllocationInput(national_stock=2000, offices=offices))
    lines = {line["office"]: line for line in v["lines"]}
    for i, o in enumerate(offices):
        for p in da.POLICIES:
            assert lines[o.office]["quantities"][p] == pure[p].quantities[i]
        assert lines[o.office]["waiting_after"] == pytest.approx(pure["ours"].unmet[i], abs=0.1)
    totals = {x["policy"]: x for x in v["totals"]}
    assert totals["ours"]["waiting"] == pytest.approx(pure["ours"].total_unmet, abs=0.1)
    assert all(totals["ours"]["weighted"] <= totals[p]["weighted"] + 1e-6 for p in da.POLICIES)
    assert all(x["quantities"]["ours"] % 100 == 0 for x in v["lines"])
    assert sum(x["quantities"]["ours"] for x in v["lines"]) <= 2000
    assert lines[KAUR]["asked"] == 1000 and lines[KAUR]["request_state"] == "endorsed"
    assert lines[OKU]["request"] is None
    # A what-if stock and box.
    small = allocation.allocation(ctx, stock=500, box=50)
    assert sum(x["quantities"]["ours"] for x in small["lines"]) <= 500
    assert all(x["quantities"]["ours"] % 50 == 0 for x in small["lines"])
    # Rebalancing on the same offices is the pure proposal.
    loans = allocation.rebalance(ctx)["loans"]
    pure_loans = rebalancing.propose(offices, box_size=100)
    assert [(x["from_office"], x["to_office"], x["quantity"]) for x in loans] == [
        (x.from_office, x.to_office, x.quantity) for x in pure_loans
    ]


def test_apply_approves_and_ships_exactly_the_allocation(network: Context) -> None:
    ctx = network
    quantities = {KAUR: 800, BS: 400, OKU: 300}
    done = allocation.apply(
        ctx, quantities=quantities, document="SP/ALOKASI/1", idempotency_key="a1"
    )
    by_office = {a["office"]: a for a in done["applied"]}
    assert set(by_office) == {KAUR, BS}
    assert done["skipped"] == [{"office": OKU, "quantity": 300, "why": "no_request"}]
    assert done["total"] == 1200
    kaur = rq.show(ctx, request=by_office[KAUR]["request"])["request"]
    assert (kaur["state"], kaur["approved_qty"], kaur["shipped_qty"]) == ("shipped", 800, 800)
    assert kaur["decision_reason"] == "alokasi nasional"
    assert by_office[KAUR]["action"] == "approve_part"
    bs = rq.show(ctx, request=by_office[BS]["request"])["request"]
    assert (bs["state"], bs["approved_qty"], bs["shipped_qty"]) == ("shipped", 400, 400)
    assert by_office[BS]["action"] == "approve"
    store = q.balance(ctx, office=D)["by_location"]["gudang"]
    assert store == 2000 - 1200
    _sound(ctx)
    # A retry with the same key writes nothing and answers the same shipments.
    before = _written(ctx)
    again = allocation.apply(
        ctx, quantities=quantities, document="SP/ALOKASI/1", idempotency_key="a1"
    )
    assert _written(ctx) == before
    assert {a["office"]: a["shipment"] for a in again["applied"]} == {
        o: a["shipment"] for o, a in by_office.items()
    }


def test_apply_ours_ships_what_ours_gives_the_offices_with_a_request(network: Context) -> None:
    ctx = network
    v = allocation.allocation(ctx)
    ours = {x["office"]: x["quantities"]["ours"] for x in v["lines"]}
    done = allocation.apply(ctx)
    for a in done["applied"]:
        assert a["quantity"] == ours[a["office"]]
    assert {a["office"] for a in done["applied"]} | {s["office"] for s in done["skipped"]} == {
        o for o, qty in ours.items() if qty or o in (KAUR, BS)
    }
    _sound(ctx)


@pytest.mark.parametrize(
    ("quantities", "code"),
    [
        ({KAUR: -100}, "quantity_negative"),
        ({KAUR: 150}, "whole_boxes"),
        ({KAUR: 1500, BS: 600}, "insufficient_stock"),
        ({"99.99": 100}, "unknown_office"),
    ],
)
def test_bad_input_writes_nothing(network: Context, quantities: dict[str, int], code: str) -> None:
    ctx = network
    before = _written(ctx)
    with pytest.raises(DomainError) as e:
        allocation.apply(ctx, quantities=quantities)
    assert e.value.code == code
    assert _written(ctx) == before


def test_a_request_no_longer_approvable_writes_nothing(network: Context) -> None:
    ctx = network
    kaur = next(x for x in allocation.allocation(ctx)["lines"] if x["office"] == KAUR)["request"]
    rq.refuse(ctx, request=kaur, reason="anggaran")  # after the snapshot
    before = _written(ctx)
    with pytest.raises(DomainError) as e:
        allocation.apply(ctx, quantities={KAUR: 500, BS: 400})
    assert e.value.code == "not_approvable" and e.value.field == "request"
    assert _written(ctx) == before


def test_only_the_directorate(network: Context) -> None:
    ctx = network
    for acting in (Acting(office=KAUR), Acting(province="17")):
        with pytest.raises(NotFound):
            allocation.allocation(ctx, acting=acting)
        with pytest.raises(NotFound):
            allocation.rebalance(ctx, acting=acting)
        before = _written(ctx)
        with pytest.raises(NotFound):
            allocation.apply(ctx, quantities={KAUR: 100}, acting=acting)
        assert _written(ctx) == before
    assert allocation.allocation(ctx, acting=Acting(office=D))["lines"]


def test_no_snapshot_no_allocation(ctx: Context) -> None:
    setup.init(ctx, directorate=True)
    setup.create_office(ctx, code=KAUR)
    v = allocation.allocation(ctx, as_of=date(2026, 12, 1))
    assert v["lines"] == [] and v["missing"] == [KAUR] and v["totals"] == []


def test_snapshots_hold_the_open_loans_and_follow_each_loan_step(network: Context) -> None:
    """The snapshot's open loans are the dashboard's (loans.open_for), field for field; each
    loan step computes the two offices' snapshots again, even a step that touches neither
    ledger (a write-off); a day past the due date shows the loan overdue, and the borrower
    owing it lends nothing in the rebalancing."""
    ctx = network

    def stored() -> dict[str, list[dict[str, Any]]]:
        return {o["code"]: o["open_loans"] for o in snapshots.view(ctx)["offices"]}

    def dashboard(office: str, day: Context = ctx) -> list[dict[str, Any]]:
        return [
            {k: x[k] for k in snapshots.LOAN_FIELDS}  # type: ignore[literal-required]
            for x in loans.open_for(day, office)
        ]

    n = loans.arrange(
        ctx, lender=BS, borrower=KAUR, quantity=30, reason="pilkades", due=ctx.today()
    )["loan"]["id"]
    arranged = snapshots.run(ctx)  # an arranged loan is not open yet: nothing to show
    assert arranged["computed"] == 0 and stored()[KAUR] == [] == dashboard(KAUR)
    sent = loans.send(ctx, loan=n, document="SP-1", office=BS)["shipment"]
    assert sent is not None
    assert {d["office"] for d in snapshots.run(ctx)["done"] if d["computed"]} == {BS, KAUR}
    assert stored()[KAUR] == dashboard(KAUR) and stored()[BS] == dashboard(BS)
    assert stored()[KAUR][0]["status"] == "sent" and stored()[OKU] == []
    shipments.receive(ctx, shipment=sent["id"], document="BAST-1", office=KAUR)
    snapshots.run(ctx)
    assert stored()[KAUR] == dashboard(KAUR)
    assert (stored()[KAUR][0]["status"], stored()[KAUR][0]["outstanding"]) == ("open", 30)
    assert stored()[KAUR][0]["overdue"] is False  # due today
    # A day later: overdue, on the dashboard of that day and in that day's snapshot.
    later = Context(ctx.engine, actor="pusat", clock=lambda: ctx.now() + timedelta(days=1))
    snapshots.run(later)
    day2 = {o["code"]: o["open_loans"] for o in snapshots.view(later)["offices"]}
    assert day2[KAUR] == dashboard(KAUR, later) and day2[KAUR][0]["overdue"] is True
    with later.read() as conn:
        rows = snapshots_repo.latest(conn, later.today())
    assert allocation.owing_overdue(rows) == {KAUR}
    # A write-off moves no ledger: the loans' state alone computes both snapshots again.
    loans.write_off(later, loan=n, reason="habis terpakai")
    again = snapshots.run(later)
    assert {d["office"] for d in again["done"] if d["computed"]} == {BS, KAUR}
    day2 = {o["code"]: o["open_loans"] for o in snapshots.view(later)["offices"]}
    assert day2[KAUR] == [] == day2[BS]
    assert snapshots.run(later)["computed"] == 0
