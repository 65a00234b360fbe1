"""The FastAPI application factory: `create_app(settings)` or `create_app(ctx)`, with the
session middleware and the error handlers. The routes live in one module per capability.

Safe by construction: whatever starts the app gets the same protections, because they are
made here: the secret check (the public demo secret is refused unless demo mode is explicit),
the NIK filter on the server's logs and the security headers on every response.

uvicorn --factory blangko.web.app:create_app   (settings from BLANGKO_* variables; the
                                                production start, see docs/web.md)
blangko serve                                   (the same, plus migrations and the demo)
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from blangko.domain.access import ROUTE_ROLES
from blangko.domain.errors import FIELD_LABEL_ID, DomainError
from blangko.domain.limits import MAX_REQUEST_BYTES, check_text, ribuan
from blangko.domain.text import N_, Msg
from blangko.services import figures
from blangko.services.context import Context, context_from_settings
from blangko.services.network import snapshots
from blangko.settings import DEFAULT_SECRET_KEY, Settings
from blangko.web import (
    admin,
    allocation,
    apidocs,
    applications,
    auth,
    calendar,
    coverage,
    dashboard,
    handed_in,
    i18n,
    loans,
    national,
    network,
    printers,
    public,
    rationing,
    readlog,
    registry,
    reports,
    requests,
    shipments,
    stock,
)
from blangko.web.deps import error_json, render_error, safe_next, status_for, tr
from blangko.web.logs import install_log_filters
from blangko.web.ratelimit import RateLimiter
from blangko.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    BadCsrf,
    Forbidden,
    NeedLogin,
    SecurityHeaders,
    Signer,
    is_api,
    new_csrf,
)

HERE = Path(__file__).parent
log = logging.getLogger("blangko.web")
# Each capability's page routes and API routes, in the order they are matched.
PAGE_ROUTERS = (
    public.pages,
    auth.pages,
    dashboard.pages,
    stock.pages,
    admin.pages,
    readlog.pages,
    applications.pages,
    coverage.pages,
    handed_in.pages,
    calendar.pages,
    printers.pages,
    rationing.pages,
    reports.pages,
    allocation.pages,
    national.pages,
    requests.pages,
    loans.pages,
    shipments.pages,
)
API_ROUTERS = (
    auth.api,
    public.api,
    stock.api,
    admin.api,
    readlog.api,
    apidocs.api,
    dashboard.api,
    registry.api,
    applications.api,
    coverage.api,
    handed_in.api,
    calendar.api,
    printers.api,
    rationing.api,
    reports.api,
    network.api,
    allocation.api,
    national.api,
    requests.api,
    loans.api,
)


def check_secret(settings: Settings) -> None:
    """Refuse the public default secret outside the demo: anyone could forge sessions."""
    if settings.demo:
        return
    if settings.secret_key == DEFAULT_SECRET_KEY or len(settings.secret_key) < 16:
        raise DomainError(
            "default_secret",
            "secret_key",
            Msg(
                "BLANGKO_SECRET_KEY belum diatur (atau kurang dari 16 karakter): server tidak dijalankan dengan kunci bawaan kecuali mode demo (--demo)."
            ),
        )


def refuse_control_characters_in_query(request: Request) -> None:
    """No query value may carry a control character (tab and line breaks aside), on every
    route: a NUL in a look-up reached PostgreSQL, which refuses it in a string (a 500), and no
    filter or look-up needs one. DomainError names the parameter: 400 / the error page."""
    for key, value in request.query_params.multi_items():
        check_text(value, key, limit=len(value), multiline=True)


# How long the server waits at shutdown for the figures' background round to finish.
STOP_SECONDS = 30.0


def draw_charts(ctx: Context, office: str) -> None:
    """The charts of the stored figures that the first pages show, in every language and
    both widths, drawn by the background thread so that a view finds them drawn."""
    for lang in i18n.LANGUAGES:
        for narrow in (False, True):
            dashboard.forecast_chart(ctx, office, lang, narrow)
            coverage.coverage_chart(ctx, office, "kecamatan", None, lang, narrow)


def start_background(
    ctx: Context, figures_seconds: float, snapshot_seconds: float, stop: threading.Event
) -> list[threading.Thread]:
    """The server's background jobs, each a thread of this process: the stored figures
    (services.figures.refresh, with figures_seconds > 0) and today's office snapshots
    (services.network.snapshots.refresh, with snapshot_seconds > 0). One process runs them:
    the app's own (lifespan) with one server process, `blangko serve`'s supervisor with
    --workers above 1 (its workers' apps start none)."""
    threads = []
    if figures_seconds > 0:
        threads.append(
            threading.Thread(
                target=figures.refresh_every,
                args=(ctx, figures_seconds, stop, partial(draw_charts, ctx)),
                name="blangko-figures",
                daemon=True,
            )
        )
    if snapshot_seconds > 0:
        # The office snapshots of the national and province view (docs/network.md).
        threads.append(
            threading.Thread(
                target=snapshots.refresh_every,
                args=(ctx, snapshot_seconds, stop),
                name="blangko-snapshots",
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    return threads


def stop_background(threads: list[threading.Thread], stop: threading.Event) -> None:
    stop.set()
    for thread in threads:  # let a round being computed finish (its claim is released)
        thread.join(timeout=STOP_SECONDS)


def settle_startup_objects() -> None:
    """Leave what the server loaded at start-up (modules, routes, templates: about 190.000
    objects) out of Python's full garbage collections. A full collection walks every object
    the process holds, holding the interpreter's lock: 100-135 ms with the pages' kept
    figures of a big office, a pause every page under way waited for (bench/README.md, 4
    December). Those objects live as long as the process; what the pages make later is
    collected as before. Called once per server process, after its app is made."""
    gc.collect()
    gc.freeze()


def served_app() -> FastAPI:
    """The app of one of `blangko serve --workers N`'s processes (uvicorn's factory)."""
    app = create_app()
    settle_startup_objects()
    return app


def create_app(
    source: Settings | Context | None = None, *, settings: Settings | None = None
) -> FastAPI:
    if isinstance(source, Context):
        ctx = source
        settings = settings or Settings()
    else:
        settings = source or settings or Settings()
        ctx = context_from_settings(settings, actor="web")
    check_secret(settings)
    install_log_filters()
    refresh_seconds = settings.figures_refresh_seconds
    snapshot_seconds = settings.snapshot_refresh_seconds

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """With figures_refresh_seconds, a thread computes the stored figures again after
        each change (services.figures.refresh), so that pages find them computed."""
        stop = threading.Event()
        threads = start_background(ctx, refresh_seconds, snapshot_seconds, stop)
        try:
            yield
        finally:
            stop_background(threads, stop)

    app = FastAPI(
        lifespan=lifespan,
        title="blangko API",
        version="1",
        description="Buku besar blangko e-KTP: stok, stock opname, audit, status publik.",
        openapi_url=None,  # served by our own route so that it is in the role matrix
        docs_url=None,
        redoc_url=None,
        # A form or JSON body is read into memory whole: this bounds what one request takes.
        max_body_size=MAX_REQUEST_BYTES,
        dependencies=[Depends(refuse_control_characters_in_query)],
    )
    app.state.ctx = ctx
    app.state.settings = settings
    app.state.signer = Signer(settings.secret_key)
    # Public look-ups by receipt number, per client address (in this process's memory).
    app.state.lookup_limiter = RateLimiter(settings.public_lookups_per_minute)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates

    for router in (*PAGE_ROUTERS, *API_ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount(
        "/api/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger_assets",
    )
    undeclared = [r.name for r in api_routes(app) if r.name not in ROUTE_ROLES]
    if undeclared:
        raise RuntimeError(f"routes without roles in domain/access.py: {undeclared}")

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
        return response

    # Added last: outermost, so that every response (static files and errors too) has them.
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = status_for(exc)
        # A lock not granted in time: the same request may be sent again shortly.
        retry = {"Retry-After": "5"} if status == 503 else {}
        if is_api(request):
            return error_json(exc.code, exc.field, tr(request)(exc.message), status, **retry)
        page = render_error(request, status, exc.message)
        page.headers.update(retry)
        return page

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        if is_api(request):
            return error_json(
                "unauthenticated",
                None,
                tr(request)(
                    N_(
                        "Perlu masuk: kirim token dari POST /api/v1/auth/token (Authorization: Bearer)."
                    )
                ),
                401,
                **{"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={safe_next(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        message = exc.message or N_("Peran Anda tidak diizinkan membuka halaman atau operasi ini.")
        if is_api(request):
            field = "office" if exc.code in ("no_office", "office_required") else None
            return error_json(exc.code, field, tr(request)(message), 403)
        return render_error(request, 403, message)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return render_error(
            request,
            403,
            N_("Formulir kedaluwarsa atau tidak sah (token CSRF); muat ulang halaman."),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or None
        # In the clerk's words: the field's label (its code only for a field without one).
        what = (
            Msg(FIELD_LABEL_ID[field or ""])
            if field in FIELD_LABEL_ID
            else (Msg("Isian '{field}'", field=field) if field else Msg("Isian"))
        )
        if first.get("type") == "missing":
            message = Msg("{what} wajib diisi.", what=what)
        else:
            message = Msg("{what} tidak sah: {why}.", what=what, why=first.get("msg", "tidak sah"))
        if is_api(request):
            return error_json("invalid", field, tr(request)(message), 422)
        return render_error(request, 400, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        message = {
            404: Msg("Alamat tidak ditemukan."),
            405: Msg("Metode tidak diizinkan untuk alamat ini."),
            413: Msg(
                "Permintaan terlalu besar: paling banyak {n} byte.", n=ribuan(MAX_REQUEST_BYTES)
            ),
        }.get(exc.status_code, str(exc.detail))
        if is_api(request):
            return error_json(code, None, tr(request)(message), exc.status_code)
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
