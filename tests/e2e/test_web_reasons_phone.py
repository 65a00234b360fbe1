"""The forecast's reasons for a request, on a phone: each reason is a sentence with its
figure beside it. At 390 px the sentence wraps and the figure (the "Keping" column) is on the
screen; before, each row kept one line, the sentences ran off the screen and the figures could
only be reached by scrolling the table sideways."""

from __future__ import annotations

import pytest
from browsing import SHOTS, USER_OF_ROLE, login

pytestmark = pytest.mark.e2e

WIDTH = 390


def test_every_reason_and_its_figure_fit_a_phone_screen(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": WIDTH, "height": 844}, locale="id-ID")
    login(page, server, USER_OF_ROLE["kepala"])
    response = page.goto(server + "/permohonan/1")
    assert response is not None and response.ok
    rows = page.locator("[data-testid=request-reasons] tbody tr")
    assert rows.count() >= 3  # the demo's request has several reasons
    for i in range(rows.count()):
        for cell in (rows.nth(i).locator("td").first, rows.nth(i).locator("td.n")):
            box = cell.bounding_box()
            assert box is not None, i
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (i, box)
    table = page.locator("[data-testid=request-reasons]").bounding_box()
    region = page.locator("[data-testid=request-reasons]").locator("xpath=..").bounding_box()
    assert table is not None and region is not None
    assert table["width"] <= region["width"] + 1, (table, region)  # nothing to scroll to
    page.locator("[data-testid=request-reasons]").screenshot(
        path=str(SHOTS / "request-reasons-390.png")
    )
    page.close()
