"""The national allocation: exact against brute force and an LP, bounds, boxes, the election
weight, each comparison policy's arithmetic and the edge cases."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from blangko.domain.allocation import (
    AllocationInput,
    OfficeNeed,
    Tranche,
    compare,
    equal_split,
    evaluate,
    max_min,
    optimise,
    proportional_to_asked,
    proportional_to_backlog,
)
from blangko.domain.errors import DomainError


def _random_case(
    seed: int, n_offices: int, box: int, stock: int, objective: str = "waiting"
) -> AllocationInput:
    rng = np.random.default_rng(seed)
    offices = []
    for i in range(n_offices):
        mu = rng.uniform(1, 6)
        paths = rng.poisson(mu, size=(9, 4))
        offices.append(
            OfficeNeed(
                office=f"17.0{i}",
                on_hand=int(rng.integers(0, 8)),
                in_transit=int(rng.integers(0, 3)),
                paths=paths,
                lead=int(rng.integers(0, 2)),
                election=bool(rng.random() < 0.3),
                min_qty=int(rng.integers(0, 2)) * box,
                max_qty=None if rng.random() < 0.5 else int(rng.integers(2, 5)) * box,
            )
        )
    return AllocationInput(national_stock=stock, offices=offices, box_size=box, objective=objective)


def _brute_force(inp: AllocationInput) -> float:
    box = inp.box_size
    available = inp.national_stock // box
    ranges = []
    for o in inp.offices:
        lo = -(-o.min_qty // box)
        hi = available if o.max_qty is None else o.max_qty // box
        ranges.append(range(lo, min(hi, available) + 1))
    best = float("inf")
    for combo in itertools.product(*ranges):
        if sum(combo) <= available:
            best = min(best, evaluate(inp, [b * box for b in combo]).weighted_unmet)
    return best


@pytest.mark.parametrize("objective", ["waiting", "horizon_end"])
@pytest.mark.parametrize("seed", range(25))
def test_greedy_equals_brute_force_on_small_cases(seed: int, objective: str) -> None:
    rng = np.random.default_rng(1000 + seed)
    box = int(rng.choice([1, 2, 5]))
    stock = int(rng.integers(0, 12)) * box + int(rng.integers(0, box))
    inp = _random_case(
        seed, n_offices=int(rng.integers(2, 5)), box=box, stock=stock, objective=objective
    )
    mins = sum(o.min_qty for o in inp.offices)
    if mins > inp.national_stock:  # keep the draw feasible (infeasible bounds: tested below)
        inp = replace(inp, national_stock=mins + int(rng.integers(0, 4)) * box)
    ours = optimise(inp)
    assert ours.weighted_unmet == pytest.approx(_brute_force(inp), abs=1e-9)
    assert ours.shipped <= inp.national_stock
    for o, q in zip(inp.offices, ours.quantities, strict=True):
        assert q % box == 0
        assert q >= o.min_qty
        assert o.max_qty is None or q <= o.max_qty


@pytest.mark.parametrize("objective", ["waiting", "horizon_end"])
def test_greedy_equals_the_lp_optimum(objective: str) -> None:
    """With one-blank boxes and whole-number demand the LP (HiGHS) has the integer optimum:
    min sum_i w_i / paths * sum_(k,t) u_ikt, u_ikt >= C_ikt - s_i - q_i (t >= lead_i),
    u >= 0, 0 <= q_i <= max_i, sum_i q_i <= stock."""
    highspy = pytest.importorskip("highspy")
    rng = np.random.default_rng(7)
    n_off, n_paths, stock = 6, 40, 150
    offices = [
        OfficeNeed(
            office=f"o{i}",
            on_hand=int(rng.integers(0, 30)),
            paths=rng.poisson(rng.uniform(2, 12), size=(n_paths, 5)),
            election=i % 3 == 0,
            max_qty=60 if i == 2 else None,
            lead=i % 3,
        )
        for i in range(n_off)
    ]
    inp = AllocationInput(
        national_stock=stock,
        offices=offices,
        box_size=1,
        election_weight=2.0,
        objective=objective,
    )
    ours = optimise(inp)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    for o in offices:  # q_i first
        h.addVar(0.0, inf if o.max_qty is None else float(o.max_qty))
    fixed = 0.0
    for i, o in enumerate(offices):
        w = 2.0 if o.election else 1.0
        gap = np.cumsum(np.asarray(o.paths), axis=1) - o.on_hand  # (paths, periods)
        if objective == "horizon_end":
            terms = [(k, gap[k, -1]) for k in range(n_paths)]  # waiting is not lost: no lead
        else:
            fixed += w * np.maximum(gap[:, : o.lead], 0).sum() / n_paths
            terms = [(k, gap[k, t]) for k in range(n_paths) for t in range(o.lead, 5)]
        for _, value in terms:
            h.addVar(0.0, inf)
            col = h.getNumCol() - 1
            h.changeColCost(col, w / n_paths)
            h.addRow(  # u + q_i >= value
                float(value), inf, 2, np.array([col, i], dtype=np.int32), np.array([1.0, 1.0])
            )
    h.addRow(-inf, float(stock), n_off, np.arange(n_off, dtype=np.int32), np.ones(n_off))
    h.run()
    lp = h.getInfo().objective_function_value + fixed
    assert ours.weighted_unmet == pytest.approx(lp, abs=1e-6)


def _office(code: str, mean: float, on_hand: int = 0, **kw: object) -> OfficeNeed:
    rng = np.random.default_rng(abs(hash(code)) % 1000)
    return OfficeNeed(office=code, on_hand=on_hand, paths=rng.poisson(mean, size=(200, 4)), **kw)  # type: ignore[arg-type]


def test_whole_boxes_within_bounds_and_never_more_than_the_stock() -> None:
    offices = [
        _office("a", 300, min_qty=250),  # rounds up to 3 boxes
        _office("b", 300, max_qty=450),  # rounds down to 4 boxes
        _office("c", 50),
    ]
    inp = AllocationInput(national_stock=2_050, offices=offices, box_size=100)
    for ev in compare(inp).values():
        assert ev.shipped <= 2_000  # 20 whole boxes, the 50 stay central
        assert all(q % 100 == 0 for q in ev.quantities)
        assert ev.quantities[0] >= 300
        assert ev.quantities[1] <= 400
        assert ev.left_central == 2_050 - ev.shipped


def test_election_weight_gives_priority_in_a_shortage() -> None:
    same = np.full((50, 4), 100)  # 400 over the horizon, no uncertainty
    offices = [
        OfficeNeed(office="a", on_hand=0, paths=same),
        OfficeNeed(office="b", on_hand=0, paths=same, election=True),
    ]
    plain = optimise(AllocationInput(600, offices, box_size=100, election_weight=1.0))
    assert plain.quantities == [300, 300]  # a shortage shared
    end = "horizon_end"
    weighted = optimise(
        AllocationInput(600, offices, box_size=100, election_weight=1.5, objective=end)
    )
    assert weighted.quantities == [200, 400]
    assert weighted.total_unmet == pytest.approx(200)  # all 200 short at the office without
    assert weighted.weighted_unmet == pytest.approx(200)
    # waiting over the periods: box k saves 100 x (5 - k) resident-periods; weighted 3 the
    # election office's fourth box (3 x 100) beats the other's third (200)
    waiting = optimise(AllocationInput(600, offices, box_size=100, election_weight=3.0))
    assert waiting.quantities == [200, 400]
    assert waiting.total_unmet == pytest.approx(100 + 200)


def test_ours_has_the_least_weighted_unmet_of_all_policies() -> None:
    offices = [
        _office("a", 400, on_hand=100, asked=3_000, backlog=5_000),
        _office("b", 100, on_hand=600, asked=500, backlog=200),
        _office("c", 250, on_hand=0, asked=1_000, backlog=100, election=True),
        _office("d", 20, on_hand=0, asked=200, backlog=3_000),
    ]
    result = compare(AllocationInput(2_000, offices, box_size=100))
    best = result["ours"].weighted_unmet
    assert all(best <= ev.weighted_unmet + 1e-9 for ev in result.values())


def test_comparison_policy_arithmetic() -> None:
    offices = [
        _office("a", 10, on_hand=0, asked=600, backlog=300, amc=100.0),
        _office("b", 10, on_hand=50, asked=200, backlog=100, amc=50.0),
        _office("c", 10, on_hand=400, asked=0, backlog=0, amc=100.0),
    ]
    inp = AllocationInput(1_000, offices, box_size=100, max_periods=3.0)
    # equal: 10 boxes over 3 offices: 3 each, the last box by the largest remainder (first)
    assert equal_split(inp).quantities == [400, 300, 300]
    # asked: 600:200 of 1.000 is 750:250, capped at what was asked: 600 and 200
    assert proportional_to_asked(inp).quantities == [600, 200, 0]
    # backlog: 300:100 -> 750:250 -> boxes 7 and 2, the last box by largest remainder
    assert proportional_to_backlog(inp).quantities == [800, 200, 0]
    # max-min: room to 3 x amc: 300, 100, none (400 > 300)
    assert max_min(inp).quantities == [300, 100, 0]


def test_the_evaluator_counts_residents_and_offices_running_out() -> None:
    paths = np.array([[100, 100], [300, 100]])  # cumulative 100, 200 and 300, 400
    office = OfficeNeed(office="a", on_hand=100, paths=paths)
    end = AllocationInput(1_000, [office], box_size=100, objective="horizon_end")
    ev = evaluate(end, [200])  # stock 300: short 0 and 100 at the end
    assert ev.total_unmet == pytest.approx(50)
    assert ev.offices_stocking_out == pytest.approx(0.5)
    waiting = AllocationInput(1_000, [office], box_size=100)
    # stock 300: path 2 waits 0 after period 0 and 100 after period 1
    assert evaluate(waiting, [200]).total_unmet == pytest.approx(50)
    assert evaluate(waiting, [0]).total_unmet == pytest.approx((0 + 100 + 200 + 300) / 2)
    late = AllocationInput(1_000, [replace(office, lead=1)], box_size=100)
    # the delivery comes after period 0: path 2 waits 200 then; after it, nobody
    assert evaluate(late, [300]).total_unmet == pytest.approx(100)
    assert evaluate(late, [300]).offices_stocking_out == pytest.approx(0.5)
    # residents wait for a blank, they do not leave: the end of the horizon ignores the lead
    late_end = AllocationInput(
        1_000, [replace(office, lead=1)], box_size=100, objective="horizon_end"
    )
    assert evaluate(late_end, [300]).total_unmet == pytest.approx(0)


def test_an_incoming_tranche_cuts_the_horizon() -> None:
    paths = np.full((10, 8), 100)
    far = AllocationInput(5_000, [OfficeNeed(office="a", on_hand=0, paths=paths)], box_size=100)
    near = AllocationInput(
        5_000,
        [OfficeNeed(office="a", on_hand=0, paths=paths)],
        incoming=[Tranche(period=3, quantity=10_000)],
        box_size=100,
    )
    assert optimise(far).quantities == [800]
    assert optimise(near).quantities == [300]  # what carries it to the tranche


def test_zero_stock_and_zero_demand() -> None:
    offices = [_office("a", 50), OfficeNeed(office="b", on_hand=0, paths=np.zeros((5, 4)))]
    none = compare(AllocationInput(0, offices))
    assert all(ev.shipped == 0 for ev in none.values())
    ours = optimise(AllocationInput(10_000, offices))
    assert ours.quantities[1] == 0  # no box where nobody will come
    assert ours.left_central > 0  # and nothing shipped that helps no one


@pytest.mark.parametrize(
    ("inp", "code"),
    [
        (AllocationInput(100, [_office("a", 5, min_qty=200)]), "bounds_infeasible"),
        (AllocationInput(1_000, [_office("a", 5, min_qty=150, max_qty=190)]), "bounds_infeasible"),
        (AllocationInput(1_000, [_office("a", 5)], box_size=0), "box_size"),
        (AllocationInput(-1, [_office("a", 5)]), "national_stock"),
        (AllocationInput(100, [OfficeNeed(office="a", on_hand=0, paths=[])]), "paths"),
        (
            AllocationInput(100, [_office("a", 5), OfficeNeed("b", 0, paths=[[1, 2, 3]])]),
            "paths",
        ),
        (AllocationInput(100, [OfficeNeed(office="a", on_hand=-1, paths=[[1]])]), "negative"),
        (AllocationInput(100, [_office("a", 5, min_qty=-1)]), "bounds_negative"),
        (AllocationInput(100, [_office("a", 5)], objective="fastest"), "objective"),
    ],
)
def test_bad_input_is_a_clear_domain_error(inp: AllocationInput, code: str) -> None:
    with pytest.raises(DomainError) as err:
        optimise(inp)
    assert err.value.code == code
    assert err.value.field in ("quantity", "office", "kind")
    assert str(err.value.message)
