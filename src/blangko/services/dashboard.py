"""Read models of the two dashboards: the staff dashboard (`/`: stock, services today, the
charts' series, the forecast and coverage outlook) and the public status board (`/status`:
open or closed, the stock level, one application's progress by receipt number).

Each is computed once from the capability services and rendered by the web as HTML or JSON.

Every figure is read from the one function that computes it (services.figures lists them);
the forecast through `figures.forecast_stored`, coverage and the IKD figures through their
`*_stored` functions, each stored in the database per office and state of its inputs
(services.derived); the outlook says when the forecast, coverage and IKD shown were
computed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Final

from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.access import COVERAGE_READERS, FORECAST_READERS
from blangko.domain.applications import STATUS_LABEL_ID, Status
from blangko.domain.ledger import MOVES, Kind, State
from blangko.domain.limits import DATE_MIN
from blangko.services import applications, figures, rationing, registry
from blangko.services.admin import setup
from blangko.services.calendar import days, events
from blangko.services.context import Context, location_names, resolve_office
from blangko.services.coverage import areas, ikd
from blangko.services.stock import counts, day_totals, queries
from blangko.services.stock.results import LedgerEntry

# What the public may learn about one application from its receipt number: where it is in
# the process and the dates; never the NIK, name, type of request or card serial.
PUBLIC_APPLICATION_FIELDS: Final = (
    "receipt",
    "status",
    "submitted_date",
    "ready_date",
    "printed_date",
    "collected_date",
)


# Chart series --------------------------------------------------------------------------------
# The charts' series are summed by the database per day (a few hundred rows), not built from
# every entry of the ledger (tens of thousands on a regency: the dashboard's charts read
# the whole ledger on every view before).
RECEIPT_KINDS: Final = (Kind.RECEIVE, Kind.SHIP_IN, Kind.OPENING)


def stock_series(
    ctx: Context, office: str | None
) -> tuple[list[tuple[date, int]], list[tuple[date, int]]]:
    """Stock on hand at the end of each day that had an entry, and the receipts, for the
    stock chart. Days before DATE_MIN (an entry dated so before the dates were bounded; the
    ledger keeps it) count in the levels but are not drawn: a chart from year 1 cannot be
    drawn at all."""
    code = day_totals.keep_up(ctx, office)
    with ctx.read() as conn:
        moves = ledger_repo.daily_moves(conn, code)
        received = ledger_repo.entries_of_kinds(conn, code, [str(k) for k in RECEIPT_KINDS])
    delta: dict[date, int] = defaultdict(int)
    for m in moves:
        q = int(m.qty)
        if m.out:
            delta[m.effective_date] -= q
        if m.into and MOVES[Kind(m.kind)].to_state == State.AVAILABLE:
            delta[m.effective_date] += q
    levels, level = [], 0
    for d in sorted(delta):
        level += delta[d]
        levels.append((d, level))
    return (
        [(d, v) for d, v in levels if d >= DATE_MIN],
        [(r.effective_date, int(r.quantity)) for r in received if r.effective_date >= DATE_MIN],
    )


def usage_series(ctx: Context, office: str | None) -> dict[date, dict[str, int]]:
    """Blanks consumed per week (keyed by the Monday) and service type, for the usage chart
    (from DATE_MIN on)."""
    code = day_totals.keep_up(ctx, office)
    with ctx.read() as conn:
        rows = ledger_repo.usage_by_day(conn, code, str(Kind.CONSUME))
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        monday = r.effective_date - timedelta(days=r.effective_date.weekday())
        weeks[monday][r.service or "lainnya"] += int(r.qty)
    return {k: dict(v) for k, v in sorted(weeks.items()) if k >= DATE_MIN}


def last_entries(ctx: Context, office: str | None, n: int = 8) -> list[LedgerEntry]:
    """The office's last ``n`` entries by effective date (the newest first), as the ledger
    page shows them."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        names = location_names(conn, code)
        return [queries.entry_view(r, names) for r in ledger_repo.last_entries(conn, code, n)]


# The staff dashboard -------------------------------------------------------------------------
def dashboard(ctx: Context, office: str | None) -> dict[str, Any]:
    """The staff dashboard: the balance, the status of the day (`figures.status`: days of
    cover, stock level, the AMC comparison, the backlog), the registry's age beside the
    backlog it drives (`registry.registry_age`), the open counts, the last entries."""
    bal = queries.balance(ctx, office=office)
    today, fc = figures.status_stored(ctx, office=office)
    open_counts = counts.list_counts(ctx, office=office, status="open")
    return {
        "balance": bal,
        "cover": today["stock"]["days_of_cover"],
        # The days of cover and the level come from the stored forecast: when it was
        # computed, and whether a newer one is being computed (the page says so).
        "cover_computed_at": fc.computed_at,
        "cover_stale": fc.stale,
        "comparison": today["stock"]["comparison"],
        "level": today["stock"]["level"],
        "backlog": today["backlog"],
        "registry": registry.registry_age(ctx, office=office),
        "open_counts": open_counts,
        # At most one open count covers a location (a newer count supersedes the older), so
        # these add up: the net variance and the serials behind it (known from scans only).
        "open_variance": sum(c["variance"] for c in open_counts),
        "open_missing": sum(c["missing_count"] or 0 for c in open_counts),
        "open_unexpected": sum(c["unexpected_count"] or 0 for c in open_counts),
        "services": _services(today),
        "last_entries": last_entries(ctx, office),
    }


def _services(today: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"service": name, "open": s["open"], "reason": s["reason"]}
        # Recording comes before printing, as a resident goes through them.
        for name, s in sorted(today["services"].items(), key=lambda kv: kv[0] != "perekaman")
    ]


def outlook(ctx: Context, office: str | None, role: str) -> dict[str, Any]:
    """What the dashboard adds for roles that plan: the forecast and the next event for those
    who may read the forecast, coverage for those who may read coverage."""
    out: dict[str, Any] = {}
    if role in FORECAST_READERS:
        stored = figures.forecast_stored(ctx, office)
        fc = stored.value
        out["forecast"] = fc
        # When the stored forecast was computed (naive UTC): the page says how fresh it is.
        out["forecast_computed_at"] = stored.computed_at
        # What stops printing first, when the office keeps ribbons, films or printers.
        limits = figures.supply_limits_stored(ctx, office)
        out["supply_limits"] = limits.value if limits is not None else None
        out["forecast_stale"] = stored.stale
        today = ctx.today()
        coming = [
            e for e in events.list_events(ctx, office=office) if e["date"] >= today.isoformat()
        ]
        if coming:
            nxt = coming[0]
            seen = next((e for e in fc["events"] if e["id"] == nxt["id"]), None)
            out["next_event"] = {
                **nxt,
                "days_until": (date.fromisoformat(nxt["date"]) - today).days,
                # None: beyond the forecast's horizon, no readiness to tell yet.
                "forecast": seen,
            }
    if role in COVERAGE_READERS:
        cov = areas.coverage_stored(ctx, by="kabupaten", office=office)
        out["coverage"] = cov.value
        out["coverage_computed_at"] = cov.computed_at
        out["coverage_stale"] = cov.stale
        ikd_cov = ikd.ikd_coverage_stored(ctx, office=office)
        ikd_ratio = ikd.ikd_ratio_stored(ctx, office=office)
        out["ikd"] = ikd_cov.value
        out["ikd_ratio"] = ikd_ratio.value
        # Both as stored; the older of the two moments is when the IKD lines were computed.
        out["ikd_computed_at"] = min(ikd_cov.computed_at, ikd_ratio.computed_at)
        out["ikd_stale"] = ikd_cov.stale or ikd_ratio.stale
    return out


# The public status board ---------------------------------------------------------------------
def public_status(ctx: Context, office: str | None) -> dict[str, Any]:
    """What anyone may know without logging in: no figures, no names. The stock level is
    `figures.public_level`'s: the stock on hand now with the stored forecast's days of cover
    (never computed for this page: it stays as cheap as reading the calendar and the
    ledger)."""
    day = days.status(ctx, office=office)
    code = day["office"]
    level, fc = figures.public_level(ctx, code, date.fromisoformat(day["date"]))
    name = next(o["name"] for o in setup.list_offices(ctx) if o["code"] == code)
    services = _services(day)
    printing_open = next(s["open"] for s in services if s["service"] == "pencetakan")
    with ctx.read() as conn:
        notice = rationing.public_notice(conn, code, date.fromisoformat(day["date"]))
    return {
        "office": code,
        "office_name": name,
        "date": day["date"],
        "services": services,
        "printing": printing_open and level != "habis",
        "stock_level": level,
        # When the forecast behind the level was computed (naive UTC, ISO) and whether a
        # newer one is being computed; None: no forecast stored yet, the level is from the
        # stock on hand alone.
        "stock_level_computed_at": None if fc is None else fc.computed_at.isoformat(),
        "stock_level_updating": fc is None or fc.stale,
        "rationing": notice,
    }


def public_application(ctx: Context, receipt: str) -> dict[str, Any]:
    """One application's progress by its receipt number: status and dates only."""
    view = applications.show(ctx, receipt=receipt.strip())
    out: dict[str, Any] = {k: view[k] for k in PUBLIC_APPLICATION_FIELDS}
    out["status_label"] = STATUS_LABEL_ID[Status(view["status"])]
    out["ready_to_collect"] = view["status"] == Status.DICETAK
    return out
