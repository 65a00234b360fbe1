"""Schemathesis over every operation of the API (issue 19, "keep proving it"): requests drawn
from the OpenAPI document, valid ones and ones that break it (wrong types, missing fields,
huge numbers, odd strings), each sent as a user of a role the route allows (so it reaches
the handler, not only the role check), against an office with months of history
(tests/web/office_builder.py), on SQLite and on PostgreSQL. No request may get a 5xx, and
every error answers in the one error shape ({"error": {code, field, message}}).

The budget is `BLANGKO_FUZZ_EXAMPLES` examples per operation and kind (valid / invalid);
the default, 8, sends about 3.150 requests per database. Draws are new on every run; the
seed is printed with the figures and `BLANGKO_FUZZ_SEED=<seed>` draws the same requests
again. The requests are drawn once per run, by the first backend's test, and the other
backend's test sends the same ones (drawing them took more time than sending them). A
longer run:

    BLANGKO_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/web/test_schemathesis.py

The pages (not in the OpenAPI document) are tried by tests/web/test_role_matrix.py and
tests/web/test_isolation.py.
"""

from __future__ import annotations

import copy
import os
import random
import typing
from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi.openapi.utils import get_openapi
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from office_builder import Plan, build
from sqlalchemy import select
from web_helpers import SECRET, bearer, csrf_of, login, session_cookie

from blangko.adapters.tables_users import app_user
from blangko.domain.access import ANONYMOUS, ROLES, ROUTE_ROLES
from blangko.services.admin import users
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app

EXAMPLES = int(os.environ.get("BLANGKO_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("BLANGKO_FUZZ_SEED") or random.randrange(1_000_000))
# The requests drawn for each operation and kind, by the first backend's test of the run: the
# other backend sends the same ones. With one seed for the run both would draw the same
# requests anyway; drawing them (most of the test's time, not the requests) is done once.
DRAWN: dict[tuple[str, Any], list[tuple[Any, str]]] = {}
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
OFFICE = "17.04"
CSRF = "csrf-fuzz"


@pytest.fixture
def api_app(ctx):  # type: ignore[no-untyped-def]
    """Kaur with a history (its serials, counts, applications, an event, a closure) and one
    user per role."""
    build(ctx, OFFICE, Plan(history_days=60, unrecorded=40, printed=40, recorded_not_printed=20))
    for role in ROLES:
        if role != "kepala":  # the builder's user is "kepala"
            users.add_user(
                ctx,
                scope=users.MACHINE,
                username=role,
                role=role,
                password="rahasia-uji-123",
                office=OFFICE,
            )
    return create_app(ctx, settings=Settings(secret_key=SECRET))


def _auth(app, role: str, page: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A token (API) or a session cookie with the CSRF value (pages) at the user's current
    session version (a generated log-out ends the last)."""
    if role == ANONYMOUS:
        return {"cookies": session_cookie(app, None, CSRF)} if page else {}
    with app.state.ctx.read() as conn:
        version = conn.execute(
            select(app_user.c.session_version).where(app_user.c.username == role)
        ).scalar_one()
    if page:
        return {"cookies": session_cookie(app, role, CSRF, version)}
    return {"headers": {"Authorization": f"Bearer {app.state.signer.issue_token(role, version)}"}}


def every_route_schema(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The API's OpenAPI document with the pages added (they are left out of it): each page's
    query and form fields as the app declares them, and the CSRF field every page form needs
    (the value of the test's session cookie), so that generated forms reach the handler."""
    doc = copy.deepcopy(app.openapi())
    pages = []
    for route in api_routes(app):
        if not route.include_in_schema:
            shown = copy.copy(route)
            shown.include_in_schema = True
            pages.append(shown)
    extra = get_openapi(title="pages", version="0", routes=pages)
    doc["paths"].update(extra["paths"])
    doc.setdefault("components", {}).setdefault("schemas", {}).update(
        extra.get("components", {}).get("schemas", {})
    )
    form = "application/x-www-form-urlencoded"
    for operations in extra["paths"].values():
        post = operations.get("post")
        if post is None:
            continue
        body = post.setdefault(
            "requestBody", {"required": True, "content": {form: {"schema": {"type": "object"}}}}
        )
        schema = body["content"][form]["schema"]
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        schema.setdefault("properties", {})["csrf"] = {"type": "string", "enum": [CSRF]}
        schema["required"] = [*schema.get("required", []), "csrf"]
        body["required"] = True
    return doc


def test_every_route_never_fails_with_5xx(api_app, capsys) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_dict(every_route_schema(api_app))
    schema.app = api_app
    by_path = {
        (method, route.path): route.name
        for route in api_routes(api_app)
        for method in route.methods
    }
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: dict[str, str] = {}

    def fuzz(operation, mode, roles: list[str]) -> None:  # type: ignore[no-untyped-def]
        key = f"{operation.method.upper()} {operation.path}"
        page = not operation.path.startswith("/api/")

        @seed(SEED)
        @given(case=operation.as_strategy(generation_mode=mode), role=st.sampled_from(roles))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case, role: str) -> None:  # type: ignore[no-untyped-def]
            drawn.append((case, role))
            send(case, role)

        def send(case, role: str) -> None:  # type: ignore[no-untyped-def]
            sent[key] += 1
            try:
                # This database's app (a case drawn for the other backend was made on its app).
                response = case.call(app=api_app, **_auth(api_app, role, page))
            except Exception as exc:  # noqa: BLE001 - the test client re-raises the app's errors
                statuses[500] += 1
                failures.setdefault(key, f"{exc!r} as {role}; {case.as_curl_command()}")
                return
            statuses[response.status_code // 100 * 100] += 1
            problem = None
            if response.status_code >= 500:
                problem = f"{response.status_code}: {response.text[:300]}"
            elif response.status_code >= 400 and not page and not _error_shape(response.json()):
                problem = f"{response.status_code} without the error shape: {response.text[:300]}"
            if problem and key not in failures:
                failures[key] = f"{problem} as {role}; {case.as_curl_command()}"

        if (key, mode) in DRAWN:
            for case, role in DRAWN[(key, mode)]:
                send(case, role)
            return
        drawn = DRAWN[(key, mode)] = []
        try:
            run()
        except Unsatisfiable:
            # Nothing to break: an operation without parameters or body has no invalid form.
            assert mode == schemathesis.GenerationMode.NEGATIVE, key

    for result in schema.get_all_operations():
        operation = result.ok()
        name = by_path[(operation.method.upper(), operation.path)]
        # The roles the route allows (anonymous too for the public ones); user = role name.
        roles = [r for r in (*ROLES, ANONYMOUS) if r in ROUTE_ROLES[name]]
        for mode in MODES:
            fuzz(operation, mode, roles)

    total = sum(sent.values())
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(sent)} operations, {total} requests (seed {SEED}, "
            f"{EXAMPLES} examples per operation and kind); by status class "
            f"{dict(sorted(statuses.items()))}; {statuses[500]} answered 5xx"
        )
    # Every route was tried.
    assert set(sent) == {f"{m} {p}" for (m, p) in by_path}, sorted(sent)
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


def _error_shape(body: object) -> bool:
    return isinstance(body, dict) and set(body.get("error") or {}) == {"code", "field", "message"}


# What the fuzzer found, kept as tests of their own ---------------------------------------------
def test_every_id_and_offset_is_bounded(app) -> None:  # type: ignore[no-untyped-def]
    """A number beyond the database's integers answered 500 (OverflowError on SQLite, "bigint
    out of range" on PostgreSQL; found for POST /api/v1/stock/counts/{count_id}/post and its
    page, and for GET /api/v1/backlog?offset=4226706338721082115027812306575687): every
    integer in a path (an id) and every page's limit and offset, which go to the database as
    they are, is bounded to what it holds, so a larger one is a 422 before any query. (Other
    numbers are checked by their use case, e.g. the cohort's months.)"""
    unbounded = []
    for route in api_routes(app):
        paging = [p for p in route.dependant.query_params if p.name in ("limit", "offset")]
        for param in (*route.dependant.path_params, *paging):
            if _unoptional(param.field_info.annotation) is int:
                highs = [getattr(m, "le", None) for m in param.field_info.metadata]
                if not any(h is not None and h <= 2_147_483_647 for h in highs):
                    unbounded.append(f"{route.name}: {param.name}")
    assert not unbounded, unbounded


def _unoptional(annotation: object) -> object:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 else annotation


def test_huge_numbers_are_a_422(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/backlog?offset={2**70}", headers=bearer(client, "operator"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "offset", r.text
    h = bearer(client, "kepala")
    for path in ("/api/v1/stock/counts/9223372036854775808/post", "/api/v1/stock/counts/0/post"):
        r = client.post(path, json={"reason": "x"}, headers=h)
        assert r.status_code == 422, (path, r.status_code)
        assert r.json()["error"]["field"] == "count_id"
    login(client, "kepala")
    page = client.get("/stok")
    r = client.post(
        "/stok/opname/9223372036854775808/posting",
        data={"csrf": csrf_of(page.text), "reason": "x"},
    )
    assert r.status_code == 400  # a page answers a bad value with its error page
