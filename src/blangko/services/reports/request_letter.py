"""Surat permohonan blangko: the quantity asked for, with each part of it quantified, the
stock and risk behind it and the events ahead.

The quantity is the head's (``quantity``), or the forecast's recommendation when none is
given; asking for more than recommended, or for anything when the recommendation is 0, needs
a reason, which the letter states (domain.stock_policy.requested_quantity). Every figure
comes from the one forecast every surface reads (services.figures.forecast_for): its
reasons add up to the recommendation, and the head's change is one more row, so the
attachment always adds up to the quantity asked for.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.reports.model import Column, Percent, Report, Table
from blangko.domain import stock_policy as sp
from blangko.domain.limits import MAX_NAME, MAX_NOTE, check_date, check_text
from blangko.formatting import num, pct, tanggal
from blangko.services import figures
from blangko.services import forecast as fs
from blangko.services.admin.office import read_head
from blangko.services.context import Context
from blangko.services.reports.letterhead import head_signature, new_report

REQUEST_ADDRESSEE = [
    "Kepada Yth.",
    "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri",
    "di Jakarta",
]
HEAD_REASON = "Ditetapkan kepala dinas"


def recommendation(
    ctx: Context, *, as_of: date | None = None, office: str | None = None
) -> dict[str, Any]:
    """What the request form shows beside the quantity: the forecast's recommendation with its
    reasons, the stock, the days of cover and the risk, from the one stored forecast."""
    f = figures.forecast_for(ctx, office, as_of)
    return {
        "as_of": f["as_of"],
        "on_hand": f["on_hand"],
        "days_of_cover": figures.cover_of(f),
        "stockout_probability_before_next_delivery": f["stockout_probability_before_next_delivery"],
        "recommended_request": f["recommended_request"],
        "events": f["events"],
    }


def build(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    address: str | None = None,
    quantity: int | None = None,
    reason: str | None = None,
) -> Report:
    """Surat permohonan blangko for ``quantity`` blanks (default: the recommendation), with
    each part of it quantified (usual use over the review period plus lead time, events, the
    print queue, the reserve for the service level, less the stock on hand, and the head's
    change with its reason)."""
    day = check_date(as_of or ctx.today(), "as_of")
    for field, text, limit in (("reason", reason, MAX_NOTE), ("address", address, MAX_NAME)):
        if text:
            check_text(text, field, limit=limit, multiline=field == "reason")
    with ctx.read() as conn:
        head = read_head(conn, office, address)
    f = figures.forecast_for(ctx, head.code, day)
    queue = f["backlog"]["to_print"]
    # The queue reason: applications recorded or print-ready (forecast.QUEUE_REASON).
    in_queue = f["backlog"]["recorded"] + f["backlog"]["to_print"]
    take_up = f["demand_parts"]["take_up"]["backlog_rate"]
    rec = f["recommended_request"]
    recommended = int(rec["quantity"])
    qty = sp.requested_quantity(quantity, recommended, reason)
    why = (reason or "").strip()
    cover = f["days_of_cover"]
    more = " atau lebih" if cover["beyond_horizon"] else ""

    # The reasons add up to the recommendation (forecast._reasons); the head's change is one
    # more row, so the attachment adds up to the quantity asked for.
    event_names = {e["name"]: e for e in f["events"]}
    reserve_prefix = "Cadangan untuk tingkat layanan"
    reason_rows: list[list[Any]] = []
    for i, r in enumerate(rec["reasons"]):
        if i == 0:
            note = "rata-rata simulasi pemakaian harian (hari buka saja)"
        elif r["reason"] in event_names:
            b = event_names[r["reason"]]["blanks"]
            note = (
                f"acara {tanggal(date.fromisoformat(event_names[r['reason']]['date']))}; "
                f"perkiraan {num(b['low'])}–{num(b['high'])} keping, bagian dalam periode ini"
            )
        elif r["reason"] == fs.QUEUE_REASON:
            note = f"{num(in_queue)} permohonan direkam atau siap cetak"
        elif r["reason"].startswith(fs.PRR_REASON):
            note = (
                f"sudah rekam, belum dicetak; laju datang {pct(take_up['rate'])} per hari buka "
                f"({pct(take_up['p05'])}–{pct(take_up['p95'])}), dari riwayat registri"
            )
        elif r["reason"] == fs.RECORDINGS_REASON:
            note = "perkiraan perekaman baru yang datang mencetak"
        elif r["reason"] == fs.STOCK_REASON:
            note = "persediaan per tanggal surat, dikurangkan"
        elif r["reason"].startswith(reserve_prefix):
            note = f"agar peluang kehabisan stok paling tinggi {pct(1 - rec['service_level'])}"
        elif r["reason"] == fs.SURPLUS_REASON:
            note = "perkiraan tidak menyarankan permintaan (usulan 0 keping)"
        else:
            note = ""
        reason_rows.append([r["reason"], r["quantity"], note])
    if qty != recommended:
        reason_rows.append(
            [
                HEAD_REASON,
                qty - recommended,
                (f"{why}; " if why else "")
                + f"usulan perkiraan {num(recommended)} keping, dimohon {num(qty)} keping",
            ]
        )
    reasons_table = Table(
        "Lampiran: dasar perhitungan jumlah permohonan",
        [
            Column("Uraian", weight=3.4),
            Column("Keping", "int", total=True, weight=1),
            Column("Keterangan", weight=3),
        ],
        reason_rows,
        sheet="Dasar perhitungan",
        totals_label="Jumlah yang dimohon",
        note="Keping per uraian adalah nilai harapan dari "
        f"{num(f['model']['paths'])} jalur simulasi kebutuhan; cadangan menutup selisih "
        "antara jumlahnya dan kebutuhan pada tingkat layanan.",
    )
    if reasons_table.totals()[1] != qty:
        raise AssertionError("request letter: reasons do not add up to the requested quantity")
    if sum(r["quantity"] for r in rec["reasons"]) != recommended:
        raise AssertionError("request letter: the forecast's reasons do not add up")

    nd = f["next_delivery"]
    comp = f["comparison"]
    covers_until = date.fromisoformat(rec["covers_until"])
    horizon_end = day + timedelta(days=f["horizon_days"])
    until_more = "sedikitnya " if covers_until >= horizon_end else ""
    mos = comp["months_of_stock"]
    state_rows: list[list[Any]] = [
        ["Persediaan di tangan", f["on_hand"], "keping"],
        ["Cukup untuk (median)", cover["p50"], f"hari{more}"],
        ["Cukup untuk (keyakinan 90 %)", cover["p90"], f"hari{more}"],
        ["Antrean cetak (permohonan siap cetak)", queue, "orang"],
        [
            "Penduduk PRR di registri (sudah rekam, belum dicetak)",
            f["backlog"]["registry_prr"],
            "orang",
        ],
        ["Waktu tunggu kiriman (median)", nd["lead_time_days"], "hari"],
        ["Waktu tunggu kiriman (90 %)", nd["lead_time_p90_days"], "hari"],
        [
            "Perkiraan kiriman tiba bila diminta hari ini",
            date.fromisoformat(nd["expected_date"]),
            "",
        ],
        [
            "Peluang kehabisan stok sebelum kiriman tiba",
            Percent(f["stockout_probability_before_next_delivery"]),
            "tanpa permohonan ini",
        ],
        ["Tingkat layanan yang dituju", Percent(rec["service_level"]), ""],
        ["Usulan permintaan menurut perkiraan", recommended, "keping"],
        ["Jumlah yang dimohon", qty, "keping"],
        ["Periode yang ditutup permohonan", rec["window_days"], "hari (tinjau + tunggu)"],
        ["Persediaan cukup sampai (median)", covers_until, "dengan usulan perkiraan"],
        [
            "Rata-rata pemakaian bulanan (gaya OpenLMIS)",
            # Whole cards: the sheet's number format shows no decimals.
            round(comp["average_monthly_consumption"]),
            f"keping/bulan ({num(comp['amc_period_days'])} hari terakhir)"
            + (f"; persediaan = {num(mos)} bulan pemakaian" if mos is not None else ""),
        ],
    ]
    state_table = Table(
        "Keadaan persediaan dan risiko",
        [Column("Uraian", weight=3.4), Column("Nilai", weight=1.4), Column("Satuan", weight=2.6)],
        state_rows,
        sheet="Keadaan persediaan",
        note=f"Model {f['model']['name']} dilatih pada {num(f['model']['fitted_on_days'])} hari "
        "buka; hari tutup (akhir pekan, libur nasional, penutupan layanan) dihitung nol.",
    )
    event_rows = [
        [
            e["name"],
            date.fromisoformat(e["date"]),
            e["blanks"]["low"],
            e["blanks"]["expected"],
            e["blanks"]["high"],
        ]
        for e in f["events"]
    ]
    events_table = Table(
        f"Acara dalam {num(f['horizon_days'])} hari ke depan",
        [
            Column("Acara", weight=3),
            Column("Tanggal", "date", weight=1.8),
            Column("Tambahan rendah", "int", weight=1.2),
            Column("Tambahan perkiraan", "int", total=True, weight=1.2),
            Column("Tambahan tinggi", "int", weight=1.2),
        ],
        event_rows,
        sheet="Acara",
        empty_text="Tidak ada acara tercatat.",
        note="Tambahan blangko dihitung dari penduduk desa-desa acara: yang belum rekam, yang "
        "berumur 17 tahun sebelum acara, dan yang sudah rekam tetapi belum dicetak.",
    )

    head_of = (
        f"Dinas Kependudukan dan Pencatatan Sipil {head.regency}" if head.regency else head.name
    )
    in_window = [r["reason"] for r in rec["reasons"] if r["reason"] in event_names]
    for r in rec["reasons"]:
        if r["reason"].startswith(fs.PRR_REASON) and r["quantity"]:
            in_window.append(f"{num(r['quantity'])} penduduk PRR yang diperkirakan datang mencetak")
    if any(r["reason"] == fs.QUEUE_REASON for r in rec["reasons"]):
        in_window.append(f"antrean cetak {num(in_queue)} permohonan")
    extra = f", termasuk tambahan kebutuhan karena {' dan '.join(in_window)}" if in_window else ""
    if qty == recommended:
        asking = (
            f"Sehubungan dengan hal tersebut, kami mengajukan permohonan blangko KTP-el sebanyak "
            f"{num(qty)} ({terbilang(qty)}) keping, untuk memenuhi kebutuhan pelayanan selama "
            f"{num(rec['window_days'])} hari ke depan (periode tinjau ditambah waktu tunggu "
            f"pengiriman) dengan tingkat layanan {pct(rec['service_level'])}{extra}. Dengan "
            f"tambahan tersebut persediaan diperkirakan cukup sampai {until_more}"
            f"{tanggal(covers_until)}. Rincian dasar perhitungan kami lampirkan."
        )
    else:
        period = (
            f"Perkiraan kebutuhan untuk {num(rec['window_days'])} hari ke depan (periode tinjau "
            f"ditambah waktu tunggu pengiriman) dengan tingkat layanan {pct(rec['service_level'])}"
        )
        basis = (
            f"{period} mengusulkan {num(recommended)} keping{extra}."
            if recommended
            else f"{period} tidak mengusulkan permintaan: persediaan mencukupi kebutuhan itu"
            + (
                f", yang sudah memperhitungkan tambahan karena {' dan '.join(in_window)}"
                if in_window
                else ""
            )
            + "."
        )
        asking = (
            f"{basis} Sehubungan dengan hal tersebut, kami mengajukan permohonan blangko KTP-el "
            f"sebanyak {num(qty)} ({terbilang(qty)}) keping"
            + (f", dengan pertimbangan: {why}" if why else "")
            + ". Rincian dasar perhitungan kami lampirkan."
        )
    paragraphs = [
        *REQUEST_ADDRESSEE,
        f"Dengan hormat, bersama ini kami sampaikan bahwa persediaan blangko KTP-el pada "
        f"{head.name} per {tanggal(day)} sebanyak {num(f['on_hand'])} keping. Berdasarkan "
        f"pemakaian harian yang tercatat di buku besar blangko, persediaan tersebut "
        f"diperkirakan cukup untuk {num(cover['p50'])} hari{more}, dan peluang persediaan habis "
        f"sebelum kiriman berikutnya tiba (sekitar {tanggal(date.fromisoformat(nd['expected_date']))}, "
        f"waktu tunggu {num(nd['lead_time_days'])} hari) adalah "
        f"{pct(f['stockout_probability_before_next_delivery'])}.",
        asking,
        "Demikian permohonan ini kami sampaikan. Atas perhatian dan kerja sama Bapak/Ibu, kami "
        "ucapkan terima kasih.",
    ]
    for w in f["warnings"]:
        paragraphs.append(f"Catatan perkiraan: {w}")
    return new_report(
        head,
        name="request",
        title="SURAT PERMOHONAN BLANGKO KTP-EL",
        filename_stem=f"surat-permohonan-blangko-{day.isoformat()}",
        facts=[
            ("Nomor", f"470/ ....... /Disdukcapil/{day.year}"),
            ("Sifat", "Penting"),
            ("Lampiran", "1 (satu) berkas"),
            ("Perihal", "Permohonan Blangko KTP-el"),
            ("Jumlah dimohon (keping)", qty),
        ],
        paragraphs=paragraphs,
        tables=[reasons_table, state_table, events_table],
        checks=[
            f"Pemakaian + penduduk PRR + perekaman baru + acara + antrean + cadangan - persediaan = "
            f"{num(recommended)} keping = usulan perkiraan per {tanggal(day)}"
            + (
                f"; ditetapkan kepala dinas {num(qty)} keping ({why or 'tanpa alasan'})."
                if qty != recommended
                else "."
            )
        ],
        issued_on=day,
        signatures=[head_signature(head, f"Kepala {head_of}", caption="Hormat kami,")],
        data={
            "as_of": day.isoformat(),
            "quantity": qty,
            "recommended": recommended,
            "reason": why or None,
            "on_hand": f["on_hand"],
            "print_queue": queue,
            "reasons": rec["reasons"],
            "forecast": {k: v for k, v in f.items() if k != "daily"},
        },
    )
