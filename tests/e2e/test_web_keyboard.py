"""The counter flow with the keyboard only (issue 18, point 4): the operator logs in, finds a
resident, takes a first-card application, records it, marks it ready, prints the card and
hands it over, then opens the handover slip, pressing only Tab, the arrow keys, typing and
Enter. No click, no fill, no selector-driven action: each step tabs from where the focus is
to the control it needs, and fails naming the elements it passed when the control cannot be
reached. Every control it stops on shows a focus indicator. The number of Tab presses per
step is printed.
"""

from __future__ import annotations

import pytest
from browsing import COUNTER_NIK, SHOTS

pytestmark = pytest.mark.e2e

MAX_TABS = 60

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {what: 'body', outline: 'none', shadow: 'none'};
  const s = getComputedStyle(el);
  return {what: el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '')
                + ' ' + (el.innerText || el.value || '').trim().slice(0, 30),
          outline: s.outlineStyle, outline_width: s.outlineWidth, shadow: s.boxShadow};
}"""


def tab_to(page, selector: str, presses: dict[str, int], step: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches `selector`; then it must show focus."""
    passed: list[str] = []
    for n in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            focus = page.evaluate(FOCUSED)
            assert focus["outline"] != "none" or focus["shadow"] != "none", (
                f"{step}: {focus['what']} has no visible focus indicator"
            )
            presses[step] = presses.get(step, 0) + n
            return
        passed.append(page.evaluate(FOCUSED)["what"])
    raise AssertionError(f"{step}: {selector} not reached in {MAX_TABS} Tabs: {passed}")


def press_enter_and_wait(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page, value: str, step: str) -> None:  # type: ignore[no-untyped-def]
    """In the focused <select>, ArrowDown until `value` is chosen (a closed select changes
    its choice with the arrow keys)."""
    for _ in range(20):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{step}: option {value} not reached with ArrowDown")


def test_operator_serves_the_counter_with_the_keyboard_only(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    nik = COUNTER_NIK["keyboard"]
    presses: dict[str, int] = {}
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page.goto(f"{server}/login")
    # The user name has the focus when the page opens (autofocus).
    assert page.evaluate("() => document.activeElement.name") == "username"
    page.keyboard.type("operator")
    tab_to(page, "input[name=password]", presses, "log in")
    page.keyboard.type("demo12345")
    press_enter_and_wait(page)
    assert page.url == f"{server}/"

    # The first Tab of a page reaches the skip link, which moves the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip')")
    expect(page.locator("a.skip")).to_be_visible()
    tab_to(page, "nav.main a[href='/layanan']", presses, "menu: Layanan")
    press_enter_and_wait(page)

    tab_to(page, "input[name=nik]", presses, "find the resident")
    page.keyboard.type(nik)
    press_enter_and_wait(page)
    expect(page.get_by_test_id("resident")).to_contain_text("Ratna Tab Uji")

    tab_to(page, "[data-testid=new-application] select[name=type]", presses, "take: type")
    choose(page, "pemula", "take: type")
    tab_to(page, "[data-testid=new-application] input[name=no_kk]", presses, "take: family card")
    page.keyboard.type("1704010101010001")
    tab_to(page, "[data-testid=new-application] button[type=submit]", presses, "take: submit")
    press_enter_and_wait(page)
    expect(page.locator(".flash")).to_contain_text("Permohonan dicatat")
    receipt = page.url.rsplit("/", 1)[1]

    for action, status in (("record", "sudah direkam"), ("ready", "siap cetak (PRR)")):
        tab_to(page, f"form[data-action={action}] button", presses, action)
        press_enter_and_wait(page)
        expect(page.get_by_test_id("app-status")).to_have_text(status)

    tab_to(page, "form[data-action=print] select[name=station]", presses, "print: station")
    choose(page, "loket-1", "print: station")
    tab_to(page, "form[data-action=print] button", presses, "print")
    press_enter_and_wait(page)
    expect(page.get_by_test_id("app-status")).to_have_text("dicetak")
    expect(page.get_by_test_id("app-serial")).to_contain_text("KR")

    # Handed over to the applicant (the choice the form starts with).
    tab_to(page, "form[data-action=collect] button", presses, "hand over")
    press_enter_and_wait(page)
    expect(page.get_by_test_id("app-status")).to_have_text("diserahkan")
    tab_to(page, "[data-testid=handover-slip-link]", presses, "handover slip")
    press_enter_and_wait(page)
    expect(page.get_by_test_id("handover-slip")).to_contain_text(receipt)
    # The slip's print button is reached by Tab too (Enter would open the print dialog).
    tab_to(page, "button[data-print]", presses, "slip: print button")
    page.screenshot(path=str(SHOTS / "19-keyboard-handover-slip.png"), full_page=True)
    print(f"\nTab presses per step: {presses}; {sum(presses.values())} in all")
    page.close()
