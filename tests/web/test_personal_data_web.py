"""Personal data on the web (issue 19, finding 8), on SQLite and PostgreSQL: document numbers
masked like NIKs for the roles that see masked NIKs, the read log written by the pages and the
API and shown to the administrator and the auditor, and the public look-up by receipt number
limited per client."""

from __future__ import annotations

from datetime import date

from web_helpers import SECRET, TestClient, add_resident, bearer, login

from blangko.services import applications
from blangko.settings import Settings
from blangko.web.app import create_app

KK = "1704010101260001"
POLICE = "LP/B/123/XI/2026"


def _applications(ctx) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A data change with a family card, a lost card with a police report; their resident."""
    printed = {"recorded": date(2015, 1, 1), "printed": date(2015, 2, 1)}
    nik = add_resident(ctx, serial=1, **printed)
    change = applications.new(ctx, nik=nik, type="perubahan_data", documents={"no_kk": KK})[
        "receipt"
    ]
    lost = applications.new(
        ctx,
        nik=add_resident(ctx, serial=2, **printed),
        type="hilang",
        documents={"laporan_polisi": POLICE},
    )["receipt"]
    return nik, change, lost


def test_the_auditor_sees_document_numbers_masked(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Before: the auditor read the full family card number of an application."""
    nik, change, lost = _applications(ctx)
    aud = bearer(client, "auditor")
    shown = client.get(f"/api/v1/applications/{change}", headers=aud).json()
    assert shown["documents"] == {"no_kk": "1704********0001"}
    assert shown["nik"] == nik[:4] + "********" + nik[-4:]
    listed = client.get("/api/v1/applications", headers=aud).text
    assert KK not in listed and POLICE not in listed and nik not in listed
    assert "**********2026" in client.get(f"/api/v1/applications/{lost}", headers=aud).text
    # The counter and the head still read them in full (their work needs them).
    op = bearer(client, "operator")
    full = client.get(f"/api/v1/applications/{change}", headers=op).json()
    assert full["documents"] == {"no_kk": KK}


def test_pages_and_api_write_the_read_log(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik, change, _lost = _applications(ctx)
    login(client, "operator")
    assert client.get(f"/layanan?nik={nik}").status_code == 200  # the resident and the lists
    assert client.get(f"/layanan/permohonan/{change}").status_code == 200
    op = bearer(client, "operator")
    assert client.get(f"/api/v1/residents/{nik}", headers=op).status_code == 200
    # The auditor's masked reads are not personal data: not logged.
    aud = bearer(client, "auditor")
    assert client.get(f"/api/v1/applications/{change}", headers=aud).status_code == 200

    log = client.get("/api/v1/read-log", headers=bearer(client, "admin")).json()
    assert log["office"] == "17.04"
    assert [(e["actor"], e["role"], e["action"]) for e in log["items"]] == [
        ("operator", "operator", "resident"),
        ("operator", "operator", "application"),
        ("operator", "operator", "counter"),
    ]
    counter = log["items"][-1]
    assert counter["nik"] == nik[:4] + "********" + nik[-4:] and counter["rows"] == 3
    assert nik not in str(log)
    by_nik = client.get("/api/v1/read-log", params={"nik": nik}, headers=aud).json()
    assert by_nik["total"] == 3
    assert (
        client.get("/api/v1/read-log", params={"user": "kepala"}, headers=aud).json()["total"] == 0
    )


def test_the_read_log_page_is_for_the_administrator_and_the_auditor(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik, change, _lost = _applications(ctx)
    login(client, "kepala")
    client.get(f"/layanan/permohonan/{change}")
    for who in ("admin", "auditor"):
        login(client, who)
        page = client.get("/log-akses")
        assert page.status_code == 200, who
        assert 'data-testid="readlog"' in page.text
        assert "kepala" in page.text and change in page.text and nik not in page.text
        assert nik[:4] + "********" + nik[-4:] in page.text
    for who in ("operator", "kepala", "stok"):
        login(client, who)
        assert client.get("/log-akses").status_code == 403, who
        assert client.get("/api/v1/read-log", headers=bearer(client, who)).status_code == 403


def test_public_look_ups_are_limited_per_client(ctx, staffed) -> None:  # type: ignore[no-untyped-def]
    """Before: no limit; with sequential receipts, anyone could walk through them."""
    nik = add_resident(ctx, serial=1)
    receipt = applications.new(ctx, nik=nik, type="pemula", documents={"no_kk": KK})["receipt"]
    app = create_app(ctx, settings=Settings(secret_key=SECRET, public_lookups_per_minute=3))
    with TestClient(app) as client:
        assert client.get(f"/api/v1/status/applications/{receipt}").status_code == 200
        assert client.get("/api/v1/status/applications/1704-20261127-9999").status_code == 404
        assert client.get(f"/status?resi={receipt}").status_code == 200
        refused = client.get(f"/api/v1/status/applications/{receipt}")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_lookups"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        page = client.get(f"/status?resi={receipt}")
        assert page.status_code == 429 and "Retry-After" in page.headers
        # The status page itself, without a look-up, is not counted.
        assert client.get("/status").status_code == 200
    with TestClient(app, client=("10.0.0.2", 40000)) as other:
        assert other.get(f"/api/v1/status/applications/{receipt}").status_code == 200


def test_a_mistyped_receipt_is_refused_without_a_look_up(client, ctx) -> None:  # type: ignore[no-untyped-def]
    receipt = applications.new(
        ctx, nik=add_resident(ctx, serial=1), type="pemula", documents={"no_kk": KK}
    )["receipt"]
    typo = receipt[:-1] + ("A" if receipt[-1] != "A" else "B")
    r = client.get(f"/api/v1/status/applications/{typo}")
    assert r.status_code == 400 and r.json()["error"]["code"] == "receipt_check"
    assert client.get(f"/api/v1/status/applications/{receipt.lower()}").status_code == 200
