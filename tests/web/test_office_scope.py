"""Offices sealed from each other (issue 19, findings 1 and 2), in a database of two offices:
Kaur (17.04, office A) and Bengkulu Selatan (17.01, office B).

- An administrator manages only their own office's users: another office's users are "not
  found" (their existence is not revealed), a new user goes to the administrator's own office
  and naming another one is refused (403), and the list holds only their office's users.
- A user without an office (made while the database held one office, as `user add` without
  `--office` allowed) is refused every office's data once the database holds two; `user add`
  without `--office` is refused there.

The accounts are written straight into the table and every check goes through HTTP or the
command line, so the same tests run against an older release of the code.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from sqlalchemy import select
from web_helpers import (
    SECRET,
    TestClient,
    add_resident,
    bearer,
    csrf_of,
    insert_user,
    login,
)

from blangko.adapters import tables as t
from blangko.adapters.tables_users import app_user
from blangko.services.admin import setup
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app
from blangko_main import run_blangko

A, B = "17.04", "17.01"
NEW_PASSWORD = "sandi-baru-yang-panjang"


def _built(ctx):  # type: ignore[no-untyped-def]
    """Kaur (A) with its station as the `office` fixture makes it, office B, their users."""
    setup.create_office(ctx, code=A)
    setup.add_location(ctx, name="loket-1", kind="station", office=A)
    # Made while Kaur was the only office, without an office (allowed then).
    insert_user(ctx, "nomad", "operator")
    setup.create_office(ctx, code=B)
    setup.add_location(ctx, name="loket-b", kind="station", office=B)
    for name, role, code in (
        ("admin_a", "admin", A),
        ("operator_a", "operator", A),
        ("admin_b", "admin", B),
        ("kepala_b", "kepala", B),
        ("operator_b", "operator", B),
    ):
        insert_user(ctx, name, role, code)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, built_copy) -> str:  # type: ignore[no-untyped-def]
    """A copy of its own of `_built`, built once per backend (tests/conftest.py)."""
    return built_copy(request.param, _built)


@pytest.fixture
def two_offices(ctx):  # type: ignore[no-untyped-def]
    return A, B


@pytest.fixture
def sealed(ctx, two_offices):  # type: ignore[no-untyped-def]
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    with TestClient(app) as c:
        yield c


def _accounts(ctx) -> set[tuple]:  # type: ignore[no-untyped-def]
    """Every account as stored (name, office, role, active, password hash)."""
    with ctx.read() as conn:
        rows = conn.execute(
            select(
                app_user.c.username,
                app_user.c.office_code,
                app_user.c.role,
                app_user.c.active,
                app_user.c.password_hash,
            )
        ).all()
    return {tuple(r) for r in rows}


def _office_b_state(ctx) -> tuple[set[tuple], set[str]]:  # type: ignore[no-untyped-def]
    """Office B's accounts (and the office-less ones) and B's locations."""
    accounts = {a for a in _accounts(ctx) if a[1] in (B, None)}
    with ctx.read() as conn:
        locations = set(
            conn.execute(select(t.location.c.name).where(t.location.c.office_code == B)).scalars()
        )
    return accounts, locations


# --- finding 1: an administrator manages only their own office's users ------------------------


def test_admin_lists_only_their_office_users(sealed) -> None:  # type: ignore[no-untyped-def]
    h = bearer(sealed, "admin_a")
    r = sealed.get("/api/v1/users", headers=h)
    assert r.status_code == 200
    assert {u["username"] for u in r.json()["items"]} == {"admin_a", "operator_a"}
    login(sealed, "admin_a")
    page = sealed.get("/pengguna").text
    assert "operator_a" in page
    assert not any(n in page for n in ("kepala_b", "admin_b", "operator_b", "nomad"))


def test_admin_cannot_change_another_office_user(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    before = _accounts(ctx)
    h = bearer(sealed, "admin_a")
    unknown = sealed.post("/api/v1/users/tidak_ada", json={"active": False}, headers=h)
    assert unknown.status_code == 404
    for name, patch in (
        ("kepala_b", {"password": NEW_PASSWORD}),
        ("admin_b", {"active": False}),
        ("operator_b", {"role": "admin"}),
        ("nomad", {"password": NEW_PASSWORD}),
    ):
        r = sealed.post(f"/api/v1/users/{name}", json=patch, headers=h)
        assert r.status_code == 404, (name, r.status_code, r.text)
        # The same answer as for a name that does not exist: nothing tells them apart.
        assert r.json()["error"]["code"] == unknown.json()["error"]["code"]
        assert r.json()["error"]["message"] == unknown.json()["error"]["message"].replace(
            "tidak_ada", name
        )
    assert _accounts(ctx) == before
    # kepala_b still signs in with the old password, not with the one admin_a tried to set.
    assert sealed.get("/api/v1/me", headers=bearer(sealed, "kepala_b")).json()["office"] == B
    bad = sealed.post("/api/v1/auth/token", data={"username": "kepala_b", "password": NEW_PASSWORD})
    assert bad.status_code == 401


def test_admin_adds_users_only_to_their_office(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    h = bearer(sealed, "admin_a")
    body = {"username": "mata_b", "role": "kepala", "password": NEW_PASSWORD, "office": B}
    refused = sealed.post("/api/v1/users", json=body, headers=h)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["field"] == "office"
    assert "mata_b" not in {a[0] for a in _accounts(ctx)}
    absent = sealed.post(
        "/api/v1/users",
        json={"username": "siti", "role": "operator", "password": NEW_PASSWORD},
        headers=h,
    )
    assert absent.status_code == 201 and absent.json()["office"] == A
    own = sealed.post(
        "/api/v1/users",
        json={"username": "budi", "role": "operator", "password": NEW_PASSWORD, "office": A},
        headers=h,
    )
    assert own.status_code == 201 and own.json()["office"] == A


def test_every_admin_route_with_another_office_ids(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    """Office A's administrator tries every route of user and location administration with
    office B's ids: B's accounts and locations are unchanged and none of B's names shows."""
    app = sealed.app
    admin_routes = {
        r.name
        for r in api_routes(app)
        if r.name.startswith(("page.users", "api.users", "api.locations"))
    }
    before = _office_b_state(ctx)
    h = bearer(sealed, "admin_a")
    login(sealed, "admin_a")
    csrf = csrf_of(sealed.get("/pengguna").text)
    b_names = ("kepala_b", "admin_b", "operator_b", "loket-b")
    tried: dict[str, int] = {}

    def shows_nothing_of_b(text: str) -> None:
        assert not any(n in text for n in b_names), text[:500]

    r = sealed.get("/pengguna")
    tried["page.users"] = r.status_code
    shows_nothing_of_b(r.text)
    r = sealed.post(
        "/pengguna",
        data={"csrf": csrf, "username": "kepala_b", "role": "admin", "password": NEW_PASSWORD},
    )
    tried["page.users.add"] = r.status_code  # taken name: refused, and B's user untouched
    for name in ("kepala_b", "admin_b", "nomad"):
        r = sealed.post(
            f"/pengguna/{name}",
            data={"csrf": csrf, "role": "admin", "active": "0", "password": NEW_PASSWORD},
            follow_redirects=False,
        )
        assert r.status_code == 404, (name, r.status_code)
        tried["page.users.update"] = r.status_code
    r = sealed.get("/api/v1/users", headers=h)
    tried["api.users.list"] = r.status_code
    shows_nothing_of_b(r.text)
    r = sealed.post(
        "/api/v1/users",
        json={"username": "mata_b", "role": "admin", "password": NEW_PASSWORD, "office": B},
        headers=h,
    )
    assert r.status_code == 403
    tried["api.users.add"] = r.status_code
    for name in ("kepala_b", "admin_b", "operator_b", "nomad"):
        r = sealed.post(
            f"/api/v1/users/{name}",
            json={"role": "admin", "active": False, "password": NEW_PASSWORD},
            headers=h,
        )
        assert r.status_code == 404, (name, r.status_code)
        tried["api.users.update"] = r.status_code
    r = sealed.get("/api/v1/locations", headers=h)
    tried["api.locations.list"] = r.status_code
    assert r.status_code == 200 and {loc["name"] for loc in r.json()} == {"gudang", "loket-1"}
    r = sealed.post("/api/v1/locations", json={"name": "loket-b2"}, headers=h)
    tried["api.locations.add"] = r.status_code
    assert r.json()["office"] == A
    assert set(tried) == admin_routes, "a new administration route needs its case here"
    assert _office_b_state(ctx) == before
    assert all(code < 500 for code in tried.values()), tried


# --- finding 2: users without an office ---------------------------------------------------------


def test_user_without_office_reads_no_office_data(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=7, office=B)
    masked = nik[:4] + "********" + nik[-4:]
    h = bearer(sealed, "nomad")
    r = sealed.get(f"/api/v1/residents/{nik}", headers=h)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["field"] == "office"
    assert nik not in r.text and "Penduduk Uji" not in r.text
    for path in ("/api/v1/applications", "/api/v1/applications/queue", "/api/v1/stock/balance"):
        r = sealed.get(path, headers=h)
        assert r.status_code == 403, (path, r.status_code, r.text)
    assert sealed.get("/api/v1/me", headers=h).status_code == 200
    login(sealed, "nomad")
    page = sealed.get("/layanan", params={"nik": nik})
    assert page.status_code == 403 and nik not in page.text and masked not in page.text
    assert "kantor" in page.text
    # Users of an office see their own residents and not the other office's.
    assert sealed.get(f"/api/v1/residents/{nik}", headers=bearer(sealed, "operator_b")).json()[
        "nik"
    ] == (nik)
    assert (
        sealed.get(f"/api/v1/residents/{nik}", headers=bearer(sealed, "operator_a")).status_code
        == 404
    )


def _blangko(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_blangko("--db", db_url, *args, stdin=stdin)  # main() in this process


def test_user_add_without_office_refused_where_two_offices(db_url, ctx, two_offices) -> None:  # type: ignore[no-untyped-def]
    refused = _blangko(
        db_url, "user", "add", "tanpa_kantor", "--role", "operator", "--password-stdin",
        stdin=NEW_PASSWORD,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--office" in refused.stderr and "2 kantor" in refused.stderr
    assert "tanpa_kantor" not in {a[0] for a in _accounts(ctx)}
    # The operator of the machine adds to any office, naming it.
    ok = _blangko(
        db_url, "user", "add", "siti_b", "--role", "operator", "--password-stdin",
        "--office", B, stdin=NEW_PASSWORD,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert ("siti_b", B) in {a[:2] for a in _accounts(ctx)}


def test_operator_gives_an_office_to_a_user_without_one(db_url, ctx, sealed) -> None:  # type: ignore[no-untyped-def]
    """The way out for a user refused for lack of an office: the operator of the machine names
    it (`blangko user update --office`); the old token ends with the change."""
    nik = add_resident(ctx, serial=8, office=B)
    old = bearer(sealed, "nomad")
    moved = _blangko(db_url, "user", "update", "nomad", "--office", B, "--json")
    assert moved.returncode == 0, moved.stderr
    assert '"office": "17.01"' in moved.stdout
    assert sealed.get("/api/v1/me", headers=old).status_code == 401
    r = sealed.get(f"/api/v1/residents/{nik}", headers=bearer(sealed, "nomad"))
    assert r.status_code == 200 and r.json()["nik"] == nik
    listed = _blangko(db_url, "user", "list", "--office", B, "--json")
    assert listed.returncode == 0
    names = {u["username"] for u in json.loads(listed.stdout)}
    assert names == {"nomad", "admin_b", "kepala_b", "operator_b"}


# --- issue 12: the counter's new routes and the office settings, across offices -----------------


def test_counter_routes_refuse_another_office_application(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    from blangko.services import applications

    nik_b = add_resident(ctx, serial=11, office=B)
    receipt_b = applications.new(
        ctx, nik=nik_b, type="pemula", documents={"no_kk": "1701010101010001"}, office=B
    )["receipt"]
    h = bearer(sealed, "operator_a")
    for path in (
        f"/api/v1/applications/{receipt_b}/slip",
        f"/api/v1/applications/{receipt_b}/handover",
        f"/api/v1/residents/{nik_b}/counter",
    ):
        r = sealed.get(path, headers=h)
        assert r.status_code == 404, (path, r.status_code)
        assert "Penduduk Uji 11" not in r.text and "diajukan" not in r.text
    r = sealed.post(f"/api/v1/applications/{receipt_b}/collect", json={}, headers=h)
    assert r.status_code == 404
    login(sealed, "operator_a")
    for path in (
        f"/layanan/permohonan/{receipt_b}/tanda-terima",
        f"/layanan/permohonan/{receipt_b}/tanda-terima-penyerahan",
        f"/layanan?nik={nik_b}",
    ):
        r = sealed.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert "Penduduk Uji 11" not in r.text
    # B's own operator sees it.
    r = sealed.get(f"/api/v1/applications/{receipt_b}/slip", headers=bearer(sealed, "operator_b"))
    assert r.status_code == 200 and r.json()["office"] == B
    assert applications.show(ctx, receipt=receipt_b, office=B)["status"] == "diajukan"


def test_admin_sets_only_their_office_settings(sealed, ctx) -> None:  # type: ignore[no-untyped-def]
    from blangko.services.admin import office

    r = sealed.post("/api/v1/office", json={"seat": "Bintuhan"}, headers=bearer(sealed, "admin_a"))
    assert r.status_code == 200 and r.json()["office"] == A
    r = sealed.post(
        "/api/v1/office/documents/pemula",
        json={"documents": ["no_kk", "akta_kelahiran"]},
        headers=bearer(sealed, "admin_b"),
    )
    assert r.status_code == 200 and r.json()["office"] == B
    assert (office.show(ctx, office=A)["seat"], office.show(ctx, office=B)["seat"]) == (
        "Bintuhan",
        None,
    )
    assert not office.show(ctx, office=A)["documents"][0]["office_set"]
    assert office.show(ctx, office=B)["documents"][0]["office_set"]
    login(sealed, "admin_b")
    page = sealed.get("/kantor").text
    assert B in page and "Bintuhan" not in page
    # A user without an office is refused: there are two offices.
    r = sealed.get("/api/v1/office", headers=bearer(sealed, "nomad"))
    assert r.status_code == 403
