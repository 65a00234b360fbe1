"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
the stock keeper receives a shipment and runs a count with a variance; the public page opens
without log-in. Screenshots go to test-artifacts/screenshots/ (browsing.py: BLANGKO_ARTIFACTS).
The server and the browser are the run's (conftest.py).

Without /usr/bin/chromium these tests are skipped with the reason, except when CI=true,
where they fail: CI must exercise a real browser.
"""

from __future__ import annotations

import re

import pytest
from browsing import COUNTER_NIK, SHOTS
from browsing import login as _login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _shots_dir() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


def test_stock_keeper_receives_and_counts(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page.goto(f"{server}/stok")
    assert "/login" in page.url  # not logged in: sent to the log-in page
    page.screenshot(path=str(SHOTS / "01-login.png"))
    _login(page, server, "stok")
    on_hand_before = page.get_by_test_id("on-hand").inner_text()
    page.screenshot(path=str(SHOTS / "02-dashboard.png"), full_page=True)

    page.click("nav.main >> text=Stok")
    page.fill("textarea[name=serials]", "KR0200001-KR0201000")
    page.fill("input[name=document]", "BA/DUKCAPIL/2026/118")
    page.screenshot(path=str(SHOTS / "03-stock-receive-form.png"), full_page=True)
    page.click("form[data-panel=terima] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Diterima: 1.000 keping")
    page.screenshot(path=str(SHOTS / "04-stock-received.png"), full_page=True)

    # The demo's office-wide count is open: one count, the office's figures, each location.
    demo = page.get_by_test_id("count-1")
    expect(demo).to_contain_text("Seluruh kantor")
    assert [c.inner_text() for c in demo.locator("td.n").all()] == [
        "4.500", "5.200", "0", "700", "+700"
    ]  # fmt: skip
    # Count loket-1 by scanning: all but two of its blanks, one read twice, one stray card.
    page.click(".tabs >> text=Stock opname")
    page.select_option("form[data-panel=opname] select[name=location]", "loket-1")
    page.fill("textarea[name=scanned]", _loket_scan())
    page.click("form[data-panel=opname] button[type=submit]")
    result = page.get_by_test_id("count-result")
    expect(result).to_be_visible()
    assert page.get_by_test_id("variance").inner_text() == "-1"
    page.screenshot(path=str(SHOTS / "05-count-variance.png"), full_page=True)

    page.click("nav.main >> text=Dasbor")
    assert page.get_by_test_id("on-hand").inner_text() != on_hand_before
    # The loket-1 count supersedes the demo's office-wide count as a whole (issue 11): the
    # only open count is loket-1's, and the dashboard adds no stale figure to it.
    assert page.get_by_test_id("open-variance").inner_text() == "-1"
    assert page.get_by_test_id("open-missing").inner_text() == "2"
    assert page.get_by_test_id("open-unexpected").inner_text() == "1"
    page.goto(f"{server}/stok/ledger")
    expect(page.locator("table.entries")).to_contain_text("BA/DUKCAPIL/2026/118")
    page.screenshot(path=str(SHOTS / "06-ledger.png"))
    page.goto(f"{server}/bahasa/en?next=/")
    expect(page.locator("h1")).to_contain_text("Dashboard")
    page.screenshot(path=str(SHOTS / "07-dashboard-en.png"), full_page=True)
    page.close()


def test_head_voids_the_count_that_will_not_be_posted(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    _login(page, server, "kepala")
    page.click("nav.main >> text=Stok")
    opened = page.locator("table.counts tr[data-testid^=count-]")
    expect(opened).to_have_count(1)  # loket-1's; the office-wide #1 was superseded
    count_id = opened.get_attribute("data-testid").split("-", 1)[1]
    page.screenshot(path=str(SHOTS / "05b-stock-head-counts.png"), full_page=True)
    form = page.locator(f"form[action='/stok/opname/{count_id}/batal']")
    form.locator("input[name=reason]").fill("kartu asing KR0999999 diperiksa dulu")
    form.locator("button").click()
    expect(page.locator(".flash")).to_contain_text(f"Stock opname #{count_id} dibatalkan")
    expect(page.locator("table.counts")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("kartu asing KR0999999 diperiksa dulu")
    expect(page.locator("main")).to_contain_text("digantikan oleh #" + count_id)
    page.screenshot(path=str(SHOTS / "05c-stock-count-voided.png"), full_page=True)
    page.close()


def _loket_scan() -> str:
    """What a scanner reads at loket-1: every available serial but the last two, one of them
    read twice, and one card that is not on the books: a variance of -1."""
    return _LOKET["text"]


_LOKET: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _prepare_loket_scan(server: str) -> None:
    import httpx

    base = server
    tok = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "stok", "password": "demo12345"}
    ).json()["access_token"]
    h = {"Authorization": f"Bearer {tok}"}
    from blangko.domain.serials import expand, parse_ranges

    entries = httpx.get(f"{base}/api/v1/stock/ledger?limit=1000", headers=h).json()["items"]
    held: set[str] = set()
    for e in entries:  # replay serials into and out of loket-1
        s = set(expand(parse_ranges(e["serials"])))
        if e["to_location"] == "loket-1" and e["kind"] in ("transfer", "receive", "found"):
            held |= s
        if e["from_location"] == "loket-1":
            held -= s
    ordered = sorted(held)
    assert len(ordered) > 3, "demo should leave blanks at loket-1"
    scan = ordered[:-2] + [ordered[0], "KR0999999"]
    _LOKET["text"] = "\n".join(scan)


def test_auditor_verifies(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    _login(page, server, "auditor")
    page.click("nav.main >> text=Audit")
    page.click("text=Verifikasi sekarang")
    expect(page.get_by_test_id("verify-result")).to_contain_text("Utuh")
    page.screenshot(path=str(SHOTS / "08-audit-verify.png"))
    page.close()


def test_public_page_on_a_phone_without_login(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="id-ID"
    )
    page = ctx.new_page()
    page.goto(f"{server}/status")
    assert page.url.endswith("/status")
    expect(page.locator("h1")).to_contain_text("Status layanan e-KTP")
    expect(page.locator(".tiles")).to_contain_text("Persediaan blangko")
    assert "keping" not in page.locator(".tiles").inner_text()  # no figures in public
    page.screenshot(path=str(SHOTS / "09-status-phone.png"), full_page=True)
    ctx.close()


def test_operator_takes_an_application_from_new_to_collected(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    nik = COUNTER_NIK["nik"]
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    _login(page, server, "operator")
    page.click("nav.main >> text=Layanan")
    page.fill("input[name=nik]", nik)
    page.click("form.inline-form button[type=submit]")
    expect(page.get_by_test_id("resident")).to_contain_text("Sri Wahyuni Uji")
    page.select_option("select[name=type]", "pemula")
    page.fill("input[name=no_kk]", "1704010101010001")  # the family card a first card needs
    page.screenshot(path=str(SHOTS / "10-service-resident.png"), full_page=True)
    page.click("[data-testid=new-application] button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Permohonan dicatat")
    receipt = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("app-status")).to_have_text("diajukan")
    page.screenshot(path=str(SHOTS / "11-application-new.png"), full_page=True)
    # The receipt slip: Kaur's letterhead, the masked NIK, where to check the status.
    page.click("[data-testid=slip-link]")
    expect(page.get_by_test_id("slip")).to_contain_text("TANDA TERIMA PERMOHONAN")
    expect(page.get_by_test_id("slip-status")).to_contain_text(f"/status?resi={receipt}")
    expect(page.get_by_test_id("slip")).to_contain_text("Bintuhan")
    assert nik not in page.content()
    page.screenshot(path=str(SHOTS / "11b-application-slip.png"), full_page=True)
    page.go_back()
    page.click("form[data-action=record] button")
    expect(page.get_by_test_id("app-status")).to_have_text("sudah direkam")
    page.click("form[data-action=ready] button")
    expect(page.get_by_test_id("app-status")).to_have_text("siap cetak (PRR)")
    page.goto(f"{server}/layanan")
    expect(page.get_by_test_id("print-queue")).to_contain_text(receipt)
    page.screenshot(path=str(SHOTS / "12-service-queue.png"), full_page=True)
    page.click(f"[data-testid=print-queue] >> text={receipt}")
    page.select_option("form[data-action=print] select[name=station]", "loket-1")
    page.click("form[data-action=print] button")
    expect(page.get_by_test_id("app-status")).to_have_text("dicetak")
    expect(page.get_by_test_id("app-serial")).to_contain_text("KR")
    page.screenshot(path=str(SHOTS / "13-application-printed.png"), full_page=True)
    # Collected by a proxy with a power of attorney.
    page.check("form[data-action=collect] input[value=kuasa]")
    page.fill("form[data-action=collect] input[name=proxy_nik]", "1704015203850002")
    page.fill("form[data-action=collect] input[name=proxy_name]", "Rina Uji")
    page.fill("form[data-action=collect] input[name=power_of_attorney]", "Surat kuasa bermeterai")
    page.click("form[data-action=collect] button")
    expect(page.get_by_test_id("app-status")).to_have_text("diserahkan")
    expect(page.get_by_test_id("app-events")).to_contain_text("Serahkan")
    expect(page.get_by_test_id("handover")).to_contain_text("Rina Uji")
    page.screenshot(path=str(SHOTS / "14-application-collected.png"), full_page=True)
    page.click("[data-testid=handover-slip-link]")
    expect(page.get_by_test_id("handover-by")).to_contain_text("kuasa")
    page.screenshot(path=str(SHOTS / "14b-handover-slip.png"), full_page=True)
    # The public page tells the resident the card was handed over, by receipt only.
    page.goto(f"{server}/status?resi={receipt}")
    expect(page.locator("main")).to_contain_text("diserahkan")
    assert nik not in page.content()
    page.close()


def test_head_sees_outlook_coverage_and_keeps_the_agenda(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    _login(page, server, "kepala")
    expect(page.get_by_test_id("forecast")).to_contain_text("Usulan permintaan")
    expect(page.get_by_test_id("dash-coverage")).to_contain_text("%")
    expect(page.get_by_test_id("next-event")).to_contain_text("Pilkades")
    # The fan chart is an image drawn by the server: it must have loaded (natural width > 0).
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=forecast-chart]');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=30000,
    )
    page.screenshot(path=str(SHOTS / "15-dashboard-head.png"), full_page=True)
    # The request letter: a form with the recommendation beside it; the head sets the quantity.
    page.click("[data-testid=request-letter]")
    expect(page.get_by_test_id("request-form")).to_be_visible()
    page.fill("[data-testid=request-form] input[name=quantity]", "2000")
    page.fill("[data-testid=request-form] textarea[name=reason]", "Menjelang Pilkades serentak")
    with page.expect_download() as dl:
        page.click("[data-testid=request-form] button[type=submit]")
    assert dl.value.suggested_filename.endswith(".pdf")
    page.goto(f"{server}/")

    page.click("nav.main >> text=Cakupan")
    expect(page.get_by_test_id("coverage-table")).to_contain_text("Kinal")
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=coverage-chart]');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=30000,
    )
    page.screenshot(path=str(SHOTS / "16-coverage.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("[data-testid=gaps-all]")
    assert dl.value.suggested_filename.endswith(".xlsx")

    page.click("nav.main >> text=Agenda")
    # Date fields show and take the app's format, dd-mm-yyyy, whatever the browser's locale
    # (Chromium's own date input would show mm/dd/yyyy here).
    start = page.locator("input[name=start]")
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", start.input_value()), start.input_value()
    assert start.get_attribute("placeholder") == "hh-bb-tttt"
    page.fill("[data-testid=event-form] input[name=name]", "Pilkada Kaur 2027")
    page.fill("[data-testid=event-form] input[name=date]", "15-09-2027")
    page.select_option("[data-testid=event-form] select[name=kind]", "pilkada")
    page.check("[data-testid=event-form] input[name=all_villages]")
    page.screenshot(path=str(SHOTS / "17-agenda.png"), full_page=True)
    page.click("[data-testid=event-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Pilkada Kaur 2027")
    expect(page.locator("h1")).to_contain_text("15 September 2027")  # read as dd-mm-yyyy
    assert int(page.get_by_test_id("extra-blanks").inner_text().replace(".", "")) > 0
    page.screenshot(path=str(SHOTS / "18-event-impact.png"), full_page=True)
    page.close()


def test_pages_and_api_docs_run_under_the_content_security_policy(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """The policy allows scripts from our own files only: the pages' script still switches
    the stock tabs, Swagger UI still starts, the charts show, and Chromium reports no
    violation anywhere."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _login(page, server, "kepala")
    expect(page.locator("img[src='/grafik/stok.svg']")).to_be_visible()
    assert page.evaluate("document.querySelector(\"img[src='/grafik/stok.svg']\").naturalWidth") > 0
    page.goto(f"{server}/cakupan")
    page.goto(f"{server}/stok")
    tabs = page.locator(".tabs a[data-tab]")
    if tabs.count() > 1:
        second = tabs.nth(1)
        key = second.get_attribute("data-tab")
        second.click()
        expect(page.locator(f".tabpanel[data-panel='{key}']")).to_be_visible()
        assert page.url.endswith(f"?tab={key}")  # switched by the script, not reloaded
    page.goto(f"{server}/api/docs")
    # Swagger UI ran (it draws its own root inside #swagger-ui). Whether this Swagger UI (4.x)
    # can render FastAPI's OpenAPI 3.1 document is another matter, not the policy's.
    expect(page.locator("#swagger-ui .swagger-ui").first).to_be_visible(timeout=15000)
    assert not violations, violations
    page.close()
