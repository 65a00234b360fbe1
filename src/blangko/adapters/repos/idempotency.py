"""SQL for idempotency keys: the stored fingerprint and result of a write sent with a key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from blangko.adapters import tables as t


def find(conn: Connection, office: str, key: str) -> Row[Any] | None:
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
