"""Agenda on SQLite and PostgreSQL: closures added and ended, an event with villages and its
impact, through the pages and the API; the auditor reads, only the head writes."""

from __future__ import annotations

from datetime import date

from web_helpers import add_resident, bearer, csrf_of, login

from blangko.services.calendar import days, events

V1 = "17.04.01.2001"


def _post(client, url: str, data: dict | list):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/agenda").text)
    pairs = list(data.items()) if isinstance(data, dict) else data
    form: dict[str, list[str]] = {"csrf": [token]}
    for k, v in pairs:  # a key sent more than once (a multi-select) becomes a list
        form.setdefault(k, []).append(v)
    return client.post(url, data=form, follow_redirects=False)


def test_head_closes_recording_then_reopens_it(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "kepala")
    r = _post(
        client,
        "/agenda/penutupan",
        {"service": "perekaman", "start": "2026-11-27", "reason": "Gangguan jaringan SIAK"},
    )
    assert r.status_code == 303
    assert days.status(ctx)["services"]["perekaman"]["open"] is False
    page = client.get("/agenda")
    assert "Penutupan dicatat: #1" in page.text and "Gangguan jaringan SIAK" in page.text
    assert 'data-closure="1"' in page.text
    # Reopening on the start day is refused, with the field named, and changes nothing.
    r = _post(client, "/agenda/penutupan/1/akhiri", {"reopen": "2026-11-27"})
    assert r.status_code == 400 and 'data-field="date"' in r.text
    assert days.list_closures(ctx)[0]["end"] is None
    r = _post(client, "/agenda/penutupan/1/akhiri", {"reopen": "2026-11-28"})
    assert r.status_code == 303
    assert days.list_closures(ctx)[0]["end"] == "2026-11-27"
    assert days.status(ctx, on=date(2026, 11, 30))["services"]["perekaman"]["open"] is True


def test_event_with_villages_shows_its_impact(client, ctx) -> None:  # type: ignore[no-untyped-def]
    for i in range(1, 4):
        add_resident(ctx, serial=i)  # wajib KTP, never recorded, all in V1
    login(client, "kepala")
    r = _post(
        client,
        "/agenda/acara",
        [
            ("name", "Pilkades Kinal"),
            ("date", "2027-03-10"),
            ("kind", "pilkades"),
            ("villages", V1),
            ("villages", "17.04.01.2002"),
        ],
    )
    assert r.status_code == 303, r.text[:400]
    shown = events.show_event(ctx, 1)
    assert [v["code"] for v in shown["villages"]] == [V1, "17.04.01.2002"]
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "Pilkades Kinal" in page.text
    impact = events.impact(ctx, 1)
    assert impact["unrecorded"] == 3
    got = page.text.split('data-testid="extra-recordings">', 1)[1].split("<", 1)[0]
    assert got == str(impact["expected_extra"]["recordings"]["expected"])
    # A past date is refused and nothing is stored.
    r = _post(
        client,
        "/agenda/acara",
        [("name", "Lewat"), ("date", "2026-01-01"), ("kind", "lainnya"), ("all_villages", "1")],
    )
    assert r.status_code == 400 and 'data-field="date"' in r.text
    assert len(events.list_events(ctx)) == 1


def test_agenda_api_and_roles(client, ctx) -> None:  # type: ignore[no-untyped-def]
    kep = bearer(client, "kepala")
    r = client.post(
        "/api/v1/closures",
        json={"service": "pencetakan", "start": "2026-11-27", "reason": "Printer rusak"},
        headers={**kep, "Idempotency-Key": "c-1"},
    )
    assert r.status_code == 200, r.text
    cid = r.json()["closure"]["id"]
    op = bearer(client, "operator")
    listed = client.get("/api/v1/closures?active_on=2026-11-27", headers=op).json()
    assert [c["id"] for c in listed["items"]] == [cid]
    assert client.post(f"/api/v1/closures/{cid}/end", json={}, headers=op).status_code == 403
    r = client.post(f"/api/v1/closures/{cid}/end", json={"reopen": "2026-11-30"}, headers=kep)
    assert r.status_code == 200 and r.json()["closure"]["end"] == "2026-11-29"
    r = client.post(
        "/api/v1/events",
        json={"name": "Pemilu", "date": "2029-02-14", "kind": "pemilu", "all_villages": True},
        headers=kep,
    )
    assert r.status_code == 200 and len(r.json()["villages"]) == 195
    eid = r.json()["id"]
    stok = bearer(client, "stok")
    assert client.get(f"/api/v1/events/{eid}/impact", headers=stok).json()["villages"] == 195
    assert client.get("/api/v1/events/999", headers=stok).status_code == 404
    login(client, "auditor")
    page = client.get("/agenda")
    assert page.status_code == 200 and "Pemilu" in page.text
    assert 'action="/agenda/acara"' not in page.text  # read-only for the auditor
