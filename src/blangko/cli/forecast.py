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
    num,
    pct,
    print_json,
    print_table,
    readiness_text,
    signed,
    tanggal,
    tr,
)
from blangko.domain.applications import TYPE_LABEL_ID
from blangko.domain.text import Msg
from blangko.formatting import parse_date
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
        tr(
            Msg(
                "Perkiraan per {as_of}, {horizon_days} hari ke depan (model {name}, {fitted_on_days} hari buka): stok {on_hand} keping.",
                as_of=tanggal(r["as_of"]),
                horizon_days=r["horizon_days"],
                name=r["model"]["name"],
                fitted_on_days=r["model"]["fitted_on_days"],
                on_hand=num(r["on_hand"]),
            )
        ),
        highlight=False,
    )
    for w in r["warnings"]:
        console.print(tr(Msg("[yellow]Catatan:[/] {w}", w=w)), highlight=False)
    console.print(
        tr(Msg("Cukup untuk: {days_of_cover}.", days_of_cover=cover_text(r["days_of_cover"]))),
        highlight=False,
    )
    nd = r["next_delivery"]
    console.print(
        tr(
            Msg(
                "Bila diminta hari ini, kiriman tiba sekitar {expected_date} ({lead_time_days} hari); peluang kehabisan sebelum itu: {stockout_probability_before_next_delivery}.",
                expected_date=tanggal(nd["expected_date"]),
                lead_time_days=num(nd["lead_time_days"]),
                stockout_probability_before_next_delivery=pct(
                    r["stockout_probability_before_next_delivery"]
                ),
            )
        ),
        highlight=False,
    )
    rec = r["recommended_request"]
    console.print(
        tr(
            Msg(
                "[bold]Permintaan yang disarankan: {quantity} keping[/] (tingkat layanan {service_level}, cukup sampai {covers_until}).",
                quantity=num(rec["quantity"]),
                service_level=pct(rec["service_level"]),
                covers_until=tanggal(rec["covers_until"]),
            )
        ),
        highlight=False,
    )
    table = make_table(tr("Alasan"), key_column(tr("Keping"), justify="right"))
    for reason in rec["reasons"]:
        table.add_row(reason["reason"], signed(reason["quantity"]))
    print_table(table)
    dp = r["demand_parts"]
    parts = make_table(
        tr("Bagian"),
        tr("Nilai harapan"),
        tr("Rentang 90 %"),
        title=tr(
            Msg("Kebutuhan {horizon_days} hari menurut bagiannya", horizon_days=r["horizon_days"])
        ),
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
            tr(
                Msg(
                    "PRR registri {registry_prr} orang; laju datang mencetak {rate} per 1.000 orang per hari buka ({p05}-{p95}), dari riwayat registri kantor ini.",
                    registry_prr=num(dp["backlog"]["registry_prr"]),
                    rate=per_mille(rate["rate"]),
                    p05=per_mille(rate["p05"]),
                    p95=per_mille(rate["p95"]),
                )
            ),
            highlight=False,
        )
    for e in r["events"]:
        b = e["blanks"]
        console.print(
            tr(
                Msg(
                    "Acara {name} {date}: tambahan blangko {expected} ({low}-{high}); {readiness}.",
                    name=e["name"],
                    date=tanggal(e["date"]),
                    expected=num(b["expected"]),
                    low=num(b["low"]),
                    high=num(b["high"]),
                    readiness=readiness_text(e["readiness"]),
                )
            ),
            highlight=False,
        )
    svc = make_table(
        tr("Layanan"),
        tr("Kartu dicetak p50 (p05-p95)"),
        title=tr(Msg("Per jenis layanan, {horizon_days} hari", horizon_days=r["horizon_days"])),
    )
    for name, v in r["by_service"].items():
        h = v["horizon_total"]
        svc.add_row(
            TYPE_LABEL_ID.get(name, name), f"{num(h['p50'])} ({num(h['p05'])}-{num(h['p95'])})"
        )
    print_table(svc)
    rec = r["recordings"]["horizon_total"]
    console.print(
        tr(
            Msg(
                "Perekaman {horizon_days} hari: {p50} ({p05}-{p95}).",
                horizon_days=r["horizon_days"],
                p50=num(rec["p50"]),
                p05=num(rec["p05"]),
                p95=num(rec["p95"]),
            )
        ),
        highlight=False,
    )
    for w in r["recordings"]["warnings"]:
        console.print(tr(Msg("[yellow]Catatan perekaman:[/] {w}", w=w)), highlight=False)
    comp = r["comparison"]
    mos = comp["months_of_stock"]
    console.print(
        tr(
            Msg(
                "Pembanding (gaya OpenLMIS): rata-rata pemakaian bulanan {average_monthly_consumption} keping, stok {nilai} bulan.",
                average_monthly_consumption=num(comp["average_monthly_consumption"]),
                nilai=num(mos) if mos is not None else "-",
            )
        ),
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
        tr("Model"),
        tr("MASE"),
        tr("Pinball (skala)"),
        tr("Cakupan 50 %"),
        tr("Cakupan 90 %"),
        title=tr(
            Msg(
                "Uji mundur: {origins} titik x {horizon_days} hari",
                origins=len(r["origins"]),
                horizon_days=r["horizon_days"],
            )
        ),
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
            tr("Bagian"),
            tr("Perkiraan"),
            tr("Kenyataan"),
            title=tr("nb_glm_prr per bagian, hari buka semua titik"),
        )
        for p in r["parts"]:
            parts.add_row(PART_LABEL[p["part"]], num(round(p["forecast"])), num(round(p["actual"])))
        print_table(parts)
