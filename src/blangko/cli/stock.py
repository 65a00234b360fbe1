"""`blangko stock ...`: the stock keeper's commands over the blank-card ledger."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.network import print_network_verification
from blangko.cli.options import (
    AsOfOpt,
    CountIdArg,
    DateOpt,
    JsonOpt,
    KeyOpt,
    NoteOpt,
    OfficeOpt,
    PrinterOpt,
    QtyOpt,
    SerialsOpt,
    SpoiledMonthOpt,
    SpoilReasonOpt,
)
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    num,
    print_json,
    print_table,
    replayed,
    short_date,
    signed,
    tanggal,
    tr,
    waktu,
)
from blangko.domain.errors import DomainError
from blangko.domain.ledger import KIND_LABEL_ID, STATE_LABEL_ID, State
from blangko.domain.text import N_, Msg
from blangko.formatting import parse_date
from blangko.services.admin import setup
from blangko.services.network import audit
from blangko.services.stock import anchors, counts, writes
from blangko.services.stock import queries as q
from blangko.services.stock.results import (
    AnchorWritten,
    Balance,
    EntriesWritten,
    LedgerEntry,
    Verification,
)

# By the stored text of an entry's kind (a tampered ledger may hold one that is no Kind).
KIND_LABELS: dict[str, str] = {k.value: label for k, label in KIND_LABEL_ID.items()}

stock_app = typer.Typer(
    help="Buku besar blangko: terima, pindah, pakai, hitung, audit.", no_args_is_help=True
)


def _print_write(result: EntriesWritten, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(result)
        return
    again = replayed(result)
    for e in result["entries"]:
        where = " -> ".join(x for x in (e["from_location"], e["to_location"]) if x)
        console.print(
            tr(
                Msg(
                    "#{seq} {verb}: {quantity} keping [{serials}] {where}, tanggal {effective_date}{again}",
                    seq=e["seq"],
                    verb=verb,
                    quantity=num(e["quantity"]),
                    serials=e["serials"],
                    where=where,
                    effective_date=tanggal(e["effective_date"]),
                    again=again,
                )
            ),
            highlight=False,
        )


def _write(
    write: Callable[..., EntriesWritten],
    verb: str,
    as_json: bool,
    date: str | None,
    office: str | None,
    idempotency_key: str | None,
    **fields: Any,
) -> None:
    """A stock write from the command line: the service gets `fields`, the parsed --date as
    the effective date, --office and the key; the entries it wrote are printed with `verb`."""
    result = write(
        state.context(),
        **fields,
        effective=parse_date(date),
        office=office,
        idempotency_key=idempotency_key,
    )
    _print_write(result, as_json, verb)


@stock_app.command("opening")
def opening(
    serials: Annotated[
        str, typer.Option("--serials", help="Seri yang sudah ada saat sistem mulai dipakai.")
    ],
    date: DateOpt = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Lokasi (default gudang).")
    ] = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Saldo awal: seri yang sudah ada saat sistem mulai dipakai."""
    _write(
        writes.record_opening,
        "saldo awal",
        as_json,
        date,
        office,
        idempotency_key,
        serials=serials,
        location=location,
        note=note,
    )


@stock_app.command("receive")
def receive(
    serials: Annotated[str, typer.Option("--serials", help="Rentang seri yang diterima.")],
    source: Annotated[str, typer.Option("--source", help="Pengirim, mis. 'Ditjen Dukcapil'.")],
    document: Annotated[str, typer.Option("--document", help="Nomor berita acara serah terima.")],
    date: DateOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="Lokasi tujuan (default gudang).")] = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Terima kiriman (dari Ditjen atau kantor lain) dengan berita acara serah terimanya."""
    _write(
        writes.receive_shipment,
        "diterima",
        as_json,
        date,
        office,
        idempotency_key,
        serials=serials,
        source=source,
        document=document,
        to=to,
        note=note,
    )


@stock_app.command("transfer")
def transfer(
    from_: Annotated[str, typer.Option("--from", help="Lokasi asal.")],
    to: Annotated[str, typer.Option("--to", help="Lokasi tujuan.")],
    serials: SerialsOpt = None,
    qty: QtyOpt = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pindahkan blangko antara gudang dan loket cetak."""
    _write(
        writes.transfer,
        "dipindah",
        as_json,
        date,
        office,
        idempotency_key,
        from_location=from_,
        to_location=to,
        serials=serials,
        qty=qty,
        note=note,
    )


@stock_app.command("consume")
def consume(
    service: Annotated[
        str, typer.Option("--service", help="pemula, hilang, rusak, perubahan_data.")
    ],
    serials: SerialsOpt = None,
    qty: QtyOpt = None,
    location: Annotated[
        str | None,
        typer.Option(
            "--location", help="Lokasi (default: tempat seri berada, atau gudang untuk --qty)."
        ),
    ] = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
    printer: PrinterOpt = None,
) -> None:
    """Catat pemakaian tanpa permohonan (mengisi riwayat)."""
    _write(
        writes.consume,
        f"dipakai ({service})",
        as_json,
        date,
        office,
        idempotency_key,
        service=service,
        serials=serials,
        qty=qty,
        location=location,
        note=note,
        printer=printer,
    )


@stock_app.command("spoil")
def spoil(
    serial: Annotated[str, typer.Option("--serial", help="Seri blangko yang rusak.")],
    reason: SpoilReasonOpt,
    note: NoteOpt = None,
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Blangko rusak, disimpan per seri untuk berita acara pemusnahan."""
    _write(
        writes.spoil,
        "rusak",
        as_json,
        date,
        office,
        idempotency_key,
        serial=serial,
        reason=reason,
        note=note,
    )


@stock_app.command("lose")
def lose(
    serials: Annotated[str, typer.Option("--serials", help="Rentang seri yang hilang.")],
    reason: Annotated[str, typer.Option("--reason", help="Keterangan kehilangan/pencurian.")],
    document: Annotated[str, typer.Option("--document", help="Nomor laporan polisi.")],
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Blangko hilang atau dicuri (wajib nomor laporan polisi)."""
    _write(
        writes.lose,
        "hilang",
        as_json,
        date,
        office,
        idempotency_key,
        serials=serials,
        reason=reason,
        document=document,
    )


@stock_app.command("return")
def return_(
    serials: Annotated[str, typer.Option("--serials", help="Rentang seri yang dikembalikan.")],
    to: Annotated[str, typer.Option("--to", help="Penerima: Ditjen Dukcapil atau kantor lain.")],
    document: Annotated[str, typer.Option("--document", help="Nomor berita acara.")],
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kembalikan blangko ke Ditjen atau pinjamkan ke kantor lain."""
    _write(
        writes.return_blanks,
        "dikembalikan",
        as_json,
        date,
        office,
        idempotency_key,
        serials=serials,
        to=to,
        document=document,
    )


def _figures(r: dict[str, Any]) -> str:
    """Book, counted and the variance, then the serials missing and unexpected: never only a
    net figure. A quantity-only count does not know which cards."""
    text = f"buku {num(r['book'])}, terhitung {num(r['counted'])}, selisih {signed(r['variance'])}"
    if r["missing_count"] is None:
        return text + "; tidak ditemukan/tidak tercatat: tidak diketahui (hitungan jumlah saja)"
    return (
        text + f"; tidak ditemukan {num(r['missing_count'])}, "
        f"tidak tercatat {num(r['unexpected_count'])}"
    )


def _life(r: dict[str, Any]) -> str | None:
    if r["status"] == "posted":
        return f"diposting {waktu(r['posted_at'])} oleh {r['posted_by']}: {r['reason']}"
    if r["status"] == "superseded":
        return f"digantikan oleh stock opname #{r['superseded_by']} (tidak dapat diposting)"
    if r["status"] == "voided":
        return f"dibatalkan {waktu(r['voided_at'])} oleh {r['voided_by']}: {r['void_reason']}"
    return None


def print_count(r: dict[str, Any]) -> None:
    # markup=False: "[open]" and clerks' reasons would otherwise be read as Rich markup.
    def say(text: str) -> None:
        console.print(text, highlight=False, markup=False)

    where = "seluruh kantor" if r["office_wide"] else f"di {r['location']}"
    head = f"Stock opname #{r['count_id']} {where} ({tanggal(r['count_date'])})"
    if r["office_wide"]:
        say(f"{head} [{r['status']}]: {_figures(r)}")
        for p in r["parts"]:
            say(f"  {p['location']}: {_figures(p)}")
    else:
        # The figures after the head on one line, as before (scripts read "buku N, ...").
        first, _, rest = _figures(r).partition("; ")
        say(f"{head}: {first} [{r['status']}]")
        say(f"  {rest}")
    if r["missing"]:
        say(f"  Tidak ditemukan ({num(r['missing_count'])}): {r['missing']}")
    if r["unexpected"]:
        say(f"  Tidak tercatat di buku ({num(r['unexpected_count'])}): {r['unexpected']}")
    if r["office_wide"]:
        # A card booked at one location and found at another: each part says where.
        for p in r["parts"]:
            if p["missing"] and p["missing"] != r["missing"]:
                say(f"  {p['location']}, tidak ditemukan di sini: {p['missing']}")
            if p["unexpected"] and p["unexpected"] != r["unexpected"]:
                say(f"  {p['location']}, tidak tercatat di sini: {p['unexpected']}")
    if r.get("supersedes"):
        say("  menggantikan " + ", ".join(f"stock opname #{i}" for i in r["supersedes"]))
    life = _life(r)
    if life:
        say(f"  {life}")
    if r.get("duplicate_reads"):
        say(f"  Pindaian ganda diabaikan: {num(r['duplicate_reads'])}")


def _read_lines(path: Path, field: str) -> list[str]:
    """A scanner file's lines ('-' reads standard input)."""
    if str(path) == "-":
        return sys.stdin.read().splitlines()
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise DomainError(
            "file_unreadable",
            field,
            Msg("Berkas {path} tidak dapat dibaca: {strerror}.", path=path, strerror=exc.strerror),
        ) from exc


def _pair(value: str, field: str, what: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name.strip() or not rest.strip():
        raise DomainError(
            "location_pair",
            field,
            Msg(
                "'{value}' tidak sah: tulis LOKASI={what}, mis. gudang={nilai}.",
                value=value,
                what=what,
                nilai="gudang.txt" if what == "BERKAS" else "120",
            ),
        )
    return name.strip(), rest.strip()


def _office_parts(scan: list[str], counted_at: list[str]) -> list[counts.CountInput]:
    parts = []
    for value in scan:
        name, path = _pair(value, "scan", "BERKAS")
        scanned, duplicates = counts.parse_scanned(_read_lines(Path(path), "scan"), "scan")
        parts.append(counts.CountInput(name, scanned=scanned, duplicates=duplicates))
    for value in counted_at:
        name, text = _pair(value, "counted_at", "JUMLAH")
        try:
            n = int(text.replace(".", ""))
        except ValueError as exc:
            raise DomainError(
                "not_a_number",
                "counted_at",
                Msg("{name}: '{text}' bukan bilangan bulat.", name=name, text=text),
            ) from exc
        parts.append(counts.CountInput(name, counted=n))
    return parts


@stock_app.command("count")
def count(
    location: Annotated[
        str | None, typer.Option("--location", help="Lokasi yang dihitung (satu lokasi).")
    ] = None,
    counted: Annotated[
        int | None, typer.Option("--counted", help="Jumlah fisik terhitung.")
    ] = None,
    serials_file: Annotated[
        Path | None,
        typer.Option(
            "--serials-file",
            help="Berkas hasil pindai: satu seri atau rentang per baris ('-' = stdin).",
        ),
    ] = None,
    office_wide: Annotated[
        bool,
        typer.Option(
            "--office-wide",
            help="Stock opname seluruh kantor: setiap lokasi sekaligus, satu nomor stock opname "
            "(dengan --scan dan/atau --counted-at untuk setiap lokasi).",
        ),
    ] = False,
    scan: Annotated[
        list[str] | None,
        typer.Option(
            "--scan",
            help="Dengan --office-wide: LOKASI=BERKAS hasil pindai lokasi itu (ulangi per lokasi).",
        ),
    ] = None,
    counted_at: Annotated[
        list[str] | None,
        typer.Option(
            "--counted-at",
            help="Dengan --office-wide: LOKASI=JUMLAH bila lokasi itu dihitung jumlahnya saja.",
        ),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stock opname: buku dibanding hitungan fisik, dengan seri yang hilang dan yang tak tercatat.

    Satu lokasi: --location dengan --counted atau --serials-file. Seluruh kantor: --office-wide
    dengan --scan LOKASI=BERKAS atau --counted-at LOKASI=JUMLAH untuk setiap lokasi. Hitungan
    baru menggantikan stock opname terbuka di lokasi yang sama.
    """
    if office_wide:
        if location is not None or counted is not None or serials_file is not None:
            raise DomainError(
                "office_wide_or_location",
                "location",
                Msg(
                    "--office-wide menghitung setiap lokasi: sebutkan lokasi dengan --scan atau --counted-at, bukan --location/--counted/--serials-file."
                ),
            )
        r = counts.record_office_count(
            state.context(),
            parts=_office_parts(scan or [], counted_at or []),
            office=office,
            idempotency_key=idempotency_key,
        )
    else:
        if scan or counted_at:
            raise DomainError(
                "office_wide_required",
                "office_wide",
                Msg(
                    "--scan dan --counted-at hanya untuk stock opname seluruh kantor (--office-wide)."
                ),
            )
        if location is None:
            raise DomainError(
                "required",
                "location",
                Msg("Sebutkan lokasi yang dihitung (--location), atau --office-wide."),
            )
        scanned = None
        duplicates = 0
        if serials_file is not None:
            scanned, duplicates = counts.parse_scanned(_read_lines(serials_file, "serials_file"))
        r = counts.record_count(
            state.context(),
            location=location,
            counted=counted,
            scanned=scanned,
            duplicates=duplicates,
            office=office,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(r)
    else:
        print_count(r)


@stock_app.command("count-post")
def count_post(
    count_id: CountIdArg,
    reason: Annotated[str, typer.Option("--reason", help="Penjelasan selisih.")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Posting selisih stock opname terbuka sebagai entri penyesuaian beralasan."""
    r = state.write(counts.post_count, office, idempotency_key, count_id=count_id, reason=reason)
    if as_json:
        print_json(r)
        return
    print_count(r)
    for e in r["entries"]:
        console.print(
            tr(
                Msg(
                    "  #{seq} {kind}: {quantity} keping [{serials}]",
                    seq=e["seq"],
                    kind=KIND_LABEL_ID.get(e["kind"], e["kind"]),
                    quantity=num(e["quantity"]),
                    serials=e["serials"],
                )
            ),
            highlight=False,
            markup=False,
        )


@stock_app.command("count-void")
def count_void(
    count_id: CountIdArg,
    reason: Annotated[str, typer.Option("--reason", help="Alasan pembatalan.")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Batalkan stock opname terbuka yang tidak akan diposting (kepala dinas), dengan alasan."""
    r = state.write(counts.void_count, office, idempotency_key, count_id=count_id, reason=reason)
    if as_json:
        print_json(r)
    else:
        print_count(r)


@stock_app.command("counts")
def counts_list(
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, posted, superseded atau voided."),
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar stock opname, terlama dulu: buku, terhitung, tidak ditemukan, tidak tercatat."""
    rows = counts.list_counts(state.context(), office=office, status=status)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        print_count(r)


@stock_app.command("close-month")
def close_month(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tutup bulan: sesudahnya tidak boleh ada entri bertanggal di dalam (atau sebelum) bulan itu."""
    r = writes.close_month(
        state.context(), month=month, office=office, idempotency_key=idempotency_key
    )
    if as_json:
        print_json(r)
        return
    console.print(
        tr(Msg("Bulan {month} ditutup{r2}.", month=r["month"], r2=replayed(r))), highlight=False
    )
    if "ledger_hash" in r:
        console.print(
            tr(
                Msg(
                    "Kepala rantai ledger (jangkar #{anchor}): entri #{ledger_seq}, hash {ledger_hash}\nCatat pada berita acara tutup bulan.",
                    anchor=r["anchor"],
                    ledger_seq=r["ledger_seq"],
                    ledger_hash=r["ledger_hash"],
                )
            ),
            highlight=False,
        )


@stock_app.command("anchor")
def anchor(
    office: OfficeOpt = None,
    every_office: Annotated[
        bool, typer.Option("--every-office", help="Setiap kantor di basis data ini.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Jangkarkan kepala rantai ledger dan data akuntabel lain, ditandatangani dengan kunci di
    luar basis data (BLANGKO_ANCHOR_KEY); untuk dijadwalkan (cron), mis. setiap malam.

    Tidak membuat jangkar baru bila tidak ada yang berubah sejak jangkar terakhir."""
    ctx = state.context()
    results = (
        anchors.anchor_every_office(ctx) if every_office else [anchors.anchor(ctx, office=office)]
    )
    if as_json:
        print_json(results if every_office else results[0])
        return
    for r in results:
        _print_anchor(r)


def _print_anchor(r: AnchorWritten) -> None:
    a = r["anchor"]
    what = "dijangkarkan" if r["anchored"] else "tidak berubah sejak jangkar terakhir"
    console.print(
        tr(
            Msg(
                "Ledger {office} {what}: jangkar #{number}, entri #{seq}, hash {hash} (kunci {key_id}).",
                office=r["office"],
                what=what,
                number=a["number"],
                seq=a["seq"],
                hash=a["hash"],
                key_id=a["key_id"],
            )
        ),
        highlight=False,
    )


def print_balance(b: Balance) -> None:
    t = make_table(
        key_column(tr("Lokasi")),
        key_column(tr("Keping"), justify="right"),
        title=tr(
            Msg(
                "{office_name} — posisi stok blangko per {as_of}",
                office_name=b["office_name"],
                as_of=tanggal(b["as_of"]),
            )
        ),
    )
    for name, n in b["by_location"].items():
        t.add_row(escape(name), num(n))
    t.add_row(tr("[bold]Jumlah[/]"), f"[bold]{num(b['on_hand'])}[/]")
    print_table(t)
    tot = b["totals"]
    # Each total with the direction it moves the stock; `signed` gives a zero no sign
    # ("Hilang 0", never "Hilang -0").
    labels = [
        ("opening", N_("Saldo awal"), 1),
        ("received", N_("Diterima"), 1),
        ("consumed", N_("Dipakai"), -1),
        ("spoiled", N_("Rusak"), -1),
        ("lost", N_("Hilang"), -1),
        ("returned", N_("Dikembalikan"), -1),
        ("shipped", N_("Dikirim"), -1),
        ("adjusted", N_("Penyesuaian"), 1),  # signed itself: found and recovered less missing
    ]
    parts = [f"{tr(label)} {signed(direction * tot[k])}" for k, label, direction in labels]
    console.print("  " + "; ".join(parts) + f" = {num(b['on_hand'])}", highlight=False)


@stock_app.command("balance")
def balance(
    as_of: AsOfOpt = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Hanya lokasi ini (default semua lokasi).")
    ] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stok di tangan per lokasi, dengan jumlah-jumlah yang menjelaskannya."""
    b = q.balance(
        state.context(), as_of=parse_date(as_of, "as_of"), location=location, office=office
    )
    if as_json:
        print_json(b)
    else:
        print_balance(b)


@stock_app.command("trace")
def trace(
    serial: Annotated[str, typer.Argument(help="Nomor seri.")],
    as_json: JsonOpt = False,
) -> None:
    """Keadaan, lokasi dan riwayat lengkap satu blangko."""
    r = q.trace(state.context(), serial=serial)
    if as_json:
        print_json(r)
        return
    where = f" di {r['location']}" if r["location"] else ""
    console.print(
        tr(
            Msg(
                "Seri {serial}: {state_label_id}{where}",
                serial=r["serial"],
                state_label_id=STATE_LABEL_ID[State(r["state"])],
                where=where,
            )
        ),
        highlight=False,
    )
    _entries_table(r["history"])


def _entries_table(entries: list[LedgerEntry]) -> None:
    t = make_table(
        key_column("#", justify="right"),
        key_column(tr("Tanggal")),
        tr("Jenis"),
        key_column(tr("Keping"), justify="right"),
        tr("Dari"),
        tr("Ke"),
        tr("Keterangan"),
        tr("Petugas"),
    )
    for e in entries:
        info = " ".join(
            x for x in (e["service"], e["reason"], e["party"], e["document"], e["note"]) if x
        )
        t.add_row(
            str(e["seq"]),
            short_date(e["effective_date"]),
            KIND_LABELS.get(e["kind"], e["kind"]),
            num(e["quantity"]),
            e["from_location"] or "",
            e["to_location"] or "",
            # Free text typed by clerks: "[...]" in it must print as is, not as Rich markup.
            escape(info),
            escape(e["actor"]),
        )
    print_table(t)


@stock_app.command("ledger")
def ledger(
    from_: Annotated[str | None, typer.Option("--from", help="Dari tanggal.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Sampai tanggal.")] = None,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entri buku besar, terlama dulu."""
    r = q.ledger(
        state.context(),
        date_from=parse_date(from_, "from"),
        date_to=parse_date(to, "to"),
        office=office,
    )
    if as_json:
        print_json(r)
    else:
        _entries_table(r["entries"])


@stock_app.command("verify")
def verify(
    office: OfficeOpt = None,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Periksa setiap buku di basis data dan kiriman di antaranya (jaringan).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Hitung ulang rantai hash dan keadaan setiap seri; kode keluar 1 dengan entri rusak pertama."""
    if network:
        _verify_network(as_json)
        return
    r = q.verify(state.context(), office=office)
    if as_json:
        print_json(r)
    else:
        print_verification(r)
    if not r["sound"]:
        raise typer.Exit(1)


def _verify_network(as_json: bool) -> None:
    """Every ledger's own check, then the network check (services/network/audit.py)."""
    ctx = state.context()
    each = [q.verify(ctx, office=o["code"]) for o in setup.list_offices(ctx)]
    net = audit.verify(ctx)
    sound = net["sound"] and all(r["sound"] for r in each)
    if as_json:
        print_json({"sound": sound, "offices": each, "network": net})
    else:
        for r in each:
            print_verification(r)
        print_network_verification(net)
    if not sound:
        raise typer.Exit(1)


def print_verification(r: Verification) -> None:
    """The audit's result: sound or the first bad entry and the problems, then the anchors."""
    if r["sound"]:
        console.print(
            tr(
                Msg(
                    "Ledger {office} utuh: {entries} entri, {serials} seri, diperiksa dalam {seconds} detik.",
                    office=r["office"],
                    entries=num(r["entries"]),
                    serials=num(r["serials"]),
                    seconds=num(r["seconds"]),
                )
            )
        )
    else:
        first = f"#{r['first_bad_seq']}" if r["first_bad_seq"] is not None else "-"
        console.print(
            tr(
                Msg(
                    "[bold red]Ledger {office} TIDAK utuh[/]: entri pertama yang bermasalah {first}.",
                    office=r["office"],
                    first=first,
                )
            )
        )
        for p in r["problems"][:20]:
            where = f"#{p['seq']}" if p["seq"] is not None else "-"
            console.print(f"  {where}: {escape(p['message'])}", highlight=False)
    for a in r.get("items", []):
        console.print(
            tr(
                Msg(
                    "Barang {item}: {entries} entri, rantai sendiri {label}.",
                    item=a["item"],
                    entries=num(a["entries"]),
                    label=N_("utuh") if a["sound"] else N_("TIDAK utuh"),
                )
            ),
            highlight=False,
        )
    last = r["last_anchor"]
    if last is not None:
        console.print(
            tr(
                Msg(
                    "Jangkar: {anchors}; terakhir #{number} pada entri #{seq}, hash {hash} ({anchored_at}).",
                    anchors=num(r["anchors"]),
                    number=last["number"],
                    seq=last["seq"],
                    hash=last["hash"],
                    anchored_at=waktu(last["anchored_at"]),
                )
            ),
            highlight=False,
        )
    for w in r["warnings"]:
        console.print(tr(Msg("[yellow]Catatan[/]: {w}", w=escape(w))), highlight=False)


@stock_app.command("destroy")
def destroy(
    month: SpoiledMonthOpt,
    document: Annotated[str, typer.Option("--document", help="Nomor berita acara pemusnahan.")],
    witness: Annotated[
        list[str],
        typer.Option("--witness", help="Nama saksi (ulangi untuk setiap saksi; minimal dua)."),
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="Tanggal pemusnahan (default hari ini).")
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Catat pemusnahan (dengan saksi) blangko rusak satu bulan (rusak -> dimusnahkan)."""
    r = state.write(
        writes.destroy_spoiled,
        office,
        idempotency_key,
        month=month,
        destroyed_on=parse_date(date),
        witnesses=witness,
        document=document,
    )
    _print_write(r, as_json, "dimusnahkan")
