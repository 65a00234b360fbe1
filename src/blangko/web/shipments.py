"""Shipments and the network on the web (docs/network.md): the page of the shipments sent or
received within the user's reach (/kiriman), one shipment with the entries it booked on each
side and the receiving office's form (/kiriman/{id}), the stock keeper's send form, and the
network tree (/jaringan). Each route calls the same service as the command line and the API,
with the user's reach; another office's shipment is not found."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from blangko.domain.errors import DomainError, NotFound
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date
from blangko.services.network import organisation, shipment_entries, shipments
from blangko.web.deps import (
    Id,
    OptText,
    page_router,
    reading_other_office,
    render,
    render_error,
    request_ctx,
    status_for,
    tr,
    user_reach,
)
from blangko.web.labels import ledger_labels
from blangko.web.nav import NavItem, register

pages = page_router()

register(NavItem("page.shipments", N_("Kiriman"), "/kiriman", 26))
register(NavItem("page.network", N_("Jaringan"), "/jaringan", 26))

SHIPMENT_STATUS_LABELS = {
    "in_transit": N_("dalam perjalanan"),
    "received": N_("diterima"),
}


def _acting_office(request: Request) -> str | None:
    """The office whose stock keeper sends or receives: the user's own (None for a
    province's user, or while reading another office)."""
    who = request.state.principal
    if not who.scoped or reading_other_office(request):
        return None
    return str(who.scope)


def _writer(request: Request) -> str:
    """The office a send or a receipt writes: the user's own (a province's user, or one
    reading another office, writes none; the access policy refuses them before this)."""
    acting = _acting_office(request)
    if acting is None:
        raise DomainError(
            "no_office",
            "office",
            N_("Hanya pengelola stok kantor pengirim atau penerima yang mencatat kiriman."),
        )
    return acting


def _quantity(text: str | None, field: str) -> int | None:
    value = (text or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError(
            "not_a_number",
            field,
            Msg("Jumlah keping harus bilangan bulat ('{value}').", value=value),
        ) from None


def _status(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _list_page(
    request: Request,
    *,
    status_filter: str | None = None,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    reach = user_reach(request)
    chosen = office if reading_other_office(request) else reach.office
    try:
        rows = shipments.list_shipments(ctx, office=chosen, status=status_filter, reach=reach)
    except DomainError as exc:
        # A status that is not one: the list unfiltered, the error named by its field.
        rows = shipments.list_shipments(ctx, office=chosen, reach=reach)
        error, status, status_filter = exc, status_for(exc), None
    acting = _acting_office(request)
    choices: list[Any] = []
    if acting is not None:
        tree = organisation.organisation(ctx)
        everyone = ([tree["directorate"]] if tree["directorate"] else []) + [
            o for p in tree["provinces"] for o in p["offices"]
        ]
        choices = [{"code": o["code"], "name": o["name"]} for o in everyone if o["code"] != acting]
    return render(
        request,
        "shipments.html",
        status=status,
        rows=rows,
        acting=acting,
        offices=choices,
        status_filter=status_filter,
        status_labels=SHIPMENT_STATUS_LABELS,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        office_query=f"?office={office}" if reading_other_office(request) else "",
    )


def _detail_page(
    request: Request,
    number: int,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    try:
        d = shipment_entries.detail(ctx, shipment=number, reach=user_reach(request))
    except NotFound as exc:
        return render_error(request, 404, exc.message)
    return render(
        request,
        "shipments_detail.html",
        status=status,
        s=d["shipment"],
        sent=d["sent"],
        received=d["received"],
        acting=_acting_office(request),
        status_labels=SHIPMENT_STATUS_LABELS,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        today=ctx.today().isoformat(),
        office_query=f"?office={office}" if reading_other_office(request) else "",
        **ledger_labels(),
    )


@pages.get("/kiriman", name="page.shipments", response_class=HTMLResponse)
def shipments_page(
    request: Request,
    status: str | None = Query(
        default=None, description="in_transit (dalam perjalanan) atau received (diterima)."
    ),
) -> Response:
    return _list_page(request, status_filter=_status(status))


@pages.post("/kiriman", name="page.shipments.send", response_class=HTMLResponse)
def shipments_send(
    request: Request,
    to: OptText = None,
    serials: OptText = None,
    qty: OptText = None,
    document: OptText = None,
    date: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    form = {
        "to": to,
        "serials": serials,
        "qty": qty,
        "document": document,
        "date": date,
        "note": note,
    }
    try:
        result = shipments.send(
            ctx,
            from_office=_writer(request),
            to_office=to or "",
            document=document or "",
            serials=blank_to_none(serials),
            qty=_quantity(qty, "qty"),
            effective=parse_date(blank_to_none(date), "date"),
            note=blank_to_none(note),
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _list_page(request, error=exc, form=form, status=status_for(exc))
    number = result["shipment"]["id"]
    _ = tr(request)
    request.state.session["flash"] = f"{_('Kiriman dicatat')}: #{number}"
    return RedirectResponse(f"/kiriman/{number}", status_code=303)


@pages.get("/kiriman/{shipment_id}", name="page.shipments.show", response_class=HTMLResponse)
def shipment_page(request: Request, shipment_id: Id) -> Response:
    return _detail_page(request, shipment_id)


@pages.post(
    "/kiriman/{shipment_id}/terima", name="page.shipments.receive", response_class=HTMLResponse
)
def shipment_receive(
    request: Request,
    shipment_id: Id,
    document: OptText = None,
    missing: OptText = None,
    missing_document: OptText = None,
    damaged: OptText = None,
    date: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    form = {
        "document": document,
        "missing": missing,
        "missing_document": missing_document,
        "damaged": damaged,
        "date": date,
        "note": note,
    }
    try:
        # Out of reach: as unknown as one that does not exist (404), before any write.
        shipments.show(ctx, shipment=shipment_id, reach=user_reach(request))
        shipments.receive(
            ctx,
            shipment=shipment_id,
            document=document or "",
            missing=blank_to_none(missing),
            missing_document=blank_to_none(missing_document),
            damaged=blank_to_none(damaged),
            effective=parse_date(blank_to_none(date), "date"),
            office=_writer(request),
            note=blank_to_none(note),
            idempotency_key=blank_to_none(idem),
        )
    except NotFound as exc:
        return render_error(request, 404, exc.message)
    except DomainError as exc:
        return _detail_page(request, shipment_id, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    request.state.session["flash"] = f"{_('Kiriman diterima')}: #{shipment_id}"
    return RedirectResponse(f"/kiriman/{shipment_id}", status_code=303)


@pages.get("/jaringan", name="page.network", response_class=HTMLResponse)
def network_page(request: Request) -> Response:
    ctx, _office = request_ctx(request)
    reach = user_reach(request)
    tree = organisation.organisation(ctx, reach=reach)
    own = request.state.principal.scope if request.state.principal.scoped else None
    return render(
        request,
        "network.html",
        tree=tree,
        reach=reach,
        own=own,
    )
