"""Rewriting the ledger behind the services' back is detected by `verify`, which names the
first bad entry.

Each test builds the same small ledger through the services (every entry kind but none
twice in a row), then edits the database with plain SQL, as someone with direct database
access would, and runs the audit.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos.ledger import row_to_record
from blangko.domain.serials import parse_ranges
from blangko.services.admin import setup
from blangko.services.stock import counts, writes
from blangko.services.stock import queries as q

OFFICE = "17.04"
D = date(2026, 11, 2)
# The entry every column test edits: the consume of KR0001-KR0002 at loket-1 (mid-chain).
TARGET = 4


def _build(ctx) -> dict[str, int]:  # type: ignore[no-untyped-def]
    writes.record_opening(ctx, serials="KR0001-KR0010", effective=D)  # 1
    writes.receive_shipment(  # 2
        ctx,
        serials="KR0011-KR0030",
        source="Ditjen Dukcapil",
        document="BA-2026-11",
        effective=D,
        note="kiriman November",
    )
    writes.transfer(ctx, qty=8, from_location="gudang", to_location="loket-1", effective=D)  # 3
    writes.consume(  # 4
        ctx, serials="KR0001-KR0002", service="pemula", location="loket-1", effective=D
    )
    writes.spoil(ctx, serial="KR0003", reason="salah_cetak", effective=D)  # 5
    writes.lose(ctx, serials="KR0011", reason="dicuri", document="LP/12/XI/2026")  # 6
    writes.return_blanks(ctx, serials="KR0012-KR0013", to="Kab. Seluma", document="BA-R-1")  # 7
    count = counts.record_count(
        ctx, location="loket-1", scanned=parse_ranges("KR0004-KR0007,KR0099")
    )
    counts.post_count(
        ctx, count_id=count["count_id"], reason="selisih opname"
    )  # 8 missing, 9 found
    writes.consume(ctx, qty=1, service="hilang", idempotency_key="req-10")  # 10
    result = q.verify(ctx)
    assert result["sound"] is True, result["problems"]
    assert result["entries"] == 10
    with ctx.read() as conn:
        ids = dict(
            conn.execute(
                select(t.location.c.name, t.location.c.id).where(t.location.c.office_code == OFFICE)
            ).all()
        )
    return {"store": ids["gudang"], "station": ids["loket-1"], "count_id": count["count_id"]}


@pytest.fixture
def built(ctx, office) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return _build(ctx)


def _kinds(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return list(
            conn.execute(
                select(t.ledger_entry.c.kind)
                .where(t.ledger_entry.c.office_code == OFFICE)
                .order_by(t.ledger_entry.c.seq)
            ).scalars()
        )


def test_the_story_has_every_entry_kind(ctx, built) -> None:
    assert _kinds(ctx) == [
        "opening",
        "receive",
        "transfer",
        "consume",
        "spoil",
        "lose",
        "return",
        "missing",
        "found",
        "consume",
    ]


def _entry_where(seq: int):  # type: ignore[no-untyped-def]
    return (t.ledger_entry.c.office_code == OFFICE) & (t.ledger_entry.c.seq == seq)


def _tamper(engine, stmt) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        assert conn.execute(stmt).rowcount >= 1


def _new_value(column: str, old, ids: dict[str, int]):  # type: ignore[no-untyped-def]
    """A plausible forged value for one column of the target entry."""
    if column == "effective_date":
        return old - timedelta(days=1)
    if column == "recorded_at":
        return old + timedelta(seconds=1)
    return {
        "office_code": "17.71",
        "seq": 1000,
        "kind": "spoil",
        "effective_date": None,
        "recorded_at": None,
        "actor": "penyusup",
        "from_location": ids["store"],
        "to_location": ids["station"],
        "service": "hilang",
        "reason": "salah_cetak",
        "document": "BA-palsu",
        "party": "Kab. Lain",
        "note": "diubah",
        "idempotency_key": "kunci-palsu",
        "quantity": 3,
        "serials": "KR0002-KR0003",
        "corrects_seq": 1,
        "count_id": ids["count_id"],
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }[column]


COLUMNS = [c.name for c in t.ledger_entry.columns if c.name != "id"]


def test_every_column_is_covered() -> None:
    assert len(COLUMNS) == 20
    assert {"office_code", "seq", "serials", "prev_hash", "hash", "count_id"} <= set(COLUMNS)


@pytest.mark.parametrize("column", COLUMNS)
def test_editing_any_column_of_an_entry_is_detected(ctx, engine, built, column: str) -> None:
    if column == "office_code":
        # The forged office must exist (foreign key): moving an entry to another office's books.
        setup.create_office(ctx, code="17.71")
    with engine.connect() as conn:
        old = conn.execute(select(t.ledger_entry.c[column]).where(_entry_where(TARGET))).scalar()
    new = _new_value(column, old, built)
    assert new != old
    _tamper(engine, update(t.ledger_entry).where(_entry_where(TARGET)).values({column: new}))

    result = q.verify(ctx, office=OFFICE)
    assert result["sound"] is False
    assert result["first_bad_seq"] == TARGET, result["problems"]


@pytest.mark.parametrize("seq", [1, 9])
def test_editing_the_first_or_a_late_entry_is_detected(ctx, engine, built, seq: int) -> None:
    _tamper(engine, update(t.ledger_entry).where(_entry_where(seq)).values(actor="penyusup"))
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, seq)


def test_rehashing_a_forged_entry_breaks_the_next_link(ctx, engine, built) -> None:
    """Recomputing the forged entry's own hash is not enough: the next entry's prev_hash
    still holds the original."""
    with engine.begin() as conn:
        row = conn.execute(select(t.ledger_entry).where(_entry_where(TARGET))).one()
        record = row_to_record(row)
        forged = record.__class__(**{**record.__dict__, "service": "rusak"})
        conn.execute(
            update(t.ledger_entry)
            .where(_entry_where(TARGET))
            .values(service="rusak", hash=forged.compute_hash())
        )
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, TARGET + 1)
    assert any("prev_hash" in p["message"] for p in result["problems"])


def test_deleting_the_last_entry_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        entry_id = conn.execute(select(t.ledger_entry.c.id).where(_entry_where(10))).scalar_one()
        conn.execute(delete(t.entry_range).where(t.entry_range.c.entry_id == entry_id))
        conn.execute(delete(t.ledger_entry).where(t.ledger_entry.c.id == entry_id))
    result = q.verify(ctx)
    assert result["sound"] is False
    assert result["entries"] == 9
    assert result["first_bad_seq"] == 10, result["problems"]


def test_deleting_a_middle_entry_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        entry_id = conn.execute(
            select(t.ledger_entry.c.id).where(_entry_where(TARGET))
        ).scalar_one()
        conn.execute(delete(t.entry_range).where(t.entry_range.c.entry_id == entry_id))
        conn.execute(delete(t.ledger_entry).where(t.ledger_entry.c.id == entry_id))
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, TARGET), result["problems"]


def test_swapping_two_entries_seq_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        conn.execute(update(t.ledger_entry).where(_entry_where(5)).values(seq=-5))
        conn.execute(update(t.ledger_entry).where(_entry_where(7)).values(seq=5))
        conn.execute(update(t.ledger_entry).where(_entry_where(-5)).values(seq=7))
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, 5), result["problems"]


@pytest.mark.parametrize(
    ("column", "delta"), [("first_no", -1), ("last_no", 1), ("width", 1), ("prefix", None)]
)
def test_editing_an_entry_range_row_is_detected(ctx, engine, built, column, delta) -> None:
    with engine.begin() as conn:
        entry_id = conn.execute(
            select(t.ledger_entry.c.id).where(_entry_where(TARGET))
        ).scalar_one()
        old = conn.execute(
            select(t.entry_range.c[column]).where(t.entry_range.c.entry_id == entry_id)
        ).scalar_one()
        new = "KS" if delta is None else old + delta
        conn.execute(
            update(t.entry_range).where(t.entry_range.c.entry_id == entry_id).values({column: new})
        )
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, TARGET), result["problems"]
    assert any("rentang seri tersimpan" in p["message"] for p in result["problems"])


def test_deleting_or_adding_an_entry_range_row_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        entry_id = conn.execute(
            select(t.ledger_entry.c.id).where(_entry_where(TARGET))
        ).scalar_one()
        conn.execute(
            t.entry_range.insert().values(
                entry_id=entry_id,
                office_code=OFFICE,
                prefix="KR",
                width=4,
                first_no=50,
                last_no=60,
            )
        )
    assert q.verify(ctx)["first_bad_seq"] == TARGET
    with engine.begin() as conn:
        conn.execute(delete(t.entry_range).where(t.entry_range.c.entry_id == entry_id))
    result = q.verify(ctx)
    assert (result["sound"], result["first_bad_seq"]) == (False, TARGET)


def _blank(conn, serial: str):  # type: ignore[no-untyped-def]
    return conn.execute(select(t.blank).where(t.blank.c.serial == serial)).one()


@pytest.mark.parametrize(
    ("serial", "change"),
    [
        # A consumed card put back on the shelf (the classic way to make a card disappear).
        ("KR0001", {"state": "available", "location_id": "station"}),
        # An available card marked as used.
        ("KR0020", {"state": "consumed", "location_id": None}),
        # An available card moved without a transfer entry.
        ("KR0020", {"location_id": "station"}),
        # A lost card quietly re-labelled as returned.
        ("KR0011", {"state": "returned"}),
        # The last entry that touched it rewritten.
        ("KR0020", {"last_seq": 3}),
    ],
)
def test_editing_a_blank_row_is_detected(ctx, engine, built, serial, change) -> None:
    values = {
        k: (built[v] if isinstance(v, str) and k == "location_id" else v) for k, v in change.items()
    }
    with engine.begin() as conn:
        before = _blank(conn, serial)
        conn.execute(update(t.blank).where(t.blank.c.serial == serial).values(values))
    result = q.verify(ctx)
    assert result["sound"] is False
    assert any(serial in p["message"] for p in result["problems"]), result["problems"]
    assert result["first_bad_seq"] == max(before.last_seq, values.get("last_seq", 0))


def test_deleting_or_inventing_a_blank_row_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        conn.execute(delete(t.blank).where(t.blank.c.serial == "KR0030"))
    result = q.verify(ctx)
    assert result["sound"] is False
    assert any("KR0030" in p["message"] or "memuat" in p["message"] for p in result["problems"])

    with engine.begin() as conn:
        conn.execute(
            t.blank.insert().values(
                serial="KR0030",
                office_code=OFFICE,
                prefix="KR",
                width=4,
                number=30,
                state="available",
                location_id=built["store"],
                last_seq=2,
            )
        )
    assert q.verify(ctx)["sound"] is True  # restored exactly
    with engine.begin() as conn:
        conn.execute(
            t.blank.insert().values(
                serial="KR0500",
                office_code=OFFICE,
                prefix="KR",
                width=4,
                number=500,
                state="available",
                location_id=built["store"],
                last_seq=2,
            )
        )
    result = q.verify(ctx)
    assert result["sound"] is False
    assert any("KR0500" in p["message"] for p in result["problems"])


def test_moving_the_chain_head_is_detected(ctx, engine, built) -> None:
    with engine.begin() as conn:
        conn.execute(update(t.office).where(t.office.c.code == OFFICE).values(ledger_seq=9))
    result = q.verify(ctx)
    assert result["sound"] is False
    assert any("kepala rantai" in p["message"] for p in result["problems"])


def test_balance_is_untouched_by_a_sound_audit(ctx, built) -> None:
    """The reference numbers of the story, so a tamper test failing for the wrong reason
    (a story that changed) shows up here."""
    bal = q.balance(ctx)
    assert bal["totals"] == {
        "opening": 10,
        "received": 20,
        "consumed": 3,
        "spoiled": 1,
        "lost": 1,
        "returned": 2,
        "adjusted": 0,  # KR0008 missing (-1), KR0099 found (+1)
    }
    assert bal["on_hand"] == 23
    assert bal["by_location"] == {"gudang": 18, "loket-1": 5}
    with ctx.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.blank)).scalar_one() == 31
