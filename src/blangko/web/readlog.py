"""The read log of personal data: who viewed which resident's data, for the administrator and
the auditor of the office (page and API). NIKs in it are masked; a full NIK typed in the
filter finds who viewed that resident."""

from __future__ import annotations

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from blangko.domain.text import N_
from blangko.formatting import blank_to_none
from blangko.services import readlog
from blangko.services.readlog import ReadLog
from blangko.web.deps import ERRORS, Limit, Offset, api_router, page_router, render, request_ctx
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.readlog", N_("Log akses"), "/log-akses", 75))

NikFilter = Query(None, max_length=40, description="Hanya akses ke penduduk ini (NIK lengkap).")
UserFilter = Query(None, max_length=100, description="Hanya akses pengguna ini.")


@pages.get("/log-akses", name="page.readlog", response_class=HTMLResponse)
def readlog_page(
    request: Request, nik: str | None = NikFilter, user: str | None = UserFilter
) -> Response:
    ctx, office = request_ctx(request)
    log = readlog.list_reads(
        ctx, office=office, nik=blank_to_none(nik), actor=blank_to_none(user), limit=200
    )
    return render(request, "readlog.html", log=log, nik=nik or "", user=user or "")


@api.get("/api/v1/read-log", name="api.readlog", responses=ERRORS, tags=["audit"])
def readlog_api(
    request: Request,
    nik: str | None = NikFilter,
    user: str | None = UserFilter,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ReadLog:
    """Who viewed which resident's personal data in the caller's office, newest first (NIKs
    masked)."""
    ctx, office = request_ctx(request)
    return readlog.list_reads(
        ctx,
        office=office,
        nik=blank_to_none(nik),
        actor=blank_to_none(user),
        limit=limit,
        offset=offset,
    )
