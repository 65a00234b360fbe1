"""`blangko old-card ...`: the register of old and invalid e-KTP cards handed in by residents,
their destruction (berita acara: `blangko report old-card-destruction`), counts, the chain
check and the monthly recap (`blangko report old-card-recap` for the file)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.options import AsOfOpt, JsonOpt, KeyOpt, NoteOpt, OfficeOpt, PersonalDataOpt
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    print_json,
    print_table,
    replayed,
    tr,
)
from blangko.domain.handed_in import METHODS, REASON_LABEL_ID, REASONS
from blangko.domain.text import Msg
from blangko.formatting import month_name, num, parse_date, tanggal
from blangko.services import handed_in as hi

old_card_app = typer.Typer(
    help="KTP-el lama yang diserahkan penduduk: register, pemusnahan, penghitungan.",
    no_args_is_help=True,
)


def _totals_line(t: hi.Totals) -> str:
    ok = "cocok" if t["reconciled"] else "TIDAK COCOK"
    return (
        f"Per {tanggal(t['as_of'])}: diterima {num(t['received'])} = dimusnahkan "
        f"{num(t['destroyed'])} + tersimpan {num(t['held'])} ({ok})"
    )


@old_card_app.command("receive")
def receive(
    nik: Annotated[str, typer.Option("--nik", help="NIK pemilik kartu.")],
    reason: Annotated[str, typer.Option("--reason", help=f"Alasan: {', '.join(REASONS)}.")],
    card_serial: Annotated[
        str | None,
        typer.Option("--card-serial", help="Nomor seri kartu bila terbaca (boleh kosong)."),
    ] = None,
    received_on: Annotated[
        str | None,
        typer.Option(
            "--date", "--received-on", help="Tanggal penyerahan YYYY-MM-DD (default hari ini)."
        ),
    ] = None,
    received_by: Annotated[
        str | None,
        typer.Option("--received-by", help="Petugas yang menerima (default: --actor)."),
    ] = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat kartu lama/tidak berlaku yang diserahkan penduduk (di luar pengambilan kartu
    pengganti, yang dicatat otomatis)."""
    r = state.write(
        hi.receive_card,
        office,
        idempotency_key,
        nik=nik,
        reason=reason,
        card_serial=card_serial,
        received_on=parse_date(received_on, "received_on"),
        received_by=received_by,
        note=note,
    )
    if as_json:
        print_json(r)
        return
    c = r["card"]
    console.print(
        tr(
            Msg(
                (
                    "Kartu lama dicatat: register nomor {id}, NIK {nik}, {reason_label}, "
                    "diterima {received_on}{value}"
                ),
                id=c["id"],
                nik=c["nik"],
                reason_label=c["reason_label"],
                received_on=tanggal(c["received_on"]),
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@old_card_app.command("list")
def list_cmd(
    held: Annotated[
        bool, typer.Option("--held", help="Hanya kartu yang masih tersimpan (belum dimusnahkan).")
    ] = False,
    as_of: AsOfOpt = None,
    reveal: PersonalDataOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="Jumlah baris.")] = 200,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register kartu lama per tanggal: jumlah (diterima = dimusnahkan + tersimpan) dan
    daftarnya (NIK disamarkan kecuali --show-nik)."""
    r = hi.register(
        state.context(),
        as_of=parse_date(as_of, "as_of"),
        held_only=held,
        reveal=state.reveal(reveal),
        limit=max(1, limit),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    console.print(_totals_line(r["totals"]), highlight=False)
    table = make_table(
        key_column(tr("No."), justify="right"),
        key_column(tr("NIK")),
        *([tr("Nama")] if r["revealed"] else []),
        key_column(tr("Seri kartu")),
        tr("Alasan"),
        tr("Diterima"),
        tr("Dimusnahkan"),
        title=tr(
            Msg(
                "Register kartu lama {office}: {total} kartu",
                office=r["office"],
                total=num(r["total"]),
            )
        ),
    )
    for c in r["items"]:
        table.add_row(
            str(c["id"]),
            c["nik"],
            *([escape(c["nama"] or "-")] if r["revealed"] else []),
            c["card_serial"] or "-",
            c["reason_label"],
            tanggal(c["received_on"]),
            f"#{c['destruction_id']} {tanggal(c['destroyed_on'])}" if c["destroyed_on"] else "-",
        )
    print_table(table)


@old_card_app.command("destroy")
def destroy(
    witnesses: Annotated[
        list[str],
        typer.Option("--witness", "--witnesses", help="Nama saksi (ulangi; sekurangnya dua)."),
    ],
    place: Annotated[str, typer.Option("--place", help="Tempat pemusnahan.")],
    cards: Annotated[
        list[int] | None,
        typer.Option("--card", "--cards", help="Nomor register kartu (ulangi)."),
    ] = None,
    all_held: Annotated[
        bool, typer.Option("--all-held", help="Semua kartu yang tersimpan pada tanggal itu.")
    ] = False,
    method: Annotated[
        str, typer.Option("--method", help=f"Cara: {', '.join(METHODS)} (default bakar).")
    ] = "bakar",
    destroyed_on: Annotated[
        str | None,
        typer.Option(
            "--date", "--destroyed-on", help="Tanggal pemusnahan YYYY-MM-DD (default hari ini)."
        ),
    ] = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Musnahkan kartu lama (SE Mendagri 470.13/11176/SJ): tanggal, tempat, cara dan
    sekurang-kurangnya dua saksi; satu kartu hanya dimusnahkan sekali."""
    r = state.write(
        hi.destroy_cards,
        office,
        idempotency_key,
        witnesses=list(witnesses),
        place=place,
        method=method,
        cards=list(cards or []),
        all_held=all_held,
        destroyed_on=parse_date(destroyed_on, "destroyed_on"),
        note=note,
    )
    if as_json:
        print_json(r)
        return
    d = r["destruction"]
    console.print(
        tr(
            Msg(
                (
                    "Pemusnahan nomor {id}: {cards} kartu {method_label} di {value}, "
                    "{destroyed_on}, saksi {value2}{value3}"
                ),
                id=d["id"],
                cards=num(d["cards"]),
                method_label=d["method_label"],
                value=escape(d["place"]),
                destroyed_on=tanggal(d["destroyed_on"]),
                value2=escape(", ".join(d["witnesses"])),
                value3=replayed(r),
            )
        ),
        highlight=False,
    )
    console.print(_totals_line(r["totals"]), highlight=False)
    console.print(
        tr(Msg("Berita acara: blangko report old-card-destruction {id} --format pdf", id=d["id"])),
        highlight=False,
    )


@old_card_app.command("destruction")
def destruction_cmd(
    destruction_id: Annotated[int, typer.Argument(help="Nomor pemusnahan.")],
    reveal: PersonalDataOpt = False,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Satu pemusnahan dan kartu-kartunya."""
    r = hi.destruction(
        state.context(),
        destruction_id=destruction_id,
        reveal=state.reveal(reveal),
        office=office,
    )
    if as_json:
        print_json(r)
        return
    d = r["destruction"]
    table = make_table(
        key_column(tr("No."), justify="right"),
        key_column(tr("NIK")),
        *([tr("Nama")] if r["revealed"] else []),
        key_column(tr("Seri kartu")),
        tr("Alasan"),
        title=(
            tr(
                Msg(
                    (
                        "Pemusnahan nomor {id}, {destroyed_on}, {method_label} di {value}; "
                        "saksi {value2}"
                    ),
                    id=d["id"],
                    destroyed_on=tanggal(d["destroyed_on"]),
                    method_label=d["method_label"],
                    value=escape(d["place"]),
                    value2=escape(", ".join(d["witnesses"])),
                )
            )
        ),
    )
    for c in r["items"]:
        table.add_row(
            str(c["id"]),
            c["nik"],
            *([escape(c["nama"] or "-")] if r["revealed"] else []),
            c["card_serial"] or "-",
            REASON_LABEL_ID.get(c["reason"], c["reason"]),
        )
    print_table(table)


@old_card_app.command("count")
def count(
    counted: Annotated[int, typer.Option("--counted", help="Jumlah kartu yang terhitung.")],
    counted_on: Annotated[
        str | None,
        typer.Option(
            "--date", "--counted-on", help="Tanggal hitung YYYY-MM-DD (default hari ini)."
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Alasan selisih (wajib bila ada selisih).")
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hitung kartu lama di tempat penyimpanan terhadap register; selisih wajib beralasan."""
    r = state.write(
        hi.count_cards,
        office,
        idempotency_key,
        counted=counted,
        counted_on=parse_date(counted_on, "counted_on"),
        reason=reason,
    )
    if as_json:
        print_json(r)
        return
    c = r["count"]
    console.print(
        tr(
            Msg(
                (
                    "Penghitungan {counted_on}: terhitung {counted}, menurut register "
                    "{expected}, selisih {variance}{value}"
                ),
                counted_on=tanggal(c["counted_on"]),
                counted=num(c["counted"]),
                expected=num(c["expected"]),
                variance=num(c["variance"]),
                value=replayed(r),
            )
        ),
        highlight=False,
    )


@old_card_app.command("verify")
def verify(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Periksa rantai hash register kartu lama: tidak ada baris yang diubah atau dihapus."""
    r = hi.verify(state.context(), office=office)
    if as_json:
        print_json(r)
    elif r["ok"]:
        console.print(
            tr(
                Msg(
                    "Register kartu lama {office} utuh: {rows} baris.",
                    office=r["office"],
                    rows=num(r["rows"]),
                )
            )
        )
    else:
        for p in r["problems"]:
            console.print(f"[red]{escape(p)}[/]")
    if not r["ok"]:
        raise typer.Exit(1)


@old_card_app.command("recap")
def recap(
    month: Annotated[str, typer.Option("--month", help="Bulan rekap, YYYY-MM.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rekap bulanan untuk provinsi dan Ditjen (berkas: blangko report old-card-recap)."""
    r = hi.recap(state.context(), month=month, office=office)
    if as_json:
        print_json(r)
        return
    table = make_table(
        tr("Rekap"),
        key_column(tr("Keping"), justify="right"),
        title=tr(Msg("Kartu lama {month}", month=month_name(r["month"]))),
    )
    table.add_row(tr("Tersimpan awal bulan"), num(r["held_at_start"]))
    for reason, n in r["received_by_reason"].items():
        table.add_row(
            tr(Msg("Diterima: {reason_label}", reason_label=REASON_LABEL_ID[reason])), num(n)
        )
    table.add_row(tr("Dimusnahkan"), num(r["destroyed"]))
    table.add_row(tr("Tersimpan akhir bulan"), num(r["held_at_end"]))
    print_table(table)
    console.print("Cocok." if r["reconciled"] else "[red]TIDAK COCOK[/]: periksa register.")
