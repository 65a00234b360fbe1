"""`blangko user ...`: web accounts and their roles."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from blangko.cli import state
from blangko.cli.output import console, print_json
from blangko.domain.errors import DomainError
from blangko.services.admin import users

user_app = typer.Typer(help="Pengguna aplikasi web dan perannya.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Nama pengguna untuk masuk.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, kepala, operator, pengelola_stok, auditor.")
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Baca kata sandi dari masukan standar (tidak pernah dari argumen: argumen "
            "terlihat di daftar proses dan riwayat shell).",
        ),
    ] = False,
    office: Annotated[
        str | None, typer.Option("--office", help="Kode kantor (kosong: satu-satunya kantor).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran JSON.")] = False,
) -> None:
    """Tambah pengguna web dengan satu peran; kata sandi dibaca dari masukan standar."""
    if not password_stdin:
        raise DomainError(
            "password_stdin_required",
            "password",
            "Kata sandi dibaca dari masukan standar: tambahkan --password-stdin, mis. "
            "`printf '%s' \"$PW\" | blangko user add NAMA --role operator --password-stdin`.",
        )
    password = sys.stdin.readline().rstrip("\r\n")
    result = users.add_user(
        state.context(), username=name, role=role, password=password, office=office
    )
    if as_json:
        print_json(result)
    else:
        console.print(f"Pengguna '{result['username']}' ditambahkan dengan peran {result['role']}.")


@user_app.command("list")
def user_list(
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran JSON.")] = False,
) -> None:
    """Pengguna web, perannya dan apakah aktif."""
    rows = users.list_users(state.context())
    if as_json:
        print_json(rows)
        return
    table = Table("Pengguna", "Peran", "Kantor", "Aktif")
    for r in rows:
        table.add_row(
            r["username"], r["role"], r["office"] or "-", "ya" if r["active"] else "tidak"
        )
    console.print(table)
