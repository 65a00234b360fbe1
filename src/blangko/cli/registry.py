"""`blangko residents ...` and `blangko nik ...`: the resident registry and NIK checks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from blangko.cli import state
from blangko.cli.options import JsonOpt, OfficeOpt
from blangko.cli.output import console, make_table, num, print_json, print_table, tanggal, tr, waktu
from blangko.domain.text import Msg
from blangko.services import registry
from blangko.services.registry import ImportSummary, RegistryChanges

residents_app = typer.Typer(
    help="Registri penduduk (ekspor SIAK): impor, riwayat impor dan lihat.", no_args_is_help=True
)
nik_app = typer.Typer(help="Pemeriksaan NIK.", no_args_is_help=True)


@residents_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Berkas CSV (',' atau ';') atau XLSX.")],
    office: OfficeOpt = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Berkas baris ditolak (default: <nama berkas>-ditolak.csv)."
        ),
    ] = None,
    warnings: Annotated[
        Path | None,
        typer.Option(
            "--warnings",
            help="Berkas baris diimpor dengan peringatan, mis. kode wilayah lama pada NIK "
            "(default: <nama berkas>-peringatan.csv).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Impor atau perbarui penduduk dari ekspor registri, semua atau tidak sama sekali: baris
    salah masuk berkas tolakan dengan alasannya dan tidak menghentikan impor; berkas yang tidak
    terbaca sampai akhir tidak menyimpan apa pun. Impor ulang memperbarui menurut NIK dan
    melaporkan perubahannya (baru, pindah datang, direkam, dicetak, meninggal, pindah keluar);
    setiap impor yang berhasil dicatat (lihat 'residents status')."""
    ctx = state.context()
    if as_json:
        result = registry.import_residents(
            ctx, file, office=office, rejects_path=rejects, warnings_path=warnings
        )
        print_json(result)
        return
    with Progress(
        TextColumn("Impor penduduk"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rows]} baris"),
        TextColumn("{task.fields[rate]} baris/detik"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("impor", total=None, rows="0", rate="-")

        def progress(rows: int, done: int, total: int | None) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = num(round(rows / elapsed)) if elapsed > 0 else "-"
            bar.update(task, completed=done, total=total, rows=num(rows), rate=rate)

        result = registry.import_residents(
            ctx,
            file,
            office=office,
            rejects_path=rejects,
            warnings_path=warnings,
            progress=progress,
        )
    _print_summary(result)


def _print_summary(r: ImportSummary) -> None:
    rate = num(round(r["rows"] / r["seconds"])) if r["seconds"] else "-"
    console.print(
        tr(
            Msg(
                "{rows} baris dalam {seconds} detik ({rate} baris/detik): {imported} baru, {updated} diperbarui, {rejected} ditolak.",
                rows=num(r["rows"]),
                seconds=num(r["seconds"]),
                rate=rate,
                imported=num(r["imported"]),
                updated=num(r["updated"]),
                rejected=num(r["rejected"]),
            )
        ),
        highlight=False,
    )
    console.print(
        tr(Msg("Perubahan registri: {changes}.", changes=changes_line(r["changes"]))),
        highlight=False,
    )
    if r["nik_other_kecamatan"]:
        console.print(
            tr(
                Msg(
                    "{nik_other_kecamatan} penduduk ber-NIK kecamatan lain ({nik_outside_regency} dari luar kabupaten): sah, tidak ditolak.",
                    nik_other_kecamatan=num(r["nik_other_kecamatan"]),
                    nik_outside_regency=num(r["nik_outside_regency"]),
                )
            ),
            highlight=False,
        )
    if r["warned"]:
        console.print(
            tr(
                Msg(
                    "{warned} penduduk diimpor dengan peringatan (kode wilayah pada NIK tidak ada dalam daftar wilayah saat ini): {warnings_file}",
                    warned=num(r["warned"]),
                    warnings_file=r["warnings_file"],
                )
            ),
            highlight=False,
        )
    if r["rejects_file"]:
        console.print(
            tr(
                Msg(
                    "Baris ditolak beserta alasannya: {rejects_file}",
                    rejects_file=r["rejects_file"],
                )
            ),
            highlight=False,
        )


def changes_line(c: RegistryChanges) -> str:
    """What an import changed, in one line: '12 baru terbit di kabupaten ini, 3 pindah datang
    (1 kembali dari pindah), 40 baru direkam, 35 baru dicetak, 2 meninggal, 1 pindah keluar'."""
    back = f" ({num(c['returned'])} kembali dari pindah)" if c["returned"] else ""
    return (
        f"{num(c['new_local'])} baru terbit di kabupaten ini, {num(c['moved_in'])} pindah "
        f"datang{back}, {num(c['recorded'])} baru direkam, {num(c['printed'])} baru dicetak, "
        f"{num(c['died'])} meninggal, {num(c['moved_out'])} pindah keluar"
    )


@residents_app.command("status")
def status_cmd(
    limit: Annotated[int, typer.Option("--limit", help="Jumlah impor, terbaru dulu.")] = 10,
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Umur registri kantor (tanggal impor terakhir; peringatan bila lebih dari
    BLANGKO_REGISTRY_STALE_DAYS hari, default 30) dan impor terakhir dengan perubahannya."""
    r = registry.import_history(state.context(), office=office, limit=limit)
    if as_json:
        print_json(r)
        return
    age = r["age"]
    style = "bold red" if age["stale"] else "green"
    console.print(f"[{style}]{escape(age['message'])}[/]", highlight=False)
    if not r["imports"]:
        return
    # Four columns, the figures as sentences: fourteen numeric columns do not fit a terminal
    # of 80 columns, and a clerk reads "12 baru direkam" more easily than a header.
    table = make_table(
        tr("Waktu, petugas"),
        tr("Berkas"),
        tr("Baris"),
        tr("Perubahan"),
        title=tr(Msg("Impor registri kantor {office}, terbaru dulu", office=age["office"])),
    )
    for i in r["imports"]:
        warned = f", {num(i['warned'])} dengan peringatan" if i["warned"] else ""
        table.add_row(
            f"{waktu(i['imported_at'])}\n{escape(i['actor'])}",
            escape(i["file_name"]),
            f"{num(i['rows'])}: {num(i['imported'])} baru, {num(i['updated'])} diperbarui, "
            f"{num(i['rejected'])} ditolak{warned}",
            changes_line(i["changes"]),
        )
    print_table(table)


@residents_app.command("show")
def show_cmd(
    nik: Annotated[str, typer.Argument(help="NIK 16 digit.")],
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Satu penduduk. NIK ditampilkan lengkap: baris perintah dipakai petugas setempat yang
    sudah punya akses langsung ke basis data (daftar dan halaman web menyamarkannya)."""
    r = registry.show_resident(state.context(), nik, reveal=True, office=office)
    if as_json:
        print_json(r)
        return
    table = make_table(show_header=False)
    table.add_column("Isian")
    table.add_column("Nilai")
    sex = {"L": "Laki-laki", "P": "Perempuan"}[r["jenis_kelamin"]]
    rows = [
        ("NIK", r["nik"]),
        ("Nama", r["nama"]),
        ("Jenis kelamin", sex),
        ("Tanggal lahir", f"{tanggal(r['tanggal_lahir'])} (umur {r['umur']})"),
        ("Status kawin", r["status_kawin"]),
        ("Desa/kelurahan", f"{r['desa'] or '-'} ({r['kode_desa']})"),
        ("Kecamatan", f"{r['kecamatan'] or '-'} ({r['kode_kecamatan']})"),
        ("Kecamatan pada NIK", f"{r['kecamatan_nik_nama'] or '-'} ({r['kecamatan_nik']})"),
        ("Tanggal rekam", tanggal(r["tanggal_rekam"])),
        ("Tanggal cetak", tanggal(r["tanggal_cetak"])),
        ("Status", r["status"]),
        ("Wajib KTP hari ini", "ya" if r["wajib_ktp"] else "tidak"),
    ]
    for k, v in rows:
        table.add_row(k, str(v))
    print_table(table)


@nik_app.command("check")
def check_cmd(
    nik: Annotated[str, typer.Argument(help="NIK yang diperiksa (spasi/titik boleh).")],
    as_json: JsonOpt = False,
) -> None:
    """Baca NIK: wilayah, tanggal lahir, jenis kelamin dan nomor urut, atau aturan yang dilanggar (kode keluar 2)."""
    r = registry.check_nik(state.context(), nik)
    if as_json:
        print_json(r)
    elif r["valid"]:
        sex = {"L": "laki-laki", "P": "perempuan"}[r["jenis_kelamin"]]
        console.print(tr(Msg("NIK {nik} sah.", nik=r["nik"])), highlight=False)
        for label, part in (
            ("Provinsi", r["provinsi"]),
            ("Kabupaten/kota", r["kabupaten_kota"]),
            ("Kecamatan", r["kecamatan"]),
        ):
            console.print(f"  {label}: {part['name'] or '-'} ({part['code']})", highlight=False)
        console.print(
            tr(
                Msg(
                    "  Lahir: {tanggal_lahir}, {sex}; nomor urut {nomor_urut}",
                    tanggal_lahir=tanggal(r["tanggal_lahir"]),
                    sex=sex,
                    nomor_urut=r["nomor_urut"],
                )
            ),
            highlight=False,
        )
        if r["region_note"]:
            console.print(
                tr(
                    Msg("  [yellow]Catatan[/]: {region_note}", region_note=escape(r["region_note"]))
                ),
                highlight=False,
            )
    else:
        e = r["error"]
        console.print(
            tr(
                Msg(
                    "[bold red]NIK tidak sah[/] \\[{code}]: {message}",
                    code=e["code"],
                    message=escape(e["message"]),
                )
            ),
            highlight=False,
        )
    if not r["valid"]:
        sys.exit(2)
