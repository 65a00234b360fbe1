"""Physical counts (stock opname): book against counted, and posting the variance with a reason."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blangko.adapters.repos import counts as counts_repo
from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.ledger import Kind, State
from blangko.domain.serials import (
    SerialRange,
    expand,
    format_ranges,
    from_serials,
    parse_ranges,
    total,
)
from blangko.services.context import (
    Context,
    WriteTx,
    idempotent_write,
    location_id,
    location_names,
    resolve_office,
)
from blangko.services.stock.entries import EntryResult, append_entry, check_entry_date


def parse_scanned(lines: Iterable[str]) -> tuple[list[SerialRange], int]:
    """Serials from a scanner file (one serial or range per line, commas allowed).

    A card scanned twice is counted once: scanners double-read, and a doubled card cannot
    exist physically. Returns the ranges and how many duplicate reads were dropped.
    """
    seen: set[str] = set()
    reads = 0
    for lineno, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            ranges = parse_ranges(text, "serials_file")
        except DomainError as exc:
            raise DomainError(exc.code, "serials_file", f"Baris {lineno}: {exc.message}") from exc
        for s in expand(ranges):
            reads += 1
            seen.add(s)
    return from_serials(seen), reads - len(seen)


def _count_view(row: Any, names: dict[int, str]) -> dict[str, Any]:
    return {
        "count_id": row.id,
        "location": names.get(row.location_id),
        "count_date": row.count_date.isoformat(),
        "mode": row.mode,
        "book": row.book,
        "counted": row.counted,
        "variance": row.counted - row.book,
        "missing": row.missing,
        "missing_count": total(parse_ranges(row.missing)) if row.missing else 0,
        "unexpected": row.unexpected,
        "unexpected_count": total(parse_ranges(row.unexpected)) if row.unexpected else 0,
        "status": row.status,
        "reason": row.post_reason,
        "actor": row.actor,
    }


def record_count(
    ctx: Context,
    *,
    location: str,
    counted: int | None = None,
    scanned: list[SerialRange] | None = None,
    duplicates: int = 0,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Record what was physically found at a location today against the books."""
    if (counted is None) == (scanned is None):
        raise DomainError(
            "counted_or_serials",
            "counted",
            "Sebutkan salah satu: --counted (jumlah) atau --serials-file (seri yang dipindai).",
        )
    if counted is not None and counted < 0:
        raise DomainError("counted_negative", "counted", "Jumlah terhitung tidak boleh negatif.")
    params = {
        "location": location,
        "counted": counted,
        "scanned": format_ranges(scanned) if scanned is not None else None,
    }

    def body(tx: WriteTx) -> dict[str, Any]:
        loc = location_id(tx.conn, tx.office, location, "location")
        if scanned is None:
            book = repo.count_available(tx.conn, tx.office, loc)
            missing = unexpected = ""
            mode, n = "quantity", int(counted or 0)
        else:
            book_ranges = repo.available_ranges(tx.conn, tx.office, loc)
            book_set = set(expand(book_ranges))
            scan_set = set(expand(scanned))
            book = len(book_set)
            missing = format_ranges(from_serials(book_set - scan_set))
            unexpected = format_ranges(from_serials(scan_set - book_set))
            mode, n = "serials", len(scan_set)
        count_id = counts_repo.insert_count(
            tx.conn,
            office=tx.office,
            location=loc,
            count_date=ctx.today(),
            recorded_at=ctx.now(),
            actor=ctx.actor,
            mode=mode,
            book=book,
            counted=n,
            missing=missing,
            unexpected=unexpected,
        )
        row = counts_repo.count(tx.conn, count_id)
        view = _count_view(row, location_names(tx.conn, tx.office))
        view["duplicate_reads"] = duplicates
        return view

    return idempotent_write(ctx, office, "stock.count", params, idempotency_key, body)


def post_count(
    ctx: Context,
    *,
    count_id: int,
    reason: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Post a count's variance as reasoned entries: missing -> lost pending investigation,
    unexpected -> found (new to the books) or moved here (when on the books elsewhere)."""
    params = {"count_id": count_id, "reason": reason}

    def body(tx: WriteTx) -> dict[str, Any]:
        if not reason or not reason.strip():
            raise DomainError("required", "reason", "Alasan selisih (--reason) wajib diisi.")
        row = counts_repo.count(tx.conn, count_id, tx.office)
        if row is None:
            raise NotFound("unknown_count", "count_id", f"Stock opname #{count_id} tidak ada.")
        if row.status != "open":
            raise Conflict("count_posted", "count_id", f"Stock opname #{count_id} sudah diposting.")
        variance = row.counted - row.book
        if row.mode == "quantity" and variance != 0:
            raise DomainError(
                "count_needs_serials",
                "count_id",
                f"Selisih {variance:+d} dari hitungan jumlah saja tidak dapat diposting: pindai "
                "nomor seri (stock count --serials-file) agar diketahui seri mana yang hilang "
                "atau berlebih.",
            )
        check_entry_date(tx, row.count_date)
        if row.mode == "quantity":
            current = repo.count_available(tx.conn, tx.office, row.location_id)
            if current != row.book:
                raise Conflict(
                    "count_stale",
                    "count_id",
                    "Stok lokasi berubah sejak penghitungan; lakukan stock opname ulang.",
                )
        entries = []
        why = reason.strip()
        if row.missing:
            missing = parse_ranges(row.missing)
            entries.append(
                append_entry(
                    tx,
                    Kind.MISSING,
                    row.count_date,
                    missing,
                    from_location=row.location_id,
                    reason=why,
                    count_id=row.id,
                    note="tidak ditemukan saat stock opname; dalam penyelidikan",
                )
            )
        if row.unexpected:
            entries.extend(_post_unexpected(tx, row, parse_ranges(row.unexpected), why))
        counts_repo.mark_posted(tx.conn, row.id, reason=why, at=ctx.now(), actor=ctx.actor)
        posted = counts_repo.count(tx.conn, row.id)
        view = _count_view(posted, location_names(tx.conn, tx.office))
        view["entries"] = [e.as_dict() for e in entries]
        return view

    return idempotent_write(ctx, office, "stock.count_post", params, idempotency_key, body)


def _post_unexpected(
    tx: WriteTx, row: Any, ranges: list[SerialRange], reason: str
) -> list[EntryResult]:
    split = repo.locations_holding(tx.conn, tx.office, ranges)
    unknown_or_used = split.pop(None, [])
    new: list[str] = []
    lost: list[str] = []
    for s in expand(unknown_or_used):
        known = repo.blank(tx.conn, s)
        if known is None:
            new.append(s)
        elif known.office_code == tx.office and known.state == State.LOST.value:
            lost.append(s)
        else:
            raise Conflict(
                "count_serial_elsewhere",
                "count_id",
                f"Seri {s} ditemukan saat stock opname tetapi di buku tercatat sudah terpakai, "
                "rusak, dikembalikan, atau milik kantor lain; periksa dan koreksi dulu.",
            )
    out: list[EntryResult] = []
    if new:
        out.append(
            append_entry(
                tx,
                Kind.FOUND,
                row.count_date,
                from_serials(new),
                to_location=row.location_id,
                reason=reason,
                count_id=row.id,
                note="ditemukan saat stock opname, belum tercatat",
            )
        )
    if lost:
        out.append(
            append_entry(
                tx,
                Kind.RECOVER,
                row.count_date,
                from_serials(lost),
                to_location=row.location_id,
                reason=reason,
                count_id=row.id,
                note="tercatat hilang, ditemukan kembali saat stock opname",
            )
        )
    for loc, loc_ranges in sorted(split.items(), key=lambda kv: kv[0] or 0):
        if loc == row.location_id:
            continue
        out.append(
            append_entry(
                tx,
                Kind.TRANSFER,
                row.count_date,
                loc_ranges,
                from_location=loc,
                to_location=row.location_id,
                reason=reason,
                count_id=row.id,
                note="ditemukan di lokasi lain saat stock opname",
            )
        )
    return out


def list_counts(
    ctx: Context, *, office: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        names = location_names(conn, code)
        return [_count_view(r, names) for r in counts_repo.counts(conn, code, status)]
