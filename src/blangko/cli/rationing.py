"""`blangko rationing ...`: the head's rationing policies (penjatahan cetak) when blanks run
short: set one (a daily print cap, the priority classes in order, what the others get), end
it early, list them with their history, allow one application beyond the cap or ahead of its
turn, and why a print-ready application waits."""

from __future__ import annotations

from typing import Annotated

import typer

from blangko.cli import state
from blangko.cli.options import JsonOpt, KeyOpt, OfficeOpt
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    print_json,
    print_table,
    replayed,
    tr,
)
from blangko.domain.rationing import CLASSES, DEFAULT_CLASSES
from blangko.domain.text import N_, Msg
from blangko.formatting import num, parse_date, short_date, tanggal
from blangko.services import rationing

rationing_app = typer.Typer(
    help="Penjatahan cetak saat blangko menipis: batas cetak per hari dan kelompok prioritas.",
    no_args_is_help=True,
)

STATE_LABEL = {"berlaku": "berlaku", "akan_datang": "akan datang", "selesai": "selesai"}


@rationing_app.command("set")
def rationing_set(
    start: Annotated[str, typer.Option("--start", help="Hari pertama penjatahan.")],
    end: Annotated[str, typer.Option("--end", help="Hari terakhir penjatahan.")],
    daily_cap: Annotated[
        int, typer.Option("--daily-cap", help="Kartu yang boleh dicetak per hari (0 atau lebih).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Alasan penjatahan.")],
    classes: Annotated[
        str | None,
        typer.Option(
            "--classes",
            help=(
                "Kelompok prioritas berurutan, dipisah koma, dari: "
                f"{', '.join(CLASSES)} (default {','.join(DEFAULT_CLASSES)}; '-': tanpa "
                "prioritas)."
            ),
        ),
    ] = None,
    others_get: Annotated[
        str,
        typer.Option("--others-get", help="Yang lain diberi: suket atau tanggal (perkiraan)."),
    ] = "suket",
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Berlakukan penjatahan cetak dari --start sampai --end (kepala dinas)."""
    chosen = None
    if classes is not None:
        chosen = [] if classes.strip() == "-" else [c for c in classes.split(",")]
    r = state.write(
        rationing.set_policy,
        office,
        idempotency_key,
        start=parse_date(start, "start"),
        end=parse_date(end, "end"),
        daily_cap=daily_cap,
        classes=chosen,
        others_get=others_get,
        reason=reason,
    )
    if as_json:
        print_json(r)
        return
    p = r["policy"]
    console.print(
        tr(
            Msg(
                (
                    "Penjatahan #{number}: {start} s.d. {end}, paling banyak {daily_cap} "
                    "kartu per hari; prioritas: {classes_label}; yang lain {others_label}{replay}"
                ),
                number=p["number"],
                start=tanggal(p["start"]),
                end=tanggal(p["end"]),
                daily_cap=num(p["daily_cap"]),
                classes_label="; ".join(p["class_labels"]) or N_("tidak ada"),
                others_label=p["others_label"],
                replay=replayed(r),
            )
        ),
        highlight=False,
    )


@rationing_app.command("end")
def rationing_end(
    number: Annotated[int, typer.Argument(help="Nomor penjatahan.")],
    reason: Annotated[str, typer.Option("--reason", help="Alasan mengakhiri.")],
    last_day: Annotated[
        str | None,
        typer.Option("--last-day", help="Hari terakhir berlaku (default kemarin)."),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Akhiri penjatahan lebih awal (dicatat sebagai versi baru; versi lama tetap)."""
    r = state.write(
        rationing.end_policy,
        office,
        idempotency_key,
        number=number,
        reason=reason,
        last_day=parse_date(last_day, "last_day"),
    )
    if as_json:
        print_json(r)
        return
    p = r["policy"]
    console.print(
        tr(
            Msg(
                ("Penjatahan #{number} berakhir: hari terakhir {end} (versi {version}){value}"),
                number=p["number"],
                end=tanggal(p["end"]),
                version=p["version"],
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@rationing_app.command("list")
def rationing_list(
    history: Annotated[
        bool, typer.Option("--history", help="Semua versi, bukan hanya yang terakhir.")
    ] = False,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Penjatahan kantor: yang berlaku, akan datang dan selesai."""
    found = rationing.policies(state.context(), office=office)
    if as_json:
        print_json(found)
        return
    if history:
        table = make_table(
            key_column("#", justify="right"),
            key_column(tr("Versi"), justify="right"),
            tr("Tindakan"),
            tr("Mulai"),
            tr("Sampai"),
            tr("Alasan"),
            tr("Oleh"),
        )
        for h in found["history"]:
            table.add_row(
                str(h["number"]),
                str(h["version"]),
                "diberlakukan" if h["action"] == "set" else "diakhiri",
                short_date(h["start"]),
                short_date(h["end"]),
                h["reason"],
                h["actor"],
            )
        print_table(table)
        return
    table = make_table(
        key_column("#", justify="right"),
        tr("Mulai"),
        tr("Sampai"),
        key_column(tr("Batas/hari"), justify="right"),
        tr("Prioritas"),
        tr("Lainnya"),
        tr("Keadaan"),
    )
    for p in found["policies"]:
        table.add_row(
            str(p["number"]),
            short_date(p["start"]),
            short_date(p["end"]),
            num(p["daily_cap"]),
            ", ".join(p["classes"]) or "-",
            p["others_get"],
            STATE_LABEL[p["state"]],
        )
    print_table(table)
    if found["active"] is not None:
        console.print(
            tr(
                Msg(
                    "Hari ini dicetak {printed_today} dari batas {daily_cap}.",
                    printed_today=num(found["printed_today"]),
                    daily_cap=num(found["active"]["daily_cap"]),
                )
            ),
            highlight=False,
        )


@rationing_app.command("allow")
def rationing_allow(
    receipt: Annotated[str, typer.Argument(help="Nomor tanda terima permohonan.")],
    reason: Annotated[str, typer.Option("--reason", help="Alasan pengecualian.")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Izinkan satu permohonan dicetak hari ini di luar batas atau urutan (kepala dinas)."""
    r = state.write(rationing.allow, office, idempotency_key, receipt=receipt, reason=reason)
    if as_json:
        print_json(r)
        return
    e = r["exception"]
    console.print(
        tr(
            Msg(
                "Pengecualian: {receipt} boleh dicetak {day} - {reason}{value}",
                receipt=e["receipt"],
                day=tanggal(e["day"]),
                reason=e["reason"],
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@rationing_app.command("wait")
def rationing_wait(
    receipt: Annotated[str, typer.Argument(help="Nomor tanda terima permohonan.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mengapa permohonan siap cetak menunggu: kelompok, urutan dan perkiraan tanggal."""
    w = rationing.wait(state.context(), receipt=receipt, office=office)
    if as_json:
        print_json(w)
        return
    if w is None:
        console.print(
            tr("Tidak ada penjatahan yang berlaku, atau permohonan tidak sedang menunggu cetak."),
            highlight=False,
        )
        return
    console.print(w["message"], highlight=False)
