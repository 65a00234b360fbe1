"""Scopes of the network view (issue 13, point 2, the part built): a user of an office sees
its own office, a user of a province the offices of that province and nothing outside it,
a user of the directorate everything; a province's user reaches no office's own routes. On
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from web_helpers import PASSWORD, SECRET, TestClient, bearer, insert_user

from blangko.domain.errors import DomainError
from blangko.services.admin import setup, users
from blangko.services.network import organisation, shipments
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    setup.init(ctx, directorate=True)
    for code in ("17.04", "17.01", "16.01"):
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0001000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=date(2026, 11, 2),
        office=D,
    )
    for to, serials in (("17.04", "KR0000001-KR0000100"), ("16.01", "KR0000101-KR0000200")):
        shipments.send(ctx, from_office=D, to_office=to, serials=serials, document=f"SP-{to}")
    for name, role, office in (
        ("auditor_pusat", "auditor", D),
        ("auditor_kaur", "auditor", "17.04"),
    ):
        insert_user(ctx, name, role, office)
    for name, role in (("auditor_prov", "auditor"), ("stok_prov", "pengelola_stok")):
        users.add_user(
            ctx, scope=users.MACHINE, username=name, role=role, password=PASSWORD, province="17"
        )
    with TestClient(create_app(ctx, settings=Settings(secret_key=SECRET))) as c:
        yield c


def _codes(network: dict) -> set[str]:  # type: ignore[type-arg]
    out = {o["code"] for p in network["provinces"] for o in p["offices"]}
    if network["directorate"] is not None:
        out.add(network["directorate"]["code"])
    return out


def test_each_scope_sees_its_part_of_the_network(client) -> None:  # type: ignore[no-untyped-def]
    seen = {}
    for user in ("auditor_pusat", "auditor_prov", "auditor_kaur"):
        who = bearer(client, user)
        network = client.get("/api/v1/network", headers=who)
        assert network.status_code == 200, network.text
        listed = client.get("/api/v1/shipments", headers=who)
        assert listed.status_code == 200, listed.text
        seen[user] = (_codes(network.json()), {s["to_office"] for s in listed.json()})
    assert seen["auditor_pusat"] == ({D, "17.01", "17.04", "16.01"}, {"17.04", "16.01"})
    assert seen["auditor_prov"] == ({"17.01", "17.04"}, {"17.04"})
    assert seen["auditor_kaur"] == ({"17.04"}, {"17.04"})


def test_a_province_user_reaches_nothing_outside_the_province(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "auditor_prov")
    everything = client.get("/api/v1/shipments", headers=bearer(client, "auditor_pusat")).json()
    outside = next(s for s in everything if s["to_office"] == "16.01")
    r = client.get(f"/api/v1/shipments/{outside['id']}", headers=who)
    ghost = client.get("/api/v1/shipments/999999", headers=who)
    assert r.status_code == ghost.status_code == 404
    assert "16.01" not in client.get("/api/v1/network", headers=who).text
    assert "Sumatera Selatan" not in client.get("/api/v1/network", headers=who).text
    # No office's own routes: a province's user acts for no office.
    for path in ("/api/v1/stock/balance", "/api/v1/stock/ledger", "/api/v1/office"):
        refused = client.get(path, headers=who)
        assert refused.status_code == 403, (path, refused.text)
    stok = bearer(client, "stok_prov")
    sent = client.post(
        "/api/v1/shipments", json={"to": "17.01", "qty": 1, "document": "SP"}, headers=stok
    )
    assert sent.status_code == 403


def test_a_user_has_an_office_or_a_province(ctx, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as both:
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username="dua",
            role="auditor",
            password=PASSWORD,
            office="17.04",
            province="17",
        )
    assert (both.value.code, both.value.field) == ("office_or_province", "province")
    with pytest.raises(DomainError) as unknown:
        users.add_user(
            ctx, scope=users.MACHINE, username="x", role="auditor", password=PASSWORD, province="99"
        )
    assert (unknown.value.code, unknown.value.field) == ("unknown_province", "province")
    with pytest.raises(DomainError) as admin:
        users.add_user(
            ctx,
            scope=users.Scope("17.04"),
            username="y",
            role="auditor",
            password=PASSWORD,
            province="17",
        )
    assert admin.value.code == "office_scope"
