"""The main menu on a phone: at 390 px the head's 15 links fold behind a menu button, so the
header takes at most ~120 px of the first screen instead of some 350; the button is a 44 px
touch target reached with Tab, says whether the menu is open (aria-expanded), opens with
Enter, lets Tab reach every link, and closes with Escape back onto the button. At 1366 px
there is no button and every link shows. Screenshots of both widths go to the artifacts
(menu-390-closed.png, menu-390-open.png, menu-1366.png)."""

from __future__ import annotations

import pytest
from browsing import SHOTS, USER_OF_ROLE, login

pytestmark = pytest.mark.e2e

MAX_HEADER_PX = 120
LINKS = "nav.main a"
ACTIVE_HREF = "() => document.activeElement.getAttribute('href')"


def test_the_menu_folds_behind_a_button_on_a_phone(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="id-ID")
    login(page, server, USER_OF_ROLE["kepala"])
    response = page.goto(server + "/permohonan/1")
    assert response is not None and response.ok
    links = page.locator(LINKS)
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 12, hrefs  # the head's menu is the longest of an office
    toggle = page.locator("[data-menu-toggle]")
    # Closed: the header is short and no link takes room.
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= MAX_HEADER_PX, header
    assert page.locator("nav.main").bounding_box() is None  # not rendered at all
    assert toggle.get_attribute("aria-expanded") == "false"
    box = toggle.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    page.screenshot(path=str(SHOTS / "menu-390-closed.png"))
    # The keyboard: Tab to the button (after the skip link and the brand), Enter opens.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.hasAttribute('data-menu-toggle')"):
            break
    else:
        raise AssertionError("the menu button is not reached with Tab")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    for i, href in enumerate(hrefs):
        link = links.nth(i)
        assert link.is_visible(), href
        r = link.bounding_box()
        assert r is not None and r["x"] >= 0 and r["x"] + r["width"] <= 390, (href, r)
        assert r["height"] >= 44, (href, r)
    reached = []
    for _ in hrefs:
        page.keyboard.press("Tab")
        reached.append(page.evaluate(ACTIVE_HREF))
    assert reached == hrefs
    page.screenshot(path=str(SHOTS / "menu-390-open.png"), full_page=True)
    # Escape closes it and puts the focus back on the button.
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.hasAttribute('data-menu-toggle')")
    assert not links.first.is_visible()
    # A click opens it too (a touch), and the link it follows works.
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and links.last.is_visible()
    # Wide: no button, every link in the header.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server + "/permohonan/1")
    assert not toggle.is_visible()
    assert all(links.nth(i).is_visible() for i in range(len(hrefs)))
    page.screenshot(path=str(SHOTS / "menu-1366.png"))
    page.close()
