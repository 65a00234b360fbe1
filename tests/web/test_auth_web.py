"""Log-in, log-out, CSRF and the language switch on the pages; API tokens and the log-in
rate limit (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from web_helpers import PASSWORD, bearer, login, text_of_testid

from blangko.services.admin import users
from blangko.services.stock import queries, writes
from blangko.web.auth import LOG_INS
from blangko.web.security import SESSION_COOKIE


def test_login_sets_a_safe_cookie_and_lands_on_the_dashboard(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    r = login(client, "stok")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "Dasbor" in page.text
    # The stock keeper's menu has Stok but neither Audit nor Pengguna.
    nav = re.search(r'<nav class="main".*?</nav>', page.text, re.S).group(0)
    assert 'href="/stok"' in nav and 'href="/audit"' not in nav and 'href="/pengguna"' not in nav


def test_wrong_password_shows_the_form_again(client) -> None:  # type: ignore[no-untyped-def]
    r = login(client, "stok", "salah-sandi")
    assert r.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in r.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_post_without_csrf_is_refused_and_writes_nothing(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    r = client.post(
        "/stok/terima",
        data={"serials": "KR0100001-KR0100010", "source": "Ditjen", "document": "BA-1"},
    )
    assert r.status_code == 403
    assert queries.balance(ctx)["on_hand"] == 0


def test_non_ascii_csrf_is_refused_not_a_500(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Found by tests/web/test_schemathesis.py: a CSRF field with a non-ASCII character made
    the comparison raise (500) on every page form."""
    login(client, "stok")
    r = client.post(
        "/stok/terima",
        data={"csrf": "tökén", "serials": "KR0100001-KR0100010", "source": "D", "document": "B"},
    )
    assert r.status_code == 403
    assert queries.balance(ctx)["on_hand"] == 0


def test_english_switch_translates_and_formats(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0105200", source="Ditjen", document="BA-1")
    login(client, "kepala")
    client.get("/bahasa/en?next=/")
    page = client.get("/")
    assert "Dashboard" in page.text and "Stock on hand" in page.text
    assert text_of_testid(page.text, "on-hand") == "5,200"
    assert "November 27, 2026" in page.text
    client.get("/bahasa/id?next=/")
    assert "Stok di tangan" in client.get("/").text


def test_token_errors_and_rate_limit(client) -> None:  # type: ignore[no-untyped-def]
    bad = client.post("/api/v1/auth/token", data={"username": "stok", "password": "salah-sandi"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_credentials"
    assert client.get("/api/v1/me").status_code == 401
    forged = {"Authorization": "Bearer bukan.token.sah"}
    assert client.get("/api/v1/me", headers=forged).status_code == 401
    for _ in range(4):
        client.post("/api/v1/auth/token", data={"username": "stok", "password": "salah-sandi"})
    # Five failures: even the right password is refused for the rest of the window.
    locked = client.post("/api/v1/auth/token", data={"username": "stok", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    # Other users are not affected.
    me = client.get("/api/v1/me", headers=bearer(client, "kepala")).json()
    assert me == {"username": "kepala", "role": "kepala", "office": None}


def test_deactivated_user_token_stops_working(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "operator")
    assert client.get("/api/v1/me", headers=h).status_code == 200
    admin = bearer(client, "admin")
    r = client.post("/api/v1/users/operator", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_a_name_with_a_control_character_is_refused_before_anything_is_written(client) -> None:  # type: ignore[no-untyped-def]
    # Found by the fuzz test on PostgreSQL: a NUL in the name reached the attempts table,
    # which PostgreSQL cannot store, and the log-in answered 500.
    for name in ("sto\x00k", "stok\x08", "\x1b[31mstok"):
        token = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
        assert token.status_code == 400, token.text
        assert token.json()["error"]["code"] == "username_invalid"
        page = login(client, name)
        assert page.status_code == 400 and "karakter kendali" in page.text
    # Nothing was counted against the real name: its five tries are all still there.
    for _ in range(4):
        client.post("/api/v1/auth/token", data={"username": "stok", "password": "salah-sandi"})
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": "stok", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_passwords_are_checked_in_turn_so_a_burst_of_log_ins_leaves_cores_to_the_pages(  # type: ignore[no-untyped-def]
    client, ctx, monkeypatch
) -> None:
    """More log-ins at once than the server checks at a time (each a user of its own: one
    name's attempts under way count against its limit): every one succeeds, and never more
    than LOG_INS's share of the cores checks a password at the same moment (with the worker
    threads' own limit, 40, they all would)."""
    real = users.authenticate
    running = most = 0
    lock = threading.Lock()

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.05)  # long enough for the others to arrive while this one runs
            return real(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(users, "authenticate", counted)
    turns = max(1, (os.cpu_count() or 2) // 2)  # one password at a time per two cores
    assert LOG_INS.total_tokens == turns
    burst = turns + 3
    names = [f"petugas{i}" for i in range(burst)]
    for name in names:
        users.add_user(ctx, scope=users.MACHINE, username=name, role="operator", password=PASSWORD)
    with ThreadPoolExecutor(burst) as pool:
        tokens = list(pool.map(lambda name: bearer(client, name), names))
    assert len(tokens) == burst and all(t["Authorization"].startswith("Bearer ") for t in tokens)
    assert most == turns
    # The page's log-in takes its turn the same way and still lands on the dashboard.
    assert login(client, "kepala").headers["location"] == "/"
    assert most == turns
