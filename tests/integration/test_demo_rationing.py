"""The demo shows a past rationing period (issue 16, point 3): a policy set by the head on the
day it began, ended early when the shipment came (two versions), over, and the cap held on
every day of it."""

from __future__ import annotations

from datetime import date, timedelta

from blangko.demo import rationing as demo_rationing
from blangko.demo import story
from blangko.services import rationing
from blangko.services.context import Context


def test_the_demo_has_a_past_rationing_period_whose_cap_held(demo_3000) -> None:  # type: ignore[no-untyped-def]
    ctx: Context = demo_3000.ctx
    built = demo_3000.built  # story.build(ctx, population=3000), built once (tests/conftest.py)
    assert any("Penjatahan cetak #1" in n for n in built["notes"])
    found = rationing.policies(ctx, office=story.OFFICE)
    assert found["active"] is None
    (policy,) = found["policies"]
    assert policy["state"] == "selesai" and policy["classes"] == ["suket", "pemula", "bencana"]
    assert [(h["version"], h["action"]) for h in found["history"]] == [(1, "set"), (2, "end")]
    start, end = date.fromisoformat(policy["start"]), date.fromisoformat(policy["end"])
    today = ctx.today()
    assert start == today - timedelta(days=demo_rationing.STARTS_DAYS_AGO)
    assert end < today
    printed = rationing.printed_per_day(ctx, start=start, end=end, office=story.OFFICE)
    assert printed, "the office printed during the period"
    assert max(printed.values()) <= policy["daily_cap"]
    # Set on the day it began (the head's clock of that day).
    assert found["history"][0]["at"][:10] <= policy["start"]
