"""Kartu lama: the register of old and invalid e-KTP cards handed in by residents (page and
API). The counter operator receives a card; the head or the stock keeper destroys cards with
two or more witnesses; the stock keeper counts the held cards; the auditor reads. Names and
full NIKs only for the roles that may see personal data (the read is logged); the others
see the NIK masked. The berita acara of a destruction and the monthly recap download as xlsx
or pdf (the same `services.reports.render` as `blangko report`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import allowed
from blangko.domain.errors import DomainError
from blangko.domain.handed_in import METHOD_LABEL_ID, METHODS, REASON_LABEL_ID, REASONS
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date, parse_month
from blangko.services import handed_in as hi
from blangko.services import reports
from blangko.web.deps import (
    ERRORS,
    Id,
    IdempotencyKey,
    Limit,
    Offset,
    api_router,
    api_write,
    download,
    file_responses,
    page_router,
    render,
    request_ctx,
    reveals_personal_data,
    status_for,
    tr,
)
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.old_cards", "Kartu lama", "/kartu-lama", 45))

PAGE = "/kartu-lama"
Fmt = Annotated[str, Query(pattern="^(xlsx|pdf)$", description="xlsx atau pdf")]
FILES = file_responses(reports.MIMETYPES["xlsx"], reports.MIMETYPES["pdf"])
Month = Annotated[str, Query(max_length=7, description="Bulan YYYY-MM.")]


def _reveal(request: Request) -> bool:
    return reveals_personal_data(request)


def _page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    held: bool = True,
) -> Response:
    ctx, office = request_ctx(request)
    reg = hi.register(ctx, held_only=held, reveal=_reveal(request), office=office)
    role = request.state.principal.role
    today = ctx.today()
    return render(
        request,
        "handed_in.html",
        status=status,
        reg=reg,
        held=held,
        error=error,
        form=form or {},
        today=today.isoformat(),
        month=today.strftime("%Y-%m"),
        idem=uuid.uuid4().hex,
        reasons=REASONS,
        reason_labels=REASON_LABEL_ID,
        methods=METHODS,
        method_labels=METHOD_LABEL_ID,
        can_receive=allowed("page.old_cards.receive", role),
        can_destroy=allowed("page.old_cards.destroy", role),
        can_count=allowed("page.old_cards.count", role),
    )


def _done(request: Request, message: str) -> Response:
    request.state.session["flash"] = message
    return RedirectResponse(PAGE, status_code=303)


@pages.get(PAGE, name="page.old_cards", response_class=HTMLResponse)
def old_cards_page(request: Request, semua: str | None = None) -> Response:
    """The register: totals, the cards (held ones, or all with ?semua=1), the forms."""
    return _page(request, held=not blank_to_none(semua))


@pages.post(PAGE + "/terima", name="page.old_cards.receive", response_class=HTMLResponse)
async def receive_form(request: Request) -> Response:
    data = await request.form()
    form = {
        k: str(data.get(k) or "")
        for k in ("nik", "reason", "card_serial", "received_on", "note", "idem")
    }
    ctx, office = request_ctx(request)
    try:
        r = hi.receive_card(
            ctx,
            nik=form["nik"],
            reason=form["reason"],
            card_serial=blank_to_none(form["card_serial"]),
            received_on=parse_date(blank_to_none(form["received_on"]), "received_on"),
            note=blank_to_none(form["note"]),
            office=office,
            idempotency_key=blank_to_none(form["idem"]),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Kartu lama dicatat')}: {_('nomor register')} {r['card']['id']}")


@pages.post(PAGE + "/musnahkan", name="page.old_cards.destroy", response_class=HTMLResponse)
async def destroy_form(request: Request) -> Response:
    # Read by hand: the cards chosen and the witnesses come once per value.
    data = await request.form()
    raw_cards = [str(v) for v in data.getlist("cards")]
    witnesses = [str(v) for v in data.getlist("witnesses")]
    place = str(data.get("place") or "")
    method = str(data.get("method") or "")
    destroyed_on = str(data.get("destroyed_on") or "")
    form: dict[str, Any] = {
        "place": place,
        "method": method,
        "destroyed_on": destroyed_on,
        "witnesses": witnesses,
        "cards": raw_cards,
        "all_held": data.get("all_held") == "1",
    }
    ctx, office = request_ctx(request)
    try:
        cards = []
        for v in raw_cards:
            if not v.strip().isdigit() or len(v.strip()) > 10:
                raise DomainError(
                    "not_a_number",
                    "cards",
                    Msg("Nomor register kartu '{v}' bukan bilangan bulat.", v=v),
                )
            cards.append(int(v))
        r = hi.destroy_cards(
            ctx,
            witnesses=witnesses,
            place=place,
            method=method or "bakar",
            cards=cards,
            all_held=bool(form["all_held"]),
            destroyed_on=parse_date(blank_to_none(destroyed_on), "destroyed_on"),
            office=office,
            idempotency_key=blank_to_none(str(data.get("idem") or "")),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    return RedirectResponse(f"{PAGE}/pemusnahan/{r['destruction']['id']}", status_code=303)


@pages.post(PAGE + "/hitung", name="page.old_cards.count", response_class=HTMLResponse)
async def count_form(request: Request) -> Response:
    data = await request.form()
    form = {k: str(data.get(k) or "") for k in ("counted", "counted_on", "reason", "idem")}
    ctx, office = request_ctx(request)
    try:
        text = form["counted"].strip()
        if not text.isdigit() or len(text) > 10:
            raise DomainError(
                "not_a_number",
                "counted",
                Msg("Jumlah terhitung '{text}' bukan bilangan bulat.", text=text),
            )
        r = hi.count_cards(
            ctx,
            counted=int(text),
            counted_on=parse_date(blank_to_none(form["counted_on"]), "counted_on"),
            reason=blank_to_none(form["reason"]),
            office=office,
            idempotency_key=blank_to_none(form["idem"]),
        )
    except DomainError as exc:
        return _page(request, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    return _done(request, f"{_('Penghitungan dicatat')}: {_('selisih')} {r['count']['variance']}")


@pages.get(
    PAGE + "/pemusnahan/{destruction_id}",
    name="page.old_cards.destruction",
    response_class=HTMLResponse,
)
def destruction_page(request: Request, destruction_id: Id) -> Response:
    ctx, office = request_ctx(request)
    found = hi.destruction(
        ctx, destruction_id=destruction_id, reveal=_reveal(request), office=office
    )
    return render(request, "handed_in_destruction.html", found=found)


def _file(request: Request, name: str, params: dict[str, Any], fmt: str) -> Response:
    ctx, office = request_ctx(request)
    content, filename, mimetype = reports.render(ctx, name, {**params, "office": office}, fmt)
    return download(content, filename, mimetype)


@pages.get(
    PAGE + "/pemusnahan/{destruction_id}/berita-acara", name="page.old_cards.destruction_file"
)
def destruction_file(request: Request, destruction_id: Id, fmt: str = "pdf") -> Response:
    """The berita acara of a destruction (names and full NIKs for roles that may see them)."""
    params = {"destruction_id": destruction_id, "reveal": _reveal(request)}
    return _file(request, "handed_in_destruction", params, fmt.strip().lower())


@pages.get(PAGE + "/rekap", name="page.old_cards.recap")
def recap_file(request: Request, month: str | None = None, fmt: str = "xlsx") -> Response:
    """The monthly recap for the province and the directorate. A month missing or not
    understood: the register again with the error at the month field."""
    try:
        if not blank_to_none(month):
            raise DomainError("required", "month", N_("Bulan rekap wajib diisi (bb-tttt)."))
        parsed = parse_month(str(month), "month")
    except DomainError as exc:
        return _page(request, error=exc, form={"month": month or ""}, status=status_for(exc))
    return _file(request, "handed_in_recap", {"month": parsed}, fmt.strip().lower())


# --- API ---------------------------------------------------------------------------------------


class CardIn(BaseModel):
    nik: str = Field(max_length=40, examples=["1704015705900001"])
    reason: str = Field(max_length=20, examples=["pindah"], description=", ".join(REASONS))
    card_serial: str | None = Field(None, max_length=40, description="Bila terbaca.")
    received_on: dt.date | None = Field(None, description="Bawaan: hari ini.")
    received_by: str | None = Field(None, max_length=100, description="Bawaan: pengguna.")
    note: str | None = Field(None, max_length=1000)


class DestructionIn(BaseModel):
    witnesses: list[str] = Field(examples=[["Andi Saputra", "Sri Wahyuni"]], max_length=20)
    place: str = Field(max_length=200, examples=["Halaman kantor Dinas Dukcapil"])
    method: str = Field("bakar", description=", ".join(METHODS))
    cards: list[int] = Field(default_factory=list, max_length=100_000)
    all_held: bool = Field(False, description="Semua kartu yang tersimpan pada tanggal itu.")
    destroyed_on: dt.date | None = Field(None, description="Bawaan: hari ini.")
    note: str | None = Field(None, max_length=1000)


class CountIn(BaseModel):
    counted: int = Field(ge=-2_147_483_647, le=2_147_483_647)
    counted_on: dt.date | None = None
    reason: str | None = Field(None, max_length=1000)


@api.get("/api/v1/old-cards", name="api.old_cards.list", responses=ERRORS, tags=["kartu lama"])
def old_cards_api(
    request: Request,
    as_of: dt.date | None = None,
    held: bool = False,
    limit: Limit = 500,
    offset: Offset = 0,
) -> hi.Register:
    """The register as of a date: totals (received = destroyed + held), cards, destructions,
    counts. Full NIKs and names for roles that may see personal data."""
    ctx, office = request_ctx(request)
    return hi.register(
        ctx,
        as_of=as_of,
        held_only=held,
        reveal=_reveal(request),
        limit=limit,
        offset=offset,
        office=office,
    )


@api.post("/api/v1/old-cards", name="api.old_cards.receive", responses=ERRORS, tags=["kartu lama"])
def receive_api(
    request: Request, body: CardIn, idempotency_key: IdempotencyKey = None
) -> hi.CardWritten:
    return api_write(
        request,
        hi.receive_card,
        idempotency_key,
        nik=body.nik,
        reason=body.reason,
        card_serial=body.card_serial,
        received_on=body.received_on,
        received_by=body.received_by,
        note=body.note,
    )


@api.post(
    "/api/v1/old-cards/destructions",
    name="api.old_cards.destroy",
    responses=ERRORS,
    tags=["kartu lama"],
)
def destroy_api(
    request: Request, body: DestructionIn, idempotency_key: IdempotencyKey = None
) -> hi.DestructionWritten:
    """Destroy cards (by register number, or every card held): two or more witnesses; a card
    already destroyed is refused (409) and nothing is written."""
    return api_write(
        request,
        hi.destroy_cards,
        idempotency_key,
        witnesses=body.witnesses,
        place=body.place,
        method=body.method,
        cards=body.cards,
        all_held=body.all_held,
        destroyed_on=body.destroyed_on,
        note=body.note,
    )


@api.get(
    "/api/v1/old-cards/destructions/{destruction_id}",
    name="api.old_cards.destruction",
    responses=ERRORS,
    tags=["kartu lama"],
)
def destruction_api(request: Request, destruction_id: Id) -> hi.Destruction:
    ctx, office = request_ctx(request)
    return hi.destruction(
        ctx, destruction_id=destruction_id, reveal=_reveal(request), office=office
    )


@api.get(
    "/api/v1/old-cards/destructions/{destruction_id}/berita-acara",
    name="api.old_cards.destruction_file",
    response_class=Response,
    responses={**ERRORS, **FILES},
    tags=["kartu lama"],
)
def destruction_file_api(request: Request, destruction_id: Id, fmt: Fmt = "pdf") -> Response:
    """The berita acara of a destruction as xlsx or pdf."""
    params = {"destruction_id": destruction_id, "reveal": _reveal(request)}
    return _file(request, "handed_in_destruction", params, fmt)


@api.post(
    "/api/v1/old-cards/counts", name="api.old_cards.count", responses=ERRORS, tags=["kartu lama"]
)
def count_api(
    request: Request, body: CountIn, idempotency_key: IdempotencyKey = None
) -> hi.CountWritten:
    return api_write(
        request,
        hi.count_cards,
        idempotency_key,
        counted=body.counted,
        counted_on=body.counted_on,
        reason=body.reason,
    )


@api.get(
    "/api/v1/old-cards/recap", name="api.old_cards.recap", responses=ERRORS, tags=["kartu lama"]
)
def recap_api(request: Request, month: Month) -> hi.RecapMonth:
    ctx, office = request_ctx(request)
    return hi.recap(ctx, month=month, office=office)


@api.get(
    "/api/v1/old-cards/recap/file",
    name="api.old_cards.recap_file",
    response_class=Response,
    responses={**ERRORS, **FILES},
    tags=["kartu lama"],
)
def recap_file_api(request: Request, month: Month, fmt: Fmt = "xlsx") -> Response:
    return _file(request, "handed_in_recap", {"month": month}, fmt)


@api.get(
    "/api/v1/old-cards/verify", name="api.old_cards.verify", responses=ERRORS, tags=["kartu lama"]
)
def verify_api(request: Request) -> hi.ChainCheck:
    """Recompute the register's hash chain: no row altered or removed."""
    ctx, office = request_ctx(request)
    return hi.verify(ctx, office=office)
