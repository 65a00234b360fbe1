"""The counter's and the stock forms' errors as a clerk reads them (issue 18, point 2), on
SQLite and PostgreSQL: each refusal the forms can meet is shown with a message in the clerk's
words: no command-line flag, no field code in brackets or quotes, dates as dd-mm-yyyy, and the
field named by its label (in the page's language) when the message does not name it itself.

Also the early warning: a desk closed today is said when the resident is looked up, on the
application once taken and on the print work list, with the day it reopens; the step itself is
still refused while the desk is closed.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from web_helpers import KK, add_resident, csrf_of, login, stock_station

from blangko.domain.errors import FIELD_LABEL_ID
from blangko.domain.nik import build_nik
from blangko.services import applications
from blangko.services.calendar import days
from blangko.services.stock import counts, queries
from blangko.web.i18n import translations

TODAY = date(2026, 11, 27)  # tests/conftest.py's clock (a Friday)
FLAG = re.compile(r"(?<![\w-])--[a-z]")
# A field's code in brackets or quotes: '(laporan_polisi)', "'document'"; any word with an
# underscore is a code as well.
BRACKETED = re.compile(r"[('\"]([a-z][a-z0-9]*(?:_[a-z0-9]+)*)[)'\"]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ERROR = re.compile(r'<p class="error" role="alert" data-field="([^"]*)">(.*?)</p>', re.S)


def shown_errors(page: str) -> list[tuple[str, str]]:
    """(field, text) of every error paragraph of a page, tags stripped."""
    return [
        (field, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()))
        for field, body in ERROR.findall(page)
    ]


def faults(field: str, text: str) -> list[str]:
    """What is wrong with an error as shown: a flag, a code, an ISO date, an unnamed field
    (its label in either language, as the page's language has it)."""
    found = []
    if FLAG.search(text):
        found.append("a command-line flag")
    for m in BRACKETED.finditer(text):
        if m.group(1) in FIELD_LABEL_ID or "_" in m.group(1):
            found.append(f"the code {m.group(0)}")
    if "_" in text.replace("KR", ""):
        found.append("a word with an underscore")
    if ISO_DATE.search(text):
        found.append("a date not written dd-mm-yyyy")
    label = FIELD_LABEL_ID.get(field)
    if label is not None:
        said = text.lower()
        if label.lower() not in said and translations("en").gettext(label).lower() not in said:
            found.append(f"no label of its field {field!r}")
    return found


def test_every_counter_and_stock_error_reads_in_the_clerks_words(client, ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)  # KR0000001-KR0000100, the lowest 20 at loket-1
    newcomer = add_resident(ctx, serial=1)  # adult, never recorded
    holder = add_resident(ctx, serial=2, recorded=date(2015, 3, 2), printed=date(2015, 3, 9))
    prr = add_resident(ctx, serial=3, recorded=date(2020, 1, 6))
    other = add_resident(ctx, serial=4, recorded=date(2020, 1, 6))
    unknown = build_nik("17.04.01", date(1990, 5, 17), "L", 9)  # well formed, not registered
    login(client, "operator")
    csrf = csrf_of(client.get("/layanan").text)

    def post(url: str, **data: str) -> str:
        r = client.post(url, data={"csrf": csrf, **data}, follow_redirects=False)
        assert r.status_code == 303 or r.status_code >= 400, (url, r.status_code)
        return r.text if r.status_code >= 400 else ""

    def receipt_of(nik: str) -> str:
        return next(a["receipt"] for a in applications.list_(ctx, reveal=True) if a["nik"] == nik)

    shown: list[tuple[str, str, str, str]] = []  # (case, field expected, field, text)

    def expect(case: str, page: str, field: str, phrase: str) -> None:
        errors = shown_errors(page)
        assert errors, (case, page[-1500:])
        got_field, text = errors[0]
        assert got_field == field and phrase in text, (case, got_field, text)
        shown.append((case, field, got_field, text))

    # The counter: a resident looked up, an application taken.
    expect("nik format", client.get("/layanan?nik=17040").text, "nik", "16 digit")
    expect("unknown", client.get(f"/layanan?nik={unknown}").text, "nik", "tidak ada")
    new = "/layanan/baru"
    expect("first card again", post(new, nik=holder, type="pemula", **KK), "type", "bukan pemula")
    expect(
        "no card to replace",
        post(new, nik=newcomer, type="hilang", laporan_polisi="LP/1"),
        "type",
        "ajukan pemula",
    )
    expect("police report", post(new, nik=holder, type="hilang"), "laporan_polisi", "kepolisian")
    expect("old card", post(new, nik=holder, type="rusak"), "ktp_lama", "KTP-el lama")
    expect("any one", post(new, nik=holder, type="perubahan_data"), "no_kk", "salah satu dari")
    expect("kk format", post(new, nik=newcomer, type="pemula", no_kk="123"), "no_kk", "16 digit")
    assert post(new, nik=newcomer, type="pemula", **KK) == ""
    expect("open one", post(new, nik=newcomer, type="pemula", **KK), "nik", "masih memiliki")
    first = receipt_of(newcomer)
    act = f"/layanan/permohonan/{first}"
    expect("out of order", post(f"{act}/ready"), "status", "hanya boleh dari status")
    expect("reject, no reason", post(f"{act}/reject", reason=" "), "reason", "Alasan penolakan")

    assert post(new, nik=prr, type="pemula", **KK) == ""
    ready = f"/layanan/permohonan/{receipt_of(prr)}"
    assert post(f"{ready}/ready") == ""
    expect("no station", post(f"{ready}/print", station=""), "station", "Loket cetak")
    expect("a store", post(f"{ready}/print", station="gudang"), "station", "bukan loket")
    expect("serial typed", post(f"{ready}/print", station="loket-1", serial="KR-1"), "serial", "")
    expect(
        "serial elsewhere",
        post(f"{ready}/print", station="loket-1", serial="KR0000050"),
        "serials",
        "tidak tersedia",
    )
    assert post(f"{ready}/print", station="loket-1") == ""
    kuasa = {"collector": "kuasa"}
    expect("proxy nik", post(f"{ready}/collect", **kuasa, proxy_name="A"), "proxy_nik", "NIK kuasa")
    expect(
        "proxy is applicant",
        post(f"{ready}/collect", **kuasa, proxy_nik=prr, proxy_name="A", power_of_attorney="1"),
        "proxy_nik",
        "sama dengan NIK pemohon",
    )
    expect(
        "proxy name",
        post(f"{ready}/collect", **kuasa, proxy_nik=other, power_of_attorney="SK/1"),
        "proxy_name",
        "Nama kuasa",
    )
    assert post(f"{ready}/ikd") == ""
    expect("ikd twice", post(f"{ready}/ikd"), "receipt", "sudah aktif")

    # The work list: a resident with an application, a card holder.
    prr_print = "/layanan/prr/cetak"
    expect("open in list", post(prr_print, nik=newcomer, station="loket-1"), "nik", "berjalan")
    expect("not prr", post(prr_print, nik=holder, station="loket-1"), "nik", "bukan PRR")

    # Recording closed today: refused at Rekam, in words and dates the clerk uses.
    days.add_closure(ctx, service="perekaman", start=TODAY, end=TODAY, reason="Listrik padam")
    refused = post(f"{act}/record")
    expect("desk closed", refused, "date", "Perekaman tutup pada tanggal 27-11-2026")
    assert "Listrik padam" in refused and "buka kembali 30-11-2026" in refused  # Monday

    # The stock forms, as the stock keeper.
    login(client, "stok")
    csrf = csrf_of(client.get("/stok").text)
    receive = {"serials": "KR0200001-KR0200010", "source": "Ditjen", "document": "BA/1"}
    expect("no serials", post("/stok/terima", **{**receive, "serials": " "}), "serials", "wajib")
    expect("backwards", post("/stok/terima", **{**receive, "serials": "KR9-KR1"}), "serials", "")
    expect("known", post("/stok/terima", **{**receive, "serials": "KR0000001"}), "serials", "")
    expect("no source", post("/stok/terima", **{**receive, "source": " "}), "source", "wajib")
    expect("no document", post("/stok/terima", **{**receive, "document": " "}), "document", "")
    # A field the browser left out: the error page names it by its label too.
    left_out = client.post("/stok/terima", data={"csrf": csrf, "serials": "KR1", "source": "X"})
    assert left_out.status_code == 400 and "Nomor dokumen wajib diisi." in left_out.text
    assert "'document'" not in left_out.text
    expect("bad date", post("/stok/terima", **receive, date="32-13-2026"), "date", "tidak sah")
    expect("future", post("/stok/terima", **receive, date="01-12-2026"), "date", "belum terjadi")
    expect("before opening", post("/stok/terima", **receive, date="01-01-2020"), "date", "")
    move = {"from_location": "gudang", "to_location": "loket-1"}
    expect("qty text", post("/stok/pindah", **move, qty="dua"), "qty", "bukan bilangan bulat")
    expect("neither", post("/stok/pindah", **move), "serials", "Isi salah satu")
    expect("zero", post("/stok/pindah", **move, qty="0"), "qty", "lebih dari 0")
    expect("too many", post("/stok/pindah", **move, qty="1.000"), "qty", "tidak cukup")
    expect(
        "same place",
        post("/stok/pindah", from_location="gudang", to_location="gudang", qty="1"),
        "to",
        "tidak boleh sama",
    )
    expect("not there", post("/stok/pindah", **move, serials="KR0000001"), "serials", "")
    expect("other, no note", post("/stok/rusak", serial="KR0000030", reason="lainnya"), "note", "")
    gone = {"serials": "KR0000030", "reason": "dicuri", "document": "LP/1"}
    expect("no reason", post("/stok/hilang", **{**gone, "reason": " "}), "reason", "wajib")
    expect("no report", post("/stok/hilang", **{**gone, "document": " "}), "document", "polisi")
    back = {"serials": "KR0000030", "to": "Ditjen", "document": "BA/2"}
    expect("no receiver", post("/stok/kembali", **{**back, "to": " "}), "to", "wajib")
    expect("no record", post("/stok/kembali", **{**back, "document": " "}), "document", "")
    expect("count neither", post("/stok/opname", location="loket-1"), "counted", "Isi salah satu")
    expect("count negative", post("/stok/opname", location="loket-1", counted="-1"), "counted", "")
    expect("count text", post("/stok/opname", location="loket-1", counted="x"), "counted", "")
    expect(
        "scanned typo",
        post("/stok/opname", location="loket-1", scanned="KR0000001\nKR-2"),
        "serials",
        "Baris 2",
    )
    # A count by quantity that finds 2 cards fewer than the book (19 left at loket-1).
    counted = client.post(
        "/stok/opname", data={"csrf": csrf, "location": "loket-1", "counted": "17"}
    )
    assert counted.status_code == 200 and 'data-testid="count-result"' in counted.text
    count_id = counts.list_counts(ctx)[-1]["count_id"]
    login(client, "kepala")
    csrf = csrf_of(client.get("/stok").text)
    posting = f"/stok/opname/{count_id}/posting"
    expect("post, no reason", post(posting, reason=" "), "reason", "Alasan selisih")
    expect("post a quantity", post(posting, reason="dihitung"), "count_id", "memindai")

    # English: the label of the field and the message itself in English (issue 18, point 3).
    client.get("/bahasa/en")
    login(client, "stok")
    csrf = csrf_of(client.get("/stok").text)
    page = post("/stok/pindah", **move, qty="dua")
    expect("qty text, en", page, "qty", "'dua' is not a whole number")
    assert "Number of blanks" in shown[-1][3] and "bilangan" not in shown[-1][3]
    page = post("/stok/pindah", from_location="gudang", to_location="gudang", qty="1")
    expect("same place, en", page, "to", "The locations from and to cannot be the same.")

    bad = {case: (text, fs) for case, _, field, text in shown if (fs := faults(field, text))}
    print(f"\n{len(shown)} errors shown by the counter and stock forms; {len(bad)} badly worded")
    assert not bad, bad
    assert queries.balance(ctx)["on_hand"] == 99  # one card printed; nothing else written


def test_a_closed_desk_is_said_before_the_step_that_needs_it(client, ctx) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    newcomer = add_resident(ctx, serial=11)
    recorded = add_resident(ctx, serial=12, recorded=date(2020, 1, 6))
    # Recording closed from yesterday to Monday (reopens Tuesday); printing closed with no end.
    days.add_closure(
        ctx,
        service="perekaman",
        start=TODAY - timedelta(days=1),
        end=TODAY + timedelta(days=3),
        reason="Alat rekam diperbaiki",
    )
    login(client, "operator")
    csrf = csrf_of(client.get("/layanan").text)

    # At the first step: the look-up of a resident to record says so, and when it reopens.
    found = client.get(f"/layanan?nik={newcomer}").text
    notice = found.split('data-testid="desk-closed"', 1)[1].split("</p>", 1)[0]
    assert 'data-desk="perekaman"' in notice and 'data-reopens="2026-12-01"' in notice
    assert "Perekaman tutup hari ini" in notice and "Alat rekam diperbaiki" in notice
    assert "1 Desember 2026" in notice and "Permohonan tetap dapat dicatat" in notice
    # A resident already recorded needs printing, which is open: no warning.
    assert 'data-testid="desk-closed"' not in client.get(f"/layanan?nik={recorded}").text

    # Taken all the same (a warning, not a refusal); the service says so in its result too.
    taken = applications.new(ctx, nik=newcomer, type="pemula", documents=KK)
    assert taken["status"] == "diajukan" and taken["desk_closed"] is not None
    assert taken["desk_closed"]["reopens"] == "2026-12-01"
    assert "buka kembali 01-12-2026" in taken["desk_closed"]["message"]
    detail = client.get(f"/layanan/permohonan/{taken['receipt']}").text
    assert 'data-action="record"' in detail.split('data-testid="desk-closed"', 1)[1][:200]
    # Refused at Rekam, with the same reopening day; nothing written.
    r = client.post(
        f"/layanan/permohonan/{taken['receipt']}/record",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 400 and "buka kembali 01-12-2026" in r.text
    assert applications.show(ctx, receipt=taken["receipt"])["status"] == "diajukan"

    # English: the same warning in English.
    client.get("/bahasa/en")
    en = client.get(f"/layanan?nik={newcomer}").text.split('data-testid="desk-closed"', 1)[1]
    assert "closed today" in en.split("</p>", 1)[0] and "reopens" in en.split("</p>", 1)[0]

    # Printing closed with no end date: the work list warns that no reopening is known yet.
    days.add_closure(ctx, service="pencetakan", start=TODAY, reason="Printer rusak")
    client.get("/bahasa/id")
    work = client.get("/layanan/prr").text
    notice = work.split('data-testid="desk-closed"', 1)[1].split("</p>", 1)[0]
    assert 'data-desk="pencetakan"' in notice and 'data-reopens=""' in notice
    assert "belum ada tanggal buka kembali" in notice and "Printer rusak" in notice
    # And the look-up of the recorded resident now warns about printing.
    assert 'data-desk="pencetakan"' in client.get(f"/layanan?nik={recorded}").text


def test_no_warning_when_the_desks_are_open(client, ctx) -> None:  # type: ignore[no-untyped-def]
    nik = add_resident(ctx, serial=21)
    login(client, "operator")
    assert 'data-testid="desk-closed"' not in client.get(f"/layanan?nik={nik}").text
    assert applications.new(ctx, nik=nik, type="pemula", documents=KK)["desk_closed"] is None
