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
office of 100.000 residents). `forecast_for` stores it in the database (services.derived),
per office and day, keyed by what it depends on: the office's ledger head, the versions of
its registry, applications, calendar and events (bumped by triggers in the transaction of
every change), and the settings. Every surface of every process reads it from there: the
status of the day, the dashboard, the stock page, the forecast API and chart, the event page
and the request letter show the same numbers at the same moment, a page view costs no
second simulation, and a restart recomputes nothing. It is computed again after the first
change that affects it, once, by the first view that asks (others wait for it), or, for a
page, in the background while the page shows the stored one as being updated
(services.derived). The stock on hand is always the ledger's, read in the view.

The public status page shows only the stock level (`public_level`): the stock on hand now
with the stored forecast's cover; it never computes the forecast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import items as items_repo
from blangko.domain import stock_policy as sp
from blangko.domain.limits import check_date
from blangko.services import derived, forecast, supply_limits
from blangko.services.calendar import days
from blangko.services.context import Context
from blangko.services.coverage import areas, ikd, projection
from blangko.services.stock.queries import balance

# What the forecast depends on (services.derived): every source of the office's data.
FORECAST_DEPENDS = forecast.DEPENDS


def _forecast_ask(ctx: Context, code: str, as_of: date) -> dict[str, Any]:
    """What `derived.stored` is asked for the forecast of ``code`` on ``as_of``."""
    return {
        "office": code,
        "kind": "forecast",
        "params": as_of.isoformat(),
        "depends": FORECAST_DEPENDS,
        "extra": [
            forecast.DEFAULT_HORIZON,
            forecast.RESULT_SHAPE,
            ctx.settings.forecast.model_dump_json(),
            ctx.settings.event.model_dump_json(),
        ],
        "compute": lambda: forecast.forecast(ctx, as_of=as_of, office=code),
    }


def forecast_stored(
    ctx: Context, office: str | None = None, as_of: date | None = None
) -> derived.Stored[dict[str, Any]]:
    """The forecast (default horizon) for ``as_of`` (default today) as stored, with when it
    was computed (module docstring). Asked for another day than today (an explicit as_of),
    it is the current one, computed in the call when needed."""
    day = check_date(as_of or ctx.today(), "as_of")
    code = derived.office_of(ctx, office)
    if day != ctx.today():
        ctx = derived.synchronous(ctx)
    return derived.stored(ctx, **_forecast_ask(ctx, code, day))


def supply_limits_stored(
    ctx: Context, office: str | None = None, as_of: date | None = None
) -> derived.Stored[dict[str, Any]] | None:
    """What stops printing first (services.supply_limits) as stored, or None when the office
    keeps no item but the blank and no printer (nothing to add to the forecast's cover). It
    depends on what the forecast depends on and on the office's items and printers (their
    row counts and highest ids: these tables have no version trigger)."""
    as_of = check_date(as_of or ctx.today(), "as_of")
    code = derived.office_of(ctx, office)
    with ctx.read() as conn:
        mark = items_repo.fingerprint(conn, code)
    if mark[0] == 0 and mark[3] == 0:
        return None
    return derived.stored(
        ctx,
        office=code,
        kind="supply_limits",
        params=as_of.isoformat(),
        depends=FORECAST_DEPENDS,
        extra=[
            forecast.DEFAULT_HORIZON,
            ctx.settings.forecast.model_dump_json(),
            ctx.settings.event.model_dump_json(),
            mark,
        ],
        compute=lambda: dict(supply_limits.supply_limits(ctx, as_of=as_of, office=code)),
    )


def forecast_for(
    ctx: Context, office: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """THE accessor of the forecast (default horizon) for every surface: `forecast.forecast`
    for ``as_of`` (default today), as stored while its inputs are unchanged."""
    return forecast_stored(ctx, office, as_of).value


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
    return status_stored(ctx, on=on, office=office, low_days=low_days)[0]


def status_stored(
    ctx: Context,
    *,
    on: date | None = None,
    office: str | None = None,
    low_days: int | None = None,
) -> tuple[dict[str, Any], derived.Stored[dict[str, Any]]]:
    """`status`, and the stored forecast its cover, comparison and backlog come from (when
    it was computed, whether it is stale: a page says so). The stock on hand is the
    ledger's now, never stale."""
    if low_days is None:
        low_days = ctx.settings.stock_low_days
    day = days.status(ctx, on=on, office=office)
    # A day ahead has no ledger yet: its stock figures are today's forecast (stock.as_of).
    as_of = min(date.fromisoformat(day["date"]), ctx.today())
    stored = forecast_stored(ctx, day["office"], as_of)
    fc = stored.value
    cover = cover_of(fc)
    comp = fc["comparison"]
    # The stock on hand as the forecast reads it (its own function), now: a stale forecast
    # (a page's) shows the cover it computed beside today's stock on hand.
    on_hand = int(balance(ctx, as_of=as_of, office=day["office"])["on_hand"])
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
    }, stored


def public_level(
    ctx: Context, office: str, day: date
) -> tuple[str, derived.Stored[dict[str, Any]] | None]:
    """The stock level the public status page shows, never computing the forecast: the
    stock on hand now (the ledger's) with the days of cover of the stored forecast of today
    when it is current or stale within ``ctx.figures_stale_seconds`` (with it, for the
    page's freshness); else from the stock on hand alone (habis at 0, aman otherwise:
    `stock_policy.stock_level` without a cover), and the forecast is computed in the
    background."""
    as_of = min(day, ctx.today())
    on_hand = int(balance(ctx, as_of=as_of, office=office)["on_hand"])
    found = derived.stored_if_any(ctx, **_forecast_ask(derived.synchronous(ctx), office, as_of))
    p90 = None if found is None else cover_of(found.value)["p90"]
    return sp.stock_level(on_hand, p90, ctx.settings.stock_low_days), found


def event_readiness(
    ctx: Context, event_id: int, office: str | None = None
) -> dict[str, Any] | None:
    """An event as the forecast sees it (extra demand, per day, its part of the request and
    the readiness), or None when it is past or beyond the forecast's horizon."""
    fc = forecast_for(ctx, office)
    return next((e for e in fc["events"] if e["id"] == event_id), None)


# The background computing of stored figures ----------------------------------------------
log = logging.getLogger(__name__)
# What the pages show first, per office: computed again in the background after a change.
COHORT_MONTHS_SHOWN = 6  # the coverage page's cohort


def refresh(ctx: Context) -> list[str]:
    """Compute again, for every office, each stored figure that the first pages show (today's
    forecast, coverage by kabupaten and by kecamatan, the cohort, the projection, IKD
    coverage by kecamatan and IKD against the blanks received this year) whose
    inputs changed since it was stored; the others are only read. Returns what was computed
    ("17.04 forecast", ...)."""
    done: list[str] = []
    with ctx.read() as conn:
        codes = admin_repo.office_codes(conn)
    for code in codes:
        rounds: list[tuple[str, Callable[[], derived.Stored[Any]]]] = [
            ("forecast", partial(forecast_stored, ctx, code)),
            (
                "coverage kabupaten",
                partial(areas.coverage_stored, ctx, by="kabupaten", office=code),
            ),
            (
                "coverage kecamatan",
                partial(areas.coverage_stored, ctx, by="kecamatan", office=code),
            ),
            ("cohort", partial(areas.cohort_stored, ctx, months=COHORT_MONTHS_SHOWN, office=code)),
            ("projection", partial(projection.projection_stored, ctx, office=code)),
            ("ikd coverage", partial(ikd.ikd_coverage_stored, ctx, office=code)),
            ("ikd ratio", partial(ikd.ikd_ratio_stored, ctx, office=code)),
        ]
        for name, get in rounds:
            if get().computed_now:
                done.append(f"{code} {name}")
    return done


def refresh_every(
    ctx: Context,
    seconds: float,
    stop: threading.Event,
    also: Callable[[str], None] | None = None,
) -> None:
    """`refresh` every ``seconds`` until ``stop`` is set (the web server's thread), then
    ``also`` for each office where something was computed (the web draws its charts); an
    error is logged and the next round tries again."""
    while not stop.is_set():
        try:
            done = refresh(ctx)
            if done:
                log.info("stored figures computed again: %s", ", ".join(done))
                if also is not None:
                    for code in sorted({d.split(" ", 1)[0] for d in done}):
                        also(code)
        except Exception:  # noqa: BLE001 - a round that fails must not stop the next ones
            log.exception("stored figures: the background round failed")
        stop.wait(seconds)
