"""A server process leaves the objects it loaded at start-up out of Python's full garbage
collections (`web.app.settle_startup_objects`): `blangko serve` with one process after
making its app, and each process of `serve --workers N` through uvicorn's factory
`served_app`. A full collection otherwise walked about 190.000 start-up objects holding the
interpreter's lock, a 100-135 ms pause of every page under way (bench/README.md, 4
December)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner
from web_helpers import SECRET

import blangko.web.app as web_app
from blangko.cli.main import app as cli


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """uvicorn.run and the settling, recorded in order instead of run; the process's
    objects unfrozen again afterwards."""
    seen: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(("run", app, kw)))
    real = web_app.settle_startup_objects
    monkeypatch.setattr(web_app, "settle_startup_objects", lambda: (seen.append("settle"), real()))
    try:
        yield seen
    finally:
        gc.unfreeze()


def _serve(tmp_path: Path, *extra: str) -> None:
    env = {"BLANGKO_SECRET_KEY": SECRET, "BLANGKO_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    res = CliRunner().invoke(cli, ["serve", "--port", "8765", *extra], env=env)
    assert res.exit_code == 0, (res.output, res.exception)


def test_one_process_settles_its_app_before_it_serves(tmp_path: Path, calls: list[Any]) -> None:
    _serve(tmp_path)
    assert calls[0] == "settle" and calls[1][0] == "run"
    assert isinstance(calls[1][1], FastAPI)
    assert gc.get_freeze_count() > 10_000  # the modules, routes and templates


def test_each_worker_makes_its_app_through_served_app(
    tmp_path: Path, calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `serve --workers` passes its settings to the workers in the environment: put back after.
    for name in ("DATABASE_URL", "DEMO", "FIGURES_REFRESH_SECONDS", "SNAPSHOT_REFRESH_SECONDS"):
        monkeypatch.delenv(f"BLANGKO_{name}", raising=False)
    _serve(tmp_path, "--workers", "2")
    [(what, target, kw)] = calls
    assert what == "run" and target == "blangko.web.app:served_app" and kw["factory"]
    # What a worker runs: the app from the environment `serve` set, then the settling.
    monkeypatch.setenv("BLANGKO_SECRET_KEY", SECRET)
    assert isinstance(web_app.served_app(), FastAPI)
    assert calls[-1] == "settle" and gc.get_freeze_count() > 10_000
