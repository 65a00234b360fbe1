"""SQL for the read log: one insert per read of personal data, and the office's log back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select

from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_readlog import read_log

_INSERT = read_log.insert()


def insert(
    conn: Connection,
    *,
    office: str,
    at: datetime,
    actor: str,
    role: str | None,
    action: str,
    nik: str | None,
    subject: str | None,
    rows: int,
) -> None:
    conn.execute(
        _INSERT,
        {
            "office_code": office,
            "at": at,
            "actor": actor,
            "role": role,
            "action": action,
            "nik": nik,
            "subject": subject,
            "rows": rows,
        },
    )


def entries(
    conn: Connection,
    office: str,
    *,
    nik: str | None = None,
    actor: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[int, Sequence[AnyRow]]:
    """(how many match, the page of them newest first)."""
    where = [read_log.c.office_code == office]
    if nik is not None:
        where.append(read_log.c.nik == nik)
    if actor is not None:
        where.append(read_log.c.actor == actor)
    total = conn.execute(select(func.count()).select_from(read_log).where(*where)).scalar_one()
    rows = conn.execute(
        select(read_log)
        .where(*where)
        .order_by(read_log.c.at.desc(), read_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return int(total), rows
