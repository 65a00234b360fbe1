"""Resident registry import, look-up and NIK check, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from blangko.adapters.repos import registry as registry_repo
from blangko.adapters.tables_residents import resident
from blangko.cli.main import app
from blangko.demo import residents
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import MAX_IMPORT_FIELD
from blangko.domain.nik import build_nik
from blangko.services import registry
from blangko.services.admin import setup
from blangko_main import run_blangko

HEADER = [
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_kawin",
    "kode_desa",
    "tanggal_rekam",
    "tanggal_cetak",
    "status",
]
# Villages of Kaur: Kinal (17.04.01) and Tanjung Kemuning (17.04.02).
KINAL_VILLAGE = "17.04.01.2001"
TK_VILLAGE = "17.04.02.2002"


def person(
    serial: int,
    *,
    born: date = date(1990, 5, 14),
    sex: str = "L",
    nik_kec: str = "17.04.01",
    village: str = KINAL_VILLAGE,
    **overrides: str,
) -> dict[str, str]:
    row = {
        "nik": build_nik(nik_kec, born, sex, serial),  # type: ignore[arg-type]
        "nama": f"Penduduk {serial}",
        "jenis_kelamin": sex,
        "tanggal_lahir": born.isoformat(),
        "status_kawin": "KAWIN",
        "kode_desa": village,
        "tanggal_rekam": "2012-03-01",
        "tanggal_cetak": "2012-04-02",
        "status": "HIDUP",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_rejects(path: str | None) -> list[dict[str, str]]:
    assert path is not None
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def stored(ctx, nik: str):  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return conn.execute(select(resident).where(resident.c.nik == nik)).one()


def count(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return conn.execute(select(func.count()).select_from(resident)).scalar_one()


def test_import_csv_writes_valid_rows_and_reports_counts(ctx, office, tmp_path) -> None:
    rows = [
        person(1),
        # DD-MM-YYYY dates, a woman (day + 40 in the NIK), no recording yet, status empty.
        person(
            2,
            born=date(2000, 1, 31),
            sex="P",
            status_kawin="BELUM KAWIN",
            tanggal_lahir="31-01-2000",
            tanggal_rekam="",
            tanggal_cetak="",
            status="",
        ),
        person(3, status="MENINGGAL", tanggal_rekam="15-06-2013", tanggal_cetak=""),
    ]
    file = write_csv(tmp_path / "penduduk.csv", rows, delimiter=";")
    result = registry.import_residents(ctx, file, office=office)

    assert {k: result[k] for k in ("rows", "imported", "updated", "rejected")} == {
        "rows": 3,
        "imported": 3,
        "updated": 0,
        "rejected": 0,
    }
    assert result["rejects_file"] is None
    assert not (tmp_path / "penduduk-ditolak.csv").exists()
    assert result["seconds"] >= 0
    woman = stored(ctx, rows[1]["nik"])
    assert woman.tanggal_lahir == date(2000, 1, 31)
    assert woman.jenis_kelamin == "P"
    assert woman.tanggal_rekam is None
    assert woman.status == "HIDUP"
    assert woman.kode_kecamatan == "17.04.01"
    assert woman.office_code == office
    dead = stored(ctx, rows[2]["nik"])
    assert dead.status == "MENINGGAL"
    assert dead.tanggal_rekam == date(2013, 6, 15)


def test_every_rule_sends_its_row_to_the_rejects_file_with_a_reason(ctx, office, tmp_path) -> None:
    setup.create_office(ctx, code="17.01")
    elsewhere = person(90, nik_kec="17.01.01", village="17.01.01.2001")
    with ctx.write_plain() as conn:
        registry_repo.upsert_residents(
            conn,
            [
                {
                    **{k: v for k, v in elsewhere.items() if k in ("nik", "nama")},
                    "office_code": "17.01",
                    "jenis_kelamin": "L",
                    "tanggal_lahir": date(1990, 5, 14),
                    "status_kawin": "KAWIN",
                    "kode_desa": "17.01.01.2001",
                    "kode_kecamatan": "17.01.01",
                    "tanggal_rekam": None,
                    "tanggal_cetak": None,
                    "status": "HIDUP",
                    "updated_at": datetime(2026, 1, 1),
                }
            ],
        )

    good = person(1)
    cases: dict[str, tuple[dict[str, str], str]] = {
        "empty_nik": (person(2, nik=""), "NIK kosong"),
        "nik_length": (person(3, nik="17040114059"), "NIK harus 16 digit"),
        "nik_digits": (person(4, nik="17040114059A0004"), "hanya boleh berisi angka"),
        # A province that never existed (a retired kecamatan code is imported: see
        # test_registry_refresh.py).
        "nik_province": (
            person(5, nik_kec="99.04.01"),
            "Kode provinsi 99 pada NIK bukan provinsi yang ada atau pernah ada",
        ),
        "nik_day": (person(6, nik="1704013205900006"), "hari 32"),
        "nik_serial": (person(7, nik="1704011405900000"), "tidak boleh 0000"),
        "birth_mismatch": (
            person(8, tanggal_lahir="1990-05-15"),
            "Tanggal lahir 15-05-1990 tidak cocok dengan NIK",
        ),
        "sex_mismatch": (person(9, jenis_kelamin="P"), "Jenis kelamin perempuan tidak cocok"),
        "sex_unknown": (person(10, jenis_kelamin="X"), "Jenis kelamin 'X' tidak dikenal"),
        "name_empty": (person(11, nama="  "), "Nama kosong"),
        "birth_format": (person(12, tanggal_lahir="14/05/1990"), "gunakan YYYY-MM-DD"),
        "birth_empty": (person(13, tanggal_lahir=""), "Tanggal lahir kosong"),
        "marital": (person(14, status_kawin="NIKAH SIRI"), "Status kawin 'NIKAH SIRI'"),
        "status": (person(15, status="HILANG"), "Status penduduk 'HILANG'"),
        "village_unknown": (person(16, village="17.04.01.9999"), "Kode desa '17.04.01.9999'"),
        "village_other_regency": (
            person(17, village="17.01.01.2001"),
            "Kode desa '17.01.01.2001' bukan desa/kelurahan",
        ),
        "rekam_before_birth": (
            person(18, tanggal_rekam="1989-01-01", tanggal_cetak=""),
            "Tanggal rekam 01-01-1989 sebelum tanggal lahir 14-05-1990",
        ),
        "rekam_future": (
            person(19, tanggal_rekam="2026-11-28", tanggal_cetak=""),
            "Tanggal rekam 28-11-2026 sesudah tanggal acuan 27-11-2026",
        ),
        "cetak_future": (
            person(20, tanggal_cetak="2027-01-01"),
            "Tanggal cetak 01-01-2027 sesudah tanggal acuan",
        ),
        "cetak_without_rekam": (person(21, tanggal_rekam=""), "tanggal rekam kosong"),
        "cetak_before_rekam": (
            person(22, tanggal_rekam="2013-01-01", tanggal_cetak="2012-12-31"),
            "sebelum tanggal rekam",
        ),
        "duplicate": ({**good, "nama": "Baris kedua"}, "NIK ganda"),
        # Living in Kaur by this file, but registered by the office of 17.01.
        "other_office": (person(90, nik_kec="17.01.01"), "NIK sudah terdaftar di kantor 17.01"),
    }
    rows = [good] + [row for row, _ in cases.values()]
    file = write_csv(tmp_path / "campur.csv", rows)
    result = registry.import_residents(
        ctx, file, office=office, rejects_path=tmp_path / "out" / "tolak.csv"
    )

    assert result["rows"] == len(rows)
    assert result["imported"] == 1
    assert result["rejected"] == len(cases)
    assert result["rejects_file"] == str(tmp_path / "out" / "tolak.csv")
    rejects = read_rejects(result["rejects_file"])
    assert list(rejects[0]) == [*HEADER, "alasan"]
    by_name = {r["nama"]: r for r in rejects}
    for case, (row, reason) in cases.items():
        got = by_name.get(row["nama"]) if row["nama"].strip() else by_name.get("  ")
        assert got is not None, case
        assert reason in got["alasan"], (case, got["alasan"])
        # The original row comes back as it was in the file.
        assert {k: got[k] for k in HEADER} == row, case
    assert count(ctx) == 2  # the good row and the other office's resident, nothing else
    assert stored(ctx, good["nik"]).nama == good["nama"]  # the first occurrence won
    assert stored(ctx, elsewhere["nik"]).office_code == "17.01"  # not taken over


def test_duplicate_nik_in_a_later_batch_is_rejected_and_first_kept(ctx, office, tmp_path) -> None:
    first = person(1, nama="Asli")
    rows = [first, person(2), person(3), {**first, "nama": "Salinan"}, person(4)]
    file = write_csv(tmp_path / "dup.csv", rows)
    result = registry.import_residents(ctx, file, office=office, batch_size=2)
    assert (result["imported"], result["updated"], result["rejected"]) == (4, 0, 1)
    assert read_rejects(result["rejects_file"])[0]["nama"] == "Salinan"
    assert stored(ctx, first["nik"]).nama == "Asli"


def test_reimport_updates_by_nik(ctx, office, tmp_path) -> None:
    rows = [person(1, tanggal_rekam="", tanggal_cetak=""), person(2)]
    file = write_csv(tmp_path / "a.csv", rows)
    registry.import_residents(ctx, file, office=office)

    rows[0].update(tanggal_rekam="2026-11-20", nama="Nama Baru")
    rows.append(person(3))
    again = registry.import_residents(ctx, write_csv(tmp_path / "b.csv", rows), office=office)

    assert (again["imported"], again["updated"], again["rejected"]) == (1, 2, 0)
    row = stored(ctx, rows[0]["nik"])
    assert row.tanggal_rekam == date(2026, 11, 20)
    assert row.nama == "Nama Baru"
    assert count(ctx) == 3
    # The same file a third time: everything is an update, nothing is a duplicate.
    third = registry.import_residents(ctx, tmp_path / "b.csv", office=office)
    assert (third["imported"], third["updated"], third["rejected"]) == (0, 3, 0)


def test_nik_from_another_kecamatan_is_counted_not_rejected(ctx, office, tmp_path) -> None:
    rows = [
        person(1),
        person(2, nik_kec="17.04.02"),  # moved within Kaur
        person(3, nik_kec="17.01.01", village=TK_VILLAGE),  # moved in from another regency
    ]
    result = registry.import_residents(ctx, write_csv(tmp_path / "m.csv", rows), office=office)
    assert result["rejected"] == 0
    assert result["imported"] == 3
    assert result["nik_other_kecamatan"] == 2
    assert result["nik_outside_regency"] == 1
    assert stored(ctx, rows[2]["nik"]).kode_kecamatan == "17.04.02"


def test_child_born_2005_is_read_in_the_right_century(ctx, office, tmp_path) -> None:
    born = date(2005, 3, 10)
    row = person(1, born=born, sex="P", status_kawin="BELUM KAWIN")
    assert row["nik"][6:12] == "500305"
    result = registry.import_residents(ctx, write_csv(tmp_path / "c.csv", [row]), office=office)
    assert result["imported"] == 1
    assert stored(ctx, row["nik"]).tanggal_lahir == born
    checked = registry.check_nik(ctx, row["nik"])
    assert checked["tanggal_lahir"] == born
    assert checked["jenis_kelamin"] == "P"
    shown = registry.show_resident(ctx, row["nik"], reveal=True)
    assert shown["umur"] == 21
    assert shown["wajib_ktp"] is True


def test_import_xlsx_with_english_headers_and_date_cells(ctx, office, tmp_path) -> None:
    good = person(1)
    bad = person(2, jenis_kelamin="P")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "NIK",
            "Name",
            "Sex",
            "Date of Birth",
            "Marital Status",
            "Village Code",
            "Recorded Date",
            "Printed Date",
            "Status",
            "Catatan",
        ]
    )
    for r in (good, bad):
        sheet.append(
            [
                int(r["nik"]),  # a NIK typed into a number cell
                r["nama"],
                r["jenis_kelamin"],
                datetime.fromisoformat(r["tanggal_lahir"]),  # a real date cell
                r["status_kawin"],
                r["kode_desa"],
                r["tanggal_rekam"],
                datetime(2012, 4, 2),
                "",
                "kolom lain diabaikan",
            ]
        )
    sheet.append([None] * 10)  # an empty row is skipped, not rejected
    file = tmp_path / "penduduk.xlsx"
    book.save(file)

    result = registry.import_residents(ctx, file, office=office)
    assert (result["rows"], result["imported"], result["rejected"]) == (2, 1, 1)
    row = stored(ctx, good["nik"])
    assert (row.tanggal_lahir, row.tanggal_cetak) == (date(1990, 5, 14), date(2012, 4, 2))
    rejects = read_rejects(result["rejects_file"])
    assert rejects[0]["NIK"] == bad["nik"]
    assert rejects[0]["Catatan"] == "kolom lain diabaikan"
    assert "Jenis kelamin perempuan tidak cocok dengan NIK" in rejects[0]["alasan"]


def test_missing_required_column_refuses_the_file(ctx, office, tmp_path) -> None:
    file = tmp_path / "x.csv"
    file.write_text("nik,nama\n1704011405900001,A\n", encoding="utf-8")
    with pytest.raises(DomainError) as info:
        registry.import_residents(ctx, file, office=office)
    assert info.value.code == "registry_columns"
    assert "jenis_kelamin" in info.value.message
    assert count(ctx) == 0


def test_a_row_the_database_refuses_at_the_swap_writes_nothing(
    ctx, office, tmp_path, monkeypatch
) -> None:
    """A constraint the checks did not foresee: the swap fails as a whole, with the
    database's message, and the registry is as it was (before: the batch was retried row by
    row and the other rows stayed written)."""
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", [person(1)]), office=office)
    before = stored(ctx, person(1)["nik"])

    def refused(conn, stamp, **_):  # type: ignore[no-untyped-def]
        raise IntegrityError("swap", {}, Exception("simulated constraint"))

    monkeypatch.setattr(registry_repo, "swap_stage", refused)
    rows = [person(1, nama="Nama Baru"), *(person(i) for i in range(2, 6))]
    with pytest.raises(DomainError) as info:
        registry.import_residents(ctx, write_csv(tmp_path / "f.csv", rows), office=office)
    assert (info.value.code, info.value.field) == ("registry_refused", "file")
    assert "simulated constraint" in info.value.message
    assert count(ctx) == 1
    assert stored(ctx, person(1)["nik"]) == before


def test_show_masks_the_nik_unless_revealed(ctx, office, tmp_path) -> None:
    row = person(1)
    registry.import_residents(ctx, write_csv(tmp_path / "s.csv", [row]), office=office)
    masked = registry.show_resident(ctx, row["nik"], reveal=False)
    assert masked["nik"] == row["nik"][:4] + "********" + row["nik"][-4:]
    full = registry.show_resident(ctx, " ".join([row["nik"][:6], row["nik"][6:]]), reveal=True)
    assert full["nik"] == row["nik"]
    assert full["kecamatan"] == "Kinal"
    assert full["umur"] == 36
    with pytest.raises(NotFound) as info:
        registry.show_resident(ctx, build_nik("17.04.01", date(1990, 5, 14), "L", 77), reveal=False)
    assert "1704********0077" in info.value.message


def test_check_nik_returns_parts_or_the_broken_rule(ctx, office) -> None:
    ok = registry.check_nik(ctx, "1704015405900001")
    assert ok["valid"] is True
    assert ok["kecamatan"] == {"code": "17.04.01", "name": "Kinal"}
    assert ok["kabupaten_kota"]["name"] == "Kabupaten Kaur"
    assert (ok["tanggal_lahir"], ok["jenis_kelamin"]) == (date(1990, 5, 14), "P")
    assert ok["region_note"] is None
    # A kecamatan code no longer in the list: valid, with a note (codes are retired when
    # regions split; a NIK is for life).
    retired = registry.check_nik(ctx, "1704995405900001")
    assert retired["valid"] is True
    assert retired["kecamatan"] == {"code": "17.04.99", "name": None}
    assert retired["region_note"] is not None
    assert retired["region_note"].startswith(
        "Kode kecamatan 17.04.99 pada NIK tidak ada dalam daftar wilayah saat ini: NIK tetap sah"
    )
    bad = registry.check_nik(ctx, "9904017405900001")
    assert bad["valid"] is False
    assert bad["error"]["code"] == "nik_province_unknown"


def test_cli_nik_check_and_import_json(db_url, office, tmp_path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["--db", db_url, "nik", "check", "1704013205900006", "--json"])
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["error"]["code"] == "nik_birth_date"
    file = write_csv(tmp_path / "cli.csv", [person(1), person(2, jenis_kelamin="P")])
    out = runner.invoke(app, ["--db", db_url, "residents", "import", str(file), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert (summary["imported"], summary["rejected"]) == (1, 1)
    shown = runner.invoke(app, ["--db", db_url, "residents", "show", person(1)["nik"], "--json"])
    assert json.loads(shown.stdout)["nik"] == person(1)["nik"]


def test_generated_registry_passes_the_import_rules(ctx, office, tmp_path) -> None:
    file = tmp_path / "gen.csv"
    residents.write_registry_csv(file, 3000, today=ctx.today(), seed=11)
    result = registry.import_residents(ctx, file, office=office)
    assert result["rejected"] == 0, read_rejects(result["rejects_file"])[:3]
    assert result["imported"] == 3000
    # About 3 % movers, as generated.
    assert 40 <= result["nik_other_kecamatan"] <= 150


def test_demo_population_has_the_article_shape(ctx, office) -> None:
    counts = residents.populate(ctx, office=office, count=5000, seed=3)
    assert counts["residents"] == 5000 == count(ctx)
    share_wajib = counts["wajib_ktp"] / counts["residents"]
    assert 0.65 <= share_wajib <= 0.71  # the article: ~93,000 of ~136,000
    assert 0.94 <= counts["recorded"] / counts["wajib_ktp"] <= 0.965  # 95.2 %
    with ctx.read() as conn:
        villages = conn.execute(select(func.count(func.distinct(resident.c.kode_desa)))).scalar()
        dead_or_moved = conn.execute(
            select(func.count()).select_from(resident).where(resident.c.status != "HIDUP")
        ).scalar()
    assert villages >= 190
    assert 0 < dead_or_moved < 50


def test_a_bad_byte_mid_file_names_its_line_and_column_and_writes_nothing(
    ctx, office, tmp_path
) -> None:
    """Issue 19, finding 10: a byte that is not UTF-8 at a row after the first batches left
    those batches committed (5.000 rows for a byte at row ~8.900). Now the error names the
    line and the column, and nothing is written, nor a half rejects file left."""
    rows = [person(i) for i in range(1, 1501)] + [person(1501, nama="")]  # one row rejected
    file = write_csv(tmp_path / "latin.csv", rows)
    # Row 1400 (line 1401), well past the reader's first 64 KiB: Latin-1 u-umlaut.
    data = file.read_bytes().replace(b"Penduduk 1400,", b"Penduduk J\xfcrgen,")
    file.write_bytes(data)
    with pytest.raises(DomainError) as info:
        registry.import_residents(ctx, file, office=office, batch_size=500)
    assert (info.value.code, info.value.field) == ("registry_encoding", "file")
    assert "Baris 1.401, kolom nama: byte 0xFC" in info.value.message
    assert count(ctx) == 0
    assert not registry.default_rejects_path(file).exists()

    file.write_bytes(data.replace(b"J\xfcrgen", "J\u00fcrgen".encode()))
    again = registry.import_residents(ctx, file, office=office, batch_size=500)
    assert (again["imported"], again["rejected"]) == (1500, 1)
    assert stored(ctx, rows[1399]["nik"]).nama == "Penduduk J\u00fcrgen"


def test_a_cell_over_the_csv_limit_is_a_clear_error_and_writes_nothing(
    ctx, office, tmp_path
) -> None:
    """Issue 19, finding 10: a field over 131.072 characters ended in an uncaught
    traceback (csv.field_size_limit)."""
    rows = [person(1), person(2), person(3, nama="x" * 131_073), person(4)]
    file = write_csv(tmp_path / "long.csv", rows)
    with pytest.raises(DomainError) as info:
        registry.import_residents(ctx, file, office=office, batch_size=1)
    assert (info.value.code, info.value.field) == ("registry_unreadable", "file")
    assert info.value.message.startswith("Baris 4:")
    assert count(ctx) == 0


def test_long_cells_and_control_characters_are_rejected_per_row(ctx, office, tmp_path) -> None:
    """Issue 19, finding 6: a name with a control character was accepted, and then broke
    every export of the unrecorded residents. Now it goes to the rejects file (escaped there,
    the file stays readable), as does a cell over MAX_IMPORT_FIELD characters."""
    rows = [
        person(1),
        person(2, nama="Budi\x01Santoso"),
        person(3, nama='=HYPERLINK("http://x","klik")\x7f'),
        person(4, status_kawin="K" * (MAX_IMPORT_FIELD + 1)),
        person(5, nama="Ani\u0085Sari"),  # a C1 control (NEL)
    ]
    result = registry.import_residents(ctx, write_csv(tmp_path / "c.csv", rows), office=office)
    assert (result["imported"], result["rejected"]) == (1, 4)
    rejected = read_rejects(result["rejects_file"])
    assert [r["nik"] for r in rejected] == [r["nik"] for r in rows[1:]]
    assert rejected[0]["alasan"].startswith("Kolom nama berisi karakter kendali (U+0001)")
    assert rejected[0]["nama"] == "Budi\\x01Santoso"  # written as \x01, not the byte
    assert rejected[1]["nama"] == '\'=HYPERLINK("http://x","klik")\\x7f'  # not a formula
    assert rejected[2]["alasan"] == "Kolom status_kawin lebih dari 1.000 karakter (1.001)"
    assert "U+0085" in rejected[3]["alasan"]


def test_import_interrupted_while_staging_writes_nothing(
    ctx, office, tmp_path, monkeypatch
) -> None:
    """Before: a stop half-way kept the batches already committed. Now an interruption (here
    Ctrl-C while the second batch is staged; a killed process drops the temporary table
    with its connection) leaves the registry as it was, and the rerun completes."""
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", [person(1)]), office=office)
    rows = [person(i, nama=f"Baru {i}") for i in range(1, 8)]
    file = write_csv(tmp_path / "crash.csv", rows)
    real = registry_repo.stage_rows
    calls = {"n": 0}

    def interrupted(conn, staged_rows):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(conn, staged_rows)

    monkeypatch.setattr(registry_repo, "stage_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        registry.import_residents(ctx, file, office=office, batch_size=3)
    assert count(ctx) == 1
    assert stored(ctx, person(1)["nik"]).nama == "Penduduk 1"

    monkeypatch.setattr(registry_repo, "stage_rows", real)
    again = registry.import_residents(ctx, file, office=office, batch_size=3)
    assert (again["imported"], again["updated"], again["rejected"]) == (6, 1, 0)
    assert count(ctx) == 7


def test_staging_holds_no_write_lock(ctx, office, tmp_path, monkeypatch, db_url) -> None:
    """The rows are read and checked before the write lock is taken: while the import stages,
    another connection writes the very resident being imported, without waiting."""
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", [person(1)]), office=office)
    real = registry_repo.stage_rows
    wrote: list[bool] = []

    def write_elsewhere() -> None:
        other = create_engine(make_url(db_url).set(drivername=make_url(db_url).drivername))
        try:
            with other.connect() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout=200")
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.exec_driver_sql("BEGIN")
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                conn.execute(
                    resident.update()
                    .where(resident.c.nik == person(1)["nik"])
                    .values(tanggal_rekam=date(2013, 1, 1))
                )
                conn.exec_driver_sql("COMMIT")
            wrote.append(True)
        finally:
            other.dispose()

    def stage_and_write(conn, staged_rows):  # type: ignore[no-untyped-def]
        real(conn, staged_rows)
        if not wrote:
            write_elsewhere()

    monkeypatch.setattr(registry_repo, "stage_rows", stage_and_write)
    rows = [person(i) for i in range(1, 6)]
    result = registry.import_residents(
        ctx, write_csv(tmp_path / "b.csv", rows), office=office, batch_size=2
    )
    assert wrote == [True]
    assert (result["imported"], result["updated"]) == (4, 1)


def test_cli_import_of_an_unreadable_file_exits_2_naming_the_line(db_url, office, tmp_path) -> None:
    file = write_csv(tmp_path / "cli.csv", [person(1), person(2)])
    file.write_bytes(file.read_bytes().replace(b"Penduduk 2", b"Penduduk \xff"))
    # main() in this process (tests/blangko_main.py): the exit code and stderr it gives.
    out = run_blangko("--db", db_url, "residents", "import", str(file))
    assert out.returncode == 2, out.stdout + out.stderr
    said = " ".join(out.stderr.split())
    assert "Baris 3, kolom nama: byte 0xFF bukan UTF-8" in said
    assert "tidak ada yang disimpan" in said
