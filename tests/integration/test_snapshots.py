"""Office snapshots (issue 14, point 1), on SQLite and PostgreSQL: the job computes every
office, skips an office whose sources did not change, computes one again after a write to
its ledger (or a shipment sent to it), in worker processes too; a snapshot's figures are
those the office's own pages show (read by their own functions)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from blangko.domain import national as dn
from blangko.domain.errors import DomainError
from blangko.services import applications, figures
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.coverage import areas
from blangko.services.network import organisation, shipments, snapshots
from blangko.services.stock import queries, writes

D = organisation.DIRECTORATE_CODE
OFFICES = {"17.04": "KA", "17.01": "KB", "16.01": "KC"}


@pytest.fixture
def network(ctx: Context) -> Context:
    setup.init(ctx, directorate=True)
    start = ctx.today() - timedelta(days=60)
    for code, prefix in OFFICES.items():
        setup.create_office(ctx, code=code)
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        writes.record_opening(
            ctx, serials=f"{prefix}0000001-{prefix}0000300", effective=start, office=code
        )
        writes.transfer(
            ctx, qty=40, from_location="gudang", to_location="loket-1", effective=start, office=code
        )
        for i in range(12):  # some use, so that the forecast has a history
            writes.consume(
                ctx,
                qty=2 + i % 3,
                location="loket-1",
                service="hilang",
                effective=start + timedelta(days=3 * i + 1),
                office=code,
            )
    writes.receive_shipment(
        ctx,
        serials="KD0000001-KD0001000",
        source="Pengadaan pusat",
        document="KONTRAK-1",
        effective=ctx.today() - timedelta(days=5),
        office=D,
    )
    return ctx


def _computed(run: snapshots.SnapshotRun) -> set[str]:  # type: ignore[name-defined]
    return {d["office"] for d in run["done"] if d["computed"]}


def test_the_job_computes_all_then_only_what_changed(network: Context) -> None:
    ctx = network
    seen: list[tuple[int, int]] = []
    first = snapshots.run(ctx, progress=lambda done, total: seen.append((done, total)))
    assert first["offices"] == 3 and _computed(first) == set(OFFICES)  # not the directorate
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    again = snapshots.run(ctx)
    assert (again["computed"], again["skipped"]) == (0, 3)
    # A write to one ledger: that office only.
    writes.consume(ctx, qty=1, location="loket-1", service="hilang", office="17.04")
    assert _computed(snapshots.run(ctx)) == {"17.04"}
    # A shipment sent to an office changes its blanks in transit (the sender's ledger moved):
    # the receiver is computed again; the directorate has no snapshot.
    shipments.send(ctx, from_office=D, to_office="17.01", qty=200, document="SP-17.01")
    after = snapshots.run(ctx)
    assert _computed(after) == {"17.01"}
    view = snapshots.view(ctx)
    by_code = {o["code"]: o for o in view["offices"]}
    assert by_code["17.01"]["in_transit"] == 200 and by_code["17.04"]["in_transit"] == 0
    # --force computes every one again; one office by --office.
    assert snapshots.run(ctx, force=True)["computed"] == 3
    assert _computed(snapshots.run(ctx, offices=["16.01"], force=True)) == {"16.01"}


def test_a_snapshot_shows_the_figures_of_the_office_own_pages(network: Context) -> None:
    ctx = network
    snapshots.run(ctx)
    view = snapshots.view(ctx)
    assert view["missing"] == []
    for o in view["offices"]:
        code = o["code"]
        fc = figures.forecast_for(ctx, code)
        status = figures.status(ctx, office=code)
        balance = queries.balance(ctx, office=code)
        assert o["on_hand"] == balance["on_hand"] == status["stock"]["on_hand"]
        assert o["by_location"] == balance["by_location"]
        assert o["days_of_cover"] == figures.cover_of(fc)
        assert o["stockout_probability"] == round(
            fc["stockout_probability_before_next_delivery"], 4
        )
        assert o["level"] == status["stock"]["level"]
        assert o["recommended_request"] == fc["recommended_request"]["quantity"]
        assert o["backlog"] == applications.backlog(ctx, office=code)
        cov = areas.coverage(ctx, by="kabupaten", office=code)
        assert o["coverage"]["coverage_pct"] == cov["coverage_pct"]
        assert o["coverage"]["gap_to_target"] == cov["gap_to_target"]
        assert o["as_of"] == ctx.today().isoformat()
        assert o["versions"]["versions"]["ledger"] > 0


def test_the_stored_demand_paths(network: Context) -> None:
    ctx = network
    snapshots.run(ctx, offices=["17.04"])
    fc = figures.forecast_for(ctx, "17.04")
    from sqlalchemy import select

    from blangko.adapters.tables_snapshots import office_snapshot

    with ctx.read() as conn:
        raw = conn.execute(
            select(office_snapshot.c.demand_paths).where(office_snapshot.c.office_code == "17.04")
        ).scalar_one()
    paths = json.loads(raw)
    assert paths == fc["demand_paths"]
    assert sum(paths["period_days"]) == paths["horizon_days"] == fc["horizon_days"]
    assert paths["period_days"][:2] == [7, 7]
    assert len(paths["paths"]) == min(dn.PATHS, ctx.settings.forecast.paths)
    assert all(len(r) == len(paths["period_days"]) for r in paths["paths"])
    assert paths["start"] == ctx.today().isoformat()
    q = paths["quantiles"]
    assert all(a <= b <= c for a, b, c in zip(q["p05"], q["p50"], q["p95"], strict=True))
    # The office uses about a blank a day: so do its paths, week by week.
    weekly = sum(sum(r[:8]) for r in paths["paths"]) / len(paths["paths"]) / 56
    assert 0.2 < weekly < 3, weekly
    # Expected shortfall: none with more stock than any path asks, positive with none.
    most = max(sum(r) for r in paths["paths"])
    assert dn.expected_shortfall(paths, most) == 0.0
    assert dn.expected_shortfall(paths, 0) == pytest.approx(
        sum(sum(r) for r in paths["paths"]) / len(paths["paths"])
    )


def test_worker_processes_compute_the_same(network: Context) -> None:
    ctx = network
    one = snapshots.run(ctx, workers=1)
    assert one["computed"] == 3
    before = {o["code"]: o for o in snapshots.view(ctx)["offices"]}
    many = snapshots.run(ctx, workers=2, force=True)
    assert many["computed"] == 3 and many["workers"] == 2
    after = {o["code"]: o for o in snapshots.view(ctx)["offices"]}
    for code, o in after.items():
        assert {k: v for k, v in o.items() if k != "computed_at"} == {
            k: v for k, v in before[code].items() if k != "computed_at"
        }
    # Incremental across processes too.
    assert snapshots.run(ctx, workers=2)["computed"] == 0


def test_bad_input_is_refused(network: Context) -> None:
    ctx = network
    with pytest.raises(DomainError) as e:
        snapshots.run(ctx, offices=["99.99"])
    assert (e.value.code, e.value.field) == ("unknown_office", "office")
    with pytest.raises(DomainError) as e:
        snapshots.run(ctx, workers=0)
    assert e.value.field == "workers"
    with pytest.raises(DomainError) as e:
        snapshots.view(ctx, risk="merah")
    assert e.value.field == "risk"
    with pytest.raises(DomainError) as e:
        snapshots.view(ctx, sort="acak")
    assert e.value.field == "sort"


def test_the_web_server_computes_snapshots_on_its_schedule(network: Context) -> None:
    """`blangko serve` (BLANGKO_SNAPSHOT_REFRESH_SECONDS): the server's thread computes
    today's snapshots, and again after a change."""
    import time as clock

    from fastapi.testclient import TestClient

    from blangko.settings import Settings
    from blangko.web.app import create_app

    ctx = network
    settings = Settings(secret_key="kunci-rahasia-uji-yang-panjang", snapshot_refresh_seconds=0.1)
    with TestClient(create_app(ctx, settings=settings)):
        deadline = clock.monotonic() + 120
        while len(snapshots.view(ctx)["offices"]) < 3:
            assert clock.monotonic() < deadline, "no snapshots from the server's thread"
            clock.sleep(0.1)
        before = {o["code"]: o["on_hand"] for o in snapshots.view(ctx)["offices"]}
        writes.consume(ctx, qty=1, location="loket-1", service="hilang", office="16.01")
        while {o["code"]: o["on_hand"] for o in snapshots.view(ctx)["offices"]}["16.01"] == before[
            "16.01"
        ]:
            assert clock.monotonic() < deadline, "the change was not computed"
            clock.sleep(0.1)


def test_the_command_line(network: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from blangko.cli import state
    from blangko.cli.main import app as cli_app

    monkeypatch.setattr(state, "context", lambda: network)
    monkeypatch.setattr(state, "configure", lambda **_: None)
    first = CliRunner().invoke(cli_app, ["network", "snapshot", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["computed"] == 3
    again = CliRunner().invoke(cli_app, ["network", "snapshot"])
    assert again.exit_code == 0 and "0 dihitung, 3 tidak berubah" in again.stdout, again.stdout
    shown = CliRunner().invoke(cli_app, ["network", "national", "--sort", "code", "--json"])
    assert [o["code"] for o in json.loads(shown.stdout)["offices"]] == ["16.01", "17.01", "17.04"]
    # Bad input: the service's error, nothing written (`blangko` turns it into exit 2).
    bad = CliRunner().invoke(cli_app, ["network", "snapshot", "--workers", "0"])
    assert isinstance(bad.exception, DomainError) and bad.exception.field == "workers"
