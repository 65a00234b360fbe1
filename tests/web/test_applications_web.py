"""Layanan (the counter) on SQLite and PostgreSQL: a resident found by NIK, an application
taken from new to collected through the pages and the API, masking for other roles."""

from __future__ import annotations

from web_helpers import add_resident, bearer, csrf_of, login, stock_station

from blangko.services import applications
from blangko.services.stock import queries


def _post(client, url: str, **data: str):  # type: ignore[no-untyped-def]
    page = client.get("/layanan")
    return client.post(url, data={"csrf": csrf_of(page.text), **data}, follow_redirects=False)


def test_counter_takes_an_application_from_new_to_collected(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=1)
    stock_station(ctx)
    login(client, "operator")
    found = client.get(f"/layanan?nik={nik}")
    assert found.status_code == 200
    assert "Penduduk Uji 1" in found.text and nik in found.text  # operator sees name and NIK
    r = _post(client, "/layanan/baru", nik=nik, type="pemula")
    assert r.status_code == 303
    receipt = r.headers["location"].rsplit("/", 1)[1]
    assert receipt.startswith("1704-20261127-") and len(receipt) == 23
    detail = client.get(r.headers["location"])
    assert f"Permohonan dicatat: {receipt}" in detail.text
    assert 'data-action="record"' in detail.text and 'data-action="collect"' not in detail.text
    for action, extra in [("record", {}), ("ready", {}), ("print", {"station": "loket-1"})]:
        r = _post(client, f"/layanan/permohonan/{receipt}/{action}", **extra)
        assert r.status_code == 303, r.text[:500]
    view = applications.show(ctx, receipt=receipt)
    assert view["status"] == "dicetak" and view["serial"] == "KR0000001"
    assert queries.balance(ctx)["on_hand"] == 99  # the print consumed one blank
    r = _post(client, f"/layanan/permohonan/{receipt}/collect")
    assert r.status_code == 303
    done = client.get(f"/layanan/permohonan/{receipt}")
    status = done.text.split('data-testid="app-status">', 1)[1].split("<", 1)[0]
    assert status == "diserahkan"
    # Only IKD activation is left for a collected card.
    assert 'data-action="ikd"' in done.text and 'data-action="collect"' not in done.text
    assert applications.show(ctx, receipt=receipt)["status"] == "diserahkan"


def test_missing_document_shows_the_form_with_the_field(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=2, printed=applications_date(), recorded=applications_date())
    login(client, "operator")
    r = _post(client, "/layanan/baru", nik=nik, type="hilang")
    assert r.status_code == 400
    assert 'data-field="laporan_polisi"' in r.text
    assert applications.list_(ctx) == []
    r = _post(client, "/layanan/baru", nik=nik, type="hilang", laporan_polisi="LP/9/XI/2026")
    assert r.status_code == 303
    # Already recorded: the application starts at direkam and goes to the queue once ready.
    receipt = r.headers["location"].rsplit("/", 1)[1]
    assert applications.show(ctx, receipt=receipt)["status"] == "direkam"


def applications_date():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2015, 3, 2)


def test_print_without_stock_at_the_station_is_refused_and_changes_nothing(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=3, recorded=applications_date())
    login(client, "operator")
    receipt = _post(client, "/layanan/baru", nik=nik, type="pemula").headers["location"]
    receipt = receipt.rsplit("/", 1)[1]
    assert _post(client, f"/layanan/permohonan/{receipt}/ready").status_code == 303
    r = _post(client, f"/layanan/permohonan/{receipt}/print", station="loket-1")
    assert r.status_code in (400, 409)
    assert 'class="error"' in r.text
    assert applications.show(ctx, receipt=receipt)["status"] == "siap_cetak"
    queue = client.get("/layanan")
    assert receipt in queue.text and 'data-testid="print-queue"' in queue.text


def test_api_flow_and_masking(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=4)
    stock_station(ctx)
    op = bearer(client, "operator")
    r = client.get(f"/api/v1/residents/{nik}", headers=op)
    assert r.status_code == 200 and r.json()["nik"] == nik and r.json()["nama"] == "Penduduk Uji 4"
    r = client.post(
        "/api/v1/applications",
        json={"nik": nik, "type": "pemula"},
        headers={**op, "Idempotency-Key": "k-new-1"},
    )
    assert r.status_code == 200, r.text
    receipt = r.json()["receipt"]
    again = client.post(
        "/api/v1/applications",
        json={"nik": nik, "type": "pemula"},
        headers={**op, "Idempotency-Key": "k-new-1"},
    )
    assert again.json()["replayed"] is True and again.json()["receipt"] == receipt
    for action, body in [("record", {}), ("ready", {}), ("print", {"station": "loket-1"})]:
        r = client.post(f"/api/v1/applications/{receipt}/{action}", json=body, headers=op)
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "dicetak"
    r = client.post(f"/api/v1/applications/{receipt}/misprint", json={}, headers=op)
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    r = client.post(f"/api/v1/applications/{receipt}/terbang", json={}, headers=op)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_action"
    r = client.post(
        f"/api/v1/applications/{receipt}/misprint", json={"reason": "cetak_gagal"}, headers=op
    )
    assert r.status_code in (200, 400), r.text
    queue = client.get("/api/v1/applications/queue", headers=op).json()
    if r.status_code == 200:
        assert [i["receipt"] for i in queue["items"]] == [receipt]
    # The auditor reads applications with the NIK masked; the resident look-up is refused.
    aud = bearer(client, "auditor")
    shown = client.get(f"/api/v1/applications/{receipt}", headers=aud).json()
    assert shown["nik"] != nik and "*" in shown["nik"]
    assert client.get(f"/api/v1/residents/{nik}", headers=aud).status_code == 403
    listed = client.get("/api/v1/applications?status=", headers=op).json()
    assert listed["total"] == 1 and listed["items"][0]["nik"] == nik
    # Writes are the operator's: the head may read but not act.
    kep = bearer(client, "kepala")
    r = client.post(f"/api/v1/applications/{receipt}/collect", json={}, headers=kep)
    assert r.status_code == 403


def test_kepala_sees_the_page_without_action_buttons(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=5)
    receipt = applications.new(ctx, nik=nik, type="pemula")["receipt"]
    login(client, "kepala")
    page = client.get("/layanan")
    assert page.status_code == 200 and nik in page.text
    assert 'action="/layanan/baru"' not in page.text
    detail = client.get(f"/layanan/permohonan/{receipt}")
    assert "Hanya operator loket yang mencatat tindakan." in detail.text
    login(client, "stok")
    assert client.get("/layanan").status_code == 403
