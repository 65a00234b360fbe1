"""Loans proposed between offices: surplus to risk, same province first, effects on both."""

from __future__ import annotations

import numpy as np
import pytest

from blangko.domain.allocation import OfficeNeed
from blangko.domain.rebalancing import propose, tier_of


def _office(code: str, on_hand: int, mean: float, seed: int = 0) -> OfficeNeed:
    rng = np.random.default_rng(seed)
    return OfficeNeed(
        office=code,
        on_hand=on_hand,
        paths=rng.poisson(mean, size=(400, 8)),
        province=code[:2],
    )


def test_tiers_follow_the_province_code() -> None:
    assert tier_of("17", "17") == "province"
    assert tier_of("17", "16") == "island"  # Bengkulu and Sumatera Selatan
    assert tier_of("17", "33") == "far"  # Bengkulu and Jawa Tengah


def test_same_province_donor_first_and_the_effect_on_both() -> None:
    offices = [
        _office("17.01", on_hand=6_000, mean=100, seed=1),  # needs about 800: surplus
        _office("17.04", on_hand=100, mean=100, seed=2),  # at risk
        _office("33.01", on_hand=9_000, mean=100, seed=3),  # bigger surplus, far away
    ]
    loans = propose(offices, box_size=100)
    assert len(loans) == 1
    loan = loans[0]
    assert (loan.from_office, loan.to_office, loan.tier, loan.cost) == (
        "17.01",
        "17.04",
        "province",
        1,
    )
    assert loan.quantity % 100 == 0
    p90 = np.quantile(np.asarray(offices[1].paths).sum(axis=1), 0.9)
    assert 100 + loan.quantity >= p90  # brought up to its p90 need
    assert loan.receiver_unmet_after < loan.receiver_unmet_before
    assert loan.receiver_stockout_after < 0.2 < loan.receiver_stockout_before
    assert loan.donor_unmet_after == pytest.approx(loan.donor_unmet_before, abs=1e-9)


def test_other_provinces_when_the_province_has_no_surplus() -> None:
    offices = [
        _office("17.04", on_hand=0, mean=100, seed=2),
        _office("16.01", on_hand=2_000, mean=100, seed=4),  # same island: cost 3
        _office("33.01", on_hand=9_000, mean=100, seed=3),
    ]
    loans = propose(offices, box_size=100)
    assert [(x.from_office, x.tier) for x in loans][0] == ("16.01", "island")
    # 16.01 can lend what is above its own p90 need; the rest comes from far away
    donor_need = np.quantile(np.asarray(offices[1].paths).sum(axis=1), 0.9)
    lent_by_16 = sum(x.quantity for x in loans if x.from_office == "16.01")
    assert 2_000 - lent_by_16 >= donor_need
    assert {x.tier for x in loans} <= {"island", "far"}


def test_a_donor_keeps_its_need_and_safety() -> None:
    offices = [_office("17.01", on_hand=1_500, mean=100, seed=1), _office("17.04", 0, 100, seed=2)]
    need = np.quantile(np.asarray(offices[0].paths).sum(axis=1), 0.9)
    loans = propose(offices, box_size=100, safety=300)
    lent = sum(x.quantity for x in loans)
    assert 1_500 - lent >= need + 300
    assert lent % 100 == 0


def test_nothing_to_do_when_nobody_is_at_risk_or_nobody_has_surplus() -> None:
    calm = [_office("17.01", 5_000, 100, seed=1), _office("17.04", 3_000, 100, seed=2)]
    assert propose(calm) == []
    short = [_office("17.01", 0, 100, seed=1), _office("17.04", 100, 100, seed=2)]
    assert propose(short) == []


def test_few_shipments_for_many_offices() -> None:
    donors = [_office(f"17.0{i}", on_hand=5_000, mean=100, seed=i) for i in range(1, 4)]
    receivers = [_office(f"17.1{i}", on_hand=0, mean=100, seed=10 + i) for i in range(5)]
    loans = propose(donors + receivers, box_size=100)
    assert len(loans) <= len(donors) + len(receivers) - 1
    assert {x.to_office for x in loans} == {r.office for r in receivers}  # all served
    for d in donors:
        assert sum(x.quantity for x in loans if x.from_office == d.office) <= 5_000


def test_an_office_owing_an_overdue_loan_lends_nothing_new() -> None:
    """17.01 has the surplus but owes an overdue loan: its spare blanks go back to its lender
    first, so the loan comes from the next donor (further away), and it may still receive."""
    offices = [
        _office("17.01", on_hand=6_000, mean=100, seed=1),
        _office("17.04", on_hand=100, mean=100, seed=2),
        _office("16.01", on_hand=6_000, mean=100, seed=4),
    ]
    assert {x.from_office for x in propose(offices, box_size=100)} == {"17.01"}
    owing = propose(offices, box_size=100, owing={"17.01"})
    assert owing and {x.from_office for x in owing} == {"16.01"}
    assert {x.to_office for x in owing} == {"17.04"}
    at_risk = propose(offices, box_size=100, owing={"17.04"})  # a debtor at risk still receives
    assert {x.to_office for x in at_risk} == {"17.04"}
