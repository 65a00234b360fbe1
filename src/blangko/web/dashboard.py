"""Dashboard additions: the demand forecast (fan chart, recommended request), coverage against
the target, and the next event with whether the stock is ready for it.

The forecast simulates a few thousand paths (about two seconds on the demo office); the
dashboard and its chart both need it, so one result is kept per office and stock state for a
short while instead of being simulated twice per page view.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from blangko.services import forecast
from blangko.services.calendar import events
from blangko.services.context import Context
from blangko.services.coverage import areas
from blangko.services.stock import queries
from blangko.web import charts, i18n
from blangko.web.api import ERRORS, bearer
from blangko.web.app import request_ctx
from blangko.web.roles import ROUTE_ROLES
from blangko.web.security import authorize

pages = APIRouter(dependencies=[Depends(authorize)], include_in_schema=False)
api = APIRouter(dependencies=[Depends(authorize), Depends(bearer)])

CACHE_SECONDS = 120.0
_cache: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def cached_forecast(ctx: Context, office: str | None) -> dict[str, Any]:
    """forecast() for today, reused while the ledger's totals are unchanged (a new entry
    changes them, so a receipt or a print is seen at once)."""
    bal = queries.balance(ctx, office=office)
    key = (
        str(ctx.engine.url),
        bal["office"],
        ctx.today(),
        tuple(sorted(bal["totals"].items())),
        tuple(sorted(bal["by_location"].items())),
    )
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    result = forecast.forecast(ctx, office=office)
    with _cache_lock:
        for k in [k for k, (t, _) in _cache.items() if now - t >= CACHE_SECONDS]:
            del _cache[k]
        _cache[key] = (now, result)
    return result


def readiness(fc: dict[str, Any], event_date: date, event_blanks: int) -> dict[str, Any]:
    """Whether the blanks on hand last until the event: the median use of the open days
    before it (without any event's extra) plus the event's expected extra blanks, against
    the stock on hand."""
    usual = sum(
        d["p50_without_events"] for d in fc["daily"] if date.fromisoformat(d["date"]) < event_date
    )
    need = usual + event_blanks
    on_hand = int(fc["on_hand"])
    return {
        "usual_until_event": usual,
        "event_blanks": event_blanks,
        "need": need,
        "on_hand": on_hand,
        "shortfall": max(0, need - on_hand),
        "ready": on_hand >= need,
    }


def outlook(ctx: Context, office: str | None, role: str) -> dict[str, Any]:
    """What the dashboard adds for roles that plan: each part only for the roles whose
    route would show it."""
    out: dict[str, Any] = {}
    if role in ROUTE_ROLES["chart.forecast"]:
        fc = cached_forecast(ctx, office)
        out["forecast"] = fc
        today = ctx.today()
        coming = [
            e for e in events.list_events(ctx, office=office) if e["date"] >= today.isoformat()
        ]
        if coming:
            nxt = coming[0]
            impact = events.impact(ctx, nxt["id"], office=office)
            blanks = int(impact["expected_extra"]["blanks"]["expected"])
            out["next_event"] = {
                **nxt,
                "days_until": impact["days_until"],
                "blanks": impact["expected_extra"]["blanks"],
                "readiness": readiness(fc, date.fromisoformat(nxt["date"]), blanks),
            }
    if role in ROUTE_ROLES["page.coverage"]:
        out["coverage"] = areas.coverage(ctx, by="kabupaten", office=office)
    return out


@pages.get("/grafik/perkiraan.svg", name="chart.forecast")
def chart_forecast(request: Request) -> Response:
    ctx, office = request_ctx(request)
    lang = request.state.session.get("lang", "id")
    _ = i18n.gettext_for(lang)
    fc = cached_forecast(ctx, office)
    marks: list[tuple[date, str, str]] = []
    delivery = fc["next_delivery"].get("expected_date")
    if delivery:
        marks.append((date.fromisoformat(delivery), _("kiriman berikut"), "#e07a1f"))
    today = ctx.today().isoformat()
    coming = [e for e in fc.get("events", []) if e["date"] >= today]
    if coming:
        marks.append((date.fromisoformat(coming[0]["date"]), coming[0]["name"], "#9b2c2c"))
    body = charts.forecast_fan(
        fc["daily"],
        lang=lang,
        title=_("Perkiraan pemakaian per hari buka (keping)"),
        labels={"p90": "p05–p95", "p50band": "p25–p75", "p50": _("median")},
        marks=marks,
        empty=_("Belum ada perkiraan."),
    )
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@api.get("/api/v1/forecast", name="api.forecast", responses=ERRORS, tags=["perkiraan"])
def forecast_api(
    request: Request, horizon: int = Query(120, ge=7, le=730, description="Hari ke depan.")
) -> dict[str, Any]:
    """Daily demand quantiles, days of cover, stock-out risk before the next delivery and the
    recommended request quantity with its reasons."""
    ctx, office = request_ctx(request)
    if horizon == 120:
        return cached_forecast(ctx, office)
    return forecast.forecast(ctx, horizon=horizon, office=office)
