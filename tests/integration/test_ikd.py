"""IKD figures on a constructed month, on SQLite and PostgreSQL: activations per day from
applications and from the registry (a resident counted once), coverage against the target by
area, and the ratio to blanks received against the 50 % rule."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from service_helpers import add_resident
from sqlalchemy import update

from blangko.adapters import tables_applications as ta
from blangko.adapters import tables_residents as tr
from blangko.domain.errors import DomainError
from blangko.services import applications as apps
from blangko.services.coverage import ikd
from blangko.services.stock import writes

KK = {"no_kk": "1704010101010001"}


def _month(ctx) -> list[str]:
    """October 2026: 10 wajib-KTP residents; 40 blanks received on 5 October.
    IKD: 2 by application (2 and 14 October, one of them also dated by the registry a day
    later), 3 by the registry only (14, 20 and 31 October), 1 in September (registry)."""
    niks = [
        add_resident(ctx, serial=k, recorded=date(2020, 1, 1), birth=date(1990, 1, k))
        for k in range(1, 11)
    ]
    writes.receive_shipment(
        ctx,
        serials="KR0000001-KR0000040",
        source="Ditjen Dukcapil",
        document="BAST-10",
        effective=date(2026, 10, 5),
    )
    # Applications marked IKD: the moment stored in UTC; 2 October 18:00 UTC is
    # 3 October 01:00 in Jakarta (the office's day).
    for nik, moment in (
        (niks[0], datetime(2026, 10, 2, 18, 0)),
        (niks[1], datetime(2026, 10, 14, 3)),
    ):
        r = apps.new(ctx, nik=nik, type="pemula", documents=KK, on=date(2026, 10, 1))
        with ctx.write_plain() as conn:
            conn.execute(
                update(ta.application)
                .where(ta.application.c.receipt == r["receipt"])
                .values(ikd_at=moment)
            )
    dated = {
        niks[1]: date(2026, 10, 15),  # also marked by its application: counted once
        niks[2]: date(2026, 10, 14),
        niks[3]: date(2026, 10, 20),
        niks[4]: date(2026, 10, 31),
        niks[5]: date(2026, 9, 30),
    }
    with ctx.write_plain() as conn:
        for nik, day in dated.items():
            conn.execute(
                update(tr.resident).where(tr.resident.c.nik == nik).values(tanggal_ikd=day)
            )
    return niks


def test_ikd_ratio_and_daily_on_a_constructed_month(ctx, office) -> None:
    _month(ctx)
    october = {"first": date(2026, 10, 1), "last": date(2026, 10, 31)}
    daily = ikd.ikd_daily(ctx, **october)
    by_day = {d["date"]: d["activations"] for d in daily["days"] if d["activations"]}
    assert by_day == {"2026-10-03": 1, "2026-10-14": 2, "2026-10-20": 1, "2026-10-31": 1}
    assert daily["total"] == 5 and len(daily["days"]) == 31
    ratio = ikd.ikd_blank_ratio(ctx, **october)
    assert (ratio["activations"], ratio["blanks_received"]) == (5, 40)
    assert ratio["ratio_pct"] == 12.5 and ratio["met"] is False and ratio["rule_pct"] == 50.0
    # The same figure as the sum of the daily series: one count of activations.
    assert ratio["activations"] == daily["total"]
    # No blanks received in September: the rule cannot be judged.
    sept = ikd.ikd_blank_ratio(ctx, first=date(2026, 9, 1), last=date(2026, 9, 30))
    assert (sept["activations"], sept["met"], sept["ratio_pct"]) == (1, None, None)


def test_ikd_coverage_against_the_target(ctx, office) -> None:
    _month(ctx)
    cov = ikd.ikd_coverage(ctx, as_of=date(2026, 10, 31), by="desa")
    assert (cov["wajib_ktp"], cov["ikd"], cov["target_pct"]) == (10, 6, 30.0)
    assert cov["coverage_pct"] == 60.0 and cov["to_target"] == 0
    assert "2024" in cov["target_source"]
    (area,) = [a for a in cov["areas"] if a["wajib_ktp"]]
    assert (area["code"], area["ikd"]) == ("17.04.01.2001", 6)
    assert len(cov["areas"]) > 100  # every village of Kaur, also those without residents
    earlier = ikd.ikd_coverage(ctx, as_of=date(2026, 10, 13), target="80")
    assert (earlier["ikd"], earlier["to_target"]) == (2, 6)
    assert earlier["target_source"] == "Target yang ditetapkan kantor"


def test_both_levels_from_one_read_equal_each_level_read_alone(ctx, office) -> None:
    """The coverage report reads IKD by desa once and sums the kecamatan from its villages
    (`read_coverage_levels`): the same figures as each level read on its own, area by area,
    on days before, within and after the month, with villages of three kecamatan."""
    niks = _month(ctx)
    moves = {
        niks[2]: "17.04.02.2002",
        niks[3]: "17.04.02.2002",
        niks[4]: "17.04.03.1010",
        niks[6]: "17.04.03.1010",
    }
    with ctx.write_plain() as conn:
        for nik, village in moves.items():
            conn.execute(
                update(tr.resident)
                .where(tr.resident.c.nik == nik)
                .values(kode_desa=village, kode_kecamatan=village[:8])
            )
    goal = ikd.target_pct(ctx)
    for day in (date(2026, 9, 1), date(2026, 10, 14), date(2026, 10, 31), date(2026, 11, 27)):
        with ctx.read() as conn:
            both = ikd.read_coverage_levels(ctx, conn, "17.04", day, goal)
            alone = {by: ikd.read_coverage(ctx, conn, "17.04", day, by, goal) for by in ikd.LEVELS}
        assert both == alone, day
    kec = {a["code"]: (a["wajib_ktp"], a["ikd"]) for a in both["kecamatan"]["areas"]}
    assert (kec["17.04.01"], kec["17.04.02"], kec["17.04.03"]) == ((6, 3), (2, 2), (2, 1))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ctx: ikd.ikd_coverage(ctx, target="0"), "ikd_target"),
        (lambda ctx: ikd.ikd_coverage(ctx, target="abc"), "ikd_target"),
        (lambda ctx: ikd.ikd_coverage(ctx, by="provinsi"), "by"),
        (
            lambda ctx: ikd.ikd_daily(ctx, first=date(2026, 11, 2), last=date(2026, 11, 1)),
            "date_from",
        ),
        (
            lambda ctx: ikd.ikd_blank_ratio(ctx, first=date(2024, 1, 1), last=date(2026, 1, 1)),
            "date_from",
        ),
    ],
)
def test_bad_ikd_inputs(ctx, office, call, field) -> None:
    with pytest.raises(DomainError) as err:
        call(ctx)
    assert err.value.field == field


def test_the_registry_export_may_carry_ikd_dates(ctx, office, tmp_path) -> None:
    """The optional column tanggal_ikd (or tgl_aktivasi_ikd): counted per day; an IKD date
    without a recording is a rejected row."""
    import csv

    from test_registry import HEADER, person

    from blangko.services import registry

    rows = [
        {**person(1), "tanggal_ikd": "2026-10-05"},
        {**person(2), "tanggal_ikd": "05-10-2026"},
        {**person(3), "tanggal_ikd": ""},
        {**person(4, tanggal_rekam="", tanggal_cetak=""), "tanggal_ikd": "2026-10-06"},
    ]
    path = tmp_path / "siak.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*HEADER, "tgl_aktivasi_ikd"])
        writer.writeheader()
        writer.writerows(
            [
                {
                    **{k: v for k, v in r.items() if k != "tanggal_ikd"},
                    "tgl_aktivasi_ikd": r["tanggal_ikd"],
                }
                for r in rows
            ]
        )
    done = registry.import_residents(ctx, path, office=office)
    assert (done["imported"], done["rejected"]) == (3, 1)
    daily = ikd.ikd_daily(ctx, first=date(2026, 10, 1), last=date(2026, 10, 31))
    assert daily["total"] == 2 and daily["days"][4] == {"date": "2026-10-05", "activations": 2}
