"""Helpers shared by the web tests (users per role, log-in, CSRF, tokens)."""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from blangko.web.security import SESSION_COOKIE

__all__ = ["TestClient"]

PASSWORD = "rahasia-uji-123"
# user name -> role; the user name is the role's short name.
ROLE_USERS = {
    "admin": "admin",
    "kepala": "kepala",
    "operator": "operator",
    "stok": "pengelola_stok",
    "auditor": "auditor",
}
USER_FOR_ROLE = {role: name for name, role in ROLE_USERS.items()}
SECRET = "kunci-rahasia-uji-yang-panjang"


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )


def bearer(client, username: str, password: str = PASSWORD) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def session_cookie(app, username: str | None, csrf: str = "csrf-uji") -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {"csrf": csrf}
    if username:
        data["u"] = username
    return {SESSION_COOKIE: app.state.signer.dump_session(data)}
