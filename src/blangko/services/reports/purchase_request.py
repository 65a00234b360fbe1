"""Nota dinas permintaan pita dan film: the consumables the office asks the regency's budget
office for (ribbons and retransfer films come from the regency's own budget; FIELD.md,
"Printing"), with the figures behind each line: what is left in prints, when printing stops
for want of it, the quantity that covers the next 120 days, the lead time and the last day
the request can go out. Every figure comes from the one stored "what stops printing first"
(services.figures.supply_limits_stored), as the dashboard and `forecast stops` show it. The
request letter for blanks to the directorate stays as it is (request_letter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.reports.model import Column, Report, Table
from blangko.domain.errors import DomainError
from blangko.domain.limits import MAX_NAME, check_date, check_text
from blangko.domain.supply_limits import ROUTE_REGENCY
from blangko.domain.text import N_, Msg
from blangko.formatting import num, tanggal
from blangko.services import figures
from blangko.services.admin.office import read_head
from blangko.services.context import Context
from blangko.services.reports.letterhead import head_signature, new_report


def build(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """The nota dinas for the ribbons and films to request (the regency budget's route)."""
    day = check_date(as_of or ctx.today(), "as_of")
    if address:
        check_text(address, "address", limit=MAX_NAME)
    with ctx.read() as conn:
        head = read_head(conn, office, address)
    stored = figures.supply_limits_stored(ctx, head.code, day)
    if stored is None:
        raise DomainError(
            "no_consumables",
            "item",
            Msg("Kantor ini belum mencatat pita, film atau printer: tidak ada yang dapat diminta."),
        )
    sl: dict[str, Any] = stored.value
    lines = [
        lim for lim in sl["limits"] if lim["route"] == ROUTE_REGENCY and lim["item"] is not None
    ]
    rows = [
        [
            lim["name"],
            lim["request_units"],
            lim["unit"],
            date.fromisoformat(lim["stops_on"]) if lim["stops_on"] else N_("> 120 hari"),
            lim["lead_time_days"],
            date.fromisoformat(lim["request_by"]) if lim["request_by"] else "-",
        ]
        for lim in lines
    ]
    table = Table(
        N_("Barang yang dimohon"),
        [
            Column(N_("Barang"), weight=2.6),
            Column(N_("Jumlah"), "int", total=True, weight=1),
            Column(N_("Satuan"), weight=1),
            Column(N_("Cetak berhenti (median)"), weight=1.8),
            Column(N_("Waktu tunggu (hari)"), "int", weight=1.2),
            Column(N_("Kirim paling lambat"), weight=1.6),
        ],
        rows,
        sheet=N_("Barang"),
        empty_text=N_("Tidak ada pita atau film tercatat."),
        note=N_(
            "Jumlah menutup kebutuhan cetak 120 hari ke depan pada tingkat layanan perkiraan, dikurangi sisa di gudang dan di printer (dalam jumlah cetak)."
        ),
    )
    binding = sl["binding"]
    total = sum(int(lim["request_units"]) for lim in lines)
    first_stop = (
        Msg(
            "Yang menghentikan cetak lebih dulu adalah {what}, sekitar {day}.",
            what=binding["name"] if binding["item"] else N_("kapasitas printer"),
            day=tanggal(binding["stops_on"]),
        )
        if binding["stops_on"]
        else N_("Dalam 120 hari ke depan tidak ada yang diperkirakan menghentikan cetak.")
    )
    regency = head.regency or head.name
    paragraphs = [
        N_("Kepada Yth."),
        Msg("Kepala Badan Keuangan dan Aset Daerah {regency}", regency=regency),
        Msg(
            "Bersama ini kami mohon penyediaan bahan habis pakai pencetakan KTP-el pada {name} sebanyak {total} ({total2}) unit dengan rincian terlampir, untuk menjaga pelayanan pencetakan KTP-el selama 120 hari ke depan terhitung {day}.",
            name=head.name,
            total=num(total),
            total2=terbilang(total),
            day=tanggal(day),
        ),
        first_stop,
        N_("Demikian nota dinas ini kami sampaikan untuk dapat diproses."),
    ]
    return new_report(
        head,
        name="purchase",
        title=N_("NOTA DINAS PERMINTAAN PITA DAN FILM PRINTER KTP-EL"),
        filename_stem=f"nota-dinas-pita-film-{day.isoformat()}",
        facts=[
            (N_("Nomor"), Msg("027/ ....... /Disdukcapil/{year}", year=day.year)),
            (N_("Sifat"), N_("Segera")),
            (N_("Lampiran"), N_("1 (satu) berkas")),
            (N_("Perihal"), N_("Permintaan pita dan film printer KTP-el")),
            (N_("Jumlah dimohon (unit)"), total),
        ],
        paragraphs=paragraphs,
        tables=[table],
        issued_on=day,
        signatures=[head_signature(head, caption=N_("Hormat kami,"))],
        data={"as_of": day.isoformat(), "total_units": total, "lines": lines, "binding": binding},
    )
