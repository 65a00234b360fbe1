"""`blangko coverage ...`: wajib-KTP coverage against the target, the coming 17-year-olds,
and the list of unrecorded residents for door-to-door recording."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from blangko.cli import state
from blangko.cli.options import AsOfOpt, DesaOpt, JsonOpt, KecamatanOpt, OfficeOpt, TargetOpt
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    month_name,
    num,
    pct,
    print_json,
    print_table,
    tanggal,
    tr,
)
from blangko.domain.text import N_, Msg
from blangko.formatting import parse_date
from blangko.services.admin.users import get_user
from blangko.services.coverage import areas as svc
from blangko.services.coverage import ikd
from blangko.services.coverage.projection import projection
from blangko.services.coverage.results import Figures

coverage_app = typer.Typer(
    help="Cakupan wajib KTP terhadap target nasional, kohort 17 tahun, daftar belum rekam.",
    invoke_without_command=True,
)


def pct_points(value: float | None) -> str:
    """A coverage the services give in percent points (95.2) as '95,2 %'."""
    return pct(None if value is None else Decimal(str(value)) / 100)


def _figures_row(label: list[str], row: Figures) -> list[str]:
    return [
        *label,
        num(row["wajib_ktp"]),
        num(row["recorded"]),
        num(row["unrecorded"]),
        pct_points(row["coverage_pct"]),
        num(row["gap_to_target"]),
    ]


_FIG_HEADERS = (
    N_("Wajib KTP"),
    N_("Sudah rekam"),
    N_("Belum rekam"),
    N_("Cakupan"),
    N_("Kurang dari target"),
)


@coverage_app.callback()
def coverage_main(
    context: typer.Context,
    as_of: AsOfOpt = None,
    by: Annotated[
        str, typer.Option("--by", help="Rincian per kabupaten, kecamatan atau desa.")
    ] = "kecamatan",
    target: TargetOpt = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Wajib KTP, sudah rekam dan cakupan terhadap target, per wilayah, jenis kelamin dan kelompok umur."""
    if context.invoked_subcommand is not None:
        return
    r = svc.coverage(
        state.context(), as_of=parse_date(as_of, "as_of"), by=by, target=target, office=office
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Cakupan perekaman kantor {office} per {as_of}: {coverage_pct} dari {wajib_ktp} wajib KTP (target {target_pct}; kurang {gap_to_target} orang).",
                office=r["office"],
                as_of=tanggal(r["as_of"]),
                coverage_pct=pct_points(r["coverage_pct"]),
                wajib_ktp=num(r["wajib_ktp"]),
                target_pct=pct_points(r["target_pct"]),
                gap_to_target=num(r["gap_to_target"]),
            )
        ),
        highlight=False,
    )
    table = make_table(
        key_column(tr("Kode")),  # a cut village code is useless
        tr("Wilayah"),
        *(Column(tr(h), justify="right") for h in _FIG_HEADERS),
        title=tr(Msg("Per {by}", by=r["by"])),
    )
    for a in r["areas"]:
        table.add_row(*_figures_row([a["code"], a["name"] or "?"], a))
    table.add_row(*_figures_row(["", "Jumlah"], r), style="bold")
    print_table(table)
    sexes = make_table(
        tr("Jenis kelamin"),
        *(Column(tr(h), justify="right") for h in _FIG_HEADERS),
        title=tr("Per jenis kelamin"),
    )
    for s in r["by_sex"]:
        sexes.add_row(*_figures_row([s["label"]], s))
    print_table(sexes)
    bands = make_table(
        key_column(tr("Umur")),
        *(Column(tr(h), justify="right") for h in _FIG_HEADERS),
        title=tr("Per kelompok umur"),
    )
    for b in r["by_age_band"]:
        bands.add_row(*_figures_row([b["band"]], b))
    print_table(bands)


@coverage_app.command("cohort")
def cohort_cmd(
    months: Annotated[int, typer.Option("--months", help="Berapa bulan ke depan.")] = 12,
    as_of: AsOfOpt = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Penduduk yang berumur 17 tahun tiap bulan mendatang, per kecamatan (permohonan pemula yang pasti datang)."""
    r = svc.cohort(state.context(), months=months, as_of=parse_date(as_of, "as_of"), office=office)
    if as_json:
        print_json(r)
        return
    labels = [m["month"] for m in r["months"]]
    span = f"{month_name(labels[0])} - {month_name(labels[-1])}" if labels else ""
    table = make_table(
        tr("Kecamatan"),
        # Months by their short names (the span is in the title): 12 of them fit 80 columns.
        *(Column(month_name(m, short=True), justify="right") for m in labels),
        Column(tr("Jumlah"), justify="right"),
        title=tr(
            Msg(
                "Penduduk genap 17 tahun per bulan, {span} (sejak {as_of})",
                span=span,
                as_of=tanggal(r["as_of"]),
            )
        ),
    )
    for k in r["kecamatan"]:
        table.add_row(
            k["name"] or k["code"], *(num(k["months"][m]) for m in labels), num(k["total"])
        )
    table.add_row(
        tr("Jumlah"), *(num(m["total"]) for m in r["months"]), num(r["total"]), style="bold"
    )
    print_table(table)


@coverage_app.command("gaps")
def gaps_cmd(
    output: Annotated[Path, typer.Option("--output", help="Berkas keluaran .xlsx atau .csv.")],
    desa: DesaOpt = None,
    kecamatan: KecamatanOpt = None,
    as_of: AsOfOpt = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tulis daftar wajib KTP yang belum rekam (nama, NIK, desa, umur) untuk jemput bola.

    Bila --actor menyebut pengguna web, perannya harus berhak melihat data pribadi."""
    ctx = state.context()
    user = get_user(ctx, ctx.actor)
    r = svc.gaps(
        ctx,
        role=user["role"] if user else None,
        output=output,
        desa=desa,
        kecamatan=kecamatan,
        as_of=parse_date(as_of, "as_of"),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "{rows} penduduk wajib KTP belum rekam di {area} ditulis ke {output}.",
                rows=num(r["rows"]),
                area=r["area"],
                output=r["output"],
            )
        ),
        highlight=False,
    )


@coverage_app.command("projection")
def projection_cmd(
    target: TargetOpt = None,
    by_date: Annotated[
        str | None,
        typer.Option(
            "--by", help="Tanggal sasaran untuk menghitung tambahan kapasitas yang dibutuhkan."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tanggal (simulasi) cakupan perekaman mencapai target, dan tambahan kapasitas perekaman
    atau hari jemput bola yang dibutuhkan untuk mencapainya pada tanggal pilihan."""
    r = projection(
        state.context(),
        target=target,
        as_of=parse_date(as_of, "as_of"),
        by_date=parse_date(by_date, "by"),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Cakupan per {as_of}: {coverage_pct} dari {wajib_ktp} wajib KTP; target {target_pct} (kurang {gap_to_target} jiwa).",
                as_of=tanggal(r["as_of"]),
                coverage_pct=pct_points(r["coverage_pct"]),
                wajib_ktp=num(r["wajib_ktp"]),
                target_pct=pct_points(r["target_pct"]),
                gap_to_target=num(r["gap_to_target"]),
            )
        ),
        highlight=False,
    )
    a = r["assumptions"]
    if r["reachable"]:
        console.print(
            tr(
                Msg(
                    "Target tercapai sekitar {p50_date} (median); dengan keyakinan 85 %: {p85_date}.",
                    p50_date=tanggal(r["p50_date"]),
                    p85_date=tanggal(r["p85_date"]),
                )
            ),
            highlight=False,
        )
    else:
        console.print(
            tr(
                Msg(
                    "[bold]Target tidak tercapai dalam dua tahun[/] dengan laju sekarang ({recent_pace_per_open_day} perekaman per hari buka); penghambat: {limiting_factor}.",
                    recent_pace_per_open_day=num(a["recent_pace_per_open_day"]),
                    limiting_factor=r["limiting_factor"],
                )
            ),
            highlight=False,
        )
    if a["open_ended_closures_assumed_to_end"]:
        console.print(
            tr(
                Msg(
                    "Asumsi: penutupan tanpa tanggal akhir dianggap berakhir {open_ended_closures_assumed_to_end}.",
                    open_ended_closures_assumed_to_end=tanggal(
                        a["open_ended_closures_assumed_to_end"]
                    ),
                )
            ),
            highlight=False,
        )
    extra = r.get("extra_needed")
    if extra:
        console.print(
            tr(
                Msg(
                    "Untuk mencapai target pada {extra}: tambahan {extra2} perekaman, yaitu {nilai} per hari buka, atau {extra3} hari tim jemput bola ({extra4} perekaman per tim per hari).",
                    extra=tanggal(extra["by_date"]),
                    extra2=num(extra["extra_recordings"]),
                    nilai=num(extra["extra_recordings_per_open_day"] or 0),
                    extra3=num(extra["door_to_door_team_days"]),
                    extra4=num(extra["door_to_door_per_team_day"]),
                )
            ),
            highlight=False,
        )


@coverage_app.command("ikd")
def ikd_cmd(
    as_of: AsOfOpt = None,
    by: Annotated[str, typer.Option("--by", help="Rincian per kecamatan atau desa.")] = "kecamatan",
    ikd_target: Annotated[
        str | None,
        typer.Option(
            "--ikd-target", help="Target IKD dalam persen wajib KTP (default 30, atau pengaturan)."
        ),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from", help="Awal periode aktivasi dan blangko diterima (default 1 Januari)."
        ),
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Aktivasi IKD: cakupan terhadap target per wilayah, dan aktivasi terhadap blangko diterima (batas 50 %)."""
    ctx = state.context()
    day = parse_date(as_of, "as_of")
    cov = ikd.ikd_coverage(ctx, as_of=day, by=by, target=ikd_target, office=office)
    ratio = ikd.ikd_blank_ratio(
        ctx, first=parse_date(date_from, "date_from"), last=day, office=office
    )
    if as_json:
        print_json({"coverage": cov, "ratio": ratio})
        return
    console.print(
        tr(
            Msg(
                (
                    "IKD kantor {office} per {as_of}: {ikd} dari {wajib_ktp} wajib KTP "
                    "({coverage}); target {target}, kurang {to_target} orang. Dasar: "
                    "{target_source_label}."
                ),
                office=cov["office"],
                as_of=tanggal(cov["as_of"]),
                ikd=num(cov["ikd"]),
                wajib_ktp=num(cov["wajib_ktp"]),
                coverage=pct_points(cov["coverage_pct"]),
                target=pct_points(cov["target_pct"]),
                to_target=num(cov["to_target"]),
                target_source_label=cov["target_source"],
            )
        ),
        highlight=False,
    )
    verdict = {
        True: N_("memenuhi"),
        False: N_("BELUM memenuhi"),
        None: N_("tidak dapat dinilai"),
    }[ratio["met"]]
    console.print(
        tr(
            Msg(
                (
                    "{first} s.d. {last}: {activations} aktivasi IKD, {blanks_received} "
                    "blangko diterima = {ratio}; {verdict_label} batas {rule} ({rule_source_label})."
                ),
                first=tanggal(ratio["first"]),
                last=tanggal(ratio["last"]),
                activations=num(ratio["activations"]),
                blanks_received=num(ratio["blanks_received"]),
                ratio=pct_points(ratio["ratio_pct"]),
                verdict_label=verdict,
                rule=pct_points(ratio["rule_pct"]),
                rule_source_label=ratio["rule_source"],
            )
        ),
        highlight=False,
    )
    table = make_table(
        key_column(tr("Kode")),
        tr("Wilayah"),
        *(
            Column(tr(h), justify="right")
            for h in (N_("Wajib KTP"), N_("IKD"), N_("Cakupan"), N_("Kurang"))
        ),
        title=tr(Msg("IKD per {by_label}", by_label=cov["by"])),
    )
    for a in cov["areas"]:
        table.add_row(
            a["code"],
            a["name"] or "?",
            num(a["wajib_ktp"]),
            num(a["ikd"]),
            pct_points(a["coverage_pct"]),
            num(a["to_target"]),
        )
    print_table(table)


@coverage_app.command("ikd-daily")
def ikd_daily_cmd(
    date_from: Annotated[
        str | None,
        typer.Option("--from", "--date-from", help="Hari pertama (default 1 Januari tahun ini)."),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", "--date-to", help="Hari terakhir (default hari ini).")
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Aktivasi IKD per hari (dari permohonan dan dari registri), hari tanpa aktivasi dilewati."""
    r = ikd.ikd_daily(
        state.context(),
        first=parse_date(date_from, "date_from"),
        last=parse_date(date_to, "date_to"),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Tanggal")),
        key_column(tr("Aktivasi"), justify="right"),
        title=(
            tr(
                Msg(
                    "Aktivasi IKD {office} {first} s.d. {last}: {total}",
                    office=r["office"],
                    first=tanggal(r["first"]),
                    last=tanggal(r["last"]),
                    total=num(r["total"]),
                )
            )
        ),
    )
    for d in r["days"]:
        if d["activations"]:
            table.add_row(tanggal(d["date"]), num(d["activations"]))
    print_table(table)
