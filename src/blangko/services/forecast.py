"""Demand forecast and stock decisions for one office (see domain.forecast, domain.take_up
and domain.stock_policy for the models and the decision rules).

The blanks of the coming days are the sum of five parts, each a reason of the request:
- the registry's print-ready backlog (PRR) coming in to print, at take-up rates estimated on
  the office's own registry (domain.take_up);
- new recordings (the recordings forecast) joining that backlog and coming in the same way;
- replacements and other use: the count model fitted to the blanks used less the registry's
  first cards, so that no first card is counted twice;
- coming events, with their expected extra blanks from `event impact` (their print-ready
  residents drawn from the same backlog);
- the print queue (applications recorded or print-ready, `applications.backlog_of`):
  certain demand in the next days.

Inputs, all read from the database: blanks used per day (consumed + spoiled entries, by
effective date) from the ledger; which days printing and recording were and will be open;
the registry's recording and print dates; the backlog; the events; the cohort turning 17 in
each coming month against the months behind us.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from blangko.adapters.repos import coverage as coverage_repo
from blangko.adapters.repos import forecast as repo
from blangko.domain import backtest as bt
from blangko.domain import demand, national
from blangko.domain import forecast as fc
from blangko.domain import rationing as dr
from blangko.domain import stock_policy as sp
from blangko.domain import take_up as tu
from blangko.domain.errors import DomainError
from blangko.domain.ledger import SERVICES
from blangko.domain.limits import check_date
from blangko.domain.text import Msg
from blangko.formatting import num
from blangko.services import applications, derived, rationing
from blangko.services.calendar import events
from blangko.services.calendar.days import OfficeCalendar, holidays_between
from blangko.services.context import Context
from blangko.services.coverage.areas import month_spans
from blangko.services.forecast_memo import kept, simulated
from blangko.services.memo import read_once
from blangko.services.network import request_steps
from blangko.services.registry import registry_age
from blangko.services.stock import day_totals
from blangko.services.stock.queries import balance
from blangko.settings import ForecastSettings

HISTORY_DAYS_MAX = 730
USE_KINDS = ("consume", "spoil")
QUEUE_REASON = Msg("Antrean cetak (permohonan direkam dan siap cetak)")
PRR_REASON = Msg("Penduduk PRR datang mencetak")  # + " (dari N menunggu kartu)"
RECORDINGS_REASON = Msg("Perekaman baru yang akan dicetak")
STOCK_REASON = Msg("Stok di tangan")
SURPLUS_REASON = Msg("Stok melebihi kebutuhan periode ini (tidak perlu diminta)")
DEFAULT_HORIZON = 120  # days; every surface shows the forecast of this horizon
# What a forecast reads (services.derived): every source of the office's data.
DEPENDS = (
    derived.LEDGER,
    derived.REGISTRY,
    derived.APPLICATIONS,
    derived.CALENDAR,
    derived.EVENTS,
    derived.REQUESTS,
)
# The shape of `forecast`'s result: part of a stored forecast's key (services.figures), so
# that a forecast stored before a field was added (2: demand_paths) is computed again.
RESULT_SHAPE = 2


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


def _event_uplifts(
    ctx: Context, office: str, as_of: date, horizon_end: date
) -> list[tuple[fc.Uplift, dict[str, Any]]]:
    out = []
    for ev in events.list_events(ctx, office=office):
        when = date.fromisoformat(ev["date"])
        if when < as_of or when > horizon_end:
            continue
        # Today's impact as stored (it reads no ledger: a print does not count the event's
        # villages in the registry again); another day's is computed here.
        imp = (
            events.impact_stored(derived.synchronous(ctx), ev["id"], office=office).value
            if as_of == ctx.today()
            else events.impact(ctx, ev["id"], as_of=as_of, office=office)
        )
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


def _flags(cal: OfficeCalendar, desk: str, first: date, days: int) -> np.ndarray:
    """Whether ``desk`` is open on each of ``days`` days from ``first`` (the calendar)."""
    return np.array([cal.day(desk, first + timedelta(days=i)).open for i in range(days)], bool)


def _cohort_ratio(
    conn: Connection, office: str, as_of: date, horizon: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """Per future day, the cohort turning 17 that month against the mean month of the last
    12 (1 where unknown; bounded to 0,25-4)."""
    past = month_spans(as_of - timedelta(days=366), 12)
    future = month_spans(as_of - timedelta(days=1), horizon // 28 + 2)

    def rates(spans: list[tuple[str, date, date]]) -> dict[str, float]:
        counts: dict[str, int] = {}
        cohort = read_once(
            conn,
            office,
            (derived.REGISTRY,),
            ["cohort_counts", spans],
            lambda: tuple(
                (str(kec), str(label), int(n))
                for kec, label, n in coverage_repo.cohort_counts(conn, office=office, months=spans)
            ),
        )
        for _kec, label, n in cohort:
            counts[label] = counts.get(label, 0) + n
        return {
            label: counts.get(label, 0) / ((last - first).days + 1) for label, first, last in spans
        }

    past_rates = rates(past)
    base = sum(past_rates.values()) / len(past_rates) if past_rates else 0.0
    ratio = np.ones(horizon)
    future_rates = rates(future) if base > 0 else {}
    for i in range(horizon):
        label = (as_of + timedelta(days=i)).strftime("%Y-%m")
        if label in future_rates:
            ratio[i] = min(4.0, max(0.25, future_rates[label] / base))
    info = {
        "past_12_months_per_month": round(base * 30.4, 1),
        "next_months_per_month": {k: round(v * 30.4, 1) for k, v in list(future_rates.items())[:4]},
    }
    return ratio, info


def _cohort_multipliers(
    conn: Connection,
    office: str,
    as_of: date,
    horizon: int,
    start: date,
    registry_active: bool,
    young_share: float,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Per future day, how much the cohort turning 17 that month shifts demand from the
    history: factor = 1 + share x (cohort ratio - 1).

    With a registry, first cards come from recordings, so the factor scales the recordings
    forecast, with the share of the past year's recordings made by residents now under 19
    (``young_share``, `_registry`); the blanks used less first cards are left as they are. Without one,
    it scales the blanks used, with the pemula share of the blanks consumed in the history.
    Returns (factor for the blanks used, factor for recordings, info)."""
    ratio, info = _cohort_ratio(conn, office, as_of, horizon)
    by_service = repo.consumed_by_service(conn, office, start, as_of)
    used = sum(by_service.values())
    pemula_share = int(by_service.get("pemula") or 0) / used if used else 0.0
    ones = np.ones(horizon)
    if registry_active:
        use_factor, rec_factor = ones, 1 + young_share * (ratio - 1)
    else:
        use_factor, rec_factor = 1 + pemula_share * (ratio - 1), ones
    info = {
        "pemula_share": round(pemula_share, 3),
        "young_share": round(young_share, 3),
        "applies_to": "recordings" if registry_active else "use",
        **info,
    }
    return use_factor, rec_factor, info


def _registry(
    conn: Connection,
    cal: OfficeCalendar,
    office: str,
    as_of: date,
    start: date,
    open_flags: np.ndarray,
    fut_open: np.ndarray,
    fut_record: np.ndarray,
) -> tuple[tu.Registry, np.ndarray, float]:
    """The registry as the take-up model reads it, from a year before the ledger's history
    (the rates are estimated on the last year at most) to the end of the horizon: its print
    history, and the printing and recording calendars. Past printing days are the
    history's (calendar, or any blank used) where the ledger has them, the calendar before.
    Also the registry PRR of the print backlog (`applications.backlog_of`'s registry_prr,
    the same residents) by days waited since the recording, and the share of the last
    year's recordings made by residents now under 19."""
    base = start - timedelta(days=tu.WINDOW_DAYS)
    before = (start - base).days
    past_days = (as_of - base).days
    print_open = np.concatenate(
        [_flags(cal, "pencetakan", base, before), open_flags.astype(bool), fut_open]
    )
    born_after = date(as_of.year - 19, as_of.month, min(as_of.day, 28))
    # A print changes none of it: read once per state of the registry and applications.
    rows = read_once(
        conn,
        office,
        (derived.REGISTRY, derived.APPLICATIONS),
        ["print_history", base, as_of, born_after],
        lambda: tuple(
            tuple(r) for r in repo.registry_print_history(conn, office, base, as_of, born_after)
        ),
    )
    n = len(rows)
    recorded = np.fromiter(((r[0] - base).days for r in rows), np.int64, n)
    printed = np.fromiter(
        ((r[1] - base).days if r[1] is not None else tu.NEVER for r in rows), np.int64, n
    )
    alive = np.fromiter((r[2] == "HIDUP" for r in rows), bool, n)
    replaced = np.fromiter((bool(r[3]) for r in rows), bool, n)
    young = np.fromiter((bool(r[4]) for r in rows), bool, n)
    prr = np.fromiter((bool(r[5]) for r in rows), bool, n)
    count = np.fromiter((int(r[6]) for r in rows), np.int64, n)
    # The recording calendar only: a day with recordings counts as open where the history is
    # read (demand.recordings_forecast), never ahead of a backtest's origin.
    record_open = np.concatenate([_flags(cal, "perekaman", base, past_days), fut_record])
    last_year = recorded >= past_days - 365
    recent = int(count[last_year].sum())
    young_share = int(count[last_year & young].sum()) / recent if recent else 0.0
    registry = tu.Registry(base, recorded, printed, count, alive, print_open, record_open, replaced)
    waiting = tu.ages_to_backlog(past_days - recorded[prr], count[prr])
    return registry, waiting, young_share


def _pemula_per_day(conn: Connection, office: str, start: date, days: int) -> np.ndarray:
    """Blanks consumed as first cards (pemula) per day of the history."""
    out = np.zeros(days)
    if days:
        rows = repo.consumed_per_service_day(conn, office, start, start + timedelta(days=days - 1))
        for svc, d, qty in rows:
            if svc == "pemula":
                out[(d - start).days] += float(qty)
    return out


def _quantile_summary(sim: fc.Forecast) -> dict[str, Any]:
    return _summary(sim.paths)


def _summary(paths: np.ndarray) -> dict[str, Any]:
    totals = paths.sum(axis=1)
    return {
        "horizon_total": {
            k: int(np.quantile(totals, p)) for k, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))
        },
        "daily_p50": [int(v) for v in np.quantile(paths, 0.5, axis=0)],
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
    first_cards: np.ndarray | None = None,
) -> dict[str, Any]:
    """The same count model fitted to each service type's printed cards (spoiled blanks carry
    no service type and are left out here). With a registry, first cards (pemula) are the
    registry's parts instead (``first_cards``: the paths of the backlog and the new
    recordings coming in)."""
    end = as_of - timedelta(days=1)
    rows = repo.consumed_per_service_day(conn, office, start, end)
    n = len(open_flags)
    series = {svc: np.zeros(n) for svc in SERVICES}
    for svc, d, qty in rows:
        if svc in series:
            series[svc][(d - start).days] = float(qty)
    out = {}
    for k, svc in enumerate(SERVICES):
        if svc == "pemula" and first_cards is not None:
            out[svc] = _summary(first_cards)
            continue
        sim = simulated(
            fc.forecast_paths,
            start if n else as_of,
            series[svc],
            open_flags,
            fut_open,
            n_paths=paths,
            seed=seed + 10 + k,
        )
        out[svc] = _quantile_summary(sim)
    return out


def _recordings(
    registry: tu.Registry,
    as_of: date,
    fut: np.ndarray,
    events_found: list[tuple[fc.Uplift, dict[str, Any]]],
    paths: int,
    seed: int,
    multiplier: np.ndarray | None = None,
) -> tuple[dict[str, Any], np.ndarray]:
    """Biometric recordings per day (the registry's tanggal_rekam over the last 365 days) with
    the same model, on the recording calendar (``fut`` for the horizon), scaled by the cohort
    turning 17 (``multiplier``), plus each coming event's expected extra recordings. Returns
    the forecast and its paths without the events (an event's new recordings are in its
    extra blanks already)."""
    uplifts = []
    for up, imp in events_found:
        rec = imp["expected_extra"]["recordings"]
        uplifts.append(
            fc.Uplift(up.name, up.start, up.end, rec["low"], rec["expected"], rec["high"])
        )
    sim = simulated(
        demand.recordings_forecast,
        registry,
        as_of,
        fut,
        uplifts=uplifts,
        multiplier=multiplier,
        n_paths=paths,
        seed=seed + demand.RECORDINGS_SEED,
    )
    model = sim.model
    q = sim.quantiles()
    notes = list(model.warnings)
    if not fut.any():
        notes.append(
            Msg(
                "Perekaman tutup selama seluruh cakrawala perkiraan (penutupan tanpa tanggal akhir): perkiraan perekaman 0 sampai layanan dibuka kembali."
            )
        )
    out = {
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
    return out, sim.baseline_paths


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
    return forecast_with_paths(ctx, as_of=as_of, horizon=horizon, office=office, settings=settings)[
        0
    ]


def forecast_with_paths(
    ctx: Context,
    *,
    as_of: date | None = None,
    horizon: int = DEFAULT_HORIZON,
    office: str | None = None,
    settings: ForecastSettings | None = None,
) -> tuple[dict[str, Any], np.ndarray]:
    """The forecast and its simulated blanks-used paths (n_paths x horizon): what stops
    printing first (services/supply_limits.py) runs on these very paths. Computed once per
    state of what it reads in this process (`forecast_memo.kept`)."""
    s = (settings or ctx.settings.forecast).check()
    as_of = check_date(as_of or ctx.today(), "as_of")
    if not 7 <= horizon <= 730:
        raise DomainError(
            "horizon_range", "horizon", Msg("Cakrawala perkiraan harus 7 sampai 730 hari.")
        )
    code = day_totals.keep_up(ctx, office)
    what = [
        ctx.engine.url.render_as_string(hide_password=True),
        code,
        as_of.isoformat(),
        horizon,
        RESULT_SHAPE,
        s.model_dump_json(),
        ctx.settings.event.model_dump_json(),
        ctx.timezone,
    ]
    key = derived.current_key(ctx, code, DEPENDS, what)
    return kept(key, lambda: _forecast_with_paths(ctx, as_of, horizon, code, s))


def _forecast_with_paths(
    ctx: Context, as_of: date, horizon: int, code: str, s: ForecastSettings
) -> tuple[dict[str, Any], np.ndarray]:
    started = time.perf_counter()
    with ctx.read() as conn:
        start, used, open_flags = _history(conn, code, as_of)
        cal = OfficeCalendar(conn, code)
        fut_open = _flags(cal, "pencetakan", as_of, horizon)
        fut_record = _flags(cal, "perekaman", as_of, horizon)
        backlog = applications.backlog_of(conn, code, as_of)
        amc = _amc(conn, code, start, used, open_flags, as_of)
        registry, waiting, young_share = _registry(
            conn, cal, code, as_of, start, open_flags, fut_open, fut_record
        )
        ledger_first = _pemula_per_day(conn, code, start, len(used))
        use_factor, rec_factor, cohort_info = _cohort_multipliers(
            conn, code, as_of, horizon, start, registry.active, young_share
        )
        # Lead time and fill rate from the request history (else the fixed assumption).
        supply = request_steps.supply_history(conn, code, s)
    on_hand = balance(ctx, as_of=as_of, office=code)["on_hand"]
    horizon_end = as_of + timedelta(days=horizon - 1)
    events_found = _event_uplifts(ctx, code, as_of, horizon_end)
    uplifts = [u for u, _ in events_found]
    queue = backlog["recorded"] + backlog["to_print"]
    if queue:
        first_open = [as_of + timedelta(days=i) for i in range(horizon) if fut_open[i]][:5]
        if first_open:
            uplifts.append(
                fc.Uplift(QUEUE_REASON, first_open[0], first_open[-1], queue, queue, queue)
            )
    recordings, new_recordings = _recordings(
        registry, as_of, fut_record, events_found, s.paths, s.seed, rec_factor
    )
    # Applications waiting to be recorded are recordings of the first open recording day.
    first_record = np.flatnonzero(fut_record)
    if backlog["to_record"] and len(first_record):
        new_recordings[:, first_record[0]] += backlog["to_record"]
    # An event's print-ready residents come from the same backlog: drawn from it, not again.
    prr_shares = {}
    for u, imp in events_found:
        pool = imp["expected_extra"]["pools"]["blanks"]
        prr_shares[u.name] = imp["recorded_not_printed"] / pool if pool else 0.0
    # The model its backtest scores (domain.demand), with the events, the queue, the cohort
    # turning 17 and the registry PRR of the print backlog.
    # Not changed by a print today (the model is fitted on the days before as_of): computed
    # once per distinct input (services/forecast_memo.py).
    d = simulated(
        demand.forecast,
        start,
        used,
        open_flags,
        fut_open,
        registry,
        ledger_first,
        n_paths=s.paths,
        seed=s.seed,
        event_windows=_past_event_windows(ctx, code, as_of),
        uplifts=uplifts,
        multiplier=use_factor,
        recordings=new_recordings if registry.active or backlog["to_record"] else None,
        backlog=waiting,
        event_prr_share=prr_shares,
    )
    sim, parts, take_up, model = d.other, d.parts, d.take_up, d.other.model
    if registry.active:
        model.name = "nb_glm_prr"
    registry_first = registry.first_prints(start, len(used))
    first_cards = d.first_in_history
    other = used - first_cards
    paths = d.paths
    with ctx.read() as conn:
        by_service = _by_service(
            conn,
            code,
            start,
            as_of,
            open_flags,
            fut_open,
            min(s.paths, 500),
            s.seed,
            parts.total if registry.active else None,
        )
    q = np.quantile(paths, fc.QUANTILES, axis=0)
    base_p50 = np.quantile(sim.baseline_paths + parts.total, 0.5, axis=0)
    days = [as_of + timedelta(days=i) for i in range(horizon)]
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
        for i, d in enumerate(days)
    ]
    cover50, cover90, censored = sp.days_of_cover(paths, on_hand)
    lead = sp.lead_time_samples(
        supply["lead_time_days"], supply["lead_time_spread_days"], s.paths, seed=s.seed + 1
    )
    p_stockout = sp.stockout_probability(paths, on_hand, lead)
    rec = sp.recommend(paths, on_hand, lead, s.review_days, s.service_level)
    labels = _labels(rec.window_days_p50, s.review_days, registry.active, backlog)
    reasons = _reasons(sim, parts, rec, s.review_days, on_hand, uplifts, labels)
    in_request = {r["reason"]: r["quantity"] for r in reasons}
    covers_until = None
    if rec.quantity > 0 or on_hand > 0:
        c50, _, cens = sp.days_of_cover(paths, on_hand + rec.quantity)
        covers_until = {"date": (as_of + timedelta(days=c50)).isoformat(), "beyond_horizon": cens}
    months = sp.months_of_stock(on_hand, amc["amc"])
    with ctx.read() as conn:
        ration = _rationing(
            conn, code, as_of, paths, on_hand, fut_open, lead, p_stockout, (cover50, cover90), s
        )
    warnings = list(model.warnings) + _registry_warnings(
        start, ledger_first, registry_first, registry.active
    )
    if registry.active:
        # The registry drives the PRR and first-card parts: say so when it is old (the one
        # age of the registry; no warning for a registry loaded without a recorded import).
        age = registry_age(ctx, office=code, on=as_of)
        if age["stale"] and age["last_import"] is not None:
            warnings.append(age["message"])
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
            "lead_time_source": supply["lead_time_source"],
        },
        "stockout_probability_before_next_delivery": round(p_stockout, 4),
        "rationing": ration,
        "recommended_request": {
            "quantity": rec.quantity,
            "service_level": s.service_level,
            "covers_until": covers_until["date"] if covers_until else None,
            "window_days": rec.window_days_p50,
            "demand_at_service_level": rec.demand_at_service_level,
            "reasons": reasons,
            # What the directorate usually gives of what is asked, and where the lead time
            # and the fill rate come from (the request history, else the assumption).
            "fill_rate": round(supply["fill_rate"], 4),
            "expected_given": int(round(rec.quantity * supply["fill_rate"])),
            "basis": request_steps.basis(supply),
        },
        "supply": supply,
        "demand_parts": _demand_parts(
            sim,
            parts,
            paths,
            events_found,
            uplifts,
            labels,
            in_request,
            take_up,
            waiting,
            backlog,
            prr_shares,
            rec.window_days_p50,
            {
                "from": start.isoformat() if len(used) else None,
                "days": len(used),
                "used": int(used.sum()),
                "first_cards_ledger": int(ledger_first.sum()),
                "first_cards_registry": int(registry_first.sum()),
                "first_cards_taken_out": round(float(first_cards.sum()), 1),
                "other_use": round(float(other.sum()), 1),
            },
        ),
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
        "warnings": warnings,
        # The simulated demand in compact form (per week, sample paths and quantiles): what an
        # office's snapshot stores for an allocation optimiser (domain.national.demand_paths).
        "demand_paths": national.demand_paths(paths, as_of),
        "seconds": round(time.perf_counter() - started, 3),
    }, paths


RATIONING_WAIT_PATHS = 500  # the paths the waits per class are measured on


def _rationing(
    conn: Connection,
    office: str,
    as_of: date,
    paths: np.ndarray,
    on_hand: int,
    fut_open: np.ndarray,
    lead: np.ndarray,
    p_stockout: float,
    cover: tuple[int, int],
    s: ForecastSettings,
) -> dict[str, Any]:
    """What rationing does, on the forecast's own demand paths: the policy in force or next
    (else, when the forecast suggests one, the suggested policy: the field's classes, a cap
    that makes the stock last to the next delivery, from today to the delivery's 90 % day),
    days of cover with and without it (demand beyond the cap waits, it is not lost:
    `domain.rationing.served_paths`), and the mean wait per class (`class_waits`, the
    classes' shares of today's print queue)."""
    horizon = paths.shape[1]
    found = rationing.policy_for_forecast(conn, office, as_of)
    in_force = found is not None and found[1].covers(as_of)
    suggest = dr.should_suggest(p_stockout, s.rationing_suggest_above, in_force)
    delivery = int(np.median(lead))
    open_to_delivery = int(fut_open[: max(1, delivery)].sum())
    out: dict[str, Any] = {
        "suggest": suggest,
        "threshold": s.rationing_suggest_above,
        "stockout_probability": round(p_stockout, 4),
        "policy": None,
    }
    if found is not None:
        number, policy = found
        source = "berlaku" if in_force else "akan_datang"
    elif suggest:
        number, source = None, "saran"
        policy = dr.Policy(
            as_of,
            as_of + timedelta(days=int(np.quantile(lead, 0.9))),
            dr.suggested_cap(on_hand, open_to_delivery),
            dr.DEFAULT_CLASSES,
            "suket",
        )
    else:
        return out
    days = [as_of + timedelta(days=i) for i in range(horizon)]
    active = np.array([policy.covers(d) for d in days])
    served, _ = dr.served_paths(paths, policy.daily_cap, active)
    with50, with90, censored = sp.days_of_cover(served, on_hand)
    shares = rationing.class_shares(conn, office, policy.classes)
    waits = dr.class_waits(paths[:RATIONING_WAIT_PATHS], shares, policy.daily_cap, active)
    keys = [*policy.classes, dr.OTHERS_CLASS]
    out["policy"] = {
        "source": source,
        "number": number,
        "start": policy.start.isoformat(),
        "end": policy.end.isoformat(),
        "daily_cap": policy.daily_cap,
        "classes": list(policy.classes),
        "others_get": policy.others_get,
        "days_of_cover": {
            "without": {"p50": cover[0], "p90": cover[1], "beyond_horizon": cover[0] >= horizon},
            "with": {"p50": with50, "p90": with90, "beyond_horizon": censored},
            "saved_p50": with50 - cover[0],
        },
        "waits": [
            {
                "class": k,
                "label": dr.class_label(k),
                "share": round(sh / sum(shares), 3),
                "mean_wait_days": w,
            }
            for k, sh, w in zip(keys, shares, waits, strict=True)
        ],  # fmt: skip
    }
    return out


def _registry_warnings(
    start: date, ledger_first: np.ndarray, registry_first: np.ndarray, active: bool
) -> list[str]:
    """Say so when the ledger's first cards (blanks consumed as pemula) and the registry's
    (first tanggal_cetak) of the same days disagree by half or more: the forecast's first
    cards follow the registry, and what the registry does not explain stays with the other
    use (`take_up.first_cards_in_use`)."""
    if not active or not len(ledger_first):
        return []
    f, led = int(registry_first.sum()), int(ledger_first.sum())
    since = f"{start:%d-%m-%Y}"
    if f > 1.5 * led + 20:
        return [
            Msg(
                "Registri mencatat {f} kartu pertama dicetak sejak {since}, buku stok hanya {led} blangko pemula: sebagian kartu tidak dicetak dari (atau tidak dibukukan di) buku stok ini. Perkiraan kartu pertama mengikuti registri.",
                f=num(f),
                since=since,
                led=num(led),
            )
        ]
    if led > 1.5 * f + 20:
        return [
            Msg(
                "Buku stok mencatat {led} blangko pemula sejak {since}, registri hanya {f} kartu pertama: registri mungkin belum diperbarui. Selisihnya dihitung sebagai pemakaian lain.",
                led=num(led),
                since=since,
                f=num(f),
            )
        ]
    return []


def _labels(
    window: int, review: int, registry_active: bool, backlog: dict[str, int]
) -> dict[str, str]:
    """The reasons' labels: the ordinary use is replacements and other use when the registry
    gives the first cards, all use otherwise; the PRR reason names the backlog it comes
    from (`applications.backlog_of`'s registry_prr)."""
    span = Msg(
        "{window} hari (tinjau {review} + tunggu {wait} hari)",
        window=window,
        review=review,
        wait=window - review,
    )
    base = (
        Msg("Penggantian dan pemakaian lain {span}", span=span)
        if registry_active
        else Msg("Pemakaian biasa {span}", span=span)
    )
    prr = backlog["registry_prr"]
    return {
        "base": base,
        "backlog": Msg(
            "{prr_reason} (dari {prr} menunggu kartu)", prr_reason=PRR_REASON, prr=num(prr)
        )
        if prr
        else "",
        "recordings": RECORDINGS_REASON,
    }


def _expected_in(paths: np.ndarray, window: int) -> int:
    """A part's expected blanks over the first ``window`` days, in whole blanks."""
    return int(round(float(paths[:, :window].sum(axis=1).mean())))


def _reasons(
    sim: fc.Forecast,
    parts: tu.Parts,
    rec: sp.Recommendation,
    review: int,
    on_hand: int,
    uplifts: list[fc.Uplift] | None = None,
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Each part of the demand in the decision window, quantified at its expectation: the
    replacements and other use, the PRR backlog coming in, the new recordings, each event,
    the print queue; then the stock on hand, the reserve for the service level and, when the
    stock exceeds the need, the surplus."""
    window = rec.window_days_p50
    labels = labels or _labels(window, review, False, {"registry_prr": 0})
    base = _expected_in(sim.baseline_paths, window)
    reasons: list[dict[str, Any]] = [{"reason": labels["base"], "quantity": base}]
    extra = 0
    backlog_q = _expected_in(parts.backlog, window)
    if labels["backlog"]:  # whenever the registry holds PRR: the reason says how many
        reasons.append({"reason": labels["backlog"], "quantity": backlog_q})
        extra += backlog_q
    recordings_q = _expected_in(parts.recordings, window)
    if recordings_q:
        reasons.append({"reason": labels["recordings"], "quantity": recordings_q})
        extra += recordings_q
    # An uplift is spread evenly over its open days: only the share of those days inside the
    # decision window belongs to this request (an event after it is not a reason for it). The
    # quantity is the uplift's own expected figure (an event's from `events.impact`, the
    # queue's from `applications.backlog_of`), never a simulated figure of it, so that the
    # reason shows the same number as every other surface; the simulation's spread around
    # it ends up in the reserve.
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
            "reason": Msg(
                "Cadangan untuk tingkat layanan {level} %", level=round(rec.service_level * 100)
            ),
            "quantity": rec.demand_at_service_level - base - extra,
        }
    )
    # The reasons add up to the recommendation on every surface: when the stock exceeds the
    # need, the surplus is a reason of its own and the recommendation is 0.
    surplus = rec.quantity - sum(int(r["quantity"]) for r in reasons)
    if surplus:
        reasons.append({"reason": SURPLUS_REASON, "quantity": surplus})
    return reasons


def _part(part: str, label: str, paths: np.ndarray, in_request: int | None) -> dict[str, Any]:
    totals = paths.sum(axis=1)
    return {
        "part": part,
        "label": label,
        "expected": round(float(totals.mean()), 1),
        "p05": int(np.quantile(totals, 0.05)),
        "p95": int(np.quantile(totals, 0.95)),
        "in_request": in_request,
    }


def _demand_parts(
    sim: fc.Forecast,
    parts: tu.Parts,
    paths: np.ndarray,
    events_found: list[tuple[fc.Uplift, dict[str, Any]]],
    uplifts: list[fc.Uplift],
    labels: dict[str, str],
    in_request: dict[str, int],
    take_up: tu.TakeUp,
    waiting: np.ndarray,
    backlog: dict[str, int],
    prr_shares: dict[str, float],
    window: int,
    history: dict[str, Any],
) -> dict[str, Any]:
    """The horizon's demand by part (expected blanks and the 90 % range of each, and the
    part's reason in the request), the take-up rates with their 90 % intervals, and what
    the backlog part started from. The parts' expectations add up to the forecast's."""
    event_names = [u.name for u, _ in events_found]
    zeros = np.zeros_like(paths)
    events_paths = sum((sim.uplift_daily.get(n, zeros) for n in event_names), zeros)
    queue_paths = sum(
        (sim.uplift_daily.get(u.name, zeros) for u in uplifts if u.name == QUEUE_REASON), zeros
    )
    rates = tu.backlog_rate(parts.rates, waiting)
    intervals = take_up.interval(0.9)
    by_band = {label: 0 for label in tu.BAND_LABELS}
    for age, k in enumerate(waiting):
        by_band[tu.BAND_LABELS[int(tu.band_of(np.array([age]))[0])]] += int(k)
    first_cards = parts.total.sum(axis=1)
    return {
        "horizon_days": paths.shape[1],
        "window_days": window,
        "parts": [
            _part(
                "replacements_other",
                labels["base"],
                sim.baseline_paths,
                in_request.get(labels["base"]),
            ),
            _part("backlog", labels["backlog"], parts.backlog, in_request.get(labels["backlog"])),
            _part(
                "new_recordings",
                labels["recordings"],
                parts.recordings,
                in_request.get(labels["recordings"]),
            ),
            _part("events", "Acara", events_paths, sum(in_request.get(n, 0) for n in event_names)),
            _part("queue", QUEUE_REASON, queue_paths, in_request.get(QUEUE_REASON)),
        ],
        "expected_total": round(float(paths.sum(axis=1).mean()), 1),
        "first_cards": {
            "expected": round(float(first_cards.mean()), 1),
            "p05": int(np.quantile(first_cards, 0.05)),
            "p95": int(np.quantile(first_cards, 0.95)),
        },
        "backlog": {
            "registry_prr": backlog["registry_prr"],
            "queue": backlog["recorded"] + backlog["to_print"],
            "to_record": backlog["to_record"],
            "registry_prr_by_days_waited": by_band,
            "drawn_by_events": round(float(parts.drawn_by_events.mean()), 1),
            "event_prr_share": {k: round(v, 3) for k, v in prr_shares.items()},
        },
        "take_up": {
            "per": "hari buka pencetakan",
            "window": (
                {"from": take_up.window[0].isoformat(), "to": take_up.window[1].isoformat()}
                if take_up.window
                else None
            ),
            "open_days": take_up.open_days,
            "pooled_rate": round(take_up.pooled, 6),
            "bands": [
                {
                    "days_since_recording": label,
                    "from_days": b.from_days,
                    "to_days": b.to_days,
                    "rate": round(b.rate, 6),
                    "p05": round(lo, 6),
                    "p95": round(hi, 6),
                    "prints": int(b.prints),
                    "exposure": int(b.exposure),
                }
                for label, b, (lo, hi) in zip(tu.BAND_LABELS, take_up.bands, intervals, strict=True)
            ],
            "backlog_rate": {
                "rate": round(float(rates.mean()), 6),
                "p05": round(float(np.quantile(rates, 0.05)), 6),
                "p95": round(float(np.quantile(rates, 0.95)), 6),
            },
        },
        "history": history,
    }


def backtest(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    horizon: int = 28,
    origins: int = 6,
) -> dict[str, Any]:
    """Rolling-origin backtest of the forecast on the office's own history: the count model
    of the blanks used alone (``nb_glm``), the forecast's model with the registry's parts
    (``nb_glm_prr``, when the registry holds recorded residents) and the two baselines."""
    as_of = check_date(as_of or ctx.today(), "as_of")
    code = day_totals.keep_up(ctx, office)
    with ctx.read() as conn:
        start, used, open_flags = _history(conn, code, as_of)
        cal = OfficeCalendar(conn, code)
        none = np.zeros(0, dtype=bool)
        registry, _, _ = _registry(conn, cal, code, as_of, start, open_flags, none, none)
        ledger_first = _pemula_per_day(conn, code, start, len(used))
    need = 56 + horizon + 7 * (origins - 1)
    if len(used) < need:
        raise DomainError(
            "history_too_short",
            "as_of",
            Msg(
                "Riwayat {used} hari; uji mundur {origins} titik x {horizon} hari butuh sedikitnya {need} hari.",
                used=len(used),
                origins=origins,
                horizon=horizon,
                need=need,
            ),
        )
    windows = _past_event_windows(ctx, code, as_of)
    models = bt.forecasters(
        registry if registry.active else None, ledger_first, event_windows=windows
    )
    used_origins, scores = bt.backtest(
        start, used, open_flags, models, horizon=horizon, n_origins=origins
    )
    parts = (
        bt.part_checks(
            start,
            used,
            open_flags,
            registry,
            ledger_first,
            horizon=horizon,
            n_origins=origins,
            event_windows=windows,
        )
        if registry.active
        else []
    )
    return {
        "office": code,
        "as_of": as_of.isoformat(),
        "origins": [(start + timedelta(days=o)).isoformat() for o in used_origins],
        "horizon_days": horizon,
        "models": {name: sc.as_dict() for name, sc in scores.items()},
        "parts": [p.as_dict() for p in parts],
    }
