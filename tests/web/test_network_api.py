"""Shipments in the JSON API (issue 13, points 3, 6 and 7): the directorate's stock keeper
sends, the office's receives; idempotency keys; another office's shipment is not found; bad
input is a 4xx naming the field, with nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from web_helpers import SECRET, TestClient, bearer, insert_user

from blangko.adapters import tables as t
from blangko.services.admin import setup
from blangko.services.network import audit, organisation
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE


def _built(ctx):  # type: ignore[no-untyped-def]
    """The directorate's contract stock, two offices, their users."""
    setup.init(ctx, directorate=True)
    for code in ("17.04", "17.01"):
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0001000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=date(2026, 11, 2),
        office=D,
    )
    for name, role, office in (
        ("stok_pusat", "pengelola_stok", D),
        ("stok_kaur", "pengelola_stok", "17.04"),
        ("auditor_kaur", "auditor", "17.04"),
        ("operator_kaur", "operator", "17.04"),
        ("stok_bs", "pengelola_stok", "17.01"),
    ):
        insert_user(ctx, name, role, office)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_built`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _built)


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx, settings=Settings(secret_key=SECRET))) as c:
        yield c


def _written(ctx) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    with ctx.engine.connect() as conn:
        return (
            tuple(conn.execute(select(t.office.c.code, t.office.c.ledger_seq)).all()),
            conn.execute(select(func.count()).select_from(t.shipment)).scalar_one(),
            tuple(conn.execute(select(t.shipment.c.status)).scalars()),
        )


def test_send_and_receive_through_the_api(ctx, client) -> None:  # type: ignore[no-untyped-def]
    pusat = bearer(client, "stok_pusat")
    kaur = bearer(client, "stok_kaur")
    body = {"to": "17.04", "qty": 100, "document": "SP-1", "date": "2026-11-03"}
    sent = client.post("/api/v1/shipments", json=body, headers={**pusat, "Idempotency-Key": "k1"})
    assert sent.status_code == 200, sent.text
    s = sent.json()["shipment"]
    assert (s["from_office"], s["to_office"], s["quantity"], s["status"]) == (
        D,
        "17.04",
        100,
        "in_transit",
    )
    again = client.post("/api/v1/shipments", json=body, headers={**pusat, "Idempotency-Key": "k1"})
    assert again.json()["replayed"] is True and again.json()["shipment"]["id"] == s["id"]

    listed = client.get("/api/v1/shipments?status=in_transit", headers=kaur)
    assert [x["id"] for x in listed.json()] == [s["id"]]
    auditor = bearer(client, "auditor_kaur")
    assert client.get(f"/api/v1/shipments/{s['id']}", headers=auditor).status_code == 200

    got = client.post(
        f"/api/v1/shipments/{s['id']}/receive",
        json={
            "document": "BAST-1",
            "missing": "KR0000100",
            "missing_document": "BA-KURANG-1",
            "date": "2026-11-05",
        },
        headers=kaur,
    )
    assert got.status_code == 200, got.text
    r = got.json()["shipment"]
    assert (r["status"], r["received_qty"], r["lost_qty"]) == ("received", 99, 1)
    assert audit.verify(ctx)["sound"]

    # Point 7: receiving twice is a conflict, nothing written.
    before = _written(ctx)
    twice = client.post(
        f"/api/v1/shipments/{s['id']}/receive", json={"document": "BAST-2"}, headers=kaur
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "shipment_received"
    assert twice.json()["error"]["field"] == "shipment"
    assert _written(ctx) == before


def test_another_office_shipment_is_not_found(ctx, client) -> None:  # type: ignore[no-untyped-def]
    pusat = bearer(client, "stok_pusat")
    sent = client.post(
        "/api/v1/shipments", json={"to": "17.04", "qty": 10, "document": "SP"}, headers=pusat
    ).json()["shipment"]
    other = bearer(client, "stok_bs")
    before = _written(ctx)
    for method, tail, body in (
        ("GET", "", None),
        ("POST", "/receive", {"document": "B"}),
    ):
        r = client.request(
            method, f"/api/v1/shipments/{sent['id']}{tail}", json=body, headers=other
        )
        ghost = client.request(method, f"/api/v1/shipments/999999{tail}", json=body, headers=other)
        assert r.status_code == ghost.status_code == 404
        assert r.json()["error"]["message"].replace(str(sent["id"]), "N") == ghost.json()["error"][
            "message"
        ].replace("999999", "N")
    assert client.get("/api/v1/shipments", headers=other).json() == []
    # The sender may read it but not receive it.
    mine = client.post(
        f"/api/v1/shipments/{sent['id']}/receive", json={"document": "B"}, headers=pusat
    )
    assert mine.status_code == 400 and mine.json()["error"]["code"] == "not_receiver"
    # A role that moves no blanks.
    op = bearer(client, "operator_kaur")
    refused = client.post(
        f"/api/v1/shipments/{sent['id']}/receive", json={"document": "B"}, headers=op
    )
    assert refused.status_code == 403
    assert _written(ctx) == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"to": "17.04", "qty": 5000, "document": "SP"}, 400, "insufficient_stock", "qty"),
        ({"to": "99.99", "qty": 5, "document": "SP"}, 404, "unknown_office", "to"),
        (
            {"to": "17.04", "serials": "KR0009999", "document": "SP"},
            400,
            "serial_not_available",
            "serials",
        ),
        ({"to": "17.04", "qty": 5, "document": " "}, 400, "required", "document"),
    ],
)
def test_bad_shipments_are_refused(ctx, client, body, status, code, field) -> None:  # type: ignore[no-untyped-def]
    before = _written(ctx)
    r = client.post("/api/v1/shipments", json=body, headers=bearer(client, "stok_pusat"))
    assert r.status_code == status, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, field)
    assert _written(ctx) == before
