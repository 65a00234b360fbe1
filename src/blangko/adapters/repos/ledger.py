"""SQL for the ledger: the chain head, appending entries, expanding ranges into blanks,
moving blanks, closed months, and reading entries and blanks back.

Ranges are expanded inside the database in one statement each (generate_series on
PostgreSQL, a recursive CTE on SQLite), never serial by serial from Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Connection,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)

from blangko.adapters import tables as t
from blangko.adapters.prepared import Prepared
from blangko.adapters.repos import AnyRow, day_totals
from blangko.domain.ledger import MOVES, EntryRecord, Kind, State
from blangko.domain.serials import SerialRange, merge


@dataclass
class Prior:
    """A stored idempotency key's request fingerprint and first result."""

    operation: str
    request_hash: str
    result: str


@dataclass(frozen=True)
class Openings:
    """The date of an office's first opening balance among its entries 1..`seq`, entry `seq`
    having the hash `hash`. Entries are only appended, so it stays true while entry `seq`
    keeps that hash; a later read only looks at the entries after `seq` (see `lock_head`)."""

    seq: int
    hash: str
    first: date | None


@dataclass
class LedgerState:
    """What the date rules and the idempotency check of a write read, once per transaction:
    the office's latest closed month ("YYYY-MM"), the date of its first opening balance, and
    the stored request of the idempotency key the write was sent with. `openings`: what was
    read of the openings, to hand to the next transaction's read."""

    closed_through: str | None
    opening: date | None
    prior: Prior | None
    openings: Openings


@dataclass
class Head:
    """The office's chain head, locked; `state` is read with it where that is safe (always on
    SQLite; on PostgreSQL when no other writer came between, see `lock_head`), else None
    (read it with `ledger_state` once the lock is held)."""

    seq: int
    hash: str
    state: LedgerState | None


def _office_state(office: Any) -> Any:
    """The chain head with the office's ledger state: the latest closed month, the first
    opening among the entries after b_upto with the hash of entry b_upto, and the stored
    request of idempotency key b_key (NULLs when it is unknown or none is given).

    Not the first opening over all entries: the office_date index gives no early stop when
    the office has no opening at all, and each print would read every entry of the office.
    From b_upto on, the (office_code, seq) index reads only the entries written since."""
    idem = t.idempotency
    e = t.ledger_entry
    return (
        select(
            t.office.c.ledger_seq,
            t.office.c.ledger_hash,
            select(func.max(t.month_close.c.month))
            .where(t.month_close.c.office_code == office)
            .scalar_subquery()
            .label("closed_through"),
            select(func.min(e.c.effective_date))
            .where(
                e.c.office_code == office,
                # Bounded on both sides, so that a generic plan (PostgreSQL, prepared) expects
                # few rows and reads the (office_code, seq) index ...
                e.c.seq > bindparam("b_upto"),
                e.c.seq <= t.office.c.ledger_seq,
                e.c.kind == "opening",
            )
            # ... and grouped, so that it does not answer min() by walking the office_date
            # index from the earliest entry (every entry of an office without an opening).
            .group_by(e.c.office_code)
            .scalar_subquery()
            .label("opening_since"),
            select(e.c.hash)
            .where(e.c.office_code == office, e.c.seq == bindparam("b_upto"))
            .scalar_subquery()
            .label("hash_at_upto"),
            idem.c.operation,
            idem.c.request_hash,
            idem.c.result,
        )
        .select_from(
            t.office.outerjoin(
                idem, and_(idem.c.office_code == t.office.c.code, idem.c.key == bindparam("b_key"))
            )
        )
        .where(t.office.c.code == office)
    )


# Built once (below, the same for the statements every write runs): building a statement per
# call costs more Python time than SQLite takes to execute it (bench/ledger.py). Those of a
# print are also compiled once and run on the driver's cursor (adapters.prepared).
_HEAD_AND_STATE = Prepared(_office_state(bindparam("b_office")))
# The same without the entries (see ledger_state): the closed months and the key's request.
_STATE = (
    select(
        select(func.max(t.month_close.c.month))
        .where(t.month_close.c.office_code == bindparam("b_office"))
        .scalar_subquery()
        .label("closed_through"),
        t.idempotency.c.operation,
        t.idempotency.c.request_hash,
        t.idempotency.c.result,
    )
    .select_from(
        t.office.outerjoin(
            t.idempotency,
            and_(
                t.idempotency.c.office_code == t.office.c.code,
                t.idempotency.c.key == bindparam("b_key"),
            ),
        )
    )
    .where(t.office.c.code == bindparam("b_office"))
)


def _lock_head_pg() -> Any:
    """PostgreSQL: the office's row locked by adding one to its lock count, returning the
    chain head and, as of the statement's start, the count and the state _STATE reads."""
    seen = t.office.alias("seen")
    return (
        update(t.office)
        .where(t.office.c.code == bindparam("b_office"))
        .values(lock_count=t.office.c.lock_count + 1)
        .returning(
            t.office.c.ledger_seq,
            t.office.c.ledger_hash,
            t.office.c.lock_count,
            select(seen.c.lock_count)
            .where(seen.c.code == bindparam("b_office"))
            .scalar_subquery()
            .label("count_seen"),
            *(
                select(column)
                .where(
                    t.idempotency.c.office_code == bindparam("b_office"),
                    t.idempotency.c.key == bindparam("b_key"),
                )
                .scalar_subquery()
                .label(column.name)
                for column in (
                    t.idempotency.c.operation,
                    t.idempotency.c.request_hash,
                    t.idempotency.c.result,
                )
            ),
            _STATE.selected_columns.closed_through,
        )
    )


_LOCK_HEAD = Prepared(_lock_head_pg())


def _read_state(
    conn: Connection, office: str, key: str | None, known: Openings | None
) -> tuple[int, str, LedgerState] | None:
    upto = known.seq if known is not None else 0
    row = _HEAD_AND_STATE.first(conn, {"b_office": office, "b_key": key, "b_upto": upto})
    if row is None:
        return None
    state = _state_from(conn, office, key, known, row)
    return row.ledger_seq, row.ledger_hash, state


def _state_from(
    conn: Connection, office: str, key: str | None, known: Openings | None, row: Any
) -> LedgerState:
    upto = known.seq if known is not None else 0
    if known is not None and upto > 0 and row.hash_at_upto != known.hash:
        # Entry `upto` is not the one read before (a database restored from a backup, say):
        # read every entry's kind again.
        again = _read_state(conn, office, key, None)
        assert again is not None
        return again[2]
    firsts = [d for d in (known.first if known else None, row.opening_since) if d is not None]
    first = min(firsts, default=None)
    prior = None if row.operation is None else Prior(row.operation, row.request_hash, row.result)
    openings = Openings(row.ledger_seq, row.ledger_hash, first)
    return LedgerState(row.closed_through, first, prior, openings)


def lock_head(
    conn: Connection,
    office: str,
    idempotency_key: str | None = None,
    openings: Openings | None = None,
) -> Head | None:
    """The office's chain head, locked until the transaction ends; None for an unknown office.

    SQLite already holds the database's write lock from BEGIN IMMEDIATE, so nothing can
    change under this statement: it reads the ledger state (and the idempotency key's stored
    request) in the same statement.

    PostgreSQL locks the row by adding one to its `lock_count`. Under READ COMMITTED a
    statement that waited for the lock (or found the row changed since it began) still reads
    the other tables as they were when it began, so a month closed or a key stored by the
    writer before it would be missed. The statement also returns the count as it was then,
    with the closed months and the key: when the new count is that plus one, no writer held
    the lock in between and what it read is current. Else, or when entries were written
    since `openings`, the state is left to `ledger_state`, after the lock. `openings`: what
    an earlier transaction read of the openings (only the entries after it are read).
    """
    if conn.dialect.name == "sqlite":
        read = _read_state(conn, office, idempotency_key, openings)
        return None if read is None else Head(*read)
    row = _LOCK_HEAD.first(conn, {"b_office": office, "b_key": idempotency_key})
    if row is None:
        return None
    alone = row.count_seen is not None and row.lock_count == row.count_seen + 1
    head = (row.ledger_seq, row.ledger_hash)
    known = openings is not None and head == (openings.seq, openings.hash)
    state = _state_of(row, openings) if alone and known and openings else None
    return Head(row.ledger_seq, row.ledger_hash, state)


def _state_of(row: Any, openings: Openings) -> LedgerState:
    """The state from a row of _STATE (or _LOCK_HEAD), the openings as read before."""
    prior = None if row.operation is None else Prior(row.operation, row.request_hash, row.result)
    return LedgerState(row.closed_through, openings.first, prior, openings)


def ledger_state(
    conn: Connection,
    office: str,
    idempotency_key: str | None,
    openings: Openings | None,
    head: tuple[int, str] | None = None,
) -> LedgerState:
    """The office's ledger state (see LedgerState), read under the lock of `lock_head`.
    `head`: the chain head (seq, hash) the lock returned; when `openings` were read up to it,
    no entry has been written since and the entries are not read at all."""
    if openings is not None and head == (openings.seq, openings.hash):
        row = conn.execute(_STATE, {"b_office": office, "b_key": idempotency_key}).one()
        return _state_of(row, openings)
    read = _read_state(conn, office, idempotency_key, openings)
    assert read is not None  # the office's row is locked
    return read[2]


def head(conn: Connection, office: str) -> AnyRow:
    """The office row with its chain head, unlocked (for verify)."""
    return conn.execute(select(t.office).where(t.office.c.code == office)).one()


def _range_clause(r: SerialRange) -> Any:
    return and_(
        t.blank.c.prefix == r.prefix,
        t.blank.c.width == r.width,
        t.blank.c.number.between(r.first, r.last),
    )


def known_serials(conn: Connection, ranges: Iterable[SerialRange], limit: int = 5) -> list[str]:
    """Serials of these ranges already in the database (in any office)."""
    found: list[str] = []
    for r in ranges:
        rows = conn.execute(
            select(t.blank.c.serial).where(_range_clause(r)).order_by(t.blank.c.number).limit(limit)
        ).scalars()
        found.extend(rows)
        if len(found) >= limit:
            break
    return found[:limit]


def insert_blanks(
    conn: Connection, office: str, ranges: Iterable[SerialRange], location: int, seq: int
) -> None:
    pg = conn.dialect.name == "postgresql"
    for r in ranges:
        params = {
            "office": office,
            "prefix": r.prefix,
            "width": r.width,
            "first": r.first,
            "last": r.last,
            "loc": location,
            "seq": seq,
            "zeros": "0" * r.width,
        }
        if r.width == 0:
            conn.execute(
                t.blank.insert().values(
                    serial=r.prefix,
                    office_code=office,
                    prefix=r.prefix,
                    width=0,
                    number=0,
                    state=State.AVAILABLE.value,
                    location_id=location,
                    last_seq=seq,
                )
            )
        elif pg:
            conn.execute(
                text(
                    "INSERT INTO blank (serial, office_code, prefix, width, number, state,"
                    " location_id, last_seq)"
                    " SELECT :prefix || lpad(g::text, :width, '0'), :office, :prefix, :width, g,"
                    " 'available', :loc, :seq"
                    " FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g"
                ),
                params,
            )
        else:
            conn.execute(
                text(
                    "WITH RECURSIVE s(n) AS (SELECT :first UNION ALL SELECT n + 1 FROM s"
                    " WHERE n < :last)"
                    " INSERT INTO blank (serial, office_code, prefix, width, number, state,"
                    " location_id, last_seq)"
                    " SELECT :prefix || substr(:zeros || n, -:width), :office, :prefix, :width, n,"
                    " 'available', :loc, :seq FROM s"
                ),
                params,
            )


def _arrived_after(day: Any) -> Any:
    """The blank (of the statement this is used in) reached where it is after `day`: its last
    entry is dated later."""
    e = t.ledger_entry
    return exists().where(
        e.c.office_code == t.blank.c.office_code,
        e.c.seq == t.blank.c.last_seq,
        e.c.effective_date > day,
    )


def _location_named(office: Any, name: Any) -> Any:
    return (
        select(t.location.c.id)
        .where(t.location.c.office_code == office, t.location.c.name == name)
        .scalar_subquery()
    )


_MOVE_VALUES: dict[str, Any] = {
    "state": bindparam("b_to_state"),
    "location_id": bindparam("b_to_location"),
    "last_seq": bindparam("b_seq"),
}


def _in_range(one: bool) -> Any:
    """The blanks of the range b_prefix, b_width, b_first..b_last. `one` (see `_one`):
    "number = b_first"."""
    number = t.blank.c.number
    return and_(
        t.blank.c.prefix == bindparam("b_prefix"),
        t.blank.c.width == bindparam("b_width"),
        number == bindparam("b_first")
        if one
        else number.between(bindparam("b_first"), bindparam("b_last")),
    )


def _of_office_in_state(one: bool) -> Any:
    return and_(
        _in_range(one),
        t.blank.c.office_code == bindparam("b_office"),
        t.blank.c.state == bindparam("b_from_state"),
    )


# Each of these by `one` (see _in_range): the statement for a single serial, or for a range.
_MOVE_FROM = {
    one: update(t.blank)
    .where(_of_office_in_state(one), t.blank.c.location_id == bindparam("b_from_location"))
    .values(_MOVE_VALUES)
    for one in (False, True)
}
_MOVE_FROM_ARRIVED = {
    one: statement.where(~_arrived_after(bindparam("b_day", type_=Date)))
    for one, statement in _MOVE_FROM.items()
}
_MOVE_UNPLACED = {
    one: update(t.blank)
    .where(_of_office_in_state(one), t.blank.c.location_id.is_(None))
    .values(_MOVE_VALUES)
    for one in (False, True)
}


def _one(conn: Connection, r: SerialRange) -> bool:
    """Whether to use the statement for one serial (a print's card) on PostgreSQL: with
    "number = b_first" a generic plan (for a statement prepared after five runs) expects one
    row and is kept, where a range of two parameters is planned anew on every run (0,1 to
    0,2 ms on this machine). Not on SQLite, which plans every statement anyway and, given the
    equality, reads the office's blanks through ix_blank_where for the look-up by number."""
    return r.first == r.last and conn.dialect.name == "postgresql"


def _range_params(r: SerialRange) -> dict[str, Any]:
    return {"b_prefix": r.prefix, "b_width": r.width, "b_first": r.first, "b_last": r.last}


def move_available(
    conn: Connection,
    office: str,
    ranges: Iterable[SerialRange],
    from_location: int | None,
    to_state: State,
    to_location: int | None,
    seq: int,
    from_state: State = State.AVAILABLE,
    *,
    arrived_by: date | None = None,
) -> int:
    """Move blanks that are in from_state at from_location (None: blanks without a location,
    i.e. spoiled ones); returns how many rows moved. With `arrived_by`, only blanks that
    reached from_location on or before that day move (see `latest_arrival`)."""
    if from_location is None:
        statements = _MOVE_UNPLACED
    else:
        statements = _MOVE_FROM if arrived_by is None else _MOVE_FROM_ARRIVED
    common = {
        "b_office": office,
        "b_from_state": from_state.value,
        "b_from_location": from_location,
        "b_day": arrived_by,
        "b_to_state": to_state.value,
        "b_to_location": to_location,
        "b_seq": seq,
    }
    moved = 0
    for r in ranges:
        moved += conn.execute(statements[_one(conn, r)], {**common, **_range_params(r)}).rowcount
    return moved


# Take blanks out of `available` at a location named by its name, in one statement: the
# location's id is looked up inside it (and returned), the blank must have reached the
# location by the entry's date (b_day). The lowest N (ORDER BY ... LIMIT in a subquery, on an
# alias of blank so that it does not correlate with the updated table) or a named range.
_picked = t.blank.alias("picked")
_AT_NAMED = _location_named(bindparam("b_office"), bindparam("b_location"))
_TAKE_VALUES = {
    "state": bindparam("b_to_state"),
    "location_id": null(),
    "last_seq": bindparam("b_seq"),
}


def _lowest_available(at: Any, postgres: bool, limit: Any) -> Any:
    """The serials of the lowest `limit` available blanks at location `at` (an id), in the
    order of ix_blank_where.

    SQLite reads the index in that order with "location_id = the id". PostgreSQL, told that,
    drops location_id from the order it needs (a column equal to one value), and as its
    statistics say that nearly every blank is available at the store, it walks
    ix_blank_range from the lowest serial of the database instead, past every card printed
    so far: slower with each print. Written as a range of one value and ordered by the whole
    index, only ix_blank_where gives that order. (SQLite, given the range, would sort every
    blank of the location.)
    """
    where: list[Any] = [_picked.c.location_id == at]
    order: list[Any] = []
    if postgres:
        where = [_picked.c.location_id >= at, _picked.c.location_id <= at]
        order = [_picked.c.location_id, _picked.c.state]
    return (
        select(_picked.c.serial)
        .where(
            _picked.c.office_code == bindparam("b_office"),
            *where,
            _picked.c.state == State.AVAILABLE.value,
        )
        .order_by(*order, _picked.c.prefix, _picked.c.width, _picked.c.number)
        .limit(limit)
    )


def _take_lowest(postgres: bool) -> Any:
    """The lowest b_n available blanks at the named location, moved (see take_lowest)."""
    # PostgreSQL: b_n is rendered into the statement (LIMIT 1 on a print), so that a prepared
    # statement's generic plan knows that it takes one row. (Rendering it costs SQLite, which
    # plans every statement anew, Python time on each print.)
    lowest = _lowest_available(
        _AT_NAMED, postgres, bindparam("b_n", type_=Integer, literal_execute=postgres)
    )
    return (
        update(t.blank)
        .where(t.blank.c.serial.in_(lowest), ~_arrived_after(bindparam("b_day", type_=Date)))
        .values(_TAKE_VALUES)
        .returning(t.blank.c.prefix, t.blank.c.width, t.blank.c.number, _AT_NAMED.label("location"))
    )


_TAKE_LOWEST_SQLITE = Prepared(_take_lowest(False))
_TAKE_LOWEST_PG = _take_lowest(True)  # its LIMIT is rendered at execution: not Prepared
_TAKE_RANGE = {
    one: Prepared(
        update(t.blank)
        .where(
            _of_office_in_state(one),
            t.blank.c.location_id == _AT_NAMED,
            ~_arrived_after(bindparam("b_day", type_=Date)),
        )
        .values(_TAKE_VALUES)
        .returning(_AT_NAMED.label("location"))
    )
    for one in (False, True)
}


def take_lowest(
    conn: Connection, office: str, location: str, n: int, to_state: State, seq: int, day: date
) -> tuple[int | None, list[SerialRange]]:
    """Move the lowest `n` available blanks at the location named `location` to `to_state`
    (no location), in one statement, those that had reached it by `day`; returns the
    location's id (None when nothing moved) and the ranges moved (fewer than `n` when the
    location is unknown, holds fewer, or one of the lowest `n` arrived after `day`)."""
    params = {
        "b_office": office,
        "b_location": location,
        "b_n": n,
        "b_day": day,
        "b_to_state": to_state.value,
        "b_seq": seq,
    }
    if conn.dialect.name == "sqlite":
        rows = _TAKE_LOWEST_SQLITE.rows(conn, params)
    else:
        rows = list(conn.execute(_TAKE_LOWEST_PG, params))
    moved = merge(SerialRange(r.prefix, r.width, r.number, r.number) for r in rows)
    return (rows[0].location if rows else None), moved


def take_named(
    conn: Connection,
    office: str,
    ranges: Iterable[SerialRange],
    location: str,
    to_state: State,
    seq: int,
    day: date,
) -> tuple[int | None, int]:
    """Move the blanks of `ranges` available at the location named `location` to `to_state`
    (no location), one statement per range, those that had reached it by `day`; returns the
    location's id (None when nothing moved) and how many moved."""
    found: int | None = None
    moved = 0
    common = {
        "b_office": office,
        "b_from_state": State.AVAILABLE.value,
        "b_location": location,
        "b_day": day,
        "b_to_state": to_state.value,
        "b_seq": seq,
    }
    for r in ranges:
        ids = [
            row.location
            for row in _TAKE_RANGE[_one(conn, r)].rows(conn, {**common, **_range_params(r)})
        ]
        moved += len(ids)
        found = ids[0] if ids else found
    return found, moved


def _with_last_entry() -> Any:
    """Each blank joined to its last entry: the one that put it where it is."""
    return t.blank.join(
        t.ledger_entry,
        and_(
            t.ledger_entry.c.office_code == t.blank.c.office_code,
            t.ledger_entry.c.seq == t.blank.c.last_seq,
        ),
    )


def latest_arrival(
    conn: Connection, office: str, ranges: Iterable[SerialRange], location: int
) -> date | None:
    """The latest effective date of the entries that put these available serials where they
    are (each blank's last entry); an entry using them may not be dated before it."""
    latest: date | None = None
    for r in ranges:
        found = conn.execute(
            select(func.max(t.ledger_entry.c.effective_date))
            .select_from(_with_last_entry())
            .where(
                _range_clause(r),
                t.blank.c.office_code == office,
                t.blank.c.state == State.AVAILABLE.value,
                t.blank.c.location_id == location,
            )
        ).scalar_one()
        if found is not None and (latest is None or found > latest):
            latest = found
    return latest


def lowest_arrived_by(conn: Connection, office: str, location: int, day: date) -> str | None:
    """The lowest available serial at a location that had arrived there by `day` (its last
    entry dated on or before it), or None."""
    serial = conn.execute(
        select(t.blank.c.serial)
        .select_from(_with_last_entry())
        .where(
            t.blank.c.office_code == office,
            t.blank.c.location_id == location,
            t.blank.c.state == State.AVAILABLE.value,
            t.ledger_entry.c.effective_date <= day,
        )
        .order_by(t.blank.c.prefix, t.blank.c.width, t.blank.c.number)
        .limit(1)
    ).scalar()
    return None if serial is None else str(serial)


def not_available_at(
    conn: Connection,
    office: str,
    ranges: Iterable[SerialRange],
    location: int,
    limit: int = 5,
    *,
    moved_by: int | None = None,
) -> list[str]:
    """Serials of these ranges that are not available at that location (unknown ones too).
    `moved_by`: the entry number of a move that has just taken some of them from there in
    this transaction (their last_seq); those count as available, as they were before it."""
    bad: list[str] = []
    here = and_(t.blank.c.state == State.AVAILABLE.value, t.blank.c.location_id == location)
    if moved_by is not None:
        here = or_(here, t.blank.c.last_seq == moved_by)
    for r in ranges:
        if r.count > 200_000:
            # Too many to list cheaply; the count mismatch is reported by the caller.
            continue
        present = set(
            conn.execute(
                select(t.blank.c.serial).where(
                    _range_clause(r), t.blank.c.office_code == office, here
                )
            ).scalars()
        )
        for s in r.serials():
            if s not in present:
                bad.append(s)
                if len(bad) >= limit:
                    return bad
    return bad


def locations_holding(
    conn: Connection, office: str, ranges: Iterable[SerialRange]
) -> dict[int | None, list[SerialRange]]:
    """Split ranges by the location where each serial is available (None: not available,
    unknown ones included). Works on the blanks' numbers: a range is never expanded into
    serials here, only the blanks that exist are read."""
    return locations_holding_named(conn, office, ranges)[0]


def locations_holding_named(
    conn: Connection, office: str, ranges: Iterable[SerialRange]
) -> tuple[dict[int | None, list[SerialRange]], dict[int, str]]:
    """`locations_holding`, and the names of the locations found (read in the same
    statement)."""
    out: dict[int | None, list[SerialRange]] = {}
    names: dict[int, str] = {}
    for r in ranges:
        rows = conn.execute(_HOLDING[_one(conn, r)], {**_range_params(r), "b_office": office})
        expected = r.first  # the next number not yet placed
        for row in rows:
            if row.number > expected:
                out.setdefault(None, []).append(
                    SerialRange(r.prefix, r.width, expected, row.number - 1)
                )
            where = row.location_id if row.state == State.AVAILABLE.value else None
            if where is not None:
                names[where] = row.name
            out.setdefault(where, []).append(SerialRange(r.prefix, r.width, row.number, row.number))
            expected = row.number + 1
        if expected <= r.last:
            out.setdefault(None, []).append(SerialRange(r.prefix, r.width, expected, r.last))
    return {loc: merge(found) for loc, found in out.items()}, names


_HOLDING = {
    one: select(t.blank.c.number, t.blank.c.location_id, t.blank.c.state, t.location.c.name)
    .select_from(t.blank.outerjoin(t.location, t.location.c.id == t.blank.c.location_id))
    .where(_in_range(one), t.blank.c.office_code == bindparam("b_office"))
    .order_by(t.blank.c.number)
    for one in (False, True)
}


def blanks_in(conn: Connection, ranges: Iterable[SerialRange]) -> list[AnyRow]:
    """The blanks of these ranges that exist, in any office: serial, number, office, state."""
    found: list[AnyRow] = []
    for r in ranges:
        found.extend(
            conn.execute(
                select(
                    t.blank.c.serial,
                    t.blank.c.prefix,
                    t.blank.c.width,
                    t.blank.c.number,
                    t.blank.c.office_code,
                    t.blank.c.state,
                )
                .where(_range_clause(r))
                .order_by(t.blank.c.number)
            ).all()
        )
    return found


def lowest_available(conn: Connection, office: str, location: int, n: int) -> list[SerialRange]:
    return available_ranges(conn, office, location, limit=n)


def available_ranges(
    conn: Connection, office: str, location: int, *, limit: int | None = None
) -> list[SerialRange]:
    """The available serials at a location as ranges, lowest first (only the lowest `limit`)."""
    query = (
        select(t.blank.c.prefix, t.blank.c.width, t.blank.c.number)
        .where(
            t.blank.c.office_code == office,
            t.blank.c.location_id == location,
            t.blank.c.state == State.AVAILABLE.value,
        )
        .order_by(t.blank.c.prefix, t.blank.c.width, t.blank.c.number)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    return merge(SerialRange(r.prefix, r.width, r.number, r.number) for r in rows)


def count_available(conn: Connection, office: str, location: int) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                t.blank.c.office_code == office,
                t.blank.c.location_id == location,
                t.blank.c.state == State.AVAILABLE.value,
            )
        ).scalar_one()
    )


# The statements every write runs, built once (see _HEAD_AND_STATE).
_ENTRY_COLUMNS = [c.name for c in t.ledger_entry.c if c.name != "id"]
_ENTRY_VALUES: dict[str, Any] = {name: bindparam(name) for name in _ENTRY_COLUMNS}
_INSERT_ENTRY = Prepared(
    t.ledger_entry.insert().values(_ENTRY_VALUES).returning(t.ledger_entry.c.id)
)
_INSERT_RANGES = t.entry_range.insert()
_INSERT_ONE_RANGE = Prepared(
    t.entry_range.insert().values({c.name: bindparam(c.name) for c in t.entry_range.c})
)
_MOVE_HEAD = Prepared(
    update(t.office)
    .where(t.office.c.code == bindparam("b_office"))
    .values(ledger_seq=bindparam("b_seq"), ledger_hash=bindparam("b_hash"))
)
_CLOSED_MONTHS = select(t.month_close.c.month).where(
    t.month_close.c.office_code == bindparam("b_office")
)
_RANGE_COLUMNS = list(
    t.entry_range.c
)  # entry_id, office_code, prefix, width, first_no, last_no, span_class


def _insert_entry_pg() -> Any:
    """PostgreSQL: the entry, its ranges and the new chain head in one statement (one round
    trip instead of three): INSERT ... RETURNING id and the head's UPDATE as CTEs of the
    ranges' INSERT, which reads the ranges from arrays."""
    entry = (
        t.ledger_entry.insert()
        .values(_ENTRY_VALUES)
        .returning(t.ledger_entry.c.id)
        .cte("new_entry")
    )
    head = _MOVE_HEAD.statement.cte("new_head")
    ranges = (
        func.unnest(
            bindparam("b_prefixes", type_=ARRAY(String)),
            bindparam("b_widths", type_=ARRAY(Integer)),
            bindparam("b_firsts", type_=ARRAY(BigInteger)),
            bindparam("b_lasts", type_=ARRAY(BigInteger)),
            bindparam("b_classes", type_=ARRAY(Integer)),
        )
        .table_valued("prefix", "width", "first_no", "last_no", "span_class")
        .render_derived(name="r")
    )
    return (
        t.entry_range.insert()
        .from_select(
            _RANGE_COLUMNS,
            select(
                entry.c.id,
                bindparam("b_office"),
                ranges.c.prefix,
                ranges.c.width,
                ranges.c.first_no,
                ranges.c.last_no,
                ranges.c.span_class,
            )
            .select_from(entry)
            .join(ranges, true()),
        )
        .add_cte(head)
    )


def _take_guessed(lowest: bool) -> Any:
    """PostgreSQL: the blank b_prefix/b_width/b_first moved from location b_loc (still named
    b_location) if it is available there and had arrived by b_day; with `lowest`, only if it
    is also the lowest available there (the blank a take of one would pick)."""
    where = [
        _of_office_in_state(True),
        t.blank.c.location_id == bindparam("b_loc"),
        exists().where(
            t.location.c.id == bindparam("b_loc"),
            t.location.c.office_code == bindparam("b_office"),
            t.location.c.name == bindparam("b_location"),
        ),
        ~_arrived_after(bindparam("b_day", type_=Date)),
    ]
    if lowest:
        # The pick of a take of one, which reads ix_blank_where from the location's lowest
        # serial and stops at the first ("no lower one available" written as NOT EXISTS was
        # planned as a scan of every blank of the office).
        pick = _lowest_available(bindparam("b_loc"), True, 1)
        where.append(t.blank.c.serial == pick.scalar_subquery())
    return (
        update(t.blank).where(*where).values(_TAKE_VALUES).returning(t.blank.c.serial).cte("taken")
    )


def _take_one_and_insert_entry_pg(lowest: bool) -> Any:
    """PostgreSQL: one blank moved (_take_guessed) and, only if it moved, its entry, its
    range and the new chain head, in one statement that returns the entry's id (no row:
    nothing was written). As _INSERT_ENTRY_PG, with the range from the blank's parameters."""
    taken = _take_guessed(lowest)
    moved = exists().select_from(taken)
    # Named e_<column>: executed with a parameter named after one of its columns, an UPDATE
    # (here the blank's) would also set that column.
    values = [bindparam(f"e_{name}", type_=t.ledger_entry.c[name].type) for name in _ENTRY_COLUMNS]
    entry = (
        t.ledger_entry.insert()
        .from_select(_ENTRY_COLUMNS, select(*values).where(moved))
        .returning(t.ledger_entry.c.id)
        .cte("new_entry")
    )
    one = select(
        entry.c.id,
        bindparam("b_office"),
        bindparam("b_prefix", type_=String),
        bindparam("b_width", type_=Integer),
        bindparam("b_first", type_=BigInteger),
        bindparam("b_first", type_=BigInteger),
        literal_column("0"),  # span_class(n, n)
    ).select_from(entry)
    return (
        t.entry_range.insert()
        .from_select(_RANGE_COLUMNS, one)
        .add_cte(_MOVE_HEAD.statement.where(moved).cte("new_head"))
        .add_cte(taken)
        .returning(t.entry_range.c.entry_id)
    )


_INSERT_ENTRY_PG = Prepared(_insert_entry_pg())
_TAKE_GUESSED = {
    lowest: Prepared(_take_one_and_insert_entry_pg(lowest)) for lowest in (False, True)
}


def _entry_values(entry: EntryRecord) -> tuple[str, dict[str, Any]]:
    """The entry's hash, and the parameters of the statements that write it and move the
    office's chain head to it."""
    entry_hash = entry.compute_hash()
    values = {
        "office_code": entry.office,
        "seq": entry.seq,
        "kind": entry.kind,
        "effective_date": entry.effective_date,
        "recorded_at": entry.recorded_at,
        "actor": entry.actor,
        "from_location": entry.from_location,
        "to_location": entry.to_location,
        "service": entry.service,
        "reason": entry.reason,
        "document": entry.document,
        "party": entry.party,
        "note": entry.note,
        "idempotency_key": entry.idempotency_key,
        "quantity": entry.quantity,
        "serials": entry.serials,
        "corrects_seq": entry.corrects_seq,
        "count_id": entry.count_id,
        "prev_hash": entry.prev_hash,
        "hash": entry_hash,
        "b_office": entry.office,
        "b_seq": entry.seq,
        "b_hash": entry_hash,
    }
    return entry_hash, values


def insert_entry(conn: Connection, entry: EntryRecord, ranges: list[SerialRange]) -> str:
    """Append the entry with its ranges and move the office's chain head to it; returns the
    entry's hash (the new head)."""
    entry_hash, values = _entry_values(entry)
    if conn.dialect.name == "postgresql":
        _INSERT_ENTRY_PG.run(
            conn,
            {
                **values,
                "b_prefixes": [r.prefix for r in ranges],
                "b_widths": [r.width for r in ranges],
                "b_firsts": [r.first for r in ranges],
                "b_lasts": [r.last for r in ranges],
                "b_classes": [span_class(r.first, r.last) for r in ranges],
            },
        )
        return entry_hash
    entry_id = _INSERT_ENTRY.rows(conn, values)[0].id
    rows = [
        {
            "entry_id": entry_id,
            "office_code": entry.office,
            "prefix": r.prefix,
            "width": r.width,
            "first_no": r.first,
            "last_no": r.last,
            "span_class": span_class(r.first, r.last),
        }
        for r in ranges
    ]
    # One range (a print) as one row: executemany costs more Python for a single row.
    if len(rows) == 1:
        _INSERT_ONE_RANGE.run(conn, rows[0])
    else:
        conn.execute(_INSERT_RANGES, rows)
    _MOVE_HEAD.run(conn, values)
    return entry_hash


def insert_taken_entry(
    conn: Connection,
    entry: EntryRecord,
    blank: SerialRange,
    location_name: str,
    *,
    lowest: bool,
) -> str | None:
    """PostgreSQL: move one blank (`blank`, a single serial) from the entry's location (its
    from_location, still named `location_name`) to the entry's state, and append the entry
    with the chain head, in one statement; only if the blank is available there and had
    arrived by the entry's date (with `lowest`: and is the lowest available there). Returns
    the entry's hash, or None when the blank did not qualify (then nothing was written)."""
    assert conn.dialect.name == "postgresql" and blank.first == blank.last
    entry_hash, values = _entry_values(entry)
    written = _TAKE_GUESSED[lowest].first(
        conn,
        {
            **{(k if k.startswith("b_") else f"e_{k}"): v for k, v in values.items()},
            **_range_params(blank),
            "b_from_state": State.AVAILABLE.value,
            "b_to_state": MOVES[Kind(entry.kind)].to_state.value,
            "b_loc": entry.from_location,
            "b_location": location_name,
            "b_day": entry.effective_date,
        },
    )
    return None if written is None else entry_hash


def row_to_record(row: Any) -> EntryRecord:
    return EntryRecord(
        office=row.office_code,
        seq=row.seq,
        kind=row.kind,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        actor=row.actor,
        from_location=row.from_location,
        to_location=row.to_location,
        service=row.service,
        reason=row.reason,
        document=row.document,
        party=row.party,
        note=row.note,
        idempotency_key=row.idempotency_key,
        quantity=row.quantity,
        serials=row.serials,
        corrects_seq=row.corrects_seq,
        count_id=row.count_id,
        prev_hash=row.prev_hash,
    )


def iter_entries(
    conn: Connection,
    office: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    by_seq: bool = True,
    upto_seq: int | None = None,
) -> Iterator[AnyRow]:
    q = select(t.ledger_entry).where(t.ledger_entry.c.office_code == office)
    if upto_seq is not None:
        q = q.where(t.ledger_entry.c.seq <= upto_seq)
    if date_from:
        q = q.where(t.ledger_entry.c.effective_date >= date_from)
    if date_to:
        q = q.where(t.ledger_entry.c.effective_date <= date_to)
    if by_seq:
        q = q.order_by(t.ledger_entry.c.seq)
    else:
        q = q.order_by(t.ledger_entry.c.effective_date, t.ledger_entry.c.seq)
    yield from conn.execute(q)


def _entries_where(
    office: str,
    date_from: date | None,
    date_to: date | None,
    kind: str | None,
    serials: Sequence[SerialRange] | None,
) -> list[Any]:
    e = t.ledger_entry
    where: list[Any] = [e.c.office_code == office]
    if date_from:
        where.append(e.c.effective_date >= date_from)
    if date_to:
        where.append(e.c.effective_date <= date_to)
    if kind is not None:
        where.append(e.c.kind == kind)
    if serials is not None:
        # An entry moves one of the wanted serials when one of its stored ranges overlaps
        # one of them (entry_range holds exactly the ranges of the entry's serials text).
        r = t.entry_range
        where.append(
            exists().where(
                r.c.entry_id == e.c.id,
                or_(
                    *(
                        and_(
                            r.c.prefix == w.prefix,
                            r.c.width == w.width,
                            r.c.first_no <= w.last,
                            r.c.last_no >= w.first,
                        )
                        for w in serials
                    )
                ),
            )
        )
    return where


def count_entries(
    conn: Connection,
    office: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
    serials: Sequence[SerialRange] | None = None,
) -> int:
    """How many entries the filters select (for a page's "n of N")."""
    where = _entries_where(office, date_from, date_to, kind, serials)
    return int(
        conn.execute(select(func.count()).select_from(t.ledger_entry).where(*where)).scalar_one()
    )


def entries_page(
    conn: Connection,
    office: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
    serials: Sequence[SerialRange] | None = None,
    limit: int,
    offset: int = 0,
    newest_first: bool = False,
) -> Sequence[AnyRow]:
    """One page of the entries the filters select, in date order (then entry number), or
    the newest first: the page reads `limit` rows, not the ledger."""
    e = t.ledger_entry
    order = (e.c.effective_date, e.c.seq)
    q = (
        select(e)
        .where(*_entries_where(office, date_from, date_to, kind, serials))
        .order_by(*(c.desc() for c in order) if newest_first else order)
        .limit(limit)
        .offset(offset)
    )
    return conn.execute(q).all()


def entries_of_kinds(conn: Connection, office: str, kinds: Sequence[str]) -> Sequence[AnyRow]:
    """(effective_date, quantity) of each entry of `kinds`, in date order then entry number."""
    e = t.ledger_entry
    # Sorted here, not by the database: with ORDER BY, SQLite walks the office's entries in
    # the page index's order to check each one's kind (0,7-1,1 s for 1 juta entries) rather
    # than read the few of these kinds from ix_ledger_entry_tally and sort them.
    rows = conn.execute(
        select(e.c.effective_date, e.c.quantity, e.c.seq).where(
            e.c.office_code == office, e.c.kind.in_(list(kinds))
        )
    ).all()
    return sorted(rows, key=lambda r: (r.effective_date, r.seq))


def span_class(first: int, last: int) -> int:
    """The length class `entry_range.span_class` of the range first..last: the bit length of
    last - first. A range of class c holding x has first >= x - (2**c - 1)."""
    return (last - first).bit_length()


def _ranges_holding(prefix: str, width: int, number: int) -> Any:
    """The entry ranges holding serial ``number`` as a subquery (entry_id): one bounded range
    of `ix_entry_range_class` per length class a serial of ``width`` digits can have (a
    range's first number is at most 2**c - 1 below any serial it holds), so the search reads
    the few ranges starting near the serial, not every range starting below it."""
    er = t.entry_range.c
    top = span_class(0, 10**width - 1)
    return union_all(
        *(
            select(er.entry_id).where(
                er.prefix == prefix,
                er.width == width,
                er.span_class == c,
                er.first_no.between(number - (2**c - 1), number),
                er.last_no >= number,
            )
            for c in range(top + 1)
        )
    ).subquery("holding")


def entries_touching(
    conn: Connection, office: str | None, serial_range: SerialRange
) -> Sequence[AnyRow]:
    """The entries whose ranges hold the first serial of ``serial_range``, by office and
    entry number (an entry once per range of it that holds the serial)."""
    r = serial_range
    holding = _ranges_holding(r.prefix, r.width, r.first)
    q = (
        select(t.ledger_entry)
        .join(holding, holding.c.entry_id == t.ledger_entry.c.id)
        .order_by(t.ledger_entry.c.office_code, t.ledger_entry.c.seq)
    )
    if office:
        q = q.where(t.ledger_entry.c.office_code == office)
    return conn.execute(q).all()


def entry_ranges(conn: Connection, office: str) -> dict[int, list[SerialRange]]:
    """The stored ranges of each entry of the office, sorted. A range stored with a wrong
    length class is left out: a serial's trace would not find the entry by it, so the
    audit, comparing these with the entry's serials, reports the entry."""
    rows = conn.execute(
        select(
            t.entry_range.c.entry_id,
            t.entry_range.c.prefix,
            t.entry_range.c.width,
            t.entry_range.c.first_no,
            t.entry_range.c.last_no,
            t.entry_range.c.span_class,
        ).where(t.entry_range.c.office_code == office)
    )
    out: dict[int, list[SerialRange]] = {}
    for r in rows:
        ranges = out.setdefault(r.entry_id, [])
        if r.span_class == span_class(r.first_no, r.last_no):
            ranges.append(SerialRange(r.prefix, r.width, r.first_no, r.last_no))
    return {k: sorted(v) for k, v in out.items()}


def closed_months(conn: Connection, office: str) -> set[str]:
    return set(conn.execute(_CLOSED_MONTHS, {"b_office": office}).scalars())


def opening_date(conn: Connection, office: str) -> date | None:
    """The date of the office's earliest opening balance entry, or None (no opening)."""
    first: date | None = conn.execute(
        select(func.min(t.ledger_entry.c.effective_date)).where(
            t.ledger_entry.c.office_code == office, t.ledger_entry.c.kind == "opening"
        )
    ).scalar()
    return first


def close_month(conn: Connection, *, office: str, month: str, at: datetime, actor: str) -> None:
    conn.execute(
        t.month_close.insert().values(office_code=office, month=month, closed_at=at, actor=actor)
    )


def head_seq(conn: Connection, office: str) -> int:
    """The office's last entry number. Reading with upto_seq=head_seq(...) sees the ledger
    as it stood then, one snapshot, even where one read transaction is not one (PostgreSQL's
    READ COMMITTED): appends to an office are serialised, so committed entries are always
    1..n."""
    return int(
        conn.execute(select(t.office.c.ledger_seq).where(t.office.c.code == office)).scalar_one()
    )


@cache
def _quantity_by_kind(dated: bool, upto: bool) -> Any:
    as_of = bindparam("b_as_of", type_=Date)
    u = day_totals.tallied(
        lambda c: [c.effective_date <= as_of] if dated else [],
        upto_seq=day_totals.UPTO if upto else None,
    )
    return select(
        u.c.kind, u.c.from_location, u.c.to_location, day_totals.total(u.c.quantity).label("qty")
    ).group_by(u.c.kind, u.c.from_location, u.c.to_location)


def quantity_by_kind(
    conn: Connection, office: str, as_of: date | None, *, upto_seq: int | None = None
) -> Sequence[AnyRow]:
    """The office's quantities by kind and locations, of the entries dated up to ``as_of``
    (all when None) and numbered up to ``upto_seq`` (all when None): the stock on hand's
    sums, read through the stored daily totals (day_totals.tallied)."""
    q = _quantity_by_kind(as_of is not None, upto_seq is not None)
    return conn.execute(q, {"b_office": office, "b_as_of": as_of, "b_upto": upto_seq}).all()


def spoiled_between(conn: Connection, office: str, first: date, last: date) -> Sequence[AnyRow]:
    """Every card spoiled by an entry dated first..last, with that entry's reason and the
    card's current state (spoiled, or destroyed since) and last entry."""
    spoil = t.ledger_entry
    return conn.execute(
        select(
            t.blank.c.serial,
            t.blank.c.state,
            t.blank.c.last_seq,
            spoil.c.seq.label("spoil_seq"),
            spoil.c.effective_date,
            spoil.c.reason,
            spoil.c.note,
            spoil.c.from_location,
            spoil.c.actor,
        )
        .select_from(
            spoil.join(t.entry_range, t.entry_range.c.entry_id == spoil.c.id).join(
                t.blank,
                and_(
                    t.blank.c.office_code == spoil.c.office_code,
                    t.blank.c.prefix == t.entry_range.c.prefix,
                    t.blank.c.width == t.entry_range.c.width,
                    t.blank.c.number.between(t.entry_range.c.first_no, t.entry_range.c.last_no),
                ),
            )
        )
        .where(
            spoil.c.office_code == office,
            spoil.c.kind.in_(("spoil", "misprint")),
            spoil.c.effective_date.between(first, last),
        )
        .order_by(t.blank.c.prefix, t.blank.c.width, t.blank.c.number)
    ).all()


def entry_by_seq(conn: Connection, office: str, seq: int) -> Any:
    """The office's entry number ``seq`` (a row), or None."""
    return conn.execute(
        select(t.ledger_entry).where(
            t.ledger_entry.c.office_code == office, t.ledger_entry.c.seq == seq
        )
    ).first()


def blank(conn: Connection, serial: str) -> AnyRow | None:
    """One blank by its serial, in whatever office holds it."""
    return conn.execute(select(t.blank).where(t.blank.c.serial == serial)).first()


def blank_states(conn: Connection, office: str) -> Iterator[AnyRow]:
    """Every blank of the office: serial, state, location and last entry (for verify)."""
    yield from conn.execute(
        select(t.blank.c.serial, t.blank.c.state, t.blank.c.location_id, t.blank.c.last_seq).where(
            t.blank.c.office_code == office
        )
    )


def consumed_between(conn: Connection, office: str, first: date, before: date) -> int:
    """Blanks consumed by entries dated first <= date < before."""
    return int(
        conn.execute(
            select(func.coalesce(func.sum(t.ledger_entry.c.quantity), 0)).where(
                t.ledger_entry.c.office_code == office,
                t.ledger_entry.c.kind == "consume",
                t.ledger_entry.c.effective_date >= first,
                t.ledger_entry.c.effective_date < before,
            )
        ).scalar_one()
    )


def last_entries(conn: Connection, office: str, n: int) -> Sequence[AnyRow]:
    """The office's last ``n`` entries by effective date, then sequence (the newest first):
    the tail of `iter_entries(by_seq=False)` without reading the whole ledger."""
    q = (
        select(t.ledger_entry)
        .where(t.ledger_entry.c.office_code == office)
        .order_by(t.ledger_entry.c.effective_date.desc(), t.ledger_entry.c.seq.desc())
        .limit(n)
    )
    return conn.execute(q).all()


def _daily_moves() -> Any:
    u = day_totals.tallied()
    out = u.c.from_location.is_not(None).label("out")
    into = u.c.to_location.is_not(None).label("into")
    return (
        select(u.c.effective_date, u.c.kind, out, into, day_totals.total(u.c.quantity).label("qty"))
        .group_by(u.c.effective_date, u.c.kind, out, into)
        .order_by(u.c.effective_date)
    )


_DAILY_MOVES = _daily_moves()


def daily_moves(conn: Connection, office: str) -> Sequence[AnyRow]:
    """The office's quantities per effective date and kind, split by whether the entries
    take blanks from a location (``out``) and put them at one (``into``): what the stock
    chart's daily levels are made of, summed by the database (through the stored daily
    totals, day_totals.tallied) rather than entry by entry."""
    return conn.execute(_DAILY_MOVES, {"b_office": office}).all()


def _usage_by_day() -> Any:
    kind = bindparam("b_kind", type_=String)
    u = day_totals.tallied(lambda c: [c.kind == kind])
    return (
        select(u.c.effective_date, u.c.service, day_totals.total(u.c.quantity).label("qty"))
        .group_by(u.c.effective_date, u.c.service)
        .order_by(u.c.effective_date, u.c.service)
    )


_USAGE_BY_DAY = _usage_by_day()


def usage_by_day(conn: Connection, office: str, kind: str) -> Sequence[AnyRow]:
    """The quantity of the office's entries of ``kind`` per effective date and service
    (through the stored daily totals, day_totals.tallied)."""
    return conn.execute(_USAGE_BY_DAY, {"b_office": office, "b_kind": kind}).all()
