"""Cakupan: recording coverage of the wajib-KTP population by kecamatan and desa against the
target (99.2 %), the cohort turning 17, when the target may be reached, and the list of
residents still to record (names: only for roles allowed to see personal data)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from typing_extensions import TypedDict

from blangko.domain.access import allowed
from blangko.domain.text import N_
from blangko.formatting import blank_to_none, parse_date
from blangko.services import derived, registry
from blangko.services.context import Context
from blangko.services.coverage import areas, ikd, projection
from blangko.services.coverage.results import Cohort, Coverage, Projection
from blangko.web import charts, i18n
from blangko.web.deps import (
    ERRORS,
    NarrowChart,
    api_router,
    download,
    file_responses,
    lang_of,
    page_router,
    render,
    request_ctx,
    stored_svg,
    svg,
)
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.coverage", N_("Cakupan"), "/cakupan", 40))

# What holds the target back (projection's limiting_factor), in words for the page.
LIMIT_LABELS = {
    "demand": "warga belum datang (jemput bola)",
    "capacity": "kapasitas perekaman",
    "closure": "penutupan perekaman",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _areas_stored(
    ctx: Context, office: str | None, by: str, kec: str | None
) -> derived.Stored[Coverage]:
    stored = areas.coverage_stored(ctx, by=by, office=office)
    if by == "desa" and kec:
        data = stored.value
        data["areas"] = [a for a in data["areas"] if a["code"].startswith(kec + ".")]
    return stored


def _areas(ctx: Context, office: str | None, by: str, kec: str | None) -> Coverage:
    return _areas_stored(ctx, office, by, kec).value


@pages.get("/cakupan", name="page.coverage", response_class=HTMLResponse)
def coverage_page(request: Request, by: str = "kecamatan", kec: str | None = None) -> Response:
    ctx, office = request_ctx(request)
    by = by if by in ("kecamatan", "desa") else "kecamatan"
    kec = blank_to_none(kec)
    stored = _areas_stored(ctx, office, by, kec)
    # The kecamatan of the filter: the table's own rows when it shows every kecamatan.
    by_kec = (
        stored if by == "kecamatan" else areas.coverage_stored(ctx, by="kecamatan", office=office)
    )
    cohort = areas.cohort_stored(ctx, months=6, office=office)
    proj = projection.projection_stored(ctx, office=office)
    # The coverage line states the earliest moment of the figures it covers (coverage, the
    # kecamatan list, the cohort, the projection), and whether any is being computed again.
    coverage_parts = (stored, by_kec, cohort, proj)
    # The IKD figures as stored: the level's areas carry the regency's total too, so one
    # figure serves the headline and the table.
    ikd_cov = ikd.ikd_coverage_stored(ctx, by=by, office=office)
    ikd_ratio = ikd.ikd_ratio_stored(ctx, office=office)
    return render(
        request,
        "coverage.html",
        data=stored.value,
        computed_at=min(f.computed_at for f in coverage_parts),
        stale=any(f.stale for f in coverage_parts),
        by=by,
        kec=kec or "",
        kecamatan=by_kec.value["areas"],
        cohort=cohort.value,
        projection=proj.value,
        registry=registry.registry_age(ctx, office=office),
        ikd_cov=ikd_cov.value,
        ikd_ratio=ikd_ratio.value,
        ikd_computed_at=min(ikd_cov.computed_at, ikd_ratio.computed_at),
        ikd_stale=ikd_cov.stale or ikd_ratio.stale,
        can_see_names=allowed("page.coverage.gaps", request.state.principal.role),
        limit_labels=LIMIT_LABELS,
    )


@pages.get("/grafik/cakupan.svg", name="chart.coverage")
def chart_coverage(
    request: Request, by: str = "kecamatan", kec: str | None = None, narrow: NarrowChart = False
) -> Response:
    ctx, office = request_ctx(request)
    by = by if by in ("kecamatan", "desa") else "kecamatan"
    return svg(coverage_chart(ctx, office, by, blank_to_none(kec), lang_of(request), narrow))


def coverage_chart(
    ctx: Context, office: str | None, by: str, kec: str | None, lang: str, narrow: bool
) -> str:
    """Coverage per area against the target, drawn once per stored coverage, filter,
    language and width (the server's background thread draws the page's: web.app)."""
    _ = i18n.gettext_for(lang)
    stored = _areas_stored(ctx, office, by, kec)
    data = stored.value

    def draw() -> str:
        return charts.coverage_by_area(
            data["areas"],
            target=float(data["target_pct"]),
            lang=lang,
            title=_("Cakupan perekaman wajib KTP (%)"),
            target_label=_("target"),
            empty=_("Belum ada data penduduk."),
            narrow=narrow,
        )

    return stored_svg(
        ctx,
        kind="chart.coverage",
        params=f"{data['as_of']}|{by}|{kec or ''}|{lang}|{int(narrow)}",
        source=stored,
        draw=draw,
    )


def gaps_file(
    ctx: Context, office: str | None, role: str, desa: str | None, kecamatan: str | None
) -> tuple[bytes, str]:
    """The unrecorded residents as xlsx bytes, through the service (which checks the role)."""
    area = desa or kecamatan or "kabupaten"
    name = f"belum-rekam-{area.replace('.', '')}-{ctx.today():%Y%m%d}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / name
        areas.gaps(ctx, output=out, desa=desa, kecamatan=kecamatan, office=office, role=role)
        return out.read_bytes(), name


@pages.get("/cakupan/belum-rekam.xlsx", name="page.coverage.gaps")
def coverage_gaps(
    request: Request, desa: str | None = None, kecamatan: str | None = None
) -> Response:
    ctx, office = request_ctx(request)
    content, name = gaps_file(
        ctx, office, request.state.principal.role, blank_to_none(desa), blank_to_none(kecamatan)
    )
    return download(content, name, XLSX)


# API ---------------------------------------------------------------------------------------
@api.get("/api/v1/coverage", name="api.coverage", responses=ERRORS, tags=["cakupan"])
def coverage_api(
    request: Request,
    by: str = "kecamatan",
    target: str | None = None,
    as_of: dt.date | None = None,
) -> Coverage:
    """Wajib KTP, recorded, coverage % and gap to the target, per area at level `by`."""
    ctx, office = request_ctx(request)
    return areas.coverage(ctx, by=by, target=target, as_of=as_of, office=office)


class IkdFigures(TypedDict):
    """IKD against its target (by area) and against the blanks received in the period."""

    coverage: ikd.IkdCoverage
    ratio: ikd.IkdRatio


@api.get("/api/v1/ikd", name="api.ikd", responses=ERRORS, tags=["cakupan"])
def ikd_api(
    request: Request,
    by: str = "kecamatan",
    ikd_target: str | None = None,
    as_of: dt.date | None = None,
    date_from: dt.date | None = None,
) -> IkdFigures:
    """IKD activations among wajib KTP against the target (default 30 %, the directorate's
    2024/2025 figure), per kecamatan or desa; activations against blanks received from
    `date_from` (default 1 January) to `as_of`, against the 2023 rule of at least 50 %."""
    ctx, office = request_ctx(request)
    return {
        "coverage": ikd.ikd_coverage(ctx, as_of=as_of, by=by, target=ikd_target, office=office),
        "ratio": ikd.ikd_blank_ratio(ctx, first=date_from, last=as_of, office=office),
    }


@api.get("/api/v1/ikd/daily", name="api.ikd.daily", responses=ERRORS, tags=["cakupan"])
def ikd_daily_api(
    request: Request, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> ikd.IkdDaily:
    """IKD activations per day (from applications and from the registry, each resident once)."""
    ctx, office = request_ctx(request)
    return ikd.ikd_daily(ctx, first=date_from, last=date_to, office=office)


@api.get("/api/v1/coverage/cohort", name="api.coverage.cohort", responses=ERRORS, tags=["cakupan"])
def cohort_api(request: Request, months: int = 12, as_of: dt.date | None = None) -> Cohort:
    """Residents turning 17 in each coming month, per kecamatan."""
    ctx, office = request_ctx(request)
    return areas.cohort(ctx, months=months, as_of=as_of, office=office)


@api.get(
    "/api/v1/coverage/projection",
    name="api.coverage.projection",
    responses=ERRORS,
    tags=["cakupan"],
)
def projection_api(
    request: Request,
    target: str | None = None,
    by_date: str | None = None,
) -> Projection:
    """When the target may be reached at the recent pace, and what it takes by `by_date`."""
    ctx, office = request_ctx(request)
    return projection.projection(
        ctx, target=target, by_date=parse_date(blank_to_none(by_date), "by_date"), office=office
    )


@api.get(
    "/api/v1/coverage/gaps",
    name="api.coverage.gaps",
    response_class=Response,
    responses={**ERRORS, **file_responses(XLSX)},
    tags=["cakupan"],
)
def gaps_api(request: Request, desa: str | None = None, kecamatan: str | None = None) -> Response:
    """The unrecorded wajib-KTP residents (name, NIK, village, age) as an xlsx file."""
    ctx, office = request_ctx(request)
    content, name = gaps_file(
        ctx, office, request.state.principal.role, blank_to_none(desa), blank_to_none(kecamatan)
    )
    return download(content, name, XLSX)
