"""A long soak of clerks printing at once through the API of a real server (PostgreSQL).

Run from the repository root:

    .venv/bin/python bench/soak.py [--seconds 180] [--clerks 4]

Runs `tests/web/test_soak.py` (uvicorn with two workers on a PostgreSQL database of two
offices, `--clerks` counter operators in threads submitting, recording, readying and
printing applications and consuming blanks from their office's store) for `--seconds`
instead of the test's 45, then checks what the test checks: no errors, every acknowledged
serial consumed in the ledger once, nothing written that was not acknowledged, `verify`
sound and the stock conserved in both offices.

Prints the figures: duration, requests, writes (prints, store consumptions), writes per
second, deliberate refusals, errors, lost, unacknowledged writes, latency; and pytest's
verdict. They go to bench/results/soak.json, pytest's whole output to a log file in the
temporary directory (its path is printed). The PostgreSQL server is the tests' one
(`BLANGKO_TEST_POSTGRES_URL`, default the local server). Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/web/test_soak.py"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=180.0, help="how long the clerks work")
    ap.add_argument("--clerks", type=int, default=4, help="threads, shared out over 2 offices")
    args = ap.parse_args()
    print(f"soak: {args.clerks} clerks for {args.seconds:.0f} s on PostgreSQL", flush=True)
    log = Path(tempfile.gettempdir()) / f"blangko-soak-{int(time.time())}.log"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "soak.json"
        env = {
            **os.environ,
            "BLANGKO_SOAK_SECONDS": str(args.seconds),
            "BLANGKO_SOAK_CLERKS": str(args.clerks),
            "BLANGKO_SOAK_REPORT": str(report),
            "BLANGKO_REQUIRE_POSTGRES": "1",
        }
        cmd = [sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider"]
        started = time.monotonic()
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        wall = time.monotonic() - started
        figures = json.loads(report.read_text()) if report.exists() else {}
    if figures:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"  {key:<{width}}  {value}")
    tail = [line for line in log.read_text().splitlines() if line.strip()][-1:]
    print(f"pytest: {' '.join(tail)} (exit {proc.returncode}, {wall:.0f} s); log {log}")
    figures = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "pytest_exit": proc.returncode,
        "wall_s": round(wall, 1),
        **figures,
    }
    out_file = ROOT / "bench" / "results" / "soak.json"
    out_file.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
