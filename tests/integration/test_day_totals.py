"""The ledger's stored daily totals (adapters/repos/day_totals.py, docs/ledger.md, "Stored daily totals"):
every sum read through them (the stock on hand, the chart series, the forecast's history)
equals the same sum over the entries themselves, whatever the watermark (none, in the
middle, at the head, behind backdated entries), on SQLite and PostgreSQL; a fold beside a
print or another fold loses nothing and counts nothing twice; verify names a tampered total.

The expected sums are made here in Python from the entries as read (`_entries`), not by the
code under test."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine, quick_write
from blangko.adapters.repos import day_totals
from blangko.adapters.repos import forecast as forecast_repo
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.serials import expand
from blangko.services import dashboard
from blangko.services.admin import setup
from blangko.services.context import Context, location_id
from blangko.services.stock import counts, writes
from blangko.services.stock import day_totals as keeping
from blangko.services.stock import queries as q

DOC = {"source": "Ditjen Dukcapil", "document": "BA-1"}
SERVICES = ("pemula", "hilang", "rusak", "perubahan_data")
# The days each figure is asked for (sums from first to last, or before).
SPANS = [
    (date(2026, 9, 1), date(2026, 11, 30)),
    (date(2026, 9, 10), date(2026, 10, 5)),
    (date(2026, 10, 15), date(2026, 10, 15)),
    (date(2026, 12, 1), date(2026, 12, 31)),
]


@pytest.fixture
def ledger(ctx: Context, office: str) -> Context:
    """Every kind of entry the office can write: an opening, receipts, transfers both ways,
    prints of each service at two stations, spoils, a loss, a return, a count that finds
    cards missing, a destruction; several on one day."""
    setup.add_location(ctx, name="loket-2", kind="station", office=office)
    writes.record_opening(ctx, serials="KR0000001-KR0000050", effective=date(2026, 9, 1))
    writes.receive_shipment(ctx, serials="KR0100001-KR0100100", effective=date(2026, 9, 1), **DOC)
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=60, effective=date(2026, 9, 2)
    )
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-2", qty=20, effective=date(2026, 9, 2)
    )
    for i in range(24):
        writes.consume(
            ctx,
            service=SERVICES[i % len(SERVICES)],
            qty=1 + i % 3,
            location="loket-1" if i % 3 else "loket-2",
            effective=date(2026, 9, 3) + timedelta(days=(i * 5) % 50),
        )
    writes.transfer(
        ctx, from_location="loket-1", to_location="gudang", qty=3, effective=date(2026, 10, 1)
    )
    writes.spoil(ctx, serial="KR0100090", reason="salah_cetak", effective=date(2026, 10, 3))
    writes.spoil(ctx, serial="KR0100091", reason="rusak_fisik", effective=date(2026, 10, 3))
    writes.lose(
        ctx, serials="KR0100095", reason="hilang", document="LP/1", effective=date(2026, 10, 4)
    )
    writes.return_blanks(
        ctx,
        serials="KR0100099-KR0100100",
        to="Ditjen Dukcapil",
        document="BA/2",
        effective=date(2026, 10, 6),
    )
    writes.destroy_spoiled(
        ctx,
        month="2026-10",
        destroyed_on=date(2026, 11, 2),
        witnesses=["Budi Santoso", "Siti Aminah"],
        document="BA-MUSNAH/1",
    )
    with ctx.read() as conn:
        there = ledger_repo.available_ranges(conn, office, location_id(conn, office, "loket-2"))
    # Two cards missing at loket-2, and the card lost in October found there.
    seen = [*list(expand(there))[:-2], "KR0100095"]
    c = counts.record_count(ctx, location="loket-2", scanned=counts.parse_scanned(seen)[0])
    counts.post_count(ctx, count_id=c["count_id"], reason="selisih di loket")
    return ctx


def _entries(ctx: Context, office: str) -> list[Any]:
    with ctx.read() as conn:
        return list(
            conn.execute(select(t.ledger_entry).where(t.ledger_entry.c.office_code == office)).all()
        )


def _expected(rows: list[Any], upto_seqs: list[int], as_ofs: list[date | None]) -> dict[str, Any]:
    """Every figure, summed in Python from the entries."""
    got: dict[str, Any] = {}
    for upto in upto_seqs:
        for as_of in as_ofs:
            qty: dict[tuple[Any, ...], int] = defaultdict(int)
            for r in rows:
                if r.seq <= upto and (as_of is None or r.effective_date <= as_of):
                    qty[(r.kind, r.from_location, r.to_location)] += r.quantity
            got[f"quantity_by_kind {upto} {as_of}"] = dict(qty)
    moves: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in rows:
        moves[
            (r.effective_date, r.kind, r.from_location is not None, r.to_location is not None)
        ] += r.quantity
    got["daily_moves"] = dict(moves)
    for kind in ("consume", "spoil", "transfer"):
        usage: dict[tuple[Any, ...], int] = defaultdict(int)
        for r in rows:
            if r.kind == kind:
                usage[(r.effective_date, r.service)] += r.quantity
        got[f"usage_by_day {kind}"] = dict(usage)
    for first, last in SPANS:
        per_day: dict[Any, int] = defaultdict(int)
        by_service: dict[Any, int] = defaultdict(int)
        service_day: dict[tuple[Any, ...], int] = defaultdict(int)
        for r in rows:
            if r.kind in ("consume", "spoil") and first <= r.effective_date <= last:
                per_day[r.effective_date] += r.quantity
            if r.kind == "consume" and first <= r.effective_date < last:
                by_service[r.service] += r.quantity
            if r.kind == "consume" and first <= r.effective_date <= last:
                service_day[(r.service, r.effective_date)] += r.quantity
        got[f"use_per_day {first} {last}"] = dict(per_day)
        got[f"consumed_by_service {first} {last}"] = dict(by_service)
        got[f"consumed_per_service_day {first} {last}"] = dict(service_day)
    return got


def _read(ctx: Context, office: str, upto_seqs: list[int], as_ofs: list[date | None]) -> Any:
    """Every figure, read through the stored totals."""
    got: dict[str, Any] = {}
    with ctx.read() as conn:
        for upto in upto_seqs:
            for as_of in as_ofs:
                rows = ledger_repo.quantity_by_kind(conn, office, as_of, upto_seq=upto)
                got[f"quantity_by_kind {upto} {as_of}"] = {
                    (r.kind, r.from_location, r.to_location): int(r.qty) for r in rows
                }
        got["daily_moves"] = {
            (r.effective_date, r.kind, bool(r.out), bool(r.into)): int(r.qty)
            for r in ledger_repo.daily_moves(conn, office)
        }
        for kind in ("consume", "spoil", "transfer"):
            got[f"usage_by_day {kind}"] = {
                (r.effective_date, r.service): int(r.qty)
                for r in ledger_repo.usage_by_day(conn, office, kind)
            }
        for first, last in SPANS:
            got[f"use_per_day {first} {last}"] = {
                d: int(n)
                for d, n in forecast_repo.use_per_day(
                    conn, office, ("consume", "spoil"), first, last
                )
            }
            got[f"consumed_by_service {first} {last}"] = forecast_repo.consumed_by_service(
                conn, office, first, last
            )
            got[f"consumed_per_service_day {first} {last}"] = {
                (s, d): int(n)
                for s, d, n in forecast_repo.consumed_per_service_day(conn, office, first, last)
            }
    return got


def _check(ctx: Context, office: str) -> int:
    """Every figure read through the stored totals equals the entries' sums (with the
    ledger as a whole, and as it stood after several entries); the watermark."""
    rows = _entries(ctx, office)
    head = max(r.seq for r in rows)
    uptos = sorted({1, head // 3, head // 2, head - 1, head})
    as_ofs: list[date | None] = [None, date(2026, 9, 1), date(2026, 9, 20), date(2026, 10, 3)]
    want = _expected(rows, uptos, as_ofs)
    got = _read(ctx, office, uptos, as_ofs)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert any(want[k] for k in want if k.startswith("consumed_by_service"))
    with ctx.read() as conn:
        assert day_totals.differences(conn, office) == []
        return day_totals.mark_of(conn, office)


def _fold(ctx: Context, office: str, most: int) -> int:
    with ctx.write_plain() as conn:
        return day_totals.fold(conn, office, most)


def _head(ctx: Context, office: str) -> int:
    with ctx.read() as conn:
        return ledger_repo.head_seq(conn, office)


def test_sums_through_the_totals_are_the_entries_sums_at_every_watermark(
    ledger: Context, office: str
) -> None:
    head = _head(ledger, office)
    assert head > 30
    assert _check(ledger, office) == 0  # nothing stored yet: all read from the entries
    assert _fold(ledger, office, head // 2) == head // 2
    assert _check(ledger, office) == head // 2  # half stored, half read after the mark
    assert _fold(ledger, office, 7) == 7
    assert _check(ledger, office) == head // 2 + 7
    assert _fold(ledger, office, 10_000) == head - head // 2 - 7
    assert _check(ledger, office) == head  # all stored
    assert _fold(ledger, office, 10_000) == 0

    # Entries after the mark, backdated into days the totals already hold (and a new day),
    # then folded: exact before and after.
    writes.consume(ledger, service="pemula", qty=2, location="loket-1", effective=date(2026, 9, 3))
    writes.receive_shipment(
        ledger, serials="KR0200001-KR0200010", effective=date(2026, 9, 1), **DOC
    )
    writes.transfer(
        ledger,
        from_location="gudang",
        to_location="loket-1",
        serials="KR0200001-KR0200004",
        effective=date(2026, 9, 2),
    )
    writes.consume(ledger, service="rusak", qty=1, location="loket-1", effective=date(2026, 9, 9))
    assert _check(ledger, office) == head
    assert _fold(ledger, office, 2) == 2
    assert _check(ledger, office) == head + 2
    assert _fold(ledger, office, 100) == 2
    assert _check(ledger, office) == head + 4


def test_a_month_closed_keeps_the_sums_exact(ledger: Context, office: str) -> None:
    _fold(ledger, office, 10_000)
    writes.close_month(ledger, month="2026-09")
    writes.consume(ledger, service="hilang", qty=1, location="loket-1", effective=date(2026, 10, 2))
    assert _check(ledger, office) == _head(ledger, office) - 1


def test_the_balance_and_the_charts_fold_only_a_long_tail(ledger: Context, office: str) -> None:
    before = (
        q.balance(ledger),
        dashboard.stock_series(ledger, office),
        dashboard.usage_series(ledger, office),
    )
    head = _head(ledger, office)
    assert keeping.keep_up(ledger, office, after=head) == office
    with ledger.read() as conn:
        assert day_totals.mark_of(conn, office) == 0  # not behind enough: not folded
    assert keeping.keep_up(ledger, office, after=head - 1) == office
    with ledger.read() as conn:
        assert day_totals.mark_of(conn, office) == head
    after = (
        q.balance(ledger),
        dashboard.stock_series(ledger, office),
        dashboard.usage_series(ledger, office),
    )
    assert after == before


def test_a_print_while_a_fold_is_under_way_is_not_lost(
    ledger: Context, office: str, db_url: str
) -> None:
    """The fold reads the head before the print commits (PostgreSQL: the print does not wait
    for it; SQLite: it waits for the fold's write lock); the print's entry stays after the
    mark, and the sums count it once."""
    other = Context(make_engine(db_url), actor="petugas-uji", clock=ledger.clock)
    head = _head(ledger, office)
    done: list[Any] = []

    def clerk() -> None:
        done.append(writes.consume(other, service="pemula", qty=1, location="loket-1"))

    with ledger.write_plain() as conn:
        assert day_totals.fold(conn, office, 10_000) == head
        printing = threading.Thread(target=clerk)
        printing.start()
        time.sleep(0.5)
    printing.join(timeout=30)
    assert done and done[0]["quantity"] == 1
    assert _check(ledger, office) == head
    assert _head(ledger, office) == head + 1
    other.engine.dispose()


def test_two_folds_at_once_count_each_entry_once(ledger: Context, office: str, db_url: str) -> None:
    """The second fold waits for the first (PostgreSQL: the mark's row lock; SQLite: the
    write lock), then finds the entries folded and adds nothing."""
    other = make_engine(db_url)
    head = _head(ledger, office)
    second: list[int] = []

    def fold_too() -> None:
        with quick_write(other, 20.0) as conn:
            second.append(day_totals.fold(conn, office, 10_000))

    with ledger.write_plain() as conn:
        assert day_totals.fold(conn, office, 10_000) == head
        racing = threading.Thread(target=fold_too)
        racing.start()
        time.sleep(0.5)
    racing.join(timeout=30)
    assert second == [0]
    assert _check(ledger, office) == head
    other.dispose()


def test_verify_names_a_tampered_total(ledger: Context, office: str) -> None:
    _fold(ledger, office, 10_000)
    assert q.verify(ledger)["sound"]
    d = t.ledger_day_total
    with ledger.write_plain() as conn:
        one = conn.execute(
            select(d).where(
                d.c.office_code == office,
                d.c.kind == "consume",
                d.c.effective_date == date(2026, 9, 3),
            )
        ).first()
        assert one is not None
        conn.execute(
            update(d)
            .where(*(c == one._mapping[c.name] for c in d.primary_key.columns))
            .values(quantity=d.c.quantity + 5)
        )
    v = q.verify(ledger)
    assert not v["sound"]
    (problem,) = v["problems"]
    assert problem["message"].startswith("total harian tersimpan 2026-09-03 consume (")
    assert f"{one.quantity + 5} blangko dalam {one.entries} entri" in problem["message"]
    assert f"ledger {one.quantity} dalam {one.entries} entri" in problem["message"]
    # A total removed is named too.
    with ledger.write_plain() as conn:
        conn.execute(d.delete().where(d.c.office_code == office, d.c.kind == "transfer"))
    messages = [p["message"] for p in q.verify(ledger)["problems"]]
    assert len(messages) > 1
    assert any(" transfer (" in m and ": 0 blangko dalam 0 entri" in m for m in messages)
