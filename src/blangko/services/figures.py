"""The figures shown on more than one surface, each read from the one function that computes it.

| figure | computed by | read here through |
|---|---|---|
| days of cover (p50, p90, "> horizon") | `domain.stock_policy.days_of_cover` in `services.forecast.forecast` | `forecast_for`, `status` |
| P(stockout before the next delivery) | `domain.stock_policy.stockout_probability` in `forecast` | `forecast_for` |
| recommended request and its reasons | `domain.stock_policy.recommend` + `forecast._reasons` | `forecast_for` |
| stock level (habis / menipis / aman) | `domain.stock_policy.stock_level` on the p90 cover | `status` |
| event extra demand, per day, open days | `services.calendar.events.impact` (`extra_demand`) | `forecast_for` (events) |
| event readiness | `domain.stock_policy.event_readiness` in `forecast` | `event_readiness` |
| backlog (to record, to print, suket) | `services.applications.backlog_of` | `status`, `forecast_for` |
| AMC / months of stock (a comparison) | `forecast._amc`, `domain.stock_policy.months_of_stock` | `status` |
| registry age (last import, old or not) | `services.registry.registry_age` | read directly by the pages and `residents status` |

The forecast simulates a few thousand demand paths and counts the registry (0.1 to 2 s on an
office of 100.000 residents). `forecast_for` keeps one result per office, day and state of
its inputs (the ledger's totals, the backlog, the events and closures, the settings) for
FORECAST_CACHE_SECONDS, and every surface of one process reads it from there: the status of
the day, the dashboard, the stock page, the forecast API and chart, the event page and the
request letter show the same numbers at the same moment, and a page view costs no second
simulation. A surface in another process (the CLI) computes the same numbers: the forecast
is seeded, so equal inputs give equal figures.

The public status page shows only the stock level. It reads it through `status`, so through
the cached forecast: at most one forecast per office every FORECAST_CACHE_SECONDS (or when the
ledger changes), whoever asks; every other view is a cache hit.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from blangko.domain import stock_policy as sp
from blangko.domain.limits import check_date
from blangko.services import applications, forecast
from blangko.services.calendar import days, events
from blangko.services.context import Context
from blangko.services.stock import queries

FORECAST_CACHE_SECONDS = 120.0
_forecasts: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}
_forecasts_lock = threading.Lock()


def _inputs_key(ctx: Context, office: str | None, as_of: date) -> tuple[Any, ...]:
    """What the forecast's result depends on that can change within a day, cheaply read: a
    new ledger entry, application, event or closure is seen at once."""
    bal = queries.balance(ctx, office=office)
    code = bal["office"]
    return (
        str(ctx.engine.url),
        code,
        as_of,
        tuple(sorted(bal["totals"].items())),
        tuple(sorted(bal["by_location"].items())),
        tuple(sorted(applications.backlog(ctx, office=code, as_of=as_of).items())),
        tuple((e["id"], e["date"], e["villages"]) for e in events.list_events(ctx, office=code)),
        tuple((c["id"], c["start"], c["end"]) for c in days.list_closures(ctx, office=code)),
        ctx.settings.forecast.model_dump_json(),
        ctx.settings.event.model_dump_json(),
    )


def forecast_for(
    ctx: Context, office: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """THE accessor of the forecast (default horizon) for every surface: `forecast.forecast`
    for ``as_of`` (default today), reused while its inputs are unchanged (module docstring)."""
    as_of = check_date(as_of or ctx.today(), "as_of")
    key = _inputs_key(ctx, office, as_of)
    now = time.monotonic()
    with _forecasts_lock:
        hit = _forecasts.get(key)
        if hit and now - hit[0] < FORECAST_CACHE_SECONDS:
            return hit[1]
    result = forecast.forecast(ctx, as_of=as_of, office=key[1])
    with _forecasts_lock:
        for k in [k for k, (t, _) in _forecasts.items() if now - t >= FORECAST_CACHE_SECONDS]:
            del _forecasts[k]
        _forecasts[key] = (now, result)
    return result


def cover_of(fc: dict[str, Any]) -> dict[str, Any]:
    """Days of cover as every surface shows it: the forecast's median and 90 % figures, with
    ``beyond_horizon`` meaning "more than ``horizon_days``"."""
    c = fc["days_of_cover"]
    return {
        "p50": c["p50"],
        "p90": c["p90"],
        "beyond_horizon": c["beyond_horizon"],
        "horizon_days": fc["horizon_days"],
    }


def status(
    ctx: Context,
    *,
    on: date | None = None,
    office: str | None = None,
    low_days: int | None = None,
) -> dict[str, Any]:
    """The status of a day: open or closed (with the reason) per service and the capacities
    (`days.status`), the stock on hand with the forecast's days of cover and the stock level,
    the average monthly consumption as the comparison it is (OpenLMIS AMC, months of stock),
    and the backlog. ``low_days`` is the level's threshold (default: settings'
    stock_low_days). For a day ahead the stock figures are today's (``stock.as_of``)."""
    if low_days is None:
        low_days = ctx.settings.stock_low_days
    day = days.status(ctx, on=on, office=office)
    # A day ahead has no ledger yet: its stock figures are today's forecast (stock.as_of).
    fc = forecast_for(ctx, day["office"], min(date.fromisoformat(day["date"]), ctx.today()))
    cover = cover_of(fc)
    comp = fc["comparison"]
    on_hand = int(fc["on_hand"])
    return {
        "office": day["office"],
        "date": day["date"],
        "services": day["services"],
        "stock": {
            "as_of": fc["as_of"],
            "on_hand": on_hand,
            "days_of_cover": cover,
            "level": sp.stock_level(on_hand, cover["p90"], low_days),
            "low_days": low_days,
            "comparison": {
                "average_monthly_consumption": comp["average_monthly_consumption"],
                "months_of_stock": comp["months_of_stock"],
                "method": comp["method"],
            },
        },
        "backlog": dict(fc["backlog"]),
        "capacity": day["capacity"],
    }


def event_readiness(
    ctx: Context, event_id: int, office: str | None = None
) -> dict[str, Any] | None:
    """An event as the forecast sees it (extra demand, per day, its part of the request and
    the readiness), or None when it is past or beyond the forecast's horizon."""
    fc = forecast_for(ctx, office)
    return next((e for e in fc["events"] if e["id"] == event_id), None)
