"""Stok: the ledger of blanks. Receive by serial ranges, transfer, spoil, lose, return, the
physical count and its variance (posted by the head), the ledger and a serial's trace, and
the audit (verify the hash chain). Pages and the JSON API call the same service functions.

A page form that succeeds redirects (post/redirect/get); one that fails shows the form again
with the clerk's values and the error next to the field it names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.errors import DomainError
from blangko.domain.ledger import SERVICES, SPOIL_REASONS, Kind
from blangko.domain.serials import parse_ranges
from blangko.formatting import blank_to_none, num, parse_date
from blangko.services import figures
from blangko.services.admin import setup
from blangko.services.context import Context
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
    OptText,
    Page,
    Text,
    api_router,
    api_write,
    lang_of,
    page,
    page_router,
    render,
    request_ctx,
    status_for,
    tr,
)
from blangko.web.labels import ledger_labels
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.stock", "Stok", "/stok", 20))
register(NavItem("page.audit", "Audit", "/audit", 60))


class LedgerPage(Page[LedgerEntry]):
    """One page of the ledger's entries, with the office they belong to."""

    office: str


STOCK_TABS = ("terima", "pindah", "rusak", "hilang", "kembali", "opname")


def filter_serial(entries: list[LedgerEntry], serial: str | None) -> list[LedgerEntry]:
    """The entries that move any of the given serials (one serial or ranges)."""
    if not serial:
        return entries
    wanted = parse_ranges(serial, "serial")
    out = []
    for e in entries:
        ranges = parse_ranges(e["serials"]) if e["serials"] else []
        if any(w.overlaps(r) for w in wanted for r in ranges):
            out.append(e)
    return out


def record_count(
    ctx: Context,
    office: str | None,
    location: str,
    counted: int | None,
    serials: str | None,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A physical count by quantity, or by the scanned serials (one or a range per line or
    comma); the variance is derived by the service."""
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


def record_office_count(
    ctx: Context,
    office: str | None,
    rows: list[tuple[str, int | None, str | None]],
    idempotency_key: str | None,
) -> dict[str, Any]:
    """An office-wide count: for each location (name, quantity, scanned serials), one of the
    two given; a row with neither is passed on for the service to name."""
    parts = []
    for name, counted, serials in rows:
        scanned, duplicates = None, 0
        if serials is not None and serials.strip():
            scanned, duplicates = counts.parse_scanned(serials.replace(",", "\n").splitlines())
        parts.append(counts.CountInput(name, counted, scanned, duplicates))
    return counts.record_office_count(
        ctx, parts=parts, office=office, idempotency_key=idempotency_key
    )


def to_int(value: str | None, field: str) -> int | None:
    """A whole number typed in a form ('1.000' with the thousands dot), or None when blank."""
    if not blank_to_none(value):
        return None
    try:
        return int(str(value).replace(".", "").strip())
    except ValueError as exc:
        raise DomainError("not_a_number", field, f"'{value}' bukan bilangan bulat.") from exc


# Stock page ----------------------------------------------------------------------------------
def _stock_page(
    request: Request,
    *,
    tab: str = "terima",
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    count_result: dict[str, Any] | None = None,
) -> Response:
    ctx, office = request_ctx(request)
    all_counts = counts.list_counts(ctx, office=office)
    return render(
        request,
        "stock.html",
        status=status,
        balance=queries.balance(ctx, office=office),
        today=figures.status(ctx, office=office),
        locations=setup.list_locations(ctx, office=office),
        open_counts=[c for c in all_counts if c["status"] == "open"],
        # The latest counts that are closed (posted, superseded, voided), newest first.
        closed_counts=[c for c in reversed(all_counts) if c["status"] != "open"][:5],
        tab=tab,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        spoil_reasons=SPOIL_REASONS,
        services=SERVICES,
        count_result=count_result,
        **ledger_labels(),
    )


@pages.get("/stok", name="page.stock", response_class=HTMLResponse)
def stock_page(request: Request, tab: str = "terima") -> Response:
    return _stock_page(request, tab=tab if tab in STOCK_TABS else "terima")


def _act(
    request: Request,
    tab: str,
    form: dict[str, Any],
    run: Callable[[], EntriesWritten],
    done: Callable[[EntriesWritten], str],
) -> Response:
    try:
        result = run()
    except DomainError as exc:
        return _stock_page(request, tab=tab, error=exc, form=form, status=status_for(exc))
    request.state.session["flash"] = done(result)
    return RedirectResponse(f"/stok?tab={tab}", status_code=303)


def _page_write(
    request: Request,
    tab: str,
    what: str,
    form: dict[str, Any],
    write: Callable[..., EntriesWritten],
    fields: Callable[[], dict[str, Any]],
    date: str | None,
    idem: str | None,
) -> Response:
    """A stock write from a page form: the service gets `fields()` (parsed inside, so a bad
    value shows the form again), the form's date as the effective date, the office and the
    idempotency key; the flash names `what` and the quantity."""
    ctx, office = request_ctx(request)
    return _act(
        request,
        tab,
        form,
        lambda: write(
            ctx,
            **fields(),
            effective=parse_date(blank_to_none(date)),
            office=office,
            idempotency_key=blank_to_none(idem),
        ),
        lambda r: _qty_msg(request, what, r),
    )


def _qty_msg(request: Request, what: str, result: EntriesWritten) -> str:
    _ = tr(request)
    return f"{_(what)}: {num(result['quantity'], lang_of(request))} {_('keping')}" + (
        f" ({_('dikirim ulang; tidak dicatat dua kali')})" if result.get("replayed") else ""
    )


@pages.post("/stok/terima", name="page.stock.receive", response_class=HTMLResponse)
def stock_receive(
    request: Request,
    serials: Text,
    source: Text,
    document: Text,
    date: OptText = None,
    to: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {
        "serials": serials,
        "source": source,
        "document": document,
        "date": date,
        "to": to,
        "note": note,
    }
    fields = {
        "serials": serials,
        "source": source,
        "document": document,
        "to": blank_to_none(to),
        "note": blank_to_none(note),
    }
    return _page_write(
        request, "terima", "Diterima", form, writes.receive_shipment, lambda: fields, date, idem
    )


@pages.post("/stok/pindah", name="page.stock.transfer", response_class=HTMLResponse)
def stock_transfer(
    request: Request,
    from_location: Text,
    to_location: Text,
    serials: OptText = None,
    qty: OptText = None,
    date: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {
        "from_location": from_location,
        "to_location": to_location,
        "serials": serials,
        "qty": qty,
        "date": date,
        "note": note,
    }

    def fields() -> dict[str, Any]:
        return {
            "from_location": from_location,
            "to_location": to_location,
            "serials": blank_to_none(serials),
            "qty": to_int(qty, "qty"),
            "note": blank_to_none(note),
        }

    return _page_write(request, "pindah", "Dipindahkan", form, writes.transfer, fields, date, idem)


@pages.post("/stok/rusak", name="page.stock.spoil", response_class=HTMLResponse)
def stock_spoil(
    request: Request,
    serial: Text,
    reason: Text,
    note: OptText = None,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serial": serial, "reason": reason, "note": note, "date": date}
    fields = {"serial": serial, "reason": reason, "note": blank_to_none(note)}
    return _page_write(
        request, "rusak", "Dicatat rusak", form, writes.spoil, lambda: fields, date, idem
    )


@pages.post("/stok/hilang", name="page.stock.lose", response_class=HTMLResponse)
def stock_lose(
    request: Request,
    serials: Text,
    reason: Text,
    document: Text,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serials": serials, "reason": reason, "document": document, "date": date}
    fields = {"serials": serials, "reason": reason, "document": document}
    return _page_write(
        request, "hilang", "Dicatat hilang", form, writes.lose, lambda: fields, date, idem
    )


@pages.post("/stok/kembali", name="page.stock.return", response_class=HTMLResponse)
def stock_return(
    request: Request,
    serials: Text,
    to: Text,
    document: Text,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serials": serials, "to": to, "document": document, "date": date}
    fields = {"serials": serials, "to": to, "document": document}
    return _page_write(
        request, "kembali", "Dikembalikan", form, writes.return_blanks, lambda: fields, date, idem
    )


@pages.post("/stok/opname", name="page.stock.count", response_class=HTMLResponse)
def stock_count(
    request: Request,
    location: Text,
    counted: OptText = None,
    scanned: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"location": location, "counted": counted, "scanned": scanned}
    ctx, office = request_ctx(request)
    try:
        result = record_count(
            ctx,
            office,
            location,
            to_int(counted, "counted"),
            blank_to_none(scanned),
            blank_to_none(idem),
        )
    except DomainError as exc:
        return _stock_page(request, tab="opname", error=exc, form=form, status=status_for(exc))
    # Shown at once (not redirected): the clerk needs the variance and the serials in question.
    return _stock_page(request, tab="opname", count_result=result)


@pages.post(
    "/stok/opname/{count_id}/posting", name="page.stock.count_post", response_class=HTMLResponse
)
def stock_count_post(
    request: Request, count_id: Id, reason: Text, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    _ = tr(request)
    try:
        result = counts.post_count(
            ctx,
            count_id=count_id,
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _stock_page(
            request, tab="opname", error=exc, form={"reason": reason}, status=status_for(exc)
        )
    request.state.session["flash"] = (
        f"{_('Stock opname')} #{count_id} {_('diposting')}: {_('selisih')} "
        f"{num(result['variance'], lang_of(request))} {_('keping')}"
    )
    return RedirectResponse("/stok?tab=opname", status_code=303)


@pages.post("/stok/opname/kantor", name="page.stock.count_office", response_class=HTMLResponse)
def stock_count_office(
    request: Request,
    location: Annotated[list[str], Form()],
    counted: Annotated[list[str] | None, Form()] = None,
    scanned: Annotated[list[str] | None, Form()] = None,
    idem: OptText = None,
) -> Response:
    """An office-wide count from the page: one row per location, a quantity or a scan each."""
    # One row per location: the browser sends every field of every row, empty or not.
    n = len(location)
    counted_ = ((counted or []) + [""] * n)[:n]
    scanned_ = ((scanned or []) + [""] * n)[:n]
    rows = [
        {"location": loc, "counted": c, "scanned": sc}
        for loc, c, sc in zip(location, counted_, scanned_, strict=True)
    ]
    ctx, office = request_ctx(request)
    try:
        result = record_office_count(
            ctx,
            office,
            [
                (r["location"], to_int(r["counted"], "counted"), blank_to_none(r["scanned"]))
                for r in rows
            ],
            blank_to_none(idem),
        )
    except DomainError as exc:
        return _stock_page(
            request,
            tab="opname",
            error=exc,
            form={"office_rows": {r["location"]: r for r in rows}},
            status=status_for(exc),
        )
    return _stock_page(request, tab="opname", count_result=result)


@pages.post(
    "/stok/opname/{count_id}/batal", name="page.stock.count_void", response_class=HTMLResponse
)
def stock_count_void(
    request: Request, count_id: Id, reason: Text, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    _ = tr(request)
    try:
        counts.void_count(
            ctx,
            count_id=count_id,
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _stock_page(
            request, tab="opname", error=exc, form={"void_reason": reason}, status=status_for(exc)
        )
    request.state.session["flash"] = f"{_('Stock opname')} #{count_id} {_('dibatalkan')}"
    return RedirectResponse("/stok?tab=opname", status_code=303)


# Ledger, trace and audit pages ---------------------------------------------------------------
@pages.get("/stok/ledger", name="page.stock.ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    kind: str | None = None,
    serial: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    ctx, office = request_ctx(request)
    filters = {
        "from": date_from or "",
        "to": date_to or "",
        "kind": kind or "",
        "serial": serial or "",
    }
    try:
        data = queries.ledger(
            ctx,
            date_from=parse_date(blank_to_none(date_from), "from"),
            date_to=parse_date(blank_to_none(date_to), "to"),
            kind=blank_to_none(kind),
            office=office,
        )
        rows = filter_serial(data["entries"], blank_to_none(serial))
        error = None
    except DomainError as exc:
        rows, error = [], exc
    rows = rows[::-1]  # newest first on screen
    return render(
        request,
        "stock_ledger.html",
        status=status_for(error) if error else 200,
        entries=rows[offset : offset + limit],
        total=len(rows),
        limit=limit,
        offset=offset,
        filters=filters,
        kinds=[k.value for k in Kind],
        error=error,
        **ledger_labels(),
    )


@pages.get("/stok/lacak", name="page.stock.trace", response_class=HTMLResponse)
def trace_page(request: Request, serial: str | None = None) -> Response:
    ctx, office = request_ctx(request)
    result, error = None, None
    if blank_to_none(serial):
        try:
            result = queries.trace(ctx, serial=serial or "", office=office)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "stock_trace.html",
        status=status_for(error) if error else 200,
        serial=serial or "",
        result=result,
        error=error,
        **ledger_labels(),
    )


@pages.get("/audit", name="page.audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    return render(request, "stock_audit.html", result=None, **ledger_labels())


@pages.post("/audit/verifikasi", name="page.audit.verify", response_class=HTMLResponse)
def audit_verify(request: Request) -> Response:
    ctx, office = request_ctx(request)
    result = queries.verify(ctx, office=office)
    return render(
        request, "stock_audit.html", result=result, checked_at=ctx.now(), **ledger_labels()
    )


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
    data = queries.ledger(ctx, date_from=date_from, date_to=date_to, kind=kind, office=office)
    rows = filter_serial(data["entries"], serial)
    return {"office": data["office"], **page(rows, limit, offset)}


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


class CountPartIn(BaseModel):
    location: str
    counted: int | None = Field(default=None, description="Jumlah terhitung (tanpa seri).")
    serials: str | None = Field(
        default=None, description="Seri yang dipindai: satu seri atau rentang per baris/koma."
    )


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
