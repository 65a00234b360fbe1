"""mypy over the whole of src/ (the [tool.mypy] section of pyproject.toml: every module, the
pydantic plugin), as part of the test run: a type error fails the suite like a failing test.

The typed results (TypedDicts of the services) are only worth their keys if something checks
them; this is that check. mypy keeps its cache in .mypy_cache, so a run after a small change
takes a few seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The config's paths (files = ["src/blangko"]) are relative to the project root.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("MYPYPATH", raising=False)
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", "--no-pretty"]
    )
    report = "\n".join(part for part in (stdout, stderr) if part.strip())
    assert status == 0, f"mypy found errors:\n{report}"
    assert os.path.isdir(ROOT / ".mypy_cache")
