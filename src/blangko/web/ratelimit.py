"""A per-client limit on how often a public look-up may be made (the status of an
application by its receipt number): a sliding window of one minute per client address.

Kept in the memory of the server process: with N worker processes a client may make up to N
times the limit (docs/security.md says so). It costs no database write, so an anonymous
client cannot load the database through it. Behind the reverse proxy the client's address is
the one the proxy forwards (uvicorn --proxy-headers --forwarded-allow-ips).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
# Addresses remembered at most; past this, the addresses idle for a whole window are dropped.
MAX_CLIENTS = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> float | None:
        """Count one look-up by `client`: None when allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            if len(self._seen) > MAX_CLIENTS:
                self._forget(now)
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1.0, WINDOW_SECONDS - (now - times[0]))
            times.append(now)
            return None

    def _forget(self, now: float) -> None:
        for client in [c for c, t in self._seen.items() if not t or now - t[-1] >= WINDOW_SECONDS]:
            del self._seen[client]
