"""Appending one entry to an office's chain, inside a write transaction that is already open:
the date rules, the move of the blanks it names, the hash. Every stock write (writes.py,
counts.py) and the application print go through `append_entry`."""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from sqlalchemy.exc import IntegrityError

from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import Conflict, DomainError
from blangko.domain.ledger import MOVES, STATE_LABEL_ID, EntryRecord, Kind, State
from blangko.domain.limits import check_date
from blangko.domain.serials import SerialRange, format_ranges, total
from blangko.domain.text import Msg
from blangko.services.context import WriteTx
from blangko.services.stock.results import EntryView


def check_entry_date(tx: WriteTx, effective: date, *, opening: bool = False) -> None:
    """Not in the future, not before DATE_MIN, not before the office's opening balance
    (except another opening), and not inside or before a closed month."""
    check_date(effective, "date")
    if effective > tx.ctx.today():
        raise DomainError(
            "date_in_future",
            "date",
            Msg(
                "Tanggal {effective:%d-%m-%Y} belum terjadi: tanggal tidak boleh di masa depan.",
                effective=effective,
            ),
        )
    month = effective.strftime("%Y-%m")
    # An entry dated before a closed month would still change that month's closing balance,
    # so every month up to the latest closed one is closed for new entries ("YYYY-MM" sorts).
    # Read once per transaction, with the office's lock (WriteTx.state).
    state = tx.state()
    latest = state.closed_through
    if latest is not None and month <= latest:
        raise DomainError(
            "month_closed",
            "date",
            Msg(
                "Bulan {latest} sudah ditutup: entri bertanggal {effective:%d-%m-%Y} (di dalam atau sebelum bulan yang ditutup) tidak diterima.",
                latest=latest,
                effective=effective,
            ),
        )
    first = None if opening else state.opening
    if first is not None and effective < first:
        raise DomainError(
            "date_before_opening",
            "date",
            Msg(
                "Tanggal {effective:%d-%m-%Y} sebelum saldo awal kantor ini ({first:%d-%m-%Y}): buku blangko dimulai dari saldo awal.",
                effective=effective,
                first=first,
            ),
        )


def append_entry(
    tx: WriteTx,
    kind: Kind,
    effective: date,
    ranges: list[SerialRange],
    *,
    from_location: int | None = None,
    to_location: int | None = None,
    service: str | None = None,
    reason: str | None = None,
    document: str | None = None,
    party: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
    count_id: int | None = None,
    corrects_seq: int | None = None,
) -> EntryView:
    """Apply one entry to the blanks and append it to the chain, in the caller's transaction."""
    move = MOVES[kind]
    seq = tx.seq + 1
    quantity = total(ranges)
    if move.creates:
        assert to_location is not None
        try:
            repo.insert_blanks(tx.conn, tx.office, ranges, to_location, seq)
        except IntegrityError as exc:
            # Another office (whose chain we do not lock) booked one of these serials between
            # our check and this insert; the primary key of `blank` refused the second copy.
            raise Conflict(
                "serial_known",
                "serials",
                Msg(
                    "Seri sudah tercatat di basis data (baru saja dicatat oleh kantor lain). Setiap seri hanya boleh diterima sekali."
                ),
            ) from exc
    else:
        # Only moves out of `available` need a location; spoiled cards have none.
        assert from_location is not None or move.from_state != State.AVAILABLE
        target = to_location if move.to_state == State.AVAILABLE else None
        # A blank moves from a location only if it had reached it by the entry's date: the
        # arrival rule is part of the move's statement (explain_shortfall says which failed).
        moved = repo.move_available(
            tx.conn,
            tx.office,
            ranges,
            from_location,
            move.to_state,
            target,
            seq,
            move.from_state,
            arrived_by=None if from_location is None else effective,
        )
        if moved != quantity and from_location is None:
            raise Conflict(
                "serial_state_changed",
                "serials",
                Msg(
                    "Hanya {moved} dari {quantity} seri berstatus {state_label_id}: seri lainnya baru saja berubah; ulangi.",
                    moved=moved,
                    quantity=quantity,
                    state_label_id=STATE_LABEL_ID[move.from_state],
                ),
            )
        if moved != quantity and from_location is not None:
            # Raising rolls back the partial update of this transaction.
            explain_shortfall(tx, ranges, from_location, effective, quantity, moved)
    return record_entry(
        tx,
        kind,
        effective,
        ranges,
        from_location=from_location,
        to_location=to_location,
        service=service,
        reason=reason,
        document=document,
        party=party,
        note=note,
        idempotency_key=idempotency_key,
        count_id=count_id,
        corrects_seq=corrects_seq,
    )


def record_entry(
    tx: WriteTx,
    kind: Kind,
    effective: date,
    ranges: list[SerialRange],
    *,
    from_location: int | None = None,
    to_location: int | None = None,
    service: str | None = None,
    reason: str | None = None,
    document: str | None = None,
    party: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
    count_id: int | None = None,
    corrects_seq: int | None = None,
) -> EntryView:
    """Append the entry of blanks this transaction has just moved (their last_seq is the
    entry's number, tx.seq + 1) to the chain, and move the chain head to it."""
    record = _record(
        tx,
        kind,
        effective,
        ranges,
        from_location=from_location,
        to_location=to_location,
        service=service,
        reason=reason,
        document=document,
        party=party,
        note=note,
        idempotency_key=idempotency_key,
        count_id=count_id,
        corrects_seq=corrects_seq,
    )
    return _appended(tx, record, repo.insert_entry(tx.conn, record, ranges))


def take_and_record(
    tx: WriteTx,
    effective: date,
    blank: SerialRange,
    location: int,
    location_name: str,
    *,
    lowest: bool,
    service: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
) -> EntryView | None:
    """PostgreSQL: consume one blank (a single serial) at `location` (named `location_name`)
    and append its entry, in one statement, if it is available there, had arrived by
    `effective` and (with `lowest`) is the lowest available there: the blank a take of one
    would pick. None, with nothing written, when it is not."""
    record = _record(
        tx,
        Kind.CONSUME,
        effective,
        [blank],
        from_location=location,
        service=service,
        note=note,
        idempotency_key=idempotency_key,
    )
    entry_hash = repo.insert_taken_entry(tx.conn, record, blank, location_name, lowest=lowest)
    if entry_hash is None:
        return None
    tx.met_locations({location: location_name})
    return _appended(tx, record, entry_hash)


def _record(
    tx: WriteTx, kind: Kind, effective: date, ranges: list[SerialRange], **fields: Any
) -> EntryRecord:
    """The next entry of the chain (tx.seq + 1) as written, from the entry's fields."""
    return EntryRecord(
        office=tx.office,
        seq=tx.seq + 1,
        kind=kind.value,
        effective_date=effective,
        recorded_at=tx.ctx.now(),
        actor=tx.ctx.actor,
        quantity=total(ranges),
        serials=format_ranges(ranges),
        prev_hash=tx.head_hash,
        **{**_NO_FIELDS, **fields},
    )


# The entry's own fields, None unless the write gives them.
_NO_FIELDS = dict.fromkeys(
    (
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
    )
)


def _appended(tx: WriteTx, record: EntryRecord, entry_hash: str) -> EntryView:
    """The transaction's chain head moved to the entry just written (hash `entry_hash`)."""
    tx.head_hash = entry_hash
    tx.seq = record.seq
    if record.kind == Kind.OPENING.value:
        tx.opened(record.effective_date)
    return EntryView(
        seq=record.seq,
        kind=record.kind,
        effective_date=record.effective_date.isoformat(),
        quantity=record.quantity,
        serials=record.serials,
        from_location=tx.location_name(record.from_location) if record.from_location else None,
        to_location=tx.location_name(record.to_location) if record.to_location else None,
    )


def explain_shortfall(
    tx: WriteTx,
    ranges: list[SerialRange],
    location: int,
    effective: date,
    wanted: int,
    moved: int,
) -> NoReturn:
    """Raise why a move from `location` dated `effective` moved only `moved` of the `wanted`
    blanks of `ranges`. The blanks it did move are marked with the entry's number (tx.seq +
    1), so this reads the books as they stood before it."""
    # A use back-dated before the card reached this location would make the balance as of
    # the days in between negative (balances are computed from effective dates). The blanks
    # moved had arrived in time; those left behind at the location are the ones to check.
    arrived = repo.latest_arrival(tx.conn, tx.office, ranges, location)
    if arrived is not None and arrived > effective:
        raise DomainError(
            "date_before_arrival",
            "date",
            Msg(
                "Tanggal {effective:%d-%m-%Y} lebih awal dari tanggal blangko ini masuk ke lokasinya ({arrived:%d-%m-%Y}): blangko belum ada di sana pada tanggal itu.",
                effective=effective,
                arrived=arrived,
            ),
        )
    bad = repo.not_available_at(tx.conn, tx.office, ranges, location, moved_by=tx.seq + 1)
    name = tx.location_name(location) or str(location)
    shown = ", ".join(bad) if bad else f"{wanted - moved} seri"
    raise DomainError(
        "serial_not_available",
        "serials",
        Msg(
            "Seri tidak tersedia di lokasi '{name}': {shown}. Hanya blangko yang tersedia di lokasi itu yang dapat dipakai, dipindah, atau dicatat rusak/hilang.",
            name=name,
            shown=shown,
        ),
    )
