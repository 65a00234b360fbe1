"""`blangko network snapshot` and `blangko network national`: the office snapshots and the
national and province view read from them (docs/network.md, "The national and province
view"). Registered on `network_app` (cli/network.py) by cli/main.py importing this module."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from blangko.cli import state
from blangko.cli.network import network_app
from blangko.cli.options import AsOfOpt, JsonOpt
from blangko.cli.output import console, key_column, make_table, print_json, print_table, tr
from blangko.domain.text import N_, Msg
from blangko.formatting import num, parse_date, pct
from blangko.services.network import snapshots
from blangko.services.network.national_results import SnapshotRun

LEVEL_LABEL = {"habis": N_("Habis"), "menipis": N_("Menipis"), "aman": N_("Aman")}


@network_app.command("snapshot")
def snapshot(
    office: Annotated[
        list[str] | None,
        typer.Option("--office", help="Hanya kantor ini (boleh diulang); default semua kantor."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Jumlah proses pekerja yang berjalan bersamaan.")
    ] = 1,
    as_of: AsOfOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Hitung ulang juga kantor yang tidak berubah.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Hitung snapshot angka setiap kantor (stok, cukup untuk, peluang kehabisan, antrean,
    cakupan, jalur permintaan) untuk tampilan nasional dan provinsi; kantor yang buku besar,
    registri, layanan, kalender dan acaranya tidak berubah dilewati."""
    ctx = state.context()
    day = parse_date(as_of, "as_of")
    if as_json:
        print_json(snapshots.run(ctx, offices=office, as_of=day, workers=workers, force=force))
        return
    with Progress(
        TextColumn(tr(N_("Snapshot kantor"))),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("snapshot", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = snapshots.run(
            ctx, offices=office, as_of=day, workers=workers, force=force, progress=progress
        )
    _print_run(result)


def _print_run(r: SnapshotRun) -> None:
    console.print(
        tr(
            Msg(
                "Snapshot per {day}: {offices} kantor, {computed} dihitung, {skipped} tidak berubah ({seconds} detik, {workers} proses).",
                day=r["as_of"],
                offices=num(r["offices"]),
                computed=num(r["computed"]),
                skipped=num(r["skipped"]),
                seconds=num(r["seconds"]),
                workers=num(r["workers"]),
            )
        ),
        highlight=False,
    )


@network_app.command("national")
def national(
    province: Annotated[
        str | None, typer.Option("--province", help="Hanya kantor provinsi ini (mis. 17).")
    ] = None,
    risk: Annotated[
        str | None, typer.Option("--risk", help="Hanya tingkat stok ini: habis, menipis, aman.")
    ] = None,
    election: Annotated[
        bool, typer.Option("--election", help="Hanya kantor dengan pemilihan dalam cakrawala.")
    ] = False,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            help="Urutan: risk (default), code, name, cover, stockout, backlog, coverage, on_hand.",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tampilan nasional dari snapshot: setiap kantor dengan stok, cukup untuk, peluang
    kehabisan dan antrean cetak; yang paling berisiko lebih dahulu."""
    ctx = state.context()
    day = parse_date(as_of, "as_of")
    v = snapshots.view(ctx, province=province, risk=risk, election=election, sort=sort, as_of=day)
    if as_json:
        print_json(v)
        return
    table = make_table(
        key_column(tr("Kode")),
        tr("Kantor"),
        tr("Tingkat"),
        key_column(tr("Stok"), justify="right"),
        key_column(tr("Hari"), justify="right"),
        key_column(tr("Habis?"), justify="right"),
        key_column(tr("Antrean"), justify="right"),
    )
    for o in v["offices"]:
        c = o["days_of_cover"]
        table.add_row(
            o["code"],
            escape(o["name"]),
            tr(LEVEL_LABEL.get(o["level"], o["level"])),
            num(o["on_hand"]),
            ("> " if c["beyond_horizon"] else "") + num(c["p50"]),
            pct(o["stockout_probability"]),
            num(o["backlog"]["print_backlog"]),
        )
    print_table(table)
    if v["missing"]:
        console.print(
            tr(
                Msg(
                    "Belum ada snapshot: {offices} (jalankan 'blangko network snapshot').",
                    offices=", ".join(v["missing"]),
                )
            ),
            highlight=False,
        )
