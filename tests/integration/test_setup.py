"""Schema, regions and offices on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from blangko.adapters.all_tables import metadata
from blangko.domain.errors import DomainError
from blangko.services.admin import setup


def test_migrated_schema_matches_table_definitions(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_init_twice_changes_nothing(ctx) -> None:
    first = setup.init(ctx, office="17.04")
    second = setup.init(ctx, office="17.04")
    assert first["office"]["created"] is True
    assert second == {
        "migrations_applied": [],
        "regions_loaded": 0,
        "office": {
            "code": "17.04",
            "name": "Dinas Dukcapil Kabupaten Kaur",
            "created": False,
            "villages": 195,
        },
        "home": "17.04",  # set by the first init, kept by the second
    }
    assert [loc["name"] for loc in setup.list_locations(ctx)] == ["gudang"]


def test_kaur_districts_and_villages(ctx, office) -> None:
    kec = setup.list_regions(ctx, under="17.04", level="kecamatan")
    assert len(kec) == 15
    assert {"code": "17.04.01", "name": "Kinal", "level": "kecamatan"} in kec
    desa = setup.list_regions(ctx, under="17.04", level="desa")
    assert len(desa) == 195
    assert sum(d["jenis"] == "desa" for d in desa) == 192
    assert sum(d["jenis"] == "kelurahan" for d in desa) == 3


def test_any_regency_becomes_an_office(ctx) -> None:
    city = setup.create_office(ctx, code="17.71")
    assert city["name"] == "Dinas Dukcapil Kota Bengkulu"
    assert city["villages"] > 0
    assert len(setup.list_regions(ctx, level="kabupaten")) == 514


@pytest.mark.parametrize("code", ["99.99", "17", "17.04.01", "abc"])
def test_unknown_regency_is_a_clear_error(ctx, code) -> None:
    with pytest.raises(DomainError) as err:
        setup.create_office(ctx, code=code)
    assert err.value.code == "unknown_regency" and err.value.field == "office"
    assert setup.list_offices(ctx) == []


def test_location_add_and_duplicates(ctx, office) -> None:
    with pytest.raises(DomainError) as err:
        setup.add_location(ctx, name="loket-1", kind="station")
    assert err.value.code == "location_exists"
    with pytest.raises(DomainError) as err:
        setup.add_location(ctx, name="loket 2", kind="station")
    assert err.value.field == "name"
    with pytest.raises(DomainError) as err:
        setup.add_location(ctx, name="loket-2", kind="kiosk")
    assert err.value.field == "kind"
    assert [x["name"] for x in setup.list_locations(ctx)] == ["gudang", "loket-1"]


def test_region_import_adds_and_renames(ctx, office, tmp_path) -> None:
    f = tmp_path / "wilayah.csv"
    f.write_text("kode,nama\n17.04.01,Kinal Baru\n17.04.01.2099,Desa Uji\n", encoding="utf-8")
    assert setup.import_regions(ctx, path=f) == {"rows": 2, "added": 1, "updated": 1}
    desa = {d["code"]: d["name"] for d in setup.list_regions(ctx, under="17.04.01", level="desa")}
    assert desa["17.04.01.2099"] == "Desa Uji"
    kec = {d["code"]: d["name"] for d in setup.list_regions(ctx, under="17.04", level="kecamatan")}
    assert kec["17.04.01"] == "Kinal Baru"


def test_region_import_rejects_bad_rows_and_writes_nothing(ctx, office, tmp_path) -> None:
    f = tmp_path / "wilayah.csv"
    f.write_text("kode,nama\n17.04.01.2098,Desa A\n17.4.1,Salah\n", encoding="utf-8")
    with pytest.raises(DomainError) as err:
        setup.import_regions(ctx, path=f)
    assert err.value.field == "kode" and "Baris 3" in err.value.message
    assert "17.04.01.2098" not in {d["code"] for d in setup.list_regions(ctx, under="17.04.01")}
