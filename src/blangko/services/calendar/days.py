"""Closures, open days, daily capacity, and the office's status for a day.

Which days a service is open is decided by domain.calendar.service_open; this module loads
the office's closures and open days and the national holidays to feed it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ta
from blangko.adapters import tables_calendar as ts
from blangko.domain.applications import Status
from blangko.domain.calendar import (
    CLOSURE_SCOPES,
    SERVICES,
    Closure,
    ServiceDay,
    indonesian_holidays,
    service_open,
)
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services.context import Context, WriteTx, resolve_office
from blangko.services.context import idempotent_write as _run

# Defaults for the stock level in `status` (the CLI passes Settings.stock_low_days).
STOCK_LOW_DAYS = 14  # "menipis" when fewer days of cover than this remain
COVER_WINDOW_OPEN_DAYS = 30  # average daily use is taken over this many recent open days

SERVICE_LABEL_ID = {"perekaman": "Perekaman", "pencetakan": "Pencetakan", "semua": "Layanan"}


@lru_cache(maxsize=16)
def _holidays_of(year: int) -> dict[date, str]:
    return indonesian_holidays([year])


def holidays_between(start: date, end: date) -> dict[date, str]:
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update(_holidays_of(year))
    return out


def _closures(conn: Connection, office: str) -> list[Closure]:
    rows = conn.execute(
        select(ts.closure).where(ts.closure.c.office_code == office).order_by(ts.closure.c.id)
    )
    return [Closure(r.id, r.service, r.start_date, r.end_date, r.reason) for r in rows]


def _open_days(conn: Connection, office: str) -> set[date]:
    return set(
        conn.execute(select(ts.open_day.c.day).where(ts.open_day.c.office_code == office))
        .scalars()
        .all()
    )


class OfficeCalendar:
    """One office's closures, open days and holidays, loaded once for many days."""

    def __init__(self, conn: Connection, office: str) -> None:
        self.closures = _closures(conn, office)
        self.open_days = _open_days(conn, office)
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


def _closure_view(row: Any) -> dict[str, Any]:
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
) -> dict[str, Any]:
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
        new_id = tx.conn.execute(
            ts.closure.insert()
            .values(
                office_code=tx.office,
                service=service,
                start_date=start,
                end_date=end,
                reason=reason.strip(),
                created_at=ctx.now(),
                actor=ctx.actor,
            )
            .returning(ts.closure.c.id)
        ).scalar_one()
        row = tx.conn.execute(select(ts.closure).where(ts.closure.c.id == new_id)).one()
        return {"closure": _closure_view(row)}

    return _run(ctx, office, "closure.add", params, idempotency_key, body)


def end_closure(
    ctx: Context,
    *,
    closure_id: int,
    reopen: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Reopen on ``reopen`` (default today): the closure's last closed day is the day before."""
    reopen = reopen or ctx.today()
    params = {"id": closure_id, "reopen": reopen}

    def body(tx: WriteTx) -> dict[str, Any]:
        row = tx.conn.execute(
            select(ts.closure).where(
                ts.closure.c.id == closure_id, ts.closure.c.office_code == tx.office
            )
        ).first()
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
        tx.conn.execute(
            ts.closure.update()
            .where(ts.closure.c.id == closure_id)
            .values(end_date=last_closed, ended_at=ctx.now(), ended_by=ctx.actor)
        )
        row = tx.conn.execute(select(ts.closure).where(ts.closure.c.id == closure_id)).one()
        return {"closure": _closure_view(row), "reopened": reopen.isoformat()}

    return _run(ctx, office, "closure.end", params, idempotency_key, body)


def list_closures(
    ctx: Context, *, office: str | None = None, active_on: date | None = None
) -> list[dict[str, Any]]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        q = select(ts.closure).where(ts.closure.c.office_code == code)
        if active_on is not None:
            q = q.where(
                ts.closure.c.start_date <= active_on,
                or_(ts.closure.c.end_date.is_(None), ts.closure.c.end_date >= active_on),
            )
        rows = conn.execute(q.order_by(ts.closure.c.start_date, ts.closure.c.id)).all()
    return [_closure_view(r) for r in rows]


def add_open_day(
    ctx: Context,
    *,
    day: date,
    reason: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
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
        exists = tx.conn.execute(
            select(ts.open_day.c.day).where(
                ts.open_day.c.office_code == tx.office, ts.open_day.c.day == day
            )
        ).first()
        if exists:
            raise Conflict("open_day_exists", "day", f"{day:%d-%m-%Y} sudah dinyatakan hari buka.")
        tx.conn.execute(
            ts.open_day.insert().values(
                office_code=tx.office,
                day=day,
                reason=reason.strip(),
                created_at=ctx.now(),
                actor=ctx.actor,
            )
        )
        return {"day": day.isoformat(), "reason": reason.strip()}

    return _run(ctx, office, "closure.open_day", params, idempotency_key, body)


def set_capacity(
    ctx: Context,
    *,
    service: str,
    per_day: int,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    params = {"service": service, "per_day": per_day}

    def body(tx: WriteTx) -> dict[str, Any]:
        if service not in SERVICES:
            raise DomainError(
                "unknown_service",
                "service",
                f"Layanan '{service}' tidak dikenal: pilih perekaman atau pencetakan.",
            )
        if per_day < 0:
            raise DomainError(
                "per_day_negative", "per_day", "Kapasitas per hari (--per-day) tidak boleh negatif."
            )
        where = and_(ts.capacity.c.office_code == tx.office, ts.capacity.c.service == service)
        values = {"per_day": per_day, "updated_at": ctx.now(), "actor": ctx.actor}
        if tx.conn.execute(select(ts.capacity.c.per_day).where(where)).first() is None:
            tx.conn.execute(
                ts.capacity.insert().values(office_code=tx.office, service=service, **values)
            )
        else:
            tx.conn.execute(ts.capacity.update().where(where).values(**values))
        return {"service": service, "per_day": per_day}

    return _run(ctx, office, "capacity.set", params, idempotency_key, body)


def _capacities(conn: Connection, office: str) -> dict[str, int | None]:
    rows = conn.execute(
        select(ts.capacity.c.service, ts.capacity.c.per_day).where(
            ts.capacity.c.office_code == office
        )
    ).all()
    found = {r.service: int(r.per_day) for r in rows}
    return {s: found.get(s) for s in sorted(SERVICES)}


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
    low_days: int = STOCK_LOW_DAYS,
) -> dict[str, Any]:
    """Open or closed (with the reason) per service, stock cover, and the queues, for a day."""
    from blangko.services.stock.queries import balance

    on = on or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        cal = OfficeCalendar(conn, code)
        services = {}
        for s in sorted(SERVICES):
            day = cal.day(s, on)
            services[s] = {"open": day.open, "reason": day.reason}
        window = _recent_open_days(cal, on, COVER_WINDOW_OPEN_DAYS)
        used = 0
        if window:
            used = conn.execute(
                select(func.coalesce(func.sum(t.ledger_entry.c.quantity), 0)).where(
                    t.ledger_entry.c.office_code == code,
                    t.ledger_entry.c.kind == "consume",
                    t.ledger_entry.c.effective_date >= min(window),
                    t.ledger_entry.c.effective_date < on,
                )
            ).scalar_one()
        app = ta.application
        counts: dict[str, int] = dict(
            conn.execute(
                select(app.c.status, func.count())
                .where(app.c.office_code == code)
                .group_by(app.c.status)
            ).all()
        )
        suket_waiting = conn.execute(
            select(func.count()).where(
                app.c.office_code == code,
                app.c.suket_at.isnot(None),
                app.c.status.in_([Status.DIREKAM.value, Status.SIAP_CETAK.value]),
            )
        ).scalar_one()
        capacity = _capacities(conn, code)
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
