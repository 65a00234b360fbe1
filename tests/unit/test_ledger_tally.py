"""The ledger's totals rules in the domain (bucket_amounts, net_stock, Tally): the one place
the stock balance and the usage report turn entries into figures."""

from __future__ import annotations

import pytest

from blangko.domain.ledger import (
    BUCKET_SIGN,
    BUCKETS,
    MOVES,
    Kind,
    Tally,
    bucket_amounts,
    conservation_holds,
    net_stock,
)

EXPECTED = {
    Kind.OPENING: {"opening": 5},
    Kind.RECEIVE: {"received": 5},
    Kind.TRANSFER: {},
    Kind.CONSUME: {"consumed": 5},
    Kind.SPOIL: {"spoiled": 5},
    Kind.LOSE: {"lost": 5},
    Kind.RETURN: {"returned": 5},
    Kind.FOUND: {"adjusted": 5},
    Kind.MISSING: {"adjusted": -5},
    Kind.DESTROY: {},
    Kind.MISPRINT: {"consumed": -5, "spoiled": 5},
    Kind.RECOVER: {"adjusted": 5},
    Kind.SHIP_OUT: {"shipped": 5},
    Kind.SHIP_IN: {"received": 5},
    Kind.TRANSIT_LOSS: {},  # never on the receiver's stock (the network check counts it)
}


def test_every_kind_has_its_lines() -> None:
    assert set(EXPECTED) == set(Kind)
    for kind, want in EXPECTED.items():
        assert bucket_amounts(kind, 5) == want, kind
        assert bucket_amounts(kind.value, 5) == want, kind


@pytest.mark.parametrize("kind", list(Kind))
def test_an_entry_changes_the_stock_on_hand_by_its_sign(kind: Kind) -> None:
    """What the lines say an entry does to the stock is what the move does to it."""
    lines = dict.fromkeys(BUCKETS, 0) | bucket_amounts(kind, 7)
    assert net_stock(lines) == 7 * MOVES[kind].sign


def test_the_conservation_identity() -> None:
    assert tuple(BUCKET_SIGN) == BUCKETS
    totals = {
        "opening": 100,
        "received": 200,
        "consumed": 15,
        "spoiled": 2,
        "lost": 1,
        "returned": 11,
        "adjusted": -1,
    }
    assert net_stock(totals) == 270
    assert conservation_holds(totals, 270)
    assert not conservation_holds(totals, 271)


def test_a_tally_books_entries_by_line_and_location() -> None:
    store, desk = 1, 2
    tally = Tally()
    tally.add(Kind.OPENING, 100, None, store)
    tally.add(Kind.RECEIVE, 200, None, store)
    tally.add(Kind.TRANSFER, 50, store, desk)
    tally.add(Kind.CONSUME, 10, desk, None)
    tally.add(Kind.SPOIL, 2, desk, None)
    assert tally.add(Kind.MISPRINT, 1) == {"consumed": -1, "spoiled": 1}
    tally.add(Kind.DESTROY, 3)
    tally.add(Kind.MISSING, 1, store, None)
    tally.add(Kind.RECOVER, 1, None, store)
    assert tally.by_location == {store: 250, desk: 38}
    assert tally.on_hand == 288
    assert tally.totals == {
        "opening": 100,
        "received": 200,
        "consumed": 9,
        "spoiled": 3,
        "lost": 0,
        "returned": 0,
        "shipped": 0,
        "adjusted": 0,
    }
    assert tally.balanced()
