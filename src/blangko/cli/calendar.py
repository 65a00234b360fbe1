"""`blangko closure ...`, `blangko capacity set`, `blangko status` and `blangko event ...`:
when the office serves, how many it can serve a day, and the events (Pilkades, Pemilu,
Pilkada) that drive demand, with their expected impact on recordings and blank cards."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from blangko.cli import state
from blangko.cli.options import EventIdArg, JsonOpt, KeyOpt, OfficeOpt
from blangko.cli.output import (
    console,
    cover_text,
    key_column,
    make_table,
    num,
    pct,
    print_json,
    print_table,
    replayed,
    short_date,
    tanggal,
    tr,
)
from blangko.domain.calendar import DESK_LABEL_ID
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.formatting import parse_date
from blangko.services import figures
from blangko.services.calendar import days as cal
from blangko.services.calendar import events as ev

closure_app = typer.Typer(
    help="Penutupan layanan (PPKM, petugas sakit, cuti bersama) dan hari buka akhir pekan.",
    no_args_is_help=True,
)
capacity_app = typer.Typer(help="Kapasitas layanan per hari.", no_args_is_help=True)
event_app = typer.Typer(
    help="Acara yang mendorong permintaan KTP (Pilkades, Pemilu, Pilkada).",
    no_args_is_help=True,
)


# --- closures, open days and capacity ----------------------------------------------------------


@closure_app.command("add")
def closure_add(
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
        tr(
            Msg(
                "Penutupan #{id}: {service} tutup {start} s.d. {until} - {reason}{r}",
                id=c["id"],
                service=c["service"],
                start=tanggal(c["start"]),
                until=until,
                reason=c["reason"],
                r=replayed(r),
            )
        ),
        highlight=False,
    )


@closure_app.command("end")
def closure_end(
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
    r = state.write(
        cal.end_closure, office, idempotency_key, closure_id=closure_id, reopen=parse_date(date)
    )
    if as_json:
        print_json(r)
        return
    c = r["closure"]
    console.print(
        tr(
            Msg(
                "Penutupan #{id} ({service}) berakhir; buka kembali {reopened}{r2}",
                id=c["id"],
                service=c["service"],
                reopened=tanggal(r["reopened"]),
                r2=replayed(r),
            )
        ),
        highlight=False,
    )


@closure_app.command("list")
def closure_list(
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
    table = make_table(
        key_column("#", justify="right"),
        tr("Layanan"),
        key_column(tr("Mulai")),
        tr("Sampai"),
        tr("Alasan"),
        tr("Dicatat oleh"),
    )
    for c in rows:
        table.add_row(
            str(c["id"]),
            DESK_LABEL_ID.get(c["service"], c["service"]),
            short_date(c["start"]),
            short_date(c["end"]) if c["end"] else "dibuka kembali",
            c["reason"],
            c["actor"],
        )
    print_table(table)


@closure_app.command("open-day")
def closure_open_day(
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
        console.print(
            tr(
                Msg(
                    "{day} dibuka: {reason}{r3}",
                    day=tanggal(r["day"]),
                    reason=r["reason"],
                    r3=replayed(r),
                )
            ),
            highlight=False,
        )


@capacity_app.command("set")
def capacity_set(
    service: Annotated[str, typer.Option("--service", help="perekaman atau pencetakan.")],
    per_day: Annotated[int, typer.Option("--per-day", help="Jumlah layanan per hari.")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Atur berapa penduduk yang dapat dilayani per hari buka."""
    r = state.write(cal.set_capacity, office, idempotency_key, service=service, per_day=per_day)
    if as_json:
        print_json(r)
    else:
        console.print(
            tr(
                Msg(
                    "Kapasitas {service}: {per_day} per hari{r3}",
                    service=r["service"],
                    per_day=num(r["per_day"]),
                    r3=replayed(r),
                )
            ),
            highlight=False,
        )


# --- status of the day -------------------------------------------------------------------------


def status(
    date: Annotated[str | None, typer.Option("--date", help="Tanggal (default hari ini).")] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Status layanan hari ini: buka atau tutup dengan alasannya, ketahanan stok, antrean."""
    r = figures.status(
        state.context(),
        on=parse_date(date),
        office=office,
        low_days=state.settings().stock_low_days,
    )
    if as_json:
        print_json(r)
        return
    console.print(tr(Msg("[bold]Status layanan {date}[/]", date=tanggal(r["date"]))))
    for name, s in r["services"].items():
        word = (
            f"[green]{tr('buka')}[/]" if s["open"] else f"[red]{tr('tutup')}[/] - {tr(s['reason'])}"
        )
        cap = r["capacity"].get(name)
        extra = " " + tr(Msg("(kapasitas {n}/hari)", n=num(cap))) if cap is not None else ""
        console.print(f"  {tr(DESK_LABEL_ID.get(name, name))}: {word}{extra}", highlight=False)
    st = r["stock"]
    console.print(
        tr(
            Msg(
                "  Stok: {on_hand} keping - {level}; cukup untuk {days_of_cover}",
                on_hand=num(st["on_hand"]),
                level=st["level"],
                days_of_cover=cover_text(st["days_of_cover"]),
            )
        ),
        highlight=False,
    )
    comp = st["comparison"]
    mos = comp["months_of_stock"]
    console.print(
        "  "
        + tr(
            Msg(
                "Pembanding (gaya OpenLMIS): rata-rata pemakaian bulanan {n} keping",
                n=num(comp["average_monthly_consumption"]),
            )
        )
        + (tr(Msg(", stok {n} bulan", n=num(mos))) if mos is not None else ""),
        highlight=False,
    )
    b = r["backlog"]
    console.print(
        tr(
            Msg(
                "  Antrean cetak: {print_backlog} orang ({to_record} menunggu perekaman, {recorded} sudah direkam, {to_print} siap cetak, {registry_prr} PRR di registri belum mengajukan); {suket_waiting} pemegang suket menunggu kartu",
                print_backlog=num(b["print_backlog"]),
                to_record=num(b["to_record"]),
                recorded=num(b["recorded"]),
                to_print=num(b["to_print"]),
                registry_prr=num(b["registry_prr"]),
                suket_waiting=num(b["suket_waiting"]),
            )
        ),
        highlight=False,
    )


# --- events ------------------------------------------------------------------------------------


@event_app.command("add")
def event_add(
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
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftarkan acara dan desa yang terlibat."""
    given = sum(x for x in (villages is not None, villages_file is not None, all_villages))
    if given != 1:
        raise DomainError(
            "event_villages",
            "villages",
            Msg("Pilih tepat satu: --villages KODE,KODE, --villages-file BERKAS atau --all."),
        )
    codes: list[str] = []
    if villages is not None:
        codes = [c for c in villages.split(",") if c.strip()]
    elif villages_file is not None:
        codes = ev.read_village_file(villages_file)
    event_date = parse_date(date, "date")
    assert event_date is not None
    r = state.write(
        ev.add_event,
        office,
        idempotency_key,
        name=name,
        event_date=event_date,
        kind=kind,
        villages=codes,
        all_villages=all_villages,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Acara #{id} '{name}' ({kind}) tanggal {date}: {r4} desa{r5}.",
                id=r["id"],
                name=r["name"],
                kind=ev.KIND_LABEL_ID.get(r["kind"], r["kind"]),
                date=tanggal(r["date"]),
                r4=num(len(r["villages"])),
                r5=replayed(r),
            )
        ),
        highlight=False,
    )


@event_app.command("list")
def event_list(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Daftar acara kantor, menurut tanggal."""
    rows = ev.list_events(state.context(), office=office)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("No"), justify="right"),
        tr("Nama"),
        key_column(tr("Tanggal")),
        tr("Jenis"),
        key_column(tr("Desa"), justify="right"),
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            short_date(r["date"]),
            ev.KIND_LABEL_ID.get(r["kind"], r["kind"]),
            num(r["villages"]),
        )
    print_table(table)


@event_app.command("show")
def event_show(
    event_id: EventIdArg,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Satu acara dan desanya."""
    r = ev.show_event(state.context(), event_id, office=office)
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Acara #{id} '{name}' ({kind_label_id}), tanggal {date}, {r4} desa.",
                id=r["id"],
                name=r["name"],
                kind_label_id=ev.KIND_LABEL_ID[r["kind"]],
                date=tanggal(r["date"]),
                r4=num(len(r["villages"])),
            )
        ),
        highlight=False,
    )
    table = make_table(key_column(tr("Kode")), tr("Desa"), tr("Kecamatan"))
    for v in r["villages"]:
        table.add_row(v["code"], v["name"], v["kecamatan"])
    print_table(table)


def _range(x: dict[str, Any]) -> str:
    return f"{num(x['low'])} / {num(x['expected'])} / {num(x['high'])}"


@event_app.command("impact")
def event_impact(
    event_id: EventIdArg,
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
        }.items()
        if v is not None
    }
    r = ev.impact(
        state.context(),
        event_id,
        assumptions=state.settings().event.with_overrides(**overrides),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Acara #{id} '{event}' tanggal {date} ({days_until} hari lagi), {villages} desa.",
                id=r["id"],
                event=r["event"],
                date=tanggal(r["date"]),
                days_until=num(r["days_until"]),
                villages=num(r["villages"]),
            )
        ),
        highlight=False,
    )
    table = make_table(tr("Di desa terdampak"), key_column(tr("Orang"), justify="right"))
    table.add_row(tr("Wajib KTP"), num(r["wajib_ktp"]))
    table.add_row(tr("Belum rekam"), num(r["unrecorded"]))
    table.add_row(tr("Sudah rekam, belum dicetak"), num(r["recorded_not_printed"]))
    table.add_row(tr("Pemegang suket menunggu"), num(r["suket_waiting"]))
    table.add_row(tr("Genap 17 tahun sebelum acara"), num(r["turning_17_before"]))
    print_table(table)
    x = r["expected_extra"]
    a = r["assumptions"]
    w = x["window"]
    extra = make_table(
        tr("Tambahan sebelum acara"), tr("Rendah / perkiraan / tinggi"), tr("Per hari buka")
    )
    for key, label, desk in (
        ("recordings", "Perekaman", "perekaman"),
        ("blanks", "Blangko", "pencetakan"),
    ):
        daily = x["per_day_in_window"][key]
        if daily is None:
            why = "; ".join(w["closed_reasons"][desk])
            each = "tutup sepanjang jendela" + (f" ({why})" if why else "")
        else:
            each = f"{_range(daily)} ({num(w['open_days'][desk])} hari buka)"
        extra.add_row(label, _range(x[key]), each)
    print_table(extra)
    t = a["take_up"]
    console.print(
        tr(
            Msg(
                "Asumsi: partisipasi {low} / {expected} / {high}, tersebar pada hari buka jendela {start} - {to} ({days} hari, paling lama {window_days} hari sebelum acara). Ubah dengan --take-up-*, --window-days atau BLANGKO_EVENT_*.",
                low=pct(t["low"]),
                expected=pct(t["expected"]),
                high=pct(t["high"]),
                start=tanggal(w["from"]),
                to=tanggal(w["to"]),
                days=num(w["days"]),
                window_days=num(a["window_days"]),
            )
        ),
        highlight=False,
    )
