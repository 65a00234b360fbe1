"""The FastAPI application factory: `create_app(settings)` or `create_app(ctx)`.

uvicorn --factory blangko.web.app:create_app   (settings from BLANGKO_* variables)
blangko serve                                   (the same, with checks and the demo)
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services.admin.users import ROLE_LABELS
from blangko.services.context import Context, context_from_settings
from blangko.settings import DEFAULT_SECRET_KEY, Settings
from blangko.web import i18n
from blangko.web.nav import items_for
from blangko.web.roles import ROUTE_ROLES
from blangko.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    BadCsrf,
    Forbidden,
    NeedLogin,
    Signer,
    is_api,
    new_csrf,
)

HERE = Path(__file__).parent
log = logging.getLogger("blangko.web")


def check_secret(settings: Settings) -> None:
    """Refuse the public default secret outside the demo: anyone could forge sessions."""
    if settings.demo:
        return
    if settings.secret_key == DEFAULT_SECRET_KEY or len(settings.secret_key) < 16:
        raise DomainError(
            "default_secret",
            "secret_key",
            "BLANGKO_SECRET_KEY belum diatur (atau kurang dari 16 karakter): server tidak "
            "dijalankan dengan kunci bawaan kecuali mode demo (--demo).",
        )


def status_for(exc: DomainError) -> int:
    if exc.code == "too_many_attempts":
        return 429
    if exc.code in ("bad_credentials", "unauthenticated"):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


def error_json(
    code: str, field: str | None, message: str, status: int, **headers: str
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "field": field, "message": message}},
        status_code=status,
        headers=headers or None,
    )


def create_app(
    source: Settings | Context | None = None, *, settings: Settings | None = None
) -> FastAPI:
    if isinstance(source, Context):
        ctx = source
        settings = settings or Settings()
    else:
        settings = source or settings or Settings()
        ctx = context_from_settings(settings, actor="web")
    app = FastAPI(
        title="blangko API",
        version="1",
        description="Buku besar blangko e-KTP: stok, stock opname, audit, status publik.",
        openapi_url=None,  # served by our own route so that it is in the role matrix
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.settings = settings
    app.state.signer = Signer(settings.secret_key)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates

    from blangko.web import api, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    # Pages added per capability; each module holds its page router and its API router.
    from blangko.web import applications, calendar, coverage, dashboard, reports

    for module in (dashboard, applications, coverage, calendar, reports):
        app.include_router(module.pages)
        app.include_router(module.api)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    import swagger_ui_bundle

    app.mount(
        "/api/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger_assets",
    )
    undeclared = [r.name for r in api_routes(app) if r.name not in ROUTE_ROLES]
    if undeclared:
        raise RuntimeError(f"routes without roles in web/roles.py: {undeclared}")

    @app.middleware("http")
    async def session_middleware(request: Request, call_next):  # type: ignore[no-untyped-def]
        if is_api(request):
            request.state.session = {}
            return await call_next(request)
        raw = request.cookies.get(SESSION_COOKIE)
        session = app.state.signer.load_session(raw)
        before = dict(session)
        if "csrf" not in session:
            session["csrf"] = new_csrf()
        request.state.session = session
        response = await call_next(request)
        if session != before:
            response.set_cookie(
                SESSION_COOKIE,
                app.state.signer.dump_session(session),
                max_age=SESSION_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = status_for(exc)
        if is_api(request):
            return error_json(exc.code, exc.field, exc.message, status)
        return render_error(request, status, exc.message)

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        if is_api(request):
            return error_json(
                "unauthenticated",
                None,
                "Perlu masuk: kirim token dari POST /api/v1/auth/token (Authorization: Bearer).",
                401,
                **{"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={_safe_next(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        message = "Peran Anda tidak diizinkan membuka halaman atau operasi ini."
        if is_api(request):
            return error_json("forbidden", None, message, 403)
        return render_error(request, 403, message)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return render_error(
            request, 403, "Formulir kedaluwarsa atau tidak sah (token CSRF); muat ulang halaman."
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or None
        message = f"Isian '{field}' tidak sah: {first.get('msg', 'tidak sah')}."
        if is_api(request):
            return error_json("invalid", field, message, 422)
        return render_error(request, 400, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = {
            404: "Alamat tidak ditemukan.",
            405: "Metode tidak diizinkan untuk alamat ini.",
        }.get(exc.status_code, str(exc.detail))
        if is_api(request):
            return error_json(code, None, message, exc.status_code)
        return render_error(request, exc.status_code, message)

    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every endpoint, including those of included routers (FastAPI may keep them nested)."""
    out: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes)

    walk(app.routes)
    return out


_NEXT_OK = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]*$")


def _safe_next(target: str) -> str:
    """Only local paths: an open redirect after log-in would be a phishing aid."""
    if not _NEXT_OK.match(target) or target.startswith("//"):
        return "/"
    from urllib.parse import quote

    return quote(target, safe="/")


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    session = request.state.session
    lang = session.get("lang", i18n.DEFAULT_LANGUAGE)
    who = getattr(request.state, "principal", None)
    role = who.role if who else "anonymous"
    settings = request.app.state.settings
    base = {
        "request": request,
        "lang": lang,
        "_": i18n.gettext_for(lang),
        "num": lambda n: i18n.num(n, lang),
        "pct": lambda x: i18n.pct(x, lang),
        "tanggal": lambda d: i18n.tanggal(d, lang),
        "waktu": lambda d: i18n.waktu(d, lang, settings.timezone),
        "principal": who,
        "nav": items_for(role),
        "csrf": session.get("csrf", ""),
        "flash": session.pop("flash", None),
        "demo": settings.demo,
        "role_labels": ROLE_LABELS,
        "path": request.url.path,
    }
    base.update(extra)
    return base


def render(request: Request, template: str, status: int = 200, **extra: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, page_context(request, **extra), status_code=status
    )


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)


def request_ctx(request: Request) -> tuple[Context, str | None]:
    """The app's context acting as the logged-in user, and the user's office (None: the only one)."""
    who = request.state.principal
    ctx: Context = request.app.state.ctx
    return replace(ctx, actor=who.username or "anonim"), who.office
