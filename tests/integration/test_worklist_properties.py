"""Random sequences of registry imports, applications and prints through the services, on both
backends: after every step the print backlog is |registry PRR ∪ open-application NIKs| as a
model of the office computes it, and the work list has exactly those residents, once each.

The model is kept by the test alone: residents as the imports wrote them and as recording and
printing changed them, applications with their status, blanks at the station. The PRR rule is
written out here (alive; 17 or over, or ever married; recorded; no card), not taken from the
code under test. Steps:

- import: a registry file (CSV, through `registry.import_residents`) adding residents and
  updating others (recorded, printed, died);
- new, record, ready, cancel: applications at the counter;
- print from the queue, print from the list (`print_from_backlog`, a PRR resident or, on
  purpose, one who is not), misprint, collect, and a retry of the last print from the list
  with its idempotency key.

A refused step must raise DomainError with an expected code and leave the office's data as it
was. As in test_stock_properties.py: one database per test, an office (regency) per example,
a fixed number of examples per backend drawn anew each run; a failure prints its steps and
an `@reproduce_failure(...)` line to put on `run` to replay it.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from service_helpers import KK
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.tables_applications import application, application_event
from blangko.adapters.tables_residents import resident
from blangko.domain.errors import DomainError
from blangko.domain.nik import build_nik
from blangko.services import applications as apps
from blangko.services import registry, worklist
from blangko.services.admin import setup
from blangko.services.stock import writes

# Examples per backend in the normal suite; each runs up to MAX_STEPS steps.
CI_EXAMPLES = {"sqlite": 15, "postgres": 6}
MAX_STEPS = 15
OPEN = ("diajukan", "direkam", "siap_cetak")  # open and still without a card
ACTIVE = (*OPEN, "dicetak")  # one at a time per resident
HEADERS = [
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_kawin",
    "kode_desa",
    "tanggal_rekam",
    "tanggal_cetak",
    "status",
]


@dataclass
class Person:
    nik: str
    birth: date
    marital: str
    desa: str
    recorded: date | None
    printed: date | None
    status: str = "HIDUP"


@dataclass
class Model:
    office: str
    villages: list[str]
    today: date
    tmp: Path
    people: dict[str, Person] = field(default_factory=dict)
    apps: dict[str, tuple[str, str]] = field(default_factory=dict)  # receipt -> (nik, status)
    at_station: int = 0
    serial: int = 0
    last_print: tuple[dict[str, Any], dict[str, Any]] | None = None  # (call, result)
    log: list[str] = field(default_factory=list)

    def age(self, p: Person) -> int:
        d = self.today
        return d.year - p.birth.year - ((d.month, d.day) < (p.birth.month, p.birth.day))

    def prr(self, p: Person) -> bool:
        """Print-ready in the registry: alive, wajib KTP, recorded, no card (no application
        considered)."""
        wajib = p.marital != "BELUM KAWIN" or self.age(p) >= 17
        return (
            p.status == "HIDUP"
            and wajib
            and p.recorded is not None
            and p.recorded <= self.today
            and p.printed is None
        )

    def active_app(self, nik: str) -> str | None:
        return next((r for r, (n, s) in self.apps.items() if n == nik and s in ACTIVE), None)

    def backlog(self) -> set[str]:
        registry_prr = {n for n, p in self.people.items() if self.prr(p)}
        open_apps = {n for n, s in self.apps.values() if s in OPEN}
        return registry_prr | open_apps


def _snapshot(ctx, office: str) -> tuple[Any, ...]:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return (
            conn.execute(
                select(application.c.receipt, application.c.status, application.c.serial)
                .where(application.c.office_code == office)
                .order_by(application.c.receipt)
            ).all(),
            conn.execute(select(func.count()).select_from(application_event)).scalar_one(),
            conn.execute(
                select(t.office.c.ledger_seq).where(t.office.c.code == office)
            ).scalar_one(),
            conn.execute(
                select(
                    resident.c.nik,
                    resident.c.tanggal_rekam,
                    resident.c.tanggal_cetak,
                    resident.c.status,
                )
                .where(resident.c.office_code == office)
                .order_by(resident.c.nik)
            ).all(),
            conn.execute(select(func.count()).select_from(t.idempotency)).scalar_one(),
        )


def _check(ctx, model: Model) -> None:  # type: ignore[no-untyped-def]
    """The backlog and the work list against the model."""
    want = model.backlog()
    backlog = apps.backlog(ctx, office=model.office)
    assert backlog["print_backlog"] == len(want), (backlog, sorted(want))
    listed = worklist.work_list(ctx, office=model.office, limit=None, reveal=True)
    niks = [row["nik"] for row in listed["items"]]
    assert len(niks) == len(set(niks)), "a resident listed twice"
    assert set(niks) == want
    assert listed["total"] == len(niks) == listed["backlog"]["print_backlog"]
    for row in listed["items"]:
        if row["receipt"] is None:
            assert row["status"] == "prr" and model.prr(model.people[row["nik"]]), row
            assert model.active_app(row["nik"]) is None, row
        else:
            assert model.apps[row["receipt"]] == (row["nik"], row["status"]), row
    # The villages' counts add up to the list, and the rows are in the list's order.
    assert sum(v["residents"] for v in listed["villages"]) == len(niks)
    keys = [(r["kode_kecamatan"], r["kode_desa"], r["since"], r["nik"]) for r in listed["items"]]
    assert keys == sorted(keys)


# --- the operations ---------------------------------------------------------------------------


def _new_person(data, model: Model) -> Person:  # type: ignore[no-untyped-def]
    model.serial += 1
    kind = data.draw(st.sampled_from(["adult", "adult", "seventeen", "sixteen"]), label="age")
    today = model.today
    if kind == "adult":
        birth = date(1960, 1, 1) + timedelta(days=data.draw(st.integers(0, 14000)))
    elif kind == "seventeen":  # turned 17 this year, before today
        birth = date(today.year - 17, 1, 1) + timedelta(days=data.draw(st.integers(0, 300)))
    else:  # 16: wajib KTP only if married
        birth = date(today.year - 16, 1, 1) + timedelta(days=data.draw(st.integers(0, 300)))
    if birth.month == 2 and birth.day == 29:
        birth += timedelta(days=1)
    marital = data.draw(st.sampled_from(["BELUM KAWIN", "KAWIN"]), label="marital")
    desa = data.draw(st.sampled_from(model.villages), label="desa")
    recorded = printed = None
    if data.draw(st.integers(0, 3), label="recorded") > 0:
        earliest = max(birth + timedelta(days=16 * 366), today - timedelta(days=4000))
        span = max(0, (today - earliest).days)
        recorded = earliest + timedelta(days=data.draw(st.integers(0, span)))
        if data.draw(st.integers(0, 3), label="printed") == 0:
            printed = recorded + timedelta(days=data.draw(st.integers(0, (today - recorded).days)))
    sex = "L" if model.serial % 2 else "P"
    nik = build_nik(desa[:8], birth, sex, model.serial)  # type: ignore[arg-type]
    return Person(nik, birth, marital, desa, recorded, printed)


def _row(p: Person) -> list[str]:
    sex = "L" if int(p.nik[6:8]) <= 31 else "P"
    return [
        p.nik,
        f"Warga {p.nik[-4:]}",
        sex,
        p.birth.isoformat(),
        p.marital,
        p.desa,
        p.recorded.isoformat() if p.recorded else "",
        p.printed.isoformat() if p.printed else "",
        p.status,
    ]


def _import(data, ctx, model: Model, tally: Counter[str], rows: tuple[int, int] = (1, 4)) -> str:  # type: ignore[no-untyped-def]
    """A registry file: new residents, and updates of known ones (recorded, printed, died)."""
    changed: dict[str, Person] = {}
    for _ in range(data.draw(st.integers(*rows), label="rows")):
        known = sorted(n for n in model.people if n not in changed)
        if known and data.draw(st.booleans(), label="update"):
            p = model.people[data.draw(st.sampled_from(known), label="who")]
            change = data.draw(st.sampled_from(["recorded", "printed", "died"]), label="change")
            q = Person(**vars(p))
            if change == "recorded" and q.recorded is None:
                q.recorded = model.today - timedelta(days=data.draw(st.integers(0, 30)))
                q.recorded = max(q.recorded, q.birth)
            elif change == "printed" and q.recorded is not None and q.printed is None:
                q.printed = model.today
            elif change == "died":
                q.status = "MENINGGAL"
            changed[q.nik] = q
            tally[f"import {change}"] += 1
        else:
            q = _new_person(data, model)
            changed[q.nik] = q
            tally["import new"] += 1
    path = model.tmp / f"registri-{len(model.log)}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows(_row(p) for p in changed.values())
    summary = registry.import_residents(ctx, path, office=model.office)
    assert summary["rejected"] == 0, path.with_name(f"{path.stem}-ditolak.csv").read_text()
    model.people.update(changed)
    return f"import {len(changed)} rows"


def _expect_refusal(ctx, model: Model, call, codes: set[str]) -> str:  # type: ignore[no-untyped-def]
    before = _snapshot(ctx, model.office)
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code in codes, err.value.as_dict()
    assert _snapshot(ctx, model.office) == before, "a refused step wrote"
    return err.value.code


def _step(data, ctx, model: Model, tally: Counter[str]) -> str:  # type: ignore[no-untyped-def]
    by_status = {s: sorted(r for r, (_, st_) in model.apps.items() if st_ == s) for s in ACTIVE}
    ops = ["import", "new", "print_list"]
    ops += ["record"] * bool(by_status["diajukan"]) + ["ready"] * bool(by_status["direkam"])
    ops += ["print"] * bool(by_status["siap_cetak"])
    ops += ["misprint", "collect"] * bool(by_status["dicetak"])
    ops += ["cancel"] * any(by_status[s] for s in OPEN)
    ops += ["replay"] * (model.last_print is not None)
    op = data.draw(st.sampled_from(ops), label="op")
    office = model.office
    if op == "import":
        return _import(data, ctx, model, tally)
    if op == "new":
        if not model.people:
            return "new: nobody yet"
        nik = data.draw(st.sampled_from(sorted(model.people)), label="nik")
        p = model.people[nik]
        ok = (
            p.status == "HIDUP"
            and (p.marital != "BELUM KAWIN" or model.age(p) >= 17)
            and p.printed is None
            and model.active_app(nik) is None
        )
        if not ok:
            codes = {"resident_not_alive", "not_wajib_ktp", "already_has_card", "application_open"}
            code = _expect_refusal(
                ctx,
                model,
                lambda: apps.new(ctx, nik=nik, type="pemula", office=office, documents=KK),
                codes,
            )
            return f"new {nik[-6:]}: refused {code}"
        r = apps.new(ctx, nik=nik, type="pemula", office=office, documents=KK)
        want = "direkam" if p.recorded is not None else "diajukan"
        assert r["status"] == want, r
        model.apps[r["receipt"]] = (nik, want)
        return f"new {nik[-6:]} -> {r['receipt']} {want}"
    if op in ("record", "ready", "print", "misprint", "collect", "cancel"):
        source = {
            "record": ["diajukan"],
            "ready": ["direkam"],
            "print": ["siap_cetak"],
            "misprint": ["dicetak"],
            "collect": ["dicetak"],
            "cancel": list(OPEN),
        }[op]
        receipt = data.draw(
            st.sampled_from(sorted(r for s in source for r in by_status[s])), label="receipt"
        )
        nik = model.apps[receipt][0]
        p = model.people[nik]
        if op == "print" and model.at_station == 0:
            code = _expect_refusal(
                ctx,
                model,
                lambda: apps.print_card(ctx, receipt=receipt, station="loket-1"),
                {"insufficient_stock"},
            )
            return f"print {receipt}: refused {code}"
        if op == "record":
            apps.record(ctx, receipt=receipt)
            p.recorded, after = model.today, "direkam"
        elif op == "ready":
            apps.ready(ctx, receipt=receipt)
            after = "siap_cetak"
        elif op == "print":
            apps.print_card(ctx, receipt=receipt, station="loket-1")
            model.at_station -= 1
            p.printed, after = model.today, "dicetak"
        elif op == "misprint":
            apps.misprint(ctx, receipt=receipt, reason="salah_cetak")
            p.printed, after = None, "siap_cetak"
        elif op == "collect":
            apps.collect(ctx, receipt=receipt)
            after = "diserahkan"
        else:
            apps.cancel(ctx, receipt=receipt, reason="atas permintaan")
            after = "dibatalkan"
        model.apps[receipt] = (nik, after)
        return f"{op} {receipt} -> {after}"
    if op == "print_list":
        listed = sorted(n for n, p in model.people.items() if model.prr(p))
        pick_prr = listed and data.draw(st.booleans(), label="prr?")
        pool = listed if pick_prr else sorted(model.people)
        if not pool:
            return "print_list: nobody yet"
        nik = data.draw(st.sampled_from(pool), label="nik")
        key = f"{office}-{len(model.log)}"
        call = {"nik": nik, "station": "loket-1", "office": office, "idempotency_key": key}
        p = model.people[nik]
        if model.active_app(nik) is not None:
            expected = {"application_open"}
        elif not model.prr(p):
            expected = {"not_prr"}
        elif model.at_station == 0:
            expected = {"insufficient_stock"}
        else:
            expected = set()
        if expected:
            code = _expect_refusal(
                ctx, model, lambda: apps.print_from_backlog(ctx, **call), expected
            )
            tally[f"print_list refused {code}"] += 1
            return f"print_list {nik[-6:]}: refused {code}"
        r = apps.print_from_backlog(ctx, **call)
        assert (r["status"], r["type"], r["replayed"]) == ("dicetak", "pemula", False), r
        model.apps[r["receipt"]] = (nik, "dicetak")
        model.at_station -= 1
        p.printed = model.today
        model.last_print = (call, dict(r))
        tally["print_list ok"] += 1
        return f"print_list {nik[-6:]} -> {r['receipt']}"
    # replay: the last print from the list again, with its key: the stored result, no write.
    assert model.last_print is not None
    call, first = model.last_print
    before = _snapshot(ctx, office)
    again = apps.print_from_backlog(ctx, **call)
    assert again["replayed"] is True and {**again, "replayed": False} == first
    assert _snapshot(ctx, office) == before
    return f"replay {first['receipt']}"


# --- the test ---------------------------------------------------------------------------------


def test_backlog_is_registry_prr_and_open_applications_once(ctx, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        regencies = list(
            conn.execute(
                select(t.region.c.code)
                .where(t.region.c.level == "kabupaten_kota", t.region.c.code != "17.04")
                .order_by(t.region.c.code)
            ).scalars()
        )
    codes = iter(regencies[::7])  # spread over the provinces
    examples = itertools.count(1)
    tally: Counter[str] = Counter()
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"

    @settings(
        max_examples=CI_EXAMPLES[backend],
        deadline=None,
        database=None,
        print_blob=True,
        # No shrinking: every example uses an office of its own; a failure names its steps.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data) -> None:  # type: ignore[no-untyped-def]
        code = next(codes)
        n = next(examples)
        setup.create_office(ctx, code=code)
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        villages = sorted(
            r["code"] for r in setup.office_regions(ctx, office=code) if r["level"] == "desa"
        )
        assert villages, code
        today = ctx.today()
        model = Model(
            office=code,
            villages=[villages[0], villages[len(villages) // 2], villages[-1]],
            today=today,
            tmp=tmp_path,
        )
        # Few blanks at the station, so that the list's print also meets an empty station.
        stocked = data.draw(st.integers(0, 4), label="blanks")
        prefix = "W" + "".join(chr(65 + int(d)) for d in f"{n:03d}")  # WAAB: one per example
        writes.record_opening(
            ctx, serials=f"{prefix}0001-{prefix}0010", office=code, effective=today
        )
        if stocked:
            writes.transfer(
                ctx,
                qty=stocked,
                from_location="gudang",
                to_location="loket-1",
                office=code,
                effective=today,
            )
        model.at_station = stocked
        tally["examples started"] += 1
        try:
            # A registry to start from, so that the first steps have residents to work on.
            model.log.append(_import(data, ctx, model, tally, rows=(3, 8)))
            _check(ctx, model)
            for _ in range(data.draw(st.integers(5, MAX_STEPS), label="steps")):
                done = _step(data, ctx, model, tally)
                model.log.append(done)
                op = done.split()[0]
                tally[f"refused {op}" if "refused" in done else f"ok {op}"] += 1
                _check(ctx, model)
        except BaseException as exc:
            exc.add_note(f"office {code}, steps:\n" + "\n".join(model.log))
            raise
        tally["examples"] += 1
        tally["steps"] += len(model.log)
        tally["backlog seen"] += len(model.backlog())

    run()
    # The draws exercised the list's print both ways, and the counter's steps.
    assert tally["examples"] == CI_EXAMPLES[backend], tally
    assert tally["ok print_list"] + tally["refused print_list"] >= 2, tally
    assert tally["ok new"] >= 1 and tally["steps"] >= 5 * CI_EXAMPLES[backend], tally
    print_tally(backend, tally)


def print_tally(backend: str, tally: Counter[str]) -> None:
    """What the examples did, for `pytest -s` (how much the draws covered)."""
    print(f"\n{backend}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
