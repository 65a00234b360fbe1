"""Agenda: closures of a service (add, end) and coming events with the villages they touch
and their expected extra demand. The head keeps it; the auditor may read it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import allowed
from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date, tanggal
from blangko.services import figures
from blangko.services.calendar import days, events
from blangko.services.calendar.results import (
    ClosureAdded,
    ClosureEnded,
    ClosureView,
    EventAdded,
    EventDetail,
    EventSummary,
    Impact,
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
    villages_by_kecamatan,
)
from blangko.web.labels import SERVICE_LABELS, VILLAGE_KIND_LABELS
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.agenda", N_("Agenda"), "/agenda", 50))

CLOSURE_SCOPE_LABELS = {"perekaman": "Perekaman", "pencetakan": "Pencetakan", "semua": "Semua"}


def _agenda_page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    impact: dict[str, Any] | None = None,
) -> Response:
    ctx, office = request_ctx(request)
    today = ctx.today()
    closures = [
        {
            **c,
            "active": c["start"] <= today.isoformat()
            and (c["end"] is None or c["end"] >= today.isoformat()),
        }
        for c in days.list_closures(ctx, office=office)
    ]
    return render(
        request,
        "calendar.html",
        status=status,
        closures=closures[::-1],
        events=events.list_events(ctx, office=office),
        groups=villages_by_kecamatan(ctx, office),
        today=today.isoformat(),
        error=error,
        form=form or {},
        impact=impact,
        idem=uuid.uuid4().hex,
        can_write=allowed("page.agenda.closure_add", request.state.principal.role),
        scope_labels=CLOSURE_SCOPE_LABELS,
        kinds=events.KINDS,
        kind_labels=events.KIND_LABEL_ID,
    )


def _done(request: Request, message: str) -> Response:
    request.state.session["flash"] = message
    return RedirectResponse("/agenda", status_code=303)


@pages.get("/agenda", name="page.agenda", response_class=HTMLResponse)
def agenda_page(request: Request) -> Response:
    return _agenda_page(request)


@pages.post("/agenda/penutupan", name="page.agenda.closure_add", response_class=HTMLResponse)
def closure_add(
    request: Request,
    service: Text,
    start: Text,
    reason: Text,
    end: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    form = {"service": service, "start": start, "end": end, "reason": reason}
    try:
        result = days.add_closure(
            ctx,
            service=service,
            start=parse_date(blank_to_none(start), "start") or ctx.today(),
            end=parse_date(blank_to_none(end), "end"),
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Penutupan dicatat')}: #{result['closure']['id']}")


@pages.post(
    "/agenda/penutupan/{closure_id}/akhiri",
    name="page.agenda.closure_end",
    response_class=HTMLResponse,
)
def closure_end(
    request: Request, closure_id: Id, reopen: OptText = None, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    try:
        result = days.end_closure(
            ctx,
            closure_id=closure_id,
            reopen=parse_date(blank_to_none(reopen), "reopen"),
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, status=status_for(exc))
    _ = tr(request)
    return _done(
        request,
        f"{_('Penutupan')} #{closure_id} {_('berakhir; buka kembali')} "
        f"{tanggal(result['reopened'], lang_of(request))}",
    )


@pages.post("/agenda/acara", name="page.agenda.event_add", response_class=HTMLResponse)
async def event_add(request: Request) -> Response:
    # Read by hand: a multi-select sends `villages` once per chosen village.
    data = await request.form()
    name = str(data.get("name") or "")
    when = str(data.get("date") or "")
    kind = str(data.get("kind") or "")
    villages = [str(v) for v in data.getlist("villages")]
    all_villages = data.get("all_villages") == "1"
    form = {"name": name, "date": when, "kind": kind, "villages": villages, "all": all_villages}
    ctx, office = request_ctx(request)
    try:
        day = parse_date(blank_to_none(when), "date")
        if day is None:
            raise DomainError("required", "date", Msg("Tanggal acara wajib diisi."))
        result = events.add_event(
            ctx,
            name=name,
            event_date=day,
            kind=kind,
            villages=villages,
            all_villages=all_villages,
            office=office,
            idempotency_key=blank_to_none(str(data.get("idem") or "")),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, form=form, status=status_for(exc))
    return RedirectResponse(f"/agenda/acara/{result['id']}", status_code=303)


@pages.get("/agenda/acara/{event_id}", name="page.agenda.event", response_class=HTMLResponse)
def event_page(request: Request, event_id: Id) -> Response:
    ctx, office = request_ctx(request)
    shown = events.show_event(ctx, event_id, office=office)
    stored = figures.forecast_stored(ctx, office)
    # Stored: it counts the registry in the event's villages (most of a second a view).
    impact = events.impact_stored(ctx, event_id, office=office)
    return render(
        request,
        "calendar_event.html",
        event=shown,
        impact=impact.value,
        impact_stale=impact.stale,
        impact_computed_at=impact.computed_at,
        # The event as the forecast sees it (its readiness); None past the horizon.
        seen=figures.event_readiness(ctx, event_id, office=office),
        # A stale forecast (being computed again after a change) says so on the page.
        forecast_stale=stored.stale,
        forecast_computed_at=stored.computed_at,
        kind_labels=events.KIND_LABEL_ID,
        service_labels=SERVICE_LABELS,
        village_kind_labels=VILLAGE_KIND_LABELS,
    )


# API ---------------------------------------------------------------------------------------
class ClosureIn(BaseModel):
    service: str = Field(examples=["perekaman"], description="perekaman, pencetakan atau semua")
    start: dt.date
    end: dt.date | None = Field(None, description="Hari tutup terakhir; kosong: sampai diakhiri.")
    reason: str = Field(examples=["Gangguan jaringan SIAK"])


class ClosureEndIn(BaseModel):
    reopen: dt.date | None = Field(None, description="Hari buka kembali (bawaan: hari ini).")


class EventIn(BaseModel):
    name: str = Field(examples=["Pilkades serentak 2027"])
    date: dt.date
    kind: str = Field(examples=["pilkades"], description="pilkades, pemilu, pilkada, lainnya")
    villages: list[str] = Field(default_factory=list, examples=[["17.04.01.2001"]])
    all_villages: bool = False


@api.get("/api/v1/closures", name="api.closures.list", responses=ERRORS, tags=["agenda"])
def closure_list(
    request: Request, active_on: dt.date | None = None, limit: Limit = 100, offset: Offset = 0
) -> Page[ClosureView]:
    ctx, office = request_ctx(request)
    return page(days.list_closures(ctx, office=office, active_on=active_on), limit, offset)


@api.post("/api/v1/closures", name="api.closures.add", responses=ERRORS, tags=["agenda"])
def closure_create(
    request: Request, body: ClosureIn, idempotency_key: IdempotencyKey = None
) -> ClosureAdded:
    return api_write(
        request,
        days.add_closure,
        idempotency_key,
        service=body.service,
        start=body.start,
        end=body.end,
        reason=body.reason,
    )


@api.post(
    "/api/v1/closures/{closure_id}/end", name="api.closures.end", responses=ERRORS, tags=["agenda"]
)
def closure_finish(
    request: Request,
    closure_id: Id,
    body: ClosureEndIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ClosureEnded:
    return api_write(
        request,
        days.end_closure,
        idempotency_key,
        closure_id=closure_id,
        reopen=(body or ClosureEndIn()).reopen,
    )


@api.get("/api/v1/events", name="api.events.list", responses=ERRORS, tags=["agenda"])
def event_list(request: Request, limit: Limit = 100, offset: Offset = 0) -> Page[EventSummary]:
    ctx, office = request_ctx(request)
    return page(events.list_events(ctx, office=office), limit, offset)


@api.post("/api/v1/events", name="api.events.add", responses=ERRORS, tags=["agenda"])
def event_create(
    request: Request, body: EventIn, idempotency_key: IdempotencyKey = None
) -> EventAdded:
    return api_write(
        request,
        events.add_event,
        idempotency_key,
        name=body.name,
        event_date=body.date,
        kind=body.kind,
        villages=body.villages,
        all_villages=body.all_villages,
    )


@api.get("/api/v1/events/{event_id}", name="api.events.show", responses=ERRORS, tags=["agenda"])
def event_show(request: Request, event_id: Id) -> EventDetail:
    ctx, office = request_ctx(request)
    return events.show_event(ctx, event_id, office=office)


@api.get(
    "/api/v1/events/{event_id}/impact",
    name="api.events.impact",
    response_model=Impact,
    responses=ERRORS,
    tags=["agenda"],
)
def event_impact(request: Request, event_id: Id, as_of: dt.date | None = None) -> dict[str, Any]:
    """Expected extra recordings and blanks before the event (low / expected / high)."""
    ctx, office = request_ctx(request)
    return events.impact(ctx, event_id, as_of=as_of, office=office)
