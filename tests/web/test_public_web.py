"""The public status page and API: no log-in, no figures, no names; an application's
progress by its receipt number."""

from __future__ import annotations

from web_helpers import KK, bearer

from blangko.services.stock import writes

SHIPMENT = {"serials": "KR0100001-KR0105200", "source": "Ditjen Dukcapil", "document": "BA-77"}


def test_public_page_without_login(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0105200", source="Ditjen", document="BA-1")
    r = client.get("/status")
    assert r.status_code == 200
    assert "Buka" in r.text and "Aman" in r.text
    assert "5.200" not in r.text and "5200" not in r.text


def test_public_status_has_no_figures(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    s = client.get("/api/v1/status").json()
    assert s["stock_level"] == "aman"
    assert {x["service"] for x in s["services"]} == {"perekaman", "pencetakan"}
    assert "5200" not in str(s) and "on_hand" not in s
    # FIXED_NOW is Friday 27 November 2026 (WIB), a working day: both services open.
    assert all(x["open"] for x in s["services"]) and s["printing"] is True


def _resident(ctx) -> str:  # type: ignore[no-untyped-def]
    from datetime import date

    from blangko.adapters import tables_residents as tr
    from blangko.domain.nik import build_nik

    nik = build_nik("17.04.01", date(2009, 5, 17), "P", 7)
    with ctx.write_plain() as conn:
        conn.execute(
            tr.resident.insert().values(
                nik=nik,
                office_code="17.04",
                nama="Rahasia Penduduk",
                jenis_kelamin="P",
                tanggal_lahir=date(2009, 5, 17),
                status_kawin="BELUM KAWIN",
                kode_desa="17.04.01.2001",
                kode_kecamatan="17.04.01",
                status="HIDUP",
                updated_at=ctx.now(),
            )
        )
    return nik


def test_public_application_status_by_receipt(client, ctx) -> None:  # type: ignore[no-untyped-def]
    from blangko.services import applications

    nik = _resident(ctx)
    receipt = applications.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    page = client.get(f"/status?resi={receipt}")
    assert page.status_code == 200
    assert receipt in page.text and "diajukan" in page.text
    # Never the NIK (not even masked), nor the name.
    assert nik not in page.text and nik[-4:] + "<" not in page.text
    assert "Rahasia Penduduk" not in page.text
    api = client.get(f"/api/v1/status/applications/{receipt}").json()
    assert api["status"] == "diajukan" and "nik" not in api and "serial" not in api
    assert client.get("/status?resi=1704-20261127-9999").status_code == 404
    bad = client.get("/api/v1/status/applications/bukan-resi")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "receipt_format"
