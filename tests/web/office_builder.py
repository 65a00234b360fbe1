"""Offices with a history, for the consistency suite: a demo-like one (the demo's story in
miniature, on the fixture clock) and random ones drawn by Hypothesis.

Everything is written through the stock, calendar and event services; residents and
applications straight into their tables (as the registry import and the counter would leave
them), so that a history of months takes a second rather than minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import insert

from blangko.adapters.tables_applications import application
from blangko.adapters.tables_residents import resident
from blangko.domain.applications import format_receipt
from blangko.domain.nik import build_nik
from blangko.services import handed_in, rationing, registry
from blangko.services.admin import setup, users
from blangko.services.calendar import days, events
from blangko.services.context import Context
from blangko.services.stock import counts, queries, writes

PASSWORD = "rahasia-uji-123"
PPKM = "PPKM: petugas perekaman terkonfirmasi Covid-19"


@dataclass(frozen=True)
class Plan:
    """What an office's history holds. Dates are days before the fixture's today."""

    history_days: int = 110  # first use this many days ago
    mean_use: float = 4.0  # blanks a working day (Poisson)
    opening: int = 1000
    receipt: int = 4000  # one shipment half-way (0: none)
    at_station: int = 100
    unrecorded: int = 300  # in the event's villages
    recorded_not_printed: int = 60
    printed: int = 400
    to_print: int = 5  # applications print-ready (siap cetak)
    suket: int = 1  # of them, holding a suket
    to_record: int = 3  # applications waiting for recording (diajukan)
    event_in_days: int | None = 5
    event_villages: int = 3
    recording_closed: str | None = "open"  # "open": until ended; "ended": before the event
    count_variance: int | None = 700  # an open count at the store with this variance
    registry_import_days: int | None = 3  # the registry's load recorded as an import (None: not)
    rationing_cap: int | None = None  # a rationing policy from today for 30 days (None: none)
    seed: int = 3
    old_cards: int = 3  # old cards handed in by printed residents; the first one destroyed
    ikd: int = 12  # printed residents with an IKD date in the registry (the last 60 days)


@dataclass
class Office:
    code: str
    user: str
    plan: Plan
    event_id: int | None = None
    villages: list[str] = field(default_factory=list)
    card_id: int | None = None  # an old card still held
    destruction_id: int | None = None


def _villages(ctx: Context, code: str) -> list[str]:
    rows = setup.office_regions(ctx, office=code)
    return sorted(r["code"] for r in rows if r["level"] == "desa")


def _residents(ctx: Context, code: str, villages: list[str], plan: Plan, today: date) -> list[str]:
    """Adults in the event's villages: unrecorded, recorded but not printed, printed; returns
    the NIKs of the recorded ones (the applications are theirs)."""
    rows, recorded, printed_niks = [], [], []
    serial = 1
    kinds = (
        [("none", None, None)] * plan.unrecorded
        + [("rec", today - timedelta(days=40), None)] * plan.recorded_not_printed
        + [("done", today - timedelta(days=400), today - timedelta(days=390))] * plan.printed
    )
    for i, (kind, rec, printed) in enumerate(kinds):
        desa = villages[i % len(villages)]
        born = date(1980, 1, 1) + timedelta(days=i % 3000)
        nik = build_nik(desa[:8], born, "L", serial)  # type: ignore[arg-type]
        serial += 1
        rows.append(
            {
                "nik": nik,
                "office_code": code,
                "nama": f"Warga {i}",
                "jenis_kelamin": "L",
                "tanggal_lahir": born,
                "status_kawin": "BELUM KAWIN",
                "kode_desa": desa,
                "kode_kecamatan": desa[:8],
                "tanggal_rekam": rec,
                "tanggal_cetak": printed,
                "tanggal_ikd": None,
                "status": "HIDUP",
                "updated_at": datetime(2026, 11, 1),
            }
        )
        if kind == "rec":
            recorded.append(nik)
        if kind == "done":
            printed_niks.append(nik)
    for k in range(min(plan.ikd, len(printed_niks))):
        rows[len(rows) - len(printed_niks) + k]["tanggal_ikd"] = today - timedelta(days=k * 5)
    if rows:
        with ctx.write_plain() as conn:
            conn.execute(insert(resident), rows)
    return recorded, printed_niks


def _old_cards(ctx: Context, code: str, niks: list[str], plan: Plan, office: Office) -> None:
    """Old cards handed in by printed residents; the first one destroyed."""
    ids = [
        handed_in.receive_card(
            ctx,
            nik=nik,
            reason=("pindah", "tidak_berlaku")[k % 2],
            received_on=ctx.today() - timedelta(days=20 - k),
            card_serial=f"LAMA{k:05d}",
            office=code,
        )["card"]["id"]
        for k, nik in enumerate(niks[: plan.old_cards])
    ]
    if ids:
        done = handed_in.destroy_cards(
            ctx,
            cards=ids[:1],
            witnesses=["Saksi Satu", "Saksi Dua"],
            place="Halaman kantor",
            destroyed_on=ctx.today() - timedelta(days=2),
            office=code,
        )
        office.destruction_id = done["destruction"]["id"]
    if len(ids) > 1:
        office.card_id = ids[-1]


def _applications(ctx: Context, code: str, niks: list[str], plan: Plan, today: date) -> None:
    """Print-ready applications (some holding a suket) and some waiting to be recorded."""
    day = today - timedelta(days=6)
    now = datetime(2026, 11, 20, 3, 0)
    rows = []
    wanted = [("siap_cetak", i < plan.suket) for i in range(plan.to_print)] + [
        ("diajukan", False)
    ] * plan.to_record
    for i, ((status, suket), nik) in enumerate(zip(wanted, niks, strict=False)):
        rows.append(
            {
                "office_code": code,
                "receipt": format_receipt(code, day, i + 1),
                "nik": nik,
                "type": "pemula",
                "status": status,
                "documents": "{}",
                "submitted_date": day,
                "day_seq": i + 1,
                "recorded_date": day if status == "siap_cetak" else None,
                "ready_date": day if status == "siap_cetak" else None,
                "suket_at": now if suket else None,
                "ikd_at": now if suket else None,  # the card-free path, meanwhile
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        with ctx.write_plain() as conn:
            conn.execute(insert(application), rows)


def build(
    ctx: Context, code: str, plan: Plan, *, prefix: str = "KR", user: str = "kepala"
) -> Office:
    """An office ``code`` with the history ``plan`` describes; its head logs in as ``user``."""
    today = ctx.today()
    setup.create_office(ctx, code=code)
    setup.add_location(ctx, name="loket-1", kind="station", office=code)
    users.add_user(
        ctx, scope=users.MACHINE, username=user, role="kepala", password=PASSWORD, office=code
    )
    start = today - timedelta(days=plan.history_days)
    serials = f"{prefix}000001-{prefix}{plan.opening:06d}"
    writes.record_opening(ctx, serials=serials, effective=start, office=code)
    if plan.receipt:
        first = plan.opening + 1
        writes.receive_shipment(
            ctx,
            serials=f"{prefix}{first:06d}-{prefix}{plan.opening + plan.receipt:06d}",
            source="Ditjen Dukcapil",
            document="BA-1",
            effective=start + timedelta(days=plan.history_days // 2),
            office=code,
        )
    holidays = days.holidays_between(start, today)
    rng = np.random.default_rng(plan.seed)
    stock = plan.opening
    for i in range(1, plan.history_days):
        d = start + timedelta(days=i)
        if plan.receipt and i == plan.history_days // 2:
            stock += plan.receipt
        k = min(int(rng.poisson(plan.mean_use)), stock - plan.at_station - 1)
        if d.weekday() < 5 and d not in holidays and k > 0:
            writes.consume(
                ctx, service="pemula", qty=k, location="gudang", effective=d, office=code
            )
            stock -= k
    if plan.at_station:
        writes.transfer(
            ctx,
            qty=plan.at_station,
            from_location="gudang",
            to_location="loket-1",
            effective=today - timedelta(days=1),
            office=code,
        )
    villages = _villages(ctx, code)[: plan.event_villages]
    recorded, printed = _residents(ctx, code, villages, plan, today)
    if plan.registry_import_days is not None:
        back = timedelta(days=plan.registry_import_days)
        registry.record_load(
            replace(ctx, clock=lambda: ctx.now() - back), office=code, file_name="siak.csv"
        )
    _applications(ctx, code, recorded, plan, today)
    office = Office(code, user, plan, villages=villages)
    _old_cards(ctx, code, printed, plan, office)
    if plan.event_in_days is not None:
        ev = events.add_event(
            ctx,
            name="Pilkades serentak",
            event_date=today + timedelta(days=plan.event_in_days),
            kind="pilkades",
            villages=villages,
            office=code,
        )
        office.event_id = ev["id"]
    if plan.recording_closed == "open":
        days.add_closure(
            ctx, service="perekaman", start=today - timedelta(days=1), reason=PPKM, office=code
        )
    elif plan.recording_closed == "ended":
        days.add_closure(
            ctx,
            service="perekaman",
            start=today - timedelta(days=10),
            end=today - timedelta(days=2),
            reason=PPKM,
            office=code,
        )
    if plan.rationing_cap is not None:
        rationing.set_policy(
            ctx,
            start=today,
            end=today + timedelta(days=29),
            daily_cap=plan.rationing_cap,
            reason="stok menipis",
            office=code,
        )
    if plan.count_variance is not None:
        book = queries.balance(ctx, office=code)["by_location"]["gudang"]
        counts.record_count(
            ctx, location="gudang", counted=max(0, book + plan.count_variance), office=code
        )
    return office
