"""bench/national.py in its quick mode (40 offices, 10 weeks, no database): the closed loop
still runs every policy at every supply level, its books balance, and our allocation leaves
the fewest residents waiting; so the benchmark cannot rot when the domain changes."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_national", ROOT / "bench/national.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_national"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_bench_national_quick(tmp_path: Path) -> None:
    bench = _bench()
    out = tmp_path / "national.json"
    t0 = time.perf_counter()
    result = bench.main(["--quick", "--out", str(out)])
    assert time.perf_counter() - t0 < 20
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    rows = result["rows"]
    assert {(r["supply"], r["policy"]) for r in rows} == {
        (s, p) for s in (0.70, 0.85, 1.00) for p in bench.POLICIES
    }
    demand = {r["demand"] for r in rows}
    assert len(demand) == 1  # the same residents come under every policy
    for r in rows:
        assert 0 <= r["unmet"] <= r["demand"]
        assert r["central_at_end"] >= 0  # never shipped more than the directorate had
        assert 0 <= r["office_days_out"] <= r["office_days_open"]
        if r["policy"] != "ours":
            assert r["loans"] == 0
    for supply in (0.70, 0.85, 1.00):
        level = {r["policy"]: r for r in rows if r["supply"] == supply}
        best = min(level.values(), key=lambda r: r["avg_waiting"])
        assert best["policy"] == "ours", (supply, {p: r["avg_waiting"] for p, r in level.items()})
    # more supply, fewer residents waiting
    ours = [r["avg_waiting"] for r in rows if r["policy"] == "ours"]
    assert ours == sorted(ours, reverse=True)
