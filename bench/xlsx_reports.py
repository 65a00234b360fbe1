"""The XLSX report writer on a long table: the print-backlog list (`blangko report backlog`,
the web's `/layanan/prr/unduh`) of N synthetic residents, beside openpyxl writing the same
values with no styles.

    PYTHONPATH=src .venv/bin/python bench/xlsx_reports.py [--rows 4000 35000] [--repeat 3]
    PYTHONPATH=<old checkout>/src .venv/bin/python bench/xlsx_reports.py   # the older code

Only the public `blangko.adapters.reports` (`Report`, `Table`, `Column`, `render_bytes`), so
any checkout since the reports package runs it. The report has the backlog list's shape: a
cover, a 200-row table per village and the list itself (10 columns, names shown: a kecamatan,
village, name, NIK, two dates, a status text), no database. Renderer: `render_bytes(report,
"xlsx")`, the median of `--repeat` runs after one untimed. Baseline, in the same process: a
write-only openpyxl workbook of the same rows (`ws.append`, no style, width, merge or
formula), saved to memory: the floor of writing this many cells with openpyxl. Peak: the
tracemalloc peak of one more render (slower under tracing, so timed apart).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from openpyxl import Workbook

from blangko.adapters.reports import Column, Report, Table, render_bytes

KECAMATAN = ["Kaur Selatan", "Kaur Tengah", "Tanjung Kemuning", "Semidang Gumay", "Kinal"]
STATUS = ["Belum mengajukan", "Diajukan · PRM-2026-000123", "Siap cetak · PRM-2026-004567 · suket"]


def people_rows(n: int) -> list[list[Any]]:
    start = date(2019, 1, 1)
    rows = []
    for i in range(1, n + 1):
        village = i % 200
        rows.append(
            [
                i,
                KECAMATAN[village % len(KECAMATAN)],
                f"Desa Contoh {village:03d}",
                f"Penduduk Nomor {i} binti Ahmad",
                f"1704{village:04d}{i:08d}"[:16],
                start + timedelta(days=(i * 7) % 2500),
                STATUS[i % 3],
                date(2027, 2, 14) if village % 4 == 0 else None,
                "",
            ]
        )
    return rows


def village_rows(n: int) -> list[list[Any]]:
    return [
        [
            f"17.04.{v:02d}.{v:04d}",
            KECAMATAN[v % len(KECAMATAN)],
            f"Desa Contoh {v:03d}",
            n // 200,
            n // 400,
            n // 200 - n // 400,
            date(2019, 1, 1) + timedelta(days=v),
            "Pilkades (14 Februari 2027)" if v % 4 == 0 else "",
        ]
        for v in range(200)
    ]


def report(people: list[list[Any]], villages: list[list[Any]]) -> Report:
    return Report(
        name="backlog",
        title="DAFTAR PENDUDUK MENUNGGU CETAK KTP-EL",
        office_name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kaur",
        filename_stem="daftar-menunggu-cetak",
        subtitle="Untuk pemanggilan dan jemput bola · keadaan per 4 Desember 2026",
        facts=[("Per tanggal", date(2026, 12, 4)), ("Penduduk dalam daftar (jiwa)", len(people))],
        tables=[
            Table(
                "Ringkasan per desa/kelurahan",
                [
                    Column("Kode", "serial"),
                    Column("Kecamatan"),
                    Column("Desa/kelurahan"),
                    Column("Menunggu", "int", total=True),
                    Column("Belum mengajukan", "int", total=True),
                    Column("Permohonan berjalan", "int", total=True),
                    Column("Terlama sejak", "date"),
                    Column("Pemilihan"),
                ],
                villages,
                sheet="Per desa",
            ),
            Table(
                "Daftar penduduk menunggu cetak",
                [
                    Column("No.", "int"),
                    Column("Kecamatan"),
                    Column("Desa/kelurahan"),
                    Column("Nama"),
                    Column("NIK", "serial"),
                    Column("Tanggal rekam", "date"),
                    Column("Status permohonan"),
                    Column("Tanggal pemilihan", "date"),
                    Column("Keterangan"),
                ],
                people,
                sheet="Penduduk",
                note="Urut per kecamatan dan desa/kelurahan, yang terlama menunggu lebih dulu.",
            ),
        ],
    )


def raw(people: list[list[Any]], villages: list[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    for rows in (villages, people):
        ws = wb.create_sheet()
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rendered(people: list[list[Any]], villages: list[list[Any]]) -> bytes:
    return render_bytes(report(people, villages), "xlsx")


def median_ms(fn: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    size = len(fn())  # untimed: first-call costs (imports, caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, size


def peak_mb(fn: Callable[[], bytes]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[4000, 35000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| rows | writer | ms (median) | rows/s | x baseline | bytes | peak MB (tracemalloc) |")
    print("|--:|---|--:|--:|--:|--:|--:|")
    for n in args.rows:
        people, villages = people_rows(n), village_rows(n)
        baseline = partial(raw, people, villages)
        renderer = partial(rendered, people, villages)
        base_ms, base_size = median_ms(baseline, args.repeat)
        ms, size = median_ms(renderer, args.repeat)
        base_peak, peak = peak_mb(baseline), peak_mb(renderer)
        for name, t, b, p in (
            ("render_bytes", ms, size, peak),
            ("baseline (write-only, no styles)", base_ms, base_size, base_peak),
        ):
            print(
                f"| {n} | {name} | {t:.0f} | {n / t * 1000:.0f} | {t / base_ms:.1f}"
                f" | {b} | {p:.0f} |"
            )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
