"""Where this process's next print will most likely take its blank from, so that on
PostgreSQL a print can move the blank and append its entry in one statement
(entries.take_and_record) instead of picking first: the hash of an entry covers its serial
and location, so both must be known before the statement is sent. (On SQLite only where a
serial named without a location is: see consume_guessed.)

A guess is only ever a candidate. The statement moves the blank only if it is available at
that location, had arrived by the entry's date and, for a take of one, is the lowest
available there (the blank the pick would have chosen); otherwise nothing is written and the
print takes the ordinary path. The lowest check is left out when nothing has been written
since this process's last take of the lowest there (the chain head is still the one that
take left): that take was of the lowest available blank, so none below the guess can be
available now, and the check would only step over the index entries of the blanks already
printed (PostgreSQL keeps them until a VACUUM). The other checks stay.

A guess that misses is tried again only after a pause that doubles with each miss (up to 64
prints), so two processes printing from one location in turn cost at most one extra round
trip now and then. Kept per engine (a database), per office and location name, in this
process only, and shared by its threads without a lock of its own: a guess is read and
changed only inside a write transaction, which holds the office's lock, so one thread sees
another's guess once that one's transaction has ended (and, had it rolled back, the head no
longer matches).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from blangko.adapters.repos import ledger as repo
from blangko.domain.ledger import MOVES, Kind
from blangko.domain.serials import SerialRange
from blangko.services.context import WriteTx
from blangko.services.stock.entries import record_entry, take_and_record
from blangko.services.stock.results import EntryView

MAX_PAUSE = 64


@dataclass
class Guess:
    location: int  # the location's id
    name: str  # its name when the guess was made (the statement checks it still is)
    # The blank a take of one there would pick next, when known.
    next: SerialRange | None = None
    pause: int = 0  # prints left before the guess is tried again
    backoff: int = 0  # the pause after the next miss (doubles)
    # The chain head this process's last take of the lowest there left.
    after: tuple[int, str] | None = None


# Keyed by (office, location name asked for); None as the name: a named serial consumed
# without saying where (the location it was found at last time).
_GUESSES: WeakKeyDictionary[Engine, dict[tuple[str, str | None], Guess]] = WeakKeyDictionary()


def _guesses(tx: WriteTx) -> dict[tuple[str, str | None], Guess]:
    return _GUESSES.setdefault(tx.conn.engine, {})


def consume_guessed(
    tx: WriteTx,
    asked: list[SerialRange] | None,
    qty: int | None,
    location: str | None,
    effective: date,
    *,
    service: str,
    note: str | None,
    idempotency_key: str | None,
) -> EntryView | None:
    """One blank consumed and its entry appended, when this process has a guess for it: the
    lowest at `location` for qty=1, or the serial named (`asked`, one serial) at `location`
    or, without one, where the last was found. PostgreSQL moves the blank and writes the
    entry in one statement. SQLite, which picks and moves in one statement anyway, guesses
    only where a serial named without a location is (saving the statement that finds it).
    None when there is no guess or it missed (nothing written)."""
    sqlite = tx.conn.dialect.name == "sqlite"
    guess = _guesses(tx).get((tx.office, location))
    if guess is None or (sqlite and location is not None):
        return None
    if asked is None:
        if qty != 1 or guess.next is None or location is None:
            return None
        # The lowest check, unless nothing was written since the last take of the lowest.
        blank, lowest = guess.next, guess.after != (tx.seq, tx.head_hash)
    elif len(asked) == 1 and asked[0].count == 1:
        blank, lowest = asked[0], False
    else:
        return None
    if guess.pause > 0:
        guess.pause -= 1
        return None
    fields = {"service": service, "note": note, "idempotency_key": idempotency_key}
    if sqlite:
        view = _take_named_sqlite(tx, effective, blank, guess, fields)
    else:
        view = take_and_record(
            tx, effective, blank, guess.location, guess.name, lowest=lowest, **fields
        )
    if view is None:
        guess.backoff = min(MAX_PAUSE, max(1, guess.backoff * 2))
        guess.pause = guess.backoff
        guess.after = None
        return None
    guess.backoff = 0
    if asked is None:
        guess.next = _after(blank)
        guess.after = (tx.seq, tx.head_hash)
    return view


def _take_named_sqlite(
    tx: WriteTx, effective: date, blank: SerialRange, guess: Guess, fields: dict[str, Any]
) -> EntryView | None:
    """SQLite: the named blank taken from the guessed location (by name) and its entry
    appended; None when it was not available there (nothing moved)."""
    to_state = MOVES[Kind.CONSUME].to_state
    loc, moved = repo.take_named(
        tx.conn, tx.office, [blank], guess.name, to_state, tx.seq + 1, effective
    )
    if loc is None or moved != 1:
        return None
    tx.met_locations({loc: guess.name})
    return record_entry(tx, Kind.CONSUME, effective, [blank], from_location=loc, **fields)


def remember(
    tx: WriteTx,
    asked_at: str | None,
    location: int,
    name: str,
    taken: list[SerialRange] | None,
) -> None:
    """A consumption asked at `asked_at` (a location name, or None) took its blanks from
    `location` (named `name`) by the ordinary path; `taken`: the ranges a take of the lowest
    moved (None for named serials)."""
    guess = _guesses(tx).setdefault((tx.office, asked_at), Guess(location, name))
    guess.location, guess.name, guess.after = location, name, None
    if taken:
        guess.next = _after(taken[-1])


def _after(r: SerialRange) -> SerialRange | None:
    """The serial after the last of `r` (the next one a take of the lowest reaches when a
    series is received in order); None past the series' width or for a lone serial."""
    n = r.last + 1
    if r.width == 0 or len(str(n)) > r.width:
        return None
    return SerialRange(r.prefix, r.width, n, n)
