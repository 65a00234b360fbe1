"""Report downloads (xlsx or pdf): the stock reports for those who keep or oversee the stock,
the office reports (coverage recap, request letter) for the head. The same
`services.reports.render` as `blangko report`.

The request letter has a form of its own (`/laporan/permohonan`): the quantity prefilled with
the forecast's recommendation, the recommendation and its reasons beside it, and a reason,
required when asking for more than recommended or when nothing is recommended.

A download that cannot be made answers with a page in the app's layout that says what went
wrong and what to do (the request form again with the error at its field; for the other
reports, where their forms are), never a bare status code. Page routes take every parameter
as text and check it themselves, so that no parameter fails before that page can be shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from blangko.domain.errors import DomainError, NotFound, field_label
from blangko.domain.text import Msg
from blangko.formatting import blank_to_none, parse_date, parse_month
from blangko.services import reports
from blangko.services.reports import request_letter
from blangko.web.deps import (
    ERRORS,
    api_router,
    download,
    file_responses,
    lang_of,
    page_router,
    render,
    request_ctx,
    status_for,
)
from blangko.web.labels import ledger_labels

pages = page_router()
api = api_router()

# item_usage and item_count: the usage report and count record of a quantity item (a ribbon,
# a film), per lot; item_count takes the count's day as as_of (default: its latest).
STOCK_REPORTS = ("usage", "count", "receipt", "destruction", "item_usage", "item_count")
# purchase: the nota dinas for ribbons and films to the regency's budget office (issue 15).
OFFICE_REPORTS = ("coverage", "request", "purchase")
Fmt = Annotated[str, Query(pattern="^(xlsx|pdf)$", description="xlsx atau pdf")]
REQUEST_FORM = "/laporan/permohonan"
# Where the form of each report is, for the error page's "what to do".
FORM_OF = {
    "usage": ("/stok", "Stok"),
    "count": ("/stok", "Stok"),
    "receipt": ("/stok", "Stok"),
    "destruction": ("/stok", "Stok"),
    "coverage": ("/cakupan", "Cakupan"),
    "request": (REQUEST_FORM, "Surat permohonan blangko"),
    "item_usage": ("/printer", "Printer"),
    "item_count": ("/printer", "Printer"),
    "purchase": ("/printer", "Printer"),
}


def _number(name: str, value: str | None, low: int, high: int) -> int | None:
    if not blank_to_none(value):
        return None
    text = str(value).strip().replace(".", "") if name == "quantity" else str(value).strip()
    try:
        n = int(text)
    except ValueError as exc:
        raise DomainError(
            "not_a_number",
            name,
            Msg("{name}: '{value}' bukan bilangan bulat.", name=field_label(name), value=value),
        ) from exc
    if not low <= n <= high:
        raise DomainError(
            "out_of_range",
            name,
            Msg(
                "{name}: '{value}' di luar rentang {low} sampai {high}.",
                name=field_label(name),
                value=value,
                low=low,
                high=high,
            ),
        )
    return n


def _params(
    month: str | None = None,
    count_id: str | None = None,
    seq: str | None = None,
    as_of: str | None = None,
    quantity: str | None = None,
    reason: str | None = None,
    item: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if item and item.strip():
        out["item"] = item.strip()
    if month and month.strip():
        out["month"] = parse_month(month, "month")
    for name, value in (("count_id", count_id), ("seq", seq)):
        n = _number(name, value, 1, 2_147_483_647)
        if n is not None:
            out[name] = n
    if as_of and as_of.strip():
        out["as_of"] = parse_date(as_of.strip(), "as_of")
    n = _number("quantity", quantity, 1, 1_000_000)
    if n is not None:
        out["quantity"] = n
    if reason and reason.strip():
        out["reason"] = reason.strip()
    return out


def _file(
    request: Request, name: str, allowed: tuple[str, ...], fmt: str, params: dict[str, Any]
) -> Response:
    if name not in allowed:
        raise NotFound(
            "unknown_report",
            "report",
            Msg(
                "Laporan '{name}' tidak ada di sini: pilih {allowed}.",
                name=name,
                allowed=", ".join(allowed),
            ),
        )
    ctx, office = request_ctx(request)
    content, filename, mimetype = reports.render(
        ctx, name, {**params, "office": office}, fmt, lang_of(request)
    )
    return download(content, filename, mimetype)


def _request_form(
    request: Request,
    *,
    form: dict[str, Any] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    rec = request_letter.recommendation(ctx, office=office)
    qty = rec["recommended_request"]["quantity"]
    return render(
        request,
        "reports_request.html",
        status=status,
        rec=rec,
        form=form or {"quantity": str(qty) if qty > 0 else "", "reason": "", "fmt": "pdf"},
        error=error,
        **ledger_labels(),
    )


def _page_file(
    request: Request, name: str, allowed: tuple[str, ...], fmt: str | None, raw: dict[str, Any]
) -> Response:
    """A download for a page link or form; what fails is shown as a page that says what to
    do (the request letter: its form again, with the error at the field)."""
    try:
        return _file(request, name, allowed, (fmt or "").strip().lower(), _params(**raw))
    except DomainError as exc:
        if name == "request" and name in allowed:
            form = {k: raw.get(k) or "" for k in ("quantity", "reason")}
            form["fmt"] = fmt or "pdf"
            return _request_form(request, form=form, error=exc, status=status_for(exc))
        where = FORM_OF.get(name) if name in allowed else None
        return render(
            request,
            "reports_error.html",
            status=status_for(exc),
            error=exc,
            report=name,
            form_url=where[0] if where else "/",
            form_label=where[1] if where else "Dasbor",
            form={"month": raw.get("month") or "", "fmt": fmt or ""},
        )


@pages.get(REQUEST_FORM, name="page.report.request_form")
def request_form(request: Request) -> Response:
    """The request letter's form: the quantity (prefilled with the recommendation), the
    recommendation and its reasons beside it, a reason, the format."""
    return _request_form(request)


@pages.get("/laporan/stok/{name}", name="page.report.stock")
def stock_report(
    request: Request,
    name: str,
    fmt: str | None = "xlsx",
    month: str | None = None,
    count_id: str | None = None,
    seq: str | None = None,
    item: str | None = None,
    as_of: str | None = None,
) -> Response:
    raw = {"month": month, "count_id": count_id, "seq": seq, "item": item, "as_of": as_of}
    return _page_file(request, name, STOCK_REPORTS, fmt, raw)


@pages.get("/laporan/kantor/{name}", name="page.report.office")
def office_report(
    request: Request,
    name: str,
    fmt: str | None = "pdf",
    as_of: str | None = None,
    quantity: str | None = None,
    reason: str | None = None,
) -> Response:
    raw = {"as_of": as_of, "quantity": quantity, "reason": reason}
    return _page_file(request, name, OFFICE_REPORTS, fmt, raw)


FILES = file_responses(reports.MIMETYPES["xlsx"], reports.MIMETYPES["pdf"])


@api.get(
    "/api/v1/reports/stock/{name}",
    name="api.reports.stock",
    response_class=Response,
    responses={**ERRORS, **FILES},
    tags=["laporan"],
)
def stock_report_api(
    request: Request,
    name: str,
    fmt: Fmt = "xlsx",
    month: str | None = None,
    count_id: str | None = None,
    seq: str | None = None,
    item: str | None = Query(None, description="item_usage, item_count: kode barang."),
    as_of: str | None = Query(None, description="item_count: tanggal stock opname."),
) -> Response:
    """usage (month), count (count_id), receipt (seq), destruction (month), item_usage (month,
    item), item_count (item, as_of) as xlsx or pdf."""
    params = _params(month, count_id, seq, as_of=as_of, item=item)
    return _file(request, name, STOCK_REPORTS, fmt, params)


@api.get(
    "/api/v1/reports/office/{name}",
    name="api.reports.office",
    response_class=Response,
    responses={**ERRORS, **FILES},
    tags=["laporan"],
)
def office_report_api(
    request: Request,
    name: str,
    fmt: Fmt = "pdf",
    as_of: str | None = None,
    quantity: str | None = Query(
        None,
        description="request: keping yang dimohon (bawaan: usulan perkiraan; wajib bila usulan 0).",
    ),
    reason: str | None = Query(
        None, description="request: alasan, wajib bila melebihi usulan atau usulan 0."
    ),
) -> Response:
    """coverage (recap by kecamatan and desa), request (letter asking for blanks) or purchase
    (nota dinas for ribbons and films)."""
    params = _params(as_of=as_of, quantity=quantity, reason=reason)
    return _file(request, name, OFFICE_REPORTS, fmt, params)
