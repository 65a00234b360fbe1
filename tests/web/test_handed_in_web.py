"""Kartu lama on the web, on both backends: the counter receives a card, the stock keeper
destroys with two witnesses and counts, the auditor reads with the NIK masked, bad input
answers 4xx naming the field with nothing written, and the IKD figures on the API."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from web_helpers import add_resident, bearer, csrf_of, login

from blangko.adapters import tables_handed_in as th
from blangko.formatting import waktu


def _count(ctx) -> int:
    with ctx.read() as conn:
        return sum(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (th.handed_in_card, th.card_destruction, th.card_destruction_item)
        )


def test_receive_destroy_and_read_by_role(ctx, client) -> None:
    nik = add_resident(ctx, serial=11, recorded=date(2014, 1, 1), printed=date(2015, 1, 1))
    login(client, "operator")
    page = client.get("/kartu-lama")
    assert page.status_code == 200 and 'data-testid="receive-form"' in page.text
    assert 'data-testid="destroy-form"' not in page.text
    sent = client.post(
        "/kartu-lama/terima",
        data={"csrf": csrf_of(page.text), "nik": nik, "reason": "pindah", "card_serial": "AB12"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[-400:]
    bad = client.post(
        "/kartu-lama/terima",
        data={
            "csrf": csrf_of(page.text),
            "nik": nik,
            "reason": "pindah",
            "received_on": "2999-01-01",
        },
    )
    assert bad.status_code == 400 and 'data-field="received_on"' in bad.text
    shown = client.get("/kartu-lama").text
    assert nik in shown and "Penduduk" in shown  # the counter sees names
    # The stock keeper: masked, may destroy.
    client.cookies.clear()
    login(client, "stok")
    page = client.get("/kartu-lama")
    assert nik not in page.text and nik[:4] + "********" + nik[-4:] in page.text
    card_id = client.get("/api/v1/old-cards", headers=bearer(client, "stok")).json()["items"][0][
        "id"
    ]
    before = _count(ctx)
    one = client.post(
        "/kartu-lama/musnahkan",
        data={"csrf": csrf_of(page.text), "cards": str(card_id), "witnesses": ["Andi", ""],
              "place": "Halaman kantor", "method": "bakar"},
    )  # fmt: skip
    assert one.status_code == 400 and 'data-field="witnesses"' in one.text
    assert _count(ctx) == before
    done = client.post(
        "/kartu-lama/musnahkan",
        data={"csrf": csrf_of(page.text), "cards": str(card_id), "witnesses": ["Andi", "Sri"],
              "place": "Halaman kantor", "method": "bakar"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    where = done.headers["location"]
    assert client.get(where).status_code == 200
    pdf = client.get(where + "/berita-acara?fmt=pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    # Twice: 409 on the API, nothing written.
    headers = bearer(client, "stok")
    again = client.post(
        "/api/v1/old-cards/destructions",
        json={"cards": [card_id], "witnesses": ["Andi", "Sri"], "place": "Gudang"},
        headers=headers,
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "cards"
    count = client.post("/api/v1/old-cards/counts", json={"counted": 0}, headers=headers)
    assert count.status_code == 200 and count.json()["count"]["variance"] == 0
    # The auditor reads (masked) and verifies; may not receive.
    audit = bearer(client, "auditor")
    reg = client.get("/api/v1/old-cards", headers=audit).json()
    assert reg["totals"] == {**reg["totals"], "received": 1, "destroyed": 1, "held": 0}
    assert reg["items"][0]["nik"] != nik and reg["items"][0]["nama"] is None
    assert client.get("/api/v1/old-cards/verify", headers=audit).json()["ok"] is True
    refused = client.post("/api/v1/old-cards", json={"nik": nik, "reason": "rusak"}, headers=audit)
    assert refused.status_code == 403
    recap = client.get("/api/v1/old-cards/recap?month=2026-11", headers=audit).json()
    assert recap["received"] == 1 and recap["destroyed"] == 1


def test_ikd_api_and_pages(ctx, client) -> None:
    head = bearer(client, "kepala")
    r = client.get("/api/v1/ikd?as_of=2026-11-01", headers=head)
    assert r.status_code == 200 and r.json()["coverage"]["target_pct"] == 30.0
    bad = client.get("/api/v1/ikd?ikd_target=0", headers=head)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "ikd_target"
    daily = client.get("/api/v1/ikd/daily?date_from=2026-11-01&date_to=2026-11-27", headers=head)
    assert len(daily.json()["days"]) == 27
    login(client, "kepala")
    assert 'data-figure="ikd_ratio"' in client.get("/").text
    assert 'data-figure="ikd_coverage"' in client.get("/cakupan").text


def _ikd_shown(page: str, at: datetime) -> int:
    """The wajib KTP the page's IKD coverage counts; the page says the IKD figures were
    computed ``at``."""
    when = re.search(r'data-testid="ikd-computed">([^<]*)</p>', page)
    wajib = re.search(r'data-figure="ikd_coverage"[^>]*data-wajib="(\d+)"', page)
    assert when and wajib, page[-2000:]
    assert when.group(1).startswith(f"Dihitung pada {waktu(at)}"), when.group(1)
    return int(wajib.group(1))


def test_the_ikd_figures_are_read_as_stored_and_say_when_they_were_computed(
    ctx, client, clock
) -> None:
    add_resident(ctx, serial=21, recorded=date(2014, 1, 1))
    login(client, "kepala")
    first = clock.value
    assert _ikd_shown(client.get("/").text, first) == 1
    assert _ikd_shown(client.get("/cakupan").text, first) == 1
    # Later, nothing changed: the same stored figures, computed at the same moment.
    clock.value += timedelta(hours=2)
    assert _ikd_shown(client.get("/cakupan").text, first) == 1
    assert _ikd_shown(client.get("/").text, first) == 1
    # A resident written into the registry: computed again, at the new moment, on both.
    add_resident(ctx, serial=22, recorded=date(2014, 1, 1))
    assert _ikd_shown(client.get("/cakupan").text, clock.value) == 2
    assert _ikd_shown(client.get("/").text, clock.value) == 2


def test_old_card_dates_and_the_recap_month_take_the_apps_format(ctx, client) -> None:  # type: ignore[no-untyped-def]
    """The dates are dd-mm-yyyy text fields (ISO taken too), the recap's month mm-yyyy (and
    YYYY-MM); nonsense is refused at its field, 4xx, nothing written."""
    nik = add_resident(ctx, serial=12, recorded=date(2014, 1, 1), printed=date(2015, 1, 1))
    today = ctx.today()
    login(client, "operator")
    page = client.get("/kartu-lama").text
    assert 'type="date"' not in page
    assert f'name="received_on" value="{today:%d-%m-%Y}" inputmode="numeric"' in page
    card = {"csrf": csrf_of(page), "nik": nik, "reason": "pindah"}
    before = _count(ctx)
    bad = client.post("/kartu-lama/terima", data={**card, "received_on": "kemarin"})
    assert bad.status_code == 400 and 'data-testid="field-error-received_on"' in bad.text
    assert "hh-bb-tttt" in bad.text and 'aria-invalid="true"' in bad.text
    assert _count(ctx) == before
    day = today - timedelta(days=3)
    ok = client.post(
        "/kartu-lama/terima",
        data={**card, "received_on": f"{day:%d-%m-%Y}"},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text[-400:]
    items = client.get("/api/v1/old-cards", headers=bearer(client, "stok")).json()["items"]
    assert [i["received_on"] for i in items] == [day.isoformat()]
    # The stock keeper counts on a dd-mm-yyyy day; an impossible one is refused at its field.
    client.cookies.clear()
    login(client, "stok")
    page = client.get("/kartu-lama").text
    count = {"csrf": csrf_of(page), "counted": "1"}
    wrong = client.post("/kartu-lama/hitung", data={**count, "counted_on": "31-02-2026"})
    assert wrong.status_code == 400 and 'data-testid="field-error-counted_on"' in wrong.text
    counted = client.post(
        "/kartu-lama/hitung",
        data={**count, "counted_on": f"{today:%d-%m-%Y}"},
        follow_redirects=False,
    )
    assert counted.status_code == 303
    # The head's recap: the month shown mm-yyyy, taken either way, nonsense at its field.
    client.cookies.clear()
    login(client, "kepala")
    page = client.get("/kartu-lama").text
    assert 'type="month"' not in page
    assert f'name="month" value="{today:%m-%Y}" inputmode="numeric"' in page
    for month in (f"{today:%m-%Y}", f"{today:%Y-%m}"):
        xlsx = client.get(f"/kartu-lama/rekap?month={month}&fmt=xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", month
    for month, said in (("13-2026", "bb-tttt"), ("", "wajib")):
        refused = client.get(f"/kartu-lama/rekap?month={month}&fmt=xlsx")
        assert refused.status_code == 400, month
        assert 'data-testid="field-error-month"' in refused.text and said in refused.text
        if month:
            assert f'name="month" value="{month}"' in refused.text  # as typed, to correct
