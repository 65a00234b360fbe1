"""The JSON API on SQLite and PostgreSQL: the stock operations, errors, idempotency, paging,
tokens and the rate limit."""

from __future__ import annotations

from web_helpers import PASSWORD, bearer

from blangko.services.stock import queries

SHIPMENT = {"serials": "KR0100001-KR0105200", "source": "Ditjen Dukcapil", "document": "BA-77"}


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


def test_token_errors_and_rate_limit(client) -> None:  # type: ignore[no-untyped-def]
    bad = client.post("/api/v1/auth/token", data={"username": "stok", "password": "salah-sandi"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_credentials"
    assert client.get("/api/v1/me").status_code == 401
    forged = {"Authorization": "Bearer bukan.token.sah"}
    assert client.get("/api/v1/me", headers=forged).status_code == 401
    for _ in range(4):
        client.post("/api/v1/auth/token", data={"username": "stok", "password": "salah-sandi"})
    # Five failures: even the right password is refused for the rest of the window.
    locked = client.post("/api/v1/auth/token", data={"username": "stok", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    # Other users are not affected.
    me = client.get("/api/v1/me", headers=bearer(client, "kepala")).json()
    assert me == {"username": "kepala", "role": "kepala", "office": None}


def test_deactivated_user_token_stops_working(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "operator")
    assert client.get("/api/v1/me", headers=h).status_code == 200
    admin = bearer(client, "admin")
    r = client.post("/api/v1/users/operator", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_public_status_has_no_figures(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    s = client.get("/api/v1/status").json()
    assert s["stock_level"] == "aman"
    assert {x["service"] for x in s["services"]} == {"perekaman", "pencetakan"}
    assert "5200" not in str(s) and "on_hand" not in s
    # FIXED_NOW is Friday 27 November 2026 (WIB), a working day: both services open.
    assert all(x["open"] for x in s["services"]) and s["printing"] is True
