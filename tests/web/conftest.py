"""Web fixtures: the app on the `ctx` database (SQLite and PostgreSQL), one user per role."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from web_helpers import PASSWORD, ROLE_USERS, SECRET, TestClient

from blangko.services.admin import users
from blangko.settings import Settings
from blangko.web.app import create_app


@pytest.fixture
def staffed(ctx, office):  # type: ignore[no-untyped-def]
    for name, role in ROLE_USERS.items():
        users.add_user(ctx, scope=users.MACHINE, username=name, role=role, password=PASSWORD)
    return office


@pytest.fixture
def app(ctx, staffed):  # type: ignore[no-untyped-def]
    return create_app(ctx, settings=Settings(secret_key=SECRET))


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    """Contexts a test opens and leaves open to its end, closed before its database goes: a
    test client made in the test (`stack.enter_context(TestClient(app))`), which outside a
    `with` starts a thread and an event loop for every request."""
    with contextlib.ExitStack() as opened:
        yield opened
