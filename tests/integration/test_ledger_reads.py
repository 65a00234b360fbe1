"""The ledger read one page at a time and summed in SQL (a big office's pages must not hold
the whole ledger, issue 17): each must give what the whole ledger read in Python gives, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest

from blangko.domain.errors import DomainError
from blangko.domain.serials import parse_ranges
from blangko.services import dashboard
from blangko.services.context import Context
from blangko.services.stock import queries as q
from blangko.services.stock import writes


@pytest.fixture
def busy(ctx: Context, office: str) -> Context:
    """Receipts, transfers, prints of several services over several weeks, a spoil and a
    second print station: entries of many kinds, several on the same day."""
    from blangko.services.admin import setup

    setup.add_location(ctx, name="loket-2", kind="station", office=office)
    doc = {"source": "Ditjen Dukcapil", "document": "BA-1"}
    writes.receive_shipment(ctx, serials="KR0100001-KR0100100", effective=date(2026, 9, 1), **doc)
    writes.receive_shipment(ctx, serials="KR0200001-KR0200050", effective=date(2026, 9, 1), **doc)
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=40, effective=date(2026, 9, 2)
    )
    writes.transfer(
        ctx,
        from_location="gudang",
        to_location="loket-2",
        serials="KR0200001-KR0200010",
        effective=date(2026, 9, 3),
    )
    services = ("pemula", "hilang", "rusak", "perubahan_data", "pemula")
    for i in range(20):
        day = date(2026, 9, 4) + timedelta(days=(i * 3) % 40)
        writes.consume(
            ctx,
            service=services[i % len(services)],
            qty=1 + i % 2,
            location="loket-1" if i % 4 else "loket-2",
            effective=day,
        )
    writes.spoil(ctx, serial="KR0100100", reason="salah_cetak", effective=date(2026, 10, 1))
    writes.receive_shipment(ctx, serials="KR0300001-KR0300020", effective=date(2026, 10, 2), **doc)
    return ctx


def _moves(entry: dict[str, object], wanted: str) -> bool:
    mine = parse_ranges(str(entry["serials"]))
    return any(w.overlaps(r) for w in parse_ranges(wanted) for r in mine)


def test_a_page_is_the_slice_of_the_whole_ledger(busy: Context) -> None:
    everything = q.ledger(busy)["entries"]
    assert len(everything) > 20
    filters: list[dict[str, object]] = [
        {},
        {"kind": "consume"},
        {"date_from": date(2026, 9, 3), "date_to": date(2026, 9, 30)},
        {"kind": "transfer", "date_to": date(2026, 9, 2)},
    ]
    for f, newest_first, (limit, offset) in product(
        filters, (False, True), ((5, 0), (5, 5), (7, 14), (50, 0), (3, 1000))
    ):
        whole = q.ledger(busy, **f)["entries"]  # type: ignore[arg-type]
        if newest_first:
            whole = whole[::-1]
        got = q.ledger_page(busy, limit=limit, offset=offset, newest_first=newest_first, **f)  # type: ignore[arg-type]
        assert got["total"] == len(whole), f
        assert got["items"] == whole[offset : offset + limit], (f, newest_first, limit, offset)
        assert len(got["items"]) <= limit


@pytest.mark.parametrize(
    "serial", ["KR0100001", "KR0200005", "KR0100030-KR0100045", "KR0100100", "KR0300020", "ZZ1"]
)
def test_the_serial_filter_keeps_the_entries_that_move_one_of_them(
    busy: Context, serial: str
) -> None:
    want = [e for e in q.ledger(busy)["entries"] if _moves(dict(e), serial)]
    got = q.ledger_page(busy, serial=serial, limit=500)
    assert got["items"] == want and got["total"] == len(want)
    if serial != "ZZ1":
        assert want  # each of these serials was moved


def test_a_bad_serial_filter_names_the_field(busy: Context) -> None:
    with pytest.raises(DomainError) as err:
        q.ledger_page(busy, serial="KR01-??", limit=10)
    assert err.value.field == "serial"


def test_the_dashboard_lists_the_last_eight_entries_newest_first(busy: Context) -> None:
    entries = q.ledger(busy)["entries"]
    assert dashboard.dashboard(busy, None)["last_entries"] == entries[-8:][::-1]
