"""One demo server and one headless Chromium for every browser test of the run (the demo
takes some 13 s to build; each test opens its own pages or contexts on them).

The server runs the demo office on the latest working day, with two residents prepared for
the counter (never recorded, recording open again): `COUNTER_NIK["nik"]` for the mouse test
and `COUNTER_NIK["keyboard"]` for the keyboard-only one. `DEMO` holds ids that pages are
opened with (browsing.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, COUNTER_NIK, DEMO, need_chromium, working_day_clock
from sqlalchemy import select

from blangko.adapters import tables_residents as tr
from blangko.adapters.db import make_engine
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_events import event
from blangko.demo import story
from blangko.domain.nik import build_nik
from blangko.services.admin import users
from blangko.services.calendar import days
from blangko.services.context import Context
from blangko.settings import Settings
from blangko.web.app import create_app


def _prepare_counter(ctx: Context) -> None:
    """Residents who have never been recorded, and recording open again: the demo keeps
    recording closed (PPKM), so the head reopens it as of today."""
    for key, name, seq in (("nik", "Sri Wahyuni Uji", 9871), ("keyboard", "Ratna Tab Uji", 9872)):
        nik = build_nik("17.04.01", date(1995, 8, 17), "P", seq)
        with ctx.write_plain() as conn:
            conn.execute(
                tr.resident.insert().values(
                    nik=nik,
                    office_code="17.04",
                    nama=name,
                    jenis_kelamin="P",
                    tanggal_lahir=date(1995, 8, 17),
                    status_kawin="BELUM KAWIN",
                    kode_desa="17.04.01.2001",
                    kode_kecamatan="17.04.01",
                    status="HIDUP",
                    updated_at=ctx.now(),
                )
            )
        COUNTER_NIK[key] = nik
    for c in days.list_closures(ctx, active_on=ctx.today()):
        days.end_closure(ctx, closure_id=c["id"], reopen=ctx.today())


def _look_up_demo_ids(ctx: Context) -> None:
    with ctx.engine.connect() as conn:
        DEMO["collected_receipt"] = (
            conn.execute(
                select(application.c.receipt)
                .where(application.c.status == "diserahkan")
                .order_by(application.c.id)
            )
            .scalars()
            .first()
        )
        DEMO["collected_serial"] = conn.execute(
            select(application.c.serial).where(application.c.receipt == DEMO["collected_receipt"])
        ).scalar_one()
        DEMO["event_id"] = (
            conn.execute(select(event.c.id).order_by(event.c.event_date.desc())).scalars().first()
        )
        # An adult who has never applied and is not recorded: the counter's new-application form.
        DEMO["unrecorded_nik"] = (
            conn.execute(
                select(tr.resident.c.nik)
                .where(
                    tr.resident.c.office_code == "17.04",
                    tr.resident.c.status == "HIDUP",
                    tr.resident.c.tanggal_rekam.is_(None),
                    tr.resident.c.tanggal_lahir < date(1990, 1, 1),
                    tr.resident.c.nik.not_in(select(application.c.nik)),
                )
                .order_by(tr.resident.c.nik)
            )
            .scalars()
            .first()
        )
    assert all(DEMO.values()), DEMO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    import uvicorn

    db = tmp_path_factory.mktemp("e2e") / "demo.db"
    ctx = Context(make_engine(f"sqlite:///{db}"), clock=working_day_clock())
    story.build(ctx)
    users.ensure_demo_users(ctx)
    _prepare_counter(ctx)
    _look_up_demo_ids(ctx)
    app = create_app(ctx, settings=Settings(demo=True))
    port = _free_port()
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


@pytest.fixture(scope="session")
def browser(server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
