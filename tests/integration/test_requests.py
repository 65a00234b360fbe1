"""Requests for blanks from asked to received (issue 13, point 4): the life of a request with
its timeline, return and resubmission, part approval, refusal, two tranches, a short receipt,
bad input refused with nothing written, idempotent replays, and the lead time and fill rate
the forecast takes from the history. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.tables_derived import figure_version
from blangko.adapters.tables_requests import blank_request, request_event
from blangko.domain.errors import DomainError, NotFound
from blangko.services import figures, reports
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import audit, organisation, shipments
from blangko.services.network import requests as rq
from blangko.services.network.request_steps import Acting
from blangko.services.stock import queries as q
from blangko.services.stock import writes

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"


def _network(ctx: Context) -> None:
    """The directorate with 10.000 blanks; Kaur and Bengkulu Selatan in Bengkulu, Ogan
    Komering Ulu in Sumatera Selatan, each with a little stock and use."""
    setup.init(ctx, directorate=True)
    for code in (KAUR, BS, OKU):
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0010000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=date(2026, 11, 2),
        office=D,
    )
    for i, code in enumerate((KAUR, BS, OKU)):
        writes.receive_shipment(
            ctx,
            serials=f"Q{i}00001-Q{i}00050",
            source="Ditjen Dukcapil",
            document=f"BAST-{i}",
            effective=date(2026, 10, 1),
            office=code,
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, built_copy: Any) -> str:
    """A copy of its own of `_network`, built once per backend (tests/conftest.py)."""
    return str(built_copy(request.param, _network))


@pytest.fixture
def network(ctx: Context) -> Context:
    return ctx


def _draft(ctx: Context, office: str = KAUR, **kw: Any) -> dict[str, Any]:
    kw.setdefault("quantity", 1000)
    kw.setdefault("reason", "menjelang Pilkades")
    return dict(rq.draft(ctx, office=office, **kw))


def _to_endorsed(ctx: Context, office: str = KAUR, **kw: Any) -> int:
    n = _draft(ctx, office, **kw)["request"]["id"]
    rq.submit(ctx, request=n)
    rq.endorse(ctx, request=n, comment="sesuai")
    return int(n)


def _state(ctx: Context) -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
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


def test_draft_is_prefilled_from_the_stored_forecast(network: Context) -> None:
    f = figures.forecast_for(network, KAUR)
    rec = f["recommended_request"]
    if rec["quantity"] > 0:
        r = rq.draft(network, office=KAUR)["request"]
        assert r["asked_qty"] == rec["quantity"]
    else:
        r = _draft(network)["request"]
        assert (r["asked_qty"], r["edit_reason"]) == (1000, "menjelang Pilkades")
    assert r["state"] == "draft"
    assert r["recommended_qty"] == rec["quantity"]
    assert r["reasons"] == [
        {"reason": x["reason"], "quantity": x["quantity"]} for x in rec["reasons"]
    ]
    assert sum(x["quantity"] for x in r["reasons"]) == rec["quantity"]
    # No history yet: the forecast says it assumes the fixed lead time and a full grant.
    assert any("asumsi tetap" in b for b in r["basis"])
    assert any("Diberikan penuh" in b for b in r["basis"])


def test_life_of_a_request_with_return_two_tranches_and_short_receipt(
    network: Context, clock: Any
) -> None:
    start = clock.value
    n = _draft(network, number="470/1/DUK")["request"]["id"]
    # The office changes its mind once, with a reason.
    e = rq.edit(network, request=n, quantity=1200, reason="dua Pilkades")["request"]
    assert (e["asked_qty"], e["edit_reason"], e["number"]) == (1200, "dua Pilkades", "470/1/DUK")
    rq.submit(network, request=n, comment="mohon")
    back = rq.send_back(network, request=n, comment="lampirkan data rekam")["request"]
    assert back["state"] == "returned"
    rq.edit(network, request=n, quantity=1100, reason="dikoreksi")
    rq.submit(network, request=n)
    rq.endorse(network, request=n, comment="disetujui provinsi")
    clock.value = start + timedelta(days=2)
    a = rq.approve(network, request=n, quantity=800, reason="stok pusat terbatas")["request"]
    assert (a["state"], a["approved_qty"], a["decision_reason"]) == (
        "approved",
        800,
        "stok pusat terbatas",
    )
    first = rq.ship(network, request=n, qty=500, document="SP-T1", effective=date(2026, 11, 27))
    assert first["request"]["state"] == "partially_shipped"
    assert first["shipment"]["request"] == n and first["shipment"]["to_office"] == KAUR
    # Partly shipped with a tranche on the way: no closing by hand (offered nor allowed).
    assert "close" not in rq.show(network, request=n)["actions"]
    with pytest.raises(DomainError) as e:
        rq.close(network, request=n, comment="cukup")
    assert e.value.code == "tranche_in_transit"
    second = rq.ship(network, request=n, document="SP-T2", effective=date(2026, 11, 27))
    assert second["shipment"]["quantity"] == 300  # the rest of the approved quantity
    assert second["request"]["state"] == "shipped"
    clock.value = start + timedelta(days=10)
    shipments.receive(network, shipment=first["shipment"]["id"], document="BAST-T1", office=KAUR)
    assert rq.show(network, request=n)["request"]["state"] == "shipped"
    s2 = second["shipment"]
    missing = s2["serials"].split("-")[1]  # the tranche's last serial did not arrive
    shipments.receive(
        network,
        shipment=s2["id"],
        document="BAST-T2",
        missing=missing,
        missing_document="BA-KURANG-1",
        office=KAUR,
    )
    d = rq.show(network, request=n)
    r = d["request"]
    assert (r["state"], r["shipped_qty"], r["arrived_qty"]) == ("received", 800, 799)
    assert r["received_at"] is not None
    assert [s["id"] for s in d["tranches"]] == [first["shipment"]["id"], s2["id"]]
    closed = rq.close(network, request=n, comment="kurang 1 keping, BA dibuat")["request"]
    assert closed["state"] == "closed"
    timeline = [
        (x["action"], x["from_state"], x["to_state"]) for x in rq.show(network, request=n)["events"]
    ]
    assert timeline == [
        ("draft", None, "draft"),
        ("edit", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("edit", "returned", "returned"),
        ("submit", "returned", "submitted"),
        ("endorse", "submitted", "endorsed"),
        ("approve_part", "endorsed", "approved"),
        ("ship", "approved", "partially_shipped"),
        ("ship", "partially_shipped", "shipped"),
        ("receive", "shipped", "shipped"),
        ("receive", "shipped", "received"),
        ("close", "received", "closed"),
    ]
    events = rq.show(network, request=n)["events"]
    assert all(x["actor"] == "petugas-uji" and x["at"] for x in events)
    assert events[3]["comment"] == "lampirkan data rekam"
    assert events[8]["quantity"] == 500 and events[8]["shipment"] == first["shipment"]["id"]
    _sound(network)


def test_full_approval_received_in_full_closes_by_itself(network: Context) -> None:
    n = _to_endorsed(network, quantity=400)
    assert rq.approve(network, request=n)["request"]["approved_qty"] == 400
    s = rq.ship(network, request=n, document="SP-1", effective=date(2026, 11, 27))
    shipments.receive(network, shipment=s["shipment"]["id"], document="BAST-1", office=KAUR)
    d = rq.show(network, request=n)
    assert d["request"]["state"] == "closed"
    assert [x["action"] for x in d["events"]][-2:] == ["receive", "close"]
    assert q.balance(network, office=KAUR)["on_hand"] == 450


def test_refusal_needs_a_reason_and_ends_the_request(network: Context) -> None:
    n = _to_endorsed(network)
    before = _state(network)
    with pytest.raises(DomainError) as e:
        rq.refuse(network, request=n, reason=" ")
    assert (e.value.code, e.value.field) == ("required", "reason")
    assert _state(network) == before
    r = rq.refuse(network, request=n, reason="stok nasional habis")["request"]
    assert (r["state"], r["approved_qty"]) == ("refused", 0)
    with pytest.raises(DomainError) as e:
        rq.ship(network, request=n, document="SP-X", qty=1)
    assert (e.value.code, e.value.field) == ("invalid_transition", "status")


def test_approving_more_than_asked_needs_a_reason(network: Context) -> None:
    n = _to_endorsed(network, quantity=500)
    before = _state(network)
    with pytest.raises(DomainError) as e:
        rq.approve(network, request=n, quantity=600)
    assert (e.value.code, e.value.field) == ("reason_required", "reason")
    with pytest.raises(DomainError) as e:
        rq.approve(network, request=n, quantity=300)
    assert (e.value.code, e.value.field) == ("reason_required", "reason")
    assert _state(network) == before
    r = rq.approve(network, request=n, quantity=600, reason="tambahan cadangan Pilkada")
    assert (r["request"]["approved_qty"], r["request"]["state"]) == (600, "approved")


@pytest.mark.parametrize(
    ("name", "code", "field", "kind"),
    [
        ("unknown_office", "unknown_office", "office", NotFound),
        ("zero_quantity", "quantity_positive", "quantity", DomainError),
        ("negative_quantity", "quantity_positive", "quantity", DomainError),
        ("submit_twice", "invalid_transition", "status", DomainError),
        ("approve_unendorsed", "invalid_transition", "status", DomainError),
        ("return_without_comment", "required", "comment", DomainError),
        ("edit_after_submit", "invalid_transition", "status", DomainError),
        ("ship_more_than_approved", "more_than_approved", "qty", DomainError),
        ("ship_more_than_warehouse", "insufficient_stock", "qty", DomainError),
        ("ship_zero", "quantity_positive", "qty", DomainError),
        ("office_approves", "not_your_step", "request", DomainError),
        ("province_approves", "not_your_step", "request", DomainError),
        ("other_province_endorses", "unknown_request", "request", NotFound),
        ("other_office_submits", "unknown_request", "request", NotFound),
        ("unknown_request", "unknown_request", "request", NotFound),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    network: Context, name: str, code: str, field: str, kind: type
) -> None:
    n = _draft(network)["request"]["id"]
    approved = _to_endorsed(network, quantity=9000, reason="besar")
    rq.approve(network, request=approved)
    big = _to_endorsed(network, quantity=12000, reason="sangat besar")
    rq.approve(network, request=big)
    rq.submit(network, request=n)
    tries = {
        "unknown_office": lambda: rq.draft(network, office="17.99", quantity=5, reason="x"),
        "zero_quantity": lambda: rq.draft(network, office=KAUR, quantity=0, reason="x"),
        "negative_quantity": lambda: rq.draft(network, office=KAUR, quantity=-5, reason="x"),
        "submit_twice": lambda: rq.submit(network, request=n),
        "approve_unendorsed": lambda: rq.approve(network, request=n),
        "return_without_comment": lambda: rq.send_back(network, request=n, comment=""),
        "edit_after_submit": lambda: rq.edit(network, request=n, quantity=5, reason="x"),
        "ship_more_than_approved": lambda: rq.ship(
            network, request=approved, qty=9001, document="SP"
        ),
        "ship_more_than_warehouse": lambda: rq.ship(network, request=big, document="SP"),
        "ship_zero": lambda: rq.ship(network, request=approved, qty=0, document="SP"),
        "office_approves": lambda: rq.endorse(network, request=n, acting=Acting(office=KAUR)),
        "province_approves": lambda: rq.approve(
            network, request=approved, acting=Acting(province="17")
        ),
        "other_province_endorses": lambda: rq.endorse(
            network, request=n, acting=Acting(province="16")
        ),
        "other_office_submits": lambda: rq.submit(network, request=n, acting=Acting(office=BS)),
        "unknown_request": lambda: rq.submit(network, request=999),
    }
    before = _state(network)
    with pytest.raises(kind) as e:
        tries[name]()
    assert (e.value.code, e.value.field) == (code, field), e.value.message
    assert _state(network) == before


def test_scope_of_reading(network: Context) -> None:
    kaur = _draft(network, KAUR)["request"]["id"]
    oku = _draft(network, OKU)["request"]["id"]
    assert {r["id"] for r in rq.list_requests(network)} == {kaur, oku}
    assert [r["id"] for r in rq.list_requests(network, acting=Acting(office=KAUR))] == [kaur]
    assert [r["id"] for r in rq.list_requests(network, acting=Acting(province="17"))] == [kaur]
    assert {r["id"] for r in rq.list_requests(network, acting=Acting(office=D))} == {kaur, oku}
    with pytest.raises(NotFound):
        rq.show(network, request=oku, acting=Acting(province="17"))
    with pytest.raises(NotFound):
        rq.show(network, request=kaur, acting=Acting(office=BS))
    with pytest.raises(NotFound):
        rq.list_requests(network, office=OKU, acting=Acting(province="17"))
    # What each may do now: the office submits its draft; the province nothing yet.
    assert rq.show(network, request=kaur, acting=Acting(office=KAUR))["actions"] == [
        "edit",
        "submit",
    ]
    assert rq.show(network, request=kaur, acting=Acting(province="17"))["actions"] == []
    rq.submit(network, request=kaur, acting=Acting(office=KAUR))
    assert rq.show(network, request=kaur, acting=Acting(province="17"))["actions"] == [
        "endorse",
        "return",
    ]
    rq.endorse(network, request=kaur, acting=Acting(province="17"))
    assert rq.show(network, request=kaur, acting=Acting(office=D))["actions"] == [
        "return",
        "approve",
        "refuse",
    ]


def test_idempotent_replay(network: Context) -> None:
    first = rq.draft(network, office=KAUR, quantity=700, reason="x", idempotency_key="d-1")
    again = rq.draft(network, office=KAUR, quantity=700, reason="x", idempotency_key="d-1")
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["request"]["id"] == first["request"]["id"]
    n = first["request"]["id"]
    rq.submit(network, request=n, idempotency_key="s-1")
    assert rq.submit(network, request=n, idempotency_key="s-1")["replayed"] is True
    rq.endorse(network, request=n)
    rq.approve(network, request=n, idempotency_key="a-1")
    s1 = rq.ship(network, request=n, qty=100, document="SP", idempotency_key="t-1")
    s2 = rq.ship(network, request=n, qty=100, document="SP", idempotency_key="t-1")
    assert s2["replayed"] is True and s2["shipment"]["id"] == s1["shipment"]["id"]
    assert rq.show(network, request=n)["request"]["shipped_qty"] == 100
    with network.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(blank_request)).scalar_one() == 1


def _round_trip(ctx: Context, clock: Any, office: str, asked: int, given: int, days: int) -> None:
    start = clock.value
    n = _to_endorsed(ctx, office, quantity=asked, reason="riwayat")
    rq.approve(ctx, request=n, quantity=given, reason=None if given == asked else "dipotong")
    s = rq.ship(ctx, request=n, document=f"SP-{n}", effective=ctx.today())
    clock.value = start + timedelta(days=days)
    shipments.receive(ctx, shipment=s["shipment"]["id"], document=f"BAST-{n}", office=office)
    clock.value = start


def test_lead_time_and_fill_rate_from_history(network: Context, clock: Any) -> None:
    def version(office: str) -> int:
        with network.engine.connect() as conn:
            v = conn.execute(
                select(figure_version.c.version).where(
                    figure_version.c.office_code == office,
                    figure_version.c.source == "requests",
                )
            ).scalar()
        return int(v or 0)

    before = figures.forecast_for(network, KAUR)
    assert before["supply"]["lead_time_source"] == "default"
    assert (before["supply"]["lead_time_days"], before["supply"]["lead_time_spread_days"]) == (
        30.0,
        10.0,
    )
    assert 26 <= before["next_delivery"]["lead_time_days"] <= 32
    assert before["recommended_request"]["fill_rate"] == 1.0
    # Bengkulu Selatan's history first: Kaur's forecast takes its province's.
    _round_trip(network, clock, BS, 1000, 500, 20)
    _round_trip(network, clock, BS, 1000, 1000, 40)
    assert version(KAUR) > 0 and version(OKU) == 0  # the province's offices' figures change
    f = figures.forecast_for(network, KAUR)
    s = f["supply"]
    assert (s["lead_time_source"], s["fill_rate_source"]) == ("province", "province")
    assert s["lead_time_province"] == {"mean": 30.0, "spread": 10.0, "n": 2}
    assert s["fill_rate_province"] == {"mean": 0.75, "spread": 0.25, "n": 2}
    assert s["lead_time_office"] is None
    assert f["recommended_request"]["fill_rate"] == 0.75
    assert any("provinsi ini" in b for b in f["recommended_request"]["basis"])
    # Then Kaur's own: two quick requests, one refused.
    _round_trip(network, clock, KAUR, 400, 400, 5)
    _round_trip(network, clock, KAUR, 400, 400, 7)
    refused = _to_endorsed(network, KAUR, quantity=400, reason="riwayat")
    rq.refuse(network, request=refused, reason="habis")
    f = figures.forecast_for(network, KAUR)
    s = f["supply"]
    assert (s["lead_time_source"], s["fill_rate_source"]) == ("office", "office")
    assert s["lead_time_office"] == {"mean": 6.0, "spread": 1.0, "n": 2}
    assert s["fill_rate_office"]["n"] == 3 and s["fill_rate_office"]["mean"] == pytest.approx(
        2 / 3, abs=1e-3
    )
    assert s["lead_time_days"] == 6.0
    assert 5 <= f["next_delivery"]["lead_time_days"] <= 7
    assert f["next_delivery"]["lead_time_source"] == "office"
    assert f["recommended_request"]["expected_given"] == round(
        f["recommended_request"]["quantity"] * f["recommended_request"]["fill_rate"]
    )
    # Ogan Komering Ulu (another province) still has no history.
    assert figures.forecast_for(network, OKU)["supply"]["lead_time_source"] == "default"


def test_request_letter_from_a_stored_request(network: Context) -> None:
    made = _draft(network, KAUR, quantity=1500, reason="dua Pilkades", number="470/77/DUK")
    n = made["request"]["id"]
    r = reports.build(network, "request", {"request_id": n})
    assert r.data["request"] == n and r.data["number"] == "470/77/DUK"
    assert (r.data["quantity"], r.data["reason"]) == (1500, "dua Pilkades")
    assert r.data["recommended"] == made["request"]["recommended_qty"]
    assert r.data["reasons"] == made["request"]["reasons"]
    assert dict(r.facts)["Nomor"] == "470/77/DUK"
    # The attachment adds up to the quantity asked: the forecast's reasons + the change.
    assert r.tables[0].totals()[1] == 1500
    # Another office's request is not found through that office.
    with pytest.raises(NotFound) as e:
        reports.build(network, "request", {"request_id": n, "office": BS})
    assert e.value.code == "unknown_request"
    # Without a request: as before, the forecast's recommendation of the day.
    plain = reports.build(network, "request", {"office": KAUR, "quantity": 10, "reason": "x"})
    assert plain.data["request"] is None and plain.data["quantity"] == 10
