"""`blangko app ...`: the counter's commands for e-KTP applications (permohonan)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from blangko.cli import state
from blangko.cli.options import (
    AsOfOpt,
    BlankSerialOpt,
    DateOpt,
    DesaOpt,
    ElectionOnlyOpt,
    JsonOpt,
    KecamatanOpt,
    KeyOpt,
    NoteOpt,
    OfficeOpt,
    PersonalDataOpt,
    PrinterOpt,
    ReceiptArg,
    ReceiptOfficeOpt,
    RevealOpt,
    SpoilReasonOpt,
    StationOpt,
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
    tanggal,
    tr,
)
from blangko.domain.applications import (
    STATUS_LABEL_ID,
    TYPE_LABEL_ID,
    Status,
    parse_doc_option,
)
from blangko.domain.text import Msg
from blangko.formatting import parse_date
from blangko.services import applications as apps
from blangko.services import worklist
from blangko.services.applications import ApplicationView, ApplicationWritten
from blangko.services.calendar.results import DeskNotice

app_app = typer.Typer(
    help="Permohonan KTP-el: pengajuan, perekaman, cetak, penyerahan.", no_args_is_help=True
)


def _label(status: str) -> str:
    return STATUS_LABEL_ID.get(Status(status), status)


def _warn_closed(notice: DeskNotice | None) -> None:
    """The desk the next step needs is closed today: said at once, with when it reopens (the
    application is taken all the same; the step waits)."""
    if notice:
        console.print(
            tr(Msg("[bold yellow]Perhatian[/] {notice}", notice=escape(notice["message"]))),
            highlight=False,
        )


def _done(result: ApplicationWritten, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(result)
        return
    again = replayed(result)
    extra = ""
    if result["serial"] and result["status"] == "dicetak":
        extra = f", blangko {result['serial']} di {result['station']}"
    console.print(
        tr(
            Msg(
                "{result}: {verb}; status {result2}{extra}{again}",
                result=result["receipt"],
                verb=verb,
                result2=_label(result["status"]),
                extra=extra,
                again=again,
            )
        ),
        highlight=False,
    )


@app_app.command("new")
def new(
    nik: Annotated[str, typer.Option("--nik", help="NIK pemohon (16 digit).")],
    type_: Annotated[
        str, typer.Option("--type", help="pemula, hilang, rusak atau perubahan_data.")
    ],
    doc: Annotated[
        list[str] | None,
        typer.Option(
            "--doc",
            help="Dokumen KUNCI=NILAI, boleh diulang: laporan_polisi=..., ktp_lama=diserahkan, "
            "no_kk=...",
        ),
    ] = None,
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftarkan permohonan dan cetak nomor tanda terimanya."""
    r = state.write(
        apps.new,
        office,
        idempotency_key,
        nik=nik,
        type=type_,
        documents=parse_doc_option(doc or []),
        on=parse_date(date),
    )
    if as_json:
        print_json(
            {"receipt": r["receipt"], "status": r["status"], "desk_closed": r["desk_closed"]}
        )
        return
    again = " (permintaan ulang)" if r["replayed"] else ""
    console.print(
        tr(
            Msg(
                "Tanda terima: [bold]{receipt}[/] - status {status}{again}",
                receipt=r["receipt"],
                status=_label(r["status"]),
                again=again,
            )
        ),
        highlight=False,
    )
    _warn_closed(r["desk_closed"])


@app_app.command("print")
def print_(
    receipt: ReceiptArg,
    station: StationOpt,
    serial: BlankSerialOpt = None,
    date: DateOpt = None,
    office: ReceiptOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
    printer: PrinterOpt = None,
) -> None:
    """Cetak kartu: memakai satu blangko di loket melalui buku besar."""
    r = state.write(
        apps.print_card,
        office,
        idempotency_key,
        receipt=receipt,
        station=station,
        serial=serial,
        on=parse_date(date),
        printer=printer,
    )
    _done(r, as_json, "dicetak")


@app_app.command("misprint")
def misprint(
    receipt: ReceiptArg,
    reason: SpoilReasonOpt,
    note: NoteOpt = None,
    date: DateOpt = None,
    office: ReceiptOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Salah cetak: blangko dicatat rusak (disimpan untuk dimusnahkan); kembali ke siap cetak."""
    r = state.write(
        apps.misprint,
        office,
        idempotency_key,
        receipt=receipt,
        reason=reason,
        note=note,
        on=parse_date(date),
    )
    _done(r, as_json, "salah cetak dicatat, kembali ke antrean cetak")


def _simple(action: str, verb: str, doc: str):  # type: ignore[no-untyped-def]
    def command(
        receipt: ReceiptArg,
        date: DateOpt = None,
        office: ReceiptOfficeOpt = None,
        idempotency_key: KeyOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        fn = getattr(apps, action)
        r = fn(
            state.context(),
            receipt=receipt,
            on=parse_date(date),
            office=office,
            idempotency_key=idempotency_key,
        )
        _done(r, as_json, verb)

    command.__doc__ = doc
    return command


app_app.command("record")(
    _simple("record", "direkam", "Perekaman biometrik; ditolak selama perekaman tutup.")
)
app_app.command("ready")(_simple("ready", "siap cetak", "Siap cetak (PRR)."))
app_app.command("suket")(
    _simple(
        "suket",
        "suket diterbitkan",
        "Surat keterangan (suket) selama kartu belum dapat dicetak; didahulukan di antrean cetak.",
    )
)
app_app.command("ikd")(
    _simple(
        "ikd",
        "IKD diaktifkan",
        "Identitas Kependudukan Digital (IKD) diaktifkan; tidak memakai blangko.",
    )
)


@app_app.command("collect")
def collect(
    receipt: ReceiptArg,
    proxy_nik: Annotated[
        str | None,
        typer.Option(
            "--proxy-nik", help="NIK kuasa yang mengambil kartu (kosong: pemohon sendiri)."
        ),
    ] = None,
    proxy_name: Annotated[
        str | None, typer.Option("--proxy-name", help="Nama kuasa yang mengambil kartu.")
    ] = None,
    power_of_attorney: Annotated[
        str | None,
        typer.Option("--power-of-attorney", help="Nomor/tanggal surat kuasa."),
    ] = None,
    date: DateOpt = None,
    office: ReceiptOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Serahkan kartu yang sudah dicetak: kepada pemohon, atau kepada kuasanya (NIK, nama dan
    surat kuasa wajib)."""
    r = state.write(
        apps.collect,
        office,
        idempotency_key,
        receipt=receipt,
        proxy_nik=proxy_nik,
        proxy_name=proxy_name,
        power_of_attorney=power_of_attorney,
        on=parse_date(date),
    )
    who = r["handover"]
    verb = "diserahkan kepada " + (
        f"kuasa {who['proxy_nik']} (surat kuasa {who['power_of_attorney']})"
        if who and who["by"] == "kuasa"
        else "pemohon"
    )
    _done(r, as_json, verb)


@app_app.command("reject")
def reject(
    receipt: ReceiptArg,
    reason: Annotated[str, typer.Option("--reason", help="Alasan penolakan.")],
    date: DateOpt = None,
    office: ReceiptOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tolak permohonan yang belum dicetak kartunya."""
    r = state.write(
        apps.reject, office, idempotency_key, receipt=receipt, reason=reason, on=parse_date(date)
    )
    _done(r, as_json, "ditolak")


@app_app.command("cancel")
def cancel(
    receipt: ReceiptArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Keterangan (opsional).")] = None,
    date: DateOpt = None,
    office: ReceiptOfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Batalkan permohonan (atas permintaan penduduk) sebelum dicetak."""
    r = state.write(
        apps.cancel, office, idempotency_key, receipt=receipt, reason=reason, on=parse_date(date)
    )
    _done(r, as_json, "dibatalkan")


@app_app.command("show")
def show(
    receipt: ReceiptArg,
    office: ReceiptOfficeOpt = None,
    reveal: RevealOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Satu permohonan dengan riwayatnya."""
    r = apps.show(state.context(), receipt=receipt, office=office, reveal=reveal)
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "[bold]{receipt}[/]  NIK {nik}  {type_label}  status {status_label}",
                receipt=r["receipt"],
                nik=r["nik"],
                type_label=TYPE_LABEL_ID[r["type"]],
                status_label=_label(r["status"]),
            )
        )
        + ("  [suket]" if r["suket"] else "")
        + ("  [IKD]" if r["ikd"] else ""),
        highlight=False,
    )
    if r["documents"]:
        docs = ", ".join(f"{k}={v}" for k, v in r["documents"].items())
        console.print(tr(Msg("Dokumen: {docs}", docs=docs)), highlight=False)
    if r["serial"]:
        console.print(
            tr(Msg("Blangko: {serial} di {station}", serial=r["serial"], station=r["station"])),
            highlight=False,
        )
    if r["handover"]:
        h = r["handover"]
        proxy = (
            f": {h['proxy_name'] or ''} NIK {h['proxy_nik']}, surat kuasa {h['power_of_attorney']}"
            if h["by"] == "kuasa"
            else ""
        )
        console.print(
            tr(Msg("Diterima oleh: {by_label}{proxy}", by_label=h["by_label"], proxy=proxy)),
            highlight=False,
        )
    t = make_table(
        key_column(tr("Tanggal")),
        tr("Tindakan"),
        tr("Dari"),
        tr("Ke"),
        tr("Petugas"),
        tr("Catatan"),
    )
    for e in r["events"]:
        t.add_row(
            short_date(e["date"]),
            e["action"],
            e["from"] or "-",
            e["to"],
            escape(e["actor"]),
            escape(e["note"] or ""),
        )
    print_table(t)


def _table(
    rows: Sequence[ApplicationView], title: str, positions: Sequence[int] | None = None
) -> Table:
    cols: list[str | Column] = [key_column("#", justify="right")] if positions is not None else []
    cols += [
        key_column(tr("Tanda terima")),
        key_column(tr("NIK")),
        "Jenis",
        key_column(tr("Diajukan")),
        "Status",
    ]
    t = make_table(*cols, title=title)
    for i, r in enumerate(rows):
        status = _label(r["status"]) + (" (suket)" if r["suket"] else "")
        cells = [
            r["receipt"],
            r["nik"],
            TYPE_LABEL_ID[r["type"]],
            short_date(r["submitted_date"]),
            status,
        ]
        t.add_row(*([str(positions[i])] if positions is not None else []), *cells)
    return t


@app_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option("--status", help="Saring menurut status.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Saring menurut jenis.")] = None,
    office: OfficeOpt = None,
    reveal: RevealOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Daftar permohonan, terlama dulu; NIK disamarkan kecuali dengan --show-nik."""
    rows = apps.list_(state.context(), status=status, type=type_, office=office, reveal=reveal)
    if as_json:
        print_json(rows)
        return
    print_table(_table(rows, f"{len(rows)} permohonan"))


@app_app.command("queue")
def queue(
    office: OfficeOpt = None,
    reveal: RevealOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Antrean cetak menurut urutan prioritas Ditjen."""
    rows = apps.print_queue(state.context(), office=office, reveal=reveal)
    if as_json:
        print_json(rows)
        return
    title = f"Antrean cetak: {len(rows)} permohonan"
    print_table(_table(rows, title, positions=[r["position"] for r in rows]))


@app_app.command("prr")
def prr(
    kecamatan: KecamatanOpt = None,
    desa: DesaOpt = None,
    election_only: ElectionOnlyOpt = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Baris per halaman (0: semua baris).")
    ] = worklist.DEFAULT_LIMIT,
    offset: Annotated[int, typer.Option("--offset", help="Lewati sekian baris pertama.")] = 0,
    as_of: AsOfOpt = None,
    office: OfficeOpt = None,
    reveal: PersonalDataOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Daftar tunggu cetak: PRR di registri yang belum mengajukan dan permohonan berjalan,
    satu baris per penduduk, per kecamatan dan desa, terlama dulu; desa pemilihan ditandai."""
    r = worklist.work_list(
        state.context(),
        office=office,
        kecamatan=kecamatan,
        desa=desa,
        election_only=election_only,
        as_of=parse_date(as_of, "as_of"),
        limit=limit or None,
        offset=offset,
        reveal=state.reveal(reveal),
    )
    if as_json:
        print_json(r)
        return
    villages = make_table(
        tr("Kecamatan"),
        tr("Desa/kelurahan"),
        key_column(tr("Menunggu"), justify="right"),
        Column(tr("Belum mengajukan"), justify="right"),
        key_column(tr("Terlama sejak")),
        tr("Pemilihan"),
        title=tr(
            Msg(
                "Daftar tunggu cetak: {total} penduduk (antrean cetak kantor {print_backlog})",
                total=num(r["total"]),
                print_backlog=num(r["backlog"]["print_backlog"]),
            )
        ),
    )
    for v in r["villages"]:
        e = v["election"]
        villages.add_row(
            v["kecamatan"] or v["kode_kecamatan"],
            v["desa"] or v["kode_desa"],
            num(v["residents"]),
            num(v["registry_prr"]),
            short_date(v["oldest"]),
            f"{escape(e['name'])} {short_date(e['date'])}" if e else "",
        )
    print_table(villages)
    shown = len(r["items"])
    rows = make_table(
        key_column("#", justify="right"),
        tr("Desa/kelurahan"),
        *(["Nama"] if r["items"] and r["items"][0]["nama"] is not None else []),
        key_column(tr("NIK")),
        key_column(tr("Direkam")),
        tr("Status"),
        title=tr(
            Msg(
                "Baris {nilai}-{nilai2} dari {total}",
                nilai=num(r["offset"] + 1 if shown else 0),
                nilai2=num(r["offset"] + shown),
                total=num(r["total"]),
            )
        ),
    )
    for i, item in enumerate(r["items"], start=r["offset"] + 1):
        if item["receipt"]:
            status = f"{_label(item['status'])} {item['receipt']}"
            status += " (suket)" if item["suket"] else ""
        else:
            status = "belum mengajukan (PRR)"
        rows.add_row(
            str(i),
            item["desa"] or item["kode_desa"],
            *([item["nama"]] if item["nama"] is not None else []),
            item["nik"],
            short_date(item["recorded_date"]) if item["recorded_date"] else "-",
            status + (" (pemilihan)" if item["election"] else ""),
        )
    print_table(rows)


@app_app.command("print-prr")
def print_prr(
    nik: Annotated[str, typer.Option("--nik", help="NIK penduduk PRR (16 digit).")],
    station: StationOpt,
    serial: BlankSerialOpt = None,
    date: DateOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cetak kartu penduduk PRR dari daftar tunggu: permohonan pemula dibuat dan dicetak
    dalam satu transaksi; ditolak bila sudah ada permohonan berjalan atau bukan PRR."""
    r = state.write(
        apps.print_from_backlog,
        office,
        idempotency_key,
        nik=nik,
        station=station,
        serial=serial,
        on=parse_date(date),
    )
    _done(r, as_json, "permohonan dibuat dari daftar tunggu dan dicetak")


@app_app.command("lookup")
def lookup(
    nik: Annotated[str, typer.Argument(help="NIK 16 digit.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cari penduduk di loket: permohonan berjalan, langkah berikutnya dan dokumen yang wajib
    dibawa. NIK yang salah bentuk ditolak dengan aturannya."""
    r = apps.lookup(state.context(), nik=nik, office=office, reveal=True)
    if as_json:
        print_json(r)
        return
    p = r["resident"]
    rekam = tanggal(p["tanggal_rekam"]) if p["tanggal_rekam"] else "belum"
    cetak = tanggal(p["tanggal_cetak"]) if p["tanggal_cetak"] else "belum"
    console.print(
        tr(
            Msg(
                "[bold]{nama}[/]  NIK {nik}  {status}  rekam {rekam}, cetak {cetak}",
                nama=p["nama"],
                nik=p["nik"],
                status=p["status"],
                rekam=rekam,
                cetak=cetak,
            )
        ),
        highlight=False,
    )
    open_app = r["open_application"]
    if open_app:
        console.print(
            tr(
                Msg(
                    "Permohonan berjalan: [bold]{open_app}[/] {type_label_id}, status {open_app2} (blangko app show {open_app})",
                    open_app=open_app["receipt"],
                    type_label_id=TYPE_LABEL_ID[open_app["type"]],
                    open_app2=_label(open_app["status"]),
                )
            ),
            highlight=False,
        )
    console.print(
        tr(Msg("Langkah berikutnya: {message}", message=r["next_step"]["message"])), highlight=False
    )
    _warn_closed(r["desk_closed"])
    for rule in r["documents"]:
        console.print(
            tr(
                Msg(
                    "Dokumen {type_label_id}: {description}",
                    type_label_id=TYPE_LABEL_ID[rule["type"]],
                    description=rule["description"],
                )
            ),
            highlight=False,
        )


@app_app.command("slip")
def slip(
    receipt: ReceiptArg,
    handover: Annotated[
        bool,
        typer.Option(
            "--handover", help="Tanda terima penyerahan (bukti pengambilan), bukan permohonan."
        ),
    ] = False,
    office: ReceiptOfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tanda terima permohonan (nomor, NIK disamarkan, dokumen, cara cek status), atau dengan
    --handover tanda terima penyerahan kartu. Halaman cetaknya: /layanan/permohonan/NOMOR/
    tanda-terima."""
    ctx = state.context()
    if handover:
        h = apps.handover_slip(ctx, receipt=receipt, office=office, reveal=True)
        if as_json:
            print_json(h)
            return
        _print_lines(
            h["letterhead"],
            "TANDA TERIMA PENYERAHAN KTP-EL",
            [
                ("Nomor tanda terima", h["receipt"]),
                ("Nama pemohon", h["name"] or "-"),
                ("NIK pemohon", h["nik"]),
                ("Jenis permohonan", h["type_label"]),
                ("Nomor seri blangko", h["serial"] or "-"),
                ("Tanggal penyerahan", tanggal(h["collected_date"])),
                ("Diterima oleh", h["collected_by_label"]),
            ]
            + (
                [
                    ("Nama kuasa", h["proxy_name"] or "-"),
                    ("NIK kuasa", h["proxy_nik"] or "-"),
                    ("Surat kuasa", h["power_of_attorney"] or "-"),
                ]
                if h["collected_by"] == "kuasa"
                else []
            )
            + [("Petugas", h["officer"])],
            f"{h['place']}, {tanggal(h['collected_date'])}".lstrip(", "),
        )
        return
    s = apps.slip(ctx, receipt=receipt, office=office, reveal=True)
    if as_json:
        print_json(s)
        return
    where = s["status_url"] or f"halaman status publik ({s['status_path']})"
    _print_lines(
        s["letterhead"],
        "TANDA TERIMA PERMOHONAN KTP-EL",
        [
            ("Nomor tanda terima", s["receipt"]),
            ("Nama", s["name"] or "-"),
            ("NIK", s["nik"]),
            ("Jenis permohonan", s["type_label"]),
            ("Tanggal permohonan", tanggal(s["submitted_date"])),
            (
                "Dokumen diterima",
                "; ".join(f"{d['label']}: {d['value']}" for d in s["documents"]) or "-",
            ),
            ("Cek status", f"{where} dengan nomor {s['receipt']}"),
            ("Petugas", s["officer"]),
        ],
        f"{s['place']}, {tanggal(s['submitted_date'])}".lstrip(", "),
    )


def _print_lines(
    letterhead: list[str], title: str, rows: list[tuple[str, str]], signed: str
) -> None:
    for line in letterhead:
        console.print(line, highlight=False, justify="center")
    console.print(f"\n[bold]{title}[/]", justify="center")
    table = Table(show_header=False, box=None)
    table.add_column("Isian")
    table.add_column("Nilai")
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    console.print(signed, highlight=False)
