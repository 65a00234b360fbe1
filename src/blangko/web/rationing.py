"""Penjatahan cetak (rationing): the head switches a policy on (a daily print cap, the priority
classes in order, what the others get) and ends it early, and gives the exception for one
application; every member of staff reads the policies, their history and, for those who read
the forecast, what a policy does to days of cover and waits (services.rationing,
services.forecast's `rationing`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import FORECAST_READERS, allowed
from blangko.domain.errors import DomainError
from blangko.domain.rationing import CLASS_LABEL_ID, DEFAULT_CLASSES, OTHERS_LABEL_ID
from blangko.domain.text import Msg
from blangko.formatting import blank_to_none, parse_date
from blangko.services import figures, rationing
from blangko.services.rationing import ExceptionWritten, Policies, PolicyWritten, WaitAnswer
from blangko.web.deps import (
    ERRORS,
    Id,
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

register(NavItem("page.rationing", "Penjatahan", "/penjatahan", 55))


def _classes(text: str | None) -> list[str] | None:
    """The classes as typed (comma separated, in order); empty: the defaults; '-': none."""
    value = (text or "").strip()
    if not value:
        return None
    if value == "-":
        return []
    return [c for c in value.split(",")]


def _cap(text: str | None) -> int | None:
    value = (text or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError(
            "not_a_number",
            "daily_cap",
            Msg("Batas cetak per hari harus bilangan bulat ('{value}').", value=value),
        ) from None


def _page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    role = request.state.principal.role
    found = rationing.policies(ctx, office=office)
    effect, fc = None, None
    if role in FORECAST_READERS:
        fc = figures.forecast_stored(ctx, office)
        effect = fc.value["rationing"]
    return render(
        request,
        "rationing.html",
        status=status,
        found=found,
        effect=effect,
        # When the forecast behind the effect was computed, and whether it is being updated.
        effect_computed_at=fc and fc.computed_at,
        effect_stale=fc is not None and fc.stale,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        can_write=allowed("page.rationing.set", role),
        class_labels=CLASS_LABEL_ID,
        others_labels=OTHERS_LABEL_ID,
        default_classes=",".join(DEFAULT_CLASSES),
    )


def _done(request: Request, message: str) -> Response:
    request.state.session["flash"] = message
    return RedirectResponse("/penjatahan", status_code=303)


@pages.get("/penjatahan", name="page.rationing", response_class=HTMLResponse)
def rationing_page(request: Request) -> Response:
    return _page(request)


@pages.post("/penjatahan", name="page.rationing.set", response_class=HTMLResponse)
def rationing_set(
    request: Request,
    start: OptText = None,
    end: OptText = None,
    daily_cap: OptText = None,
    classes: OptText = None,
    others_get: OptText = None,
    reason: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    form = {
        "start": start,
        "end": end,
        "daily_cap": daily_cap,
        "classes": classes,
        "others_get": others_get,
        "reason": reason,
    }
    try:
        result = rationing.set_policy(
            ctx,
            start=parse_date(blank_to_none(start), "start"),
            end=parse_date(blank_to_none(end), "end"),
            daily_cap=_cap(daily_cap),
            classes=_classes(classes),
            others_get=blank_to_none(others_get),
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Penjatahan diberlakukan')}: #{result['policy']['number']}")


@pages.post("/penjatahan/{number}/akhiri", name="page.rationing.end", response_class=HTMLResponse)
def rationing_end(
    request: Request, number: Id, reason: OptText = None, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    try:
        rationing.end_policy(
            ctx,
            number=number,
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _page(request, error=exc, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Penjatahan diakhiri')}: #{number}")


@pages.post("/penjatahan/pengecualian", name="page.rationing.allow", response_class=HTMLResponse)
def rationing_allow(
    request: Request, receipt: OptText = None, reason: OptText = None, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    form = {"receipt": receipt, "allow_reason": reason}
    try:
        result = rationing.allow(
            ctx,
            receipt=(receipt or "").strip(),
            reason=reason,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Pengecualian dicatat')}: {result['exception']['receipt']}")


# API ---------------------------------------------------------------------------------------
class PolicyIn(BaseModel):
    start: dt.date
    end: dt.date
    daily_cap: int = Field(examples=[200], description="Kartu yang boleh dicetak per hari")
    classes: list[str] | None = Field(
        None,
        examples=[list(DEFAULT_CLASSES)],
        description="Kelompok prioritas berurutan (kosong: bawaan suket, pemula, bencana)",
    )
    others_get: str = Field("suket", description="suket atau tanggal")
    reason: str = Field(examples=["Stok menipis, kiriman Ditjen belum datang"])


class PolicyEndIn(BaseModel):
    reason: str = Field(examples=["Kiriman 2.000 keping tiba"])
    last_day: dt.date | None = Field(None, description="Hari terakhir berlaku (bawaan: kemarin)")


class ExceptionIn(BaseModel):
    receipt: str
    reason: str = Field(examples=["Korban kebakaran, surat camat"])


@api.get("/api/v1/rationing", name="api.rationing", responses=ERRORS, tags=["penjatahan"])
def rationing_list(request: Request) -> Policies:
    """The office's rationing policies, the one in force, their history and exceptions."""
    ctx, office = request_ctx(request)
    return rationing.policies(ctx, office=office)


@api.post("/api/v1/rationing", name="api.rationing.set", responses=ERRORS, tags=["penjatahan"])
def rationing_create(
    request: Request, body: PolicyIn, idempotency_key: IdempotencyKey = None
) -> PolicyWritten:
    return api_write(
        request,
        rationing.set_policy,
        idempotency_key,
        start=body.start,
        end=body.end,
        daily_cap=body.daily_cap,
        classes=body.classes,
        others_get=body.others_get,
        reason=body.reason,
    )


@api.post(
    "/api/v1/rationing/{number}/end",
    name="api.rationing.end",
    responses=ERRORS,
    tags=["penjatahan"],
)
def rationing_finish(
    request: Request, number: Id, body: PolicyEndIn, idempotency_key: IdempotencyKey = None
) -> PolicyWritten:
    return api_write(
        request,
        rationing.end_policy,
        idempotency_key,
        number=number,
        reason=body.reason,
        last_day=body.last_day,
    )


@api.post(
    "/api/v1/rationing/exceptions",
    name="api.rationing.allow",
    responses=ERRORS,
    tags=["penjatahan"],
)
def rationing_exception(
    request: Request, body: ExceptionIn, idempotency_key: IdempotencyKey = None
) -> ExceptionWritten:
    return api_write(
        request, rationing.allow, idempotency_key, receipt=body.receipt, reason=body.reason
    )


@api.get(
    "/api/v1/applications/{receipt}/wait",
    name="api.rationing.wait",
    responses=ERRORS,
    tags=["penjatahan"],
)
def rationing_wait(request: Request, receipt: str) -> WaitAnswer:
    """Why a print-ready application waits under the policy in force (`wait` null: no
    policy, or not waiting to print)."""
    ctx, office = request_ctx(request)
    return {"receipt": receipt, "wait": rationing.wait(ctx, receipt=receipt, office=office)}
