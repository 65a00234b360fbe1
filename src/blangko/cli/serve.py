"""`blangko serve`: the web application with uvicorn."""

from __future__ import annotations

import os
import threading
from typing import Annotated

import typer
from rich.console import Console

from blangko.cli import state
from blangko.cli.output import console
from blangko.demo import story
from blangko.services import figures
from blangko.services.admin import setup, users
from blangko.services.admin.users import DemoUser

# Seconds between two background rounds of the stored figures when the settings name none.
SERVE_REFRESH_SECONDS = 10.0
# Seconds between two rounds of the office snapshots (the national and province view) when
# the settings name none (BLANGKO_SNAPSHOT_REFRESH_SECONDS).
SERVE_SNAPSHOT_SECONDS = 300.0


def serve(
    host: Annotated[str, typer.Option("--host", help="Alamat yang didengarkan.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Bangun kantor demo (Kaur, 17.04) dalam jaringan demo dan akun demo, lalu "
            "jalankan.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help="Jumlah proses server (uvicorn). Lebih dari 1: pekerjaan latar (angka "
            "tersimpan, snapshot kantor) berjalan di proses induk saja, sekali. Untuk "
            "PostgreSQL.",
        ),
    ] = 1,
) -> None:
    """Jalankan halaman web dan API JSON (uvicorn)."""
    # Lazy on purpose: only this command runs a server. The web app (FastAPI and the pages:
    # ~0.6 s) and uvicorn would otherwise load on every command; tests/unit/test_layers.py
    # lists both among the modules allowed to load inside a function.
    import uvicorn

    from blangko.web.app import (
        check_secret,
        create_app,
        draw_charts,
        settle_startup_objects,
        start_background,
        stop_background,
    )

    settings = state.settings()
    if demo:
        settings = settings.model_copy(update={"demo": True})
    if not settings.figures_refresh_seconds:
        # The server computes stored figures in the background (services.figures.refresh).
        settings = settings.model_copy(update={"figures_refresh_seconds": SERVE_REFRESH_SECONDS})
    if not settings.snapshot_refresh_seconds:
        # And today's office snapshots (services.network.snapshots.refresh).
        settings = settings.model_copy(update={"snapshot_refresh_seconds": SERVE_SNAPSHOT_SECONDS})
    check_secret(settings)  # before the demo or migrations touch the database
    ctx = state.context()
    computed: list[str] = []
    if settings.demo:
        story.build(ctx, progress=console.print)
        accounts = users.ensure_demo_users(ctx)
        # The demo's figures computed before it answers: its first dashboard right after
        # log-in reads them stored instead of waiting for the background's first round.
        computed = figures.refresh(ctx)
    else:
        setup.init(ctx)
        accounts = []
    # create_app checks the secret again, masks NIKs in the logs and adds the security
    # headers: the same protections as `uvicorn --factory blangko.web.app:create_app`.
    for office in sorted({done.split(" ", 1)[0] for done in computed}):
        draw_charts(ctx, office)
    print_banner(host, port, accounts)
    if workers == 1:
        app = create_app(ctx, settings=settings)
        settle_startup_objects()
        uvicorn.run(app, host=host, port=port, log_level="info")
        return
    # Several processes: each worker builds its app from the environment (uvicorn imports
    # it by name), with the settings of this command and no background thread of its own;
    # the background jobs run here, in the supervisor, once for all of them (two processes
    # computing the same snapshots or figures would only do the work twice).
    os.environ.update(
        {
            "BLANGKO_DATABASE_URL": settings.resolved_database_url(),
            "BLANGKO_DEMO": "true" if settings.demo else "false",
            "BLANGKO_FIGURES_REFRESH_SECONDS": "0",
            "BLANGKO_SNAPSHOT_REFRESH_SECONDS": "0",
        }
    )
    stop = threading.Event()
    jobs = start_background(
        ctx, settings.figures_refresh_seconds, settings.snapshot_refresh_seconds, stop
    )
    try:
        uvicorn.run(
            "blangko.web.app:served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    finally:
        stop_background(jobs, stop)


def print_banner(host: str, port: int, accounts: list[DemoUser], out: Console = console) -> None:
    """Where the server answers: one address a line, never broken (a terminal narrower than
    an address shows it on two rows, but it is still one line to copy or click)."""
    base = f"http://{host}:{port}"
    out.print("blangko berjalan:", highlight=False)
    for label, path in (
        ("Halaman web", "/"),
        ("Masuk", "/login"),
        ("Status publik", "/status"),
        ("API", "/api/docs"),
    ):
        out.print(f"  {label:<15}{base}{path}", highlight=False, soft_wrap=True)
    if accounts:
        names = ", ".join(
            f"{a['username']} ({a['role']}" + (f", {a['scope']})" if "scope" in a else ")")
            for a in accounts
        )
        out.print(f"Akun demo: {names}; kata sandi: {accounts[0]['password']}", highlight=False)
