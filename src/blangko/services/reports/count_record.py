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
from blangko.domain.text import N_, Msg
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
        N_("seluruh kantor (") + ", ".join(names[p.location_id] for p in parts) + ")"
        if office_wide
        else names.get(row.location_id, str(row.location_id))
    )
    variance = row.counted - row.book
    missing = range_rows(row.missing) if row.missing else []
    unexpected = range_rows(row.unexpected) if row.unexpected else []
    by_serial = row.mode != "quantity"
    how = {"serials": N_("pindai nomor seri"), "quantity": N_("jumlah keping saja")}
    status = {
        "open": N_("belum diposting"),
        "posted": N_("sudah diposting ke buku besar"),
        "superseded": Msg(
            "digantikan oleh stock opname #{superseded_by}; tidak diposting",
            superseded_by=row.superseded_by,
        ),
        "voided": Msg(
            "dibatalkan ({voided_by}): {void_reason}",
            voided_by=row.voided_by,
            void_reason=row.void_reason,
        ),
    }
    facts: list[tuple[str, Any]] = [
        (N_("Nomor stock opname"), row.id),
        (N_("Lokasi"), location),
        (N_("Tanggal penghitungan"), row.count_date),
        (N_("Cara penghitungan"), how.get(row.mode, "pindai nomor seri dan jumlah keping")),
        (N_("Menurut buku (keping)"), row.book),
        (N_("Terhitung fisik (keping)"), row.counted),
        (N_("Selisih (keping)"), variance),
        (N_("Status"), status.get(row.status, row.status)),
    ]
    if row.post_reason:
        facts.append((N_("Penjelasan selisih"), row.post_reason))
    paragraphs: list[str] = [
        Msg(
            "{count_date}, telah dilakukan penghitungan fisik (stock opname) blangko KTP-el di {nilai}'{location}' pada {name}, dengan hasil: menurut buku {book} keping, terhitung {counted} keping, selisih {variance} keping.",
            count_date=opening(row.count_date),
            nilai="" if office_wide else "lokasi ",
            location=location,
            name=head.name,
            book=num(row.book),
            counted=num(row.counted),
            variance=signed(variance),
        ),
    ]
    if by_serial:
        paragraphs.append(
            Msg(
                "Seri yang tercatat di buku tetapi tidak ditemukan: {nilai} keping; seri yang ditemukan tetapi tidak tercatat di {where_label}: {nilai3} keping, sebagaimana rincian terlampir.",
                nilai=num(sum(r[2] for r in missing)),
                where_label=N_("buku kantor") if office_wide else N_("lokasi ini"),
                nilai3=num(sum(r[2] for r in unexpected)),
            )
        )
    paragraphs.append(CLOSING)
    tables = []
    if office_wide:
        tables.append(
            Table(
                N_("Per lokasi"),
                [
                    Column(N_("Lokasi"), weight=2),
                    Column(N_("Buku"), "int", total=True),
                    Column(N_("Terhitung"), "int", total=True),
                    Column(N_("Selisih"), "int", total=True),
                ],
                [[names[p.location_id], p.book, p.counted, p.counted - p.book] for p in parts],
                sheet=N_("Per lokasi"),
            )
        )
    if by_serial:
        tables += [
            Table(
                N_("Seri tercatat di buku, tidak ditemukan"),
                RANGE_COLUMNS,
                missing,
                sheet=N_("Tidak ditemukan"),
            ),
            Table(
                N_("Seri ditemukan, tidak tercatat di lokasi ini"),
                RANGE_COLUMNS,
                unexpected,
                sheet=N_("Tidak tercatat"),
            ),
        ]
    if posted:
        tables.append(
            Table(
                N_("Entri penyesuaian di buku besar"),
                [
                    Column(N_("Entri"), "int", weight=0.8),
                    Column(N_("Tanggal"), "date", weight=1.8),
                    Column(N_("Jenis"), weight=2.4),
                    Column(N_("Nomor seri"), "serial", weight=3),
                    Column(N_("Keping"), "int", weight=1),
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
                sheet=N_("Penyesuaian"),
            )
        )
    return new_report(
        head,
        name="count",
        title=N_("BERITA ACARA STOCK OPNAME BLANGKO KTP-EL"),
        subtitle=Msg("Nomor {id} — lokasi {location}", id=row.id, location=location),
        filename_stem=f"berita-acara-stock-opname-{row.id}",
        facts=facts,
        paragraphs=paragraphs,
        tables=tables,
        checks=[
            Msg(
                "Terhitung {counted} - buku {book} = selisih {variance}",
                counted=num(row.counted),
                book=num(row.book),
                variance=signed(variance),
            )
            + (
                Msg(
                    " = tidak tercatat {nilai} - tidak ditemukan {nilai2}.",
                    nilai=num(sum(r[2] for r in unexpected)),
                    nilai2=num(sum(r[2] for r in missing)),
                )
                if by_serial
                else "."
            )
        ],
        issued_on=row.count_date,
        signatures=[
            Signature(N_("Petugas Penghitung"), row.actor, N_("NIP")),
            Signature(N_("Pengelola Blangko"), None, N_("NIP")),
            head_signature(head, caption=N_("Mengetahui,")),
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
