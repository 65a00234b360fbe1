"""Administration pages: users and their roles."""

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
