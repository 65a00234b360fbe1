"""The forecast's simulations kept per process (services/forecast_memo.py), on SQLite and
PostgreSQL: a print today does not simulate again and the forecast is exactly the one
computed from nothing (only the stock on hand, and what follows from it, moves); a change to
what the model is fitted on (a backdated print, a new event, an application printed) does
simulate again. Likewise an event's impact (its villages counted in the registry) is read as
stored for today, and the registry's print history and cohort counts are read once per state
of the registry: a print does not count them again, a registry change does. The whole
forecast is computed once per state of what it reads, so the supply limits after a print take
the stored forecast's paths instead of a second forecast."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_forecast_service import TODAY, add_residents, build_history

from blangko.adapters.repos import coverage as coverage_repo
from blangko.adapters.repos import forecast as forecast_repo
from blangko.domain import demand
from blangko.services import forecast as fs
from blangko.services import forecast_memo
from blangko.services.calendar import events
from blangko.services.context import Context
from blangko.services.stock import writes
from blangko.settings import ForecastSettings

SETTINGS = ForecastSettings(paths=300)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The demand model's simulations actually run (not answered from the memo)."""
    forecast_memo.clear()
    runs: list[int] = []
    real = demand.forecast

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    counted.__module__, counted.__qualname__ = real.__module__, real.__qualname__
    monkeypatch.setattr(demand, "forecast", counted)
    return runs


def _forecast(ctx: Context) -> dict[str, Any]:
    f = fs.forecast(ctx, as_of=TODAY, horizon=30, settings=SETTINGS)
    f.pop("seconds")
    return f


def _fresh(ctx: Context) -> dict[str, Any]:
    """The same forecast with nothing kept: what the memo's answer must equal."""
    saved = [memo._items.copy() for memo in forecast_memo.MEMOS]
    forecast_memo.clear()
    try:
        return _forecast(ctx)
    finally:
        for memo, items in zip(forecast_memo.MEMOS, saved, strict=True):
            memo._items.update(items)


def test_a_print_today_is_not_simulated_again_and_changes_only_the_stock(
    ctx: Context, office: str, calls: list[int]
) -> None:
    build_history(ctx, days=120, mean=10)
    add_residents(ctx, 40, recorded=TODAY - timedelta(days=30))
    first = _forecast(ctx)
    assert len(calls) == 1
    writes.consume(ctx, service="hilang", qty=3, location="loket-1", effective=TODAY)
    after = _forecast(ctx)
    assert len(calls) == 1  # answered from the memo
    assert after["on_hand"] == first["on_hand"] - 3
    assert after["daily"] == first["daily"] and after["by_service"] == first["by_service"]
    assert after == _fresh(ctx)  # exactly the forecast computed from nothing
    hits = forecast_memo.FORECASTS.hits
    _forecast(ctx)  # the caller's changes to what it was given did not reach the memo
    assert forecast_memo.FORECASTS.hits > hits and _forecast(ctx) == after


def test_what_the_model_is_fitted_on_simulates_again(
    ctx: Context, office: str, calls: list[int]
) -> None:
    build_history(ctx, days=120, mean=10)
    base = _forecast(ctx)
    # A print booked on yesterday: the history the model is fitted on changed.
    writes.consume(
        ctx, service="hilang", qty=40, location="loket-1", effective=TODAY - timedelta(days=1)
    )
    backdated = _forecast(ctx)
    assert len(calls) == 2
    assert backdated == _fresh(ctx)  # (a third run: nothing kept)
    assert backdated["daily"] != base["daily"]
    # A village-head election within the horizon: an uplift.
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=10),
        kind="pilkades",
        all_villages=True,
    )
    with_event = _forecast(ctx)
    assert len(calls) == 4
    assert with_event == _fresh(ctx)
    assert [e["name"].split(" (")[0] for e in with_event["events"]] == ["Pilkades"]


def test_a_print_today_reads_the_events_impact_as_stored(
    ctx: Context, office: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(ctx, days=120, mean=10)
    add_residents(ctx, 40)  # wajib KTP, not recorded: the election's pool
    event_id = events.add_event(
        ctx, name="Pilkades", event_date=TODAY + timedelta(days=10), kind="pilkades",
        all_villages=True,
    )["id"]  # fmt: skip
    counted: list[int] = []  # the registry counts of the event's villages
    real = coverage_repo.village_totals

    def village_totals(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(coverage_repo, "village_totals", village_totals)
    first = _forecast(ctx)
    assert len(counted) == 1
    writes.consume(ctx, service="hilang", qty=3, location="loket-1", effective=TODAY)
    after = _forecast(ctx)
    assert len(counted) == 1  # the stored impact: the registry is not counted again
    direct = events.impact(ctx, event_id, as_of=TODAY)
    assert len(counted) == 2
    [shown] = after["events"]
    assert shown["blanks"] == direct["expected_extra"]["blanks"]
    assert shown["blanks"] == first["events"][0]["blanks"]
    # Another day asked (as_of): computed for that day, not read from today's.
    fs.forecast(ctx, as_of=TODAY - timedelta(days=1), horizon=30, settings=SETTINGS)
    assert len(counted) == 3
    add_residents(ctx, 30)  # the registry changed: counted again
    grown = _forecast(ctx)
    assert len(counted) == 4
    [bigger] = grown["events"]
    assert bigger["blanks"]["expected"] > shown["blanks"]["expected"]


def test_a_print_today_reads_the_registry_once_and_computes_one_forecast(
    ctx: Context, office: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(ctx, days=120, mean=10)
    add_residents(ctx, 40, recorded=TODAY - timedelta(days=30))
    reads: list[str] = []
    for module, name in (
        (forecast_repo, "registry_print_history"),
        (coverage_repo, "cohort_counts"),
    ):
        real = getattr(module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            reads.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    runs: list[int] = []
    real_whole = fs._forecast_with_paths

    def whole(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real_whole(*args, **kwargs)

    monkeypatch.setattr(fs, "_forecast_with_paths", whole)
    forecast_memo.clear()
    first = _forecast(ctx)
    # The stored forecast and what stops printing first ask for the same forecast: one run.
    fc, paths = fs.forecast_with_paths(ctx, as_of=TODAY, horizon=30, settings=SETTINGS)
    assert len(runs) == 1 and fc["on_hand"] == first["on_hand"]
    assert sorted(set(reads)) == ["cohort_counts", "registry_print_history"]
    read_before = len(reads)
    writes.consume(ctx, service="hilang", qty=3, location="loket-1", effective=TODAY)
    after = _forecast(ctx)
    fs.forecast_with_paths(ctx, as_of=TODAY, horizon=30, settings=SETTINGS)
    assert len(runs) == 2  # the print changed the ledger: computed again, once
    assert len(reads) == read_before  # ... without reading the registry again
    assert after == _fresh(ctx)  # (one more run: nothing kept)
    ran = len(runs)
    add_residents(ctx, 30, recorded=TODAY - timedelta(days=20))
    grown = _forecast(ctx)
    assert len(runs) == ran + 1 and "registry_print_history" in reads[read_before:]
    assert grown == _fresh(ctx)
    assert grown["recordings"] != after["recordings"]
