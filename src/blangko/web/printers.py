"""Printer dan pita (/printer): the office's items (the e-KTP blank, ribbons, films ...) with
their stock, the printers of each print station with their state and the ribbon and film
loaded, and for those who read the forecast, what stops printing first. The stock keeper and
the head record a printer's state (services.items, services.supply_limits via
services.figures)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import FORECAST_READERS, allowed
from blangko.domain.errors import DomainError
from blangko.domain.items import PRINTER_STATE_LABEL_ID, PRINTER_STATES, ROLE_LABEL_ID
from blangko.domain.text import N_
from blangko.formatting import blank_to_none, parse_date
from blangko.services import derived, figures
from blangko.services.items import queries, writes
from blangko.services.items.results import (
    ItemList,
    NoSupplyLimits,
    PrinterList,
    PrinterWritten,
    SupplyLimitsResult,
)
from blangko.web.deps import (
    ERRORS,
    IdempotencyKey,
    OptText,
    api_router,
    api_write,
    page_router,
    render,
    request_ctx,
    status_for,
    tr,
)
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.printer", N_("Printer"), "/printer", 27))

ROUTE_LABEL_ID = {"direktorat": N_("Ditjen Dukcapil"), "apbd": N_("APBD kabupaten")}


def _page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    role = request.state.principal.role
    stops = None
    if role in FORECAST_READERS:
        stored = figures.supply_limits_stored(ctx, office)
        stops = stored.value if stored is not None else None
    return render(
        request,
        "printers.html",
        status=status,
        items=queries.list_items(ctx, office=office)["items"],
        printers=queries.list_printers(ctx, office=office)["printers"],
        stops=stops,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        can_write=allowed("page.printer.state", role),
        states=PRINTER_STATES,
        state_labels=PRINTER_STATE_LABEL_ID,
        item_role_labels=ROLE_LABEL_ID,
        route_labels=ROUTE_LABEL_ID,
    )


@pages.get("/printer", name="page.printer", response_class=HTMLResponse)
def printer_page(request: Request) -> Response:
    return _page(request)


@pages.post("/printer/keadaan", name="page.printer.state", response_class=HTMLResponse)
def printer_state(
    request: Request,
    printer: OptText = None,
    state: OptText = None,
    since: OptText = None,
    expected_back: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    form = {
        "printer": printer,
        "state": state,
        "since": since,
        "expected_back": expected_back,
        "note": note,
    }
    try:
        result = writes.set_state(
            ctx,
            name=(printer or "").strip(),
            state=(state or "").strip(),
            since=parse_date(blank_to_none(since), "date"),
            expected_back=parse_date(blank_to_none(expected_back), "expected_back"),
            note=blank_to_none(note),
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    request.state.session["flash"] = f"{_('Keadaan printer dicatat')}: {result['printer']['name']}"
    return RedirectResponse("/printer", status_code=303)


# API ---------------------------------------------------------------------------------------
class PrinterStateIn(BaseModel):
    printer: str = Field(examples=["printer-2"])
    state: str = Field(examples=["broken"], description="working, broken, in_repair, replaced")
    since: dt.date | None = None
    expected_back: dt.date | None = None
    note: str | None = Field(None, examples=["Head cetak rusak, dikirim ke Jakarta"])


@api.get("/api/v1/items", name="api.items", responses=ERRORS, tags=["barang"])
def items_list(request: Request) -> ItemList:
    """The office's items: the e-KTP blank and the quantity items, with what is on hand."""
    ctx, office = request_ctx(request)
    return queries.list_items(ctx, office=office)


@api.get("/api/v1/printers", name="api.printers", responses=ERRORS, tags=["barang"])
def printers_list(request: Request) -> PrinterList:
    """The office's printers with their state and the ribbon and film loaded."""
    ctx, office = request_ctx(request)
    return queries.list_printers(ctx, office=office)


@api.post("/api/v1/printers/state", name="api.printers.state", responses=ERRORS, tags=["barang"])
def printers_state(
    request: Request, body: PrinterStateIn, idempotency_key: IdempotencyKey = None
) -> PrinterWritten:
    return api_write(
        request,
        writes.set_state,
        idempotency_key,
        name=body.printer,
        state=body.state,
        since=body.since,
        expected_back=body.expected_back,
        note=body.note,
    )


@api.get("/api/v1/forecast/stops", name="api.forecast.stops", responses=ERRORS, tags=["barang"])
def forecast_stops(request: Request) -> SupplyLimitsResult | NoSupplyLimits:
    """What stops printing first in the next 120 days (blanks, ribbon, film, printers), with
    the quantity to request of each item; empty when the office keeps no item or printer."""
    ctx, office = request_ctx(request)
    stored = figures.supply_limits_stored(ctx, office)
    if stored is None:
        return NoSupplyLimits(office=derived.office_of(ctx, office))
    return cast(SupplyLimitsResult, stored.value)
