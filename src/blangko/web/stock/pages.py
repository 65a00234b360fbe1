"""Stok in pages: the stock page with its forms (receive by serial ranges, transfer, spoil,
lose, return, the physical count and its posting or voiding by the head), the ledger, a
serial's trace, and the audit (verify the hash chain).

A page form that succeeds redirects (post/redirect/get); one that fails shows the form again
with the clerk's values and the error next to the field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from blangko.domain.errors import DomainError
from blangko.domain.ledger import SERVICES, SPOIL_REASONS, Kind
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, num, parse_date
from blangko.services import figures
from blangko.services.admin import setup
from blangko.services.stock import counts, queries, writes
from blangko.services.stock.results import EntriesWritten
from blangko.web.deps import (
    Id,
    Offset,
    OptText,
    Text,
    lang_of,
    page_router,
    render,
    request_ctx,
    status_for,
    tr,
)
from blangko.web.labels import ledger_labels
from blangko.web.nav import NavItem, register
from blangko.web.stock.inputs import record_count, record_office_count

R = TypeVar("R")

pages = page_router()

register(NavItem("page.stock", N_("Stok"), "/stok", 20))
register(NavItem("page.audit", N_("Audit"), "/audit", 60))


STOCK_TABS = ("terima", "pindah", "rusak", "hilang", "kembali", "opname")


def to_int(value: str | None, field: str) -> int | None:
    """A whole number typed in a form ('1.000' with the thousands dot), or None when blank."""
    if not blank_to_none(value):
        return None
    try:
        return int(str(value).replace(".", "").strip())
    except ValueError as exc:
        raise DomainError(
            "not_a_number", field, Msg("'{value}' bukan bilangan bulat.", value=value)
        ) from exc


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
    today, fc = figures.status_stored(ctx, office=office)
    return render(
        request,
        "stock.html",
        status=status,
        balance=queries.balance(ctx, office=office),
        today=today,
        cover_stale=fc.stale,
        cover_computed_at=fc.computed_at,
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
    run: Callable[[], R],
    done: Callable[[R], str],
) -> Response:
    """Run a write for a page form: on success the flash `done(result)` and a redirect to the
    tab; on a clerk's error the tab again with the form's values and the error."""
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
    write: Callable[..., EntriesWritten],
    form: dict[str, str | None],
    idem: str | None,
    *,
    optional: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
) -> Response:
    """A stock write from a page form: the service gets the form's fields by name (those in
    `optional` None when blank, those in `numbers` parsed as whole numbers: inside, so that a
    bad value shows the form again), the form's date as the effective date, the office and
    the idempotency key; the flash names `what` and the quantity."""
    ctx, office = request_ctx(request)

    def fields() -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in form.items() if k != "date"}
        for k in optional:
            out[k] = blank_to_none(out[k])
        for k in numbers:
            out[k] = to_int(out[k], k)
        return out

    return _act(
        request,
        tab,
        form,
        lambda: write(
            ctx,
            **fields(),
            effective=parse_date(blank_to_none(form["date"])),
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
    return _page_write(
        request, "terima", "Diterima", writes.receive_shipment, form, idem, optional=("to", "note")
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
    return _page_write(
        request,
        "pindah",
        N_("Dipindahkan"),
        writes.transfer,
        form,
        idem,
        optional=("serials", "note"),
        numbers=("qty",),
    )


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
    return _page_write(
        request, "rusak", N_("Dicatat rusak"), writes.spoil, form, idem, optional=("note",)
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
    return _page_write(request, "hilang", N_("Dicatat hilang"), writes.lose, form, idem)


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
    return _page_write(request, "kembali", "Dikembalikan", writes.return_blanks, form, idem)


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


def _decide_count(
    request: Request,
    decide: Callable[..., R],
    count_id: int,
    reason: str,
    idem: str | None,
    reason_field: str,
    done: Callable[[R], str],
) -> Response:
    """Post or void a count from the page (the head's decision, with its reason), through the
    counts service's `decide(ctx, count_id=, reason=, office=, idempotency_key=)`."""
    ctx, office = request_ctx(request)
    return _act(
        request,
        "opname",
        {reason_field: reason},
        lambda: decide(
            ctx,
            count_id=count_id,
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        ),
        done,
    )


@pages.post(
    "/stok/opname/{count_id}/posting", name="page.stock.count_post", response_class=HTMLResponse
)
def stock_count_post(
    request: Request, count_id: Id, reason: Text, idem: OptText = None
) -> Response:
    _ = tr(request)
    return _decide_count(
        request,
        counts.post_count,
        count_id,
        reason,
        idem,
        "reason",
        lambda r: (
            f"{_('Stock opname')} #{count_id} {_('diposting')}: {_('selisih')} "
            f"{num(r['variance'], lang_of(request))} {_('keping')}"
        ),
    )


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
    _ = tr(request)
    return _decide_count(
        request,
        counts.void_count,
        count_id,
        reason,
        idem,
        "void_reason",
        lambda r: f"{_('Stock opname')} #{count_id} {_('dibatalkan')}",
    )


# Ledger, trace and audit pages ---------------------------------------------------------------
@pages.get("/stok/ledger", name="page.stock.ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    kind: str | None = None,
    serial: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Response:
    ctx, office = request_ctx(request)
    filters = {
        "from": date_from or "",
        "to": date_to or "",
        "kind": kind or "",
        "serial": serial or "",
    }
    try:
        data = queries.ledger_page(
            ctx,
            date_from=parse_date(blank_to_none(date_from), "from"),
            date_to=parse_date(blank_to_none(date_to), "to"),
            kind=blank_to_none(kind),
            serial=blank_to_none(serial),
            office=office,
            limit=limit,
            offset=offset,
            newest_first=True,  # newest first on screen
        )
        rows, total, error = data["items"], data["total"], None
    except DomainError as exc:
        rows, total, error = [], 0, exc
    return render(
        request,
        "stock_ledger.html",
        status=status_for(error) if error else 200,
        entries=rows,
        total=total,
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
