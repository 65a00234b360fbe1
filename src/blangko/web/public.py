"""Status publik: what anyone may know without logging in. Per service open or closed with
the reason, whether cards are being printed, the stock level as aman / menipis / habis (no
figures, no names), and one application's progress by its receipt number.

Look-ups by receipt number are limited per client address (BLANGKO_PUBLIC_LOOKUPS_PER_MINUTE,
web/ratelimit.py): 429 with Retry-After past the limit. Together with receipt numbers that
cannot be guessed (domain/applications.py) this makes trying receipts hopeless.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from blangko.domain.errors import DomainError
from blangko.domain.text import N_
from blangko.formatting import blank_to_none
from blangko.services import dashboard
from blangko.services.context import Context
from blangko.services.dashboard_results import PublicApplication, PublicStatus
from blangko.web.deps import (
    ERRORS,
    ErrorOut,
    api_router,
    error_json,
    page_router,
    render,
    status_for,
    tr,
)
from blangko.web.labels import ledger_labels
from blangko.web.nav import NavItem, register
from blangko.web.ratelimit import RateLimiter

pages = page_router()
api = api_router()

register(NavItem("page.status", N_("Status publik"), "/status", 90))


class TooManyLookups(DomainError):
    """Past the per-client limit of look-ups by receipt number (429)."""

    def __init__(self, wait: float) -> None:
        self.retry_after = math.ceil(wait)
        super().__init__(
            "too_many_lookups",
            "receipt",
            f"Terlalu banyak pencarian tanda terima dari alamat ini: coba lagi dalam "
            f"{self.retry_after} detik.",
        )


def _lookup(request: Request, receipt: str) -> dict[str, Any]:
    """One application's public status, counted against the client's limit first (the app's
    limiter, made by create_app)."""
    limiter: RateLimiter = request.app.state.lookup_limiter
    wait = limiter.allow(request.client.host if request.client else "?")
    if wait is not None:
        raise TooManyLookups(wait)
    return dashboard.public_application(request.app.state.ctx, receipt)


def public_ctx(request: Request) -> Context:
    """The app's context for the public status: the stock level from the stored forecast,
    stale within the pages' bound (settings.figures_max_stale_seconds), page or API alike:
    the public never makes the server compute a forecast (dashboard.public_status)."""
    ctx: Context = request.app.state.ctx
    bound = float(request.app.state.settings.figures_max_stale_seconds)
    return replace(ctx, figures_stale_seconds=bound)


@pages.get("/status", name="page.status", response_class=HTMLResponse)
def status_page(request: Request, office: str | None = None, resi: str | None = None) -> Response:
    model = dashboard.public_status(public_ctx(request), office)
    application, error = None, None
    if blank_to_none(resi):
        try:
            application = _lookup(request, resi or "")
        except DomainError as exc:
            error = exc
    response = render(
        request,
        "public_status.html",
        status=status_for(error) if error else 200,
        model=model,
        resi=resi or "",
        application=application,
        error=error,
        **ledger_labels(),
    )
    if isinstance(error, TooManyLookups):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@api.get(
    "/api/v1/status",
    name="api.status",
    response_model=PublicStatus,
    responses=ERRORS,
    tags=["publik"],
)
def status(request: Request, office: str | None = None) -> dict[str, Any]:
    """Open or closed per service today, and the stock level as aman / menipis / habis (with
    when the forecast behind it was computed: never computed for this call)."""
    return dashboard.public_status(public_ctx(request), office)


@api.get(
    "/api/v1/status/applications/{receipt}",
    name="api.status.application",
    response_model=PublicApplication,
    responses={**ERRORS, 429: {"model": ErrorOut}},
    tags=["publik"],
)
def application_status(request: Request, receipt: str) -> Any:
    """Where an application is, by its receipt number: status and dates only (no NIK, no name).
    Limited per client address (429 with Retry-After past the limit)."""
    try:
        return _lookup(request, receipt)
    except TooManyLookups as exc:
        return error_json(
            exc.code,
            exc.field,
            tr(request)(exc.message),
            429,
            **{"Retry-After": str(exc.retry_after)},
        )
