"""Stored figures: computed once per change of what they depend on, read by every process.

A figure (the forecast, coverage, the cohort, the projection) is stored in `derived_figure`
per office, kind and parameters (the day asked, the level, the target), with a key: the
SHA-256 of the versions of what it depends on (the office's ledger head, and the versions of
its registry, applications, calendar and events, which database triggers bump in the
transaction of every write to them) and of the settings it uses. A view computes the key
(two indexed reads), and reads the stored figure when the key matches; otherwise one process
claims the computing (a conditional UPDATE, so concurrent processes do not all compute it),
computes with the figure's own function, and stores it (only while its claim holds); the
others wait for it as long as the claim lives. So a figure is computed once per change,
whichever process and however many views ask, and survives a restart. The stored time
(``computed_at``) is what the page shows as the figure's freshness.

Stale while computed again: a page view (``Context.figures_stale_seconds``, the settings'
``figures_max_stale_seconds``) whose figure's sources changed is given the stored figure at
once, marked ``stale``, when it was computed at most that many seconds ago, and the process's
background thread computes the new one (through the same claim); an older figure, or none,
is computed in the view. The CLI, the API and the figures computed from other figures read
the current figure.

docs/forecast.md ("Stored figures") says which figure depends on what.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from blangko.adapters.db import Busy, quick_write
from blangko.adapters.repos import derived as repo
from blangko.services.context import Context, resolve_office

T = TypeVar("T")
log = logging.getLogger(__name__)
# Set while a figure is computed: the stored figures it reads are current, never stale.
_COMPUTING: ContextVar[bool] = ContextVar("blangko_figure_computing", default=False)

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
# died); while it holds, a process that needs the figure waits for it (no other deadline: a
# deadline shorter than the computing made two processes compute it on a loaded machine).
CLAIM_SECONDS = 120.0
POLL_SECONDS = 0.05
# Figures asked for other days (an API's as_of) are forgotten after this long.
KEEP_DAYS = 2


@dataclass(frozen=True, slots=True)
class Stored(Generic[T]):
    """A figure as stored: its value, when it was computed (naive UTC), in how many ms,
    whether this call computed it, and whether it is stale (its sources changed since: a
    newer one is being computed in the background, `stored`)."""

    value: T
    computed_at: datetime
    compute_ms: int
    computed_now: bool
    stale: bool = False


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


def synchronous(ctx: Context) -> Context:
    """``ctx`` that never reads a stale figure: what it reads is computed for the current
    versions, in the call when needed (the CLI, the API with an as_of, documents to sign)."""
    return ctx if not ctx.figures_stale_seconds else replace(ctx, figures_stale_seconds=0.0)


def stored(
    ctx: Context,
    *,
    office: str,
    kind: str,
    params: str,
    depends: Sequence[str],
    extra: Any,
    compute: Callable[[], T],
    may_be_stale: bool = True,
) -> Stored[T]:
    """The figure ``kind`` for ``params`` as stored for the current versions of ``depends``
    (and ``extra``), computed by ``compute`` when none is (module docstring).

    When the stored figure's key is outdated, ``ctx.figures_stale_seconds`` is set (a page
    view) and ``may_be_stale``, and the stored figure was computed at most that many seconds
    ago, it is returned at once (``stale``) and computed again in the background (this
    process's thread, through the same claim), never in the call."""
    ask = _Ask(ctx, office, kind, params, depends, extra, compute)
    while True:
        key, found, row = ask.usable(may_be_stale)
        if found is not None:
            return found
        now = ctx.now()
        stale = now - timedelta(seconds=CLAIM_SECONDS)
        # While another process's claim on this key lives, only read (no write to retry).
        live = (
            row is not None
            and row.claim_key == key
            and row.claimed_at is not None
            and row.claimed_at >= stale
        )
        if not live:
            with ctx.write_plain() as conn:
                mine = repo.claim(conn, office, kind, params, key, now, stale)
            if mine:
                return _compute(ctx, office, kind, params, key, compute)
        # Another process holds a live claim on this key (or has just stored it): wait for
        # its figure for as long as its claim lives; a claim older than CLAIM_SECONDS (a
        # process that died) is taken over by a later round.
        time.sleep(POLL_SECONDS)


def stored_if_any(
    ctx: Context,
    *,
    office: str,
    kind: str,
    params: str,
    depends: Sequence[str],
    extra: Any,
    compute: Callable[[], T],
) -> Stored[T] | None:
    """The figure as `stored` gives it when one is stored and current, or stale within
    ``ctx.figures_stale_seconds``; else None, and it is computed in the background: never
    in the call (the public status page)."""
    ask = _Ask(ctx, office, kind, params, depends, extra, compute)
    _, found, _row = ask.usable(True)
    if found is None:
        ask.later()
    return found


# How long a view waits for the write lock to store a drawing it made (`drawn`).
DRAWN_STORE_WAIT_SECONDS = 0.2


def drawn(
    ctx: Context,
    *,
    office: str,
    kind: str,
    params: str,
    depends: Sequence[str],
    extra: Any,
    compute: Callable[[], T],
) -> Stored[T]:
    """A drawing (a chart of the ledger or of a stored figure) as stored for the current
    versions of ``depends`` and ``extra``, never an older one; when none is stored, drawn in
    the call and stored. Unlike `stored` it takes no claim and, to store it, waits at most
    DRAWN_STORE_WAIT_SECONDS for the write lock, else does not store it: a drawing costs a
    fraction of a second, so two processes drawing the same one cost less than every view
    waiting behind a long write (a registry import's swap holds SQLite's write lock for many
    seconds) to claim and store it. Within a process the views of one drawing wait for the
    one that draws it (not each drawing it after a print), and the last drawing of each is
    kept in memory for its key (served without reading it back, stored or not)."""
    db = ctx.engine.url.render_as_string(hide_password=True)
    what = (db, office, kind, params)
    with _drawn_locks[hash(what) % len(_drawn_locks)]:
        key = current_key(ctx, office, depends, extra)
        with _drawn_guard:
            kept = _drawn_kept.get(what)
        if kept is not None and kept[0] == key:
            return kept[1]
        ask = _Ask(ctx, office, kind, params, depends, extra, compute)
        key, found, _row = ask.usable(False)
        if found is None:
            found = _draw(ctx, office, kind, params, key, compute)
        with _drawn_guard:
            _drawn_kept[what] = (key, replace(found, computed_now=False))
            _drawn_kept.move_to_end(what)
            while len(_drawn_kept) > DRAWN_KEPT:
                _drawn_kept.popitem(last=False)
        return found


def _draw(
    ctx: Context, office: str, kind: str, params: str, key: str, compute: Callable[[], T]
) -> Stored[T]:
    started = time.perf_counter()
    value = compute()
    took = int((time.perf_counter() - started) * 1000)
    now = ctx.now()
    payload = json.dumps(value)
    try:
        with quick_write(ctx.engine, DRAWN_STORE_WAIT_SECONDS) as conn:
            repo.put(
                conn,
                office,
                kind,
                params,
                key=key,
                payload=payload,
                computed_at=now,
                compute_ms=took,
            )
    except Busy:
        log.info("stored figures: %s %s drawn but not stored (the database is busy)", kind, office)
    return Stored(json.loads(payload), now, took, True)


# This process's drawings (`drawn`): the locks a drawing is drawn under (a fixed number, by
# its hash: its parameters may come from a query string, so no lock per drawing asked is
# kept), and the last drawings drawn or read.
DRAWN_KEPT = 256
_drawn_locks = tuple(threading.Lock() for _ in range(32))
_drawn_guard = threading.Lock()
_drawn_kept: OrderedDict[tuple[str, str, str, str], tuple[str, Stored[Any]]] = OrderedDict()


@dataclass(frozen=True, slots=True)
class _Ask(Generic[T]):
    ctx: Context
    office: str
    kind: str
    params: str
    depends: Sequence[str]
    extra: Any
    compute: Callable[[], T]

    def usable(self, may_be_stale: bool) -> tuple[str, Stored[T] | None, Any]:
        """The current key, the stored figure when it is current or may be shown stale
        (then computed again in the background), and the stored row (None: none)."""
        ctx = self.ctx
        with ctx.read() as conn:
            key = key_of(repo.versions(conn, self.office), self.depends, self.extra)
            row = repo.figure(conn, self.office, self.kind, self.params)
        if row is None or row.payload is None:
            return key, None, row
        if row.key == key:
            found = Stored(json.loads(row.payload), row.computed_at, int(row.compute_ms), False)
            return key, found, row
        if (
            may_be_stale
            and ctx.figures_stale_seconds > 0
            and not _COMPUTING.get()
            and row.computed_at is not None
            and (ctx.now() - row.computed_at).total_seconds() <= ctx.figures_stale_seconds
        ):
            self.later()
            value = json.loads(row.payload)
            return key, Stored(value, row.computed_at, int(row.compute_ms), False, stale=True), row
        return key, None, row

    def later(self) -> None:
        """Compute it again in this process's background thread (`stored`, in the call)."""
        job = partial(
            stored,
            synchronous(self.ctx),
            office=self.office,
            kind=self.kind,
            params=self.params,
            depends=self.depends,
            extra=self.extra,
            compute=self.compute,
        )
        db = self.ctx.engine.url.render_as_string(hide_password=True)
        _background.submit((db, self.office, self.kind, self.params), job)


def _compute(
    ctx: Context,
    office: str,
    kind: str,
    params: str,
    key: str,
    compute: Callable[[], T],
) -> Stored[T]:
    started = time.perf_counter()
    # What the figure reads of other stored figures is current, never stale (_COMPUTING).
    token = _COMPUTING.set(True)
    try:
        value = compute()
    except BaseException:
        with ctx.write_plain() as conn:
            repo.release(conn, office, kind, params, key)
        raise
    finally:
        _COMPUTING.reset(token)
    took = int((time.perf_counter() - started) * 1000)
    now = ctx.now()
    # Stored as JSON and handed back as read from it, so that the process that computes it
    # and the processes that read it return the very same value.
    payload = json.dumps(value)
    with ctx.write_plain() as conn:
        # Stored only while the claim is still this key's (repo.save): a claim taken over
        # for a newer key is not undone by an older figure.
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


class Background:
    """This process's thread that computes again the stale figures a view was given: one
    job per database, office, kind and parameters at a time (a second ask while one is queued or
    under way adds nothing); each job goes through `stored` and its claim, so a figure
    another process is computing is waited for, not computed twice."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[tuple[str, str, str, str]] = set()
        self._jobs: queue.Queue[tuple[tuple[str, str, str, str], Callable[[], Any]]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, what: tuple[str, str, str, str], job: Callable[[], Any]) -> None:
        with self._lock:
            if what in self._pending:
                return
            self._pending.add(what)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="blangko-figures-stale", daemon=True
                )
                self._thread.start()
        self._jobs.put((what, job))

    def _run(self) -> None:
        while True:
            what, job = self._jobs.get()
            try:
                job()
            except Exception:  # noqa: BLE001 - one failed figure must not stop the others
                log.exception("stored figures: computing %s again failed", what)
            finally:
                with self._lock:
                    self._pending.discard(what)
                self._jobs.task_done()

    def wait(self, timeout: float = 300.0) -> bool:
        """Until no job is queued or under way (tests, and a server that stops); False when
        ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(POLL_SECONDS)
        return False


_background = Background()


def wait_background(timeout: float = 300.0) -> bool:
    """Until this process's background computing of stale figures is done (Background)."""
    return _background.wait(timeout)
