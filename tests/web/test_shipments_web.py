"""Shipments and the network on the web pages (issue 13; docs/network.md): /kiriman lists the
shipments within the user's reach and filters them by status, /kiriman/{id} shows one with the
entries on each side, the receiving stock keeper receives it in full, short or with damaged
serials through the form (bad input: the field's error, nothing written; a replayed form: one
receipt), the sending stock keeper sends through the form, another office's shipment is not
found, a province's user reads its province's and not another's; /jaringan shows the tree
within reach. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from web_helpers import PASSWORD, SECRET, TestClient, csrf_of, insert_user, login

from blangko.adapters import tables as t
from blangko.services.admin import setup, users
from blangko.services.network import organisation, shipments
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE
KAUR, BS, OKU = "17.04", "17.01", "16.01"


def _network(ctx):  # type: ignore[no-untyped-def]
    """The directorate, three offices, their users and two shipments under way."""
    setup.init(ctx, directorate=True)
    for code in (KAUR, BS, OKU):
        setup.create_office(ctx, code=code)
    for code, prefix in ((BS, "BS"), (OKU, "OK")):
        writes.receive_shipment(
            ctx,
            serials=f"{prefix}0000001-{prefix}0001000",
            source="Ditjen Dukcapil",
            document=f"BAST-{prefix}",
            effective=date(2026, 11, 2),
            office=code,
        )
    for name, role, office in (
        ("kepala_pusat", "kepala", D),
        ("stok_kaur", "pengelola_stok", KAUR),
        ("kepala_kaur", "kepala", KAUR),
        ("auditor_kaur", "auditor", KAUR),
        ("operator_kaur", "operator", KAUR),
        ("stok_bs", "pengelola_stok", BS),
        ("stok_oku", "pengelola_stok", OKU),
    ):
        insert_user(ctx, name, role, office)
    for name, role, province in (
        ("kepala_prov", "kepala", "17"),
        ("kepala_sumsel", "kepala", "16"),
    ):
        users.add_user(
            ctx, scope=users.MACHINE, username=name, role=role, password=PASSWORD, province=province
        )
    # BS sends 100 to Kaur; OKU 50 to the directorate (another province's shipment).
    shipments.send(
        ctx,
        from_office=BS,
        to_office=KAUR,
        document="SP-BS-1",
        serials="BS0000001-BS0000100",
        effective=date(2026, 11, 20),
    )
    shipments.send(
        ctx,
        from_office=OKU,
        to_office=D,
        document="SP-OKU-1",
        qty=50,
        effective=date(2026, 11, 21),
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_network`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _network)


@pytest.fixture
def client(ctx):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ctx, settings=Settings(secret_key=SECRET))) as c:
        c.ctx = ctx
        yield c


def _written(ctx) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    with ctx.engine.connect() as conn:
        return (
            tuple(conn.execute(select(t.office.c.code, t.office.c.ledger_seq)).all()),
            tuple(conn.execute(select(t.shipment).order_by(t.shipment.c.id)).all()),
            conn.execute(select(func.count()).select_from(t.ledger_entry)).scalar_one(),
        )


def _receive(client, n: int, **fields: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/kiriman/{n}")
    assert page.status_code == 200, page.text
    assert 'data-testid="receive-form"' in page.text
    data = {"csrf": csrf_of(page.text), "idem": f"terima-{n}", **fields}
    return client.post(f"/kiriman/{n}/terima", data=data, follow_redirects=False)


def _field_error(html: str, field: str) -> str:
    m = re.search(rf'data-testid="field-error-{field}">([^<]*)<', html)
    assert m, f"no error next to the field {field}"
    return m.group(1)


def test_the_list_filters_and_shows_each_shipment(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "kepala_kaur").status_code == 303
    page = client.get("/kiriman")
    assert page.status_code == 200
    assert 'data-testid="shipment-1"' in page.text and 'data-testid="shipment-2"' not in page.text
    assert "SP-BS-1" in page.text and "dalam perjalanan" in page.text
    # A head reads; only the stock keeper sends.
    assert 'data-testid="send-form"' not in page.text
    assert 'data-testid="shipment-1"' in client.get("/kiriman?status=in_transit").text
    assert 'data-testid="shipment-1"' not in client.get("/kiriman?status=received").text
    bad = client.get("/kiriman?status=hilang")
    assert bad.status_code == 400 and 'data-field="status"' in bad.text
    one = client.get("/kiriman/1")
    assert one.status_code == 200
    assert "BS0000001-BS0000100" in one.text and 'data-testid="receive-form"' not in one.text
    # The sender's ship_out entry is shown; the receiver's side waits.
    assert "SP-BS-1" in one.text and "Belum diterima" in one.text
    # Another office's shipment: as unknown as one that does not exist.
    assert client.get("/kiriman/2").status_code == 404
    assert client.get("/kiriman/999").status_code == 404


def test_receive_in_full_through_the_form(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "stok_kaur").status_code == 303
    r = _receive(client, 1, document="BAST-KAUR-1", date="2026-11-22")
    assert r.status_code == 303 and r.headers["location"] == "/kiriman/1"
    page = client.get("/kiriman/1").text
    assert 'data-testid="shipment-status">diterima' in page
    assert re.search(r'data-testid="arrived">100<', page)
    assert re.search(r'data-testid="lost">0<', page)
    assert "BAST-KAUR-1" in page and 'data-testid="receive-form"' not in page
    with client.ctx.engine.connect() as conn:
        row = conn.execute(select(t.shipment).where(t.shipment.c.id == 1)).one()
    assert (row.status, row.received_qty, row.lost_qty, row.damaged_qty) == ("received", 100, 0, 0)
    # The same form again (its idempotency key): one receipt, no second write.
    before = _written(client.ctx)
    again = client.post(
        "/kiriman/1/terima",
        data={
            "csrf": csrf_of(page),
            "idem": "terima-1",
            "document": "BAST-KAUR-1",
            "date": "2026-11-22",
        },
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert _written(client.ctx) == before
    # A new submission of a received shipment: refused, named.
    twice = client.post(
        "/kiriman/1/terima",
        data={"csrf": csrf_of(page), "idem": "lain", "document": "BAST-2"},
    )
    assert twice.status_code == 409 and "hanya diterima sekali" in twice.text
    assert _written(client.ctx) == before


def test_receive_short_and_damaged_through_the_form(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "stok_kaur").status_code == 303
    r = _receive(
        client,
        1,
        document="BAST-KAUR-2",
        missing="BS0000091-BS0000100",
        missing_document="BA-KURANG-1",
        damaged="BS0000001-BS0000003",
        date="2026-11-22",
    )
    assert r.status_code == 303, r.text
    page = client.get("/kiriman/1").text
    assert re.search(r'data-testid="arrived">90<', page)
    assert re.search(r'data-testid="lost">10 · BA-KURANG-1<', page)
    assert re.search(r'data-testid="damaged">3<', page)
    # The receiver's entries: arrived, lost in transit, damaged, each with its serials.
    assert "BS0000001-BS0000090" in page and "BS0000091-BS0000100" in page
    assert "BS0000001-BS0000003" in page
    with client.ctx.engine.connect() as conn:
        kinds = sorted(
            conn.execute(
                select(t.ledger_entry.c.kind).where(t.ledger_entry.c.office_code == KAUR)
            ).scalars()
        )
    assert kinds == ["ship_in", "spoil", "transit_loss"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"document": ""}, "document"),
        ({"document": "BAST", "missing": "BS0000099-BS0000100"}, "missing_document"),
        ({"document": "BAST", "missing": "XX1-XX2", "missing_document": "BA"}, "missing"),
        ({"document": "BAST", "damaged": "BS0000500"}, "damaged"),
        ({"document": "BAST", "date": "01-11-2026"}, "date"),
        ({"document": "BAST", "date": "kemarin"}, "date"),
        (
            {
                "document": "BAST",
                "missing": "BS0000001",
                "missing_document": "BA",
                "damaged": "BS0000001",
            },
            "damaged",
        ),
    ],
)
def test_bad_receipts_name_the_field_and_write_nothing(client, fields, field) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "stok_kaur").status_code == 303
    before = _written(client.ctx)
    r = _receive(client, 1, **fields)
    assert 400 <= r.status_code < 500, r.text
    assert f'data-field="{field}"' in r.text
    assert _field_error(r.text, field)
    assert _written(client.ctx) == before
    # The form keeps what was typed.
    for value in fields.values():
        assert value in r.text


def test_send_through_the_form(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "stok_bs").status_code == 303
    page = client.get("/kiriman")
    assert 'data-testid="send-form"' in page.text
    # The receivers: the database's other offices, the directorate too; not itself.
    assert f'<option value="{OKU}"' in page.text and f'<option value="{D}"' in page.text
    assert f'<option value="{BS}"' not in page.text
    before = _written(client.ctx)
    for data, field in (
        ({"to": KAUR, "document": "SP"}, "serials"),
        ({"to": KAUR, "document": "SP", "qty": "banyak"}, "qty"),
        ({"to": KAUR, "document": "SP", "qty": "5000"}, "qty"),
        ({"to": KAUR, "document": "", "qty": "10"}, "document"),
        ({"to": "99.99", "document": "SP", "qty": "10"}, "to"),
        ({"to": KAUR, "document": "SP", "serials": "BS0000001-BS0000010"}, "serials"),
    ):
        bad = client.post("/kiriman", data={"csrf": csrf_of(page.text), **data})
        assert 400 <= bad.status_code < 500, (data, bad.text)
        assert f'data-field="{field}"' in bad.text and _field_error(bad.text, field), data
        assert _written(client.ctx) == before
    form = {"csrf": csrf_of(page.text), "idem": "kirim-1", "to": KAUR, "document": "SP-BS-2"}
    sent = client.post("/kiriman", data={**form, "qty": "25"}, follow_redirects=False)
    # (PostgreSQL's sequence may have moved on by the refused sends: the id is read back.)
    assert sent.status_code == 303 and re.fullmatch(r"/kiriman/\d+", sent.headers["location"])
    where = sent.headers["location"]
    shown = client.get(where).text
    assert "BS0000101-BS0000125" in shown and "SP-BS-2" in shown
    after = _written(client.ctx)
    again = client.post("/kiriman", data={**form, "qty": "25"}, follow_redirects=False)
    assert again.headers["location"] == where and _written(client.ctx) == after
    # The sender cannot receive its own shipment (no form; a forged post is refused).
    assert 'data-testid="receive-form"' not in shown
    forged = client.post(f"{where}/terima", data={"csrf": csrf_of(shown), "document": "BAST"})
    assert forged.status_code == 400 and _written(client.ctx) == after


def test_scope(client) -> None:  # type: ignore[no-untyped-def]
    # Another office's stock keeper: not found, on reading and on receiving; nothing written.
    assert login(client, "stok_oku").status_code == 303
    assert client.get("/kiriman/1").status_code == 404
    page = client.get("/kiriman")
    assert 'data-testid="shipment-1"' not in page.text and 'data-testid="shipment-2"' in page.text
    before = _written(client.ctx)
    r = client.post("/kiriman/1/terima", data={"csrf": csrf_of(page.text), "document": "BAST"})
    assert r.status_code == 404 and _written(client.ctx) == before
    # The province's user reads its province's shipment, not another province's.
    assert login(client, "kepala_prov").status_code == 303
    listed = client.get("/kiriman").text
    assert 'data-testid="shipment-1"' in listed and 'data-testid="shipment-2"' not in listed
    assert 'data-testid="send-form"' not in listed
    one = client.get("/kiriman/1")
    assert one.status_code == 200 and 'data-testid="receive-form"' not in one.text
    assert client.get("/kiriman/2").status_code == 404
    assert login(client, "kepala_sumsel").status_code == 303
    assert client.get("/kiriman/2").status_code == 200
    assert client.get("/kiriman/1").status_code == 404
    # The directorate reads both.
    assert login(client, "kepala_pusat").status_code == 303
    listed = client.get("/kiriman").text
    assert 'data-testid="shipment-1"' in listed and 'data-testid="shipment-2"' in listed
    # The counter operator does not read shipments.
    assert login(client, "operator_kaur").status_code == 303
    assert client.get("/kiriman").status_code == 403


def test_the_network_page(client) -> None:  # type: ignore[no-untyped-def]
    assert login(client, "kepala_prov").status_code == 303
    page = client.get("/jaringan")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="office-17.04"' in text and 'data-testid="office-17.01"' in text
    assert 'data-testid="office-16.01"' not in text and 'data-testid="directorate"' not in text
    assert 'href="/stok?office=17.01"' in text and 'href="/provinsi/17"' in text
    assert 'href="/nasional"' not in text
    assert login(client, "kepala_pusat").status_code == 303
    text = client.get("/jaringan").text
    assert 'data-testid="directorate"' in text and 'data-testid="office-16.01"' in text
    assert 'href="/nasional"' in text and 'href="/provinsi/16"' in text
    assert login(client, "auditor_kaur").status_code == 303
    text = client.get("/jaringan").text
    assert 'data-testid="office-17.04"' in text and 'data-testid="office-17.01"' not in text
    assert "?office=" not in text
