"""Berita acara serah terima: the handover of one receipt (or return) of blank cards, with
its serial ranges, from the ledger entry that recorded it. One read transaction."""

from __future__ import annotations

from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.reports.model import Report, Signature, Table
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.ledger import KIND_LABEL_ID, Kind
from blangko.domain.text import N_, Msg
from blangko.formatting import num
from blangko.services.context import Context, location_names
from blangko.services.reports.letterhead import (
    RANGE_COLUMNS,
    new_report,
    opening,
    range_rows,
    report_read,
)


def build(
    ctx: Context, *, seq: int, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara serah terima for one receive (or return) entry."""
    with report_read(ctx, office, address) as (conn, head):
        e = repo.entry_by_seq(conn, head.code, seq)
        if e is None:
            raise NotFound("unknown_entry", "seq", Msg("Entri ledger #{seq} tidak ada.", seq=seq))
        if e.kind not in (Kind.RECEIVE.value, Kind.SHIP_IN.value, Kind.RETURN.value):
            raise DomainError(
                "not_a_handover",
                "seq",
                Msg(
                    "Entri #{seq} adalah {nilai}: berita acara serah terima hanya untuk penerimaan atau pengembalian blangko.",
                    seq=seq,
                    nilai=KIND_LABEL_ID.get(Kind(e.kind), e.kind),
                ),
            )
        names = location_names(conn, head.code)
        # A shipment of the network booked in: its sender is an office of this database.
        sender = (
            admin_repo.office_name(conn, e.party)
            if e.kind == Kind.SHIP_IN.value and e.party and admin_repo.office_exists(conn, e.party)
            else e.party
        )
    incoming = e.kind in (Kind.RECEIVE.value, Kind.SHIP_IN.value)
    giver, receiver = (sender, head.name) if incoming else (head.name, e.party)
    location = names.get(e.to_location if incoming else e.from_location, "")
    rows = range_rows(e.serials)
    qty = int(e.quantity)
    if sum(r[2] for r in rows) != qty:
        raise AssertionError("receipt: ranges do not add up to the entry's quantity")
    return new_report(
        head,
        name="receipt",
        title=N_("BERITA ACARA SERAH TERIMA BLANGKO KTP-EL"),
        subtitle=Msg("Nomor {document}", document=e.document),
        filename_stem=f"berita-acara-serah-terima-{seq}",
        facts=[
            (N_("Nomor berita acara"), e.document),
            (N_("Tanggal serah terima"), e.effective_date),
            (N_("Pihak Pertama (yang menyerahkan)"), giver),
            (N_("Pihak Kedua (yang menerima)"), receiver),
            (N_("Lokasi penyimpanan") if incoming else N_("Diambil dari lokasi"), location),
            (N_("Jumlah (keping)"), qty),
            (
                N_("Entri buku besar"),
                Msg(
                    "#{seq}, dicatat oleh {actor}, hash {hash}…",
                    seq=e.seq,
                    actor=e.actor,
                    hash=e.hash[:16],
                ),
            ),
        ],
        paragraphs=[
            Msg(
                "{effective_date}, Pihak Pertama, {giver}, menyerahkan kepada Pihak Kedua, {receiver}, blangko KTP-el sejumlah {qty} ({qty2}) keping dengan nomor seri sebagaimana tercantum dalam daftar di bawah ini, dan Pihak Kedua telah menerimanya dalam keadaan baik dan lengkap.",
                effective_date=opening(e.effective_date),
                giver=giver,
                receiver=receiver,
                qty=num(qty),
                qty2=terbilang(qty),
            ),
            N_(
                "Demikian berita acara ini dibuat dalam rangkap secukupnya untuk dipergunakan sebagaimana mestinya."
            ),
        ]
        + ([Msg("Catatan: {note}", note=e.note)] if e.note else []),
        tables=[Table(N_("Daftar nomor seri"), RANGE_COLUMNS, rows, sheet=N_("Nomor seri"))],
        checks=[
            Msg(
                "Jumlah keping seluruh rentang = {qty} = jumlah pada entri #{seq}.",
                qty=num(qty),
                seq=e.seq,
            )
        ],
        issued_on=e.effective_date,
        signatures=[
            Signature(N_("Pihak Pertama, yang menyerahkan"), None, giver),
            Signature(N_("Pihak Kedua, yang menerima"), None, receiver),
        ],
        data={"seq": e.seq, "quantity": qty, "document": e.document, "party": e.party},
    )
