"""Values kept in the process: a small LRU (`Memo`), and the reads kept by the versions of
what they read (`read_once`).

A read of the registry or the applications whose result only a write to them can change is
kept by the key services.derived gives a stored figure: the versions of its sources, which
the database's triggers bump in the transaction of every write. A view then reads two
indexed rows instead of scanning the backlog; the first view after a change reads it again.
Each process keeps its own; nothing is shared, nothing is stale.
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


class Memo:
    """At most ``size`` values by key, the least recently used forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` once per SHA-256 of its pickled function and arguments."""
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


# Reads kept by the versions of the tables they read (`read_once`).
READS = Memo(64)


def read_once(
    conn: Connection, office: str, depends: Sequence[str], what: Any, read: Callable[[], T]
) -> T:
    """``read()`` once per state of the sources ``depends`` of ``office`` (their versions, as
    services.derived keys the stored figures: bumped in the transaction of every write) in
    this process: reads of the registry and the applications, which a print does not change
    (the forecast's print history and cohort, the backlog's registry PRR, the work list's
    villages).
    The versions are read first in ``conn``, so a read kept is never older than its key.
    What ``read`` returns is handed out as it is, to every caller: a tuple of tuples."""
    db = conn.engine.url.render_as_string(hide_password=True)
    key = key_of(versions(conn, office), depends, [db, office, what])
    return READS.get(key.encode(), read, copied=False)
