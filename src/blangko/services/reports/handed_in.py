"""Handed-in cards (kartu KTP-el lama): the berita acara of one destruction, listing every
card destroyed by owner (name and NIK only when ``reveal``; masked and nameless otherwise),
and the monthly recap for the province and the directorate (no personal data).

SE Mendagri 470.13/11176/SJ (13 December 2018): damaged and invalid cards are recorded,
destroyed by burning, with a berita acara for every destruction. The layout (opening,
closing, the witnesses' signatures) is the one of the blank destruction's berita acara
(services.reports.letterhead). One read transaction each; a revealed read is logged."""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.reports.model import Column, Report, Signature, Table
from blangko.domain.handed_in import CIRCULAR, REASON_LABEL_ID, REASONS
from blangko.formatting import month_bounds, num, tanggal
from blangko.services import handed_in
from blangko.services.context import Context
from blangko.services.reports.letterhead import (
    CLOSING,
    destruction_signatures,
    head_signature,
    in_order,
    label,
    month_name,
    new_report,
    opening,
    report_read,
)


def build_destruction(
    ctx: Context,
    *,
    destruction_id: int,
    reveal: bool = False,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Berita acara pemusnahan KTP-el rusak/tidak berlaku: one destruction, card by card."""
    with report_read(ctx, office, address) as (conn, head):
        found = handed_in.read_destruction(conn, head.code, destruction_id, reveal)
    handed_in.note_destruction_read(ctx, found)
    d = found["destruction"]
    day = date.fromisoformat(d["destroyed_on"])
    n = d["cards"]
    by_reason: dict[str, int] = {}
    for c in found["items"]:
        by_reason[c["reason"]] = by_reason.get(c["reason"], 0) + 1
    name_col = [Column("Nama pemilik", weight=2.2)] if reveal else []
    rows: list[list[Any]] = [
        [
            k,
            c["id"],
            *([c["nama"] or "-"] if reveal else []),
            c["nik"],
            c["card_serial"] or "tidak terbaca",
            label(REASON_LABEL_ID, c["reason"]),
            date.fromisoformat(c["received_on"]),
        ]
        for k, c in enumerate(found["items"], start=1)
    ]
    witnesses = d["witnesses"]
    paragraphs = [
        f"{opening(day)}, bertempat di {d['place']}, telah dilakukan pemusnahan KTP-el rusak "
        f"dan tidak berlaku yang diserahkan penduduk kepada {head.name} sejumlah {num(n)} "
        f"({terbilang(n)}) keping dengan cara {d['method_label']}, sebagaimana tercantum dalam "
        f"daftar di bawah ini, disaksikan oleh {', '.join(witnesses)}, berdasarkan {CIRCULAR}.",
        CLOSING,
    ]
    if not reveal:
        paragraphs.insert(
            1,
            "NIK pemilik disamarkan dan nama tidak dicantumkan pada salinan ini; salinan "
            "lengkap hanya untuk petugas yang berwenang melihat data pribadi.",
        )
    return new_report(
        head,
        name="handed_in_destruction",
        title="BERITA ACARA PEMUSNAHAN KTP-EL RUSAK DAN TIDAK BERLAKU",
        subtitle=f"Pemusnahan nomor {d['id']}",
        filename_stem=f"berita-acara-pemusnahan-ktp-lama-{d['id']}",
        facts=[
            ("Tanggal pemusnahan", day),
            ("Tempat", d["place"]),
            ("Cara pemusnahan", d["method_label"]),
            ("Jumlah kartu (keping)", n),
            ("Saksi", ", ".join(witnesses)),
            ("Dasar", CIRCULAR),
        ],
        paragraphs=paragraphs,
        tables=[
            Table(
                "Rekap menurut alasan penyerahan",
                [Column("Alasan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
                [[label(REASON_LABEL_ID, r), by_reason[r]] for r in in_order(by_reason, REASONS)],
                sheet="Rekap alasan",
            ),
            Table(
                "Daftar KTP-el yang dimusnahkan",
                [
                    Column("No", "int", weight=0.6),
                    Column("No. register", "int", weight=1),
                    *name_col,
                    Column("NIK pemilik", "serial", weight=2.2),
                    Column("Nomor seri kartu", "serial", weight=1.6),
                    Column("Alasan", weight=2),
                    Column("Diterima", "date", weight=1.6),
                ],
                rows,
                sheet="Daftar kartu",
            ),
        ],
        checks=[f"{num(n)} keping dimusnahkan = {num(len(rows))} baris daftar."],
        issued_on=day,
        signatures=destruction_signatures(head, witnesses, keeper="Penyimpan Kartu"),
        data={"destruction_id": d["id"], "cards": n, "revealed": reveal},
    )


def build_recap(
    ctx: Context, *, month: str, office: str | None = None, address: str | None = None
) -> Report:
    """Rekapitulasi bulanan KTP-el rusak/tidak berlaku yang diserahkan dan dimusnahkan, for
    the province and the directorate."""
    first, last = month_bounds(month)
    with report_read(ctx, office, address) as (conn, head):
        r = handed_in.read_recap(conn, head.code, first, last)
    key = r["month"]
    destructions = [
        [
            date.fromisoformat(d["destroyed_on"]),
            d["id"],
            d["place"],
            d["method_label"],
            ", ".join(d["witnesses"]),
            d["cards"],
        ]
        for d in r["destructions"]
    ]
    counts = [
        [date.fromisoformat(c["counted_on"]), c["expected"], c["counted"], c["variance"]]
        for c in r["counts"]
    ]
    return new_report(
        head,
        name="handed_in_recap",
        title="REKAPITULASI KTP-EL RUSAK DAN TIDAK BERLAKU",
        subtitle=f"Bulan {month_name(first)}",
        filename_stem=f"rekap-ktp-lama-{key}",
        facts=[
            ("Periode", f"{tanggal(first)} s.d. {tanggal(last)}"),
            ("Tersimpan awal bulan (keping)", r["held_at_start"]),
            ("Diterima bulan ini (keping)", r["received"]),
            ("Dimusnahkan bulan ini (keping)", r["destroyed"]),
            ("Tersimpan akhir bulan (keping)", r["held_at_end"]),
            ("Dasar", CIRCULAR),
        ],
        paragraphs=[
            f"Rekapitulasi KTP-el rusak dan tidak berlaku yang diserahkan penduduk kepada "
            f"{head.name} dan yang dimusnahkan selama bulan {month_name(first)}, untuk "
            "dilaporkan kepada Dinas Dukcapil Provinsi dan Ditjen Dukcapil Kemendagri.",
        ],
        tables=[
            Table(
                "Diterima menurut alasan penyerahan",
                [Column("Alasan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
                [[label(REASON_LABEL_ID, k), v] for k, v in r["received_by_reason"].items()],
                sheet="Diterima",
            ),
            Table(
                "Pemusnahan",
                [
                    Column("Tanggal", "date", weight=1.6),
                    Column("Nomor", "int", weight=0.8),
                    Column("Tempat", weight=2),
                    Column("Cara", weight=1.3),
                    Column("Saksi", weight=2.6),
                    Column("Keping", "int", total=True, weight=1),
                ],
                destructions,
                sheet="Pemusnahan",
                empty_text="Tidak ada pemusnahan pada bulan ini.",
            ),
            Table(
                "Penghitungan kartu tersimpan",
                [
                    Column("Tanggal", "date", weight=1.6),
                    Column("Menurut register", "int", weight=1.4),
                    Column("Terhitung", "int", weight=1.2),
                    Column("Selisih", "int", weight=1),
                ],
                counts,
                sheet="Penghitungan",
                empty_text="Tidak ada penghitungan pada bulan ini.",
            ),
        ],
        checks=[
            f"{num(r['held_at_start'])} tersimpan awal + {num(r['received'])} diterima - "
            f"{num(r['destroyed'])} dimusnahkan = {num(r['held_at_end'])} tersimpan akhir"
            + ("" if r["reconciled"] else " (TIDAK COCOK: periksa register)")
            + "."
        ],
        issued_on=min(last, ctx.today()),
        signatures=[
            Signature("Penyimpan Kartu", None, "NIP"),
            head_signature(head),
        ],
        data={
            "month": key,
            "received": r["received"],
            "destroyed": r["destroyed"],
            "held_at_end": r["held_at_end"],
        },
    )
