"""IKD (Identitas Kependudukan Digital): activations per day, coverage against the year's
target by kecamatan and desa, and activations against the blanks received (the 2023 rule of
at least 50 %). One function per figure; the dashboard, the coverage page, the coverage
report, the API and the CLI all read these.

A resident counts as activated once: on the first IKD mark of an application of the office
(its moment, on the office's calendar), else on the registry's tanggal_ikd (the optional
column of the registry export). The target is the settings' `ikd_target_pct` (default 30 %
of wajib KTP, the directorate's 2024 and 2025 figure) unless one is asked for.

The three figures are stored figures (services.derived, docs/forecast.md "Stored figures"):
computed once per change of what they depend on, read by every surface and process. IKD
coverage depends on the registry (who is wajib KTP, its tanggal_ikd) and the applications
(their IKD marks), and is keyed by the day, the level and the target; activations per day
on the registry and the applications, keyed by the period; the ratio to the blanks received
on those and the ledger (its receipts), keyed by the period. Each is also keyed by the
office's time zone (an application's mark counts on its local day). The coverage report
computes them in its own transaction with the same functions (`read_coverage_levels`, both
levels from one read by desa, and `read_ratio`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection
from typing_extensions import TypedDict

from blangko.adapters.repos import coverage as cq
from blangko.adapters.repos import handed_in as repo
from blangko.domain import handed_in as rules
from blangko.domain.errors import DomainError
from blangko.domain.limits import check_date
from blangko.domain.text import N_, Msg
from blangko.services import derived
from blangko.services.context import Context

MAX_DAYS = 366
KECAMATAN_CODE_LENGTH = len("17.04.01")  # a village 17.04.01.2001 lies in kecamatan 17.04.01
LEVELS = ("kecamatan", "desa")
# What each figure depends on (services.derived): the registry's tanggal_ikd and wajib KTP,
# the applications' IKD marks; for the ratio also the ledger's receipts.
ACTIVATION_DEPENDS = (derived.REGISTRY, derived.APPLICATIONS)
RATIO_DEPENDS = (derived.LEDGER, derived.REGISTRY, derived.APPLICATIONS)


class IkdDay(TypedDict):
    date: str
    activations: int


class IkdDaily(TypedDict):
    office: str
    first: str
    last: str
    total: int
    days: list[IkdDay]


class IkdArea(TypedDict):
    code: str
    name: str | None
    wajib_ktp: int
    ikd: int
    coverage_pct: float | None
    to_target: int


class IkdCoverage(TypedDict):
    office: str
    as_of: str
    by: str
    target_pct: float
    target_source: str
    wajib_ktp: int
    ikd: int
    coverage_pct: float | None
    to_target: int
    areas: list[IkdArea]


class IkdRatio(TypedDict):
    office: str
    first: str
    last: str
    activations: int
    blanks_received: int
    ratio_pct: float | None
    rule_pct: float
    rule_source: str
    met: bool | None


def _period(ctx: Context, first: date | None, last: date | None) -> tuple[date, date]:
    """[first, last], by default the year to date; at most MAX_DAYS days."""
    end = check_date(last or ctx.today(), "date_to")
    start = check_date(first or date(end.year, 1, 1), "date_from")
    if start > end:
        raise DomainError(
            "period_order",
            "date_from",
            Msg(
                "Tanggal awal {start:%d-%m-%Y} sesudah tanggal akhir {end:%d-%m-%Y}.",
                start=start,
                end=end,
            ),
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(
            "period_too_long",
            "date_from",
            Msg("Periode paling panjang {MAX_DAYS} hari.", MAX_DAYS=MAX_DAYS),
        )
    return start, end


def target_pct(ctx: Context, target: str | Decimal | None = None) -> Decimal:
    """The IKD target asked for, else the settings' (default 30 % of wajib KTP)."""
    if target is None or str(target).strip() == "":
        return rules.check_target(str(ctx.settings.ikd_target_pct))
    return rules.check_target(target)


def _activations(
    ctx: Context, conn: Connection, office: str, first: date, last: date
) -> dict[date, int]:
    since = ctx.day_start(first)
    before = ctx.day_start(last + timedelta(days=1))
    days = dict(repo.registry_ikd_days(conn, office, first, last))
    for moment in repo.app_ikd_moments(conn, office, since, before):
        day = ctx.local_date(moment)
        days[day] = days.get(day, 0) + 1
    return days


def ikd_daily(
    ctx: Context,
    *,
    first: date | None = None,
    last: date | None = None,
    office: str | None = None,
) -> IkdDaily:
    """IKD activations per day in [first, last] (default: the year to date), as stored
    (`compute_daily`'s figure, module docstring)."""
    start, end = _period(ctx, first, last)
    code = derived.office_of(ctx, office)
    return derived.stored(
        ctx,
        office=code,
        kind="ikd_daily",
        params=f"{start.isoformat()}|{end.isoformat()}",
        depends=ACTIVATION_DEPENDS,
        extra=ctx.timezone,
        compute=lambda: compute_daily(ctx, code, start, end),
    ).value


def compute_daily(ctx: Context, code: str, start: date, end: date) -> IkdDaily:
    """`ikd_daily`'s figure, from the registry and the applications."""
    with ctx.read() as conn:
        days = _activations(ctx, conn, code, start, end)
    series: list[IkdDay] = []
    day = start
    while day <= end:
        series.append({"date": day.isoformat(), "activations": days.get(day, 0)})
        day += timedelta(days=1)
    return {
        "office": code,
        "first": start.isoformat(),
        "last": end.isoformat(),
        "total": sum(days.values()),
        "days": series,
    }


def _pct(part: int, whole: int) -> float | None:
    value = rules.pct_of(part, whole)
    return None if value is None else float(value)


def ikd_coverage(
    ctx: Context,
    *,
    as_of: date | None = None,
    by: str = "kecamatan",
    target: str | Decimal | None = None,
    office: str | None = None,
) -> IkdCoverage:
    """Wajib KTP with IKD on a date against the target: the regency and each kecamatan or
    desa (`ikd_coverage_stored`'s figure)."""
    return ikd_coverage_stored(ctx, as_of=as_of, by=by, target=target, office=office).value


def ikd_coverage_stored(
    ctx: Context,
    *,
    as_of: date | None = None,
    by: str = "kecamatan",
    target: str | Decimal | None = None,
    office: str | None = None,
) -> derived.Stored[IkdCoverage]:
    """`read_coverage`'s figure as stored (services.derived): computed again only after a
    change of the office's registry or applications, with when it was computed. The target
    (asked, else the settings') is part of the key."""
    if by not in LEVELS:
        raise DomainError("coverage_level", "by", N_("Tingkat wilayah harus kecamatan atau desa."))
    goal = target_pct(ctx, target)
    day = check_date(as_of or ctx.today(), "as_of")
    code = derived.office_of(ctx, office)

    def compute() -> IkdCoverage:
        with ctx.read() as conn:
            return read_coverage(ctx, conn, code, day, by, goal)

    return derived.stored(
        ctx,
        office=code,
        kind="ikd_coverage",
        params=f"{day.isoformat()}|{by}|{goal}",
        depends=ACTIVATION_DEPENDS,
        extra=ctx.timezone,
        compute=compute,
    )


def read_coverage(
    ctx: Context, conn: Connection, code: str, day: date, by: str, goal: Decimal
) -> IkdCoverage:
    """`ikd_coverage` in the caller's transaction."""
    rows = repo.ikd_by_area(conn, code, day, ctx.day_start(day + timedelta(days=1)), by)
    found = {row.area: (int(row.wajib), int(row.ikd)) for row in rows}
    return _coverage(code, day, by, goal, found, cq.region_names(conn, office=code, by=by))


def read_coverage_levels(
    ctx: Context, conn: Connection, code: str, day: date, goal: Decimal
) -> dict[str, IkdCoverage]:
    """`read_coverage` at both levels in the caller's transaction (the coverage report's), from
    one read of the registry by desa: a kecamatan's figures are its villages' summed (a
    resident's kecamatan code is the first part of its village code), as the report's
    coverage tables are."""
    rows = repo.ikd_by_area(conn, code, day, ctx.day_start(day + timedelta(days=1)), "desa")
    desa = {row.area: (int(row.wajib), int(row.ikd)) for row in rows}
    kecamatan: dict[str, tuple[int, int]] = {}
    for area, (w, k) in desa.items():
        w0, k0 = kecamatan.get(area[:KECAMATAN_CODE_LENGTH], (0, 0))
        kecamatan[area[:KECAMATAN_CODE_LENGTH]] = (w0 + w, k0 + k)
    return {
        by: _coverage(code, day, by, goal, found, cq.region_names(conn, office=code, by=by))
        for by, found in (("kecamatan", kecamatan), ("desa", desa))
    }


def _coverage(
    code: str,
    day: date,
    by: str,
    goal: Decimal,
    found: dict[str, tuple[int, int]],
    names: dict[str, str],
) -> IkdCoverage:
    areas: list[IkdArea] = [
        {
            "code": area,
            "name": names.get(area),
            "wajib_ktp": w,
            "ikd": k,
            "coverage_pct": _pct(k, w),
            "to_target": rules.ikd_to_target(k, w, goal),
        }
        # Every area of the office, also those without residents (as the coverage recap).
        for area, (w, k) in sorted({**dict.fromkeys(names, (0, 0)), **found}.items())
    ]
    wajib = sum(a["wajib_ktp"] for a in areas)
    ikd = sum(a["ikd"] for a in areas)
    return {
        "office": code,
        "as_of": day.isoformat(),
        "by": by,
        "target_pct": float(goal),
        "target_source": rules.IKD_TARGET_SOURCE
        if goal == rules.IKD_TARGET_PCT
        else N_("Target yang ditetapkan kantor"),
        "wajib_ktp": wajib,
        "ikd": ikd,
        "coverage_pct": _pct(ikd, wajib),
        "to_target": rules.ikd_to_target(ikd, wajib, goal),
        "areas": areas,
    }


def ikd_blank_ratio(
    ctx: Context,
    *,
    first: date | None = None,
    last: date | None = None,
    office: str | None = None,
) -> IkdRatio:
    """IKD activations against blanks received in [first, last] (default: the year to
    date), and whether the 2023 rule (at least 50 %) is met (None: no blanks received);
    `ikd_ratio_stored`'s figure."""
    return ikd_ratio_stored(ctx, first=first, last=last, office=office).value


def ikd_ratio_stored(
    ctx: Context,
    *,
    first: date | None = None,
    last: date | None = None,
    office: str | None = None,
) -> derived.Stored[IkdRatio]:
    """`read_ratio`'s figure as stored (services.derived): computed again only after a
    change of the office's registry, applications or ledger, with when it was computed.
    The activations are `ikd_daily`'s stored total, so a print (a change of the ledger)
    reads only the blanks received again, not the registry."""
    start, end = _period(ctx, first, last)
    code = derived.office_of(ctx, office)

    def compute() -> IkdRatio:
        activations = ikd_daily(ctx, first=start, last=end, office=code)["total"]
        with ctx.read() as conn:
            return _ratio(
                code, start, end, activations, repo.blanks_received(conn, code, start, end)
            )

    return derived.stored(
        ctx,
        office=code,
        kind="ikd_ratio",
        params=f"{start.isoformat()}|{end.isoformat()}",
        depends=RATIO_DEPENDS,
        extra=ctx.timezone,
        compute=compute,
    )


def read_ratio(ctx: Context, conn: Connection, code: str, start: date, end: date) -> IkdRatio:
    """`ikd_blank_ratio` in the caller's transaction."""
    activations = sum(_activations(ctx, conn, code, start, end).values())
    return _ratio(code, start, end, activations, repo.blanks_received(conn, code, start, end))


def _ratio(code: str, start: date, end: date, activations: int, received: int) -> IkdRatio:
    return {
        "office": code,
        "first": start.isoformat(),
        "last": end.isoformat(),
        "activations": activations,
        "blanks_received": received,
        "ratio_pct": _pct(activations, received),
        "rule_pct": float(rules.IKD_BLANK_RULE_PCT),
        "rule_source": rules.IKD_BLANK_RULE_SOURCE,
        "met": rules.ikd_blank_rule_met(activations, received),
    }


def year_to_date(day: date) -> tuple[date, date]:
    """The period the dashboard and the coverage report judge the 50 % rule over."""
    return date(day.year, 1, 1), day
