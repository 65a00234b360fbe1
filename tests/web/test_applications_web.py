"""Layanan (the counter) on SQLite and PostgreSQL: a resident found by NIK, an application
taken from new to collected through the pages and the API, masking for other roles."""

from __future__ import annotations

from web_helpers import KK, add_resident, bearer, csrf_of, login, stock_station

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
    r = _post(client, "/layanan/baru", nik=nik, type="pemula", **KK)
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
    receipt = _post(client, "/layanan/baru", nik=nik, type="pemula", **KK).headers["location"]
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
        json={"nik": nik, "type": "pemula", "documents": KK},
        headers={**op, "Idempotency-Key": "k-new-1"},
    )
    assert r.status_code == 200, r.text
    receipt = r.json()["receipt"]
    again = client.post(
        "/api/v1/applications",
        json={"nik": nik, "type": "pemula", "documents": KK},
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
    receipt = applications.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    login(client, "kepala")
    page = client.get("/layanan")
    assert page.status_code == 200 and nik in page.text
    assert 'action="/layanan/baru"' not in page.text
    detail = client.get(f"/layanan/permohonan/{receipt}")
    assert "Hanya operator loket yang mencatat tindakan." in detail.text
    login(client, "stok")
    assert client.get("/layanan").status_code == 403


# --- the counter (issue 12, point 5) ------------------------------------------------------------


def _testid(html: str, testid: str) -> str:
    """The rest of the line of the element marked data-testid="<testid>" (each such element
    starts its own line in the templates, and its content does not wrap)."""
    return html.split(f'data-testid="{testid}"', 1)[1].split("\n", 1)[0]


def test_search_shows_the_open_application_and_the_next_step(client, ctx) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    prr = add_resident(ctx, serial=1, recorded=date(2020, 3, 3))
    holder = add_resident(ctx, serial=2, recorded=date(2020, 3, 3), printed=date(2021, 1, 4))
    login(client, "operator")
    page = client.get(f"/layanan?nik={prr}").text
    assert 'data-code="prr"' in page and "PRR" in _testid(page, "next-step")
    form = page.split('data-testid="new-application"', 1)[1].split("</form>", 1)[0]
    assert 'value="pemula"' in form and 'value="hilang"' not in form
    documents = page.split('data-testid="required-documents"', 1)[1].split("</table>", 1)[0]
    assert "Kartu Keluarga (nomor KK)" in documents
    # A first card without the family card: refused at the field, nothing written.
    r = _post(client, "/layanan/baru", nik=prr, type="pemula")
    assert r.status_code == 400 and 'data-field="no_kk"' in r.text
    assert applications.list_(ctx) == []
    r = _post(client, "/layanan/baru", nik=prr, type="pemula", **KK)
    receipt = r.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/layanan?nik={prr}").text
    link = f'<a href="/layanan/permohonan/{receipt}" data-testid="open-application">{receipt}</a>'
    assert link in page
    assert 'data-code="open_application"' in page and 'data-testid="new-application"' not in page
    # A second application is refused with the open one named, and the page links to it.
    r = _post(client, "/layanan/baru", nik=prr, type="pemula", **KK)
    assert r.status_code == 409 and receipt in r.text and link in r.text
    page = client.get(f"/layanan?nik={holder}").text
    form = page.split('data-testid="new-application"', 1)[1].split("</form>", 1)[0]
    assert 'value="pemula"' not in form
    assert all(f'value="{t}"' in form for t in ("hilang", "rusak", "perubahan_data"))


def test_a_malformed_nik_is_a_format_error_on_the_page_and_the_api(client, ctx) -> None:  # type: ignore[no-untyped-def]
    add_resident(ctx, serial=1)
    login(client, "operator")
    for typed, words in (("170401170590000", "16 digit"), ("17040117059O0001", "angka")):
        page = client.get("/layanan", params={"nik": typed})
        assert page.status_code == 400 and words in page.text
        assert "tidak ada di registri" not in page.text
    # Submitted anyway: refused once, the look-up and the refusal being the same error.
    r = _post(client, "/layanan/baru", nik="170401170590000", type="pemula", **KK)
    assert r.status_code == 400 and r.text.count("NIK harus 16 digit angka") == 1
    op = bearer(client, "operator")
    for path in ("/api/v1/residents/{}", "/api/v1/residents/{}/counter"):
        r = client.get(path.format("170401170590000"), headers=op)
        assert r.status_code == 400 and r.json()["error"]["code"] == "nik_length", path
        assert client.get(path.format("1704011705900099"), headers=op).status_code == 404
    r = client.post(
        "/api/v1/applications",
        json={"nik": "17040117059000", "type": "pemula", "documents": KK},
        headers=op,
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "nik"
    assert applications.list_(ctx) == []


def _printed(ctx) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from datetime import date

    stock_station(ctx)
    nik = add_resident(ctx, serial=1, recorded=date(2020, 3, 3))
    receipt = applications.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    applications.ready(ctx, receipt=receipt)
    applications.print_card(ctx, receipt=receipt, station="loket-1")
    return receipt, nik


def test_receipt_slip_and_handover_to_a_proxy_on_the_pages(client, ctx) -> None:  # type: ignore[no-untyped-def]
    receipt, nik = _printed(ctx)
    proxy = add_resident(ctx, serial=9)
    masked, proxy_masked = (n[:4] + "********" + n[-4:] for n in (nik, proxy))
    login(client, "operator")
    detail = client.get(f"/layanan/permohonan/{receipt}").text
    assert 'data-testid="slip-link"' in detail and 'data-testid="handover-slip-link"' not in detail
    slip = client.get(f"/layanan/permohonan/{receipt}/tanda-terima")
    assert slip.status_code == 200
    assert f">{receipt}</b>" in _testid(slip.text, "slip-receipt")
    assert masked in slip.text and nik not in slip.text  # a slip may be lost: NIK masked
    assert f"http://testserver/status?resi={receipt}" in _testid(slip.text, "slip-status")
    assert "Kartu Keluarga (nomor KK): 1704010101010001" in slip.text
    assert "PEMERINTAH KABUPATEN KAUR" in slip.text and "data-print" in slip.text
    assert client.get(f"/layanan/permohonan/{receipt}/tanda-terima-penyerahan").status_code == 409

    # A proxy without the power of attorney: refused at the field, the card not handed over.
    form = {"collector": "kuasa", "proxy_nik": proxy, "proxy_name": "Siti Aminah"}
    r = _post(client, f"/layanan/permohonan/{receipt}/collect", **form)
    assert r.status_code == 400 and 'data-field="power_of_attorney"' in r.text
    assert 'value="Siti Aminah"' in r.text  # the form keeps what was typed
    assert applications.show(ctx, receipt=receipt)["status"] == "dicetak"
    r = _post(
        client,
        f"/layanan/permohonan/{receipt}/collect",
        **form,
        power_of_attorney="Surat kuasa 26-11-2026",
    )
    assert r.status_code == 303
    detail = client.get(f"/layanan/permohonan/{receipt}").text
    handed = _testid(detail, "handover")
    assert "Siti Aminah" in handed and proxy in handed and "Surat kuasa 26-11-2026" in handed
    proof = client.get(f"/layanan/permohonan/{receipt}/tanda-terima-penyerahan").text
    assert f">{proxy_masked}</code>" in _testid(proof, "handover-proxy-nik")
    assert proxy not in proof
    assert "Siti Aminah" in proof and "KR0000001" in proof


def test_collect_by_the_applicant_ignores_proxy_fields_left_on_the_form(client, ctx) -> None:  # type: ignore[no-untyped-def]
    receipt, _ = _printed(ctx)
    login(client, "operator")
    r = _post(
        client,
        f"/layanan/permohonan/{receipt}/collect",
        collector="pemohon",
        proxy_nik="123",  # typed, then the clerk chose "pemohon sendiri"
    )
    assert r.status_code == 303
    shown = applications.show(ctx, receipt=receipt)
    assert shown["handover"] is not None and shown["handover"]["by"] == "pemohon"


def test_api_lookup_slips_and_collect_by_proxy(client, ctx) -> None:  # type: ignore[no-untyped-def]
    receipt, nik = _printed(ctx)
    proxy = add_resident(ctx, serial=9)
    op = bearer(client, "operator")
    found = client.get(f"/api/v1/residents/{nik}/counter", headers=op).json()
    assert found["open_application"]["receipt"] == receipt
    assert found["next_step"]["action"] == "collect"
    body = {"proxy_nik": proxy, "proxy_name": "Siti Aminah", "power_of_attorney": "SK/1"}
    r = client.post(f"/api/v1/applications/{receipt}/collect", json=body, headers=op)
    assert r.status_code == 200, r.text
    assert r.json()["handover"]["by"] == "kuasa"
    slip = client.get(f"/api/v1/applications/{receipt}/slip", headers=op).json()
    assert slip["name"] == "Penduduk Uji 1" and slip["nik"] != nik
    aud = bearer(client, "auditor")
    proof = client.get(f"/api/v1/applications/{receipt}/handover", headers=aud).json()
    assert proof["collected_by"] == "kuasa" and proof["proxy_name"] is None  # no names
    assert proof["proxy_nik"] == proxy[:4] + "********" + proxy[-4:]
    shown = client.get(f"/api/v1/applications/{receipt}", headers=aud).json()
    assert shown["handover"]["proxy_nik"] != proxy and shown["handover"]["proxy_name"] is None
