"""The JSON API under /api/v1: the same service functions as the CLI and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from blangko.services.admin import setup, users
from blangko.services.stock import counts, queries, writes
from blangko.web import views
from blangko.web.app import request_ctx
from blangko.web.security import authorize

# Declares the bearer scheme in the OpenAPI document (Swagger's "Authorize" button); the
# token itself is checked by `authorize`.
bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
router = APIRouter(dependencies=[Depends(authorize), Depends(bearer)])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Kirim ulang dengan kunci yang sama: operasi tidak terjadi dua kali.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Jumlah baris per halaman.")]
Offset = Annotated[int, Query(ge=0, description="Lewati sekian baris pertama.")]


class ErrorBody(BaseModel):
    code: str
    field: str | None
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 422)
}


def page(rows: list[Any], limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


# Auth --------------------------------------------------------------------------------------
class TokenOut(BaseModel):
    access_token: str
    token_type: str


@router.post(
    "/api/v1/auth/token",
    name="api.auth.token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
    tags=["auth"],
)
def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, str]:
    """Exchange a user name and password for a bearer token (8 hours)."""
    user = users.authenticate(request.app.state.ctx, username=form.username, password=form.password)
    return {
        "access_token": request.app.state.signer.issue_token(user["username"]),
        "token_type": "bearer",
    }


@router.get("/api/v1/me", name="api.me", responses=ERRORS, tags=["auth"])
def me(request: Request) -> dict[str, Any]:
    who = request.state.principal
    return {"username": who.username, "role": who.role, "office": who.office}


# Public ------------------------------------------------------------------------------------
@router.get("/api/v1/status", name="api.status", responses=ERRORS, tags=["publik"])
def status(request: Request, office: str | None = None) -> dict[str, Any]:
    """Open or closed per service today, and the stock level as aman / menipis / habis."""
    return views.public_status(request.app.state.ctx, office)


@router.get(
    "/api/v1/status/applications/{receipt}",
    name="api.status.application",
    responses=ERRORS,
    tags=["publik"],
)
def application_status(request: Request, receipt: str) -> dict[str, Any]:
    """Where an application is, by its receipt number: status and dates only (no NIK, no name)."""
    return views.public_application(request.app.state.ctx, receipt)


# Stock queries -----------------------------------------------------------------------------
@router.get("/api/v1/stock/balance", name="api.stock.balance", responses=ERRORS, tags=["stok"])
def balance(
    request: Request, as_of: dt.date | None = None, location: str | None = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return queries.balance(ctx, as_of=as_of, location=location, office=office)


@router.get("/api/v1/stock/ledger", name="api.stock.ledger", responses=ERRORS, tags=["stok"])
def ledger(
    request: Request,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    kind: str | None = None,
    serial: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Ledger entries in date order, filtered, one page at a time."""
    ctx, office = request_ctx(request)
    data = queries.ledger(ctx, date_from=date_from, date_to=date_to, kind=kind, office=office)
    rows = filter_serial(data["entries"], serial)
    return page(rows, limit, offset, office=data["office"])


def filter_serial(entries: list[dict[str, Any]], serial: str | None) -> list[dict[str, Any]]:
    if not serial:
        return entries
    from blangko.domain.serials import parse_ranges

    wanted = parse_ranges(serial, "serial")
    out = []
    for e in entries:
        ranges = parse_ranges(e["serials"]) if e["serials"] else []
        if any(w.overlaps(r) for w in wanted for r in ranges):
            out.append(e)
    return out


@router.get("/api/v1/stock/trace/{serial}", name="api.stock.trace", responses=ERRORS, tags=["stok"])
def trace(request: Request, serial: str) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return queries.trace(ctx, serial=serial, office=office)


@router.get("/api/v1/stock/verify", name="api.stock.verify", responses=ERRORS, tags=["audit"])
def verify(request: Request) -> dict[str, Any]:
    """Recompute the hash chain and every serial's state; `sound` true when nothing is wrong."""
    ctx, office = request_ctx(request)
    return queries.verify(ctx, office=office)


@router.get("/api/v1/stock/counts", name="api.stock.counts.list", responses=ERRORS, tags=["stok"])
def count_list(
    request: Request, status: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return page(counts.list_counts(ctx, office=office, status=status), limit, offset)


# Stock operations --------------------------------------------------------------------------
class OpeningIn(BaseModel):
    serials: str = Field(examples=["KR0001001-KR0002000"])
    date: dt.date | None = None
    location: str | None = None
    note: str | None = None


class ReceiveIn(BaseModel):
    serials: str = Field(examples=["KR0100001-KR0104000"])
    source: str = Field(examples=["Ditjen Dukcapil"])
    document: str = Field(description="Nomor berita acara serah terima.")
    date: dt.date | None = None
    to: str | None = None
    note: str | None = None


class TransferIn(BaseModel):
    from_location: str
    to_location: str
    serials: str | None = None
    qty: int | None = None
    date: dt.date | None = None
    note: str | None = None


class ConsumeIn(BaseModel):
    service: str = Field(examples=["pemula"])
    serials: str | None = None
    qty: int | None = None
    location: str | None = None
    date: dt.date | None = None
    note: str | None = None


class SpoilIn(BaseModel):
    serial: str
    reason: str = Field(examples=["salah_cetak"])
    note: str | None = None
    date: dt.date | None = None


class LoseIn(BaseModel):
    serials: str
    reason: str
    document: str = Field(description="Nomor laporan polisi.")
    date: dt.date | None = None


class ReturnIn(BaseModel):
    serials: str
    to: str
    document: str
    date: dt.date | None = None


class CountIn(BaseModel):
    location: str
    counted: int | None = Field(default=None, description="Jumlah terhitung (tanpa seri).")
    serials: str | None = Field(
        default=None, description="Seri yang dipindai: satu seri atau rentang per baris/koma."
    )


class CountPostIn(BaseModel):
    reason: str


class CloseMonthIn(BaseModel):
    month: str = Field(examples=["2026-10"])


@router.post("/api/v1/stock/opening", name="api.stock.opening", responses=ERRORS, tags=["stok"])
def opening(
    request: Request, body: OpeningIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.record_opening(
        ctx,
        serials=body.serials,
        effective=body.date,
        location=body.location,
        note=body.note,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/receive", name="api.stock.receive", responses=ERRORS, tags=["stok"])
def receive(
    request: Request, body: ReceiveIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Receive a shipment by serial ranges, with its handover document."""
    ctx, office = request_ctx(request)
    return writes.receive_shipment(
        ctx,
        serials=body.serials,
        source=body.source,
        document=body.document,
        effective=body.date,
        to=body.to,
        note=body.note,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/transfer", name="api.stock.transfer", responses=ERRORS, tags=["stok"])
def transfer(
    request: Request, body: TransferIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.transfer(
        ctx,
        from_location=body.from_location,
        to_location=body.to_location,
        serials=body.serials,
        qty=body.qty,
        effective=body.date,
        note=body.note,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/consume", name="api.stock.consume", responses=ERRORS, tags=["stok"])
def consume(
    request: Request, body: ConsumeIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.consume(
        ctx,
        service=body.service,
        serials=body.serials,
        qty=body.qty,
        location=body.location,
        effective=body.date,
        note=body.note,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/spoil", name="api.stock.spoil", responses=ERRORS, tags=["stok"])
def spoil(
    request: Request, body: SpoilIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.spoil(
        ctx,
        serial=body.serial,
        reason=body.reason,
        note=body.note,
        effective=body.date,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/lose", name="api.stock.lose", responses=ERRORS, tags=["stok"])
def lose(request: Request, body: LoseIn, idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.lose(
        ctx,
        serials=body.serials,
        reason=body.reason,
        document=body.document,
        effective=body.date,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post("/api/v1/stock/return", name="api.stock.return", responses=ERRORS, tags=["stok"])
def return_(
    request: Request, body: ReturnIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.return_blanks(
        ctx,
        serials=body.serials,
        to=body.to,
        document=body.document,
        effective=body.date,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post(
    "/api/v1/stock/counts", name="api.stock.counts.create", responses=ERRORS, tags=["stok"]
)
def count_create(
    request: Request, body: CountIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Record a physical count by quantity or by scanned serials; the variance is derived."""
    ctx, office = request_ctx(request)
    return record_count(ctx, office, body.location, body.counted, body.serials, idempotency_key)


def record_count(ctx, office, location, counted, serials, idempotency_key):  # type: ignore[no-untyped-def]
    scanned, duplicates = None, 0
    if serials is not None and serials.strip():
        scanned, duplicates = counts.parse_scanned(serials.replace(",", "\n").splitlines())
    return counts.record_count(
        ctx,
        location=location,
        counted=counted,
        scanned=scanned,
        duplicates=duplicates,
        office=office,
        idempotency_key=idempotency_key,
    )


@router.post(
    "/api/v1/stock/counts/{count_id}/post",
    name="api.stock.counts.post",
    responses=ERRORS,
    tags=["stok"],
)
def count_post(
    request: Request, count_id: int, body: CountPostIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Accept a count's variance with a reason (the head of office)."""
    ctx, office = request_ctx(request)
    return counts.post_count(
        ctx, count_id=count_id, reason=body.reason, office=office, idempotency_key=idempotency_key
    )


@router.post(
    "/api/v1/stock/close-month", name="api.stock.close_month", responses=ERRORS, tags=["stok"]
)
def close_month(
    request: Request, body: CloseMonthIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return writes.close_month(ctx, month=body.month, office=office, idempotency_key=idempotency_key)


# Locations and users -----------------------------------------------------------------------
class LocationIn(BaseModel):
    name: str
    kind: str = Field(default="station", examples=["station"])


@router.get("/api/v1/locations", name="api.locations.list", responses=ERRORS, tags=["admin"])
def locations(request: Request) -> list[dict[str, Any]]:
    ctx, office = request_ctx(request)
    return setup.list_locations(ctx, office=office)


@router.post("/api/v1/locations", name="api.locations.add", responses=ERRORS, tags=["admin"])
def location_add(
    request: Request, body: LocationIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return setup.add_location(ctx, name=body.name, kind=body.kind, office=office)


class UserIn(BaseModel):
    username: str
    role: str = Field(examples=["operator"])
    password: str = Field(min_length=1, json_schema_extra={"format": "password"})
    office: str | None = None


class UserPatch(BaseModel):
    role: str | None = None
    active: bool | None = None
    password: str | None = None


@router.get("/api/v1/users", name="api.users.list", responses=ERRORS, tags=["admin"])
def user_list(request: Request, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    ctx, _ = request_ctx(request)
    return page(users.list_users(ctx), limit, offset)


@router.post("/api/v1/users", name="api.users.add", responses=ERRORS, tags=["admin"])
def user_add(
    request: Request, body: UserIn, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    ctx, _ = request_ctx(request)
    user = users.add_user(
        ctx, username=body.username, role=body.role, password=body.password, office=body.office
    )
    return JSONResponse(user, status_code=201)


@router.post("/api/v1/users/{username}", name="api.users.update", responses=ERRORS, tags=["admin"])
def user_update(
    request: Request, username: str, body: UserPatch, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, _ = request_ctx(request)
    return users.update_user(
        ctx, username=username, role=body.role, active=body.active, password=body.password
    )


# Description -------------------------------------------------------------------------------
@router.get("/api/openapi.json", name="api.openapi", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/api/docs", name="api.docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI from the swagger-ui-bundle package: served by us, no CDN."""
    return HTMLResponse(
        """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>blangko API</title><link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""
    )
