"""English on the pages and in the API (issue 18, point 3): domain messages, next steps and
stored history notes in the user's language, API errors by the session's language or by
Accept-Language, and date fields that show and take the app's format (dd-mm-yyyy)."""

from __future__ import annotations

from datetime import date

from web_helpers import KK, add_resident, bearer, csrf_of, login

from blangko.services import applications
from blangko.web.deps import accepted_language

MOVE_TO_ITSELF = {"from_location": "gudang", "to_location": "gudang", "qty": 1}


def test_api_errors_follow_accept_language_and_default_to_indonesian(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    said = client.post("/api/v1/stock/transfer", json=MOVE_TO_ITSELF, headers=h).json()
    assert said["error"]["message"] == "Lokasi asal dan tujuan tidak boleh sama."
    english = {**h, "Accept-Language": "en-US,en;q=0.9,id;q=0.8"}
    said = client.post("/api/v1/stock/transfer", json=MOVE_TO_ITSELF, headers=english).json()
    assert said["error"] == {
        "code": "same_location",
        "field": "to",
        "message": "The locations from and to cannot be the same.",
    }
    # A validation error of the framework, in the user's words and language.
    missing = client.post("/api/v1/stock/transfer", json={"qty": 1}, headers=english).json()
    assert missing["error"]["message"].endswith("is required."), missing


def test_accepted_language_takes_the_most_preferred_supported_one() -> None:
    assert accepted_language("") == "id"
    assert accepted_language("fr-FR,fr;q=0.9") == "id"
    assert accepted_language("fr,en;q=0.5,id;q=0.7") == "id"
    assert accepted_language("fr,en;q=0.8,id;q=0.7") == "en"
    assert accepted_language("en;q=0") == "id"


def test_pages_show_messages_next_steps_and_notes_in_english(client, ctx) -> None:  # type: ignore[no-untyped-def]
    newcomer = add_resident(ctx, serial=1)
    client.get("/bahasa/en")
    login(client, "operator")
    page = client.get(f"/layanan?nik={newcomer}").text
    assert "Not recorded: take a pemula application and record the biometrics." in page
    assert "Belum rekam" not in page
    csrf = csrf_of(page)
    r = client.post("/layanan/baru", data={"csrf": csrf, "nik": newcomer, "type": "pemula", **KK})
    assert r.status_code in (200, 303), r.text
    again = client.post(
        "/layanan/baru",
        data={"csrf": csrf, "nik": newcomer, "type": "pemula", **KK},
        follow_redirects=False,
    )
    assert again.status_code == 409 or again.status_code == 400, again.status_code
    assert "still has an open application" in again.text and "masih memiliki" not in again.text


def test_a_stored_history_note_reads_in_english(client, ctx) -> None:  # type: ignore[no-untyped-def]
    prr = add_resident(ctx, serial=3, recorded=date(2020, 1, 6))
    applications.new(ctx, nik=prr, type="pemula", documents=dict(KK))
    receipt = next(a["receipt"] for a in applications.list_(ctx, reveal=True) if a["nik"] == prr)
    login(client, "operator")
    indonesian = client.get(f"/layanan/permohonan/{receipt}").text
    assert "perekaman dilewati: sudah direkam 06-01-2020" in indonesian
    client.get("/bahasa/en")
    login(client, "operator")
    english = client.get(f"/layanan/permohonan/{receipt}").text
    assert "recording skipped: already recorded 06-01-2020" in english
    assert "perekaman dilewati" not in english


def test_date_fields_show_and_take_dd_mm_yyyy(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    page = client.get("/stok").text
    assert 'type="date"' not in page
    assert 'name="date" value="" inputmode="numeric"' in page and 'placeholder="hh-bb-tttt"' in page
    csrf = csrf_of(page)
    shipment = {"serials": "KR0200001-KR0200010", "source": "Ditjen", "document": "BA/1"}
    r = client.post(
        "/stok/terima",
        data={"csrf": csrf, **shipment, "date": "02-11-2026"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    ledger = client.get("/stok/ledger?from=2026-11-01&to=02-11-2026").text
    assert 'name="from" value="01-11-2026"' in ledger and 'name="to" value="02-11-2026"' in ledger
    assert "KR0200001" in ledger
    bad = client.post("/stok/terima", data={"csrf": csrf, **shipment, "date": "11/02/2026"})
    assert bad.status_code == 400 and "hh-bb-tttt" in bad.text and 'data-field="date"' in bad.text
    client.get("/bahasa/en")
    login(client, "stok")
    english = client.get("/stok").text
    assert 'placeholder="dd-mm-yyyy"' in english
