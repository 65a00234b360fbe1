"""Options and arguments that more than one command takes, defined once.

Each alias is a type for a command's parameter, so a command reads `office: OfficeOpt = None`
and every `--office` has the same name, type and help. An option that only one command has
stays with that command. Help is in Bahasa Indonesia, like the rest of the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# --- every command -----------------------------------------------------------------------------

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.")]
OfficeOpt = Annotated[
    str | None,
    typer.Option(
        "--office",
        envvar="BLANGKO_OFFICE",
        help="Kode kantor (default: BLANGKO_OFFICE, lalu kantor utama basis data, lihat "
        "'blangko office home').",
    ),
]

# --- writes ------------------------------------------------------------------------------------

KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Kunci unik permintaan: mengulang dengan kunci sama tidak menulis dua kali.",
    ),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", help="Tanggal efektif YYYY-MM-DD (default hari ini; tidak boleh di masa depan)."
    ),
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Keterangan tambahan.")]
# A step that ships blanks (a shipment, a loan sent or returned, a request's tranche).
DocumentOpt = Annotated[
    str, typer.Option("--document", help="Nomor surat pengantar / BAST kiriman.")
]
LocationOpt = Annotated[
    str | None, typer.Option("--location", help="Lokasi asal (default gudang).")
]

# --- reads -------------------------------------------------------------------------------------

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Per tanggal YYYY-MM-DD (default hari ini).")
]

# --- stock and applications --------------------------------------------------------------------

SerialsOpt = Annotated[
    str | None, typer.Option("--serials", help="Rentang seri, mis. KR0001001-KR0005000,KR0005101.")
]
QtyOpt = Annotated[
    int | None, typer.Option("--qty", help="Jumlah: diambil seri tersedia terkecil.")
]
SpoilReasonOpt = Annotated[
    str,
    typer.Option(
        "--reason",
        help="Alasan rusak: salah_cetak, gagal_encode, rusak_fisik, rusak_kiriman atau lainnya.",
    ),
]
SpoiledMonthOpt = Annotated[
    str, typer.Option("--month", help="Bulan blangko dicatat rusak, YYYY-MM.")
]
CountIdArg = Annotated[int, typer.Argument(help="Nomor stock opname.")]
# The station's card printer a print is made on: the print counts on its ribbon and film.
PrinterOpt = Annotated[
    str | None,
    typer.Option(
        "--printer",
        help="Printer loket tempat kartu dicetak (nama); cetakan dihitung pada pita dan "
        "filmnya. Tanpa opsi ini: seperti biasa (cetakan dicatat per hari dengan printer prints).",
    ),
]
ReceiptArg = Annotated[str, typer.Argument(help="Nomor tanda terima, mis. 1704-20210602-0001.")]
ReceiptOfficeOpt = Annotated[
    str | None,
    typer.Option(
        "--office", help="Kode kantor (default: dari nomor tanda terima, atau kantor utama)."
    ),
]
RevealOpt = Annotated[
    bool, typer.Option("--show-nik", help="Tampilkan NIK lengkap (hanya untuk petugas berwenang).")
]
PersonalDataOpt = Annotated[
    bool,
    typer.Option(
        "--show-nik",
        help="Tampilkan nama dan NIK lengkap (hanya untuk petugas berwenang; ditolak bila "
        "--actor menyebut pengguna web yang perannya tidak boleh melihat data pribadi).",
    ),
]
StationOpt = Annotated[str, typer.Option("--station", help="Loket cetak, mis. loket-1.")]
BlankSerialOpt = Annotated[
    str | None,
    typer.Option("--serial", help="Seri blangko (default: seri tersedia terkecil di loket)."),
]
KecamatanOpt = Annotated[str | None, typer.Option("--kecamatan", help="Kode kecamatan.")]
DesaOpt = Annotated[str | None, typer.Option("--desa", help="Kode desa/kelurahan.")]
ElectionOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--election-only", help="Hanya desa/kelurahan dengan pemilihan mendatang (acara agenda)."
    ),
]

# --- coverage, calendar and reports ------------------------------------------------------------

TargetOpt = Annotated[
    str | None, typer.Option("--target", help="Target cakupan dalam persen (default 99,2).")
]
EventIdArg = Annotated[int, typer.Argument(help="Nomor acara.")]
FormatOpt = Annotated[str, typer.Option("--format", help="xlsx atau pdf.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", help="Berkas keluaran (default: nama laporan di folder kerja)."),
]
ReportJsonOpt = Annotated[
    bool, typer.Option("--json", help="Keluaran JSON: nama berkas, format dan ukurannya.")
]
