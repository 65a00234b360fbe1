"""The national allocation on the web (issue 14, points 3 and 4), on SQLite and PostgreSQL:
the page and the API show ours beside the policies from the snapshots; the head applies an
adjusted allocation in one step (approvals and shipments, the network sound after); bad input
writes nothing; the directorate's stock keeper reads but may not apply; a province's user is
refused (403), an office's user finds nothing (404)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from web_helpers import PASSWORD, SECRET, TestClient, bearer, insert_user, session_cookie

from blangko.services.admin import setup, users
from blangko.services.network import audit, organisation, snapshots
from blangko.services.network import requests as rq
from blangko.services.stock import queries as q
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE
OFFICES = {"17.04": "KA", "17.01": "KB"}


def _built(ctx):  # type: ignore[no-untyped-def]
    """Offices with use, the directorate's stock, an endorsed request, snapshots, the users."""
    setup.init(ctx, directorate=True)
    start = ctx.today() - timedelta(days=60)
    for code, prefix in OFFICES.items():
        setup.create_office(ctx, code=code)
        writes.record_opening(
            ctx, serials=f"{prefix}0000001-{prefix}0000200", effective=start, office=code
        )
        for i in range(12):
            writes.consume(
                ctx,
                qty=3,
                location="gudang",
                service="hilang",
                effective=start + timedelta(days=4 * i + 1),
                office=code,
            )
    writes.receive_shipment(
        ctx,
        serials="KD0000001-KD0001000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=ctx.today() - timedelta(days=5),
        office=D,
    )
    n = rq.draft(ctx, office="17.04", quantity=600, reason="Pilkades")["request"]["id"]
    rq.submit(ctx, request=n)
    rq.endorse(ctx, request=n, comment="sesuai")
    snapshots.run(ctx)
    insert_user(ctx, "kepala_pusat", "kepala", D)
    insert_user(ctx, "stok_pusat", "pengelola_stok", D)
    insert_user(ctx, "kepala_kaur", "kepala", "17.04")
    users.add_user(
        ctx,
        scope=users.MACHINE,
        username="kepala_prov",
        role="kepala",
        password=PASSWORD,
        province="17",
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_built`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _built)


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx, settings=Settings(secret_key=SECRET))) as c:
        c.ctx = ctx
        c.request_id = rq.list_requests(ctx, office="17.04")[0]["id"]  # the endorsed one
        yield c


def test_the_api_and_the_page(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_pusat")
    r = client.get("/api/v1/national/allocation", headers=who)
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["warehouse"] == 1000 and [x["office"] for x in v["lines"]] == ["17.01", "17.04"]
    kaur = next(x for x in v["lines"] if x["office"] == "17.04")
    assert kaur["asked"] == 600 and kaur["request"] == client.request_id
    assert {t["policy"] for t in v["totals"]} == {"ours", "equal", "asked", "backlog", "maxmin"}
    assert client.get("/api/v1/national/rebalancing", headers=who).status_code == 200
    assert client.get("/api/v1/national/allocation?box=x", headers=who).status_code == 400
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    page = client.get("/nasional/alokasi")
    assert page.status_code == 200, page.text[-500:]
    assert 'data-testid="allocation-totals"' in page.text
    assert 'name="q-17.04"' in page.text and 'name="q-17.01"' not in page.text
    national = client.get("/nasional").text
    assert 'href="/nasional/alokasi"' in national
    # The national rows show each office's open requests, as its snapshot holds them.
    cell = national.split('data-open-requests="17.04"', 1)[1].split("</td>", 1)[0]
    assert f'href="/permohonan/{client.request_id}"' in cell and "600" in cell


def test_the_head_applies_an_adjusted_allocation(client) -> None:  # type: ignore[no-untyped-def]
    ctx = client.ctx
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    page = client.get("/nasional/alokasi").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    # Not whole boxes: refused, nothing written.
    bad = client.post("/nasional/alokasi", data={"csrf": csrf, "q-17.04": "450", "idem": "w1"})
    assert bad.status_code == 400 and "kotak utuh" in bad.text
    assert rq.show(ctx, request=client.request_id)["request"]["state"] == "endorsed"
    done = client.post(
        "/nasional/alokasi",
        data={"csrf": csrf, "q-17.04": "400", "document": "SP/ALOKASI/9", "idem": "w2"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-800:]
    r = rq.show(ctx, request=client.request_id)["request"]
    assert (r["state"], r["approved_qty"], r["shipped_qty"]) == ("shipped", 400, 400)
    assert q.balance(ctx, office=D)["by_location"]["gudang"] == 600
    assert audit.verify(ctx)["sound"]


def test_the_api_applies_and_refuses_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_pusat")
    url = "/api/v1/national/allocation/apply"
    over = client.post(url, json={"quantities": {"17.04": 1100}}, headers=who)
    assert over.status_code == 400 and over.json()["error"]["code"] == "insufficient_stock"
    neg = client.post(url, json={"quantities": {"17.04": -100}}, headers=who)
    assert neg.status_code == 400 and neg.json()["error"]["field"] == "quantity"
    assert rq.show(client.ctx, request=client.request_id)["request"]["state"] == "endorsed"
    key = {**who, "Idempotency-Key": "k-1"}
    ok = client.post(url, json={"quantities": {"17.04": 600, "17.01": 100}}, headers=key)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert [a["quantity"] for a in body["applied"]] == [600]
    assert body["skipped"] == [{"office": "17.01", "quantity": 100, "why": "no_request"}]
    again = client.post(url, json={"quantities": {"17.04": 600, "17.01": 100}}, headers=key)
    assert again.json()["applied"][0]["shipment"] == body["applied"][0]["shipment"]
    assert q.balance(client.ctx, office=D)["by_location"]["gudang"] == 400


def test_scope(client) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/national/allocation"
    stock = bearer(client, "stok_pusat")
    assert client.get(url, headers=stock).status_code == 200
    assert client.post(url + "/apply", json={}, headers=stock).status_code == 403
    prov = bearer(client, "kepala_prov")
    assert client.get(url, headers=prov).status_code == 403
    assert client.post(url + "/apply", json={}, headers=prov).status_code == 403
    office = bearer(client, "kepala_kaur")
    assert client.get(url, headers=office).status_code == 404
    assert client.post(url + "/apply", json={}, headers=office).status_code == 404
    assert rq.show(client.ctx, request=client.request_id)["request"]["state"] == "endorsed"
    client.cookies.update(session_cookie(client.app, "kepala_kaur"))
    assert client.get("/nasional/alokasi").status_code == 404
