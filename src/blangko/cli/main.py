"""The `blangko` command: global options, the commands of each capability, `demo`, and the
console entry point that turns bad input into a message and an exit code."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from blangko.cli import allocation as _allocation  # noqa: F401 - adds `network allocate`, `rebalance`
from blangko.cli import national as _national  # noqa: F401 - adds `network snapshot`, `national`
from blangko.cli import state
from blangko.cli.admin import backup, init, location_app, office_app, regions_app, restore, user_app
from blangko.cli.applications import app_app
from blangko.cli.calendar import capacity_app, closure_app, event_app
from blangko.cli.calendar import status as status_command
from blangko.cli.coverage import coverage_app
from blangko.cli.forecast import forecast_app
from blangko.cli.handed_in import old_card_app
from blangko.cli.items import item_app, printer_app
from blangko.cli.loans import loan_app
from blangko.cli.network import network_app, shipment_app
from blangko.cli.options import JsonOpt
from blangko.cli.output import command_of, console, fail, print_json, set_language
from blangko.cli.rationing import rationing_app
from blangko.cli.readlog import readlog_app
from blangko.cli.registry import nik_app, residents_app
from blangko.cli.reports import report_app
from blangko.cli.requests import request_app
from blangko.cli.serve import serve
from blangko.cli.stock import print_balance, stock_app
from blangko.demo import story
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.i18n import check_language, language_from_env
from blangko.services.stock.queries import balance

app = typer.Typer(
    help="blangko: buku besar blangko e-KTP dan layanan Dinas Dukcapil.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(stock_app, name="stock")
app.add_typer(app_app, name="app")
app.add_typer(closure_app, name="closure")
app.add_typer(capacity_app, name="capacity")
app.command("status")(status_command)
app.add_typer(report_app, name="report")
app.add_typer(residents_app, name="residents")
app.add_typer(nik_app, name="nik")
app.add_typer(coverage_app, name="coverage")
app.add_typer(event_app, name="event")
app.add_typer(forecast_app, name="forecast")
app.add_typer(item_app, name="item")
app.add_typer(printer_app, name="printer")
app.add_typer(regions_app, name="regions")
app.add_typer(location_app, name="location")
app.add_typer(office_app, name="office")
app.add_typer(user_app, name="user")
app.add_typer(network_app, name="network")
app.add_typer(shipment_app, name="shipment")
app.add_typer(request_app, name="request")
app.add_typer(loan_app, name="loan")
app.add_typer(readlog_app, name="readlog")
app.add_typer(rationing_app, name="rationing")
app.add_typer(old_card_app, name="old-card")
app.command("serve")(serve)
app.command("init")(init)
app.command("backup")(backup)
app.command("restore")(restore)


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="URL basis data (default: BLANGKO_DATABASE_URL, atau berkas SQLite ./blangko.db).",
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Nama petugas yang dicatat di ledger.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Bahasa keluaran: id (Bahasa Indonesia, bawaan) atau en (English); "
            "tanpa opsi ini: BLANGKO_LANG.",
        ),
    ] = None,
) -> None:
    set_language(check_language(lang) if lang is not None else language_from_env())
    state.configure(db=db, actor=actor)


@app.command()
def demo(
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Hapus basis data SQLite demo lalu bangun ulang.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Bangun kantor demo (Kabupaten Kaur, 17.04) dengan kisah stok dari berita sumber, di
    dalam jaringan demo (direktorat 00.00 dan 10 kantor Provinsi Bengkulu; Kaur kantor
    utama), lalu tampilkan posisi stoknya."""
    if fresh:
        state.remove_sqlite_file()
    ctx = state.context()
    built = story.build(ctx, progress=None if as_json else console.print)
    bal = balance(ctx, office=built["office"])
    if as_json:
        print_json({"demo": built, "balance": bal})
        return
    print_balance(bal)
    for line in built["notes"]:
        console.print(line)


def main() -> None:
    """Console entry point: bad input ends with a clear message and a non-zero exit."""
    as_json = "--json" in sys.argv
    try:
        app()
    except DomainError as exc:
        fail(exc, as_json=as_json, command=command_of(typer.main.get_command(app), sys.argv[1:]))
        sys.exit(2)
    except OperationalError as exc:
        fail(
            DomainError(
                "db_unavailable",
                "db",
                Msg(
                    "Basis data tidak dapat dibuka atau belum disiapkan ({orig}). Periksa --db / BLANGKO_DATABASE_URL, lalu jalankan 'blangko init'.",
                    orig=exc.orig,
                ),
            ),
            as_json=as_json,
        )
        sys.exit(3)
