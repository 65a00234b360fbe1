"""Administration pages: users and their roles; the office's settings (page and API)."""

from __future__ import annotations

from web_helpers import csrf_of, login


def test_admin_adds_and_changes_a_user(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    page = client.get("/pengguna")
    r = client.post(
        "/pengguna",
        data={
            "csrf": csrf_of(page.text),
            "username": "siti",
            "role": "operator",
            "password": "sandi-siti-1",
        },
    )
    assert r.status_code == 200 and "siti" in r.text
    r = client.post(
        "/pengguna/siti", data={"csrf": csrf_of(page.text), "role": "auditor", "active": "1"}
    )
    from blangko.services.admin import users

    assert {u["username"]: u["role"] for u in users.list_users(ctx, scope=users.MACHINE)}[
        "siti"
    ] == "auditor"
    short = client.post(
        "/pengguna",
        data={
            "csrf": csrf_of(page.text),
            "username": "budi",
            "role": "operator",
            "password": "pendek",
        },
    )
    assert short.status_code == 400 and "minimal 8" in short.text


# --- the office's settings (issue 12, point 6) --------------------------------------------------

KAUR = {
    "address": "Jl. Raya Padang Guci No. 1, Bintuhan",
    "seat": "Bintuhan",
    "head_name": "Drs. Hendra Saputra, M.Si.",
    "head_nip": "197403121999041004",
    "public_url": "https://dukcapil.kaurkab.go.id/blangko",
}


def test_admin_sets_the_office_settings_on_the_page(client, ctx) -> None:  # type: ignore[no-untyped-def]
    from blangko.services.admin import office

    login(client, "admin")
    page = client.get("/kantor")
    assert page.status_code == 200 and 'data-testid="office-form"' in page.text
    csrf = csrf_of(page.text)
    bad = client.post("/kantor", data={"csrf": csrf, **KAUR, "head_nip": "1974031219990410"})
    assert bad.status_code == 400 and 'data-field="head_nip"' in bad.text and "18 digit" in bad.text
    assert KAUR["address"] in bad.text  # the form keeps what was typed
    assert office.show(ctx)["address"] is None  # nothing written
    ok = client.post("/kantor", data={"csrf": csrf, **KAUR}, follow_redirects=False)
    assert ok.status_code == 303
    shown = office.show(ctx)
    assert {k: shown[k] for k in KAUR} == KAUR and shown["updated_by"] == "admin"
    # Documents of one type: ticked ones, all required or any one of them; then the default.
    r = client.post(
        "/kantor/dokumen/pemula",
        data={"csrf": csrf, "doc": ["no_kk", "akta_kelahiran"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    rule = {d["type"]: d for d in office.show(ctx)["documents"]}["pemula"]
    assert (rule["documents"], rule["any_one"]) == (["no_kk", "akta_kelahiran"], False)
    empty = client.post("/kantor/dokumen/pemula", data={"csrf": csrf})
    assert empty.status_code == 400 and 'data-field="documents"' in empty.text
    r = client.post("/kantor/dokumen/pemula", data={"csrf": csrf, "default": "1"})
    assert not {d["type"]: d for d in office.show(ctx)["documents"]}["pemula"]["office_set"]
    # The head reads reports signed with it, but does not set it.
    login(client, "kepala")
    assert client.get("/kantor").status_code == 403


def test_office_settings_api(client, ctx) -> None:  # type: ignore[no-untyped-def]
    from web_helpers import bearer

    adm = bearer(client, "admin")
    r = client.post("/api/v1/office", json={"seat": "Bintuhan"}, headers=adm)
    assert r.status_code == 200 and r.json()["seat"] == "Bintuhan"
    r = client.post("/api/v1/office", json={"head_nip": "abc"}, headers=adm)
    assert r.status_code == 400 and r.json()["error"]["field"] == "head_nip"
    r = client.post(
        "/api/v1/office/documents/hilang",
        json={"documents": ["laporan_polisi", "akta_kelahiran"], "any_one": True},
        headers=adm,
    )
    assert r.status_code == 200
    rule = {d["type"]: d for d in r.json()["documents"]}["hilang"]
    assert rule["any_one"] and rule["office_set"]
    r = client.post("/api/v1/office/documents/baru", json={"documents": ["no_kk"]}, headers=adm)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_type"
    # Every member of staff reads the settings; only the administrator writes them.
    op = bearer(client, "operator")
    assert client.get("/api/v1/office", headers=op).json()["seat"] == "Bintuhan"
    assert client.post("/api/v1/office", json={"seat": "Kaur"}, headers=op).status_code == 403
