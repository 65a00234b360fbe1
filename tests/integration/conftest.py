"""Fixtures shared by the integration tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class BuiltDemo:
    """`blangko demo` run once on a fresh SQLite file: what it printed, and the file as it
    left it (a test copies it before it writes or reads: `copy_to`)."""

    stdout: str
    stderr: str
    returncode: int
    path: Path

    def copy_to(self, folder: Path) -> str:
        """A copy of the demo's database in `folder`: its SQLite URL."""
        copy = folder / "demo.db"
        for suffix in ("", "-wal"):  # with the write-ahead log, if the command left one
            if Path(f"{self.path}{suffix}").exists():
                shutil.copy(f"{self.path}{suffix}", f"{copy}{suffix}")
        return f"sqlite:///{copy}"


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    """The demo as a clerk builds it (`blangko demo`, a fresh interpreter, real clock), once
    for the run: the CLI's own test checks what it printed and wrote, and the 80-column test
    prints the read commands on it (building the demo took 1-2 minutes each time on a loaded
    2-core machine)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "blangko", "--db", f"sqlite:///{path}", "demo"],
        capture_output=True,
        text=True,
        timeout=600,  # a safety net, not a speed check: the demo takes minutes on a loaded machine
        env={**os.environ, "COLUMNS": "200"},
    )
    return BuiltDemo(done.stdout, done.stderr, done.returncode, path)
