"""Office calendar: on which days the two desks, recording (perekaman) and printing
(pencetakan), are open. A desk is what closures and capacity name in their `service` field
and the CLI in its --service option; "semua" closes both.

Precedence, strongest first:
  1. an explicit closure (e.g. recording closed because staff have Covid-19) - it beats
     everything, including a declared open day, because it is a decision about this office;
  2. a national holiday;
  3. the weekend, unless the office declared the day an open day (Saturday service ahead of
     a Pilkades). Open days lift only the weekend rule, not national holidays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import holidays

from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg

Desk = Literal["perekaman", "pencetakan"]
ClosureScope = Literal["perekaman", "pencetakan", "semua"]

DESKS: Final = frozenset({"perekaman", "pencetakan"})
CLOSURE_SCOPES: Final = DESKS | {"semua"}
DESK_LABEL_ID: Final = {"perekaman": "Perekaman", "pencetakan": "Pencetakan", "semua": "Semua"}

WEEKEND_REASON: Final = N_("Akhir pekan")
HOLIDAY_REASON_PREFIX: Final = "Libur nasional: "


def _check_service(service: str, allowed: frozenset[str]) -> None:
    if service not in allowed:
        choices = ", ".join(sorted(allowed))
        raise DomainError(
            "unknown_service",
            "service",
            Msg(
                "Layanan tidak dikenal: {service!r} (pilih {choices})",
                service=service,
                choices=choices,
            ),
        )


@dataclass(frozen=True, slots=True)
class Closure:
    """A decided closure of one service (or 'semua'); ``end`` None means not yet reopened."""

    id: int | None
    service: ClosureScope
    start: date
    end: date | None
    reason: str

    def __post_init__(self) -> None:
        _check_service(self.service, CLOSURE_SCOPES)
        if self.end is not None and self.end < self.start:
            raise DomainError(
                "closure_end_before_start",
                "end",
                Msg(
                    "Tanggal akhir penutupan ({end:%d-%m-%Y}) sebelum tanggal mulai ({start:%d-%m-%Y})",
                    end=self.end,
                    start=self.start,
                ),
            )
        # Residents are owed an explanation; a closure without one cannot be published.
        if not self.reason.strip():
            raise DomainError(
                "closure_reason_required", "reason", Msg("Alasan penutupan wajib diisi")
            )

    def applies_to(self, service: str) -> bool:
        return self.service == "semua" or self.service == service

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class ServiceDay:
    open: bool
    reason: str | None  # why it is closed, in Indonesian; None when open
    closure_id: int | None = None  # the closure responsible, so a notice can link to it


def service_open(
    service: str,
    day: date,
    *,
    closures: Iterable[Closure],
    open_days: AbstractSet[date],
    national_holidays: Mapping[date, str],
) -> ServiceDay:
    """Whether ``service`` is open on ``day``, and if not, the reason to show the resident."""
    _check_service(service, DESKS)

    # Earliest-starting closure first, so the reason shown is stable whatever the input order.
    covering = sorted(
        (c for c in closures if c.applies_to(service) and c.covers(day)),
        key=lambda c: (c.start, c.id if c.id is not None else -1),
    )
    if covering:
        return ServiceDay(open=False, reason=covering[0].reason, closure_id=covering[0].id)
    holiday = national_holidays.get(day)
    if holiday is not None:
        return ServiceDay(open=False, reason=HOLIDAY_REASON_PREFIX + holiday)
    if day.weekday() >= 5 and day not in open_days:
        return ServiceDay(open=False, reason=WEEKEND_REASON)
    return ServiceDay(open=True, reason=None)


def open_days_between(
    service: str,
    start: date,
    end: date,
    *,
    closures: Iterable[Closure],
    open_days: AbstractSet[date],
    national_holidays: Mapping[date, str],
) -> int:
    """Number of days ``service`` is open from ``start`` to ``end``, both inclusive."""
    _check_service(service, DESKS)
    if end < start:
        raise DomainError(
            "range_end_before_start",
            "end",
            Msg(
                "Tanggal akhir ({end:%d-%m-%Y}) sebelum tanggal mulai ({start:%d-%m-%Y})",
                end=end,
                start=start,
            ),
        )
    closure_list = list(closures)  # iterated once per day; a generator would be spent
    count = 0
    day = start
    while day <= end:
        status = service_open(
            service,
            day,
            closures=closure_list,
            open_days=open_days,
            national_holidays=national_holidays,
        )
        count += status.open
        day += timedelta(days=1)
    return count


# How far ahead a reopening is looked for: a closure that lasts longer is one without an end.
REOPEN_HORIZON_DAYS: Final = 366


def next_open_day(
    service: str,
    day: date,
    *,
    closures: Iterable[Closure],
    open_days: AbstractSet[date],
    national_holidays: Mapping[date, str],
    horizon_days: int = REOPEN_HORIZON_DAYS,
) -> date | None:
    """The first day after ``day`` on which ``service`` is open, within ``horizon_days``; None
    when it stays closed that long (a closure without an end date: reopened when it is ended).
    ``national_holidays`` must cover the days looked at."""
    _check_service(service, DESKS)
    closure_list = list(closures)
    for ahead in range(1, horizon_days + 1):
        d = day + timedelta(days=ahead)
        if service_open(
            service,
            d,
            closures=closure_list,
            open_days=open_days,
            national_holidays=national_holidays,
        ).open:
            return d
    return None


def indonesian_holidays(
    years: Iterable[int], *, include_cuti_bersama: bool = False
) -> dict[date, str]:
    """Indonesian national holidays for ``years``, named in Indonesian.

    Wraps the ``holidays`` package. Cuti bersama (collective leave, category 'government')
    is left out by default: Dukcapil front desks often stay open on those days with duty
    staff, so the office opts in, or records the days it really closes as closures.
    Islamic holiday dates come from the package, not from the yearly SKB decree; when the
    decree differs, enter a closure. Two holidays on one day come back joined with '; '.
    """
    categories = ("public", "government") if include_cuti_bersama else ("public",)
    table = holidays.country_holidays("ID", years=list(years), language="id", categories=categories)
    return {day: str(name) for day, name in sorted(table.items())}
