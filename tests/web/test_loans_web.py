"""Loans between offices on the web (issue 13, point 5): the API (/api/v1/loans) with each
role and scope doing its step (the province arranges, the lender's stock keeper sends, the
borrower's receives and returns, the directorate's head writes off), refusals with nothing
written, idempotent replays; the page /pinjaman with the actions of each user, and the
"Pinjaman" section of both offices' dashboards. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from web_helpers import PASSWORD, SECRET, TestClient, bearer, csrf_of, insert_user, login

from blangko.adapters import tables as t
from blangko.adapters.tables_loans import loan, loan_event
from blangko.services.admin import setup, users
from blangko.services.network import organisation
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"


def _built(ctx):  # type: ignore[no-untyped-def]
    """Three offices, a shipment received at Bengkulu Selatan, the users."""
    setup.init(ctx, directorate=True)
    for code in (KAUR, BS, OKU):
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="BS0000001-BS0001000",
        source="Ditjen Dukcapil",
        document="BAST-BS",
        effective=date(2026, 11, 2),
        office=BS,
    )
    for name, role, office in (
        ("kepala_pusat", "kepala", D),
        ("stok_pusat", "pengelola_stok", D),
        ("stok_kaur", "pengelola_stok", KAUR),
        ("kepala_kaur", "kepala", KAUR),
        ("stok_bs", "pengelola_stok", BS),
        ("stok_oku", "pengelola_stok", OKU),
    ):
        insert_user(ctx, name, role, office)
    for name, role, province in (
        ("kepala_prov", "kepala", "17"),
        ("auditor_prov", "auditor", "17"),
        ("kepala_sumsel", "kepala", "16"),
    ):
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username=name,
            role=role,
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
        c.ctx = ctx
        yield c


def _written(ctx) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    with ctx.engine.connect() as conn:
        return (
            tuple(conn.execute(select(t.office.c.code, t.office.c.ledger_seq)).all()),
            conn.execute(select(func.count()).select_from(t.shipment)).scalar_one(),
            tuple(conn.execute(select(loan).order_by(loan.c.id)).all()),
            conn.execute(select(func.count()).select_from(loan_event)).scalar_one(),
        )


def _due(client) -> str:  # type: ignore[no-untyped-def]
    return (client.ctx.today() + timedelta(days=30)).isoformat()


def _arrangement(client, **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "lender": BS,
        "borrower": KAUR,
        "quantity": 300,
        "reason": "Kaur kehabisan blangko",
        "due": _due(client),
        **kw,
    }


def test_a_loan_through_the_api(client) -> None:  # type: ignore[no-untyped-def]
    prov = bearer(client, "kepala_prov")
    r = client.post(
        "/api/v1/loans", json=_arrangement(client), headers={**prov, "Idempotency-Key": "a1"}
    )
    assert r.status_code == 200, r.text
    n = r.json()["loan"]["id"]
    again = client.post(
        "/api/v1/loans", json=_arrangement(client), headers={**prov, "Idempotency-Key": "a1"}
    )
    assert again.json()["replayed"] is True and again.json()["loan"]["id"] == n
    # The borrower's stock keeper cannot send it; the lender's does.
    refused = client.post(
        f"/api/v1/loans/{n}/send", json={"document": "SP"}, headers=bearer(client, "stok_kaur")
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_lender"
    stok_bs = bearer(client, "stok_bs")
    sent = client.post(
        f"/api/v1/loans/{n}/send",
        json={"document": "SP-PINJAM"},
        headers={**stok_bs, "Idempotency-Key": "s1"},
    )
    assert sent.status_code == 200, sent.text
    shipment = sent.json()["shipment"]
    assert shipment["loan_id"] == n
    stok_kaur = bearer(client, "stok_kaur")
    got = client.post(
        f"/api/v1/shipments/{shipment['id']}/receive",
        json={"document": "BAST-KAUR"},
        headers=stok_kaur,
    )
    assert got.status_code == 200, got.text
    shown = client.get(f"/api/v1/loans/{n}", headers=prov).json()
    assert (shown["status"], shown["outstanding"]) == ("open", 300)
    # The network view of the province shows it open.
    network = client.get("/api/v1/network", headers=prov).json()
    assert [x["id"] for x in network["open_loans"]] == [n]
    # Returning more than lent: 400, nothing written.
    before = _written(client.ctx)
    too_much = client.post(
        f"/api/v1/loans/{n}/return", json={"document": "K", "qty": 301}, headers=stok_kaur
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"] == {
        "code": "return_exceeds",
        "field": "qty",
        "message": too_much.json()["error"]["message"],
    }
    assert _written(client.ctx) == before
    back = client.post(
        f"/api/v1/loans/{n}/return", json={"document": "K-1", "qty": 100}, headers=stok_kaur
    )
    assert back.status_code == 200, back.text
    client.post(
        f"/api/v1/shipments/{back.json()['shipment']['id']}/receive",
        json={"document": "BAST-BS-K1"},
        headers=stok_bs,
    )
    # Writing off: the province and an office's head are refused; the directorate's head not.
    before = _written(client.ctx)
    for who in ("kepala_prov", "kepala_kaur"):
        r = client.post(
            f"/api/v1/loans/{n}/write-off",
            json={"reason": "terpakai"},
            headers=bearer(client, who),
        )
        assert r.status_code == 403, (who, r.text)
    assert _written(client.ctx) == before
    off = client.post(
        f"/api/v1/loans/{n}/write-off",
        json={"reason": "Terpakai untuk pilkades"},
        headers=bearer(client, "kepala_pusat"),
    )
    assert off.status_code == 200, off.text
    assert off.json()["loan"]["status"] == "written_off"
    assert off.json()["loan"]["written_off"] == 200
    steps = [e["step"] for e in off.json()["loan"]["events"]]
    assert steps == ["arranged", "sent", "received", "return_sent", "returned", "written_off"]


def test_scopes_and_bad_input_on_the_api(client) -> None:  # type: ignore[no-untyped-def]
    prov = bearer(client, "kepala_prov")
    n = client.post("/api/v1/loans", json=_arrangement(client), headers=prov).json()["loan"]["id"]
    before = _written(client.ctx)
    bad = [
        ("kepala_prov", {"borrower": BS}, 400, "same_office"),
        ("kepala_prov", {"borrower": OKU}, 403, "outside_province"),
        ("kepala_sumsel", {}, 403, "outside_province"),
        ("kepala_prov", {"lender": "17.99"}, 404, "unknown_office"),
        ("kepala_prov", {"quantity": 0}, 400, "qty_positive"),
        ("kepala_prov", {"quantity": -3}, 400, "qty_positive"),
        ("kepala_kaur", {}, 403, "loan_arranger"),
    ]
    for user, change, status, code in bad:
        r = client.post(
            "/api/v1/loans", json=_arrangement(client, **change), headers=bearer(client, user)
        )
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (user, change, r.text)
    assert _written(client.ctx) == before
    # The directorate arranges across provinces.
    across = client.post(
        "/api/v1/loans",
        json=_arrangement(client, lender=OKU),
        headers=bearer(client, "kepala_pusat"),
    )
    assert across.status_code == 200, across.text
    # Another province's user, another office: the loan is not found, as one that does not exist.
    for user in ("kepala_sumsel", "stok_oku"):
        who = bearer(client, user)
        assert client.get(f"/api/v1/loans/{n}", headers=who).status_code == 404
        assert client.get("/api/v1/loans/999999", headers=who).status_code == 404
        assert n not in [x["id"] for x in client.get("/api/v1/loans", headers=who).json()]
    r = client.post(
        f"/api/v1/loans/{n}/send", json={"document": "SP"}, headers=bearer(client, "stok_oku")
    )
    assert r.status_code == 404
    # The province's user reads the loans of its province; the lender's office sees its own.
    seen = {x["id"] for x in client.get("/api/v1/loans", headers=prov).json()}
    assert n in seen
    assert {
        x["id"] for x in client.get("/api/v1/loans", headers=bearer(client, "stok_bs")).json()
    } == {n}
    assert {
        x["id"] for x in client.get("/api/v1/loans", headers=bearer(client, "stok_oku")).json()
    } == {across.json()["loan"]["id"]}


def test_the_loans_page_and_the_dashboards(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "kepala_prov").status_code == 303
    page = client.get("/pinjaman")
    assert page.status_code == 200
    assert 'data-testid="loan-form"' in page.text
    assert 'data-testid="office-choices"' in page.text
    made = client.post(
        "/pinjaman",
        data={
            "csrf": csrf_of(page.text),
            "lender": BS,
            "borrower": KAUR,
            "quantity": "40",
            "reason": "Stok Kaur menipis",
            "due": _due(client),
            "idem": "halaman-1",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    listed = client.get("/pinjaman").text
    assert 'data-testid="loan-1"' in listed and "Stok Kaur menipis" in listed
    # A refused arrangement shows the error on the page, nothing written.
    before = _written(client.ctx)
    wrong = client.post(
        "/pinjaman",
        data={
            "csrf": csrf_of(listed),
            "lender": BS,
            "borrower": BS,
            "quantity": "40",
            "reason": "x",
            "due": _due(client),
        },
    )
    assert wrong.status_code == 400 and "Kantor peminjam sama" in wrong.text
    assert _written(client.ctx) == before
    client.cookies.clear()
    # The lender's stock keeper sees the send button and sends.
    assert login(client, "stok_bs").status_code == 303
    page = client.get("/pinjaman")
    assert 'action="/pinjaman/1/kirim"' in page.text and 'data-testid="loan-form"' not in page.text
    sent = client.post(
        "/pinjaman/1/kirim",
        data={"csrf": csrf_of(page.text), "document": "SP-HAL-1", "idem": "k1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    dash = client.get("/").text
    assert 'data-testid="open-loans"' in dash
    client.cookies.clear()
    assert login(client, "stok_kaur").status_code == 303
    assert 'data-testid="open-loans"' in client.get("/").text
    page = client.get("/pinjaman").text
    assert 'action="/pinjaman/1/kirim"' not in page


def test_the_due_date_takes_dd_mm_yyyy_and_refuses_nonsense(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "kepala_prov").status_code == 303
    page = client.get("/pinjaman").text
    assert 'type="date"' not in page and 'name="due" value="" inputmode="numeric"' in page
    form = {"csrf": csrf_of(page), "lender": BS, "borrower": KAUR, "quantity": "40",
            "reason": "Stok Kaur menipis"}  # fmt: skip
    before = _written(client.ctx)
    bad = client.post("/pinjaman", data={**form, "due": "bulan depan"})
    assert bad.status_code == 400 and 'data-testid="field-error-due"' in bad.text
    assert "hh-bb-tttt" in bad.text and _written(client.ctx) == before
    due = client.ctx.today() + timedelta(days=30)
    made = client.post("/pinjaman", data={**form, "due": f"{due:%d-%m-%Y}"}, follow_redirects=False)
    assert made.status_code == 303, made.text[-400:]
    with client.ctx.engine.connect() as conn:
        assert conn.execute(select(loan.c.due_date)).scalars().all() == [due]
