"""Requests for blanks on the web (issue 13, point 4): the list and the request page with its
timeline and the forms for the user's steps, the API under /api/v1/requests, and scope: an
office's user sees its own requests, a province's user its offices', the directorate all;
another's request is not found (404), as one that does not exist. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from web_helpers import PASSWORD, SECRET, TestClient, bearer, csrf_of, insert_user, login

from blangko.services.admin import setup, users
from blangko.services.network import organisation
from blangko.services.network import requests as rq
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE


def _built(ctx):  # type: ignore[no-untyped-def]
    """The directorate's contract stock, three offices, their users."""
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
    for name, role, office in (
        ("kepala_pusat", "kepala", D),
        ("stok_pusat", "pengelola_stok", D),
        ("kepala_kaur", "kepala", "17.04"),
        ("stok_kaur", "pengelola_stok", "17.04"),
        ("kepala_bs", "kepala", "17.01"),
        ("kepala_oku", "kepala", "16.01"),
    ):
        insert_user(ctx, name, role, office)
    for name, province in (("kepala_prov", "17"), ("kepala_sumsel", "16")):
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username=name,
            role="kepala",
            password=PASSWORD,
            province=province,
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_built`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _built)


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx, settings=Settings(secret_key=SECRET))) as c:
        yield c


def _post(client, path: str, who: dict, **body):  # type: ignore[no-untyped-def]
    return client.post(path, json=body, headers=who)


def test_the_life_of_a_request_through_the_api(client) -> None:  # type: ignore[no-untyped-def]
    kaur, prov = bearer(client, "kepala_kaur"), bearer(client, "kepala_prov")
    pusat, gudang = bearer(client, "kepala_pusat"), bearer(client, "stok_pusat")
    r = _post(client, "/api/v1/requests", kaur, quantity=300, reason="Pilkades")
    assert r.status_code == 200, r.text
    n = r.json()["request"]["id"]
    again = client.post(
        "/api/v1/requests",
        json={"quantity": 300, "reason": "Pilkades"},
        headers={**kaur, "Idempotency-Key": "w-1"},
    )
    replay = client.post(
        "/api/v1/requests",
        json={"quantity": 300, "reason": "Pilkades"},
        headers={**kaur, "Idempotency-Key": "w-1"},
    )
    assert replay.json()["replayed"] is True
    assert replay.json()["request"]["id"] == again.json()["request"]["id"]
    assert _post(client, f"/api/v1/requests/{n}/submit", kaur).status_code == 200
    # The office does not endorse; the province returns with a comment, the office resubmits.
    office_endorses = _post(client, f"/api/v1/requests/{n}/endorse", kaur)
    assert office_endorses.status_code == 400
    assert office_endorses.json()["error"]["code"] == "not_your_step"
    assert _post(client, f"/api/v1/requests/{n}/return", prov).status_code == 400  # no comment
    back = _post(client, f"/api/v1/requests/{n}/return", prov, comment="lengkapi")
    assert back.json()["request"]["state"] == "returned"
    assert _post(client, f"/api/v1/requests/{n}/edit", kaur, quantity=250).status_code == 400
    edit = _post(client, f"/api/v1/requests/{n}/edit", kaur, quantity=250, reason="dikoreksi")
    assert edit.status_code == 200, edit.text
    assert _post(client, f"/api/v1/requests/{n}/submit", kaur).status_code == 200
    assert _post(client, f"/api/v1/requests/{n}/endorse", prov, comment="ok").status_code == 200
    # Approving more than asked needs a reason: 400, nothing written.
    more = _post(client, f"/api/v1/requests/{n}/approve", pusat, quantity=400)
    assert more.status_code == 400 and more.json()["error"]["field"] == "reason"
    # A province's user reaches no directorate step (its routes: read, endorse, return).
    assert _post(client, f"/api/v1/requests/{n}/approve", prov).status_code == 403
    ok = _post(client, f"/api/v1/requests/{n}/approve", pusat, quantity=200, reason="terbatas")
    assert ok.json()["request"]["approved_qty"] == 200
    t1 = _post(client, f"/api/v1/requests/{n}/ship", gudang, qty=120, document="SP-1")
    assert t1.status_code == 200, t1.text
    assert t1.json()["request"]["state"] == "partially_shipped"
    over = _post(client, f"/api/v1/requests/{n}/ship", gudang, qty=81, document="SP-2")
    assert over.status_code == 400 and over.json()["error"]["code"] == "more_than_approved"
    t2 = _post(client, f"/api/v1/requests/{n}/ship", gudang, document="SP-2")
    assert t2.json()["shipment"]["quantity"] == 80
    stok = bearer(client, "stok_kaur")
    for t in (t1, t2):
        s = t.json()["shipment"]["id"]
        got = _post(client, f"/api/v1/shipments/{s}/receive", stok, document=f"BAST-{s}")
        assert got.status_code == 200, got.text
    shown = client.get(f"/api/v1/requests/{n}", headers=kaur).json()
    assert shown["request"]["state"] == "closed"
    assert [e["action"] for e in shown["events"]][:3] == ["draft", "submit", "return"]
    assert len(shown["tranches"]) == 2
    listed = client.get("/api/v1/requests", headers=prov).json()
    assert n in [x["id"] for x in listed]


def test_scope_another_province_or_office_is_not_found(client, ctx) -> None:  # type: ignore[no-untyped-def]
    kaur_req = rq.draft(ctx, office="17.04", quantity=100, reason="x")["request"]["id"]
    oku_req = rq.draft(ctx, office="16.01", quantity=100, reason="x")["request"]["id"]
    rq.submit(ctx, request=kaur_req)
    for user, seen, hidden in (
        ("kepala_prov", kaur_req, oku_req),
        ("kepala_sumsel", oku_req, kaur_req),
        ("kepala_kaur", kaur_req, oku_req),
        ("kepala_bs", None, kaur_req),
        ("kepala_oku", oku_req, kaur_req),
    ):
        who = bearer(client, user)
        listed = {x["id"] for x in client.get("/api/v1/requests", headers=who).json()}
        assert hidden not in listed, user
        if seen is not None:
            assert seen in listed, user
            assert client.get(f"/api/v1/requests/{seen}", headers=who).status_code == 200
        other = client.get(f"/api/v1/requests/{hidden}", headers=who)
        ghost = client.get("/api/v1/requests/999999", headers=who)
        assert other.status_code == ghost.status_code == 404, (user, other.text)
        assert other.json()["error"]["code"] == ghost.json()["error"]["code"]
    # A write on another province's request: 404 too, nothing written.
    who = bearer(client, "kepala_sumsel")
    refused = client.post(f"/api/v1/requests/{kaur_req}/endorse", json={}, headers=who)
    assert refused.status_code == 404
    assert rq.show(ctx, request=kaur_req)["request"]["state"] == "submitted"
    # Pages too.
    login(client, "kepala_sumsel")
    assert client.get(f"/permohonan/{kaur_req}").status_code == 404


def test_pages_list_detail_and_forms(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "kepala_kaur")
    page = client.get("/permohonan")
    assert page.status_code == 200 and 'data-testid="request-draft-form"' in page.text
    made = client.post(
        "/permohonan",
        data={"csrf": csrf_of(page.text), "quantity": "150", "reason": "Pilkades", "idem": "p1"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    n = int(made.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/permohonan/{n}")
    assert detail.status_code == 200
    assert 'data-testid="request-timeline"' in detail.text
    assert 'data-testid="request-submit"' in detail.text
    assert 'data-testid="request-endorse"' not in detail.text
    # Without the CSRF token: refused, nothing written.
    bad = client.post(f"/permohonan/{n}/ajukan", data={"comment": "x"}, follow_redirects=False)
    assert bad.status_code in (400, 403)
    assert rq.show(ctx, request=n)["request"]["state"] == "draft"
    sent = client.post(
        f"/permohonan/{n}/ajukan",
        data={"csrf": csrf_of(detail.text), "comment": "mohon"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert rq.show(ctx, request=n)["request"]["state"] == "submitted"
    # An invalid step from the page: the page again with the error, 400.
    again = client.post(
        f"/permohonan/{n}/ajukan",
        data={"csrf": csrf_of(detail.text), "comment": "lagi"},
        follow_redirects=False,
    )
    assert again.status_code == 400 and 'role="alert"' in again.text
    client.post("/logout", data={"csrf": csrf_of(detail.text)})
    login(client, "kepala_prov")
    listed = client.get("/permohonan")
    assert listed.status_code == 200 and f"/permohonan/{n}" in listed.text
    shown = client.get(f"/permohonan/{n}")
    assert 'data-testid="request-endorse"' in shown.text
    assert 'data-testid="request-return"' in shown.text
    done = client.post(
        f"/permohonan/{n}/setujui-provinsi",
        data={"csrf": csrf_of(shown.text), "comment": "sesuai"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert rq.show(ctx, request=n)["request"]["state"] == "endorsed"
