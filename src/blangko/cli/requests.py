"""`blangko request ...`: requests for blanks from asked to received (docs/network.md, "The
life of a request"). Each step calls the same service as the web; `--office` (or
`--province`) names who acts, for the scope checks; without them the command line acts for
everyone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.network import print_shipment
from blangko.cli.options import (
    DateOpt,
    DocumentOpt,
    JsonOpt,
    KeyOpt,
    LocationOpt,
    NoteOpt,
    SerialsOpt,
)
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    print_json,
    print_table,
    replayed,
    stored,
    tr,
    waktu,
)
from blangko.cli.steps import run_step, shipping
from blangko.domain import requests as rules
from blangko.domain.text import Msg
from blangko.formatting import num
from blangko.services.network import requests as rq
from blangko.services.network.request_results import RequestView
from blangko.services.network.request_steps import COMMAND_LINE, Acting

request_app = typer.Typer(
    help="Permohonan blangko: dari konsep sampai diterima (kantor, provinsi, direktorat).",
    no_args_is_help=True,
)

RequestArg = Annotated[int, typer.Argument(help="Nomor permohonan.", metavar="REQUEST")]
ActOfficeOpt = Annotated[
    str | None,
    typer.Option(
        "--office",
        help="Bertindak sebagai kantor ini (00.00: direktorat); kosong: baris perintah "
        "(semua langkah).",
    ),
]
ActProvinceOpt = Annotated[
    str | None, typer.Option("--province", help="Bertindak sebagai provinsi ini, mis. 17.")
]
CommentOpt = Annotated[str | None, typer.Option("--comment", help="Catatan langkah ini.")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Alasan.")]
NumberOpt = Annotated[str | None, typer.Option("--number", help="Nomor surat permohonan.")]


def _acting(office: str | None, province: str | None) -> Acting:
    if office is None and province is None:
        return COMMAND_LINE
    return Acting(office=office, province=province)


def _step(service: Callable[..., Any], as_json: bool, acting: Acting, **fields: Any) -> None:
    """One step of a request, as `acting`, its result printed."""
    run_step(service, _written, as_json, acting=acting, **fields)


def _print_request(r: RequestView) -> None:
    console.print(
        tr(
            Msg(
                (
                    "Permohonan #{id} kantor {office}: {state_label}; dimohon {asked} keping "
                    "(usulan perkiraan {recommended}); disetujui {approved}; dikirim {shipped}; "
                    "diterima {arrived}."
                ),
                id=r["id"],
                office=r["office"],
                state_label=rules.STATE_LABELS[r["state"]],
                asked=num(r["asked_qty"]),
                recommended=num(r["recommended_qty"]),
                approved="-" if r["approved_qty"] is None else num(r["approved_qty"]),
                shipped=num(r["shipped_qty"]),
                arrived=num(r["arrived_qty"]),
            )
        ),
        highlight=False,
    )


def _written(r: Any, as_json: bool) -> None:
    if as_json:
        print_json(r)
        return
    _print_request(r["request"])
    if "shipment" in r:
        print_shipment(r["shipment"])
    console.print(
        tr(Msg("Dicatat di buku {office}{value}.", office=r["office"], value=replayed(r))),
        highlight=False,
    )


@request_app.command("draft")
def request_draft(
    office: Annotated[
        str | None,
        typer.Option("--office", help="Kantor pemohon (boleh kosong bila hanya ada satu)."),
    ] = None,
    quantity: Annotated[
        int | None,
        typer.Option(
            "--quantity", help="Jumlah dimohon (default: usulan perkiraan; beda: alasan)."
        ),
    ] = None,
    reason: ReasonOpt = None,
    number: NumberOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Konsep permohonan, berisi usulan perkiraan dan alasannya."""
    run_step(
        rq.draft,
        _written,
        as_json,
        office=office,
        quantity=quantity,
        reason=reason,
        number=number,
        idempotency_key=idempotency_key,
    )


@request_app.command("edit")
def request_edit(
    request: RequestArg,
    quantity: Annotated[int, typer.Option("--quantity", help="Jumlah yang dimohon.")],
    reason: ReasonOpt = None,
    number: NumberOpt = None,
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ubah jumlah yang dimohon (konsep atau dikembalikan), dengan alasan."""
    _step(
        rq.edit,
        as_json,
        _acting(office, None),
        request=request,
        quantity=quantity,
        reason=reason,
        number=number,
        idempotency_key=idempotency_key,
    )


@request_app.command("submit")
def request_submit(
    request: RequestArg,
    comment: CommentOpt = None,
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ajukan permohonan ke provinsi."""
    _step(
        rq.submit,
        as_json,
        _acting(office, None),
        request=request,
        comment=comment,
        idempotency_key=idempotency_key,
    )


@request_app.command("endorse")
def request_endorse(
    request: RequestArg,
    comment: CommentOpt = None,
    office: ActOfficeOpt = None,
    province: ActProvinceOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Provinsi (atau direktorat) menyetujui permohonan yang diajukan."""
    _step(
        rq.endorse,
        as_json,
        _acting(office, province),
        request=request,
        comment=comment,
        idempotency_key=idempotency_key,
    )


@request_app.command("return")
def request_return(
    request: RequestArg,
    comment: Annotated[str, typer.Option("--comment", help="Mengapa dikembalikan (wajib).")],
    office: ActOfficeOpt = None,
    province: ActProvinceOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kembalikan permohonan ke kantor dengan catatan: kantor memperbaiki dan mengajukan lagi."""
    _step(
        rq.send_back,
        as_json,
        _acting(office, province),
        request=request,
        comment=comment,
        idempotency_key=idempotency_key,
    )


@request_app.command("approve")
def request_approve(
    request: RequestArg,
    quantity: Annotated[
        int | None,
        typer.Option("--quantity", help="Jumlah disetujui (default: penuh; beda: alasan)."),
    ] = None,
    reason: ReasonOpt = None,
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Direktorat menyetujui penuh atau sebagian (dengan alasan)."""
    _step(
        rq.approve,
        as_json,
        _acting(office, None),
        request=request,
        quantity=quantity,
        reason=reason,
        idempotency_key=idempotency_key,
    )


@request_app.command("refuse")
def request_refuse(
    request: RequestArg,
    reason: Annotated[str, typer.Option("--reason", help="Alasan penolakan (wajib).")],
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Direktorat menolak permohonan, dengan alasan."""
    _step(
        rq.refuse,
        as_json,
        _acting(office, None),
        request=request,
        reason=reason,
        idempotency_key=idempotency_key,
    )


@request_app.command("ship")
def request_ship(
    request: RequestArg,
    document: DocumentOpt,
    qty: Annotated[
        int | None,
        typer.Option("--qty", help="Jumlah tahap ini (default: sisa yang disetujui)."),
    ] = None,
    serials: SerialsOpt = None,
    location: LocationOpt = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kirim satu tahap permohonan yang disetujui dari gudang direktorat."""
    _step(
        rq.ship,
        as_json,
        _acting(office, None),
        request=request,
        **shipping(document, serials, qty, location, date, note),
        idempotency_key=idempotency_key,
    )


@request_app.command("close")
def request_close(
    request: RequestArg,
    comment: CommentOpt = None,
    office: ActOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tutup permohonan yang diterima kurang (atau sisa yang tidak akan dikirim)."""
    _step(
        rq.close,
        as_json,
        _acting(office, None),
        request=request,
        comment=comment,
        idempotency_key=idempotency_key,
    )


@request_app.command("list")
def request_list(
    office: Annotated[
        str | None, typer.Option("--office", help="Hanya permohonan kantor ini.")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="Hanya status ini.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar permohonan, terbaru di atas."""
    rows = rq.list_requests(state.context(), office=office, state=status)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("No"), justify="right"),
        key_column(tr("Kantor")),
        tr("Status"),
        key_column(tr("Dimohon"), justify="right"),
        key_column(tr("Setuju"), justify="right"),
        key_column(tr("Dikirim"), justify="right"),
        key_column(tr("Diterima"), justify="right"),
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["office"],
            tr(rules.STATE_LABELS[r["state"]]),
            num(r["asked_qty"]),
            "-" if r["approved_qty"] is None else num(r["approved_qty"]),
            num(r["shipped_qty"]),
            num(r["arrived_qty"]),
        )
    print_table(table)


@request_app.command("show")
def request_show(request: RequestArg, as_json: JsonOpt = False) -> None:
    """Satu permohonan: alasannya, keputusannya, tahap kirimannya dan riwayat langkahnya."""
    d = rq.show(state.context(), request=request)
    if as_json:
        print_json(d)
        return
    r = d["request"]
    _print_request(r)
    if r["edit_reason"]:
        console.print(
            "  " + tr(Msg("Alasan jumlah: {reason}", reason=escape(r["edit_reason"]))),
            highlight=False,
        )
    if r["decision_reason"]:
        console.print(
            "  " + tr(Msg("Alasan keputusan: {reason}", reason=escape(r["decision_reason"]))),
            highlight=False,
        )
    for x in r["reasons"]:
        console.print(f"  {escape(stored(x['reason']))}: {num(x['quantity'])}", highlight=False)
    for b in r["basis"]:
        console.print(f"  {escape(stored(b))}", highlight=False)
    for s in d["tranches"]:
        print_shipment(s)
    table = make_table(
        tr("Waktu"), tr("Langkah"), tr("Oleh"), key_column(tr("Keping"), justify="right")
    )
    for e in d["events"]:
        what = tr(rules.ACTION_LABELS[e["action"]])
        if e["comment"]:
            what += f": {escape(stored(e['comment']))}"
        table.add_row(
            waktu(e["at"]),
            what,
            escape(e["actor"]),
            "" if e["quantity"] is None else num(e["quantity"]),
        )
    print_table(table)
