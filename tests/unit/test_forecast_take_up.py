"""The registry's first cards (domain.take_up): the take-up rates estimated from an office's
own registry, the backlog and new recordings coming in to print, the events drawing from the
same backlog, and the backtest case of a backlog worked off by a campaign."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pytest

from blangko.domain import backtest as bt
from blangko.domain import demand
from blangko.domain import demand_simulation as ds
from blangko.domain import take_up as tu
from blangko.domain.calendar import indonesian_holidays

HOLIDAYS = frozenset(indonesian_holidays([2024, 2025, 2026, 2027]))
START = date(2025, 9, 1)
TRUE = (0.5, 0.05, 0.02, 0.0005)  # the simulated offices' chances per band


def _office(seed: int, **kw) -> ds.RegistryOffice:  # type: ignore[no-untyped-def]
    return ds.simulate_registry_office(start=START, holidays=HOLIDAYS, seed=seed, **kw)


def _fixed(rates: tuple[float, ...]) -> tu.TakeUp:
    """Take-up rates known exactly (a posterior as narrow as a billion trials)."""
    n = 1e9
    bands = tuple(
        tu.BandRate(lo, hi, r * n, n, r * n + 1e-9, (1 - r) * n)
        for (lo, hi), r in zip(tu.BANDS, rates, strict=True)
    )
    return tu.TakeUp(bands, None, 0, float(np.mean(rates)))


# The estimator -------------------------------------------------------------------------------


def test_known_rates_are_recovered_within_their_intervals() -> None:
    """Ten simulated registries with known chances per band: each band's estimate is close
    to the truth and its 90 % interval holds it about nine times in ten."""
    inside, estimates = 0, {j: [] for j in range(len(tu.BANDS))}
    for seed in range(10):
        office = _office(seed, old_backlog=1500, recordings_per_day=5.0)
        est = tu.estimate(office.registry, START + timedelta(days=300))
        assert est.window == (START - timedelta(days=65), START + timedelta(days=299))
        for j, ((lo, hi), band) in enumerate(zip(est.interval(0.9), est.bands, strict=True)):
            inside += lo <= TRUE[j] <= hi
            estimates[j].append(band.rate)
            assert band.exposure > band.prints > 0
    assert inside >= 30, inside  # of 40 intervals; 36 expected
    for j, values in estimates.items():
        assert np.mean(values) == pytest.approx(TRUE[j], rel=0.1), (j, values)


def test_no_history_gives_the_fallback_rate_with_a_wide_interval() -> None:
    opened = np.ones(800, dtype=bool)
    empty = tu.Registry(
        START,
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, bool),
        opened,
        opened,
    )
    assert not empty.active
    est = tu.estimate(empty, START + timedelta(days=400))
    assert est.pooled == tu.FALLBACK_RATE
    assert all(b.rate == pytest.approx(tu.FALLBACK_RATE) for b in est.bands[1:])
    assert est.bands[0].rate == 0.5  # printed on the spot or not: no idea
    lo, hi = est.interval(0.9)[3]
    assert lo < tu.FALLBACK_RATE / 10 and hi > tu.FALLBACK_RATE * 2


def test_replacement_cards_are_not_first_cards() -> None:
    """A resident whose current card is a replacement printed here held a card before: no
    first print, never waiting."""
    opened = np.ones(100, dtype=bool)
    reg = tu.Registry(
        START,
        np.array([10, 10]),
        np.array([50, 50]),
        np.array([3, 4]),
        np.array([True, True]),
        opened,
        opened,
        replaced=np.array([False, True]),
    )
    assert reg.first_prints(START, 100).sum() == 3
    assert reg.backlog_at(START + timedelta(days=40)).sum() == 3
    assert tu.estimate(reg, START + timedelta(days=100)).bands[2].prints == 3


# The simulation ------------------------------------------------------------------------------


def test_zero_backlog_and_no_recordings_give_zero_first_cards() -> None:
    est = _fixed(TRUE)
    zero = np.zeros(tu.OLD_DAYS + 1)
    parts = tu.simulate(est, zero, np.ones(60, bool), None, n_paths=300, seed=1)
    assert parts.backlog.sum() == 0 and parts.recordings.sum() == 0
    parts = tu.simulate(est, zero, np.ones(60, bool), np.zeros((300, 60)), n_paths=300)
    assert parts.total.sum() == 0
    assert tu.backlog_rate(parts.rates, zero).sum() == 0


def test_an_old_backlog_is_worked_off_at_its_rate() -> None:
    """1.000 residents waiting for years, 2 % a day: the expected prints of each day are the
    survivors times the rate, on open days only, and no path prints more than there are."""
    backlog = tu.ages_to_backlog(np.array([400]), np.array([1000]))
    opened = np.array([d % 7 < 5 for d in range(120)])
    parts = tu.simulate(_fixed((0.5, 0.05, 0.02, 0.02)), backlog, opened, n_paths=2000, seed=2)
    survivors = 1000 * 0.98 ** np.concatenate([[0], np.cumsum(opened)[:-1]])
    want = np.where(opened, survivors * 0.02, 0)
    assert parts.expected_backlog[0] == pytest.approx(want, rel=1e-3)
    assert parts.backlog[:, ~opened].sum() == 0
    total = parts.backlog.sum(axis=1)
    assert total.mean() == pytest.approx(want.sum(), rel=0.02)
    assert total.max() <= 1000


def test_new_recordings_move_through_the_bands_as_they_wait() -> None:
    """100 recorded on day 0: half print that day (band 0), then 5 % a day for 29 days (band
    1-29), then none (band 30-89 at 0)."""
    recordings = np.zeros((50, 40))
    recordings[:, 0] = 100
    parts = tu.simulate(
        _fixed((0.5, 0.05, 0.0, 0.0)),
        np.zeros(tu.OLD_DAYS + 1),
        np.ones(40, bool),
        recordings,
        n_paths=50,
    )
    e = parts.expected_recordings[0]
    assert e[0] == pytest.approx(50, rel=1e-3)
    assert e[1:30] == pytest.approx(50 * 0.05 * 0.95 ** np.arange(29), rel=1e-3)
    assert e[30:] == pytest.approx(0, abs=1e-9)
    assert parts.expected_backlog.sum() == 0


def test_an_event_draws_from_the_same_backlog() -> None:
    """An election that sends 300 of the backlog to print takes them out of it: the backlog
    part then brings fewer, and the two together never exceed the backlog."""
    backlog = tu.ages_to_backlog(np.array([200]), np.array([1000]))
    opened = np.ones(60, bool)
    rates = _fixed((0.5, 0.05, 0.02, 0.01))
    plain = tu.simulate(rates, backlog, opened, n_paths=500, seed=3)
    draw = np.zeros((500, 60))
    draw[:, 10:20] = 30  # 300 over ten days
    with_event = tu.simulate(rates, backlog, opened, n_paths=500, seed=3, event_draw=draw)
    assert with_event.drawn_by_events == pytest.approx(np.full(500, 300.0))
    before = plain.expected_backlog[0].sum()
    after = with_event.expected_backlog[0].sum()
    # Without the event, 1000 x (1 - 0.99^60) = 453 come; 300 leave after 10-19 days, of whom
    # about 41 % would have come within the 60 days anyway: about 120 fewer.
    assert 100 < before - after < 140
    assert (with_event.backlog.sum(axis=1) + 300).max() <= 1000 + 1e-9


def test_first_cards_taken_out_of_the_use() -> None:
    used = np.array([10.0, 12, 8, 0])
    ledger = np.array([4.0, 6, 2, 0])
    # Both books agree: the ledger's first cards, day by day.
    assert tu.first_cards_in_use(used, ledger, ledger) == pytest.approx(ledger)
    # The registry shows half as many (not refreshed): half of them, the rest stays in use.
    assert tu.first_cards_in_use(used, ledger, ledger / 2) == pytest.approx(ledger / 2)
    # The registry shows more (cards printed off these books): no more than the ledger's.
    assert tu.first_cards_in_use(used, ledger, ledger * 5) == pytest.approx(ledger)
    # A ledger without service types: the registry's, as far as the use goes.
    registry = np.array([3.0, 20, 1, 5])
    assert tu.first_cards_in_use(used, np.zeros(4), registry) == pytest.approx([3, 12, 1, 0])


# The backtest case: a backlog worked off -----------------------------------------------------

CAMPAIGN = (300, 61, 0.08)  # from day 300, two months, 8 % of the old backlog a day


def test_a_campaign_clears_the_old_backlog_and_prints_fall_back() -> None:
    office = _office(0, campaign=CAMPAIGN)
    during = office.first[300:361].sum()
    assert during > 2700  # about 3.000 old PRR printed in two months
    assert office.registry.backlog_at(START + timedelta(days=361))[tu.OLD_DAYS] < 250
    per_open_day = office.first[361:].sum() / office.open[361:].sum()
    assert per_open_day < during / office.open[300:361].sum() / 5


@pytest.fixture(scope="module")
def campaign_backtests() -> list[dict[str, bt.Scores]]:
    """Origins 2 to 7 weeks after the campaign ended: the old model has seen the high rate
    at the end of its history, the new one sees the backlog emptied."""
    out = []
    for seed in range(3):
        office = _office(seed, campaign=CAMPAIGN)
        models = bt.forecasters(office.registry, office.first)
        _, scores = bt.backtest(office.start, office.used, office.open, models)
        out.append(scores)
    return out


def test_after_a_campaign_the_registry_model_beats_the_old_one_and_the_baselines(
    campaign_backtests: list[dict[str, bt.Scores]],
) -> None:
    mean = {
        name: np.mean([s[name].scaled_pinball for s in campaign_backtests])
        for name in campaign_backtests[0]
    }
    assert mean["nb_glm_prr"] < mean["seasonal_naive"]
    assert mean["nb_glm_prr"] < mean["moving_average_28"]
    assert mean["nb_glm_prr"] < mean["nb_glm"] / 5  # the old one extrapolates the campaign
    cov90 = np.mean([s["nb_glm_prr"].coverage_90 for s in campaign_backtests])
    assert 0.85 <= cov90 <= 0.98
    # The old model's 90 % intervals hold about 6 actuals in 10.
    assert np.mean([s["nb_glm"].coverage_90 for s in campaign_backtests]) < 0.7


def test_without_a_registry_the_registry_model_is_the_old_one() -> None:
    """The existing cases (ledger histories without a registry) score exactly as before."""
    h = ds.simulate_history(start=START, days=200, holidays=HOLIDAYS, election=None, seed=3)
    opened = np.ones(600, bool)
    empty = tu.Registry(
        START - timedelta(days=365),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, bool),
        opened,
        opened,
    )
    future = h.open[150:178]
    old = bt.nb_model()(h.start, h.used[:150], h.open[:150], future)
    new = bt.nb_prr_model(empty, np.zeros(200))(h.start, h.used[:150], h.open[:150], future)
    assert np.array_equal(old, new)


# The forecast's model, one for the forecast and its backtest (domain.demand) ---------------


def test_the_model_reads_nothing_its_origin_could_not_have_known() -> None:
    """The registry at an origin, and the same registry as it stood then (nobody recorded
    or printed after the origin, its recording calendar after it closed where nobody
    recorded): the forecast from the origin is the same, path for path."""
    office = _office(4)
    k = 300
    origin = START + timedelta(days=k)
    reg = office.registry
    o = reg.offset(origin)
    known = reg.recorded < o
    then = dataclasses.replace(
        reg,
        recorded=reg.recorded[known],
        printed=np.where(reg.printed[known] >= o, tu.NEVER, reg.printed[known]),
        count=reg.count[known],
        alive=reg.alive[known],
    )
    future = office.open[k : k + 28]
    run = {
        name: demand.forecast(
            START,
            office.used[:k],
            office.open[:k],
            future,
            r,
            office.first,
            n_paths=300,
            seed=1,
        )
        for name, r in (("now", reg), ("then", then))
    }
    assert run["now"].parts.total.sum() > 0
    assert np.array_equal(run["now"].paths, run["then"].paths)
    # The recording calendar after the origin is the calendar, not the recordings made.
    closed = reg.record_open.copy()
    closed[o : o + 28] = False
    shut = demand.forecast(
        START,
        office.used[:k],
        office.open[:k],
        future,
        dataclasses.replace(reg, record_open=closed),
        office.first,
        n_paths=300,
        seed=1,
    )
    assert shut.parts.recordings.sum() == 0 < run["now"].parts.recordings.sum()


def test_each_part_of_the_model_agrees_with_what_followed() -> None:
    """Steady offices: the first cards and the other use, each forecast at the backtest's
    origins, against the blanks that followed (`backtest.part_checks`)."""
    ratios: dict[str, list[float]] = {"first_cards": [], "replacements_other": []}
    for seed in range(3):
        office = _office(seed)
        for check in bt.part_checks(
            office.start, office.used, office.open, office.registry, office.first
        ):
            ratios[check.part].append(check.forecast / check.actual)
    for part, values in ratios.items():
        assert 0.85 <= np.mean(values) <= 1.2, (part, values)


def test_the_backtest_compares_one_set_of_models() -> None:
    office = _office(0)
    assert list(bt.forecasters()) == ["nb_glm", "seasonal_naive", "moving_average_28"]
    models = bt.forecasters(office.registry, office.first)
    assert list(models) == ["nb_glm", "nb_glm_prr", "seasonal_naive", "moving_average_28"]
    k = 300
    future = office.open[k : k + 28]
    q = models["nb_glm_prr"](office.start, office.used[:k], office.open[:k], future)
    d = demand.forecast(
        office.start,
        office.used[:k],
        office.open[:k],
        future,
        office.registry,
        office.first,
        n_paths=1000,
        seed=0,
    )
    assert np.array_equal(q, np.quantile(d.paths, bt.QUANTILES, axis=0))
