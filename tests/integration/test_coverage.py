"""Coverage, cohort, gaps and events on SQLite and PostgreSQL, over registries whose expected
counts are known by construction (a small hand-built one) or computed resident by resident
with the pure domain rule (a generated one full of edge dates)."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from blangko.adapters.repos.coverage import birth_cutoff
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_events import event, event_village
from blangko.adapters.tables_residents import resident
from blangko.cli.main import app
from blangko.demo.events import add_pilkades
from blangko.domain import wajib_ktp as wk
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.nik import build_nik
from blangko.services.admin.users import MACHINE, add_user
from blangko.services.calendar import events as ev
from blangko.services.context import Context
from blangko.services.coverage import areas as cov
from blangko.settings import ImpactAssumptions
from blangko_main import run_blangko

TODAY = date(2026, 11, 27)  # the fixture clock's day in WIB
V1 = "17.04.01.2001"  # Gedung Wani, kecamatan 17.04.01
V2 = "17.04.01.2002"  # Penandingan, kecamatan 17.04.01
V3 = "17.04.02.2002"  # first village of kecamatan 17.04.02
_serials: Counter[tuple[str, date, str]] = Counter()


@dataclass
class Person:
    desa: str
    born: date
    sex: str = "L"
    kawin: str = "BELUM KAWIN"
    status: str = "HIDUP"
    rekam: date | None = None
    cetak: date | None = None
    nama: str = "Warga"

    def row(self) -> dict[str, object]:
        kec = self.desa[:8]
        _serials[(kec, self.born, self.sex)] += 1
        return {
            "nik": build_nik(kec, self.born, self.sex, _serials[(kec, self.born, self.sex)]),
            "office_code": "17.04",
            "nama": self.nama,
            "jenis_kelamin": self.sex,
            "tanggal_lahir": self.born,
            "status_kawin": self.kawin,
            "kode_desa": self.desa,
            "kode_kecamatan": kec,
            "tanggal_rekam": self.rekam,
            "tanggal_cetak": self.cetak,
            "status": self.status,
            "updated_at": datetime(2026, 11, 27, 3, 0),
        }


def _insert(ctx: Context, people: list[Person]) -> list[dict[str, object]]:
    rows = [p.row() for p in people]
    with ctx.engine.begin() as conn:
        conn.execute(insert(resident), rows)
    return rows


ADULT = date(1996, 5, 10)  # 30 on TODAY
REKAM = date(2020, 1, 15)


def _hand_built() -> list[Person]:
    """Village V1: 18 wajib KTP of whom 13 recorded (3 never printed); 5 not wajib.
    V2: 4 wajib, all recorded and printed. V3: 2 wajib women, 1 recorded."""
    p: list[Person] = []
    p += [Person(V1, ADULT, rekam=REKAM, cetak=REKAM, nama=f"Cetak {i}") for i in range(10)]
    p += [Person(V1, ADULT, sex="P", rekam=REKAM, nama=f"Suket {i}") for i in range(3)]
    p += [Person(V1, ADULT, nama=f"Belum {i}") for i in range(2)]
    p.append(Person(V1, date(2009, 11, 27), nama="Genap 17 hari ini"))  # wajib today
    p.append(Person(V1, date(2009, 11, 28), nama="Genap 17 besok"))  # not yet
    p.append(Person(V1, date(2010, 6, 1), kawin="KAWIN", nama="Kawin 16"))  # wajib
    p.append(Person(V1, ADULT, rekam=TODAY + timedelta(days=1), nama="Rekam besok"))  # wajib
    p += [Person(V1, ADULT, status="MENINGGAL", rekam=REKAM, nama="Meninggal")] * 2
    p.append(Person(V1, ADULT, status="PINDAH", rekam=REKAM, nama="Pindah"))
    p.append(Person(V1, date(2015, 3, 3), nama="Anak"))
    p += [Person(V2, date(1950, 1, 1), rekam=REKAM, cetak=REKAM)] * 4
    p.append(Person(V3, date(2000, 2, 29), sex="P", rekam=REKAM, cetak=REKAM))
    p.append(Person(V3, date(1960, 7, 7), sex="P", kawin="CERAI MATI"))
    return p


def test_coverage_of_a_hand_built_registry(ctx: Context, office: str) -> None:
    _insert(ctx, _hand_built())
    r = cov.coverage(ctx, by="desa")
    assert r["as_of"] == "2026-11-27"
    assert (r["wajib_ktp"], r["recorded"], r["unrecorded"]) == (24, 18, 6)
    assert r["coverage_pct"] == 75.0
    assert r["gap_to_target"] == 24 - 18  # ceil(0.992 * 24 = 23.808) = 24
    areas = {a["code"]: a for a in r["areas"]}
    assert len(areas) == 195  # every village of Kaur is listed, named from the region table
    assert areas[V1]["name"] == "Gedung Wani"
    assert (areas[V1]["wajib_ktp"], areas[V1]["recorded"]) == (18, 13)
    assert areas[V1]["coverage_pct"] == 72.2  # 72.22..
    assert areas[V1]["gap_to_target"] == 5  # ceil(17.856) = 18
    assert (areas[V2]["wajib_ktp"], areas[V2]["coverage_pct"]) == (4, 100.0)
    assert (areas[V3]["wajib_ktp"], areas[V3]["recorded"]) == (2, 1)
    assert areas["17.04.15.2001"]["wajib_ktp"] == 0
    assert areas["17.04.15.2001"]["coverage_pct"] is None
    sexes = {s["sex"]: (s["wajib_ktp"], s["recorded"]) for s in r["by_sex"]}
    assert sexes == {"L": (19, 14), "P": (5, 4)}
    bands = {b["band"]: (b["wajib_ktp"], b["recorded"]) for b in r["by_age_band"]}
    assert bands == {
        "<17": (1, 0),  # married at 16
        "17-19": (1, 0),  # 17 today
        "20-29": (1, 1),  # born 29 Feb 2000: 26
        "30-39": (16, 13),  # 30 today; "rekam besok" is not recorded yet
        "40-49": (0, 0),
        "50-59": (0, 0),
        "60+": (5, 4),  # 76 in V2, 66 in V3
    }
    kec = cov.coverage(ctx, by="kecamatan", target="95")
    by_kec = {a["code"]: (a["wajib_ktp"], a["recorded"], a["gap_to_target"]) for a in kec["areas"]}
    assert by_kec["17.04.01"] == (22, 17, 4)  # ceil(20.9) = 21
    assert by_kec["17.04.02"] == (2, 1, 1)
    assert kec["target_pct"] == 95.0
    kab = cov.coverage(ctx, by="kabupaten")
    assert [(a["code"], a["name"], a["wajib_ktp"]) for a in kab["areas"]] == [
        ("17.04", "Kabupaten Kaur", 24)
    ]
    # The day before, the one born 27 Nov 2009 was 16: one fewer wajib.
    assert cov.coverage(ctx, as_of=TODAY - timedelta(days=1))["wajib_ktp"] == 23


def test_coverage_rejects_bad_level_and_target(ctx: Context, office: str) -> None:
    with pytest.raises(DomainError) as e:
        cov.coverage(ctx, by="provinsi")
    assert e.value.field == "by"
    with pytest.raises(DomainError) as e:
        cov.coverage(ctx, target="120")
    assert e.value.field == "target"


# --- a generated registry checked against the pure rule -------------------------------------

EDGE_DAYS = (-2, -1, 0, 1, 2)


def _generated(seed: int, n: int, as_ofs: list[date]) -> list[Person]:
    """Births clustered on the edges that matter (each as_of's 17th-birthday and band
    cutoffs, 29 February) plus a spread of ordinary ones; random marital status, status,
    recording and printing dates around the reference dates."""
    rnd = random.Random(seed)
    edges: list[date] = [date(2008, 2, 29), date(2012, 2, 29), date(2000, 2, 29)]
    for on in as_ofs:
        for years in (17, 20, 30, 40, 50, 60):
            try:
                base = on.replace(year=on.year - years)
            except ValueError:
                base = date(on.year - years, 2, 28)
            edges += [base + timedelta(days=d) for d in EDGE_DAYS]
    villages = [V1, V2, V3, "17.04.02.2003", "17.04.03.1010"]
    people = []
    for i in range(n):
        if i % 2:
            born = rnd.choice(edges)
        else:
            born = date(1940, 1, 1) + timedelta(days=rnd.randrange(31500))
        rekam = None
        if rnd.random() < 0.75:
            rekam = rnd.choice(as_ofs) + timedelta(days=rnd.randint(-400, 3))
            rekam = max(rekam, born)
        cetak = None
        if rekam and rnd.random() < 0.7:
            cetak = rekam + timedelta(days=rnd.randint(0, 40))
        people.append(
            Person(
                rnd.choice(villages),
                born,
                sex=rnd.choice("LP"),
                kawin=rnd.choice(sorted(wk.MARITAL_STATUSES)),
                status=rnd.choices(["HIDUP", "MENINGGAL", "PINDAH"], [8, 1, 1])[0],
                rekam=rekam,
                cetak=cetak,
                nama=f"Warga {i}",
            )
        )
    return people


def _expected(rows: list[dict[str, object]], on: date) -> dict[str, Counter[str]]:
    exp: dict[str, Counter[str]] = {k: Counter() for k in ("desa", "kec", "sex", "band")}
    for row in rows:
        born = row["tanggal_lahir"]
        assert isinstance(born, date)
        if not wk.is_wajib_ktp(
            birth_date=born,
            marital_status=str(row["status_kawin"]),
            status=str(row["status"]),
            on=on,
        ):
            continue
        rekam = row["tanggal_rekam"]
        rec = int(isinstance(rekam, date) and rekam <= on)
        band = wk.age_band(wk.age_on(born, on))
        for level, key in (
            ("desa", row["kode_desa"]),
            ("kec", row["kode_kecamatan"]),
            ("sex", row["jenis_kelamin"]),
            ("band", band),
        ):
            exp[level][f"{key}|w"] += 1
            exp[level][f"{key}|r"] += rec
    return exp


AS_OFS = [
    date(2026, 11, 27),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2029, 2, 28),
    date(2029, 3, 1),
]


def test_sql_agrees_with_the_pure_rule_on_a_generated_registry(ctx: Context, office: str) -> None:
    rows = _insert(ctx, _generated(7, 1500, AS_OFS))
    for on in AS_OFS:
        exp = _expected(rows, on)
        desa = cov.coverage(ctx, as_of=on, by="desa")
        kec = cov.coverage(ctx, as_of=on, by="kecamatan")
        got_desa = {
            a["code"]: (a["wajib_ktp"], a["recorded"]) for a in desa["areas"] if a["wajib_ktp"]
        }
        want_desa = {
            k[:-2]: (v, exp["desa"][k[:-2] + "|r"])
            for k, v in exp["desa"].items()
            if k.endswith("|w")
        }
        assert got_desa == want_desa, on
        got_kec = {
            a["code"]: (a["wajib_ktp"], a["recorded"]) for a in kec["areas"] if a["wajib_ktp"]
        }
        want_kec = {
            k[:-2]: (v, exp["kec"][k[:-2] + "|r"])
            for k, v in exp["kec"].items()
            if k.endswith("|w")
        }
        assert got_kec == want_kec, on
        assert {s["sex"]: s["wajib_ktp"] for s in kec["by_sex"] if s["wajib_ktp"]} == {
            k[:-2]: v for k, v in exp["sex"].items() if k.endswith("|w")
        }
        assert {
            b["band"]: (b["wajib_ktp"], b["recorded"]) for b in kec["by_age_band"] if b["wajib_ktp"]
        } == {
            k[:-2]: (v, exp["band"][k[:-2] + "|r"])
            for k, v in exp["band"].items()
            if k.endswith("|w")
        }
        total_w = sum(v for k, v in exp["kec"].items() if k.endswith("|w"))
        total_r = sum(v for k, v in exp["kec"].items() if k.endswith("|r"))
        assert (desa["wajib_ktp"], desa["recorded"]) == (kec["wajib_ktp"], kec["recorded"])
        assert (kec["wajib_ktp"], kec["recorded"]) == (total_w, total_r)
        assert kec["gap_to_target"] == wk.gap_to_target(total_w, total_r, Decimal("99.2"))
        assert kec["coverage_pct"] == float(wk.round_pct(wk.coverage_pct(total_r, total_w)))
        # the edges are really exercised: born on the 17th-birthday cutoff and a day after
        cut = birth_cutoff(on, 17)
        births = {r["tanggal_lahir"] for r in rows}
        assert cut in births and cut + timedelta(days=1) in births, on


def test_cohort_counts_each_month_by_kecamatan(ctx: Context, office: str) -> None:
    rows = _insert(ctx, _generated(11, 1200, [date(2027, 3, 1), date(2027, 6, 30), TODAY]))
    r = cov.cohort(ctx, months=8)
    spans = cov.month_spans(TODAY, 8)
    want: Counter[tuple[str, str]] = Counter()
    for row in rows:
        born = row["tanggal_lahir"]
        assert isinstance(born, date)
        if row["status"] != "HIDUP" or row["status_kawin"] in wk.EVER_MARRIED:
            continue
        day17 = wk.seventeenth_birthday(born)
        for label, first, last in spans:
            if first <= day17 <= last:
                want[(str(row["kode_kecamatan"]), label)] += 1
    got = {(k["code"], m): n for k in r["kecamatan"] for m, n in k["months"].items() if n}
    assert got == dict(want)
    assert r["total"] == sum(want.values()) > 0
    assert [m["month"] for m in r["months"]] == [s[0] for s in spans]
    assert sum(m["total"] for m in r["months"]) == r["total"]
    names = {k["code"]: k["name"] for k in r["kecamatan"]}
    assert len(names) == 15 and names["17.04.01"]
    with pytest.raises(DomainError) as e:
        cov.cohort(ctx, months=0)
    assert e.value.field == "months"


# --- gaps ------------------------------------------------------------------------------------


def _expected_gaps(rows: list[dict[str, object]], keep) -> set[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    out = set()
    for row in rows:
        born = row["tanggal_lahir"]
        assert isinstance(born, date)
        rekam = row["tanggal_rekam"]
        if (
            keep(row)
            and wk.is_wajib_ktp(
                birth_date=born,
                marital_status=str(row["status_kawin"]),
                status=str(row["status"]),
                on=TODAY,
            )
            and not (isinstance(rekam, date) and rekam <= TODAY)
        ):
            out.add((str(row["nik"]), str(row["kode_desa"]), wk.age_on(born, TODAY)))
    return out


def test_gaps_csv_and_xlsx_parse_back(ctx: Context, office: str, tmp_path: Path) -> None:
    rows = _insert(ctx, _hand_built() + _generated(3, 400, [TODAY]))
    want_kec = _expected_gaps(rows, lambda r: r["kode_kecamatan"] == "17.04.01")
    out = tmp_path / "gaps.csv"
    r = cov.gaps(ctx, output=out, kecamatan="17.04.01")
    assert r["rows"] == len(want_kec) > 0 and r["area"] == "17.04.01"
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert list(got[0]) == list(cov.GAPS_COLUMNS)
    assert {(g["nik"], g["kode_desa"], int(g["umur"])) for g in got} == want_kec
    assert {g["desa"] for g in got} <= {"Gedung Wani", "Penandingan"}
    hand = {g["nama"] for g in got if not g["nama"].startswith("Warga ")}
    assert hand == {"Belum 0", "Belum 1", "Genap 17 hari ini", "Kawin 16", "Rekam besok"}

    xlsx = tmp_path / "gaps.xlsx"
    want_v3 = _expected_gaps(rows, lambda r: r["kode_desa"] == V3)
    r = cov.gaps(ctx, output=xlsx, desa=V3)
    sheet = load_workbook(xlsx, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == cov.GAPS_COLUMNS
    assert {(v[1], v[3], v[6]) for v in values[1:]} == want_v3
    assert r["rows"] == len(values) - 1 == len(want_v3)
    assert all(isinstance(v[1], str) and len(v[1]) == 16 for v in values[1:])  # NIK as text

    whole = cov.gaps(ctx, output=tmp_path / "all.csv")
    assert whole["rows"] == len(_expected_gaps(rows, lambda r: True))
    assert not list(tmp_path.glob(".*.part"))


def test_gaps_refusals_write_nothing(ctx: Context, office: str, tmp_path: Path) -> None:
    _insert(ctx, _hand_built())
    cases = [
        ({"desa": "17.04.99.2001"}, "desa"),
        ({"kecamatan": "17.05.01"}, "kecamatan"),
        ({"desa": V1, "kecamatan": "17.04.01"}, "desa"),
        ({"role": "pengelola_stok"}, "role"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as e:
            cov.gaps(ctx, output=tmp_path / "x.csv", **kwargs)
        assert e.value.field == field
    with pytest.raises(DomainError) as e:
        cov.gaps(ctx, output=tmp_path / "x.pdf")
    assert e.value.field == "output"
    assert list(tmp_path.iterdir()) == []
    assert cov.gaps(ctx, output=tmp_path / "ok.csv", role="operator")["rows"] == 6


# --- events ----------------------------------------------------------------------------------


def _count(ctx: Context, table) -> int:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_event_add_list_show_and_unknown_village(ctx: Context, office: str, tmp_path: Path) -> None:
    with pytest.raises(NotFound) as e:
        ev.add_event(
            ctx,
            name="Pilkades",
            event_date=date(2026, 12, 20),
            kind="pilkades",
            villages=[V1, "17.04.99.2001", "17.05.01.2001"],
        )
    assert "17.04.99.2001" in e.value.message and "17.05.01.2001" in e.value.message
    assert V1 not in e.value.message
    assert _count(ctx, event) == 0 and _count(ctx, event_village) == 0
    for kwargs, field in (
        ({"kind": "pesta"}, "kind"),
        ({"name": "  "}, "name"),
        ({"event_date": TODAY - timedelta(days=1)}, "date"),
        ({"villages": []}, "villages"),
    ):
        args = {"name": "X", "event_date": date(2026, 12, 20), "kind": "lainnya", "villages": [V1]}
        with pytest.raises(DomainError) as e:
            ev.add_event(ctx, **{**args, **kwargs})  # type: ignore[arg-type]
        assert e.value.field == field
    assert _count(ctx, event) == 0

    f = tmp_path / "desa.txt"
    f.write_text(f"{V1}\n{V2}\n{V1}\n")
    a = ev.add_event(
        ctx,
        name="Pilkades gelombang I",
        event_date=date(2026, 12, 20),
        kind="pilkades",
        villages=ev.read_village_file(f),
        idempotency_key="pk-1",
    )
    assert [v["code"] for v in a["villages"]] == [V1, V2]
    again = ev.add_event(
        ctx,
        name="Pilkades gelombang I",
        event_date=date(2026, 12, 20),
        kind="pilkades",
        villages=ev.read_village_file(f),
        idempotency_key="pk-1",
    )
    assert again["replayed"] is True and again["id"] == a["id"]
    b = ev.add_event(
        ctx, name="Pemilu", event_date=date(2027, 2, 14), kind="pemilu", all_villages=True
    )
    assert len(b["villages"]) == 195
    assert ev.list_events(ctx) == [
        {
            "id": a["id"],
            "name": "Pilkades gelombang I",
            "date": "2026-12-20",
            "kind": "pilkades",
            "villages": 2,
        },
        {"id": b["id"], "name": "Pemilu", "date": "2027-02-14", "kind": "pemilu", "villages": 195},
    ]
    shown = ev.show_event(ctx, a["id"])
    assert shown["villages"][0] == {
        "code": V1,
        "name": "Gedung Wani",
        "kecamatan": "17.04.01",
        "jenis": "desa",
    }
    with pytest.raises(NotFound):
        ev.show_event(ctx, 999)


def _add_suket(ctx: Context, nik: str, status: str, suket: bool, seq: int) -> None:
    now = datetime(2026, 11, 20, 3, 0)
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(application).values(
                office_code="17.04",
                receipt=f"1704-20261120-{seq:04d}",
                nik=nik,
                type="pemula",
                status=status,
                documents="{}",
                submitted_date=date(2026, 11, 20),
                day_seq=seq,
                recorded_date=date(2026, 11, 20),
                suket_at=now if suket else None,
                created_at=now,
                updated_at=now,
            )
        )


def test_event_impact_numbers(ctx: Context, office: str) -> None:
    rows = _insert(ctx, _hand_built())
    suket_niks = [str(r["nik"]) for r in rows if str(r["nama"]).startswith("Suket")]
    _add_suket(ctx, suket_niks[0], "siap_cetak", True, 1)
    _add_suket(ctx, suket_niks[1], "direkam", True, 2)
    _add_suket(ctx, suket_niks[2], "direkam", False, 3)  # recorded, no suket issued
    v2_nik = next(str(r["nik"]) for r in rows if r["kode_desa"] == V2)
    _add_suket(ctx, v2_nik, "diserahkan", True, 4)  # card handed over: not waiting
    e = ev.add_event(
        ctx, name="Pilkades", event_date=date(2026, 12, 20), kind="pilkades", villages=[V1, V2]
    )
    r = ev.impact(ctx, e["id"])
    assert r["event"] == "Pilkades" and r["date"] == "2026-12-20" and r["villages"] == 2
    assert r["days_until"] == 23
    assert r["wajib_ktp"] == 22  # 18 in V1 + 4 in V2
    assert r["unrecorded"] == 5
    assert r["recorded_not_printed"] == 3
    assert r["suket_waiting"] == 2
    assert r["turning_17_before"] == 1  # born 28 Nov 2009, unmarried
    x = r["expected_extra"]
    assert x["pools"] == {"recordings": 6, "blanks": 9}
    assert x["recordings"] == {"low": 1, "expected": 3, "high": 5}
    assert x["blanks"] == {"low": 2, "expected": 5, "high": 8}
    # 27 November to 20 December: 24 days, 16 of them open (weekdays; no closure).
    assert x["window"] == {
        "from": "2026-11-27",
        "to": "2026-12-20",
        "days": 24,
        "open_days": {"pencetakan": 16, "perekaman": 16},
        "closed_reasons": {"pencetakan": ["Akhir pekan"], "perekaman": ["Akhir pekan"]},
    }
    # Per day: each total over the open days of its desk (5 blanks / 16 days = 0,3).
    assert x["per_day_in_window"] == {
        "recordings": {"low": 0.1, "expected": 0.2, "high": 0.3},
        "blanks": {"low": 0.1, "expected": 0.3, "high": 0.5},
    }
    assert r["assumptions"]["take_up"] == {"low": 0.25, "expected": 0.5, "high": 0.8}
    hi = ev.impact(ctx, e["id"], assumptions=ImpactAssumptions(take_up_high=Decimal("1")))
    assert hi["expected_extra"]["blanks"]["high"] == 9
    json.dumps(r)  # the CLI's --json needs nothing special

    # Only V3 (two women, one recorded; nobody turning 17): a different slice.
    only_v3 = ev.add_event(
        ctx, name="PAW", event_date=date(2027, 1, 5), kind="lainnya", villages=[V3]
    )
    r3 = ev.impact(ctx, only_v3["id"])
    assert (r3["wajib_ktp"], r3["unrecorded"], r3["recorded_not_printed"]) == (2, 1, 0)
    assert (r3["suket_waiting"], r3["turning_17_before"]) == (0, 0)


def test_demo_pilkades(ctx: Context, office: str) -> None:
    made = add_pilkades(ctx, office)
    assert made["created"] is True
    assert made["name"] == "Pilkades serentak" and made["kind"] == "pilkades"
    assert made["date"] == "2026-12-09"
    assert len(made["villages"]) == 66
    assert all(v["jenis"] == "desa" for v in made["villages"])
    again = add_pilkades(ctx, office)
    assert again["created"] is False and again["id"] == made["id"]
    assert _count(ctx, event) == 1
    assert ev.impact(ctx, made["id"])["villages"] == 66


# --- command line ----------------------------------------------------------------------------


def test_cli_coverage_and_events(ctx: Context, office: str, db_url: str, tmp_path: Path) -> None:
    # The CLI runs on the real clock: past reference dates and far-future events only.
    _insert(ctx, _hand_built())
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    data = json.loads(run("coverage", "--as-of", "2026-11-27", "--by", "desa", "--json"))
    assert (data["wajib_ktp"], data["recorded"], data["coverage_pct"]) == (24, 18, 75.0)
    text = " ".join(run("coverage", "--as-of", "2026-11-27").split())
    assert "75,0 % dari 24 wajib KTP (target 99,2 %; kurang 6 orang)" in text
    assert "Gedung Wani" not in text and "Kinal" in text  # by kecamatan by default
    cohort = json.loads(
        run("coverage", "cohort", "--months", "3", "--as-of", "2026-11-27", "--json")
    )
    assert cohort["total"] == 1  # born 28 Nov 2009
    out = tmp_path / "jemput-bola.xlsx"
    gaps = json.loads(
        run(
            "coverage",
            "gaps",
            "--desa",
            V1,
            "--as-of",
            "2026-11-27",
            "--output",
            str(out),
            "--json",
        )
    )
    assert gaps["rows"] == 5 and out.exists()

    added = json.loads(
        run(
            "event",
            "add",
            "--name",
            "Pilkades serentak",
            "--date",
            "2099-12-02",
            "--kind",
            "pilkades",
            "--villages",
            f"{V1},{V2}",
            "--json",
        )  # fmt: skip
    )
    assert [v["code"] for v in added["villages"]] == [V1, V2]
    listed = json.loads(run("event", "list", "--json"))
    assert listed == [
        {
            "id": added["id"],
            "name": "Pilkades serentak",
            "date": "2099-12-02",
            "kind": "pilkades",
            "villages": 2,
        }
    ]
    shown = json.loads(run("event", "show", str(added["id"]), "--json"))
    assert shown["name"] == "Pilkades serentak"
    impact = json.loads(run("event", "impact", str(added["id"]), "--take-up-high", "1", "--json"))
    for key in (
        "event", "date", "villages", "wajib_ktp", "unrecorded", "recorded_not_printed",
        "suket_waiting", "turning_17_before", "expected_extra", "assumptions",
    ):  # fmt: skip
        assert key in impact
    assert impact["assumptions"]["take_up"]["high"] == 1.0
    assert impact["expected_extra"]["blanks"]["high"] == impact["expected_extra"]["pools"]["blanks"]
    assert "Asumsi: partisipasi 25,0 % / 50,0 % / 100,0 %" in " ".join(
        run("event", "impact", str(added["id"]), "--take-up-high", "1").split()
    )

    bad = run_blangko(
        "--db", db_url, "event", "add", "--name", "X", "--date", "2099-12-02", "--villages",
        "17.04.99.2001", "--json",
    )  # fmt: skip
    assert bad.returncode == 2, bad.stderr
    error = json.loads(bad.stderr)["error"]
    assert error["code"] == "unknown_village" and "17.04.99.2001" in error["message"]


def test_cli_gaps_refuses_a_user_without_personal_data_rights(
    ctx: Context, office: str, db_url: str, tmp_path: Path
) -> None:
    _insert(ctx, _hand_built())
    add_user(
        ctx, scope=MACHINE, username="stok1", role="pengelola_stok", password="rahasia-panjang-123"
    )
    add_user(ctx, scope=MACHINE, username="kepala1", role="kepala", password="rahasia-panjang-123")
    runner = CliRunner()
    out = tmp_path / "g.csv"
    args = ["coverage", "gaps", "--as-of", "2026-11-27", "--output", str(out), "--json"]
    with pytest.raises(DomainError) as e:
        runner.invoke(app, ["--db", db_url, "--actor", "stok1", *args], catch_exceptions=False)
    assert e.value.code == "personal_data_forbidden"
    assert not out.exists()
    ok = runner.invoke(app, ["--db", db_url, "--actor", "kepala1", *args], catch_exceptions=False)
    assert ok.exit_code == 0 and json.loads(ok.stdout)["rows"] == 6
