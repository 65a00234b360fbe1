"""`blangko network allocate` and `blangko network rebalance`: the national allocation beside
the comparison policies, turned into approvals and shipments with `--apply`, and the proposed
loans (docs/network.md, "Allocation and rebalancing"). Registered on `network_app`
(cli/network.py) by cli/main.py importing this module."""

from __future__ import annotations

from typing import Annotated

import typer

from blangko.cli import state
from blangko.cli.network import network_app
from blangko.cli.options import AsOfOpt, JsonOpt, KeyOpt
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    num,
    pct,
    print_json,
    print_table,
    tr,
)
from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg
from blangko.formatting import parse_date
from blangko.services.network import allocation as service

POLICY_LABEL = {
    "ours": N_("Kami"),
    "equal": N_("Rata"),
    "asked": N_("Pmhn"),
    "backlog": N_("Antre"),
    "maxmin": N_("Maks"),
}
SKIP_LABEL = {"no_request": N_("tanpa permohonan terbuka"), "zero": N_("alokasi 0")}

BoxOpt = Annotated[
    int | None,
    typer.Option("--box", help="Isi per kotak (default BLANGKO_ALLOCATION_BOX_SIZE, 100)."),
]


def _quantities(values: list[str] | None) -> dict[str, int] | None:
    if not values:
        return None
    out: dict[str, int] = {}
    for v in values:
        office, _, qty = v.partition("=")
        try:
            out[office.strip()] = int(qty)
        except ValueError:
            raise DomainError(
                "quantity_format",
                "set",
                Msg("Tulis --set KODE=JUMLAH, mis. --set 17.04=800 (diisi: {value}).", value=v),
            ) from None
    return out


@network_app.command("allocate")
def allocate(
    stock: Annotated[
        int | None,
        typer.Option("--stock", help="Stok nasional yang dibagi (default: gudang direktorat)."),
    ] = None,
    box: BoxOpt = None,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply", help="Setujui dan kirim alokasi ini: permohonan terbuka tiap kantor."
        ),
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Jumlah yang disesuaikan, KODE=JUMLAH (dengan --apply)."),
    ] = None,
    document: Annotated[
        str | None,
        typer.Option("--document", help="Nomor surat pengiriman (default ALOKASI/tanggal)."),
    ] = None,
    as_of: AsOfOpt = None,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alokasi nasional dari snapshot: jumlah tiap kantor menurut kami dan empat kebijakan
    pembanding, perkiraan penduduk menunggu; --apply menyetujui dan mengirimnya."""
    ctx = state.context()
    day = parse_date(as_of, "as_of")
    if apply:
        done = service.apply(
            ctx,
            quantities=_quantities(set_),
            stock=stock,
            box=box,
            document=document,
            as_of=day,
            idempotency_key=key,
        )
        if as_json:
            print_json(done)
            return
        table = make_table(
            key_column(tr("Kode")),
            key_column(tr("No"), justify="right"),
            key_column(tr("Diminta"), justify="right"),
            key_column(tr("Disetujui"), justify="right"),
            key_column(tr("Kiriman"), justify="right"),
        )
        for a in done["applied"]:
            table.add_row(
                a["office"], str(a["request"]), num(a["asked"]), num(a["quantity"]),
                str(a["shipment"]),
            )  # fmt: skip
        print_table(table)
        for s in done["skipped"]:
            console.print(
                tr(
                    Msg(
                        "Dilewati: {office} ({qty} keping, {why_label}).",
                        office=s["office"],
                        qty=num(s["quantity"]),
                        why_label=SKIP_LABEL[s["why"]],
                    )
                ),
                highlight=False,
            )
        console.print(
            tr(Msg("Dikirim {total} keping dari gudang direktorat.", total=num(done["total"]))),
            highlight=False,
        )
        return
    if set_:
        raise DomainError("apply_required", "set", Msg("--set hanya bersama --apply."))
    v = service.allocation(ctx, stock=stock, box=box, as_of=day)
    if as_json:
        print_json(v)
        return
    table = make_table(
        key_column(tr("Kode")),
        key_column(tr("Diminta"), justify="right"),
        *(key_column(tr(POLICY_LABEL[p]), justify="right") for p in v["policies"]),
        key_column(tr("Tunggu"), justify="right"),
    )
    for line in v["lines"]:
        table.add_row(
            line["office"] + ("*" if line["election"] else ""),
            num(line["asked"]) if line["request"] else "-",
            *(num(line["quantities"][p]) for p in v["policies"]),
            num(round(line["waiting_after"])),
        )
    totals = {t["policy"]: t for t in v["totals"]}
    if totals:
        table.add_row(
            tr("Jumlah"),
            num(sum(line["asked"] for line in v["lines"] if line["request"])),
            *(num(totals[p]["shipped"]) for p in v["policies"]),
            num(round(totals["ours"]["waiting"])),
        )
    print_table(table)
    console.print(
        tr(
            Msg(
                "Stok dibagi {stock} keping (gudang {held}), kotak {box}; * pemilihan dalam"
                " cakrawala (bobot {weight}).",
                stock=num(v["stock"]),
                held=num(v["warehouse"]),
                box=num(v["box_size"]),
                weight=num(v["election_weight"]),
            )
        ),
        highlight=False,
    )
    for p in v["policies"] if totals else ():
        console.print(
            tr(
                Msg(
                    "{label}: menunggu {waiting} (tanpa kiriman {before}), kantor kehabisan"
                    " {out}, sisa di gudang {left}.",
                    label=POLICY_LABEL[p],
                    waiting=num(round(totals[p]["waiting"])),
                    before=num(round(v["waiting_before"])),
                    out=num(totals[p]["offices_stocking_out"]),
                    left=num(totals[p]["left_central"]),
                )
            ),
            highlight=False,
        )
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


@network_app.command("rebalance")
def rebalance(box: BoxOpt = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Usulan pinjaman antarkantor dari snapshot: dari kantor yang pasti berlebih ke kantor
    berisiko, provinsi yang sama lebih dahulu."""
    v = service.rebalance(state.context(), box=box, as_of=parse_date(as_of, "as_of"))
    if as_json:
        print_json(v)
        return
    table = make_table(
        key_column(tr("Dari")),
        key_column(tr("Ke")),
        key_column(tr("Keping"), justify="right"),
        key_column(tr("Tunggu"), justify="right"),
        key_column(tr("Habis?"), justify="right"),
    )
    for x in v["loans"]:
        table.add_row(
            x["from_office"],
            x["to_office"],
            num(x["quantity"]),
            f"{num(round(x['receiver_waiting_before']))}>{num(round(x['receiver_waiting_after']))}",
            f"{pct(x['receiver_stockout_before'])}>{pct(x['receiver_stockout_after'])}",
        )
    print_table(table)
    if not v["loans"]:
        console.print(tr(Msg("Tidak ada pinjaman yang diusulkan.")), highlight=False)
