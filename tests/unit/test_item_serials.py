"""A serialised item's entries (issue 15): an entry without serials (every quantity item's)
has the canonical form and hash it had before the serials column existed, byte for byte; an
entry with serials hashes them; the serial rule and the replay of a serialised item's book."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from blangko.domain.errors import DomainError
from blangko.domain.items import (
    ItemEntryRecord,
    SerialReplay,
    check_serials,
    refuse_quantity,
    serial_rule,
)

RECORD = ItemEntryRecord(
    office="17.04",
    item="pita-warna",
    seq=3,
    kind="load",
    effective_date=date(2026, 10, 5),
    recorded_at=datetime(2026, 10, 5, 8, 30, 1, 250),
    actor="stok",
    lot="R1",
    quantity=1,
    printer_id=2,
    reason=None,
    document="BAST/1",
    note="ganti pita",
    idempotency_key="k-1",
    prev_hash="ab" * 32,
)
# Computed by the release before serialised items (commit 54dac63), from this same record.
BEFORE = (
    '{"actor":"stok","document":"BAST/1","effective_date":"2026-10-05","idempotency_key":"k-1",'
    '"item":"pita-warna","kind":"load","lot":"R1","note":"ganti pita","office":"17.04",'
    '"prev_hash":"abababababababababababababababababababababababababababababababab",'
    '"printer_id":2,"quantity":1,"reason":null,"recorded_at":"2026-10-05T08:30:01.000250",'
    '"seq":3}'
)
BEFORE_HASH = "a9847d87c4d702d0f2ee9d3096c322a5f21f07a215ca22e2cf00f6c48200b34e"


def test_an_entry_without_serials_hashes_as_before() -> None:
    assert RECORD.canonical() == BEFORE.encode()
    assert RECORD.compute_hash() == BEFORE_HASH


def test_an_entry_with_serials_hashes_them() -> None:
    with_serials = replace(RECORD, item="kia", kind="print", lot="KA", serials="KA000001")
    assert b'"serials":"KA000001"' in with_serials.canonical()
    other = replace(with_serials, serials="KA000002")
    assert with_serials.compute_hash() != other.compute_hash()


def test_serial_rule_and_ranges() -> None:
    rule = serial_rule("ka######")
    assert (rule.prefix, rule.width, rule.pattern, rule.lot) == ("KA", 6, "KA######", "KA")
    assert [str(r) for r in check_serials("KA000001-KA000010,KA000012", rule)] == [
        "KA000001-KA000010",
        "KA000012",
    ]
    for bad in ("KR000001", "KA0000001", "KA00001-KA00003"):
        with pytest.raises(DomainError) as exc:
            check_serials(bad, rule)
        assert exc.value.field == "serials"
    for bad_pattern in ("", "KA", "KA-##", "KA#1"):
        with pytest.raises(DomainError) as exc:
            serial_rule(bad_pattern)
        assert exc.value.field == "serial_pattern"
    with pytest.raises(DomainError) as exc:
        refuse_quantity(None, 5, "kia")
    assert exc.value.field == "qty"


def test_replay_keeps_each_serial_in_one_state_and_conserves() -> None:
    r = SerialReplay()
    r.apply(1, "receive", "KA", "KA000001-KA000005")
    r.apply(2, "print", "KA", "KA000002")
    r.apply(3, "lose", "KA", "KA000003")
    r.apply(4, "missing", "KA", "KA000004")
    r.apply(5, "found", "KA", "KA000003")
    assert r.problems == [] and r.conserved()
    assert r.counts() == {"in_store": 3, "printed": 1, "spoiled": 0, "lost": 0, "missing": 1}
    r.apply(6, "print", "KA", "KA000002")  # printed twice
    assert r.problems == ["entri 6: seri KA000002 berstatus printed"]
