"""Demo applications: a few hundred over the last three weeks, in every type and state, each
print consuming its blank at loket-1 through the ledger, and recording closed for PPKM.

The counter takes ``per_day`` applications on an open day on average, more on Mondays and
fewer on Fridays (the weekday pattern of domain.demand_simulation, the same the demo's older
use follows), with Poisson noise: a counter's day is not a fixed quota.

Runs after the demo's residents and stock exist. Every step goes through the same use cases
the counter uses (services.applications), dated back to the day it happened, so the ledger,
the residents' recording/printing dates and the application history agree. Applicants are
drawn at random from the whole registry (so their NIKs come in the registry's proportions:
nearly all issued in the regency, a few in neighbouring ones), each type with the documents
the office asks for; the operator takes and prints, the stock keeper refills the station,
the head closes recording. A pemula applicant is a print-ready resident, the recently
recorded the most likely, as the registry's first cards before the applications were
(demo.residents.align_first_prints), or now and then one who records at the counter.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from blangko.adapters import tables_applications as ts
from blangko.adapters import tables_residents as tr
from blangko.adapters.repos import ledger as ledger_repo
from blangko.adapters.repos.coverage import wajib_condition
from blangko.demo import residents
from blangko.demo.actors import HEAD, OPERATOR_USER, STOCK_KEEPER, acting
from blangko.domain.demand_simulation import WEEKDAY_FACTORS
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.services import applications as apps
from blangko.services.calendar import days as cal
from blangko.services.context import Context, location_id
from blangko.services.stock import writes

STATION = "loket-1"
PPKM_REASON = "PPKM: tiga petugas perekaman terkonfirmasi Covid-19"
DAYS_BACK = 21  # applications submitted over the last three weeks
PER_DAY = 20.0  # applications taken on an open day on average (about 300 in three weeks)
PPKM_DAYS_AGO = 4  # recording closed since this many days ago, open-ended
TYPE_MIX = (("pemula", 0.45), ("hilang", 0.2), ("rusak", 0.15), ("perubahan_data", 0.2))
MISPRINTS = 3
READY_AFTER = 2  # open days from the recording to print-ready (verification)
PRINT_AFTER = 1  # open days from print-ready to the print
PRINT_LAG = READY_AFTER + PRINT_AFTER  # open days from most applications to their print
PROXY_SHARE = 0.2  # cards collected by a proxy with a power of attorney
WALK_IN_SHARE = 0.3  # pemula applicants not recorded yet: they record at the counter
REFILL = 50  # blanks moved from the store when the station runs dry


@dataclass
class _Plan:
    receipt: str
    type: str
    submitted: date
    steps: list[tuple[str, date]] = field(default_factory=list)
    proxy_nik: str | None = None  # who collects for the applicant, if not themself


@dataclass
class _Candidates:
    """Living wajib-KTP residents without an application: print-ready ones (recorded, no
    card) by recording day, those not recorded yet, and card holders (for replacements)."""

    print_ready: list[tuple[date, str]]
    unrecorded: list[str]
    card: list[str]

    def first_card(self, rng: random.Random, day: date) -> str | None:
        """A pemula applicant on ``day``: a walk-in who records at the counter (one in
        WALK_IN_SHARE), else a print-ready resident, the recently recorded the most likely,
        with the weights of the registry's first cards before the applications
        (`residents.recency_weight`), so that first cards follow one process throughout."""
        ready = [i for i, (rec, _nik) in enumerate(self.print_ready) if rec <= day]
        if self.unrecorded and (not ready or rng.random() < WALK_IN_SHARE):
            return self.unrecorded.pop()
        if not ready:
            return None
        weights = [residents.recency_weight((day - self.print_ready[i][0]).days) for i in ready]
        return self.print_ready.pop(rng.choices(ready, weights=weights)[0])[1]


def _candidates(ctx: Context, office: str, limit: int, rng: random.Random, on: date) -> _Candidates:
    """Candidates drawn at random from the whole registry (`_Candidates`), at most ``limit``
    of each kind but the print-ready (all of them, for the weighted draw)."""
    r = tr.resident
    with ctx.read() as conn:
        busy = select(ts.application.c.nik)
        base = select(r.c.nik, r.c.tanggal_rekam).where(
            r.c.office_code == office, r.c.status == "HIDUP", r.c.nik.not_in(busy)
        )
        no_card = conn.execute(
            base.where(r.c.tanggal_cetak.is_(None), wajib_condition(on)).order_by(r.c.nik)
        ).all()
        card = list(
            conn.execute(base.where(r.c.tanggal_cetak.isnot(None)).order_by(r.c.nik)).scalars()
        )
    unrecorded = [nik for nik, rec in no_card if rec is None]
    return _Candidates(
        sorted((rec, nik) for nik, rec in no_card if rec is not None),
        rng.sample(unrecorded, min(limit, len(unrecorded))),
        rng.sample(card, min(limit, len(card))),
    )


def _blank_for(ctx: Context, office: str, day: date) -> str:
    """The lowest blank at the station that had arrived there by ``day``; refills if none."""
    for attempt in range(2):
        with ctx.read() as conn:
            serial = ledger_repo.lowest_arrived_by(
                conn, office, location_id(conn, office, STATION), day
            )
        if serial is not None:
            return serial
        if attempt == 0:
            writes.transfer(
                acting(ctx, STOCK_KEEPER),
                qty=REFILL,
                from_location="gudang",
                to_location=STATION,
                effective=day,
                office=office,
                note="isi ulang loket untuk pencetakan",
            )
    raise DomainError(
        "insufficient_stock",
        "qty",
        Msg("Tidak ada blangko untuk dicetak pada {day:%d-%m-%Y}.", day=day),
    )


def add_applications(
    ctx: Context,
    office: str,
    *,
    seed: int = 1704,
    days_back: int = DAYS_BACK,
    per_day: float = PER_DAY,
) -> dict[str, Any]:
    """Add the demo's recent applications and the PPKM closure; returns what was made."""
    rng = random.Random(seed)
    today = ctx.today()
    start = today - timedelta(days=days_back)
    ppkm_from = today - timedelta(days=PPKM_DAYS_AGO)
    closure = cal.add_closure(
        acting(ctx, HEAD), service="perekaman", start=ppkm_from, reason=PPKM_REASON, office=office
    )["closure"]
    counter = acting(ctx, OPERATOR_USER)

    with ctx.read() as conn:
        calendar = cal.OfficeCalendar(conn, office)
    days = [
        start + timedelta(days=i)
        for i in range(days_back + 1)
        if calendar.day("pencetakan", start + timedelta(days=i)).open
    ]
    taken = _applications_per_day(days, per_day, seed)
    people = _candidates(ctx, office, int(taken.sum()), rng, start)
    card = people.card

    def later(day: date, n: int) -> date:
        """``n`` open days after ``day`` (printing calendar), or after today if beyond it."""
        idx = days.index(day) if day in days else 0
        return days[idx + n] if idx + n < len(days) else today + timedelta(days=1)

    plans: list[_Plan] = []
    made: Counter[str] = Counter()
    misprints_left = MISPRINTS
    # Day by day, oldest first: each day's new applications, then the steps falling due.
    due: dict[date, list[tuple[_Plan, str]]] = {}
    for day, n_taken in zip(days, taken, strict=True):
        for _ in range(int(n_taken)):
            kind = rng.choices([k for k, _ in TYPE_MIX], [w for _, w in TYPE_MIX])[0]
            nik = (
                people.first_card(rng, day) if kind == "pemula" else (card.pop() if card else None)
            )
            if nik is None:
                continue
            docs = {
                "pemula": {"no_kk": f"1704{rng.randint(10**11, 10**12 - 1)}"},
                "hilang": {"laporan_polisi": f"LP/{rng.randint(100, 999)}/B/POLRES KAUR"},
                "rusak": {"ktp_lama": "diserahkan"},
                "perubahan_data": {"no_kk": f"1704{rng.randint(10**11, 10**12 - 1)}"},
            }[kind]
            r = apps.new(counter, nik=nik, type=kind, documents=docs, on=day, office=office)
            plan = _Plan(r["receipt"], kind, day)
            plans.append(plan)
            made[kind] += 1
            roll = rng.random()
            if roll < 0.03:
                due.setdefault(day, []).append((plan, "reject"))
                continue
            if roll < 0.05:
                due.setdefault(later(day, 1), []).append((plan, "cancel"))
                continue
            if r["status"] == "diajukan":
                due.setdefault(day, []).append((plan, "record"))
            else:
                due.setdefault(later(day, READY_AFTER), []).append((plan, "ready"))
        while due.get(day):  # steps may schedule further steps the same day
            for plan, step in due.pop(day):
                try:
                    _step(counter, office, plan, step, day)
                except DomainError as exc:
                    if exc.code != "service_closed":
                        raise
                    # Recording is closed (PPKM): the application waits in the backlog.
                    continue
                plan.steps.append((step, day))
                follow = _next_step(rng, plan, step, day, later, misprints_left)
                if follow is not None:
                    if follow[0] == "misprint":
                        misprints_left -= 1
                    if follow[0] == "collect" and card and rng.random() < PROXY_SHARE:
                        plan.proxy_nik = card.pop()
                    due.setdefault(follow[1], []).append((plan, follow[0]))

    with ctx.read() as conn:
        by_status = Counter(
            conn.execute(
                select(ts.application.c.status).where(ts.application.c.office_code == office)
            ).scalars()
        )
    return {
        "applications": len(plans),
        "by_type": dict(made),
        "by_status": dict(sorted(by_status.items())),
        "closure_id": closure["id"],
        "closure_reason": PPKM_REASON,
    }


def _applications_per_day(days: list[date], per_day: float, seed: int) -> np.ndarray:
    """How many applications the counter takes on each of ``days`` (its open days): Poisson
    around ``per_day`` shaped by the weekday pattern, whose mean over these days is 1."""
    factors = np.array([WEEKDAY_FACTORS[d.weekday()] for d in days], dtype=float)
    if not len(days) or factors.sum() <= 0:
        return np.zeros(len(days), dtype=np.int64)
    return np.random.default_rng(seed).poisson(per_day * factors / factors.mean())


def _step(ctx: Context, office: str, plan: _Plan, step: str, day: date) -> None:
    common: dict[str, Any] = {"receipt": plan.receipt, "on": day, "office": office}
    if step == "print":
        apps.print_card(ctx, station=STATION, serial=_blank_for(ctx, office, day), **common)
    elif step == "misprint":
        apps.misprint(ctx, reason="salah_cetak", **common)
    elif step == "reject":
        apps.reject(ctx, reason="Dokumen pendukung tidak sesuai data SIAK", **common)
    elif step == "cancel":
        apps.cancel(ctx, reason="Dibatalkan atas permintaan pemohon", **common)
    elif step == "collect" and plan.proxy_nik is not None:
        with ctx.read() as conn:
            name = conn.execute(
                select(tr.resident.c.nama).where(tr.resident.c.nik == plan.proxy_nik)
            ).scalar_one()
        apps.collect(
            ctx,
            proxy_nik=plan.proxy_nik,
            proxy_name=name,
            power_of_attorney=f"Surat kuasa bermeterai {day:%d-%m-%Y}",
            **common,
        )
    else:
        getattr(apps, step)(ctx, **common)


def _next_step(rng, plan, step, day, later, misprints_left):  # type: ignore[no-untyped-def]
    """What happens next to an application, and when."""
    if step == "record":
        return ("ready", later(day, READY_AFTER))
    if step == "ready":
        if rng.random() < 0.15:
            # Waiting for a blank a while: a temporary certificate meanwhile.
            return ("suket", day)
        return ("print", later(day, PRINT_AFTER))
    if step == "suket":
        return ("print", later(day, 3))
    if step == "print":
        if misprints_left > 0 and rng.random() < 0.05:
            return ("misprint", day)
        if rng.random() < 0.1:
            return ("ikd", day)
        return ("collect", later(day, 2))
    if step == "ikd":
        return ("collect", later(day, 2))
    if step == "misprint":
        return ("print", day)
    return None
