"""Registry export readers: header aliases, dates, cells, streaming CSV/XLSX, rejects file."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from blangko.adapters.registry_files import (
    CANONICAL,
    RejectsWriter,
    canonical_column,
    cell_text,
    open_registry,
    parse_registry_date,
)
from blangko.domain.errors import DomainError


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nik", "nik"),
        (" NIK ", "nik"),
        ("Nama Lengkap", "nama"),
        ("name", "nama"),
        ("Sex", "jenis_kelamin"),
        ("gender", "jenis_kelamin"),
        ("L/P", "jenis_kelamin"),
        ("Tanggal Lahir", "tanggal_lahir"),
        ("date-of-birth", "tanggal_lahir"),
        ("Birth Date", "tanggal_lahir"),
        ("marital_status", "status_kawin"),
        ("Status Perkawinan", "status_kawin"),
        ("Village Code", "kode_desa"),
        ("recorded_date", "tanggal_rekam"),
        ("Printed Date", "tanggal_cetak"),
        ("STATUS", "status"),
        ("catatan", None),
        ("", None),
        (None, None),
    ],
)
def test_header_aliases(header: str | None, expected: str | None) -> None:
    assert canonical_column(header) == expected


def test_every_canonical_name_maps_to_itself() -> None:
    assert all(canonical_column(name) == name for name in CANONICAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005-03-10", date(2005, 3, 10)),
        ("10-03-2005", date(2005, 3, 10)),
        ("1-3-2005", date(2005, 3, 1)),
        (" 2024-02-29 ", date(2024, 2, 29)),
    ],
)
def test_dates_in_both_registry_formats(text: str, expected: date) -> None:
    assert parse_registry_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2023-02-29", "31-04-2020", "10/03/2005", "2005-3-10", "03-10-05", "", "kemarin"]
)
def test_bad_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_registry_date(text)


def test_cell_text_turns_spreadsheet_values_into_export_text() -> None:
    assert cell_text(1704011405900001) == "1704011405900001"
    assert cell_text(1704011405900001.0) == "1704011405900001"
    assert cell_text(datetime(2005, 3, 10, 0, 0)) == "2005-03-10"
    assert cell_text(date(2005, 3, 10)) == "2005-03-10"
    assert cell_text(None) == ""
    assert cell_text("  KAWIN ") == "KAWIN"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


HEAD = "nik;nama;jenis_kelamin;tanggal_lahir;status_kawin;kode_desa"


def test_csv_semicolon_with_bom_blank_lines_and_short_rows(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "a.csv",
        HEAD + ";catatan\n1;Ani;P;2000-01-01;KAWIN;17.04.01.2001;x\n\n2;Budi\n",
        encoding="utf-8-sig",
    )
    with open_registry(file) as reader:
        assert reader.headers[0] == "nik"  # the BOM is not part of the first header
        rows = list(reader.rows)
        assert [n for n, _ in rows] == [2, 4]  # line numbers; the blank line is skipped
        first = reader.canonical(rows[0][1])
        second = reader.canonical(rows[1][1])
        done, total = reader.position()
    assert first["kode_desa"] == "17.04.01.2001"
    assert first["status"] == ""  # optional column absent
    assert second == {**dict.fromkeys(CANONICAL, ""), "nik": "2", "nama": "Budi"}
    assert done == total == file.stat().st_size


def test_csv_comma_with_quoted_field(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "b.csv",
        'nik,name,sex,birth_date,marital_status,village_code\n1,"Siti, S.Pd",P,01-02-2000,KAWIN,x\n',
    )
    with open_registry(file) as reader:
        [(_n, cells)] = list(reader.rows)
        assert reader.canonical(cells)["nama"] == "Siti, S.Pd"
        assert reader.canonical(cells)["tanggal_lahir"] == "01-02-2000"


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    file = _write(tmp_path / "c.csv", "nik,nama,catatan\n1,A,x\n")
    with pytest.raises(DomainError) as info, open_registry(file):
        pass
    assert info.value.code == "registry_columns"
    for col in ("jenis_kelamin", "tanggal_lahir", "status_kawin", "kode_desa"):
        assert col in info.value.message


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "d.csv"
    file.write_bytes((HEAD + "\n1;J\xfcrgen;L;2000-01-01;KAWIN;x\n").encode("latin-1"))
    with pytest.raises(DomainError) as info, open_registry(file) as reader:
        list(reader.rows)
    assert info.value.code == "registry_encoding"


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as info, open_registry(tmp_path / "x.pdf"):
        pass
    assert info.value.code == "registry_format"
    with pytest.raises(DomainError) as info, open_registry(tmp_path / "nope.csv"):
        pass
    assert info.value.code == "file_unreadable"


def test_xlsx_rows_stream_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama", "JK", "Tgl Lahir", "Status Kawin", "Kode Desa"])
    sheet.append([1704015405900001, "Ani", "P", datetime(1990, 5, 14), "KAWIN", "17.04.01.2001"])
    file = tmp_path / "a.xlsx"
    book.save(file)
    with open_registry(file) as reader:
        [(n, cells)] = list(reader.rows)
        row = reader.canonical(cells)
    assert n == 2
    assert row["nik"] == "1704015405900001"
    assert row["tanggal_lahir"] == "1990-05-14"
    assert row["jenis_kelamin"] == "P"


def test_rejects_writer_keeps_original_columns_and_adds_alasan(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "tolak.csv"
    with RejectsWriter(out, ["nik", "nama"]) as writer:
        assert not out.exists()  # nothing rejected yet, no file
        writer.write(["1"], "NIK harus 16 digit")
        writer.write(["2", "Budi", "lebih"], "Nama kosong")
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["nik", "nama", "alasan"],
        ["1", "", "NIK harus 16 digit"],
        ["2", "Budi", "Nama kosong (sel tanpa kolom: lebih)"],
    ]
    assert writer.count == 2
