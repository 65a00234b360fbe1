"""One Settings: the nested groups keep their environment names, and a Context built from
Settings carries them to the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from blangko.services.context import context_from_settings
from blangko.settings import ForecastSettings, ImpactAssumptions, ProjectionSettings, Settings


def test_nested_groups_read_their_old_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLANGKO_FORECAST_LEAD_TIME_DAYS", "45")
    monkeypatch.setenv("BLANGKO_FORECAST_SERVICE_LEVEL", "0.9")
    monkeypatch.setenv("BLANGKO_PROJECTION_ASSUMED_CLOSURE_DAYS", "60")
    monkeypatch.setenv("BLANGKO_PROJECTION_DOOR_TO_DOOR_PER_DAY", "80")
    monkeypatch.setenv("BLANGKO_EVENT_TAKE_UP_LOW", "0.1")
    monkeypatch.setenv("BLANGKO_EVENT_WINDOW_DAYS", "21")
    monkeypatch.setenv("BLANGKO_STOCK_LOW_DAYS", "7")
    s = Settings()
    assert (s.forecast.lead_time_days, s.forecast.service_level) == (45.0, 0.9)
    assert s.forecast.paths == ForecastSettings().paths  # untouched values keep the default
    assert (s.projection.assumed_closure_days, s.projection.door_to_door_per_day) == (60, 80)
    assert (s.event.take_up_low, s.event.window_days) == (Decimal("0.1"), 21)
    # A top-level name that contains "_" is not split into a group.
    assert s.stock_low_days == 7


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BLANGKO_FORECAST_PATHS", "BLANGKO_PROJECTION_PATHS", "BLANGKO_EVENT_WINDOW_DAYS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.forecast == ForecastSettings()
    assert s.projection == ProjectionSettings()
    assert s.event == ImpactAssumptions()


def test_context_from_settings_carries_them(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BLANGKO_FORECAST_PATHS", "300")
    s = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", actor="petugas", timezone="Asia/Makassar"
    )
    ctx = context_from_settings(s)
    assert (ctx.actor, ctx.timezone, ctx.settings.forecast.paths) == (
        "petugas",
        "Asia/Makassar",
        300,
    )
    assert context_from_settings(s, actor="web").actor == "web"
    ctx.engine.dispose()
