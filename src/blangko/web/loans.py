"""Loans between offices (docs/network.md, "Loans"): the page of the loans within the user's
reach with the actions their role and scope allow (a province's or the directorate's user
arranges; the lender's stock keeper sends, the borrower's returns; the directorate's head
writes off), and the JSON API (/api/v1/loans). Each route calls the same service as the
command line, with the user's reach; the service checks the scope."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date
from blangko.services.network import loans, organisation
from blangko.services.network.results import LoanView, LoanWritten
from blangko.web.deps import (
    ERRORS,
    Id,
    IdempotencyKey,
    OptText,
    api_router,
    page_router,
    render,
    request_ctx,
    status_for,
    tr,
    user_reach,
)
from blangko.web.nav import NavItem, register
from blangko.web.steps import page_step, shipment_fields

pages = page_router()
api = api_router()

register(NavItem("page.loans", N_("Pinjaman"), "/pinjaman", 25))

LOAN_STATUS_LABELS = {
    "arranged": N_("diatur"),
    "sent": N_("dikirim"),
    "open": N_("terbuka"),
    "settled": N_("lunas"),
    "written_off": N_("dihapusbukukan"),
}
LOAN_STEP_LABELS = {
    "arranged": N_("diatur"),
    "sent": N_("dikirim"),
    "received": N_("diterima peminjam"),
    "return_sent": N_("dikembalikan (dikirim)"),
    "returned": N_("pengembalian diterima"),
    "settled": N_("lunas"),
    "written_off": N_("dihapusbukukan"),
}


def _acting_office(request: Request) -> str | None:
    """The office the user acts for when sending or returning: their own (None for a
    province's user, who sends nothing)."""
    who = request.state.principal
    return who.scope if who.scoped else None


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


def _page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, _office = request_ctx(request)
    reach = user_reach(request)
    found = loans.list_loans(ctx, reach=reach)
    offices = organisation.organisation(ctx, reach=reach)
    choices = [o for p in offices["provinces"] for o in p["offices"]]
    return render(
        request,
        "loans.html",
        status=status,
        loans=found,
        offices=choices,
        acting=_acting_office(request),
        arranges=reach.province is not None or reach.everything,
        writes_off=reach.everything,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        status_labels=LOAN_STATUS_LABELS,
        step_labels=LOAN_STEP_LABELS,
        today=ctx.today().isoformat(),
    )


def _done(request: Request, message: str) -> Response:
    request.state.session["flash"] = message
    return RedirectResponse("/pinjaman", status_code=303)


@pages.get("/pinjaman", name="page.loans", response_class=HTMLResponse)
def loans_page(request: Request) -> Response:
    return _page(request)


def _who(request: Request, idem: str | None) -> dict[str, Any]:
    """Who acts in a step: the user's reach (the service checks it) and the form's key."""
    return {"reach": user_reach(request), "idempotency_key": blank_to_none(idem)}


def _step(
    request: Request,
    call: Callable[[], LoanWritten],
    said: Callable[[Callable[[str], str], LoanWritten], str],
    form: dict[str, Any] | None = None,
) -> Response:
    """A step from the loans page: done, the flash `said` (in the user's language) and back
    to the page; refused, the page with the error and what was typed."""
    return page_step(
        call,
        lambda result: _done(request, said(tr(request), result)),
        lambda exc: _page(request, error=exc, form=form, status=status_for(exc)),
    )


def _shipped(what: str, loan_id: int) -> Callable[[Callable[[str], str], LoanWritten], str]:
    def said(_: Callable[[str], str], result: LoanWritten) -> str:
        shipped = result["shipment"]
        return f"{_(what)}: #{loan_id}, {_('kiriman')} #{shipped['id'] if shipped else '-'}"

    return said


@pages.post("/pinjaman", name="page.loans.arrange", response_class=HTMLResponse)
def loans_arrange(
    request: Request,
    lender: OptText = None,
    borrower: OptText = None,
    quantity: OptText = None,
    reason: OptText = None,
    due: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    form = {
        "lender": lender,
        "borrower": borrower,
        "quantity": quantity,
        "reason": reason,
        "due": due,
    }
    return _step(
        request,
        lambda: loans.arrange(
            ctx,
            lender=lender or "",
            borrower=borrower or "",
            quantity=_quantity(quantity, "quantity") or 0,
            reason=reason or "",
            due=parse_date(blank_to_none(due), "due"),
            **_who(request, idem),
        ),
        lambda _, result: f"{_('Pinjaman diatur')}: #{result['loan']['id']}",
        form,
    )


@pages.post("/pinjaman/{loan_id}/kirim", name="page.loans.send", response_class=HTMLResponse)
def loans_send(
    request: Request, loan_id: Id, document: OptText = None, idem: OptText = None
) -> Response:
    ctx, _office = request_ctx(request)
    return _step(
        request,
        lambda: loans.send(
            ctx,
            loan=loan_id,
            document=document or "",
            office=_acting_office(request),
            **_who(request, idem),
        ),
        _shipped(N_("Pinjaman dikirim"), loan_id),
    )


@pages.post("/pinjaman/{loan_id}/kembali", name="page.loans.return", response_class=HTMLResponse)
def loans_return(
    request: Request,
    loan_id: Id,
    qty: OptText = None,
    document: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, _office = request_ctx(request)
    return _step(
        request,
        lambda: loans.return_loan(
            ctx,
            loan=loan_id,
            qty=_quantity(qty, "qty"),
            document=document or "",
            office=_acting_office(request),
            **_who(request, idem),
        ),
        _shipped(N_("Pengembalian dikirim"), loan_id),
    )


@pages.post(
    "/pinjaman/{loan_id}/hapusbuku", name="page.loans.write_off", response_class=HTMLResponse
)
def loans_write_off(
    request: Request, loan_id: Id, reason: OptText = None, idem: OptText = None
) -> Response:
    ctx, _office = request_ctx(request)
    return _step(
        request,
        lambda: loans.write_off(ctx, loan=loan_id, reason=reason or "", **_who(request, idem)),
        lambda _, result: f"{_('Pinjaman dihapusbukukan')}: #{loan_id}",
    )


# API ---------------------------------------------------------------------------------------
@api.get(
    "/api/v1/loans",
    name="api.loans.list",
    response_model=list[LoanView],
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_list(request: Request, status: str | None = None) -> list[LoanView]:
    """The loans lent or borrowed by the offices within the user's reach, newest first
    (status: arranged, sent, open, settled, written_off)."""
    ctx, _office = request_ctx(request)
    return loans.list_loans(ctx, status=status, reach=user_reach(request))


@api.get(
    "/api/v1/loans/{loan_id}",
    name="api.loans.show",
    response_model=LoanView,
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_show(request: Request, loan_id: Id) -> LoanView:
    """One loan within the user's reach (another's: not found), with its timeline."""
    ctx, _office = request_ctx(request)
    return loans.show(ctx, loan=loan_id, reach=user_reach(request))


class LoanIn(BaseModel):
    lender: str = Field(description="Kode kantor pemberi pinjaman (surplus).", examples=["17.01"])
    borrower: str = Field(description="Kode kantor peminjam (berisiko habis).", examples=["17.04"])
    quantity: int = Field(description="Jumlah keping.", examples=[300])
    reason: str = Field(examples=["Stok Kaur habis menjelang pilkades"])
    due: dt.date = Field(description="Tanggal kembali.")


@api.post(
    "/api/v1/loans",
    name="api.loans.arrange",
    response_model=LoanWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_arrange(
    request: Request, body: LoanIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Arrange a loan between two offices (a province's user: of its province; the
    directorate: any two)."""
    ctx, _office = request_ctx(request)
    return dict(
        loans.arrange(
            ctx,
            lender=body.lender,
            borrower=body.borrower,
            quantity=body.quantity,
            reason=body.reason,
            due=body.due,
            reach=user_reach(request),
            idempotency_key=idempotency_key,
        )
    )


class LoanShipmentIn(BaseModel):
    document: str = Field(description="Nomor surat pengantar / BAST kiriman.")
    serials: str | None = Field(default=None, examples=["KR0001001-KR0001300"])
    qty: int | None = Field(default=None, description="Atau jumlah: seri tersedia terkecil.")
    location: str | None = Field(default=None, description="Lokasi asal (default gudang).")
    date: dt.date | None = None
    note: str | None = None


def _shipment_api(
    request: Request,
    step: Callable[..., LoanWritten],
    loan_id: int,
    body: LoanShipmentIn,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A loan sent or returned through the API, by the user's own office."""
    ctx, _office = request_ctx(request)
    return dict(
        step(
            ctx,
            loan=loan_id,
            **shipment_fields(body),
            office=_acting_office(request),
            reach=user_reach(request),
            idempotency_key=idempotency_key,
        )
    )


@api.post(
    "/api/v1/loans/{loan_id}/send",
    name="api.loans.send",
    response_model=LoanWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_send(
    request: Request, loan_id: Id, body: LoanShipmentIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The lender's stock keeper sends the loan: a shipment to the borrower marked with it."""
    return _shipment_api(request, loans.send, loan_id, body, idempotency_key)


@api.post(
    "/api/v1/loans/{loan_id}/return",
    name="api.loans.return",
    response_model=LoanWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_return(
    request: Request, loan_id: Id, body: LoanShipmentIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The borrower's stock keeper returns (part of) an open loan: a shipment to the lender
    marked with it; never more than is still owed."""
    return _shipment_api(request, loans.return_loan, loan_id, body, idempotency_key)


class WriteOffIn(BaseModel):
    reason: str = Field(examples=["Blangko terpakai untuk pilkades; tidak dikembalikan"])


@api.post(
    "/api/v1/loans/{loan_id}/write-off",
    name="api.loans.write_off",
    response_model=LoanWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def loan_write_off(
    request: Request, loan_id: Id, body: WriteOffIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """The directorate's head writes off what an open loan still owes, with a reason."""
    ctx, _office = request_ctx(request)
    return dict(
        loans.write_off(
            ctx,
            loan=loan_id,
            reason=body.reason,
            reach=user_reach(request),
            idempotency_key=idempotency_key,
        )
    )
