"""The ledger's pure rules: the entry hash, replaying entries, the conservation identity."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta

import pytest

from blangko.adapters.tables import ledger_entry
from blangko.domain.ledger import (
    BUCKETS,
    GENESIS_HASH,
    MOVES,
    EntryRecord,
    Kind,
    Replay,
    State,
    conservation_holds,
)
from blangko.domain.serials import parse_ranges

STORE, STATION = 1, 2


def _entry(seq: int = 1, **changes: object) -> EntryRecord:
    base = EntryRecord(
        office="17.04",
        seq=seq,
        kind="receive",
        effective_date=date(2026, 6, 2),
        recorded_at=datetime(2026, 6, 2, 3, 4, 5, 678901),
        actor="petugas",
        from_location=None,
        to_location=STORE,
        service=None,
        reason=None,
        document="BA-001",
        party="Ditjen Dukcapil",
        note=None,
        idempotency_key="k-1",
        quantity=3,
        serials="KR0001-KR0003",
        corrects_seq=None,
        count_id=None,
        prev_hash=GENESIS_HASH,
    )
    return dataclasses.replace(base, **changes)


def _changed(value: object) -> object:
    """Another value of the same kind (None becomes a value)."""
    if value is None:
        return 7
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    assert isinstance(value, str)
    return value + "x"


FIELDS = [f.name for f in dataclasses.fields(EntryRecord)]


def test_every_stored_column_but_id_and_hash_is_hashed() -> None:
    # If someone adds a column to ledger_entry, the hash must cover it too.
    columns = {c.name for c in ledger_entry.columns} - {"id", "hash"}
    assert {("office_code" if f == "office" else f) for f in FIELDS} == columns


@pytest.mark.parametrize("name", FIELDS)
def test_changing_any_one_field_changes_the_hash(name: str) -> None:
    entry = _entry()
    other = dataclasses.replace(entry, **{name: _changed(getattr(entry, name))})
    assert other.compute_hash() != entry.compute_hash()


NULLABLE = [
    "from_location",
    "to_location",
    "service",
    "reason",
    "document",
    "party",
    "note",
    "idempotency_key",
    "corrects_seq",
    "count_id",
]


@pytest.mark.parametrize("name", NULLABLE)
def test_none_empty_and_zero_hash_differently(name: str) -> None:
    assert ledger_entry.c[name].nullable
    hashes = {
        dataclasses.replace(_entry(), **{name: value}).compute_hash()
        for value in (None, "", 0, "0", 1)
    }
    assert len(hashes) == 5


def test_hash_is_deterministic_sha256_of_canonical_json() -> None:
    entry = _entry()
    assert entry.compute_hash() == _entry().compute_hash()
    assert len(entry.compute_hash()) == 64
    data = json.loads(entry.canonical())
    assert data["recorded_at"] == "2026-06-02T03:04:05.678901"
    assert data["effective_date"] == "2026-06-02"
    assert set(data) == {("office" if f == "office" else f) for f in FIELDS}


def test_chained_entries_depend_on_the_previous_hash() -> None:
    first = _entry()
    second = _entry(
        2,
        kind="consume",
        from_location=STORE,
        to_location=None,
        quantity=1,
        serials="KR0001",
        prev_hash=first.compute_hash(),
    )
    forged_first = _entry(document="BA-002")
    forged_second = dataclasses.replace(second, prev_hash=forged_first.compute_hash())
    assert forged_second.compute_hash() != second.compute_hash()


def test_non_ascii_text_is_hashed_as_is() -> None:
    a = _entry(note="Kecamatan Kinal – dikirim")
    b = _entry(note="Kecamatan Kinal - dikirim")
    assert a.compute_hash() != b.compute_hash()


# Replay ---------------------------------------------------------------------------------------


def _apply(replay: Replay, entry: EntryRecord) -> None:
    replay.apply(entry, parse_ranges(entry.serials))


def _story() -> tuple[Replay, list[EntryRecord]]:
    entries = [
        _entry(1, kind="opening", quantity=5, serials="KR0001-KR0005"),
        _entry(
            2,
            kind="transfer",
            from_location=STORE,
            to_location=STATION,
            quantity=2,
            serials="KR0001-KR0002",
        ),
        _entry(
            3,
            kind="consume",
            from_location=STATION,
            to_location=None,
            quantity=1,
            serials="KR0001",
            service="pemula",
        ),
        _entry(
            4,
            kind="spoil",
            from_location=STATION,
            to_location=None,
            quantity=1,
            serials="KR0002",
            reason="salah_cetak",
        ),
        _entry(5, kind="lose", from_location=STORE, to_location=None, quantity=1, serials="KR0003"),
        _entry(
            6, kind="return", from_location=STORE, to_location=None, quantity=1, serials="KR0004"
        ),
        _entry(7, kind="found", to_location=STATION, quantity=1, serials="KR0009"),
        _entry(
            8, kind="missing", from_location=STORE, to_location=None, quantity=1, serials="KR0005"
        ),
    ]
    replay = Replay()
    for e in entries:
        _apply(replay, e)
    return replay, entries


def test_replay_of_a_legal_story() -> None:
    replay, _ = _story()
    assert replay.problems == []
    got = {s: (v.state, v.location, v.last_seq) for s, v in replay.states.items()}
    assert got == {
        "KR0001": (State.CONSUMED, None, 3),
        "KR0002": (State.SPOILED, None, 4),
        "KR0003": (State.LOST, None, 5),
        "KR0004": (State.RETURNED, None, 6),
        "KR0005": (State.LOST, None, 8),
        "KR0009": (State.AVAILABLE, STATION, 7),
    }


def test_consuming_an_unknown_serial_is_a_problem() -> None:
    replay, _ = _story()
    _apply(
        replay,
        _entry(
            9, kind="consume", from_location=STORE, to_location=None, quantity=1, serials="KR0100"
        ),
    )
    assert [(p.seq, "belum pernah diterima" in p.message) for p in replay.problems] == [(9, True)]
    assert "KR0100" not in replay.states


@pytest.mark.parametrize("serial", ["KR0001", "KR0002", "KR0003", "KR0004", "KR0005"])
@pytest.mark.parametrize("kind", ["consume", "spoil", "lose", "return", "transfer", "missing"])
def test_moving_a_serial_that_left_the_stock_is_a_problem(kind: str, serial: str) -> None:
    replay, _ = _story()
    before = replay.states[serial]
    _apply(
        replay,
        _entry(9, kind=kind, from_location=STORE, to_location=STATION, quantity=1, serials=serial),
    )
    assert len(replay.problems) == 1
    assert replay.problems[0].seq == 9
    assert "tidak tersedia" in replay.problems[0].message
    assert replay.states[serial] == before  # an illegal move changes nothing


def test_moving_from_the_wrong_location_is_a_problem() -> None:
    replay, _ = _story()
    # KR0009 is at the station, not the store.
    _apply(
        replay,
        _entry(
            9, kind="consume", from_location=STORE, to_location=None, quantity=1, serials="KR0009"
        ),
    )
    assert [p.seq for p in replay.problems] == [9]
    assert replay.states["KR0009"].state == State.AVAILABLE


@pytest.mark.parametrize("kind", ["opening", "receive", "found"])
def test_creating_a_serial_twice_is_a_problem(kind: str) -> None:
    replay, _ = _story()
    _apply(replay, _entry(9, kind=kind, quantity=2, serials="KR0005-KR0006"))
    assert [p.seq for p in replay.problems] == [9]
    assert "KR0005 sudah tercatat" in replay.problems[0].message
    assert replay.states["KR0005"].state == State.LOST  # not revived
    assert replay.states["KR0006"].state == State.AVAILABLE  # the new one is taken


@pytest.mark.parametrize("quantity", [0, 2, 4])
def test_quantity_must_equal_the_serials_named(quantity: int) -> None:
    replay = Replay()
    _apply(replay, _entry(1, quantity=quantity, serials="KR0001-KR0003"))
    assert [p.seq for p in replay.problems] == [1]
    assert f"jumlah {quantity} tidak sama dengan 3 seri" == replay.problems[0].message


def test_problems_are_capped() -> None:
    replay = Replay()
    _apply(
        replay,
        _entry(
            1,
            kind="consume",
            from_location=STORE,
            to_location=None,
            quantity=500,
            serials="KR0001-KR0500",
        ),
    )
    assert len(replay.problems) == 100


def test_every_kind_has_a_move_with_consistent_sign() -> None:
    assert set(MOVES) == set(Kind)
    for kind, move in MOVES.items():
        if kind == Kind.TRANSIT_LOSS:
            # A shipment's serials that never arrived: new to the receiver, lost, never on
            # its stock.
            assert move.creates and move.to_state == State.LOST and move.bucket == "none"
        elif move.creates:
            assert move.sign == +1 and move.to_state == State.AVAILABLE and move.needs_to
            assert move.bucket in BUCKETS
        elif move.to_state == State.AVAILABLE and move.from_state == State.AVAILABLE:
            assert kind == Kind.TRANSFER and move.sign == 0
        elif move.to_state == State.AVAILABLE:
            # Back onto the stock on hand from outside it (a lost card found again).
            assert kind == Kind.RECOVER and move.from_state == State.LOST
            assert move.sign == +1 and move.needs_to and move.bucket in BUCKETS
        elif getattr(move, "from_state", State.AVAILABLE) == State.AVAILABLE:
            # Leaving the stock on hand: counted in exactly one totals line.
            assert move.sign == -1 and move.needs_from and not move.needs_to
            assert move.bucket in BUCKETS
        else:
            # Moves between states already outside the stock on hand change no total.
            assert move.sign == 0 and move.bucket not in BUCKETS


# Conservation ---------------------------------------------------------------------------------


def test_conservation_identity() -> None:
    totals = {
        "opening": 1000,
        "received": 4000,
        "consumed": 480,
        "spoiled": 12,
        "lost": 5,
        "returned": 3,
        "shipped": 300,
        "adjusted": 700,
    }
    assert conservation_holds(totals, 4900)
    assert not conservation_holds(totals, 4899)
    assert not conservation_holds(totals, 4901)
    for bucket in BUCKETS:
        bumped = dict(totals, **{bucket: totals[bucket] + 1})
        assert not conservation_holds(bumped, 4900)


def test_conservation_of_the_replayed_story() -> None:
    replay, entries = _story()
    totals = dict.fromkeys(BUCKETS, 0)
    for e in entries:
        move = MOVES[Kind(e.kind)]
        if e.kind == "missing":
            totals["adjusted"] -= e.quantity
        elif move.sign:
            totals[move.bucket] += e.quantity
    on_hand = sum(1 for s in replay.states.values() if s.state == State.AVAILABLE)
    assert on_hand == 1
    assert conservation_holds(totals, on_hand)
