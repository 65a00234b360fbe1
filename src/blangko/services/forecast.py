"""Demand forecast and stock decisions for one office (see domain.forecast and
domain.stock_policy for the model and the decision rules).

Inputs, all read from the database:
- blanks used per day (consumed + spoiled entries, by effective date) from the ledger;
- which days printing was and will be open (weekends, national holidays, closures, open days);
- coming events, with their expected extra blanks from `event impact`;
- the print queue (print-ready applications, `applications.backlog_of`): certain demand in
  the next days;
- the cohort turning 17 in each coming month against the months behind us: more or fewer
  first cards than the history shows.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from blangko.adapters.repos import coverage as coverage_repo
from blangko.adapters.repos import forecast as repo
from blangko.adapters.repos import registry as registry_repo
from blangko.domain import backtest as bt
from blangko.domain import forecast as fc
from blangko.domain import stock_policy as sp
from blangko.domain.errors import DomainError
from blangko.domain.ledger import SERVICES
from blangko.services import applications
from blangko.services.calendar import events
from blangko.services.calendar.days import OfficeCalendar, holidays_between
from blangko.services.context import Context, resolve_office
from blangko.services.coverage.areas import month_spans
from blangko.services.stock.queries import balance
from blangko.settings import ForecastSettings

HISTORY_DAYS_MAX = 730
USE_KINDS = ("consume", "spoil")
QUEUE_REASON = "Antrean cetak (siap cetak)"
STOCK_REASON = "Stok di tangan"
SURPLUS_REASON = "Stok melebihi kebutuhan periode ini (tidak perlu diminta)"
DEFAULT_HORIZON = 120  # days; every surface shows the forecast of this horizon


def daily_use(conn: Connection, office: str, start: date, end: date) -> np.ndarray:
    """Blanks used (consumed or spoiled) per day from start to end inclusive."""
    rows = repo.use_per_day(conn, office, USE_KINDS, start, end)
    used = np.zeros((end - start).days + 1)
    for d, q in rows:
        used[(d - start).days] = float(q)
    return used


def _history(conn: Connection, office: str, as_of: date) -> tuple[date, np.ndarray, np.ndarray]:
    first = repo.first_use(conn, office, USE_KINDS)
    end = as_of - timedelta(days=1)
    if first is None or first > end:
        return as_of, np.zeros(0), np.zeros(0, dtype=bool)
    start = max(first, as_of - timedelta(days=HISTORY_DAYS_MAX))
    used = daily_use(conn, office, start, end)
    cal = OfficeCalendar(conn, office)
    open_flags = np.array(
        [cal.day("pencetakan", start + timedelta(days=i)).open for i in range(len(used))]
    )
    # What happened wins over the calendar: cards printed on a day make it an open day.
    open_flags |= used > 0
    return start, used, open_flags


def _future_open(conn: Connection, office: str, start: date, horizon: int) -> np.ndarray:
    cal = OfficeCalendar(conn, office)
    return np.array([cal.day("pencetakan", start + timedelta(days=i)).open for i in range(horizon)])


def _event_uplifts(
    ctx: Context, office: str, as_of: date, horizon_end: date
) -> list[tuple[fc.Uplift, dict[str, Any]]]:
    out = []
    for ev in events.list_events(ctx, office=office):
        when = date.fromisoformat(ev["date"])
        if when < as_of or when > horizon_end:
            continue
        imp = events.impact(ctx, ev["id"], as_of=as_of, office=office)
        blanks = imp["expected_extra"]["blanks"]
        window_from = date.fromisoformat(imp["expected_extra"]["window"]["from"])
        label = f"{ev['name']} ({imp['villages']} desa)"
        out.append(
            (
                fc.Uplift(
                    label, window_from, when, blanks["low"], blanks["expected"], blanks["high"]
                ),
                imp,
            )
        )
    return out


def _cohort_multiplier(
    conn: Connection, office: str, as_of: date, horizon: int, start: date
) -> tuple[np.ndarray, dict[str, Any]]:
    """Per future day, how much first-card (pemula) demand differs from the history because
    the cohort turning 17 that month is larger or smaller than in the past year.

    factor = 1 + pemula share x (cohort rate of that month / mean cohort rate of the last 12
    months - 1); the pemula share is that of the blanks consumed in the history.
    """
    by_service = repo.consumed_by_service(conn, office, start, as_of)
    used = sum(by_service.values())
    share = int(by_service.get("pemula") or 0) / used if used else 0.0
    past = month_spans(as_of - timedelta(days=366), 12)
    future = month_spans(as_of - timedelta(days=1), horizon // 28 + 2)

    def rates(spans: list[tuple[str, date, date]]) -> dict[str, float]:
        counts: dict[str, int] = {}
        for _kec, label, n in coverage_repo.cohort_counts(conn, office=office, months=spans):
            counts[label] = counts.get(label, 0) + n
        return {
            label: counts.get(label, 0) / ((last - first).days + 1) for label, first, last in spans
        }

    past_rates = rates(past)
    base = sum(past_rates.values()) / len(past_rates) if past_rates else 0.0
    factors = np.ones(horizon)
    future_rates = rates(future) if base > 0 and share > 0 else {}
    for i in range(horizon):
        label = (as_of + timedelta(days=i)).strftime("%Y-%m")
        if label in future_rates:
            ratio = min(4.0, max(0.25, future_rates[label] / base))
            factors[i] = 1 + share * (ratio - 1)
    info = {
        "pemula_share": round(share, 3),
        "past_12_months_per_month": round(base * 30.4, 1),
        "next_months_per_month": {k: round(v * 30.4, 1) for k, v in list(future_rates.items())[:4]},
    }
    return factors, info


def _quantile_summary(sim: fc.Forecast) -> dict[str, Any]:
    totals = sim.paths.sum(axis=1)
    q = sim.quantiles()
    return {
        "horizon_total": {
            k: int(np.quantile(totals, p)) for k, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))
        },
        "daily_p50": [int(v) for v in q[2]],
    }


def _by_service(
    conn: Connection,
    office: str,
    start: date,
    as_of: date,
    open_flags: np.ndarray,
    fut_open: np.ndarray,
    paths: int,
    seed: int,
) -> dict[str, Any]:
    """The same count model fitted to each service type's printed cards (spoiled blanks carry
    no service type and are left out here)."""
    end = as_of - timedelta(days=1)
    rows = repo.consumed_per_service_day(conn, office, start, end)
    n = len(open_flags)
    series = {svc: np.zeros(n) for svc in SERVICES}
    for svc, d, qty in rows:
        if svc in series:
            series[svc][(d - start).days] = float(qty)
    out = {}
    for k, svc in enumerate(SERVICES):
        model = (
            fc.fit(start, series[svc], open_flags)
            if n
            else fc.fit(as_of, np.zeros(0), np.zeros(0, dtype=bool))
        )
        sim = fc.simulate(
            model,
            fut_open,
            history_open=open_flags[-fc.BACKLOG_WINDOW :] if n else None,
            n_paths=paths,
            seed=seed + 10 + k,
        )
        out[svc] = _quantile_summary(sim)
    return out


def _recordings(
    ctx: Context,
    conn: Connection,
    office: str,
    as_of: date,
    horizon: int,
    events_found: list[tuple[fc.Uplift, dict[str, Any]]],
    paths: int,
    seed: int,
) -> dict[str, Any]:
    """Biometric recordings per day (from the registry's tanggal_rekam) with the same model,
    on the recording calendar, plus each coming event's expected extra recordings."""
    start = as_of - timedelta(days=365)
    rows = registry_repo.recordings_per_day(conn, office, start, as_of)
    done = np.zeros(365)
    for d, n in rows:
        done[(d - start).days] = float(n)
    cal = OfficeCalendar(conn, office)
    past_open = np.array([cal.day("perekaman", start + timedelta(days=i)).open for i in range(365)])
    past_open |= done > 0
    fut = np.array([cal.day("perekaman", as_of + timedelta(days=i)).open for i in range(horizon)])
    model = fc.fit(start, done, past_open)
    uplifts = []
    for up, imp in events_found:
        rec = imp["expected_extra"]["recordings"]
        uplifts.append(
            fc.Uplift(up.name, up.start, up.end, rec["low"], rec["expected"], rec["high"])
        )
    sim = fc.simulate(
        model,
        fut,
        history_open=past_open[-fc.BACKLOG_WINDOW :],
        uplifts=uplifts,
        n_paths=paths,
        seed=seed + 20,
    )
    q = sim.quantiles()
    notes = list(model.warnings)
    if not fut.any():
        notes.append(
            "Perekaman tutup selama seluruh cakrawala perkiraan (penutupan tanpa "
            "tanggal akhir): perkiraan perekaman 0 sampai layanan dibuka kembali."
        )
    return {
        "fitted_on_days": model.fitted_on_days,
        "daily": [
            {
                "date": d.isoformat(),
                "p05": int(q[0, i]),
                "p50": int(q[2, i]),
                "p95": int(q[4, i]),
                "open": bool(fut[i]),
            }
            for i, d in enumerate(sim.days)
        ],
        "horizon_total": _quantile_summary(sim)["horizon_total"],
        "warnings": notes,
    }


def _past_event_windows(ctx: Context, office: str, as_of: date) -> tuple[tuple[date, date], ...]:
    window = ctx.settings.event.window_days
    out = []
    for ev in events.list_events(ctx, office=office):
        when = date.fromisoformat(ev["date"])
        if when < as_of:
            out.append((when - timedelta(days=window), when))
    return tuple(out)


def _amc(
    conn: Connection,
    office: str,
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    as_of: date,
) -> dict[str, Any]:
    """Average monthly consumption over the last 90 days, adjusted for closed working days."""
    n = min(90, len(used))
    if n == 0:
        return {"amc": 0.0, "months_of_stock": None, "period_days": 0}
    u, o = used[-n:], open_flags[-n:]
    days = [as_of - timedelta(days=n - i) for i in range(n)]
    # National holidays are not normal working days (see sp.adjusted_monthly_consumption):
    # only closures and other lost working days scale consumption up.
    holidays = holidays_between(days[0], days[-1])
    normal = sum(1 for d in days if d.weekday() < 5 and d not in holidays)
    unable = sum(
        1 for d, op in zip(days, o, strict=True) if d.weekday() < 5 and d not in holidays and not op
    )
    amc = sp.adjusted_monthly_consumption(float(u.sum()), n, normal, unable)
    return {"amc": round(amc, 1), "period_days": n, "closed_working_days": unable}


def _event_view(
    u: fc.Uplift,
    imp: dict[str, Any],
    daily: list[dict[str, Any]],
    on_hand: int,
    in_request: int,
) -> dict[str, Any]:
    """A coming event as the forecast sees it: its extra demand exactly as `events.impact`
    gives it, the part of it inside this request's window (``in_request``, the reason's
    quantity), and whether the office is ready for it."""
    x = imp["expected_extra"]
    when = u.end.isoformat()
    usual = sum(d["p50_without_events"] for d in daily if d["date"] < when)
    return {
        "id": imp["id"],
        "name": u.name,
        "date": when,
        "blanks": dict(x["blanks"]),
        "recordings": dict(x["recordings"]),
        "per_day_in_window": x["per_day_in_window"],
        "window": x["window"],
        "in_request": in_request,
        "readiness": sp.event_readiness(
            on_hand=on_hand,
            usual_until_event=usual,
            event_blanks=int(x["blanks"]["expected"]),
            event_recordings=int(x["recordings"]["expected"]),
            open_days=x["window"]["open_days"],
            closed_reasons=x["window"]["closed_reasons"],
        ),
    }


def forecast(
    ctx: Context,
    *,
    as_of: date | None = None,
    horizon: int = DEFAULT_HORIZON,
    office: str | None = None,
    settings: ForecastSettings | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    s = (settings or ctx.settings.forecast).check()
    as_of = as_of or ctx.today()
    if not 7 <= horizon <= 730:
        raise DomainError(
            "horizon_range", "horizon", "Cakrawala perkiraan harus 7 sampai 730 hari."
        )
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        start, used, open_flags = _history(conn, code, as_of)
        fut_open = _future_open(conn, code, as_of, horizon)
        backlog = applications.backlog_of(conn, code, as_of)
        amc = _amc(conn, code, start, used, open_flags, as_of)
        cohort_factor, cohort_info = _cohort_multiplier(conn, code, as_of, horizon, start)
    on_hand = balance(ctx, as_of=as_of, office=code)["on_hand"]
    horizon_end = as_of + timedelta(days=horizon - 1)
    events_found = _event_uplifts(ctx, code, as_of, horizon_end)
    uplifts = [u for u, _ in events_found]
    queue = backlog["to_print"]
    if queue:
        first_open = [as_of + timedelta(days=i) for i in range(horizon) if fut_open[i]][:5]
        if first_open:
            uplifts.append(
                fc.Uplift(QUEUE_REASON, first_open[0], first_open[-1], queue, queue, queue)
            )
    past_windows = _past_event_windows(ctx, code, as_of)
    model = (
        fc.fit(start, used, open_flags, past_windows)
        if len(used)
        else fc.fit(as_of, np.zeros(0), np.zeros(0, dtype=bool))
    )
    sim = fc.simulate(
        model,
        fut_open,
        history_open=open_flags[-fc.BACKLOG_WINDOW :] if len(open_flags) else None,
        uplifts=uplifts,
        n_paths=s.paths,
        seed=s.seed,
        multiplier=cohort_factor,
    )
    with ctx.read() as conn:
        by_service = _by_service(
            conn, code, start, as_of, open_flags, fut_open, min(s.paths, 500), s.seed
        )
        recordings = _recordings(
            ctx, conn, code, as_of, horizon, events_found, min(s.paths, 500), s.seed
        )
    q = sim.quantiles()
    base_p50 = np.quantile(sim.baseline_paths, 0.5, axis=0)
    daily = [
        {
            "date": d.isoformat(),
            "p05": int(q[0, i]),
            "p25": int(q[1, i]),
            "p50": int(q[2, i]),
            "p75": int(q[3, i]),
            "p95": int(q[4, i]),
            "p50_without_events": int(base_p50[i]),
            "open": bool(fut_open[i]),
        }
        for i, d in enumerate(sim.days)
    ]
    cover50, cover90, censored = sp.days_of_cover(sim.paths, on_hand)
    lead = sp.lead_time_samples(s.lead_time_days, s.lead_time_spread_days, s.paths, seed=s.seed + 1)
    p_stockout = sp.stockout_probability(sim.paths, on_hand, lead)
    rec = sp.recommend(sim.paths, on_hand, lead, s.review_days, s.service_level)
    reasons = _reasons(sim, rec, lead, s.review_days, on_hand, uplifts)
    in_request = {r["reason"]: r["quantity"] for r in reasons}
    covers_until = None
    if rec.quantity > 0 or on_hand > 0:
        c50, _, cens = sp.days_of_cover(sim.paths, on_hand + rec.quantity)
        covers_until = {"date": (as_of + timedelta(days=c50)).isoformat(), "beyond_horizon": cens}
    months = sp.months_of_stock(on_hand, amc["amc"])
    return {
        "office": code,
        "as_of": as_of.isoformat(),
        "horizon_days": horizon,
        "on_hand": on_hand,
        "daily": daily,
        "days_of_cover": {"p50": cover50, "p90": cover90, "beyond_horizon": censored},
        "next_delivery": {
            "expected_date": (as_of + timedelta(days=int(np.median(lead)))).isoformat(),
            "lead_time_days": int(np.median(lead)),
            "lead_time_p90_days": int(np.quantile(lead, 0.9)),
        },
        "stockout_probability_before_next_delivery": round(p_stockout, 4),
        "recommended_request": {
            "quantity": rec.quantity,
            "service_level": s.service_level,
            "covers_until": covers_until["date"] if covers_until else None,
            "window_days": rec.window_days_p50,
            "demand_at_service_level": rec.demand_at_service_level,
            "reasons": reasons,
        },
        "backlog": backlog,
        "events": [
            _event_view(u, imp, daily, on_hand, in_request.get(u.name, 0))
            for u, imp in events_found
        ],
        "comparison": {
            "average_monthly_consumption": amc["amc"],
            "months_of_stock": round(months, 1) if months is not None else None,
            "amc_period_days": amc["period_days"],
            "method": "OpenLMIS: pemakaian 90 hari terakhir, disesuaikan untuk hari kerja tutup",
        },
        "model": {
            "name": model.name,
            "fitted_on_days": model.fitted_on_days,
            "columns": model.columns,
            "dispersion": round(model.alpha, 4),
            "paths": s.paths,
        },
        "cohort": cohort_info,
        "by_service": by_service,
        "recordings": recordings,
        "warnings": model.warnings,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _reasons(
    sim: fc.Forecast,
    rec: sp.Recommendation,
    lead: np.ndarray,
    review: int,
    on_hand: int,
    uplifts: list[fc.Uplift] | None = None,
) -> list[dict[str, Any]]:
    """Each part of the demand in the decision window, quantified at the median."""
    window = rec.window_days_p50
    base = int(np.median(sim.baseline_paths[:, :window].sum(axis=1)))
    reasons: list[dict[str, Any]] = [
        {
            "reason": f"Pemakaian biasa {window} hari (tinjau {review} + tunggu "
            f"{window - review} hari)",
            "quantity": base,
        }
    ]
    # An uplift is spread evenly over its open days: only the share of those days inside the
    # decision window belongs to this request (an event after it is not a reason for it). The
    # quantity is the uplift's own expected figure (an event's from `events.impact`, the
    # queue's from `applications.backlog_of`), never a simulated median of it, so that the
    # reason shows the same number as every other surface; the simulation's spread around
    # it ends up in the reserve.
    extra = 0
    for u in uplifts or []:
        days = [i for i, d in enumerate(sim.days) if sim.open[i] and u.start <= d <= u.end]
        if not days or u.high <= 0:
            continue
        share = sum(1 for i in days if i < window) / len(days)
        q = int(round(float(u.expected) * share))
        if q:
            reasons.append({"reason": u.name, "quantity": q})
            extra += q
    reasons.append({"reason": STOCK_REASON, "quantity": -on_hand})
    reasons.append(
        {
            "reason": f"Cadangan untuk tingkat layanan {round(rec.service_level * 100)} %",
            "quantity": rec.demand_at_service_level - base - extra,
        }
    )
    # The reasons add up to the recommendation on every surface: when the stock exceeds the
    # need, the surplus is a reason of its own and the recommendation is 0.
    surplus = rec.quantity - sum(int(r["quantity"]) for r in reasons)
    if surplus:
        reasons.append({"reason": SURPLUS_REASON, "quantity": surplus})
    return reasons


def backtest(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    horizon: int = 28,
    origins: int = 6,
) -> dict[str, Any]:
    as_of = as_of or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        start, used, open_flags = _history(conn, code, as_of)
    need = 56 + horizon + 7 * (origins - 1)
    if len(used) < need:
        raise DomainError(
            "history_too_short",
            "as_of",
            f"Riwayat {len(used)} hari; uji mundur {origins} titik x {horizon} hari butuh "
            f"sedikitnya {need} hari.",
        )
    windows = _past_event_windows(ctx, code, as_of)
    used_origins, scores = bt.backtest(
        start,
        used,
        open_flags,
        {
            "nb_glm": bt.nb_model(event_windows=windows),
            "seasonal_naive": bt.seasonal_naive,
            "moving_average_28": bt.moving_average_28,
        },
        horizon=horizon,
        n_origins=origins,
    )
    return {
        "office": code,
        "as_of": as_of.isoformat(),
        "origins": [(start + timedelta(days=o)).isoformat() for o in used_origins],
        "horizon_days": horizon,
        "models": {name: sc.as_dict() for name, sc in scores.items()},
    }
