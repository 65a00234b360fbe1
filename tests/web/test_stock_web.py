"""Stock pages and the stock API on SQLite and PostgreSQL: forms, the count and its variance,
ledger, trace and audit; API operations, errors, idempotency and paging."""

from __future__ import annotations

import re

from web_helpers import bearer, csrf_of, login, text_of_testid

from blangko.services.stock import counts, queries, writes

SHIPMENT = {"serials": "KR0100001-KR0105200", "source": "Ditjen Dukcapil", "document": "BA-77"}


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
    assert text_of_testid(dash.text, "on-hand") == "5.200"
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


def test_receive_then_balance_and_replay(client, ctx) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    r = client.post("/api/v1/stock/receive", json=SHIPMENT, headers={**h, "Idempotency-Key": "k1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["quantity"] == 5200 and body["replayed"] is False
    assert body["entries"][0]["to_location"] == "gudang"
    # The same key again: the first result, nothing written twice.
    again = client.post(
        "/api/v1/stock/receive", json=SHIPMENT, headers={**h, "Idempotency-Key": "k1"}
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    bal = client.get("/api/v1/stock/balance", headers=h).json()
    assert bal["on_hand"] == 5200 and bal["by_location"]["gudang"] == 5200
    assert queries.balance(ctx)["on_hand"] == 5200
    # The same key with another body is a conflict, in the error shape.
    other = client.post(
        "/api/v1/stock/receive",
        json={**SHIPMENT, "serials": "KR0200001-KR0200010"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_domain_errors_map_to_4xx(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    assert client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h).status_code == 200
    dup = client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    assert dup.status_code == 409
    assert dup.json() == {
        "error": {
            "code": "serial_known",
            "field": "serials",
            "message": dup.json()["error"]["message"],
        }
    }
    assert "KR0100001" in dup.json()["error"]["message"]
    missing = client.post(
        "/api/v1/stock/receive",
        json={**SHIPMENT, "serials": "KR0300001", "source": " "},
        headers=h,
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["field"] == "source"
    bad_body = client.post("/api/v1/stock/receive", json={"serials": "KR1"}, headers=h)
    assert bad_body.status_code == 422
    err = bad_body.json()["error"]
    assert err["code"] == "invalid" and err["field"] in ("source", "document")
    audit = bearer(client, "auditor")
    unknown = client.get("/api/v1/stock/trace/KR0999999", headers=audit)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_serial"


def test_ledger_paging_and_serial_filter(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    for i in range(3):
        r = client.post(
            "/api/v1/stock/transfer",
            json={"from_location": "gudang", "to_location": "loket-1", "qty": 10 + i},
            headers=h,
        )
        assert r.status_code == 200, r.text
    page = client.get("/api/v1/stock/ledger?limit=2&offset=1", headers=h).json()
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 1
    assert [e["kind"] for e in page["items"]] == ["transfer", "transfer"]
    assert [e["quantity"] for e in page["items"]] == [10, 11]
    # The first transfer takes the lowest 10 serials, the second the next 11 (KR0100011-21).
    hit = client.get("/api/v1/stock/ledger?serial=KR0100015", headers=h).json()
    assert [e["seq"] for e in hit["items"]] == [1, 3]
    assert client.get("/api/v1/stock/ledger?limit=0", headers=h).status_code == 422


def test_count_with_scanned_serials_then_head_posts(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    client.post(
        "/api/v1/stock/receive", json={**SHIPMENT, "serials": "KR0100001-KR0100010"}, headers=h
    )
    scanned = "KR0100001-KR0100008\nKR0100008\nKR0100099"  # 2 missing, 1 unknown, 1 double read
    r = client.post(
        "/api/v1/stock/counts", json={"location": "gudang", "serials": scanned}, headers=h
    )
    assert r.status_code == 200, r.text
    c = r.json()
    assert (c["book"], c["counted"], c["variance"]) == (10, 9, -1)
    assert c["missing"] == "KR0100009-KR0100010" and c["unexpected"] == "KR0100099"
    assert c["duplicate_reads"] == 1
    # The stock keeper may not accept the variance; the head may.
    assert (
        client.post(
            f"/api/v1/stock/counts/{c['count_id']}/post", json={"reason": "x"}, headers=h
        ).status_code
        == 403
    )
    head = bearer(client, "kepala")
    posted = client.post(
        f"/api/v1/stock/counts/{c['count_id']}/post",
        json={"reason": "dua kartu hilang dari kardus"},
        headers=head,
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["status"] == "posted"
    assert client.get("/api/v1/stock/balance", headers=h).json()["on_hand"] == 9
    listed = client.get("/api/v1/stock/counts?status=posted", headers=head).json()
    assert listed["total"] == 1
    verify = client.get("/api/v1/stock/verify", headers=bearer(client, "auditor")).json()
    assert verify["sound"] is True and verify["entries"] == 3  # receive, missing, found


# The life of a count (issue 11) ---------------------------------------------------------------


def _scan(text: str):  # type: ignore[no-untyped-def]
    return counts.parse_scanned(text.replace(",", "\n").splitlines())[0]


def test_stock_page_shows_book_counted_missing_and_unexpected_of_the_latest_count(  # type: ignore[no-untyped-def]
    client, ctx
) -> None:
    writes.receive_shipment(ctx, serials="KR0100001-KR0100020", source="Ditjen", document="BA-1")
    counts.record_count(ctx, location="gudang", counted=25)  # superseded by the next one
    c = counts.record_count(ctx, location="gudang", scanned=_scan("KR0100001-KR0100018,KR0100500"))
    login(client, "kepala")
    page = client.get("/stok").text
    row = page.split(f'data-testid="count-{c["count_id"]}"', 1)[1].split("</tr>", 1)[0]
    # book 20, counted 19, 2 missing, 1 unexpected, -1: all four and the net.
    cells = [x.split("</td>")[0].strip() for x in row.split('<td class="n')[1:]]
    # The net is the open-variance figure, inside its own <span data-figure> (one truth).
    assert [re.sub(r"<[^>]+>", "", x.split(">", 1)[1]) for x in cells] == [
        "20",
        "19",
        "2",
        "1",
        "-1",
    ]
    assert 'data-testid="count-1"' not in page  # the superseded count is not open
    dash = client.get("/").text
    assert '<b data-testid="open-variance">-1</b>' in dash
    assert 'data-testid="open-missing">2<' in dash and 'data-testid="open-unexpected">1<' in dash
    assert "1 opname belum diposting" in dash


def test_head_voids_a_count_from_the_stock_page(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100005", source="Ditjen", document="BA-1")
    writes.consume(ctx, service="pemula", serials="KR0100001")
    c = counts.record_count(ctx, location="gudang", scanned=_scan("KR0100001-KR0100005"))
    login(client, "kepala")
    page = client.get("/stok")
    action = f"/stok/opname/{c['count_id']}/batal"
    assert f'action="{action}"' in page.text
    blank = client.post(action, data={"csrf": csrf_of(page.text), "reason": " "})
    assert blank.status_code == 400 and 'data-field="reason"' in blank.text
    r = client.post(
        action,
        data={"csrf": csrf_of(page.text), "reason": "kartu terpakai ikut terpindai", "idem": "v1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = client.get(r.headers["location"]).text
    assert f"Stock opname #{c['count_id']} dibatalkan" in after
    (voided,) = counts.list_counts(ctx, status="voided")
    assert (voided["void_reason"], voided["voided_by"]) == (
        "kartu terpakai ikut terpindai",
        "kepala",
    )
    assert f'action="{action}"' not in after
    # Voiding it again says why not, in the page.
    again = client.post(action, data={"csrf": csrf_of(after), "reason": "lagi"})
    assert again.status_code == 409 and "dibatalkan" in again.text


def test_void_and_show_a_count_through_the_api(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100005", source="Ditjen", document="BA-1")
    c = counts.record_count(ctx, location="gudang", counted=6)
    stok, head = bearer(client, "stok"), bearer(client, "kepala")
    url = f"/api/v1/stock/counts/{c['count_id']}/void"
    assert client.post(url, json={"reason": "salah hitung"}, headers=stok).status_code == 403
    assert client.post(url, json={"reason": ""}, headers=head).status_code == 400
    r = client.post(
        url, json={"reason": "salah hitung"}, headers={**head, "Idempotency-Key": "void-1"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["void_reason"]) == ("voided", "salah hitung")
    replay = client.post(
        url, json={"reason": "salah hitung"}, headers={**head, "Idempotency-Key": "void-1"}
    )
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    again = client.post(url, json={"reason": "salah hitung"}, headers=head)
    assert again.status_code == 409 and again.json()["error"]["code"] == "count_voided"
    shown = client.get(f"/api/v1/stock/counts/{c['count_id']}", headers=head).json()
    assert (shown["status"], shown["voided_by"]) == ("voided", "kepala")
    assert client.get("/api/v1/stock/counts/99", headers=head).status_code == 404
    posted = client.post(
        f"/api/v1/stock/counts/{c['count_id']}/post", json={"reason": "x"}, headers=head
    )
    assert posted.status_code == 409 and posted.json()["error"]["code"] == "count_voided"


def test_office_wide_count_through_the_api_and_the_page(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.receive_shipment(ctx, serials="KR0100001-KR0100020", source="Ditjen", document="BA-1")
    writes.transfer(ctx, qty=5, from_location="gudang", to_location="loket-1")
    h = bearer(client, "stok")
    body = {
        "locations": [
            {"location": "gudang", "serials": "KR0100006-KR0100020\nKR0095001"},
            {"location": "loket-1", "counted": 5},
        ]
    }
    r = client.post("/api/v1/stock/counts/office-wide", json=body, headers=h)
    assert r.status_code == 200, r.text
    c = r.json()
    assert (c["office_wide"], c["book"], c["counted"], c["variance"]) == (True, 20, 21, 1)
    assert c["unexpected"] == "KR0095001" and len(c["parts"]) == 2
    short = client.post(
        "/api/v1/stock/counts/office-wide", json={"locations": body["locations"][:1]}, headers=h
    )
    assert short.status_code == 400 and short.json()["error"]["field"] == "locations"
    assert "loket-1" in short.json()["error"]["message"]

    login(client, "stok")
    page = client.get("/stok?tab=opname")
    assert 'action="/stok/opname/kantor"' in page.text
    r = client.post(
        "/stok/opname/kantor",
        data={
            "csrf": csrf_of(page.text),
            "location": ["gudang", "loket-1"],
            "counted": ["", "5"],
            "scanned": ["KR0100006-KR0100020", ""],
            "idem": "kantor-1",
        },
    )
    assert r.status_code == 200, r.text
    assert 'data-testid="count-result"' in r.text and "Seluruh kantor" in r.text
    assert '<b data-testid="variance">0</b>' in r.text
    opened = counts.list_counts(ctx, status="open")
    assert [(x["office_wide"], x["book"], x["counted"]) for x in opened] == [(True, 20, 20)]
    # A location left blank is named, and the values typed are kept.
    r = client.post(
        "/stok/opname/kantor",
        data={
            "csrf": csrf_of(page.text),
            "location": ["gudang", "loket-1"],
            "counted": ["", ""],
            "scanned": ["KR0100006-KR0100020", ""],
        },
    )
    assert r.status_code == 400 and "loket-1" in r.text and "KR0100006-KR0100020" in r.text
