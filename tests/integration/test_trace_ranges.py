"""A serial's entries (the trace, `repos.ledger.entries_touching`) found by the length class
of the stored ranges (0029: one bounded index range per class) are the entries the old
interval search found, for every serial around ranges of every length near a power of two,
on both backends; and both backends' plans bound the search from below."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from blangko.adapters import tables as t
from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import NotFound
from blangko.domain.serials import SerialRange
from blangko.services.context import Context
from blangko.services.stock import queries, writes

OFFICE = "17.04"
# Moved to the station and back in ranges whose lengths end each class (2**c serials: the
# range's first number is the class's bound below its last serial) and start the next one.
LENGTHS = (1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65, 128, 129)


def _old_entries(ctx: Context, number: int) -> list[int]:
    """The entries' numbers as the old unbounded interval search found them."""
    er, e = t.entry_range.c, t.ledger_entry.c
    with ctx.read() as conn:
        return list(
            conn.execute(
                select(e.seq)
                .join_from(t.ledger_entry, t.entry_range, er.entry_id == e.id)
                .where(
                    er.prefix == "KR",
                    er.width == 7,
                    er.first_no <= number,
                    er.last_no >= number,
                    e.office_code == OFFICE,
                )
                .order_by(e.office_code, e.seq)
            ).scalars()
        )


def _new_entries(ctx: Context, number: int) -> list[int]:
    with ctx.read() as conn:
        rows = repo.entries_touching(conn, OFFICE, SerialRange("KR", 7, number, number))
    return [int(r.seq) for r in rows]


@pytest.fixture
def ledger(ctx: Context, office: str) -> Context:
    start = ctx.today() - timedelta(days=30)
    writes.record_opening(ctx, serials="KR0001000-KR0001999", effective=start)
    # One entry, two ranges of the classes 6 and 7.
    writes.receive_shipment(
        ctx,
        serials="KR0003000-KR0003063,KR0003100-KR0003164",
        source="Ditjen Dukcapil",
        document="BA-1",
        effective=start,
    )
    first = 1000
    for n in LENGTHS:
        serials = f"KR{first:07d}-KR{first + n - 1:07d}"
        writes.transfer(ctx, serials=serials, from_location="gudang", to_location="loket-1")
        writes.transfer(ctx, serials=serials, from_location="loket-1", to_location="gudang")
        first += n + 3
    # Single serials and short ranges overlapping the moves above, in one entry.
    writes.transfer(
        ctx,
        serials="KR0001000,KR0001004-KR0001006,KR0003063,KR0003100",
        from_location="gudang",
        to_location="loket-1",
    )
    writes.consume(ctx, service="pemula", serials="KR0001005", location="loket-1")
    return ctx


def test_each_serials_entries_are_the_old_search_s(ledger: Context) -> None:
    numbers = [*range(990, 1700), *range(1990, 2010), *range(2990, 3175)]
    never = 0
    for number in numbers:
        old = _old_entries(ledger, number)
        assert _new_entries(ledger, number) == old, number
        never += not old
    # Never seen: around the opening, below, between and above the shipment's ranges.
    assert never == 10 + 10 + 10 + 36 + 10
    # A serial in several ranges (opening, two moves, the mixed move, its print) and the
    # first and last serials of a range of each length.
    assert len(_old_entries(ledger, 1005)) == 5
    first = 1000
    for n in LENGTHS:
        for number in (first, first + n - 1):
            assert len(_new_entries(ledger, number)) >= 3, (n, number)
        first += n + 3


def test_the_trace_shows_them_and_refuses_a_serial_never_seen(ledger: Context) -> None:
    history = queries.trace(ledger, serial="KR0001005", office=OFFICE)["history"]
    assert [h["seq"] for h in history] == _old_entries(ledger, 1005)
    with pytest.raises(NotFound):
        queries.trace(ledger, serial="KR0002500", office=OFFICE)


def test_every_range_is_stored_with_its_class(ledger: Context) -> None:
    er = t.entry_range.c
    with ledger.read() as conn:
        rows = conn.execute(select(er.first_no, er.last_no, er.span_class)).all()
    assert rows and all(c == (b - a).bit_length() for a, b, c in rows)
    assert {c for _a, _b, c in rows} >= set(range(9))


def test_the_search_is_bounded_below_in_the_plan(ledger: Context, db_url: str) -> None:
    with ledger.read() as conn:
        holding = repo._ranges_holding("KR", 7, 1005)
        q = select(holding)
        compiled = q.compile(conn, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "sqlite":
            plan = [r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
            searches = [p for p in plan if "entry_range" in p]
            assert searches and all(
                "ix_entry_range_class" in p and "first_no>? AND first_no<?" in p for p in searches
            ), plan
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = [r[0] for r in conn.execute(text(f"EXPLAIN {compiled}"))]
            conds = [p for p in plan if "Index Cond" in p]
            assert "ix_entry_range_class" in "\n".join(plan), plan
            assert conds and all("first_no >=" in p and "first_no <=" in p for p in conds), plan
