"""The forecast's first cards from the registry, on SQLite and PostgreSQL: an office whose
registry holds a large print-ready backlog (PRR) and whose ledger printed the registry's
first cards, both from one simulated office (domain.demand_simulation).

The fixture clock's day is Friday 27 November 2026 (WIB); histories end the day before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert

from blangko.adapters.tables_residents import resident
from blangko.domain import demand_simulation as ds
from blangko.domain import take_up as tu
from blangko.domain.nik import build_nik
from blangko.formatting import num
from blangko.services import applications
from blangko.services import forecast as fs
from blangko.services.calendar import days as cal
from blangko.services.calendar import events
from blangko.services.context import Context
from blangko.services.stock import writes
from blangko.settings import ForecastSettings

TODAY = date(2026, 11, 27)
VILLAGES = ["17.04.01.2001", "17.04.01.2002", "17.04.01.2003"]
HAZARDS = (0.5, 0.05, 0.02, 0.001)  # per band of tu.BANDS
LEDGER_DAYS = 120
SETTINGS = ForecastSettings(paths=1000)


def _office() -> ds.RegistryOffice:
    days = 440
    start = TODAY - timedelta(days=days)
    holidays = frozenset(cal.holidays_between(start - timedelta(days=400), TODAY))
    return ds.simulate_registry_office(
        start=start,
        days=days,
        holidays=holidays,
        other_base=3.0,
        recordings_per_day=3.0,
        old_backlog=2000,
        hazards=HAZARDS,
        seed=12,
    )


def _load(ctx: Context, sim: ds.RegistryOffice) -> None:
    """The simulated registry as residents, and the last LEDGER_DAYS of its use through the
    ledger: its first cards consumed as pemula, the rest as hilang."""
    reg = sim.registry
    rows: list[dict[str, Any]] = []
    serial = 0
    stamp = datetime(2026, 11, 27, 3, 0)
    for rec, printed, n in zip(reg.recorded, reg.printed, reg.count, strict=True):
        for _ in range(int(n)):
            serial += 1
            desa = VILLAGES[serial % 3]
            rows.append(
                {
                    "nik": build_nik(desa[:8], date(1990, 1, 1), "L", serial),
                    "office_code": "17.04",
                    "nama": f"Warga {serial}",
                    "jenis_kelamin": "L",
                    "tanggal_lahir": date(1990, 1, 1),
                    "status_kawin": "BELUM KAWIN",
                    "kode_desa": desa,
                    "kode_kecamatan": desa[:8],
                    "tanggal_rekam": reg.base + timedelta(days=int(rec)),
                    "tanggal_cetak": (
                        None if printed == tu.NEVER else reg.base + timedelta(days=int(printed))
                    ),
                    "status": "HIDUP",
                    "updated_at": stamp,
                }
            )
    with ctx.engine.begin() as conn:
        conn.execute(insert(resident), rows)
    first_day = TODAY - timedelta(days=LEDGER_DAYS)
    writes.record_opening(ctx, serials="KR0000001-KR0004000", effective=first_day)
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=4000, effective=first_day
    )
    offset = len(sim.used) - LEDGER_DAYS
    for i in range(1, LEDGER_DAYS):
        d = first_day + timedelta(days=i)
        for service, k in (
            ("pemula", sim.first[offset + i]),
            ("hilang", sim.other.used[offset + i]),
        ):
            if k:
                writes.consume(ctx, service=service, qty=int(k), location="loket-1", effective=d)


def _expected_backlog(waiting: np.ndarray, opened: list[bool], window: int) -> float:
    """The backlog's expected prints in the window at the true chances, by hand: each
    cohort survives its open days at its band's chance as it ages."""
    total = 0.0
    for age, k in enumerate(waiting):
        alive = float(k)
        for t in range(window):
            if opened[t]:
                h = HAZARDS[int(tu.band_of(np.array([age + t]))[0])]
                total += alive * h
                alive *= 1 - h
    return total


@pytest.fixture
def prr_office(ctx: Context, office: str) -> ds.RegistryOffice:
    sim = _office()
    _load(ctx, sim)
    return sim


def test_a_large_prr_backlog_is_a_reason_of_its_expected_size(
    ctx: Context, prr_office: ds.RegistryOffice
) -> None:
    f = fs.forecast(ctx, as_of=TODAY, settings=SETTINGS)
    backlog = applications.backlog(ctx, as_of=TODAY)
    waiting = prr_office.registry.backlog_at(TODAY)
    assert backlog["registry_prr"] == waiting.sum() > 1000
    assert f["model"]["name"] == "nb_glm_prr"
    assert f["warnings"] == []  # the ledger printed the registry's first cards
    parts = f["demand_parts"]
    assert sum(parts["backlog"]["registry_prr_by_days_waited"].values()) == waiting.sum()
    rec = f["recommended_request"]
    reasons = {r["reason"]: r["quantity"] for r in rec["reasons"]}
    label = f"{fs.PRR_REASON} (dari {num(int(waiting.sum()))} menunggu kartu)"
    opened = [d["open"] for d in f["daily"]]
    want = _expected_backlog(waiting, opened, rec["window_days"])
    assert reasons[label] == pytest.approx(want, rel=0.15), (reasons, want)
    assert reasons[fs.RECORDINGS_REASON] > 0  # about 3 recordings a day, most printed
    assert sum(reasons.values()) == rec["quantity"]
    # The parts: each reason is its part's share of the request; the parts' expectations add
    # up to the forecast's.
    by_part = {p["part"]: p for p in parts["parts"]}
    assert by_part["backlog"]["in_request"] == reasons[label]
    assert by_part["backlog"]["label"] == label
    assert by_part["replacements_other"]["in_request"] == rec["reasons"][0]["quantity"]
    assert sum(p["expected"] for p in parts["parts"]) == pytest.approx(
        parts["expected_total"], abs=0.5
    )
    assert parts["first_cards"]["expected"] == pytest.approx(
        by_part["backlog"]["expected"] + by_part["new_recordings"]["expected"], abs=0.2
    )
    assert f["by_service"]["pemula"]["horizon_total"]["p05"] <= parts["first_cards"]["expected"]
    # The take-up rates, each with its 90 % interval, from the office's own registry.
    bands = parts["take_up"]["bands"]
    assert [b["days_since_recording"] for b in bands] == ["0", "1-29", "30-89", "90+"]
    for b, truth in zip(bands, HAZARDS, strict=True):
        assert b["p05"] <= b["rate"] <= b["p95"]
        assert b["rate"] == pytest.approx(truth, rel=0.35), bands
    r = parts["take_up"]["backlog_rate"]
    assert r["p05"] < r["rate"] < r["p95"]
    # What the other use was fitted on: the blanks used less the first cards.
    h = parts["history"]
    assert h["first_cards_ledger"] == h["first_cards_registry"] > 0
    assert h["other_use"] == pytest.approx(h["used"] - h["first_cards_taken_out"])

    # An election in the three villages draws its PRR from the same backlog: the backlog
    # part then brings fewer, about those of the drawn who would have come anyway (drawn
    # from every waiting time alike, so about the backlog part's share of the backlog).
    events.add_event(
        ctx,
        name="Pilkades",
        event_date=TODAY + timedelta(days=20),
        kind="pilkades",
        villages=VILLAGES,
    )
    g = fs.forecast(ctx, as_of=TODAY, settings=SETTINGS)
    drawn = g["demand_parts"]["backlog"]["drawn_by_events"]
    share = g["demand_parts"]["backlog"]["event_prr_share"]["Pilkades (3 desa)"]
    blanks = g["events"][0]["blanks"]["expected"]
    assert share == 1.0  # everyone in these villages is recorded: the event's pool is PRR
    assert drawn == pytest.approx(blanks, rel=0.1)
    g_parts = {p["part"]: p for p in g["demand_parts"]["parts"]}
    before, after = by_part["backlog"]["expected"], g_parts["backlog"]["expected"]
    would_have_come = drawn * before / waiting.sum()
    assert 0.5 * would_have_come < before - after < 1.2 * would_have_come, (before, after)


def test_the_backtest_scores_the_registry_model_too(
    ctx: Context, prr_office: ds.RegistryOffice
) -> None:
    r = fs.backtest(ctx, as_of=TODAY)
    assert list(r["models"]) == ["nb_glm", "nb_glm_prr", "seasonal_naive", "moving_average_28"]
    scores = r["models"]
    assert scores["nb_glm_prr"]["scaled_pinball"] < scores["seasonal_naive"]["scaled_pinball"]
    assert scores["nb_glm_prr"]["coverage_90"] >= 0.8
    # Each part of the model against what followed: neither hides behind the other.
    assert [p["part"] for p in r["parts"]] == ["first_cards", "replacements_other"]
    for p in r["parts"]:
        assert 0.8 <= p["forecast"] / p["actual"] <= 1.25, r["parts"]
