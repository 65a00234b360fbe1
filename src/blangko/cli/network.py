"""`blangko network ...` and `blangko shipment ...`: the organisation (the directorate, the
provinces, the offices) and the shipments of blanks between their ledgers (docs/network.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.options import (
    DateOpt,
    DocumentOpt,
    JsonOpt,
    KeyOpt,
    LocationOpt,
    NoteOpt,
    OfficeOpt,
    QtyOpt,
    SerialsOpt,
)
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    print_json,
    print_table,
    replayed,
    tr,
)
from blangko.cli.steps import run_step, shipping
from blangko.domain.text import N_, Msg
from blangko.formatting import num, parse_date, short_date
from blangko.services.network import organisation as org
from blangko.services.network import shipments
from blangko.services.network.results import NetworkVerification, ShipmentView

network_app = typer.Typer(
    help="Jaringan: direktorat, provinsi dan kantor dalam satu basis data.", no_args_is_help=True
)
shipment_app = typer.Typer(
    help="Kiriman blangko antarbuku (direktorat ke kantor, kantor ke kantor).",
    no_args_is_help=True,
)

STATUS_LABEL = {"in_transit": "dalam perjalanan", "received": "diterima"}
KIND_LABEL = {org.DIRECTORATE: "direktorat", org.REGENCY: "kabupaten/kota"}


@network_app.command("list")
def network_list(as_json: JsonOpt = False) -> None:
    """Direktorat, provinsi dan kantor, dengan stok di tangan dan yang sedang dikirim."""
    o = org.organisation(state.context())
    if as_json:
        print_json(o)
        return
    table = make_table(
        key_column(tr("Kode")),
        tr("Nama"),
        key_column(tr("Stok"), justify="right"),
        key_column(tr("Dikirim"), justify="right"),
    )
    d = o["directorate"]
    if d is not None:
        table.add_row(d["code"], escape(d["name"]), num(d["on_hand"]), num(d["in_transit"]))
    for p in o["provinces"]:
        table.add_row(
            f"[bold]{p['code']}[/]", f"[bold]Provinsi {escape(p['name'])}[/]", num(p["on_hand"]), ""
        )
        for office in p["offices"]:
            table.add_row(
                office["code"],
                "  " + escape(office["name"]),
                num(office["on_hand"]),
                num(office["in_transit"]),
            )
    print_table(table)
    console.print(
        tr(
            Msg(
                "Jaringan: stok {on_hand} keping; dalam perjalanan {in_transit}.",
                on_hand=num(o["on_hand"]),
                in_transit=num(o["in_transit"]),
            )
        ),
        highlight=False,
    )


def print_shipment(s: ShipmentView) -> None:
    console.print(
        tr(
            Msg(
                (
                    "Kiriman #{id}: {from_office} -> {to_office}, {quantity} keping "
                    "({serials}), dikirim {sent}, dokumen {document}; {status_label}."
                ),
                id=s["id"],
                from_office=s["from_office"],
                to_office=s["to_office"],
                quantity=num(s["quantity"]),
                serials=escape(s["serials"]),
                sent=short_date(s["sent_date"]),
                document=escape(s["document"]),
                status_label=STATUS_LABEL[s["status"]],
            )
        ),
        highlight=False,
    )
    if s["status"] == "received":
        console.print(
            tr(
                Msg(
                    "  Diterima {received} (BAST {document}): {received_qty} masuk stok, "
                    "{damaged_qty} di antaranya rusak; {lost_qty} hilang dalam perjalanan{lost}.",
                    received=short_date(s["received_date"]),
                    document=escape(s["received_document"] or ""),
                    received_qty=num(s["received_qty"] or 0),
                    damaged_qty=num(s["damaged_qty"] or 0),
                    lost_qty=num(s["lost_qty"] or 0),
                    lost=f" ({escape(s['lost_document'])})" if s["lost_document"] else "",
                )
            ),
            highlight=False,
        )


ShipmentArg = Annotated[int, typer.Argument(help="Nomor kiriman.", metavar="SHIPMENT")]


@shipment_app.command("send")
def shipment_send(
    to: Annotated[str, typer.Option("--to", help="Kode kantor tujuan, mis. 17.04.")],
    document: DocumentOpt,
    serials: SerialsOpt = None,
    qty: QtyOpt = None,
    location: LocationOpt = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kirim blangko ke kantor lain: seri keluar dari stok dan berstatus dalam perjalanan."""
    run_step(
        shipments.send,
        _print_written,
        as_json,
        from_office=office,
        to_office=to,
        **shipping(document, serials, qty, location, date, note),
        idempotency_key=idempotency_key,
    )


def _print_written(r: Any, as_json: bool) -> None:
    """A shipment write as sent or received: the shipment and whose ledger recorded it."""
    if as_json:
        print_json(r)
        return
    print_shipment(r["shipment"])
    console.print(
        tr(Msg("Dicatat di buku {office}{value}.", office=r["office"], value=replayed(r))),
        highlight=False,
    )


@shipment_app.command("receive")
def shipment_receive(
    shipment: ShipmentArg,
    document: Annotated[
        str, typer.Option("--document", help="Nomor BAST (berita acara serah terima) penerima.")
    ],
    missing: Annotated[
        str | None,
        typer.Option("--missing", help="Seri yang tidak sampai (dicatat hilang dalam perjalanan)."),
    ] = None,
    missing_document: Annotated[
        str | None,
        typer.Option("--missing-document", help="Nomor berita acara kekurangan kiriman."),
    ] = None,
    damaged: Annotated[
        str | None,
        typer.Option("--damaged", help="Seri yang sampai dalam keadaan rusak (dicatat rusak)."),
    ] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Lokasi tujuan (default gudang).")
    ] = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Terima kiriman dengan BAST: utuh, kurang (seri hilang dalam perjalanan) atau rusak."""
    r = shipments.receive(
        state.context(),
        shipment=shipment,
        document=document,
        missing=missing,
        missing_document=missing_document,
        damaged=damaged,
        location=location,
        effective=parse_date(date, "date"),
        office=office,
        note=note,
        idempotency_key=idempotency_key,
    )
    _print_written(r, as_json)


@shipment_app.command("list")
def shipment_list(
    office: Annotated[
        str | None, typer.Option("--office", help="Hanya kiriman dari atau ke kantor ini.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="in_transit atau received.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar kiriman, terbaru di atas."""
    rows = shipments.list_shipments(state.context(), office=office, status=status)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("No"), justify="right"),
        tr("Dari"),
        tr("Ke"),
        key_column(tr("Keping"), justify="right"),
        tr("Dikirim"),
        tr("Status"),
    )
    for s in rows:
        table.add_row(
            str(s["id"]),
            s["from_office"],
            s["to_office"],
            num(s["quantity"]),
            short_date(s["sent_date"]),
            STATUS_LABEL[s["status"]],
        )
    print_table(table)


@shipment_app.command("show")
def shipment_show(shipment: ShipmentArg, as_json: JsonOpt = False) -> None:
    """Satu kiriman: seri, pengirim, penerima dan penerimaannya."""
    s = shipments.show(state.context(), shipment=shipment)
    if as_json:
        print_json(s)
    else:
        print_shipment(s)


def print_network_verification(r: NetworkVerification) -> None:
    verdict = N_("utuh") if r["sound"] else N_("[bold red]TIDAK utuh[/]")
    console.print(
        tr(
            Msg(
                (
                    "Jaringan {verdict_label}: {shipments} kiriman ({open_shipments} dalam "
                    "perjalanan, {in_transit} keping); dikirim {shipped} = diterima "
                    "{arrived} + hilang dalam perjalanan {lost_in_transit} + dalam "
                    "perjalanan {in_transit}; stok seluruh jaringan {on_hand}."
                ),
                verdict_label=verdict,
                shipments=num(r["shipments"]),
                open_shipments=num(r["open_shipments"]),
                in_transit=num(r["in_transit"]),
                shipped=num(r["shipped"]),
                arrived=num(r["arrived"]),
                lost_in_transit=num(r["lost_in_transit"]),
                on_hand=num(r["on_hand"]),
            )
        ),
        highlight=False,
    )
    for p in r["problems"][:20]:
        where = " ".join(
            x for x in (p["office"], f"kiriman #{p['shipment']}" if p["shipment"] else None) if x
        )
        console.print(f"  {where or '-'}: {escape(p['message'])}", highlight=False)
