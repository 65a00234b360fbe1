"""Province and directorate scope on an office's pages, API reads and reports (issue 13,
point 2): a province's user reads every office of its province by `?office=KODE`, read
only, without residents' personal data; the directorate's user every office; an office's
user stays sealed to its own office (`office=` naming another: 404). The office is resolved
and checked in one place (web/deps.py, office_in_scope). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from web_helpers import PASSWORD, SECRET, TestClient, bearer, insert_user, login

from blangko.adapters import tables as t
from blangko.domain.access import CROSS_OFFICE_REFUSED, ROUTE_ROLES, UNSCOPED_ROUTES
from blangko.services.admin import setup, users
from blangko.services.network import organisation
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"


def _built(ctx):  # type: ignore[no-untyped-def]
    """The directorate, three offices with stock, the users."""
    setup.init(ctx, directorate=True)
    for code, prefix in ((KAUR, "KA"), (BS, "BS"), (OKU, "OK")):
        setup.create_office(ctx, code=code)
        writes.receive_shipment(
            ctx,
            serials=f"{prefix}0000001-{prefix}0000{'1' if code == KAUR else '2'}00",
            source="Ditjen Dukcapil",
            document=f"BAST-{prefix}-001",
            effective=date(2026, 11, 2),
            office=code,
        )
    for name, role, office in (
        ("kepala_pusat", "kepala", D),
        ("stok_pusat", "pengelola_stok", D),
        ("stok_kaur", "pengelola_stok", KAUR),
        ("kepala_kaur", "kepala", KAUR),
    ):
        insert_user(ctx, name, role, office)
    for name, role in (("kepala_prov", "kepala"), ("stok_prov", "pengelola_stok")):
        users.add_user(
            ctx, scope=users.MACHINE, username=name, role=role, password=PASSWORD, province="17"
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_built`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _built)


@pytest.fixture
def app(ctx):  # type: ignore[no-untyped-def]
    return create_app(ctx, settings=Settings(secret_key=SECRET))


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def _heads(ctx) -> tuple[tuple[str, int], ...]:  # type: ignore[no-untyped-def]
    with ctx.engine.connect() as conn:
        return tuple(
            conn.execute(
                select(t.office.c.code, t.office.c.ledger_seq).order_by(t.office.c.code)
            ).all()
        ) + (conn.execute(select(func.count()).select_from(t.ledger_entry)).scalar_one(),)


def test_a_province_user_reads_the_offices_of_its_province(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_prov")
    balance = client.get(f"/api/v1/stock/balance?office={KAUR}", headers=who)
    assert balance.status_code == 200, balance.text
    assert balance.json()["on_hand"] == 100
    assert client.get(f"/api/v1/stock/balance?office={BS}", headers=who).json()["on_hand"] == 200
    ledger = client.get(f"/api/v1/stock/ledger?office={KAUR}", headers=who)
    assert ledger.status_code == 200 and "BAST-KA-001" in ledger.text
    assert "BAST-BS-001" not in ledger.text
    usage = client.get(
        f"/api/v1/reports/stock/usage?month=2026-11&fmt=xlsx&office={KAUR}", headers=who
    )
    assert usage.status_code == 200, usage.text
    assert client.get(f"/api/v1/forecast?office={KAUR}", headers=who).status_code == 200
    # Outside the province, or an office that does not exist: not found, alike.
    outside = client.get(f"/api/v1/stock/balance?office={OKU}", headers=who)
    ghost = client.get("/api/v1/stock/balance?office=17.99", headers=who)
    assert outside.status_code == ghost.status_code == 404
    assert outside.json()["error"]["code"] == ghost.json()["error"]["code"] == "unknown_office"
    # Without an office: refused, with what to do.
    none = client.get("/api/v1/stock/balance", headers=who)
    assert none.status_code == 403 and none.json()["error"]["code"] == "office_required"
    # Pages: the dashboard and the stock page of Kaur, marked as read only.
    assert login(client, "kepala_prov").status_code == 303
    page = client.get(f"/?office={KAUR}")
    assert page.status_code == 200 and 'data-testid="reading-office"' in page.text
    assert f'href="/stok?office={KAUR}"' in page.text  # the menu keeps the office
    stock = client.get(f"/stok?office={KAUR}")
    assert stock.status_code == 200, stock.text
    assert client.get(f"/stok?office={OKU}").status_code == 404


def test_reads_only_and_no_personal_data(client, ctx) -> None:  # type: ignore[no-untyped-def]
    before = _heads(ctx)
    stok = bearer(client, "stok_prov")
    r = client.post(
        f"/api/v1/stock/transfer?office={KAUR}",
        json={"qty": 1, "from_location": "gudang", "to_location": "gudang"},
        headers=stok,
    )
    assert r.status_code == 403, r.text
    for user in ("stok_pusat",):
        r = client.post(
            f"/api/v1/stock/receive?office={KAUR}",
            json={"serials": "ZZ0000001-ZZ0000002", "source": "x", "document": "x"},
            headers=bearer(client, user),
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "read_only_office", r.text
    assert _heads(ctx) == before
    head = bearer(client, "kepala_prov")
    for path in ("/api/v1/residents/1704015705900001", "/api/v1/users", "/api/v1/read-log"):
        r = client.get(f"{path}?office={KAUR}", headers=head)
        assert r.status_code == 403, (path, r.text)
    # The directorate's head reads any office, as read only: the residents' names stay hidden.
    pusat = bearer(client, "kepala_pusat")
    assert client.get(f"/api/v1/stock/balance?office={OKU}", headers=pusat).status_code == 200
    r = client.get(f"/api/v1/residents/1601015705900001?office={OKU}", headers=pusat)
    assert r.status_code == 403
    assert login(client, "kepala_pusat").status_code == 303
    assert client.get(f"/layanan?office={OKU}").status_code == 403


def test_an_office_user_stays_sealed(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_kaur")
    own = client.get(f"/api/v1/stock/balance?office={KAUR}", headers=who)
    assert own.status_code == 200 and own.json()["on_hand"] == 100
    for other in (BS, OKU, D, "17.99"):
        r = client.get(f"/api/v1/stock/balance?office={other}", headers=who)
        assert r.status_code == 404, (other, r.text)
    stok = bearer(client, "stok_kaur")
    r = client.post(
        f"/api/v1/stock/transfer?office={BS}",
        json={"qty": 1, "from_location": "gudang", "to_location": "gudang"},
        headers=stok,
    )
    assert r.status_code == 404


# The national view (every office of the nation) is the directorate's alone: a province's
# user reads its own province's page (docs/network.md, "The national and province view").
NATIONAL_ONLY = {
    "page.national",
    "page.national.export",
    "page.national.allocation",
    "api.national",
    "api.national.allocation",
    "api.national.rebalancing",
}


def _plain_gets(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    return [
        r
        for r in api_routes(app)
        if "GET" in r.methods and "{" not in r.path and r.name not in UNSCOPED_ROUTES
    ]


def test_every_read_route_by_scope(app, client) -> None:  # type: ignore[no-untyped-def]
    """Every GET route without a path id, as the province's head and the directorate's head:
    another province's office (for the province) and an unknown office are never answered;
    an office within reach is answered (or refused by role or as personal data), never 5xx."""
    tried = 0
    for user, inside, outside in (
        ("kepala_prov", KAUR, OKU),
        ("kepala_pusat", OKU, "17.99"),
    ):
        token = bearer(client, user)
        assert login(client, user).status_code == 303
        for route in _plain_gets(app):
            headers = token if route.path.startswith("/api/") else {}
            params = {"month": "2026-11"} if "{name}" in route.path else {}
            far = client.get(route.path, params={**params, "office": outside}, headers=headers)
            assert far.status_code in (403, 404), (user, route.path, far.status_code)
            # 403 only where the route is refused whatever the office (role, personal data).
            assert (
                far.status_code == 404
                or "kepala" not in ROUTE_ROLES[route.name]
                or route.name in CROSS_OFFICE_REFUSED
            ), (
                user,
                route.path,
                far.text[:200],
            )
            near = client.get(route.path, params={**params, "office": inside}, headers=headers)
            assert near.status_code < 500, (user, route.path, near.text[:300])
            national_only = user == "kepala_prov" and route.name in NATIONAL_ONLY
            if (
                "kepala" in ROUTE_ROLES[route.name]
                and route.name not in CROSS_OFFICE_REFUSED
                and not national_only
            ):
                assert near.status_code not in (403, 404), (user, route.path, near.text[:300])
            if national_only:  # the nation is the directorate's view, whatever office is named
                assert near.status_code in (403, 404), (user, route.path, near.status_code)
            tried += 2
        client.cookies.clear()
    assert tried > 40
