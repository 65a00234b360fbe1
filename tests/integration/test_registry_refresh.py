"""Registry refresh (issue 12, point 2): what a re-import changes, the record of each import,
the registry's age; and NIKs of retired region codes (point 4): imported with a warning, never
rejected. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from blangko.adapters.repos import derived as derived_repo
from blangko.adapters.repos import registry as registry_repo
from blangko.adapters.tables_derived import coverage_count
from blangko.adapters.tables_residents import registry_import, resident
from blangko.cli.main import app
from blangko.demo import residents
from blangko.domain.errors import DomainError
from blangko.domain.nik import build_nik
from blangko.services import forecast, registry
from blangko.services.admin import setup
from blangko.settings import Settings

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
KINAL_VILLAGE = "17.04.01.2001"
MERAUKE_VILLAGE = "93.01.01.1002"  # Samkai, Kecamatan Merauke, Kabupaten Merauke (93.01)


def person(
    serial: int,
    *,
    born: date = date(1990, 5, 14),
    nik_kec: str = "17.04.01",
    village: str = KINAL_VILLAGE,
    **overrides: str,
) -> dict[str, str]:
    row = {
        "nik": build_nik(nik_kec, born, "L", serial),
        "nama": f"Penduduk {serial}",
        "jenis_kelamin": "L",
        "tanggal_lahir": born.isoformat(),
        "status_kawin": "KAWIN",
        "kode_desa": village,
        "tanggal_rekam": "2012-03-01",
        "tanggal_cetak": "2012-04-02",
        "status": "HIDUP",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: str | None) -> list[dict[str, str]]:
    assert path is not None
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def import_rows(ctx, office) -> list:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return list(
            conn.execute(
                select(registry_import)
                .where(registry_import.c.office_code == office)
                .order_by(registry_import.c.id)
            )
        )


def count_residents(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return int(conn.execute(select(func.count()).select_from(resident)).scalar_one())


NOTHING = {
    "new_local": 0,
    "moved_in": 0,
    "returned": 0,
    "recorded": 0,
    "printed": 0,
    "died": 0,
    "moved_out": 0,
}


# --- point 2: what a re-import changes ----------------------------------------------------------


def test_a_second_import_of_an_edited_file_reports_what_changed(ctx, office, tmp_path) -> None:
    first = [
        person(1, tanggal_rekam="", tanggal_cetak=""),  # to be recorded
        person(2, tanggal_cetak=""),  # recorded, to be printed
        person(3),  # to die
        person(4),  # to move out
        person(5, status="PINDAH"),  # to come back
        person(6, nik_kec="17.04.02"),  # unchanged (moved within Kaur long ago)
        person(7, tanggal_rekam="", tanggal_cetak=""),  # recorded and printed in one week
    ]
    one = registry.import_residents(ctx, write_csv(tmp_path / "siak-1.csv", first), office=office)
    # A first import: everyone is new, issued in Kaur (17.04.01 and 17.04.02).
    assert one["changes"] == {**NOTHING, "new_local": 7}

    second = [dict(r) for r in first]
    second[0]["tanggal_rekam"] = "2026-11-20"
    second[1]["tanggal_cetak"] = "2026-11-21"
    second[2]["status"] = "MENINGGAL"
    second[3]["status"] = "PINDAH"
    second[4]["status"] = "HIDUP"
    second[6].update(tanggal_rekam="2026-11-20", tanggal_cetak="2026-11-25")
    second += [
        person(20, born=date(2008, 11, 1), tanggal_rekam="", tanggal_cetak=""),  # turned 17
        person(21, born=date(2008, 11, 2), tanggal_rekam="", tanggal_cetak=""),
        person(22, nik_kec="17.01.01"),  # moved in from Kabupaten Bengkulu Selatan
        person(23, nik_kec="31.71.01"),  # moved in from Jakarta
        person(24, nik_kec="31.71.01"),
    ]
    two = registry.import_residents(ctx, write_csv(tmp_path / "siak-2.csv", second), office=office)

    assert (two["imported"], two["updated"], two["rejected"]) == (5, 7, 0)
    assert two["changes"] == {
        "new_local": 2,
        "moved_in": 4,  # three NIKs from outside the regency and the one back from PINDAH
        "returned": 1,
        "recorded": 2,
        "printed": 2,
        "died": 1,
        "moved_out": 1,
    }
    # The same file again changes nothing.
    three = registry.import_residents(ctx, tmp_path / "siak-2.csv", office=office)
    assert three["changes"] == NOTHING
    assert (three["imported"], three["updated"]) == (0, 12)

    # Each import is recorded with its figures, in order.
    rows = import_rows(ctx, office)
    assert [r.file_name for r in rows] == ["siak-1.csv", "siak-2.csv", "siak-2.csv"]
    r = rows[1]
    assert (r.rows, r.imported, r.updated, r.rejected, r.warned) == (12, 5, 7, 0, 0)
    assert (r.new_local, r.moved_in, r.returned) == (2, 4, 1)
    assert (r.recorded, r.printed, r.died, r.moved_out) == (2, 2, 1, 1)
    assert r.actor == "petugas-uji"
    assert r.office_code == office

    history = registry.import_history(ctx, office=office, limit=2)
    assert [i["changes"] for i in history["imports"]] == [NOTHING, two["changes"]]
    assert history["imports"][1]["date"] == ctx.today()


def test_a_re_import_writes_only_the_rows_that_changed(ctx, office, clock, tmp_path) -> None:
    """A row restated as it is is not written again (its updated_at stays; no trigger runs:
    the coverage counts stay), a changed one is; each import bumps the registry's version
    once whatever it wrote, so the stored figures that read the registry's age follow it."""
    rows = [person(k, tanggal_cetak="") for k in range(1, 6)]
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", rows), office=office)

    def state() -> tuple[dict[str, object], int, list[tuple[object, ...]]]:
        with ctx.read() as conn:
            stamps = dict(conn.execute(select(resident.c.nik, resident.c.updated_at)).all())
            version = derived_repo.versions(conn, office).get("registry", 0)
            counts = conn.execute(
                select(coverage_count).order_by(*coverage_count.primary_key.columns)
            ).all()
        return stamps, version, [tuple(c) for c in counts]

    before, version, counts = state()
    clock.value += timedelta(hours=1)
    same = registry.import_residents(ctx, tmp_path / "a.csv", office=office)
    assert (same["imported"], same["updated"], same["changes"]) == (0, 5, NOTHING)
    after, version_after, counts_after = state()
    assert after == before and counts_after == counts
    assert version_after == version + 1  # the import itself, not one per row
    assert len(import_rows(ctx, office)) == 2

    clock.value += timedelta(hours=1)
    rows[2]["tanggal_cetak"] = "2026-11-20"
    rows[4]["kode_desa"] = "17.04.01.2002"
    edited = registry.import_residents(ctx, write_csv(tmp_path / "b.csv", rows), office=office)
    assert edited["changes"] == {**NOTHING, "printed": 1}
    moved, version_moved, counts_moved = state()
    changed = {nik for nik in moved if moved[nik] != after[nik]}
    assert changed == {rows[2]["nik"], rows[4]["nik"]}
    assert version_moved > version_after and counts_moved != counts_after
    with ctx.read() as conn:
        village = conn.execute(
            select(resident.c.kode_desa).where(resident.c.nik == rows[4]["nik"])
        ).scalar_one()
    assert village == "17.04.01.2002"


def test_a_resident_written_while_the_import_compared_is_compared_again(
    ctx, office, tmp_path, monkeypatch
) -> None:
    """The rows to write are found before the write lock (`mark_changed`); a resident
    written between that and the swap (here: a print recorded by the counter) makes the swap
    compare everything again under the lock, so the file's row still wins."""
    rows = [person(k, tanggal_cetak="") for k in range(1, 4)]
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", rows), office=office)
    real = registry_repo.mark_changed

    def then_a_print(conn) -> None:  # type: ignore[no-untyped-def]
        real(conn)
        with ctx.write_plain() as other:
            other.execute(
                resident.update()
                .where(resident.c.nik == rows[1]["nik"])
                .values(tanggal_cetak=date(2026, 11, 26))
            )

    monkeypatch.setattr(registry_repo, "mark_changed", then_a_print)
    rows[0]["tanggal_cetak"] = "2026-11-20"
    again = registry.import_residents(ctx, write_csv(tmp_path / "b.csv", rows), office=office)
    assert again["changes"] == {**NOTHING, "printed": 1}
    with ctx.read() as conn:
        printed = dict(conn.execute(select(resident.c.nik, resident.c.tanggal_cetak)).all())
    assert printed == {
        rows[0]["nik"]: date(2026, 11, 20),
        rows[1]["nik"]: None,
        rows[2]["nik"]: None,
    }


def test_rejected_and_duplicate_rows_count_in_the_record_but_change_nothing(
    ctx, office, tmp_path
) -> None:
    rows = [person(1), person(2, nama=""), {**person(1), "nama": "Salinan"}]
    result = registry.import_residents(ctx, write_csv(tmp_path / "r.csv", rows), office=office)
    assert (result["imported"], result["rejected"]) == (1, 2)
    assert result["changes"] == {**NOTHING, "new_local": 1}
    (r,) = import_rows(ctx, office)
    assert (r.rows, r.imported, r.rejected) == (3, 1, 2)


def test_a_failed_import_records_no_import_and_changes_nothing(
    ctx, office, tmp_path, monkeypatch
) -> None:
    registry.import_residents(ctx, write_csv(tmp_path / "a.csv", [person(1)]), office=office)
    assert len(import_rows(ctx, office)) == 1

    def refused(conn, stamp, **_):  # type: ignore[no-untyped-def]
        raise IntegrityError("swap", {}, Exception("simulated constraint"))

    monkeypatch.setattr(registry_repo, "swap_stage", refused)
    with pytest.raises(DomainError) as info:
        registry.import_residents(
            ctx, write_csv(tmp_path / "b.csv", [person(1), person(2)]), office=office
        )
    assert info.value.code == "registry_refused"
    assert len(import_rows(ctx, office)) == 1
    monkeypatch.undo()

    # The record of the import is part of the swap's transaction: when it cannot be
    # written, the swap is undone too.
    def no_record(conn, values):  # type: ignore[no-untyped-def]
        raise IntegrityError("record", {}, Exception("simulated record failure"))

    monkeypatch.setattr(registry_repo, "insert_import", no_record)
    rows = [person(1, nama="Nama Baru"), person(2), person(3, nik_kec="17.04.99")]
    file = write_csv(tmp_path / "c.csv", rows)
    with pytest.raises(DomainError) as info:
        registry.import_residents(ctx, file, office=office)
    assert "simulated record failure" in info.value.message
    assert count_residents(ctx) == 1
    assert registry.show_resident(ctx, person(1)["nik"], reveal=True)["nama"] == "Penduduk 1"
    assert len(import_rows(ctx, office)) == 1
    # Neither the warnings nor a rejects file of the failed run is left behind.
    assert not registry.default_warnings_path(file).exists()
    assert not registry.default_rejects_path(file).exists()


def test_an_unreadable_file_records_no_import(ctx, office, tmp_path) -> None:
    file = write_csv(tmp_path / "latin.csv", [person(1), person(2)])
    file.write_bytes(file.read_bytes().replace(b"Penduduk 2", b"Penduduk \xff"))
    with pytest.raises(DomainError):
        registry.import_residents(ctx, file, office=office)
    assert import_rows(ctx, office) == []
    assert registry.registry_age(ctx, office=office)["last_import"] is None


def test_registry_age_and_its_warning(ctx, office, clock, tmp_path) -> None:
    none = registry.registry_age(ctx, office=office)
    assert (none["last_import"], none["age_days"], none["stale"]) == (None, None, True)
    assert none["stale_after_days"] == 30
    assert none["message"].startswith("Belum ada impor registri yang tercatat")

    registry.import_residents(ctx, write_csv(tmp_path / "siak.csv", [person(1)]), office=office)
    fresh = registry.registry_age(ctx, office=office)
    assert (fresh["last_import"], fresh["age_days"], fresh["stale"]) == (ctx.today(), 0, False)
    assert fresh["file_name"] == "siak.csv"
    assert "hari ini" in fresh["message"]

    clock.value += timedelta(days=30)
    assert registry.registry_age(ctx, office=office)["stale"] is False  # 30 days: not older
    clock.value += timedelta(days=1)
    old = registry.registry_age(ctx, office=office)
    assert (old["age_days"], old["stale"]) == (31, True)
    day = old["last_import"]
    assert day is not None
    assert old["message"] == (
        f"Registri terakhir diimpor {day.day} November {day.year} (31 hari lalu), lebih dari "
        "30 hari: antrean cetak dan cakupan mungkin tidak lagi sesuai registri pusat; impor "
        "ekspor SIAK terbaru."
    )
    # The threshold is a setting; and the age as of an earlier day counts only the imports
    # made by then.
    ctx.settings = Settings(registry_stale_days=60)
    assert registry.registry_age(ctx, office=office)["stale"] is False
    before = registry.registry_age(ctx, office=office, on=day - timedelta(days=1))
    assert before["last_import"] is None


def test_a_file_whose_every_row_is_rejected_is_recorded_but_refreshes_nothing(
    ctx, office, clock, tmp_path
) -> None:
    registry.import_residents(ctx, write_csv(tmp_path / "ok.csv", [person(1)]), office=office)
    clock.value += timedelta(days=40)
    other = [person(2, village="17.01.01.2001")]  # another regency's export, by mistake
    result = registry.import_residents(ctx, write_csv(tmp_path / "salah.csv", other), office=office)
    assert (result["imported"], result["updated"], result["rejected"]) == (0, 0, 1)
    assert [r.file_name for r in import_rows(ctx, office)] == ["ok.csv", "salah.csv"]
    age = registry.registry_age(ctx, office=office)
    assert (age["file_name"], age["age_days"], age["stale"]) == ("ok.csv", 40, True)


def test_the_local_date_of_an_import_is_the_office_s(ctx, office, clock, tmp_path) -> None:
    """Imported at 18.30 UTC: already the next day in Jakarta (WIB, UTC+7)."""
    clock.value = clock.value.replace(hour=18, minute=30)
    registry.import_residents(ctx, write_csv(tmp_path / "late.csv", [person(1)]), office=office)
    age = registry.registry_age(ctx, office=office)
    assert age["last_import"] == clock.value.date() + timedelta(days=1) == ctx.today()
    assert age["age_days"] == 0


def test_forecast_warns_when_the_registry_it_follows_is_old(ctx, office, clock, tmp_path) -> None:
    rows = [person(i, tanggal_cetak="") for i in range(1, 40)]
    registry.import_residents(ctx, write_csv(tmp_path / "f.csv", rows), office=office)
    settings = forecast.ForecastSettings(paths=200)
    fresh = forecast.forecast(ctx, horizon=30, settings=settings)
    assert not any("Registri terakhir diimpor" in w for w in fresh["warnings"])
    clock.value += timedelta(days=45)
    old = forecast.forecast(ctx, horizon=30, settings=settings)
    age = registry.registry_age(ctx, office=office)
    assert age["stale"] is True
    assert age["message"] in old["warnings"]


def test_cli_summary_and_status(db_url, office, tmp_path, monkeypatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "200")
    rows = [person(i, nik_kec="17.04.01") for i in range(1, 1236)]
    rows.append(person(5000, nik_kec="17.04.99"))  # a retired kecamatan code
    file = write_csv(tmp_path / "besar.csv", rows)
    out = runner.invoke(
        app, ["--db", db_url, "--actor", "operator-a", "residents", "import", str(file)]
    )
    assert out.exit_code == 0, out.output
    said = " ".join(out.stdout.split())
    assert "1.236 baris" in said
    assert "1.236 baru, 0 diperbarui, 0 ditolak" in said
    assert (
        "Perubahan registri: 1.236 baru terbit di kabupaten ini, 0 pindah datang, 0 baru "
        "direkam, 0 baru dicetak, 0 meninggal, 0 pindah keluar." in said
    )
    assert "1 penduduk diimpor dengan peringatan" in said
    assert "besar-peringatan.csv" in said

    status = runner.invoke(app, ["--db", db_url, "residents", "status", "--json"])
    assert status.exit_code == 0, status.output
    got = json.loads(status.stdout)
    assert got["age"]["stale"] is False and got["age"]["age_days"] == 0
    (one,) = got["imports"]
    assert (one["file_name"], one["actor"], one["rows"], one["warned"]) == (
        "besar.csv",
        "operator-a",
        1236,
        1,
    )
    assert one["changes"]["new_local"] == 1236
    text = runner.invoke(app, ["--db", db_url, "residents", "status"])
    assert text.exit_code == 0, text.output
    shown = " ".join(text.stdout.split())
    assert "Registri terakhir diimpor" in shown and "besar.csv" in shown
    assert "1.236" in shown and "operator-a" in shown


def test_cli_status_without_any_import_says_so(db_url, office) -> None:
    out = CliRunner().invoke(app, ["--db", db_url, "residents", "status"])
    assert out.exit_code == 0, out.output
    assert "Belum ada impor registri yang tercatat" in " ".join(out.stdout.split())


def test_a_demo_load_is_recorded_as_an_import(ctx, office) -> None:
    counts = residents.populate(ctx, office=office, count=400, seed=5)
    record = registry.record_load(ctx, office=office, file_name="demo.csv")
    assert record["imported"] == record["rows"] == counts["residents"] == 400
    # About 3 % of the generated residents carry a NIK of another regency.
    assert record["changes"]["new_local"] + record["changes"]["moved_in"] == 400
    assert 0 < record["changes"]["moved_in"] < 40
    age = registry.registry_age(ctx, office=office)
    assert (age["last_import"], age["file_name"], age["stale"]) == (ctx.today(), "demo.csv", False)


# --- point 4: NIKs of retired region codes ------------------------------------------------------


@pytest.fixture
def merauke(ctx) -> str:  # type: ignore[no-untyped-def]
    """The office of Kabupaten Merauke, 93.01 in Papua Selatan since 2022 (91.01 before)."""
    setup.create_office(ctx, code="93.01")
    return "93.01"


def test_merauke_imports_its_residents_with_nik_9101(ctx, merauke, tmp_path) -> None:
    old_nik = person(1, nik_kec="91.01.01", village=MERAUKE_VILLAGE)  # registered before 2022
    new_nik = person(2, nik_kec="93.01.01", village=MERAUKE_VILLAGE)  # registered since
    never = person(3, nik_kec="99.01.01", village=MERAUKE_VILLAGE)  # no province 99, ever
    ten = person(4, nik_kec="10.01.01", village=MERAUKE_VILLAGE)  # nor 10
    copy = {**old_nik, "nama": "Baris kedua"}  # a duplicate: rejected, not warned
    rows = [old_nik, new_nik, never, ten, copy]
    file = write_csv(tmp_path / "merauke.csv", rows)
    result = registry.import_residents(ctx, file, office=merauke)

    assert (result["imported"], result["rejected"], result["warned"]) == (2, 3, 1)
    assert result["warnings_file"] == str(tmp_path / "merauke-peringatan.csv")
    warnings = read_csv(result["warnings_file"])
    assert warnings == [
        {
            **old_nik,
            "peringatan": "kode kabupaten/kota 91.01 pada NIK tidak ada dalam daftar wilayah "
            "saat ini",
        }
    ]
    rejects = {r["nama"]: r["alasan"] for r in read_csv(result["rejects_file"])}
    assert rejects[never["nama"]] == (
        "Kode provinsi 99 pada NIK bukan provinsi yang ada atau pernah ada"
    )
    assert rejects[ten["nama"]].startswith("Kode provinsi 10 pada NIK bukan provinsi")
    assert rejects["Baris kedua"].startswith("NIK ganda")
    shown = registry.show_resident(ctx, old_nik["nik"], reveal=True, office=merauke)
    assert (shown["kode_kecamatan"], shown["kecamatan_nik"]) == ("93.01.01", "91.01.01")
    assert shown["kecamatan_nik_nama"] is None  # the retired code has no name any more
    (r,) = import_rows(ctx, merauke)
    assert (r.warned, r.rejected) == (1, 3)

    checked = registry.check_nik(ctx, old_nik["nik"])
    assert checked["valid"] is True
    assert checked["provinsi"] == {"code": "91", "name": "Papua"}
    assert checked["kabupaten_kota"] == {"code": "91.01", "name": None}
    assert checked["region_note"] is not None
    assert checked["region_note"].startswith("Kode kabupaten/kota 91.01 pada NIK tidak ada")


def test_a_retired_kecamatan_code_is_imported_with_a_warning(ctx, office, tmp_path) -> None:
    rows = [person(1), person(2, nik_kec="17.04.99"), person(3, nik_kec="17.04.98")]
    result = registry.import_residents(
        ctx, write_csv(tmp_path / "kaur.csv", rows), office=office, warnings_path=tmp_path / "w.csv"
    )
    assert (result["imported"], result["rejected"], result["warned"]) == (3, 0, 2)
    assert result["warnings_file"] == str(tmp_path / "w.csv")
    reasons = [(w["nik"], w["peringatan"]) for w in read_csv(result["warnings_file"])]
    assert reasons == [
        (
            rows[1]["nik"],
            "kode kecamatan 17.04.99 pada NIK tidak ada dalam daftar wilayah saat ini",
        ),
        (
            rows[2]["nik"],
            "kode kecamatan 17.04.98 pada NIK tidak ada dalam daftar wilayah saat ini",
        ),
    ]
    # Issued in Kaur (17.04): another kecamatan, not outside the regency.
    assert (result["nik_other_kecamatan"], result["nik_outside_regency"]) == (2, 0)
    assert result["changes"]["new_local"] == 3
    assert result["rejects_file"] is None


def test_a_clean_import_leaves_no_warnings_file(ctx, office, tmp_path) -> None:
    file = write_csv(tmp_path / "bersih.csv", [person(1)])
    result = registry.import_residents(ctx, file, office=office)
    assert (result["warned"], result["warnings_file"]) == (0, None)
    assert not registry.default_warnings_path(file).exists()


def test_cli_nik_check_of_a_retired_code_is_valid_with_a_note(db_url, office, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    nik = build_nik("91.01.01", date(1990, 5, 14), "L", 1)
    out = CliRunner().invoke(app, ["--db", db_url, "nik", "check", nik])
    assert out.exit_code == 0, out.output
    said = " ".join(out.stdout.split())
    assert f"NIK {nik} sah." in said
    assert "Catatan: Kode kabupaten/kota 91.01 pada NIK tidak ada" in said
    bad = CliRunner().invoke(app, ["--db", db_url, "nik", "check", "9901011405900001"])
    assert bad.exit_code == 2
    assert "nik_province_unknown" in bad.stdout


def test_the_stale_threshold_is_a_setting(monkeypatch) -> None:
    monkeypatch.setenv("BLANGKO_REGISTRY_STALE_DAYS", "14")
    assert Settings().registry_stale_days == 14
