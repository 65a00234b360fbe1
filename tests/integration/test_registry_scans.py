"""The registry PRR and the forecast's print history, read in two index range scans
(`coverage.card_scans`: the recorded never printed; the printed after a day), give exactly
what the one-statement reads before them gave and what a model of the registry says, on
SQLite and PostgreSQL, on a registry crafted with every edge: unrecorded, recorded on the day
and the day after, printed before, on and after the day and the print history's start, a
card without a recording, dead and moved residents, minors married or not, residents turning
17 on the day, open, closed and replacement applications, and another office's residents
with the same dates. Each scan holds residents of the figure in the registry (checked), so
dropping either changes a figure here; the plans are checked on SQLite, whose planner has no
statistics (PostgreSQL's depends on them)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, and_, case, func, insert, or_, select

from blangko.adapters.repos import applications as app_repo
from blangko.adapters.repos import forecast as fc_repo
from blangko.adapters.repos import worklist as wl_repo
from blangko.adapters.repos.coverage import card_scans, printed_after
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_residents import resident
from blangko.domain.nik import build_nik
from blangko.domain.wajib_ktp import age_on
from blangko.services import worklist
from blangko.services.admin import setup

TODAY = date(2026, 11, 27)  # the fixture clock's day (WIB)
OTHER = "17.71"
VILLAGES = ("17.04.01.2001", "17.04.01.2002", "17.04.02.2001")
OPEN = ("diajukan", "direkam", "siap_cetak")
BIRTHS = (
    date(1990, 1, 1),  # an adult
    date(2009, 11, 27),  # 17 on TODAY
    date(2009, 11, 28),  # 17 the day after TODAY
    date(2011, 6, 1),  # a minor
    date(2008, 3, 1),  # 18: born after born_after (young in the print history)
)
MARITAL = ("BELUM KAWIN", "KAWIN")
STATUS = ("HIDUP", "MENINGGAL", "PINDAH")
RECORDED = (
    None,
    date(2015, 3, 2),
    TODAY - timedelta(days=41),
    TODAY - timedelta(days=40),
    TODAY - timedelta(days=1),
    TODAY,
    TODAY + timedelta(days=1),
)
PRINTED = (
    None,
    date(2015, 4, 1),
    TODAY - timedelta(days=401),
    TODAY - timedelta(days=400),
    TODAY - timedelta(days=41),
    TODAY - timedelta(days=40),
    TODAY - timedelta(days=39),
    TODAY,
    TODAY + timedelta(days=1),
)
# (as_of, since) pairs: the day, the print history's start (TODAY - 400 is a card date).
DAYS = (
    (TODAY, TODAY - timedelta(days=400)),
    (TODAY - timedelta(days=40), TODAY - timedelta(days=400)),
    (TODAY - timedelta(days=41), TODAY - timedelta(days=41)),
    (TODAY + timedelta(days=1), TODAY - timedelta(days=39)),
)


def _crafted(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every combination of birth, marriage, status, recording and card date in 17.04 (and
    every seventh in the other office, same dates), and applications on some of them."""
    people: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = []
    stamp = datetime(2026, 11, 27, 3, 0)
    combos = itertools.product(BIRTHS, MARITAL, STATUS, RECORDED, PRINTED)
    for i, (born, marital, status, recorded, printed) in enumerate(combos):
        for office in ("17.04", OTHER) if i % 7 == 0 else ("17.04",):
            desa = VILLAGES[i % 3] if office == "17.04" else "17.71.01.1001"
            nik = build_nik(desa[:8], born, "L" if i % 2 else "P", i + 1)
            people.append(
                {
                    "nik": nik,
                    "office_code": office,
                    "nama": f"Warga {i}",
                    "jenis_kelamin": "L" if i % 2 else "P",
                    "tanggal_lahir": born,
                    "status_kawin": marital,
                    "kode_desa": desa,
                    "kode_kecamatan": desa[:8],
                    "tanggal_rekam": recorded,
                    "tanggal_cetak": printed,
                    "status": status,
                    "updated_at": stamp,
                }
            )
            kinds = {
                0: [("pemula", "diajukan", None)],
                1: [("pemula", "direkam", None)],
                2: [("rusak", "siap_cetak", None)],
                3: [("pemula", "diserahkan", printed)],
                4: [("hilang", "diserahkan", printed)],
                5: [("rusak", "diserahkan", printed and printed - timedelta(days=1))],
                6: [("hilang", "dibatalkan", None)],
                7: [("hilang", "diserahkan", printed), ("perubahan_data", "diajukan", None)],
                8: [("perubahan_data", "dicetak", printed)],
            }.get(i % 11, [])
            for type_, app_status, app_printed in kinds:
                n = len(apps) + 1
                apps.append(
                    {
                        "office_code": office,
                        "receipt": f"{office}-{n:06d}",
                        "nik": nik,
                        "type": type_,
                        "status": app_status,
                        "documents": "{}",
                        "submitted_date": date(2026, 1, 1),
                        "day_seq": n,
                        "printed_date": app_printed,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
    conn.execute(insert(resident), people)
    conn.execute(insert(application), apps)
    return people, apps


@pytest.fixture
def registry(ctx, office):  # type: ignore[no-untyped-def]
    setup.create_office(ctx, code=OTHER)
    with ctx.engine.begin() as conn:
        return _crafted(conn)


def _model_prr(people: list[dict[str, Any]], apps: list[dict[str, Any]], as_of: date) -> set[str]:
    """The registry PRR written out: 17.04, alive, born by the day and 17 or over or ever
    married, recorded by the day, no card by the day, no open application."""
    open_niks = {a["nik"] for a in apps if a["status"] in OPEN}
    return {
        p["nik"]
        for p in people
        if p["office_code"] == "17.04"
        and p["status"] == "HIDUP"
        and p["tanggal_lahir"] <= as_of
        and (p["status_kawin"] != "BELUM KAWIN" or age_on(p["tanggal_lahir"], as_of) >= 17)
        and p["tanggal_rekam"] is not None
        and p["tanggal_rekam"] <= as_of
        and (p["tanggal_cetak"] is None or p["tanggal_cetak"] > as_of)
        and p["nik"] not in open_niks
    }


def _model_history(
    people: list[dict[str, Any]], apps: list[dict[str, Any]], since: date, as_of: date
) -> Counter[tuple[Any, ...]]:
    prr = _model_prr(people, apps, as_of)
    born_after = _born_after(as_of)
    replaced = {(a["nik"], a["printed_date"]) for a in apps if a["type"] != "pemula"}
    out: Counter[tuple[Any, ...]] = Counter()
    for p in people:
        rec, card = p["tanggal_rekam"], p["tanggal_cetak"]
        if p["office_code"] != "17.04" or rec is None or rec > as_of:
            continue
        if card is not None and card < since:
            continue
        key = (
            rec,
            card,
            p["status"],
            int(card is not None and (p["nik"], card) in replaced),
            int(p["tanggal_lahir"] > born_after),
            int(p["nik"] in prr),
        )
        out[key] += 1
    return out


def _born_after(as_of: date) -> date:
    return date(as_of.year - 19, as_of.month, min(as_of.day, 28))


def _old_count(conn: Connection, as_of: date) -> int:
    """count_registry_prr before the two scans: one statement over the condition."""
    q = select(func.count()).where(app_repo.registry_prr_condition("17.04", as_of))
    return int(conn.execute(q).scalar_one())


def _old_history(conn: Connection, since: date, as_of: date) -> Counter[tuple[Any, ...]]:
    """registry_print_history before the two scans: one statement with the OR."""
    r = resident
    replaced = (
        select(application.c.id)
        .where(
            application.c.nik == r.c.nik,
            application.c.type != "pemula",
            application.c.printed_date == r.c.tanggal_cetak,
        )
        .exists()
    )
    groups = (
        r.c.tanggal_rekam,
        r.c.tanggal_cetak,
        r.c.status,
        case((and_(r.c.tanggal_cetak.is_not(None), replaced), 1), else_=0),
        case((r.c.tanggal_lahir > _born_after(as_of), 1), else_=0),
        case((app_repo.registry_prr_condition("17.04", as_of), 1), else_=0),
    )
    rows = conn.execute(
        select(*groups, func.count())
        .where(
            r.c.office_code == "17.04",
            r.c.tanggal_rekam.is_not(None),
            r.c.tanggal_rekam <= as_of,
            or_(r.c.tanggal_cetak.is_(None), r.c.tanggal_cetak >= since),
        )
        .group_by(*groups)
    ).all()
    return Counter({tuple(row[:6]): int(row[6]) for row in rows})


def _as_counter(rows: Any) -> Counter[tuple[Any, ...]]:
    keys = [tuple(row[:6]) for row in rows]
    assert len(keys) == len(set(keys)), "a group in both scans"
    return Counter({tuple(row[:6]): int(row[6]) for row in rows})


@pytest.mark.parametrize(("as_of", "since"), DAYS)
def test_registry_prr_and_print_history_are_the_old_reads(ctx, registry, as_of, since) -> None:  # type: ignore[no-untyped-def]
    people, apps = registry
    prr = _model_prr(people, apps, as_of)
    with ctx.read() as conn:
        count = app_repo.count_registry_prr(conn, "17.04", as_of)
        assert count == _old_count(conn, as_of) == len(prr) > 0
        history = _as_counter(
            fc_repo.registry_print_history(conn, "17.04", since, as_of, _born_after(as_of))
        )
        assert (
            history
            == _old_history(conn, since, as_of)
            == _model_history(people, apps, since, as_of)
        )
        # The worklist's registry rows are the same residents (reveal: full NIKs).
        found = worklist.read_work_list(conn, "17.04", as_of, limit=None, reveal=True)
        listed = [i["nik"] for i in found["items"] if i["status"] == worklist.REGISTRY_STATUS]
        assert sorted(listed) == sorted(prr)
        for kec, desa in (("17.04.01", None), (None, "17.04.01.2002")):
            part = worklist.read_work_list(
                conn, "17.04", as_of, kecamatan=kec, desa=desa, limit=None, reveal=True
            )
            mine = {
                p["nik"] for p in people if p["kode_desa"] == desa or p["kode_kecamatan"] == kec
            }
            got = [i["nik"] for i in part["items"] if i["status"] == worklist.REGISTRY_STATUS]
            assert sorted(got) == sorted(prr & mine)


def test_each_scan_holds_part_of_the_figures(ctx, registry) -> None:  # type: ignore[no-untyped-def]
    """Both halves are needed: on the day 40 days back the PRR has residents never printed
    and residents printed after the day, and the print history groups of both kinds; the
    scans' own counts add up to the figure and none is empty."""
    people, apps = registry
    as_of, since = DAYS[1]
    prr = _model_prr(people, apps, as_of)
    card = {p["nik"]: p["tanggal_cetak"] for p in people if p["office_code"] == "17.04"}
    assert any(card[n] is None for n in prr) and any(card[n] is not None for n in prr)
    with ctx.read() as conn:
        parts = [
            int(conn.execute(select(func.count()).where(w)).scalar_one())
            for w in app_repo.registry_prr_scans("17.04", as_of)
        ]
        assert parts[0] > 0 and parts[1] > 0 and sum(parts) == len(prr)
        rows = fc_repo.registry_print_history(conn, "17.04", since, as_of, _born_after(as_of))
    assert {row[1] is None for row in rows} == {True, False}


def test_scans_are_disjoint_halves_of_the_condition(ctx, registry) -> None:  # type: ignore[no-untyped-def]
    """card_scans on its own: for the not-printed condition of every day, the two clauses
    select disjoint sets whose union is the condition's."""
    from blangko.adapters.repos.coverage import not_printed_condition

    for as_of, _since in DAYS:
        cond = and_(resident.c.office_code == "17.04", not_printed_condition(as_of))
        with ctx.read() as conn:
            whole = set(conn.execute(select(resident.c.nik).where(cond)).scalars())
            halves = [
                set(conn.execute(select(resident.c.nik).where(w)).scalars())
                for w in card_scans("17.04", cond, printed_after(as_of))
            ]
        assert not halves[0] & halves[1]
        assert halves[0] | halves[1] == whole


# SQLite only: PostgreSQL plans by its statistics, so its plan is not the schema's to test.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_reads_the_registry_prr_by_index(ctx, registry, db_url) -> None:  # type: ignore[no-untyped-def]
    """On SQLite (no statistics: the plan is the schema's) each scan reads its own index,
    never the recording-date index nor the whole table."""
    plans = []
    with ctx.read() as conn:
        for w in app_repo.registry_prr_scans("17.04", TODAY):
            q = select(func.count()).where(w).compile(conn, compile_kwargs={"literal_binds": True})
            plans.append(" ".join(r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {q}")))
    assert "USING INDEX ix_resident_unprinted " in plans[0]
    assert "USING INDEX ix_resident_office_cetak" in plans[1]
    assert not any("ix_resident_office_rekam" in p or "SCAN resident" in p for p in plans)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_reads_a_work_list_page_by_its_villages(ctx, registry, db_url) -> None:  # type: ignore[no-untyped-def]
    """A page of the work list reads the registry PRR of its villages through the village
    index (migration 0030), not every unprinted resident of the office."""
    groups = [("17.04.01", "17.04.01.2001"), ("17.04.01", "17.04.01.2002")]
    with ctx.read() as conn:
        w = wl_repo.work("17.04", TODAY, kecamatan=None, desa=None, villages=None, groups=groups)
        q = select(w).compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {q}"))
    assert "USING INDEX ix_resident_unprinted_desa (office_code=? AND kode_desa=?" in plan
    assert "ix_resident_unprinted " not in plan and "SCAN resident" not in plan
