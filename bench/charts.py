"""The web's charts drawn in-process, each width, median ms per chart (issue 17: the charts
are drawn again in the server's process after every print, holding the GIL).

    PYTHONPATH=src .venv/bin/python bench/charts.py [--repeat 20]

Only the public functions of `blangko.web.charts` are called, so the same script times the
code before our own SVG writer (matplotlib): `PYTHONPATH=<old checkout>/src`. The data: a
year of daily stock with 12 receipts, 52 weeks of usage by 5 services, 80 areas of coverage,
a 120-day forecast fan with two marks. Each chart is drawn once untimed (imports, font
cache), then ``--repeat`` times. The baseline, in the same run: the time to build a text of
as many elements as the chart's SVG holds with a plain str.join of f-strings (the raw cost
of writing that much SVG, no layout).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from blangko.web import charts

START = date(2025, 12, 1)


def data() -> dict[str, Callable[[bool], str]]:
    series = [(START + timedelta(days=i), 5000 - 11 * i + 900 * (i // 30)) for i in range(365)]
    receipts = [(START + timedelta(days=30 * k), 900) for k in range(1, 13)]
    services = ("pemula", "hilang", "rusak", "perubahan_data", "lainnya")
    weeks = {
        START + timedelta(weeks=w): {s: 3 + (w * (i + 2)) % 17 for i, s in enumerate(services)}
        for w in range(52)
    }
    areas: list[Any] = [
        {"code": f"17.04.{i:03d}", "name": f"Desa Nomor {i} Kaur", "coverage_pct": 92 + i % 80 / 10}
        for i in range(80)
    ]
    daily = [
        {"date": (START + timedelta(days=i)).isoformat(), "open": i % 7 != 6}
        | {"p05": 20 + i % 5, "p25": 30 + i % 5, "p50": 40 + i % 5, "p75": 50, "p95": 70}
        for i in range(120)
    ]
    marks = [
        (START + timedelta(days=14), "kiriman berikut", "#e07a1f"),
        (START + timedelta(days=40), "Pilkades serentak", "#9b2c2c"),
    ]
    labels = {"pemula": "Pemula", "hilang": "Pengganti hilang", "rusak": "Pengganti rusak"}
    return {
        "stock_on_hand": lambda narrow: charts.stock_on_hand(
            series,
            receipts,
            lang="id",
            title="Stok di tangan (keping); garis putus-putus = penerimaan",
            received_label="Penerimaan",
            empty="-",
            narrow=narrow,
        ),
        "usage_by_week": lambda narrow: charts.usage_by_week(
            weeks,
            lang="id",
            title="Pemakaian per minggu menurut jenis layanan (keping)",
            labels=labels,
            empty="-",
            narrow=narrow,
        ),
        "coverage_by_area": lambda narrow: charts.coverage_by_area(
            areas,
            target=99.2,
            lang="id",
            title="Cakupan perekaman wajib KTP (%)",
            target_label="target",
            empty="-",
            narrow=narrow,
        ),
        "forecast_fan": lambda narrow: charts.forecast_fan(
            daily,
            lang="id",
            title="Perkiraan pemakaian per hari buka (keping)",
            labels={"p90": "p05–p95", "p50band": "p25–p75", "p50": "median"},
            marks=marks,
            empty="-",
            narrow=narrow,
        ),
    }


def median_ms(repeat: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def elements(svg: str) -> int:
    """The elements of an SVG text: its start and empty tags."""
    return svg.count("<") - svg.count("</") - svg.count("<?") - svg.count("<!")


def baseline(n: int) -> str:
    return "".join(
        f'<rect x="{i * 1.5:.2f}" y="{i * 0.5:.2f}" width="3.2" height="{i % 40:.2f}" fill="#1f6f8b"/>'
        for i in range(n)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"blangko.web.charts from {charts.__file__}")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| chart | width | median ms | elements | bytes | str.join baseline ms | x baseline |")
    print("|---|---|--:|--:|--:|--:|--:|")
    total = 0.0
    for name, draw in data().items():
        for narrow in (False, True):
            svg = draw(narrow)  # untimed: imports, caches
            ms = median_ms(args.repeat, partial(draw, narrow))
            n = elements(svg)
            raw = median_ms(args.repeat, partial(baseline, n))
            total += ms
            print(
                f"| {name} | {'narrow' if narrow else 'wide'} | {ms:.2f} | {n} | {len(svg)}"
                f" | {raw:.3f} | {ms / raw:.0f} |"
            )
    print(f"all eight drawings: {total:.1f} ms")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
