"""The monthly usage report and the count record of a quantity item (a ribbon, a film, a
cleaning kit: docs/ledger.md, "Other items"), per lot: opening, received, loaded into
printers, spoiled, lost, adjusted and closing. The e-KTP blank's reports (usage,
count_record) are unchanged: these run only when an item is named.

Each reads once: one read transaction, and every read of the item's chain in it bounded by
the chain's last entry seen at its start, so an entry written meanwhile is after the report's
snapshot. The figures come from the domain's tally (domain.items.ItemTally), the same one
`item balance` uses, and are checked against it at both ends of the period.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.reports.model import Column, Report, Signature, Table
from blangko.adapters.repos import items as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.items import (
    BUCKETS,
    DEFAULT_ITEM,
    KIND_BUCKET,
    KIND_LABEL_ID,
    KIND_SIGN,
    ItemTally,
    check_item_code,
)
from blangko.domain.text import N_, Msg
from blangko.formatting import month_bounds, num, tanggal
from blangko.services.context import Context
from blangko.services.reports.letterhead import (
    head_signature,
    month_name,
    new_report,
    opening,
    report_read,
)

LOT_COLUMNS = [
    Column(N_("Lot"), weight=1.8),
    Column(N_("Saldo awal"), "int", total=True),
    Column(N_("Diterima"), "int", total=True),
    Column(N_("Dipasang di printer"), "int", total=True, weight=1.2),
    Column(N_("Rusak"), "int", total=True),
    Column(N_("Hilang"), "int", total=True),
    Column(N_("Penyesuaian"), "int", total=True),
    Column(N_("Saldo akhir"), "int", total=True),
]


def _item(conn: Connection, office: str, item: str) -> Any:
    code = check_item_code(item)
    row = repo.item(conn, office, code)
    if row is None:
        if code == DEFAULT_ITEM:
            raise DomainError(
                "serialised_item",
                "item",
                Msg("Laporan blangko KTP-el dibuat tanpa menyebut barang."),
            )
        raise NotFound("unknown_item", "item", Msg("Barang '{code}' tidak ada.", code=code))
    return row


def _lot_rows(
    entries: list[Any], first: date, end: date
) -> tuple[list[list[Any]], dict[str, int], ItemTally, ItemTally]:
    """Per lot: opening, the period's lines and closing; the totals of the period's lines;
    the tallies at the eve of the period and at its end."""
    before, after = ItemTally(), ItemTally()
    moved: dict[str, dict[str, int]] = {}
    for e in entries:
        if e.effective_date > end:
            continue
        q = int(e.quantity)
        after.add(e.kind, e.lot, q)
        if e.effective_date < first:
            before.add(e.kind, e.lot, q)
            continue
        lines = moved.setdefault(e.lot, dict.fromkeys(BUCKETS, 0))
        bucket = KIND_BUCKET[e.kind]
        lines[bucket] += q * (KIND_SIGN[e.kind] if bucket == "adjusted" else 1)
    totals = dict.fromkeys(BUCKETS, 0)
    rows: list[list[Any]] = []
    for lot in sorted(set(after.by_lot) | set(moved)):
        m = moved.get(lot, dict.fromkeys(BUCKETS, 0))
        start, close = before.by_lot.get(lot, 0), after.by_lot.get(lot, 0)
        if start + m["received"] - m["loaded"] - m["spoiled"] - m["lost"] + m["adjusted"] != close:
            raise AssertionError(f"item usage report: lot {lot} does not balance")
        if not start and not close and not any(m.values()):
            continue
        for b in BUCKETS:
            totals[b] += m[b]
        rows.append(
            [
                lot,
                start,
                m["received"],
                m["loaded"],
                m["spoiled"],
                m["lost"],
                m["adjusted"],
                close,
            ]
        )
    return rows, totals, before, after


def _entry_rows(entries: list[Any], first: date, end: date, names: dict[int, str]) -> list[Any]:
    rows: list[list[Any]] = []
    for e in entries:
        if not first <= e.effective_date <= end:
            continue
        detail = "; ".join(
            x
            for x in (
                # A serialised item's entry says which cards it moved.
                e.serials,
                names.get(e.printer_id) if e.printer_id is not None else None,
                e.reason,
                e.note,
            )
            if x
        )
        rows.append(
            [
                e.effective_date,
                e.seq,
                KIND_LABEL_ID.get(e.kind, e.kind),
                e.lot,
                KIND_SIGN[e.kind] * int(e.quantity),
                detail,
                e.document or "",
            ]
        )
    return rows


ENTRY_COLUMNS = [
    Column(N_("Tanggal"), "date", weight=1.6),
    Column(N_("Entri"), "int", weight=0.8),
    Column(N_("Jenis"), weight=1.8),
    Column(N_("Lot"), weight=1.6),
    Column(N_("Unit (±)"), "int", total=True, weight=1),
    Column(N_("Keterangan"), weight=2.4),
    Column(N_("Dokumen"), weight=1.6),
]


def _read(conn: Connection, office: str, item: str) -> tuple[Any, list[Any], int, str, dict]:
    row = _item(conn, office, item)
    seq, head_hash = repo.chain_head(conn, office, row.code)
    entries = [e for e in repo.iter_entries(conn, office, row.code) if int(e.seq) <= seq]
    names = {int(p.id): p.name for p in repo.printers(conn, office)}
    return row, entries, seq, head_hash, names


def build_usage(
    ctx: Context,
    *,
    month: str,
    item: str,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Laporan penggunaan of one quantity item for a month, per lot."""
    first, last = month_bounds(month)
    if first > ctx.today():
        raise DomainError(
            "month_in_future",
            "month",
            Msg("Bulan {month} belum dimulai: belum ada yang dilaporkan.", month=month),
        )
    key = first.strftime("%Y-%m")
    end = min(last, ctx.today())
    with report_read(ctx, office, address) as (conn, head):
        row, entries, seq, head_hash, names = _read(conn, head.code, item)
    lot_rows, moved, before, after = _lot_rows(entries, first, end)
    opening_units, closing = before.on_hand, after.on_hand
    if (
        opening_units
        + moved["received"]
        - moved["loaded"]
        - moved["spoiled"]
        - moved["lost"]
        + moved["adjusted"]
        != closing
    ):
        raise AssertionError("item usage report: totals do not balance")
    unit = row.unit
    # A serialised card (KIA) leaves the store printed, where a ribbon is loaded in a printer.
    out_label = N_("Dicetak") if row.kind == "serialised" else N_("Dipasang di printer")
    lot_columns = [*LOT_COLUMNS]
    lot_columns[3] = replace(LOT_COLUMNS[3], title=out_label)
    lots = Table(
        Msg("Mutasi per lot ({unit})", unit=unit),
        lot_columns,
        lot_rows,
        sheet=N_("Per lot"),
        note=N_(
            "Saldo akhir = saldo awal + diterima - dicetak - rusak - hilang ± penyesuaian stock opname."
        )
        if row.kind == "serialised"
        else N_(
            "Saldo akhir = saldo awal + diterima - dipasang di printer - rusak - hilang ± penyesuaian stock opname."
        ),
    )
    entry_table = Table(
        N_("Entri bulan ini"),
        ENTRY_COLUMNS,
        _entry_rows(entries, first, end, names),
        sheet=N_("Entri"),
    )
    moves = dict(
        opening=num(opening_units),
        received=num(moved["received"]),
        loaded=num(moved["loaded"]),
        spoiled=num(moved["spoiled"]),
        lost=num(moved["lost"]),
        adjusted=num(moved["adjusted"]),
        closing=num(closing),
        unit=unit,
    )
    checks = [
        Msg(
            "Saldo awal {opening} + diterima {received} - dicetak {loaded} - rusak {spoiled} - hilang {lost} ± penyesuaian {adjusted} = saldo akhir {closing} {unit}.",
            **moves,
        )
        if row.kind == "serialised"
        else Msg(
            "Saldo awal {opening} + diterima {received} - dipasang {loaded} - rusak {spoiled} - hilang {lost} ± penyesuaian {adjusted} = saldo akhir {closing} {unit}.",
            **moves,
        ),
        Msg(
            "Kepala rantai barang {item} saat laporan dibuat: entri #{seq}, hash {head_hash}.",
            item=row.code,
            seq=seq,
            head_hash=head_hash,
        ),
    ]
    facts: list[tuple[str, Any]] = [
        (N_("Kantor"), f"{head.name} ({head.code})"),
        (N_("Barang"), f"{row.name} ({row.code})"),
        (N_("Periode"), Msg("{first} s.d. {last}", first=tanggal(first), last=tanggal(last))),
        (N_("Satuan"), unit),
        (N_("Saldo awal"), opening_units),
        (N_("Diterima"), moved["received"]),
        (out_label, moved["loaded"]),
        (N_("Rusak"), moved["spoiled"]),
        (N_("Hilang"), moved["lost"]),
        (N_("Penyesuaian"), moved["adjusted"]),
        (N_("Saldo akhir"), closing),
    ]
    if end < last:
        facts.insert(3, (N_("Keadaan per"), Msg("{end} (bulan berjalan)", end=tanggal(end))))
    return new_report(
        head,
        name="item_usage",
        title=Msg("LAPORAN PENGGUNAAN {name}", name=row.name.upper()),
        subtitle=Msg("Bulan {first}", first=month_name(first)),
        filename_stem=f"laporan-penggunaan-{row.code}-{key}",
        facts=facts,
        tables=[lots, entry_table],
        checks=checks,
        issued_on=ctx.today(),
        signatures=[
            Signature(N_("Petugas Pengelola Blangko"), None, N_("NIP")),
            head_signature(head, caption=N_("Mengetahui,")),
        ],
        data={
            "office": head.code,
            "item": row.code,
            "month": key,
            "item_seq": seq,
            "item_hash": head_hash,
            "opening": opening_units,
            "closing": closing,
            "moved": moved,
            "by_lot": [dict(zip(("lot", *BUCKETS_OPEN_CLOSE), r, strict=True)) for r in lot_rows],
            "balance_before": before.by_lot,
            "balance_after": after.by_lot,
        },
    )


BUCKETS_OPEN_CLOSE = ("opening", *BUCKETS, "closing")


def build_count(
    ctx: Context,
    *,
    item: str,
    as_of: date | None = None,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Berita acara stock opname of one quantity item on a day (default: the latest day a
    count of it booked a variance): per lot the book before the count, what was counted and
    the variance with its reason. A count that found no variance writes nothing, so a lot
    without a count entry that day shows its book, counted as the book."""
    with report_read(ctx, office, address) as (conn, head):
        row, entries, seq, head_hash, _names = _read(conn, head.code, item)
    counts = [e for e in entries if e.kind in ("found", "missing")]
    if as_of is None:
        if not counts:
            raise DomainError(
                "no_item_count",
                "item",
                Msg("Barang '{code}' belum pernah dihitung dengan selisih.", code=row.code),
            )
        day = max(e.effective_date for e in counts)
    else:
        day = as_of
    if day > ctx.today():
        raise DomainError(
            "date_in_future", "as_of", Msg("Tanggal {day} belum tiba.", day=tanggal(day))
        )
    lot_rows, moved, _before, after = _lot_rows(entries, day, day)
    variance: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    for e in counts:
        if e.effective_date == day:
            variance[e.lot] = variance.get(e.lot, 0) + KIND_SIGN[e.kind] * int(e.quantity)
            if e.reason:
                reasons.setdefault(e.lot, []).append(e.reason)
    rows: list[list[Any]] = []
    for lot in sorted(after.by_lot):
        close = after.by_lot[lot]
        v = variance.get(lot, 0)
        if not close and not v:
            continue
        rows.append([lot, close - v, close, v, "; ".join(reasons.get(lot, [])) or "-"])
    book_total = sum(r[1] for r in rows)
    counted_total = sum(r[2] for r in rows)
    table = Table(
        Msg("Hasil stock opname per lot ({unit})", unit=row.unit),
        [
            Column(N_("Lot"), weight=1.8),
            Column(N_("Buku"), "int", total=True),
            Column(N_("Terhitung"), "int", total=True),
            Column(N_("Selisih"), "int", total=True),
            Column(N_("Alasan selisih"), weight=3),
        ],
        rows,
        sheet=N_("Stock opname"),
        note=N_(
            "Hitungan tanpa selisih tidak menulis entri: lot tanpa selisih tercatat sama dengan bukunya."
        ),
    )
    tables = [table]
    by_serial: dict[str, list[str]] = {}
    if row.kind == "serialised":
        # A serialised card (KIA) is counted by scan: which serials were not found and
        # which were found beyond the book, each with the count's reason.
        serial_rows = [
            [KIND_LABEL_ID[e.kind], e.serials or "", int(e.quantity), e.reason or "-"]
            for e in counts
            if e.effective_date == day
        ]
        for e in counts:
            if e.effective_date == day and e.serials:
                by_serial.setdefault(e.kind, []).append(e.serials)
        tables.append(
            Table(
                N_("Seri tidak ditemukan dan seri ditemukan"),
                [
                    Column(N_("Jenis"), weight=1.8),
                    Column(N_("Seri"), weight=3),
                    Column(N_("Keping"), "int", total=True),
                    Column(N_("Alasan selisih"), weight=2.4),
                ],
                serial_rows,
                sheet=N_("Seri"),
            )
        )
    paragraphs = [
        Msg(
            "{opening}, telah dilakukan penghitungan fisik (stock opname) {name} di {office}, dengan hasil sebagai berikut.",
            opening=opening(day),
            name=row.name,
            office=head.name,
        )
    ]
    return new_report(
        head,
        name="item_count",
        title=Msg("BERITA ACARA STOCK OPNAME {name}", name=row.name.upper()),
        subtitle=tanggal(day),
        filename_stem=f"berita-acara-stock-opname-{row.code}-{day.isoformat()}",
        facts=[
            (N_("Kantor"), f"{head.name} ({head.code})"),
            (N_("Barang"), f"{row.name} ({row.code})"),
            (N_("Tanggal"), tanggal(day)),
            (N_("Buku"), book_total),
            (N_("Terhitung"), counted_total),
            (N_("Selisih"), counted_total - book_total),
        ],
        paragraphs=paragraphs,
        tables=tables,
        checks=[
            Msg(
                "Kepala rantai barang {item} saat laporan dibuat: entri #{seq}, hash {head_hash}.",
                item=row.code,
                seq=seq,
                head_hash=head_hash,
            )
        ],
        issued_on=day,
        signatures=[
            Signature(N_("Petugas Pengelola Blangko"), None, N_("NIP")),
            head_signature(head, caption=N_("Mengetahui,")),
        ],
        data={
            "office": head.code,
            "item": row.code,
            "date": day.isoformat(),
            "book": book_total,
            "counted": counted_total,
            "variance": counted_total - book_total,
            "adjusted": moved["adjusted"],
            "found_serials": ",".join(by_serial.get("found", [])),
            "missing_serials": ",".join(by_serial.get("missing", [])),
            "by_lot": [
                dict(zip(("lot", "book", "counted", "variance", "reason"), r, strict=True))
                for r in rows
            ],
        },
    )
