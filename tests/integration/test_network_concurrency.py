"""Shipping, receiving and printing at the same time across the network (issue 13): no serial
is ever with two holders, nothing is lost or doubled, and on PostgreSQL a shipment between
two ledgers does not wait for a third ledger's lock.

Each thread has its own engine and Context on the same database, as separate processes of
the CLI or web app would.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.adapters.db import make_engine
from blangko.domain.errors import DomainError
from blangko.domain.serials import expand, parse_ranges
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.network import audit, organisation, shipments
from blangko.services.stock import queries as q
from blangko.services.stock import writes

D = organisation.DIRECTORATE_CODE
OFFICES = ("17.01", "17.04", "16.01")
TRANCHES = 4  # shipments to each office
PER_TRANCHE = 25


def _context(db_url: str, like: Context) -> Context:
    return Context(make_engine(db_url), actor="petugas-uji", clock=like.clock)


def _network(ctx: Context) -> None:
    setup.init(ctx, directorate=True)
    for code in OFFICES:
        setup.create_office(ctx, code=code)
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0001000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=date(2026, 11, 2),
        office=D,
    )


def test_shipping_receiving_and_printing_at_once(ctx, db_url) -> None:  # type: ignore[no-untyped-def]
    _network(ctx)
    crashes: list[BaseException] = []
    printed: dict[str, list[str]] = {code: [] for code in OFFICES}
    received: dict[str, list[str]] = {code: [] for code in OFFICES}
    refusals: Counter[str] = Counter()
    shipped_all = threading.Event()
    start = threading.Barrier(1 + 3 * len(OFFICES))

    def directorate() -> None:
        mine = _context(db_url, ctx)
        try:
            start.wait(timeout=30)
            for _ in range(TRANCHES):
                for code in OFFICES:
                    shipments.send(
                        mine, from_office=D, to_office=code, qty=PER_TRANCHE, document="SP"
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            crashes.append(exc)
        finally:
            shipped_all.set()
            mine.engine.dispose()

    def receiver(code: str) -> None:
        """Receives every shipment addressed to the office as it appears; two receivers of
        the same office race for each one (one wins, the other is told it is received)."""
        mine = _context(db_url, ctx)
        try:
            start.wait(timeout=30)
            while True:
                done = shipped_all.is_set()
                waiting = shipments.list_shipments(mine, office=code, status="in_transit")
                mine_to_receive = [s for s in waiting if s["to_office"] == code]
                for s in mine_to_receive:
                    try:
                        r = shipments.receive(mine, shipment=s["id"], document=f"BAST-{s['id']}")
                    except DomainError as exc:
                        refusals[exc.code] += 1
                        continue
                    received[code].extend(expand(parse_ranges(r["shipment"]["serials"])))
                if done and not mine_to_receive:
                    return
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001
            crashes.append(exc)
        finally:
            mine.engine.dispose()

    def printer(code: str) -> None:
        mine = _context(db_url, ctx)
        try:
            start.wait(timeout=30)
            while True:
                try:
                    r = writes.consume(mine, qty=1, service="pemula", office=code)
                except DomainError as exc:
                    if exc.code != "insufficient_stock":
                        raise
                    if shipped_all.is_set() and not shipments.list_shipments(
                        mine, office=code, status="in_transit"
                    ):
                        return
                    time.sleep(0.02)
                    continue
                printed[code].extend(expand(parse_ranges(r["entries"][0]["serials"])))
                if len(printed[code]) >= TRANCHES * PER_TRANCHE // 2:
                    return
        except BaseException as exc:  # noqa: BLE001
            crashes.append(exc)
        finally:
            mine.engine.dispose()

    workers = [threading.Thread(target=directorate)]
    for code in OFFICES:
        workers.append(threading.Thread(target=receiver, args=(code,)))
        workers.append(threading.Thread(target=receiver, args=(code,)))
        workers.append(threading.Thread(target=printer, args=(code,)))
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    assert not any(w.is_alive() for w in workers), "a worker hung"
    assert crashes == []
    assert set(refusals) <= {"shipment_received"}, refusals

    # Every shipment received exactly once, into the office it was addressed to.
    rows = shipments.list_shipments(ctx)
    assert len(rows) == TRANCHES * len(OFFICES)
    assert all(s["status"] == "received" for s in rows)
    for code in OFFICES:
        assert len(received[code]) == len(set(received[code])) == TRANCHES * PER_TRANCHE
        # Printed only what the office had received; each card once.
        assert set(printed[code]) <= set(received[code])
        assert len(printed[code]) == len(set(printed[code])) == TRANCHES * PER_TRANCHE // 2
    everyone = [s for code in OFFICES for s in received[code]]
    assert len(everyone) == len(set(everyone))  # no serial went to two offices

    # One holder per serial: each blank row is with the office that received it.
    with ctx.engine.connect() as conn:
        holder = dict(conn.execute(select(t.blank.c.serial, t.blank.c.office_code)).all())
    for code in OFFICES:
        assert {holder[s] for s in received[code]} == {code}
    for o in setup.list_offices(ctx):
        audit_one = q.verify(ctx, office=o["code"])
        assert audit_one["sound"], (o["code"], audit_one["problems"])
    net = audit.verify(ctx)
    assert net["sound"], net["problems"]
    assert net["in_transit"] == 0 and net["whole_holds"]
    assert net["on_hand"] == 1000 - len(OFFICES) * TRANCHES * PER_TRANCHE // 2


def test_a_shipment_does_not_wait_for_a_third_ledger(ctx, db_url) -> None:  # type: ignore[no-untyped-def]
    """While Kaur's chain head is locked, the directorate ships to Bengkulu Selatan and
    Bengkulu Selatan receives it: at once on PostgreSQL. (SQLite has one writer per file:
    there they wait and then complete, not refused.)"""
    sqlite = db_url.startswith("sqlite")
    _network(ctx)
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results: dict[str, Any] = {}

    def hold_kaur() -> None:
        mine = _context(db_url, ctx)
        try:
            with mine.write("17.04"):
                locked.set()
                assert release.wait(timeout=60)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            mine.engine.dispose()

    def ship_and_receive() -> None:
        mine = _context(db_url, ctx)
        started = time.perf_counter()
        try:
            sent = shipments.send(mine, from_office=D, to_office="17.01", qty=10, document="SP")
            results["got"] = shipments.receive(
                mine, shipment=sent["shipment"]["id"], document="BAST"
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            results["seconds"] = time.perf_counter() - started
            mine.engine.dispose()

    holder = threading.Thread(target=hold_kaur)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        other = threading.Thread(target=ship_and_receive)
        other.start()
        other.join(timeout=1.0 if sqlite else 10)
        if sqlite:
            assert other.is_alive(), "SQLite was expected to serialise all writers"
        else:
            assert not other.is_alive(), "the shipment waited for 17.04's lock"
    finally:
        release.set()
        holder.join(timeout=60)
    other.join(timeout=60)
    assert errors == []
    assert results["got"]["shipment"]["received_qty"] == 10
    assert audit.verify(ctx)["sound"]
