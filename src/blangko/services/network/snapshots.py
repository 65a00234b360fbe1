"""Office snapshots and the national and province view (issue 14, points 1 and 2).

The snapshot job computes each office's figures as of a day and stores them in
`office_snapshot` (adapters/tables_snapshots.py, which documents the stored demand paths), so
that the national and province pages read one row per office, never the registries. Every
figure is read from the function its own pages read it from (services.figures):

| figure | read from |
|---|---|
| stock on hand, by location | `services.stock.queries.balance` |
| in transit to it | the shipments sent to it, not yet received |
| days of cover p50/p90, P(stockout), the next delivery, the request, the demand paths | the stored forecast (`figures.forecast_stored`) |
| stock level | `domain.stock_policy.stock_level` on that forecast, as `figures.status` |
| backlog (PRR ...) | the forecast's `backlog` (`applications.backlog_of`) |
| coverage and its gap to the target | `coverage.areas.coverage` by kabupaten |
| the next election within the horizon | the forecast's events of kind pilkades, pemilu, pilkada |
| its open requests (id, asked, state) | `blank_request` in `domain.requests.OPEN_STATES` |
| its open loans (lent or borrowed: outstanding, due date, overdue) | `loan_book.open_loans`, as its dashboard's "Pinjaman" (`loans.open_for`) |

Incrementally: a snapshot's key is the SHA-256 of the versions it is computed from (the
office's ledger head and the versions of its registry, applications, calendar and events:
services.derived; the shipments in transit to it; its open requests; its open loans as
they are shown, so that a loan step (sent, received, returned, written off) or a loan
falling overdue computes it again; the settings); an office whose key is the
stored one is skipped. In parallel: ``workers`` processes, each with its own engine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date, datetime
from pathlib import Path
from typing import Any

from blangko.adapters.reports import tabular
from blangko.adapters.repos import derived as derived_repo
from blangko.adapters.repos import network as network_repo
from blangko.adapters.repos import snapshots as repo
from blangko.domain import national as dn
from blangko.domain import requests as rq
from blangko.domain import stock_policy as sp
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import check_date
from blangko.domain.text import N_, Msg
from blangko.services import figures, forecast
from blangko.services.context import Context, context_from_settings, utc_now
from blangko.services.coverage import areas
from blangko.services.network import loan_book
from blangko.services.network.national_results import (
    NationalView,
    OfficeSnapshot,
    ProvinceSummary,
    SnapshotDone,
    SnapshotRun,
)
from blangko.services.network.organisation import EVERYTHING, Reach, province_of
from blangko.services.stock import queries
from blangko.settings import Settings

# Part of every snapshot's key: a change of what a snapshot holds computes them all again.
SNAPSHOT_SHAPE = 3  # 2: the open requests; 3: the open loans
# What a snapshot keeps of each open loan: the dashboard's "Pinjaman" columns and the state
# that moves with each loan step.
LOAN_FIELDS = (
    "id",
    "lender",
    "borrower",
    "status",
    "quantity",
    "outstanding",
    "returning",
    "due_date",
    "overdue",
)
SORTS = ("risk", "code", "name", "cover", "stockout", "backlog", "coverage", "on_hand")
EXPORT_SUFFIXES = ("csv", "xlsx")

Progress = Callable[[int, int], None]  # (done, total)
log = logging.getLogger(__name__)


# --- one office ------------------------------------------------------------------------------


def _material(ctx: Context, conn: Any, office: str, as_of: date) -> dict[str, Any]:
    """What an office's snapshot is computed from (its key is the SHA-256 of this)."""
    versions = derived_repo.versions(conn, office)
    return {
        "versions": {d: versions.get(d, 0) for d in figures.FORECAST_DEPENDS},
        "in_transit": repo.incoming(conn, office),
        "open_requests": repo.open_requests(conn, office, rq.OPEN_STATES),
        "open_loans": open_loans_of(conn, office, as_of),
        "as_of": as_of.isoformat(),
        "settings": [
            forecast.DEFAULT_HORIZON,
            forecast.RESULT_SHAPE,
            SNAPSHOT_SHAPE,
            ctx.settings.forecast.model_dump_json(),
            ctx.settings.event.model_dump_json(),
            ctx.settings.stock_low_days,
            str(areas.NATIONAL_TARGET_PCT),
        ],
    }


def open_loans_of(conn: Any, office: str, as_of: date) -> list[dict[str, Any]]:
    """The office's open loans as its dashboard shows them (loan_book.open_loans, the
    function behind loans.open_for), overdue as of ``as_of``; only LOAN_FIELDS."""
    shown = loan_book.open_loans(conn, lambda code: code == office, as_of)
    return [{k: loan[k] for k in LOAN_FIELDS} for loan in shown]  # type: ignore[literal-required]


def _key(material: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def snapshot_office(
    ctx: Context, office: str, as_of: date | None = None, *, force: bool = False
) -> SnapshotDone:
    """Compute and store the office's snapshot of ``as_of`` (default today), unless the one
    stored was computed from the same versions (module docstring)."""
    started = time.perf_counter()
    day = check_date(as_of or ctx.today(), "as_of")
    with ctx.read() as conn:
        material = _material(ctx, conn, office, day)
        stored_key = repo.key_of(conn, office, day)
    key = _key(material)
    if stored_key == key and not force:
        return {"office": office, "computed": False, "seconds": _since(started)}
    fc = figures.forecast_stored(ctx, office, day).value
    balance = queries.balance(ctx, as_of=day, office=office)
    cov = areas.coverage(ctx, as_of=day, by="kabupaten", office=office)
    cover = figures.cover_of(fc)
    on_hand = int(fc["on_hand"])
    with ctx.read() as conn:
        kinds = repo.event_kinds(conn, [e["id"] for e in fc["events"]])
    elections = sorted(
        (e["date"], e["name"]) for e in fc["events"] if kinds.get(e["id"]) in dn.ELECTION_KINDS
    )
    backlog = {k: int(v) for k, v in fc["backlog"].items()}
    row = {
        "office_code": office,
        "as_of": day,
        "key": key,
        "versions": json.dumps(material, sort_keys=True),
        "computed_at": ctx.now(),
        "compute_ms": 0,
        "on_hand": on_hand,
        "by_location": json.dumps(balance["by_location"], sort_keys=True),
        "in_transit": sum(q for _, q in material["in_transit"]),
        "horizon_days": int(cover["horizon_days"]),
        "cover_p50": int(cover["p50"]),
        "cover_p90": int(cover["p90"]),
        "cover_beyond": bool(cover["beyond_horizon"]),
        "stockout_probability": float(fc["stockout_probability_before_next_delivery"]),
        "next_delivery": date.fromisoformat(fc["next_delivery"]["expected_date"]),
        "level": sp.stock_level(on_hand, cover["p90"], ctx.settings.stock_low_days),
        "recommended_request": int(fc["recommended_request"]["quantity"]),
        "backlog": json.dumps(backlog, sort_keys=True),
        "print_backlog": backlog["print_backlog"],
        "registry_prr": backlog["registry_prr"],
        "wajib_ktp": int(cov["wajib_ktp"]),
        "coverage_pct": cov["coverage_pct"],
        "gap_to_target": int(cov["gap_to_target"]),
        "target_pct": str(cov.get("target_pct", areas.NATIONAL_TARGET_PCT)),
        "election_date": date.fromisoformat(elections[0][0]) if elections else None,
        "election_name": elections[0][1][:200] if elections else None,
        "demand_paths": json.dumps(fc["demand_paths"]),
        "open_requests": json.dumps(material["open_requests"]),
        "open_loans": json.dumps(material["open_loans"]),
    }
    row["compute_ms"] = int(_since(started) * 1000)
    with ctx.write_plain() as conn:
        repo.save(conn, row)
    return {"office": office, "computed": True, "seconds": _since(started)}


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


# --- every office, in worker processes -----------------------------------------------------------

_WORKER: Context | None = None


def _worker_init(settings_json: str, timezone: str, fixed_now: datetime | None) -> None:
    """A worker process's own Context: its own engine from the same database URL, the same
    settings, and the job's clock (a fixed moment when the caller's clock is one)."""
    global _WORKER
    settings = Settings.model_validate_json(settings_json)
    ctx = context_from_settings(settings, actor="snapshot")
    ctx.timezone = timezone
    if fixed_now is not None:
        ctx.clock = lambda: fixed_now
    _WORKER = ctx


def _worker_run(office: str, as_of: date, force: bool) -> SnapshotDone:
    assert _WORKER is not None
    return snapshot_office(_WORKER, office, as_of, force=force)


def run(
    ctx: Context,
    *,
    offices: Sequence[str] | None = None,
    as_of: date | None = None,
    workers: int = 1,
    force: bool = False,
    progress: Progress | None = None,
) -> SnapshotRun:
    """The snapshot of ``as_of`` (default today) of every office (or ``offices``), computed
    where what it depends on changed, in ``workers`` processes (1: in this one)."""
    started = time.perf_counter()
    day = check_date(as_of or ctx.today(), "as_of")
    if not 1 <= workers <= 64:
        raise DomainError(
            "workers_range", "workers", Msg("Jumlah proses pekerja harus 1 sampai 64.")
        )
    with ctx.read() as conn:
        known = [code for code, _ in repo.regency_offices(conn)]
    if offices:
        unknown = [o for o in offices if o not in known]
        if unknown:
            raise DomainError(
                "unknown_office",
                "office",
                Msg("Kantor '{code}' tidak ada (atau direktorat).", code=unknown[0]),
            )
        codes = list(dict.fromkeys(offices))
    else:
        codes = known
    done: list[SnapshotDone] = []
    if progress:
        progress(0, len(codes))
    if workers == 1 or len(codes) <= 1:
        for code in codes:
            done.append(snapshot_office(ctx, code, day, force=force))
            if progress:
                progress(len(done), len(codes))
    else:
        url = ctx.engine.url.render_as_string(hide_password=False)
        settings = ctx.settings.model_copy(update={"database_url": url})
        fixed = None if ctx.clock is utc_now else ctx.now()
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(codes)),
            mp_context=spawn,
            initializer=_worker_init,
            initargs=(settings.model_dump_json(), ctx.timezone, fixed),
        ) as pool:
            futures = [pool.submit(_worker_run, code, day, force) for code in codes]
            for f in as_completed(futures):
                done.append(f.result())
                if progress:
                    progress(len(done), len(codes))
        done.sort(key=lambda d: d["office"])
    computed = sum(1 for d in done if d["computed"])
    return {
        "as_of": day.isoformat(),
        "offices": len(codes),
        "computed": computed,
        "skipped": len(codes) - computed,
        "workers": workers,
        "seconds": _since(started),
        "done": done,
    }


def refresh(ctx: Context) -> SnapshotRun:
    """Today's snapshot of every office, computed where something changed (the web
    server's scheduled round), in the settings' worker processes."""
    return run(ctx, workers=max(1, ctx.settings.snapshot_workers))


def refresh_every(ctx: Context, seconds: float, stop: threading.Event) -> None:
    """`refresh` every ``seconds`` until ``stop`` is set (the web server's thread); an
    error is logged and the next round tries again."""
    while not stop.is_set():
        try:
            done = refresh(ctx)
            if done["computed"]:
                log.info(
                    "office snapshots computed: %s",
                    ", ".join(d["office"] for d in done["done"] if d["computed"]),
                )
        except Exception:  # noqa: BLE001 - a round that fails must not stop the next ones
            log.exception("office snapshots: the scheduled round failed")
        stop.wait(seconds)


# --- the national and province view ---------------------------------------------------------------


def _office(r: Any) -> OfficeSnapshot:
    return {
        "code": r.office_code,
        "name": r.office_name,
        "province": province_of(r.office_code),
        "as_of": r.as_of.isoformat(),
        "computed_at": r.computed_at.isoformat(),
        "on_hand": int(r.on_hand),
        "by_location": json.loads(r.by_location),
        "in_transit": int(r.in_transit),
        "days_of_cover": {
            "p50": int(r.cover_p50),
            "p90": int(r.cover_p90),
            "beyond_horizon": bool(r.cover_beyond),
            "horizon_days": int(r.horizon_days),
        },
        "stockout_probability": round(float(r.stockout_probability), 4),
        "next_delivery": r.next_delivery.isoformat(),
        "level": r.level,
        "recommended_request": int(r.recommended_request),
        "backlog": json.loads(r.backlog),
        "coverage": {
            "coverage_pct": r.coverage_pct,
            "wajib_ktp": int(r.wajib_ktp),
            "gap_to_target": int(r.gap_to_target),
            "target_pct": r.target_pct,
        },
        "election": (
            {"date": r.election_date.isoformat(), "name": r.election_name}
            if r.election_date is not None
            else None
        ),
        "versions": json.loads(r.versions),
        "open_requests": json.loads(r.open_requests or "[]"),
        "open_loans": json.loads(r.open_loans or "[]"),
    }


def _sort_key(sort: str) -> Callable[[OfficeSnapshot], Any]:
    def risk(o: OfficeSnapshot) -> Any:
        return (
            *dn.risk_order(o["level"], o["stockout_probability"], o["days_of_cover"]["p50"]),
            o["code"],
        )

    keys: dict[str, Callable[[OfficeSnapshot], Any]] = {
        "risk": risk,
        "code": lambda o: o["code"],
        "name": lambda o: (o["name"], o["code"]),
        "cover": lambda o: (o["days_of_cover"]["p50"], o["code"]),
        "stockout": lambda o: (-o["stockout_probability"], o["code"]),
        "backlog": lambda o: (-o["backlog"]["print_backlog"], o["code"]),
        "coverage": lambda o: (
            o["coverage"]["coverage_pct"] is None,
            o["coverage"]["coverage_pct"] or 0.0,
            o["code"],
        ),
        "on_hand": lambda o: (o["on_hand"], o["code"]),
    }
    return keys[sort]


def check_filters(risk: str | None, sort: str | None, province: str | None) -> str:
    """The view's filters checked (400 naming the parameter); the sort key in force."""
    if risk is not None and risk not in dn.LEVELS:
        raise DomainError(
            "risk_level",
            "risk",
            Msg("Risiko harus habis, menipis atau aman ({value}).", value=risk),
        )
    if sort is not None and sort not in SORTS:
        raise DomainError(
            "sort_key",
            "sort",
            Msg("Urutan harus salah satu dari: {keys}.", keys=", ".join(SORTS)),
        )
    if province is not None and not (len(province) == 2 and province.isdigit()):
        raise DomainError(
            "province_code", "province", Msg("Kode provinsi terdiri dari dua angka (mis. 17).")
        )
    return sort or "risk"


def check_scope(reach: Reach, *, national: bool, province: str | None) -> None:
    """Whether ``reach`` may read the national view (``national``) or ``province``'s, as far
    as it is known without reading the offices (a province without offices: `view`)."""
    if not reach.everything and (national or reach.province is None):
        # The nation: the directorate's users; a province: they and its province's users. An
        # office's user, whose role may read it, finds no such view (404, as the route table
        # allows the role: a 403 is a refusal by role).
        raise NotFound(
            "not_in_scope",
            None,
            Msg("Tampilan nasional dan provinsi hanya untuk pengguna direktorat dan provinsi."),
        )
    if not national and reach.province is not None and reach.province != province:
        raise NotFound(
            "unknown_province", "province", Msg("Provinsi '{code}' tidak ditemukan.", code=province)
        )


def version(ctx: Context) -> tuple[int, int]:
    """What the national and province view change with, read in one look: the snapshots'
    generation (one more with every snapshot saved, in any process) and the number of
    offices."""
    with ctx.read() as conn:
        return repo.generation(conn), repo.office_count(conn)


def view(
    ctx: Context,
    *,
    reach: Reach = EVERYTHING,
    province: str | None = None,
    risk: str | None = None,
    election: bool = False,
    sort: str | None = None,
    as_of: date | None = None,
    national: bool = True,
) -> NationalView:
    """Every office within ``reach`` (the national view) or of ``province`` (its page), with
    its figures as its latest snapshot up to ``as_of`` (default today) has them, read from the
    snapshots only; filtered by province, stock level (``risk``) and an election within the
    horizon; sorted (default: at risk first). A province's user reads its own province only
    (another's: not found, as one that does not exist); the national view is the
    directorate's."""
    order = check_filters(risk, sort, province)
    day = check_date(as_of or ctx.today(), "as_of")
    check_scope(reach, national=national, province=province)
    with ctx.read() as conn:
        offices = [(c, n) for c, n in repo.regency_offices(conn) if reach.covers(c)]
        if not national:
            offices = [(c, n) for c, n in offices if province_of(c) == province]
            if not offices or (reach.province is not None and reach.province != province):
                raise NotFound(
                    "unknown_province",
                    "province",
                    Msg("Provinsi '{code}' tidak ditemukan.", code=province),
                )
        rows = repo.latest(conn, day, [c for c, _ in offices], paths=False)
        names = network_repo.region_names(conn, {province_of(c) for c, _ in offices})
    listed = [_office(r) for r in rows]
    summaries = _provinces(listed, names)
    shown = [
        o
        for o in listed
        if (province is None or o["province"] == province)
        and (risk is None or o["level"] == risk)
        and (not election or o["election"] is not None)
    ]
    shown.sort(key=_sort_key(order))
    have = {o["code"] for o in listed}
    return {
        "scope": "nasional" if national else str(province),
        "as_of": day.isoformat(),
        "filters": {
            "province": province if national else None,
            "risk": risk,
            "election": "1" if election else None,
        },
        "sort": order,
        "provinces": summaries,
        "offices": shown,
        "missing": [c for c, _ in offices if c not in have],
        "last_computed": max((o["computed_at"] for o in listed), default=None),
    }


def _provinces(offices: list[OfficeSnapshot], names: dict[str, str]) -> list[ProvinceSummary]:
    out: dict[str, ProvinceSummary] = {}
    for o in offices:
        code = o["province"]
        p = out.setdefault(
            code,
            {
                "code": code,
                "name": names.get(code, code),
                "offices": 0,
                "by_level": dict.fromkeys(dn.LEVELS, 0),
                "level": None,
                "on_hand": 0,
                "in_transit": 0,
                "print_backlog": 0,
            },
        )
        p["offices"] += 1
        p["by_level"][o["level"]] = p["by_level"].get(o["level"], 0) + 1
        p["on_hand"] += o["on_hand"]
        p["in_transit"] += o["in_transit"]
        p["print_backlog"] += o["backlog"]["print_backlog"]
    for p in out.values():
        p["level"] = next((lv for lv in dn.LEVELS if p["by_level"].get(lv)), None)
    return sorted(out.values(), key=lambda p: p["code"])


# --- the export --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    N_("Kode kantor"),
    N_("Kantor"),
    N_("Provinsi"),
    N_("Per tanggal"),
    N_("Tingkat stok"),
    N_("Stok di tangan"),
    N_("Dalam perjalanan ke kantor"),
    N_("Cukup untuk, median (hari)"),
    N_("Cukup untuk, keyakinan 90 % (hari)"),
    N_("Lebih dari cakrawala"),
    N_("Peluang kehabisan sebelum kiriman tiba"),
    N_("Usulan permintaan"),
    N_("Antrean cetak"),
    N_("PRR di registri"),
    N_("Cakupan (%)"),
    N_("Kurang dari target (jiwa)"),
    N_("Pemilihan berikutnya"),
    N_("Pinjaman terbuka"),
    N_("Sisa dipinjamkan ke kantor lain"),
    N_("Sisa dipinjam dari kantor lain"),
    N_("Pinjaman lewat jatuh tempo"),
    N_("Dihitung (UTC)"),
)


def loans_text(o: OfficeSnapshot) -> str:
    """The office's open loans in one cell: "#id ke|dari office sisa N, kembali YYYY-MM-DD
    (lewat)", one a line (the Indonesian words: a file's cell is not translated)."""
    lines = []
    for loan in o["open_loans"]:
        lent = loan["lender"] == o["code"]
        other = loan["borrower"] if lent else loan["lender"]
        late = " (lewat)" if loan["overdue"] else ""
        lines.append(
            f"#{loan['id']} {'ke' if lent else 'dari'} {other} sisa {loan['outstanding']}, "
            f"kembali {loan['due_date']}{late}"
        )
    return "\n".join(lines)


def loan_totals(o: OfficeSnapshot) -> tuple[int, int, int]:
    """(outstanding lent out, outstanding borrowed, loans overdue) of an office's row."""
    lent = sum(x["outstanding"] for x in o["open_loans"] if x["lender"] == o["code"])
    borrowed = sum(x["outstanding"] for x in o["open_loans"] if x["borrower"] == o["code"])
    return lent, borrowed, sum(1 for x in o["open_loans"] if x["overdue"])


def export(view_: NationalView, fmt: str, header: Sequence[str]) -> bytes:
    """The view's offices as a CSV or xlsx file (``header``: the columns in the reader's
    language, as EXPORT_COLUMNS)."""
    if fmt not in EXPORT_SUFFIXES:
        raise DomainError("export_format", "format", Msg("Format unduhan harus csv atau xlsx."))
    names = {p["code"]: p["name"] for p in view_["provinces"]}
    rows = [
        [
            o["code"],
            o["name"],
            names.get(o["province"], o["province"]),
            date.fromisoformat(o["as_of"]),
            o["level"],
            o["on_hand"],
            o["in_transit"],
            o["days_of_cover"]["p50"],
            o["days_of_cover"]["p90"],
            "ya" if o["days_of_cover"]["beyond_horizon"] else "tidak",
            o["stockout_probability"],
            o["recommended_request"],
            o["backlog"]["print_backlog"],
            o["backlog"]["registry_prr"],
            o["coverage"]["coverage_pct"],
            o["coverage"]["gap_to_target"],
            o["election"]["date"] if o["election"] else "",
            loans_text(o),
            *loan_totals(o),
            o["computed_at"],
        ]
        for o in view_["offices"]
    ]
    fd, name = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(fd)
    path = Path(name)
    try:
        tabular.write_rows(path, list(header), rows, sheet="kantor", text_columns={0})
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
