"""Closures, open days, daily capacity, and the office's status for a day.

Which days a service is open is decided by domain.calendar.service_open; this module loads
the office's closures and open days and the national holidays to feed it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import calendar as repo
from blangko.domain.calendar import (
    CLOSURE_SCOPES,
    DESK_LABEL_ID,
    DESKS,
    REOPEN_HORIZON_DAYS,
    Closure,
    ServiceDay,
    indonesian_holidays,
    next_open_day,
    service_open,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.limits import check_date
from blangko.domain.text import Msg
from blangko.services.calendar.results import (
    CapacitySet,
    ClosureAdded,
    ClosureEnded,
    ClosureView,
    DeskNotice,
    OpenDayAdded,
)
from blangko.services.context import Context, WriteTx, idempotent_write, resolve_office


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

    def _load_holidays(self, year: int) -> None:
        if year not in self._years:
            self._holidays.update(_holidays_of(year))
            self._years.add(year)

    def day(self, service: str, day: date) -> ServiceDay:
        self._load_holidays(day.year)
        return service_open(
            service,
            day,
            closures=self.closures,
            open_days=self.open_days,
            national_holidays=self._holidays,
        )

    def reopens(self, service: str, day: date) -> date | None:
        """The first day after ``day`` that ``service`` is open (None: not within a year)."""
        for year in range(day.year, (day + timedelta(days=REOPEN_HORIZON_DAYS)).year + 1):
            self._load_holidays(year)
        return next_open_day(
            service,
            day,
            closures=self.closures,
            open_days=self.open_days,
            national_holidays=self._holidays,
        )

    def notice(self, desk: str, day: date) -> DeskNotice | None:
        """None when ``desk`` is open on ``day``; else why it is closed and when it reopens."""
        status = self.day(desk, day)
        if status.open:
            return None
        reopens = self.reopens(desk, day)
        reason = status.reason or ""
        when = (
            f"buka kembali {reopens:%d-%m-%Y}"
            if reopens is not None
            else "belum ada tanggal buka kembali (sampai penutupannya diakhiri)"
        )
        return {
            "desk": desk,
            "date": day.isoformat(),
            "reason": reason,
            "reopens": reopens.isoformat() if reopens is not None else None,
            "message": f"{DESK_LABEL_ID[desk]} tutup pada tanggal {day:%d-%m-%Y} ({reason}); "
            f"{when}.",
        }


def desk_window(cal: OfficeCalendar, desk: str, start: date, end: date) -> dict[str, Any]:
    """How many days ``desk`` is open from ``start`` to ``end`` inclusive (THE open-day count
    that per-day figures divide by), and why it is closed on the other days: each reason once,
    in date order, weekends and national holidays included."""
    n_open, reasons = 0, []
    d = start
    while d <= end:
        day = cal.day(desk, d)
        if day.open:
            n_open += 1
        elif day.reason and day.reason not in reasons:
            reasons.append(day.reason)
        d += timedelta(days=1)
    return {"open_days": n_open, "days": max(0, (end - start).days + 1), "closed": reasons}


def closed_desks(conn: Connection, office: str, day: date) -> dict[str, DeskNotice]:
    """Each desk closed on ``day``, with its reason and the day it reopens."""
    cal = OfficeCalendar(conn, office)
    notices = {desk: cal.notice(desk, day) for desk in sorted(DESKS)}
    return {desk: n for desk, n in notices.items() if n is not None}


def desks_closed(
    ctx: Context, *, on: date | None = None, office: str | None = None
) -> dict[str, DeskNotice]:
    """The desks closed on ``on`` (default today): what the counter warns about before a
    step that needs one of them is refused."""
    on = check_date(on or ctx.today(), "date")
    with ctx.read() as conn:
        return closed_desks(conn, resolve_office(conn, office), on)


def require_open(conn: Connection, office: str, service: str, day: date) -> None:
    """Raise when ``service`` is closed on ``day``: the closure's reason, the day the desk
    reopens, and that the step is taken again then (nothing is written)."""
    notice = OfficeCalendar(conn, office).notice(service, day)
    if notice is not None:
        raise DomainError(
            "service_closed",
            "date",
            Msg(
                "{notice} Tidak ada yang dicatat: ulangi langkah ini pada hari layanan buka.",
                notice=notice["message"],
            ),
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
                Msg(
                    "Layanan '{service}' tidak dikenal: pilih perekaman, pencetakan atau semua.",
                    service=service,
                ),
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
                "unknown_closure",
                "id",
                Msg("Penutupan #{closure_id} tidak ada di kantor ini.", closure_id=closure_id),
            )
        if reopen <= row.start_date:
            raise DomainError(
                "reopen_before_start",
                "date",
                Msg(
                    "Tanggal buka kembali ({reopen:%d-%m-%Y}) harus sesudah tanggal mulai penutupan ({start_date:%d-%m-%Y}).",
                    reopen=reopen,
                    start_date=row.start_date,
                ),
            )
        last_closed = reopen - timedelta(days=1)
        if row.end_date is not None and row.end_date <= last_closed:
            raise Conflict(
                "closure_already_ended",
                "id",
                Msg(
                    "Penutupan #{closure_id} sudah berakhir pada {end_date:%d-%m-%Y}.",
                    closure_id=closure_id,
                    end_date=row.end_date,
                ),
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
    if active_on is not None:
        check_date(active_on, "active_on")
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
                Msg(
                    "{day:%d-%m-%Y} bukan Sabtu/Minggu: hari kerja sudah buka, kecuali ditutup.",
                    day=day,
                ),
            )
        if not reason or not reason.strip():
            raise DomainError("required", "reason", Msg("Alasan hari buka wajib diisi."))
        if repo.open_day_exists(tx.conn, tx.office, day):
            raise Conflict(
                "open_day_exists", "day", Msg("{day:%d-%m-%Y} sudah dinyatakan hari buka.", day=day)
            )
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
                Msg(
                    "Layanan '{service}' tidak dikenal: pilih perekaman atau pencetakan.",
                    service=service,
                ),
            )
        if per_day < 0:
            raise DomainError(
                "per_day_negative", "per_day", Msg("Kapasitas per hari tidak boleh negatif.")
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


def status(ctx: Context, *, on: date | None = None, office: str | None = None) -> dict[str, Any]:
    """Open or closed (with the reason) per service on a day, and each desk's capacity. The
    status of the day with the stock and the backlog is `services.figures.status`."""
    on = check_date(on or ctx.today(), "date")
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        cal = OfficeCalendar(conn, code)
        services = {}
        for s in sorted(DESKS):
            day = cal.day(s, on)
            services[s] = {"open": day.open, "reason": day.reason}
        capacity = capacities(conn, code)
    return {"office": code, "date": on.isoformat(), "services": services, "capacity": capacity}
