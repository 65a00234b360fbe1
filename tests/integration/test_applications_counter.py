"""The counter (issue 12, point 5) on SQLite and PostgreSQL: a resident's open application and
next step at look-up, the NIK's form checked before the registry, the documents each type
needs at this office, the receipt slip, and the handover to the applicant or a proxy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from service_helpers import KK, add_resident, resident_row, stock_station
from sqlalchemy import func, select

from blangko.adapters import tables_applications as ts
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services import applications as apps
from blangko.services import registry
from blangko.services.admin import office as office_settings
from blangko.services.admin import setup

RECORDED = date(2020, 3, 3)
PRINTED = date(2021, 1, 4)


def _rows(ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(ts.application)).scalar_one(),
            conn.execute(select(func.count()).select_from(ts.application_event)).scalar_one(),
        )


def _printed(ctx, serial: int = 1) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A first card printed at loket-1: (receipt, the applicant's NIK)."""
    stock_station(ctx)
    nik = add_resident(ctx, serial=serial, recorded=RECORDED)
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    apps.ready(ctx, receipt=receipt)
    apps.print_card(ctx, receipt=receipt, station="loket-1")
    return receipt, nik


# --- look-up: the open application and the next step --------------------------------------------


def test_lookup_shows_the_open_application_and_what_comes_next(ctx, office) -> None:
    prr = add_resident(ctx, serial=1, recorded=RECORDED)
    found = apps.lookup(ctx, nik=prr, reveal=True)
    assert found["open_application"] is None
    assert found["next_step"]["code"] == "prr" and found["next_step"]["types"] == ["pemula"]
    assert [d["type"] for d in found["documents"]] == ["pemula"]
    assert found["documents"][0]["documents"] == ["no_kk"]
    assert found["resident"]["nama"] == "Penduduk Uji 1"

    receipt = apps.new(ctx, nik=prr, type="pemula", documents=KK)["receipt"]
    apps.ready(ctx, receipt=receipt)
    found = apps.lookup(ctx, nik=prr)
    assert found["open_application"] is not None
    assert found["open_application"]["receipt"] == receipt
    assert found["open_application"]["nik"] != prr  # masked unless revealed
    step = found["next_step"]
    assert (step["code"], step["action"], step["types"]) == ("open_application", "print", [])
    assert receipt in step["message"] and "PRR: cetak" in step["message"]
    assert found["documents"] == []

    holder = add_resident(ctx, serial=2, recorded=RECORDED, printed=PRINTED)
    step = apps.lookup(ctx, nik=holder)["next_step"]
    assert step["code"] == "has_card" and step["types"] == ["hilang", "rusak", "perubahan_data"]
    fresh = add_resident(ctx, serial=3)
    assert apps.lookup(ctx, nik=fresh)["next_step"]["code"] == "not_recorded"
    child = add_resident(ctx, serial=4, birth=date(2012, 2, 1))
    step = apps.lookup(ctx, nik=child)["next_step"]
    assert step["code"] == "not_wajib_ktp" and "01-02-2029" in step["message"]
    dead = add_resident(ctx, serial=5, status="MENINGGAL")
    assert apps.lookup(ctx, nik=dead)["next_step"]["code"] == "not_alive"


def test_a_malformed_nik_is_a_format_error_not_absent_from_the_registry(ctx, office) -> None:
    add_resident(ctx, serial=1)
    before = _rows(ctx)
    for typed, code in (
        ("170401170590000", "nik_length"),  # 15 digits
        ("17040117059O0001", "nik_digits"),  # letter O
        ("abc", "nik_length"),
    ):
        for call, kwargs in (
            (apps.lookup, {"nik": typed}),
            (registry.show_resident, {"nik": typed, "reveal": False}),
            (apps.new, {"nik": typed, "type": "pemula", "documents": KK}),
        ):
            with pytest.raises(DomainError) as err:
                call(ctx, **kwargs)
            assert not isinstance(err.value, NotFound)
            assert (err.value.code, err.value.field) == (code, "nik")
            assert "registri" not in err.value.message
    # A well-formed NIK that is not in the registry is still "not found".
    with pytest.raises(NotFound):
        apps.lookup(ctx, nik="1704011705900099")
    assert _rows(ctx) == before


# --- documents per type, per office ---------------------------------------------------------------


def test_pemula_without_its_documents_is_refused_naming_the_document(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=nik, type="pemula")
    assert (err.value.code, err.value.field) == ("document_required", "no_kk")
    assert "Kartu Keluarga" in err.value.message
    assert _rows(ctx) == (0, 0)
    assert apps.new(ctx, nik=nik, type="pemula", documents=KK)["status"] == "diajukan"


def test_the_office_sets_the_documents_of_a_type(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    profile = office_settings.set_documents(
        ctx, type="pemula", documents=["no_kk", "akta_kelahiran"]
    )
    rule = {r["type"]: r for r in profile["documents"]}["pemula"]
    assert rule["office_set"] and rule["documents"] == ["no_kk", "akta_kelahiran"]
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=nik, type="pemula", documents=KK)
    assert err.value.field == "akta_kelahiran"
    assert _rows(ctx) == (0, 0)
    assert apps.lookup(ctx, nik=nik)["documents"][0]["documents"] == ["no_kk", "akta_kelahiran"]
    # Back to the default: the family card alone.
    profile = office_settings.reset_documents(ctx, type="pemula")
    assert not {r["type"]: r for r in profile["documents"]}["pemula"]["office_set"]
    assert apps.new(ctx, nik=nik, type="pemula", documents=KK)["status"] == "diajukan"
    # A rule with no document, or one the counter does not know, is refused; nothing changes.
    for docs in ([], ["ijazah"]):
        with pytest.raises(DomainError):
            office_settings.set_documents(ctx, type="hilang", documents=docs)
    assert not any(r["office_set"] for r in office_settings.show(ctx)["documents"])


def test_document_rules_are_per_office(ctx, office) -> None:
    setup.create_office(ctx, code="17.01")
    office_settings.set_documents(
        ctx, type="hilang", documents=["laporan_polisi", "no_kk"], office="17.01"
    )
    ours = {r["type"]: r for r in office_settings.show(ctx, office="17.04")["documents"]}
    assert ours["hilang"]["documents"] == ["laporan_polisi"] and not ours["hilang"]["office_set"]
    police = {"laporan_polisi": "LP/1"}
    ours_lost = add_resident(ctx, serial=1, recorded=RECORDED, printed=PRINTED)
    assert apps.new(ctx, nik=ours_lost, type="hilang", documents=police, office="17.04")
    theirs = add_resident(ctx, serial=2, recorded=RECORDED, printed=PRINTED, office="17.01")
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=theirs, type="hilang", documents=police, office="17.01")
    assert err.value.field == "no_kk"


# --- the receipt slip ----------------------------------------------------------------------------


def test_receipt_slip(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    receipt = apps.new(replace(ctx, actor="siti"), nik=nik, type="pemula", documents=KK)["receipt"]
    slip = apps.slip(ctx, receipt=receipt, reveal=True)
    assert slip["receipt"] == receipt and slip["nik"] == nik[:4] + "********" + nik[-4:]
    assert slip["name"] == "Penduduk Uji 1" and slip["officer"] == "siti"
    assert slip["type_label"] == "pemula (KTP pertama)" and slip["submitted_date"] == "2026-11-27"
    assert slip["documents"] == [
        {"key": "no_kk", "label": "Kartu Keluarga (nomor KK)", "value": "1704010101010001"}
    ]
    assert slip["status_path"] == f"/status?resi={receipt}" and slip["status_url"] is None
    assert slip["letterhead"][0] == "PEMERINTAH KABUPATEN KAUR" and slip["place"] == "Kaur"
    assert apps.slip(ctx, receipt=receipt)["name"] is None  # not revealed: no name
    office_settings.update(
        ctx, public_url="https://dukcapil.kaurkab.go.id/blangko/", seat="Bintuhan"
    )
    slip = apps.slip(ctx, receipt=receipt)
    assert slip["status_url"] == f"https://dukcapil.kaurkab.go.id/blangko/status?resi={receipt}"
    assert slip["place"] == "Bintuhan"


def test_slips_of_another_office_are_not_found(ctx, office) -> None:
    receipt, _ = _printed(ctx)
    apps.collect(ctx, receipt=receipt)
    setup.create_office(ctx, code="17.01")
    for fn in (apps.slip, apps.handover_slip, apps.show):
        with pytest.raises(NotFound):
            fn(ctx, receipt=receipt, office="17.01")


# --- handover: the applicant or a proxy ----------------------------------------------------------


def test_collected_by_the_applicant(ctx, office) -> None:
    receipt, nik = _printed(ctx)
    with pytest.raises(Conflict) as err:
        apps.handover_slip(ctx, receipt=receipt)
    assert err.value.code == "not_collected"
    done = apps.collect(ctx, receipt=receipt)
    assert done["handover"] == {
        "by": "pemohon",
        "by_label": "pemohon sendiri",
        "proxy_nik": None,
        "proxy_name": None,
        "power_of_attorney": None,
    }
    proof = apps.handover_slip(ctx, receipt=receipt, reveal=True)
    assert (proof["collected_by"], proof["name"], proof["serial"]) == (
        "pemohon",
        "Penduduk Uji 1",
        "KR0000001",
    )
    assert apps.show(ctx, receipt=receipt)["events"][-1]["note"] == "diterima pemohon sendiri"


def test_collected_by_a_proxy_with_a_power_of_attorney(ctx, office) -> None:
    receipt, nik = _printed(ctx)
    proxy = add_resident(ctx, serial=9, sex="P", birth=date(1985, 3, 12))
    done = apps.collect(
        ctx,
        receipt=receipt,
        proxy_nik=proxy,
        proxy_name="Siti Aminah",
        power_of_attorney="Surat kuasa 25-11-2026",
    )
    masked = proxy[:4] + "********" + proxy[-4:]
    assert done["status"] == "diserahkan"
    assert done["handover"] == {
        "by": "kuasa",
        "by_label": "kuasa (dengan surat kuasa)",
        "proxy_nik": masked,
        "proxy_name": None,  # a name only for roles that see personal data
        "power_of_attorney": "Surat kuasa 25-11-2026",
    }
    shown = apps.show(ctx, receipt=receipt, reveal=True)
    assert shown["handover"] is not None
    assert (shown["handover"]["proxy_nik"], shown["handover"]["proxy_name"]) == (
        proxy,
        "Siti Aminah",
    )
    note = shown["events"][-1]["note"]
    assert note is not None and "Siti Aminah" in note and masked in note and proxy not in note
    proof = apps.handover_slip(ctx, receipt=receipt, reveal=True)
    assert (proof["collected_by"], proof["proxy_nik"], proof["proxy_name"]) == (
        "kuasa",
        masked,
        "Siti Aminah",
    )
    assert proof["power_of_attorney"] == "Surat kuasa 25-11-2026"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"proxy_nik": "17040152038500"}, "proxy_nik", "nik_length"),
        ({"proxy_name": "Siti"}, "proxy_nik", "required"),
        ({"proxy_nik": "1704015203850009", "proxy_name": "Siti"}, "power_of_attorney", "required"),
        (
            {"proxy_nik": "DEAD", "proxy_name": "Siti", "power_of_attorney": "SK"},
            "proxy_nik",
            "proxy_not_alive",
        ),  # fmt: skip
        (
            {"proxy_nik": "CHILD", "proxy_name": "Ani", "power_of_attorney": "SK"},
            "proxy_nik",
            "proxy_minor",
        ),  # fmt: skip
        (
            {"proxy_nik": "SELF", "proxy_name": "Budi", "power_of_attorney": "SK"},
            "proxy_nik",
            "proxy_is_applicant",
        ),  # fmt: skip
    ],
)
def test_a_bad_proxy_is_refused_and_nothing_is_written(ctx, office, fields, field, code) -> None:
    receipt, nik = _printed(ctx)
    named = {
        "DEAD": add_resident(ctx, serial=7, status="MENINGGAL"),
        "CHILD": add_resident(ctx, serial=8, birth=date(2015, 6, 1)),
        "SELF": nik,
    }
    if fields.get("proxy_nik") in named:
        fields = {**fields, "proxy_nik": named[fields["proxy_nik"]]}
    before = _rows(ctx)
    with pytest.raises(DomainError) as err:
        apps.collect(ctx, receipt=receipt, **fields)
    assert (err.value.field, err.value.code) == (field, code)
    assert _rows(ctx) == before
    assert apps.show(ctx, receipt=receipt)["status"] == "dicetak"
    assert resident_row(ctx, nik).tanggal_cetak == date(2026, 11, 27)
