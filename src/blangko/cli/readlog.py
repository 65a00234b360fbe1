"""`blangko readlog ...`: who viewed which resident's personal data (the read log)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.options import JsonOpt, OfficeOpt
from blangko.cli.output import key_column, make_table, num, print_json, print_table, tr, waktu
from blangko.domain.text import Msg
from blangko.services import readlog

readlog_app = typer.Typer(
    help="Log akses data pribadi: siapa melihat data penduduk yang mana.", no_args_is_help=True
)


@readlog_app.command("list")
def list_cmd(
    nik: Annotated[
        str | None, typer.Option("--nik", help="Hanya akses ke penduduk ini (NIK lengkap).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Hanya akses pengguna ini.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Jumlah baris, terbaru dulu.")] = 100,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log akses data pribadi kantor, terbaru dulu; NIK disamarkan."""
    r = readlog.list_reads(state.context(), office=office, nik=nik, actor=user, limit=limit)
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Waktu")),
        tr("Pengguna"),
        tr("Peran"),
        tr("Yang dilihat"),
        tr("NIK"),
        tr("Keterangan"),
        key_column(tr("Baris"), justify="right"),
        title=tr(
            Msg(
                "Log akses data pribadi {office}: {total} akses",
                office=r["office"],
                total=num(r["total"]),
            )
        ),
    )
    for e in r["items"]:
        table.add_row(
            waktu(e["at"]),
            escape(e["actor"]),
            e["role"],
            e["action_label"],
            e["nik"] or "",
            escape(e["subject"] or ""),
            num(e["rows"]),
        )
    print_table(table)
