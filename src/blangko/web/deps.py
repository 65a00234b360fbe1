"""What every route module shares: its routers, the request's context, rendering a page, the
API's parameter aliases and error shapes, and the helpers for forms, files and charts.

Route modules import this module (and security, nav, labels, charts, i18n); never each other
and never `web.app`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import OAuth2PasswordBearer
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from typing_extensions import TypedDict

from blangko import formatting
from blangko.domain.access import (
    ANONYMOUS,
    CROSS_OFFICE_REFUSED,
    ROLE_LABELS,
    allowed,
    sees_personal_data,
)
from blangko.domain.errors import (
    FIELD_LABEL_ID,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unavailable,
)
from blangko.domain.limits import MAX_NUMBER
from blangko.domain.text import Msg
from blangko.services import derived
from blangko.services.admin import setup, users
from blangko.services.context import Context
from blangko.services.network import organisation
from blangko.web import i18n
from blangko.web.nav import items_for
from blangko.web.security import authorize, is_api

T = TypeVar("T")

# Declares the bearer scheme in the OpenAPI document (Swagger's "Authorize" button); the
# token itself is checked by `authorize`.
bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


OfficeChoice = Annotated[
    str | None,
    Query(
        description=(
            "Kantor yang dibaca (mis. 17.04): akun provinsi membaca kantor provinsinya, akun "
            "direktorat setiap kantor; hanya baca. Akun kantor: hanya kantornya sendiri."
        )
    ),
]


def office_in_scope(request: Request, office: OfficeChoice = None) -> None:
    """The office a request acts on, resolved and checked here once for every route
    (router-level, after `authorize`): the user's own office; or, named by `?office=KODE`,
    an office within the user's reach (a province's user: its province's offices; the
    directorate's: every office) for reading only. An office outside the reach, or one that
    does not exist, is not found (404); a write or a route of personal data, accounts or the
    read log on another office is refused (403). Public routes take `office` as their own
    (the public status page of any office) and are left alone; every other route checks it,
    log-out and /api/v1/me too. `request_ctx` returns it."""
    name = getattr(request.scope.get("route"), "name", "") or ""
    who = request.state.principal
    chosen = (office or "").strip()
    if allowed(name, ANONYMOUS) or who.anonymous or not chosen or chosen == who.scope:
        return
    if not user_reach(request).covers(chosen) or not organisation.office_known(
        request.app.state.ctx, chosen
    ):
        raise NotFound(
            "unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=chosen)
        )
    if request.method != "GET" or name in CROSS_OFFICE_REFUSED:
        raise Forbidden(
            "read_only_office",
            "office",
            Msg(
                (
                    "Kantor {office} hanya dapat dibaca dari akun Anda, tanpa data pribadi "
                    "penduduk: perubahan dicatat oleh kantor itu sendiri."
                ),
                office=chosen,
            ),
        )
    request.state.office = chosen


def user_reach(request: Request) -> organisation.Reach:
    """What the user sees of the network: the directorate's users everything, a province's
    user its offices, an office's user its own (docs/network.md, "Who sees what")."""
    who = request.state.principal
    return organisation.reach_of(who.scope if who.scoped else None, who.province)


def reading_other_office(request: Request) -> bool:
    """Whether the request reads an office other than the user's own (`?office=`)."""
    return getattr(request.state, "office", None) is not None


def reveals_personal_data(request: Request) -> bool:
    """Whether the page or answer may show residents' names and full NIKs: the user's role
    may see them (domain.access) and the office is the user's own."""
    return sees_personal_data(request.state.principal.role) and not reading_other_office(request)


def page_router() -> APIRouter:
    """A router for pages: every route authorised by its name, left out of the API document."""
    return APIRouter(
        dependencies=[Depends(authorize), Depends(office_in_scope)], include_in_schema=False
    )


def api_router() -> APIRouter:
    """A router for the JSON API: authorised by route name, bearer token documented."""
    return APIRouter(dependencies=[Depends(authorize), Depends(office_in_scope), Depends(bearer)])


# API parameters and errors -------------------------------------------------------------------
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Kirim ulang dengan kunci yang sama: operasi tidak terjadi dua kali.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Jumlah baris per halaman.")]
# Bounded like every number: a larger one would overflow the database's OFFSET (a 500).
Offset = Annotated[int, Query(ge=0, le=MAX_NUMBER, description="Lewati sekian baris pertama.")]
# Database ids: a larger number is simply not found, rather than overflowing the driver.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
# Page form fields.
Text = Annotated[str, Form()]
OptText = Annotated[str | None, Form()]


class ErrorBody(BaseModel):
    code: str
    field: str | None
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)
}


class Page(TypedDict, Generic[T]):
    """One page of a list: how many rows in all, and the rows from `offset` on."""

    total: int
    limit: int
    offset: int
    items: list[T]


def file_responses(*mimetypes: str) -> dict[int | str, dict[str, Any]]:
    """The API document's 200 response of a file download, one entry per media type.

    A download route also sets ``response_class=Response``: it returns the file itself, so
    FastAPI must not add a JSON response to the document."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "Berkas", "content": dict.fromkeys(mimetypes, binary)}}


def page(rows: list[T], limit: int, offset: int) -> Page[T]:
    """One page of a list: {total, limit, offset, items}."""
    return {
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


def status_for(exc: DomainError) -> int:
    if exc.code in ("too_many_attempts", "too_many_lookups"):
        return 429
    if exc.code in ("bad_credentials", "unauthenticated"):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Unavailable):
        return 503
    return 400


def error_json(
    code: str, field: str | None, message: str, status: int, **headers: str
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "field": field, "message": message}},
        status_code=status,
        headers=headers or None,
    )


# The request ---------------------------------------------------------------------------------
def request_ctx(request: Request) -> tuple[Context, str | None]:
    """The app's context acting as the logged-in user (name and role), and the office the user
    acts for (their own; for a user without an office, the only office of the database; None
    for anonymous callers and a database without an office), or the office they read, chosen
    by `?office=` and checked by `office_in_scope`.

    A page may show a stored figure computed before the last change while a newer one is
    computed in the background (services.derived, settings.figures_max_stale_seconds), and
    says so; the API reads the current figure."""
    who = request.state.principal
    ctx: Context = request.app.state.ctx
    office = getattr(request.state, "office", None) or who.scope
    return replace(
        ctx,
        actor=who.username or "anonim",
        role=who.role,
        figures_stale_seconds=page_stale_seconds(request),
    ), office


def page_stale_seconds(request: Request) -> float:
    """How old a stored figure this request may be shown (services.derived): the
    settings' bound for pages, 0 for the API."""
    if is_api(request):
        return 0.0
    return float(request.app.state.settings.figures_max_stale_seconds)


def villages_by_kecamatan(ctx: Context, office: str | None) -> list[dict[str, Any]]:
    """The office's villages grouped under their kecamatan, for forms that choose a village
    (the event form, the work list's filter)."""
    rows = setup.office_regions(ctx, office=office)
    groups: dict[str, dict[str, Any]] = {
        r["code"]: {"code": r["code"], "name": r["name"], "villages": []}
        for r in rows
        if r["level"] == "kecamatan"
    }
    for r in rows:
        parent = r["code"].rsplit(".", 1)[0]
        if r["level"] == "desa" and parent in groups:
            groups[parent]["villages"].append({"code": r["code"], "name": r["name"]})
    return [g for g in groups.values() if g["villages"]]


def user_scope(request: Request) -> users.Scope:
    """Whose accounts the logged-in administrator manages: their office's."""
    return users.Scope(request.state.principal.scope)


def api_write(
    request: Request,
    write: Callable[..., T],
    idempotency_key: str | None,
    /,
    **fields: Any,
) -> T:
    """A write service called for an API request: the request's context and office, the
    Idempotency-Key header, and `fields` as the service's other arguments."""
    ctx, office = request_ctx(request)
    return write(ctx, **fields, office=office, idempotency_key=idempotency_key)


def lang_of(request: Request) -> str:
    """The request's language: the one chosen on the pages (/bahasa/en, kept in the session);
    for an API call without one, the first of id/en its Accept-Language header names (a
    page keeps Indonesian until the user switches: the browser's language is not the
    office's); else Indonesian."""
    session = getattr(request.state, "session", None) or {}
    chosen = session.get("lang")
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    if is_api(request):
        return accepted_language(request.headers.get("accept-language", ""))
    return i18n.DEFAULT_LANGUAGE


def accepted_language(header: str) -> str:
    """'en-US,en;q=0.9,id;q=0.8' -> 'en': the supported language the header prefers most."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in i18n.LANGUAGES and q > 0:
            ranked.append((-q, i, code))
    return min(ranked)[2] if ranked else i18n.DEFAULT_LANGUAGE


def tr(request: Request):  # type: ignore[no-untyped-def]
    """The gettext of the request's language."""
    return i18n.gettext_for(lang_of(request))


_NEXT_OK = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]*$")


def safe_next(target: str) -> str:
    """Only local paths: an open redirect after log-in would be a phishing aid."""
    if not _NEXT_OK.match(target) or target.startswith("//"):
        return "/"
    return quote(target, safe="/")


# Pages ---------------------------------------------------------------------------------------
def language_context(lang: str, timezone: str) -> dict[str, Any]:
    """What a template needs to write texts, numbers and dates in ``lang`` and nothing of
    the reader: a part of a page rendered once for every reader of that language (the
    national view's cache, web/national.py) gets this and no more."""
    return {
        "lang": lang,
        "_": i18n.gettext_for(lang),
        # A stored note (history, ledger) in the page's language (i18n.translate_stored).
        "stored": partial(i18n.translate_stored, lang=lang),
        "num": partial(formatting.num, lang=lang),
        "pct": partial(formatting.pct, lang=lang),
        "signed": partial(formatting.signed, lang=lang),
        "tanggal": partial(formatting.tanggal, lang=lang),
        # A date field's value as the app writes dates (templates/_date.html).
        "form_date": formatting.form_date,
        "form_month": formatting.form_month,
        "waktu": partial(formatting.waktu, lang=lang, tz=timezone),
    }


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    session = request.state.session
    lang = lang_of(request)
    who = getattr(request.state, "principal", None)
    role = who.role if who else "anonymous"
    settings = request.app.state.settings
    base = {
        "request": request,
        **language_context(lang, settings.timezone),
        "principal": who,
        "nav": items_for(role),
        # What the caller may do, asked of the one access policy by route name (reading
        # another office: nothing but reads).
        "can": partial(
            _allowed_for, role, _reads(request) if reading_other_office(request) else None
        ),
        "reading_office": getattr(request.state, "office", None),
        "csrf": session.get("csrf", ""),
        "flash": session.pop("flash", None),
        "demo": settings.demo,
        "role_labels": ROLE_LABELS,
        # A form's error names its field by the field's label (_error.html), never its code.
        "field_labels": FIELD_LABEL_ID,
        "path": request.url.path,
    }
    # A page's own value under one of these names would replace what base.html reads for
    # every page (the printer page's item roles once emptied the user's role in the header).
    clash = sorted(base.keys() & extra.keys())
    if clash:
        raise TypeError(f"page context names every page already has: {clash}")
    base.update(extra)
    return base


def _allowed_for(role: str, reads: frozenset[str] | None, route: str) -> bool:
    return allowed(route, role) and (reads is None or route in reads)


def _reads(request: Request) -> frozenset[str]:
    """The names of the app's GET routes."""
    return frozenset(
        getattr(r, "name", "")
        for r in request.app.routes
        if "GET" in (getattr(r, "methods", None) or ())
    )


def render(request: Request, template: str, status: int = 200, **extra: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, page_context(request, **extra), status_code=status
    )


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page; `message` (a Msg or a marked text) in the page's language."""
    return render(request, "error.html", status=status, status_code=status, message=message)


# A chart's width: drawn for a desktop column, or for a phone (web/charts.py, _chart.html).
NarrowChart = Annotated[
    bool, Query(description="Digambar untuk layar sempit (ponsel): huruf tetap terbaca.")
]


def svg(body: str) -> Response:
    """A chart drawn for this request: never cached (the figures change with every entry)."""
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# The drawing code's version, part of every stored drawing's key: a change of the drawing
# code that must not serve the drawings stored before is a new one (2: our own SVG writer
# instead of matplotlib, web/svg_chart.py).
CHART_VERSION = 2


def stored_svg(
    ctx: Context,
    *,
    kind: str,
    params: str,
    source: derived.Stored[Any],
    draw: Callable[[], str],
) -> str:
    """A chart of a stored figure (``source``), drawn once per computing of that figure and
    per ``params`` (language, width, filters) and stored beside it (services.derived), so
    every view and every process serves the same drawing without drawing it again."""
    # The drawing of the figure shown (``source``, stale or not), never an older one.
    body = derived.drawn(
        ctx,
        office=str(source.value["office"]),
        kind=kind,
        params=params,
        depends=(),
        extra=f"{CHART_VERSION}|{source.computed_at.isoformat()}",
        compute=draw,
    ).value
    return str(body)


# What a chart drawn from the ledger alone depends on.
LEDGER_CHART_DEPENDS = (derived.LEDGER,)


def ledger_svg(
    ctx: Context, office: str | None, *, kind: str, params: str, draw: Callable[[], str]
) -> str:
    """A chart drawn from the office's ledger alone (stock on hand, usage), drawn once per
    entry appended and per ``params`` (language, width) and stored (services.derived): the
    views between two entries, in every process, serve the stored drawing. The first view
    after an entry draws it (never an older drawing: the stock it shows is the ledger's)."""
    code = derived.office_of(ctx, office)
    body = derived.drawn(
        ctx,
        office=code,
        kind=kind,
        params=params,
        depends=LEDGER_CHART_DEPENDS,
        extra=CHART_VERSION,
        compute=draw,
    ).value
    return str(body)


def download(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        content,
        media_type=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
