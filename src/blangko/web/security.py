"""Sessions for pages, bearer tokens for the API, CSRF, and the authorisation dependency.

Both the session cookie and the API token are signed with the settings' secret key
(itsdangerous); they carry only the user name, and the user is looked up on every request,
so deactivating a user or changing a role takes effect at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from blangko.domain.access import ANONYMOUS, allowed
from blangko.services.admin import users

SESSION_COOKIE = "blangko_session"
SESSION_MAX_AGE = 12 * 3600  # one working day plus overtime
TOKEN_MAX_AGE = 8 * 3600


@dataclass
class Principal:
    username: str | None
    role: str
    office: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.username is None


ANON = Principal(None, ANONYMOUS)


class Signer:
    def __init__(self, secret: str) -> None:
        self._session = URLSafeTimedSerializer(secret, salt="blangko.session")
        self._token = URLSafeTimedSerializer(secret, salt="blangko.api-token")

    def dump_session(self, data: dict[str, Any]) -> str:
        return self._session.dumps(data)

    def load_session(self, raw: str | None) -> dict[str, Any]:
        if not raw:
            return {}
        try:
            data = self._session.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def issue_token(self, username: str) -> str:
        return self._token.dumps({"u": username})

    def read_token(self, raw: str) -> str | None:
        try:
            data = self._token.loads(raw, max_age=TOKEN_MAX_AGE)
        except BadSignature:
            return None
        return data.get("u") if isinstance(data, dict) else None


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


class NeedLogin(Exception):
    """An anonymous caller asked for a route that needs a user."""


class Forbidden(Exception):
    """A user asked for a route their role does not allow."""


class BadCsrf(Exception):
    """A page form came without the session's CSRF token."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def principal_for(request: Request) -> Principal:
    app = request.app
    name: str | None = None
    if is_api(request):
        header = request.headers.get("authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() == "bearer" and raw:
            name = app.state.signer.read_token(raw.strip())
    else:
        name = request.state.session.get("u")
    if not name:
        return ANON
    user = users.get_user(app.state.ctx, name)
    if user is None:
        return ANON
    return Principal(user["username"], user["role"], user["office"])


async def authorize(request: Request) -> Principal:
    """Router-level dependency: allow the call only if the route's roles include the caller's."""
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    who = await run_in_threadpool(principal_for, request)
    request.state.principal = who
    if not allowed(name or "", who.role):
        if who.anonymous:
            raise NeedLogin()
        raise Forbidden()
    if not is_api(request) and request.method == "POST":
        form = await request.form()
        sent = form.get("csrf")
        want = request.state.session.get("csrf")
        if not want or not isinstance(sent, str) or not secrets.compare_digest(sent, want):
            raise BadCsrf()
    return who
