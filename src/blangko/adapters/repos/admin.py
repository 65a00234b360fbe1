"""SQL for administration: offices, their locations, region codes, web users and log-in
attempts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, false, func, insert, or_, select, text, update

from blangko.adapters import regions as reg
from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_users import app_user, login_attempt

REGION_BATCH = 5000
DELETE_BATCH = 500
# The first key of the advisory locks that serialise log-in attempts per name (PostgreSQL).
LOGIN_LOCK_SPACE = 0x626C6E  # "bln"

# --- offices ---------------------------------------------------------------------------------


def office_codes(conn: Connection, limit: int | None = None) -> list[str]:
    q = select(t.office.c.code).order_by(t.office.c.code)
    if limit is not None:
        q = q.limit(limit)
    return list(conn.execute(q).scalars())


def office_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(t.office.c.code).where(t.office.c.code == code)).first() is not None


def count_offices(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.office)).scalar_one())


def home_office(conn: Connection) -> str | None:
    """The database's home office (table home_office), or None when none is set."""
    found = conn.execute(
        select(t.home_office.c.office_code).where(t.home_office.c.id == 1)
    ).scalar_one_or_none()
    return str(found) if found is not None else None


def set_home_office(conn: Connection, code: str, *, set_at: datetime, set_by: str) -> None:
    """Make `code` the home office (the one row, id 1)."""
    values = {"office_code": code, "set_at": set_at, "set_by": set_by}
    changed = conn.execute(update(t.home_office).where(t.home_office.c.id == 1).values(**values))
    if not changed.rowcount:
        conn.execute(insert(t.home_office).values(id=1, **values))


def office_name(conn: Connection, code: str) -> str:
    return str(conn.execute(select(t.office.c.name).where(t.office.c.code == code)).scalar_one())


def offices(conn: Connection) -> Sequence[AnyRow]:
    return conn.execute(select(t.office).order_by(t.office.c.code)).all()


def insert_office(
    conn: Connection, *, code: str, name: str, created_at: datetime, head_hash: str
) -> None:
    conn.execute(
        t.office.insert().values(
            code=code, name=name, created_at=created_at, ledger_seq=0, ledger_hash=head_hash
        )
    )


def office_profile(conn: Connection, code: str) -> AnyRow | None:
    """The office's own settings (address, seat, head, status page, documents), if ever set."""
    return conn.execute(
        select(t.office_profile).where(t.office_profile.c.office_code == code)
    ).first()


def save_office_profile(
    conn: Connection, code: str, values: dict[str, Any], *, at: datetime, actor: str
) -> None:
    """Write the settings in ``values`` (the others stay as they are), creating the row."""
    stamp = {**values, "updated_at": at, "updated_by": actor}
    done = conn.execute(
        update(t.office_profile).where(t.office_profile.c.office_code == code).values(**stamp)
    )
    if done.rowcount == 0:
        conn.execute(insert(t.office_profile).values(office_code=code, **stamp))


# --- locations -------------------------------------------------------------------------------


def location_id(conn: Connection, office: str, name: str) -> int | None:
    row = conn.execute(
        select(t.location.c.id).where(t.location.c.office_code == office, t.location.c.name == name)
    ).first()
    return None if row is None else int(row.id)


def location_kind(conn: Connection, office: str, name: str) -> str | None:
    row = conn.execute(
        select(t.location.c.kind).where(
            t.location.c.office_code == office, t.location.c.name == name
        )
    ).first()
    return None if row is None else str(row.kind)


def location_names(conn: Connection, office: str) -> dict[int, str]:
    rows = conn.execute(
        select(t.location.c.id, t.location.c.name).where(t.location.c.office_code == office)
    )
    return {r.id: r.name for r in rows}


def locations(conn: Connection, office: str) -> Sequence[AnyRow]:
    return conn.execute(
        select(t.location).where(t.location.c.office_code == office).order_by(t.location.c.id)
    ).all()


def insert_location(
    conn: Connection, *, office: str, name: str, kind: str, created_at: datetime
) -> None:
    conn.execute(
        t.location.insert().values(office_code=office, name=name, kind=kind, created_at=created_at)
    )


# --- regions ---------------------------------------------------------------------------------


def count_regions(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.region)).scalar_one())


def insert_regions(conn: Connection, rows: Iterable[tuple[str, str]]) -> int:
    """Insert (code, name) rows in batches, each with its level and parent; returns how many."""
    batch: list[dict[str, Any]] = []
    n = 0
    for code, name in rows:
        batch.append(
            {
                "code": code,
                "name": name,
                "level": reg.level_of(code),
                "parent_code": reg.parent_of(code),
            }
        )
        if len(batch) >= REGION_BATCH:
            conn.execute(insert(t.region), batch)
            n += len(batch)
            batch = []
    if batch:
        conn.execute(insert(t.region), batch)
        n += len(batch)
    return n


def delete_regions(conn: Connection, codes: Sequence[str]) -> None:
    for i in range(0, len(codes), DELETE_BATCH):
        conn.execute(delete(t.region).where(t.region.c.code.in_(codes[i : i + DELETE_BATCH])))


def region(conn: Connection, code: str) -> AnyRow | None:
    return conn.execute(select(t.region).where(t.region.c.code == code)).first()


def region_exists(conn: Connection, code: str, level: str | None = None) -> bool:
    q = select(t.region.c.code).where(t.region.c.code == code)
    if level is not None:
        q = q.where(t.region.c.level == level)
    return conn.execute(q).first() is not None


def region_codes(conn: Connection, level: str | None = None) -> set[str]:
    q = select(t.region.c.code)
    if level is not None:
        q = q.where(t.region.c.level == level)
    return set(conn.execute(q).scalars())


def region_names(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    rows = conn.execute(select(t.region.c.code, t.region.c.name).where(t.region.c.code.in_(codes)))
    return {code: name for code, name in rows}


def villages(conn: Connection, office: str) -> dict[str, str]:
    """code -> name of every village (desa or kelurahan) of the office's regency."""
    rows = conn.execute(
        select(t.region.c.code, t.region.c.name).where(
            t.region.c.level == "desa", t.region.c.code.like(f"{office}.%")
        )
    )
    return {r.code: r.name for r in rows}


def count_villages(conn: Connection, office: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(t.region)
            .where(t.region.c.level == "desa", t.region.c.code.like(f"{office}.%"))
        ).scalar_one()
    )


def regions(conn: Connection, *, under: str | None, level: str | None) -> Sequence[AnyRow]:
    """Regions in code order, of one stored level and/or below one code."""
    q = select(t.region)
    if level:
        q = q.where(t.region.c.level == level)
    if under:
        q = q.where(t.region.c.code.like(f"{under}.%"))
    return conn.execute(q.order_by(t.region.c.code)).all()


# --- web users -------------------------------------------------------------------------------


def user(conn: Connection, username: str, *, active_only: bool = False) -> AnyRow | None:
    q = select(app_user).where(app_user.c.username == username)
    if active_only:
        q = q.where(app_user.c.active.is_(True))
    return conn.execute(q).first()


def user_by_id(conn: Connection, user_id: int) -> AnyRow:
    return conn.execute(select(app_user).where(app_user.c.id == user_id)).one()


def users(conn: Connection, offices: Sequence[str | None] | None = None) -> Sequence[AnyRow]:
    """The users of these offices (None in the list: those without an office), or of every
    office when `offices` is None."""
    q = select(app_user).order_by(app_user.c.username)
    if offices is not None:
        q = q.where(or_(false(), *(_of_office(o) for o in offices)))
    return conn.execute(q).all()


def _of_office(office: str | None) -> Any:
    col = app_user.c.office_code
    return col.is_(None) if office is None else col == office


def insert_user(
    conn: Connection,
    *,
    username: str,
    office: str | None,
    role: str,
    password_hash: str,
    created_at: datetime,
) -> None:
    conn.execute(
        app_user.insert().values(
            username=username,
            office_code=office,
            role=role,
            password_hash=password_hash,
            active=True,
            created_at=created_at,
            session_version=0,
        )
    )


def update_user(conn: Connection, user_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(app_user).where(app_user.c.id == user_id).values(**values))


def end_sessions(conn: Connection, user_id: int) -> None:
    """One more than the session version: every cookie and token issued before is void."""
    conn.execute(
        update(app_user)
        .where(app_user.c.id == user_id)
        .values(session_version=app_user.c.session_version + 1)
    )


def count_active_admins(conn: Connection, offices: Sequence[str | None] | None = None) -> int:
    """Active administrators of these offices (None in the list: those without an office), or
    of every office when `offices` is None."""
    q = (
        select(func.count())
        .select_from(app_user)
        .where(app_user.c.role == "admin", app_user.c.active.is_(True))
    )
    if offices is not None:
        q = q.where(or_(false(), *(_of_office(o) for o in offices)))
    return int(conn.execute(q).scalar_one())


def failed_logins_since(conn: Connection, username: str, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(login_attempt)
            .where(
                login_attempt.c.username == username,
                login_attempt.c.success.is_(False),
                login_attempt.c.attempted_at > since,
            )
        ).scalar_one()
    )


def lock_login_name(conn: Connection, username: str) -> None:
    """Serialise log-in attempts for one name until the transaction ends, so that parallel
    attempts are counted one after the other. PostgreSQL: a transaction-level advisory lock
    keyed by the name (a hash collision only serialises two names more than needed); SQLite:
    the write transaction's BEGIN IMMEDIATE already serialises every writer."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), hashtext(:name))"),
            {"space": LOGIN_LOCK_SPACE, "name": username},
        )


def record_login(conn: Connection, *, username: str, at: datetime, success: bool) -> int:
    """Record an attempt; returns its id."""
    result = conn.execute(
        login_attempt.insert().values(username=username, attempted_at=at, success=success)
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def mark_login_success(conn: Connection, attempt_id: int) -> None:
    conn.execute(update(login_attempt).where(login_attempt.c.id == attempt_id).values(success=True))
