"""What every use case runs in: the engine, who acts, the clock, and one transaction.

A write locks the office's chain head first (SELECT ... FOR UPDATE on PostgreSQL, BEGIN
IMMEDIATE on SQLite), so one office's writes are serialised while other offices go on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine, transaction
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Context:
    engine: Engine
    actor: str = "system"
    timezone: str = "Asia/Jakarta"
    clock: Callable[[], datetime] = field(default=utc_now)  # naive UTC

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone)).date()

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
    def write(self, office: str | None) -> Iterator[WriteTx]:
        """One write transaction for one office, its chain head locked."""
        with transaction(self.engine, write=True) as conn:
            code = office.strip() if office else resolve_office(conn, None)
            head = conn.execute(
                select(t.office.c.ledger_seq, t.office.c.ledger_hash)
                .where(t.office.c.code == code)
                .with_for_update()
            ).first()
            if head is None:
                resolve_office(conn, code)  # raises the clerk's "unknown office" error
            assert head is not None
            yield WriteTx(self, conn, code, head.ledger_seq, head.ledger_hash)


@dataclass
class WriteTx:
    ctx: Context
    conn: Connection
    office: str
    seq: int
    head_hash: str
    _location_names: dict[int, str] | None = None

    def location_names(self) -> dict[int, str]:
        """The office's locations by id, read once per transaction."""
        if self._location_names is None:
            self._location_names = location_names(self.conn, self.office)
        return self._location_names

    # Idempotency -------------------------------------------------------------------------
    def seen(self, key: str | None, operation: str, params: dict[str, Any]) -> Any | None:
        """The stored result of an earlier request with this key, or None for a new key.

        The same key with different content is refused: a retry must repeat the request.
        """
        if not key:
            return None
        row = self.conn.execute(
            select(t.idempotency).where(
                t.idempotency.c.office_code == self.office, t.idempotency.c.key == key
            )
        ).first()
        if row is None:
            return None
        if row.operation != operation or row.request_hash != request_hash(operation, params):
            raise Conflict(
                "idempotency_key_reused",
                "idempotency_key",
                f"Kunci idempoten '{key}' sudah dipakai untuk permintaan lain; "
                "gunakan kunci baru untuk permintaan yang berbeda.",
            )
        return json.loads(row.result)

    def remember(
        self, key: str | None, operation: str, params: dict[str, Any], result: Any
    ) -> None:
        if not key:
            return
        self.conn.execute(
            t.idempotency.insert().values(
                office_code=self.office,
                key=key,
                operation=operation,
                request_hash=request_hash(operation, params),
                result=json.dumps(result, default=str, sort_keys=True),
                created_at=self.ctx.now(),
            )
        )


def idempotent_write(
    ctx: Context,
    office: str | None,
    operation: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    body: Callable[[WriteTx], dict[str, Any]],
    *,
    tag_office: bool = True,
) -> dict[str, Any]:
    """Run body(tx) in one write transaction, once per idempotency key: a retry with the same
    key and content returns the stored first result (replayed=True) and writes nothing."""
    with ctx.write(office) as tx:
        prior = tx.seen(idempotency_key, operation, params)
        if prior is not None:
            return dict(prior, replayed=True)
        result = body(tx)
        if tag_office:
            result = {"office": tx.office, **result}
        tx.remember(idempotency_key, operation, params, result)
        return dict(result, replayed=False)


def request_hash(operation: str, params: dict[str, Any]) -> str:
    blob = json.dumps([operation, params], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def resolve_office(conn: Connection, office: str | None) -> str:
    """The office code asked for, or the only office when none is named."""
    if office:
        code = office.strip()
        if conn.execute(select(t.office.c.code).where(t.office.c.code == code)).first() is None:
            raise NotFound(
                "unknown_office", "office", f"Kantor '{code}' tidak ada di basis data ini."
            )
        return code
    codes = conn.execute(select(t.office.c.code).order_by(t.office.c.code).limit(2)).scalars().all()
    if not codes:
        raise NotFound(
            "no_office", "office", "Belum ada kantor: jalankan 'blangko init --office KODE' dulu."
        )
    if len(codes) > 1:
        n = conn.execute(select(func.count()).select_from(t.office)).scalar_one()
        raise DomainError(
            "office_required", "office", f"Basis data ini memuat {n} kantor: sebutkan --office."
        )
    return codes[0]


def location_id(conn: Connection, office: str, name: str, field_name: str = "location") -> int:
    row = conn.execute(
        select(t.location.c.id).where(t.location.c.office_code == office, t.location.c.name == name)
    ).first()
    if row is None:
        raise NotFound(
            "unknown_location", field_name, f"Lokasi '{name}' tidak ada di kantor {office}."
        )
    return int(row.id)


def location_names(conn: Connection, office: str) -> dict[int, str]:
    rows = conn.execute(
        select(t.location.c.id, t.location.c.name).where(t.location.c.office_code == office)
    )
    return {r.id: r.name for r in rows}


def context_from_settings(settings: Settings, *, actor: str | None = None) -> Context:
    """The one place a Context is built from Settings: engine, actor and the office's zone."""
    engine = make_engine(settings.resolved_database_url())
    return Context(engine, actor=actor or settings.resolved_actor(), timezone=settings.timezone)
