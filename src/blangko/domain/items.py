"""Items other than the e-KTP blank: quantity items (colour ribbon, retransfer film, cleaning
kit ...) kept by lot, their entries, their hash chain and their balance; printers' states.

The e-KTP blank stays the built-in serialised item "ektp" with its own ledger
(domain.ledger), untouched. A quantity item has its own hash chain per office (genesis
"0" x 64, seq from 1): its entries never enter the blank's chain, so the blank's hashes, its
anchors and `stock verify` of existing books are exactly as before, and one item's book can be
checked on its own (docs/ledger.md, "Barang lain").
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from blangko.domain.errors import DomainError, one_of
from blangko.domain.serials import (
    SerialRange,
    expand,
    format_ranges,
    from_serials,
    parse_ranges,
    total,
)
from blangko.domain.text import Msg

DEFAULT_ITEM = "ektp"
DEFAULT_ITEM_NAME = "Blangko KTP-el"
ITEM_KINDS = ("serialised", "quantity")
ROLES = ("ribbon", "film", "other")
ROLE_LABEL_ID = {"ribbon": "pita warna", "film": "film retransfer", "other": "lainnya"}
GENESIS_HASH = "0" * 64

# Yields from the field (docs/forecast.md, "Yang menghentikan cetak lebih dulu"): a colour
# ribbon prints about 500 cards (harianjogja.com 2018, FIELD.md "Printing").
RIBBON_YIELD_PRINTS = 500
# Ribbons and films come from the regency's own budget, often only after the mid-year budget
# revision (FIELD.md): no published lead time; 60 days is an assumption the office changes
# per item (`item add --lead-time`).
REGENCY_LEAD_TIME_DAYS = 60

# Entry kinds of a quantity item and their sign on the units in store.
KIND_SIGN = {
    "receive": +1,  # a new lot into the store
    "load": -1,  # one unit out of the store into a printer
    "spoil": -1,
    "lose": -1,
    "found": +1,  # a count found more than the book
    "missing": -1,  # a count found fewer than the book
    "print": -1,  # a serialised card (KIA) printed: out of the store into a printer
}
KIND_BUCKET = {
    "receive": "received",
    "load": "loaded",
    "spoil": "spoiled",
    "lose": "lost",
    "found": "adjusted",
    "missing": "adjusted",
    # A card printed leaves the store into a printer as a loaded ribbon does: one column of
    # the usage report and of the conservation identity for both kinds of item.
    "print": "loaded",
}
BUCKETS = ("received", "loaded", "spoiled", "lost", "adjusted")
KIND_LABEL_ID = {
    "receive": "Penerimaan",
    "load": "Dipasang di printer",
    "spoil": "Rusak",
    "lose": "Hilang",
    "found": "Penyesuaian (lebih)",
    "missing": "Penyesuaian (kurang)",
    "print": "Dicetak",
}

PRINTER_STATES = ("working", "broken", "in_repair", "replaced")
PRINTER_STATE_LABEL_ID = {
    "working": "berfungsi",
    "broken": "rusak",
    "in_repair": "dalam perbaikan",
    "replaced": "diganti",
}
DOWN_STATES = ("broken", "in_repair", "replaced")

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,23}$")
_LOT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")


def check_item_code(code: str) -> str:
    code = code.strip().lower()
    if not _CODE.match(code):
        raise DomainError(
            "item_code",
            "item",
            Msg(
                "Kode barang '{code}' tidak sah: 2 sampai 24 huruf kecil, angka atau tanda '-'.",
                code=code,
            ),
        )
    return code


def check_lot(lot: str) -> str:
    lot = lot.strip()
    if not _LOT.match(lot):
        raise DomainError(
            "lot_format",
            "lot",
            Msg(
                "Nomor lot '{lot}' tidak sah: 1 sampai 40 huruf, angka, '.', '/' atau '-'.",
                lot=lot,
            ),
        )
    return lot


def check_units(quantity: int, field_name: str = "qty") -> int:
    if quantity < 1 or quantity > 100_000:
        raise DomainError(
            "quantity_range",
            field_name,
            Msg("Jumlah harus 1 sampai 100.000 unit."),
        )
    return quantity


def check_yield(yield_prints: int | None, role: str) -> int | None:
    if yield_prints is None:
        if role in ("ribbon", "film"):
            raise DomainError(
                "yield_required",
                "yield",
                Msg("Pita dan film wajib punya hasil cetak per unit (mis. 500 kartu per pita)."),
            )
        return None
    if not 1 <= yield_prints <= 100_000:
        raise DomainError(
            "yield_range", "yield", Msg("Hasil cetak per unit harus 1 sampai 100.000 kartu.")
        )
    return yield_prints


def check_role(role: str) -> str:
    return one_of(role, ROLES, "unknown_role", "role", "Peran barang")


def check_printer_state(state: str) -> str:
    return one_of(state, PRINTER_STATES, "unknown_printer_state", "state", "Keadaan printer")


def refuse_serials(serials: str | None) -> None:
    """A quantity item is counted by units per lot: never by serial."""
    if serials:
        raise DomainError(
            "quantity_item_by_serial",
            "serials",
            Msg(
                "Barang ini dihitung per unit dan lot, bukan per nomor seri: sebutkan jumlah unit per lot."
            ),
        )


@dataclass(frozen=True)
class ItemEntryRecord:
    """One entry of a quantity item's chain exactly as stored; the fields the hash covers."""

    office: str
    item: str
    seq: int
    kind: str
    effective_date: date
    recorded_at: datetime  # naive UTC
    actor: str
    lot: str
    quantity: int
    printer_id: int | None
    reason: str | None
    document: str | None
    note: str | None
    idempotency_key: str | None
    prev_hash: str
    # The serial ranges a serialised item's entry moves; None for a quantity item.
    serials: str | None = None

    def canonical(self) -> bytes:
        data: dict[str, Any] = {
            "office": self.office,
            "item": self.item,
            "seq": self.seq,
            "kind": self.kind,
            "effective_date": self.effective_date.isoformat(),
            "recorded_at": self.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "actor": self.actor,
            "lot": self.lot,
            "quantity": self.quantity,
            "printer_id": self.printer_id,
            "reason": self.reason,
            "document": self.document,
            "note": self.note,
            "idempotency_key": self.idempotency_key,
            "prev_hash": self.prev_hash,
        }
        # Only when present: an entry without serials (every quantity item's) hashes exactly
        # as before the column existed, so no stored item hash changes.
        if self.serials is not None:
            data["serials"] = self.serials
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass
class ItemTally:
    """Units in store per lot and the totals lines, summed from an item's entries:
    on_hand = received - loaded - spoiled - lost + adjusted (the conservation identity)."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    by_lot: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, lot: str, quantity: int) -> None:
        sign = KIND_SIGN[kind]
        bucket = KIND_BUCKET[kind]
        self.totals[bucket] += quantity * (sign if bucket == "adjusted" else 1)
        self.by_lot[lot] = self.by_lot.get(lot, 0) + sign * quantity

    @property
    def on_hand(self) -> int:
        return sum(self.by_lot.values())

    def balanced(self) -> bool:
        t = self.totals
        return self.on_hand == (
            t["received"] - t["loaded"] - t["spoiled"] - t["lost"] + t["adjusted"]
        )


def verify_chain(records: Iterable[tuple[ItemEntryRecord, str]]) -> list[str]:
    """Problems of one item's chain: a seq out of order, a link or a hash that does not match,
    a lot that goes below zero. Empty: sound."""
    problems: list[str] = []
    prev = GENESIS_HASH
    tally = ItemTally()
    expected = 1
    for rec, stored in records:
        if rec.seq != expected:
            problems.append(f"entri {rec.seq}: nomor urut seharusnya {expected}")
        if rec.prev_hash != prev:
            problems.append(f"entri {rec.seq}: tautan ke entri sebelumnya tidak cocok")
        if rec.compute_hash() != stored:
            problems.append(f"entri {rec.seq}: hash tidak cocok dengan isinya")
        if rec.kind not in KIND_SIGN:
            problems.append(f"entri {rec.seq}: jenis '{rec.kind}' tidak dikenal")
        elif rec.serials is not None and total(parse_ranges(rec.serials)) != rec.quantity:
            problems.append(f"entri {rec.seq}: jumlah seri tidak sama dengan jumlahnya")
        else:
            tally.add(rec.kind, rec.lot, rec.quantity)
            if tally.by_lot[rec.lot] < 0:
                problems.append(f"entri {rec.seq}: lot {rec.lot} di bawah nol")
        prev = stored
        expected = rec.seq + 1
    return problems


def print_overrun(prints_before: int, prints: int, yield_prints: int, note: str | None) -> None:
    """More prints on a ribbon or film than its yield need a note saying why."""
    if prints_before + prints > yield_prints and not (note and note.strip()):
        raise DomainError(
            "yield_exceeded",
            "prints",
            Msg(
                "Pita/film ini sudah mencetak {before} kartu dari hasil {yield_} kartu; {prints} kartu lagi melebihi hasilnya: tulis catatan alasannya atau pasang unit baru.",
                before=prints_before,
                yield_=yield_prints,
                prints=prints,
            ),
        )


# Serialised items other than the e-KTP blank (KIA) ----------------------------------------------

SERIAL_STATES = ("in_store", "printed", "spoiled", "lost", "missing")
SERIAL_STATE_LABEL_ID = {
    "in_store": "di gudang",
    "printed": "dicetak",
    "spoiled": "rusak",
    "lost": "hilang",
    "missing": "tidak ditemukan saat hitung",
}
# Each kind of a serialised item's entry: the states a serial may be in before it, and after.
SERIAL_MOVES: dict[str, tuple[tuple[str | None, ...], str]] = {
    "receive": ((None,), "in_store"),
    "print": (("in_store",), "printed"),
    "spoil": (("in_store",), "spoiled"),
    "lose": (("in_store",), "lost"),
    "missing": (("in_store",), "missing"),
    # A count finds a serial the book does not hold in store: never received, or missing or
    # lost before.
    "found": ((None, "missing", "lost"), "in_store"),
}
_PATTERN = re.compile(r"^([A-Z0-9]{0,20}?)(#{1,18})$")


@dataclass(frozen=True)
class SerialRule:
    """A serialised item's serials: a fixed prefix and a fixed number of digits
    ("KA#########": KA000000001 ...); ranges run over the digits (domain.serials)."""

    prefix: str
    width: int

    @property
    def pattern(self) -> str:
        return self.prefix + "#" * self.width

    @property
    def lot(self) -> str:
        """The one lot a serialised item's entries name (its serials say which cards)."""
        return self.prefix or "SERI"

    def example(self) -> str:
        return self.prefix + "1".zfill(self.width)


def serial_rule(pattern: str | None) -> SerialRule:
    """The rule from `--serial-pattern`: a prefix of letters/digits then one '#' per digit."""
    text = (pattern or "").strip().upper()
    m = _PATTERN.match(text)
    if not m:
        raise DomainError(
            "serial_pattern_format",
            "serial_pattern",
            Msg(
                "Pola seri '{pattern}' tidak sah: awalan huruf/angka lalu satu '#' per digit, mis. KA######### (KA lalu 9 digit).",
                pattern=pattern or "",
            ),
        )
    return SerialRule(m.group(1), len(m.group(2)))


def check_serials(text: str | None, rule: SerialRule, field: str = "serials") -> list[SerialRange]:
    """Serial ranges of a serialised item, every serial of its pattern."""
    ranges = parse_ranges(text or "", field, limit=100_000)
    for r in ranges:
        if r.prefix != rule.prefix or r.width != rule.width:
            raise DomainError(
                "serial_pattern",
                field,
                Msg(
                    "Seri '{range}' tidak sesuai pola barang ini ({pattern}, mis. {example}).",
                    range=str(r),
                    pattern=rule.pattern,
                    example=rule.example(),
                ),
            )
    return ranges


def refuse_quantity(lot: str | None, quantity: int | None, item: str) -> None:
    """A serialised item moves by serial: never by lot and number of units."""
    for name, value in (("lot", lot), ("qty", quantity)):
        if value is not None:
            raise DomainError(
                "serialised_item_by_quantity",
                name,
                Msg(
                    "Barang '{item}' dicatat per nomor seri, bukan per lot dan jumlah: sebutkan rentang serinya, tanpa lot dan jumlah.",
                    item=item,
                ),
            )


@dataclass
class SerialReplay:
    """A serialised item's chain replayed: each serial's state, the totals lines and the
    problems (a serial moved from a state its entry does not allow)."""

    states: dict[str, str] = field(default_factory=dict)
    tally: ItemTally = field(default_factory=ItemTally)
    problems: list[str] = field(default_factory=list)

    def apply(self, seq: int, kind: str, lot: str, serials: str) -> None:
        self.tally.add(kind, lot, total(parse_ranges(serials)))
        before, after = SERIAL_MOVES[kind]
        for s in expand(parse_ranges(serials)):
            if self.states.get(s) not in before:
                self.problems.append(
                    f"entri {seq}: seri {s} berstatus {self.states.get(s) or 'belum ada'}"
                )
            self.states[s] = after

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SERIAL_STATES, 0)
        for st in self.states.values():
            out[st] += 1
        return out

    def conserved(self) -> bool:
        """Cards in store by their states = received - loaded/printed - spoiled - lost +
        adjusted, by the entries' totals."""
        return self.tally.balanced() and self.counts()["in_store"] == self.tally.on_hand


def verify_serialised(
    records: list[tuple[ItemEntryRecord, str]], held: dict[str, str]
) -> list[str]:
    """Problems of a serialised item's book: its chain (verify_chain), an entry without
    serials, a serial moved from a state its entry does not allow, the totals not conserved,
    and the serial states table (``held``) not what the chain says."""
    problems = verify_chain(records)
    replay = SerialReplay()
    for rec, _stored in records:
        if rec.kind not in SERIAL_MOVES:
            continue  # verify_chain named it
        if rec.serials is None:
            problems.append(f"entri {rec.seq}: barang berseri tanpa nomor seri")
            continue
        replay.apply(rec.seq, rec.kind, rec.lot, rec.serials)
    problems.extend(replay.problems)
    if not replay.conserved():
        problems.append("jumlah seri di gudang tidak sama dengan saldo buku")
    if held != replay.states:
        wrong = sorted(
            s for s in set(held) | set(replay.states) if held.get(s) != replay.states.get(s)
        )
        problems.append(
            f"status seri tidak cocok dengan buku: {format_ranges(from_serials(wrong))}"
        )
    return problems
