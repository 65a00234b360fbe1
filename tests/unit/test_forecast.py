"""The demand model, the stock decisions, and the backtest evidence on simulated offices."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from blangko.domain import backtest as bt
from blangko.domain import demand_simulation as ds
from blangko.domain import forecast as fc
from blangko.domain import stock_policy as sp
from blangko.domain.calendar import indonesian_holidays

HOLIDAYS = frozenset(indonesian_holidays([2025, 2026, 2027]))
START = date(2025, 9, 1)


def _history(seed: int, **kw) -> ds.SimulatedHistory:
    return ds.simulate_history(start=START, days=440, holidays=HOLIDAYS, seed=seed, **kw)


def test_closed_days_are_structural_zeros() -> None:
    h = _history(1)
    model = fc.fit(h.start, h.used, h.open)
    future_open = np.array([True, True, False, False, True, False, True] * 4)
    sim = fc.simulate(model, future_open, history_open=h.open[-14:], n_paths=500)
    assert np.all(sim.paths[:, ~future_open] == 0)
    assert np.all(sim.paths[:, future_open].mean(axis=0) > 1)


def test_intervals_are_non_negative_counts_and_ordered() -> None:
    h = _history(2)
    model = fc.fit(h.start, h.used, h.open)
    sim = fc.simulate(model, np.ones(60, dtype=bool), n_paths=1000)
    q = sim.quantiles()
    assert (q >= 0).all()
    assert (np.diff(q, axis=0) >= 0).all()
    assert np.allclose(sim.paths, np.round(sim.paths))


def test_weekday_pattern_is_learned() -> None:
    h = _history(3, closure=None, election=None, trend_per_year=0.0)
    model = fc.fit(h.start, h.used, h.open)
    week = [model.origin + timedelta(days=i) for i in range(7)]
    future_open = np.array([d.weekday() < 5 for d in week])
    sim = fc.simulate(model, future_open, n_paths=4000, seed=3)
    by_wd = {d.weekday(): m for d, m in zip(week, sim.paths.mean(axis=0), strict=True)}
    assert by_wd[0] > by_wd[4] * 1.4  # Monday busiest, Friday short (factors 1.35 vs 0.7)
    assert by_wd[5] == by_wd[6] == 0


def test_backlog_after_a_closure_is_forecast_higher() -> None:
    h = _history(4, election=None)
    model = fc.fit(h.start, h.used, h.open)
    assert "backlog" in model.columns
    assert model.beta[model.columns.index("backlog")] > 0
    closed_before = np.array([False] * 10 + [True] * 4)
    open_before = np.ones(14, dtype=bool)
    future = np.ones(5, dtype=bool)
    after_closure = fc.simulate(model, future, history_open=closed_before, n_paths=4000, seed=1)
    normal = fc.simulate(model, future, history_open=open_before, n_paths=4000, seed=1)
    assert after_closure.paths.sum(axis=1).mean() > normal.paths.sum(axis=1).mean() * 1.1


def test_event_uplift_lands_in_its_window_and_is_reported() -> None:
    h = _history(5, election=None)
    model = fc.fit(h.start, h.used, h.open)
    origin = model.origin
    up = fc.Uplift(
        "Pilkades 66 desa",
        origin + timedelta(days=10),
        origin + timedelta(days=20),
        800,
        1100,
        1500,
    )
    sim = fc.simulate(model, np.ones(40, dtype=bool), uplifts=[up], n_paths=2000)
    extra = sim.paths - sim.baseline_paths
    assert extra[:, :10].sum() == 0 and extra[:, 21:].sum() == 0
    median = np.median(sim.uplift_paths["Pilkades 66 desa"])
    assert 1000 < median < 1200


def test_few_data_gives_a_wide_honest_forecast_with_a_message() -> None:
    h = _history(6, closure=None, election=None, trend_per_year=0.0)
    short = fc.fit(h.start, h.used[:21], h.open[:21])
    long = fc.fit(h.start, h.used, h.open)
    assert short.warnings and "Riwayat baru" in short.warnings[0]
    assert "trend" not in short.columns and not long.warnings
    future = np.array([d < 5 for d in range(7)] * 3)

    def relative_width(model: fc.FittedModel) -> float:
        q = fc.simulate(model, future, n_paths=4000, seed=2).quantiles()[:, future]
        return float(np.mean(q[4] - q[0]) / np.mean(q[2]))

    assert relative_width(short) > relative_width(long) * 1.2
    empty = fc.fit(START, np.zeros(0), np.zeros(0, dtype=bool))
    assert empty.warnings and empty.fitted_on_days == 0


def test_days_of_cover_and_stockout_on_known_paths() -> None:
    paths = np.array([[10] * 30, [20] * 30, [5] * 30, [10] * 30] * 5, dtype=float)
    p50, p90, censored = sp.days_of_cover(paths, 100)
    # Stock 100 runs out on day index 10 (10/day), 5 (20/day), 20 (5/day).
    assert (p50, p90, censored) == (10, 5, False)
    leads = np.array([8, 8, 8, 8] * 5)
    # In 8 days, only the 20/day path (160) exceeds 100: a quarter of the paths.
    assert sp.stockout_probability(paths, 100, leads) == pytest.approx(0.25)


def _readiness(**kw):  # type: ignore[no-untyped-def]
    args = {
        "on_hand": 100,
        "usual_until_event": 60,
        "event_blanks": 50,
        "event_recordings": 30,
        "open_days": {"perekaman": 5, "pencetakan": 5},
        "closed_reasons": {"perekaman": [], "pencetakan": []},
    }
    return sp.event_readiness(**{**args, **kw})


def test_readiness_is_short_of_blanks_when_the_stock_will_not_last() -> None:
    r = _readiness()
    assert (r["need"], r["shortfall"], r["ready"]) == (110, 10, False)
    assert r["missing"] == [{"kind": "shortfall", "quantity": 10}]
    assert _readiness(event_blanks=40)["ready"] is True
    assert _readiness(event_blanks=40)["missing"] == []


def test_readiness_names_a_needed_desk_closed_through_the_event() -> None:
    """Issue 11, observation 6: recording closed "sampai diakhiri" through the event, with
    enough blanks: not ready, and it says what is missing."""
    r = _readiness(
        event_blanks=30,
        open_days={"perekaman": 0, "pencetakan": 5},
        closed_reasons={"perekaman": ["PPKM", "Akhir pekan"], "pencetakan": ["Akhir pekan"]},
    )
    assert r["ready"] is False and r["shortfall"] == 0
    assert r["missing"] == [
        {
            "kind": "desk_closed",
            "desk": "perekaman",
            "demand": 30,
            "reasons": ["PPKM", "Akhir pekan"],
        }
    ]
    # A desk the event does not need may be closed: no extra recordings, no missing desk.
    assert _readiness(
        event_blanks=30, event_recordings=0, open_days={"perekaman": 0, "pencetakan": 5}
    )["ready"]
    both = _readiness(open_days={"perekaman": 0, "pencetakan": 0})
    assert [m.get("desk", m["kind"]) for m in both["missing"]] == [
        "perekaman",
        "pencetakan",
        "shortfall",
    ]


def test_stock_level_reads_the_90_percent_cover() -> None:
    assert sp.stock_level(0, 50, 14) == "habis"
    assert sp.stock_level(10, 13, 14) == "menipis"
    assert sp.stock_level(10, 14, 14) == "aman"
    assert sp.stock_level(10, None, 14) == "aman"


def test_recommendation_covers_review_plus_lead_time_at_the_service_level() -> None:
    rng = np.random.default_rng(0)
    paths = rng.poisson(10, size=(4000, 120)).astype(float)
    leads = np.full(4000, 30)
    rec = sp.recommend(paths, on_hand=200, lead_times=leads, review_days=30, service_level=0.95)
    demand60 = paths[:, :60].sum(axis=1)
    assert rec.window_days_p50 == 60
    assert np.mean(demand60 > 200 + rec.quantity) <= 0.05
    assert np.mean(demand60 > 200 + rec.quantity - 10) > 0.05  # not padded beyond need
    assert sp.recommend(paths, 10_000, leads, 30, 0.95).quantity == 0


def test_adjusted_monthly_consumption_scales_for_closures_only() -> None:
    # 90 days, 64 normal working days, 16 of them closed: 480 used.
    amc = sp.adjusted_monthly_consumption(480, 90, 64, 16)
    assert amc == pytest.approx(480 * 64 / 48 * 30.4 / 90)
    assert sp.adjusted_monthly_consumption(480, 90, 64, 0) == pytest.approx(480 * 30.4 / 90)
    assert sp.months_of_stock(4500, 150.0) == 30.0 and sp.months_of_stock(10, 0) is None


@pytest.fixture(scope="module")
def simulated_backtests() -> list[dict[str, bt.Scores]]:
    out = []
    for seed in range(6):
        h = _history(100 + seed)
        assert h.election_window is not None
        models = bt.forecasters(event_windows=(h.election_window,))
        assert list(models) == ["nb_glm", "seasonal_naive", "moving_average_28"]
        _, scores = bt.backtest(h.start, h.used, h.open, models, n_origins=8)
        out.append(scores)
    return out


def test_model_beats_every_baseline_on_pinball_loss(simulated_backtests) -> None:
    mean = {
        name: np.mean([s[name].scaled_pinball for s in simulated_backtests])
        for name in simulated_backtests[0]
    }
    assert mean["nb_glm"] < mean["seasonal_naive"]
    assert mean["nb_glm"] < mean["moving_average_28"]


def test_model_is_calibrated(simulated_backtests) -> None:
    cov90 = np.mean([s["nb_glm"].coverage_90 for s in simulated_backtests])
    cov50 = np.mean([s["nb_glm"].coverage_50 for s in simulated_backtests])
    assert 0.85 <= cov90 <= 0.95
    assert 0.40 <= cov50 <= 0.60


def test_backtest_origins_leave_a_full_horizon() -> None:
    origins = bt.origins_for(200, 28, 56, 6, 7)
    assert len(origins) == 6 and origins[-1] == 172 and origins[0] == 137
    assert bt.origins_for(100, 28, 56, 6, 7) == [58, 65, 72]


def test_multiplier_scales_expected_demand_of_the_days_it_names() -> None:
    h = _history(7, closure=None, election=None, trend_per_year=0.0)
    model = fc.fit(h.start, h.used, h.open)
    future = np.ones(20, dtype=bool)
    factor = np.ones(20)
    factor[10:] = 1.5
    plain = fc.simulate(model, future, n_paths=4000, seed=5)
    scaled = fc.simulate(model, future, n_paths=4000, seed=5, multiplier=factor)
    ratio_first = scaled.paths[:, :10].sum() / plain.paths[:, :10].sum()
    ratio_late = scaled.paths[:, 10:].sum() / plain.paths[:, 10:].sum()
    assert ratio_first == pytest.approx(1.0, abs=0.03)
    assert ratio_late == pytest.approx(1.5, abs=0.06)


def test_a_trend_read_off_a_few_months_of_noise_is_kept_near_zero(monkeypatch) -> None:
    """Three months of a flat demand whose first weeks happened to run high: the data alone
    read a steep decline (and the forecast would follow it for months); the trend's prior
    keeps it near 0. Two years of a real rise of half a year are still read."""
    h = ds.simulate_history(
        start=START,
        days=120,
        holidays=HOLIDAYS,
        closure=None,
        election=None,
        trend_per_year=0.0,
        seed=11,
    )
    used = h.used.copy()
    used[:21] *= 2  # a busy start
    model = fc.fit(h.start, used, h.open)
    trend = model.beta[model.columns.index("trend")]
    monkeypatch.setattr(fc, "TREND_PRIOR_SD", 1e6)
    unchecked = fc.fit(h.start, used, h.open)
    assert unchecked.beta[unchecked.columns.index("trend")] < -1.0  # the data alone
    assert -0.35 < trend < 0
    monkeypatch.undo()
    rising = ds.simulate_history(
        start=START,
        days=730,
        holidays=HOLIDAYS,
        closure=None,
        election=None,
        trend_per_year=0.5,
        seed=12,
    )
    model = fc.fit(rising.start, rising.used, rising.open)
    assert model.beta[model.columns.index("trend")] == pytest.approx(np.log(1.5), abs=0.12)
