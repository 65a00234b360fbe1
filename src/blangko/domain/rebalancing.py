"""Loans between offices: from offices whose stock exceeds their need with high confidence to
offices at risk of running out, same province first.

A donor keeps what covers its demand over the horizon on ``confidence`` (p90) of the paths plus
``safety`` blanks; the rest of its stock on hand (in whole boxes) may be lent. A receiver is at
risk when it runs out on more than ``risk`` of the paths; it asks for what brings its stock to
the same p90 need (whole boxes). Surplus and deficit meet as a transport problem whose cost is
the number of shipments weighted by a distance proxy: a loan within the province costs 1, to
another province on the same island group (the first digit of the province code: 1 Sumatra, 3
Java, 5 Bali and Nusa Tenggara, 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua) costs 3, further
costs 10. Tier by tier, cheapest first, the largest deficit takes from the largest surplus
(each step closes a donor or a receiver, so a group of m donors and n receivers needs at most
m + n - 1 shipments, the size of a basic solution of the transport problem). Every loan carries
its expected effect on both offices (expected unmet demand and stockout probability before and
after, from `domain.allocation.shortfall_model`); a loan that would not lower the two offices'
expected unmet demand taken together is not proposed.

An office that owes an overdue loan (``owing``: it borrowed, the due date passed, not all is
back) lends nothing new: what it holds beyond its need is the lender's, and goes back first
(its return is a step of the loan it owes, not a new loan). It may still receive one when at
risk: an overdue debt does not make its residents wait.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from blangko.domain.allocation import DEFAULT_BOX_SIZE, OfficeNeed, shortfall_model

TIER_COST = {"province": 1, "island": 3, "far": 10}


@dataclass(frozen=True)
class Loan:
    """One proposed loan of ``quantity`` blanks and its expected effect on both offices."""

    from_office: str
    to_office: str
    quantity: int
    tier: str  # province, island or far
    cost: int
    donor_unmet_before: float
    donor_unmet_after: float
    receiver_unmet_before: float
    receiver_unmet_after: float
    receiver_stockout_before: float
    receiver_stockout_after: float


def tier_of(a: str, b: str) -> str:
    """The distance proxy between two provinces (codes such as "17")."""
    if a == b:
        return "province"
    if a[:1] == b[:1]:
        return "island"
    return "far"


def _need(paths: np.ndarray, confidence: float) -> float:
    return float(np.quantile(np.asarray(paths, dtype=float).sum(axis=1), confidence))


def propose(
    offices: Sequence[OfficeNeed],
    *,
    confidence: float = 0.9,
    safety: int = 0,
    risk: float = 0.2,
    box_size: int = DEFAULT_BOX_SIZE,
    loan_lead: int = 0,
    owing: Collection[str] = (),
) -> list[Loan]:
    """Loans that move surplus to offices at risk, cheapest tier first; no office in
    ``owing`` (it owes an overdue loan) lends (see the module)."""
    surplus: dict[int, int] = {}
    deficit: dict[int, int] = {}
    debtors = set(owing)
    for i, o in enumerate(offices):
        need = _need(np.asarray(o.paths), confidence)
        position = o.on_hand + o.in_transit
        spare = min(o.on_hand, int(math.floor(position - need - safety)))
        model = shortfall_model(o)
        if spare >= box_size:
            if o.office not in debtors:
                surplus[i] = (spare // box_size) * box_size
        elif model.stockout_probability(0) > risk and need > position:
            deficit[i] = int(math.ceil((need - position) / box_size)) * box_size
    loans: list[Loan] = []
    group_key = {
        "province": lambda i: offices[i].province,
        "island": lambda i: offices[i].province[:1],
        "far": lambda i: "",
    }
    for tier in ("province", "island", "far"):
        key = group_key[tier]
        groups = sorted({key(r) for r in deficit} & {key(d) for d in surplus})
        for g in groups:
            donors = [(-surplus[d], d) for d in surplus if key(d) == g]
            takers = [(-deficit[r], r) for r in deficit if key(r) == g]
            heapq.heapify(donors)
            heapq.heapify(takers)
            while donors and takers:
                _, d = heapq.heappop(donors)
                _, r = heapq.heappop(takers)
                qty = min(surplus[d], deficit[r])
                loan = _effect(offices[d], offices[r], qty, tier, loan_lead)
                # the pair is settled either way: the receiver takes what this donor can give
                surplus[d] -= qty
                deficit[r] -= qty
                if surplus[d] > 0:
                    heapq.heappush(donors, (-surplus[d], d))
                else:
                    del surplus[d]
                if deficit[r] > 0:
                    heapq.heappush(takers, (-deficit[r], r))
                else:
                    del deficit[r]
                if loan is not None:
                    loans.append(loan)
    return loans


def _effect(donor: OfficeNeed, receiver: OfficeNeed, qty: int, tier: str, lead: int) -> Loan | None:
    dm = shortfall_model(replace(donor, lead=0))  # lent today
    # a loan to another province travels a period longer
    rm = shortfall_model(replace(receiver, lead=lead + (0 if tier == "province" else 1)))
    d0, d1 = dm.expected_unmet(0), dm.expected_unmet(-qty)
    r0, r1 = rm.expected_unmet(0), rm.expected_unmet(qty)
    if (r0 - r1) - (d1 - d0) <= 0:
        return None
    return Loan(
        from_office=donor.office,
        to_office=receiver.office,
        quantity=qty,
        tier=tier,
        cost=TIER_COST[tier],
        donor_unmet_before=d0,
        donor_unmet_after=d1,
        receiver_unmet_before=r0,
        receiver_unmet_after=r1,
        receiver_stockout_before=rm.stockout_probability(0),
        receiver_stockout_after=rm.stockout_probability(qty),
    )
