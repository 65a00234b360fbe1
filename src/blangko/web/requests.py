"""Requests for blanks on the web (docs/network.md, "The life of a request"): the list and one
request with its timeline and the steps the user may take (pages under /permohonan), and the
JSON API under /api/v1/requests. Each route calls the same service as the command line, as
the user acts: an office's user for their office, a province's user for its offices, the
directorate's user for all (services/network/request_steps.Acting). Another's request is not
found (404), as one that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain import requests as rules
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date
from blangko.services.network import requests as rq
from blangko.services.network.request_results import (
    RequestDetail,
    RequestView,
    RequestWritten,
    TrancheWritten,
)
from blangko.services.network.request_steps import Acting
from blangko.web.deps import (
    ERRORS,
    Id,
    IdempotencyKey,
    OptText,
    api_router,
    page_router,
    render,
    render_error,
    request_ctx,
    status_for,
    tr,
)
from blangko.web.nav import NavItem, register
from blangko.web.steps import page_step, shipment_fields

pages = page_router()
api = api_router()

register(NavItem("page.requests", N_("Permohonan"), "/permohonan", 25))

# The steps and the route of each (page and API), in the order a request takes them.
STEP_ROUTES = {
    "edit": "ubah",
    "submit": "ajukan",
    "endorse": "setujui-provinsi",
    "return": "kembalikan",
    "approve": "setujui",
    "refuse": "tolak",
    "ship": "kirim",
    "close": "tutup",
}


def acting_of(request: Request) -> Acting:
    """Who the user acts as: their office (the directorate's code for the directorate), else
    their province."""
    who = request.state.principal
    return Acting(office=who.scope if who.scoped else None, province=who.province)


def _as(request: Request, idempotency_key: str | None) -> dict[str, Any]:
    """Who takes a step (the service checks it) and the step's key."""
    return {"acting": acting_of(request), "idempotency_key": idempotency_key}


def _int(value: str | None, field: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(
            "not_a_number", field, Msg("Isian harus bilangan bulat ('{value}').", value=text)
        ) from None


# --- pages ----------------------------------------------------------------------------------


def _list_page(
    request: Request, *, error: DomainError | None = None, status: int = 200
) -> Response:
    ctx, _office = request_ctx(request)
    acting = acting_of(request)
    rows = rq.list_requests(ctx, acting=acting)
    return render(
        request,
        "requests.html",
        status=status,
        rows=rows,
        error=error,
        idem=uuid.uuid4().hex,
        # A new request is drafted by an office (not the directorate, not a province).
        may_draft=acting.office is not None and not acting.directorate,
        state_labels=rules.STATE_LABELS,
    )


def _detail_page(
    request: Request,
    number: int,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, _office = request_ctx(request)
    try:
        d = rq.show(ctx, request=number, acting=acting_of(request))
    except NotFound as exc:
        return render_error(request, 404, exc.message)
    return render(
        request,
        "requests_detail.html",
        status=status,
        d=d,
        r=d["request"],
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        step_routes=STEP_ROUTES,
        state_labels=rules.STATE_LABELS,
        action_labels=rules.ACTION_LABELS,
    )


@pages.get("/permohonan", name="page.requests", response_class=HTMLResponse)
def requests_page(request: Request) -> Response:
    return _list_page(request)


@pages.post("/permohonan", name="page.requests.draft", response_class=HTMLResponse)
def requests_draft_page(
    request: Request,
    quantity: OptText = None,
    reason: OptText = None,
    letter_number: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    return page_step(
        lambda: rq.draft(
            ctx,
            office=office,
            quantity=_int(quantity, "quantity"),
            reason=blank_to_none(reason),
            number=blank_to_none(letter_number),
            **_as(request, blank_to_none(idem)),
        ),
        lambda r: _done(request, r["request"]["id"], N_("Konsep permohonan dibuat")),
        lambda exc: _list_page(request, error=exc, status=status_for(exc)),
    )


def _done(request: Request, number: int, message: str) -> Response:
    _ = tr(request)
    request.state.session["flash"] = f"{_(message)}: #{number}"
    return RedirectResponse(f"/permohonan/{number}", status_code=303)


@pages.get("/permohonan/{request_id}", name="page.requests.show", response_class=HTMLResponse)
def requests_show_page(request: Request, request_id: Id) -> Response:
    return _detail_page(request, request_id)


def _page_step(
    request: Request, request_id: int, form: dict[str, Any], run: Callable[[], Any]
) -> Response:
    def again(exc: DomainError) -> Response:
        # Another's request, or none: not found, as on its page.
        if isinstance(exc, NotFound):
            return render_error(request, 404, exc.message)
        return _detail_page(request, request_id, error=exc, form=form, status=status_for(exc))

    return page_step(run, lambda _r: _done(request, request_id, N_("Langkah dicatat")), again)


@pages.post("/permohonan/{request_id}/ubah", name="page.requests.edit", response_class=HTMLResponse)
def requests_edit_page(
    request: Request,
    request_id: Id,
    quantity: OptText = None,
    reason: OptText = None,
    letter_number: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    form = {"quantity": quantity, "reason": reason, "letter_number": letter_number}

    def run() -> Any:
        qty = _int(quantity, "quantity")
        return rq.edit(
            ctx,
            request=request_id,
            quantity=qty if qty is not None else 0,
            reason=blank_to_none(reason),
            number=blank_to_none(letter_number),
            **_as(request, blank_to_none(idem)),
        )

    return _page_step(request, request_id, form, run)


def _comment_page(
    step: Callable[..., RequestWritten],
) -> Callable[[Request, int, str | None, str | None], Response]:
    def route(
        request: Request, request_id: Id, comment: OptText = None, idem: OptText = None
    ) -> Response:
        ctx, _office = request_ctx(request)
        return _page_step(
            request,
            request_id,
            {"comment": comment},
            lambda: step(
                ctx,
                request=request_id,
                comment=blank_to_none(comment),
                **_as(request, blank_to_none(idem)),
            ),
        )

    return route


for _action, _step in (
    ("submit", rq.submit),
    ("endorse", rq.endorse),
    ("return", rq.send_back),
    ("close", rq.close),
):
    pages.add_api_route(
        f"/permohonan/{{request_id}}/{STEP_ROUTES[_action]}",
        _comment_page(_step),
        methods=["POST"],
        name=f"page.requests.{_action}",
        response_class=HTMLResponse,
    )


@pages.post(
    "/permohonan/{request_id}/setujui", name="page.requests.approve", response_class=HTMLResponse
)
def requests_approve_page(
    request: Request,
    request_id: Id,
    quantity: OptText = None,
    reason: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    return _page_step(
        request,
        request_id,
        {"quantity": quantity, "reason": reason},
        lambda: rq.approve(
            ctx,
            request=request_id,
            quantity=_int(quantity, "quantity"),
            reason=blank_to_none(reason),
            **_as(request, blank_to_none(idem)),
        ),
    )


@pages.post(
    "/permohonan/{request_id}/tolak", name="page.requests.refuse", response_class=HTMLResponse
)
def requests_refuse_page(
    request: Request, request_id: Id, reason: OptText = None, idem: OptText = None
) -> Response:
    ctx, _office = request_ctx(request)
    return _page_step(
        request,
        request_id,
        {"refuse_reason": reason},
        lambda: rq.refuse(
            ctx,
            request=request_id,
            reason=blank_to_none(reason),
            **_as(request, blank_to_none(idem)),
        ),
    )


@pages.post(
    "/permohonan/{request_id}/kirim", name="page.requests.ship", response_class=HTMLResponse
)
def requests_ship_page(
    request: Request,
    request_id: Id,
    document: OptText = None,
    qty: OptText = None,
    date: OptText = None,
    note: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    return _page_step(
        request,
        request_id,
        {"document": document, "qty": qty, "date": date, "note": note},
        lambda: rq.ship(
            ctx,
            request=request_id,
            document=(document or "").strip(),
            qty=_int(qty, "qty"),
            effective=parse_date(blank_to_none(date), "date"),
            note=blank_to_none(note),
            **_as(request, blank_to_none(idem)),
        ),
    )


# --- the API ----------------------------------------------------------------------------------

TAGS: list[str | Any] = ["permohonan"]


@api.get(
    "/api/v1/requests",
    name="api.requests.list",
    response_model=list[RequestView],
    responses=ERRORS,
    tags=TAGS,
)
def request_list(
    request: Request,
    status: Annotated[str | None, Query(description="Hanya permohonan berstatus ini.")] = None,
) -> list[RequestView]:
    """The requests the user sees (an office's user: its own; a province's: its offices'; the
    directorate's: all), newest first."""
    ctx, _office = request_ctx(request)
    return rq.list_requests(ctx, state=status, acting=acting_of(request))


@api.get(
    "/api/v1/requests/{request_id}",
    name="api.requests.show",
    response_model=RequestDetail,
    responses=ERRORS,
    tags=TAGS,
)
def request_show(request: Request, request_id: Id) -> RequestDetail:
    """One request with its timeline, its tranches and the steps the user may take now."""
    ctx, _office = request_ctx(request)
    return rq.show(ctx, request=request_id, acting=acting_of(request))


class DraftIn(BaseModel):
    quantity: int | None = Field(
        default=None, description="Jumlah dimohon (default: usulan perkiraan; beda: alasan)."
    )
    reason: str | None = Field(default=None, description="Alasan jumlah yang berbeda.")
    letter_number: str | None = Field(default=None, description="Nomor surat permohonan.")


@api.post(
    "/api/v1/requests",
    name="api.requests.draft",
    response_model=RequestWritten,
    responses=ERRORS,
    tags=TAGS,
)
def request_draft(
    request: Request, body: DraftIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """A new request of the user's office, prefilled with the forecast's recommendation and
    its reasons."""
    ctx, office = request_ctx(request)
    return dict(
        rq.draft(
            ctx,
            office=office,
            quantity=body.quantity,
            reason=body.reason,
            number=body.letter_number,
            **_as(request, idempotency_key),
        )
    )


class EditIn(BaseModel):
    quantity: int = Field(description="Jumlah yang dimohon.")
    reason: str | None = Field(default=None, description="Alasan (wajib bila beda dari usulan).")
    letter_number: str | None = None


@api.post(
    "/api/v1/requests/{request_id}/edit",
    name="api.requests.edit",
    response_model=RequestWritten,
    responses=ERRORS,
    tags=TAGS,
)
def request_edit(
    request: Request, request_id: Id, body: EditIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Change the quantity asked of a draft or returned request."""
    ctx, _office = request_ctx(request)
    return dict(
        rq.edit(
            ctx,
            request=request_id,
            quantity=body.quantity,
            reason=body.reason,
            number=body.letter_number,
            **_as(request, idempotency_key),
        )
    )


class CommentIn(BaseModel):
    comment: str | None = Field(default=None, description="Catatan langkah ini.")


def _comment_api(step: Callable[..., RequestWritten], doc: str) -> Callable[..., dict[str, Any]]:
    def route(
        request: Request,
        request_id: Id,
        body: CommentIn,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        ctx, _office = request_ctx(request)
        return dict(
            step(
                ctx,
                request=request_id,
                comment=body.comment,
                **_as(request, idempotency_key),
            )
        )

    route.__doc__ = doc
    return route


for _action, _step, _doc in (
    ("submit", rq.submit, "The office submits its request to the province."),
    ("endorse", rq.endorse, "The province (or the directorate) endorses a submitted request."),
    (
        "return",
        rq.send_back,
        "The province (or the directorate) sends the request back, with a comment.",
    ),
    ("close", rq.close, "Close a request received short (or partly shipped, with a comment)."),
):
    api.add_api_route(
        f"/api/v1/requests/{{request_id}}/{_action}",
        _comment_api(_step, _doc),
        methods=["POST"],
        name=f"api.requests.{_action}",
        response_model=RequestWritten,
        responses=ERRORS,
        tags=TAGS,
    )


class DecisionIn(BaseModel):
    quantity: int | None = Field(
        default=None, description="Jumlah disetujui (default: penuh; beda: alasan)."
    )
    reason: str | None = None


@api.post(
    "/api/v1/requests/{request_id}/approve",
    name="api.requests.approve",
    response_model=RequestWritten,
    responses=ERRORS,
    tags=TAGS,
)
def request_approve(
    request: Request, request_id: Id, body: DecisionIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The directorate approves an endorsed request in full or in part (more than asked only
    with a reason)."""
    ctx, _office = request_ctx(request)
    return dict(
        rq.approve(
            ctx,
            request=request_id,
            quantity=body.quantity,
            reason=body.reason,
            **_as(request, idempotency_key),
        )
    )


class RefusalIn(BaseModel):
    reason: str = Field(description="Alasan penolakan.")


@api.post(
    "/api/v1/requests/{request_id}/refuse",
    name="api.requests.refuse",
    response_model=RequestWritten,
    responses=ERRORS,
    tags=TAGS,
)
def request_refuse(
    request: Request, request_id: Id, body: RefusalIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The directorate refuses an endorsed request, with its reason."""
    ctx, _office = request_ctx(request)
    return dict(
        rq.refuse(
            ctx,
            request=request_id,
            reason=body.reason,
            **_as(request, idempotency_key),
        )
    )


class TrancheIn(BaseModel):
    document: str = Field(description="Nomor surat pengantar / BAST kiriman.")
    qty: int | None = Field(default=None, description="Jumlah tahap ini (default: sisanya).")
    serials: str | None = None
    location: str | None = Field(default=None, description="Lokasi asal (default gudang).")
    date: dt.date | None = None
    note: str | None = None


@api.post(
    "/api/v1/requests/{request_id}/ship",
    name="api.requests.ship",
    response_model=TrancheWritten,
    responses=ERRORS,
    tags=TAGS,
)
def request_ship(
    request: Request, request_id: Id, body: TrancheIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The directorate's stock keeper ships a tranche of an approved request: a shipment to
    the request's office (received by it as any shipment)."""
    ctx, _office = request_ctx(request)
    return dict(
        rq.ship(
            ctx,
            request=request_id,
            **shipment_fields(body),
            **_as(request, idempotency_key),
        )
    )
