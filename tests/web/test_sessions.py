"""Sessions and tokens end at once (issue 19, finding 7): a session cookie and an API token
captured before a password change, a role change or a log-out are refused after it; parallel
wrong passwords are counted one by one, so at most MAX_FAILURES guesses are ever checked.

Accounts are written straight into the table and the checks go through HTTP (or the
authenticate service, whose signature has not changed), so the same tests run against an
older release of the code.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from web_helpers import PASSWORD, TestClient, bearer, csrf_of, insert_user, login

from blangko.adapters.tables_users import login_attempt
from blangko.domain.errors import DomainError
from blangko.services.admin import users
from blangko.web.security import SESSION_COOKIE

NEW_PASSWORD = "sandi-baru-yang-panjang"


def _browser(app, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    """A logged-in browser and the session cookie it holds (to replay later)."""
    browser = TestClient(app)
    r = login(browser, username, password)
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return browser, browser.cookies[SESSION_COOKIE]


def _signed_in(app, cookie: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether a replayed session cookie still opens the dashboard."""
    fresh = TestClient(app)
    fresh.cookies.set(SESSION_COOKIE, cookie)
    r = fresh.get("/", follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


@pytest.mark.parametrize(
    "change",
    [{"password": NEW_PASSWORD}, {"role": "auditor"}, {"active": False}],
    ids=["password", "role", "deactivate"],
)
def test_admin_change_ends_sessions_and_tokens(app, client, change) -> None:  # type: ignore[no-untyped-def]
    token = bearer(client, "operator")
    _, cookie = _browser(app, "operator")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert _signed_in(app, cookie)
    r = client.post("/api/v1/users/operator", json=change, headers=bearer(client, "admin"))
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert not _signed_in(app, cookie)
    if "active" not in change:
        # A new log-in works, with the new password or role.
        password = change.get("password", PASSWORD)
        me = client.get("/api/v1/me", headers=bearer(client, "operator", password)).json()
        assert me["role"] == change.get("role", "operator")


def test_unchanged_save_keeps_sessions(app, client) -> None:  # type: ignore[no-untyped-def]
    """Saving a user's row without changing anything ends nothing."""
    token = bearer(client, "operator")
    r = client.post(
        "/api/v1/users/operator",
        json={"role": "operator", "active": True},
        headers=bearer(client, "admin"),
    )
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 200


def test_logout_ends_every_session_and_token(app, client) -> None:  # type: ignore[no-untyped-def]
    token = bearer(client, "stok")
    first, cookie = _browser(app, "stok")
    second, other_cookie = _browser(app, "stok")
    page = first.get("/")
    r = first.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    # The cookie captured before log-out, the other browser's, and the API token: all ended.
    assert not _signed_in(app, cookie)
    assert not _signed_in(app, other_cookie)
    assert second.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=token).status_code == 401
    # Other users keep theirs.
    assert client.get("/api/v1/me", headers=bearer(client, "kepala")).status_code == 200


def test_api_logout_ends_the_token(app, client) -> None:  # type: ignore[no-untyped-def]
    token = bearer(client, "auditor")
    _, cookie = _browser(app, "auditor")
    r = client.post("/api/v1/auth/logout", headers=token)
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert not _signed_in(app, cookie)


def test_parallel_wrong_passwords_are_counted_one_by_one(ctx, office) -> None:  # type: ignore[no-untyped-def]
    """20 wrong passwords at once for one name: every attempt is recorded and at most
    MAX_FAILURES of them are checked before the name is locked (PostgreSQL counted 19
    guesses when the count and the check were not serialised per name)."""
    insert_user(ctx, "sasaran", "operator")
    n = 20
    start = threading.Barrier(n)

    def guess(i: int) -> str:
        start.wait()
        try:
            users.authenticate(ctx, username="sasaran", password=f"tebakan-{i:02d}")
        except DomainError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(n) as pool:
        outcomes = list(pool.map(guess, range(n)))
    assert outcomes.count("bad_credentials") == users.MAX_FAILURES, outcomes
    assert outcomes.count("too_many_attempts") == n - users.MAX_FAILURES, outcomes
    with ctx.read() as conn:
        recorded = conn.execute(
            select(func.count())
            .select_from(login_attempt)
            .where(login_attempt.c.username == "sasaran", login_attempt.c.success.is_(False))
        ).scalar_one()
    assert recorded == n
    # Locked for the rest of the window, even with the right password.
    with pytest.raises(DomainError) as err:
        users.authenticate(ctx, username="sasaran", password=PASSWORD)
    assert err.value.code == "too_many_attempts"
