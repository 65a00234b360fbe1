"""`blangko report ...`: official reports as Excel or PDF files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from blangko.cli import state
from blangko.cli.options import (
    AsOfOpt,
    DesaOpt,
    ElectionOnlyOpt,
    FormatOpt,
    KecamatanOpt,
    OfficeOpt,
    OutputOpt,
    PersonalDataOpt,
    ReportJsonOpt,
    SpoiledMonthOpt,
    TargetOpt,
)
from blangko.cli.output import console, num, print_json, set_language, tr
from blangko.cli.output import language as output_language
from blangko.domain.errors import DomainError
from blangko.domain.items import DEFAULT_ITEM
from blangko.domain.text import Msg
from blangko.formatting import parse_date
from blangko.i18n import check_language
from blangko.services import reports

report_app = typer.Typer(
    help="Laporan dan berita acara resmi (Excel atau PDF).", no_args_is_help=True
)


# A report's own language, else the run's (--lang before the command, else BLANGKO_LANG).
ReportLangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Bahasa laporan (dan pesan perintah ini): id (bawaan) atau en; tanpa opsi ini: "
        "blangko --lang, lalu BLANGKO_LANG.",
    ),
]


def _write(
    name: str,
    params: dict[str, Any],
    fmt: str,
    output: Path | None,
    as_json: bool,
    lang: str | None = None,
) -> None:
    fmt = fmt.lower().strip()
    ctx = state.context()
    params = {**params, "address": state.settings().office_address}
    if lang is not None:  # the report's --lang is this command's language too
        set_language(check_language(lang))
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if output is not None and {suffix, fmt} == {"xlsx", "pdf"}:
        # Checked before the report is read (after --lang: the language it is said in).
        # `--output surat.pdf` with the command's default format (xlsx) wrote a workbook
        # under a .pdf name, which no reader opens.
        raise DomainError(
            "output_format_mismatch",
            "output",
            Msg(
                "Berkas keluaran {name} berakhiran .{suffix}, tetapi formatnya {fmt}: tambahkan --format {suffix}, atau ganti nama berkasnya.",
                name=output.name,
                suffix=suffix,
                fmt=fmt,
            ),
        )
    language = output_language()
    content, filename, mimetype = reports.render(ctx, name, params, fmt, language)
    path = output or Path(filename)
    if path.is_dir():
        path = path / filename
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise DomainError(
            "output_unwritable",
            "output",
            Msg("Berkas {path} tidak dapat ditulis: {strerror}.", path=path, strerror=exc.strerror),
        ) from exc
    if as_json:
        print_json(
            {
                "report": name,
                "file": str(path),
                "format": fmt,
                "mimetype": mimetype,
                "bytes": len(content),
            }
        )
    else:
        console.print(
            tr(
                Msg(
                    "Laporan ditulis ke {path} ({content} bita).",
                    path=path,
                    content=num(len(content)),
                )
            ),
            highlight=False,
        )


# A quantity item (ribbon, film, ...): its own usage report and count record, per lot.
ReportItemOpt = Annotated[
    str | None,
    typer.Option("--item", help="Kode barang, mis. pita-warna (default: blangko KTP-el, ektp)."),
]


@report_app.command("usage")
def usage(
    month: Annotated[str, typer.Option("--month", help="Bulan laporan, YYYY-MM.")],
    format: FormatOpt = "xlsx",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
    item: ReportItemOpt = None,
) -> None:
    """Laporan penggunaan blangko: mutasi stok satu bulan, cocok dengan saldo buku (dengan --item: satu barang seperti pita, per lot)."""
    if item is not None and item.strip() != DEFAULT_ITEM:
        params = {"month": month, "item": item, "office": office}
        _write("item_usage", params, format, output, as_json, lang)
        return
    _write("usage", {"month": month, "office": office}, format, output, as_json, lang)


@report_app.command("count")
def count(
    count_id: Annotated[
        int | None, typer.Argument(help="Nomor stock opname (blangko; tanpa --item).")
    ] = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
    item: ReportItemOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Dengan --item: tanggal stock opname (default hari terakhir yang ada selisihnya).",
        ),
    ] = None,
) -> None:
    """Berita acara stock opname: buku dibanding hitungan fisik (satu lokasi atau seluruh kantor; dengan --item: satu barang, per lot)."""
    if item is not None and item.strip() != DEFAULT_ITEM:
        if count_id is not None:
            raise DomainError(
                "count_or_item",
                "item",
                Msg("Sebutkan nomor stock opname blangko atau --item, tidak keduanya."),
            )
        params = {"item": item, "as_of": parse_date(as_of, "as_of"), "office": office}
        _write("item_count", params, format, output, as_json, lang)
        return
    _write("count", {"count_id": count_id, "office": office}, format, output, as_json, lang)


@report_app.command("receipt")
def receipt(
    entry_seq: Annotated[int, typer.Argument(help="Nomor entri penerimaan di buku besar.")],
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Berita acara serah terima satu penerimaan (atau pengembalian) blangko."""
    _write("receipt", {"seq": entry_seq, "office": office}, format, output, as_json, lang)


@report_app.command("destruction")
def destruction(
    month: SpoiledMonthOpt,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Berita acara pemusnahan: setiap blangko rusak dalam bulan itu, per seri dan alasan."""
    _write("destruction", {"month": month, "office": office}, format, output, as_json, lang)


@report_app.command("coverage")
def coverage(
    as_of: AsOfOpt = None,
    target: TargetOpt = None,
    format: FormatOpt = "xlsx",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Rekap cakupan per kecamatan dan desa dengan kekurangan terhadap target."""
    params = {"as_of": parse_date(as_of, "as_of"), "target": target, "office": office}
    _write("coverage", params, format, output, as_json, lang)


@report_app.command("request")
def request(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Tanggal surat dan keadaan stok (default hari ini)."),
    ] = None,
    quantity: Annotated[
        int | None,
        typer.Option(
            "--quantity",
            help="Keping yang dimohon (default: usulan perkiraan; wajib bila usulan 0).",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Alasan jumlah itu; wajib bila melebihi usulan perkiraan atau usulan 0.",
        ),
    ] = None,
    request_id: Annotated[
        int | None,
        typer.Option(
            "--request",
            help="Dari permohonan tersimpan ini: nomor, jumlah dimohon, alasan dan tanggalnya.",
        ),
    ] = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Surat permohonan blangko: jumlah yang disarankan perkiraan (atau yang ditetapkan kepala dinas dengan alasannya), dengan dasar perhitungannya."""
    params = {
        "as_of": parse_date(as_of, "as_of"),
        "quantity": quantity,
        "reason": reason,
        "office": office,
        "request_id": request_id,
    }
    _write("request", params, format, output, as_json, lang)


@report_app.command("purchase")
def purchase(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Tanggal nota dinas dan keadaan stok (default hari ini)."),
    ] = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Nota dinas permintaan pita dan film ke badan keuangan daerah, dari yang menghentikan cetak lebih dulu."""
    params = {"as_of": parse_date(as_of, "as_of"), "office": office}
    _write("purchase", params, format, output, as_json, lang)


@report_app.command("backlog")
def backlog(
    kecamatan: KecamatanOpt = None,
    desa: DesaOpt = None,
    election_only: ElectionOnlyOpt = False,
    as_of: AsOfOpt = None,
    reveal: PersonalDataOpt = False,
    format: FormatOpt = "xlsx",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Daftar penduduk menunggu cetak untuk pemanggilan dan jemput bola, per desa (nama dan NIK lengkap hanya dengan --show-nik)."""
    params = {
        "as_of": parse_date(as_of, "as_of"),
        "kecamatan": kecamatan,
        "desa": desa,
        "election_only": election_only,
        "reveal": state.reveal(reveal),
        "office": office,
    }
    _write("backlog", params, format, output, as_json, lang)


@report_app.command("old-card-destruction")
def old_card_destruction(
    destruction_id: Annotated[int, typer.Argument(help="Nomor pemusnahan kartu lama.")],
    reveal: PersonalDataOpt = False,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Berita acara pemusnahan KTP-el rusak/tidak berlaku: satu pemusnahan, kartu per kartu (nama dan NIK lengkap hanya dengan --show-nik)."""
    params = {"destruction_id": destruction_id, "reveal": state.reveal(reveal), "office": office}
    _write("handed_in_destruction", params, format, output, as_json, lang)


@report_app.command("old-card-recap")
def old_card_recap(
    month: Annotated[str, typer.Option("--month", help="Bulan rekap, YYYY-MM.")],
    format: FormatOpt = "xlsx",
    output: OutputOpt = None,
    office: OfficeOpt = None,
    as_json: ReportJsonOpt = False,
    lang: ReportLangOpt = None,
) -> None:
    """Rekap bulanan KTP-el rusak/tidak berlaku yang diterima dan dimusnahkan, untuk provinsi dan Ditjen."""
    _write("handed_in_recap", {"month": month, "office": office}, format, output, as_json, lang)
