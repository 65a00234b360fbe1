"""Bounded work per request and inputs that cannot poison a page (issue 19, findings 4 and
6), through the API, the pages and the command line, on SQLite and PostgreSQL.

- A serial range, a quantity or a count larger than domain/limits.py allows is refused at
  once, with the field and the limit, before the office's write lock is asked for.
- Numbers and dates out of range are a 4xx naming the field, never a 500.
- Control characters are refused in every text a write takes; a value stored before these
  checks (a name with a control character, an entry dated in year 1) no longer breaks the
  exports and charts that show it.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import xml.dom.minidom
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from web_helpers import add_resident, bearer, csrf_of, login

from blangko.adapters import tables as t
from blangko.adapters import tables_residents as tr
from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.limits import MAX_SERIALS_PER_WRITE
from blangko.services.calendar import events
from blangko.services.stock import writes
from blangko.web import charts
from blangko_main import run_blangko

HUGE = "KR0000001-KR9999999"  # the campaign's ten million serials


@pytest.fixture
def no_lock(monkeypatch):  # type: ignore[no-untyped-def]
    """Records every office whose write lock is asked for (services.context.write)."""
    asked: list[str] = []
    real = ledger_repo.lock_head

    def lock_head(conn, office, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(office)
        return real(conn, office, **kwargs)

    monkeypatch.setattr(ledger_repo, "lock_head", lock_head)
    return asked


def blanks(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.blank)).scalar_one())


def test_ten_million_serials_are_refused_at_once_without_the_lock(client, ctx, no_lock) -> None:  # type: ignore[no-untyped-def]
    """Finding 4: a lose of KR0000001-KR9999999 held the write lock for 75 s, a count of it
    ran 15 minutes at 4,4 GB, a receipt of it was accepted (2,5 GB)."""
    writes.receive_shipment(ctx, serials="KR0000001-KR0001000", source="Ditjen", document="BA-1")
    h = bearer(client, "stok")
    no_lock.clear()
    before = blanks(ctx)
    started = time.perf_counter()
    calls = [
        ("/api/v1/stock/lose", {"serials": HUGE, "reason": "dicuri", "document": "LP/1"}),
        ("/api/v1/stock/return", {"serials": HUGE, "to": "Provinsi", "document": "BA-2"}),
        ("/api/v1/stock/receive", {"serials": HUGE, "source": "Ditjen", "document": "BA-3"}),
        ("/api/v1/stock/opening", {"serials": HUGE}),
        (
            "/api/v1/stock/transfer",
            {"from_location": "gudang", "to_location": "loket-1", "serials": HUGE},
        ),
        ("/api/v1/stock/consume", {"service": "pemula", "serials": HUGE}),
    ]
    for path, body in calls:
        r = client.post(path, headers=h, json=body)
        assert r.status_code == 400, (path, r.text)
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("too_many_serials", "serials"), path
        assert (
            "Paling banyak 100.000 nomor seri per transaksi (diminta 9.999.999)"
            in (error["message"])
        )
    counted = client.post(
        "/api/v1/stock/counts", headers=h, json={"location": "gudang", "serials": HUGE}
    )
    assert counted.status_code == 400
    assert counted.json()["error"]["code"] == "too_many_serials"
    assert "nomor seri per stock opname" in counted.json()["error"]["message"]
    assert time.perf_counter() - started < 10  # each refused at once, not after minutes
    assert no_lock == []  # none of them asked for the office's lock
    assert blanks(ctx) == before


def test_the_limit_itself_is_accepted(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """100.000 serials in one receipt (a year of a large city) and a count of them all: range
    arithmetic, not lists of serials, so both are quick."""
    h = bearer(client, "stok")
    last = f"KR{MAX_SERIALS_PER_WRITE:07d}"
    r = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": f"KR0000001-{last}", "source": "Ditjen", "document": "BA-9"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["quantity"] == MAX_SERIALS_PER_WRITE
    one_more = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR0100001-KR0200001", "source": "Ditjen", "document": "BA-10"},
    )
    assert one_more.json()["error"]["code"] == "too_many_serials"
    # Scanned: all but the first and the last card, plus one card that is not on the books.
    scanned = f"KR0000002-KR{MAX_SERIALS_PER_WRITE - 1:07d}\nKR0900000"
    count = client.post(
        "/api/v1/stock/counts", headers=h, json={"location": "gudang", "serials": scanned}
    )
    assert count.status_code == 200, count.text
    body = count.json()
    assert (body["book"], body["counted"]) == (100_000, 99_999)
    assert body["missing"] == f"KR0000001,{last}"
    assert body["unexpected"] == "KR0900000"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/stock/transfer", {"from_location": "gudang", "to_location": "loket-1"}, "qty"),
        ("/api/v1/stock/consume", {"service": "pemula"}, "qty"),
        ("/api/v1/stock/counts", {"location": "gudang", "counted": None}, "counted"),
    ],
)
def test_quantities_like_2_to_the_70_are_a_4xx(client, ctx, path, body, field) -> None:  # type: ignore[no-untyped-def]
    """Finding 6: quantities like 2**70 gave 500s (the driver's integer overflowed)."""
    h = bearer(client, "stok")
    r = client.post(path, headers=h, json={**body, field: 2**70})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_a_count_id_of_2_to_the_70_is_a_4xx(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "kepala")
    r = client.post(f"/api/v1/stock/counts/{2**70}/post", headers=h, json={"reason": "x"})
    # Ids are bounded where the path is read (web.deps.Id): FastAPI's 422, naming it.
    assert r.status_code in (400, 422), r.text
    assert r.json()["error"]["field"] == "count_id"


EXTREME_DATE_ROUTES = [
    ("/api/v1/stock/balance?as_of={d}", "as_of"),
    ("/api/v1/coverage?as_of={d}", "as_of"),
    ("/api/v1/coverage/cohort?as_of={d}", "as_of"),
    ("/api/v1/coverage/projection?by_date={d}", "by_date"),
    ("/api/v1/events/{event}/impact?as_of={d}", "as_of"),
    ("/api/v1/closures?active_on={d}", "active_on"),
    ("/api/v1/reports/office/request?as_of={d}", "as_of"),
    ("/api/v1/reports/office/coverage?as_of={d}", "as_of"),
    ("/api/v1/reports/stock/usage?month={m}", "month"),
]


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2100, 1, 1), date.max])
def test_extreme_as_of_dates_are_a_4xx_naming_the_field(client, ctx, office, day) -> None:  # type: ignore[no-untyped-def]
    """Finding 6: as_of 0001-01-01 or 9999-12-31 gave 500s (date arithmetic overflowed)."""
    event = events.add_event(
        ctx, name="Pilkades", event_date=date(2026, 12, 20), kind="pilkades", all_villages=True
    )
    h = bearer(client, "kepala")
    for template, field in EXTREME_DATE_ROUTES:
        url = template.format(
            d=day.isoformat(), m=f"{day.year:04d}-{day.month:02d}", event=event["id"]
        )
        r = client.get(url, headers=h)
        assert r.status_code == 400, (url, r.status_code, r.text[:200])
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("date_out_of_range", field), url


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_entries_out_of_the_date_range_are_refused(client, ctx, day) -> None:  # type: ignore[no-untyped-def]
    """Finding 6: a receipt dated 0001-01-01 was accepted, and broke the stock chart for good
    (the ledger is append-only)."""
    h = bearer(client, "stok")
    r = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR0000001", "source": "Ditjen", "document": "BA-1", "date": day},
    )
    assert r.status_code == 400, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("date_out_of_range", "date")
    k = bearer(client, "kepala")
    closure = client.post(
        "/api/v1/closures", headers=k, json={"service": "semua", "start": day, "reason": "x"}
    )
    assert closure.status_code == 400
    assert closure.json()["error"]["field"] == "start"


def test_no_entry_before_the_opening_balance(client, ctx) -> None:  # type: ignore[no-untyped-def]
    writes.record_opening(ctx, serials="KR0000001-KR0000100", effective=date(2021, 5, 1))
    h = bearer(client, "stok")
    r = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR0001001", "source": "Ditjen", "document": "BA-1", "date": "2021-04-30"},
    )
    assert r.status_code == 400
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "date_before_opening",
        "date",
    )
    ok = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR0001001", "source": "Ditjen", "document": "BA-1", "date": "2021-05-01"},
    )
    assert ok.status_code == 200, ok.text


def test_a_form_date_out_of_range_shows_the_form_again(client, ctx) -> None:  # type: ignore[no-untyped-def]
    login(client, "stok")
    form = client.get("/stok")
    r = client.post(
        "/stok/terima",
        data={
            "csrf": csrf_of(form.text),
            "serials": "KR0000001-KR0000010",
            "source": "Ditjen",
            "document": "BA-1",
            "date": "01-01-0001",
        },
    )
    assert r.status_code == 400
    assert "di luar rentang yang diterima: 01-01-2000 sampai 31-12-2099" in r.text
    assert blanks(ctx) == 0


@pytest.mark.parametrize(
    ("path", "who", "body", "field"),
    [
        (
            "/api/v1/stock/receive",
            "stok",
            {"serials": "KR1", "source": "Ditjen\x1b[31m", "document": "BA-1"},
            "source",
        ),
        (
            "/api/v1/stock/receive",
            "stok",
            {"serials": "KR1", "source": "Ditjen", "document": "BA\x00-1"},
            "document",
        ),
        (
            "/api/v1/stock/receive",
            "stok",
            {"serials": "KR1", "source": "Ditjen", "document": "BA-1", "note": "catatan\x85"},
            "note",
        ),
        (
            "/api/v1/events",
            "kepala",
            {
                "name": "Pilkades\x01",
                "date": "2026-12-20",
                "kind": "pilkades",
                "all_villages": True,
            },
            "name",
        ),
        (
            "/api/v1/closures",
            "kepala",
            {"service": "semua", "start": "2026-12-01", "reason": "banjir\x7f"},
            "reason",
        ),
        (
            "/api/v1/applications",
            "operator",
            {
                "nik": "1704015705900001",
                "type": "hilang",
                "documents": {"laporan_polisi": "LP\x0b1"},
            },
            "laporan_polisi",
        ),
    ],
)
def test_control_characters_are_refused_in_every_text(client, ctx, path, who, body, field) -> None:  # type: ignore[no-untyped-def]
    """Finding 6: a control character in a name or note was stored, then broke the exports
    and charts that show it, for every role."""
    r = client.post(path, headers=bearer(client, who), json=body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("control_character", field)
    assert "karakter kendali (U+" in error["message"]


def test_notes_may_span_lines_but_names_may_not(client, ctx) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")
    ok = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={
            "serials": "KR1",
            "source": "Ditjen",
            "document": "BA-1",
            "note": "baris 1\r\n\tbaris 2",
        },
    )
    assert ok.status_code == 200, ok.text
    r = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR2", "source": "Ditjen\nProvinsi", "document": "BA-2"},
    )
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "control_character",
        "source",
    )
    long = client.post(
        "/api/v1/stock/receive",
        headers=h,
        json={"serials": "KR2", "source": "Ditjen", "document": "B" * 201},
    )
    assert long.json()["error"] == {
        "code": "too_long",
        "field": "document",
        "message": "Nomor dokumen paling banyak 200 karakter (diisi 201).",
    }


@pytest.mark.parametrize(
    ("path", "who", "field"),
    [
        ("/api/v1/status?office=17%0004", None, "office"),
        ("/api/v1/coverage/gaps?kecamatan=17.04%00.01", "kepala", "kecamatan"),
        ("/api/v1/stock/ledger?serial=KR%001", "stok", "serial"),
    ],
)
def test_a_nul_in_a_query_value_is_a_400_naming_it(client, ctx, office, path, who, field) -> None:  # type: ignore[no-untyped-def]
    """Found by the fuzz campaign (tests/web/test_schemathesis.py): a NUL in a query value
    reached PostgreSQL, which refuses it in a string: a 500 on every route that looks one up.
    Every route now refuses a control character in any query value first."""
    r = client.get(path, headers=bearer(client, who) if who else {})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("control_character", field)
    assert "U+0000" in error["message"]


def test_a_nul_in_a_page_query_shows_the_error_page(client, ctx, office) -> None:  # type: ignore[no-untyped-def]
    login(client, "operator")
    r = client.get("/layanan?nik=1704%0001")
    assert r.status_code == 400
    assert "karakter kendali (U+0000)" in r.text


def test_a_request_body_over_the_limit_is_refused_with_413(client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(client, "stok")

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(50):
            yield b"x" * 100_000  # 5 MB, no Content-Length

    r = client.post(
        "/api/v1/stock/lose", headers={**h, "content-type": "application/json"}, content=chunks()
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    declared = client.post(
        "/api/v1/stock/lose", headers=h, json={"serials": "K" * 5_000_000, "reason": "x"}
    )
    assert declared.status_code == 413


def test_stored_bad_values_no_longer_break_the_export_and_the_stock_chart(client, ctx) -> None:  # type: ignore[no-untyped-def]
    """Values stored before these checks: a resident named with a control character (the
    unrecorded-residents export failed with a traceback holding the name, for everyone) and
    a receipt dated 0001-01-01 (the stock chart failed for good)."""
    add_resident(ctx, serial=1)
    add_resident(ctx, serial=2)
    with ctx.write_plain() as conn:
        conn.execute(
            update(tr.resident)
            .where(tr.resident.c.nama == "Penduduk Uji 1")
            .values(nama="Budi\x01Santoso")
        )
    writes.receive_shipment(ctx, serials="KR0000001-KR0000010", source="Ditjen", document="BA")
    writes.receive_shipment(ctx, serials="KR0000011-KR0000020", source="Ditjen", document="BA")
    with ctx.write_plain() as conn:
        conn.execute(
            update(t.ledger_entry)
            .where(t.ledger_entry.c.seq == 1)
            .values(effective_date=date(1, 1, 1))
        )
    login(client, "kepala")
    export = client.get("/cakupan/belum-rekam.xlsx")
    assert export.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(export.content)).active.values]
    assert "Budi\\x01Santoso" in names
    chart = client.get("/grafik/stok.svg")
    assert chart.status_code == 200
    xml.dom.minidom.parseString(chart.text)


@pytest.mark.parametrize("label", [r"$\frac{1}{0}$", "$x^{$", "Pilkades$1$2", "Acara\x01"])
def test_chart_labels_are_plain_text(label) -> None:  # type: ignore[no-untyped-def]
    """Finding 6: an event named with '$...$' broke the forecast chart for all roles
    (matplotlib maths); a control character made the SVG unreadable."""
    today = date(2026, 11, 27)
    daily = [
        {"date": (today + timedelta(days=i)).isoformat(), "open": True, "p05": 0, "p25": 1}
        | {"p50": 2, "p75": 3, "p95": 4}
        for i in range(30)
    ]
    svg = charts.forecast_fan(
        daily,
        lang="id",
        title="Perkiraan",
        labels={"p90": "p05–p95", "p50band": "p25–p75", "p50": "median"},
        marks=[(today + timedelta(days=8), label, "#9b2c2c")],
        empty="-",
    )
    doc = xml.dom.minidom.parseString(svg)
    texts = "".join(
        n.data for el in doc.getElementsByTagName("text") for n in el.childNodes if n.nodeType == 3
    )
    assert label.replace("\x01", "\\x01") in texts  # shown as typed, dollars and all


def test_cli_refuses_over_the_limit_with_exit_2(db_url, office) -> None:  # type: ignore[no-untyped-def]
    def blangko(*args: str) -> subprocess.CompletedProcess[str]:
        return run_blangko("--db", db_url, *args, "--json")  # main() in this process

    lose = blangko("stock", "lose", "--serials", HUGE, "--reason", "x", "--document", "LP")
    assert lose.returncode == 2, lose.stdout + lose.stderr
    error = json.loads(lose.stderr)["error"]
    assert (error["code"], error["field"]) == ("too_many_serials", "serials")
    dated = blangko("stock", "balance", "--as-of", "0001-01-01")
    assert dated.returncode == 2, dated.stdout + dated.stderr
    assert json.loads(dated.stderr)["error"]["field"] == "as_of"
