"""Closures, open days, daily capacity, and the office's status for a day.

Which days a service is open is decided by domain.calendar.service_open; this module loads
the office's closures and open days and the national holidays to feed it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import applications as applications_repo
from blangko.adapters.repos import calendar as repo
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.applications import Status
from blangko.domain.calendar import (
    CLOSURE_SCOPES,
    DESKS,
    Closure,
    ServiceDay,
    indonesian_holidays,
    service_open,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services.calendar.results import (
    CapacitySet,
    ClosureAdded,
    ClosureEnded,
    ClosureView,
    OpenDayAdded,
)
from blangko.services.context import Context, WriteTx, idempotent_write, resolve_office
from blangko.services.stock.queries import balance

# The stock level in `status` is "menipis" below Settings.stock_low_days of cover.
COVER_WINDOW_OPEN_DAYS = 30  # average daily use is taken over this many recent open days


@lru_cache(maxsize=16)
def _holidays_of(year: int) -> dict[date, str]:
    return indonesian_holidays([year])


def holidays_between(start: date, end: date) -> dict[date, str]:
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update(_holidays_of(year))
    return out


class OfficeCalendar:
    """One office's closures, open days and holidays, loaded once for many days."""

    def __init__(self, conn: Connection, office: str) -> None:
        self.closures = [
            Closure(r.id, r.service, r.start_date, r.end_date, r.reason)
            for r in repo.closures_by_id(conn, office)
        ]
        self.open_days = repo.open_days(conn, office)
        self._holidays: dict[date, str] = {}
        self._years: set[int] = set()

    def day(self, service: str, day: date) -> ServiceDay:
        if day.year not in self._years:
            self._holidays.update(_holidays_of(day.year))
            self._years.add(day.year)
        return service_open(
            service,
            day,
            closures=self.closures,
            open_days=self.open_days,
            national_holidays=self._holidays,
        )


def service_day(conn: Connection, office: str, service: str, day: date) -> ServiceDay:
    return OfficeCalendar(conn, office).day(service, day)


def require_open(conn: Connection, office: str, service: str, day: date) -> None:
    """Raise when ``service`` is closed on ``day``, with the closure's reason in the message."""
    status = service_day(conn, office, service, day)
    if not status.open:
        raise DomainError(
            "service_closed",
            "date",
            f"Layanan {service} tutup pada {day:%d-%m-%Y}: {status.reason}.",
        )


def _closure_view(row: Any) -> ClosureView:
    return {
        "id": row.id,
        "service": row.service,
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat() if row.end_date else None,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
        "actor": row.actor,
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "ended_by": row.ended_by,
    }


def add_closure(
    ctx: Context,
    *,
    service: str,
    start: date,
    reason: str,
    end: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ClosureAdded:
    """Close a service (or 'semua') from ``start`` to ``end`` inclusive; no end: until reopened."""
    params = {"service": service, "start": start, "end": end, "reason": reason}

    def body(tx: WriteTx) -> dict[str, Any]:
        if service not in CLOSURE_SCOPES:
            raise DomainError(
                "unknown_service",
                "service",
                f"Layanan '{service}' tidak dikenal: pilih perekaman, pencetakan atau semua.",
            )
        # The domain object checks the dates and that a reason is given.
        Closure(None, service, start, end, reason)  # type: ignore[arg-type]
        new_id = repo.insert_closure(
            tx.conn,
            office=tx.office,
            desk=service,
            start=start,
            end=end,
            reason=reason.strip(),
            at=ctx.now(),
            actor=ctx.actor,
        )
        return {"closure": _closure_view(repo.closure_by_id(tx.conn, new_id))}

    return idempotent_write(ctx, office, "closure.add", params, idempotency_key, body)


def end_closure(
    ctx: Context,
    *,
    closure_id: int,
    reopen: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ClosureEnded:
    """Reopen on ``reopen`` (default today): the closure's last closed day is the day before."""
    reopen = reopen or ctx.today()
    params = {"id": closure_id, "reopen": reopen}

    def body(tx: WriteTx) -> dict[str, Any]:
        row = repo.closure_by_id(tx.conn, closure_id, tx.office)
        if row is None:
            raise NotFound(
                "unknown_closure", "id", f"Penutupan #{closure_id} tidak ada di kantor ini."
            )
        if reopen <= row.start_date:
            raise DomainError(
                "reopen_before_start",
                "date",
                f"Tanggal buka kembali ({reopen:%d-%m-%Y}) harus sesudah tanggal mulai "
                f"penutupan ({row.start_date:%d-%m-%Y}).",
            )
        last_closed = reopen - timedelta(days=1)
        if row.end_date is not None and row.end_date <= last_closed:
            raise Conflict(
                "closure_already_ended",
                "id",
                f"Penutupan #{closure_id} sudah berakhir pada {row.end_date:%d-%m-%Y}.",
            )
        repo.end_closure(
            tx.conn, closure_id, last_closed=last_closed, at=ctx.now(), actor=ctx.actor
        )
        row = repo.closure_by_id(tx.conn, closure_id)
        return {"closure": _closure_view(row), "reopened": reopen.isoformat()}

    return idempotent_write(ctx, office, "closure.end", params, idempotency_key, body)


def list_closures(
    ctx: Context, *, office: str | None = None, active_on: date | None = None
) -> list[ClosureView]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.closures(conn, code, active_on=active_on)
    return [_closure_view(r) for r in rows]


def add_open_day(
    ctx: Context,
    *,
    day: date,
    reason: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> OpenDayAdded:
    """Open a Saturday or Sunday (e.g. a Saturday service before a village election)."""
    params = {"day": day, "reason": reason}

    def body(tx: WriteTx) -> dict[str, Any]:
        if day.weekday() < 5:
            raise DomainError(
                "not_weekend",
                "day",
                f"{day:%d-%m-%Y} bukan Sabtu/Minggu: hari kerja sudah buka, kecuali ditutup.",
            )
        if not reason or not reason.strip():
            raise DomainError("required", "reason", "Alasan hari buka (--reason) wajib diisi.")
        if repo.open_day_exists(tx.conn, tx.office, day):
            raise Conflict("open_day_exists", "day", f"{day:%d-%m-%Y} sudah dinyatakan hari buka.")
        repo.insert_open_day(
            tx.conn, office=tx.office, day=day, reason=reason.strip(), at=ctx.now(), actor=ctx.actor
        )
        return {"day": day.isoformat(), "reason": reason.strip()}

    return idempotent_write(ctx, office, "closure.open_day", params, idempotency_key, body)


def set_capacity(
    ctx: Context,
    *,
    service: str,
    per_day: int,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> CapacitySet:
    params = {"service": service, "per_day": per_day}

    def body(tx: WriteTx) -> dict[str, Any]:
        if service not in DESKS:
            raise DomainError(
                "unknown_service",
                "service",
                f"Layanan '{service}' tidak dikenal: pilih perekaman atau pencetakan.",
            )
        if per_day < 0:
            raise DomainError(
                "per_day_negative", "per_day", "Kapasitas per hari (--per-day) tidak boleh negatif."
            )
        repo.set_capacity(
            tx.conn, office=tx.office, desk=service, per_day=per_day, at=ctx.now(), actor=ctx.actor
        )
        return {"service": service, "per_day": per_day}

    return idempotent_write(ctx, office, "capacity.set", params, idempotency_key, body)


def capacities(conn: Connection, office: str) -> dict[str, int | None]:
    """Daily capacity of each desk; None where none is set."""
    found = repo.capacities(conn, office)
    return {s: found.get(s) for s in sorted(DESKS)}


def stock_level(on_hand: int, days_of_cover: float | None, low_days: int) -> str:
    """habis at 0 on hand; menipis below ``low_days`` of cover; aman otherwise.

    No recent use (cover None) with stock on hand is aman: nothing is running out.
    """
    if on_hand <= 0:
        return "habis"
    if days_of_cover is not None and days_of_cover < low_days:
        return "menipis"
    return "aman"


def _recent_open_days(cal: OfficeCalendar, before: date, n: int) -> list[date]:
    """The last ``n`` printing days before ``before`` (looking back at most a year)."""
    days: list[date] = []
    d = before - timedelta(days=1)
    limit = before - timedelta(days=366)
    while len(days) < n and d > limit:
        if cal.day("pencetakan", d).open:
            days.append(d)
        d -= timedelta(days=1)
    return days


def status(
    ctx: Context,
    *,
    on: date | None = None,
    office: str | None = None,
    low_days: int | None = None,
) -> dict[str, Any]:
    """Open or closed (with the reason) per service, stock cover, and the queues, for a day.
    The stock level's threshold is ``low_days``, else the settings' stock_low_days."""
    if low_days is None:
        low_days = ctx.settings.stock_low_days
    on = on or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        cal = OfficeCalendar(conn, code)
        services = {}
        for s in sorted(DESKS):
            day = cal.day(s, on)
            services[s] = {"open": day.open, "reason": day.reason}
        window = _recent_open_days(cal, on, COVER_WINDOW_OPEN_DAYS)
        used = 0
        if window:
            used = ledger_repo.consumed_between(conn, code, min(window), on)
        counts = applications_repo.status_counts(conn, code)
        suket_waiting = applications_repo.count_suket_waiting(conn, code)
        capacity = capacities(conn, code)
    on_hand = balance(ctx, as_of=on, office=code)["on_hand"]
    per_day = int(used) / len(window) if window else 0.0
    cover = round(on_hand / per_day, 1) if per_day > 0 else None
    return {
        "office": code,
        "date": on.isoformat(),
        "services": services,
        "stock": {
            "on_hand": on_hand,
            "average_daily_use": round(per_day, 2),
            "window_open_days": len(window),
            "days_of_cover": cover,
            "level": stock_level(on_hand, cover, low_days),
            "low_days": low_days,
        },
        "backlog": {
            "to_record": int(counts.get(Status.DIAJUKAN.value, 0)),
            "to_print": int(counts.get(Status.SIAP_CETAK.value, 0)),
            "suket_waiting": int(suket_waiting),
        },
        "capacity": capacity,
    }
