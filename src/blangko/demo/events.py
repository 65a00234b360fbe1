"""The article's event for the demo: Pilkades serentak in 66 of Kaur's villages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from blangko.adapters import regions as reg
from blangko.adapters import tables as t
from blangko.adapters.tables_events import event
from blangko.services.calendar import events
from blangko.services.context import Context, resolve_office

PILKADES_NAME = "Pilkades serentak"
PILKADES_VILLAGES = 66
WEDNESDAY = 2
MIN_DAYS_AHEAD = 7


def pilkades_date(today: date) -> date:
    """The first Wednesday in December at least a week after ``today``: this December
    while one is still a week away, otherwise next year's."""
    day = today + timedelta(days=MIN_DAYS_AHEAD)
    while not (day.month == 12 and day.weekday() == WEDNESDAY):
        day += timedelta(days=1)
    return day


def pilkades_villages(codes: list[str], n: int = PILKADES_VILLAGES) -> list[str]:
    """``n`` desa spread evenly over the regency's list in code order (kelurahan have an
    appointed lurah, not an elected kepala desa, so they never hold a Pilkades)."""
    desa = sorted(c for c in codes if reg.village_kind(c) == "desa")
    if len(desa) <= n:
        return desa
    return [desa[i * len(desa) // n] for i in range(n)]


def add_pilkades(ctx: Context, office: str) -> dict[str, Any]:
    """Add the demo's Pilkades serentak once; a second call returns the existing event."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        existing = conn.execute(
            select(event.c.id).where(event.c.office_code == code, event.c.name == PILKADES_NAME)
        ).first()
        codes = list(
            conn.execute(
                select(t.region.c.code).where(
                    t.region.c.level == "desa", t.region.c.code.like(f"{code}.%")
                )
            ).scalars()
        )
    if existing is not None:
        return {**events.show_event(ctx, existing.id, office=code), "created": False}
    result = events.add_event(
        ctx,
        name=PILKADES_NAME,
        event_date=pilkades_date(ctx.today()),
        kind="pilkades",
        villages=pilkades_villages(codes),
        office=code,
    )
    return {**{k: v for k, v in result.items() if k != "replayed"}, "created": True}
