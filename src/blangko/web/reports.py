"""Report downloads (xlsx or pdf): the stock reports for those who keep or oversee the stock,
the office reports (coverage recap, request letter) for the head. The same
`services.reports.render` as `blangko report`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from blangko.domain.errors import DomainError, NotFound
from blangko.formatting import parse_date
from blangko.services import reports
from blangko.web.deps import (
    ERRORS,
    api_router,
    download,
    file_responses,
    page_router,
    request_ctx,
)

pages = page_router()
api = api_router()

STOCK_REPORTS = ("usage", "count", "receipt", "destruction")
OFFICE_REPORTS = ("coverage", "request")
Fmt = Annotated[str, Query(pattern="^(xlsx|pdf)$", description="xlsx atau pdf")]


def _params(
    month: str | None, count_id: str | None, seq: str | None, as_of: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if month and month.strip():
        out["month"] = month.strip()
    for name, value in (("count_id", count_id), ("seq", seq)):
        if value and value.strip():
            try:
                out[name] = int(value.strip())
            except ValueError as exc:
                raise DomainError("not_a_number", name, f"'{value}' bukan bilangan bulat.") from exc
            if not 1 <= out[name] <= 2_147_483_647:
                raise DomainError(
                    "out_of_range", name, f"'{value}' di luar rentang nomor (1 sampai 2147483647)."
                )
    if as_of and as_of.strip():
        out["as_of"] = parse_date(as_of.strip(), "as_of")
    return out


def _file(
    request: Request, name: str, allowed: tuple[str, ...], fmt: str, params: dict[str, Any]
) -> Response:
    if name not in allowed:
        raise NotFound(
            "unknown_report",
            "report",
            f"Laporan '{name}' tidak ada di sini: pilih {', '.join(allowed)}.",
        )
    ctx, office = request_ctx(request)
    content, filename, mimetype = reports.render(ctx, name, {**params, "office": office}, fmt)
    return download(content, filename, mimetype)


@pages.get("/laporan/stok/{name}", name="page.report.stock")
def stock_report(
    request: Request,
    name: str,
    fmt: Fmt = "xlsx",
    month: str | None = None,
    count_id: str | None = None,
    seq: str | None = None,
) -> Response:
    return _file(request, name, STOCK_REPORTS, fmt, _params(month, count_id, seq, None))


@pages.get("/laporan/kantor/{name}", name="page.report.office")
def office_report(
    request: Request, name: str, fmt: Fmt = "pdf", as_of: str | None = None
) -> Response:
    return _file(request, name, OFFICE_REPORTS, fmt, _params(None, None, None, as_of))


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
) -> Response:
    """usage (month), count (count_id), receipt (seq), destruction (month) as xlsx or pdf."""
    return _file(request, name, STOCK_REPORTS, fmt, _params(month, count_id, seq, None))


@api.get(
    "/api/v1/reports/office/{name}",
    name="api.reports.office",
    response_class=Response,
    responses={**ERRORS, **FILES},
    tags=["laporan"],
)
def office_report_api(
    request: Request, name: str, fmt: Fmt = "pdf", as_of: str | None = None
) -> Response:
    """coverage (recap by kecamatan and desa) or request (letter asking for blanks)."""
    return _file(request, name, OFFICE_REPORTS, fmt, _params(None, None, None, as_of))
