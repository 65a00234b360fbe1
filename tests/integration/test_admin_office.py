"""An office's own settings (issue 12, point 6) on SQLite and PostgreSQL: address, regency
seat, the head's name and NIP, set by the service and the command line, and printed by every
report that has a letterhead or the head's signature."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from service_helpers import add_resident
from typer.testing import CliRunner

from blangko.adapters.reports import render_bytes
from blangko.cli.main import app
from blangko.domain.errors import DomainError
from blangko.services import handed_in, reports
from blangko.services.admin import office as office_settings
from blangko.services.admin import setup
from blangko.services.admin.office import ADDRESS_PLACEHOLDER
from blangko.services.items import writes as iw
from blangko.services.stock import counts, writes

KAUR = {
    "address": "Jl. Raya Padang Guci No. 1, Bintuhan",
    "seat": "Bintuhan",
    "head_name": "Drs. Hendra Saputra, M.Si.",
    "head_nip": "197403121999041004",
}


def test_settings_are_set_checked_and_cleared(ctx, office) -> None:
    empty = office_settings.show(ctx)
    assert (empty["address"], empty["seat"], empty["head_nip"], empty["updated_by"]) == (
        None,
        None,
        None,
        None,
    )
    with pytest.raises(DomainError) as err:
        office_settings.update(ctx, **{**KAUR, "head_nip": "19740312199904100"})  # 17 digits
    assert (err.value.code, err.value.field) == ("nip_format", "head_nip")
    assert office_settings.show(ctx) == empty  # nothing written, not even the address
    done = office_settings.update(ctx, **{**KAUR, "head_nip": "19740312 199904 1 004"})
    assert {k: done[k] for k in KAUR} == KAUR and done["updated_by"] == ctx.actor
    # None leaves a setting as it is; an empty text clears it.
    done = office_settings.update(ctx, seat="", head_name=None)
    assert done["seat"] is None and done["head_name"] == KAUR["head_name"]


def test_settings_are_per_office(ctx, office) -> None:
    setup.create_office(ctx, code="17.01")
    office_settings.update(ctx, office="17.01", seat="Manna")
    assert office_settings.show(ctx, office="17.04")["seat"] is None
    assert office_settings.show(ctx, office="17.01")["seat"] == "Manna"


def _story(ctx) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """October: opening, a shipment, prints and a spoiled card; a count of the store."""
    writes.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    received = writes.receive_shipment(
        ctx,
        serials="KR0100001-KR0100200",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/2026/01",
        effective=date(2026, 10, 15),
    )
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=20, effective=date(2026, 10, 16)
    )
    writes.consume(ctx, service="pemula", qty=5, location="loket-1", effective=date(2026, 10, 20))
    writes.spoil(ctx, serial="KR0001090", reason="salah_cetak", effective=date(2026, 10, 22))
    niks = [
        add_resident(ctx, serial=i, recorded=date(2020, 1, 6) if i % 2 else None)
        for i in range(1, 6)
    ]
    # A ribbon received in October (the item reports and the purchase request).
    iw.add_item(
        ctx, code="pita-warna", name="Pita warna YMCKO", role="ribbon", unit="roll",
        yield_prints=500,
    )  # fmt: skip
    iw.receive(
        ctx, item="pita-warna", lot="A", quantity=4, document="BAST/P/1",
        effective=date(2026, 10, 6),
    )  # fmt: skip
    count = counts.record_count(ctx, location="gudang", counted=279)
    card = handed_in.receive_card(ctx, nik=niks[0], reason="pindah", received_on=date(2026, 10, 5))
    burnt = handed_in.destroy_cards(
        ctx, cards=[card["card"]["id"]], witnesses=["Saksi Satu", "Saksi Dua"], place="Kantor"
    )
    return {
        "seq": received["entries"][0]["seq"],
        "count_id": count["count_id"],
        "destruction_id": burnt["destruction"]["id"],
    }


PARAMS = {
    "usage": lambda s: {"month": "2026-10"},
    "count": lambda s: {"count_id": s["count_id"]},
    "receipt": lambda s: {"seq": s["seq"]},
    "destruction": lambda s: {"month": "2026-10"},
    "coverage": lambda s: {},
    "request": lambda s: {"as_of": date(2026, 11, 27), "quantity": 500, "reason": "Pilkades"},
    "backlog": lambda s: {"as_of": date(2026, 11, 27)},
    "handed_in_destruction": lambda s: {"destruction_id": s["destruction_id"]},
    "handed_in_recap": lambda s: {"month": "2026-10"},
    "item_usage": lambda s: {"month": "2026-10", "item": "pita-warna"},
    "item_count": lambda s: {"item": "pita-warna", "as_of": date(2026, 10, 31)},
    "purchase": lambda s: {"as_of": date(2026, 11, 27)},
}


def test_every_report_prints_the_office_settings(ctx, office) -> None:
    story = _story(ctx)
    assert set(PARAMS) == set(reports.REPORTS), "a new report needs its case here"
    before = {name: reports.build(ctx, name, PARAMS[name](story)) for name in PARAMS}
    for r in before.values():
        assert ADDRESS_PLACEHOLDER in r.header_lines and r.place == "Kaur"
    office_settings.update(ctx, **KAUR)
    for name, make in PARAMS.items():
        # The installation's BLANGKO_OFFICE_ADDRESS stands in only while the office has none.
        r = reports.build(ctx, name, {**make(story), "address": "Alamat instalasi"})
        assert r.header_lines[-1] == KAUR["address"], name
        assert r.place == "Bintuhan", name
        heads = [s for s in r.signatures if s.role.startswith("Kepala Dinas")]
        # The handover is signed by the two parties only, the work list by the clerk.
        if name not in ("receipt", "backlog"):
            assert [(s.name, s.position) for s in heads] == [
                (KAUR["head_name"], f"NIP {KAUR['head_nip']}")
            ], name
        if name in ("usage", "request"):
            # And the file says so: letterhead, place of signature, the head and the NIP.
            pdf = PdfReader(io.BytesIO(render_bytes(r, "pdf")))
            text = " ".join(" ".join((pg.extract_text() or "").split()) for pg in pdf.pages)
            for words in (KAUR["address"], "Bintuhan, ", KAUR["head_name"], KAUR["head_nip"]):
                assert words in text, (name, words)


def test_cli_office_set_show_and_documents(db_url: str, ctx, office, tmp_path: Path) -> None:
    run = CliRunner()

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return run.invoke(app, ["--db", db_url, "--actor", "admin", *args])

    done = cli(
        "office", "set", "--address", KAUR["address"], "--seat", "Bintuhan",
        "--head-name", KAUR["head_name"], "--head-nip", KAUR["head_nip"], "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = json.loads(cli("office", "show", "--json").stdout)
    assert {k: shown[k] for k in KAUR} == KAUR and shown["updated_by"] == "admin"
    bad = cli("office", "set", "--head-nip", "1974031219990410XX")
    assert bad.exit_code != 0 and office_settings.show(ctx)["head_nip"] == KAUR["head_nip"]
    set_docs = cli(
        "office", "documents", "pemula", "--doc", "no_kk", "--doc", "akta_kelahiran", "--json"
    )
    assert set_docs.exit_code == 0, set_docs.output
    rule = {r["type"]: r for r in json.loads(set_docs.stdout)["documents"]}["pemula"]
    assert rule["documents"] == ["no_kk", "akta_kelahiran"] and rule["office_set"]
    listed = cli("office", "show")
    assert "Bintuhan" in listed.stdout and "akta kelahiran" in listed.stdout
    reset = json.loads(cli("office", "documents", "pemula", "--default", "--json").stdout)
    assert not {r["type"]: r for r in reset["documents"]}["pemula"]["office_set"]
