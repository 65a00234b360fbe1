"""SQL for idempotency keys: the stored fingerprint and result of a write sent with a key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow


def find(conn: Connection, office: str, key: str) -> AnyRow | None:
    return conn.execute(
        select(t.idempotency).where(
            t.idempotency.c.office_code == office, t.idempotency.c.key == key
        )
    ).first()


def store(
    conn: Connection,
    *,
    office: str,
    key: str,
    operation: str,
    request_hash: str,
    result: str,
    created_at: datetime,
) -> None:
    conn.execute(
        t.idempotency.insert().values(
            office_code=office,
            key=key,
            operation=operation,
            request_hash=request_hash,
            result=result,
            created_at=created_at,
        )
    )
