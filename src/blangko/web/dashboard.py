"""Dasbor: stock on hand, days of cover, services today, the stock and usage charts, and for
the roles that plan the demand forecast (fan chart, recommended request), coverage against
the target and the next event with whether the stock is ready for it. The read model is
`services.dashboard`; this module renders it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from blangko.domain.text import N_
from blangko.services import dashboard, figures, forecast
from blangko.services.context import Context
from blangko.services.forecast_results import Forecast
from blangko.services.network import loans
from blangko.web import charts, i18n
from blangko.web.deps import (
    ERRORS,
    NarrowChart,
    api_router,
    lang_of,
    ledger_svg,
    page_router,
    render,
    request_ctx,
    stored_svg,
    svg,
    tr,
)
from blangko.web.labels import SERVICE_LABELS, ledger_labels
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.dashboard", N_("Dasbor"), "/", 10))


@pages.get("/", name="page.dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    ctx, office = request_ctx(request)
    model = dashboard.dashboard(ctx, office)
    more = dashboard.outlook(ctx, office, request.state.principal.role)
    return render(
        request,
        "dashboard.html",
        model=model,
        outlook=more,
        open_loans=loans.open_for(ctx, office),
        **ledger_labels(),
    )


@pages.get("/grafik/stok.svg", name="chart.stock")
def chart_stock(request: Request, narrow: NarrowChart = False) -> Response:
    ctx, office = request_ctx(request)
    lang = lang_of(request)
    _ = tr(request)

    def draw() -> str:
        on_hand, received = dashboard.stock_series(ctx, office)
        return charts.stock_on_hand(
            on_hand,
            received,
            lang=lang,
            title=_("Stok di tangan (keping); garis putus-putus = penerimaan"),
            received_label=_("Penerimaan"),
            empty=_("Belum ada entri ledger."),
            narrow=narrow,
        )

    return svg(
        ledger_svg(ctx, office, kind="chart.stock", params=f"{lang}|{int(narrow)}", draw=draw)
    )


@pages.get("/grafik/pemakaian.svg", name="chart.usage")
def chart_usage(request: Request, narrow: NarrowChart = False) -> Response:
    ctx, office = request_ctx(request)
    lang = lang_of(request)
    _ = tr(request)

    def draw() -> str:
        return charts.usage_by_week(
            dashboard.usage_series(ctx, office),
            lang=lang,
            title=_("Pemakaian per minggu menurut jenis layanan (keping)"),
            labels={k: _(v) for k, v in SERVICE_LABELS.items()},
            empty=_("Belum ada pemakaian."),
            narrow=narrow,
        )

    return svg(
        ledger_svg(ctx, office, kind="chart.usage", params=f"{lang}|{int(narrow)}", draw=draw)
    )


@pages.get("/grafik/perkiraan.svg", name="chart.forecast")
def chart_forecast(request: Request, narrow: NarrowChart = False) -> Response:
    ctx, office = request_ctx(request)
    return svg(forecast_chart(ctx, office, lang_of(request), narrow))


def forecast_chart(ctx: Context, office: str | None, lang: str, narrow: bool) -> str:
    """The forecast's fan chart, drawn once per stored forecast, language and width (the
    server's background thread draws it too: web.app)."""
    _ = i18n.gettext_for(lang)
    stored = figures.forecast_stored(ctx, office)
    fc = stored.value
    today = ctx.today().isoformat()

    def draw() -> str:
        marks: list[tuple[date, str, str]] = []
        delivery = fc["next_delivery"].get("expected_date")
        if delivery:
            marks.append((date.fromisoformat(delivery), _("kiriman berikut"), "#e07a1f"))
        coming = [e for e in fc.get("events", []) if e["date"] >= today]
        if coming:
            marks.append((date.fromisoformat(coming[0]["date"]), coming[0]["name"], "#9b2c2c"))
        return charts.forecast_fan(
            fc["daily"],
            lang=lang,
            title=_("Perkiraan pemakaian per hari buka (keping)"),
            labels={"p90": "p05–p95", "p50band": "p25–p75", "p50": _("median")},
            marks=marks,
            empty=_("Belum ada perkiraan."),
            narrow=narrow,
        )

    return stored_svg(
        ctx,
        kind="chart.forecast",
        params=f"{today}|{lang}|{int(narrow)}",
        source=stored,
        draw=draw,
    )


@api.get(
    "/api/v1/forecast",
    name="api.forecast",
    response_model=Forecast,
    responses=ERRORS,
    tags=["perkiraan"],
)
def forecast_api(
    request: Request, horizon: int = Query(120, ge=7, le=730, description="Hari ke depan.")
) -> dict[str, Any]:
    """Daily demand quantiles, days of cover, stock-out risk before the next delivery and the
    recommended request quantity with its reasons."""
    ctx, office = request_ctx(request)
    if horizon == forecast.DEFAULT_HORIZON:
        return figures.forecast_for(ctx, office)
    return forecast.forecast(ctx, horizon=horizon, office=office)
