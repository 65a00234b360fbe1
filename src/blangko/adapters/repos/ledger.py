"""SQL for the ledger: the chain head, appending entries, expanding ranges into blanks,
moving blanks, closed months, and reading entries and blanks back.

Ranges are expanded inside the database in one statement each (generate_series on
PostgreSQL, a recursive CTE on SQLite), never serial by serial from Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, text, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.domain.ledger import EntryRecord, State
from blangko.domain.serials import SerialRange, merge


def lock_head(conn: Connection, office: str) -> AnyRow | None:
    """The office's chain head (ledger_seq, ledger_hash), locked until the transaction ends
    (SELECT ... FOR UPDATE; SQLite already holds the database lock from BEGIN IMMEDIATE)."""
    return conn.execute(
        select(t.office.c.ledger_seq, t.office.c.ledger_hash)
        .where(t.office.c.code == office)
        .with_for_update()
    ).first()


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


def move_available(
    conn: Connection,
    office: str,
    ranges: Iterable[SerialRange],
    from_location: int | None,
    to_state: State,
    to_location: int | None,
    seq: int,
    from_state: State = State.AVAILABLE,
) -> int:
    """Move blanks that are in from_state at from_location (None: blanks without a location,
    i.e. spoiled ones); returns how many rows moved."""
    where_location = (
        t.blank.c.location_id.is_(None)
        if from_location is None
        else t.blank.c.location_id == from_location
    )
    moved = 0
    for r in ranges:
        res = conn.execute(
            update(t.blank)
            .where(
                _range_clause(r),
                t.blank.c.office_code == office,
                t.blank.c.state == from_state.value,
                where_location,
            )
            .values(state=to_state.value, location_id=to_location, last_seq=seq)
        )
        moved += res.rowcount
    return moved


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
    conn: Connection, office: str, ranges: Iterable[SerialRange], location: int, limit: int = 5
) -> list[str]:
    """Serials of these ranges that are not available at that location (unknown ones too)."""
    bad: list[str] = []
    for r in ranges:
        if r.count > 200_000:
            # Too many to list cheaply; the count mismatch is reported by the caller.
            continue
        present = set(
            conn.execute(
                select(t.blank.c.serial).where(
                    _range_clause(r),
                    t.blank.c.office_code == office,
                    t.blank.c.state == State.AVAILABLE.value,
                    t.blank.c.location_id == location,
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
    out: dict[int | None, list[SerialRange]] = {}
    for r in ranges:
        rows = conn.execute(
            select(t.blank.c.number, t.blank.c.location_id, t.blank.c.state)
            .where(_range_clause(r), t.blank.c.office_code == office)
            .order_by(t.blank.c.number)
        )
        expected = r.first  # the next number not yet placed
        for row in rows:
            if row.number > expected:
                out.setdefault(None, []).append(
                    SerialRange(r.prefix, r.width, expected, row.number - 1)
                )
            where = row.location_id if row.state == State.AVAILABLE.value else None
            out.setdefault(where, []).append(SerialRange(r.prefix, r.width, row.number, row.number))
            expected = row.number + 1
        if expected <= r.last:
            out.setdefault(None, []).append(SerialRange(r.prefix, r.width, expected, r.last))
    return {loc: merge(found) for loc, found in out.items()}


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


# Built once: every write runs these, and building a statement per call costs more Python time
# than SQLite takes to execute it (bench/ledger.py).
_INSERT_ENTRY = t.ledger_entry.insert().returning(t.ledger_entry.c.id)
_MOVE_HEAD = (
    update(t.office)
    .where(t.office.c.code == bindparam("b_office"))
    .values(ledger_seq=bindparam("b_seq"), ledger_hash=bindparam("b_hash"))
)
_CLOSED_MONTHS = select(t.month_close.c.month).where(
    t.month_close.c.office_code == bindparam("b_office")
)


def insert_entry(conn: Connection, entry: EntryRecord, ranges: list[SerialRange]) -> int:
    entry_hash = entry.compute_hash()
    entry_id = conn.execute(
        _INSERT_ENTRY,
        {
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
        },
    ).scalar_one()
    conn.execute(
        t.entry_range.insert(),
        [
            {
                "entry_id": entry_id,
                "office_code": entry.office,
                "prefix": r.prefix,
                "width": r.width,
                "first_no": r.first,
                "last_no": r.last,
            }
            for r in ranges
        ],
    )
    conn.execute(_MOVE_HEAD, {"b_office": entry.office, "b_seq": entry.seq, "b_hash": entry_hash})
    return int(entry_id)


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


def entries_touching(
    conn: Connection, office: str | None, serial_range: SerialRange
) -> Sequence[AnyRow]:
    r = serial_range
    q = (
        select(t.ledger_entry)
        .join(t.entry_range, t.entry_range.c.entry_id == t.ledger_entry.c.id)
        .where(
            t.entry_range.c.prefix == r.prefix,
            t.entry_range.c.width == r.width,
            t.entry_range.c.first_no <= r.first,
            t.entry_range.c.last_no >= r.first,
        )
        .order_by(t.ledger_entry.c.office_code, t.ledger_entry.c.seq)
    )
    if office:
        q = q.where(t.ledger_entry.c.office_code == office)
    return conn.execute(q).all()


def entry_ranges(conn: Connection, office: str) -> dict[int, list[SerialRange]]:
    rows = conn.execute(
        select(
            t.entry_range.c.entry_id,
            t.entry_range.c.prefix,
            t.entry_range.c.width,
            t.entry_range.c.first_no,
            t.entry_range.c.last_no,
        ).where(t.entry_range.c.office_code == office)
    )
    out: dict[int, list[SerialRange]] = {}
    for r in rows:
        out.setdefault(r.entry_id, []).append(SerialRange(r.prefix, r.width, r.first_no, r.last_no))
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


def quantity_by_kind(
    conn: Connection, office: str, as_of: date | None, *, upto_seq: int | None = None
) -> Sequence[AnyRow]:
    q = select(
        t.ledger_entry.c.kind,
        t.ledger_entry.c.from_location,
        t.ledger_entry.c.to_location,
        func.sum(t.ledger_entry.c.quantity).label("qty"),
    ).where(t.ledger_entry.c.office_code == office)
    if as_of:
        q = q.where(t.ledger_entry.c.effective_date <= as_of)
    if upto_seq is not None:
        q = q.where(t.ledger_entry.c.seq <= upto_seq)
    q = q.group_by(
        t.ledger_entry.c.kind, t.ledger_entry.c.from_location, t.ledger_entry.c.to_location
    )
    return conn.execute(q).all()


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
