"""`blangko forecast`: demand forecast, stock decisions and the backtest that shows they work."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from blangko.cli import state
from blangko.cli.options import AsOfOpt, JsonOpt, OfficeOpt
from blangko.cli.output import (
    console,
    cover_text,
    key_column,
    make_table,
    print_json,
    print_table,
    readiness_text,
)
from blangko.domain.applications import TYPE_LABEL_ID
from blangko.formatting import num, parse_date, pct, signed, tanggal
from blangko.services import forecast as fs

PART_LABEL = {
    "replacements_other": "Penggantian dan pemakaian lain",
    "backlog": "Penduduk PRR datang mencetak",
    "new_recordings": "Perekaman baru yang akan dicetak",
    "events": "Acara",
    "queue": "Antrean cetak (permohonan)",
    "first_cards": "Kartu pertama (PRR dan perekaman baru)",
}


def per_mille(rate: float) -> str:
    """A small daily rate as people per 1.000 (0.00062 -> '0,62'): as a percent with one
    decimal it reads 0,1 % whatever it is."""
    return num(round(rate * 1000, 2))


forecast_app = typer.Typer(
    help="Perkiraan kebutuhan blangko, risiko kehabisan stok, dan jumlah yang perlu diminta.",
)


def print_forecast(r: dict[str, Any]) -> None:
    console.print(
        f"Perkiraan per {tanggal(r['as_of'])}, {r['horizon_days']} hari ke depan "
        f"(model {r['model']['name']}, {r['model']['fitted_on_days']} hari buka): "
        f"stok {num(r['on_hand'])} keping.",
        highlight=False,
    )
    for w in r["warnings"]:
        console.print(f"[yellow]Catatan:[/] {w}", highlight=False)
    console.print(f"Cukup untuk: {cover_text(r['days_of_cover'])}.", highlight=False)
    nd = r["next_delivery"]
    console.print(
        f"Bila diminta hari ini, kiriman tiba sekitar {tanggal(nd['expected_date'])} "
        f"({num(nd['lead_time_days'])} hari); peluang kehabisan sebelum itu: "
        f"{pct(r['stockout_probability_before_next_delivery'])}.",
        highlight=False,
    )
    rec = r["recommended_request"]
    console.print(
        f"[bold]Permintaan yang disarankan: {num(rec['quantity'])} keping[/] "
        f"(tingkat layanan {pct(rec['service_level'])}, cukup sampai "
        f"{tanggal(rec['covers_until'])}).",
        highlight=False,
    )
    table = make_table("Alasan", key_column("Keping", justify="right"))
    for reason in rec["reasons"]:
        table.add_row(reason["reason"], signed(reason["quantity"]))
    print_table(table)
    dp = r["demand_parts"]
    parts = make_table(
        "Bagian",
        "Nilai harapan",
        "Rentang 90 %",
        title=f"Kebutuhan {r['horizon_days']} hari menurut bagiannya",
    )
    for p in dp["parts"]:
        if p["expected"] or p["in_request"]:
            parts.add_row(
                PART_LABEL.get(p["part"], p["label"]),
                num(round(p["expected"])),
                f"{num(p['p05'])}-{num(p['p95'])}",
            )
    print_table(parts)
    rate = dp["take_up"]["backlog_rate"]
    if dp["backlog"]["registry_prr"]:
        console.print(
            f"PRR registri {num(dp['backlog']['registry_prr'])} orang; laju datang mencetak "
            f"{per_mille(rate['rate'])} per 1.000 orang per hari buka "
            f"({per_mille(rate['p05'])}-{per_mille(rate['p95'])}), "
            "dari riwayat registri kantor ini.",
            highlight=False,
        )
    for e in r["events"]:
        b = e["blanks"]
        console.print(
            f"Acara {e['name']} {tanggal(e['date'])}: tambahan blangko {num(b['expected'])} "
            f"({num(b['low'])}-{num(b['high'])}); {readiness_text(e['readiness'])}.",
            highlight=False,
        )
    svc = make_table(
        "Layanan",
        "Kartu dicetak p50 (p05-p95)",
        title=f"Per jenis layanan, {r['horizon_days']} hari",
    )
    for name, v in r["by_service"].items():
        h = v["horizon_total"]
        svc.add_row(
            TYPE_LABEL_ID.get(name, name), f"{num(h['p50'])} ({num(h['p05'])}-{num(h['p95'])})"
        )
    print_table(svc)
    rec = r["recordings"]["horizon_total"]
    console.print(
        f"Perekaman {r['horizon_days']} hari: {num(rec['p50'])} ({num(rec['p05'])}-{num(rec['p95'])}).",
        highlight=False,
    )
    for w in r["recordings"]["warnings"]:
        console.print(f"[yellow]Catatan perekaman:[/] {w}", highlight=False)
    comp = r["comparison"]
    mos = comp["months_of_stock"]
    console.print(
        f"Pembanding (gaya OpenLMIS): rata-rata pemakaian bulanan {num(comp['average_monthly_consumption'])} "
        f"keping, stok {num(mos) if mos is not None else '-'} bulan.",
        highlight=False,
    )


@forecast_app.callback(invoke_without_command=True)
def forecast(
    typer_ctx: typer.Context,
    as_of: AsOfOpt = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Hari ke depan.")] = 120,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Perkiraan pemakaian blangko harian dengan rentangnya, ketahanan stok, risiko habis, dan jumlah yang perlu diminta."""
    if typer_ctx.invoked_subcommand is not None:
        return
    r = fs.forecast(
        state.context(), as_of=parse_date(as_of, "as_of"), horizon=horizon, office=office
    )
    if as_json:
        print_json(r)
    else:
        print_forecast(r)


@forecast_app.command("backtest")
def backtest(
    as_of: AsOfOpt = None,
    origins: Annotated[int, typer.Option("--origins", help="Jumlah titik awal (minimal 6).")] = 6,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Uji mundur bergulir (28 hari) model terhadap pembanding sederhana."""
    r = fs.backtest(
        state.context(), as_of=parse_date(as_of, "as_of"), office=office, origins=max(6, origins)
    )
    if as_json:
        print_json(r)
        return
    table = make_table(
        "Model",
        "MASE",
        "Pinball (skala)",
        "Cakupan 50 %",
        "Cakupan 90 %",
        title=f"Uji mundur: {len(r['origins'])} titik x {r['horizon_days']} hari",
    )
    for name, s in r["models"].items():
        table.add_row(
            name,
            num(s["mase"]),
            num(s["scaled_pinball"]),
            pct(s["coverage_50"]),
            pct(s["coverage_90"]),
        )
    print_table(table)
    if r["parts"]:
        # The model's two parts against what followed: errors that cancel in the total show.
        parts = make_table(
            "Bagian", "Perkiraan", "Kenyataan", title="nb_glm_prr per bagian, hari buka semua titik"
        )
        for p in r["parts"]:
            parts.add_row(PART_LABEL[p["part"]], num(round(p["forecast"])), num(round(p["actual"])))
        print_table(parts)
