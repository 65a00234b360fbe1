"""Reading the ledger: balances as of any date, a serial's history, the entries, and the audit."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from blangko.adapters import tables as t
from blangko.adapters.repos import anchors as anchors_repo
from blangko.adapters.repos import day_totals as totals_repo
from blangko.adapters.repos import ledger as repo
from blangko.domain.applications import printed_receipt
from blangko.domain.errors import NotFound
from blangko.domain.ledger import GENESIS_HASH, MOVES, Kind, Replay, State, Tally
from blangko.domain.limits import check_date
from blangko.domain.serials import parse_ranges, single
from blangko.domain.text import Msg
from blangko.services.context import Context, location_names, resolve_office
from blangko.services.items.audit import verify_items
from blangko.services.stock import anchors, day_totals
from blangko.services.stock.results import (
    Balance,
    Ledger,
    LedgerEntry,
    LedgerPage,
    Problem,
    Trace,
    Verification,
)


def balance(
    ctx: Context,
    *,
    as_of: date | None = None,
    location: str | None = None,
    office: str | None = None,
) -> Balance:
    """Stock on hand from the entries alone (no stored running balance)."""
    as_of = check_date(as_of or ctx.today(), "as_of")
    code = day_totals.keep_up(ctx, office)
    with ctx.read() as conn:
        result = read_balance(conn, code, as_of=as_of)
    if location is not None:
        if location not in result["by_location"]:
            raise NotFound(
                "unknown_location",
                "location",
                Msg("Lokasi '{location}' tidak ada.", location=location),
            )
        result["location"] = location
        result["location_on_hand"] = result["by_location"][location]
    return result


def read_balance(
    conn: Connection, office: str, *, as_of: date, upto_seq: int | None = None
) -> Balance:
    """The balance as of a date inside an open read transaction; with `upto_seq`, of the
    ledger as it stood after that entry (see ledger_repo.head_seq)."""
    names = location_names(conn, office)
    office_name = conn.execute(
        select(t.office.c.name).where(t.office.c.code == office)
    ).scalar_one()
    tally = Tally()
    for row in repo.quantity_by_kind(conn, office, as_of, upto_seq=upto_seq):
        tally.add(row.kind, int(row.qty), row.from_location, row.to_location)
    assert tally.balanced(), (tally.totals, tally.on_hand)
    by_loc = {name: 0 for name in sorted(names.values())}
    for loc, n in tally.by_location.items():
        by_loc[names[loc]] += n
    result: Balance = {
        "office": office,
        "office_name": office_name,
        "as_of": as_of.isoformat(),
        "on_hand": tally.on_hand,
        "by_location": by_loc,
        "totals": tally.totals,
    }
    return result


def entry_view(row: Any, names: dict[int, str]) -> LedgerEntry:
    """A ledger entry as the pages and the API show it (location names by `names`)."""
    return {
        "seq": row.seq,
        "kind": row.kind,
        "effective_date": row.effective_date.isoformat(),
        "recorded_at": row.recorded_at.isoformat(timespec="seconds") + "Z",
        "actor": row.actor,
        "from_location": names.get(row.from_location) if row.from_location else None,
        "to_location": names.get(row.to_location) if row.to_location else None,
        "service": row.service,
        "reason": row.reason,
        "document": row.document,
        "party": row.party,
        "note": row.note,
        "quantity": row.quantity,
        "serials": row.serials,
        "count_id": row.count_id,
        "hash": row.hash,
    }


def ledger(
    ctx: Context,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    office: str | None = None,
    kind: str | None = None,
) -> Ledger:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        names = location_names(conn, code)
        entries = [
            entry_view(r, names)
            for r in repo.iter_entries(
                conn, code, date_from=date_from, date_to=date_to, by_seq=False
            )
            if kind is None or r.kind == kind
        ]
    return {
        "office": code,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "entries": entries,
    }


def ledger_page(
    ctx: Context,
    *,
    limit: int,
    offset: int = 0,
    date_from: date | None = None,
    date_to: date | None = None,
    office: str | None = None,
    kind: str | None = None,
    serial: str | None = None,
    newest_first: bool = False,
) -> LedgerPage:
    """One page of the ledger's entries (in date order, or the newest first) and how many
    the filters select in all; `serial` keeps the entries that move one of those serials
    (one serial or ranges). Reads one page, never the whole ledger."""
    wanted = parse_ranges(serial, "serial") if serial else None
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        names = location_names(conn, code)
        filters: dict[str, Any] = {
            "date_from": date_from,
            "date_to": date_to,
            "kind": kind,
            "serials": wanted,
        }
        total = repo.count_entries(conn, code, **filters)
        rows = repo.entries_page(
            conn, code, **filters, limit=limit, offset=offset, newest_first=newest_first
        )
        items = [entry_view(r, names) for r in rows]
    return {"office": code, "total": total, "limit": limit, "offset": offset, "items": items}


def trace(ctx: Context, *, serial: str, office: str | None = None) -> Trace:
    """State, location and full history of one card."""
    r = single(serial, "serial")
    with ctx.read() as conn:
        row = repo.blank(conn, serial.strip().upper())
        if row is None or (office and row.office_code != office):
            raise NotFound(
                "unknown_serial", "serial", Msg("Seri {serial} tidak tercatat.", serial=serial)
            )
        names = location_names(conn, row.office_code)
        history = [entry_view(e, names) for e in repo.entries_touching(conn, row.office_code, r)]
    return {
        "serial": row.serial,
        "office": row.office_code,
        "state": row.state,
        "location": names.get(row.location_id) if row.location_id else None,
        "last_seq": row.last_seq,
        "history": history,
    }


def verify(ctx: Context, *, office: str | None = None) -> Verification:
    """Recompute the hash chain and every serial's state from the entries, and check the
    chain and the other accountable records against the anchors (services/stock/anchors.py).

    Sound means: each entry's hash matches its content and the previous hash, sequence numbers
    run 1..n, the office's chain head matches the last entry, the stored serial ranges match
    what the entries say, every move was legal when made, and the blank table equals the
    replayed state; every anchor is genuine (signed with the anchor key, in its place) and
    the chain has the anchored hash at each anchored entry; the applications, counts, closed
    months and locations are as the latest anchor digested them; every application's serial
    is the blank the ledger printed for it; every stored daily total of the ledger (the stock
    on hand's and the charts' sums, adapters/repos/day_totals.py) is the sum of its entries.
    Otherwise the first bad entry (or total) is named.
    """
    started = time.perf_counter()
    problems: list[Problem] = []

    def bad(seq: int | None, message: str) -> None:
        if len(problems) < 50:
            problems.append({"seq": seq, "message": message})

    with ctx.read() as conn:
        code = resolve_office(conn, office)
        head = repo.head(conn, code)
        anchor_rows = anchors_repo.all_of(conn, code)
        anchored = {int(a.seq) for a in anchor_rows}
        hash_at: dict[int, str] = {}  # the chain's hash at each anchored entry number
        prints: dict[int, tuple[str, str]] = {}  # entry number -> (receipt, serial) printed
        ranges_by_entry = repo.entry_ranges(conn, code)
        replay = Replay()
        prev_hash = GENESIS_HASH
        expected_seq = 0
        n_entries = 0
        for row in repo.iter_entries(conn, code):
            n_entries += 1
            expected_seq += 1
            if row.seq in anchored:
                hash_at[row.seq] = row.hash
            if row.kind == Kind.CONSUME and (receipt := printed_receipt(row.note)):
                prints[row.seq] = (receipt, row.serials)
            record = repo.row_to_record(row)
            if row.seq != expected_seq:
                # A gap names the first missing number: that is where the chain was cut.
                bad(
                    min(row.seq, expected_seq),
                    f"nomor urut {row.seq}, seharusnya {expected_seq}",
                )
                expected_seq = row.seq
            if row.prev_hash != prev_hash:
                bad(row.seq, "prev_hash tidak sama dengan hash entri sebelumnya")
            if record.compute_hash() != row.hash:
                bad(row.seq, "hash tidak cocok dengan isi entri (entri telah diubah)")
            prev_hash = row.hash
            try:
                ranges = parse_ranges(row.serials)
            except Exception:  # noqa: BLE001 - a tampered text may be anything
                bad(row.seq, "daftar seri entri tidak dapat dibaca")
                continue
            if ranges_by_entry.get(row.id, []) != sorted(ranges):
                bad(row.seq, "rentang seri tersimpan tidak sama dengan isi entri")
            if row.kind not in MOVES:
                bad(row.seq, f"jenis entri '{row.kind}' tidak dikenal")
                continue
            replay.apply(record, ranges)
        for p in replay.problems:
            bad(p.seq, p.message)
        if head.ledger_seq != expected_seq or head.ledger_hash != prev_hash:
            bad(head.ledger_seq, "kepala rantai kantor tidak sama dengan entri terakhir")
        stored = 0
        seen: set[str] = set()
        for b in repo.blank_states(conn, code):
            stored += 1
            seen.add(b.serial)
            want = replay.states.get(b.serial)
            if want is None:
                bad(b.last_seq, f"seri {b.serial} ada di tabel blangko tanpa entri ledger")
            elif (want.state.value, want.location, want.last_seq) != (
                b.state,
                b.location_id,
                b.last_seq,
            ):
                # Blame the later of the two last entries: before it, table and ledger agreed.
                bad(
                    max(want.last_seq, b.last_seq),
                    f"keadaan seri {b.serial} tidak sama dengan hasil ledger",
                )
        # Serials this ledger shipped that another ledger has received since: no longer on
        # this office's rows (the network check, `verify --network`, follows them there).
        handed_over = sum(
            1
            for serial, st in replay.states.items()
            if st.state == State.IN_TRANSIT and serial not in seen
        )
        if stored != len(replay.states) - handed_over:
            bad(
                None,
                f"tabel blangko memuat {stored} seri, ledger {len(replay.states) - handed_over}",
            )
        check = anchors.check_anchors(
            conn,
            code,
            anchor_rows,
            settings=ctx.settings,
            hash_at=hash_at,
            last_seq=expected_seq,
        )
        for seq, message in check.problems + anchors.check_prints(
            conn, code, prints, replay.states
        ):
            bad(seq, message)
        # Every other item's own chain (ribbon, film ...: services/items): its problems
        # name the item, with no entry number of the blank's chain.
        item_audits = verify_items(conn, code)
        for audit in item_audits:
            for message in audit["problems"]:
                bad(None, f"barang {audit['item']}: {message}")
        # The stored daily totals the stock on hand and the charts read (day_totals): each
        # must be the sum of its entries up to the mark.
        names = location_names(conn, code)
        for diff in totals_repo.differences(conn, code):
            where = " -> ".join(
                names.get(loc, str(loc)) if loc else "-"
                for loc in (diff.from_location, diff.to_location)
            )
            bad(
                None,
                f"total harian tersimpan {diff.effective_date.isoformat()} {diff.kind}"
                f" ({where}, {diff.service or '-'}): {diff.stored[0]} blangko dalam"
                f" {diff.stored[1]} entri, ledger {diff.recounted[0]} dalam"
                f" {diff.recounted[1]} entri",
            )
    problems.sort(key=lambda p: (p["seq"] is None, p["seq"] or 0))
    return {
        "office": code,
        "sound": not problems,
        "entries": n_entries,
        "serials": len(replay.states),
        "first_bad_seq": problems[0]["seq"] if problems else None,
        "problems": problems,
        "anchors": check.count,
        "last_anchor": check.latest,
        "warnings": check.warnings,
        "items": item_audits,
        "seconds": round(time.perf_counter() - started, 3),
    }
