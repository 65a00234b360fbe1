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
from blangko.domain.text import N_, Msg
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
    name_col = [Column(N_("Nama pemilik"), weight=2.2)] if reveal else []
    rows: list[list[Any]] = [
        [
            k,
            c["id"],
            *([c["nama"] or "-"] if reveal else []),
            c["nik"],
            c["card_serial"] or N_("tidak terbaca"),
            label(REASON_LABEL_ID, c["reason"]),
            date.fromisoformat(c["received_on"]),
        ]
        for k, c in enumerate(found["items"], start=1)
    ]
    witnesses = d["witnesses"]
    paragraphs = [
        Msg(
            "{when}, bertempat di {place}, telah dilakukan pemusnahan KTP-el rusak "
            "dan tidak berlaku yang diserahkan penduduk kepada {name} sejumlah {n} "
            "({n_words}) keping dengan cara {method_label}, sebagaimana tercantum dalam "
            "daftar di bawah ini, disaksikan oleh {witnesses}, berdasarkan {circular}.",
            when=opening(day),
            place=d["place"],
            name=head.name,
            n=num(n),
            n_words=terbilang(n),
            method_label=d["method_label"],
            witnesses=", ".join(witnesses),
            circular=CIRCULAR,
        ),
        CLOSING,
    ]
    if not reveal:
        paragraphs.insert(
            1,
            N_(
                "NIK pemilik disamarkan dan nama tidak dicantumkan pada salinan ini; salinan "
                "lengkap hanya untuk petugas yang berwenang melihat data pribadi."
            ),
        )
    return new_report(
        head,
        name="handed_in_destruction",
        title=N_("BERITA ACARA PEMUSNAHAN KTP-EL RUSAK DAN TIDAK BERLAKU"),
        subtitle=Msg("Pemusnahan nomor {number}", number=d["id"]),
        filename_stem=f"berita-acara-pemusnahan-ktp-lama-{d['id']}",
        facts=[
            (N_("Tanggal pemusnahan"), day),
            (N_("Tempat"), d["place"]),
            (N_("Cara pemusnahan"), d["method_label"]),
            (N_("Jumlah kartu (keping)"), n),
            (N_("Saksi"), ", ".join(witnesses)),
            (N_("Dasar"), CIRCULAR),
        ],
        paragraphs=paragraphs,
        tables=[
            Table(
                N_("Rekap menurut alasan penyerahan"),
                [
                    Column(N_("Alasan"), weight=4),
                    Column(N_("Keping"), "int", total=True, weight=1.2),
                ],
                [[label(REASON_LABEL_ID, r), by_reason[r]] for r in in_order(by_reason, REASONS)],
                sheet=N_("Rekap alasan"),
            ),
            Table(
                N_("Daftar KTP-el yang dimusnahkan"),
                [
                    Column(N_("No"), "int", weight=0.6),
                    Column(N_("No. register"), "int", weight=1),
                    *name_col,
                    Column(N_("NIK pemilik"), "serial", weight=2.2),
                    Column(N_("Nomor seri kartu"), "serial", weight=1.6),
                    Column(N_("Alasan"), weight=2),
                    Column(N_("Diterima"), "date", weight=1.6),
                ],
                rows,
                sheet=N_("Daftar kartu"),
            ),
        ],
        checks=[f"{num(n)} keping dimusnahkan = {num(len(rows))} baris daftar."],
        issued_on=day,
        signatures=destruction_signatures(head, witnesses, keeper=N_("Penyimpan Kartu")),
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
        title=N_("REKAPITULASI KTP-EL RUSAK DAN TIDAK BERLAKU"),
        subtitle=Msg("Bulan {month}", month=month_name(first)),
        filename_stem=f"rekap-ktp-lama-{key}",
        facts=[
            (N_("Periode"), Msg("{first} s.d. {last}", first=tanggal(first), last=tanggal(last))),
            (N_("Tersimpan awal bulan (keping)"), r["held_at_start"]),
            (N_("Diterima bulan ini (keping)"), r["received"]),
            (N_("Dimusnahkan bulan ini (keping)"), r["destroyed"]),
            (N_("Tersimpan akhir bulan (keping)"), r["held_at_end"]),
            (N_("Dasar"), CIRCULAR),
        ],
        paragraphs=[
            Msg(
                "Rekapitulasi KTP-el rusak dan tidak berlaku yang diserahkan penduduk kepada "
                "{name} dan yang dimusnahkan selama bulan {month}, untuk "
                "dilaporkan kepada Dinas Dukcapil Provinsi dan Ditjen Dukcapil Kemendagri.",
                name=head.name,
                month=month_name(first),
            ),
        ],
        tables=[
            Table(
                N_("Diterima menurut alasan penyerahan"),
                [
                    Column(N_("Alasan"), weight=4),
                    Column(N_("Keping"), "int", total=True, weight=1.2),
                ],
                [[label(REASON_LABEL_ID, k), v] for k, v in r["received_by_reason"].items()],
                sheet=N_("Diterima"),
            ),
            Table(
                N_("Pemusnahan"),
                [
                    Column(N_("Tanggal"), "date", weight=1.6),
                    Column(N_("Nomor"), "int", weight=0.8),
                    Column(N_("Tempat"), weight=2),
                    Column(N_("Cara"), weight=1.3),
                    Column(N_("Saksi"), weight=2.6),
                    Column(N_("Keping"), "int", total=True, weight=1),
                ],
                destructions,
                sheet=N_("Pemusnahan"),
                empty_text=N_("Tidak ada pemusnahan pada bulan ini."),
            ),
            Table(
                N_("Penghitungan kartu tersimpan"),
                [
                    Column(N_("Tanggal"), "date", weight=1.6),
                    Column(N_("Menurut register"), "int", weight=1.4),
                    Column(N_("Terhitung"), "int", weight=1.2),
                    Column(N_("Selisih"), "int", weight=1),
                ],
                counts,
                sheet=N_("Penghitungan"),
                empty_text=N_("Tidak ada penghitungan pada bulan ini."),
            ),
        ],
        checks=[
            Msg(
                "{start} tersimpan awal + {received} diterima - {destroyed} dimusnahkan = "
                "{end} tersimpan akhir{mismatch_label}.",
                start=num(r["held_at_start"]),
                received=num(r["received"]),
                destroyed=num(r["destroyed"]),
                end=num(r["held_at_end"]),
                mismatch_label="" if r["reconciled"] else N_(" (TIDAK COCOK: periksa register)"),
            )
        ],
        issued_on=min(last, ctx.today()),
        signatures=[
            Signature(N_("Penyimpan Kartu"), None, N_("NIP")),
            head_signature(head),
        ],
        data={
            "month": key,
            "received": r["received"],
            "destroyed": r["destroyed"],
            "held_at_end": r["held_at_end"],
        },
    )
