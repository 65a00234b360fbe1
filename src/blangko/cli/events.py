"""`blangko event ...`: events that drive demand (Pilkades, Pemilu, Pilkada) and their
expected impact on recordings and blank cards."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from blangko.cli import state
from blangko.cli.coverage import pct
from blangko.cli.output import console, num, parse_date, print_json, tanggal
from blangko.domain.errors import DomainError
from blangko.services.calendar import events as svc

event_app = typer.Typer(
    help="Acara yang mendorong permintaan KTP (Pilkades, Pemilu, Pilkada).",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.")]
OfficeOpt = Annotated[
    str | None, typer.Option("--office", help="Kode kantor (boleh kosong bila hanya satu).")
]


@event_app.command("add")
def add(
    name: Annotated[str, typer.Option("--name", help="Nama acara, mis. 'Pilkades serentak'.")],
    date: Annotated[str, typer.Option("--date", help="Tanggal acara YYYY-MM-DD.")],
    kind: Annotated[
        str, typer.Option("--kind", help="pilkades, pemilu, pilkada atau lainnya.")
    ] = "lainnya",
    villages: Annotated[
        str | None, typer.Option("--villages", help="Kode desa dipisah koma.")
    ] = None,
    villages_file: Annotated[
        Path | None, typer.Option("--villages-file", help="Berkas berisi kode desa.")
    ] = None,
    all_villages: Annotated[
        bool, typer.Option("--all", help="Semua desa/kelurahan kantor.")
    ] = False,
    office: OfficeOpt = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="Kunci unik permintaan.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftarkan acara dan desa yang terlibat."""
    given = sum(x for x in (villages is not None, villages_file is not None, all_villages))
    if given != 1:
        raise DomainError(
            "event_villages",
            "villages",
            "Pilih tepat satu: --villages KODE,KODE, --villages-file BERKAS atau --all.",
        )
    codes: list[str] = []
    if villages is not None:
        codes = [c for c in villages.split(",") if c.strip()]
    elif villages_file is not None:
        codes = svc.read_village_file(villages_file)
    event_date = parse_date(date, "date")
    assert event_date is not None
    r = svc.add_event(
        state.context(),
        name=name,
        event_date=event_date,
        kind=kind,
        villages=codes,
        all_villages=all_villages,
        office=office,
        idempotency_key=idempotency_key,
    )
    if as_json:
        print_json(r)
        return
    again = " (permintaan ulang: tidak ada yang ditulis lagi)" if r.get("replayed") else ""
    console.print(
        f"Acara #{r['id']} '{r['name']}' ({r['kind']}) tanggal {tanggal(r['date'])}: "
        f"{num(len(r['villages']))} desa{again}.",
        highlight=False,
    )


@event_app.command("list")
def list_cmd(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Daftar acara kantor, menurut tanggal."""
    rows = svc.list_events(state.context(), office=office)
    if as_json:
        print_json(rows)
        return
    table = Table("No", "Nama", "Tanggal", "Jenis", "Desa")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], tanggal(r["date"]), r["kind"], num(r["villages"]))
    console.print(table)


@event_app.command("show")
def show(
    event_id: Annotated[int, typer.Argument(help="Nomor acara.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Satu acara dan desanya."""
    r = svc.show_event(state.context(), event_id, office=office)
    if as_json:
        print_json(r)
        return
    console.print(
        f"Acara #{r['id']} '{r['name']}' ({svc.KIND_LABEL_ID[r['kind']]}), "
        f"tanggal {tanggal(r['date'])}, {num(len(r['villages']))} desa.",
        highlight=False,
    )
    table = Table("Kode", "Desa", "Kecamatan")
    for v in r["villages"]:
        table.add_row(v["code"], v["name"], v["kecamatan"])
    console.print(table)


def _range(x: dict[str, Any]) -> str:
    return f"{num(x['low'])} / {num(x['expected'])} / {num(x['high'])}"


@event_app.command("impact")
def impact_cmd(
    event_id: Annotated[int, typer.Argument(help="Nomor acara.")],
    take_up_low: Annotated[
        Decimal | None, typer.Option("--take-up-low", help="Partisipasi terendah (0-1).")
    ] = None,
    take_up_expected: Annotated[
        Decimal | None, typer.Option("--take-up-expected", help="Partisipasi perkiraan (0-1).")
    ] = None,
    take_up_high: Annotated[
        Decimal | None, typer.Option("--take-up-high", help="Partisipasi tertinggi (0-1).")
    ] = None,
    window_days: Annotated[
        int | None, typer.Option("--window-days", help="Hari sebelum acara saat warga datang.")
    ] = None,
    share_in_window: Annotated[
        Decimal | None,
        typer.Option("--share-in-window", help="Bagian permintaan yang datang dalam jendela itu."),
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Perkiraan tambahan permintaan perekaman dan blangko sebelum acara, sebagai rentang."""
    overrides = {
        k: v
        for k, v in {
            "take_up_low": take_up_low,
            "take_up_expected": take_up_expected,
            "take_up_high": take_up_high,
            "window_days": window_days,
            "share_in_window": share_in_window,
        }.items()
        if v is not None
    }
    r = svc.impact(
        state.context(),
        event_id,
        assumptions=state.settings().event.with_overrides(**overrides),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        f"Acara #{r['id']} '{r['event']}' tanggal {tanggal(r['date'])} "
        f"({num(r['days_until'])} hari lagi), {num(r['villages'])} desa.",
        highlight=False,
    )
    table = Table("Di desa terdampak", "Orang")
    table.add_row("Wajib KTP", num(r["wajib_ktp"]))
    table.add_row("Belum rekam", num(r["unrecorded"]))
    table.add_row("Sudah rekam, belum dicetak", num(r["recorded_not_printed"]))
    table.add_row("Pemegang suket menunggu", num(r["suket_waiting"]))
    table.add_row("Genap 17 tahun sebelum acara", num(r["turning_17_before"]))
    console.print(table)
    x = r["expected_extra"]
    a = r["assumptions"]
    extra = Table("Tambahan sebelum acara", "Rendah / perkiraan / tinggi", "Per hari dalam jendela")
    for key, label in (("recordings", "Perekaman"), ("blanks", "Blangko")):
        d = x["per_day_in_window"][key]
        extra.add_row(
            label, _range(x[key]), f"{num(d['low'])} / {num(d['expected'])} / {num(d['high'])}"
        )
    console.print(extra)
    t = a["take_up"]
    console.print(
        f"Asumsi: partisipasi {pct(t['low'] * 100)} / {pct(t['expected'] * 100)} / "
        f"{pct(t['high'] * 100)}; {pct(a['share_in_window'] * 100)} datang dalam "
        f"{num(a['window_days'])} hari sebelum acara ({tanggal(x['window']['from'])} - "
        f"{tanggal(x['window']['to'])}). Ubah dengan --take-up-*, --window-days, "
        "--share-in-window atau BLANGKO_EVENT_*.",
        highlight=False,
    )
