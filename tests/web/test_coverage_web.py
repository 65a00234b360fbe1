"""Cakupan on SQLite and PostgreSQL: coverage by kecamatan and desa with the chart, cohort,
projection, and the list of names only for roles that may see them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from web_helpers import add_resident, bearer, login, text_of_testid

from blangko.domain.access import ROLES, sees_personal_data
from blangko.domain.errors import DomainError
from blangko.formatting import tanggal
from blangko.services import registry
from blangko.services.coverage import areas


def _registry(ctx) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Four wajib-KTP residents in Kinal: three recorded, one not (75 %)."""
    niks = {}
    for i in range(1, 5):
        recorded = date(2020, 1, 6) if i < 4 else None
        niks[i] = add_resident(ctx, serial=i, recorded=recorded)
    return niks


def test_head_sees_coverage_chart_cohort_and_downloads_names(client, ctx) -> None:  # type: ignore[no-untyped-def]
    niks = _registry(ctx)
    login(client, "kepala")
    page = client.get("/cakupan")
    assert page.status_code == 200
    assert text_of_testid(page.text, "coverage-pct") == "75 %"
    assert "Kinal" in page.text and 'data-testid="cohort"' in page.text
    assert 'href="/cakupan/belum-rekam.xlsx"' in page.text
    svg = client.get("/grafik/cakupan.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Kinal" in svg.text and "99,2" in svg.text  # the area and the target line's label
    desa = client.get("/cakupan?by=desa&kec=17.04.01")
    assert (
        "Gedung Wani" in desa.text
        and "Tanjung Kemuning" not in desa.text.split("<tbody>")[1].split("</tbody>")[0]
    )
    r = client.get("/cakupan/belum-rekam.xlsx?kecamatan=17.04.01")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert rows[0][:2] == ("nama", "nik")
    assert [(row[0], row[1]) for row in rows[1:]] == [("Penduduk Uji 4", niks[4])]


def test_auditor_sees_figures_but_no_names(client, ctx) -> None:  # type: ignore[no-untyped-def]
    niks = _registry(ctx)
    login(client, "auditor")
    page = client.get("/cakupan")
    assert page.status_code == 200 and "belum-rekam.xlsx" not in page.text
    assert niks[4] not in page.text
    assert client.get("/cakupan/belum-rekam.xlsx").status_code == 403
    aud = bearer(client, "auditor")
    data = client.get("/api/v1/coverage?by=desa", headers=aud).json()
    assert data["wajib_ktp"] == 4 and data["recorded"] == 3 and data["coverage_pct"] == 75.0
    assert client.get("/api/v1/coverage/gaps", headers=aud).status_code == 403
    proj = client.get("/api/v1/coverage/projection", headers=aud)
    assert proj.status_code == 200 and proj.json()["gap_to_target"] == 1
    cohort = client.get("/api/v1/coverage/cohort?months=3", headers=aud).json()
    assert len(cohort["months"]) == 3
    bad = client.get("/api/v1/coverage?by=planet", headers=aud)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "by"


def test_operator_gets_the_list_by_api(client, ctx) -> None:  # type: ignore[no-untyped-def]
    niks = _registry(ctx)
    op = bearer(client, "operator")
    r = client.get("/api/v1/coverage/gaps?desa=17.04.01.2001", headers=op)
    assert r.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert [row[1] for row in rows[1:]] == [niks[4]]
    r = client.get("/api/v1/coverage/gaps?desa=17.04.01.2001&kecamatan=17.04.01", headers=op)
    assert r.status_code == 400 and r.json()["error"]["code"] == "gaps_area"


def test_the_service_asks_the_same_policy_as_the_web(ctx, office, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One rule for personal data: the coverage service refuses the list of names to every
    role the web refuses it to, the administrator included (e.g. `blangko coverage gaps`
    run as a web user)."""
    _registry(ctx)
    out = tmp_path / "g.csv"
    for role in ROLES:
        if sees_personal_data(role):
            assert areas.gaps(ctx, output=out, role=role)["rows"] == 1
            continue
        with pytest.raises(DomainError) as err:
            areas.gaps(ctx, output=out, role=role)
        assert err.value.code == "personal_data_forbidden", role
    assert {r for r in ROLES if sees_personal_data(r)} == {"kepala", "operator"}


def test_pages_show_the_registry_age_and_warn_when_it_is_old(client, ctx, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The date of the last registry import beside the figures it drives (coverage, the
    service page's backlog, the work list, the dashboard's backlog box), with the warning
    once it is older than 30 days (issue 12, point 2)."""
    login(client, "kepala")
    pages = ("/cakupan", "/layanan", "/layanan/prr", "/")
    for url in pages:
        assert text_of_testid(client.get(url).text, "registry-age").startswith(
            "Belum ada impor registri tercatat: impor ekspor SIAK terbaru"
        ), url
    file = tmp_path / "siak.csv"
    file.write_text(
        "nik,nama,jenis_kelamin,tanggal_lahir,status_kawin,kode_desa\n"
        "1704011405900001,Penduduk,L,1990-05-14,KAWIN,17.04.01.2001\n",
        encoding="utf-8",
    )
    registry.import_residents(ctx, file)
    day = tanggal(ctx.today())
    for url in pages:
        shown = text_of_testid(client.get(url).text, "registry-age")
        assert shown == f"Registri diimpor {day} (hari ini)", url
    clock.value += timedelta(days=31)
    login(client, "kepala")  # the session of a month ago has expired
    for url in pages:
        html = client.get(url).text
        assert 'class="registry-age warn"' in html, url
        assert text_of_testid(html, "registry-age") == (
            f"Registri diimpor {day} (31 hari lalu), lebih dari 30 hari: impor ekspor SIAK "
            "terbaru agar antrean cetak dan cakupan mengikuti registri pusat"
        ), url
    client.get("/bahasa/en?next=/")
    assert text_of_testid(client.get("/cakupan").text, "registry-age").endswith(
        "(31 days ago), more than 30 days: import the latest SIAK export so that the print "
        "backlog and coverage follow the central registry"
    )
