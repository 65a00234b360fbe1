"""Stored figures (issue 17, point 1), on SQLite and PostgreSQL.

- The counts kept per village, sex, birth year and married or not (`coverage_count`, kept by
  triggers) give exactly the cells of the full scan of the registry, for many days (edges:
  17th birthdays, band cutoffs, 29 February, year ends), at every level; and they follow
  every kind of write to the registry (insert, each column that matters, delete).
- A stored figure is computed again after each kind of change that affects it (ledger entry,
  registry import, recording, print, closure, event, the day asked, the settings) and only
  then: another office's writes and reads leave it as stored. So are the IKD figures
  (registry import, an application's IKD mark, a blank receipt, the target).
- Two processes show the same figures: the second reads what the first stored (a restart
  computes nothing), and two processes asking at once compute it once.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from service_helpers import KK, add_resident, stock_station
from sqlalchemy import delete, insert, select, update

from blangko.adapters.repos import coverage as cq
from blangko.adapters.tables_derived import coverage_count, derived_figure
from blangko.adapters.tables_residents import resident
from blangko.domain import wajib_ktp as wk
from blangko.domain.nik import build_nik
from blangko.services import applications as apps
from blangko.services import dashboard, derived, figures, forecast, registry
from blangko.services.admin import setup
from blangko.services.calendar import days, events
from blangko.services.context import Context
from blangko.services.coverage import areas, ikd, projection
from blangko.services.stock import writes
from blangko.settings import ForecastSettings
from blangko.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TODAY = date(2026, 11, 27)  # the fixture clock's day
VILLAGES = ("17.04.01.2001", "17.04.01.2002", "17.04.02.2002", "17.04.03.1010")
SRC = Path(__file__).resolve().parents[2] / "src"


# --- the kept counts against the full scan --------------------------------------------------


def _days_asked(seed: int, n: int) -> list[date]:
    """Days whose cutoffs are edges, and random ones."""
    rnd = random.Random(seed)
    fixed = [
        TODAY,
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2025, 2, 28),
        date(2025, 3, 1),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 12, 31),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
    return fixed + [date(2023, 1, 1) + timedelta(days=rnd.randrange(2200)) for _ in range(n)]


def _registry_rows(seed: int, n: int, days_asked: list[date]) -> list[dict[str, object]]:
    """Births on the edges of every day asked (each cutoff -2..+2 days, 29 February, 1 and
    31 December/January) and spread; recordings before the first day asked (so the kept
    counts apply to every day asked); every status and marital status."""
    rnd = random.Random(seed)
    edges: list[date] = [date(2008, 2, 29), date(2012, 2, 29), date(2000, 2, 29)]
    for on in days_asked:
        for years in (17, 20, 30, 40, 50, 60):
            cut = cq.birth_cutoff(on, years)
            edges += [cut + timedelta(days=d) for d in (-2, -1, 0, 1, 2)]
            edges += [date(cut.year, 1, 1), date(cut.year, 12, 31)]
        edges += [on, on + timedelta(days=1), date(on.year, 12, 31)]
    first = min(days_asked)
    serials: Counter[tuple[str, date, str]] = Counter()
    rows = []
    for i in range(n):
        born = rnd.choice(edges) if i % 2 else date(1940, 1, 1) + timedelta(rnd.randrange(32000))
        desa = rnd.choice(VILLAGES)
        sex = rnd.choice("LP")
        serials[(desa[:8], born, sex)] += 1
        rekam = None
        if rnd.random() < 0.7 and born < first:
            rekam = born + timedelta(days=rnd.randrange((first - born).days + 1))
        rows.append(
            {
                "nik": build_nik(desa[:8], born, sex, serials[(desa[:8], born, sex)]),
                "office_code": "17.04",
                "nama": f"Warga {i}",
                "jenis_kelamin": sex,
                "tanggal_lahir": born,
                "status_kawin": rnd.choice(sorted(wk.MARITAL_STATUSES)),
                "kode_desa": desa,
                "kode_kecamatan": desa[:8],
                "tanggal_rekam": rekam,
                "tanggal_cetak": None,
                "status": rnd.choices(["HIDUP", "MENINGGAL", "PINDAH"], [8, 1, 1])[0],
                "updated_at": datetime(2026, 11, 27, 3, 0),
            }
        )
    return rows


def _summed(cells: list[cq.Cell]) -> dict[tuple[str, str, str], tuple[int, int]]:
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for c in cells:
        w, r = out.get((c.area, c.sex, c.band), (0, 0))
        out[(c.area, c.sex, c.band)] = (w + c.wajib, r + c.recorded)
    return {k: v for k, v in out.items() if v != (0, 0)}


def _kept_counts(ctx: Context) -> dict[tuple[object, ...], tuple[int, int]]:
    """coverage_count as stored (empty cells left out)."""
    c = coverage_count.c
    with ctx.read() as conn:
        rows = conn.execute(
            select(c.kode_desa, c.jenis_kelamin, c.birth_year, c.married, c.residents, c.recorded)
        ).all()
    return {
        tuple(r[:4]): (r.residents, r.recorded) for r in rows if (r.residents, r.recorded) != (0, 0)
    }


def _counts_from_registry(ctx: Context) -> dict[tuple[object, ...], tuple[int, int]]:
    """What coverage_count must hold, counted in Python from the registry's rows."""
    out: Counter[tuple[object, ...]] = Counter()
    rec: Counter[tuple[object, ...]] = Counter()
    with ctx.read() as conn:
        for r in conn.execute(select(resident)):
            if r.status != "HIDUP":
                continue
            key = (
                r.kode_desa,
                r.jenis_kelamin,
                r.tanggal_lahir.year,
                int(r.status_kawin in wk.EVER_MARRIED),
            )
            out[key] += 1
            rec[key] += r.tanggal_rekam is not None
    return {k: (out[k], rec[k]) for k in out}


def test_kept_counts_give_the_full_scan_on_every_day(ctx: Context, office: str) -> None:
    asked = _days_asked(7, 45)
    rows = _registry_rows(11, 1500, asked)
    with ctx.engine.begin() as conn:
        conn.execute(insert(resident), rows)
    assert _kept_counts(ctx) == _counts_from_registry(ctx)
    with ctx.read() as conn:
        for on in asked:
            assert not cq.recorded_after(conn, office="17.04", as_of=on)
            for by in cq.LEVELS:
                full = _summed(cq.coverage_cells(conn, office="17.04", as_of=on, by=by))
                kept = _summed(cq.counted_cells(conn, office="17.04", as_of=on, by=by))
                assert kept == full, (on, by)
    # And the service's figure is the full scan's, rolled up the same way.
    for on in asked[:6]:
        with ctx.read() as conn:
            cells = cq.coverage_cells(conn, office="17.04", as_of=on, by="desa")
            names = cq.region_names(conn, office="17.04", by="desa")
        full = areas.rollup(
            cells, names, as_of=on, by="desa", target=Decimal("99.2"), office="17.04"
        )
        assert areas.coverage(ctx, as_of=on, by="desa") == full


def test_kept_counts_follow_every_write_to_the_registry(ctx: Context, office: str) -> None:
    rows = _registry_rows(3, 200, [TODAY])
    with ctx.engine.begin() as conn:
        conn.execute(insert(resident), rows)
    niks = [str(r["nik"]) for r in rows]
    changes = [
        {"tanggal_rekam": date(2020, 1, 1)},
        {"tanggal_rekam": None},
        {"status": "MENINGGAL"},
        {"status": "HIDUP"},
        {"status_kawin": "KAWIN"},
        {"status_kawin": "BELUM KAWIN"},
        {"tanggal_lahir": date(1971, 12, 31)},
        {"kode_desa": "17.04.02.2002", "kode_kecamatan": "17.04.02"},
        {"jenis_kelamin": "P"},
        {"nama": "Nama Baru"},  # no count changes
    ]
    for i, values in enumerate(changes):
        with ctx.engine.begin() as conn:
            conn.execute(update(resident).where(resident.c.nik.in_(niks[i::7])).values(**values))
        assert _kept_counts(ctx) == _counts_from_registry(ctx), values
    with ctx.engine.begin() as conn:
        conn.execute(delete(resident).where(resident.c.nik.in_(niks[::3])))
    assert _kept_counts(ctx) == _counts_from_registry(ctx)


def test_a_recording_dated_after_the_day_asked_reads_the_registry(
    ctx: Context, office: str
) -> None:
    """The kept counts count every recording: for a day before a recording's date coverage
    comes from the registry, and so is right."""
    add_resident(ctx, serial=1, recorded=TODAY + timedelta(days=3))
    add_resident(ctx, serial=2, recorded=date(2020, 1, 1))
    assert areas.coverage(ctx, by="kabupaten")["recorded"] == 1
    assert areas.coverage(ctx, by="kabupaten", as_of=TODAY + timedelta(days=3))["recorded"] == 2


# --- recomputed after each change that affects it, and only then ----------------------------


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    header = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def _import_one(ctx: Context, tmp_path: Path, serial: int, office: str = "17.04") -> None:
    kec = "17.04.01" if office == "17.04" else f"{office}.01"
    village = "17.04.01.2001" if office == "17.04" else _first_village(ctx, office)
    born = date(1991, 4, 2)
    row = {
        "nik": build_nik(kec, born, "P", serial),
        "nama": f"Impor {serial}",
        "jenis_kelamin": "P",
        "tanggal_lahir": born.isoformat(),
        "status_kawin": "KAWIN",
        "kode_desa": village,
        "tanggal_rekam": "",
        "tanggal_cetak": "",
        "status": "HIDUP",
    }
    path = _csv(tmp_path / f"penduduk-{office}-{serial}.csv", [row])
    result = registry.import_residents(ctx, path, office=office)
    assert result["imported"] == 1, result


def _first_village(ctx: Context, office: str) -> str:
    return next(r["code"] for r in setup.office_regions(ctx, office=office) if r["level"] == "desa")


@pytest.fixture
def other(ctx: Context, office: str) -> str:
    """A second office in the same database (Bengkulu Selatan, 17.01)."""
    setup.create_office(ctx, code="17.01")
    setup.add_location(ctx, name="loket-1", kind="station", office="17.01")
    return "17.01"


def test_two_offices_in_the_same_state_are_each_given_their_own_forecast(
    ctx: Context, office: str, other: str
) -> None:
    """The forecasts kept in the process (services.forecast_memo) are keyed by the office
    too: two offices whose sources have the same versions never share one."""
    with ctx.read() as conn:
        assert derived.repo.versions(conn, office) == derived.repo.versions(conn, other)
    for code in (office, other, office):
        fc, _paths = forecast.forecast_with_paths(ctx, office=code)
        assert fc["office"] == code


def test_the_forecast_is_computed_again_after_each_change_and_only_then(
    ctx: Context, office: str, other: str, tmp_path: Path
) -> None:
    stock_station(ctx)
    writes.record_opening(
        ctx, serials="KR0000201-KR0000300", effective=TODAY - timedelta(days=30), office=other
    )
    add_resident(ctx, serial=1, recorded=date(2020, 3, 3))

    def computed(as_of: date | None = None, c: Context = ctx) -> bool:
        return figures.forecast_stored(c, "17.04", as_of).computed_now

    assert computed()
    assert not computed()  # nothing changed: read as stored
    # Changes that do not affect it: reads, and another office's writes of every kind.
    figures.status(ctx, office="17.04")
    areas.coverage(ctx, office="17.04")
    projection.projection(ctx, office="17.04")
    writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1", office=other)
    _import_one(ctx, tmp_path, 90, office=other)
    add_resident(ctx, serial=91, office=other)
    days.add_closure(
        ctx, service="semua", start=TODAY + timedelta(days=5), reason="Rapat", office=other
    )
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=20),
        kind="pilkades",
        all_villages=True,
        office=other,
    )
    assert not computed()
    # Each kind of change that affects it.
    writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1", office="17.04")
    assert computed() and not computed()  # a ledger entry
    _import_one(ctx, tmp_path, 2)
    assert computed() and not computed()  # a registry import
    nik = add_resident(ctx, serial=3, birth=date(2009, 11, 20))
    assert computed() and not computed()  # a resident written into the registry
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK, office="17.04")["receipt"]
    assert computed() and not computed()  # an application
    apps.record(ctx, receipt=receipt, office="17.04")
    assert computed() and not computed()  # a recording
    apps.ready(ctx, receipt=receipt, office="17.04")
    assert computed() and not computed()  # print-ready
    apps.print_card(ctx, receipt=receipt, station="loket-1", office="17.04")
    assert computed() and not computed()  # a print (ledger, application and registry)
    days.add_closure(
        ctx, service="perekaman", start=TODAY + timedelta(days=9), reason="Rapat", office="17.04"
    )
    assert computed() and not computed()  # a closure
    days.set_capacity(ctx, service="pencetakan", per_day=80, office="17.04")
    assert computed() and not computed()  # the calendar's capacity
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=30),
        kind="pilkades",
        all_villages=True,
        office="17.04",
    )
    assert computed() and not computed()  # an event
    assert computed(TODAY - timedelta(days=1))  # another day asked
    assert not computed(TODAY - timedelta(days=1)) and not computed()  # both kept
    tuned = Context(
        ctx.engine,
        actor="petugas-uji",
        clock=ctx.clock,
        settings=ctx.settings.model_copy(
            update={"forecast": ForecastSettings(paths=ctx.settings.forecast.paths + 100)}
        ),
    )
    assert computed(c=tuned)  # other settings
    # The figure stored is the function's own (one truth), as JSON keeps it.
    stored = figures.forecast_for(ctx, "17.04")
    fresh = json.loads(json.dumps(forecast.forecast(ctx, office="17.04")))
    assert {k: v for k, v in stored.items() if k != "seconds"} == {
        k: v for k, v in fresh.items() if k != "seconds"
    }


def test_coverage_is_computed_again_after_a_registry_change_only(
    ctx: Context, office: str, other: str, tmp_path: Path
) -> None:
    stock_station(ctx)
    nik = add_resident(ctx, serial=1, birth=date(2000, 1, 1))

    def computed(as_of: date | None = None) -> bool:
        return areas.coverage_stored(ctx, by="desa", as_of=as_of, office="17.04").computed_now

    assert computed() and not computed()
    before = areas.coverage(ctx, by="desa", office="17.04")
    # Not affected: the ledger, the calendar, events, applications, other offices, reads.
    writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1", office="17.04")
    days.add_closure(
        ctx, service="semua", start=TODAY + timedelta(days=5), reason="Rapat", office="17.04"
    )
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=20),
        kind="pilkades",
        all_villages=True,
        office="17.04",
    )
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK, office="17.04")["receipt"]
    _import_one(ctx, tmp_path, 90, office=other)
    figures.forecast_for(ctx, "17.04")
    assert not computed()
    apps.record(ctx, receipt=receipt, office="17.04")  # a recording: one more recorded
    assert computed() and not computed()
    after = areas.coverage(ctx, by="desa", office="17.04")
    assert after["recorded"] == before["recorded"] + 1
    _import_one(ctx, tmp_path, 2)  # an import: one more wajib KTP
    assert computed() and not computed()
    assert areas.coverage(ctx, by="desa", office="17.04")["wajib_ktp"] == after["wajib_ktp"] + 1
    assert computed(TODAY + timedelta(days=1)) and not computed(TODAY + timedelta(days=1))


def test_projection_and_cohort_follow_what_they_depend_on(ctx: Context, office: str) -> None:
    add_resident(ctx, serial=1, birth=date(2000, 1, 1))
    add_resident(ctx, serial=2, birth=date(2009, 12, 20))

    def computed() -> tuple[bool, bool]:
        return (
            projection.projection_stored(ctx).computed_now,
            areas.cohort_stored(ctx, months=6).computed_now,
        )

    assert computed() == (True, True)
    assert computed() == (False, False)
    writes.record_opening(ctx, serials="KR0000001-KR0000010", effective=TODAY)
    assert computed() == (False, False)  # the ledger is none of theirs
    days.add_closure(ctx, service="perekaman", start=TODAY + timedelta(days=3), reason="Rapat")
    assert computed() == (True, False)  # the calendar: the projection's only
    total = areas.cohort(ctx, months=6)["total"]
    add_resident(ctx, serial=3, birth=date(2009, 12, 21))
    assert computed() == (True, True)  # the registry: both
    assert areas.cohort(ctx, months=6)["total"] == total + 1


def _recorded_application(ctx: Context, nik: str, office: str = "17.04") -> str:
    """An application for ``nik``, recorded (so its IKD may be marked): its receipt."""
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK, office=office)["receipt"]
    apps.record(ctx, receipt=receipt, office=office)
    return str(receipt)


def _with_ikd_target(ctx: Context, pct: str) -> Context:
    settings = ctx.settings.model_copy(update={"ikd_target_pct": Decimal(pct)})
    return Context(ctx.engine, actor="petugas-uji", clock=ctx.clock, settings=settings)


def test_ikd_figures_are_computed_again_after_what_they_depend_on_only(
    ctx: Context, office: str, other: str, tmp_path: Path
) -> None:
    """IKD coverage (registry, applications; the day, level, target) and IKD against the
    blanks received (registry, applications, ledger; the period): computed again after a
    registry import, an application's IKD mark, a blank receipt, a target change, and not
    after a read or another office's change."""
    stock_station(ctx)
    writes.record_opening(
        ctx, serials="KR0000201-KR0000300", effective=TODAY - timedelta(days=30), office=other
    )
    niks = [add_resident(ctx, serial=k, birth=date(1990, 1, k)) for k in range(1, 5)]
    others = [add_resident(ctx, serial=k, office=other) for k in (81, 82)]

    def computed(c: Context = ctx, as_of: date | None = None) -> tuple[bool, bool]:
        return (
            ikd.ikd_coverage_stored(c, office="17.04", as_of=as_of).computed_now,
            ikd.ikd_ratio_stored(c, office="17.04", last=as_of).computed_now,
        )

    def fresh(c: Context = ctx) -> tuple[Any, Any]:
        """Both figures computed now by their own functions, as JSON keeps them."""
        goal = ikd.target_pct(c)
        with c.read() as conn:
            cov = ikd.read_coverage(c, conn, "17.04", TODAY, "kecamatan", goal)
            ratio = ikd.read_ratio(c, conn, "17.04", *ikd.year_to_date(TODAY))
        return json.loads(json.dumps(cov)), json.loads(json.dumps(ratio))

    assert computed() == (True, True)
    assert computed() == (False, False)
    start = (ikd.ikd_coverage(ctx, office="17.04"), ikd.ikd_blank_ratio(ctx, office="17.04"))
    assert start == fresh()
    assert (start[0]["wajib_ktp"], start[0]["ikd"], start[1]["blanks_received"]) == (4, 0, 0)

    # Not affected: reads (every surface's), another office's writes of every kind, and the
    # calendar and events of the office itself.
    dashboard.outlook(ctx, "17.04", "kepala")
    ikd.ikd_daily(ctx, office="17.04")
    areas.coverage(ctx, office="17.04")
    figures.forecast_for(ctx, "17.04")
    _import_one(ctx, tmp_path, 90, office=other)
    apps.ikd(ctx, receipt=_recorded_application(ctx, others[0], other), office=other)
    writes.receive_shipment(
        ctx,
        serials="KR0000401-KR0000450",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/LAIN/1",
        office=other,
    )
    days.add_closure(
        ctx, service="semua", start=TODAY + timedelta(days=5), reason="Rapat", office="17.04"
    )
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=20),
        kind="pilkades",
        all_villages=True,
        office="17.04",
    )
    assert computed() == (False, False)
    assert computed(_with_ikd_target(ctx, "30")) == (False, False)  # the same target

    # A registry import: both (one more wajib KTP).
    _import_one(ctx, tmp_path, 2)
    assert computed() == (True, True) and computed() == (False, False)
    assert ikd.ikd_coverage(ctx, office="17.04")["wajib_ktp"] == 5

    # An application's IKD mark: both (one more with IKD, one more activation). Its
    # recording before (registry and applications) computes them again too.
    receipt = _recorded_application(ctx, niks[0])
    assert computed() == (True, True)
    apps.ikd(ctx, receipt=receipt, office="17.04")
    assert computed() == (True, True) and computed() == (False, False)
    cov, ratio = ikd.ikd_coverage(ctx, office="17.04"), ikd.ikd_blank_ratio(ctx, office="17.04")
    assert (cov["ikd"], ratio["activations"]) == (1, 1)
    assert (cov, ratio) == fresh()

    # A blank receipt: the ratio only (its blanks received), not coverage.
    writes.receive_shipment(
        ctx,
        serials="KR0000501-KR0000540",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/2026/11",
        office="17.04",
    )
    assert computed() == (False, True) and computed() == (False, False)
    ratio = ikd.ikd_blank_ratio(ctx, office="17.04")
    assert (ratio["blanks_received"], ratio["ratio_pct"]) == (40, 2.5)
    assert (ikd.ikd_coverage(ctx, office="17.04"), ratio) == fresh()

    # The target (the settings', or one asked for): coverage only, with the new target.
    higher = _with_ikd_target(ctx, "40")
    assert computed(higher) == (True, False) and computed(higher) == (False, False)
    cov = ikd.ikd_coverage(higher, office="17.04")
    assert (cov["target_pct"], cov["to_target"]) == (40.0, 1)  # 40 % of 5, less the 1 with IKD
    assert (cov, ikd.ikd_blank_ratio(higher, office="17.04")) == fresh(higher)
    assert ikd.ikd_coverage_stored(ctx, target="40", office="17.04").value == cov
    assert computed() == (False, False)  # the default target's figure is still stored

    # Another day asked: a figure of its own.
    assert computed(as_of=TODAY - timedelta(days=1)) == (True, True)
    assert computed(as_of=TODAY - timedelta(days=1)) == (False, False)

    # The dashboard and the coverage figures read the stored figures: nothing is computed.
    outlook = dashboard.outlook(ctx, "17.04", "kepala")
    assert (outlook["ikd"], outlook["ikd_ratio"]) == fresh()
    assert outlook["ikd_computed_at"] == min(
        ikd.ikd_coverage_stored(ctx, office="17.04").computed_at,
        ikd.ikd_ratio_stored(ctx, office="17.04").computed_at,
    )
    assert computed() == (False, False)


# --- two processes --------------------------------------------------------------------------

PROCESS = r"""
import json, sys
from datetime import datetime
from blangko.adapters.db import make_engine
from blangko.services import figures
from blangko.services.context import Context
from blangko.services.coverage import areas

ctx = Context(make_engine(sys.argv[1]), actor="proses", clock=lambda: datetime(2026, 11, 27, 3, 0))
fc = figures.forecast_stored(ctx, "17.04")
cov = areas.coverage_stored(ctx, by="desa")
print(json.dumps({
    "forecast": fc.value, "forecast_computed": fc.computed_now, "forecast_at": str(fc.computed_at),
    "coverage": cov.value, "coverage_computed": cov.computed_now,
}))
"""


def _process(db_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, db_url],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )


def _result(p: subprocess.Popen[str]) -> dict[str, object]:
    out, _ = p.communicate(timeout=300)
    assert p.returncode == 0
    return dict(json.loads(out))


def test_the_ikd_ratio_after_a_print_reads_only_the_blanks_received(
    ctx: Context, office: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A print changes the ledger, so the IKD ratio is computed again; its activations are
    the stored daily figure's (registry, applications), not counted in the registry again."""
    stock_station(ctx)
    for k in range(1, 4):
        add_resident(ctx, serial=k, birth=date(1990, 1, k))
    counted: list[int] = []
    real = ikd.repo.registry_ikd_days

    def registry_ikd_days(*args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ikd.repo, "registry_ikd_days", registry_ikd_days)

    def fresh() -> Any:
        with ctx.read() as conn:
            return ikd.read_ratio(ctx, conn, "17.04", *ikd.year_to_date(TODAY))

    def stored() -> tuple[Any, int]:
        """The stored ratio, and how often computing it counted the registry."""
        before = len(counted)
        figure = ikd.ikd_ratio_stored(ctx, office="17.04")
        assert figure.computed_now
        return figure.value, len(counted) - before

    assert stored() == (fresh(), 1)
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    assert stored() == (fresh(), 0)
    received = fresh()["blanks_received"]
    writes.receive_shipment(
        ctx,
        serials="KR0000901-KR0000950",
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/IKD/1",
        effective=TODAY,
    )
    value, reads = stored()
    assert reads == 0 and value == fresh() and value["blanks_received"] == received + 50
    with ctx.write_plain() as conn:
        conn.execute(
            update(resident).where(resident.c.office_code == "17.04").values(tanggal_ikd=TODAY)
        )
    value, reads = stored()
    assert reads == 1 and value == fresh() and value["activations"] == 3


def test_two_processes_show_the_same_figures(ctx: Context, office: str, db_url: str) -> None:
    stock_station(ctx)
    add_resident(ctx, serial=1, recorded=date(2020, 3, 3))
    add_resident(ctx, serial=2, birth=date(2001, 6, 6))
    # Two processes asking at once, nothing stored yet: one computes, the other waits for it.
    one, two = (_result(p) for p in [_process(db_url), _process(db_url)])
    assert [one["forecast_computed"], two["forecast_computed"]].count(True) == 1
    assert [one["coverage_computed"], two["coverage_computed"]].count(True) == 1
    assert one["forecast"] == two["forecast"] and one["coverage"] == two["coverage"]
    first = one
    # Another process (a restart, another worker) reads what the first stored.
    second = _result(_process(db_url))
    assert not second["forecast_computed"] and not second["coverage_computed"]
    assert second["forecast"] == first["forecast"] and second["coverage"] == first["coverage"]
    assert second["forecast_at"] == first["forecast_at"]
    # This process too (the web's), through the accessor every surface reads.
    assert figures.forecast_for(ctx, "17.04") == first["forecast"]
    assert areas.coverage(ctx, by="desa") == first["coverage"]
    # After a change, two processes asking at once: one computes, the other waits for it.
    writes.consume(ctx, service="pemula", qty=1, location="loket-1")
    both = [_process(db_url), _process(db_url)]
    a, b = (_result(p) for p in both)
    assert [a["forecast_computed"], b["forecast_computed"]].count(True) == 1
    assert a["forecast"] == b["forecast"] and a["forecast_at"] == b["forecast_at"]
    # The print took a blank: the new figure, not the stored one (a transfer, used here
    # before, changes no figure of the forecast but its compute time, which may repeat).
    assert a["forecast"]["on_hand"] == first["forecast"]["on_hand"] - 1
    assert figures.forecast_for(ctx, "17.04") == a["forecast"]


# --- computed in the background ---------------------------------------------------------


def test_refresh_computes_what_changed_and_nothing_else(ctx: Context, office: str) -> None:
    stock_station(ctx)
    add_resident(ctx, serial=1, recorded=date(2020, 3, 3))
    assert figures.refresh(ctx) == [
        "17.04 forecast",
        "17.04 coverage kabupaten",
        "17.04 coverage kecamatan",
        "17.04 cohort",
        "17.04 projection",
        "17.04 ikd coverage",
        "17.04 ikd ratio",
    ]
    assert figures.refresh(ctx) == []
    writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1")
    # A ledger entry: the forecast, and IKD against the blanks received (the ledger's head).
    assert figures.refresh(ctx) == ["17.04 forecast", "17.04 ikd ratio"]
    # The page's view then reads what the background stored.
    assert not figures.forecast_stored(ctx, "17.04").computed_now


def _forecast_computed_at(ctx: Context) -> datetime | None:
    """When today's forecast of 17.04 was stored (None: never), read from the table."""
    df = derived_figure.c
    with ctx.read() as conn:
        return conn.execute(
            select(df.computed_at).where(
                df.office_code == "17.04", df.kind == "forecast", df.params == TODAY.isoformat()
            )
        ).scalar_one_or_none()


def test_the_web_server_computes_stored_figures_in_the_background(
    ctx: Context, office: str, clock: Any
) -> None:
    stock_station(ctx)
    settings = ctx.settings.model_copy(
        update={"figures_refresh_seconds": 0.2, "secret_key": "kunci-rahasia-uji-yang-panjang"}
    )
    deadline = time.monotonic() + 120
    with TestClient(create_app(ctx, settings=settings)):
        while _forecast_computed_at(ctx) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        first = _forecast_computed_at(ctx)
        assert first is not None  # computed at start, no page asked
        clock.value += timedelta(seconds=5)  # a later moment: another computed_at
        writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1")
        while _forecast_computed_at(ctx) == first and time.monotonic() < deadline:
            time.sleep(0.1)
        # Computed again after the change by the server, not by this view.
        assert not figures.forecast_stored(ctx, "17.04").computed_now


# --- stale while computed again (a page's view) -------------------------------------------


def _page(ctx: Context, seconds: float = 300.0) -> Context:
    """``ctx`` as a page view has it (web.deps.request_ctx): a stored figure computed at most
    ``seconds`` ago may be shown while a newer one is computed in the background."""
    return replace(ctx, figures_stale_seconds=seconds)


BACKGROUND = "blangko-figures-stale"  # services.derived.Background's thread


def hold_background(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every computing of the forecast, in order; the background's computing
    is held until the test waits for it (derived.wait_background), so that what a view shows
    before does not depend on how fast the background is."""
    threads: list[str] = []
    real, real_wait = forecast.forecast, derived.wait_background
    gate = threading.Event()

    def counted(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == BACKGROUND:
            gate.wait(120)
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    def wait(timeout: float = 300.0) -> bool:
        gate.set()
        try:
            return real_wait(timeout)
        finally:
            gate.clear()

    monkeypatch.setattr(forecast, "forecast", counted)
    monkeypatch.setattr(derived, "wait_background", wait)
    return threads


@pytest.fixture
def forecasts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """hold_background's list."""
    return hold_background(monkeypatch)


def test_a_view_after_a_change_shows_the_stored_figure_stale_and_the_background_computes_it(
    ctx: Context, office: str, clock: Any, forecasts: list[str]
) -> None:
    stock_station(ctx)
    add_resident(ctx, serial=1, recorded=date(2020, 3, 3))
    page = _page(ctx)
    me = threading.current_thread().name
    first = figures.forecast_stored(page, "17.04")  # the first view ever: computed in it
    assert first.computed_now and not first.stale and forecasts == [me]
    on_hand = figures.status(page, office="17.04")["stock"]["on_hand"]

    clock.value += timedelta(seconds=40)
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    view = figures.forecast_stored(page, "17.04")
    # The stored figure at once, marked stale, with when it was computed; not computed here.
    assert view.stale and not view.computed_now
    assert (view.value, view.computed_at) == (first.value, first.computed_at)
    # The stock on hand is the ledger's now; the cover is the stored forecast's.
    today = figures.status(page, office="17.04")
    assert today["stock"]["on_hand"] == on_hand - 1
    assert today["stock"]["days_of_cover"] == figures.cover_of(first.value)
    assert forecasts.count(me) == 1
    # The background computes it once, whatever the number of views meanwhile.
    assert derived.wait_background(120)
    assert forecasts[1:] == [BACKGROUND]
    after = figures.forecast_stored(page, "17.04")
    assert not after.stale and not after.computed_now
    assert after.computed_at == clock.value and after.value["on_hand"] == on_hand - 1
    # The CLI, the API and services (no stale bound) read it as stored now.
    assert figures.forecast_for(ctx, "17.04") == after.value
    assert len(forecasts) == 2


def test_a_figure_older_than_the_bound_is_computed_in_the_view(
    ctx: Context, office: str, clock: Any, forecasts: list[str]
) -> None:
    stock_station(ctx)
    page = _page(ctx, 300)
    me = threading.current_thread().name
    figures.forecast_stored(page, "17.04")
    clock.value += timedelta(seconds=301)  # computed 301 s ago: beyond the bound
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    view = figures.forecast_stored(page, "17.04")
    assert view.computed_now and not view.stale and view.computed_at == clock.value
    assert forecasts == [me, me]
    # Within the bound again (computed just now): the next change is shown stale.
    clock.value += timedelta(seconds=300)
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    assert figures.forecast_stored(page, "17.04").stale
    assert derived.wait_background(120)
    # Without a bound (the CLI, the API, another day asked), always computed in the call.
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    assert figures.forecast_stored(ctx, "17.04").computed_now
    yesterday = TODAY - timedelta(days=1)
    assert figures.forecast_stored(page, "17.04", yesterday).computed_now
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    asked = figures.forecast_stored(page, "17.04", yesterday)
    assert asked.computed_now and not asked.stale
    assert forecasts.count(me) == 5 and forecasts.count(BACKGROUND) == 1


@pytest.mark.parametrize("change", ["ledger", "import", "recording", "closure", "event"])
def test_each_change_is_computed_again_once_in_the_background(
    ctx: Context, office: str, tmp_path: Path, forecasts: list[str], change: str
) -> None:
    """The stale rule keeps "computed again after each change, and only then": a page's
    views after a change are given the stored figure, and the background computes the new
    one once; with no change nothing is computed."""
    stock_station(ctx)
    nik = add_resident(ctx, serial=1, birth=date(2000, 1, 1))
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK, office="17.04")["receipt"]
    page = _page(ctx)
    figures.forecast_stored(page, "17.04")
    cov = areas.coverage_stored(page, by="kecamatan", office="17.04")
    assert cov.computed_now
    for _ in range(3):  # no change: read as stored, nothing in the background
        assert not figures.forecast_stored(page, "17.04").stale
    assert derived.wait_background(120) and len(forecasts) == 1
    if change == "ledger":
        writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1")
    elif change == "import":
        _import_one(ctx, tmp_path, 2)
    elif change == "recording":
        apps.record(ctx, receipt=receipt, office="17.04")
    elif change == "closure":
        days.add_closure(
            ctx, service="semua", start=TODAY + timedelta(days=5), reason="Rapat", office="17.04"
        )
    else:
        events.add_event(
            ctx,
            name="Pilkades",
            event_date=TODAY + timedelta(days=20),
            kind="pilkades",
            all_villages=True,
            office="17.04",
        )
    views = [figures.forecast_stored(page, "17.04") for _ in range(3)]
    assert all(v.stale and not v.computed_now for v in views)
    registry_changed = change in ("import", "recording")
    assert areas.coverage_stored(page, by="kecamatan", office="17.04").stale == registry_changed
    assert derived.wait_background(120)
    assert forecasts[1:] == [BACKGROUND]  # once, in the background
    assert not figures.forecast_stored(page, "17.04").stale
    cov_now = areas.coverage_stored(page, by="kecamatan", office="17.04")
    assert not cov_now.stale and not cov_now.computed_now
    assert cov_now.value == areas.coverage(ctx, by="kecamatan", office="17.04")
    assert len(forecasts) == 2


def test_the_public_status_never_computes_the_forecast(
    ctx: Context, office: str, clock: Any, forecasts: list[str]
) -> None:
    stock_station(ctx)
    public = _page(ctx)
    # Nothing stored yet: the level from the stock on hand alone; computed in the background.
    shown = dashboard.public_status(public, "17.04")
    assert (shown["stock_level"], shown["stock_level_computed_at"]) == ("aman", None)
    assert shown["stock_level_updating"] and forecasts == []
    assert derived.wait_background(120) and forecasts == [BACKGROUND]
    shown = dashboard.public_status(public, "17.04")
    stored = figures.forecast_stored(ctx, "17.04")
    assert shown["stock_level"] == figures.status(ctx, office="17.04")["stock"]["level"]
    assert shown["stock_level_computed_at"] == stored.computed_at.isoformat()
    assert not shown["stock_level_updating"]
    # After a print: the stored one, stale, and never computed in the call.
    clock.value += timedelta(seconds=10)
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    shown = dashboard.public_status(public, "17.04")
    assert shown["stock_level_updating"]
    assert shown["stock_level_computed_at"] == stored.computed_at.isoformat()
    assert "MainThread" not in forecasts
    assert derived.wait_background(120)
    # Beyond the bound: from the stock on hand alone again, still not computed in the call.
    clock.value += timedelta(seconds=400)
    writes.consume(ctx, service="pemula", qty=1, location="gudang", office="17.04")
    shown = dashboard.public_status(public, "17.04")
    assert shown["stock_level_computed_at"] is None and shown["stock_level_updating"]
    assert derived.wait_background(120) and "MainThread" not in forecasts


def _hold_write_lock(ctx: Context, office: str):  # type: ignore[no-untyped-def]
    """A transaction of another connection that holds what storing a drawing needs: SQLite's
    write lock; on PostgreSQL the office's stored drawings' rows."""
    from contextlib import contextmanager

    from blangko.adapters.db import begin

    @contextmanager
    def held():  # type: ignore[no-untyped-def]
        with ctx.engine.connect() as other, begin(other, write=True):
            if other.dialect.name == "postgresql":
                other.execute(
                    select(derived_figure.c.kind)
                    .where(derived_figure.c.office_code == office)
                    .with_for_update()
                ).all()
            yield

    return held()


def test_a_drawing_is_drawn_once_per_key_and_never_waits_behind_a_write(
    ctx: Context, office: str
) -> None:
    """A drawing (derived.drawn) is drawn once per key and then served as stored; while
    another transaction holds the write lock (a registry import's swap), a view whose
    drawing is outdated draws it at once rather than waiting for the lock, and leaves it
    unstored; the next view after the lock is released draws and stores it."""
    calls: list[int] = []

    def draw() -> str:
        calls.append(1)
        return f"gambar {len(calls)}"

    def ask(version: int) -> derived.Stored[str]:
        return derived.drawn(
            ctx,
            office=office,
            kind="chart.test",
            params="id|0",
            depends=(derived.LEDGER,),
            extra=version,
            compute=draw,
        )

    first = ask(1)
    assert first.computed_now and first.value == "gambar 1"
    again = ask(1)
    assert not again.computed_now and again.value == "gambar 1" and len(calls) == 1
    with _hold_write_lock(ctx, office):
        started = time.perf_counter()
        busy = ask(2)
        took = time.perf_counter() - started
    assert busy.value == "gambar 2" and took < 5, took
    assert ask(2).value == "gambar 2" and len(calls) == 2  # this process keeps its drawing
    with ctx.engine.connect() as conn:  # ... which was not stored while the lock was held
        row = conn.execute(select(derived_figure.c.payload).where(_drawing(office))).one()
    assert json.loads(row.payload) == "gambar 1"
    derived._drawn_kept.clear()  # another process: draws it again, and stores it now
    after = ask(2)
    assert after.computed_now and after.value == "gambar 3"
    derived._drawn_kept.clear()
    assert ask(2).value == "gambar 3" and len(calls) == 3


def _drawing(office: str):  # type: ignore[no-untyped-def]
    return (
        (derived_figure.c.office_code == office)
        & (derived_figure.c.kind == "chart.test")
        & (derived_figure.c.params == "id|0")
    )


def test_one_process_draws_a_drawing_once_for_its_concurrent_views(
    ctx: Context, office: str
) -> None:
    """Views of one outdated drawing at the same moment (after a print, every client's
    chart) wait for the one that draws it instead of each drawing it."""
    calls: list[int] = []
    gate = threading.Event()

    def draw() -> str:
        calls.append(1)
        gate.wait(10)
        return "gambar"

    got: list[str] = []

    def view() -> None:
        got.append(
            derived.drawn(
                ctx,
                office=office,
                kind="chart.test",
                params="id|0",
                depends=(derived.LEDGER,),
                extra=1,
                compute=draw,
            ).value
        )

    views = [threading.Thread(target=view) for _ in range(4)]
    for t in views:
        t.start()
    time.sleep(0.5)
    gate.set()
    for t in views:
        t.join(30)
    assert got == ["gambar"] * 4 and len(calls) == 1


def test_an_events_impact_is_computed_again_after_what_it_depends_on_only(
    ctx: Context, office: str, tmp_path: Path
) -> None:
    """The event page's impact (events.impact_stored): computed once, read as stored while
    nothing it depends on changes (a ledger entry does not), computed again after a registry
    change, an application, a closure and another event; its value is `impact`'s own."""
    stock_station(ctx)
    add_resident(ctx, serial=1)
    event_id = events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=20),
        kind="pilkades",
        villages=[VILLAGES[0]],
        office="17.04",
    )["id"]

    def computed() -> bool:
        return events.impact_stored(ctx, event_id, office="17.04").computed_now

    assert computed() and not computed()
    writes.transfer(ctx, qty=1, from_location="gudang", to_location="loket-1", office="17.04")
    assert not computed()  # the ledger: not a source of the impact
    nik = add_resident(ctx, serial=2, birth=date(2009, 11, 20))
    assert computed() and not computed()  # the registry
    apps.new(ctx, nik=nik, type="pemula", documents=KK, office="17.04")
    assert computed() and not computed()  # an application
    days.add_closure(
        ctx, service="perekaman", start=TODAY + timedelta(days=9), reason="Rapat", office="17.04"
    )
    assert computed() and not computed()  # a closure
    events.add_event(
        ctx,
        name="Pemilu",
        event_date=TODAY + timedelta(days=40),
        kind="pemilu",
        all_villages=True,
        office="17.04",
    )
    assert computed() and not computed()  # another event
    stored = events.impact_stored(ctx, event_id, office="17.04").value
    assert stored == json.loads(json.dumps(events.impact(ctx, event_id, office="17.04")))
