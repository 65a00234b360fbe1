"""The forecast's simulations, kept in the process by what they are computed from.

A print changes the stock on hand, so the stored forecast is computed again after every
print (services/figures.py keys it by the ledger). But the demand model is fitted on the
days before the forecast's date and simulated from the calendar, the registry, the print
backlog and the events: a print today changes none of them, and the simulation (about two
thirds of a forecast's time on the demo) would come out identical. `simulated` runs a pure
simulation once per distinct input and hands back a copy afterwards.

The key is the SHA-256 of the pickled function and arguments: equal bytes mean equal
inputs, so a hit is the very result the function would return (its seed is an argument).
Inputs that pickle differently although equal only cost a miss. Each process keeps its own
(a few entries, about 2 MB each on the demo); nothing is shared, nothing is stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from blangko.services.memo import READS, Memo

T = TypeVar("T")

SIZE = 32  # entries: a forecast uses 1 + one per service type; a few offices and horizons


MEMO = Memo(SIZE)
# Whole forecasts with their paths, by the key of the versions of what they depend on
# (`kept`): a few offices' and horizons' latest.
FORECASTS = Memo(8)
MEMOS = (MEMO, READS, FORECASTS)


def clear() -> None:
    """Forget everything kept (tests: a result computed from nothing)."""
    for memo in MEMOS:
        memo.clear()


def simulated(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``: a pure, seeded simulation, computed once per distinct input
    in this process."""
    return MEMO.call(fn, *args, **kwargs)


def kept(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` in this process: a whole forecast, keyed as its stored
    figure is (services.derived: the database, the office, the versions of everything it
    reads and its settings), so that the stored forecast and what stops printing first
    (both computed again after a print, each from the forecast's paths) compute it once."""
    return FORECASTS.get(hashlib.sha256(key.encode()).digest(), compute)
