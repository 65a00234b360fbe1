"""The demo's past rationing period: blanks ran short before the directorate's shipment
arrived, and the head capped printing with the field's priority classes first (issue 16,
point 3). Set on the day it began, as the head would have (the clock of that day), and ended
two days early when the shipment came, so the policy's history shows both versions.

The cap is the most the office printed on any day of the period (rounded up to ten): the
prints of those days were made before the policy was written, and the cap must have held."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from blangko.demo.actors import HEAD, acting
from blangko.services import rationing
from blangko.services.context import Context

STARTS_DAYS_AGO = 48
LASTS_DAYS = 21
ENDED_EARLY_DAYS = 2


def _on(ctx: Context, day: date) -> Context:
    """The context with its clock at 09:00 of ``day`` in the office (stored naive UTC)."""
    moment = ctx.day_start(day) + timedelta(hours=9)
    return replace(ctx, clock=lambda: moment)


def add_past_policy(ctx: Context, office: str) -> dict[str, Any]:
    today = ctx.today()
    start = today - timedelta(days=STARTS_DAYS_AGO)
    end = start + timedelta(days=LASTS_DAYS - 1)
    printed = rationing.printed_per_day(ctx, start=start, end=end, office=office)
    most = max(printed.values(), default=0)
    cap = max(10, -(-most // 10) * 10)
    head = acting(ctx, HEAD)
    made = rationing.set_policy(
        _on(head, start),
        start=start,
        end=end,
        daily_cap=cap,
        reason=(
            "Stok menipis menunggu kiriman Ditjen: cetak dibatasi, PRR dan pemegang suket "
            "didahulukan (surat Ditjen 471.13/11659/Dukcapil 2017)"
        ),
        others_get="suket",
        office=office,
    )
    last = end - timedelta(days=ENDED_EARLY_DAYS)
    rationing.end_policy(
        _on(head, last + timedelta(days=1)),
        number=made["policy"]["number"],
        reason="Kiriman blangko dari Ditjen tiba",
        last_day=last,
        office=office,
    )
    return {"number": made["policy"]["number"], "start": start, "end": last, "cap": cap}


__all__ = ["add_past_policy"]
