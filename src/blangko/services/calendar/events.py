"""Events that drive demand (village-head elections and the like): registering them, and
what one will do to demand for recordings and blank cards in the villages it touches.

The impact is a range, not a forecast to the unit: the pool of people who may come is
counted exactly in the database, and the share of them who actually come before the event
(the take-up rate) is an assumption the office sets. The assumptions are settings
(`Settings.event`, an `ImpactAssumptions`: environment variables BLANGKO_EVENT_*, or the CLI
options), and every answer shows the values used.

Defaults, and why:
  take_up_low = 0.25, take_up_expected = 0.50, take_up_high = 0.80
      share of the pool that comes before the event. Voters need an e-KTP (or a suket) at
      the polling station, but many unrecorded adults do not vote or are away; offices'
      jemput-bola reports before the 2024 elections put the response between a quarter
      and four fifths of the listed residents.
  window_days = 30
      most of the extra demand comes in the last month before the event (people act when
      the voter list is published and polling cards arrive): the expected extra is spread
      evenly over the open days of that window still ahead (from today, or from
      ``window_days`` before the event, to the event date inclusive), the same spread the
      forecast simulates. The per-day figures are each total divided by the open days of its
      desk in that window (recordings: perekaman; blanks: pencetakan), closures, weekends
      and holidays excluded, and say how many open days that is; a desk closed through the
      whole window has no per-day figure (the readiness check says what is missing).

Pools:
  recordings  unrecorded wajib KTP + residents turning 17 on or before the event date
  blanks      the same people (each new recording ends in a card) + those recorded but
              never printed (suket holders among them): an election sends them to collect.
Rounding: low rounds down, high rounds up, expected rounds half up, so the range never
narrows by rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from blangko.adapters import regions as reg
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import applications as applications_repo
from blangko.adapters.repos import coverage as coverage_repo
from blangko.adapters.repos import events as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import check_date
from blangko.domain.text import Msg
from blangko.services import derived
from blangko.services.calendar.days import OfficeCalendar, desk_window
from blangko.services.calendar.results import EventAdded, EventDetail, EventSummary
from blangko.services.context import Context, WriteTx, idempotent_write, resolve_office
from blangko.settings import ImpactAssumptions

KINDS = ("pilkades", "pemilu", "pilkada", "lainnya")
# The kinds that are elections: their villages are flagged on the print work list (voters
# need the card, or a suket, at the polling station).
ELECTION_KINDS = ("pilkades", "pemilu", "pilkada")
KIND_LABEL_ID = {
    "pilkades": "pemilihan kepala desa",
    "pemilu": "pemilihan umum",
    "pilkada": "pemilihan kepala daerah",
    "lainnya": "lainnya",
}
_MAX_UNKNOWN_SHOWN = 10
# Which desk serves each kind of extra demand: its open days are what per-day figures divide by.
DEMAND_DESK = {"recordings": "perekaman", "blanks": "pencetakan"}


# --- pure arithmetic ----------------------------------------------------------------------


def demand_range(pool: int, a: ImpactAssumptions) -> dict[str, int]:
    """How many of ``pool`` people come before the event: low (down), expected (half up),
    high (up), computed exactly."""
    if pool < 0:
        raise DomainError(
            "count_negative", "pool", Msg("Jumlah tidak boleh negatif ({pool})", pool=pool)
        )
    low = Fraction(a.take_up_low) * pool
    expected = Decimal(pool) * a.take_up_expected
    high = Fraction(a.take_up_high) * pool
    return {
        "low": math.floor(low),
        "expected": int(expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        "high": math.ceil(high),
    }


def per_day(extra: dict[str, int], open_days: int) -> dict[str, float] | None:
    """Extra people a day inside the window: each total over the open days of its desk there
    (one decimal, half up). None when the desk has no open day in the window."""
    if open_days <= 0:
        return None
    return {
        k: float((Decimal(v) / open_days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        for k, v in extra.items()
    }


def extra_demand(
    counts: dict[str, int], a: ImpactAssumptions, open_days: dict[str, int] | None = None
) -> dict[str, Any]:
    """THE event extra demand: expected extra recordings and blanks (low / expected / high)
    from the counts of an event's villages. ``open_days`` (desk -> open days in the window)
    gives the per-day figures; without it they are left out."""
    recordings_pool = counts["unrecorded"] + counts["turning_17_before"]
    blanks_pool = recordings_pool + counts["recorded_not_printed"]
    recordings = demand_range(recordings_pool, a)
    blanks = demand_range(blanks_pool, a)
    out: dict[str, Any] = {
        "pools": {"recordings": recordings_pool, "blanks": blanks_pool},
        "recordings": recordings,
        "blanks": blanks,
    }
    if open_days is not None:
        out["per_day_in_window"] = {
            "recordings": per_day(recordings, open_days[DEMAND_DESK["recordings"]]),
            "blanks": per_day(blanks, open_days[DEMAND_DESK["blanks"]]),
        }
    return out


# --- use cases ----------------------------------------------------------------------------


def read_village_file(path: Path) -> list[str]:
    """Village codes from a text or CSV file: separated by new lines or commas; blank lines,
    '#' comments and a header cell 'kode'/'kode_desa' are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DomainError(
            "file_unreadable",
            "villages_file",
            Msg("Berkas {path} tidak dapat dibaca: {strerror}.", path=path, strerror=exc.strerror),
        ) from exc
    codes = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for cell in line.split(","):
            cell = cell.strip().strip('"')
            if cell and cell.lower() not in ("kode", "kode_desa", "code"):
                codes.append(cell)
    return codes


def _resolve_villages(
    known: dict[str, str], office: str, codes: Iterable[str] | None, all_villages: bool
) -> list[str]:
    if all_villages:
        if codes:
            raise DomainError(
                "event_villages",
                "villages",
                Msg(
                    "Pilih salah satu: desa tertentu atau semua desa di kabupaten, bukan keduanya."
                ),
            )
        chosen = sorted(known)
    else:
        chosen = sorted({c.strip() for c in (codes or []) if c.strip()})
    if not chosen:
        raise DomainError(
            "event_villages",
            "villages",
            Msg("Pilih desa yang terdampak, atau semua desa di kabupaten."),
        )
    unknown = [c for c in chosen if c not in known]
    if unknown:
        shown = ", ".join(unknown[:_MAX_UNKNOWN_SHOWN])
        more = f" dan {len(unknown) - _MAX_UNKNOWN_SHOWN} lainnya" if len(unknown) > 10 else ""
        raise NotFound(
            "unknown_village",
            "villages",
            Msg(
                "Kode desa tidak dikenal di kantor {office}: {shown}{more}.",
                office=office,
                shown=shown,
                more=more,
            ),
        )
    return chosen


def add_event(
    ctx: Context,
    *,
    name: str,
    event_date: date,
    kind: str,
    villages: Iterable[str] | None = None,
    all_villages: bool = False,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> EventAdded:
    """Register an event and the villages it touches; returns the event as `show` does."""
    name = (name or "").strip()
    if not name:
        raise DomainError("required", "name", Msg("Nama acara wajib diisi."))
    if len(name) > 200:
        raise DomainError("too_long", "name", Msg("Nama acara paling panjang 200 karakter."))
    if kind not in KINDS:
        raise DomainError(
            "event_kind",
            "kind",
            Msg("Jenis acara harus salah satu dari: {kinds}.", kinds=", ".join(KINDS)),
        )
    check_date(event_date, "date")
    if event_date < ctx.today():
        raise DomainError(
            "event_date_past",
            "date",
            Msg(
                "Tanggal acara {event_date:%d-%m-%Y} sudah lewat: yang dicatat adalah acara mendatang.",
                event_date=event_date,
            ),
        )
    codes = list(villages or [])
    params = {
        "name": name,
        "date": event_date.isoformat(),
        "kind": kind,
        "villages": sorted(codes),
        "all": all_villages,
    }

    def body(tx: WriteTx) -> EventDetail:
        known = admin_repo.villages(tx.conn, tx.office)
        chosen = _resolve_villages(known, tx.office, codes, all_villages)
        event_id = repo.insert_event(
            tx.conn,
            office=tx.office,
            name=name,
            kind=kind,
            event_date=event_date,
            villages=chosen,
            at=ctx.now(),
            actor=ctx.actor,
        )
        return _show(tx.conn, tx.office, event_id)

    return idempotent_write(
        ctx, office, "event.add", params, idempotency_key, body, tag_office=False
    )


def list_events(ctx: Context, *, office: str | None = None) -> list[EventSummary]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.events_with_village_counts(conn, code)
    return [
        {
            "id": r.id,
            "name": r.name,
            "date": r.event_date.isoformat(),
            "kind": r.kind,
            "villages": int(r.villages),
        }
        for r in rows
    ]


def show_event(ctx: Context, event_id: int, *, office: str | None = None) -> EventDetail:
    with ctx.read() as conn:
        return _show(conn, resolve_office(conn, office), event_id)


def _event_row(conn: Connection, office: str, event_id: int) -> Any:
    row = repo.event_row(conn, office, event_id)
    if row is None:
        raise NotFound(
            "unknown_event",
            "id",
            Msg(
                "Acara nomor {event_id} tidak ada di kantor {office}.",
                event_id=event_id,
                office=office,
            ),
        )
    return row


def _show(conn: Connection, office: str, event_id: int) -> EventDetail:
    row = _event_row(conn, office, event_id)
    villages = repo.villages_of(conn, event_id)
    return {
        "id": row.id,
        "office": row.office_code,
        "name": row.name,
        "date": row.event_date.isoformat(),
        "kind": row.kind,
        "created_at": row.created_at.isoformat(),
        "actor": row.actor,
        "villages": [
            {
                "code": v.kode_desa,
                "name": v.name,
                "kecamatan": v.parent_code,
                "jenis": reg.village_kind(v.kode_desa),
            }
            for v in villages
        ],
    }


# What an event's impact depends on (services.derived): the registry (the pools), the
# applications (suket holders), the calendar (the window's open days) and the events.
IMPACT_DEPENDS = (derived.REGISTRY, derived.APPLICATIONS, derived.CALENDAR, derived.EVENTS)
# The shape of `impact`'s answer: a new one must not serve the answers stored before.
IMPACT_SHAPE = 1


def impact_stored(
    ctx: Context, event_id: int, *, office: str | None = None
) -> derived.Stored[dict[str, Any]]:
    """`impact` for today with the settings' assumptions, as stored (services.derived):
    computed again after a change to what it depends on (a page may be shown the one of
    before while it is computed in the background). It counts the registry in the event's
    villages: most of a second on a regency."""
    code = derived.office_of(ctx, office)
    day = ctx.today()
    settings_ctx = derived.synchronous(ctx)
    return derived.stored(
        ctx,
        office=code,
        kind="event_impact",
        params=f"{int(event_id)}|{day.isoformat()}",
        depends=IMPACT_DEPENDS,
        extra=[IMPACT_SHAPE, ctx.settings.event.model_dump_json()],
        compute=lambda: impact(settings_ctx, event_id, as_of=day, office=code),
    )


def impact(
    ctx: Context,
    event_id: int,
    *,
    assumptions: ImpactAssumptions | None = None,
    as_of: date | None = None,
    office: str | None = None,
) -> dict[str, Any]:
    """What the event will do to demand in the villages it touches (see module docstring).
    The assumptions are the settings' (ctx.settings.event) unless others are given."""
    a = (assumptions or ctx.settings.event).check()
    day = check_date(as_of or ctx.today(), "as_of")
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = _event_row(conn, code, event_id)
        villages = repo.village_codes(event_id)
        n_villages = repo.count_villages(conn, event_id)
        counts = coverage_repo.village_totals(
            conn, office=code, villages=villages, as_of=day, until=row.event_date
        )
        counts["suket_waiting"] = applications_repo.suket_holders_in(conn, code, villages)
        window_start = max(day, row.event_date - timedelta(days=a.window_days))
        cal = OfficeCalendar(conn, code)
        desks = {
            desk: desk_window(cal, desk, window_start, row.event_date)
            for desk in sorted(DEMAND_DESK.values())
        }
    extra = extra_demand(counts, a, {d: w["open_days"] for d, w in desks.items()})
    return {
        "id": row.id,
        "event": row.name,
        "kind": row.kind,
        "date": row.event_date.isoformat(),
        "as_of": day.isoformat(),
        "days_until": (row.event_date - day).days,
        "villages": int(n_villages),
        **counts,
        "expected_extra": {
            "recordings": extra["recordings"],
            "blanks": extra["blanks"],
            "pools": extra["pools"],
            "per_day_in_window": extra["per_day_in_window"],
            "window": {
                "from": window_start.isoformat(),
                "to": row.event_date.isoformat(),
                "days": max(0, (row.event_date - window_start).days + 1),
                "open_days": {d: w["open_days"] for d, w in desks.items()},
                "closed_reasons": {d: w["closed"] for d, w in desks.items()},
            },
        },
        "assumptions": a.as_dict(),
    }
