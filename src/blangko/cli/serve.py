"""`blangko serve`: the web application with uvicorn."""

from __future__ import annotations

import logging
import re
from typing import Annotated

import typer

from blangko.cli import state
from blangko.cli.output import console
from blangko.demo import story
from blangko.services.admin import setup, users

# A NIK (16 digits) must never reach a log, even inside a query string of an access line.
_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


class MaskNik(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _NIK.sub(r"\1********\2", a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if isinstance(record.msg, str):
            record.msg = _NIK.sub(r"\1********\2", record.msg)
        return True


def serve(
    host: Annotated[str, typer.Option("--host", help="Alamat yang didengarkan.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Bangun kantor demo (Kaur, 17.04) dan akun demo per peran, lalu jalankan.",
        ),
    ] = False,
) -> None:
    """Jalankan halaman web dan API JSON (uvicorn)."""
    # Lazy on purpose: only this command runs a server. The web app (FastAPI, matplotlib:
    # ~0.7 s) and uvicorn would otherwise load on every command; tests/unit/test_layers.py
    # lists both among the modules allowed to load inside a function.
    import uvicorn

    from blangko.web.app import check_secret, create_app

    settings = state.settings()
    if demo:
        settings = settings.model_copy(update={"demo": True})
    check_secret(settings)
    ctx = state.context()
    if settings.demo:
        story.build(ctx, progress=console.print)
        accounts = users.ensure_demo_users(ctx)
    else:
        setup.init(ctx)
        accounts = []
    app = create_app(ctx, settings=settings)
    for name in ("uvicorn.access", "uvicorn.error", "blangko.web"):
        logging.getLogger(name).addFilter(MaskNik())
    console.print(f"blangko berjalan di http://{host}:{port}/  (masuk: http://{host}:{port}/login)")
    console.print(
        f"Status publik: http://{host}:{port}/status · API: http://{host}:{port}/api/docs"
    )
    if accounts:
        names = ", ".join(f"{a['username']} ({a['role']})" for a in accounts)
        console.print(f"Akun demo: {names}; kata sandi: {accounts[0]['password']}")
    uvicorn.run(app, host=host, port=port, log_level="info")
