"""A long random exploration of the ledger property test, outside the normal suite.

Run from the repository root:

    .venv/bin/python bench/explore_ledger.py [--examples 500] [--seed N]
        [--backend sqlite|postgres|both] [--budget SECONDS]

Runs `tests/integration/test_ledger_properties.py::test_explore_random_operations` (marker
`explore`, deselected in normal runs) with that many Hypothesis examples per backend, in
rounds of at most 350 on a fresh database each. The seed is drawn at random unless given and
is printed first: `--seed N` with the same code draws the same sequences again. A failing
example also prints an `@reproduce_failure(...)` line (see the test module's docstring).
With --budget, pytest is interrupted (Ctrl-C) when the time is up and the figures cover the
examples that ran until then.

Prints, per backend: examples run, operations that succeeded and that were refused (by error
code), cards recovered by counts, time; then the failures, if any. Exit status: pytest's.
The figures go to bench/results/explore-ledger.json, pytest's whole output to a log file in
the temporary directory (its path is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/integration/test_ledger_properties.py::test_explore_random_operations"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=500, help="examples per backend")
    ap.add_argument("--seed", type=int, default=None, help="default: a random one")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--budget", type=float, default=None, help="seconds; default: no limit")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1, 1_000_000)
    marks = {"sqlite": "explore and not postgres", "postgres": "explore and postgres"}
    mark = marks.get(args.backend, "explore")
    print(f"seed {seed}, {args.examples} examples per backend ({args.backend})", flush=True)

    log = Path(tempfile.gettempdir()) / f"blangko-explore-ledger-{seed}.log"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.jsonl"
        env = {
            **os.environ,
            "BLANGKO_EXPLORE_EXAMPLES": str(args.examples),
            "BLANGKO_EXPLORE_SEED": str(seed),
            "BLANGKO_EXPLORE_REPORT": str(report),
        }
        cmd = [sys.executable, "-m", "pytest", TEST, "-m", mark, "-q", "-p", "no:cacheprovider"]
        started = time.monotonic()
        interrupted = False
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                proc.wait(timeout=args.budget)
            except subprocess.TimeoutExpired:
                interrupted = True
                proc.send_signal(signal.SIGINT)  # the running round still reports its figures
                try:
                    proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        wall = time.monotonic() - started
        lines = report.read_text().splitlines() if report.exists() else []
        rounds = [json.loads(line) for line in lines]

    by_backend: dict[str, Counter[str]] = {}
    seconds: Counter[str] = Counter()
    failures = []
    for r in rounds:
        by_backend.setdefault(r["backend"], Counter()).update(r["tally"])
        seconds[r["backend"]] += r["seconds"]
        if "failure" in r:
            failures.append(r)
    for backend, tally in by_backend.items():
        refused = sorted(
            ((k.removeprefix("refused "), n) for k, n in tally.items() if k.startswith("refused ")),
            key=lambda kv: -kv[1],
        )
        ok = sorted(
            ((k.removeprefix("ok "), n) for k, n in tally.items() if k.startswith("ok ")),
            key=lambda kv: -kv[1],
        )
        print(
            f"{backend}: {tally['examples']} examples run ({tally['examples started']} started, "
            f"{tally['steps']} steps) in {seconds[backend]:.0f} s; ok {tally['ok']}, "
            f"refused {tally['refused']}; cards recovered {tally['cards recovered']}"
        )
        print("  ok:      " + ", ".join(f"{k} {n}" for k, n in ok))
        print("  refused: " + ", ".join(f"{k} {n}" for k, n in refused))
    for r in failures:
        print(f"FAILED {r['backend']} round {r['round']} (seed {r['seed']}): {r['failure']}")
    if interrupted:
        cut = [f"{r['backend']} round {r['round']}" for r in rounds if r.get("interrupted")]
        print(f"out of time after {args.budget:.0f} s: interrupted {', '.join(cut) or '-'}")
    tail = [line for line in log.read_text().splitlines() if line.strip()][-1:]
    print(f"pytest: {' '.join(tail)} (exit {proc.returncode}, {wall:.0f} s); log {log}")
    figures = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seed": seed,
        "examples_per_backend": args.examples,
        "pytest_exit": proc.returncode,
        "interrupted": interrupted,
        "seconds": round(wall, 1),
        "by_backend": {b: dict(sorted(t.items())) for b, t in by_backend.items()},
        "rounds": rounds,
    }
    out = ROOT / "bench" / "results" / "explore-ledger.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
