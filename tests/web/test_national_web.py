"""The national and province view (issue 14, point 2), on SQLite and PostgreSQL: pages, API
and CSV/xlsx export read the office snapshots only; filters and sorting with the offices at
risk first; the tile grid; scopes: the directorate sees the nation and every province, a
province's user its own province only (another: 404), an office's user neither (404: its role may read the view, its scope has none)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from web_helpers import PASSWORD, SECRET, TestClient, bearer, insert_user, session_cookie

from blangko.services.admin import setup, users
from blangko.services.calendar import events
from blangko.services.network import loans, organisation, shipments, snapshots
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

D = organisation.DIRECTORATE_CODE
OFFICES = {"17.04": "KA", "17.01": "KB", "16.01": "KC"}


def _built(ctx):  # type: ignore[no-untyped-def]
    """The directorate, four offices' stock and use, an event, snapshots, the users."""
    setup.init(ctx, directorate=True)
    start = ctx.today() - timedelta(days=60)
    for code, prefix in OFFICES.items():
        setup.create_office(ctx, code=code)
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        if code == "17.01":
            continue  # no stock at all: habis
        writes.record_opening(
            ctx, serials=f"{prefix}0000001-{prefix}0000300", effective=start, office=code
        )
        for i in range(12):
            writes.consume(
                ctx,
                qty=2,
                location="gudang",
                service="hilang",
                effective=start + timedelta(days=4 * i + 1),
                office=code,
            )
    events.add_event(
        ctx,
        name="Pilkades serentak Kaur",
        event_date=ctx.today() + timedelta(days=30),
        kind="pilkades",
        all_villages=True,
        office="17.04",
    )
    snapshots.run(ctx)
    insert_user(ctx, "kepala_pusat", "kepala", D)
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
        yield c


def _codes(view: dict) -> list[str]:  # type: ignore[type-arg]
    return [o["code"] for o in view["offices"]]


def test_the_directorate_sees_the_nation_at_risk_first(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_pusat")
    r = client.get("/api/v1/national", headers=who)
    assert r.status_code == 200, r.text
    v = r.json()
    assert sorted(_codes(v)) == sorted(OFFICES)
    assert v["offices"][0]["code"] == "17.01" and v["offices"][0]["level"] == "habis"
    assert [p["code"] for p in v["provinces"]] == ["16", "17"]
    seventeen = next(p for p in v["provinces"] if p["code"] == "17")
    assert seventeen["offices"] == 2 and seventeen["level"] == "habis"
    kaur = next(o for o in v["offices"] if o["code"] == "17.04")
    assert kaur["election"]["name"].startswith("Pilkades serentak Kaur")
    # Filters and sorting.
    f = client.get("/api/v1/national?province=16", headers=who).json()
    assert _codes(f) == ["16.01"]
    assert _codes(client.get("/api/v1/national?risk=habis", headers=who).json()) == ["17.01"]
    assert _codes(client.get("/api/v1/national?election=true", headers=who).json()) == ["17.04"]
    assert _codes(client.get("/api/v1/national?sort=code", headers=who).json()) == sorted(OFFICES)
    bad = client.get("/api/v1/national?risk=merah", headers=who)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "risk"
    # A province of the directorate's.
    p = client.get("/api/v1/provinces/17", headers=who).json()
    assert sorted(_codes(p)) == ["17.01", "17.04"]
    assert client.get("/api/v1/provinces/99", headers=who).status_code == 404


def test_the_pages_and_exports(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    page = client.get("/nasional")
    assert page.status_code == 200, page.text[-500:]
    html = page.text
    assert 'data-testid="tiles"' in html and 'href="/provinsi/17"' in html
    assert 'data-tile="17"' in html and 'data-level="habis"' in html
    assert html.index('data-office-row="17.01"') < html.index('data-office-row="17.04"')
    prov = client.get("/provinsi/17")
    assert prov.status_code == 200 and 'data-office-row="16.01"' not in prov.text
    assert 'data-tile="04"' in prov.text
    assert client.get("/provinsi/99").status_code == 404
    rows = list(
        csv.reader(io.StringIO(client.get("/nasional/unduh?fmt=csv").content.decode("utf-8-sig")))
    )
    assert rows[0][0] == "Kode kantor" and [r[0] for r in rows[1:]][0] == "17.01"
    assert sorted(r[0] for r in rows[1:]) == sorted(OFFICES)
    x = client.get("/provinsi/17/unduh?fmt=xlsx&risk=habis")
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.content), read_only=True).active
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [r[0] for r in got[1:]] == ["17.01"]
    assert client.get("/nasional/unduh?fmt=pdf").status_code == 400


def test_the_pages_read_the_snapshots_only(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_pusat")
    before = {
        o["code"]: o["on_hand"]
        for o in client.get("/api/v1/national", headers=who).json()["offices"]
    }
    writes.consume(client.ctx, qty=5, location="gudang", service="hilang", office="16.01")
    unchanged = {
        o["code"]: o["on_hand"]
        for o in client.get("/api/v1/national", headers=who).json()["offices"]
    }
    assert unchanged == before  # not read from the ledger
    snapshots.run(client.ctx)
    after = {
        o["code"]: o["on_hand"]
        for o in client.get("/api/v1/national", headers=who).json()["offices"]
    }
    assert after["16.01"] == before["16.01"] - 5


def test_a_province_user_sees_its_province_only(client) -> None:  # type: ignore[no-untyped-def]
    who = bearer(client, "kepala_prov")
    assert client.get("/api/v1/national", headers=who).status_code == 403
    mine = client.get("/api/v1/provinces/17", headers=who)
    assert mine.status_code == 200 and sorted(_codes(mine.json())) == ["17.01", "17.04"]
    other = client.get("/api/v1/provinces/16", headers=who)
    ghost = client.get("/api/v1/provinces/99", headers=who)
    assert other.status_code == ghost.status_code == 404
    assert "16.01" not in other.text
    client.cookies.update(session_cookie(client.app, "kepala_prov"))
    assert client.get("/nasional").status_code == 403
    assert client.get("/nasional/unduh?fmt=csv").status_code == 403
    assert client.get("/provinsi/17").status_code == 200
    assert client.get("/provinsi/16").status_code == 404
    assert client.get("/provinsi/16/unduh?fmt=csv").status_code == 404


def test_an_office_user_sees_neither(client) -> None:  # type: ignore[no-untyped-def]
    """Its role may read the view, its scope has none: not found (404), as the route table
    allows the role (403 is a refusal by role)."""
    who = bearer(client, "kepala_kaur")
    for path in ("/api/v1/national", "/api/v1/provinces/17", "/api/v1/provinces/16"):
        r = client.get(path, headers=who)
        assert r.status_code == 404, path
        assert "17.01" not in r.text and "16.01" not in r.text
    client.cookies.update(session_cookie(client.app, "kepala_kaur"))
    for path in ("/nasional", "/provinsi/17", "/provinsi/17/unduh?fmt=csv", "/nasional/unduh"):
        assert client.get(path).status_code == 404, path
    # A role the route table does not allow is refused by role.
    insert_user(client.ctx, "operator_kaur", "operator", "17.04")
    assert (
        client.get("/api/v1/national", headers=bearer(client, "operator_kaur")).status_code == 403
    )


def _loan(client) -> int:  # type: ignore[no-untyped-def]
    """Kaur (17.04) lends 40 blanks to Ogan Komering Ulu (16.01), due in 10 days: sent and
    received (open), snapshots computed after."""
    ctx = client.ctx
    n = loans.arrange(
        ctx,
        lender="17.04",
        borrower="16.01",
        quantity=40,
        reason="OKU kehabisan",
        due=ctx.today() + timedelta(days=10),
    )["loan"]["id"]
    sent = loans.send(ctx, loan=n, document="SP-PINJAM", office="17.04")["shipment"]
    assert sent is not None
    shipments.receive(ctx, shipment=sent["id"], document="BAST-OKU", office="16.01")
    snapshots.run(client.ctx)
    return int(n)


def test_open_loans_on_the_pages_api_and_export(client) -> None:  # type: ignore[no-untyped-def]
    """An office's open loans, as its dashboard shows them, on its national and province
    rows, in the API and in the exports (the consistency test compares the values too)."""
    n = _loan(client)
    shown = {c: loans.open_for(client.ctx, c) for c in OFFICES}
    assert [x["id"] for x in shown["17.04"]] == [n] == [x["id"] for x in shown["16.01"]]
    api = client.get("/api/v1/national", headers=bearer(client, "kepala_pusat")).json()
    by_code = {o["code"]: o for o in api["offices"]}
    for code, dash in shown.items():
        assert by_code[code]["open_loans"] == [
            {k: x[k] for k in snapshots.LOAN_FIELDS}  # type: ignore[literal-required]
            for x in dash
        ]
    assert by_code["16.01"]["open_loans"][0]["outstanding"] == 40
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    html = client.get("/nasional").text
    cell = html.split('data-open-loans="16.01"', 1)[1].split("</td>", 1)[0]
    assert f'data-loan="{n}"' in cell and 'data-outstanding="40"' in cell and "17.04" in cell
    prov = client.get("/provinsi/17").text
    lent = prov.split('data-open-loans="17.04"', 1)[1].split("</td>", 1)[0]
    assert f'data-loan="{n}"' in lent and "16.01" in lent
    client.cookies.clear()
    client.cookies.update(session_cookie(client.app, "kepala_kaur"))
    assert f'data-figure="open_loan" data-loan="{n}"' in client.get("/").text
    client.cookies.clear()
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    rows = list(
        csv.reader(io.StringIO(client.get("/nasional/unduh?fmt=csv").content.decode("utf-8-sig")))
    )
    head = rows[0]
    row = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert row["17.04"]["Sisa dipinjamkan ke kantor lain"] == "40"
    assert row["16.01"]["Sisa dipinjam dari kantor lain"] == "40"
    assert row["16.01"]["Pinjaman lewat jatuh tempo"] == "0"
    assert f"#{n} dari 17.04 sisa 40" in row["16.01"]["Pinjaman terbuka"]
    assert row["17.01"]["Pinjaman terbuka"] == ""


def test_a_view_after_new_snapshots_shows_the_new_figures(client) -> None:  # type: ignore[no-untyped-def]
    """The view is kept per snapshots' generation: read twice it is computed once; a loan
    step and the snapshots after it show on the next read of the page and the API."""
    who = bearer(client, "kepala_pusat")
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    first = client.get("/nasional").text
    cache = client.app.state.national_cache
    hits = cache.hits
    assert client.get("/nasional").text == first
    assert cache.hits == hits + 1
    assert 'data-open-loans="16.01">–' in first
    n = _loan(client)
    html = client.get("/nasional").text
    assert f'data-loan="{n}"' in html.split('data-open-loans="16.01"', 1)[1].split("</td>")[0]
    loans.write_off(client.ctx, loan=n, reason="Habis terpakai")
    stale = client.get("/api/v1/national", headers=who).json()
    assert {o["code"]: o["open_loans"] for o in stale["offices"]}["16.01"] != []
    snapshots.run(client.ctx)
    fresh = client.get("/api/v1/national", headers=who).json()
    assert {o["code"]: o["open_loans"] for o in fresh["offices"]}["16.01"] == []
    assert 'data-open-loans="16.01">–' in client.get("/nasional").text


def test_the_cache_never_crosses_scopes(client) -> None:  # type: ignore[no-untyped-def]
    """With the directorate's views of the nation and of both provinces computed and kept, a
    province's user still gets its own province only, and not found elsewhere."""
    pusat = bearer(client, "kepala_pusat")
    for path in ("/api/v1/national", "/api/v1/provinces/16", "/api/v1/provinces/17"):
        assert client.get(path, headers=pusat).status_code == 200
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))
    for path in ("/nasional", "/provinsi/16", "/provinsi/17", "/nasional?province=16"):
        assert client.get(path).status_code == 200
    prov = bearer(client, "kepala_prov")
    assert client.get("/api/v1/national", headers=prov).status_code == 403
    other = client.get("/api/v1/provinces/16", headers=prov)
    assert other.status_code == 404 and "16.01" not in other.text
    mine = client.get("/api/v1/provinces/17", headers=prov).json()
    assert sorted(_codes(mine)) == ["17.01", "17.04"]
    client.cookies.clear()
    client.cookies.update(session_cookie(client.app, "kepala_prov"))
    page = client.get("/provinsi/17")
    assert page.status_code == 200 and 'data-office-row="16.01"' not in page.text
    assert client.get("/provinsi/16").status_code == 404
    assert client.get("/nasional").status_code == 403
    # The reach is part of the key: the province user's view is its own entry.
    keys = list(client.app.state.national_cache._items)
    assert {(k[2], k[3]) for k in keys} == {(True, None), (False, "17")}
    kaur = bearer(client, "kepala_kaur")
    assert client.get("/api/v1/provinces/17", headers=kaur).status_code == 404


def test_in_transit_is_incoming_on_the_national_view_and_outgoing_on_the_network(client) -> None:  # type: ignore[no-untyped-def]
    """Kaur (17.04) sends 20 blanks to OKU (16.01), not yet received. The national and
    province view's "Dalam perjalanan ke kantor" is what is on its way TO an office (OKU: 20,
    Kaur: 0: the stock it will have); the network page's "Dikirim, belum diterima" is what an
    office has sent that is not received yet (Kaur: 20). Both columns were headed "Dalam
    perjalanan", the same office showing two different numbers under one name."""
    ctx = client.ctx
    shipments.send(ctx, from_office="17.04", to_office="16.01", document="SP-OKU", qty=20)
    snapshots.run(ctx)
    api = client.get("/api/v1/national", headers=bearer(client, "kepala_pusat")).json()
    incoming = {o["code"]: o["in_transit"] for o in api["offices"]}
    assert incoming == {"17.04": 0, "17.01": 0, "16.01": 20}
    net = client.get("/api/v1/network", headers=bearer(client, "kepala_pusat")).json()
    outgoing = {o["code"]: o["in_transit"] for p in net["provinces"] for o in p["offices"]}
    assert outgoing == {"17.04": 20, "17.01": 0, "16.01": 0}
    assert net["in_transit"] == 20 == sum(incoming.values())  # the network's total: one number
    client.cookies.update(session_cookie(client.app, "kepala_pusat"))

    def cells(html: str, marker: str) -> list[str]:
        row = html.split(marker, 1)[1].split("</tr>", 1)[0]
        return [c.split(">", 1)[1].strip() for c in row.split("<td")[1:]]

    national = client.get("/nasional").text
    assert "Dalam perjalanan ke kantor" in national
    assert ">Dalam perjalanan<" not in national
    assert cells(national, 'data-office-row="16.01"')[3].startswith("20<")
    assert cells(national, 'data-office-row="17.04"')[3].startswith("0<")
    network = client.get("/jaringan").text
    assert "Dikirim, belum diterima" in network
    assert cells(network, 'data-testid="office-17.04"')[3].startswith("20<")
    assert cells(network, 'data-testid="office-16.01"')[3].startswith("0<")
