"""Every route x every role: an allow that domain/access.py does not list fails the test, and
so does a refusal of a role the matrix lists."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from web_helpers import USER_FOR_ROLE, TestClient, session_cookie

from blangko.domain.access import (
    ALL_ROLES,
    ANONYMOUS,
    PERSONAL_DATA_ROLES,
    PERSONAL_DATA_ROUTES,
    ROUTE_ROLES,
    markdown_table,
)
from blangko.web.app import api_routes

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
    "name": "usage",
}


def _path(route: APIRoute) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PATH_VALUES[m.group(1)], route.path)


def test_every_route_declares_roles(app) -> None:  # type: ignore[no-untyped-def]
    names = [r.name for r in api_routes(app)]
    assert len(names) == len(set(names)), "two routes share a name"
    assert set(names) <= set(ROUTE_ROLES)
    # No stale entries either: every role rule belongs to a real route.
    assert set(ROUTE_ROLES) == set(names)


def test_route_role_matrix(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = {
        role: app.state.signer.issue_token(USER_FOR_ROLE[role])
        for role in ALL_ROLES
        if role != ANONYMOUS
    }
    checked = 0
    wrong: list[str] = []
    for route in api_routes(app):
        path = _path(route)
        api = path.startswith("/api/")
        for method in sorted(route.methods):
            for role in ALL_ROLES:
                headers: dict[str, str] = {}
                cookies: dict[str, str] = {}
                data = None
                if api and role != ANONYMOUS:
                    headers["Authorization"] = f"Bearer {token[role]}"
                if not api:
                    cookies = session_cookie(app, USER_FOR_ROLE.get(role))
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
