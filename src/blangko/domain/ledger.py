"""The blank-card ledger: entry kinds, what each does to a serial, the hash chain, replay.

Every change to a blank card is an entry; entries are only appended. Each kind moves serials
from one state (and location) to another; `replay` re-derives every serial's state from the
entries alone, which is how `verify` proves the stored state was not edited behind the
ledger's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from blangko.domain.applications import TYPES
from blangko.domain.errors import one_of
from blangko.domain.serials import SerialRange, expand


class State(StrEnum):
    AVAILABLE = "available"
    CONSUMED = "consumed"
    SPOILED = "spoiled"
    LOST = "lost"
    RETURNED = "returned"
    DESTROYED = "destroyed"
    # Shipped by this ledger to another one, not received yet: held by no location (the
    # shipment holds it; docs/network.md).
    IN_TRANSIT = "in_transit"


STATE_LABEL_ID = {
    State.AVAILABLE: "tersedia",
    State.CONSUMED: "terpakai",
    State.SPOILED: "rusak",
    State.LOST: "hilang",
    State.RETURNED: "dikembalikan",
    State.DESTROYED: "dimusnahkan",
    State.IN_TRANSIT: "dalam perjalanan",
}


class Kind(StrEnum):
    OPENING = "opening"
    RECEIVE = "receive"
    TRANSFER = "transfer"
    CONSUME = "consume"
    SPOIL = "spoil"
    LOSE = "lose"
    RETURN = "return"
    FOUND = "found"
    MISSING = "missing"
    DESTROY = "destroy"
    MISPRINT = "misprint"
    RECOVER = "recover"
    # Shipments between ledgers (docs/network.md): out of the sender's stock into transit,
    # into the receiver's stock, and the serials of a shipment that never arrived, booked by
    # the receiver against its handover record.
    SHIP_OUT = "ship_out"
    SHIP_IN = "ship_in"
    TRANSIT_LOSS = "transit_loss"


# What a consume entry's `service` names: the type of application the card was printed for.
# One definition, the application types (domain.applications.TYPES).
SERVICES = TYPES
SPOIL_REASONS = ("salah_cetak", "gagal_encode", "rusak_fisik", "rusak_kiriman", "lainnya")
LOCATION_KINDS = ("store", "station")
LOCATION_KIND_LABEL_ID = {"store": "gudang", "station": "loket cetak"}


def check_spoil_reason(reason: str) -> str:
    """The reason, when it is one of SPOIL_REASONS; else the clerk's error."""
    return one_of(reason, SPOIL_REASONS, "unknown_reason", "reason", "Alasan")


@dataclass(frozen=True)
class Move:
    """What an entry kind does to each serial it names."""

    creates: bool  # the serials are new to the books (must not exist yet)
    to_state: State
    bucket: str  # the totals line it counts in
    sign: int  # +1 adds to stock on hand, -1 takes from it, 0 moves within it
    needs_from: bool
    needs_to: bool
    # The state a serial must be in before the move. Only destruction starts elsewhere: it
    # takes spoiled cards (which have no location) to destroyed.
    from_state: State = State.AVAILABLE
    # (from line, to line): cards already outside the stock on hand, re-booked from one
    # totals line to another.
    rebooks: tuple[str, str] | None = None


MOVES: dict[Kind, Move] = {
    Kind.OPENING: Move(True, State.AVAILABLE, "opening", +1, False, True),
    Kind.RECEIVE: Move(True, State.AVAILABLE, "received", +1, False, True),
    Kind.FOUND: Move(True, State.AVAILABLE, "adjusted", +1, False, True),
    Kind.TRANSFER: Move(False, State.AVAILABLE, "transferred", 0, True, True),
    Kind.CONSUME: Move(False, State.CONSUMED, "consumed", -1, True, False),
    Kind.SPOIL: Move(False, State.SPOILED, "spoiled", -1, True, False),
    Kind.LOSE: Move(False, State.LOST, "lost", -1, True, False),
    Kind.RETURN: Move(False, State.RETURNED, "returned", -1, True, False),
    Kind.MISSING: Move(False, State.LOST, "adjusted", -1, True, False),
    # Bucket "none" is in no totals line: destroyed cards were already counted as spoiled, so
    # the conservation identity does not change when they are destroyed.
    Kind.DESTROY: Move(False, State.DESTROYED, "none", 0, False, False, State.SPOILED),
    # A printed card found bad (application misprint): the consumed blank is re-booked as
    # spoiled and kept for destruction. Already outside the stock on hand, so no totals line
    # of its own: its quantity moves from "consumed" to "spoiled".
    Kind.MISPRINT: Move(
        False, State.SPOILED, "none", 0, False, False, State.CONSUMED, ("consumed", "spoiled")
    ),
    # A card booked lost (missing at a count, or reported lost) that turns up again at a
    # count: back on hand where it was found, as a positive adjustment.
    Kind.RECOVER: Move(False, State.AVAILABLE, "adjusted", +1, False, True, State.LOST),
    # Out to a shipment: the cards leave this ledger's stock ("shipped") and are in transit.
    Kind.SHIP_OUT: Move(False, State.IN_TRANSIT, "shipped", -1, True, False),
    # A shipment received: new to this ledger (they come from another one), into its stock.
    Kind.SHIP_IN: Move(True, State.AVAILABLE, "received", +1, False, True),
    # Serials of a shipment that did not arrive: booked by the receiver as lost, never on its
    # stock, so in no totals line (the network check counts them against the shipment).
    Kind.TRANSIT_LOSS: Move(True, State.LOST, "none", 0, False, False),
}

# The totals lines and how each enters the stock on hand (the conservation identity):
# on_hand = opening + received - consumed - spoiled - lost - returned - shipped + adjusted.
BUCKET_SIGN: dict[str, int] = {
    "opening": +1,
    "received": +1,
    "consumed": -1,
    "spoiled": -1,
    "lost": -1,
    "returned": -1,
    "shipped": -1,
    "adjusted": +1,
}
BUCKETS = tuple(BUCKET_SIGN)

KIND_LABEL_ID = {
    Kind.OPENING: "Saldo awal",
    Kind.RECEIVE: "Penerimaan",
    Kind.TRANSFER: "Pemindahan",
    Kind.CONSUME: "Pemakaian",
    Kind.SPOIL: "Rusak",
    Kind.LOSE: "Hilang",
    Kind.RETURN: "Pengembalian",
    Kind.FOUND: "Penyesuaian (ditemukan)",
    Kind.MISSING: "Penyesuaian (tidak ditemukan)",
    Kind.DESTROY: "Pemusnahan",
    Kind.MISPRINT: "Salah cetak",
    Kind.RECOVER: "Penyesuaian (ditemukan kembali)",
    Kind.SHIP_OUT: "Pengiriman",
    Kind.SHIP_IN: "Penerimaan kiriman",
    Kind.TRANSIT_LOSS: "Hilang dalam perjalanan",
}

SPOIL_REASON_LABEL_ID = {
    "salah_cetak": "Salah cetak",
    "gagal_encode": "Gagal encode chip",
    "rusak_fisik": "Rusak fisik",
    "rusak_kiriman": "Rusak saat diterima dari kiriman",
    "lainnya": "Lainnya",
}

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class EntryRecord:
    """One ledger entry exactly as stored; the fields that the hash covers."""

    office: str
    seq: int
    kind: str
    effective_date: date
    recorded_at: datetime  # naive UTC
    actor: str
    from_location: int | None
    to_location: int | None
    service: str | None
    reason: str | None
    document: str | None
    party: str | None
    note: str | None
    idempotency_key: str | None
    quantity: int
    serials: str
    corrects_seq: int | None
    count_id: int | None
    prev_hash: str

    def canonical(self) -> bytes:
        data: dict[str, Any] = {
            "office": self.office,
            "seq": self.seq,
            "kind": self.kind,
            "effective_date": self.effective_date.isoformat(),
            "recorded_at": self.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "actor": self.actor,
            "from_location": self.from_location,
            "to_location": self.to_location,
            "service": self.service,
            "reason": self.reason,
            "document": self.document,
            "party": self.party,
            "note": self.note,
            "idempotency_key": self.idempotency_key,
            "quantity": self.quantity,
            "serials": self.serials,
            "corrects_seq": self.corrects_seq,
            "count_id": self.count_id,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def bucket_amounts(kind: Kind | str, quantity: int) -> dict[str, int]:
    """What an entry of `quantity` cards adds to each totals line: a line counts its cards
    as a positive number (printed, spoiled, received ...), except that a card found missing
    at a count is a negative adjustment; a misprint moves its card from "consumed" to
    "spoiled"; a transfer or a destruction is in no line."""
    move = MOVES[Kind(kind)]
    if move.rebooks is not None:
        out_of, into = move.rebooks
        return {out_of: -quantity, into: quantity}
    if move.bucket not in BUCKET_SIGN:
        return {}
    return {move.bucket: quantity * move.sign * BUCKET_SIGN[move.bucket]}


def net_stock(totals: Mapping[str, int]) -> int:
    """opening + received - consumed - spoiled - lost - returned - shipped + adjusted: the lines
    add to (or, over a period, change) the stock on hand."""
    return sum(sign * totals.get(b, 0) for b, sign in BUCKET_SIGN.items())


def conservation_holds(totals: Mapping[str, int], on_hand: int) -> bool:
    """on_hand == opening + received - consumed - spoiled - lost - returned - shipped
    + adjusted."""
    return on_hand == net_stock(totals)


@dataclass
class Tally:
    """Totals lines and cards on hand per location summed from entries (or from entries
    already summed by kind and locations): the one place where entries become a balance,
    for the stock balance and the usage report alike."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    by_location: dict[int, int] = field(default_factory=dict)  # location id -> cards

    def add(
        self,
        kind: Kind | str,
        quantity: int,
        from_location: int | None = None,
        to_location: int | None = None,
    ) -> dict[str, int]:
        """Count one entry (or one sum of entries); returns what it added to each line."""
        amounts = bucket_amounts(kind, quantity)
        for line, n in amounts.items():
            self.totals[line] += n
        if from_location is not None:
            self.by_location[from_location] = self.by_location.get(from_location, 0) - quantity
        if to_location is not None and MOVES[Kind(kind)].to_state == State.AVAILABLE:
            self.by_location[to_location] = self.by_location.get(to_location, 0) + quantity
        return amounts

    @property
    def on_hand(self) -> int:
        return sum(self.by_location.values())

    def balanced(self) -> bool:
        return conservation_holds(self.totals, self.on_hand)


@dataclass
class SerialState:
    state: State
    location: int | None
    last_seq: int


@dataclass
class ReplayProblem:
    seq: int
    message: str


@dataclass
class Replay:
    """Serial states re-derived from the entries alone."""

    states: dict[str, SerialState] = field(default_factory=dict)
    problems: list[ReplayProblem] = field(default_factory=list)

    def apply(self, entry: EntryRecord, ranges: Iterable[SerialRange]) -> None:
        move = MOVES[Kind(entry.kind)]
        n = 0
        for serial in expand(ranges):
            n += 1
            current = self.states.get(serial)
            if move.creates:
                # A shipment's serials are new to the receiver's ledger, unless they went out
                # of this very ledger before (a loan returned): then they come back from transit.
                returning = (
                    current is not None
                    and current.state == State.IN_TRANSIT
                    and entry.kind in (Kind.SHIP_IN, Kind.TRANSIT_LOSS)
                )
                if current is not None and not returning:
                    self._problem(entry.seq, f"seri {serial} sudah tercatat sebelumnya")
                    continue
            else:
                if current is None:
                    self._problem(entry.seq, f"seri {serial} belum pernah diterima")
                    continue
                if current.state != move.from_state or current.location != entry.from_location:
                    self._problem(
                        entry.seq,
                        f"seri {serial} tidak tersedia di lokasi asal saat entri ini"
                        if move.from_state == State.AVAILABLE
                        else f"seri {serial} tidak berstatus {move.from_state.value} saat entri ini",
                    )
                    continue
            location = entry.to_location if move.to_state == State.AVAILABLE else None
            self.states[serial] = SerialState(move.to_state, location, entry.seq)
        if n != entry.quantity:
            self._problem(entry.seq, f"jumlah {entry.quantity} tidak sama dengan {n} seri")

    def _problem(self, seq: int, message: str) -> None:
        if len(self.problems) < 100:
            self.problems.append(ReplayProblem(seq, message))
