"""bench/national_scale.py's registry build: the COPY path (a first load, the generator in
worker processes) leaves the database as the import's batch upsert leaves it, table by
table, on PostgreSQL (COPY is PostgreSQL's): the residents, the coverage counts the
triggers on `resident` keep, the registry's figure versions, the import records. A NIK
another office already holds is skipped by both paths."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from blangko.adapters.db import make_engine
from blangko.demo import residents as demo_residents
from blangko.services import registry
from blangko.services.admin import setup
from blangko.services.context import Context

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))  # spawned workers import the bench by this path too
import national_scale as ns  # noqa: E402

# Three offices of one province (their movers' NIKs come from each other's kecamatan), and
# a fourth holding beforehand a NIK the generator gives the first office.
PLAN = [("17.01", 700, 1), ("17.02", 500, 2), ("17.04", 900, 3)]
OTHER = "17.03"
TABLES = {
    "resident": "SELECT * FROM resident ORDER BY nik",
    "coverage_count": "SELECT * FROM coverage_count "
    "ORDER BY office_code, kode_desa, jenis_kelamin, birth_year, married",
    "registry_import": "SELECT * FROM registry_import ORDER BY id",
    "derived_figure": "SELECT * FROM derived_figure ORDER BY office_code, kind, params",
}


def _dump(url: str) -> dict[str, list[Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {name: [tuple(r) for r in conn.execute(text(q))] for name, q in TABLES.items()}
        # A version is a counter of the writes that touched the source: the upsert writes
        # batch after batch, COPY once an office, so only which offices' registry version
        # moved is the same.
        out["figure_version"] = [
            (o, s, v > 0)
            for o, s, v in conn.execute(
                text("SELECT office_code, source, version FROM figure_version ORDER BY 1, 2")
            )
        ]
    engine.dispose()
    return out


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_copy_leaves_what_the_upsert_leaves(db_url: str, clock: Any) -> None:
    engine = make_engine(db_url)
    ctx = Context(engine, actor="bench", clock=clock)
    for code, _n, _s in [*PLAN, (OTHER, 0, 0)]:
        setup.create_office(ctx, code=code)
    # The first office's third generated resident is the other office's already.
    task = ns.tasks_for(ctx, PLAN[:1])[0]
    _office, count, seed, villages, pool, today, _stamp = task
    person = list(
        demo_residents.generate_people(villages, pool, count=count, today=today, seed=seed)
    )[2]
    taken = person["nik"]
    with ctx.read() as conn:
        village = conn.execute(
            text("SELECT code FROM region WHERE level = 'desa' AND code LIKE :p LIMIT 1"),
            {"p": f"{OTHER}.%"},
        ).scalar_one()
    record = demo_residents.as_record({**person, "kode_desa": village}, OTHER, clock())
    registry.write_records(ctx, [record])
    engine.dispose()

    # The same database twice: the upsert in one, COPY (2 worker processes) in the other.
    copy_db = f"blangko_t_copy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    upsert_db = make_url(db_url).database
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{copy_db}" TEMPLATE "{upsert_db}"'))
    copy_url = make_url(db_url).set(database=copy_db).render_as_string(hide_password=False)
    try:
        results = {}
        for path, url in (("upsert", db_url), ("copy", copy_url)):
            engine = make_engine(url)
            ctx = Context(engine, actor="bench", clock=clock)
            if path == "upsert":
                results[path] = ns.registry_upsert(ctx, PLAN, say=lambda _m: None)
            else:
                results[path] = ns.registry_copy(ctx, PLAN, 2, say=lambda _m: None)
            engine.dispose()
        upsert, copy = _dump(db_url), _dump(copy_url)
        generated = sum(n for _o, n, _s in PLAN)
        assert results["upsert"]["residents"] == results["copy"]["residents"] == generated
        # The NIK taken by the other office is skipped by both paths (the first office then
        # goes through the temporary table), and only that one.
        assert results["copy"]["offices_through_stage"] >= 1
        assert results["upsert"]["residents_stored"] == results["copy"]["residents_stored"]
        assert len(upsert["resident"]) == results["copy"]["residents_stored"] <= generated
        by_nik = {row[0]: row for row in copy["resident"]}
        assert by_nik[taken][1] == OTHER
        assert {row[1] for row in copy["resident"]} == {OTHER, *(o for o, _n, _s in PLAN)}
        assert len(copy["coverage_count"]) > 50
        assert {row[0] for row in copy["figure_version"] if row[1] == "registry"} == {
            OTHER,
            *(o for o, _n, _s in PLAN),
        }
        for name in (*TABLES, "figure_version"):
            assert copy[name] == upsert[name], name
        # A second load of the same offices is refused: COPY is for a first load only.
        engine = make_engine(copy_url)
        with pytest.raises(SystemExit, match="first load"):
            ns.registry_copy(Context(engine, clock=clock), PLAN[:1], 0, say=lambda _m: None)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy_db}" WITH (FORCE)'))
        admin.dispose()
