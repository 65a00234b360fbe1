"""Handed-in cards (kartu KTP-el lama): the register, destructions, counts and the chain.

A card comes into the register when a resident hands in an old or invalid card at the
counter (`receive_card`), or when the new card of a replacement (rusak, perubahan data) is
collected (`record_collected`, called by services.applications.collect in its transaction).
It stays in the locked register until a destruction (`destroy_cards`: date, place, method, at
least two witnesses) lists it; a card is destroyed once. A count (`count_cards`) compares the
cards found in the store with the register. Every write runs under the office's lock (the
ledger head's) and appends one row to the office's register chain; nothing is updated or
deleted (`verify` recomputes the chain).

Reads show the owner's full NIK and name only when ``reveal`` (the web: the caller's role
may see personal data; the CLI: --show-nik), and log that read (services.readlog).

SE Mendagri 470.13/11176/SJ (13 December 2018): record damaged and invalid cards, destroy
them by burning, a berita acara for every destruction.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from typing_extensions import TypedDict

from blangko.adapters.repos import handed_in as repo
from blangko.domain import handed_in as rules
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.nik import check_nik_format, mask_nik
from blangko.domain.text import N_, Msg
from blangko.formatting import month_bounds
from blangko.services import readlog
from blangko.services.context import Context, WriteTx, resolve_office, write_once

# --- results ----------------------------------------------------------------------------------


class Card(TypedDict):
    """One card of the register."""

    id: int
    nik: str  # masked unless revealed
    nama: str | None  # only when revealed
    card_serial: str | None
    reason: str
    reason_label: str
    received_on: str
    received_by: str
    receipt: str | None  # the application whose collection took it in
    note: str | None
    destruction_id: int | None
    destroyed_on: str | None


class CardWritten(TypedDict):
    office: str
    card: Card
    replayed: bool


class Totals(TypedDict):
    """received = destroyed + held, as of a date."""

    as_of: str
    received: int
    destroyed: int
    held: int
    reconciled: bool


class DestructionSummary(TypedDict):
    id: int
    destroyed_on: str
    place: str
    method: str
    method_label: str
    witnesses: list[str]
    cards: int
    actor: str
    note: str | None


class CountRow(TypedDict):
    id: int
    counted_on: str
    expected: int
    counted: int
    variance: int
    reason: str | None
    actor: str


class Register(TypedDict):
    office: str
    totals: Totals
    revealed: bool
    held_only: bool
    total: int
    items: list[Card]
    destructions: list[DestructionSummary]
    counts: list[CountRow]


class Destruction(TypedDict):
    office: str
    destruction: DestructionSummary
    revealed: bool
    items: list[Card]


class DestructionWritten(TypedDict):
    office: str
    destruction: DestructionSummary
    card_ids: list[int]
    totals: Totals
    replayed: bool


class CountWritten(TypedDict):
    office: str
    count: CountRow
    replayed: bool


class ChainCheck(TypedDict):
    office: str
    rows: int
    ok: bool
    problems: list[str]


class RecapMonth(TypedDict):
    office: str
    month: str
    first: str
    last: str
    held_at_start: int
    received: int
    received_by_reason: dict[str, int]
    destroyed: int
    held_at_end: int
    reconciled: bool
    destructions: list[DestructionSummary]
    counts: list[CountRow]
    circular: str


# --- writes -----------------------------------------------------------------------------------


def _append(tx: WriteTx, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its place in the office's register chain (seq, prev_hash, hash)."""
    seq, head = repo.chain_head(tx.conn, tx.office)
    prev = head or rules.GENESIS_HASH
    full = {**record, "office_code": tx.office, "seq": seq + 1, "prev_hash": prev}
    return {**full, "hash": rules.register_hash(_hashed(full), prev)}


def _hashed(row: dict[str, Any]) -> dict[str, Any]:
    """What a row's hash covers: every stored field but its id, hash and prev_hash (and the
    recorded moment as text)."""
    out = {k: v for k, v in row.items() if k not in ("id", "hash", "prev_hash")}
    if out.get("recorded_at") is not None:
        out["recorded_at"] = out["recorded_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")
    return out


def receive_card(
    ctx: Context,
    *,
    nik: str,
    reason: str,
    received_on: date | None = None,
    card_serial: str | None = None,
    received_by: str | None = None,
    note: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> CardWritten:
    """A resident hands in an old or invalid card on its own (not at a collection)."""
    day = received_on or ctx.today()
    params = {
        "nik": nik,
        "reason": reason,
        "received_on": day,
        "card_serial": card_serial,
        "received_by": received_by,
        "note": note,
    }

    def body(tx: WriteTx) -> CardWritten:
        why = rules.check_reason(reason)
        rules.check_not_future(day, ctx.today(), "received_on", "Tanggal penyerahan")
        owner = check_nik_format(nik, reference_date=day).nik
        if not repo.resident_known(tx.conn, owner, tx.office):
            raise NotFound(
                "unknown_nik",
                "nik",
                Msg(
                    (
                        "NIK {owner} tidak ada di registri kantor ini: kartu hanya dicatat "
                        "atas nama penduduk yang terdaftar."
                    ),
                    owner=mask_nik(owner),
                ),
            )
        card_id = _insert_card(
            tx,
            nik=owner,
            serial=rules.check_serial(card_serial),
            reason=why,
            day=day,
            by=(received_by or "").strip() or ctx.actor,
            application_id=None,
            note=(note or "").strip() or None,
        )
        return {"office": tx.office, "card": _card_by_id(tx, card_id), "replayed": False}

    return write_once(ctx, office, "handed_in.receive", params, idempotency_key, body)


def _insert_card(
    tx: WriteTx,
    *,
    nik: str,
    serial: str | None,
    reason: str,
    day: date,
    by: str,
    application_id: int | None,
    note: str | None,
) -> int:
    row = _append(
        tx,
        {
            "nik": nik,
            "card_serial": serial,
            "reason": reason,
            "received_on": day,
            "received_by": by[:100],
            "application_id": application_id,
            "note": note,
            "recorded_at": tx.ctx.now(),
            "actor": tx.ctx.actor,
        },
    )
    return repo.insert_card(tx.conn, row)


def record_collected(tx: WriteTx, app: Any, day: date) -> int | None:
    """At the collection of a replacement card (rusak, perubahan data) the old card comes
    back: recorded in the register in the collection's transaction, its serial the one of
    the resident's previous card printed here, if any. Other types: nothing (None)."""
    if app.type not in rules.REPLACING_TYPES:
        return None
    known = repo.card_of_application(tx.conn, app.id)
    if known is not None:
        return known
    return _insert_card(
        tx,
        nik=app.nik,
        serial=repo.previous_serial(tx.conn, tx.office, app.nik, app.id),
        reason=app.type,
        day=day,
        by=tx.ctx.actor,
        application_id=app.id,
        note=None,
    )


def destroy_cards(
    ctx: Context,
    *,
    witnesses: list[str],
    place: str,
    method: str = "bakar",
    cards: list[int] | None = None,
    all_held: bool = False,
    destroyed_on: date | None = None,
    note: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> DestructionWritten:
    """Destroy cards of the register: those named (register numbers), or every card held on
    the date (``all_held``). Date, place, method and two or more witnesses are recorded; a
    card already destroyed is refused and nothing is written."""
    day = destroyed_on or ctx.today()
    params = {
        "witnesses": list(witnesses),
        "place": place,
        "method": method,
        "cards": sorted(cards or []),
        "all_held": all_held,
        "destroyed_on": day,
        "note": note,
    }

    def body(tx: WriteTx) -> DestructionWritten:
        rules.check_not_future(day, ctx.today(), "destroyed_on", "Tanggal pemusnahan")
        names = rules.check_witnesses(witnesses)
        where = rules.check_place(place)
        how = rules.check_method(method)
        wanted = list(cards or [])
        if all_held:
            wanted += repo.held_ids(tx.conn, tx.office, day)
        received = repo.received_dates(tx.conn, tx.office, wanted)
        unknown = sorted(set(wanted) - set(received))
        if unknown:
            raise NotFound(
                "unknown_card",
                "cards",
                Msg(
                    "Kartu nomor register {unknown_first} tidak ada di register kantor ini.",
                    unknown_first=unknown[0],
                ),
            )
        ids = rules.check_cards(
            wanted, received, repo.destroyed_among(tx.conn, tx.office, wanted), day
        )
        row = _append(
            tx,
            {
                "destroyed_on": day,
                "place": where,
                "method": how,
                "witnesses": json.dumps(names, ensure_ascii=False),
                "cards": len(ids),
                "note": (note or "").strip() or None,
                "recorded_at": ctx.now(),
                "actor": ctx.actor,
                "card_ids": ids,
            },
        )
        del row["card_ids"]
        new_id = repo.insert_destruction(tx.conn, row, tx.office, ids)
        found = repo.destruction(tx.conn, tx.office, new_id)
        return {
            "office": tx.office,
            "destruction": _summary(found),
            "card_ids": ids,
            "totals": _totals(tx.conn, tx.office, day),
            "replayed": False,
        }

    return write_once(ctx, office, "handed_in.destroy", params, idempotency_key, body)


def count_cards(
    ctx: Context,
    *,
    counted: int,
    counted_on: date | None = None,
    reason: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> CountWritten:
    """A count of the cards in the locked store against the register: the variance (counted
    - held on the books) is stored; a variance needs its reason."""
    day = counted_on or ctx.today()
    params = {"counted": counted, "counted_on": day, "reason": reason}

    def body(tx: WriteTx) -> CountWritten:
        rules.check_not_future(day, ctx.today(), "counted_on", "Tanggal penghitungan")
        if counted < 0:
            raise DomainError(
                "counted_negative", "counted", N_("Jumlah terhitung tidak boleh kurang dari 0.")
            )
        _r, _d, held = repo.totals(tx.conn, tx.office, day)
        why = (reason or "").strip() or None
        if counted != held and why is None:
            raise DomainError(
                "variance_reason",
                "reason",
                Msg(
                    (
                        "Terhitung {counted} kartu, menurut register {held}: selisih "
                        "{value:+d} wajib diberi alasan."
                    ),
                    counted=counted,
                    held=held,
                    value=counted - held,
                ),
            )
        row = _append(
            tx,
            {
                "counted_on": day,
                "expected": held,
                "counted": counted,
                "variance": counted - held,
                "reason": why,
                "recorded_at": ctx.now(),
                "actor": ctx.actor,
            },
        )
        new_id = repo.insert_count(tx.conn, row)
        found = next(x for x in repo.counts(tx.conn, tx.office) if x.id == new_id)
        return {"office": tx.office, "count": _count_row(found), "replayed": False}

    return write_once(ctx, office, "handed_in.count", params, idempotency_key, body)


# --- reads ------------------------------------------------------------------------------------


def _card(row: Any, reveal: bool) -> Card:
    return {
        "id": row.id,
        "nik": row.nik if reveal else mask_nik(row.nik),
        "nama": row.nama if reveal else None,
        "card_serial": row.card_serial,
        "reason": row.reason,
        "reason_label": rules.REASON_LABEL_ID.get(row.reason, row.reason),
        "received_on": row.received_on.isoformat(),
        "received_by": row.received_by,
        "receipt": row.receipt,
        "note": row.note,
        "destruction_id": row.destruction_id,
        "destroyed_on": row.destroyed_on.isoformat() if row.destroyed_on else None,
    }


def _card_by_id(tx: WriteTx, card_id: int) -> Card:
    rows = repo.cards(tx.conn, tx.office, on=date.max)
    return _card(next(r for r in rows if r.id == card_id), reveal=False)


def _summary(row: Any) -> DestructionSummary:
    return {
        "id": row.id,
        "destroyed_on": row.destroyed_on.isoformat(),
        "place": row.place,
        "method": row.method,
        "method_label": rules.METHOD_LABEL_ID.get(row.method, row.method),
        "witnesses": list(json.loads(row.witnesses)),
        "cards": row.cards,
        "actor": row.actor,
        "note": row.note,
    }


def _count_row(row: Any) -> CountRow:
    return {
        "id": row.id,
        "counted_on": row.counted_on.isoformat(),
        "expected": row.expected,
        "counted": row.counted,
        "variance": row.variance,
        "reason": row.reason,
        "actor": row.actor,
    }


def _totals(conn: Any, office: str, on: date) -> Totals:
    received, destroyed, held = repo.totals(conn, office, on)
    return {
        "as_of": on.isoformat(),
        "received": received,
        "destroyed": destroyed,
        "held": held,
        "reconciled": rules.reconcile(received, destroyed, held),
    }


def totals(ctx: Context, *, as_of: date | None = None, office: str | None = None) -> Totals:
    """received = destroyed + held as of a date: the one function every surface reads."""
    day = as_of or ctx.today()
    with ctx.read() as conn:
        return _totals(conn, resolve_office(conn, office), day)


def _note_read(ctx: Context, office: str, items: list[Card], what: str) -> None:
    if items:
        readlog.note(ctx, office=office, action="handed_in", subject=what, rows=len(items))


def register(
    ctx: Context,
    *,
    as_of: date | None = None,
    held_only: bool = False,
    reveal: bool = False,
    limit: int = 500,
    offset: int = 0,
    office: str | None = None,
) -> Register:
    """The register as of a date: its totals, its cards (held only, or all), destructions and
    counts. Full NIKs and names only when ``reveal`` (then the read is logged)."""
    day = as_of or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        tot = _totals(conn, code, day)
        rows = repo.cards(conn, code, on=day, held_only=held_only)
        gone = [x for x in repo.destructions(conn, code) if x.destroyed_on <= day]
        counted = [x for x in repo.counts(conn, code) if x.counted_on <= day]
    page = rows[offset : offset + limit]
    items = [_card(x, reveal) for x in page]
    if reveal:
        _note_read(ctx, code, items, "register kartu lama")
    return {
        "office": code,
        "totals": tot,
        "revealed": reveal,
        "held_only": held_only,
        "total": len(rows),
        "items": items,
        "destructions": [_summary(x) for x in reversed(gone)],
        "counts": [_count_row(x) for x in reversed(counted)],
    }


def destruction(
    ctx: Context, *, destruction_id: int, reveal: bool = False, office: str | None = None
) -> Destruction:
    """One destruction with the cards it destroyed."""
    with ctx.read() as conn:
        found = read_destruction(conn, resolve_office(conn, office), destruction_id, reveal)
    note_destruction_read(ctx, found)
    return found


def read_destruction(conn: Any, code: str, destruction_id: int, reveal: bool) -> Destruction:
    """A destruction and its cards, read in the caller's transaction (the berita acara's)."""
    found = repo.destruction(conn, code, destruction_id)
    if found is None:
        raise NotFound(
            "unknown_destruction",
            "destruction_id",
            Msg(
                "Pemusnahan nomor {destruction_id} tidak ada di kantor ini.",
                destruction_id=destruction_id,
            ),
        )
    items = [_card(x, reveal) for x in repo.cards_of_destruction(conn, code, destruction_id)]
    return {"office": code, "destruction": _summary(found), "revealed": reveal, "items": items}


def note_destruction_read(ctx: Context, found: Destruction) -> None:
    """The read log's row for a destruction read with names and full NIKs."""
    if found["revealed"]:
        what = f"pemusnahan kartu lama nomor {found['destruction']['id']}"
        _note_read(ctx, found["office"], found["items"], what)


def recap(ctx: Context, *, month: str, office: str | None = None) -> RecapMonth:
    """The monthly recap for the province and the directorate: held at the start, received
    by reason, destroyed, held at the end (no personal data)."""
    first, last = month_bounds(month)
    with ctx.read() as conn:
        return read_recap(conn, resolve_office(conn, office), first, last)


def read_recap(conn: Any, code: str, first: date, last: date) -> RecapMonth:
    """The recap of [first, last], read in the caller's transaction."""
    _r0, _d0, held0 = repo.totals(conn, code, first - timedelta(days=1))
    by_reason = repo.received_by_reason(conn, code, first, last)
    end = _totals(conn, code, last)
    gone = repo.destructions(conn, code, first, last)
    counted = [x for x in repo.counts(conn, code) if first <= x.counted_on <= last]
    received = sum(by_reason.values())
    destroyed = sum(x.cards for x in gone)
    return {
        "office": code,
        "month": first.strftime("%Y-%m"),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "held_at_start": held0,
        "received": received,
        "received_by_reason": {k: by_reason.get(k, 0) for k in rules.REASONS},
        "destroyed": destroyed,
        "held_at_end": end["held"],
        "reconciled": held0 + received - destroyed == end["held"] and end["reconciled"],
        "destructions": [_summary(x) for x in gone],
        "counts": [_count_row(x) for x in counted],
        "circular": rules.CIRCULAR,
    }


def verify(ctx: Context, *, office: str | None = None) -> ChainCheck:
    """Recompute the office's register chain: seqs 1..n without a gap, each row's hash over
    its stored fields and the previous hash."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.chain_rows(conn, code)
    problems: list[str] = []
    prev = rules.GENESIS_HASH
    for expected, (kind, row) in enumerate(rows, start=1):
        if row["seq"] != expected:
            problems.append(f"urutan {expected}: tercatat {row['seq']} ({kind})")
        if row["prev_hash"] != prev:
            problems.append(f"urutan {row['seq']}: hash sebelumnya tidak cocok ({kind})")
        if rules.register_hash(_hashed(row), row["prev_hash"]) != row["hash"]:
            problems.append(f"urutan {row['seq']}: isi baris berubah ({kind} #{row['id']})")
        prev = row["hash"]
    return {"office": code, "rows": len(rows), "ok": not problems, "problems": problems}
