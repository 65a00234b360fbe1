"""Server-rendered pages. Each handler calls the same service functions as the API and CLI;
a form post that succeeds redirects (post/redirect/get), one that fails shows the form again
with the clerk's values and the error next to the field it names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from blangko.domain.errors import DomainError
from blangko.domain.ledger import KIND_LABEL_ID, SERVICES, SPOIL_REASONS, STATE_LABEL_ID, Kind
from blangko.formatting import parse_date
from blangko.services.admin import setup, users
from blangko.services.stock import counts, queries, writes
from blangko.web import charts, i18n, views
from blangko.web.api import filter_serial, record_count
from blangko.web.app import _safe_next, render, request_ctx, status_for
from blangko.web.security import authorize, new_csrf

router = APIRouter(dependencies=[Depends(authorize)], include_in_schema=False)

SERVICE_LABELS = {
    "pemula": "Pemula",
    "hilang": "Pengganti hilang",
    "rusak": "Pengganti rusak",
    "perubahan_data": "Perubahan data",
    "perekaman": "Perekaman",
    "pencetakan": "Pencetakan",
}
TOTAL_LABELS = {
    "opening": "Saldo awal",
    "received": "Diterima",
    "consumed": "Terpakai",
    "spoiled": "Rusak",
    "lost": "Hilang",
    "returned": "Dikembalikan",
    "adjusted": "Penyesuaian",
}
LEVEL_LABELS = {"aman": "Aman", "menipis": "Menipis", "habis": "Habis"}
STOCK_TABS = ("terima", "pindah", "rusak", "hilang", "kembali", "opname")
Text = Annotated[str, Form()]
OptText = Annotated[str | None, Form()]


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": {k.value: v for k, v in KIND_LABEL_ID.items()},
        "state_labels": {k.value: v for k, v in STATE_LABEL_ID.items()},
        "service_labels": SERVICE_LABELS,
        "level_labels": LEVEL_LABELS,
        "role_labels": users.ROLE_LABELS,
        "total_labels": TOTAL_LABELS,
    }


# Public and log-in -------------------------------------------------------------------------
@router.get("/status", name="page.status", response_class=HTMLResponse)
def status_page(request: Request, office: str | None = None, resi: str | None = None) -> Response:
    model = views.public_status(request.app.state.ctx, office)
    application, error = None, None
    if _opt(resi):
        try:
            application = views.public_application(request.app.state.ctx, resi or "")
        except DomainError as exc:
            error = exc
    return render(
        request,
        "status.html",
        status=status_for(error) if error else 200,
        model=model,
        resi=resi or "",
        application=application,
        error=error,
        **_labels(),
    )


@router.get("/login", name="page.login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if request.state.principal.username:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=_safe_next(next), error=None, username="")


@router.post("/login", name="page.login.submit", response_class=HTMLResponse)
def login_submit(
    request: Request, username: Text, password: Text, next: Annotated[str, Form()] = "/"
) -> Response:
    try:
        user = users.authenticate(request.app.state.ctx, username=username, password=password)
    except DomainError as exc:
        return render(
            request,
            "login.html",
            status=status_for(exc),
            next=_safe_next(next),
            error=exc,
            username=username,
        )
    session = request.state.session
    session["u"] = user["username"]
    session["csrf"] = new_csrf()  # a fresh token per log-in: one seen before cannot be replayed
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", name="page.logout")
def logout(request: Request) -> Response:
    session = request.state.session
    session.pop("u", None)
    session["csrf"] = new_csrf()
    return RedirectResponse("/login", status_code=303)


@router.get("/bahasa/{lang}", name="page.lang")
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    if lang in i18n.LANGUAGES:
        request.state.session["lang"] = lang
    return RedirectResponse(_safe_next(next), status_code=303)


# Dashboard and charts ----------------------------------------------------------------------
@router.get("/", name="page.dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    ctx, office = request_ctx(request)
    model = views.dashboard(ctx, office)
    from blangko.web.dashboard import outlook

    more = outlook(ctx, office, request.state.principal.role)
    return render(request, "dashboard.html", model=model, outlook=more, **_labels())


def _svg(body: str) -> Response:
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/grafik/stok.svg", name="chart.stock")
def chart_stock(request: Request) -> Response:
    ctx, office = request_ctx(request)
    entries = queries.ledger(ctx, office=office)["entries"]
    _ = i18n.gettext_for(request.state.session.get("lang", "id"))
    return _svg(
        charts.stock_on_hand(
            views.daily_on_hand(entries),
            views.receipts(entries),
            lang=request.state.session.get("lang", "id"),
            title=_("Stok di tangan (keping); garis putus-putus = penerimaan"),
            received_label=_("Penerimaan"),
            empty=_("Belum ada entri ledger."),
        )
    )


@router.get("/grafik/pemakaian.svg", name="chart.usage")
def chart_usage(request: Request) -> Response:
    ctx, office = request_ctx(request)
    entries = queries.ledger(ctx, office=office)["entries"]
    lang = request.state.session.get("lang", "id")
    _ = i18n.gettext_for(lang)
    return _svg(
        charts.usage_by_week(
            views.weekly_usage(entries),
            lang=lang,
            title=_("Pemakaian per minggu menurut jenis layanan (keping)"),
            labels={k: _(v) for k, v in SERVICE_LABELS.items()},
            empty=_("Belum ada pemakaian."),
        )
    )


# Stock -------------------------------------------------------------------------------------
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
    return render(
        request,
        "stock.html",
        status=status,
        balance=queries.balance(ctx, office=office),
        locations=setup.list_locations(ctx, office=office),
        open_counts=counts.list_counts(ctx, office=office, status="open"),
        tab=tab,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        spoil_reasons=SPOIL_REASONS,
        services=SERVICES,
        count_result=count_result,
        **_labels(),
    )


@router.get("/stok", name="page.stock", response_class=HTMLResponse)
def stock_page(request: Request, tab: str = "terima") -> Response:
    return _stock_page(request, tab=tab if tab in STOCK_TABS else "terima")


def _act(
    request: Request,
    tab: str,
    form: dict[str, Any],
    run: Callable[[], dict[str, Any]],
    done: Callable[[dict[str, Any]], str],
) -> Response:
    try:
        result = run()
    except DomainError as exc:
        return _stock_page(request, tab=tab, error=exc, form=form, status=status_for(exc))
    request.state.session["flash"] = done(result)
    return RedirectResponse(f"/stok?tab={tab}", status_code=303)


def _qty_msg(request: Request, what: str, result: dict[str, Any]) -> str:
    lang = request.state.session.get("lang", "id")
    _ = i18n.gettext_for(lang)
    return f"{_(what)}: {i18n.num(result['quantity'], lang)} {_('keping')}" + (
        f" ({_('dikirim ulang; tidak dicatat dua kali')})" if result.get("replayed") else ""
    )


@router.post("/stok/terima", name="page.stock.receive", response_class=HTMLResponse)
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
    ctx, office = request_ctx(request)
    return _act(
        request,
        "terima",
        form,
        lambda: writes.receive_shipment(
            ctx,
            serials=serials,
            source=source,
            document=document,
            effective=parse_date(_opt(date)),
            to=_opt(to),
            note=_opt(note),
            office=office,
            idempotency_key=_opt(idem),
        ),
        lambda r: _qty_msg(request, "Diterima", r),
    )


@router.post("/stok/pindah", name="page.stock.transfer", response_class=HTMLResponse)
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
    ctx, office = request_ctx(request)

    def run() -> dict[str, Any]:
        return writes.transfer(
            ctx,
            from_location=from_location,
            to_location=to_location,
            serials=_opt(serials),
            qty=_int(qty, "qty"),
            effective=parse_date(_opt(date)),
            note=_opt(note),
            office=office,
            idempotency_key=_opt(idem),
        )

    return _act(request, "pindah", form, run, lambda r: _qty_msg(request, "Dipindahkan", r))


def _int(value: str | None, field: str) -> int | None:
    if not _opt(value):
        return None
    try:
        return int(str(value).replace(".", "").strip())
    except ValueError as exc:
        raise DomainError("not_a_number", field, f"'{value}' bukan bilangan bulat.") from exc


@router.post("/stok/rusak", name="page.stock.spoil", response_class=HTMLResponse)
def stock_spoil(
    request: Request,
    serial: Text,
    reason: Text,
    note: OptText = None,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serial": serial, "reason": reason, "note": note, "date": date}
    ctx, office = request_ctx(request)
    return _act(
        request,
        "rusak",
        form,
        lambda: writes.spoil(
            ctx,
            serial=serial,
            reason=reason,
            note=_opt(note),
            effective=parse_date(_opt(date)),
            office=office,
            idempotency_key=_opt(idem),
        ),
        lambda r: _qty_msg(request, "Dicatat rusak", r),
    )


@router.post("/stok/hilang", name="page.stock.lose", response_class=HTMLResponse)
def stock_lose(
    request: Request,
    serials: Text,
    reason: Text,
    document: Text,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serials": serials, "reason": reason, "document": document, "date": date}
    ctx, office = request_ctx(request)
    return _act(
        request,
        "hilang",
        form,
        lambda: writes.lose(
            ctx,
            serials=serials,
            reason=reason,
            document=document,
            effective=parse_date(_opt(date)),
            office=office,
            idempotency_key=_opt(idem),
        ),
        lambda r: _qty_msg(request, "Dicatat hilang", r),
    )


@router.post("/stok/kembali", name="page.stock.return", response_class=HTMLResponse)
def stock_return(
    request: Request,
    serials: Text,
    to: Text,
    document: Text,
    date: OptText = None,
    idem: OptText = None,
) -> Response:
    form = {"serials": serials, "to": to, "document": document, "date": date}
    ctx, office = request_ctx(request)
    return _act(
        request,
        "kembali",
        form,
        lambda: writes.return_blanks(
            ctx,
            serials=serials,
            to=to,
            document=document,
            effective=parse_date(_opt(date)),
            office=office,
            idempotency_key=_opt(idem),
        ),
        lambda r: _qty_msg(request, "Dikembalikan", r),
    )


@router.post("/stok/opname", name="page.stock.count", response_class=HTMLResponse)
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
            ctx, office, location, _int(counted, "counted"), _opt(scanned), _opt(idem)
        )
    except DomainError as exc:
        return _stock_page(request, tab="opname", error=exc, form=form, status=status_for(exc))
    # Shown at once (not redirected): the clerk needs the variance and the serials in question.
    return _stock_page(request, tab="opname", count_result=result)


@router.post(
    "/stok/opname/{count_id}/posting", name="page.stock.count_post", response_class=HTMLResponse
)
def stock_count_post(
    request: Request, count_id: int, reason: Text, idem: OptText = None
) -> Response:
    ctx, office = request_ctx(request)
    lang = request.state.session.get("lang", "id")
    _ = i18n.gettext_for(lang)
    try:
        result = counts.post_count(
            ctx, count_id=count_id, reason=reason, office=office, idempotency_key=_opt(idem)
        )
    except DomainError as exc:
        return _stock_page(
            request, tab="opname", error=exc, form={"reason": reason}, status=status_for(exc)
        )
    request.state.session["flash"] = (
        f"{_('Stock opname')} #{count_id} {_('diposting')}: {_('selisih')} "
        f"{i18n.num(result['variance'], lang)} {_('keping')}"
    )
    return RedirectResponse("/stok?tab=opname", status_code=303)


@router.get("/stok/ledger", name="page.stock.ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    kind: str | None = None,
    serial: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    ctx, office = request_ctx(request)
    filters = {
        "from": date_from or "",
        "to": date_to or "",
        "kind": kind or "",
        "serial": serial or "",
    }
    try:
        data = queries.ledger(
            ctx,
            date_from=parse_date(_opt(date_from), "from"),
            date_to=parse_date(_opt(date_to), "to"),
            kind=_opt(kind),
            office=office,
        )
        rows = filter_serial(data["entries"], _opt(serial))
        error = None
    except DomainError as exc:
        rows, error = [], exc
    rows = rows[::-1]  # newest first on screen
    return render(
        request,
        "ledger.html",
        status=status_for(error) if error else 200,
        entries=rows[offset : offset + limit],
        total=len(rows),
        limit=limit,
        offset=offset,
        filters=filters,
        kinds=[k.value for k in Kind],
        error=error,
        **_labels(),
    )


@router.get("/stok/lacak", name="page.stock.trace", response_class=HTMLResponse)
def trace_page(request: Request, serial: str | None = None) -> Response:
    ctx, office = request_ctx(request)
    result, error = None, None
    if _opt(serial):
        try:
            result = queries.trace(ctx, serial=serial or "", office=office)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "trace.html",
        status=status_for(error) if error else 200,
        serial=serial or "",
        result=result,
        error=error,
        **_labels(),
    )


# Audit -------------------------------------------------------------------------------------
@router.get("/audit", name="page.audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    return render(request, "audit.html", result=None, **_labels())


@router.post("/audit/verifikasi", name="page.audit.verify", response_class=HTMLResponse)
def audit_verify(request: Request) -> Response:
    ctx, office = request_ctx(request)
    result = queries.verify(ctx, office=office)
    return render(request, "audit.html", result=result, checked_at=ctx.now(), **_labels())


# Users -------------------------------------------------------------------------------------
def _users_page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, _ = request_ctx(request)
    return render(
        request,
        "users.html",
        status=status,
        users=users.list_users(ctx),
        roles=users.ROLES,
        error=error,
        form=form or {},
        **_labels(),
    )


@router.get("/pengguna", name="page.users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _users_page(request)


@router.post("/pengguna", name="page.users.add", response_class=HTMLResponse)
def users_add(request: Request, username: Text, role: Text, password: Text) -> Response:
    ctx, _ = request_ctx(request)
    try:
        users.add_user(ctx, username=username, role=role, password=password)
    except DomainError as exc:
        return _users_page(
            request, error=exc, form={"username": username, "role": role}, status=status_for(exc)
        )
    request.state.session["flash"] = f"{username}: {users.ROLE_LABELS[role]}"
    return RedirectResponse("/pengguna", status_code=303)


@router.post("/pengguna/{username}", name="page.users.update", response_class=HTMLResponse)
def users_update(
    request: Request,
    username: str,
    role: Text,
    active: Annotated[str, Form()] = "0",
    password: OptText = None,
) -> Response:
    ctx, _ = request_ctx(request)
    try:
        users.update_user(
            ctx, username=username, role=role, active=active == "1", password=_opt(password)
        )
    except DomainError as exc:
        return _users_page(request, error=exc, status=status_for(exc))
    request.state.session["flash"] = f"{username}: {users.ROLE_LABELS.get(role, role)}"
    return RedirectResponse("/pengguna", status_code=303)
