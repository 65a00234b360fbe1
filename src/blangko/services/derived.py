"""Stored figures: computed once per change of what they depend on, read by every process.

A figure (the forecast, coverage, the cohort, the projection) is stored in `derived_figure`
per office, kind and parameters (the day asked, the level, the target), with a key: the
SHA-256 of the versions of what it depends on (the office's ledger head, and the versions of
its registry, applications, calendar and events, which database triggers bump in the
transaction of every write to them) and of the settings it uses. A view computes the key
(two indexed reads), and reads the stored figure when the key matches; otherwise one process
claims the computing (a conditional UPDATE, so concurrent processes do not all compute it),
computes with the figure's own function, and stores it; the others wait for it. So a figure
is computed once per change, whichever process and however many views ask, and survives a
restart. The stored time (``computed_at``) is what the page shows as the figure's freshness.

docs/forecast.md ("Stored figures") says which figure depends on what.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from blangko.adapters.repos import derived as repo
from blangko.services.context import Context, resolve_office

T = TypeVar("T")

LEDGER, REGISTRY, APPLICATIONS, CALENDAR, EVENTS = (
    "ledger",
    "registry",
    "applications",
    "calendar",
    "events",
)
# The request history of the office's province (lead time, fill rate): bumped by the request
# writes themselves (services/network/request_steps.record), not by a trigger.
REQUESTS = "requests"
# How long a claim holds before another process may take it over (a computing process that
# died), and how long a process waits for another's result before computing it itself.
CLAIM_SECONDS = 60.0
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05
# Figures asked for other days (an API's as_of) are forgotten after this long.
KEEP_DAYS = 2


@dataclass(frozen=True, slots=True)
class Stored(Generic[T]):
    """A figure as stored: its value, when it was computed (naive UTC), in how many ms, and
    whether this call computed it."""

    value: T
    computed_at: datetime
    compute_ms: int
    computed_now: bool


def office_of(ctx: Context, office: str | None) -> str:
    """The office's code (the only office when None), checked."""
    with ctx.read() as conn:
        return resolve_office(conn, office)


def key_of(versions: dict[str, int], depends: Sequence[str], extra: Any) -> str:
    """The key of a figure: its sources' versions and whatever else it depends on."""
    material = {"versions": {d: versions.get(d, 0) for d in depends}, "extra": extra}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def current_key(ctx: Context, office: str, depends: Sequence[str], extra: Any) -> str:
    with ctx.read() as conn:
        return key_of(repo.versions(conn, office), depends, extra)


def stored(
    ctx: Context,
    *,
    office: str,
    kind: str,
    params: str,
    depends: Sequence[str],
    extra: Any,
    compute: Callable[[], T],
) -> Stored[T]:
    """The figure ``kind`` for ``params`` as stored for the current versions of ``depends``
    (and ``extra``), computed by ``compute`` when none is (module docstring)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with ctx.read() as conn:
            key = key_of(repo.versions(conn, office), depends, extra)
            row = repo.figure(conn, office, kind, params)
        if row is not None and row.key == key and row.payload is not None:
            return Stored(json.loads(row.payload), row.computed_at, int(row.compute_ms), False)
        now = ctx.now()
        with ctx.write_plain() as conn:
            mine = repo.claim(
                conn, office, kind, params, key, now, now - timedelta(seconds=CLAIM_SECONDS)
            )
        if mine or time.monotonic() > deadline:
            return _compute(ctx, office, kind, params, key, compute, mine)
        time.sleep(POLL_SECONDS)  # another process computes this key: wait for it


def _compute(
    ctx: Context,
    office: str,
    kind: str,
    params: str,
    key: str,
    compute: Callable[[], T],
    mine: bool,
) -> Stored[T]:
    started = time.perf_counter()
    try:
        value = compute()
    except BaseException:
        if mine:
            with ctx.write_plain() as conn:
                repo.release(conn, office, kind, params, key)
        raise
    took = int((time.perf_counter() - started) * 1000)
    now = ctx.now()
    # Stored as JSON and handed back as read from it, so that the process that computes it
    # and the processes that read it return the very same value.
    payload = json.dumps(value)
    if mine:
        with ctx.write_plain() as conn:
            repo.save(
                conn,
                office,
                kind,
                params,
                key=key,
                payload=payload,
                computed_at=now,
                compute_ms=took,
            )
            repo.prune(conn, office, kind, now - timedelta(days=KEEP_DAYS))
    return Stored(json.loads(payload), now, took, True)
