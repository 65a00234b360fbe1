"""A PDF report with a chart, rendered by two checkouts side by side: the first render in a
fresh process (imports included) and the warm renders after it (issue 17: "first view after
a change < 1 s"; the PDF charts were matplotlib PNGs, now reportlab drawings).

    PYTHONPATH=src .venv/bin/python bench/pdf_charts.py --before <old checkout>/src \\
        [--after src] [--cold 3] [--warm 5]

The old code needs matplotlib (`pip install -e '.[bench]'`). Each side runs in its own
processes (`PYTHONPATH=<its src>`), only through the public `blangko.adapters.reports`
(`Report`, `Chart`, `Series`, `Table`, `render_bytes`), so any checkout since the reports
package will do. The report: the usage report's shape, a month of days (30 bars of use and
the stock line on a right axis) over a daily table of 30 rows; and the same report without
its chart, so the chart's own share shows. Cold: `--cold` fresh processes, the median of the
time from `import blangko.adapters.reports` to the first PDF's bytes. Warm: in one process,
after one untimed render, the median of `--warm` renders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Runs in the measured process: stdlib and blangko only.
CHILD = r"""
import json, statistics, sys, time
t0 = time.perf_counter()
from datetime import date, timedelta
from blangko.adapters.reports import Chart, Column, Report, Series, Table, render_bytes

n = 30
days = [date(2026, 11, 1) + timedelta(days=i) for i in range(n)]
used = [(i * 37) % 90 if i % 7 != 6 else 0 for i in range(n)]
stock = [6000 - 40 * i + 2500 * (i // 20) for i in range(n)]


def report(with_chart):
    chart = Chart(
        "Pemakaian harian dan stok akhir hari, November 2026",
        days,
        [
            Series("Dipakai per hari", used, "bar", "left"),
            Series("Stok akhir hari", stock, "line", "right"),
        ],
        y_label="dipakai (keping)",
        y2_label="stok (keping)",
    )
    table = Table(
        "Rincian harian",
        [Column("Tanggal", "date"), Column("Dipakai", "int", total=True), Column("Stok", "int")],
        [[d, u, s] for d, u, s in zip(days, used, stock)],
    )
    return Report(
        name="usage",
        title="LAPORAN PENGGUNAAN BLANGKO KTP-EL",
        office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kaur",
        filename_stem="laporan-penggunaan-2026-11",
        tables=[table],
        chart=chart if with_chart else None,
    )


with_chart = sys.argv[1] == "chart"
warm = int(sys.argv[2])
pdf = render_bytes(report(with_chart), "pdf")
cold = time.perf_counter() - t0
times = []
for _ in range(warm):
    t = time.perf_counter()
    render_bytes(report(with_chart), "pdf")
    times.append(time.perf_counter() - t)
print(json.dumps({
    "cold_ms": cold * 1000,
    "warm_ms": statistics.median(times) * 1000 if times else None,
    "bytes": len(pdf),
    "matplotlib": "matplotlib" in sys.modules,
}))
"""


def run(src: Path, kind: str, warm: int) -> dict[str, float]:
    env = os.environ | {"PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(warm)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def side(src: Path, kind: str, cold: int, warm: int) -> dict[str, float]:
    """The median cold time of `cold` processes; the warm median and size of the first."""
    runs = [run(src, kind, warm if i == 0 else 0) for i in range(cold)]
    return {
        "cold_ms": statistics.median(r["cold_ms"] for r in runs),
        "warm_ms": runs[0]["warm_ms"],
        "bytes": runs[0]["bytes"],
        "matplotlib": runs[0]["matplotlib"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the old checkout's src/")
    parser.add_argument("--after", type=Path, default=Path("src"))
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| report | code | cold ms (median) | warm ms (median) | PDF bytes | matplotlib loaded |")
    print("|---|---|--:|--:|--:|---|")
    for kind in ("chart", "none"):
        for name, src in (("before", args.before), ("after", args.after)):
            r = side(src.resolve(), kind, args.cold, args.warm)
            label = "with chart" if kind == "chart" else "no chart"
            print(
                f"| {label} | {name} | {r['cold_ms']:.0f} | {r['warm_ms']:.1f} | {r['bytes']}"
                f" | {'yes' if r['matplotlib'] else 'no'} |"
            )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
