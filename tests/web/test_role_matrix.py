"""Every route x every role: an allow that domain/access.py does not list fails the test, and
so does a refusal of a role the matrix lists."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from web_helpers import SECRET, USER_FOR_ROLE, TestClient, insert_user, session_cookie

from blangko.adapters.tables_users import app_user
from blangko.domain.access import (
    ALL_ROLES,
    ANONYMOUS,
    PERSONAL_DATA_ROLES,
    PERSONAL_DATA_ROUTES,
    ROLES,
    ROUTE_ROLES,
    UNSCOPED_ROUTES,
    markdown_table,
)
from blangko.services.admin import setup
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app

PATH_VALUES = {
    "serial": "KR0100001",
    "count_id": "1",
    "username": "operator",
    "lang": "en",
    "receipt": "1704-20261127-0001",
    "nik": "1704015705900001",
    "action": "record",
    "closure_id": "1",
    "event_id": "1",
    "number": "1",
    "name": "usage",
    "kind": "pemula",
    "shipment_id": "1",
    "destruction_id": "1",
    "kode": "17",  # a province (the national and province view)
    "code": "17",
    "request_id": "1",
    "loan_id": "1",
}


def _path(route: APIRoute) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PATH_VALUES[m.group(1)], route.path)


def test_every_route_declares_roles(app) -> None:  # type: ignore[no-untyped-def]
    names = [r.name for r in api_routes(app)]
    assert len(names) == len(set(names)), "two routes share a name"
    assert set(names) <= set(ROUTE_ROLES)
    # No stale entries either: every role rule belongs to a real route.
    assert set(ROUTE_ROLES) == set(names)


def _version(ctx, username: str | None) -> int:  # type: ignore[no-untyped-def]
    """The user's session version now (log-out routes raise it as they are tried)."""
    if username is None:
        return 0
    with ctx.read() as conn:
        return int(
            conn.execute(
                select(app_user.c.session_version).where(app_user.c.username == username)
            ).scalar_one()
        )


def _last_logouts(routes: list[APIRoute]) -> list[APIRoute]:
    """Log-out routes last: they end the caller's sessions (the next request signs in anew)."""
    return sorted(routes, key=lambda r: "logout" in r.name)


def test_route_role_matrix(app, ctx, client) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    wrong: list[str] = []
    for route in _last_logouts(api_routes(app)):
        path = _path(route)
        api = path.startswith("/api/")
        for method in sorted(route.methods):
            for role in ALL_ROLES:
                headers: dict[str, str] = {}
                cookies: dict[str, str] = {}
                data = None
                name = USER_FOR_ROLE.get(role)
                if api and name:
                    token = app.state.signer.issue_token(name, _version(ctx, name))
                    headers["Authorization"] = f"Bearer {token}"
                if not api:
                    cookies = session_cookie(app, name, version=_version(ctx, name))
                    data = {"csrf": "csrf-uji"} if method == "POST" else None
                client.cookies.clear()
                for k, v in cookies.items():
                    client.cookies.set(k, v)
                r = client.request(
                    method,
                    path,
                    headers=headers,
                    data=data,
                    json={} if (api and method == "POST") else None,
                    follow_redirects=False,
                )
                refused = r.status_code in (401, 403) or (
                    r.status_code == 303 and r.headers["location"].startswith("/login?")
                )
                expected = role in ROUTE_ROLES[route.name]
                checked += 1
                if expected and refused:
                    wrong.append(f"{method} {path} refused {role} ({r.status_code})")
                if not expected and not refused:
                    wrong.append(f"{method} {path} ALLOWED {role} ({r.status_code}) not in matrix")
                if not expected:
                    want = (401 if api else 303) if role == ANONYMOUS else 403
                    if r.status_code != want:
                        wrong.append(f"{method} {path} {role}: {r.status_code}, want {want}")
                assert r.status_code < 500, (
                    f"{method} {path} as {role}: {r.status_code} {r.text[:300]}"
                )
    assert not wrong, "\n".join(wrong)
    assert checked == len(ALL_ROLES) * len(ROUTE_ROLES)


def test_docs_show_the_matrix() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "web.md"
    assert markdown_table() in doc.read_text(encoding="utf-8"), (
        "docs/web.md role table is stale: paste blangko.domain.access.markdown_table()"
    )


def test_personal_data_routes_only_for_roles_that_may_see_it() -> None:
    for name in PERSONAL_DATA_ROUTES:
        assert ROUTE_ROLES[name] <= PERSONAL_DATA_ROLES, name


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_forbidden_write_leaves_no_entry(app, ctx, role) -> None:  # type: ignore[no-untyped-def]
    from blangko.services.stock import queries

    client = TestClient(app)
    h = {"Authorization": f"Bearer {app.state.signer.issue_token(USER_FOR_ROLE[role])}"}
    r = client.post(
        "/api/v1/stock/receive",
        json={"serials": "KR0100001-KR0100010", "source": "Ditjen", "document": "BA-1"},
        headers=h,
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert queries.balance(ctx)["on_hand"] == 0


def test_user_without_office_refused_every_office_route(ctx, office, stack) -> None:  # type: ignore[no-untyped-def]
    """Every route x every role, as users without an office in a database of two offices:
    each route that reads or writes an office's data refuses them (403); the few that touch
    no office's data (log-out, who am I, the public pages) do not."""
    for role in ROLES:
        insert_user(ctx, f"tanpa_{role}", role)  # while Kaur was the only office
    setup.create_office(ctx, code="17.01")
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    client = stack.enter_context(TestClient(app))
    wrong: list[str] = []
    checked = 0
    for route in _last_logouts(api_routes(app)):
        path = _path(route)
        api = path.startswith("/api/")
        for method in sorted(route.methods):
            for role in ROLES:
                name = f"tanpa_{role}"
                client.cookies.clear()
                headers: dict[str, str] = {}
                if api:
                    token = app.state.signer.issue_token(name, _version(ctx, name))
                    headers["Authorization"] = f"Bearer {token}"
                else:
                    for k, v in session_cookie(app, name, version=_version(ctx, name)).items():
                        client.cookies.set(k, v)
                r = client.request(
                    method,
                    path,
                    headers=headers,
                    data={"csrf": "csrf-uji"} if (not api and method == "POST") else None,
                    json={} if (api and method == "POST") else None,
                    follow_redirects=False,
                )
                checked += 1
                assert r.status_code < 500, f"{method} {path} as {name}: {r.status_code}"
                if role not in ROUTE_ROLES[route.name]:
                    continue  # refused by role; test_route_role_matrix checks that
                if route.name in UNSCOPED_ROUTES:
                    if r.status_code == 403:
                        wrong.append(f"{method} {path} refused {name} (needs no office)")
                elif r.status_code != 403 or (api and r.json()["error"]["field"] != "office"):
                    wrong.append(f"{method} {path} as {name}: {r.status_code}, want 403")
    assert not wrong, "\n".join(wrong)
    assert checked == len(ROLES) * len(ROUTE_ROLES)
