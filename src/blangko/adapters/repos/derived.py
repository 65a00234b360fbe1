"""SQL of the stored figures: the versions a figure depends on, the stored figure, its claim
while one process computes it (services.derived)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from blangko.adapters import tables as t
from blangko.adapters.tables_derived import derived_figure as df
from blangko.adapters.tables_derived import figure_version as fv


def versions(conn: Connection, office: str) -> dict[str, int]:
    """The office's ledger head (``ledger``) and every source's version (absent: 0)."""
    out = {
        "ledger": int(
            conn.execute(
                select(t.office.c.ledger_seq).where(t.office.c.code == office)
            ).scalar_one_or_none()
            or 0
        )
    }
    for source, version in conn.execute(
        select(fv.c.source, fv.c.version).where(fv.c.office_code == office)
    ):
        out[source] = int(version)
    return out


def bump(conn: Connection, office: str, source: str) -> None:
    """The version of ``source`` of the office's stored figures, one up (a write the
    database's triggers do not see, or see only in part)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(fv).values(office_code=office, source=source, version=1)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[fv.c.office_code, fv.c.source],
            set_={"version": fv.c.version + 1},
        )
    )


def _pk(office: str, kind: str, params: str) -> Any:
    return and_(df.c.office_code == office, df.c.kind == kind, df.c.params == params)


def figure(conn: Connection, office: str, kind: str, params: str) -> Any:
    return conn.execute(select(df).where(_pk(office, kind, params))).first()


def claim(
    conn: Connection, office: str, kind: str, params: str, key: str, now: datetime, stale: datetime
) -> bool:
    """Take the computing of ``key``: True unless the figure has that key already or another
    process claimed that key since ``stale``.

    On PostgreSQL the claims of one figure are serialized by a transaction-scoped advisory
    lock: two processes finding no row at the same moment both got rowcount 1 from their
    INSERT ... ON CONFLICT DO NOTHING under load (seen with a trace: both computed), so the
    second now waits for the first's transaction and then finds its row."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:figure, 0))"),
            {"figure": f"derived_figure|{office}|{kind}|{params}"},
        )
    row = figure(conn, office, kind, params)
    if row is None:
        # Two processes may both find no row: the one whose insert lands claims it.
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        added = conn.execute(
            dialect.insert(df)
            .values(
                office_code=office,
                kind=kind,
                params=params,
                key="",
                claim_key=key,
                claimed_at=now,
            )
            .on_conflict_do_nothing()
        )
        return bool(added.rowcount)
    done = conn.execute(
        update(df)
        .where(
            _pk(office, kind, params),
            df.c.key != key,
            or_(df.c.claim_key.is_(None), df.c.claim_key != key, df.c.claimed_at < stale),
        )
        .values(claim_key=key, claimed_at=now)
    )
    return bool(done.rowcount)


def save(
    conn: Connection,
    office: str,
    kind: str,
    params: str,
    *,
    key: str,
    payload: str,
    computed_at: datetime,
    compute_ms: int,
) -> bool:
    """Store the figure computed for ``key`` while the claim is still that key's (True): a
    claim taken over meanwhile (for a newer key, or for a computing that outlived
    CLAIM_SECONDS) is the other process's to store."""
    done = conn.execute(
        update(df)
        .where(_pk(office, kind, params), df.c.claim_key == key)
        .values(
            key=key,
            payload=payload,
            computed_at=computed_at,
            compute_ms=compute_ms,
            claim_key=None,
            claimed_at=None,
        )
    )
    return bool(done.rowcount)


def release(conn: Connection, office: str, kind: str, params: str, key: str) -> None:
    conn.execute(
        update(df)
        .where(_pk(office, kind, params), df.c.claim_key == key)
        .values(claim_key=None, claimed_at=None)
    )


def prune(conn: Connection, office: str, kind: str, before: datetime) -> None:
    """Forget the figures of ``kind`` last computed before ``before`` (past days' asks)."""
    conn.execute(
        delete(df).where(df.c.office_code == office, df.c.kind == kind, df.c.computed_at < before)
    )


def put(
    conn: Connection,
    office: str,
    kind: str,
    params: str,
    *,
    key: str,
    payload: str,
    computed_at: datetime,
    compute_ms: int,
) -> None:
    """Store a drawing made without a claim (services.derived.drawn), over whatever is
    stored: two processes drawing the same key store the same drawing. A claim on the row
    (a figure being computed) is left as it is."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "key": key,
        "payload": payload,
        "computed_at": computed_at,
        "compute_ms": compute_ms,
    }
    conn.execute(
        dialect.insert(df)
        .values(office_code=office, kind=kind, params=params, **values)
        .on_conflict_do_update(index_elements=["office_code", "kind", "params"], set_=values)
    )
