"""The national and province pages in a browser (issue 14, point 2), at 360, 768 and 1366 px,
with the checks of test_web_layout.py (no sideways scroll of the page, touch targets, axe at
360 px), on a database of their own: the directorate and offices of two provinces, their
snapshots computed, read by a head of the directorate and by a province's head. The tile
grid is a link per province; following one opens that province's page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from browsing import need_chromium, working_day_clock
from test_web_layout import HEIGHT, SHOT_WIDTH, WIDTHS, Walk, check_accessibility, check_width

from blangko.adapters.db import make_engine
from blangko.services.admin import setup, users
from blangko.services.context import Context
from blangko.services.network import organisation, snapshots
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import create_app

pytestmark = pytest.mark.e2e
PASSWORD = "rahasia-uji-nasional-123"


def _network(ctx: Context) -> None:
    setup.init(ctx, directorate=True)
    start = ctx.today() - timedelta(days=60)
    for code, prefix in (("17.04", "KA"), ("17.01", "KB"), ("16.01", "KC"), ("11.01", "KD")):
        setup.create_office(ctx, code=code)
        if code == "17.01":
            continue
        writes.record_opening(
            ctx, serials=f"{prefix}0000001-{prefix}0000200", effective=start, office=code
        )
        for i in range(10):
            writes.consume(
                ctx,
                qty=3,
                location="gudang",
                service="hilang",
                effective=start + timedelta(days=5 * i + 1),
                office=code,
            )
    snapshots.run(ctx)
    for name, role, office, province in (
        ("kepala_pusat", "kepala", organisation.DIRECTORATE_CODE, None),
        ("kepala_prov", "kepala", None, "17"),
    ):
        users.add_user(
            ctx,
            scope=users.MACHINE,
            username=name,
            role=role,
            password=PASSWORD,
            office=office,
            province=province,
        )


@pytest.fixture(scope="module")
def network_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    import uvicorn

    db = tmp_path_factory.mktemp("e2e-national") / "network.db"
    ctx = Context(make_engine(f"sqlite:///{db}"), clock=working_day_clock())
    _network(ctx)
    app = create_app(ctx, settings=Settings(demo=True))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started:
        assert time.time() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def _login(page, base: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_the_national_and_province_pages_fit_every_width(network_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    base = network_server
    axe = Axe()
    walk = Walk(base)
    for user, paths in (
        (
            "kepala_pusat",
            (
                "/nasional",
                "/nasional?risk=habis",
                "/nasional/alokasi",
                "/provinsi/17",
                "/provinsi/16",
            ),
        ),
        ("kepala_prov", ("/provinsi/17",)),
    ):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
        page = context.new_page()
        _login(page, base, user)
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.ok, (user, path, response and response.status)
            walk.pages += 1
            for width in (*WIDTHS, SHOT_WIDTH):
                check_width(walk, page, user, path, width)
                if width == 360:
                    check_accessibility(walk, axe, page, user, path)
        if user == "kepala_pusat":
            # The tile of province 17 leads to its page.
            page.goto(base + "/nasional")
            page.click('a[data-tile="17"]')
            page.wait_for_url(f"{base}/provinsi/17")
            assert page.locator('[data-office-row="17.04"]').count() == 1
        else:
            assert page.goto(base + "/provinsi/16").status == 404
            assert page.goto(base + "/nasional").status == 403
        context.close()
    assert not walk.problems, "\n".join(walk.problems)
