"""Stok in the JSON API (/api/v1/stock): the balance, the ledger, a serial's trace, the audit,
the counts, and every stock operation, with the request bodies they take. Each route calls the
same service function as its page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, Field

from blangko.services.stock import counts, queries, writes
from blangko.services.stock.results import (
    Balance,
    CountPosted,
    CountRecorded,
    CountView,
    CountVoided,
    EntriesWritten,
    LedgerEntry,
    MonthClosed,
    Trace,
    Verification,
)
from blangko.web.deps import (
    ERRORS,
    Id,
    IdempotencyKey,
    Limit,
    Offset,
    Page,
    api_router,
    api_write,
    page,
    request_ctx,
)
from blangko.web.stock.inputs import record_count, record_office_count

api = api_router()


class LedgerPage(Page[LedgerEntry]):
    """One page of the ledger's entries, with the office they belong to."""

    office: str


# API: queries --------------------------------------------------------------------------------
@api.get("/api/v1/stock/balance", name="api.stock.balance", responses=ERRORS, tags=["stok"])
def balance(request: Request, as_of: dt.date | None = None, location: str | None = None) -> Balance:
    ctx, office = request_ctx(request)
    return queries.balance(ctx, as_of=as_of, location=location, office=office)


@api.get("/api/v1/stock/ledger", name="api.stock.ledger", responses=ERRORS, tags=["stok"])
def ledger(
    request: Request,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    kind: str | None = None,
    serial: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> LedgerPage:
    """Ledger entries in date order, filtered, one page at a time."""
    ctx, office = request_ctx(request)
    return queries.ledger_page(
        ctx,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        serial=serial,
        office=office,
        limit=limit,
        offset=offset,
    )


@api.get("/api/v1/stock/trace/{serial}", name="api.stock.trace", responses=ERRORS, tags=["stok"])
def trace(request: Request, serial: str) -> Trace:
    ctx, office = request_ctx(request)
    return queries.trace(ctx, serial=serial, office=office)


@api.get("/api/v1/stock/verify", name="api.stock.verify", responses=ERRORS, tags=["audit"])
def verify(request: Request) -> Verification:
    """Recompute the hash chain and every serial's state; `sound` true when nothing is wrong."""
    ctx, office = request_ctx(request)
    return queries.verify(ctx, office=office)


@api.get(
    "/api/v1/stock/counts",
    name="api.stock.counts.list",
    response_model=Page[CountView],
    responses=ERRORS,
    tags=["stok"],
)
def count_list(
    request: Request, status: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Page[dict[str, Any]]:
    ctx, office = request_ctx(request)
    return page(counts.list_counts(ctx, office=office, status=status), limit, offset)


@api.get(
    "/api/v1/stock/counts/{count_id}",
    name="api.stock.counts.show",
    response_model=CountView,
    responses=ERRORS,
    tags=["stok"],
)
def count_show(request: Request, count_id: Id) -> dict[str, Any]:
    """One count with its parts (one per location it covers) and its life (posted,
    superseded, voided)."""
    ctx, office = request_ctx(request)
    return counts.get_count(ctx, count_id=count_id, office=office)


# API: operations -----------------------------------------------------------------------------
def _api_write(
    request: Request,
    write: Callable[..., EntriesWritten],
    body: BaseModel,
    idempotency_key: str | None,
) -> EntriesWritten:
    """A stock write from the API: the body's fields are the service's arguments by name, its
    `date` the effective date, with the request's office and idempotency key."""
    fields = body.model_dump()
    effective = fields.pop("date", None)
    return api_write(request, write, idempotency_key, effective=effective, **fields)


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


# One location of an office-wide count takes what a count of one location takes. (No
# docstring: it would become a description in the OpenAPI document, which stays as it was.)
class CountPartIn(CountIn):
    pass


class OfficeCountIn(BaseModel):
    locations: list[CountPartIn] = Field(
        description="Setiap lokasi kantor satu kali, dengan jumlah atau seri yang dipindai."
    )


class CountPostIn(BaseModel):
    reason: str


class CountVoidIn(BaseModel):
    reason: str = Field(description="Mengapa stock opname ini tidak akan diposting.")


class CloseMonthIn(BaseModel):
    month: str = Field(examples=["2026-10"])


@api.post("/api/v1/stock/opening", name="api.stock.opening", responses=ERRORS, tags=["stok"])
def opening(
    request: Request, body: OpeningIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    return _api_write(request, writes.record_opening, body, idempotency_key)


@api.post("/api/v1/stock/receive", name="api.stock.receive", responses=ERRORS, tags=["stok"])
def receive(
    request: Request, body: ReceiveIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    """Receive a shipment by serial ranges, with its handover document."""
    return _api_write(request, writes.receive_shipment, body, idempotency_key)


@api.post("/api/v1/stock/transfer", name="api.stock.transfer", responses=ERRORS, tags=["stok"])
def transfer(
    request: Request, body: TransferIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    return _api_write(request, writes.transfer, body, idempotency_key)


@api.post("/api/v1/stock/consume", name="api.stock.consume", responses=ERRORS, tags=["stok"])
def consume(
    request: Request, body: ConsumeIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    return _api_write(request, writes.consume, body, idempotency_key)


@api.post("/api/v1/stock/spoil", name="api.stock.spoil", responses=ERRORS, tags=["stok"])
def spoil(
    request: Request, body: SpoilIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    return _api_write(request, writes.spoil, body, idempotency_key)


@api.post("/api/v1/stock/lose", name="api.stock.lose", responses=ERRORS, tags=["stok"])
def lose(request: Request, body: LoseIn, idempotency_key: IdempotencyKey = None) -> EntriesWritten:
    return _api_write(request, writes.lose, body, idempotency_key)


@api.post("/api/v1/stock/return", name="api.stock.return", responses=ERRORS, tags=["stok"])
def return_(
    request: Request, body: ReturnIn, idempotency_key: IdempotencyKey = None
) -> EntriesWritten:
    return _api_write(request, writes.return_blanks, body, idempotency_key)


@api.post(
    "/api/v1/stock/counts",
    name="api.stock.counts.create",
    response_model=CountRecorded,
    responses=ERRORS,
    tags=["stok"],
)
def count_create(
    request: Request, body: CountIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Record a physical count by quantity or by scanned serials; the variance is derived."""
    ctx, office = request_ctx(request)
    return record_count(ctx, office, body.location, body.counted, body.serials, idempotency_key)


@api.post(
    "/api/v1/stock/counts/office-wide",
    name="api.stock.counts.create_office",
    response_model=CountRecorded,
    responses=ERRORS,
    tags=["stok"],
)
def count_create_office(
    request: Request, body: OfficeCountIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Record an office-wide count: every location of the office at once, one count id,
    the office's totals and each location's figures. Supersedes every open count."""
    ctx, office = request_ctx(request)
    rows = [(p.location, p.counted, p.serials) for p in body.locations]
    return record_office_count(ctx, office, rows, idempotency_key)


@api.post(
    "/api/v1/stock/counts/{count_id}/post",
    name="api.stock.counts.post",
    response_model=CountPosted,
    responses=ERRORS,
    tags=["stok"],
)
def count_post(
    request: Request, count_id: Id, body: CountPostIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Accept a count's variance with a reason (the head of office)."""
    return api_write(
        request, counts.post_count, idempotency_key, count_id=count_id, reason=body.reason
    )


@api.post(
    "/api/v1/stock/counts/{count_id}/void",
    name="api.stock.counts.void",
    response_model=CountVoided,
    responses=ERRORS,
    tags=["stok"],
)
def count_void(
    request: Request, count_id: Id, body: CountVoidIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Void an open count that will not be posted, with a reason (the head of office). It is
    kept with the reason, who and when; posted, superseded and voided counts are refused."""
    return api_write(
        request, counts.void_count, idempotency_key, count_id=count_id, reason=body.reason
    )


@api.post(
    "/api/v1/stock/close-month", name="api.stock.close_month", responses=ERRORS, tags=["stok"]
)
def close_month(
    request: Request, body: CloseMonthIn, idempotency_key: IdempotencyKey = None
) -> MonthClosed:
    ctx, office = request_ctx(request)
    return writes.close_month(ctx, month=body.month, office=office, idempotency_key=idempotency_key)
