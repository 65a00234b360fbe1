"""The server-rendered pages on SQLite and PostgreSQL: log-in, CSRF, forms, locale."""

from __future__ import annotations

import re

from web_helpers import csrf_of, login

from blangko.services.stock import counts, queries, writes
from blangko.web.security import SESSION_COOKIE


def test_login_sets_a_safe_cookie_and_lands_on_the_dashboard(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    r = login(client, "stok")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "Dasbor" in page.text
    # The stock keeper's menu has Stok but neither Audit nor Pengguna.
    nav = re.search(r'<nav class="main".*?</nav>', page.text, re.S).group(0)
    assert 'href="/stok"' in nav and 'href="/audit"' not in nav and 'href="/pengguna"' not in nav


def test_wrong_password_shows_the_form_again(client) -> None:  # type: ignore[no-untyped-def]
    r = login(client, "stok", "salah-sandi")
    assert r.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in r.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_post_without_csrf_is_refused_and_writes_nothing(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    r = client.post(
        "/stok/terima",
        data={"serials": "KR0100001-KR0100010", "source": "Ditjen", "document": "BA-1"},
    )
    assert r.status_code == 403
    assert queries.balance(ctx)["on_hand"] == 0


def test_receive_form_then_dashboard_in_id_locale(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    form = client.get("/stok")
    r = client.post(
        "/stok/terima",
        data={
            "csrf": csrf_of(form.text),
            "serials": "KR0100001-KR0105200",
            "source": "Ditjen Dukcapil",
            "document": "BA-77",
            "to": "gudang",
            "idem": "form-1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = client.get(r.headers["location"])
    assert "Diterima: 5.200 keping" in after.text
    dash = client.get("/")
    assert '<b data-testid="on-hand">5.200</b>' in dash.text
    assert "27 November 2026" in dash.text
    # A second submit of the same form (same idempotency key) is not booked twice.
    client.post(
        "/stok/terima",
        data={
            "csrf": csrf_of(form.text),
            "serials": "KR0100001-KR0105200",
            "source": "Ditjen Dukcapil",
            "document": "BA-77",
            "to": "gudang",
            "idem": "form-1",
        },
    )
    assert queries.balance(ctx)["on_hand"] == 5200


def test_form_error_keeps_values_and_names_the_field(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    form = client.get("/stok")
    r = client.post(
        "/stok/pindah",
        data={
            "csrf": csrf_of(form.text),
            "from_location": "gudang",
            "to_location": "loket-1",
            "qty": "50",
            "serials": "",
        },
    )
    assert r.status_code == 400
    assert 'data-field="qty"' in r.text and "tidak cukup" in r.text
    assert 'value="50"' in r.text


def test_count_with_scanned_serials_shows_the_variance(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100020", source="Ditjen", document="BA-1")
    login(client, "stok")
    page = client.get("/stok?tab=opname")
    r = client.post(
        "/stok/opname",
        data={
            "csrf": csrf_of(page.text),
            "location": "gudang",
            "scanned": "KR0100001-KR0100018\nKR0100018\nKR0100500",
        },
    )
    assert r.status_code == 200
    assert '<b data-testid="variance">-1</b>' in r.text
    assert "KR0100019-KR0100020" in r.text and "KR0100500" in r.text
    assert counts.list_counts(ctx, status="open")[0]["variance"] == -1
    # The dashboard shows the open variance too.
    assert '<b data-testid="open-variance">-1</b>' in client.get("/").text


def test_head_posts_a_variance_from_the_page(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100005", source="Ditjen", document="BA-1")
    from blangko.services.stock.counts import parse_scanned

    scanned, _ = parse_scanned(["KR0100001-KR0100004"])
    c = counts.record_count(ctx, location="gudang", scanned=scanned)
    login(client, "kepala")
    page = client.get("/stok")
    assert f"/stok/opname/{c['count_id']}/posting" in page.text
    r = client.post(
        f"/stok/opname/{c['count_id']}/posting",
        data={"csrf": csrf_of(page.text), "reason": "kartu rusak dibuang"},
    )
    assert r.status_code == 200 and "diposting" in r.text
    assert counts.list_counts(ctx, status="open") == []


def test_ledger_trace_and_audit_for_the_auditor(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100010", source="Ditjen", document="BA-9")
    writes.consume(ctx, service="pemula", qty=1)
    login(client, "auditor")
    ledger = client.get("/stok/ledger?kind=consume")
    assert ledger.status_code == 200 and "Pemakaian" in ledger.text and "BA-9" not in ledger.text
    trace = client.get("/stok/lacak?serial=KR0100001")
    assert '<b data-testid="trace-state">terpakai</b>' in trace.text
    assert client.get("/stok/lacak?serial=KR0999999").status_code == 404
    audit = client.get("/audit")
    v = client.post("/audit/verifikasi", data={"csrf": csrf_of(audit.text)})
    assert v.status_code == 200 and "Utuh" in v.text and "2 entri" in v.text
    # Read-only: the auditor has no stock forms.
    assert client.get("/stok").status_code == 403


def test_english_switch_translates_and_formats(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0105200", source="Ditjen", document="BA-1")
    login(client, "kepala")
    client.get("/bahasa/en?next=/")
    page = client.get("/")
    assert "Dashboard" in page.text and "Stock on hand" in page.text
    assert '<b data-testid="on-hand">5,200</b>' in page.text
    assert "November 27, 2026" in page.text
    client.get("/bahasa/id?next=/")
    assert "Stok di tangan" in client.get("/").text


def test_charts_are_svg(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100100", source="Ditjen", document="BA-1")
    writes.consume(ctx, service="pemula", qty=3)
    login(client, "operator")
    for url in ("/grafik/stok.svg", "/grafik/pemakaian.svg"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.lstrip().startswith("<?xml") and "<svg" in r.text
    assert "+100" in client.get("/grafik/stok.svg").text  # the receipt is marked
    assert "Pemula" in client.get("/grafik/pemakaian.svg").text


def test_public_page_without_login(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0105200", source="Ditjen", document="BA-1")
    r = client.get("/status")
    assert r.status_code == 200
    assert "Buka" in r.text and "Aman" in r.text
    assert "5.200" not in r.text and "5200" not in r.text


def test_admin_adds_and_changes_a_user(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    page = client.get("/pengguna")
    r = client.post(
        "/pengguna",
        data={
            "csrf": csrf_of(page.text),
            "username": "siti",
            "role": "operator",
            "password": "sandi-siti-1",
        },
    )
    assert r.status_code == 200 and "siti" in r.text
    r = client.post(
        "/pengguna/siti", data={"csrf": csrf_of(page.text), "role": "auditor", "active": "1"}
    )
    from blangko.services.admin import users

    assert {u["username"]: u["role"] for u in users.list_users(ctx)}["siti"] == "auditor"
    short = client.post(
        "/pengguna",
        data={
            "csrf": csrf_of(page.text),
            "username": "budi",
            "role": "operator",
            "password": "pendek",
        },
    )
    assert short.status_code == 400 and "minimal 8" in short.text


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
    receipt = applications.new(ctx, nik=nik, type="pemula")["receipt"]
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
