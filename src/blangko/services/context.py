"""What every use case runs in: the engine, who acts, the clock, the settings, and one
transaction. `context_from_settings` is the one place a Context is built from Settings.

A write locks the office's chain head first (an UPDATE of its row on PostgreSQL, BEGIN
IMMEDIATE on SQLite), so one office's writes are serialised while other offices go on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from blangko.adapters.db import make_engine, transaction
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import idempotency as idem_repo
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.limits import check_inputs, check_text
from blangko.domain.text import Msg
from blangko.settings import Settings

# A use case's typed result (a TypedDict): see write_once.
R = TypeVar("R", bound=Mapping[str, Any])


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Context:
    engine: Engine
    actor: str = "system"
    # The web user's role (the read log records it); None on the command line.
    role: str | None = None
    timezone: str = "Asia/Jakarta"
    clock: Callable[[], datetime] = field(default=utc_now)  # naive UTC
    # The forecast, projection and event-impact assumptions, the stock-level threshold...
    settings: Settings = field(default_factory=Settings)
    # How old a stored figure (services.derived) a read may be given while a newer one is
    # computed in the background: a page view's (settings.figures_max_stale_seconds); 0 (the
    # CLI, the API, services) computes it in the call when its sources changed.
    figures_stale_seconds: float = 0.0

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.local_date(self.clock())

    def local_date(self, moment: datetime) -> date:
        """The office's date at a stored moment (naive UTC)."""
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone)).date()

    def day_start(self, day: date) -> datetime:
        """The moment (naive UTC) the office's ``day`` begins."""
        local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC).replace(tzinfo=None)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with transaction(self.engine, write=False) as conn:
            yield conn

    @contextmanager
    def write_plain(self) -> Iterator[Connection]:
        """A write transaction that does not touch any office's ledger (set-up, regions)."""
        with transaction(self.engine, write=True) as conn:
            yield conn

    @contextmanager
    def write(self, office: str | None, idempotency_key: str | None = None) -> Iterator[WriteTx]:
        """One write transaction for one office, its chain head locked. The idempotency key
        the write was sent with (if any) is looked up with the office's ledger state, once
        (WriteTx.state)."""
        with transaction(self.engine, write=True) as conn:
            code = office.strip() if office else resolve_office(conn, None)
            head = ledger_repo.lock_head(
                conn, code, idempotency_key=idempotency_key, openings=_openings_read(conn, code)
            )
            if head is None:
                resolve_office(conn, code)  # raises the clerk's "unknown office" error
            assert head is not None
            if head.state is not None:
                _OPENINGS[self.engine][code] = head.state.openings
            tx = WriteTx(
                self,
                conn,
                code,
                head.seq,
                head.hash,
                idempotency_key,
                _state=head.state,
                _locked=(head.seq, head.hash),
            )
            yield tx
        # Committed: what the transaction read of the openings, with the entries it wrote.
        if tx._state is not None:
            _OPENINGS[self.engine][code] = ledger_repo.Openings(
                tx.seq, tx.head_hash, tx._state.opening
            )


# What this process has read of each office's opening balances, per engine (a database):
# the next write reads only the entries written since, none when the head is still the one
# remembered (adapters.repos.ledger.Openings). Only what was read of committed entries is
# kept, and a transaction's own entries once it has committed.
_OPENINGS: WeakKeyDictionary[Engine, dict[str, ledger_repo.Openings]] = WeakKeyDictionary()


def _openings_read(conn: Connection, office: str) -> ledger_repo.Openings | None:
    return _OPENINGS.setdefault(conn.engine, {}).get(office)


def context_from_settings(settings: Settings, *, actor: str | None = None) -> Context:
    """The Context of a process (a CLI run, the web server): its engine from the settings'
    database URL, the actor given (else the settings' one), the office's time zone."""
    return Context(
        make_engine(settings.resolved_database_url()),
        actor=actor or settings.resolved_actor(),
        timezone=settings.timezone,
        settings=settings,
    )


@dataclass
class WriteTx:
    ctx: Context
    conn: Connection
    office: str
    seq: int
    head_hash: str
    # The idempotency key the transaction was opened with, and the office's ledger state
    # (closed months, first opening, that key's stored request): read with the lock where the
    # backend allows it, else on first use (see adapters.repos.ledger.lock_head).
    idempotency_key: str | None = None
    _state: ledger_repo.LedgerState | None = None
    # The chain head as locked (seq, hash), before this transaction's entries.
    _locked: tuple[int, str] | None = None
    # Location names by id, as far as this transaction has learned them.
    _names: dict[int, str] = field(default_factory=dict)
    _all_names: bool = False

    def state(self) -> ledger_repo.LedgerState:
        """The office's ledger state, read once per transaction and kept up to date by the
        writes of this transaction (`closed`, `opened`)."""
        if self._state is None:
            self._state = ledger_repo.ledger_state(
                self.conn,
                self.office,
                self.idempotency_key,
                _openings_read(self.conn, self.office),
                head=self._locked,
            )
            _OPENINGS[self.conn.engine][self.office] = self._state.openings
        return self._state

    def closed(self, month: str) -> None:
        """This transaction closed `month` ("YYYY-MM")."""
        state = self.state()
        state.closed_through = max(month, state.closed_through or month)

    def opened(self, day: date) -> None:
        """This transaction appended an opening balance dated `day`."""
        state = self.state()
        state.opening = min(day, state.opening or day)

    def location_names(self) -> dict[int, str]:
        """The office's locations by id, read once per transaction."""
        if not self._all_names:
            self._names.update(location_names(self.conn, self.office))
            self._all_names = True
        return self._names

    def location_name(self, location: int) -> str | None:
        """A location's name, without a statement when this transaction has already met it."""
        known = self._names.get(location)
        return known if known is not None else self.location_names().get(location)

    def met_locations(self, names: Mapping[int, str]) -> None:
        """Locations (id: name) a statement of this transaction has read."""
        self._names.update(names)

    def met_location_id(self, name: str) -> int | None:
        """The id of a location named `name` that this transaction has met, without a
        statement; None when it has met none."""
        return next((i for i, known in self._names.items() if known == name), None)

    # Idempotency -------------------------------------------------------------------------
    def seen(self, key: str | None, operation: str, params: dict[str, Any]) -> Any | None:
        """The stored result of an earlier request with this key, or None for a new key.

        The same key with different content is refused: a retry must repeat the request.
        """
        if not key:
            return None
        if key == self.idempotency_key:
            row: Any = self.state().prior
        else:
            row = idem_repo.find(self.conn, self.office, key)
        if row is None:
            return None
        if row.operation != operation or row.request_hash != request_hash(operation, params):
            raise Conflict(
                "idempotency_key_reused",
                "idempotency_key",
                Msg(
                    "Kunci idempoten '{key}' sudah dipakai untuk permintaan lain; gunakan kunci baru untuk permintaan yang berbeda.",
                    key=key,
                ),
            )
        return json.loads(row.result)

    def remember(
        self, key: str | None, operation: str, params: dict[str, Any], result: Any
    ) -> None:
        if not key:
            return
        fingerprint = request_hash(operation, params)
        stored = json.dumps(result, default=str, sort_keys=True)
        idem_repo.store(
            self.conn,
            office=self.office,
            key=key,
            operation=operation,
            request_hash=fingerprint,
            result=stored,
            created_at=self.ctx.now(),
        )
        if key == self.idempotency_key and self._state is not None:
            self._state.prior = ledger_repo.Prior(operation, fingerprint, stored)


def write_once(
    ctx: Context,
    office: str | None,
    operation: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    body: Callable[[WriteTx], R],
) -> R:
    """Run body(tx) in one write transaction, once per idempotency key.

    ``body`` returns the whole typed result, ``"replayed": False`` included; a retry with the
    same key and content returns the stored first result with ``"replayed": True`` and writes
    nothing. (What is stored is the result without ``replayed``.)

    Every value in ``params`` (the request's input) is checked against domain.limits first,
    before the office's lock is taken: no control characters, lengths, numbers and dates
    within bounds.
    """
    check_inputs(params)
    if idempotency_key is not None:
        check_text(idempotency_key, "idempotency_key")
    with ctx.write(office, idempotency_key) as tx:
        prior = tx.seen(idempotency_key, operation, params)
        if prior is not None:
            # The stored JSON of the first result of this very body: the same shape.
            return cast(R, {**prior, "replayed": True})
        result = body(tx)
        stored = {k: v for k, v in result.items() if k != "replayed"}
        tx.remember(idempotency_key, operation, params, stored)
        return result


def idempotent_write(
    ctx: Context,
    office: str | None,
    operation: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    body: Callable[[WriteTx], Mapping[str, Any]],
    *,
    tag_office: bool = True,
) -> Any:
    """`write_once` for a body that returns an untyped payload: the result is the payload
    with ``office`` first (unless ``tag_office`` is False) and ``replayed`` last.

    It returns Any so that the caller's declared result type stands; a typed use case
    builds its whole result in its body and calls `write_once`, which mypy checks.
    """

    def tagged(tx: WriteTx) -> dict[str, Any]:
        result = body(tx)
        head = {"office": tx.office} if tag_office else {}
        return {**head, **result, "replayed": False}

    return write_once(ctx, office, operation, params, idempotency_key, tagged)


def request_hash(operation: str, params: dict[str, Any]) -> str:
    blob = json.dumps([operation, params], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def resolve_office(conn: Connection, office: str | None) -> str:
    """The office code asked for; when none is named, the database's home office (the one it
    was first set up for, `blangko office home`), else the only office. A database with more
    than one office and no home office refuses, naming how to choose (docs/network.md, "Which
    office a command acts on"). The command line's --office and BLANGKO_OFFICE arrive here as
    `office`."""
    if office:
        code = office.strip()
        if not admin_repo.office_exists(conn, code):
            raise NotFound(
                "unknown_office",
                "office",
                Msg("Kantor '{code}' tidak ada di basis data ini.", code=code),
            )
        return code
    home = admin_repo.home_office(conn)
    if home is not None:
        return home
    codes = admin_repo.office_codes(conn, limit=2)
    if not codes:
        raise NotFound(
            "no_office", "office", Msg("Belum ada kantor: siapkan kantornya dulu ('blangko init').")
        )
    if len(codes) > 1:
        n = admin_repo.count_offices(conn)
        raise DomainError(
            "office_required",
            "office",
            Msg(
                "Basis data ini memuat {n} kantor dan belum punya kantor utama: sebutkan kantornya (atau BLANGKO_OFFICE), atau tetapkan kantor utama dengan 'blangko office home KODE'.",
                n=n,
            ),
        )
    return codes[0]


def location_id(conn: Connection, office: str, name: str, field_name: str = "location") -> int:
    found = admin_repo.location_id(conn, office, name)
    if found is None:
        raise NotFound(
            "unknown_location",
            field_name,
            Msg("Lokasi '{name}' tidak ada di kantor {office}.", name=name, office=office),
        )
    return found


def location_names(conn: Connection, office: str) -> dict[int, str]:
    return admin_repo.location_names(conn, office)
