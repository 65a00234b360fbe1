"""The national allocation on the web (issue 14, points 3 and 4; docs/network.md, "Allocation
and rebalancing"): the page `/nasional/alokasi` (ours beside the four comparison policies, a
totals row, a form to adjust each office's quantity and turn it into approvals and shipments in
one step, the proposed loans) and its API. The directorate's users only: the head applies, the
head, the stock keeper and the auditor read; a province's user is refused by role (403: no
province route), an office's user finds no such view (404, services/network/allocation.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from blangko.domain.errors import DomainError, NotFound
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, num
from blangko.services.network import allocation as service
from blangko.services.network.request_steps import Acting
from blangko.web.deps import (
    ERRORS,
    IdempotencyKey,
    api_router,
    page_router,
    render,
    render_error,
    request_ctx,
    status_for,
    tr,
)

pages = page_router()
api = api_router()

POLICY_LABELS = {
    "ours": N_("Kami (paling sedikit menunggu)"),
    "equal": N_("Rata"),
    "asked": N_("Sebanding permohonan"),
    "backlog": N_("Sebanding antrean cetak"),
    "maxmin": N_("Maks-min"),
}
SKIP_LABELS = {"no_request": N_("tanpa permohonan terbuka"), "zero": N_("alokasi 0")}
TAGS: list[Any] = ["nasional"]

StockQ = Annotated[
    str | None, Query(description="Stok nasional yang dibagi (default: gudang direktorat).")
]
BoxQ = Annotated[str | None, Query(description="Isi per kotak (default 100).")]


def acting_of(request: Request) -> Acting:
    who = request.state.principal
    return Acting(office=who.scope if who.scoped else None, province=who.province)


def _int(value: Any, field: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(
            "whole_number",
            field,
            Msg("Isian '{field}' harus bilangan bulat (diisi: {value}).", field=field, value=text),
        ) from None


def _page(
    request: Request,
    *,
    stock: int | None,
    box: int | None,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx, _office = request_ctx(request)
    acting = acting_of(request)
    try:
        v = service.allocation(ctx, stock=stock, box=box, acting=acting)
        loans = service.rebalance(ctx, box=box, acting=acting)["loans"]
    except NotFound as exc:
        return render_error(request, 404, exc.message)
    return render(
        request,
        "national_allocation.html",
        status=status,
        v=v,
        loans=loans,
        totals={t["policy"]: t for t in v["totals"]},
        policy_labels=POLICY_LABELS,
        error=error,
        form=form or {},
        stock=stock,
        box=box,
        idem=uuid.uuid4().hex,
    )


@pages.get("/nasional/alokasi", name="page.national.allocation", response_class=HTMLResponse)
def allocation_page(request: Request, stock: StockQ = None, box: BoxQ = None) -> Response:
    try:
        s, b = _int(stock, "stock"), _int(box, "box")
    except DomainError as exc:
        return _page(request, stock=None, box=None, error=exc, status=400)
    try:
        return _page(request, stock=s, box=b)
    except DomainError as exc:
        return _page(request, stock=None, box=None, error=exc, status=status_for(exc))


@pages.post("/nasional/alokasi", name="page.national.allocation.apply", response_class=HTMLResponse)
async def allocation_apply_page(request: Request) -> Response:
    # Read by hand: one quantity field per office (q-17.04 ...).
    data = await request.form()
    form = {str(k): str(v) for k, v in data.items()}
    ctx, _office = request_ctx(request)
    stock = box = None
    try:
        stock, box = _int(form.get("stock"), "stock"), _int(form.get("box"), "box")
        quantities = {
            k[2:]: _int(v, "quantity") or 0 for k, v in form.items() if k.startswith("q-")
        }
        done = await run_in_threadpool(
            lambda: service.apply(
                ctx,
                quantities=quantities,
                stock=stock,
                box=box,
                document=blank_to_none(form.get("document")),
                acting=acting_of(request),
                idempotency_key=blank_to_none(form.get("idem")),
            )
        )
    except NotFound as exc:
        return render_error(request, 404, exc.message)
    except DomainError as exc:
        err = exc
        return await run_in_threadpool(
            lambda: _page(
                request, stock=stock, box=box, error=err, form=form, status=status_for(err)
            )
        )
    _ = tr(request)
    request.state.session["flash"] = _(
        Msg(
            "Alokasi disetujui dan dikirim: {offices} kantor, {total} keping.",
            offices=num(len(done["applied"])),
            total=num(done["total"]),
        )
    )
    return RedirectResponse("/nasional/alokasi", status_code=303)


# --- the API ----------------------------------------------------------------------------------


@api.get(
    "/api/v1/national/allocation",
    name="api.national.allocation",
    response_model=service.AllocationView,
    responses=ERRORS,
    tags=TAGS,
)
def allocation_api(request: Request, stock: StockQ = None, box: BoxQ = None) -> dict[str, Any]:
    """Ours beside the four comparison policies, per office (asked, each policy's quantity,
    expected waiting before and after) and in total, from today's office snapshots."""
    ctx, _office = request_ctx(request)
    return dict(
        service.allocation(
            ctx, stock=_int(stock, "stock"), box=_int(box, "box"), acting=acting_of(request)
        )
    )


@api.get(
    "/api/v1/national/rebalancing",
    name="api.national.rebalancing",
    response_model=service.RebalanceView,
    responses=ERRORS,
    tags=TAGS,
)
def rebalancing_api(request: Request, box: BoxQ = None) -> dict[str, Any]:
    """Proposed loans from offices with a sure surplus to offices at risk, same province
    first, each with its expected effect on both offices."""
    ctx, _office = request_ctx(request)
    return dict(service.rebalance(ctx, box=_int(box, "box"), acting=acting_of(request)))


class ApplyIn(BaseModel):
    quantities: dict[str, int] | None = Field(
        default=None,
        description="Jumlah per kode kantor (kotak utuh); kosong: alokasi kami.",
    )
    stock: int | None = Field(default=None, description="Stok nasional yang dibagi.")
    box: int | None = Field(default=None, description="Isi per kotak.")
    document: str | None = Field(default=None, description="Nomor surat pengiriman.")


@api.post(
    "/api/v1/national/allocation/apply",
    name="api.national.allocation.apply",
    response_model=service.AllocationApplied,
    responses=ERRORS,
    tags=TAGS,
)
def allocation_apply_api(
    request: Request, body: ApplyIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Approve each office's open request with its allocated quantity (in part, "alokasi
    nasional", when less than asked) and ship it from the directorate's warehouse; offices
    without an open request are skipped and listed. Bad input: nothing written."""
    ctx, _office = request_ctx(request)
    return dict(
        service.apply(
            ctx,
            quantities=body.quantities,
            stock=body.stock,
            box=body.box,
            document=body.document,
            acting=acting_of(request),
            idempotency_key=idempotency_key,
        )
    )
