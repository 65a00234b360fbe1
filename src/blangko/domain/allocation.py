"""How to split a scarce national stock of blanks across offices, in whole boxes.

The input is one `AllocationInput` (documented field by field below): the directorate's stock,
its known incoming tranches, and per office (`OfficeNeed`) the stock on hand and in transit,
the forecast's demand sample paths over the horizon, the open request, the PRR backlog, the
bounds and whether a village-head election falls within the horizon.

The model. A resident who finds no blank waits (with a suket) and is served first when blanks
arrive. An office with ``s`` blanks on hand or in transit that receives ``q`` blanks at the
start of period ``L`` (its lead time) has, on sample path ``k`` at the end of period ``t``,

    waiting_k,t(q) = (C_k,t - s - q [t >= L])^+      C_k,t: demand of periods 0..t

residents waiting for a blank. Two objectives, both sums of such terms, so both convex,
decreasing and piecewise linear in ``q``:

- ``waiting`` (the default): the expected resident-periods of waiting over the horizon,
  ``mean_k sum_t waiting_k,t(q)`` (a resident who waits three weeks counts three times: the
  average waiting list, which is what "the fewest residents waiting" means over time);
- ``horizon_end``: the residents still waiting at the end of the horizon,
  ``mean_k waiting_k,H-1(q)``.

The objective is the weighted sum over offices (an office with an election
within the horizon weighs ``election_weight``, set by the head of the directorate). A sum of
separable convex functions under one budget, with integer box counts and per-office bounds,
is minimised exactly by marginal allocation (Gross 1956; Fox 1966): start every office at its
lower bound, then give box after box to the office whose next box removes the most weighted
unmet demand, until the boxes run out or no further box helps anyone.
tests/unit/test_allocation.py checks it against brute force on small cases and against an LP.

The comparison policies (equal split, the flat 2.000 rule; proportional to what was asked;
proportional to the PRR backlog; OpenLMIS-style max-min, fill up to the maximum stock level)
run on the same input, in whole boxes within the same bounds, and every allocation is scored
by one evaluator (`evaluate`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from blangko.domain.errors import DomainError
from blangko.domain.stock_policy import thousands
from blangko.domain.text import Msg

# No published box size for blank cards (FIELD.md names none): 100 a box is an assumption,
# a round figure that divides every reported shipment (600, 2.000, 4.000); the directorate
# sets its own.
DEFAULT_BOX_SIZE = 100
DEFAULT_ELECTION_WEIGHT = 1.5
# OpenLMIS max stock level: this many periods of average consumption (3 months at weekly
# periods is 13; the default assumes monthly periods of 3).
DEFAULT_MAX_PERIODS = 3.0

POLICIES = ("ours", "equal", "asked", "backlog", "maxmin")


@dataclass(frozen=True)
class Tranche:
    """A purchase known to come: ``quantity`` blanks that can be in the offices from period
    ``period`` (0 = this period) on. The allocation of today's stock then has to carry the
    offices only until then: the horizon is cut at the earliest tranche."""

    period: int
    quantity: int


@dataclass(frozen=True)
class OfficeNeed:
    """One office's figures for an allocation (all quantities in blanks).

    office     the office's code ("17.04")
    on_hand    stock on hand at every location of the office
    in_transit blanks shipped to it and not yet received (counted as stock: they arrive
               before the allocation does)
    paths      demand sample paths over the horizon: a list of paths, each a list of the
               demand per period (days or weeks, the same for every office), e.g. the
               forecast's paths; the office's waiting list belongs in the first period
    asked      the quantity of its open request (0 when none)
    backlog    PRR backlog: recorded residents whose card is not yet printed
    min_qty    the least it must get; max_qty the most (None: no upper bound)
    election   a village-head election falls within the horizon
    lead       periods between the decision and the delivery (demand before it is served
               from ``on_hand + in_transit`` only)
    amc        average consumption per period as the office reports it (OpenLMIS), for the
               max-min policy; None: the mean of the paths
    province   the province's code (rebalancing, reports)
    """

    office: str
    on_hand: int
    paths: Sequence[Sequence[float]] | np.ndarray
    in_transit: int = 0
    asked: int = 0
    backlog: int = 0
    min_qty: int = 0
    max_qty: int | None = None
    election: bool = False
    lead: int = 0
    amc: float | None = None
    province: str = ""


@dataclass(frozen=True)
class AllocationInput:
    """national_stock   blanks in the central warehouse that may be shipped now
    incoming            known incoming tranches (they cut the horizon, see `Tranche`)
    offices             one `OfficeNeed` per office
    box_size            blanks per box: every office gets whole boxes
    election_weight     how much one resident left waiting weighs in an office with an
                        election within the horizon (1 = no priority), set by the head of
                        the directorate
    max_periods         the max-min policy's maximum stock level, in periods of consumption
    objective           "waiting": residents waiting for a blank, summed over the periods of
                        the horizon (resident-periods: a resident who waits three weeks
                        counts three times); "horizon_end": residents still unserved at the
                        end of the horizon
    """

    national_stock: int
    offices: Sequence[OfficeNeed]
    incoming: Sequence[Tranche] = ()
    box_size: int = DEFAULT_BOX_SIZE
    election_weight: float = DEFAULT_ELECTION_WEIGHT
    max_periods: float = DEFAULT_MAX_PERIODS
    objective: str = "waiting"


@dataclass(frozen=True)
class Evaluation:
    """One allocation scored: quantities (blanks) per office in input order; expected unmet
    demand per office and in total (residents); the weighted objective; the expected number
    of offices that run out within the horizon; what is left in the central warehouse."""

    policy: str
    quantities: list[int]
    unmet: list[float]
    total_unmet: float
    weighted_unmet: float
    stockout_probability: list[float]
    offices_stocking_out: float
    shipped: int
    left_central: int


@dataclass
class ShortfallModel:
    """One office's paths reduced to what the objective needs (see the module docstring):
    ``expected_unmet(q) = fixed + sum_j (need_j - q)^+ / paths``."""

    fixed: float  # the part no delivery changes (waiting before the delivery arrives)
    need: np.ndarray  # sorted ascending: each (path, period) shortfall without the delivery
    suffix: np.ndarray  # suffix sums of need: suffix[j] = need[j:].sum()
    paths: int
    before_short: np.ndarray  # (paths,) short before the delivery arrives
    end_gap: np.ndarray  # (paths,) demand over the horizon less stock
    weight: float
    demand: float  # mean demand over the horizon

    def expected_unmet(self, q: float) -> float:
        """O(log of the number of values)."""
        m = len(self.need)
        j = int(np.searchsorted(self.need, q, side="right"))
        tail = float(self.suffix[j]) - q * (m - j)
        return self.fixed + tail / self.paths

    def stockout_probability(self, q: float) -> float:
        """P(someone waits for a blank at some point within the horizon)."""
        return float(np.mean(self.before_short | (self.end_gap - q > 0)))


def _horizon(inp: AllocationInput, periods: int) -> int:
    if inp.incoming:
        return max(1, min(periods, min(t.period for t in inp.incoming)))
    return periods


def shortfall_model(
    o: OfficeNeed, horizon: int | None = None, weight: float = 1.0, objective: str = "waiting"
) -> ShortfallModel:
    """The office's expected unmet demand as a function of a delivery ``q`` after its lead
    time (a negative ``q`` with lead 0 is stock lent away now): see the module docstring."""
    paths = np.asarray(o.paths, dtype=float)
    if paths.ndim != 2 or paths.shape[0] == 0 or paths.shape[1] == 0:
        raise DomainError(
            "paths",
            "office",
            Msg("Kantor {office}: jalur permintaan kosong.", office=o.office),
        )
    if o.on_hand < 0 or o.in_transit < 0 or (paths < 0).any():
        raise DomainError(
            "negative",
            "office",
            Msg("Kantor {office}: stok dan permintaan tidak boleh negatif.", office=o.office),
        )
    h = paths.shape[1] if horizon is None else max(1, min(horizon, paths.shape[1]))
    lead = min(max(0, o.lead), h)
    gap = np.cumsum(paths[:, :h], axis=1) - float(o.on_hand + o.in_transit)
    before_short = gap[:, lead - 1] > 0 if lead > 0 else np.zeros(len(gap), dtype=bool)
    if objective == "waiting":
        fixed = float(np.maximum(gap[:, :lead], 0.0).sum(axis=1).mean())
        need = np.sort(gap[:, lead:].ravel())
    elif objective == "horizon_end":
        fixed = 0.0
        need = np.sort(gap[:, -1])
    else:
        raise DomainError(
            "objective",
            "kind",
            Msg("Tujuan '{value}' tidak dikenal: pilih waiting, horizon_end.", value=objective),
        )
    suffix = np.concatenate([np.cumsum(need[::-1])[::-1], [0.0]])
    demand = float(paths[:, :h].sum(axis=1).mean())
    return ShortfallModel(fixed, need, suffix, len(gap), before_short, gap[:, -1], weight, demand)


def _prepare(inp: AllocationInput) -> list[ShortfallModel]:
    if inp.box_size <= 0:
        raise DomainError("box_size", "quantity", Msg("Isi per kotak harus lebih dari 0 keping."))
    if inp.national_stock < 0:
        raise DomainError("national_stock", "quantity", Msg("Stok nasional tidak boleh negatif."))
    if inp.election_weight <= 0:
        raise DomainError(
            "election_weight", "quantity", Msg("Bobot pemilihan kepala desa harus lebih dari 0.")
        )
    out: list[ShortfallModel] = []
    periods: int | None = None
    for o in inp.offices:
        paths = np.asarray(o.paths, dtype=float)
        n_periods = paths.shape[1] if paths.ndim == 2 else 0  # 0: shortfall_model says why
        if periods is None:
            periods = n_periods
        elif n_periods and n_periods != periods:
            raise DomainError(
                "paths",
                "office",
                Msg(
                    "Kantor {office}: jalur permintaan harus sepanjang {n} periode.",
                    office=o.office,
                    n=thousands(periods),
                ),
            )
        h = _horizon(inp, max(1, n_periods))
        weight = inp.election_weight if o.election else 1.0
        out.append(shortfall_model(o, h, weight, inp.objective))
    return out


def _bounds_in_boxes(inp: AllocationInput) -> tuple[list[int], list[int], int]:
    """(lowest boxes, highest boxes, boxes available) per office; a clear error when the
    bounds cannot all hold."""
    box = inp.box_size
    lo: list[int] = []
    hi: list[int] = []
    available = inp.national_stock // box
    for o in inp.offices:
        if o.min_qty < 0 or (o.max_qty is not None and o.max_qty < 0):
            raise DomainError(
                "bounds_negative",
                "quantity",
                Msg("Kantor {office}: batas jumlah tidak boleh negatif.", office=o.office),
            )
        b_lo = math.ceil(o.min_qty / box)
        b_hi = available if o.max_qty is None else min(available, o.max_qty // box)
        if o.max_qty is not None and b_lo > o.max_qty // box:
            raise DomainError(
                "bounds_infeasible",
                "quantity",
                Msg(
                    "Kantor {office}: paling sedikit {min_qty} dan paling banyak {max_qty}"
                    " keping tidak dapat dipenuhi dalam kotak berisi {box}.",
                    office=o.office,
                    min_qty=thousands(o.min_qty),
                    max_qty=thousands(o.max_qty),
                    box=thousands(box),
                ),
            )
        lo.append(b_lo)
        hi.append(max(b_lo, b_hi))
    if sum(lo) > available:
        raise DomainError(
            "bounds_infeasible",
            "quantity",
            Msg(
                "Jumlah paling sedikit semua kantor ({need} keping) melebihi stok nasional"
                " ({have} keping dalam kotak utuh).",
                need=thousands(sum(lo) * box),
                have=thousands(available * box),
            ),
        )
    return lo, hi, available


def evaluate(inp: AllocationInput, quantities: Sequence[int], policy: str = "") -> Evaluation:
    """Score any allocation (blanks per office, input order) with the one model."""
    return _score(inp, _prepare(inp), quantities, policy)


def _score(
    inp: AllocationInput, offices: list[ShortfallModel], quantities: Sequence[int], policy: str
) -> Evaluation:
    unmet = [o.expected_unmet(q) for o, q in zip(offices, quantities, strict=True)]
    p_out = [o.stockout_probability(q) for o, q in zip(offices, quantities, strict=True)]
    shipped = int(sum(quantities))
    return Evaluation(
        policy=policy,
        quantities=[int(q) for q in quantities],
        unmet=unmet,
        total_unmet=float(sum(unmet)),
        weighted_unmet=float(sum(o.weight * u for o, u in zip(offices, unmet, strict=True))),
        stockout_probability=p_out,
        offices_stocking_out=float(sum(p_out)),
        shipped=shipped,
        left_central=inp.national_stock - shipped,
    )


def optimise(inp: AllocationInput) -> Evaluation:
    """Whole boxes per office that minimise the weighted expected unmet demand (exact: see
    the module docstring)."""
    offices = _prepare(inp)
    lo, hi, available = _bounds_in_boxes(inp)
    box = inp.box_size
    boxes = list(lo)
    left = available - sum(lo)
    heap: list[tuple[float, float, int, float]] = []
    now = [o.expected_unmet(b * box) for o, b in zip(offices, boxes, strict=True)]

    def push(i: int) -> None:
        # The next box's gain; among equal gains (offices sure to run short by more than a
        # box: every box helps fully) the office left shortest in proportion to its demand
        # first, so that a shortage is shared rather than borne by the last in the list.
        # Rounding the gain to a millionth of a blank only decides ties: still exact.
        q = boxes[i] * box
        o = offices[i]
        after = o.expected_unmet(q + box)
        g = round(o.weight * (now[i] - after), 6)
        if g > 0:
            heapq.heappush(heap, (-g, -after / max(1.0, o.demand), i, after))

    for i in range(len(offices)):
        if boxes[i] < hi[i]:
            push(i)
    while left > 0 and heap:
        _, _, i, now[i] = heapq.heappop(heap)
        boxes[i] += 1
        left -= 1
        if boxes[i] < hi[i]:
            push(i)
    return _score(inp, offices, [b * box for b in boxes], "ours")


def _share(
    weights: Sequence[float], caps: Sequence[int | None], lo: list[int], hi: list[int], boxes: int
) -> list[int]:
    """Boxes in proportion to ``weights`` (largest remainder), each office between its lower
    bound and min(its upper bound, its cap); what an office cannot take goes to the others in
    the same proportion."""
    n = len(weights)
    top = [hi[i] if caps[i] is None else max(lo[i], min(hi[i], caps[i] or 0)) for i in range(n)]
    got = list(lo)
    left = boxes - sum(got)
    while left > 0:
        open_ = [i for i in range(n) if got[i] < top[i] and weights[i] > 0]
        if not open_:
            break
        total = sum(weights[i] for i in open_)
        exact = {i: left * weights[i] / total for i in open_}
        add = {i: min(int(exact[i]), top[i] - got[i]) for i in open_}
        given = sum(add.values())
        if given == 0:
            # fewer boxes than offices: one each by the largest share, then stop
            for i in sorted(open_, key=lambda i: (-exact[i], i)):
                if left == 0:
                    break
                got[i] += 1
                left -= 1
            continue
        for i in open_:
            got[i] += add[i]
        left -= given
    return got


def _policy(
    inp: AllocationInput, name: str, weights: Callable[[OfficeNeed, np.ndarray], float]
) -> Evaluation:
    lo, hi, available = _bounds_in_boxes(inp)
    box = inp.box_size
    w: list[float] = []
    caps: list[int | None] = []
    for o in inp.offices:
        paths = np.asarray(o.paths, dtype=float)
        w.append(max(0.0, weights(o, paths)))
        if name == "asked":
            caps.append(math.ceil(o.asked / box))
        elif name == "maxmin":
            caps.append(math.ceil(w[-1] / box))
        else:
            caps.append(None)
    boxes = _share(w, caps, lo, hi, available)
    return evaluate(inp, [b * box for b in boxes], name)


def equal_split(inp: AllocationInput) -> Evaluation:
    """The flat rule (2.000 a regency in the 2024/25 shortage): the same to every office."""
    return _policy(inp, "equal", lambda o, p: 1.0)


def proportional_to_asked(inp: AllocationInput) -> Evaluation:
    """In proportion to the open request, never more than was asked."""
    return _policy(inp, "asked", lambda o, p: float(o.asked))


def proportional_to_backlog(inp: AllocationInput) -> Evaluation:
    """In proportion to the PRR backlog (the consolidated PRR counts reports mention)."""
    return _policy(inp, "backlog", lambda o, p: float(o.backlog))


def max_min(inp: AllocationInput) -> Evaluation:
    """OpenLMIS-style max-min: fill every office up to its maximum stock level
    (``max_periods`` times its average consumption per period), pro rata when short."""

    def room(o: OfficeNeed, paths: np.ndarray) -> float:
        amc = float(paths.mean()) if o.amc is None else o.amc
        return inp.max_periods * amc - (o.on_hand + o.in_transit)

    return _policy(inp, "maxmin", room)


COMPARISONS: dict[str, Callable[[AllocationInput], Evaluation]] = {
    "ours": optimise,
    "equal": equal_split,
    "asked": proportional_to_asked,
    "backlog": proportional_to_backlog,
    "maxmin": max_min,
}


def compare(inp: AllocationInput) -> dict[str, Evaluation]:
    """Every policy on the same input, scored by the same evaluator."""
    return {name: run(inp) for name, run in COMPARISONS.items()}
