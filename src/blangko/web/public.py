"""Status publik: what anyone may know without logging in. Per service open or closed with
the reason, whether cards are being printed, the stock level as aman / menipis / habis (no
figures, no names), and one application's progress by its receipt number."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from blangko.domain.errors import DomainError
from blangko.formatting import blank_to_none
from blangko.services import dashboard
from blangko.services.dashboard_results import PublicApplication, PublicStatus
from blangko.web.deps import ERRORS, api_router, page_router, render, status_for
from blangko.web.labels import ledger_labels
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.status", "Status publik", "/status", 90))


@pages.get("/status", name="page.status", response_class=HTMLResponse)
def status_page(request: Request, office: str | None = None, resi: str | None = None) -> Response:
    model = dashboard.public_status(request.app.state.ctx, office)
    application, error = None, None
    if blank_to_none(resi):
        try:
            application = dashboard.public_application(request.app.state.ctx, resi or "")
        except DomainError as exc:
            error = exc
    return render(
        request,
        "public_status.html",
        status=status_for(error) if error else 200,
        model=model,
        resi=resi or "",
        application=application,
        error=error,
        **ledger_labels(),
    )


@api.get(
    "/api/v1/status",
    name="api.status",
    response_model=PublicStatus,
    responses=ERRORS,
    tags=["publik"],
)
def status(request: Request, office: str | None = None) -> dict[str, Any]:
    """Open or closed per service today, and the stock level as aman / menipis / habis."""
    return dashboard.public_status(request.app.state.ctx, office)


@api.get(
    "/api/v1/status/applications/{receipt}",
    name="api.status.application",
    response_model=PublicApplication,
    responses=ERRORS,
    tags=["publik"],
)
def application_status(request: Request, receipt: str) -> dict[str, Any]:
    """Where an application is, by its receipt number: status and dates only (no NIK, no name)."""
    return dashboard.public_application(request.app.state.ctx, receipt)
