"""`blangko closure ...`, `blangko capacity set` and `blangko status`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from blangko.cli import state
from blangko.cli.output import console, num, parse_date, print_json, tanggal
from blangko.services.calendar import days as cal

closure_app = typer.Typer(
    help="Penutupan layanan (PPKM, petugas sakit, cuti bersama) dan hari buka akhir pekan.",
    no_args_is_help=True,
)
capacity_app = typer.Typer(help="Kapasitas layanan per hari.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.")]
OfficeOpt = Annotated[
    str | None, typer.Option("--office", help="Kode kantor (boleh kosong bila hanya satu).")
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Kunci unik permintaan: mengulang dengan kunci sama tidak menulis dua kali.",
    ),
]


def _again(result: dict) -> str:
    return " (permintaan ulang: tidak ada yang ditulis lagi)" if result.get("replayed") else ""


@closure_app.command("add")
def add(
    service: Annotated[str, typer.Option("--service", help="perekaman, pencetakan atau semua.")],
    start: Annotated[str, typer.Option("--from", help="Tanggal mulai tutup.")],
    reason: Annotated[str, typer.Option("--reason", help="Alasan yang dibaca penduduk.")],
    end: Annotated[
        str | None,
        typer.Option("--to", help="Hari terakhir tutup (kosong: sampai dibuka kembali)."),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tutup layanan mulai suatu tanggal, sampai suatu tanggal atau sampai dibuka kembali."""
    r = cal.add_closure(
        state.context(),
        service=service,
        start=parse_date(start, "from"),  # type: ignore[arg-type]
        end=parse_date(end, "to"),
        reason=reason,
        office=office,
        idempotency_key=idempotency_key,
    )
    if as_json:
        print_json(r)
        return
    c = r["closure"]
    until = tanggal(c["end"]) if c["end"] else "dibuka kembali"
    console.print(
        f"Penutupan #{c['id']}: {c['service']} tutup {tanggal(c['start'])} s.d. {until} - "
        f"{c['reason']}{_again(r)}",
        highlight=False,
    )


@closure_app.command("end")
def end(
    closure_id: Annotated[int, typer.Argument(help="Nomor penutupan.")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Tanggal layanan buka kembali (default hari ini)."),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Buka kembali: layanan buka lagi mulai --date."""
    r = cal.end_closure(
        state.context(),
        closure_id=closure_id,
        reopen=parse_date(date),
        office=office,
        idempotency_key=idempotency_key,
    )
    if as_json:
        print_json(r)
        return
    c = r["closure"]
    console.print(
        f"Penutupan #{c['id']} ({c['service']}) berakhir; buka kembali {tanggal(r['reopened'])}"
        f"{_again(r)}",
        highlight=False,
    )


@closure_app.command("list")
def list_(
    active_on: Annotated[
        str | None, typer.Option("--active-on", help="Hanya yang berlaku pada tanggal ini.")
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar penutupan layanan kantor."""
    rows = cal.list_closures(state.context(), office=office, active_on=parse_date(active_on))
    if as_json:
        print_json(rows)
        return
    table = Table("#", "Layanan", "Mulai", "Sampai", "Alasan", "Dicatat oleh")
    for c in rows:
        table.add_row(
            str(c["id"]),
            c["service"],
            tanggal(c["start"]),
            tanggal(c["end"]) if c["end"] else "dibuka kembali",
            c["reason"],
            c["actor"],
        )
    console.print(table)


@closure_app.command("open-day")
def open_day(
    day: Annotated[str, typer.Argument(help="Sabtu/Minggu yang dibuka, YYYY-MM-DD.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Mis. 'Pelayanan Sabtu menjelang Pilkades'.")
    ] = "Pelayanan hari Sabtu",
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Buka layanan pada hari Sabtu/Minggu (libur nasional dan penutupan tetap berlaku)."""
    r = cal.add_open_day(
        state.context(),
        day=parse_date(day, "day"),  # type: ignore[arg-type]
        reason=reason,
        office=office,
        idempotency_key=idempotency_key,
    )
    if as_json:
        print_json(r)
    else:
        console.print(f"{tanggal(r['day'])} dibuka: {r['reason']}{_again(r)}", highlight=False)


@capacity_app.command("set")
def capacity_set(
    service: Annotated[str, typer.Option("--service", help="perekaman atau pencetakan.")],
    per_day: Annotated[int, typer.Option("--per-day", help="Jumlah layanan per hari.")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Atur berapa penduduk yang dapat dilayani per hari buka."""
    r = cal.set_capacity(
        state.context(),
        service=service,
        per_day=per_day,
        office=office,
        idempotency_key=idempotency_key,
    )
    if as_json:
        print_json(r)
    else:
        console.print(
            f"Kapasitas {r['service']}: {num(r['per_day'])} per hari{_again(r)}", highlight=False
        )


def status(
    date: Annotated[str | None, typer.Option("--date", help="Tanggal (default hari ini).")] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Status layanan hari ini: buka atau tutup dengan alasannya, ketahanan stok, antrean."""
    r = cal.status(
        state.context(),
        on=parse_date(date),
        office=office,
        low_days=state.settings().stock_low_days,
    )
    if as_json:
        print_json(r)
        return
    console.print(f"[bold]Status layanan {tanggal(r['date'])}[/]")
    for name, s in r["services"].items():
        word = "[green]buka[/]" if s["open"] else f"[red]tutup[/] - {s['reason']}"
        cap = r["capacity"].get(name)
        extra = f" (kapasitas {num(cap)}/hari)" if cap is not None else ""
        console.print(f"  {name}: {word}{extra}", highlight=False)
    st = r["stock"]
    cover = f"{num(st['days_of_cover'])} hari" if st["days_of_cover"] is not None else "-"
    console.print(
        f"  Stok: {num(st['on_hand'])} keping, cukup untuk {cover} (rata-rata "
        f"{num(st['average_daily_use'])}/hari) - {st['level']}",
        highlight=False,
    )
    b = r["backlog"]
    console.print(
        f"  Antrean: {num(b['to_record'])} menunggu perekaman, {num(b['to_print'])} siap cetak "
        f"({num(b['suket_waiting'])} pemegang suket)",
        highlight=False,
    )
