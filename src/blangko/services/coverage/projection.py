"""When will recorded coverage reach the target? A simulation, day by day, of recordings.

What drives it:
- the unrecorded wajib-KTP backlog, and the cohort turning 17 each month, who join it;
- the pace at which unrecorded residents come to be recorded: the office's own recent history
  (recordings per open day over the last 90 days, from the registry's tanggal_rekam), falling
  as the backlog shrinks (the people left are the ones least likely to come by themselves);
- recording capacity per day (`capacity set --service perekaman`), when set;
- which days recording is open: weekends, national holidays and closures. An open-ended
  closure (PPKM) is assumed to end after `assumed_closure_days`, and the answer says so.

When the target is out of reach within two years, the answer says what extra effort would
reach it by a chosen date: recordings per open day on top of the current pace, or door-to-door
(jemput bola) team-days at `door_to_door_per_day` recordings each.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from blangko.adapters.repos import registry as registry_repo
from blangko.domain.errors import DomainError
from blangko.domain.limits import check_date
from blangko.domain.text import Msg
from blangko.services import derived
from blangko.services.calendar import days as calendar_days
from blangko.services.context import Context, resolve_office
from blangko.services.coverage import areas
from blangko.services.coverage.results import ExtraNeeded, Projection
from blangko.settings import ProjectionSettings

HORIZON_DAYS = 730


def projection(
    ctx: Context,
    *,
    target: str | Decimal | None = None,
    as_of: date | None = None,
    by_date: date | None = None,
    office: str | None = None,
    settings: ProjectionSettings | None = None,
) -> Projection:
    """When recorded coverage reaches the target (see the module docstring); the assumptions
    are the settings' (ctx.settings.projection) unless others are given."""
    return projection_stored(
        ctx, target=target, as_of=as_of, by_date=by_date, office=office, settings=settings
    ).value


def projection_stored(
    ctx: Context,
    *,
    target: str | Decimal | None = None,
    as_of: date | None = None,
    by_date: date | None = None,
    office: str | None = None,
    settings: ProjectionSettings | None = None,
) -> derived.Stored[Projection]:
    """`compute_projection`'s figure as stored (services.derived): computed again only after
    a change of the office's registry or calendar, or of the settings."""
    s = settings or ctx.settings.projection
    day = check_date(as_of or ctx.today(), "as_of")
    if by_date is not None:
        check_date(by_date, "by_date")
    target_pct = areas.parse_target(target)
    code = derived.office_of(ctx, office)
    return derived.stored(
        ctx,
        office=code,
        kind="projection",
        params=f"{day.isoformat()}|{target_pct}|{by_date.isoformat() if by_date else ''}",
        depends=(derived.REGISTRY, derived.CALENDAR),
        extra=s.model_dump_json(),
        compute=lambda: compute_projection(
            ctx, target_pct=target_pct, day=day, by_date=by_date, office=code, s=s
        ),
    )


def compute_projection(
    ctx: Context,
    *,
    target_pct: Decimal,
    day: date,
    by_date: date | None,
    office: str,
    s: ProjectionSettings,
) -> Projection:
    """`projection`'s figure, from the registry and the calendar."""
    now = areas.coverage(ctx, as_of=day, by="kabupaten", target=target_pct, office=office)
    code = now["office"]
    wajib, recorded = now["wajib_ktp"], now["recorded"]
    months = areas.cohort(ctx, months=25, as_of=day, office=code)["months"]
    inflow = np.zeros(HORIZON_DAYS)
    for m in months:
        first, last = date.fromisoformat(m["from"]), date.fromisoformat(m["to"])
        n_days = (last - first).days + 1
        for k in range(n_days):
            i = (first - day).days - 1 + k + 1
            if 0 <= i < HORIZON_DAYS:
                inflow[i] += m["total"] / n_days

    with ctx.read() as conn:
        resolve_office(conn, code)
        calendar = calendar_days.OfficeCalendar(conn, code)
        capacity = calendar_days.capacities(conn, code).get("perekaman")
    # An open-ended closure, running or announced, is assumed to last assumed_closure_days
    # from today or from its start if later; otherwise it would close recording for good.
    open_ended = [
        c for c in calendar.closures if c.end is None and c.service in ("perekaman", "semua")
    ]
    ends = {id(c): max(c.start, day) + timedelta(days=s.assumed_closure_days) for c in open_ended}
    assumed_end = max(ends.values(), default=day + timedelta(days=s.assumed_closure_days))
    kept = [c for c in calendar.closures if id(c) not in ends]
    calendar.closures = kept + [dataclasses.replace(c, end=ends[id(c)]) for c in open_ended]
    days = [day + timedelta(days=i) for i in range(HORIZON_DAYS)]
    open_flags = np.array([calendar.day("perekaman", d).open for d in days])
    hist_start = day - timedelta(days=s.history_days)
    past_open = sum(
        calendar.day("perekaman", hist_start + timedelta(days=i)).open
        for i in range(s.history_days)
    )
    with ctx.read() as conn:
        done = registry_repo.count_recorded(conn, code, hist_start, day - timedelta(days=1))
    pace = done / past_open if past_open else 0.0
    backlog0 = max(1, wajib - recorded)

    target_frac = float(target_pct) / 100.0
    cap = float(capacity) if capacity else math.inf

    def simulate(flags: np.ndarray) -> np.ndarray:
        return _days_to_target(
            flags,
            inflow,
            recorded,
            wajib,
            done,
            past_open,
            backlog0,
            cap,
            target_frac,
            s.paths,
            s.seed,
        )

    reached_days = simulate(open_flags)
    p50 = int(np.quantile(reached_days, 0.5, method="higher"))
    p85 = int(np.quantile(reached_days, 0.85, method="higher"))
    reachable = p50 <= HORIZON_DAYS

    # What holds the target back: the closure when lifting it today would reach the target
    # in time; else capacity when the office already records as fast as it can; else demand
    # (the people left do not come by themselves: door-to-door is the lever).
    limiting = "capacity" if capacity and pace >= capacity else "demand"
    if open_ended and not reachable:
        calendar.closures = kept
        without = np.array([calendar.day("perekaman", d).open for d in days])
        if np.quantile(simulate(without), 0.5, method="higher") <= HORIZON_DAYS:
            limiting = "closure"
    result: Projection = {
        "office": code,
        "as_of": day.isoformat(),
        "target_pct": float(target_pct),
        "wajib_ktp": wajib,
        "recorded": recorded,
        "coverage_pct": now["coverage_pct"],
        "gap_to_target": now["gap_to_target"],
        "p50_date": (day + timedelta(days=p50)).isoformat() if p50 <= HORIZON_DAYS else None,
        "p85_date": (day + timedelta(days=p85)).isoformat() if p85 <= HORIZON_DAYS else None,
        "reachable": reachable,
        "limiting_factor": limiting,
        "assumptions": {
            "recent_pace_per_open_day": round(pace, 2),
            "history_days": s.history_days,
            "capacity_per_day": capacity,
            "open_ended_closures_assumed_to_end": assumed_end.isoformat() if open_ended else None,
            "cohort_turning_17_next_24_months": int(round(inflow.sum())),
            "horizon_days": HORIZON_DAYS,
        },
    }
    if not reachable or by_date is not None:
        result["extra_needed"] = _extra_needed(
            day,
            by_date or day + timedelta(days=365),
            wajib,
            recorded,
            inflow,
            open_flags,
            pace,
            backlog0,
            target_frac,
            s.door_to_door_per_day,
        )
    return result


def _days_to_target(
    open_flags: np.ndarray,
    inflow: np.ndarray,
    recorded: int,
    wajib: int,
    done: int,
    past_open: int,
    backlog0: int,
    cap: float,
    target: float,
    paths: int,
    seed: int,
) -> np.ndarray:
    """Per path, the day index on which recorded / wajib first reaches the target
    (HORIZON_DAYS + 1 when it does not within the horizon)."""
    rng = np.random.default_rng(seed)
    rec = np.full(paths, float(recorded))
    waj = np.full(paths, float(wajib))
    reached = np.full(paths, -1)
    # The pace each path follows: the recent pace give or take its sampling error.
    pace = rng.gamma(max(done, 1), 1.0 / max(past_open, 1), size=paths) if done else np.zeros(paths)
    for i in range(len(open_flags)):
        waj += inflow[i]
        if open_flags[i]:
            backlog = np.maximum(0.0, waj - rec)
            rec += np.minimum(rng.poisson(pace * backlog / backlog0), np.minimum(cap, backlog))
        hit = (reached < 0) & (rec >= target * waj)
        reached[hit] = i
    return np.where(reached >= 0, reached, HORIZON_DAYS + 1)


def _extra_needed(
    day: date,
    by: date,
    wajib: int,
    recorded: int,
    inflow: np.ndarray,
    open_flags: np.ndarray,
    pace: float,
    backlog0: int,
    target: float,
    per_team_day: int,
) -> ExtraNeeded:
    """Extra recordings, on top of the expected pace, that reach the target by `by`."""
    if by <= day:
        raise DomainError("by_date_past", "by_date", Msg("Tanggal sasaran harus setelah hari ini."))
    n = min(HORIZON_DAYS, (by - day).days)
    waj, rec = float(wajib), float(recorded)
    for i in range(n):
        waj += inflow[i]
        if open_flags[i]:
            rec += pace * max(0.0, waj - rec) / backlog0
    short = max(0, math.ceil(target * waj - rec))
    open_days = int(open_flags[:n].sum())
    return {
        "by_date": by.isoformat(),
        "expected_recorded_at_current_pace": int(rec),
        "wajib_ktp_then": int(round(waj)),
        "extra_recordings": short,
        "open_days": open_days,
        "extra_recordings_per_open_day": round(short / open_days, 1) if open_days else None,
        "door_to_door_team_days": math.ceil(short / per_team_day) if short else 0,
        "door_to_door_per_team_day": per_team_day,
    }
