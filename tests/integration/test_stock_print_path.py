"""The per-print path of the ledger (issue 17, point 2): a consumption picks and moves its
blank in one statement, reads the closed months and the idempotency key with the office's
lock, and looks its location up inside the move; when fewer blanks move than asked, the
clerk still gets the error the step-by-step path gave, and nothing is written.

On both backends. The statement counts are the guard against the round trips creeping back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.errors import DomainError
from blangko.services.context import Context
from blangko.services.stock import queries as q
from blangko.services.stock import writes

D_OPEN = date(2026, 10, 1)
D_NOV = date(2026, 11, 10)
D_LATE = date(2026, 11, 20)


@pytest.fixture
def stocked(ctx: Context, office: str) -> Context:
    """KR0001-KR0100 in the store from 1 October; KR0001-KR0002 moved to loket-1 on
    10 November and KR0003 on 20 November."""
    writes.record_opening(ctx, serials="KR0001-KR0100", effective=D_OPEN)
    for serials, day in (("KR0001-KR0002", D_NOV), ("KR0003", D_LATE)):
        writes.transfer(
            ctx, serials=serials, from_location="gudang", to_location="loket-1", effective=day
        )
    return ctx


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The SQL statements run on the context's engine inside the block (BEGIN IMMEDIATE
    included on SQLite; PostgreSQL's BEGIN and every COMMIT are not statements here)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)


def _books(ctx: Context) -> tuple[Any, ...]:
    with ctx.read() as conn:
        head = conn.execute(select(t.office.c.ledger_seq, t.office.c.ledger_hash)).one()
        states = conn.execute(
            select(t.blank.c.state, t.blank.c.location_id, func.count())
            .group_by(t.blank.c.state, t.blank.c.location_id)
            .order_by(t.blank.c.state, t.blank.c.location_id)
        ).all()
    return tuple(head), [tuple(s) for s in states]


def _sqlite(ctx: Context) -> bool:
    return ctx.engine.dialect.name == "sqlite"


@pytest.mark.parametrize(
    ("call", "again", "sqlite", "postgres"),
    [
        # SQLite: BEGIN IMMEDIATE, head with state, take, entry, ranges, head.
        # PostgreSQL, a process's first print there: the head locked with the state, the take,
        # the entry with its ranges and the head; the next: the lock, then the blank moved and
        # its entry written in one statement (services.stock.guesses).
        ({"qty": 1}, {"qty": 1}, (6, 6), (3, 2)),
        ({"qty": 1, "location": "loket-1"}, {"qty": 1, "location": "loket-1"}, (6, 6), (3, 2)),
        (
            {"serials": "KR0050", "location": "gudang"},
            {"serials": "KR0051", "location": "gudang"},
            (6, 6),
            (3, 2),
        ),
        # Without a location, the serial's location is read first; the next print tries the
        # location the last one was found at (SQLite: with the pick and move it always has).
        ({"serials": "KR0050"}, {"serials": "KR0051"}, (7, 6), (4, 2)),
        # With a key, the key's row is stored beside the entry (it is looked up with the lock).
        (
            {"qty": 1, "idempotency_key": "cetak-1"},
            {"qty": 1, "idempotency_key": "cetak-2"},
            (7, 7),
            (4, 3),
        ),
    ],
)
def test_a_consumption_runs_few_statements(stocked, call, again, sqlite, postgres) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for asked in (call, again):
        with statements(stocked) as seen:
            result = writes.consume(
                stocked, service="pemula", effective=D_LATE, office="17.04", **asked
            )
        assert result["quantity"] == 1
        counts.append(len(seen))
        if not _sqlite(stocked):
            # This process wrote the last entry and no other writer came between: the lock
            # read the state (the closed months), and no later statement reads it again.
            assert "lock_count" in seen[0] and "month_close" in seen[0], seen[0]
            assert not any("month_close" in s for s in seen[1:]), seen[1:]
    assert tuple(counts) == (sqlite if _sqlite(stocked) else postgres), counts
    # A replay writes nothing and finds the stored answer with the lock (PostgreSQL; SQLite
    # reads it in the same statement, after BEGIN IMMEDIATE).
    if "idempotency_key" in call:
        with statements(stocked) as seen:
            replay = writes.consume(
                stocked, service="pemula", effective=D_LATE, office="17.04", **again
            )
        assert replay == {**result, "replayed": True}
        assert len(seen) == (2 if _sqlite(stocked) else 1), seen
    assert q.verify(stocked)["sound"] is True


def test_the_lowest_blank_that_arrived_too_late_refuses_the_whole_quantity(stocked) -> None:
    """qty=3 at loket-1 on 15 November: KR0001-KR0002 had arrived, KR0003 had not. The pick is
    the lowest three, as before, and the arrival date of the one left behind is reported."""
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(
            stocked, service="pemula", qty=3, location="loket-1", effective=date(2026, 11, 15)
        )
    assert (err.value.code, err.value.field) == ("date_before_arrival", "date")
    assert "(20-11-2026)" in err.value.message  # the arrival date, as clerks write it
    assert _books(stocked) == before
    # Two are there by then.
    done = writes.consume(
        stocked, service="pemula", qty=2, location="loket-1", effective=date(2026, 11, 15)
    )
    assert done["entries"][0]["serials"] == "KR0001-KR0002"
    assert done["entries"][0]["from_location"] == "loket-1"


def test_more_than_the_location_holds_names_what_it_holds(stocked) -> None:
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=4, location="loket-1", effective=D_LATE)
    assert (err.value.code, err.value.field) == ("insufficient_stock", "qty")
    assert "hanya 3 keping" in err.value.message
    assert _books(stocked) == before


def test_an_unknown_location_is_named_before_the_stock(stocked) -> None:
    before = _books(stocked)
    for call in ({"qty": 1}, {"serials": "KR0050"}):
        with pytest.raises(DomainError) as err:
            writes.consume(stocked, service="pemula", location="lemari", **call)
        assert (err.value.code, err.value.field) == ("unknown_location", "location")
    assert _books(stocked) == before


def test_a_partly_available_batch_names_only_the_serials_not_there(stocked) -> None:
    """KR0001-KR0003 are at loket-1, KR0004 is not: the move of the first three is rolled
    back and the message names KR0004 alone (not the three the same statement had moved)."""
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", serials="KR0001-KR0004", location="loket-1")
    assert (err.value.code, err.value.field) == ("serial_not_available", "serials")
    assert "'loket-1': KR0004." in err.value.message, err.value.message
    assert _books(stocked) == before


def test_a_named_serial_that_arrived_too_late_is_refused_by_its_date(stocked) -> None:
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(
            stocked,
            service="pemula",
            serials="KR0002-KR0003",
            location="loket-1",
            effective=date(2026, 11, 15),
        )
    assert (err.value.code, err.value.field) == ("date_before_arrival", "date")
    assert "(20-11-2026)" in err.value.message  # the arrival date, as clerks write it
    assert _books(stocked) == before


def test_a_month_closed_in_the_same_transaction_is_closed_for_its_later_entries(stocked) -> None:  # type: ignore[no-untyped-def]
    """The closed months are read once per transaction; a month closed later in it counts."""
    with stocked.write("17.04") as tx:
        assert tx.state().closed_through is None
        ledger_repo.close_month(
            tx.conn, office="17.04", month="2026-10", at=stocked.now(), actor="kepala"
        )
        tx.closed("2026-10")
        with pytest.raises(DomainError) as err:
            writes.consume_in(tx, service="pemula", effective=date(2026, 10, 30), qty=1)
        assert err.value.code == "month_closed"
    # And in the next transaction, from the database.
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 10, 30))
    assert err.value.code == "month_closed"


def test_an_opening_written_by_another_process_counts_at_once(stocked, db_url) -> None:  # type: ignore[no-untyped-def]
    """This process remembers what it read of the openings (up to some entry) and reads
    only the entries after it: an opening booked since by another process (its own engine)
    moves the first opening back for this process's next write."""
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 9, 20))
    assert err.value.code == "date_before_opening"  # read and remembered: first 1 October
    other = Context(make_engine(db_url), actor="petugas-lain", clock=stocked.clock)
    try:
        writes.record_opening(other, serials="KR0501-KR0510", effective=date(2026, 9, 15))
    finally:
        other.engine.dispose()
    done = writes.consume(stocked, service="pemula", serials="KR0501", effective=date(2026, 9, 20))
    assert done["quantity"] == 1
    assert q.verify(stocked)["sound"] is True


def test_what_was_read_of_the_openings_is_trusted_only_while_its_entry_is_unchanged(
    stocked,
) -> None:  # type: ignore[no-untyped-def]
    """The remembered first opening stands for the entries up to `seq` only while entry
    `seq` still has the hash it had (a database restored from a backup would not): else every
    entry is read again."""
    with stocked.write("17.04") as tx:
        read = tx.state().openings
        assert (read.seq, read.first) == (3, D_OPEN)
        # A remembered date that no entry has: trusted while entry 3 is the one read...
        same = ledger_repo.Openings(read.seq, read.hash, date(2026, 10, 5))
        assert ledger_repo.ledger_state(tx.conn, "17.04", None, same).opening == date(2026, 10, 5)
        # ... and not once it is another.
        other = ledger_repo.Openings(read.seq, "0" * 64, date(2026, 10, 5))
        assert ledger_repo.ledger_state(tx.conn, "17.04", None, other).opening == D_OPEN
        # Nor when the ledger no longer reaches that entry.
        gone = ledger_repo.Openings(read.seq + 10, read.hash, date(2026, 10, 5))
        assert ledger_repo.ledger_state(tx.conn, "17.04", None, gone).opening == D_OPEN


def _taken(result: Any) -> str:
    return str(result["entries"][0]["serials"])


def _print_one(ctx: Context) -> str:
    """A take of one at the store on 20 November; the serial taken."""
    return _taken(writes.consume(ctx, service="pemula", qty=1, effective=D_LATE))


def test_a_guess_taken_meanwhile_by_another_process_gives_the_lowest_still(stocked, db_url) -> None:  # type: ignore[no-untyped-def]
    """This process guesses that its next print at the store takes KR0005; another process
    takes it first. The print still takes the lowest available (KR0006), with nothing
    written twice; the guess is not tried on the next print (the pause after a miss), and
    is again on the one after."""
    pg = not _sqlite(stocked)
    assert _print_one(stocked) == "KR0004"
    other = Context(make_engine(db_url), actor="petugas-lain", clock=stocked.clock)
    try:
        assert _print_one(other) == "KR0005"
    finally:
        other.engine.dispose()
    counts, taken = [], []
    for _ in range(3):
        with statements(stocked) as seen:
            done = writes.consume(
                stocked, service="pemula", qty=1, effective=D_LATE, office="17.04"
            )
        taken.append(_taken(done))
        counts.append(len(seen))
    assert taken == ["KR0006", "KR0007", "KR0008"]
    # PostgreSQL: the lock, the state (another process wrote an entry since this one read
    # the head), the missed guess, the take and the entry; then the pause; then the guess.
    # SQLite guesses no take of the lowest (its pick and move is one statement already).
    assert counts == ([5, 3, 2] if pg else [6, 6, 6]), counts
    assert q.verify(stocked)["sound"] is True


def test_a_guessed_blank_that_arrived_too_late_is_refused_by_its_date(stocked) -> None:  # type: ignore[no-untyped-def]
    """At loket-1 on 15 November: KR0001 and KR0002 had arrived, KR0003 (the guess after
    them) had not. The third print is refused with the arrival date, nothing written."""
    day = date(2026, 11, 15)
    for serial in ("KR0001", "KR0002"):
        done = writes.consume(stocked, service="pemula", qty=1, location="loket-1", effective=day)
        assert _taken(done) == serial
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, location="loket-1", effective=day)
    assert (err.value.code, err.value.field) == ("date_before_arrival", "date")
    assert _books(stocked) == before


def test_a_named_serial_not_where_the_last_one_was_is_found_where_it_is(stocked) -> None:  # type: ignore[no-untyped-def]
    """Named serials without a location: the print tries where the last one was found (the
    store); KR0001 is at loket-1, so it is taken from there, and a serial that is nowhere
    available is refused by name, nothing written."""
    writes.consume(stocked, service="pemula", serials="KR0050", effective=D_LATE)
    done = writes.consume(stocked, service="pemula", serials="KR0001", effective=D_LATE)
    assert done["entries"][0]["from_location"] == "loket-1"
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", serials="KR0050", effective=D_LATE)
    assert (err.value.code, err.value.field) == ("serial_not_available", "serials")
    assert "KR0050" in err.value.message
    assert _books(stocked) == before
    assert q.verify(stocked)["sound"] is True


def test_a_lower_blank_back_in_the_store_is_taken_before_the_guess(stocked) -> None:  # type: ignore[no-untyped-def]
    """Three prints (the second guessed; the third, on PostgreSQL, without the lowest check:
    nothing was written since the second), then KR0001 comes back to the store from
    loket-1: the next take of one takes the lowest available, KR0001, not the guess
    (KR0007), as the transfer moved the chain head."""
    assert [_print_one(stocked) for _ in range(3)] == ["KR0004", "KR0005", "KR0006"]
    writes.transfer(
        stocked, serials="KR0001", from_location="loket-1", to_location="gudang", effective=D_LATE
    )
    assert [_print_one(stocked) for _ in range(2)] == ["KR0001", "KR0007"]
    assert q.verify(stocked)["sound"] is True


def test_a_guessed_print_rolled_back_leaves_its_blank_the_lowest(stocked) -> None:  # type: ignore[no-untyped-def]
    """A guessed print (KR0006) whose transaction rolls back, here because its printer is
    refused after the blank was taken, has moved the guess on to KR0007; the next take of
    one still takes KR0006, back in the store with the rollback."""
    assert [_print_one(stocked) for _ in range(2)] == ["KR0004", "KR0005"]
    before = _books(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, effective=D_LATE, printer="tidak-ada")
    assert err.value.field == "printer"
    assert _books(stocked) == before
    assert _print_one(stocked) == "KR0006"
    assert q.verify(stocked)["sound"] is True
