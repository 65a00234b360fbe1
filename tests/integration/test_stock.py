"""The blank-card ledger through its service functions, on SQLite and on PostgreSQL.

The clock is fixed at 2026-11-27 (Asia/Jakarta): October 2026 is over and can be closed,
November is still running.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.domain.errors import DomainError
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.stock import counts, writes
from blangko.services.stock import queries as q

OPENING = "KR0001001-KR0001100"  # 100 blanks held on 1 October
SHIPMENT = "KR0100001-KR0100200"  # 200 blanks received on 15 October
D_OPEN = date(2026, 10, 1)
D_RECV = date(2026, 10, 15)
D_NOV = date(2026, 11, 10)
TODAY = date(2026, 11, 27)


# Helpers --------------------------------------------------------------------------------


def receive(ctx: Context, serials: str, day: date = D_RECV, **kw: Any) -> dict[str, Any]:
    kw = {"source": "Ditjen Dukcapil", "document": "BAST/2026/01", **kw}
    return writes.receive_shipment(ctx, serials=serials, effective=day, **kw)


def on_hand(ctx: Context, **kw: Any) -> int:
    return q.balance(ctx, **kw)["on_hand"]


def where(ctx: Context, serial: str, office: str = "17.04") -> tuple[str, str | None]:
    r = q.trace(ctx, serial=serial, office=office)
    return r["state"], r["location"]


def snapshot(ctx: Context) -> dict[str, Any]:
    """Everything a write could change: chain head, row counts, the balance."""
    with ctx.read() as conn:
        heads = conn.execute(
            select(t.office.c.code, t.office.c.ledger_seq, t.office.c.ledger_hash).order_by(
                t.office.c.code
            )
        ).all()
        rows = {
            tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar_one()
            for tbl in (
                t.ledger_entry,
                t.entry_range,
                t.blank,
                t.idempotency,
                t.month_close,
                t.stock_count,
            )
        }
        states = conn.execute(
            select(t.blank.c.state, t.blank.c.location_id, func.count())
            .group_by(t.blank.c.state, t.blank.c.location_id)
            .order_by(t.blank.c.state, t.blank.c.location_id)
        ).all()
    return {
        "head": next((h.ledger_seq, h.ledger_hash) for h in heads if h.code == "17.04"),
        "heads": [tuple(h) for h in heads],  # every office's chain
        "rows": rows,
        "states": [tuple(s) for s in states],
        "balance": q.balance(ctx, office="17.04"),
    }


def assert_conserved(b: dict[str, Any]) -> None:
    tot = b["totals"]
    assert b["on_hand"] == (
        tot["opening"]
        + tot["received"]
        - tot["consumed"]
        - tot["spoiled"]
        - tot["lost"]
        - tot["returned"]
        + tot["adjusted"]
    )
    assert b["on_hand"] == sum(b["by_location"].values())


@pytest.fixture
def stocked(ctx: Context, office: str) -> Context:
    """100 opening blanks and 200 received, all in the store."""
    writes.record_opening(ctx, serials=OPENING, effective=D_OPEN)
    receive(ctx, SHIPMENT)
    return ctx


@pytest.fixture
def split_stock(stocked: Context) -> Context:
    """As `stocked`, with KR0001001-KR0001020 moved to loket-1."""
    writes.transfer(
        stocked,
        serials="KR0001001-KR0001020",
        from_location="gudang",
        to_location="loket-1",
        effective=D_NOV,
    )
    return stocked


# Writing the ledger ---------------------------------------------------------------------


def test_opening_puts_the_serials_in_the_store(ctx, office) -> None:
    r = writes.record_opening(ctx, serials=OPENING, effective=D_OPEN)
    assert r["office"] == "17.04" and r["replayed"] is False
    assert r["entries"] == [
        {
            "seq": 1,
            "kind": "opening",
            "effective_date": "2026-10-01",
            "quantity": 100,
            "serials": OPENING,
            "from_location": None,
            "to_location": "gudang",
        }
    ]
    b = q.balance(ctx)
    assert b["on_hand"] == 100 and b["totals"]["opening"] == 100
    assert b["by_location"] == {"gudang": 100, "loket-1": 0}


def test_receive_records_source_and_document_and_goes_to_the_named_location(ctx, office) -> None:
    r = receive(ctx, "KR0100001-KR0100050,KR0100060", to="loket-1")
    assert r["quantity"] == 51
    assert r["entries"][0]["serials"] == "KR0100001-KR0100050,KR0100060"
    assert q.balance(ctx)["by_location"] == {"gudang": 0, "loket-1": 51}
    assert where(ctx, "KR0100060") == ("available", "loket-1")
    entry = q.ledger(ctx)["entries"][0]
    assert (entry["kind"], entry["party"], entry["document"], entry["actor"]) == (
        "receive",
        "Ditjen Dukcapil",
        "BAST/2026/01",
        "petugas-uji",
    )


def test_receive_defaults_to_today_in_the_store(ctx, office) -> None:
    r = writes.receive_shipment(ctx, serials="X1-X5", source="Kab. Seluma", document="BA-7")
    assert r["entries"][0]["effective_date"] == TODAY.isoformat()
    assert r["entries"][0]["to_location"] == "gudang"


def test_transfer_by_serials_moves_exactly_those(stocked) -> None:
    r = writes.transfer(
        stocked,
        serials="KR0100010-KR0100019,KR0001050",
        from_location="gudang",
        to_location="loket-1",
        effective=D_NOV,
    )
    assert r["quantity"] == 11
    assert where(stocked, "KR0100019") == ("available", "loket-1")
    assert where(stocked, "KR0100020") == ("available", "gudang")
    assert q.balance(stocked)["by_location"] == {"gudang": 289, "loket-1": 11}


def test_transfer_by_qty_takes_the_lowest_available_serials(stocked) -> None:
    writes.transfer(
        stocked, serials="KR0001001-KR0001005", from_location="gudang", to_location="loket-1"
    )
    # The lowest serials still in the store are KR0001006 onwards.
    r = writes.transfer(stocked, qty=10, from_location="gudang", to_location="loket-1")
    assert r["entries"][0]["serials"] == "KR0001006-KR0001015"
    r = writes.transfer(stocked, qty=3, from_location="loket-1", to_location="gudang")
    assert r["entries"][0]["serials"] == "KR0001001-KR0001003"
    assert q.balance(stocked)["by_location"] == {"gudang": 288, "loket-1": 12}


def test_transfer_qty_across_a_gap_takes_lowest_serials_in_order(stocked) -> None:
    writes.consume(stocked, service="pemula", serials="KR0001002-KR0001099")
    r = writes.transfer(stocked, qty=4, from_location="gudang", to_location="loket-1")
    assert r["entries"][0]["serials"] == "KR0001001,KR0001100,KR0100001-KR0100002"


def test_consume_by_serials_without_location_writes_one_entry_per_location(split_stock) -> None:
    r = writes.consume(split_stock, service="pemula", serials="KR0001015-KR0001025")
    parts = {(e["from_location"], e["serials"], e["quantity"]) for e in r["entries"]}
    assert parts == {
        ("gudang", "KR0001021-KR0001025", 5),
        ("loket-1", "KR0001015-KR0001020", 6),
    }
    assert r["quantity"] == 11
    assert {e["kind"] for e in r["entries"]} == {"consume"}
    assert where(split_stock, "KR0001015") == ("consumed", None)
    b = q.balance(split_stock)
    assert b["by_location"] == {"gudang": 275, "loket-1": 14}
    assert b["totals"]["consumed"] == 11


def test_consume_by_qty_takes_lowest_serials_at_the_location(split_stock) -> None:
    r = writes.consume(split_stock, service="hilang", qty=2, location="loket-1")
    assert r["entries"][0]["serials"] == "KR0001001-KR0001002"
    r = writes.consume(split_stock, service="rusak", qty=2)  # no location: the store
    assert r["entries"][0]["serials"] == "KR0001021-KR0001022"
    assert r["entries"][0]["from_location"] == "gudang"
    services = [e["service"] for e in q.ledger(split_stock, kind="consume")["entries"]]
    assert services == ["hilang", "rusak"]


def test_spoil_keeps_the_serial_with_its_reason(split_stock) -> None:
    r = writes.spoil(split_stock, serial="KR0001007", reason="salah_cetak")
    assert r["entries"][0]["from_location"] == "loket-1"
    assert where(split_stock, "KR0001007") == ("spoiled", None)
    entry = q.ledger(split_stock, kind="spoil")["entries"][0]
    assert entry["reason"] == "salah_cetak" and entry["serials"] == "KR0001007"
    assert q.balance(split_stock)["totals"]["spoiled"] == 1


def test_spoil_reason_lainnya_needs_a_note(stocked) -> None:
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        writes.spoil(stocked, serial="KR0001001", reason="lainnya")
    assert (err.value.code, err.value.field) == ("required", "note")
    assert snapshot(stocked) == before
    writes.spoil(stocked, serial="KR0001001", reason="lainnya", note="tertekuk di printer")
    assert q.ledger(stocked, kind="spoil")["entries"][0]["note"] == "tertekuk di printer"


def test_lose_records_the_police_report(split_stock) -> None:
    r = writes.lose(
        split_stock,
        serials="KR0001019-KR0001022",
        reason="dicuri dari loket",
        document="LP/123/XI/2026",
    )
    assert {e["from_location"] for e in r["entries"]} == {"gudang", "loket-1"}
    assert where(split_stock, "KR0001019") == ("lost", None)
    entry = q.ledger(split_stock, kind="lose")["entries"][0]
    assert entry["document"] == "LP/123/XI/2026" and entry["reason"] == "dicuri dari loket"
    assert q.balance(split_stock)["totals"]["lost"] == 4


@pytest.mark.parametrize("document", ["", "   "])
def test_lose_without_a_document_is_refused(stocked, document) -> None:
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        writes.lose(stocked, serials="KR0001001", reason="hilang", document=document)
    assert (err.value.code, err.value.field) == ("required", "document")
    assert snapshot(stocked) == before


def test_return_records_who_received_them(stocked) -> None:
    r = writes.return_blanks(
        stocked, serials="KR0100101-KR0100200", to="Kab. Seluma", document="BA/PINJAM/9"
    )
    assert r["quantity"] == 100
    assert where(stocked, "KR0100150") == ("returned", None)
    entry = q.ledger(stocked, kind="return")["entries"][0]
    assert (entry["party"], entry["document"]) == ("Kab. Seluma", "BA/PINJAM/9")
    assert q.balance(stocked)["totals"]["returned"] == 100


# Reading the ledger ---------------------------------------------------------------------


def test_balance_totals_follow_every_kind_and_conserve(split_stock) -> None:
    ctx = split_stock
    writes.consume(ctx, service="pemula", qty=7, location="loket-1")
    writes.spoil(ctx, serial="KR0001010", reason="gagal_encode")
    writes.lose(ctx, serials="KR0001090-KR0001091", reason="hilang", document="LP/1")
    writes.return_blanks(ctx, serials="KR0100191-KR0100200", to="Ditjen Dukcapil", document="BA/2")
    b = q.balance(ctx)
    assert b["office"] == "17.04"
    assert b["as_of"] == TODAY.isoformat()
    assert b["totals"] == {
        "opening": 100,
        "received": 200,
        "consumed": 7,
        "spoiled": 1,
        "lost": 2,
        "returned": 10,
        "shipped": 0,
        "adjusted": 0,
    }
    assert b["on_hand"] == 280
    assert b["by_location"] == {"gudang": 268, "loket-1": 12}
    assert_conserved(b)
    assert q.balance(ctx, location="loket-1")["location_on_hand"] == 12


def test_balance_as_of_a_past_date_counts_a_back_dated_entry_entered_later(stocked) -> None:
    assert on_hand(stocked, as_of=date(2026, 10, 10)) == 100
    # Entered today, dated 5 October: the past balance changes, no repost needed.
    writes.consume(stocked, service="pemula", qty=30, effective=date(2026, 10, 5))
    assert on_hand(stocked, as_of=date(2026, 10, 4)) == 100
    past = q.balance(stocked, as_of=date(2026, 10, 10))
    assert past["on_hand"] == 70 and past["as_of"] == "2026-10-10"
    assert past["totals"]["received"] == 0 and past["totals"]["consumed"] == 30
    assert_conserved(past)
    assert on_hand(stocked) == 270
    assert on_hand(stocked, as_of=date(2026, 9, 30)) == 0


def test_a_back_dated_use_never_makes_a_past_balance_negative(stocked) -> None:
    writes.transfer(
        stocked,
        serials="KR0100001-KR0100010",
        from_location="gudang",
        to_location="loket-1",
        effective=D_NOV,
    )
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, location="loket-1", effective=D_RECV)
    assert (err.value.code, err.value.field) == ("date_before_arrival", "date")
    assert "(10-11-2026)" in err.value.message
    # Dated the day the cards arrived is fine.
    writes.consume(stocked, service="pemula", qty=1, location="loket-1", effective=D_NOV)
    for day in (D_OPEN, D_RECV, date(2026, 11, 9), D_NOV, TODAY):
        b = q.balance(stocked, as_of=day)
        assert min(b["by_location"].values()) >= 0, (day, b["by_location"])


def test_trace_gives_state_location_and_history_in_order(stocked) -> None:
    writes.transfer(
        stocked,
        serials="KR0100005",
        from_location="gudang",
        to_location="loket-1",
        effective=D_NOV,
    )
    writes.consume(stocked, service="perubahan_data", serials="KR0100005")
    # An entry for a neighbouring serial is not part of this card's history.
    writes.consume(stocked, service="pemula", serials="KR0100006")
    r = q.trace(stocked, serial="kr0100005")
    assert (r["serial"], r["state"], r["location"]) == ("KR0100005", "consumed", None)
    assert [(e["seq"], e["kind"]) for e in r["history"]] == [
        (2, "receive"),
        (3, "transfer"),
        (4, "consume"),
    ]
    assert r["history"][2]["service"] == "perubahan_data"
    assert where(stocked, "KR0100007") == ("available", "gudang")


def test_trace_of_an_unknown_serial_is_not_found(stocked) -> None:
    with pytest.raises(DomainError) as err:
        q.trace(stocked, serial="ZZ999")
    assert (err.value.code, err.value.field) == ("unknown_serial", "serial")


def test_ledger_lists_entries_oldest_first_within_the_dates(stocked) -> None:
    # Recorded last but dated first among the later ones: listed by effective date.
    writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 11, 20))
    writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 10, 20))
    all_entries = q.ledger(stocked)["entries"]
    assert [(e["effective_date"], e["seq"]) for e in all_entries] == [
        ("2026-10-01", 1),
        ("2026-10-15", 2),
        ("2026-10-20", 4),
        ("2026-11-20", 3),
    ]
    window = q.ledger(stocked, date_from=date(2026, 10, 15), date_to=date(2026, 10, 20))
    assert [e["seq"] for e in window["entries"]] == [2, 4]
    assert (window["from"], window["to"]) == ("2026-10-15", "2026-10-20")
    assert [e["seq"] for e in q.ledger(stocked, date_from=date(2026, 11, 1))["entries"]] == [3]
    assert [e["seq"] for e in q.ledger(stocked, date_to=date(2026, 10, 1))["entries"]] == [1]


def test_closed_month_refuses_entries_dated_inside_it(stocked) -> None:
    r = writes.close_month(stocked, month="2026-10")
    assert r["month"] == "2026-10" and r["closed"] is True
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 10, 31))
    assert (err.value.code, err.value.field) == ("month_closed", "date")
    assert "2026-10" in err.value.message
    assert snapshot(stocked) == before
    # November is still open.
    writes.consume(stocked, service="pemula", qty=1, effective=date(2026, 11, 1))
    assert on_hand(stocked) == 299


def test_an_entry_dated_before_a_closed_month_is_refused(stocked) -> None:
    """It would change the closed month's closing balance."""
    writes.close_month(stocked, month="2026-10")
    closing = q.balance(stocked, as_of=date(2026, 10, 31))
    with pytest.raises(DomainError) as err:
        receive(stocked, "KR0200001-KR0200050", day=date(2026, 9, 20))
    assert (err.value.code, err.value.field) == ("month_closed", "date")
    assert "2026-10" in err.value.message and "20-09-2026" in err.value.message
    assert q.balance(stocked, as_of=date(2026, 10, 31)) == closing


@pytest.mark.parametrize("month", ["2026-11", "2026-12", "2027-01"])
def test_a_month_not_yet_over_cannot_be_closed(stocked, month) -> None:
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        writes.close_month(stocked, month=month)
    assert (err.value.code, err.value.field) == ("month_not_over", "month")
    assert snapshot(stocked) == before


def test_closing_a_month_twice_is_refused(stocked) -> None:
    writes.close_month(stocked, month="2026-09")
    with pytest.raises(DomainError) as err:
        writes.close_month(stocked, month="2026-09")
    assert err.value.code == "month_already_closed"


# Physical counts ------------------------------------------------------------------------


def test_quantity_count_with_zero_variance_posts_without_entries(split_stock) -> None:
    c = counts.record_count(split_stock, location="loket-1", counted=20)
    assert (c["book"], c["counted"], c["variance"], c["status"]) == (20, 20, 0, "open")
    seq_before = snapshot(split_stock)["head"][0]
    p = counts.post_count(split_stock, count_id=c["count_id"], reason="sesuai buku")
    assert p["status"] == "posted" and p["entries"] == [] and p["reason"] == "sesuai buku"
    assert snapshot(split_stock)["head"][0] == seq_before
    assert [x["status"] for x in counts.list_counts(split_stock)] == ["posted"]


def test_quantity_count_with_a_variance_cannot_be_posted(split_stock) -> None:
    c = counts.record_count(split_stock, location="gudang", counted=290)
    assert (c["book"], c["variance"]) == (280, 10)
    before = snapshot(split_stock)
    with pytest.raises(DomainError) as err:
        counts.post_count(split_stock, count_id=c["count_id"], reason="kardus tak tercatat")
    assert err.value.code == "count_needs_serials"
    assert "seri" in err.value.message and "memindai nomor seri" in err.value.message
    assert snapshot(split_stock) == before
    assert counts.list_counts(split_stock, status="open")[0]["count_id"] == c["count_id"]


def scan_count(ctx: Context) -> dict[str, Any]:
    """loket-1 holds KR0001001-KR0001020; the scan misses 3 and finds 5 unbooked cards."""
    scanned, dups = counts.parse_scanned(
        [
            "KR0001001-KR0001004",
            "KR0001008-KR0001020  # rak atas",
            "KR0001008",  # a double read
            "",
            "KR0095001-KR0095005",
        ]
    )
    assert dups == 1
    return counts.record_count(ctx, location="loket-1", scanned=scanned, duplicates=dups)


def test_serial_count_reports_missing_and_unexpected_as_ranges(split_stock) -> None:
    c = scan_count(split_stock)
    assert c["location"] == "loket-1" and c["mode"] == "serials"
    assert (c["book"], c["counted"], c["variance"]) == (20, 22, 2)
    assert (c["missing"], c["missing_count"]) == ("KR0001005-KR0001007", 3)
    assert (c["unexpected"], c["unexpected_count"]) == ("KR0095001-KR0095005", 5)
    assert c["status"] == "open" and c["duplicate_reads"] == 1


def test_posting_a_serial_count_loses_missing_and_enters_found(split_stock) -> None:
    ctx = split_stock
    c = scan_count(ctx)
    p = counts.post_count(ctx, count_id=c["count_id"], reason="opname November")
    assert p["status"] == "posted"
    assert [(e["kind"], e["serials"]) for e in p["entries"]] == [
        ("missing", "KR0001005-KR0001007"),
        ("found", "KR0095001-KR0095005"),
    ]
    assert where(ctx, "KR0001006") == ("lost", None)
    assert where(ctx, "KR0095003") == ("available", "loket-1")
    missing = q.ledger(ctx, kind="missing")["entries"][0]
    assert missing["reason"] == "opname November" and "penyelidikan" in missing["note"]
    assert missing["count_id"] == c["count_id"]
    b = q.balance(ctx)
    assert b["totals"]["adjusted"] == 2 and b["totals"]["lost"] == 0
    assert b["by_location"] == {"gudang": 280, "loket-1": 22}
    assert_conserved(b)
    assert q.verify(ctx)["sound"] is True


def test_posting_a_count_twice_is_refused(split_stock) -> None:
    c = scan_count(split_stock)
    counts.post_count(split_stock, count_id=c["count_id"], reason="opname")
    before = snapshot(split_stock)
    with pytest.raises(DomainError) as err:
        counts.post_count(split_stock, count_id=c["count_id"], reason="opname lagi")
    assert (err.value.code, err.value.field) == ("count_posted", "count_id")
    assert snapshot(split_stock) == before


def test_unexpected_serial_booked_elsewhere_is_moved_here(split_stock) -> None:
    ctx = split_stock
    scanned, _ = counts.parse_scanned(["KR0001001-KR0001020,KR0100001"])
    c = counts.record_count(ctx, location="loket-1", scanned=scanned)
    assert (c["missing"], c["unexpected"]) == ("", "KR0100001")
    p = counts.post_count(ctx, count_id=c["count_id"], reason="tertinggal di loket")
    assert [(e["kind"], e["from_location"]) for e in p["entries"]] == [("transfer", "gudang")]
    assert where(ctx, "KR0100001") == ("available", "loket-1")
    assert q.balance(ctx)["totals"]["adjusted"] == 0


def test_a_card_booked_lost_that_turns_up_at_a_later_count_is_recovered(split_stock) -> None:
    ctx = split_stock
    first = scan_count(ctx)
    counts.post_count(ctx, count_id=first["count_id"], reason="opname November")
    assert where(ctx, "KR0001006") == ("lost", None)
    # The next count finds KR0001006 on the shelf again.
    scanned, _ = counts.parse_scanned(
        ["KR0001001-KR0001004", "KR0001006", "KR0001008-KR0001020", "KR0095001-KR0095005"]
    )
    again = counts.record_count(ctx, location="loket-1", scanned=scanned)
    assert (again["variance"], again["unexpected"]) == (1, "KR0001006")
    p = counts.post_count(ctx, count_id=again["count_id"], reason="terselip di laci")
    assert [(e["kind"], e["serials"], e["to_location"]) for e in p["entries"]] == [
        ("recover", "KR0001006", "loket-1")
    ]
    assert where(ctx, "KR0001006") == ("available", "loket-1")
    b = q.balance(ctx)
    assert b["totals"]["adjusted"] == 3 and b["by_location"]["loket-1"] == 23
    assert_conserved(b)
    assert [e["kind"] for e in q.trace(ctx, serial="KR0001006")["history"]][-2:] == [
        "missing",
        "recover",
    ]
    assert q.verify(ctx)["sound"] is True


def test_a_card_reported_lost_that_turns_up_at_another_location_is_recovered_there(
    split_stock,
) -> None:
    """Reported lost from the store (a `lose` entry, not a count), found at loket-1: it is
    back on hand where it was found, from the count date on, and usable again."""
    ctx = split_stock
    writes.lose(ctx, serials="KR0001050", reason="dicuri", document="LP/9/XI/2026", effective=D_NOV)
    assert where(ctx, "KR0001050") == ("lost", None)
    scanned, _ = counts.parse_scanned(["KR0001001-KR0001020", "KR0001050"])
    c = counts.record_count(ctx, location="loket-1", scanned=scanned)
    assert (c["book"], c["counted"], c["missing"], c["unexpected"]) == (20, 21, "", "KR0001050")
    p = counts.post_count(ctx, count_id=c["count_id"], reason="terselip di loket")
    assert p["entries"] == [
        {
            "seq": 5,
            "kind": "recover",
            "effective_date": "2026-11-27",
            "quantity": 1,
            "serials": "KR0001050",
            "from_location": None,
            "to_location": "loket-1",
        }
    ]
    assert where(ctx, "KR0001050") == ("available", "loket-1")
    (entry,) = q.ledger(ctx, kind="recover")["entries"]
    assert (entry["reason"], entry["count_id"]) == ("terselip di loket", c["count_id"])
    assert "ditemukan kembali" in entry["note"]
    assert [h["kind"] for h in q.trace(ctx, serial="KR0001050")["history"]] == [
        "opening",
        "lose",
        "recover",
    ]
    b = q.balance(ctx)
    # The loss report stands; the recovery is a positive adjustment, not a second receipt.
    assert (b["totals"]["lost"], b["totals"]["adjusted"], b["totals"]["received"]) == (1, 1, 200)
    assert b["by_location"] == {"gudang": 279, "loket-1": 21}
    assert_conserved(b)
    # On the books at loket-1 from the count date, not before.
    day_before = q.balance(ctx, as_of=date(2026, 11, 26))
    assert day_before["by_location"] == {"gudang": 279, "loket-1": 20}
    assert_conserved(day_before)
    with pytest.raises(DomainError) as err:
        writes.consume(ctx, service="pemula", serials="KR0001050", effective=date(2026, 11, 26))
    assert err.value.code == "date_before_arrival"
    writes.consume(ctx, service="pemula", serials="KR0001050", effective=TODAY)
    assert where(ctx, "KR0001050") == ("consumed", None)
    v = q.verify(ctx)
    assert (v["sound"], v["serials"]) == (True, 300), v["problems"]


def _consumed(ctx: Context) -> tuple[str, str]:
    writes.consume(ctx, service="pemula", serials="KR0001001", effective=D_NOV)
    return "KR0001001", "17.04"


def _spoiled(ctx: Context) -> tuple[str, str]:
    writes.spoil(ctx, serial="KR0001001", reason="rusak_fisik", effective=D_NOV)
    return "KR0001001", "17.04"


def _returned(ctx: Context) -> tuple[str, str]:
    writes.return_blanks(ctx, serials="KR0001001", to="Ditjen Dukcapil", document="BA-R/1")
    return "KR0001001", "17.04"


def _destroyed(ctx: Context) -> tuple[str, str]:
    writes.spoil(ctx, serial="KR0001090", reason="salah_cetak", effective=date(2026, 10, 20))
    writes.destroy_spoiled(
        ctx,
        month="2026-10",
        destroyed_on=date(2026, 11, 2),
        witnesses=["Budi Santoso", "Siti Aminah"],
        document="BA-MUSNAH/2026/10",
    )
    return "KR0001090", "17.04"


def _other_office(ctx: Context) -> tuple[str, str]:
    """Available, at the store of Kota Bengkulu (17.71): another office's card."""
    setup.create_office(ctx, code="17.71")
    receive(ctx, "KR0900001-KR0900005", office="17.71")
    return "KR0900003", "17.71"


@pytest.mark.parametrize(
    "book_it",
    [_consumed, _spoiled, _returned, _destroyed, _other_office],
    ids=lambda f: f.__name__[1:],
)
def test_a_counted_card_the_books_say_is_used_or_gone_is_refused(split_stock, book_it) -> None:
    """Only a card booked lost may turn up at a count. One the books say was printed,
    spoiled, returned, destroyed, or is another office's must be sorted out first: posting
    names it and writes nothing, not even the recovery of a lost card in the same scan."""
    ctx = split_stock
    serial, owner = book_it(ctx)
    kaur = {"office": "17.04"}
    writes.lose(ctx, serials="KR0001060", reason="hilang", document="LP/3", effective=D_NOV, **kaur)
    booked = where(ctx, serial, owner)
    assert booked[0] != "available" or owner != "17.04"  # another office's may be available
    scanned, _ = counts.parse_scanned(["KR0001001-KR0001020", "KR0001060", serial])
    c = counts.record_count(ctx, location="loket-1", scanned=scanned, **kaur)
    assert serial in c["unexpected"] and "KR0001060" in c["unexpected"]
    before = snapshot(ctx)
    with pytest.raises(DomainError) as err:
        counts.post_count(ctx, count_id=c["count_id"], reason="opname", **kaur)
    assert (err.value.code, err.value.field) == ("count_serial_elsewhere", "count_id")
    assert serial in err.value.message
    assert snapshot(ctx) == before
    assert where(ctx, serial, owner) == booked
    assert where(ctx, "KR0001060") == ("lost", None)
    assert [x["status"] for x in counts.list_counts(ctx, **kaur)] == ["open"]
    assert all(q.verify(ctx, office=code)["sound"] for code in ("17.04", owner))


def test_verify_is_sound_after_every_kind_of_entry(split_stock) -> None:
    ctx = split_stock
    writes.consume(ctx, service="pemula", qty=3)
    writes.spoil(ctx, serial="KR0001050", reason="rusak_fisik")
    writes.lose(ctx, serials="KR0001060", reason="hilang", document="LP/2")
    writes.return_blanks(ctx, serials="KR0100200", to="Ditjen", document="BA/3")
    writes.close_month(ctx, month="2026-10")
    c = scan_count(ctx)
    counts.post_count(ctx, count_id=c["count_id"], reason="opname")
    v = q.verify(ctx)
    assert v["sound"] is True, v["problems"]
    assert v["problems"] == [] and v["first_bad_seq"] is None
    assert v["entries"] == snapshot(ctx)["head"][0]
    assert v["serials"] == 305
    assert_conserved(q.balance(ctx))


# Bad input: a clear error naming the field, and nothing written ---------------------------


def _transfer(**kw: Any):  # type: ignore[no-untyped-def]
    return lambda ctx: writes.transfer(
        ctx, **{"from_location": "gudang", "to_location": "loket-1", **kw}
    )


def _consume(**kw: Any):  # type: ignore[no-untyped-def]
    return lambda ctx: writes.consume(ctx, **{"service": "pemula", **kw})


def _receive(serials: str, **kw: Any):  # type: ignore[no-untyped-def]
    return lambda ctx: receive(ctx, serials, **{"day": D_NOV, **kw})


BAD_INPUT = {
    # receipts: serials already known, or overlapping within the request
    "receive_known_serials": (_receive("KR0100150-KR0100250"), "serial_known", "serials"),
    "opening_known_serial": (
        lambda ctx: writes.record_opening(ctx, serials="KR0001100"),
        "serial_known",
        "serials",
    ),
    "receive_overlap_in_request": (
        _receive("KR0200001-KR0200010,KR0200005-KR0200020"),
        "range_overlap",
        "serials",
    ),
    "receive_same_serial_twice": (_receive("KR0200001,KR0200001"), "range_overlap", "serials"),
    "range_prefix_differs": (_receive("KR0200001-KS0200010"), "range_mismatch", "serials"),
    "range_width_differs": (_receive("KR0200001-KR200010"), "range_mismatch", "serials"),
    "range_backwards": (_receive("KR0200010-KR0200001"), "range_backwards", "serials"),
    "serial_bad_characters": (_receive("KR-02/001"), "serial_format", "serials"),
    "serial_lowercase_symbols": (_receive("kr02#001"), "serial_format", "serials"),
    "receive_unknown_location": (
        _receive("KR0200001", to="loket-9"),
        "unknown_location",
        "to",
    ),
    # using serials that are not available where named
    "consume_serial_at_other_location": (
        _consume(serials="KR0001001", location="loket-1"),
        "serial_not_available",
        "serials",
    ),
    "consume_never_received": (_consume(serials="KR0300001"), "serial_not_available", "serials"),
    "consume_partly_unknown_range": (
        _consume(serials="KR0100195-KR0100205"),
        "serial_not_available",
        "serials",
    ),
    "transfer_serial_not_in_from": (
        _transfer(serials="KR0001001", from_location="loket-1", to_location="gudang"),
        "serial_not_available",
        "serials",
    ),
    "transfer_unknown_serial": (_transfer(serials="ZZ1-ZZ3"), "serial_not_available", "serials"),
    "spoil_unknown_serial": (
        lambda ctx: writes.spoil(ctx, serial="KR0300001", reason="salah_cetak"),
        "serial_not_available",
        "serials",
    ),
    "lose_unknown_serial": (
        lambda ctx: writes.lose(ctx, serials="KR0300001", reason="x", document="LP/9"),
        "serial_not_available",
        "serials",
    ),
    "return_unknown_serial": (
        lambda ctx: writes.return_blanks(ctx, serials="KR0300001", to="Ditjen", document="BA"),
        "serial_not_available",
        "serials",
    ),
    # quantities
    "consume_more_than_on_hand": (_consume(qty=301), "insufficient_stock", "qty"),
    "transfer_more_than_on_hand": (_transfer(qty=301), "insufficient_stock", "qty"),
    "consume_qty_zero": (_consume(qty=0), "qty_positive", "qty"),
    "consume_both_serials_and_qty": (
        _consume(serials="KR0001001", qty=1),
        "serials_or_qty",
        "serials",
    ),
    "transfer_to_same_location": (
        _transfer(qty=1, to_location="gudang"),
        "same_location",
        "to",
    ),
    # dates
    "receive_future_date": (
        _receive("KR0200001", day=date(2026, 11, 28)),
        "date_in_future",
        "date",
    ),
    "consume_future_date": (
        _consume(qty=1, effective=date(2027, 1, 1)),
        "date_in_future",
        "date",
    ),
    "consume_dated_before_receipt": (
        _consume(serials="KR0100001", effective=date(2026, 10, 10)),
        "date_before_arrival",
        "date",
    ),
    "transfer_dated_before_receipt": (
        _transfer(serials="KR0100001", effective=date(2026, 10, 14)),
        "date_before_arrival",
        "date",
    ),
    # unknown names
    "unknown_office": (_consume(qty=1, office="17.05"), "unknown_office", "office"),
    "transfer_unknown_from": (_transfer(qty=1, from_location="lemari"), "unknown_location", "from"),
    "transfer_unknown_to": (_transfer(qty=1, to_location="lemari"), "unknown_location", "to"),
    "consume_unknown_location": (
        _consume(qty=1, location="lemari"),
        "unknown_location",
        "location",
    ),
    "consume_unknown_service": (
        _consume(qty=1, service="pindah_domisili"),
        "unknown_service",
        "service",
    ),
    "spoil_unknown_reason": (
        lambda ctx: writes.spoil(ctx, serial="KR0001001", reason="jatuh"),
        "unknown_reason",
        "reason",
    ),
    "receive_without_source": (_receive("KR0200001", source=" "), "required", "source"),
    "count_unknown_location": (
        lambda ctx: counts.record_count(ctx, location="lemari", counted=1),
        "unknown_location",
        "location",
    ),
    "count_post_unknown_count": (
        lambda ctx: counts.post_count(ctx, count_id=999, reason="x"),
        "unknown_count",
        "count_id",
    ),
    "close_month_bad_format": (
        lambda ctx: writes.close_month(ctx, month="Oktober"),
        "month_format",
        "month",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_names_the_field_and_writes_nothing(stocked, case) -> None:
    call, code, field = BAD_INPUT[case]
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        call(stocked)
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message.strip()
    assert snapshot(stocked) == before


def test_a_partly_unavailable_batch_rolls_back_the_available_part(split_stock) -> None:
    """KR0001019-KR0001020 are at loket-1 but KR0001021 is not: nothing may move."""
    before = snapshot(split_stock)
    with pytest.raises(DomainError) as err:
        writes.consume(
            split_stock, service="pemula", serials="KR0001019-KR0001021", location="loket-1"
        )
    assert err.value.code == "serial_not_available"
    assert "KR0001021" in err.value.message
    assert snapshot(split_stock) == before


def test_a_used_serial_cannot_be_used_again(stocked) -> None:
    writes.consume(stocked, service="pemula", serials="KR0001001")
    before = snapshot(stocked)
    for call in (
        lambda: writes.consume(stocked, service="pemula", serials="KR0001001"),
        lambda: writes.spoil(stocked, serial="KR0001001", reason="salah_cetak"),
        lambda: writes.transfer(
            stocked, serials="KR0001001", from_location="gudang", to_location="loket-1"
        ),
    ):
        with pytest.raises(DomainError) as err:
            call()
        assert (err.value.code, err.value.field) == ("serial_not_available", "serials")
    assert snapshot(stocked) == before


def test_serials_known_in_another_office_cannot_be_received(stocked) -> None:
    setup.create_office(stocked, code="17.71")
    with pytest.raises(DomainError) as err:
        receive(stocked, "KR0100001", office="17.71")
    assert err.value.code == "serial_known"


# Idempotency ----------------------------------------------------------------------------


def test_same_key_same_request_returns_the_first_result_and_writes_nothing(stocked) -> None:
    first = writes.consume(stocked, service="pemula", qty=5, idempotency_key="cetak-77")
    before = snapshot(stocked)
    again = writes.consume(stocked, service="pemula", qty=5, idempotency_key="cetak-77")
    assert first["replayed"] is False and again["replayed"] is True
    assert {k: v for k, v in again.items() if k != "replayed"} == {
        k: v for k, v in first.items() if k != "replayed"
    }
    assert again["entries"][0]["serials"] == "KR0001001-KR0001005"
    assert snapshot(stocked) == before


def test_same_key_replays_a_receipt_instead_of_refusing_known_serials(ctx, office) -> None:
    first = receive(ctx, SHIPMENT, idempotency_key="bast-01")
    again = receive(ctx, SHIPMENT, idempotency_key="bast-01")
    assert again["replayed"] is True and again["entries"] == first["entries"]
    assert on_hand(ctx) == 200


@pytest.mark.parametrize(
    "other",
    [
        lambda ctx: writes.consume(ctx, service="pemula", qty=6, idempotency_key="k1"),
        lambda ctx: writes.consume(ctx, service="hilang", qty=5, idempotency_key="k1"),
        lambda ctx: writes.transfer(
            ctx, qty=5, from_location="gudang", to_location="loket-1", idempotency_key="k1"
        ),
    ],
    ids=["other_qty", "other_service", "other_operation"],
)
def test_same_key_with_different_content_is_refused(stocked, other) -> None:
    writes.consume(stocked, service="pemula", qty=5, idempotency_key="k1")
    before = snapshot(stocked)
    with pytest.raises(DomainError) as err:
        other(stocked)
    assert (err.value.code, err.value.field) == ("idempotency_key_reused", "idempotency_key")
    assert snapshot(stocked) == before


def test_a_failed_request_does_not_use_up_its_key(stocked) -> None:
    with pytest.raises(DomainError):
        writes.consume(stocked, service="pemula", qty=1000, idempotency_key="k2")
    r = writes.consume(stocked, service="pemula", qty=1, idempotency_key="k2")
    assert r["replayed"] is False and r["quantity"] == 1
