"""A generated, deterministic resident registry for the demo office (and for the import bench).

Shape (our own approximation, not an official table): the age pyramid is modelled on the
published shape of rural Sumatran regencies in BPS's Sensus Penduduk 2020 results (a wide
base that narrows slowly through working age and quickly after 60), tuned so that about
68 % of residents are wajib KTP, matching the source article's Kaur figures (about 93,000
wajib KTP out of about 136,000 residents). Sex ratio 103 men per 100 women. Marital status
by age and sex follows the usual Indonesian pattern (women marry younger, widowhood is
mostly female after 60); a small share of married minors is kept because the law makes
them wajib KTP. 95.2 % of wajib KTP are recorded, as in the article, and most recorded
residents hold a printed card; about 3 % of NIKs were issued in another kecamatan (movers).

Recording is a desk's work: a resident records on a working day (Monday to Friday, not a
national holiday) about five months after becoming eligible (or after the 2011 drive began),
and one whose day has not come yet is not recorded yet. So the registry records a steady
stream, about the cohort turning 17, day after day; it does not pile the not-yet-recorded up
on the last days before ``today`` (it once did, and the recordings of the last months rose
threefold, a rise no office has).
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ts
from blangko.adapters import tables_residents as tr
from blangko.adapters.regions import shipped_villages
from blangko.adapters.registry_files import CANONICAL
from blangko.domain.calendar import indonesian_holidays
from blangko.domain.nik import build_nik
from blangko.domain.wajib_ktp import (
    EVER_MARRIED,
    WAJIB_KTP_AGE,
    is_wajib_ktp,
    seventeenth_birthday,
)
from blangko.services import registry
from blangko.services.context import Context

DEMO_RESIDENTS = 136_000
SEED = 1704
MALE_SHARE = 1.03 / 2.03
# Of the eligible, who records at all: a little over the article's 95.2 %, because those who
# became eligible in the last months are mostly not recorded yet (see generate_people).
RECORDED_SHARE = 0.962
RECORDING_DELAY_WORKING_DAYS = 100  # mean, about five months
MOVER_SHARE = 0.03
# e-KTP recording began nationally in 2011.
EKTP_START = date(2011, 8, 1)

# (lowest age, highest age, percent of residents)
AGE_PYRAMID: tuple[tuple[int, int, float], ...] = (
    (0, 4, 9.2),
    (5, 9, 9.4),
    (10, 14, 9.3),
    (15, 19, 8.9),
    (20, 24, 8.2),
    (25, 29, 7.8),
    (30, 34, 7.6),
    (35, 39, 7.4),
    (40, 44, 6.9),
    (45, 49, 6.2),
    (50, 54, 5.4),
    (55, 59, 4.4),
    (60, 64, 3.4),
    (65, 69, 2.5),
    (70, 74, 1.6),
    (75, 90, 1.2),
)
_AGE_CUM = list(itertools.accumulate(share for _, _, share in AGE_PYRAMID))

# (highest age of the band, sex) -> weights for BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI
_MARITAL_ORDER = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
_MARITAL_BY_AGE: dict[str, tuple[tuple[int, tuple[float, ...]], ...]] = {
    "P": (
        (14, (1, 0, 0, 0)),
        (16, (0.97, 0.03, 0, 0)),
        (19, (0.86, 0.135, 0.005, 0)),
        (24, (0.48, 0.5, 0.02, 0)),
        (29, (0.18, 0.79, 0.025, 0.005)),
        (39, (0.06, 0.88, 0.04, 0.02)),
        (49, (0.03, 0.86, 0.04, 0.07)),
        (59, (0.02, 0.76, 0.05, 0.17)),
        (200, (0.02, 0.5, 0.04, 0.44)),
    ),
    "L": (
        (16, (1, 0, 0, 0)),
        (19, (0.98, 0.02, 0, 0)),
        (24, (0.74, 0.25, 0.01, 0)),
        (29, (0.36, 0.62, 0.02, 0)),
        (39, (0.1, 0.87, 0.025, 0.005)),
        (49, (0.04, 0.92, 0.025, 0.015)),
        (59, (0.03, 0.91, 0.02, 0.04)),
        (200, (0.02, 0.84, 0.02, 0.12)),
    ),
}

MALE_NAMES = (
    "Ahmad", "Budi", "Darmawan", "Edi", "Fajar", "Hendra", "Irwan", "Joko", "Kurniawan",
    "Lukman", "Mulyadi", "Nopriansyah", "Rahmat", "Rudi", "Safrudin", "Syahrial", "Teguh",
    "Wahyu", "Yusuf", "Zainal", "Arman", "Bambang", "Dedi", "Eko", "Ferdi", "Hasan", "Iwan",
    "Jamaludin", "Mansyur", "Novri", "Ridwan", "Sugianto", "Taufik", "Yudi", "Anton",
)  # fmt: skip
FEMALE_NAMES = (
    "Aisyah", "Dewi", "Eka", "Fitri", "Gusti", "Hartini", "Indah", "Juliana", "Kartini",
    "Lestari", "Mariani", "Nurhayati", "Purnama", "Rahmawati", "Siti", "Sri", "Titin",
    "Umi", "Wati", "Yanti", "Ani", "Desi", "Elvi", "Herlina", "Ida", "Leni", "Mega",
    "Novita", "Rina", "Sartika", "Suryani", "Tuti", "Winda", "Yuli", "Zulaikha",
)  # fmt: skip
FAMILY_NAMES = (
    "Saputra", "Putri", "Hidayat", "Wijaya", "Pratama", "Sari", "Santoso", "Susanti",
    "Halim", "Rahman", "Syafei", "Arifin", "Effendi", "Harahap", "Lubis", "Siregar",
    "Nasution", "Gunawan", "Firmansyah", "Kusuma", "Permata", "Yulianti", "Anggraini",
)  # fmt: skip


def _marital(rng: random.Random, age: int, sex: str) -> str:
    for top, weights in _MARITAL_BY_AGE[sex]:
        if age <= top:
            return rng.choices(_MARITAL_ORDER, weights)[0]
    raise AssertionError("unreachable: last band is open-ended")


def _eligible_from(born: date, age: int) -> date:
    if age >= WAJIB_KTP_AGE:
        return seventeenth_birthday(born)
    # A married minor: the register does not date marriages; about 15 is typical.
    return born + timedelta(days=int(15 * 365.2425))


def working_days(first: date, last: date) -> list[date]:
    """Monday to Friday from ``first`` to ``last``, national holidays left out."""
    closed = indonesian_holidays(range(first.year, last.year + 1))
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5 and d not in closed]


def generate_people(
    villages: list[str],
    kecamatan_pool: list[str],
    *,
    count: int,
    today: date,
    seed: int = SEED,
    recorded_by: date | None = None,
) -> Iterator[dict[str, Any]]:
    """``count`` residents with canonical fields as Python values, always the same for a seed.

    ``villages`` are the dotted village codes people live in; ``kecamatan_pool`` the
    kecamatan codes a mover's NIK may come from (those of the villages' own regency included).
    ``recorded_by``: the last day anyone recorded (default ``today``; the demo's recording is
    closed since a few days).
    """
    rng = random.Random(seed)
    villages = sorted(villages)
    # Uneven village sizes, as in reality: lognormal weights.
    weights = [rng.lognormvariate(0, 0.5) for _ in villages]
    village_cum = list(itertools.accumulate(weights))
    pool = sorted(kecamatan_pool)
    serials: dict[tuple[str, date, str], int] = {}
    age_total = _AGE_CUM[-1]
    desk_days = working_days(EKTP_START, min(today, recorded_by or today))

    for _ in range(count):
        village = villages[bisect.bisect_left(village_cum, rng.random() * village_cum[-1])]
        home_kec = village[:8]
        lo, hi, _share = AGE_PYRAMID[bisect.bisect_left(_AGE_CUM, rng.random() * age_total)]
        age = rng.randint(lo, hi)
        sex = "L" if rng.random() < MALE_SHARE else "P"
        born = today - timedelta(days=int((age + rng.random()) * 365.2425))
        marital = _marital(rng, age, sex)

        status = "HIDUP"
        roll = rng.random()
        if age >= 60 and roll < 0.02:
            status = "MENINGGAL"
        elif 18 <= age < 50 and roll < 0.003:
            status = "PINDAH"

        eligible = age >= WAJIB_KTP_AGE or marital in EVER_MARRIED
        recorded = printed = None
        if eligible and rng.random() < RECORDED_SHARE:
            start = min(max(_eligible_from(born, age), EKTP_START), today)
            # Most people record within months of becoming eligible (or of the 2011 drive),
            # on a working day; whose day is still to come is not recorded yet.
            delay = int(rng.expovariate(1 / RECORDING_DELAY_WORKING_DAYS))
            at = bisect.bisect_left(desk_days, start) + delay
            recorded = desk_days[at] if at < len(desk_days) else None
            if recorded is not None and rng.random() < (
                0.985 if (today - recorded).days > 60 else 0.4
            ):
                printed = min(recorded + timedelta(days=rng.randint(1, 45)), today)

        nik_kec = home_kec
        if rng.random() < MOVER_SHARE:
            others = [k for k in pool if k != home_kec]
            if others:
                nik_kec = others[rng.randrange(len(others))]
        key = (nik_kec, born, sex)
        serial = serials.get(key, 0) + 1
        serials[key] = serial

        first = rng.choice(MALE_NAMES if sex == "L" else FEMALE_NAMES)
        yield {
            "nik": build_nik(nik_kec, born, sex, serial),  # type: ignore[arg-type]
            "nama": f"{first} {rng.choice(FAMILY_NAMES)}",
            "jenis_kelamin": sex,
            "tanggal_lahir": born,
            "status_kawin": marital,
            "kode_desa": village,
            "tanggal_rekam": recorded,
            "tanggal_cetak": printed,
            "status": status,
        }


def as_record(person: dict[str, Any], office: str, stamp: datetime) -> dict[str, Any]:
    return {
        **person,
        "office_code": office,
        "kode_kecamatan": person["kode_desa"][:8],
        "updated_at": stamp,
    }


def populate(
    ctx: Context,
    *,
    office: str,
    count: int = DEMO_RESIDENTS,
    seed: int = SEED,
    say: Callable[[str], Any] | None = None,
    recorded_by: date | None = None,
) -> dict[str, Any]:
    """Write ``count`` generated residents for the office through the import's batch upsert
    (``recorded_by``: see `generate_people`)."""
    say = say or (lambda _msg: None)
    with ctx.read() as conn:
        villages = list(
            conn.execute(
                select(t.region.c.code).where(
                    t.region.c.level == "desa", t.region.c.code.like(f"{office}.%")
                )
            ).scalars()
        )
        province = office.split(".")[0]
        pool = list(
            conn.execute(
                select(t.region.c.code).where(
                    t.region.c.level == "kecamatan", t.region.c.code.like(f"{province}.%")
                )
            ).scalars()
        )
        stamp = registry.run_stamp(conn, ctx.now())
    today = ctx.today()
    counts = {"residents": 0, "wajib_ktp": 0, "recorded": 0, "printed": 0}

    def records() -> Iterator[dict[str, Any]]:
        for i, person in enumerate(
            generate_people(
                villages, pool, count=count, today=today, seed=seed, recorded_by=recorded_by
            ),
            start=1,
        ):
            if _is_wajib(person, today):
                counts["wajib_ktp"] += 1
                if person["tanggal_rekam"] is not None:
                    counts["recorded"] += 1
            if person["tanggal_cetak"] is not None:
                counts["printed"] += 1
            if i % 20_000 == 0:
                say(f"  penduduk dibangkitkan: {i:,}".replace(",", "."))
            yield as_record(person, office, stamp)

    counts["residents"] = registry.write_records(ctx, records())
    return counts


def _is_wajib(person: dict[str, Any], today: date) -> bool:
    return is_wajib_ktp(
        birth_date=person["tanggal_lahir"],
        marital_status=person["status_kawin"],
        status=person["status"],
        on=today,
    )


def write_registry_csv(
    path: Path,
    count: int,
    *,
    today: date,
    regency: str = "17.04",
    seed: int = SEED,
    delimiter: str = ",",
) -> int:
    """Write ``count`` generated rows as a registry export (canonical columns), streamed.

    Uses the region codes shipped with the package, so no database is needed (bench, tests).
    """
    from lokal import wilayah

    villages = [code for code, _name in shipped_villages(regency)]
    province = regency.split(".")[0]
    pool = [
        k.code for kab in wilayah.list_wilayah(province) for k in wilayah.list_wilayah(kab.code)
    ]
    columns = residents_columns()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(columns)
        n = 0
        for person in generate_people(villages, pool, count=count, today=today, seed=seed):
            writer.writerow(
                [
                    person["nik"],
                    person["nama"],
                    person["jenis_kelamin"],
                    person["tanggal_lahir"].isoformat(),
                    person["status_kawin"],
                    person["kode_desa"],
                    person["tanggal_rekam"].isoformat() if person["tanggal_rekam"] else "",
                    person["tanggal_cetak"].isoformat() if person["tanggal_cetak"] else "",
                    person["status"],
                ]
            )
            n += 1
    return n


def residents_columns() -> list[str]:
    return list(CANONICAL)


def clear_generated_prints(ctx: Context, *, office: str, history_from: date) -> None:
    """Take back the generated registry's prints from ``history_from`` on that no application
    made: the generator prints people at the pace of a well-stocked office, while the demo's
    ledger (the article's 500 blanks) printed far fewer first cards. Those people stay
    print-ready (PRR) until `align_first_prints` or an application prints them. Run before
    the demo's applications, so that their applicants come from the same print-ready
    residents as the registry's first cards before them."""
    r = tr.resident
    with ctx.write_plain() as conn:
        has_app = select(ts.application.c.nik).where(ts.application.c.nik == r.c.nik).exists()
        conn.execute(
            r.update()
            .where(r.c.office_code == office, r.c.tanggal_cetak >= history_from, ~has_app)
            .values(tanggal_cetak=None)
        )


def align_first_prints(
    ctx: Context, *, office: str, since: date, history_from: date, seed: int = SEED
) -> int:
    """Make the registry's first cards agree with the ledger's, after
    `clear_generated_prints`: on each day from ``since`` the ledger consumed first-card
    blanks without an application, as many print-ready residents get their card that day,
    and before ``since`` (no ledger yet) each working day from ``history_from`` prints at the
    ledger's average pace; the recently recorded are the most likely to come (as at a real
    counter, `recency_weight`). Returns the residents whose card date it set.
    """
    r = tr.resident
    e = t.ledger_entry
    rng = random.Random(seed)
    with ctx.write_plain() as conn:
        has_app = select(ts.application.c.nik).where(ts.application.c.nik == r.c.nik).exists()
        ledger: dict[date, int] = dict(
            conn.execute(
                select(e.c.effective_date, func.sum(e.c.quantity))
                .where(
                    e.c.office_code == office,
                    e.c.kind == "consume",
                    e.c.service == "pemula",
                    e.c.effective_date >= since,
                )
                .group_by(e.c.effective_date)
            ).all()
        )
        by_apps: dict[date, int] = dict(
            conn.execute(
                select(r.c.tanggal_cetak, func.count())
                .where(r.c.office_code == office, r.c.tanggal_cetak >= history_from, has_app)
                .group_by(r.c.tanggal_cetak)
            ).all()
        )
        waiting = sorted(
            conn.execute(
                select(r.c.tanggal_rekam, r.c.nik).where(
                    r.c.office_code == office,
                    r.c.status == "HIDUP",
                    r.c.tanggal_rekam.is_not(None),
                    r.c.tanggal_cetak.is_(None),
                    ~has_app,
                )
            ).all()
        )
        today = ctx.today()
        working = [
            since + timedelta(days=i)
            for i in range((today - since).days + 1)
            if (since + timedelta(days=i)).weekday() < 5
        ]
        pace = sum(int(q) for q in ledger.values()) / max(1, len(working))
        chosen: list[dict[str, Any]] = []
        for i in range((today - history_from).days + 1):
            day = history_from + timedelta(days=i)
            if day >= since:
                need = int(ledger.get(day, 0)) - int(by_apps.get(day, 0))
            elif day.weekday() < 5:
                need = _poisson(rng, pace)
            else:
                continue
            ready = [w for w in waiting if w[0] <= day]
            for _ in range(min(max(0, need), len(ready))):
                weights = [recency_weight((day - rec).days) for rec, _nik in ready]
                pick = rng.choices(range(len(ready)), weights=weights)[0]
                chosen.append({"n": ready[pick][1], "d": day})
                waiting.remove(ready.pop(pick))
        if chosen:
            conn.execute(
                r.update()
                .where(r.c.nik == bindparam("n"))
                .values(tanggal_cetak=bindparam("d"), updated_at=ctx.now()),
                chosen,
            )
    return len(chosen)


def recency_weight(days_waited: int) -> float:
    """How likely a print-ready resident is to be the next to come and print, against the
    others, by the days since their recording: most first cards go to people recorded in the
    last weeks, a few to the old backlog (the demo's first cards, before and during the
    applications)."""
    return 1.0 / (1.0 + days_waited / 30.0) ** 2


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method: the means here are a few a day)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def count_printed(ctx: Context, *, office: str) -> int:
    """Residents of the office whose card is printed."""
    r = tr.resident
    with ctx.read() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    r.c.office_code == office, r.c.tanggal_cetak.is_not(None)
                )
            ).scalar_one()
        )
