"""Agenda: closures of a service (add, end) and coming events with the villages they touch
and their expected extra demand. The head keeps it; the auditor may read it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.domain.errors import DomainError
from blangko.formatting import parse_date
from blangko.services.calendar import days, events
from blangko.services.context import Context, resolve_office
from blangko.web import i18n
from blangko.web.api import ERRORS, IdempotencyKey, Limit, Offset, bearer, page
from blangko.web.app import render, request_ctx, status_for
from blangko.web.nav import NavItem, register
from blangko.web.roles import KEPALA
from blangko.web.security import authorize

pages = APIRouter(dependencies=[Depends(authorize)], include_in_schema=False)
api = APIRouter(dependencies=[Depends(authorize), Depends(bearer)])

register(NavItem("page.agenda", "Agenda", "/agenda", 50))

CLOSURE_SCOPE_LABELS = {"perekaman": "Perekaman", "pencetakan": "Pencetakan", "semua": "Semua"}
# Database ids: a larger number is simply not found, rather than overflowing the driver.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Text = Annotated[str, Form()]
OptText = Annotated[str | None, Form()]


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def villages_by_kecamatan(ctx: Context, office: str | None) -> list[dict[str, Any]]:
    """The office's villages grouped under their kecamatan, for the event form."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = conn.execute(
            select(t.region.c.code, t.region.c.name, t.region.c.level, t.region.c.parent_code)
            .where(t.region.c.level.in_(("kecamatan", "desa")), t.region.c.code.like(f"{code}.%"))
            .order_by(t.region.c.code)
        ).all()
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.level == "kecamatan":
            groups[r.code] = {"code": r.code, "name": r.name, "villages": []}
    for r in rows:
        if r.level == "desa" and r.parent_code in groups:
            groups[r.parent_code]["villages"].append({"code": r.code, "name": r.name})
    return [g for g in groups.values() if g["villages"]]


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
    closures = days.list_closures(ctx, office=office)
    for c in closures:
        c["active"] = c["start"] <= today.isoformat() and (
            c["end"] is None or c["end"] >= today.isoformat()
        )
    return render(
        request,
        "agenda.html",
        status=status,
        closures=closures[::-1],
        events=events.list_events(ctx, office=office),
        groups=villages_by_kecamatan(ctx, office),
        today=today.isoformat(),
        error=error,
        form=form or {},
        impact=impact,
        idem=uuid.uuid4().hex,
        can_write=request.state.principal.role == KEPALA,
        scope_labels=CLOSURE_SCOPE_LABELS,
        kinds=events.KINDS,
        kind_labels=events.KIND_LABEL_ID,
    )


def _done(request: Request, message: str) -> Response:
    request.state.session["flash"] = message
    return RedirectResponse("/agenda", status_code=303)


def _tr(request: Request):  # type: ignore[no-untyped-def]
    return i18n.gettext_for(request.state.session.get("lang", "id"))


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
            start=parse_date(_opt(start), "start") or ctx.today(),
            end=parse_date(_opt(end), "end"),
            reason=reason,
            office=office,
            idempotency_key=_opt(idem),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, form=form, status=status_for(exc))
    _ = _tr(request)
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
            reopen=parse_date(_opt(reopen), "reopen"),
            office=office,
            idempotency_key=_opt(idem),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, status=status_for(exc))
    _ = _tr(request)
    lang = request.state.session.get("lang", "id")
    return _done(
        request,
        f"{_('Penutupan')} #{closure_id} {_('berakhir; buka kembali')} "
        f"{i18n.tanggal(result['reopened'], lang)}",
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
        day = parse_date(_opt(when), "date")
        if day is None:
            raise DomainError("required", "date", "Tanggal acara wajib diisi.")
        result = events.add_event(
            ctx,
            name=name,
            event_date=day,
            kind=kind,
            villages=villages,
            all_villages=all_villages,
            office=office,
            idempotency_key=_opt(str(data.get("idem") or "")),
        )
    except DomainError as exc:
        return _agenda_page(request, error=exc, form=form, status=status_for(exc))
    return RedirectResponse(f"/agenda/acara/{result['id']}", status_code=303)


@pages.get("/agenda/acara/{event_id}", name="page.agenda.event", response_class=HTMLResponse)
def event_page(request: Request, event_id: Id) -> Response:
    ctx, office = request_ctx(request)
    shown = events.show_event(ctx, event_id, office=office)
    return render(
        request,
        "event.html",
        event=shown,
        impact=events.impact(ctx, event_id, office=office),
        kind_labels=events.KIND_LABEL_ID,
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
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return page(days.list_closures(ctx, office=office, active_on=active_on), limit, offset)


@api.post("/api/v1/closures", name="api.closures.add", responses=ERRORS, tags=["agenda"])
def closure_create(
    request: Request, body: ClosureIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return days.add_closure(
        ctx,
        service=body.service,
        start=body.start,
        end=body.end,
        reason=body.reason,
        office=office,
        idempotency_key=idempotency_key,
    )


@api.post(
    "/api/v1/closures/{closure_id}/end", name="api.closures.end", responses=ERRORS, tags=["agenda"]
)
def closure_finish(
    request: Request,
    closure_id: Id,
    body: ClosureEndIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return days.end_closure(
        ctx,
        closure_id=closure_id,
        reopen=(body or ClosureEndIn()).reopen,
        office=office,
        idempotency_key=idempotency_key,
    )


@api.get("/api/v1/events", name="api.events.list", responses=ERRORS, tags=["agenda"])
def event_list(request: Request, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return page(events.list_events(ctx, office=office), limit, offset)


@api.post("/api/v1/events", name="api.events.add", responses=ERRORS, tags=["agenda"])
def event_create(
    request: Request, body: EventIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return events.add_event(
        ctx,
        name=body.name,
        event_date=body.date,
        kind=body.kind,
        villages=body.villages,
        all_villages=body.all_villages,
        office=office,
        idempotency_key=idempotency_key,
    )


@api.get("/api/v1/events/{event_id}", name="api.events.show", responses=ERRORS, tags=["agenda"])
def event_show(request: Request, event_id: Id) -> dict[str, Any]:
    ctx, office = request_ctx(request)
    return events.show_event(ctx, event_id, office=office)


@api.get(
    "/api/v1/events/{event_id}/impact",
    name="api.events.impact",
    responses=ERRORS,
    tags=["agenda"],
)
def event_impact(request: Request, event_id: Id, as_of: dt.date | None = None) -> dict[str, Any]:
    """Expected extra recordings and blanks before the event (low / expected / high)."""
    ctx, office = request_ctx(request)
    return events.impact(ctx, event_id, as_of=as_of, office=office)
