"""SQL for the ledger's stored daily totals (docs/ledger.md, "Stored daily totals").

`ledger_day_total` holds the office's entries with seq <= its mark (`ledger_total_mark`)
summed per effective date, kind, locations and service. The ledger is only appended to
(entries are never updated or deleted) and each office's entries are numbered 1..n without
a gap, so the entries after the mark are exactly what the totals do not hold yet, whatever
their effective date (a backdated entry included). A read (`tallied`) is the stored totals
plus the same sums over the entries after the mark, in ONE statement: on PostgreSQL each
statement of a READ COMMITTED transaction sees its own snapshot, and a fold committed
between two statements would count the folded entries twice. `fold` moves the mark and adds
the entries it passes, in one transaction: never on a print's path (services/stock/day_totals.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from blangko.adapters import tables as t

e = t.ledger_entry
d = t.ledger_day_total
m = t.ledger_total_mark

# What a total is summed by; a NULL location or service is stored as 0 or ''.
_NONE_LOCATION = 0
_NONE_SERVICE = ""


# What an entry is totalled by, as the stored totals hold it (a NULL as 0 or ''): the fold
# and the recount of `differences` group by the same keys.
_TOTAL_KEYS = (
    e.c.effective_date,
    e.c.kind,
    func.coalesce(e.c.from_location, _NONE_LOCATION),
    func.coalesce(e.c.to_location, _NONE_LOCATION),
    func.coalesce(e.c.service, _NONE_SERVICE),
)


def _mark(office: Any, upto_seq: Any | None) -> Any:
    q = select(m.c.through_seq).where(m.c.office_code == office)
    if upto_seq is not None:
        # A mark past upto_seq cannot be used: its totals hold entries after upto_seq.
        q = q.where(m.c.through_seq <= upto_seq)
    return q


class _Unindexed:
    """The entries' columns as `tallied`'s conditions see them: each wrapped in
    COALESCE(c, c), the same value, that no index of ledger_entry serves. Else SQLite reads
    the entries after the mark through ix_ledger_entry_page (office, date) for a range of
    dates, or ix_ledger_entry_tally for a kind: every entry of the office in it."""

    def __init__(self, columns: Any) -> None:
        self._columns = columns

    def __getattr__(self, name: str) -> Any:
        column = getattr(self._columns, name)
        return func.coalesce(column, column)


def _head(office: Any) -> Any:
    return select(t.office.c.ledger_seq).where(t.office.c.code == office).scalar_subquery()


# The bind parameters of the statements built on `tallied`: built once per figure (building
# a statement per call costs more Python time than SQLite takes to run it on a small office).
OFFICE = bindparam("b_office", type_=String)
UPTO = bindparam("b_upto", type_=BigInteger)


def tallied(
    where: Callable[[Any], list[Any]] = lambda c: [],
    *,
    upto_seq: Any | None = None,
    office: Any = OFFICE,
) -> Any:
    """The office's ledger as rows (effective_date, kind, from_location, to_location,
    service, quantity) whose sums over any of these columns are the sums over its entries
    (those with seq <= ``upto_seq`` when given: UPTO, or a value): the stored totals through
    the mark and the entries after it. ``where(columns)``: conditions on effective_date and
    kind (the columns both parts have as they are), applied to each part. A subquery, to
    group over; the office is the parameter b_office (OFFICE) unless given."""
    mark = _mark(office, upto_seq)
    stored = select(
        d.c.effective_date,
        d.c.kind,
        func.nullif(d.c.from_location, _NONE_LOCATION).label("from_location"),
        func.nullif(d.c.to_location, _NONE_LOCATION).label("to_location"),
        func.nullif(d.c.service, _NONE_SERVICE).label("service"),
        d.c.quantity,
    ).where(d.c.office_code == office, exists(mark), *where(d.c))
    after = select(
        e.c.effective_date,
        e.c.kind,
        e.c.from_location,
        e.c.to_location,
        e.c.service,
        cast(e.c.quantity, BigInteger).label("quantity"),
    ).where(
        e.c.office_code == office,
        # Bounded on both sides (the head, or upto_seq), so that the planners expect few
        # rows and read the (office_code, seq) index, the entries after the mark only,
        # rather than the office's entries by another index (with one bound, or with the
        # figure's conditions on kind and date usable by an index: _Unindexed).
        e.c.seq > func.coalesce(mark.scalar_subquery(), 0),
        e.c.seq <= (upto_seq if upto_seq is not None else _head(office)),
        *where(_Unindexed(e.c)),
    )
    return union_all(stored, after).subquery("tallied")


def total(column: Any) -> Any:
    """The sum of a `tallied` quantity, as an integer on both databases."""
    return cast(func.sum(column), BigInteger)


_LAG = select(
    t.office.c.ledger_seq - func.coalesce(_mark(OFFICE, None).scalar_subquery(), 0)
).where(t.office.c.code == OFFICE)


def lag(conn: Connection, office: str) -> int:
    """How many of the office's entries the stored totals do not hold yet."""
    got = conn.execute(_LAG, {"b_office": office}).scalar_one_or_none()
    return int(got or 0)


def mark_of(conn: Connection, office: str) -> int:
    got = conn.execute(_mark(office, None)).scalar_one_or_none()
    return int(got or 0)


def _insert(conn: Connection) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert


def fold(conn: Connection, office: str, most: int) -> int:
    """Add the office's entries after the mark (at most ``most`` of them) to the stored
    totals and move the mark past them, inside the caller's write transaction; the number of
    entries folded (0: none to fold, or another transaction folded them first)."""
    through = mark_of(conn, office)
    head = int(
        conn.execute(select(t.office.c.ledger_seq).where(t.office.c.code == office)).scalar_one()
    )
    upto = min(head, through + most)
    if upto <= through:
        return 0
    insert = _insert(conn)
    conn.execute(insert(m).values(office_code=office, through_seq=0).on_conflict_do_nothing())
    # Moved only from where it was read: on PostgreSQL a concurrent fold that moved it first
    # (its row lock waited for) leaves this one nothing to update, and it adds nothing.
    moved = conn.execute(
        update(m)
        .where(m.c.office_code == office, m.c.through_seq == through)
        .values(through_seq=upto)
    ).rowcount
    if moved != 1:
        return 0

    sums = (
        select(
            literal(office, String),
            *_TOTAL_KEYS,
            cast(func.sum(e.c.quantity), BigInteger),
            cast(func.count(), BigInteger),
        )
        .where(e.c.office_code == office, e.c.seq > through, e.c.seq <= upto)
        .group_by(*_TOTAL_KEYS)
    )
    columns = [
        "office_code",
        "effective_date",
        "kind",
        "from_location",
        "to_location",
        "service",
        "quantity",
        "entries",
    ]
    stmt = insert(d).from_select(columns, sums)
    stmt = stmt.on_conflict_do_update(
        index_elements=[
            d.c.office_code,
            d.c.kind,
            d.c.effective_date,
            d.c.from_location,
            d.c.to_location,
            d.c.service,
        ],
        set_={
            "quantity": d.c.quantity + stmt.excluded.quantity,
            "entries": d.c.entries + stmt.excluded.entries,
        },
    )
    conn.execute(stmt)
    return upto - through


@dataclass(frozen=True, slots=True)
class Difference:
    """A stored daily total that is not the sum of its entries (verify)."""

    effective_date: date
    kind: str
    from_location: int | None
    to_location: int | None
    service: str | None
    stored: tuple[int, int]  # (quantity, entries); (0, 0): none stored
    recounted: tuple[int, int]


def differences(conn: Connection, office: str) -> list[Difference]:
    """The stored totals of the office that differ from a full recount of its entries up to
    the mark (a total changed, added or removed behind the ledger's back)."""
    through = mark_of(conn, office)

    recount = {
        tuple(r[:5]): (int(r[5]), int(r[6]))
        for r in conn.execute(
            select(*_TOTAL_KEYS, func.sum(e.c.quantity), func.count())
            .where(e.c.office_code == office, e.c.seq <= through)
            .group_by(*_TOTAL_KEYS)
        )
    }
    stored = {
        tuple(r[:5]): (int(r[5]), int(r[6]))
        for r in conn.execute(
            select(
                d.c.effective_date,
                d.c.kind,
                d.c.from_location,
                d.c.to_location,
                d.c.service,
                d.c.quantity,
                d.c.entries,
            ).where(d.c.office_code == office)
        )
    }
    found = []
    for key in sorted(set(recount) | set(stored), key=lambda k: tuple(map(str, k))):
        have, want = stored.get(key, (0, 0)), recount.get(key, (0, 0))
        if have != want:
            day, kind, src, dst, service = key
            found.append(
                Difference(
                    day,
                    kind,
                    int(src) or None,
                    int(dst) or None,
                    str(service) or None,
                    have,
                    want,
                )
            )
    return found
