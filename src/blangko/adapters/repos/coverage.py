"""Coverage aggregates computed in the database (SQLite and PostgreSQL alike).

Nothing here loads residents into Python to count them: every figure is a GROUP BY over the
`resident` table. Ages are never computed in SQL (the two back ends disagree on date
arithmetic, and neither knows the 29 February rule): instead Python turns "aged N or over on
D" into "born on or before cutoff(D, N)", using the domain's own `age_on`, and SQL compares
`tanggal_lahir` with that date. Comparing dates is exact on both back ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from blangko.adapters import tables as t
from blangko.adapters.tables_derived import coverage_count as cc
from blangko.adapters.tables_residents import resident as r
from blangko.domain import wajib_ktp as wk

LEVELS = ("kabupaten", "kecamatan", "desa")
_GROUP_COLUMN = {
    "kabupaten": r.c.office_code,
    "kecamatan": r.c.kode_kecamatan,
    "desa": r.c.kode_desa,
}
_REGION_LEVEL = {"kabupaten": "kabupaten_kota", "kecamatan": "kecamatan", "desa": "desa"}


def birth_cutoff(on: date, years: int) -> date:
    """The latest birth date of someone aged ``years`` or more on ``on``.

    "born on or before the cutoff" is exactly `wajib_ktp.age_on(birth, on) >= years`: the
    first guess (same day and month, ``years`` earlier) is corrected a day at a time by the
    domain rule itself, so 29 February is handled the way `age_on` handles it (a leapling
    reaches the next age on 1 March in a common year).
    """
    year = on.year - years
    try:
        guess = on.replace(year=year)
    except ValueError:  # on is 29 February, the year `years` earlier is common
        guess = date(year, 2, 28)
    while wk.age_on(guess, on) < years:
        guess -= timedelta(days=1)
    while guess + timedelta(days=1) <= on and wk.age_on(guess + timedelta(days=1), on) >= years:
        guess += timedelta(days=1)
    return guess


def wajib_condition(as_of: date) -> ColumnElement[bool]:
    """SQL for `wajib_ktp.is_wajib_ktp(..., on=as_of)`."""
    return and_(
        r.c.status == "HIDUP",
        r.c.tanggal_lahir <= as_of,
        or_(
            r.c.status_kawin.in_(sorted(wk.EVER_MARRIED)),
            r.c.tanggal_lahir <= birth_cutoff(as_of, wk.WAJIB_KTP_AGE),
        ),
    )


def recorded_condition(as_of: date) -> ColumnElement[bool]:
    return and_(r.c.tanggal_rekam.is_not(None), r.c.tanggal_rekam <= as_of)


def never_printed() -> ColumnElement[bool]:
    """No card in the registry (tanggal_cetak empty)."""
    return r.c.tanggal_cetak.is_(None)


def printed_after(day: date) -> ColumnElement[bool]:
    """The card was printed after ``day`` (so not yet on that day)."""
    return r.c.tanggal_cetak > day


def not_printed_condition(as_of: date) -> ColumnElement[bool]:
    """Recorded but no card printed (by ``as_of``): the people holding a suket or waiting."""
    return and_(recorded_condition(as_of), or_(never_printed(), printed_after(as_of)))


def card_scans(
    office: str, condition: ColumnElement[bool], printed: ColumnElement[bool]
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The WHERE clauses of two index range scans of the office's registry that together
    select exactly the residents ``condition`` selects, each once, for a ``condition`` that
    requires a recording (`recorded_condition`) and no card or one that ``printed`` selects
    (e.g. `not_printed_condition`: ``printed`` is `printed_after(as_of)`). A query runs
    once per clause and adds the two results (a count, or groups that keep tanggal_cetak):
    the disjunction "no card or ``printed``" becomes two index-friendly halves.

    - the recorded never printed: ``condition`` and no card, read from the partial index
      `ix_resident_unprinted` (its predicate is implied: recorded, no card);
    - the printed ones: the office and ``printed`` (a range of tanggal_cetak, read from
      `ix_resident_office_cetak`), and ``condition`` tested as one value (IS TRUE): SQLite's
      planner, which keeps no statistics, would otherwise weigh the condition's range on
      tanggal_rekam (two thirds of the registry) the same as the card-date range (usually a
      few days) and might scan the office's recordings.

    ``condition`` stays the definition: each half is ``condition`` and a disjoint part."""
    return (
        and_(condition, never_printed()),
        and_(r.c.office_code == office, printed, condition.is_(true())),
    )


# Band numbers as SQL computes them: 0 is the under-17 band (married minors), i >= 1 is
# AGE_BANDS[i - 1]. Small integers, not label strings: PostgreSQL then estimates few groups
# and hashes them instead of sorting the whole registry (measured: 1.9 s -> 0.5 s on 1M rows).
BAND_LABELS: tuple[str, ...] = (wk.UNDER_AGE_BAND, *(label for label, _lo, _hi in wk.AGE_BANDS))


def age_band_expression(as_of: date) -> ColumnElement[int]:
    """The `wajib_ktp.age_band` of each resident on ``as_of`` as a band number (see
    BAND_LABELS): a CASE over birth-date cutoffs, oldest band first."""
    whens = [
        (r.c.tanggal_lahir <= birth_cutoff(as_of, low), literal(i + 1))
        for i, (_label, low, _high) in reversed(list(enumerate(wk.AGE_BANDS)))
    ]
    return case(*whens, else_=literal(0))


def _as_int_sum(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _area_filter(office: str, area: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [r.c.office_code == office]
    if area:
        level = area.count(".")
        if level == 2:
            where.append(r.c.kode_kecamatan == area)
        elif level == 3:
            where.append(r.c.kode_desa == area)
    return where


@dataclass(frozen=True, slots=True)
class Cell:
    """Counts of one (area, sex, age band) combination."""

    area: str
    sex: str
    band: str
    wajib: int
    recorded: int


def coverage_cells(conn: Connection, *, office: str, as_of: date, by: str) -> list[Cell]:
    """Wajib-KTP and recorded counts per (area at level ``by``, sex, age band), one scan.

    The service rolls these few hundred rows up into the national, area, sex and age-band
    figures, so every figure comes from the same exact counts.
    """
    area = _GROUP_COLUMN[by].label("area")
    band = age_band_expression(as_of).label("band")
    q = (
        select(
            area,
            r.c.jenis_kelamin.label("sex"),
            band,
            func.count().label("wajib"),
            _as_int_sum(recorded_condition(as_of)).label("recorded"),
        )
        .where(r.c.office_code == office, wajib_condition(as_of))
        .group_by(area, r.c.jenis_kelamin, band)
    )
    return [
        Cell(row.area, row.sex, BAND_LABELS[row.band], int(row.wajib), int(row.recorded))
        for row in conn.execute(q)
    ]


def region_names(conn: Connection, *, office: str, by: str) -> dict[str, str]:
    """code -> name of every area of the office at that level (kelurahan count as desa)."""
    if by == "kabupaten":
        q = select(t.region.c.code, t.region.c.name).where(t.region.c.code == office)
    else:
        q = select(t.region.c.code, t.region.c.name).where(
            t.region.c.level == _REGION_LEVEL[by], t.region.c.code.like(f"{office}.%")
        )
    return {row.code: row.name for row in conn.execute(q.order_by(t.region.c.code))}


def cohort_counts(
    conn: Connection, *, office: str, months: Sequence[tuple[str, date, date]]
) -> list[tuple[str, str, int]]:
    """(kecamatan, month label, residents) turning 17 in each (label, first, last) span.

    Counted: alive residents, never married (married ones are wajib KTP already), whose
    17th birthday falls in the span; the span is turned into a birth-date range in Python.
    """
    if not months:
        return []
    whens = []
    low = birth_cutoff(months[0][1] - timedelta(days=1), wk.WAJIB_KTP_AGE)
    high = low
    for label, _first, last in months:
        high = birth_cutoff(last, wk.WAJIB_KTP_AGE)
        whens.append((r.c.tanggal_lahir <= high, literal(label)))
    month = case(*whens, else_=literal(None)).label("month")
    q = (
        select(r.c.kode_kecamatan.label("kecamatan"), month, func.count().label("n"))
        .where(
            r.c.office_code == office,
            r.c.status == "HIDUP",
            not_(r.c.status_kawin.in_(sorted(wk.EVER_MARRIED))),
            r.c.tanggal_lahir > low,
            r.c.tanggal_lahir <= high,
        )
        .group_by(r.c.kode_kecamatan, month)
    )
    return [(row.kecamatan, row.month, int(row.n)) for row in conn.execute(q)]


def turning_17_condition(after: date, until: date) -> ColumnElement[bool]:
    """Alive, never married, 17th birthday in (after, until]: newly wajib KTP by age."""
    return and_(
        r.c.status == "HIDUP",
        not_(r.c.status_kawin.in_(sorted(wk.EVER_MARRIED))),
        r.c.tanggal_lahir > birth_cutoff(after, wk.WAJIB_KTP_AGE),
        r.c.tanggal_lahir <= birth_cutoff(until, wk.WAJIB_KTP_AGE),
    )


def village_totals(
    conn: Connection,
    *,
    office: str,
    villages: Select[Any],
    as_of: date,
    until: date,
) -> dict[str, int]:
    """Event-impact counts over the residents of the villages selected by ``villages``
    (a one-column SELECT of village codes), one scan."""
    wajib = wajib_condition(as_of)
    q = select(
        _as_int_sum(wajib).label("wajib_ktp"),
        _as_int_sum(and_(wajib, not_(recorded_condition(as_of)))).label("unrecorded"),
        _as_int_sum(and_(wajib, not_printed_condition(as_of))).label("recorded_not_printed"),
        _as_int_sum(turning_17_condition(as_of, until)).label("turning_17_before")
        if until > as_of
        else literal(0).label("turning_17_before"),
    ).where(r.c.office_code == office, r.c.kode_desa.in_(villages))
    row = conn.execute(q).one()
    return {k: int(v) for k, v in row._mapping.items()}


def unrecorded_rows(
    conn: Connection, *, office: str, as_of: date, area: str | None
) -> Iterator[Any]:
    """Unrecorded wajib-KTP residents (name, NIK, village, birth date), streamed in NIK
    order within each village so a printed list can be walked door to door."""
    q = (
        select(
            r.c.nik,
            r.c.nama,
            r.c.jenis_kelamin,
            r.c.tanggal_lahir,
            r.c.kode_desa,
            t.region.c.name.label("desa"),
        )
        .select_from(r.outerjoin(t.region, t.region.c.code == r.c.kode_desa))
        .where(*_area_filter(office, area), wajib_condition(as_of))
        .where(not_(recorded_condition(as_of)))
        .order_by(r.c.kode_desa, r.c.nik)
    )
    result = conn.execution_options(stream_results=True, yield_per=2000).execute(q)
    yield from result


# --- from the kept counts (coverage_count) ------------------------------------------------


def recorded_after(conn: Connection, *, office: str, as_of: date) -> bool:
    """Whether any resident's recording is dated after ``as_of`` (then the kept counts, which
    count every recording, do not tell who was recorded by ``as_of``)."""
    q = select(r.c.nik).where(r.c.office_code == office, r.c.tanggal_rekam > as_of).limit(1)
    return conn.execute(q).first() is not None


def boundary_years(as_of: date) -> list[int]:
    """The birth years in which someone's age band or wajib-KTP status on ``as_of`` depends on
    the birth day, not only the year: the years of each band's cutoff, and ``as_of``'s own
    year (born by then or not)."""
    years = {birth_cutoff(as_of, low).year for _label, low, _high in wk.AGE_BANDS}
    years.add(birth_cutoff(as_of, wk.WAJIB_KTP_AGE).year)
    years.add(as_of.year)
    return sorted(years)


def counted_cells(conn: Connection, *, office: str, as_of: date, by: str) -> list[Cell]:
    """The same cells as `coverage_cells`, from the kept counts: a birth year that is not a
    boundary year (`boundary_years`) lies wholly on one side of every cutoff, so its count
    falls into one band; the boundary years are counted from the registry, resident by
    resident, with `coverage_cells`' own conditions (an index on the birth date). Exact when
    no recording is dated after ``as_of`` (`recorded_after`), which the caller checks."""
    c = cc.c
    area = {"kabupaten": c.office_code, "kecamatan": c.kode_kecamatan, "desa": c.kode_desa}[by]
    edges = boundary_years(as_of)
    c17 = birth_cutoff(as_of, wk.WAJIB_KTP_AGE).year
    whens = [
        (c.birth_year < birth_cutoff(as_of, low).year, literal(i + 1))
        for i, (_label, low, _high) in reversed(list(enumerate(wk.AGE_BANDS)))
    ]
    band = case(*whens, else_=literal(0)).label("band")
    q = (
        select(
            area.label("area"),
            c.jenis_kelamin.label("sex"),
            band,
            func.sum(c.residents).label("wajib"),
            func.sum(c.recorded).label("recorded"),
        )
        .where(
            c.office_code == office,
            c.birth_year < as_of.year,
            c.birth_year.not_in(edges),
            or_(c.married == 1, c.birth_year < c17),
        )
        .group_by(area, c.jenis_kelamin, band)
    )
    cells = [
        Cell(row.area, row.sex, BAND_LABELS[row.band], int(row.wajib), int(row.recorded))
        for row in conn.execute(q)
        if row.wajib
    ]
    col = _GROUP_COLUMN[by].label("area")
    age = age_band_expression(as_of).label("band")
    for year in edges:
        if year > as_of.year:
            continue
        q2 = (
            select(
                col,
                r.c.jenis_kelamin.label("sex"),
                age,
                func.count().label("wajib"),
                _as_int_sum(recorded_condition(as_of)).label("recorded"),
            )
            .where(
                r.c.office_code == office,
                r.c.tanggal_lahir >= date(year, 1, 1),
                r.c.tanggal_lahir <= date(year, 12, 31),
                wajib_condition(as_of),
            )
            .group_by(col, r.c.jenis_kelamin, age)
        )
        cells.extend(
            Cell(row.area, row.sex, BAND_LABELS[row.band], int(row.wajib), int(row.recorded))
            for row in conn.execute(q2)
        )
    return cells
