"""Sixteen clerks printing at one station at once: no blank is shared, no application is
printed twice, and a retried print with its idempotency key writes nothing.

Runs on both backends: PostgreSQL serialises the writers on the office's chain-head row lock
(SELECT ... FOR UPDATE), SQLite on BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from service_helpers import KK, add_resident, stock_station
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.domain.errors import Conflict
from blangko.services import applications as apps
from blangko.services.stock.queries import balance, verify

WORKERS = 16


def _print_ready(ctx, first_serial: int, n: int) -> list[str]:
    receipts = []
    for i in range(n):
        nik = add_resident(ctx, serial=first_serial + i, recorded=date(2020, 1, 6))
        receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
        apps.ready(ctx, receipt=receipt)
        receipts.append(receipt)
    return receipts


def _consume_entries(ctx) -> int:
    with ctx.read() as conn:
        return conn.execute(
            select(func.count()).where(t.ledger_entry.c.kind == "consume")
        ).scalar_one()


def test_sixteen_workers_print_at_one_station(ctx, office) -> None:
    stock_station(ctx, at_station=40)
    receipts = _print_ready(ctx, 1, WORKERS)

    def work(i: int) -> dict:
        return apps.print_card(
            ctx, receipt=receipts[i], station="loket-1", idempotency_key=f"cetak-{i}"
        )

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(work, range(WORKERS)))
    serials = [r["serial"] for r in results]
    assert len(set(serials)) == WORKERS  # never two cards on one blank
    assert sorted(serials) == [f"KR{n:07d}" for n in range(1, WORKERS + 1)]
    assert _consume_entries(ctx) == WORKERS
    assert {apps.show(ctx, receipt=r)["status"] for r in receipts} == {"dicetak"}

    # Every worker retries with its own key at once: nothing more is written.
    with ThreadPoolExecutor(WORKERS) as pool:
        retried = list(pool.map(work, range(WORKERS)))
    assert all(r["replayed"] for r in retried)
    assert [r["serial"] for r in retried] == serials
    assert _consume_entries(ctx) == WORKERS
    assert balance(ctx)["by_location"]["loket-1"] == 40 - WORKERS
    assert verify(ctx)["sound"] is True


def test_racing_prints_of_the_same_application_print_it_once(ctx, office) -> None:
    stock_station(ctx, at_station=40)
    receipts = _print_ready(ctx, 101, 4)

    def work(i: int) -> str:
        # Four workers per application, each with its own key: a double click on two desks.
        try:
            r = apps.print_card(
                ctx, receipt=receipts[i % 4], station="loket-1", idempotency_key=f"desk-{i}"
            )
        except Conflict as exc:
            assert exc.code == "invalid_transition"
            return "refused"
        return r["serial"]

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(work, range(WORKERS)))
    counts = Counter(o == "refused" for o in outcomes)
    assert counts == {True: WORKERS - 4, False: 4}
    printed = [o for o in outcomes if o != "refused"]
    assert len(set(printed)) == 4
    assert _consume_entries(ctx) == 4
    assert {apps.show(ctx, receipt=r)["serial"] for r in receipts} == set(printed)
    assert verify(ctx)["sound"] is True
