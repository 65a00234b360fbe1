"""A bounded schemathesis run over the API: generated requests never get a 5xx and every
response matches the documented status codes' shape (SQLite, one shared database)."""

from __future__ import annotations

from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from web_helpers import PASSWORD, SECRET

from blangko.adapters.db import make_engine
from blangko.adapters.tables_users import app_user
from blangko.services.admin import setup, users
from blangko.services.context import Context
from blangko.settings import Settings
from blangko.web.app import create_app

# The suite's fixed instant (tests/conftest.py): Friday 27 November 2026, 10:00 WIB.
FIXED_NOW = datetime(2026, 11, 27, 3, 0, 0)


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("schemathesis") / "s.db"
    engine = make_engine(f"sqlite:///{path}")
    ctx = Context(engine, clock=lambda: FIXED_NOW)
    setup.init(ctx, office="17.04")
    users.add_user(
        ctx, scope=users.MACHINE, username="stok", role="pengelola_stok", password=PASSWORD
    )
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    yield app
    engine.dispose()


def _auth(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A token at the user's current session version (a generated log-out ends the last)."""
    with app.state.ctx.read() as conn:
        version = conn.execute(
            select(app_user.c.session_version).where(app_user.c.username == "stok")
        ).scalar_one()
    return {"Authorization": f"Bearer {app.state.signer.issue_token('stok', version)}"}


def test_api_never_fails_with_5xx(api_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api_app)
    seen: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=_auth(api_app))
            key = f"{case.method} {case.path}"
            seen[key] = seen.get(key, 0) + 1
            assert response.status_code < 500, (key, response.text[:500])
            if response.status_code >= 400:
                body = response.json()
                assert set(body["error"]) == {"code", "field", "message"}, (key, body)

        run()
    # Every documented operation was exercised.
    assert len(seen) >= 20, seen
