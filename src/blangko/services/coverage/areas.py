"""Coverage of wajib KTP against the national target, the coming 17-year-olds, and the list
of unrecorded residents for door-to-door recording (jemput bola).

Counts are exact integers from the database (adapters.repos.coverage); percentages are
computed from them with the domain's exact arithmetic and rounded once, here, for display,
so the national figure and the area figures never disagree by a rounding step.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Connection

from blangko.adapters.reports import tabular
from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import coverage as cq
from blangko.domain import wajib_ktp as wk
from blangko.domain.access import PERSONAL_DATA_ROLES, ROLE_LABELS
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import check_date, check_text
from blangko.domain.text import Msg
from blangko.services import derived, readlog
from blangko.services.context import Context, resolve_office
from blangko.services.coverage.results import Cohort, Coverage, Figures, GapsWritten

NATIONAL_TARGET_PCT = Decimal("99.2")
DEFAULT_COHORT_MONTHS = 12
MAX_COHORT_MONTHS = 60
SEX_LABEL = {"L": "laki-laki", "P": "perempuan"}
GAPS_COLUMNS = ("nama", "nik", "jenis_kelamin", "kode_desa", "desa", "tanggal_lahir", "umur")


def parse_target(value: str | Decimal | None) -> Decimal:
    if value is None:
        return NATIONAL_TARGET_PCT
    try:
        target = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise DomainError(
            "target_pct_format",
            "target",
            Msg("Target '{value}' bukan angka persen (mis. 99.2).", value=value),
        ) from exc
    if not target.is_finite() or not 0 <= target <= 100:
        raise DomainError(
            "target_pct_range",
            "target",
            Msg("Target harus antara 0 dan 100 persen ({value}).", value=value),
        )
    return target


def figures(wajib: int, recorded: int, target: Decimal) -> Figures:
    """The four numbers every row shows, from exact counts; the percentage rounded once."""
    pct = wk.coverage_pct(recorded, wajib)
    return {
        "wajib_ktp": wajib,
        "recorded": recorded,
        "unrecorded": wajib - recorded,
        "coverage_pct": None if pct is None else float(wk.round_pct(pct)),
        "gap_to_target": wk.gap_to_target(wajib, recorded, target),
    }


def _check_by(by: str) -> str:
    if by not in cq.LEVELS:
        raise DomainError(
            "coverage_level", "by", Msg("Tingkat wilayah harus kabupaten, kecamatan atau desa.")
        )
    return by


def coverage(
    ctx: Context,
    *,
    as_of: date | None = None,
    by: str = "kecamatan",
    target: str | Decimal | None = None,
    office: str | None = None,
) -> Coverage:
    """Wajib KTP, recorded, coverage and gap to the target: for the office, per area at level
    ``by``, per sex and per age band (`coverage_stored`'s figure)."""
    return coverage_stored(ctx, as_of=as_of, by=by, target=target, office=office).value


def coverage_stored(
    ctx: Context,
    *,
    as_of: date | None = None,
    by: str = "kecamatan",
    target: str | Decimal | None = None,
    office: str | None = None,
) -> derived.Stored[Coverage]:
    """`compute_coverage`'s figure as stored (services.derived): computed again only after a
    change of the office's registry, with when it was computed."""
    _check_by(by)
    target_pct = parse_target(target)
    day = check_date(as_of or ctx.today(), "as_of")
    code = derived.office_of(ctx, office)
    return derived.stored(
        ctx,
        office=code,
        kind="coverage",
        params=f"{day.isoformat()}|{by}|{target_pct}",
        depends=(derived.REGISTRY,),
        extra=None,
        compute=lambda: compute_coverage(ctx, as_of=day, by=by, target=target_pct, office=code),
    )


def compute_coverage(
    ctx: Context, *, as_of: date, by: str, target: Decimal, office: str
) -> Coverage:
    """The coverage figures from the counts kept per village, sex, birth year and married or
    not (`coverage_count`, kept by the database at every write to the registry), with the
    birth years around an age boundary counted from the registry (`cq.counted_cells`); from
    the whole registry (`cq.coverage_cells`, one scan) when a recording is dated after
    ``as_of``. Both give the same cells (tests/integration/test_coverage_counts.py)."""
    with ctx.read() as conn:
        cells = cells_of(conn, office=office, as_of=as_of, by=by)
        names = cq.region_names(conn, office=office, by=by)
    return rollup(cells, names, as_of=as_of, by=by, target=target, office=office)


def cells_of(conn: Connection, *, office: str, as_of: date, by: str) -> list[cq.Cell]:
    """The (area, sex, band) counts in the caller's transaction: from the kept counts, or
    from the whole registry when a recording is dated after ``as_of`` (`compute_coverage`)."""
    if cq.recorded_after(conn, office=office, as_of=as_of):
        return cq.coverage_cells(conn, office=office, as_of=as_of, by=by)
    return cq.counted_cells(conn, office=office, as_of=as_of, by=by)


def rollup(
    cells: Iterable[cq.Cell],
    names: dict[str, str],
    *,
    as_of: date,
    by: str,
    target: Decimal,
    office: str,
) -> Coverage:
    """National, area, sex and age-band figures from the same (area, sex, band) counts."""
    areas: dict[str, list[int]] = {c: [0, 0] for c in names}
    sexes: dict[str, list[int]] = {s: [0, 0] for s in SEX_LABEL}
    bands: dict[str, list[int]] = {b: [0, 0] for b in (wk.UNDER_AGE_BAND, *_band_labels())}
    total = [0, 0]
    for cell in cells:
        for bucket in (
            areas.setdefault(cell.area, [0, 0]),
            sexes.setdefault(cell.sex, [0, 0]),
            bands.setdefault(cell.band, [0, 0]),
            total,
        ):
            bucket[0] += cell.wajib
            bucket[1] += cell.recorded
    return {
        "office": office,
        "as_of": as_of.isoformat(),
        "by": by,
        "target_pct": float(target),
        **figures(total[0], total[1], target),
        "areas": [
            {"code": code, "name": names.get(code), **figures(w, rec, target)}
            for code, (w, rec) in sorted(areas.items())
        ],
        "by_sex": [
            {"sex": s, "label": SEX_LABEL.get(s, s), **figures(w, rec, target)}
            for s, (w, rec) in sexes.items()
        ],
        "by_age_band": [
            {"band": b, **figures(w, rec, target)}
            for b, (w, rec) in bands.items()
            # Married minors get their own band only when there are any.
            if b != wk.UNDER_AGE_BAND or w
        ],
    }


def _band_labels() -> list[str]:
    return [label for label, _low, _high in wk.AGE_BANDS]


# --- cohort -------------------------------------------------------------------------------


def month_spans(as_of: date, months: int) -> list[tuple[str, date, date]]:
    """(YYYY-MM, first day, last day) for ``months`` calendar months starting the day after
    ``as_of``; the first span is the rest of the current month (or the next month when
    ``as_of`` is a month's last day)."""
    spans = []
    start = as_of + timedelta(days=1)
    for _ in range(months):
        last = date(start.year, start.month, monthrange(start.year, start.month)[1])
        spans.append((f"{start:%Y-%m}", start, last))
        start = last + timedelta(days=1)
    return spans


def cohort(
    ctx: Context,
    *,
    months: int = DEFAULT_COHORT_MONTHS,
    as_of: date | None = None,
    office: str | None = None,
) -> Cohort:
    """Residents who turn 17 (and so become wajib KTP) in each coming month, per kecamatan:
    the first-time (pemula) demand that is certain to come. Married residents are wajib
    already and not counted again."""
    return cohort_stored(ctx, months=months, as_of=as_of, office=office).value


def cohort_stored(
    ctx: Context,
    *,
    months: int = DEFAULT_COHORT_MONTHS,
    as_of: date | None = None,
    office: str | None = None,
) -> derived.Stored[Cohort]:
    """`compute_cohort`'s figure as stored (services.derived): computed again only after a
    change of the office's registry."""
    if not 1 <= months <= MAX_COHORT_MONTHS:
        raise DomainError(
            "cohort_months",
            "months",
            Msg(
                "Jumlah bulan harus 1 sampai {max_cohort_months} (diisi {months}).",
                max_cohort_months=MAX_COHORT_MONTHS,
                months=months,
            ),
        )
    day = check_date(as_of or ctx.today(), "as_of")
    code = derived.office_of(ctx, office)
    return derived.stored(
        ctx,
        office=code,
        kind="cohort",
        params=f"{day.isoformat()}|{months}",
        depends=(derived.REGISTRY,),
        extra=None,
        compute=lambda: compute_cohort(ctx, months=months, as_of=day, office=code),
    )


def compute_cohort(ctx: Context, *, months: int, as_of: date, office: str) -> Cohort:
    """`cohort`'s figure, from the registry."""
    day = as_of
    spans = month_spans(day, months)
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = cq.cohort_counts(conn, office=code, months=spans)
        names = cq.region_names(conn, office=code, by="kecamatan")
    labels = [label for label, _f, _l in spans]
    per_kec: dict[str, dict[str, int]] = {k: dict.fromkeys(labels, 0) for k in names}
    for kec, label, n in rows:
        per_kec.setdefault(kec, dict.fromkeys(labels, 0))[label] += n
    month_totals = dict.fromkeys(labels, 0)
    for counts in per_kec.values():
        for label, n in counts.items():
            month_totals[label] += n
    return {
        "office": code,
        "as_of": day.isoformat(),
        "months": [
            {
                "month": label,
                "from": f.isoformat(),
                "to": last.isoformat(),
                "total": month_totals[label],
            }
            for label, f, last in spans
        ],
        "kecamatan": [
            {"code": k, "name": names.get(k), "months": counts, "total": sum(counts.values())}
            for k, counts in sorted(per_kec.items())
        ],
        "total": sum(month_totals.values()),
    }


# --- gaps ---------------------------------------------------------------------------------


def check_area(conn: Connection, office: str, code: str, level: str, field: str) -> str:
    """The code of a kecamatan or village (``level``) of the office, trimmed; else NotFound
    on ``field`` (or DomainError for a control character or an overlong text, which the
    look-up would not survive: PostgreSQL refuses a NUL in a text)."""
    code = check_text(code, field).strip()
    row = admin_repo.region(conn, code)
    if row is None or row.level != level or not code.startswith(f"{office}."):
        word = "Desa/kelurahan" if level == "desa" else "Kecamatan"
        raise NotFound(
            f"unknown_{level}",
            field,
            Msg(
                "{word} '{code}' tidak dikenal di kantor {office}.",
                word=word,
                code=code,
                office=office,
            ),
        )
    return code


def gaps(
    ctx: Context,
    *,
    output: Path,
    desa: str | None = None,
    kecamatan: str | None = None,
    as_of: date | None = None,
    office: str | None = None,
    role: str | None = None,
) -> GapsWritten:
    """Write the unrecorded wajib-KTP residents (name, NIK, village, age) of a village, a
    kecamatan or the whole office to ``output`` (.xlsx or .csv), streamed row by row.

    ``role`` is the caller's role when known (the web passes it); only roles allowed to see
    personal data get the list, and every list written is in the read log (area, rows). The file is written next to ``output`` and renamed into place
    only when complete, so a failed run leaves no half list behind.
    """
    if role is not None and role not in PERSONAL_DATA_ROLES:
        raise DomainError(
            "personal_data_forbidden",
            "role",
            Msg(
                "Peran {nilai} tidak boleh melihat data pribadi penduduk (hanya {nilai2}).",
                nilai=ROLE_LABELS.get(role, role),
                nilai2=", ".join(ROLE_LABELS[r] for r in sorted(PERSONAL_DATA_ROLES)),
            ),
        )
    if desa and kecamatan:
        raise DomainError(
            "gaps_area", "desa", Msg("Pilih salah satu: desa atau kecamatan, bukan keduanya.")
        )
    suffix = output.suffix.lower()
    if suffix not in tabular.SUFFIXES:
        raise DomainError(
            "gaps_format",
            "output",
            Msg("Berkas keluaran harus .xlsx atau .csv ({name}).", name=output.name),
        )
    if not output.parent.is_dir():
        raise DomainError(
            "gaps_output_dir", "output", Msg("Folder {parent} tidak ada.", parent=output.parent)
        )
    day = check_date(as_of or ctx.today(), "as_of")
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        area = None
        if desa:
            area = check_area(conn, code, desa, "desa", "desa")
        elif kecamatan:
            area = check_area(conn, code, kecamatan, "kecamatan", "kecamatan")
        rows = (
            (
                row.nama,
                row.nik,
                row.jenis_kelamin,
                row.kode_desa,
                row.desa,
                row.tanggal_lahir,
                wk.age_on(row.tanggal_lahir, day),
            )
            for row in cq.unrecorded_rows(conn, office=code, as_of=day, area=area)
        )
        n = tabular.write_rows(output, GAPS_COLUMNS, rows, sheet="belum_rekam", text_columns={1})
    if n:
        readlog.note(ctx, office=code, action="gaps", subject=area or code, rows=n)
    return {
        "office": code,
        "as_of": day.isoformat(),
        "area": area or code,
        "output": str(output),
        "format": suffix[1:],
        "rows": n,
    }
