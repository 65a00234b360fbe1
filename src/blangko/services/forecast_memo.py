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

import copy
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection

from blangko.adapters.repos.derived import versions
from blangko.services.derived import key_of

T = TypeVar("T")

SIZE = 32  # entries: a forecast uses 1 + one per service type; a few offices and horizons


class _Memo:
    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raw = pickle.dumps(
            (fn.__module__, fn.__qualname__, args, sorted(kwargs.items())), protocol=5
        )
        return self.get(hashlib.sha256(raw).digest(), lambda: fn(*args, **kwargs))

    def get(self, key: bytes, compute: Callable[[], T], *, copied: bool = True) -> T:
        """``compute()`` once per ``key``, a copy handed back (``copied``: the caller may
        change the arrays it is given; else the value must be immutable)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                kept = self._items[key]
                return copy.deepcopy(kept) if copied else kept  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._items[key] = copy.deepcopy(value) if copied else value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            self.misses += 1
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


MEMO = _Memo(SIZE)
# The registry's reads a forecast makes, by the versions of the tables they read (`read_once`).
REGISTRY_READS = _Memo(16)
# Whole forecasts with their paths, by the key of the versions of what they depend on
# (`kept`): a few offices' and horizons' latest.
FORECASTS = _Memo(8)
MEMOS = (MEMO, REGISTRY_READS, FORECASTS)


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


def read_once(
    conn: Connection, office: str, depends: Sequence[str], what: Any, read: Callable[[], T]
) -> T:
    """``read()`` once per state of the sources ``depends`` of ``office`` (their versions, as
    services.derived keys the stored figures: bumped in the transaction of every write) in
    this process: the forecast's reads of the registry, which a print does not change.
    The versions are read first in ``conn``, so a read kept is never older than its key.
    What ``read`` returns is handed out as it is, to every caller: a tuple of tuples."""
    db = conn.engine.url.render_as_string(hide_password=True)
    key = key_of(versions(conn, office), depends, [db, office, what])
    return REGISTRY_READS.get(key.encode(), read, copied=False)
