"""Rewriting the ledger behind the services' back is detected by `verify`, which names the
first bad entry.

Each test builds the same small ledger through the services (every entry kind but none
twice in a row), then edits the database with plain SQL, as someone with direct database
access would, and runs the audit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from service_helpers import KK, add_resident
from sqlalchemy import delete, func, select, update

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ta
from blangko.adapters.repos import anchors as anchors_repo
from blangko.adapters.repos.ledger import row_to_record
from blangko.domain.anchor import NO_SIGNATURE, Anchor, key_id, records_from
from blangko.domain.ledger import GENESIS_HASH
from blangko.domain.nik import build_nik
from blangko.domain.serials import parse_ranges
from blangko.services import applications as apps
from blangko.services.admin import setup
from blangko.services.stock import anchors, counts, writes
from blangko.services.stock import queries as q
from blangko.settings import DEFAULT_SECRET_KEY, Settings

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
    ("column", "delta"),
    [("first_no", -1), ("last_no", 1), ("width", 1), ("prefix", None), ("span_class", 1)],
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
                span_class=4,
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
        "shipped": 0,
        "adjusted": 0,  # KR0008 missing (-1), KR0099 found (+1)
    }
    assert bal["on_hand"] == 23
    assert bal["by_location"] == {"gudang": 18, "loket-1": 5}
    with ctx.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.blank)).scalar_one() == 31


# --- The chain rewritten as a whole, and the records outside it (issue 19, finding 9) --------
#
# Whoever can write to the database and read the source can edit an entry and recompute
# every later hash and the office's head: the chain alone cannot tell. The anchors (the head
# and a digest of the other accountable records, signed with a key that is not in the
# database) can.

ANCHOR_KEY = "kunci-jangkar-rahasia-uji-0123456789"


@pytest.fixture
def keyed(ctx):  # type: ignore[no-untyped-def]
    """The context with an anchor key of its own (not the public default)."""
    return replace(ctx, settings=Settings(anchor_key=ANCHOR_KEY))


def _rewrite_chain(engine, seq: int, **changes) -> None:  # type: ignore[no-untyped-def]
    """Edit entry `seq` and recompute its hash, every later entry's prev_hash and hash, and the
    office's chain head, exactly as `insert_entry` would have."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(t.ledger_entry)
            .where(t.ledger_entry.c.office_code == OFFICE, t.ledger_entry.c.seq >= seq - 1)
            .order_by(t.ledger_entry.c.seq)
        ).all()
        prev = rows[0].hash if seq > 1 else GENESIS_HASH
        for row in rows:
            if row.seq < seq:
                continue
            edit = changes if row.seq == seq else {}
            record = row_to_record(row)
            forged = record.__class__(**{**record.__dict__, **edit, "prev_hash": prev})
            prev = forged.compute_hash()
            conn.execute(
                update(t.ledger_entry)
                .where(_entry_where(row.seq))
                .values(**edit, prev_hash=forged.prev_hash, hash=prev)
            )
        conn.execute(update(t.office).where(t.office.c.code == OFFICE).values(ledger_hash=prev))


def test_a_rewritten_chain_passes_the_chain_checks_alone(keyed, engine, built) -> None:
    """The gap the anchors close: with no anchor, a consistent rewrite is not detected."""
    _rewrite_chain(engine, TARGET, actor="penyusup", note="diubah")
    result = q.verify(keyed)
    assert result["sound"] is True
    assert result["anchors"] == 0 and "Belum ada jangkar" in result["warnings"][0]


def test_a_rewritten_chain_is_detected_against_the_anchor(keyed, engine, built) -> None:
    made = anchors.anchor(keyed)
    assert (made["anchored"], made["anchor"]["seq"], made["anchor"]["number"]) == (True, 10, 1)
    assert q.verify(keyed)["sound"] is True
    _rewrite_chain(engine, TARGET, actor="penyusup", note="diubah")
    result = q.verify(keyed)
    assert (result["sound"], result["first_bad_seq"]) == (False, 10), result["problems"]
    assert "#1 sampai #10" in result["problems"][0]["message"]


def test_the_anchor_before_the_edit_narrows_where_it_was(keyed, engine, built) -> None:
    """Anchored at 5 and 10, an edit of entry 7 keeps entry 5's hash: the rewrite is named
    between the two anchors."""
    with engine.connect() as conn:
        hash5 = conn.execute(select(t.ledger_entry.c.hash).where(_entry_where(5))).scalar_one()
    anchored = Anchor(
        office=OFFICE,
        number=1,
        seq=5,
        hash=hash5,
        records={},
        anchored_at=keyed.now(),
        actor="petugas-uji",
        reason="manual",
        month=None,
        key_id=key_id(ANCHOR_KEY),
        prev_signature=NO_SIGNATURE,
    )
    with engine.begin() as conn:
        anchors_repo.insert(conn, anchored, anchored.sign(ANCHOR_KEY))
    assert anchors.anchor(keyed)["anchor"]["number"] == 2
    assert q.verify(keyed)["sound"] is True
    _rewrite_chain(engine, 7, party="Kab. Lain")
    result = q.verify(keyed)
    assert (result["sound"], result["first_bad_seq"]) == (False, 10), result["problems"]
    assert [p["seq"] for p in result["problems"]] == [10]
    assert "#6 sampai #10" in result["problems"][0]["message"]


def test_a_forged_anchor_signature_is_detected(keyed, engine, built) -> None:
    """Rewriting the chain and the anchor's hash with it needs the key: signed with another
    key, or with the right key id and a wrong signature, the anchor is refused."""
    anchors.anchor(keyed)
    _rewrite_chain(engine, TARGET, actor="penyusup")
    with engine.connect() as conn:
        row = conn.execute(select(t.ledger_anchor)).one()
        new_head = conn.execute(select(t.office.c.ledger_hash)).scalar_one()
    forged = Anchor(
        office=OFFICE,
        number=1,
        seq=row.seq,
        hash=new_head,
        records=records_from(json.loads(row.records)),
        anchored_at=row.anchored_at,
        actor=row.actor,
        reason=row.reason,
        month=row.month,
        key_id=key_id(DEFAULT_SECRET_KEY),  # the only key an intruder could know
        prev_signature=row.prev_signature,
    )
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_anchor).values(
                hash=new_head, key_id=forged.key_id, signature=forged.sign(DEFAULT_SECRET_KEY)
            )
        )
    result = q.verify(keyed)
    assert (result["sound"], result["first_bad_seq"]) == (False, 10)
    assert "kunci lain" in result["problems"][0]["message"]
    # Keeping the genuine key id does not help: the signature does not match.
    with engine.begin() as conn:
        conn.execute(update(t.ledger_anchor).values(key_id=key_id(ANCHOR_KEY)))
    result = q.verify(keyed)
    assert result["sound"] is False
    assert "tanda tangan tidak sah" in result["problems"][0]["message"], result["problems"]


def test_removing_or_reordering_anchors_is_detected(keyed, engine, built) -> None:
    anchors.anchor(keyed)
    writes.consume(keyed, qty=1, service="pemula")
    anchors.anchor(keyed)
    writes.consume(keyed, qty=1, service="pemula")
    anchors.anchor(keyed)
    assert q.verify(keyed)["anchors"] == 3 and q.verify(keyed)["sound"] is True
    with engine.begin() as conn:
        conn.execute(delete(t.ledger_anchor).where(t.ledger_anchor.c.number == 2))
    result = q.verify(keyed)
    assert result["sound"] is False and result["first_bad_seq"] == 12
    assert "tidak menyambung" in result["problems"][0]["message"]


def test_the_anchor_key_can_be_changed(keyed, built) -> None:
    anchors.anchor(keyed)
    new_key = replace(keyed, settings=Settings(anchor_key="kunci-jangkar-baru-9876543210"))
    result = q.verify(new_key)
    assert (
        result["sound"] is False
        and "BLANGKO_ANCHOR_KEY_PREVIOUS" in result["problems"][0]["message"]
    )
    rotated = replace(
        keyed,
        settings=Settings(
            anchor_key="kunci-jangkar-baru-9876543210", anchor_key_previous=ANCHOR_KEY
        ),
    )
    assert q.verify(rotated)["sound"] is True
    writes.consume(rotated, qty=1, service="pemula")
    assert anchors.anchor(rotated)["anchor"]["key_id"] == key_id("kunci-jangkar-baru-9876543210")
    assert q.verify(rotated)["sound"] is True


def test_an_anchor_is_made_only_when_something_changed(keyed, built) -> None:
    first = anchors.anchor(keyed)
    again = anchors.anchor(keyed)
    assert again["anchored"] is False and again["anchor"] == first["anchor"]
    writes.consume(keyed, qty=1, service="pemula")
    assert anchors.anchor(keyed)["anchor"]["number"] == 2


def test_a_month_close_anchors_the_head(keyed, engine, built) -> None:
    closed = writes.close_month(keyed, month="2026-10")
    with engine.connect() as conn:
        head = conn.execute(select(t.office.c.ledger_seq, t.office.c.ledger_hash)).one()
    assert (closed["ledger_seq"], closed["ledger_hash"], closed["anchor"]) == (*head, 1)
    shown = anchors.anchors(keyed)
    assert [(a["reason"], a["month"], a["seq"]) for a in shown] == [("month_close", "2026-10", 10)]


@pytest.mark.parametrize(
    ("table", "change", "kind"),
    [
        # A count's figures: the variance that was found, changed afterwards.
        ("stock_count", {"counted": 99}, "stock opname"),
        ("stock_count_part", {"book": 3}, "stock opname"),
        ("location", {"name": "gudang-2"}, "lokasi"),
    ],
)
def test_editing_a_record_outside_the_chain_is_detected(
    keyed, engine, built, table, change, kind
) -> None:
    anchors.anchor(keyed)
    with engine.begin() as conn:
        rows = t.metadata.tables[table]
        first = select(func.min(rows.c[rows.primary_key.columns.keys()[0]])).scalar_subquery()
        conn.execute(
            update(rows).where(rows.primary_key.columns.values()[0] == first).values(change)
        )
    result = q.verify(keyed)
    assert result["sound"] is False
    assert any(kind in p["message"] for p in result["problems"]), result["problems"]


def test_editing_or_removing_a_month_close_is_detected(keyed, engine, built) -> None:
    writes.close_month(keyed, month="2026-09")
    writes.close_month(keyed, month="2026-10")
    assert q.verify(keyed)["sound"] is True
    with engine.begin() as conn:  # "re-open" October to back-date an entry into it
        conn.execute(delete(t.month_close).where(t.month_close.c.month == "2026-10"))
    result = q.verify(keyed)
    assert result["sound"] is False
    assert any("tutup bulan" in p["message"] for p in result["problems"]), result["problems"]


@pytest.fixture
def printed(keyed, built):  # type: ignore[no-untyped-def]
    """Two cards printed for two applications (KR0000001, KR0000002), then anchored."""
    writes.receive_shipment(
        keyed, serials="KR0000001-KR0000005", source="Ditjen", document="BA-2", to="loket-1"
    )
    receipts = []
    for serial in (1, 2):
        nik = add_resident(keyed, serial=serial, recorded=date(2020, 1, 1))
        receipt = apps.new(keyed, nik=nik, type="pemula", documents=KK)["receipt"]
        apps.ready(keyed, receipt=receipt)
        apps.print_card(keyed, receipt=receipt, station="loket-1", serial=f"KR000000{serial}")
        receipts.append(receipt)
    anchors.anchor(keyed)
    assert q.verify(keyed)["sound"] is True
    return receipts


def _set_application(engine, which: str, **values) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(update(ta.application).where(ta.application.c.receipt == which).values(values))


@pytest.mark.parametrize(
    "serial",
    [
        "KR0000002",  # the card printed for the other application
        "KR0001",  # a card consumed by hand, not printed for any application
        "KR0000003",  # a card still on the shelf
    ],
)
def test_editing_an_application_serial_is_detected(keyed, engine, printed, serial) -> None:
    _set_application(engine, printed[0], serial=serial)
    result = q.verify(keyed)
    assert result["sound"] is False
    assert any(printed[0] in p["message"] for p in result["problems"]), result["problems"]


def test_removing_an_application_serial_is_detected(keyed, engine, printed) -> None:
    _set_application(engine, printed[1], serial=None)
    result = q.verify(keyed)
    assert result["sound"] is False
    assert any(
        "KR0000002" in p["message"] and printed[1] in p["message"] for p in result["problems"]
    )


@pytest.mark.parametrize("column", ["nik", "receipt", "type", "submitted_date"])
def test_editing_an_application_nik_receipt_type_or_day_is_detected(
    keyed, engine, printed, column
) -> None:
    values = {
        "nik": build_nik("17.04.01", date(1990, 5, 17), "L", 3),
        "receipt": "1704-20261127-0009",
        "type": "hilang",
        "submitted_date": date(2026, 11, 26),
    }
    if column == "nik":
        add_resident(keyed, serial=3)  # the forged NIK must be a resident (foreign key)
    _set_application(engine, printed[0], **{column: values[column]})
    result = q.verify(keyed)
    assert result["sound"] is False
    assert any("permohonan" in p["message"].lower() for p in result["problems"])


def test_a_misprint_and_reprint_keep_the_applications_sound(keyed, printed) -> None:
    apps.misprint(keyed, receipt=printed[0], reason="gagal_encode")
    apps.print_card(keyed, receipt=printed[0], station="loket-1", serial="KR0000004")
    anchors.anchor(keyed)
    assert q.verify(keyed)["sound"] is True


def test_each_anchor_guards_the_applications_made_before_it(keyed, engine, printed) -> None:
    """A later anchor digests only what was made since the one before; the earlier anchor
    still guards its own rows."""
    nik = add_resident(keyed, serial=3, recorded=date(2020, 1, 1))
    later = apps.new(keyed, nik=nik, type="pemula", documents=KK)["receipt"]
    made = anchors.anchor(keyed)["anchor"]
    assert made["number"] == 2
    with engine.connect() as conn:
        second = conn.execute(
            select(t.ledger_anchor.c.records).where(t.ledger_anchor.c.number == 2)
        ).scalar_one()
    assert json.loads(second)["application"]["rows"] == 1  # only the new application
    _set_application(engine, printed[0], type="rusak")
    result = q.verify(keyed)
    assert result["sound"] is False
    [problem] = [p for p in result["problems"] if "permohonan" in p["message"]]
    assert "jangkar #1" in problem["message"]
    _set_application(engine, printed[0], type="pemula")
    _set_application(engine, later, type="rusak")
    [problem] = [p for p in q.verify(keyed)["problems"] if "permohonan" in p["message"]]
    assert "jangkar #2" in problem["message"]
