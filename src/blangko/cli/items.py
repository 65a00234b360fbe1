"""`blangko item ...` (ribbons, films and other quantity items by lot), `blangko printer ...`
(the printers of each print station: states, loads, prints) and `blangko forecast stops`
(what stops printing first). The e-KTP blank stays with `blangko stock ...`."""

from __future__ import annotations

from typing import Annotated, Any, cast

import typer

from blangko.cli import state
from blangko.cli.forecast import forecast_app
from blangko.cli.options import AsOfOpt, DateOpt, JsonOpt, KeyOpt, NoteOpt, OfficeOpt
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    num,
    print_json,
    print_table,
    replayed,
    short_date,
    tr,
)
from blangko.domain.items import KIND_LABEL_ID, PRINTER_STATE_LABEL_ID, ROLE_LABEL_ID
from blangko.domain.text import Msg
from blangko.formatting import parse_date
from blangko.services import supply_limits
from blangko.services.items import queries, serialised, writes

item_app = typer.Typer(
    help="Barang selain blangko: pita warna, film retransfer dan lainnya, per lot.",
    no_args_is_help=True,
)
printer_app = typer.Typer(
    help="Printer kartu per loket cetak: keadaan, pita/film terpasang, jumlah cetak.",
    no_args_is_help=True,
)

ItemOpt = Annotated[str, typer.Option("--item", help="Kode barang, mis. pita-warna.")]
LotOpt = Annotated[
    str | None, typer.Option("--lot", help="Nomor lot (barang per unit; bukan barang berseri).")
]
QtyOpt = Annotated[
    int | None, typer.Option("--qty", help="Jumlah unit (barang per unit; bukan barang berseri).")
]
SerialsOpt = Annotated[
    str | None,
    typer.Option(
        "--serials",
        help="Rentang seri barang berseri (KIA), mis. KA000001-KA000100; ditolak untuk barang per unit.",
    ),
]


def _entries_line(r: dict) -> None:  # type: ignore[type-arg]
    for e in r["entries"]:
        if e.get("serials") is not None:
            console.print(
                tr(
                    Msg(
                        "Barang {item} entri #{seq}: {label}, seri {serials} ({quantity} keping){value}",
                        item=e["item"],
                        seq=e["seq"],
                        label=KIND_LABEL_ID[e["kind"]],
                        serials=e["serials"],
                        quantity=num(e["quantity"]),
                        value=replayed(r),
                    )
                ),
                highlight=False,
            )
            continue
        console.print(
            tr(
                Msg(
                    "Barang {item} entri #{seq}: {label}, lot {lot}, {quantity} unit{value}",
                    item=e["item"],
                    seq=e["seq"],
                    label=KIND_LABEL_ID[e["kind"]],
                    lot=e["lot"],
                    quantity=num(e["quantity"]),
                    value=replayed(r),
                )
            ),
            highlight=False,
        )


@item_app.command("list")
def item_list(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Barang kantor: blangko KTP-el dan barang per unit, dengan stoknya."""
    r = queries.list_items(state.context(), office=office)
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Kode")),
        tr("Nama"),
        tr("Peran"),
        key_column(tr("Hasil"), justify="right"),
        key_column(tr("Stok"), justify="right"),
        tr("Satuan"),
    )
    for i in r["items"]:
        table.add_row(
            i["code"],
            i["name"],
            tr(ROLE_LABEL_ID.get(i["role"], "kartu")),
            num(i["yield_prints"]) if i["yield_prints"] else "-",
            num(i["on_hand"]),
            i["unit"],
        )
    print_table(table)


@item_app.command("add")
def item_add(
    code: Annotated[str, typer.Argument(help="Kode barang, mis. pita-warna.")],
    name: Annotated[str, typer.Option("--name", help="Nama barang.")],
    role: Annotated[
        str, typer.Option("--role", help="ribbon, film atau other (barang berseri: kartu).")
    ] = "other",
    unit: Annotated[str, typer.Option("--unit", help="Satuan, mis. roll.")] = "roll",
    kind: Annotated[
        str, typer.Option("--kind", help="quantity (per unit dan lot) atau serialised (per seri).")
    ] = "quantity",
    serial_pattern: Annotated[
        str | None,
        typer.Option(
            "--serial-pattern",
            help="Barang berseri: awalan lalu satu '#' per digit, mis. KA######### (KA + 9 digit).",
        ),
    ] = None,
    yield_prints: Annotated[
        int | None, typer.Option("--yield", help="Kartu tercetak per unit (pita: sekitar 500).")
    ] = None,
    lead_time: Annotated[
        int | None,
        typer.Option("--lead-time", help="Hari dari nota dinas sampai barang tiba (default 60)."),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tambah barang per unit (pita, film, kit pembersih ...) atau kartu berseri lain (KIA)."""
    r = state.write(
        writes.add_item,
        office,
        idempotency_key,
        code=code,
        name=name,
        role=role,
        unit=unit,
        yield_prints=yield_prints,
        lead_time_days=lead_time,
        kind=kind,
        serial_pattern=serial_pattern,
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(Msg("Barang {code} ditambahkan{value}", code=r["item"]["code"], value=replayed(r))),
        highlight=False,
    )


@item_app.command("receive")
def item_receive(
    item: ItemOpt,
    document: Annotated[str, typer.Option("--document", help="Nomor BAST/dokumen penerimaan.")],
    lot: LotOpt = None,
    qty: QtyOpt = None,
    yield_prints: Annotated[
        int | None, typer.Option("--yield", help="Hasil cetak per unit lot ini (default barang).")
    ] = None,
    date: DateOpt = None,
    serials: SerialsOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Terima satu lot baru barang per unit (--lot, --qty) atau satu rentang seri barang
    berseri (--serials) ke gudang."""
    r = state.write(
        writes.receive,
        office,
        idempotency_key,
        item=item,
        lot=lot,
        quantity=qty,
        document=document,
        yield_prints=yield_prints,
        effective=parse_date(date, "date"),
        serials=serials,
    )
    if as_json:
        print_json(r)
        return
    _entries_line(dict(r))


def _remove(
    kind: str,
    item: str,
    lot: str | None,
    qty: int | None,
    reason: str,
    document: str | None,
    date: str | None,
    serials: str | None,
    office: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    r = state.write(
        writes.remove,
        office,
        key,
        item=item,
        kind=kind,
        lot=lot,
        quantity=qty,
        reason=reason,
        document=document,
        effective=parse_date(date, "date"),
        serials=serials,
    )
    if as_json:
        print_json(r)
        return
    _entries_line(dict(r))


@item_app.command("spoil")
def item_spoil(
    item: ItemOpt,
    reason: Annotated[str, typer.Option("--reason", help="Alasan rusak.")],
    lot: LotOpt = None,
    qty: QtyOpt = None,
    date: DateOpt = None,
    serials: SerialsOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat unit rusak dari satu lot, atau seri barang berseri yang rusak (--serials)."""
    _remove("spoil", item, lot, qty, reason, None, date, serials, office, idempotency_key, as_json)


@item_app.command("lose")
def item_lose(
    item: ItemOpt,
    reason: Annotated[str, typer.Option("--reason", help="Keterangan kehilangan.")],
    document: Annotated[str, typer.Option("--document", help="Nomor laporan kehilangan.")],
    lot: LotOpt = None,
    qty: QtyOpt = None,
    date: DateOpt = None,
    serials: SerialsOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat unit hilang dari satu lot, atau seri barang berseri yang hilang (--serials)."""
    _remove(
        "lose", item, lot, qty, reason, document, date, serials, office, idempotency_key, as_json
    )


@item_app.command("count")
def item_count(
    item: ItemOpt,
    lot: LotOpt = None,
    counted: Annotated[
        int | None, typer.Option("--counted", help="Unit yang terhitung di gudang (per lot).")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Alasan selisih (wajib bila ada selisih).")
    ] = None,
    date: DateOpt = None,
    serials: Annotated[
        str | None,
        typer.Option(
            "--serials",
            help="Barang berseri: semua seri yang dipindai di gudang (barang per unit: ditolak).",
        ),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hitung satu lot di gudang, atau barang berseri dengan memindai semua serinya;
    selisihnya langsung dibukukan dengan alasannya."""
    r = state.write(
        writes.count,
        office,
        idempotency_key,
        item=item,
        lot=lot,
        counted=counted,
        reason=reason,
        effective=parse_date(date, "date"),
        serials=serials,
    )
    if as_json:
        print_json(r)
        return
    if "found" in r:
        r = cast(Any, r)  # a serialised item's count (SerialCountResult)
        console.print(
            tr(
                Msg(
                    "Hitung {item} per seri: buku {book}, terpindai {counted}, selisih {variance}; ditemukan {found}; tidak ditemukan {missing}{value}",
                    item=r["item"],
                    book=num(r["book"]),
                    counted=num(r["counted"]),
                    variance=num(r["variance"]),
                    found=r["found"] or "-",
                    missing=r["missing"] or "-",
                    value=replayed(r),
                )
            ),
            highlight=False,
        )
        return
    console.print(
        tr(
            Msg(
                "Hitung {item} lot {lot}: buku {book}, terhitung {counted}, selisih {variance}{value}",
                item=r["item"],
                lot=r["lot"],
                book=num(r["book"]),
                counted=num(r["counted"]),
                variance=num(r["variance"]),
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@item_app.command("balance")
def item_balance(
    item: ItemOpt, as_of: AsOfOpt = None, office: OfficeOpt = None, as_json: JsonOpt = False
) -> None:
    """Saldo barang per lot dan baris-baris totalnya."""
    r = queries.item_balance(
        state.context(), item=item, as_of=parse_date(as_of, "as_of"), office=office
    )
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Lot")),
        key_column(tr("Hasil"), justify="right"),
        key_column(tr("Stok"), justify="right"),
    )
    for lot in r["by_lot"]:
        table.add_row(lot["lot"], num(lot["yield_prints"] or 0), num(lot["on_hand"]))
    print_table(table)
    t = r["totals"]
    totals = {k: num(t[k]) for k in ("received", "loaded", "spoiled", "lost", "adjusted")}
    totals["on_hand"] = num(r["on_hand"])
    console.print(
        tr(
            # A serialised card (KIA) leaves the store printed; a ribbon, loaded.
            Msg(
                "Diterima {received}, dicetak {loaded}, rusak {spoiled}, hilang {lost}, penyesuaian {adjusted}: stok {on_hand}.",
                **totals,
            )
            if "states" in r
            else Msg(
                "Diterima {received}, dipasang {loaded}, rusak {spoiled}, hilang {lost}, penyesuaian {adjusted}: stok {on_hand}.",
                **totals,
            )
        ),
        highlight=False,
    )
    if "states" in r:
        console.print(
            tr(
                Msg(
                    "Seri di gudang: {in_store}. Dicetak {printed}, rusak {spoiled}, hilang {lost}, tidak ditemukan {missing}.",
                    in_store=r.get("in_store") or "-",
                    printed=num(r["states"]["printed"]),
                    spoiled=num(r["states"]["spoiled"]),
                    lost=num(r["states"]["lost"]),
                    missing=num(r["states"]["missing"]),
                )
            ),
            highlight=False,
        )


@item_app.command("print")
def item_print(
    item: ItemOpt,
    serial: Annotated[str, typer.Option("--serial", help="Nomor seri kartu yang dicetak.")],
    printer: Annotated[
        str | None,
        typer.Option("--printer", help="Printer yang mencetak (pita/filmnya ikut terhitung)."),
    ] = None,
    station: Annotated[
        str | None, typer.Option("--station", help="Loket cetak printer itu (opsional).")
    ] = None,
    note: NoteOpt = None,
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat satu kartu barang berseri (KIA) dicetak: serinya keluar dari gudang."""
    r = state.write(
        serialised.print_serial,
        office,
        idempotency_key,
        item=item,
        serial=serial,
        printer=printer,
        station=station,
        note=note,
        effective=parse_date(date, "date"),
    )
    if as_json:
        print_json(r)
        return
    _entries_line(dict(r))


# Printers ---------------------------------------------------------------------------------------


def _printer_line(r: dict) -> None:  # type: ignore[type-arg]
    p = r["printer"]
    console.print(
        tr(
            Msg(
                "Printer {name} ({station}): {label}, {capacity} kartu/hari{value}",
                name=p["name"],
                station=p["station"],
                label=PRINTER_STATE_LABEL_ID[p["state"]],
                capacity=num(p["capacity"]),
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@printer_app.command("add")
def printer_add(
    name: Annotated[str, typer.Argument(help="Nama printer, mis. printer-1.")],
    station: Annotated[str, typer.Option("--station", help="Loket cetak, mis. loket-1.")],
    capacity: Annotated[int, typer.Option("--capacity", help="Kartu sehari (100 sampai 250).")],
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tambah printer kartu di loket cetak."""
    r = state.write(
        writes.add_printer,
        office,
        idempotency_key,
        name=name,
        station=station,
        capacity=capacity,
        since=parse_date(date, "date"),
    )
    if as_json:
        print_json(r)
        return
    _printer_line(dict(r))


@printer_app.command("list")
def printer_list(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Printer kantor: keadaan dan pita/film terpasang."""
    r = queries.list_printers(state.context(), office=office)
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Printer")),
        tr("Loket"),
        key_column(tr("Kap."), justify="right"),
        tr("Keadaan"),
        tr("Sejak"),
        tr("Terpasang"),
    )
    for p in r["printers"]:
        loaded = ", ".join(f"{v['label']} {v['prints']}/{v['yield_prints']}" for v in p["loaded"])
        table.add_row(
            p["name"],
            p["station"],
            num(p["capacity"]),
            tr(PRINTER_STATE_LABEL_ID[p["state"]]),
            short_date(p["since"]) if p["since"] else "-",
            loaded or "-",
        )
    print_table(table)


@printer_app.command("state")
def printer_state(
    name: Annotated[str, typer.Argument(help="Nama printer.")],
    new_state: Annotated[
        str, typer.Option("--state", help="working, broken, in_repair atau replaced.")
    ],
    date: DateOpt = None,
    expected_back: Annotated[
        str | None, typer.Option("--expected-back", help="Perkiraan berfungsi lagi.")
    ] = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat keadaan printer sejak tanggal tertentu (riwayatnya disimpan)."""
    r = state.write(
        writes.set_state,
        office,
        idempotency_key,
        name=name,
        state=new_state,
        since=parse_date(date, "date"),
        expected_back=parse_date(expected_back, "expected_back"),
        note=note,
    )
    if as_json:
        print_json(r)
        return
    _printer_line(dict(r))


@printer_app.command("load")
def printer_load(
    name: Annotated[str, typer.Argument(help="Nama printer.")],
    item: ItemOpt,
    lot: LotOpt,
    label: Annotated[str, typer.Option("--label", help="Label unit (nomor kotak).")],
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pasang satu unit pita/film dari gudang ke printer (unit sebelumnya dilepas)."""
    r = state.write(
        writes.load,
        office,
        idempotency_key,
        name=name,
        item=item,
        lot=lot,
        label=label,
        effective=parse_date(date, "date"),
        note=note,
    )
    if as_json:
        print_json(r)
        return
    _printer_line(dict(r))


@printer_app.command("prints")
def printer_prints(
    name: Annotated[str, typer.Argument(help="Nama printer.")],
    prints: Annotated[int, typer.Option("--prints", help="Kartu tercetak hari itu.")],
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat jumlah kartu tercetak di printer pada satu hari (memakai pita/film terpasang)."""
    r = state.write(
        writes.record_prints,
        office,
        idempotency_key,
        name=name,
        prints=prints,
        effective=parse_date(date, "date"),
        note=note,
    )
    if as_json:
        print_json(r)
        return
    _printer_line(dict(r))


@printer_app.command("history")
def printer_history(
    name: Annotated[str, typer.Argument(help="Nama printer.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Riwayat keadaan printer dan unit pita/film yang pernah terpasang."""
    r = queries.printer_history(state.context(), name=name, office=office)
    if as_json:
        print_json(r)
        return
    table = make_table(key_column(tr("Sejak")), tr("Keadaan"), tr("Oleh"), tr("Catatan"))
    for s in r["states"]:
        table.add_row(
            short_date(s["since"]),
            tr(PRINTER_STATE_LABEL_ID[s["state"]]),
            s["actor"],
            s["note"] or "-",
        )
    print_table(table)
    table = make_table(
        key_column(tr("Unit")),
        tr("Barang"),
        tr("Dipasang"),
        tr("Dilepas"),
        key_column(tr("Cetak"), justify="right"),
        tr("Dini"),
    )
    for v in r["loads"]:
        table.add_row(
            v["label"],
            v["item"],
            short_date(v["loaded"]),
            short_date(v["removed"]) if v["removed"] else "-",
            f"{num(v['prints'])}/{num(v['yield_prints'])}",
            tr("ya") if v["early"] else "-",
        )
    print_table(table)


# What stops printing first --------------------------------------------------------------------


@forecast_app.command("stops")
def forecast_stops(
    as_of: AsOfOpt = None, office: OfficeOpt = None, as_json: JsonOpt = False
) -> None:
    """Yang menghentikan cetak lebih dulu dalam 120 hari: blangko, pita, film atau printer."""
    r = supply_limits.supply_limits(
        state.context(), as_of=parse_date(as_of, "as_of"), office=office
    )
    if as_json:
        print_json(r)
        return
    table = make_table(
        key_column(tr("Batas")),
        tr("Berhenti"),
        key_column(tr("Minta"), justify="right"),
        tr("Jalur"),
        key_column(tr("Tunggu"), justify="right"),
        tr("Kirim s.d."),
    )
    for lim in r["limits"]:
        table.add_row(
            lim["item"] or tr("printer"),
            short_date(lim["stops_on"]) if lim["stops_on"] else tr("> 120 hari"),
            f"{num(lim['request_units'])} {lim['unit']}".strip() if lim["item"] else "-",
            lim["route"] or "-",
            num(lim["lead_time_days"]) if lim["lead_time_days"] is not None else "-",
            short_date(lim["request_by"]) if lim["request_by"] else "-",
        )
    print_table(table)
    b = r["binding"]
    if b["stops_on"]:
        console.print(
            tr(
                Msg(
                    "Yang menghentikan cetak lebih dulu: {what}, sekitar {day}.",
                    what=b["name"],
                    day=short_date(b["stops_on"]),
                )
            ),
            highlight=False,
        )
    else:
        console.print(tr(Msg("Tidak ada yang menghentikan cetak dalam 120 hari.")), highlight=False)
    for note in r["notes"]:
        console.print(tr(note), highlight=False)
