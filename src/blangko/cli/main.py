"""The `blangko` command: global options, set-up commands, and the sub-command groups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import OperationalError

from blangko.cli import state
from blangko.cli.admin import user_app
from blangko.cli.applications import app_app
from blangko.cli.calendar import capacity_app, closure_app
from blangko.cli.calendar import status as status_command
from blangko.cli.coverage import coverage_app
from blangko.cli.events import event_app
from blangko.cli.forecast import forecast_app
from blangko.cli.output import console, fail, num, print_json
from blangko.cli.registry import nik_app, residents_app
from blangko.cli.reports import report_app
from blangko.cli.serve import serve
from blangko.cli.stock import stock_app
from blangko.domain.errors import DomainError
from blangko.services.admin import setup

app = typer.Typer(
    help="blangko: buku besar blangko e-KTP dan layanan Dinas Dukcapil.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
regions_app = typer.Typer(help="Kode wilayah Kemendagri.", no_args_is_help=True)
location_app = typer.Typer(
    help="Lokasi penyimpanan blangko (gudang, loket cetak).", no_args_is_help=True
)
office_app = typer.Typer(help="Kantor (Dinas Dukcapil kabupaten/kota).", no_args_is_help=True)
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
app.add_typer(regions_app, name="regions")
app.add_typer(location_app, name="location")
app.add_typer(office_app, name="office")
app.add_typer(user_app, name="user")
app.command("serve")(serve)

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.")]
OfficeOpt = Annotated[
    str | None, typer.Option("--office", help="Kode kantor (boleh kosong bila hanya ada satu).")
]


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
) -> None:
    state.configure(db=db, actor=actor)


@app.command()
def init(
    office: Annotated[
        str | None, typer.Option("--office", help="Buat kantor untuk kode kabupaten/kota ini.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Buat atau perbarui skema, muat kode wilayah, dan (bila diminta) buat kantor.

    Aman dijalankan dua kali: yang sudah ada tidak diubah."""
    result = setup.init(state.context(), office=office)
    if as_json:
        print_json(result)
        return
    applied = result["migrations_applied"]
    console.print(f"Skema: {'diperbarui ' + ', '.join(applied) if applied else 'sudah mutakhir'}.")
    if result["regions_loaded"]:
        console.print(f"Kode wilayah dimuat: {num(result['regions_loaded'])}.")
    if office:
        o = result["office"]
        verb = "dibuat" if o["created"] else "sudah ada"
        console.print(
            f"Kantor {o['code']} {o['name']} {verb}; {num(o['villages'])} desa/kelurahan."
        )


@app.command()
def demo(
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Hapus basis data SQLite demo lalu bangun ulang.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Bangun kantor demo (Kabupaten Kaur, 17.04) dengan kisah stok dari berita sumber, lalu
    tampilkan posisi stoknya."""
    from blangko.cli.stock import print_balance
    from blangko.demo import story as demo_service

    if fresh:
        state.remove_sqlite_file()
    ctx = state.context()
    built = demo_service.build(ctx, progress=None if as_json else console.print)
    from blangko.services.stock.queries import balance

    bal = balance(ctx, office=built["office"])
    if as_json:
        print_json({"demo": built, "balance": bal})
        return
    print_balance(bal)
    for line in built["notes"]:
        console.print(line)


@office_app.command("list")
def office_list(as_json: JsonOpt = False) -> None:
    """Daftar kantor di basis data ini."""
    rows = setup.list_offices(state.context())
    if as_json:
        print_json(rows)
        return
    table = Table("Kode", "Nama", "Entri ledger")
    for r in rows:
        table.add_row(r["code"], r["name"], num(r["entries"]))
    console.print(table)


@location_app.command("add")
def location_add(
    name: Annotated[str, typer.Argument(help="Nama lokasi, mis. loket-1.")],
    kind: Annotated[
        str, typer.Option("--kind", help="store (gudang) atau station (loket cetak).")
    ] = "station",
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tambah lokasi penyimpanan (gudang, atau loket cetak)."""
    result = setup.add_location(state.context(), name=name, kind=kind, office=office)
    if as_json:
        print_json(result)
    else:
        console.print(f"Lokasi '{result['name']}' ({result['kind']}) ditambahkan.")


@location_app.command("list")
def location_list(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Daftar lokasi kantor."""
    rows = setup.list_locations(state.context(), office=office)
    if as_json:
        print_json(rows)
        return
    table = Table("Lokasi", "Jenis")
    for r in rows:
        table.add_row(r["name"], r["kind"])
    console.print(table)


@regions_app.command("list")
def regions_list(
    under: Annotated[str | None, typer.Option("--under", help="Kode induk, mis. 17.04.")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="provinsi, kabupaten, kecamatan, desa, kelurahan.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar kode wilayah."""
    rows = setup.list_regions(state.context(), under=under, level=level)
    if as_json:
        print_json(rows)
        return
    table = Table("Kode", "Nama", "Tingkat", title=f"{num(len(rows))} wilayah")
    for r in rows:
        table.add_row(r["code"], r["name"], r.get("jenis") or r["level"])
    console.print(table)


@regions_app.command("import")
def regions_import(
    file: Annotated[Path, typer.Argument(help="CSV resmi dengan kolom kode,nama.")],
    as_json: JsonOpt = False,
) -> None:
    """Impor daftar wilayah resmi yang lebih baru (CSV dengan kolom kode,nama)."""
    result = setup.import_regions(state.context(), path=file)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"{num(result['rows'])} baris: {num(result['added'])} baru, "
            f"{num(result['updated'])} diperbarui."
        )


def main() -> None:
    """Console entry point: bad input ends with a clear message and a non-zero exit."""
    as_json = "--json" in sys.argv
    try:
        app()
    except DomainError as exc:
        fail(exc, as_json=as_json)
        sys.exit(2)
    except OperationalError as exc:
        fail(
            DomainError(
                "db_unavailable",
                "db",
                f"Basis data tidak dapat dibuka atau belum disiapkan ({exc.orig}). "
                "Periksa --db / BLANGKO_DATABASE_URL, lalu jalankan 'blangko init'.",
            ),
            as_json=as_json,
        )
        sys.exit(3)
