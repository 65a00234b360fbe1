"""The rules of rationing (domain.rationing), pure: the policy's checks, the class an
application is served as, the rationed queue's order, the expected print days under a cap,
and the forecast's capped prints and waits per class; property tests with Hypothesis."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from blangko.domain import rationing as dr
from blangko.domain.errors import Conflict, DomainError

D = date(2026, 12, 1)


def test_the_fields_defaults() -> None:
    p = dr.check_policy(start=D, end=D, daily_cap=0, classes=None, others_get=None)
    assert (p.classes, p.others_get, p.daily_cap) == (("suket", "pemula", "bencana"), "suket", 0)


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"daily_cap": -1}, "cap_negative", "daily_cap"),
        ({"daily_cap": dr.CAP_MAX + 1}, "cap_too_large", "daily_cap"),
        ({"end": D - timedelta(days=1)}, "end_before_start", "end"),
        ({"classes": ["pemula", "vip"]}, "unknown_class", "classes"),
        ({"classes": ["suket", "suket"]}, "class_repeated", "classes"),
        ({"others_get": "pulang"}, "unknown_others", "others_get"),
        ({"start": None}, "required", "start"),
    ],
)
def test_bad_policies(kw, code, field) -> None:  # type: ignore[no-untyped-def]
    args = {"start": D, "end": D, "daily_cap": 1, "classes": None, "others_get": None, **kw}
    with pytest.raises(DomainError) as err:
        dr.check_policy(**args)
    assert (err.value.code, err.value.field) == (code, field)


def test_overlap_is_refused_and_touching_is_not() -> None:
    p = dr.check_policy(
        start=D, end=D + timedelta(days=5), daily_cap=1, classes=[], others_get=None
    )
    with pytest.raises(Conflict):
        dr.check_no_overlap(p, [(1, D + timedelta(days=5), D + timedelta(days=9))])
    dr.check_no_overlap(p, [(1, D + timedelta(days=6), D + timedelta(days=9))])
    dr.check_no_overlap(p, [(2, D - timedelta(days=3), D - timedelta(days=1))])


def test_classes_of_an_application() -> None:
    assert dr.classes_of("perubahan_data", True, {"ket_bencana": "BPBD/1"}) == {
        "perubahan_data",
        "suket",
        "bencana",
    }
    classes = ("bencana", "pemula")
    assert dr.class_key(classes, {"perubahan_data", "bencana"}) == "bencana"
    assert dr.class_key(classes, {"hilang"}) == dr.OTHERS_CLASS
    assert dr.rank(classes, {"hilang"}) == 2


MEMBERS = st.frozensets(st.sampled_from(dr.CLASSES), max_size=3)
ITEMS = st.lists(st.tuples(MEMBERS, st.integers(0, 30), st.integers(0, 5)), min_size=0, max_size=30)
POLICY_CLASSES = st.lists(st.sampled_from(dr.CLASSES), unique=True, max_size=6)


@given(items=ITEMS, classes=POLICY_CLASSES)
def test_property_no_higher_class_behind_a_lower_one(items, classes) -> None:  # type: ignore[no-untyped-def]
    queue = dr.order_rationed(
        [
            dr.RationItem(f"R{i:03d}", m, D - timedelta(days=age), seq)
            for i, (m, age, seq) in enumerate(items)
        ],
        classes,
    )
    ranks = [dr.rank(classes, q.classes) for q in queue]
    assert ranks == sorted(ranks)
    # And the print path's rule agrees: the first of the queue never has a higher class waiting.
    if queue:
        assert dr.higher_waiting(classes, queue[0].classes, [q.classes for q in queue]) == 0


@given(
    positions=st.integers(0, 60),
    cap=st.integers(0, 7),
    printed=st.integers(0, 9),
    gaps=st.lists(st.integers(1, 3), min_size=1, max_size=15),
)
def test_property_expected_days_never_exceed_the_cap(positions, cap, printed, gaps) -> None:  # type: ignore[no-untyped-def]
    days, day = [], D
    for g in gaps:
        days.append(day)
        day += timedelta(days=g)
    got = dr.expected_days(positions, cap, days, printed, D)
    assert len(got) == positions
    per_day = Counter(d for d in got if d is not None)
    assert per_day.get(D, 0) <= max(0, cap - printed)
    assert all(n <= cap for n in per_day.values())
    dated = [d for d in got if d is not None]
    assert dated == sorted(dated)  # the queue's order is kept
    assert all(d is None for d in got[len(dated) :])  # None only beyond the days given


@given(
    demand=st.lists(st.lists(st.integers(0, 12), min_size=12, max_size=12), min_size=1, max_size=6),
    cap=st.integers(0, 10),
    until=st.integers(0, 12),
)
def test_property_served_paths_keep_the_cap_and_lose_nobody(demand, cap, until) -> None:  # type: ignore[no-untyped-def]
    paths = np.array(demand, dtype=float)
    active = np.arange(12) < until
    served, waiting = dr.served_paths(paths, cap, active)
    assert (served[:, active] <= cap).all()
    # Nobody is lost: served + still waiting = demand, every day.
    assert np.allclose(served.cumsum(axis=1) + waiting, paths.cumsum(axis=1))
    if until < 12:  # after the policy, the waiting are all printed
        assert (waiting[:, until:] == 0).all()


def test_class_waits_serve_the_first_class_first() -> None:
    paths = np.full((4, 30), 10.0)
    active = np.ones(30, dtype=bool)
    first, second, others = dr.class_waits(paths, [1, 1, 2], 6, active)
    assert first == 0.0  # 2,5 a day of 6: never waits
    assert second is not None and others is not None and others > second >= 0
    assert dr.class_waits(paths, [1, 0], 6, active)[1] is None


def test_suggestion() -> None:
    assert dr.suggested_cap(1000, 20) == 50
    assert dr.suggested_cap(10, 0) == 10
    assert dr.should_suggest(0.4, 0.3, active=False)
    assert not dr.should_suggest(0.4, 0.3, active=True)
    assert not dr.should_suggest(0.3, 0.3, active=False)
