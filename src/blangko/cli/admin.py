"""Setting up and administering an office: `blangko init`, `blangko office ...` (list, the
office's settings and documents per application type),
`blangko location ...`, `blangko regions ...` and `blangko user ...` (web accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from blangko.cli import state
from blangko.cli.options import JsonOpt, KeyOpt, OfficeOpt
from blangko.cli.output import console, key_column, make_table, num, print_json, print_table, tr
from blangko.cli.stock import print_verification
from blangko.domain.applications import TYPE_LABEL_ID
from blangko.domain.errors import DomainError
from blangko.domain.ledger import LOCATION_KIND_LABEL_ID
from blangko.domain.text import Msg
from blangko.services.admin import backup as backups
from blangko.services.admin import office as office_settings
from blangko.services.admin import setup, users
from blangko.services.admin.office import OfficeProfile

office_app = typer.Typer(help="Kantor (Dinas Dukcapil kabupaten/kota).", no_args_is_help=True)
location_app = typer.Typer(
    help="Lokasi penyimpanan blangko (gudang, loket cetak).", no_args_is_help=True
)
regions_app = typer.Typer(help="Kode wilayah Kemendagri.", no_args_is_help=True)
user_app = typer.Typer(help="Pengguna aplikasi web dan perannya.", no_args_is_help=True)


# --- schema, offices, locations and regions ----------------------------------------------------


def init(
    office: Annotated[
        str | None, typer.Option("--office", help="Buat kantor untuk kode kabupaten/kota ini.")
    ] = None,
    directorate: Annotated[
        bool,
        typer.Option("--directorate", help="Buat direktorat (kode 00.00) dengan gudang pusatnya."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Buat atau perbarui skema, muat kode wilayah, dan (bila diminta) buat kantor atau
    direktorat. Menambah kantor ke basis data yang sudah ada: --office KODE.

    Aman dijalankan dua kali: yang sudah ada tidak diubah."""
    result = setup.init(state.context(), office=office, directorate=directorate)
    if as_json:
        print_json(result)
        return
    applied = result["migrations_applied"]
    console.print(
        tr(
            Msg(
                "Skema: {nilai}.",
                nilai="diperbarui " + ", ".join(applied) if applied else "sudah mutakhir",
            )
        )
    )
    if result["regions_loaded"]:
        console.print(
            tr(Msg("Kode wilayah dimuat: {result}.", result=num(result["regions_loaded"])))
        )
    if office:
        o = result["office"]
        verb = "dibuat" if o["created"] else "sudah ada"
        console.print(
            tr(
                Msg(
                    "Kantor {code} {name} {verb}; {villages} desa/kelurahan.",
                    code=o["code"],
                    name=o["name"],
                    verb=verb,
                    villages=num(o["villages"]),
                )
            )
        )
    if directorate:
        d = result["directorate"]
        verb = "dibuat" if d["created"] else "sudah ada"
        console.print(
            tr(Msg("Direktorat {code} {name} {verb}.", code=d["code"], name=d["name"], verb=verb))
        )
    if result["home"] is not None:
        console.print(tr(Msg("Kantor utama basis data ini: {code}.", code=result["home"])))


def backup(
    file: Annotated[Path, typer.Argument(help="Berkas cadangan baru (tidak menimpa).")],
    as_json: JsonOpt = False,
) -> None:
    """Cadangkan seluruh basis data ke FILE selagi aplikasi tetap dipakai.

    SQLite: salinan lewat online backup API (satu saat yang konsisten). PostgreSQL:
    pg_dump -Fc (versi pg_dump sama dengan server). Tercetak ukuran dan SHA-256-nya."""
    r = backups.backup(state.context(), output=file)
    if as_json:
        print_json(r)
        return
    console.print(
        tr(
            Msg(
                "Cadangan {backend} ditulis ke {file}: {bytes} bait dalam {seconds} detik.\nSHA-256 {sha256}",
                backend=r["backend"],
                file=r["file"],
                bytes=num(r["bytes"]),
                seconds=r["seconds"],
                sha256=r["sha256"],
            )
        ),
        highlight=False,
    )


def restore(
    file: Annotated[Path, typer.Argument(help="Berkas cadangan dari 'blangko backup'.")],
    as_json: JsonOpt = False,
) -> None:
    """Pulihkan FILE ke basis data BARU (--db: berkas SQLite yang belum ada, atau basis data
    PostgreSQL yang belum ada atau kosong), perbarui skemanya, lalu verifikasi setiap kantor.

    Tidak pernah menimpa basis data yang berisi. Kode keluar 1 bila ada ledger yang tidak utuh."""
    r = backups.restore(state.context(), source=file)
    if as_json:
        print_json(r)
    else:
        made = " (basis data dibuat)" if r["database_created"] else ""
        console.print(
            tr(Msg("Cadangan {file} dipulihkan{made}.", file=r["file"], made=made)), highlight=False
        )
        applied = r["migrations_applied"]
        console.print(
            tr(
                Msg(
                    "Skema: {nilai}.",
                    nilai="diperbarui " + ", ".join(applied) if applied else "sudah mutakhir",
                )
            )
        )
        for v in r["offices"]:
            print_verification(v)
    if not r["sound"]:
        raise typer.Exit(1)


@office_app.command("list")
def office_list(as_json: JsonOpt = False) -> None:
    """Daftar kantor di basis data ini; kantor utama bertanda *."""
    rows = setup.list_offices(state.context())
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("Kode")), tr("Nama"), key_column(tr("Entri ledger"), justify="right")
    )
    for r in rows:
        table.add_row(r["code"] + (" *" if r["home"] else ""), r["name"], num(r["entries"]))
    print_table(table)


@office_app.command("home")
def office_home(
    office: Annotated[
        str | None,
        typer.Argument(help="Kode kantor yang dijadikan kantor utama (kosong: tampilkan saja)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Kantor utama basis data ini: kantor yang dipakai setiap perintah tanpa --office (dan
    tanpa BLANGKO_OFFICE). Dengan kode kantor: jadikan kantor itu kantor utama.

    Kantor utama ditetapkan oleh 'blangko init --office' pertama (atau --directorate) pada
    basis data yang masih kosong."""
    ctx = state.context()
    home = setup.home_office(ctx) if office is None else setup.set_home_office(ctx, office=office)
    if as_json:
        print_json(home)
    elif home["home"] is None:
        console.print(
            tr(
                Msg(
                    "Basis data ini belum punya kantor utama: perintah tanpa --office memakai satu-satunya kantor, atau meminta kantornya disebutkan."
                )
            )
        )
    else:
        console.print(
            tr(
                Msg(
                    "Kantor utama basis data ini: {code} {name}.",
                    code=home["home"],
                    name=home["name"],
                )
            )
        )


def _print_profile(p: OfficeProfile) -> None:
    table = make_table(
        show_header=False,
        title=tr(Msg("Kantor {office} {name}", office=p["office"], name=p["name"])),
    )
    table.add_column("Isian")
    table.add_column("Nilai")
    for label, value in (
        ("Alamat", p["address"]),
        ("Ibu kota kabupaten", p["seat"]),
        ("Kepala dinas", p["head_name"]),
        ("NIP kepala dinas", p["head_nip"]),
        ("Status publik", p["public_url"]),
    ):
        table.add_row(label, value or "(belum diisi)")
    for rule in p["documents"]:
        mark = "" if rule["office_set"] else " (bawaan)"
        table.add_row(
            tr(Msg("Dokumen {type_label_id}", type_label_id=TYPE_LABEL_ID[rule["type"]])),
            rule["description"] + mark,
        )
    print_table(table)


@office_app.command("show")
def office_show(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Pengaturan kantor: alamat, ibu kota kabupaten, kepala dinas dan NIP, status publik,
    dokumen per jenis permohonan."""
    p = office_settings.show(state.context(), office=office)
    if as_json:
        print_json(p)
    else:
        _print_profile(p)


@office_app.command("set")
def office_set(
    address: Annotated[
        str | None, typer.Option("--address", help="Alamat kantor pada kop laporan.")
    ] = None,
    seat: Annotated[
        str | None,
        typer.Option(
            "--seat", help="Ibu kota kabupaten: tempat penandatanganan laporan, mis. Bintuhan."
        ),
    ] = None,
    head_name: Annotated[
        str | None, typer.Option("--head-name", help="Nama kepala dinas (penanda tangan).")
    ] = None,
    head_nip: Annotated[
        str | None, typer.Option("--head-nip", help="NIP kepala dinas, 18 digit.")
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="Alamat web status publik, dicetak pada tanda terima (mis. https://...).",
        ),
    ] = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ubah pengaturan kantor yang disebut (yang lain tetap; '' menghapus). Laporan memakai
    alamat, tempat dan penanda tangan ini."""
    p = state.write(
        office_settings.update,
        office,
        idempotency_key,
        address=address,
        seat=seat,
        head_name=head_name,
        head_nip=head_nip,
        public_url=public_url,
    )
    if as_json:
        print_json(p)
    else:
        _print_profile(p)


@office_app.command("documents")
def office_documents(
    kind: Annotated[
        str, typer.Argument(help="Jenis permohonan: pemula, hilang, rusak, perubahan_data.")
    ],
    doc: Annotated[
        list[str] | None,
        typer.Option(
            "--doc",
            help="Dokumen yang wajib, boleh diulang: no_kk, akta_kelahiran, laporan_polisi, "
            "ktp_lama, akta_perkawinan, akta_perceraian.",
        ),
    ] = None,
    any_one: Annotated[
        bool, typer.Option("--any-one", help="Cukup salah satu dokumen --doc.")
    ] = False,
    default: Annotated[
        bool, typer.Option("--default", help="Kembali ke dokumen bawaan untuk jenis ini.")
    ] = False,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dokumen yang wajib dibawa untuk satu jenis permohonan di kantor ini."""
    if default:
        p = state.write(office_settings.reset_documents, office, idempotency_key, type=kind)
    else:
        p = state.write(
            office_settings.set_documents,
            office,
            idempotency_key,
            type=kind,
            documents=doc or [],
            any_one=any_one,
        )
    if as_json:
        print_json(p)
    else:
        _print_profile(p)


@location_app.command("add")
def location_add(
    name: Annotated[str, typer.Argument(help="Nama lokasi, mis. loket-1.")],
    kind: Annotated[
        str, typer.Option("--kind", help="store (gudang) atau station (loket cetak).")
    ] = "station",
    office: OfficeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tambah lokasi penyimpanan (gudang, atau loket cetak)."""
    result = setup.add_location(state.context(), name=name, kind=kind, office=office)
    if as_json:
        print_json(result)
    else:
        console.print(
            tr(
                Msg(
                    "Lokasi '{result}' ({location_kind_label_id}) ditambahkan.",
                    result=result["name"],
                    location_kind_label_id=LOCATION_KIND_LABEL_ID[result["kind"]],
                )
            )
        )


@location_app.command("list")
def location_list(office: OfficeOpt = None, as_json: JsonOpt = False) -> None:
    """Daftar lokasi kantor."""
    rows = setup.list_locations(state.context(), office=office)
    if as_json:
        print_json(rows)
        return
    table = make_table(key_column(tr("Lokasi")), tr("Jenis"))
    for r in rows:
        table.add_row(r["name"], LOCATION_KIND_LABEL_ID[r["kind"]])
    print_table(table)


@regions_app.command("list")
def regions_list(
    under: Annotated[str | None, typer.Option("--under", help="Kode induk, mis. 17.04.")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="provinsi, kabupaten, kecamatan, desa, kelurahan.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar kode wilayah."""
    rows = setup.list_regions(state.context(), under=under, level=level)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("Kode")),
        tr("Nama"),
        tr("Tingkat"),
        title=tr(Msg("{rows} wilayah", rows=num(len(rows)))),
    )
    for r in rows:
        table.add_row(r["code"], r["name"], r.get("jenis") or r["level"])
    print_table(table)


@regions_app.command("import")
def regions_import(
    file: Annotated[Path, typer.Argument(help="CSV resmi dengan kolom kode,nama.")],
    as_json: JsonOpt = False,
) -> None:
    """Impor daftar wilayah resmi yang lebih baru (CSV dengan kolom kode,nama)."""
    result = setup.import_regions(state.context(), path=file)
    if as_json:
        print_json(result)
    else:
        console.print(
            tr(
                Msg(
                    "{result} baris: {result2} baru, {result3} diperbarui.",
                    result=num(result["rows"]),
                    result2=num(result["added"]),
                    result3=num(result["updated"]),
                )
            )
        )


# --- web accounts ------------------------------------------------------------------------------
# Whoever runs `blangko user ...` is the operator of the machine: they can read the database
# anyway, so these commands manage the users of every office (users.MACHINE). A web
# administrator manages only their own office's users.

PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Baca kata sandi dari masukan standar (tidak pernah dari argumen: argumen "
        "terlihat di daftar proses dan riwayat shell).",
    ),
]


def _read_password() -> str:
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Nama pengguna untuk masuk.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, kepala, operator, pengelola_stok, auditor.")
    ],
    password_stdin: PasswordStdinOpt = False,
    office: Annotated[
        str | None,
        typer.Option(
            "--office",
            help="Kode kantor pengguna; wajib bila basis data memuat lebih dari satu kantor.",
        ),
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            help="Atau kode provinsi (mis. 17): pengguna provinsi, yang membaca jaringan "
            "kantor-kantor provinsinya (docs/network.md).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tambah pengguna web dengan satu peran; kata sandi dibaca dari masukan standar.

    Perintah ini dijalankan operator server dan boleh menambah pengguna kantor mana pun."""
    if not password_stdin:
        raise DomainError(
            "password_stdin_required",
            "password",
            Msg(
                "Kata sandi dibaca dari masukan standar: tambahkan --password-stdin, mis. `printf '%s' \"$PW\" | blangko user add NAMA --role operator --password-stdin`."
            ),
        )
    result = users.add_user(
        state.context(),
        scope=users.MACHINE,
        username=name,
        role=role,
        password=_read_password(),
        office=office,
        province=province,
    )
    if as_json:
        print_json(result)
    else:
        console.print(
            tr(
                Msg(
                    "Pengguna '{result}' ditambahkan dengan peran {result2}.",
                    result=result["username"],
                    result2=result["role"],
                )
            )
        )


@user_app.command("update")
def user_update(
    name: Annotated[str, typer.Argument(help="Nama pengguna.")],
    role: Annotated[
        str | None,
        typer.Option(
            "--role", help="Peran baru: admin, kepala, operator, pengelola_stok, auditor."
        ),
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option(
            "--active/--inactive", help="--active mengaktifkan, --inactive menonaktifkan akun."
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Kata sandi baru dari masukan standar."),
    ] = False,
    office: Annotated[
        str | None, typer.Option("--office", help="Pindahkan pengguna ke kantor ini.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Ubah peran, status aktif, kata sandi atau kantor pengguna web.

    Setiap perubahan mengakhiri semua sesi dan token pengguna itu seketika."""
    result = users.update_user(
        state.context(),
        scope=users.MACHINE,
        username=name,
        role=role,
        active=active,
        password=_read_password() if password_stdin else None,
        office=office,
    )
    if as_json:
        print_json(result)
    else:
        console.print(
            tr(
                Msg(
                    "Pengguna '{result}': peran {result2}, kantor {nilai}, {nilai2}.",
                    result=result["username"],
                    result2=result["role"],
                    nilai=result["office"] or "-",
                    nilai2="aktif" if result["active"] else "nonaktif",
                )
            )
        )


@user_app.command("list")
def user_list(
    office: Annotated[
        str | None, typer.Option("--office", help="Hanya pengguna kantor ini.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pengguna web, kantornya, perannya dan apakah aktif (semua kantor)."""
    rows = users.list_users(state.context(), scope=users.MACHINE, office=office)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("Pengguna")), tr("Peran"), key_column(tr("Kantor")), tr("Aktif")
    )
    for r in rows:
        table.add_row(
            r["username"], r["role"], r["office"] or "-", "ya" if r["active"] else "tidak"
        )
    print_table(table)
