"""Berita acara stock opname: the books against the physical count at one location or, for an
office-wide count, at every location (the office's totals and a table per location), with
the serials missing and found, the count's state and the adjustments posted to the ledger.
One read transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.adapters.reports.model import Column, Report, Signature, Table
from blangko.adapters.repos import counts as counts_repo
from blangko.domain.errors import NotFound
from blangko.domain.ledger import KIND_LABEL_ID, Kind
from blangko.domain.text import Msg
from blangko.formatting import num, signed
from blangko.services.context import Context, location_names
from blangko.services.reports.letterhead import (
    CLOSING,
    RANGE_COLUMNS,
    head_signature,
    new_report,
    opening,
    range_rows,
    report_read,
)


def build(
    ctx: Context, *, count_id: int, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara stock opname: book against counted (one location or the whole office)."""
    with report_read(ctx, office, address) as (conn, head):
        row = counts_repo.count(conn, count_id, head.code)
        if row is None:
            raise NotFound(
                "unknown_count",
                "count_id",
                Msg("Stock opname #{count_id} tidak ada.", count_id=count_id),
            )
        names = location_names(conn, head.code)
        parts = counts_repo.parts(conn, [row.id])[row.id]
        posted = conn.execute(
            select(t.ledger_entry)
            .where(t.ledger_entry.c.office_code == head.code, t.ledger_entry.c.count_id == count_id)
            .order_by(t.ledger_entry.c.seq)
        ).all()
    # An office-wide count (no location) is one count of every location: the office's totals.
    office_wide = row.location_id is None
    location = (
        "seluruh kantor (" + ", ".join(names[p.location_id] for p in parts) + ")"
        if office_wide
        else names.get(row.location_id, str(row.location_id))
    )
    variance = row.counted - row.book
    missing = range_rows(row.missing) if row.missing else []
    unexpected = range_rows(row.unexpected) if row.unexpected else []
    by_serial = row.mode != "quantity"
    how = {"serials": "pindai nomor seri", "quantity": "jumlah keping saja"}
    status = {
        "open": "belum diposting",
        "posted": "sudah diposting ke buku besar",
        "superseded": f"digantikan oleh stock opname #{row.superseded_by}; tidak diposting",
        "voided": f"dibatalkan ({row.voided_by}): {row.void_reason}",
    }
    facts: list[tuple[str, Any]] = [
        ("Nomor stock opname", row.id),
        ("Lokasi", location),
        ("Tanggal penghitungan", row.count_date),
        ("Cara penghitungan", how.get(row.mode, "pindai nomor seri dan jumlah keping")),
        ("Menurut buku (keping)", row.book),
        ("Terhitung fisik (keping)", row.counted),
        ("Selisih (keping)", variance),
        ("Status", status.get(row.status, row.status)),
    ]
    if row.post_reason:
        facts.append(("Penjelasan selisih", row.post_reason))
    paragraphs = [
        f"{opening(row.count_date)}, telah dilakukan penghitungan "
        f"fisik (stock opname) blangko KTP-el di {'' if office_wide else 'lokasi '}"
        f"'{location}' pada {head.name}, dengan "
        f"hasil: menurut buku {num(row.book)} keping, terhitung {num(row.counted)} keping, "
        f"selisih {signed(variance)} keping.",
    ]
    if by_serial:
        paragraphs.append(
            f"Seri yang tercatat di buku tetapi tidak ditemukan: {num(sum(r[2] for r in missing))} "
            f"keping; seri yang ditemukan tetapi tidak tercatat di "
            f"{'buku kantor' if office_wide else 'lokasi ini'}: "
            f"{num(sum(r[2] for r in unexpected))} keping, sebagaimana rincian terlampir."
        )
    paragraphs.append(CLOSING)
    tables = []
    if office_wide:
        tables.append(
            Table(
                "Per lokasi",
                [
                    Column("Lokasi", weight=2),
                    Column("Buku", "int", total=True),
                    Column("Terhitung", "int", total=True),
                    Column("Selisih", "int", total=True),
                ],
                [[names[p.location_id], p.book, p.counted, p.counted - p.book] for p in parts],
                sheet="Per lokasi",
            )
        )
    if by_serial:
        tables += [
            Table(
                "Seri tercatat di buku, tidak ditemukan",
                RANGE_COLUMNS,
                missing,
                sheet="Tidak ditemukan",
            ),
            Table(
                "Seri ditemukan, tidak tercatat di lokasi ini",
                RANGE_COLUMNS,
                unexpected,
                sheet="Tidak tercatat",
            ),
        ]
    if posted:
        tables.append(
            Table(
                "Entri penyesuaian di buku besar",
                [
                    Column("Entri", "int", weight=0.8),
                    Column("Tanggal", "date", weight=1.8),
                    Column("Jenis", weight=2.4),
                    Column("Nomor seri", "serial", weight=3),
                    Column("Keping", "int", weight=1),
                ],
                [
                    [
                        e.seq,
                        e.effective_date,
                        KIND_LABEL_ID.get(Kind(e.kind), e.kind),
                        e.serials,
                        e.quantity,
                    ]
                    for e in posted
                ],
                sheet="Penyesuaian",
            )
        )
    return new_report(
        head,
        name="count",
        title="BERITA ACARA STOCK OPNAME BLANGKO KTP-EL",
        subtitle=f"Nomor {row.id} — lokasi {location}",
        filename_stem=f"berita-acara-stock-opname-{row.id}",
        facts=facts,
        paragraphs=paragraphs,
        tables=tables,
        checks=[
            f"Terhitung {num(row.counted)} - buku {num(row.book)} = selisih {signed(variance)}"
            + (
                f" = tidak tercatat {num(sum(r[2] for r in unexpected))} - tidak ditemukan "
                f"{num(sum(r[2] for r in missing))}."
                if by_serial
                else "."
            )
        ],
        issued_on=row.count_date,
        signatures=[
            Signature("Petugas Penghitung", row.actor, "NIP"),
            Signature("Pengelola Blangko", None, "NIP"),
            head_signature(head, caption="Mengetahui,"),
        ],
        data={
            "count_id": row.id,
            "book": row.book,
            "counted": row.counted,
            "variance": variance,
            "missing": sum(r[2] for r in missing),
            "unexpected": sum(r[2] for r in unexpected),
        },
    )
