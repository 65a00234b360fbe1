"""bench/web.py in a tiny mode (a small office on SQLite, one walk per client, one print and
one import): it still starts the server, walks every page, chart and download of the app as
the roles allowed, and prints its tables; so the benchmark cannot rot when pages change."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from blangko.settings import Settings
from blangko.web.app import api_routes, create_app
from blangko.web.reports import OFFICE_REPORTS, STOCK_REPORTS

ROOT = Path(__file__).resolve().parents[2]
# The routes the bench leaves out, each with its reason there (bench/web.py, SKIPPED): the
# national and province view is not the office's roles' to walk.
NOT_WALKED = {
    "page.lang",
    "page.national",
    "page.national.export",
    "page.province",
    "page.province.export",
    "page.national.allocation",
}


def _page_paths(tmp_path: Path) -> list[str]:
    """Every GET page, chart and download of the app, as bench/web.py labels them."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/r.db", secret_key="k" * 32))
    out = []
    for r in api_routes(app):
        if "GET" not in r.methods or r.path.startswith("/api/") or r.name in NOT_WALKED:
            continue
        if r.name == "page.report.stock":
            out += [f"/laporan/stok/{n}?" for n in STOCK_REPORTS]
        elif r.name == "page.report.office":
            out += [f"/laporan/kantor/{n}?" for n in OFFICE_REPORTS]
        else:
            out.append(r.path)
    return out


def test_the_bench_leaves_out_only_what_this_test_knows() -> None:
    text = (ROOT / "bench" / "web.py").read_text()
    block = text.split("SKIPPED = {", 1)[1].split("}", 1)[0]
    assert set(re.findall(r'"([\w.]+)"', block)) == NOT_WALKED


def test_bench_web_tiny_run(tmp_path: Path) -> None:
    out_json = tmp_path / "web.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        sys.executable,
        "bench/web.py",
        "--office",
        "small",
        "--residents",
        "600",
        "--db",
        "sqlite",
        "--clients",
        "5",
        "--rounds",
        "1",
        "--think",  # the open-load mode: each client pauses between its pages
        "0.05",
        "--first-views",
        "1",
        "--timeout",
        "300",
        "--json",
        str(out_json),
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = proc.stdout
    assert "5 clients, thinking 0.05 s on average between pages, 1 server process(es)" in text
    assert (
        "| page | kind | roles | n | p50 ms | p95 ms | p99 ms | max ms | req/s | errors |" in text
    )
    assert re.search(r"\| `/status` \| baseline \| public \| \d+", text)
    first_view_table = text.split("First view after a change", 1)[1]
    load_table = text.split("First view after a change", 1)[0]
    for path in _page_paths(tmp_path):
        assert f"`{path}" in first_view_table, f"{path} missing from the first views"
    figures = json.loads(out_json.read_text())
    walked = {row["page"] for row in figures["pages"]}
    public = {"/status", "/login"}  # the baseline, and the log-in form (no staff role)
    for row in figures["first_views"]:  # every staff page and chart is under load too
        if row["kind"] != "file" and row["page"] not in public:
            assert row["page"] in walked, row["page"]
            assert f"`{row['page']}`" in load_table, row["page"]
    assert all(row["errors"] == 0 for row in figures["pages"]), figures["error_examples"]
    assert all(row["n"] > 0 for row in figures["pages"])
    fresh = figures["freshness"]
    assert fresh["violations"] == [], fresh["violations"]
    assert fresh["checks"] >= 2 and len(fresh["imports_s"]) >= 1
    assert {row["role"] for row in figures["logins"]} == {
        "admin",
        "kepala",
        "operator",
        "pengelola_stok",
        "auditor",
    }
    assert all(row["cold_ms"] > 0 for row in figures["logins"])
