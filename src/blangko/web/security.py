"""Sessions for pages, bearer tokens for the API, CSRF, and the authorisation dependency.

Both the session cookie and the API token are signed with the settings' secret key
(itsdangerous); they carry the user name and the user's session version when they were
issued. The user is looked up on every request and the version compared: log-out, a password,
role, office or active change raise the stored version, which ends every session and token of
that user at once. A user without an office in a database of several offices is refused every
route that reads or writes an office's data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from blangko.domain.access import (
    ANONYMOUS,
    CROSS_OFFICE_REFUSED,
    PROVINCE_ROUTES,
    UNSCOPED_ROUTES,
    allowed,
)
from blangko.domain.text import N_
from blangko.services.admin import users

SESSION_COOKIE = "blangko_session"
SESSION_MAX_AGE = 12 * 3600  # one working day plus overtime
TOKEN_MAX_AGE = 8 * 3600


@dataclass
class Principal:
    username: str | None
    role: str
    office: str | None = None  # as stored: None for a user without an office
    scope: str | None = None  # the office the user acts for (None: no office in the database)
    scoped: bool = True  # False: no office in a database of several; refused office routes
    province: str | None = None  # a province's user: reads the network view of its offices

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

    def issue_token(self, username: str, version: int = 0) -> str:
        """A bearer token for the user at their current session version."""
        return self._token.dumps({"u": username, "v": version})

    def read_token(self, raw: str) -> tuple[str, int] | None:
        """(user name, session version) of a genuine, unexpired token; else None."""
        try:
            data = self._token.loads(raw, max_age=TOKEN_MAX_AGE)
        except BadSignature:
            return None
        return _identity(data)


def _identity(data: Any) -> tuple[str, int] | None:
    """(user name, session version) from a session or token; None without both (a token or
    session made before versions existed counts as ended)."""
    if not isinstance(data, dict):
        return None
    name, version = data.get("u"), data.get("v")
    if not isinstance(name, str) or not name or type(version) is not int:
        return None
    return name, version


def session_identity(session: dict[str, Any]) -> tuple[str, int] | None:
    return _identity(session)


# Sent with every response (pages, API, static files, errors). Scripts only from our own
# files: no inline script, no eval (the Swagger page's start-up is static/apidocs.js). Styles
# allow inline `style` attributes (the coverage bars' widths, Swagger UI). Images from us or
# data: URIs (Swagger UI's icons). No framing (clickjacking), no plugins, forms post only
# to us, no Referer leaving the page (a status look-up carries a receipt number).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Behind a reverse proxy that terminates TLS (uvicorn --proxy-headers), the request's scheme
# is https: browsers are then told to use https only for a year.
HSTS = "max-age=31536000"


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response of the app (a header a
    route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if https and "Strict-Transport-Security" not in headers:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


class NeedLogin(Exception):
    """An anonymous caller asked for a route that needs a user."""


class Forbidden(Exception):
    """A user asked for a route their role (or their lack of an office) does not allow."""

    def __init__(self, message: str | None = None, code: str = "forbidden") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class BadCsrf(Exception):
    """A page form came without the session's CSRF token."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def principal_for(request: Request) -> Principal:
    app = request.app
    identity: tuple[str, int] | None = None
    if is_api(request):
        header = request.headers.get("authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() == "bearer" and raw:
            identity = app.state.signer.read_token(raw.strip())
    else:
        identity = session_identity(request.state.session)
    if identity is None:
        return ANON
    user = users.acting_user(app.state.ctx, *identity)
    if user is None:
        return ANON
    return Principal(
        user["username"],
        user["role"],
        user["office"],
        user["scope"],
        user["scoped"],
        user.get("province"),
    )


NO_SCOPE = (
    "Akun Anda tidak terikat ke kantor mana pun, sedangkan basis data ini memuat lebih dari "
    "satu kantor: data kantor tidak dapat dibuka. Minta operator server menetapkan kantor "
    "akun ini (blangko user update NAMA --office KODE)."
)


PROVINCE_READS = N_(
    "Akun provinsi membaca kantor-kantor provinsinya tanpa mengubah data: pilih kantornya "
    "dengan ?office=KODE (mis. ?office=17.04). Data pribadi penduduk, akun dan log baca "
    "kantor tidak dapat dibuka dari akun provinsi."
)


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
    if (
        not who.scoped
        and name not in UNSCOPED_ROUTES
        and not (who.province and name in PROVINCE_ROUTES)
    ):
        if not who.province:
            raise Forbidden(NO_SCOPE, code="no_office")
        # A province's user reads an office of its province, chosen by `?office=KODE`
        # (checked against the province by web.deps.office_in_scope): reads only.
        if (
            request.method != "GET"
            or name in CROSS_OFFICE_REFUSED
            or not (request.query_params.get("office") or "").strip()
        ):
            raise Forbidden(PROVINCE_READS, code="office_required")
    if not is_api(request) and request.method == "POST":
        form = await request.form()
        sent = form.get("csrf")
        want = request.state.session.get("csrf")
        # Compared as bytes: compare_digest refuses str with non-ASCII characters (a 500).
        if (
            not want
            or not isinstance(sent, str)
            or not secrets.compare_digest(sent.encode(), str(want).encode())
        ):
            raise BadCsrf()
    return who
