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
from blangko.domain.text import N_, Msg
from blangko.formatting import num, pct, tanggal
from blangko.services import derived, figures
from blangko.services import forecast as fs
from blangko.services.admin.office import read_head
from blangko.services.context import Context
from blangko.services.network import requests as blank_requests
from blangko.services.network.request_results import RequestView
from blangko.services.network.request_steps import not_found
from blangko.services.reports.letterhead import head_signature, new_report
from blangko.services.stock.queries import balance

REQUEST_ADDRESSEE = [
    N_("Kepada Yth."),
    N_("Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri"),
    N_("di Jakarta"),
]
HEAD_REASON = N_("Ditetapkan kepala dinas")


def recommendation(
    ctx: Context, *, as_of: date | None = None, office: str | None = None
) -> dict[str, Any]:
    """What the request form shows beside the quantity: the forecast's recommendation with its
    reasons, the stock, the days of cover and the risk, from the one stored forecast (on a
    page it may be the one before the last change, being computed again: ``computed_at``,
    ``stale``); the stock on hand is the ledger's now."""
    stored = figures.forecast_stored(ctx, office, as_of)
    f = stored.value
    on_hand = balance(ctx, as_of=date.fromisoformat(f["as_of"]), office=f["office"])["on_hand"]
    return {
        "as_of": f["as_of"],
        "computed_at": stored.computed_at,
        "stale": stored.stale,
        "on_hand": on_hand,
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
    request_id: int | None = None,
) -> Report:
    """Surat permohonan blangko for ``quantity`` blanks (default: the recommendation), with
    each part of it quantified (usual use over the review period plus lead time, events, the
    print queue, the reserve for the service level, less the stock on hand, and the head's
    change with its reason)."""
    # From a stored request (docs/network.md, "The life of a request"): its office, its day,
    # the quantity it asks with its reason, its number and the forecast's reasons as drafted.
    stored: RequestView | None = None
    if request_id is not None:
        stored = blank_requests.stored(ctx, request_id)
        if office is not None and office.strip() and office.strip() != stored["office"]:
            raise not_found(int(request_id))  # another office's request: as one that is not
        office = stored["office"]
        as_of = date.fromisoformat(stored["as_of"])
        quantity = stored["asked_qty"]
        reason = stored["edit_reason"]
    day = check_date(as_of or ctx.today(), "as_of")
    # A letter to sign: its figures are the current ones, computed now when stale.
    ctx = derived.synchronous(ctx)
    for field, text, limit in (("reason", reason, MAX_NOTE), ("address", address, MAX_NAME)):
        if text:
            check_text(text, field, limit=limit, multiline=field == "reason")
    with ctx.read() as conn:
        head = read_head(conn, office, address)
    f = figures.forecast_for(ctx, head.code, day)
    if stored is not None:
        f = {
            **f,
            "recommended_request": {
                **f["recommended_request"],
                "quantity": stored["recommended_qty"],
                "reasons": [dict(r) for r in stored["reasons"]],
            },
        }
    queue = f["backlog"]["to_print"]
    # The queue reason: applications recorded or print-ready (forecast.QUEUE_REASON).
    in_queue = f["backlog"]["recorded"] + f["backlog"]["to_print"]
    take_up = f["demand_parts"]["take_up"]["backlog_rate"]
    rec = f["recommended_request"]
    recommended = int(rec["quantity"])
    qty = sp.requested_quantity(quantity, recommended, reason)
    why = (reason or "").strip()
    cover = f["days_of_cover"]
    more = N_(" atau lebih") if cover["beyond_horizon"] else ""

    # The reasons add up to the recommendation (forecast._reasons); the head's change is one
    # more row, so the attachment adds up to the quantity asked for.
    event_names = {e["name"]: e for e in f["events"]}
    reserve_prefix = N_("Cadangan untuk tingkat layanan")
    reason_rows: list[list[Any]] = []
    for i, r in enumerate(rec["reasons"]):
        if i == 0:
            note = N_("rata-rata simulasi pemakaian harian (hari buka saja)")
        elif r["reason"] in event_names:
            b = event_names[r["reason"]]["blanks"]
            note = Msg(
                "acara {nilai}; perkiraan {low}–{high} keping, bagian dalam periode ini",
                nilai=tanggal(date.fromisoformat(event_names[r["reason"]]["date"])),
                low=num(b["low"]),
                high=num(b["high"]),
            )
        elif r["reason"] == fs.QUEUE_REASON:
            note = Msg("{in_queue} permohonan direkam atau siap cetak", in_queue=num(in_queue))
        elif r["reason"].startswith(fs.PRR_REASON):
            note = Msg(
                "sudah rekam, belum dicetak; laju datang {take_up} per hari buka ({take_up2}–{take_up3}), dari riwayat registri",
                take_up=pct(take_up["rate"]),
                take_up2=pct(take_up["p05"]),
                take_up3=pct(take_up["p95"]),
            )
        elif r["reason"] == fs.RECORDINGS_REASON:
            note = N_("perkiraan perekaman baru yang datang mencetak")
        elif r["reason"] == fs.STOCK_REASON:
            note = N_("persediaan per tanggal surat, dikurangkan")
        elif r["reason"].startswith(reserve_prefix):
            note = Msg(
                "agar peluang kehabisan stok paling tinggi {nilai}",
                nilai=pct(1 - rec["service_level"]),
            )
        elif r["reason"] == fs.SURPLUS_REASON:
            note = N_("perkiraan tidak menyarankan permintaan (usulan 0 keping)")
        else:
            note = ""
        reason_rows.append([r["reason"], r["quantity"], note])
    if qty != recommended:
        reason_rows.append(
            [
                HEAD_REASON,
                qty - recommended,
                (f"{why}; " if why else "")
                + Msg(
                    "usulan perkiraan {recommended} keping, dimohon {qty} keping",
                    recommended=num(recommended),
                    qty=num(qty),
                ),
            ]
        )
    reasons_table = Table(
        N_("Lampiran: dasar perhitungan jumlah permohonan"),
        [
            Column(N_("Uraian"), weight=3.4),
            Column(N_("Keping"), "int", total=True, weight=1),
            Column(N_("Keterangan"), weight=3),
        ],
        reason_rows,
        sheet=N_("Dasar perhitungan"),
        totals_label=N_("Jumlah yang dimohon"),
        note=Msg(
            "Keping per uraian adalah nilai harapan dari {paths} jalur simulasi kebutuhan; cadangan menutup selisih antara jumlahnya dan kebutuhan pada tingkat layanan.",
            paths=num(f["model"]["paths"]),
        ),
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
        [N_("Persediaan di tangan"), f["on_hand"], "keping"],
        [N_("Cukup untuk (median)"), cover["p50"], f"hari{more}"],
        [N_("Cukup untuk (keyakinan 90 %)"), cover["p90"], f"hari{more}"],
        [N_("Antrean cetak (permohonan siap cetak)"), queue, "orang"],
        [
            N_("Penduduk PRR di registri (sudah rekam, belum dicetak)"),
            f["backlog"]["registry_prr"],
            "orang",
        ],
        [N_("Waktu tunggu kiriman (median)"), nd["lead_time_days"], "hari"],
        [N_("Waktu tunggu kiriman (90 %)"), nd["lead_time_p90_days"], "hari"],
        [
            N_("Perkiraan kiriman tiba bila diminta hari ini"),
            date.fromisoformat(nd["expected_date"]),
            "",
        ],
        [
            N_("Peluang kehabisan stok sebelum kiriman tiba"),
            Percent(f["stockout_probability_before_next_delivery"]),
            N_("tanpa permohonan ini"),
        ],
        [N_("Tingkat layanan yang dituju"), Percent(rec["service_level"]), ""],
        [N_("Usulan permintaan menurut perkiraan"), recommended, "keping"],
        [N_("Jumlah yang dimohon"), qty, "keping"],
        [N_("Periode yang ditutup permohonan"), rec["window_days"], N_("hari (tinjau + tunggu)")],
        [N_("Persediaan cukup sampai (median)"), covers_until, N_("dengan usulan perkiraan")],
        [
            N_("Rata-rata pemakaian bulanan (gaya OpenLMIS)"),
            # Whole cards: the sheet's number format shows no decimals.
            round(comp["average_monthly_consumption"]),
            Msg(
                "keping/bulan ({amc_period_days} hari terakhir)",
                amc_period_days=num(comp["amc_period_days"]),
            )
            + (
                Msg("; persediaan = {mos} bulan pemakaian", mos=num(mos)) if mos is not None else ""
            ),
        ],
    ]
    state_table = Table(
        N_("Keadaan persediaan dan risiko"),
        [
            Column(N_("Uraian"), weight=3.4),
            Column(N_("Nilai"), weight=1.4),
            Column(N_("Satuan"), weight=2.6),
        ],
        state_rows,
        sheet=N_("Keadaan persediaan"),
        note=Msg(
            "Model {name} dilatih pada {fitted_on_days} hari buka; hari tutup (akhir pekan, libur nasional, penutupan layanan) dihitung nol.",
            name=f["model"]["name"],
            fitted_on_days=num(f["model"]["fitted_on_days"]),
        ),
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
        Msg("Acara dalam {horizon_days} hari ke depan", horizon_days=num(f["horizon_days"])),
        [
            Column(N_("Acara"), weight=3),
            Column(N_("Tanggal"), "date", weight=1.8),
            Column(N_("Tambahan rendah"), "int", weight=1.2),
            Column(N_("Tambahan perkiraan"), "int", total=True, weight=1.2),
            Column(N_("Tambahan tinggi"), "int", weight=1.2),
        ],
        event_rows,
        sheet=N_("Acara"),
        empty_text=N_("Tidak ada acara tercatat."),
        note=N_(
            "Tambahan blangko dihitung dari penduduk desa-desa acara: yang belum rekam, yang berumur 17 tahun sebelum acara, dan yang sudah rekam tetapi belum dicetak."
        ),
    )

    head_of = (
        Msg("Dinas Kependudukan dan Pencatatan Sipil {regency}", regency=head.regency)
        if head.regency
        else head.name
    )
    in_window = [r["reason"] for r in rec["reasons"] if r["reason"] in event_names]
    for r in rec["reasons"]:
        if r["reason"].startswith(fs.PRR_REASON) and r["quantity"]:
            in_window.append(
                Msg(
                    "{quantity} penduduk PRR yang diperkirakan datang mencetak",
                    quantity=num(r["quantity"]),
                )
            )
    if any(r["reason"] == fs.QUEUE_REASON for r in rec["reasons"]):
        in_window.append(Msg("antrean cetak {in_queue} permohonan", in_queue=num(in_queue)))
    extra = (
        Msg(", termasuk tambahan kebutuhan karena {in_window}", in_window=" dan ".join(in_window))
        if in_window
        else ""
    )
    if qty == recommended:
        asking = Msg(
            "Sehubungan dengan hal tersebut, kami mengajukan permohonan blangko KTP-el sebanyak {qty} ({qty2}) keping, untuk memenuhi kebutuhan pelayanan selama {window_days} hari ke depan (periode tinjau ditambah waktu tunggu pengiriman) dengan tingkat layanan {service_level}{extra}. Dengan tambahan tersebut persediaan diperkirakan cukup sampai {until_more}{covers_until}. Rincian dasar perhitungan kami lampirkan.",
            qty=num(qty),
            qty2=terbilang(qty),
            window_days=num(rec["window_days"]),
            service_level=pct(rec["service_level"]),
            extra=extra,
            until_more=until_more,
            covers_until=tanggal(covers_until),
        )
    else:
        period = Msg(
            "Perkiraan kebutuhan untuk {window_days} hari ke depan (periode tinjau ditambah waktu tunggu pengiriman) dengan tingkat layanan {service_level}",
            window_days=num(rec["window_days"]),
            service_level=pct(rec["service_level"]),
        )
        basis = (
            Msg(
                "{period} mengusulkan {recommended} keping{extra}.",
                period=period,
                recommended=num(recommended),
                extra=extra,
            )
            if recommended
            else Msg(
                "{period} tidak mengusulkan permintaan: persediaan mencukupi kebutuhan itu",
                period=period,
            )
            + (
                Msg(
                    ", yang sudah memperhitungkan tambahan karena {in_window}",
                    in_window=" dan ".join(in_window),
                )
                if in_window
                else ""
            )
            + "."
        )
        asking = (
            Msg(
                "{basis} Sehubungan dengan hal tersebut, kami mengajukan permohonan blangko KTP-el sebanyak {qty} ({qty2}) keping",
                basis=basis,
                qty=num(qty),
                qty2=terbilang(qty),
            )
            + (Msg(", dengan pertimbangan: {why}", why=why) if why else "")
            + N_(". Rincian dasar perhitungan kami lampirkan.")
        )
    paragraphs = [
        *REQUEST_ADDRESSEE,
        Msg(
            "Dengan hormat, bersama ini kami sampaikan bahwa persediaan blangko KTP-el pada {name} per {day} sebanyak {on_hand} keping. Berdasarkan pemakaian harian yang tercatat di buku besar blangko, persediaan tersebut diperkirakan cukup untuk {cover} hari{more}, dan peluang persediaan habis sebelum kiriman berikutnya tiba (sekitar {nilai}, waktu tunggu {lead_time_days} hari) adalah {stockout_probability_before_next_delivery}.",
            name=head.name,
            day=tanggal(day),
            on_hand=num(f["on_hand"]),
            cover=num(cover["p50"]),
            more=more,
            nilai=tanggal(date.fromisoformat(nd["expected_date"])),
            lead_time_days=num(nd["lead_time_days"]),
            stockout_probability_before_next_delivery=pct(
                f["stockout_probability_before_next_delivery"]
            ),
        ),
        asking,
        N_(
            "Demikian permohonan ini kami sampaikan. Atas perhatian dan kerja sama Bapak/Ibu, kami ucapkan terima kasih."
        ),
    ]
    for w in f["warnings"]:
        paragraphs.append(Msg("Catatan perkiraan: {w}", w=w))
    return new_report(
        head,
        name="request",
        title=N_("SURAT PERMOHONAN BLANGKO KTP-EL"),
        filename_stem=f"surat-permohonan-blangko-{day.isoformat()}",
        facts=[
            (
                N_("Nomor"),
                stored["number"]
                if stored is not None and stored["number"]
                else Msg("470/ ....... /Disdukcapil/{year}", year=day.year),
            ),
            (N_("Sifat"), N_("Penting")),
            (N_("Lampiran"), N_("1 (satu) berkas")),
            (N_("Perihal"), N_("Permohonan Blangko KTP-el")),
            (N_("Jumlah dimohon (keping)"), qty),
        ],
        paragraphs=paragraphs,
        tables=[reasons_table, state_table, events_table],
        checks=[
            Msg(
                "Pemakaian + penduduk PRR + perekaman baru + acara + antrean + cadangan - persediaan = {recommended} keping = usulan perkiraan per {day}",
                recommended=num(recommended),
                day=tanggal(day),
            )
            + (
                Msg(
                    "; ditetapkan kepala dinas {qty} keping ({nilai}).",
                    qty=num(qty),
                    nilai=why or "tanpa alasan",
                )
                if qty != recommended
                else "."
            )
        ],
        issued_on=day,
        signatures=[
            head_signature(
                head, Msg("Kepala {head_of}", head_of=head_of), caption=N_("Hormat kami,")
            )
        ],
        data={
            "as_of": day.isoformat(),
            "quantity": qty,
            "recommended": recommended,
            "reason": why or None,
            "on_hand": f["on_hand"],
            "print_queue": queue,
            "reasons": rec["reasons"],
            "request": stored["id"] if stored is not None else None,
            "number": stored["number"] if stored is not None else None,
            "forecast": {k: v for k, v in f.items() if k != "daily"},
        },
    )
