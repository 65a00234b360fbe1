"""Physical counts (stock opname) and their life: open -> posted | superseded | voided.

A count is a snapshot: the book and what was found (counted, missing, unexpected) are stored
when it is taken, at one location or at every location of the office (an office-wide count:
one count id, the office's totals, each location's figures in its parts). A newer count of a
location supersedes the open counts covering it; only an open count is posted (its variance
as found at count time, as reasoned entries) or voided (by the head, with a reason). So at
most one open count covers any location. docs/ledger.md, "The life of a count".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from blangko.adapters.repos import counts as counts_repo
from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.ledger import Kind, State
from blangko.domain.limits import MAX_SERIALS_PER_COUNT, check_serial_count
from blangko.domain.serials import (
    SerialRange,
    difference,
    format_ranges,
    merge,
    parse_ranges,
    total,
)
from blangko.domain.text import Msg
from blangko.formatting import num, tanggal, waktu
from blangko.services.context import (
    Context,
    WriteTx,
    idempotent_write,
    location_id,
    location_names,
    resolve_office,
)
from blangko.services.stock.entries import append_entry, check_entry_date
from blangko.services.stock.results import EntryView

OPEN, POSTED, SUPERSEDED, VOIDED = "open", "posted", "superseded", "voided"
STATUSES = (OPEN, POSTED, SUPERSEDED, VOIDED)
STATUS_LABEL_ID = {
    OPEN: "terbuka",
    POSTED: "diposting",
    SUPERSEDED: "digantikan",
    VOIDED: "dibatalkan",
}
OFFICE_WIDE_LABEL = "seluruh kantor"


@dataclass(frozen=True)
class CountInput:
    """What was found at one location: a quantity, or the scanned serials."""

    location: str
    counted: int | None = None
    scanned: list[SerialRange] | None = None
    duplicates: int = 0


def parse_scanned(
    lines: Iterable[str], field: str = "serials_file"
) -> tuple[list[SerialRange], int]:
    """Serials from a scanner file (one serial or range per line, commas allowed); an error
    names `field`, the input they came from, and the line.

    A card scanned twice is counted once: scanners double-read, and a doubled card cannot
    exist physically. Returns the ranges and how many duplicate reads were dropped. More
    than MAX_SERIALS_PER_COUNT reads are refused at the line that passes it; ranges are
    counted and joined by their ends, never expanded.
    """
    found: list[SerialRange] = []
    reads = 0
    for lineno, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            ranges = parse_ranges(text, field)
            reads += total(ranges)
            check_serial_count(reads, field, limit=MAX_SERIALS_PER_COUNT, per="stock opname")
        except DomainError as exc:
            raise DomainError(
                exc.code,
                field,
                Msg("Baris {lineno}: {message}", lineno=lineno, message=exc.message),
            ) from exc
        found.extend(ranges)
    scanned = merge(found)
    return scanned, reads - total(scanned)


# Views ---------------------------------------------------------------------------------------


def _figures(mode: str, book: int, counted: int, missing: str, unexpected: str) -> dict[str, Any]:
    """Book, counted, variance, and the serials missing and unexpected with how many. A count
    by quantity only does not know which cards: its missing and unexpected counts are None."""
    scanned = mode != "quantity"
    return {
        "mode": mode,
        "book": book,
        "counted": counted,
        "variance": counted - book,
        "missing": missing,
        "missing_count": (total(parse_ranges(missing)) if missing else 0) if scanned else None,
        "unexpected": unexpected,
        "unexpected_count": (total(parse_ranges(unexpected)) if unexpected else 0)
        if scanned
        else None,
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _count_view(row: Any, parts: Sequence[Any], names: dict[int, str]) -> dict[str, Any]:
    office_wide = row.location_id is None
    return {
        "count_id": row.id,
        "office_wide": office_wide,
        "location": None if office_wide else names.get(row.location_id),
        "locations": [names.get(p.location_id) for p in parts],
        "count_date": row.count_date.isoformat(),
        "recorded_at": _iso(row.recorded_at),
        **_figures(row.mode, row.book, row.counted, row.missing, row.unexpected),
        "status": row.status,
        "actor": row.actor,
        "reason": row.post_reason,
        "posted_at": _iso(row.posted_at),
        "posted_by": row.posted_by,
        "superseded_by": row.superseded_by,
        "voided_at": _iso(row.voided_at),
        "voided_by": row.voided_by,
        "void_reason": row.void_reason,
        "parts": [
            {
                "location": names.get(p.location_id),
                **_figures(p.mode, p.book, p.counted, p.missing, p.unexpected),
            }
            for p in parts
        ],
    }


def _view(conn: Any, office: str, row: Any) -> dict[str, Any]:
    parts = counts_repo.parts(conn, [row.id])[row.id]
    return _count_view(row, parts, location_names(conn, office))


def _where(row: Any, names: dict[int, str]) -> str:
    return OFFICE_WIDE_LABEL if row.location_id is None else str(names.get(row.location_id))


# Recording -----------------------------------------------------------------------------------


def _check_input(part: CountInput, label: str) -> None:
    if (part.counted is None) == (part.scanned is None):
        raise DomainError(
            "counted_or_serials",
            "counted",
            Msg("{label}Isi salah satu: jumlah terhitung atau seri yang dipindai.", label=label),
        )
    if part.counted is not None and part.counted < 0:
        raise DomainError(
            "counted_negative",
            "counted",
            Msg("{label}Jumlah terhitung tidak boleh negatif.", label=label),
        )
    found = part.counted if part.counted is not None else total(part.scanned or [])
    field = "counted" if part.counted is not None else "serials"
    try:
        check_serial_count(found, field, limit=MAX_SERIALS_PER_COUNT, per="stock opname")
    except DomainError as exc:
        raise DomainError(
            exc.code, exc.field, Msg("{label}{message}", label=label, message=exc.message)
        ) from exc


def _measure(tx: WriteTx, loc: int, part: CountInput) -> tuple[dict[str, Any], list[SerialRange]]:
    """One location's book against what was found there now; and the serials scanned."""
    if part.scanned is None:
        book = repo.count_available(tx.conn, tx.office, loc)
        n = int(part.counted or 0)
        return (
            {"location_id": loc, "mode": "quantity", "book": book, "counted": n}
            | {"missing": "", "unexpected": ""},
            [],
        )
    book_ranges = repo.available_ranges(tx.conn, tx.office, loc)
    scan = merge(part.scanned)
    return (
        {
            "location_id": loc,
            "mode": "serials",
            "book": total(book_ranges),
            "counted": total(scan),
            "missing": format_ranges(difference(book_ranges, scan)),
            "unexpected": format_ranges(difference(scan, book_ranges)),
        },
        scan,
    )


def _ranges(text: str) -> list[SerialRange]:
    """A stored list of serials ('' for none) as ranges."""
    return parse_ranges(text) if text else []


def _record(
    ctx: Context, tx: WriteTx, measured: list[dict[str, Any]], *, office_wide: bool
) -> dict[str, Any]:
    """Store the count and its parts; supersede the open counts of the same locations."""
    modes = {p["mode"] for p in measured}
    # Office-wide, a card missing at one location and found at another is neither missing
    # nor unexpected: it is in the office, in the wrong place (each part says where).
    missing = merge(r for p in measured for r in _ranges(p["missing"]))
    unexpected = merge(r for p in measured for r in _ranges(p["unexpected"]))
    locations = [p["location_id"] for p in measured]
    older = counts_repo.open_counts_at(tx.conn, tx.office, locations)
    count_id = counts_repo.insert_count(
        tx.conn,
        office=tx.office,
        location=None if office_wide else locations[0],
        count_date=ctx.today(),
        recorded_at=ctx.now(),
        actor=ctx.actor,
        mode=modes.pop() if len(modes) == 1 else "mixed",
        book=sum(p["book"] for p in measured),
        counted=sum(p["counted"] for p in measured),
        missing=format_ranges(difference(missing, unexpected)),
        unexpected=format_ranges(difference(unexpected, missing)),
        parts=measured,
    )
    counts_repo.mark_superseded(tx.conn, older, by=count_id)
    row = counts_repo.count(tx.conn, count_id)
    return _view(tx.conn, tx.office, row) | {"supersedes": older}


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
    """Record what was physically found at a location today against the books. The open
    counts of that location (office-wide ones included) are superseded by this one."""
    part = CountInput(location, counted, scanned, duplicates)
    _check_input(part, "")
    params = {
        "location": location,
        "counted": counted,
        "scanned": format_ranges(scanned) if scanned is not None else None,
    }

    def body(tx: WriteTx) -> dict[str, Any]:
        loc = location_id(tx.conn, tx.office, location, "location")
        measured, _ = _measure(tx, loc, part)
        return _record(ctx, tx, [measured], office_wide=False) | {"duplicate_reads": duplicates}

    return idempotent_write(ctx, office, "stock.count", params, idempotency_key, body)


def record_office_count(
    ctx: Context,
    *,
    parts: Sequence[CountInput],
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """An office-wide count: every location of the office counted at once (a quantity or a
    scan for each), recorded as one count with the office's totals. It supersedes every open
    count of the office."""
    for part in parts:
        _check_input(part, f"{part.location}: ")
    params = {
        "parts": [
            {
                "location": p.location,
                "counted": p.counted,
                "scanned": format_ranges(p.scanned) if p.scanned is not None else None,
            }
            for p in parts
        ]
    }

    def body(tx: WriteTx) -> dict[str, Any]:
        ids = [location_id(tx.conn, tx.office, p.location, "location") for p in parts]
        names = location_names(tx.conn, tx.office)
        twice = sorted({names[i] for i in ids if ids.count(i) > 1})
        if twice:
            raise DomainError(
                "count_location_twice",
                "locations",
                Msg(
                    "Lokasi {twice} disebut lebih dari sekali: setiap lokasi dihitung satu kali dalam stock opname seluruh kantor.",
                    twice=", ".join(twice),
                ),
            )
        left = [names[i] for i in sorted(names) if i not in ids]
        if left:
            raise DomainError(
                "count_location_missing",
                "locations",
                Msg(
                    "Stock opname seluruh kantor menghitung setiap lokasi; belum ada hitungan untuk {left} (isi 0 bila lokasi kosong).",
                    left=", ".join(left),
                ),
            )
        measured: list[tuple[dict[str, Any], list[SerialRange]]] = [
            _measure(tx, loc, part)
            for loc, part in sorted(zip(ids, parts, strict=True), key=lambda x: x[0])
        ]
        scans = sorted((r, m["location_id"]) for m, scan in measured for r in scan)
        for (a, here), (b, there) in zip(scans, scans[1:], strict=False):
            if a.overlaps(b):
                raise DomainError(
                    "serial_counted_twice",
                    "serials",
                    Msg(
                        "Seri {nilai} dipindai di {names} dan di {names2}: satu kartu hanya ada di satu tempat; periksa pindaian kedua lokasi.",
                        nilai=b.serial(b.first),
                        names=names[here],
                        names2=names[there],
                    ),
                )
        result = _record(ctx, tx, [m for m, _ in measured], office_wide=True)
        return result | {"duplicate_reads": sum(p.duplicates for p in parts)}

    return idempotent_write(ctx, office, "stock.count_office", params, idempotency_key, body)


# Posting and voiding -------------------------------------------------------------------------


def _open_count(tx: WriteTx, count_id: int, doing: str) -> Any:
    """The count, if it is open; otherwise why it cannot be posted or voided."""
    row = counts_repo.count(tx.conn, count_id, tx.office)
    if row is None:
        raise NotFound(
            "unknown_count",
            "count_id",
            Msg("Stock opname #{count_id} tidak ada.", count_id=count_id),
        )
    names = location_names(tx.conn, tx.office)
    if row.status == POSTED:
        raise Conflict(
            "count_posted",
            "count_id",
            Msg(
                "Stock opname #{count_id} sudah diposting ({posted_at}, {posted_by}); tidak dapat {doing}. Koreksi dengan stock opname baru.",
                count_id=count_id,
                posted_at=waktu(row.posted_at, tz=tx.ctx.timezone),
                posted_by=row.posted_by,
                doing=doing,
            ),
        )
    if row.status == SUPERSEDED:
        newer = counts_repo.count(tx.conn, row.superseded_by)
        assert newer is not None
        raise Conflict(
            "count_superseded",
            "count_id",
            Msg(
                "Stock opname #{count_id} ({row}) tidak dapat {doing}: lokasinya sudah dihitung lagi sesudahnya, stock opname #{id} ({newer}, {count_date}), yang menggantikannya. Hanya hitungan terakhir yang berlaku: posting atau batalkan #{id}.",
                count_id=count_id,
                row=_where(row, names),
                doing=doing,
                id=newer.id,
                newer=_where(newer, names),
                count_date=tanggal(newer.count_date),
            ),
        )
    if row.status == VOIDED:
        raise Conflict(
            "count_voided",
            "count_id",
            Msg(
                "Stock opname #{count_id} sudah dibatalkan ({voided_at}, {voided_by}: {void_reason}); tidak dapat {doing}.",
                count_id=count_id,
                voided_at=waktu(row.voided_at, tz=tx.ctx.timezone),
                voided_by=row.voided_by,
                void_reason=row.void_reason,
                doing=doing,
            ),
        )
    return row


def _reason(reason: str, what: str) -> str:
    if not reason or not reason.strip():
        raise DomainError("required", "reason", Msg("{what} wajib diisi.", what=what))
    return reason.strip()


def post_count(
    ctx: Context,
    *,
    count_id: int,
    reason: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Post an open count's variance, as found at count time, as reasoned entries: missing ->
    lost pending investigation; unexpected -> found (new to the books), moved here (on the
    books elsewhere in the office) or recovered (booked lost)."""
    params = {"count_id": count_id, "reason": reason}

    def body(tx: WriteTx) -> dict[str, Any]:
        why = _reason(reason, "Alasan selisih")
        row = _open_count(tx, count_id, "diposting")
        names = location_names(tx.conn, tx.office)
        parts = counts_repo.parts(tx.conn, [row.id])[row.id]
        for p in parts:
            variance = p.counted - p.book
            if p.mode == "quantity" and variance != 0:
                where = f"{names[p.location_id]}: " if row.location_id is None else ""
                raise DomainError(
                    "count_needs_serials",
                    "count_id",
                    Msg(
                        "{where}Selisih {variance:+d} dari hitungan jumlah saja tidak dapat diposting: hitung ulang dengan memindai nomor seri agar diketahui seri mana yang hilang atau berlebih.",
                        where=where,
                        variance=variance,
                    ),
                )
        check_entry_date(tx, row.count_date)
        # Found somewhere in this count: not missing where the books had it, but moved.
        found_here = merge(r for p in parts for r in _ranges(p.unexpected))
        plan: list[tuple[Any, list[SerialRange]]] = []
        for p in parts:
            where = names[p.location_id]
            if p.mode == "quantity":
                now = repo.count_available(tx.conn, tx.office, p.location_id)
                if now != p.book:
                    changed = f"buku {num(p.book)} saat dihitung, sekarang {num(now)}"
                    raise _stale(row.id, where, changed)
                continue
            gone = difference(_ranges(p.missing), found_here)
            if gone:
                held = repo.locations_holding(tx.conn, tx.office, gone)
                moved = sorted(r for loc, rs in held.items() if loc != p.location_id for r in rs)
                if moved:
                    first = moved[0].serial(moved[0].first)
                    raise _stale(row.id, where, f"seri {first} tidak lagi tercatat di sana")
            plan.append((p, gone))
        entries: list[EntryView] = []
        for p, lost in plan:
            if lost:
                entries.append(
                    append_entry(
                        tx,
                        Kind.MISSING,
                        row.count_date,
                        lost,
                        from_location=p.location_id,
                        reason=why,
                        count_id=row.id,
                        note="tidak ditemukan saat stock opname; dalam penyelidikan",
                    )
                )
            if p.unexpected:
                entries.extend(
                    _post_unexpected(tx, row, p.location_id, parse_ranges(p.unexpected), why)
                )
        counts_repo.mark_posted(tx.conn, row.id, reason=why, at=ctx.now(), actor=ctx.actor)
        view = _view(tx.conn, tx.office, counts_repo.count(tx.conn, row.id))
        view["entries"] = entries
        return view

    return idempotent_write(ctx, office, "stock.count_post", params, idempotency_key, body)


def _stale(count_id: int, where: str, what: str) -> Conflict:
    return Conflict(
        "count_stale",
        "count_id",
        Msg(
            "Stok di {where} berubah sejak stock opname #{count_id} ({what}): hitungan itu tidak lagi menggambarkan buku. Hitung ulang {where} (Stock opname); hitungan baru menggantikan #{count_id}.",
            where=where,
            count_id=count_id,
            what=what,
        ),
    )


def _post_unexpected(
    tx: WriteTx, row: Any, here: int, ranges: list[SerialRange], reason: str
) -> list[EntryView]:
    split = repo.locations_holding(tx.conn, tx.office, ranges)
    unknown_or_used = split.pop(None, [])
    # Known blanks among them (read in one query per range, not one per serial): lost ones
    # of this office are recovered; any other is a conflict. The rest are new to the books.
    known = repo.blanks_in(tx.conn, unknown_or_used)
    lost: list[SerialRange] = []
    for b in known:
        if b.office_code == tx.office and b.state == State.LOST.value:
            lost.append(SerialRange(b.prefix, b.width, b.number, b.number))
        else:
            raise Conflict(
                "count_serial_elsewhere",
                "count_id",
                Msg(
                    "Seri {serial} ditemukan saat stock opname tetapi di buku tercatat sudah terpakai, rusak, dikembalikan, atau milik kantor lain; periksa dan koreksi dulu, atau batalkan stock opname ini (kepala dinas) dan hitung ulang.",
                    serial=b.serial,
                ),
            )
    new = difference(unknown_or_used, lost)
    out: list[EntryView] = []
    if new:
        out.append(
            append_entry(
                tx,
                Kind.FOUND,
                row.count_date,
                new,
                to_location=here,
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
                merge(lost),
                to_location=here,
                reason=reason,
                count_id=row.id,
                note="tercatat hilang, ditemukan kembali saat stock opname",
            )
        )
    for loc, loc_ranges in sorted(split.items(), key=lambda kv: kv[0] or 0):
        if loc == here:
            continue
        out.append(
            append_entry(
                tx,
                Kind.TRANSFER,
                row.count_date,
                loc_ranges,
                from_location=loc,
                to_location=here,
                reason=reason,
                count_id=row.id,
                note="ditemukan di lokasi lain saat stock opname",
            )
        )
    return out


def void_count(
    ctx: Context,
    *,
    count_id: int,
    reason: str,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Void an open count (the head): it is kept, with the reason, who and when, and is never
    posted. For a count that cannot or should not be posted (a wrong scan, a card the books
    show as used that needs a person to look); the location can then be counted again."""
    params = {"count_id": count_id, "reason": reason}

    def body(tx: WriteTx) -> dict[str, Any]:
        why = _reason(reason, "Alasan pembatalan")
        row = _open_count(tx, count_id, "dibatalkan")
        counts_repo.mark_voided(tx.conn, row.id, reason=why, at=ctx.now(), actor=ctx.actor)
        return _view(tx.conn, tx.office, counts_repo.count(tx.conn, row.id))

    return idempotent_write(ctx, office, "stock.count_void", params, idempotency_key, body)


# Reading -------------------------------------------------------------------------------------


def list_counts(
    ctx: Context, *, office: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The office's counts, oldest first (only those in `status`, when given)."""
    if status is not None and status not in STATUSES:
        raise DomainError(
            "unknown_count_status",
            "status",
            Msg(
                "Status stock opname '{status}' tidak dikenal: {statuses}.",
                status=status,
                statuses=", ".join(STATUSES),
            ),
        )
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        names = location_names(conn, code)
        rows = counts_repo.counts(conn, code, status)
        parts = counts_repo.parts(conn, [r.id for r in rows])
        return [_count_view(r, parts[r.id], names) for r in rows]


def get_count(ctx: Context, *, count_id: int, office: str | None = None) -> dict[str, Any]:
    """One count with its parts."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = counts_repo.count(conn, count_id, code)
        if row is None:
            raise NotFound(
                "unknown_count",
                "count_id",
                Msg("Stock opname #{count_id} tidak ada.", count_id=count_id),
            )
        return _view(conn, code, row)
