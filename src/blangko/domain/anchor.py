"""Anchors: the ledger's chain head, and a digest of the other records that carry
accountability, recorded outside the chain and signed with a key the database does not hold.

The hash chain (domain.ledger) proves that no entry was edited *unless* whoever edits also
recomputes every later hash and the office's head: SHA-256 needs no key. An anchor closes that
gap. It records the head (entry number and hash) at a moment, and an HMAC-SHA256 signature
over it made with the anchor key (BLANGKO_ANCHOR_KEY, else BLANGKO_SECRET_KEY), which lives in
the server's settings, never in the database. A chain rewritten after an anchor no longer
has the anchored hash at the anchored number, and a forged anchor has no valid signature
without the key.

An anchor also carries digests of the records that the chain does not cover but an audit
relies on (`RECORD_KINDS`): each application's receipt, NIK, type and day; each count's
figures (book, counted, missing, unexpected, per location); the closed months; the locations'
names. Those fields never change once written, so a digest of them stays the same for good:

- applications and counts grow without end, so each anchor digests only the rows made since
  the anchor before it (ids after that anchor's watermark, up to its own: `SEGMENTED`); an
  anchor costs what was written since the last one, and `verify` checks every anchor's rows;
- the closed months and the locations are few: each anchor digests all of them (every
  closed month, since closing a month always anchors; locations up to the watermark), and
  `verify` checks them against the latest anchor.

Each anchor names the signature of the office's anchor before it, so anchors cannot be taken
out of the middle or reordered unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

# The records an anchor digests, in the order they are listed, with their label for messages.
RECORD_KINDS: Final = {
    "application": "permohonan (tanda terima, NIK, jenis, tanggal)",
    "count": "stock opname (buku, hitungan, hilang, tak terduga per lokasi)",
    "month_close": "tutup bulan",
    "location": "lokasi (nama, jenis)",
}
# Why an anchor was made.
REASONS: Final = {"month_close": "tutup bulan", "manual": "jangkar (blangko stock anchor)"}
NO_SIGNATURE: Final = "0" * 64


# Kinds whose anchors each digest the rows since the anchor before; the others, every row.
SEGMENTED: Final = frozenset({"application", "count"})


def _field(value: Any) -> str:
    """One value, length-prefixed, so that no two rows can be written alike (a character
    moved from one field to the next changes the digest)."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        text = value.isoformat(timespec="microseconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return f"{len(text)}:{text}"


def digest_rows(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(number of rows, SHA-256 over their canonical lines), rows in a fixed order."""
    h = hashlib.sha256()
    n = 0
    for row in rows:
        n += 1
        h.update(("".join(_field(v) for v in row) + "\n").encode())
    return n, h.hexdigest()


@dataclass(frozen=True)
class RecordDigest:
    """The rows of one kind of record an anchor covers: ids after `after` (None: from the
    first) up to `upto` (None: every row), how many, and their digest."""

    after: int | None
    upto: int | None
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"after": self.after, "upto": self.upto, "rows": self.rows, "sha256": self.sha256}


def records_from(data: Mapping[str, Any]) -> dict[str, RecordDigest]:
    return {
        k: RecordDigest(v.get("after"), v["upto"], int(v["rows"]), str(v["sha256"]))
        for k, v in data.items()
    }


def key_id(key: str) -> str:
    """A short name for a key that does not reveal it (which key signed an anchor)."""
    return hmac.new(key.encode(), b"blangko-anchor-key-id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Anchor:
    """One anchor exactly as stored; every field is signed."""

    office: str
    number: int  # 1, 2, ... per office
    seq: int  # the chain head's entry number (0: no entry yet)
    hash: str  # that entry's hash (the genesis hash for 0)
    records: Mapping[str, RecordDigest]
    anchored_at: datetime  # naive UTC
    actor: str
    reason: str
    month: str | None  # the month closed, for a month close's anchor
    key_id: str
    prev_signature: str  # the office's anchor before this one (NO_SIGNATURE for the first)

    def canonical(self) -> bytes:
        data: dict[str, Any] = {
            "office": self.office,
            "number": self.number,
            "seq": self.seq,
            "hash": self.hash,
            "records": {k: v.as_dict() for k, v in sorted(self.records.items())},
            "anchored_at": self.anchored_at.isoformat(timespec="microseconds"),
            "actor": self.actor,
            "reason": self.reason,
            "month": self.month,
            "key_id": self.key_id,
            "prev_signature": self.prev_signature,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def sign(self, key: str) -> str:
        return hmac.new(key.encode(), self.canonical(), hashlib.sha256).hexdigest()

    def signed_by(self, key: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(key), signature)
