"""Penjatahan cetak on SQLite and PostgreSQL: the head sets and ends a policy through the page
and the API, a bad cap is refused with the field named and nothing written, the others read
(403 on the writes), the counter sees why a resident waits, the public status page says it in
plain words (Indonesian, English through the catalog), and the forecast's measure of it."""

from __future__ import annotations

from datetime import date

from web_helpers import KK, add_resident, bearer, csrf_of, login

from blangko.services import applications as apps
from blangko.services import rationing

TODAY = "2026-11-27"


def _post(client, url: str, data: dict):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/penjatahan").text)
    return client.post(url, data={"csrf": token, **data}, follow_redirects=False)


def test_head_sets_a_policy_on_the_page_and_ends_it(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "kepala")
    bad = _post(
        client,
        "/penjatahan",
        {"start": TODAY, "end": "2026-12-20", "daily_cap": "-3", "reason": "stok menipis"},
    )
    assert bad.status_code == 400 and 'data-field="daily_cap"' in bad.text
    assert rationing.policies(ctx)["history"] == []
    r = _post(
        client,
        "/penjatahan",
        {
            "start": TODAY,
            "end": "2026-12-20",
            "daily_cap": "200",
            "classes": "suket,pemula,bencana",
            "others_get": "tanggal",
            "reason": "stok menipis",
        },
    )
    assert r.status_code == 303
    page = client.get("/penjatahan")
    assert "Penjatahan diberlakukan: #1" in page.text
    assert 'data-testid="rationing-active"' in page.text and "200" in page.text
    assert 'data-figure="rationing_cover"' in page.text  # the head reads the forecast
    overlap = _post(
        client,
        "/penjatahan",
        {"start": "2026-12-01", "end": "2026-12-05", "daily_cap": "10", "reason": "x"},
    )
    assert overlap.status_code == 409
    r = _post(client, "/penjatahan/1/akhiri", {"reason": "kiriman tiba"})
    assert r.status_code == 303
    assert rationing.policies(ctx)["active"] is None
    assert [h["action"] for h in rationing.policies(ctx)["history"]] == ["set", "end"]


def test_api_writes_are_the_heads_and_others_read(client, ctx) -> None:  # type: ignore[no-untyped-def]
    body = {"start": TODAY, "end": "2026-12-10", "daily_cap": 2, "reason": "stok menipis"}
    op = bearer(client, "operator")
    assert client.post("/api/v1/rationing", json=body, headers=op).status_code == 403
    head = bearer(client, "kepala")
    bad = client.post("/api/v1/rationing", json={**body, "classes": ["lansia"]}, headers=head)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_class"
    made = client.post("/api/v1/rationing", json=body, headers=head)
    assert made.status_code == 200, made.text
    assert made.json()["policy"]["classes"] == ["suket", "pemula", "bencana"]
    listed = client.get("/api/v1/rationing", headers=op).json()
    assert listed["active"]["daily_cap"] == 2
    ended = client.post(
        "/api/v1/rationing/1/end", json={"reason": "kiriman tiba"}, headers=head
    ).json()
    assert ended["policy"]["version"] == 2


def test_counter_and_public_page_say_why_a_resident_waits(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=1, recorded=date(2020, 3, 3), printed=date(2015, 1, 5))
    r = apps.new(ctx, nik=nik, type="perubahan_data", documents=KK)
    apps.ready(ctx, receipt=r["receipt"])
    first = add_resident(ctx, serial=2, recorded=date(2020, 3, 3))
    r2 = apps.new(ctx, nik=first, type="pemula", documents=KK)
    apps.ready(ctx, receipt=r2["receipt"])
    rationing.set_policy(
        ctx, start=date(2026, 11, 27), end=date(2026, 12, 20), daily_cap=1, reason="stok"
    )
    login(client, "operator")
    detail = client.get(f"/layanan/permohonan/{r['receipt']}")
    assert 'data-testid="ration-wait"' in detail.text
    assert "urutan 2 dari 2" in detail.text and "30-11-2026" in detail.text
    wait = client.get(
        f"/api/v1/applications/{r['receipt']}/wait", headers=bearer(client, "operator")
    ).json()["wait"]
    assert (wait["class_key"], wait["position"]) == ("lainnya", 2)
    public = client.get("/status")
    assert 'data-testid="rationing-notice"' in public.text
    assert "kantor mencetak paling banyak 1 kartu per hari" in public.text
    client.get("/bahasa/en")
    english = client.get("/status")
    assert "the office prints at most 1 cards a day" in english.text
    assert client.get("/api/v1/status").json()["rationing"]["daily_cap"] == 1
    # The counter's print of the one behind is refused, naming the class that waits.
    page = client.get(f"/layanan/permohonan/{r['receipt']}")
    assert "Penjatahan cetak #1" in page.text


def test_the_policy_dates_take_dd_mm_yyyy_and_refuse_nonsense(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "kepala")
    page = client.get("/penjatahan").text
    assert 'type="date"' not in page and 'name="start" value="27-11-2026"' in page
    policy = {"daily_cap": "50", "reason": "stok menipis"}
    bad = _post(client, "/penjatahan", {**policy, "start": "27-11-2026", "end": "20/12/2026"})
    assert bad.status_code == 400 and 'data-testid="field-error-end"' in bad.text
    assert "hh-bb-tttt" in bad.text and 'value="20/12/2026"' in bad.text
    assert rationing.policies(ctx)["history"] == []
    ok = _post(client, "/penjatahan", {**policy, "start": "27-11-2026", "end": "20-12-2026"})
    assert ok.status_code == 303
    active = rationing.policies(ctx)["active"]
    assert (str(active["start"]), str(active["end"])) == ("2026-11-27", "2026-12-20")
