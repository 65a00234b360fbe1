"""Anchors of an office's chain (domain/anchor.py): making one (every month close, and
`blangko stock anchor`, by hand or on a schedule) and checking them all (`verify`).

What `verify` checks here, besides the chain itself (services/stock/queries.py):

- every anchor is signed with a configured anchor key and follows the one before it (number
  and previous signature), so none was forged, edited, removed from the middle or reordered;
- the chain has, at every anchored entry number, the anchored hash: a chain rewritten and
  recomputed as a whole differs at the first anchor after the edit, which is named;
- the records outside the chain that the anchors digest are as they were: each anchor's
  applications (receipt, NIK, type, day) and counts (figures) made since the anchor before
  it; the closed months and the locations' names against the latest anchor;
- every quantity item's own chain (ribbon, film: services/items) has, at the entry number an
  anchor recorded for it, the hash recorded: the anchor carries each item chain's head as a
  record `item:<code>` (entry number in `upto` and `rows`, hash in `sha256`), signed with
  the rest;
- the serial on every application is the blank the ledger consumed for that application's
  print ("cetak KTP-el <receipt>"), and every card the ledger still shows printed for an
  application is the one that application names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import anchors as repo
from blangko.adapters.repos import items as items_repo
from blangko.domain.anchor import (
    NO_SIGNATURE,
    REASONS,
    RECORD_KINDS,
    SEGMENTED,
    Anchor,
    RecordDigest,
    digest_rows,
    key_id,
    records_from,
)
from blangko.domain.ledger import GENESIS_HASH, SerialState, State
from blangko.services.context import Context, WriteTx, resolve_office, write_once
from blangko.services.stock.results import AnchorView, AnchorWritten
from blangko.settings import DEFAULT_SECRET_KEY, Settings


def view(row: Any) -> AnchorView:
    return {
        "office": row.office_code,
        "number": row.number,
        "seq": row.seq,
        "hash": row.hash,
        "anchored_at": row.anchored_at.isoformat(timespec="seconds") + "Z",
        "actor": row.actor,
        "reason": row.reason,
        "month": row.month,
        "key_id": row.key_id,
    }


# --- the records an anchor digests ------------------------------------------------------------

Rows = Callable[[Connection, str, int | None, int | None], Iterable[Sequence[Any]]]
READERS: dict[str, Rows] = {
    "application": repo.application_rows,
    "count": repo.count_rows,
    "month_close": repo.month_close_rows,
    "location": repo.location_rows,
}


def _digest(
    conn: Connection, office: str, kind: str, after: int | None, upto: int | None
) -> RecordDigest:
    n, sha = digest_rows(READERS[kind](conn, office, after, upto))
    return RecordDigest(after, upto, n, sha)


def _records_now(
    conn: Connection, office: str, before: Mapping[str, RecordDigest]
) -> dict[str, RecordDigest]:
    """What a new anchor digests: of applications and counts, the rows since the anchor
    `before` (its watermark); of locations, every row so far; every closed month; and the
    head of each quantity item's chain."""
    ids = repo.max_ids(conn, office)
    out: dict[str, RecordDigest] = {}
    for kind in RECORD_KINDS:
        if kind in SEGMENTED:
            prev = before.get(kind)
            out[kind] = _digest(conn, office, kind, prev.upto if prev else 0, ids[kind])
        else:
            out[kind] = _digest(conn, office, kind, None, ids.get(kind))
    for item, (seq, head) in items_repo.chain_heads(conn, office).items():
        out[ITEM_RECORD + item] = RecordDigest(None, seq, seq, head)
    return out


# An item chain's head in an anchor's records: "item:pita-warna" -> (entry number, hash).
ITEM_RECORD = "item:"


def _item_heads(records: Mapping[str, RecordDigest]) -> dict[str, RecordDigest]:
    return {k: v for k, v in records.items() if k.startswith(ITEM_RECORD)}


def _recorded(row: Any | None) -> dict[str, RecordDigest]:
    """The record digests of a stored anchor ({} when there is none, or it cannot be read:
    verify reports that one)."""
    if row is None:
        return {}
    try:
        return records_from(json.loads(row.records))
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


# --- making an anchor ----------------------------------------------------------------------


def anchor_in(
    tx: WriteTx,
    *,
    reason: str,
    month: str | None = None,
    records: Mapping[str, RecordDigest] | None = None,
) -> AnchorView:
    """Anchor the office's chain head and records inside this write transaction (the head
    is locked, so nothing moves meanwhile)."""
    conn, office = tx.conn, tx.office
    prev = repo.latest(conn, office)
    if records is None:
        records = _records_now(conn, office, _recorded(prev))
    key = tx.ctx.settings.resolved_anchor_key()
    anchor = Anchor(
        office=office,
        number=prev.number + 1 if prev else 1,
        seq=tx.seq,
        hash=tx.head_hash,
        records=records,
        anchored_at=tx.ctx.now(),
        actor=tx.ctx.actor,
        reason=reason,
        month=month,
        key_id=key_id(key),
        prev_signature=prev.signature if prev else NO_SIGNATURE,
    )
    repo.insert(conn, anchor, anchor.sign(key))
    made = repo.latest(conn, office)
    assert made is not None
    return view(made)


def anchor(
    ctx: Context, *, office: str | None = None, idempotency_key: str | None = None
) -> AnchorWritten:
    """`blangko stock anchor`: anchor the office's chain now. When nothing changed since the
    latest anchor (same head, no new application or count, the same months and locations)
    no new anchor is made: a schedule may run it every hour."""

    def body(tx: WriteTx) -> AnchorWritten:
        prev = repo.latest(tx.conn, tx.office)
        before = _recorded(prev)
        now = _records_now(tx.conn, tx.office, before)
        unchanged = (
            prev is not None
            and (prev.seq, prev.hash) == (tx.seq, tx.head_hash)
            and all(
                now[k].rows == 0 if k in SEGMENTED else now[k] == before.get(k)
                for k in RECORD_KINDS
            )
            and _item_heads(now) == _item_heads(before)
        )
        if unchanged:
            return {"office": tx.office, "anchored": False, "anchor": view(prev), "replayed": False}
        made = anchor_in(tx, reason="manual", records=now)
        return {"office": tx.office, "anchored": True, "anchor": made, "replayed": False}

    return write_once(ctx, office, "stock.anchor", {}, idempotency_key, body)


def anchor_every_office(ctx: Context) -> list[AnchorWritten]:
    """`blangko stock anchor --every-office`: each office anchored in its own transaction."""
    with ctx.read() as conn:
        codes = admin_repo.office_codes(conn)
    return [anchor(ctx, office=code) for code in codes]


def anchors(ctx: Context, *, office: str | None = None) -> list[AnchorView]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        return [view(r) for r in repo.all_of(conn, code)]


# --- checking (verify) ---------------------------------------------------------------------


@dataclass
class AnchorCheck:
    """What `verify` learns from the anchors: problems (entry number or None, message),
    warnings, and the latest anchor."""

    problems: list[tuple[int | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    count: int = 0
    latest: AnchorView | None = None


def _from_row(row: Any) -> Anchor:
    return Anchor(
        office=row.office_code,
        number=row.number,
        seq=row.seq,
        hash=row.hash,
        records=records_from(json.loads(row.records)),
        anchored_at=row.anchored_at,
        actor=row.actor,
        reason=row.reason,
        month=row.month,
        key_id=row.key_id,
        prev_signature=row.prev_signature,
    )


def check_anchors(
    conn: Connection,
    office: str,
    rows: Sequence[Any],
    *,
    settings: Settings,
    hash_at: Mapping[int, str],
    last_seq: int,
) -> AnchorCheck:
    """Each anchor's signature and place among the anchors, and the chain's hash at each
    anchored entry number (`hash_at`, from the chain walk); then the records each anchor
    digested."""
    out = AnchorCheck(count=len(rows))
    if not rows:
        out.warnings.append(
            "Belum ada jangkar: rantai yang ditulis ulang seluruhnya baru dapat ketahuan "
            "setelah jangkar pertama (blangko stock anchor, atau tutup bulan)."
        )
        return out
    keys = {key_id(k): k for k in settings.anchor_keys()}
    configured = key_id(settings.resolved_anchor_key())
    public = key_id(DEFAULT_SECRET_KEY)
    prev_signature, prev_seq = NO_SIGNATURE, 0
    on_public_key: list[int] = []
    for expected, row in enumerate(rows, start=1):
        name = f"Jangkar #{row.number} ({REASONS.get(row.reason, row.reason)}, "
        name += f"{row.anchored_at:%Y-%m-%d %H:%M} UTC)"
        try:
            anchor = _from_row(row)
        except (ValueError, KeyError, TypeError):
            out.problems.append((row.seq, f"{name}: isinya tidak dapat dibaca (diubah)."))
            continue
        if row.number != expected or row.prev_signature != prev_signature:
            out.problems.append(
                (
                    row.seq,
                    f"{name} tidak menyambung ke jangkar sebelumnya: jangkar dihapus, "
                    "disisipkan, diubah atau diurutkan ulang.",
                )
            )
        key = keys.get(row.key_id)
        if key is None:
            out.problems.append(
                (
                    row.seq,
                    f"{name} ditandatangani dengan kunci lain (id {row.key_id}) dari kunci yang "
                    f"diatur (id {configured}): atur BLANGKO_ANCHOR_KEY (dan "
                    "BLANGKO_ANCHOR_KEY_PREVIOUS) seperti saat jangkar dibuat.",
                )
            )
        elif not anchor.signed_by(key, row.signature):
            out.problems.append(
                (row.seq, f"{name}: tanda tangan tidak sah (jangkar diubah atau dipalsukan).")
            )
        if row.key_id == public:
            on_public_key.append(row.number)
        if row.seq > last_seq:
            out.problems.append(
                (
                    last_seq + 1,
                    f"{name} mencatat entri #{row.seq}, tetapi ledger hanya sampai "
                    f"#{last_seq}: entri dihapus.",
                )
            )
        elif (GENESIS_HASH if row.seq == 0 else hash_at.get(row.seq)) != row.hash:
            out.problems.append(
                (
                    row.seq,
                    f"Hash entri #{row.seq} tidak sama dengan {name}: rantai ditulis ulang "
                    f"pada salah satu entri #{prev_seq + 1} sampai #{row.seq}.",
                )
            )
        prev_signature, prev_seq = row.signature, max(prev_seq, int(row.seq))
    if on_public_key:
        numbers = ", ".join(f"#{n}" for n in on_public_key[:10])
        more = f" dan {len(on_public_key) - 10} lagi" if len(on_public_key) > 10 else ""
        out.warnings.append(
            f"Jangkar {numbers}{more} ditandatangani dengan kunci bawaan yang publik: siapa "
            "pun dapat memalsukannya. Atur BLANGKO_ANCHOR_KEY (atau BLANGKO_SECRET_KEY)."
        )
    latest = rows[-1]
    out.latest = view(latest)
    if latest.seq < last_seq:
        out.warnings.append(
            f"{last_seq - latest.seq} entri sesudah jangkar terakhir (#{latest.number}, entri "
            f"#{latest.seq}) belum dijangkarkan."
        )
    out.problems.extend(_check_records(conn, office, rows))
    out.problems.extend(_check_item_heads(conn, office, rows))
    return out


def _check_item_heads(
    conn: Connection, office: str, rows: Sequence[Any]
) -> list[tuple[int | None, str]]:
    """Each item chain has, at the entry number every anchor recorded for it, the hash
    recorded: an item chain rewritten (and recomputed) or cut short since is named."""
    problems: list[tuple[int | None, str]] = []
    for row in rows:
        for key, then in sorted(_item_heads(_recorded(row)).items()):
            item, seq = key[len(ITEM_RECORD) :], int(then.upto or 0)
            now = items_repo.entry_hash(conn, office, item, seq)
            if now is None:
                problems.append(
                    (
                        None,
                        f"barang {item}: jangkar #{row.number} mencatat entri #{seq}, tetapi "
                        "rantai barang itu tidak memuatnya lagi: entri dihapus.",
                    )
                )
            elif now != then.sha256:
                problems.append(
                    (
                        None,
                        f"barang {item}: hash entri #{seq} tidak sama dengan jangkar "
                        f"#{row.number}: rantai barang itu ditulis ulang pada atau sebelum "
                        f"entri #{seq}.",
                    )
                )
    return problems


def _check_records(
    conn: Connection, office: str, rows: Sequence[Any]
) -> list[tuple[int | None, str]]:
    """Applications and counts: each anchor's own rows (those made since the anchor before);
    closed months and locations: all of them, against the latest anchor."""
    problems: list[tuple[int | None, str]] = []

    def differs(row: Any, kind: str, then: RecordDigest) -> None:
        if then.after is not None and then.after == then.upto and then.rows == 0:
            return  # nothing was made between this anchor and the one before
        now = _digest(conn, office, kind, then.after, then.upto)
        if now != then:
            span = (
                f"id {then.after + 1} sampai {then.upto}, "
                if then.upto is not None and then.after is not None
                else ""
            )
            problems.append(
                (
                    None,
                    f"Data {RECORD_KINDS[kind]} berbeda dengan jangkar #{row.number} "
                    f"({span}{then.rows} baris saat dijangkarkan, {now.rows} sekarang): diubah, "
                    "ditambah atau dihapus di luar aplikasi sesudah dijangkarkan.",
                )
            )

    for row in rows:
        for kind, then in _recorded(row).items():
            if kind in SEGMENTED and kind in READERS:
                differs(row, kind, then)
    latest = rows[-1]
    for kind, then in _recorded(latest).items():
        if kind not in SEGMENTED and kind in READERS:
            differs(latest, kind, then)
    return problems


def check_prints(
    conn: Connection,
    office: str,
    prints: Mapping[int, tuple[str, str]],
    states: Mapping[str, SerialState],
) -> list[tuple[int | None, str]]:
    """Every application's serial against the ledger's prints (entry number -> (receipt,
    serial) of each consume entry a print wrote), both ways."""
    problems: list[tuple[int | None, str]] = []
    printed = repo.printed_serials(conn, office)
    for receipt, serial in printed.items():
        if serial is None:
            continue
        st = states.get(serial)
        if (
            st is None
            or st.state != State.CONSUMED
            or prints.get(st.last_seq, ("", ""))[0] != receipt
        ):
            problems.append(
                (
                    st.last_seq if st else None,
                    f"Permohonan {receipt} mencatat blangko {serial}, tetapi ledger tidak "
                    "mencatat blangko itu dicetak untuk permohonan ini.",
                )
            )
    for seq, (receipt, serial) in sorted(prints.items()):
        st = states.get(serial)
        if st is None or st.state != State.CONSUMED or st.last_seq != seq:
            continue  # misprinted later (spoiled), or reported above
        has = printed.get(receipt, "<tidak ada>")
        if has != serial:
            problems.append(
                (
                    seq,
                    f"Entri #{seq} mencetak blangko {serial} untuk {receipt}, tetapi permohonan "
                    f"itu mencatat {has or 'tidak ada blangko'}.",
                )
            )
    return problems
