"""One truth: every figure that appears on more than one surface is equal on all of them, as of
the same moment, for a demo-like office and for random office histories (issue 11).

FIGURES below is THE table: each figure, the one function that computes it, and every
surface that shows it (API JSON, CLI --json, page text, report cells). For each office the
test computes each figure with its function, then reads it off every surface listed and
requires them equal. The clock is the fixture's (FIXED_NOW): the app, the in-process CLI and
the services share one Context, so "now" is one moment everywhere.

The rules that keep the table complete (test_every_page_figure_is_in_the_table):
- a page shows a figure of the table only through a macro of templates/_figures.html, which
  marks it with data-figure="<name>" and its raw value(s); no other template writes
  data-figure;
- a template that calls a figure macro must be listed, for that figure, as a page surface
  in FIGURES (with the template's name): a new page showing days of cover fails this test
  until it joins the table, and then the table checks its value;
- a template may not print a figure's fields itself ({{ fc.days_of_cover.p50 }}): the fields
  named in GUARDED_FIELDS may appear in a {{ }} expression only as a macro's argument.
A new API or CLI surface cannot be found by a scan: the rule for them is the same, add a
Surface to the figure's row.

Random histories (Hypothesis) cost an office each (another regency code in the same
database): a few examples per backend keep the suite within about a minute per backend.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from office_builder import Office, Plan, build
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner
from web_helpers import SECRET, TestClient, insert_user, session_cookie

from blangko.adapters import tables as t
from blangko.cli import state
from blangko.cli.main import app as cli_app
from blangko.formatting import num, tanggal
from blangko.services import applications, figures, forecast, handed_in, registry
from blangko.services.admin import setup
from blangko.services.calendar import events
from blangko.services.coverage import areas, ikd
from blangko.services.network import loans, organisation, shipments, snapshots
from blangko.services.stock import counts, queries
from blangko.settings import Settings
from blangko.web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "blangko" / "web" / "templates"


# --- reading the surfaces ---------------------------------------------------------------------


class _FigureParser(HTMLParser):
    """Every element marked data-figure: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-reason" in a:  # an item of a figure's list (the request's reasons)
            a.setdefault("data-figure", "request_reason")
        entry = {"tag": tag, **a, "text": ""} if "data-figure" in a else None
        if entry is not None:
            self.found.append(entry)
        if tag not in ("br", "img", "input", "meta", "link"):
            self._stack.append(entry)

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        for entry in self._stack:
            if entry is not None:
                entry["text"] += data


@dataclass
class Surfaces:
    """One office's answers on every surface, each asked once."""

    ctx: Any
    client: TestClient
    app: Any
    office: Office
    monkeypatch: pytest.MonkeyPatch
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict)

    def _once(self, kind: str, key: str, fetch: Callable[[], Any]) -> Any:
        if (kind, key) not in self._memo:
            self._memo[(kind, key)] = fetch()
        return self._memo[(kind, key)]

    def api(self, url: str) -> Any:
        def fetch() -> Any:
            token = self.app.state.signer.issue_token(self.office.user)
            r = self.client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (url, r.text[:300])
            return r.json()

        return self._once("api", url, fetch)

    def cli(self, args: str) -> Any:
        def fetch() -> Any:
            # The CLI on the test's Context: the same database and the same fixed clock.
            self.monkeypatch.setattr(state, "context", lambda: self.ctx)
            self.monkeypatch.setattr(state, "configure", lambda **_: None)
            words = [*args.split(), "--office", self.office.code, "--json"]
            res = CliRunner().invoke(cli_app, words, catch_exceptions=False)
            assert res.exit_code == 0, (args, res.output)
            return json.loads(res.stdout)

        return self._once("cli", args, fetch)

    def page(self, url: str) -> list[dict[str, Any]]:
        def fetch() -> list[dict[str, Any]]:
            self.client.cookies.clear()
            for k, v in session_cookie(self.app, self.office.user).items():
                self.client.cookies.set(k, v)
            r = self.client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[-500:])
            parser = _FigureParser()
            parser.feed(r.text)
            return parser.found

        return self._once("page", url, fetch)

    def _national_user(self) -> str:
        """A head of the directorate (created with the directorate on first use), and the
        office's snapshot computed now: the national and province view read snapshots only."""
        name = "pusat_" + self.office.code.replace(".", "")

        def make() -> str:
            organisation.create_directorate(self.ctx)
            insert_user(self.ctx, name, "kepala", organisation.DIRECTORATE_CODE)
            return name

        self._once("national_user", name, make)
        snapshots.run(self.ctx, offices=[self.office.code])
        return name

    def national(self, url: str) -> Any:
        """The national and province API, read by the directorate: this office's row."""

        def fetch() -> Any:
            token = self.app.state.signer.issue_token(self._national_user())
            r = self.client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (url, r.text[:300])
            rows = [o for o in r.json()["offices"] if o["code"] == self.office.code]
            assert len(rows) == 1, (url, rows)
            return rows[0]

        return self._once("national", url, fetch)

    def national_page(self, url: str) -> list[dict[str, Any]]:
        """The national and province page, read by the directorate: the figures of this
        office's row (marked data-office)."""

        def fetch() -> list[dict[str, Any]]:
            self.client.cookies.clear()
            for k, v in session_cookie(self.app, self._national_user()).items():
                self.client.cookies.set(k, v)
            r = self.client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[-500:])
            parser = _FigureParser()
            parser.feed(r.text)
            return [e for e in parser.found if e.get("data-office") == self.office.code]

        return self._once("national_page", url, fetch)

    def report(self, url: str) -> dict[str, list[list[Any]]]:
        """An xlsx download from the page route, as sheet -> rows of cell values."""

        def fetch() -> dict[str, list[list[Any]]]:
            self.client.cookies.clear()
            for k, v in session_cookie(self.app, self.office.user).items():
                self.client.cookies.set(k, v)
            r = self.client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[-500:])
            book = load_workbook(io.BytesIO(r.content), read_only=True)
            return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}

        return self._once("report", url, fetch)


def _elements(found: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in found if e["data-figure"] == name]


def _one(found: list[dict[str, Any]], name: str) -> dict[str, Any]:
    els = _elements(found, name)
    values = {json.dumps({k: v for k, v in e.items() if k.startswith("data-")}) for e in els}
    assert els and len(values) == 1, (name, els)  # shown once, or the same each time
    return els[0]


def _cells(sheet: list[list[Any]]) -> dict[Any, list[Any]]:
    """A sheet's rows by their first cell."""
    return {row[0]: row[1:] for row in sheet if row and row[0] is not None}


def _int(text: str) -> int:
    return int(text)


# --- each figure: normalise what a surface shows --------------------------------------------


def cover(c: dict[str, Any]) -> tuple[int, int, bool]:
    return (int(c["p50"]), int(c["p90"]), bool(c["beyond_horizon"]))


def cover_el(found: list[dict[str, Any]]) -> tuple[int, int, bool]:
    e = _one(found, "days_of_cover")
    more = "> " if e["data-beyond"] == "1" else ""
    assert e["text"].strip().startswith(f"{more}{num(int(e['data-p50']))} hari"), e
    return (_int(e["data-p50"]), _int(e["data-p90"]), e["data-beyond"] == "1")


def cover_cells(sheets: dict[str, list[list[Any]]]) -> tuple[int, int, bool]:
    rows = _cells(sheets["Keadaan persediaan"])
    p50, unit50 = rows["Cukup untuk (median)"][:2]
    p90, unit90 = rows["Cukup untuk (keyakinan 90 %)"][:2]
    assert unit50 == unit90
    return (int(p50), int(p90), "atau lebih" in unit50)


def reasons(rq: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["reason"], int(r["quantity"])) for r in rq["reasons"]]


def reasons_cells(sheets: dict[str, list[list[Any]]]) -> list[tuple[str, int]]:
    rows = sheets["Dasar perhitungan"]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Uraian") + 1
    out = []
    for r in rows[start:]:
        if not r or r[0] in (None, "Jumlah yang dimohon") or r[0] == HEAD_ROW:
            break
        out.append((r[0], int(r[1])))
    return out


HEAD_ROW = "Ditetapkan kepala dinas"


def extra(x: dict[str, Any]) -> tuple[int, int, int]:
    return (int(x["low"]), int(x["expected"]), int(x["high"]))


def extra_el(found: list[dict[str, Any]], event_id: int, key: str) -> tuple[int, int, int]:
    els = [
        e
        for e in _elements(found, "event_extra")
        if e["data-event"] == str(event_id) and e["data-key"] == key
    ]
    assert els, (event_id, key)
    got = {(_int(e["data-low"]), _int(e["data-value"]), _int(e["data-high"])) for e in els}
    assert len(got) == 1, got
    for e in els:
        assert num(int(e["data-value"])) in e["text"], e
    return got.pop()


def per_day(x: dict[str, Any]) -> tuple[Any, ...]:
    p, w = x["per_day_in_window"], x["window"]
    return (
        p["recordings"]["expected"] if p["recordings"] else None,
        w["open_days"]["perekaman"],
        p["blanks"]["expected"] if p["blanks"] else None,
        w["open_days"]["pencetakan"],
    )


def per_day_el(found: list[dict[str, Any]], event_id: int) -> tuple[Any, ...]:
    out: list[Any] = []
    for key in ("recordings", "blanks"):
        (e,) = [
            e
            for e in _elements(found, "event_per_day")
            if e["data-event"] == str(event_id) and e["data-key"] == key
        ]
        value = float(e["data-value"]) if e["data-value"] else None
        if value is not None:
            assert f"{num(value)} per hari" in e["text"], e
            assert f"({num(int(e['data-open-days']))} hari buka)" in e["text"], e
        out += [value, int(e["data-open-days"])]
    return tuple(out)


def ready(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        bool(r["ready"]),
        int(r["need"]),
        int(r["shortfall"]),
        tuple(m.get("desk", m["kind"]) for m in r["missing"]),
    )


def ready_el(found: list[dict[str, Any]]) -> tuple[Any, ...]:
    e = _one(found, "readiness")
    ok = e["data-ready"] == "1"
    text = e["text"]
    assert ("Belum siap" not in text) == ok, text
    missing = tuple(d for d in ("perekaman", "pencetakan") if f"{d.capitalize()} tutup" in text)
    if "kurang" in text.split("pemakaian biasa")[0]:
        missing += ("shortfall",)
    return (ok, _int(e["data-need"]), _int(e["data-shortfall"]), missing)


def on_hand_el(found: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in _elements(found, "on_hand"):
        loc = e["data-location"] or "*"
        assert e["text"].strip() == num(int(e["data-value"])), e
        assert out.get(loc, int(e["data-value"])) == int(e["data-value"]), (loc, e)
        out[loc] = int(e["data-value"])
    return out


def on_hand(b: dict[str, Any], *, total: bool = True, rows: bool = True) -> dict[str, int]:
    out = {k: int(v) for k, v in b["by_location"].items()} if rows else {}
    if total:
        out["*"] = int(b["on_hand"])
    return out


def variances(rows: list[dict[str, Any]]) -> dict[int, int]:
    return {int(c["count_id"]): int(c["variance"]) for c in rows}


def variances_el(found: list[dict[str, Any]]) -> dict[int, int]:
    return {int(e["data-count"]): int(e["data-value"]) for e in _elements(found, "open_variance")}


def backlog_el(found: list[dict[str, Any]]) -> dict[str, int]:
    out = {}
    for e in _elements(found, "backlog"):
        assert e["text"].strip() == num(int(e["data-value"])), e
        out[e["data-key"]] = int(e["data-value"])
    return out


def backlog_cells(sheets: dict[str, list[list[Any]]]) -> dict[str, int]:
    rows = _cells(sheets["Keadaan persediaan"])
    return {"to_print": int(rows[QUEUE_ROW][0]), "registry_prr": int(rows[PRR_ROW][0])}


QUEUE_ROW = "Antrean cetak (permohonan siap cetak)"
PRR_ROW = "Penduduk PRR di registri (sudah rekam, belum dicetak)"


def worklist_rows(sheets: dict[str, list[list[Any]]]) -> int:
    """The residents listed in the work list's export, once each; its summary says as many."""
    rows = [r for r in sheets["Penduduk"] if r and isinstance(r[0], int)]
    niks = [r[4] for r in rows]  # No., kecamatan, desa, nama, NIK (the head sees names)
    assert len(set(niks)) == len(niks), "a resident listed twice"
    assert _cells(sheets["Ringkasan"])["Penduduk dalam daftar (jiwa)"][0] == len(rows)
    return len(rows)


def queue_reason(rq: dict[str, Any]) -> dict[str, int]:
    """The forecast's reason "Antrean cetak" is the backlog's applications recorded and
    print-ready (when the queue's first open days fall inside the request's window, which
    they do: it is printed first)."""
    q = [int(r["quantity"]) for r in rq["reasons"] if r["reason"] == forecast.QUEUE_REASON]
    return {"queue": q[0] if q else 0}


def prr_reason(rq: dict[str, Any]) -> dict[str, int]:
    """The forecast's reason for the registry PRR coming in names the backlog's registry_prr
    ("... (dari 1.936 menunggu kartu)"); there is no such reason without registry PRR. Its
    quantity is the backlog part of `demand_parts` inside the request's window."""
    found = [r["reason"] for r in rq["reasons"] if r["reason"].startswith(forecast.PRR_REASON)]
    if not found:
        return {"registry_prr": 0}
    m = re.fullmatch(r".* \(dari ([\d.]+) menunggu kartu\)", found[0])
    assert m, found
    return {"registry_prr": int(m.group(1).replace(".", ""))}


def parts_backlog(fc: dict[str, Any]) -> dict[str, int]:
    """What the forecast's demand parts started from: the registry PRR and the queue; and
    each part's share of the request is its reason's quantity."""
    reasons = {r["reason"]: int(r["quantity"]) for r in fc["recommended_request"]["reasons"]}
    for part in fc["demand_parts"]["parts"]:
        if part["in_request"] is not None and part["part"] != "events":
            assert reasons.get(part["label"], 0) == part["in_request"], part
    b = fc["demand_parts"]["backlog"]
    return {"registry_prr": b["registry_prr"], "queue": b["queue"]}


def registry_age(a: dict[str, Any]) -> tuple[str | None, int | None, bool]:
    day = a["last_import"]
    return (str(day) if day is not None else None, a["age_days"], bool(a["stale"]))


def registry_age_el(found: list[dict[str, Any]]) -> tuple[str | None, int | None, bool]:
    e = _one(found, "registry_age")
    text = " ".join(e["text"].split())
    if e["data-date"]:
        assert text.startswith(f"Registri diimpor {tanggal(e['data-date'])} ("), e
    else:
        assert text.startswith("Belum ada impor registri tercatat"), e
    stale = e["data-stale"] == "1"
    assert ("impor ekspor SIAK terbaru" in text) == stale, e
    return (e["data-date"] or None, int(e["data-age"]) if e["data-age"] else None, stale)


def amc(c: dict[str, Any]) -> tuple[float, float | None]:
    return (float(c["average_monthly_consumption"]), c["months_of_stock"])


def amc_el(found: list[dict[str, Any]]) -> tuple[float, float | None]:
    e = _one(found, "amc")
    months = float(e["data-months"]) if e["data-months"] else None
    return (float(e["data-value"]), months)


def level_el(found: list[dict[str, Any]]) -> str:
    return str(_one(found, "stock_level")["data-value"])


def stockout_el(found: list[dict[str, Any]]) -> float:
    return round(float(_one(found, "stockout_probability")["data-value"]), 4)


def ration_cover(fc: dict[str, Any]) -> tuple[int, int, int] | None:
    p = fc["rationing"]["policy"]
    if p is None:
        return None
    c = p["days_of_cover"]
    return (c["without"]["p50"], c["with"]["p50"], c["saved_p50"])


def ration_cover_el(found: list[dict[str, Any]]) -> tuple[int, int, int] | None:
    if not _elements(found, "rationing_cover"):
        return None
    e = _one(found, "rationing_cover")
    return (_int(e["data-without"]), _int(e["data-with"]), _int(e["data-saved"]))


def ration_waits(fc: dict[str, Any]) -> list[tuple[str, float | None]] | None:
    p = fc["rationing"]["policy"]
    if p is None:
        return None
    return [(w["class"], w["mean_wait_days"]) for w in p["waits"]]


def ration_waits_el(found: list[dict[str, Any]]) -> list[tuple[str, float | None]] | None:
    if not _elements(found, "rationing_waits"):
        return None
    pairs = [x.split(":") for x in _one(found, "rationing_waits")["data-value"].split(";")]
    return [(k, float(v) if v else None) for k, v in pairs]


def request_el(found: list[dict[str, Any]]) -> int:
    e = _one(found, "recommended_request")
    assert e["text"].strip() == num(int(e["data-value"])), e
    return int(e["data-value"])


def coverage_el(found: list[dict[str, Any]]) -> float | None:
    e = _one(found, "coverage")
    return float(e["data-value"]) if e["data-value"] else None


def open_loans(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """An office's open loans as compared: id, lender, borrower, outstanding, due, overdue."""
    return [
        (x["id"], x["lender"], x["borrower"], x["outstanding"], x["due_date"], x["overdue"])
        for x in rows
    ]


def open_loans_el(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            int(e["data-loan"]),
            e["data-lender"],
            e["data-borrower"],
            int(e["data-outstanding"]),
            e["data-due"],
            e["data-overdue"] == "1",
        )
        for e in _elements(found, "open_loan")
    ]


def event_of(fc: dict[str, Any], event_id: int | None) -> dict[str, Any] | None:
    return next((e for e in fc["events"] if e["id"] == event_id), None)


# --- THE table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    kind: str  # api | cli | page | report | national (API) | national_page
    where: str  # URL or CLI arguments; {event} is the office's event id
    read: Callable[[Any, Office], Any]  # from the surface's answer to the figure's value
    templates: tuple[str, ...] = ()  # page surfaces: the templates that render the figure
    # What of the figure this surface shows (default: all of it).
    project: Callable[[Any], Any] = lambda v: v
    when: Callable[[Office], bool] = lambda o: True  # only offices where it is shown


@dataclass(frozen=True)
class Figure:
    name: str
    function: str  # THE function that computes it, as module.function
    truth: Callable[[Any, Office], Any]  # its value, from that function
    surfaces: tuple[Surface, ...]
    when: Callable[[Office], bool] = lambda o: True


def _fc(ctx: Any, o: Office) -> dict[str, Any]:
    # A fresh computation, not the cache every surface reads: the figures agree because
    # they come from one seeded function, not because of the cache.
    return forecast.forecast(ctx, office=o.code)


def _has_event(o: Office) -> bool:
    return o.event_id is not None


def _in_horizon(o: Office) -> bool:
    """The event lies inside the forecast's horizon: the forecast (and so every surface that
    reads it) sees the event."""
    return o.event_id is not None and (o.plan.event_in_days or 0) < forecast.DEFAULT_HORIZON


def _event_page(o: Office) -> str:
    return f"/agenda/acara/{o.event_id}"


REQUEST_XLSX = "/laporan/kantor/request?fmt=xlsx&quantity=1&reason=uji+konsistensi"
# The national and province view (issue 14), read by a head of the directorate.
NATIONAL_API = "/api/v1/national"
PROVINCE_API = "/api/v1/provinces/{province}"
PROVINCE_PAGE = "/provinsi/{province}"
DASH = ("dashboard.html", "_dashboard_outlook.html")
EVENT_PAGE = "/agenda/acara/{event}"

FIGURES: tuple[Figure, ...] = (
    Figure(
        "rationing_cover",
        "blangko.domain.rationing.served_paths",
        lambda ctx, o: ration_cover(_fc(ctx, o)),
        (
            Surface("api", "/api/v1/forecast", lambda j, o: ration_cover(j)),
            Surface("cli", "forecast", lambda j, o: ration_cover(j)),
            Surface("page", "/penjatahan", lambda p, o: ration_cover_el(p), ("rationing.html",)),
            Surface("page", "/", lambda p, o: ration_cover_el(p), ("_dashboard_outlook.html",)),
        ),
    ),
    Figure(
        "rationing_waits",
        "blangko.domain.rationing.class_waits",
        lambda ctx, o: ration_waits(_fc(ctx, o)),
        (
            Surface("api", "/api/v1/forecast", lambda j, o: ration_waits(j)),
            Surface("cli", "forecast", lambda j, o: ration_waits(j)),
            Surface("page", "/penjatahan", lambda p, o: ration_waits_el(p), ("rationing.html",)),
            Surface("page", "/", lambda p, o: ration_waits_el(p), ("_dashboard_outlook.html",)),
        ),
    ),
    Figure(
        "days_of_cover",
        "blangko.domain.stock_policy.days_of_cover",
        lambda ctx, o: cover(_fc(ctx, o)["days_of_cover"]),
        (
            Surface("api", "/api/v1/forecast", lambda j, o: cover(j["days_of_cover"])),
            Surface("cli", "status", lambda j, o: cover(j["stock"]["days_of_cover"])),
            Surface("cli", "forecast", lambda j, o: cover(j["days_of_cover"])),
            Surface("page", "/", lambda p, o: cover_el(p), ("dashboard.html",)),
            Surface("page", "/stok", lambda p, o: cover_el(p), ("stock.html",)),
            Surface(
                "page", "/laporan/permohonan", lambda p, o: cover_el(p), ("reports_request.html",)
            ),
            Surface("report", REQUEST_XLSX, lambda x, o: cover_cells(x)),
            # The national and province view, from the office's snapshot (issue 14).
            Surface("national", NATIONAL_API, lambda j, o: cover(j["days_of_cover"])),
            Surface("national", PROVINCE_API, lambda j, o: cover(j["days_of_cover"])),
            Surface(
                "national_page", "/nasional", lambda p, o: cover_el(p), ("_national_view.html",)
            ),
            Surface(
                "national_page", PROVINCE_PAGE, lambda p, o: cover_el(p), ("_national_view.html",)
            ),
        ),
    ),
    Figure(
        "stockout_probability",
        "blangko.domain.stock_policy.stockout_probability",
        lambda ctx, o: round(_fc(ctx, o)["stockout_probability_before_next_delivery"], 4),
        (
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: j["stockout_probability_before_next_delivery"],
            ),
            Surface("cli", "forecast", lambda j, o: j["stockout_probability_before_next_delivery"]),
            Surface("page", "/", lambda p, o: stockout_el(p), ("_dashboard_outlook.html",)),
            Surface("page", "/penjatahan", lambda p, o: stockout_el(p), ("rationing.html",)),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: stockout_el(p),
                ("reports_request.html",),
            ),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: round(
                    float(
                        _cells(x["Keadaan persediaan"])[
                            "Peluang kehabisan stok sebelum kiriman tiba"
                        ][0]
                    ),
                    4,
                ),
            ),
            Surface("national", NATIONAL_API, lambda j, o: j["stockout_probability"]),
            Surface("national", PROVINCE_API, lambda j, o: j["stockout_probability"]),
            Surface(
                "national_page", "/nasional", lambda p, o: stockout_el(p), ("_national_view.html",)
            ),
            Surface(
                "national_page",
                PROVINCE_PAGE,
                lambda p, o: stockout_el(p),
                ("_national_view.html",),
            ),
        ),
    ),
    Figure(
        "recommended_request",
        "blangko.domain.stock_policy.recommend",
        lambda ctx, o: _fc(ctx, o)["recommended_request"]["quantity"],
        (
            Surface("api", "/api/v1/forecast", lambda j, o: j["recommended_request"]["quantity"]),
            Surface("cli", "forecast", lambda j, o: j["recommended_request"]["quantity"]),
            Surface("page", "/", lambda p, o: request_el(p), ("_dashboard_outlook.html",)),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: request_el(p),
                ("reports_request.html",),
            ),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: _cells(x["Keadaan persediaan"])["Usulan permintaan menurut perkiraan"][
                    0
                ],
            ),
        ),
    ),
    Figure(
        "request_reasons",
        "blangko.services.forecast._reasons",
        lambda ctx, o: reasons(_fc(ctx, o)["recommended_request"]),
        (
            Surface("api", "/api/v1/forecast", lambda j, o: reasons(j["recommended_request"])),
            Surface("cli", "forecast", lambda j, o: reasons(j["recommended_request"])),
            Surface("page", "/", lambda p, o: reasons_el(p), ("_dashboard_outlook.html",)),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: reasons_el(p),
                ("reports_request.html",),
            ),
            Surface("report", REQUEST_XLSX, lambda x, o: reasons_cells(x)),
        ),
    ),
    Figure(
        "event_extra",
        "blangko.services.calendar.events.extra_demand",
        lambda ctx, o: {
            k: extra(events.impact(ctx, o.event_id, office=o.code)["expected_extra"][k])
            for k in ("blanks", "recordings")
        },
        (
            Surface(
                "api",
                "/api/v1/events/{event}/impact",
                lambda j, o: {k: extra(j["expected_extra"][k]) for k in ("blanks", "recordings")},
            ),
            Surface(
                "cli",
                "event impact {event}",
                lambda j, o: {k: extra(j["expected_extra"][k]) for k in ("blanks", "recordings")},
            ),
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: {
                    k: extra(event_of(j, o.event_id)[k])  # type: ignore[index]
                    for k in ("blanks", "recordings")
                },
                when=_in_horizon,
            ),
            Surface(
                "cli",
                "forecast",
                lambda j, o: {
                    k: extra(event_of(j, o.event_id)[k])  # type: ignore[index]
                    for k in ("blanks", "recordings")
                },
                when=_in_horizon,
            ),
            Surface(
                "page",
                EVENT_PAGE,
                lambda p, o: {k: extra_el(p, o.event_id, k) for k in ("blanks", "recordings")},  # type: ignore[arg-type]
                ("calendar_event.html",),
            ),
            Surface(
                "page",
                "/",
                lambda p, o: extra_el(p, o.event_id, "blanks"),  # type: ignore[arg-type]
                ("_dashboard_outlook.html",),
                project=lambda v: v["blanks"],
                when=_in_horizon,
            ),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: extra_el(p, o.event_id, "blanks"),  # type: ignore[arg-type]
                ("reports_request.html",),
                project=lambda v: v["blanks"],
                when=_in_horizon,
            ),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: tuple(
                    next(r for r in x["Acara"] if r and r[0] == "Pilkades serentak" + _suffix(o))[
                        2:5
                    ]
                ),
                project=lambda v: v["blanks"],
                when=_in_horizon,
            ),
            # The request's reason for the event is its expected extra blanks (all of it when
            # the event falls inside the request's window).
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: next(
                    (
                        int(r["quantity"])
                        for r in j["recommended_request"]["reasons"]
                        if r["reason"].startswith("Pilkades serentak")
                    ),
                    0,
                ),
                project=lambda v: v["blanks"][1],
                when=lambda o: (o.plan.event_in_days or 999) <= 40,
            ),
        ),
        when=_has_event,
    ),
    Figure(
        "event_per_day",
        "blangko.services.calendar.events.per_day",
        lambda ctx, o: per_day(events.impact(ctx, o.event_id, office=o.code)["expected_extra"]),
        (
            Surface(
                "api", "/api/v1/events/{event}/impact", lambda j, o: per_day(j["expected_extra"])
            ),
            Surface("cli", "event impact {event}", lambda j, o: per_day(j["expected_extra"])),
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: per_day(event_of(j, o.event_id)),  # type: ignore[arg-type]
                when=_in_horizon,
            ),
            Surface(
                "page",
                EVENT_PAGE,
                lambda p, o: per_day_el(p, o.event_id),  # type: ignore[arg-type]
                ("calendar_event.html",),
            ),
        ),
        when=_has_event,
    ),
    Figure(
        "readiness",
        "blangko.domain.stock_policy.event_readiness",
        lambda ctx, o: ready(event_of(_fc(ctx, o), o.event_id)["readiness"]),  # type: ignore[index]
        (
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: ready(event_of(j, o.event_id)["readiness"]),  # type: ignore[index]
            ),
            Surface(
                "cli",
                "forecast",
                lambda j, o: ready(event_of(j, o.event_id)["readiness"]),  # type: ignore[index]
            ),
            Surface("page", "/", lambda p, o: ready_el(p), ("_dashboard_outlook.html",)),
            Surface("page", EVENT_PAGE, lambda p, o: ready_el(p), ("calendar_event.html",)),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: ready_el(p),
                ("reports_request.html",),
            ),
        ),
        when=_in_horizon,
    ),
    Figure(
        "on_hand",
        "blangko.services.stock.queries.balance",
        lambda ctx, o: on_hand(queries.balance(ctx, office=o.code)),
        (
            Surface("api", "/api/v1/stock/balance", lambda j, o: on_hand(j)),
            Surface("cli", "stock balance", lambda j, o: on_hand(j)),
            Surface("page", "/", lambda p, o: on_hand_el(p), ("dashboard.html",)),
            Surface("page", "/stok", lambda p, o: on_hand_el(p), ("stock.html",)),
            Surface(
                "page",
                "/laporan/permohonan",
                lambda p, o: on_hand_el(p),
                ("reports_request.html",),
                project=lambda v: {"*": v["*"]},
            ),
            Surface(
                "cli",
                "status",
                lambda j, o: {"*": j["stock"]["on_hand"]},
                project=lambda v: {"*": v["*"]},
            ),
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: {"*": j["on_hand"]},
                project=lambda v: {"*": v["*"]},
            ),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: {"*": _cells(x["Keadaan persediaan"])["Persediaan di tangan"][0]},
                project=lambda v: {"*": v["*"]},
            ),
            Surface("national", NATIONAL_API, lambda j, o: on_hand(j)),
            Surface("national", PROVINCE_API, lambda j, o: on_hand(j)),
            Surface(
                "national_page",
                "/nasional",
                lambda p, o: on_hand_el(p),
                ("_national_view.html",),
                project=lambda v: {"*": v["*"]},
            ),
            Surface(
                "national_page",
                PROVINCE_PAGE,
                lambda p, o: on_hand_el(p),
                ("_national_view.html",),
                project=lambda v: {"*": v["*"]},
            ),
        ),
    ),
    Figure(
        "open_variance",
        "blangko.services.stock.counts.list_counts",
        lambda ctx, o: variances(counts.list_counts(ctx, office=o.code, status="open")),
        (
            Surface("api", "/api/v1/stock/counts?status=open", lambda j, o: variances(j["items"])),
            Surface("cli", "stock counts --status open", lambda j, o: variances(j)),
            Surface("page", "/", lambda p, o: variances_el(p), ("dashboard.html",)),
            Surface("page", "/stok", lambda p, o: variances_el(p), ("stock.html",)),
        ),
    ),
    Figure(
        "coverage",
        "blangko.services.coverage.areas.rollup",
        lambda ctx, o: areas.coverage(ctx, by="kabupaten", office=o.code)["coverage_pct"],
        (
            Surface("api", "/api/v1/coverage?by=kabupaten", lambda j, o: j["coverage_pct"]),
            Surface("cli", "coverage --by kabupaten", lambda j, o: j["coverage_pct"]),
            Surface("page", "/", lambda p, o: coverage_el(p), ("_dashboard_outlook.html",)),
            Surface("page", "/cakupan", lambda p, o: coverage_el(p), ("coverage.html",)),
            Surface(
                "report",
                "/laporan/kantor/coverage?fmt=xlsx",
                lambda x, o: _cells(x["Ringkasan"])["Cakupan"][0],
                # The recap stores the fraction (95,2 % -> 0.952); no figure is "-".
                project=lambda v: "-" if v is None else round(v / 100, 4),
            ),
            Surface("national", NATIONAL_API, lambda j, o: j["coverage"]["coverage_pct"]),
            Surface("national", PROVINCE_API, lambda j, o: j["coverage"]["coverage_pct"]),
            Surface(
                "national_page", "/nasional", lambda p, o: coverage_el(p), ("_national_view.html",)
            ),
            Surface(
                "national_page",
                PROVINCE_PAGE,
                lambda p, o: coverage_el(p),
                ("_national_view.html",),
            ),
        ),
    ),
    Figure(
        "backlog",
        "blangko.services.applications.backlog_of",
        lambda ctx, o: applications.backlog(ctx, office=o.code),
        (
            Surface("cli", "status", lambda j, o: j["backlog"]),
            Surface("api", "/api/v1/forecast", lambda j, o: j["backlog"]),
            Surface("cli", "forecast", lambda j, o: j["backlog"]),
            Surface("page", "/", lambda p, o: backlog_el(p), ("dashboard.html",)),
            Surface(
                "page",
                "/layanan",
                lambda p, o: backlog_el(p),
                ("applications.html",),
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            # The work list: its figure, and its length (one row per resident of the backlog)
            # in the API, the CLI and the export.
            Surface(
                "page",
                "/layanan/prr",
                lambda p, o: backlog_el(p),
                ("applications_prr.html",),
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            Surface("api", "/api/v1/backlog", lambda j, o: j["backlog"]),
            Surface(
                "api",
                "/api/v1/backlog",
                lambda j, o: {"print_backlog": j["total"]},
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            Surface(
                "cli",
                "app prr --limit 0",
                lambda j, o: {"print_backlog": len(j["items"])},
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            Surface(
                "report",
                "/layanan/prr/unduh?fmt=xlsx",
                lambda x, o: {"print_backlog": worklist_rows(x)},
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: queue_reason(j["recommended_request"]),
                project=lambda v: {"queue": v["recorded"] + v["to_print"]},
            ),
            Surface(
                "cli",
                "forecast",
                lambda j, o: prr_reason(j["recommended_request"]),
                project=lambda v: {"registry_prr": v["registry_prr"]},
            ),
            Surface(
                "api",
                "/api/v1/forecast",
                lambda j, o: parts_backlog(j),
                project=lambda v: {
                    "registry_prr": v["registry_prr"],
                    "queue": v["recorded"] + v["to_print"],
                },
            ),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: backlog_cells(x),
                project=lambda v: {"to_print": v["to_print"], "registry_prr": v["registry_prr"]},
            ),
            Surface("national", NATIONAL_API, lambda j, o: j["backlog"]),
            Surface("national", PROVINCE_API, lambda j, o: j["backlog"]),
            Surface(
                "national_page",
                "/nasional",
                lambda p, o: backlog_el(p),
                ("_national_view.html",),
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
            Surface(
                "national_page",
                PROVINCE_PAGE,
                lambda p, o: backlog_el(p),
                ("_national_view.html",),
                project=lambda v: {"print_backlog": v["print_backlog"]},
            ),
        ),
    ),
    Figure(
        "registry_age",
        "blangko.services.registry.registry_age",
        lambda ctx, o: registry_age(dict(registry.registry_age(ctx, office=o.code))),
        (
            Surface("cli", "residents status", lambda j, o: registry_age(j["age"])),
            Surface("page", "/", lambda p, o: registry_age_el(p), ("dashboard.html",)),
            Surface("page", "/cakupan", lambda p, o: registry_age_el(p), ("coverage.html",)),
            Surface("page", "/layanan", lambda p, o: registry_age_el(p), ("applications.html",)),
            Surface(
                "page", "/layanan/prr", lambda p, o: registry_age_el(p), ("applications_prr.html",)
            ),
        ),
    ),
    Figure(
        "stock_level",
        "blangko.domain.stock_policy.stock_level",
        lambda ctx, o: figures.status(ctx, office=o.code)["stock"]["level"],
        (
            Surface("cli", "status", lambda j, o: j["stock"]["level"]),
            Surface("api", "/api/v1/status?office={office}", lambda j, o: j["stock_level"]),
            Surface("page", "/", lambda p, o: level_el(p), ("dashboard.html",)),
            Surface("page", "/stok", lambda p, o: level_el(p), ("stock.html",)),
            Surface(
                "page", "/status?office={office}", lambda p, o: level_el(p), ("public_status.html",)
            ),
            Surface("national", NATIONAL_API, lambda j, o: j["level"]),
            Surface("national", PROVINCE_API, lambda j, o: j["level"]),
            Surface(
                "national_page", "/nasional", lambda p, o: level_el(p), ("_national_view.html",)
            ),
            Surface(
                "national_page", PROVINCE_PAGE, lambda p, o: level_el(p), ("_national_view.html",)
            ),
        ),
    ),
    Figure(
        "amc",
        "blangko.services.forecast._amc",
        lambda ctx, o: amc(_fc(ctx, o)["comparison"]),
        (
            Surface("api", "/api/v1/forecast", lambda j, o: amc(j["comparison"])),
            Surface("cli", "status", lambda j, o: amc(j["stock"]["comparison"])),
            Surface("cli", "forecast", lambda j, o: amc(j["comparison"])),
            Surface("page", "/", lambda p, o: amc_el(p), ("dashboard.html",)),
            Surface("page", "/stok", lambda p, o: amc_el(p), ("stock.html",)),
            Surface(
                "report",
                REQUEST_XLSX,
                lambda x, o: _cells(x["Keadaan persediaan"])[
                    "Rata-rata pemakaian bulanan (gaya OpenLMIS)"
                ][0],
                # Whole blanks in the sheet.
                project=lambda v: round(v[0]),
            ),
        ),
    ),
    Figure(
        "ikd_coverage",
        "blangko.services.coverage.ikd.read_coverage",
        lambda ctx, o: ikd_cov(_ikd_fresh(ctx, o)[0]),
        (
            Surface("api", "/api/v1/ikd", lambda j, o: ikd_cov(j["coverage"])),
            Surface("api", "/api/v1/ikd?by=desa", lambda j, o: ikd_cov(j["coverage"])),
            Surface("cli", "coverage ikd", lambda j, o: ikd_cov(j["coverage"])),
            Surface("page", "/", lambda p, o: ikd_cov_el(p), ("_dashboard_outlook.html",)),
            Surface("page", "/cakupan", lambda p, o: ikd_cov_el(p), ("coverage.html",)),
            Surface(
                "report",
                "/laporan/kantor/coverage?fmt=xlsx",
                lambda x, o: (
                    _cells(x["Ringkasan"])["Cakupan IKD"][0],
                    _cells(x["Ringkasan"])["Aktivasi IKD (jiwa wajib KTP)"][0],
                ),
                project=lambda v: ("-" if v[0] is None else round(v[0] / 100, 4), v[1]),
            ),
        ),
    ),
    Figure(
        "ikd_ratio",
        "blangko.services.coverage.ikd.read_ratio",
        lambda ctx, o: ikd_ratio(_ikd_fresh(ctx, o)[1]),
        (
            Surface("api", "/api/v1/ikd", lambda j, o: ikd_ratio(j["ratio"])),
            Surface("cli", "coverage ikd", lambda j, o: ikd_ratio(j["ratio"])),
            Surface("page", "/", lambda p, o: ikd_ratio_el(p), ("_dashboard_outlook.html",)),
            Surface("page", "/cakupan", lambda p, o: ikd_ratio_el(p), ("coverage.html",)),
            Surface(
                "report",
                "/laporan/kantor/coverage?fmt=xlsx",
                lambda x, o: ikd_ratio_cells(x),
                project=lambda v: v[1:3],
            ),
        ),
    ),
    Figure(
        "old_cards",
        "blangko.services.handed_in.totals",
        lambda ctx, o: old_cards(handed_in.totals(ctx, office=o.code)),
        (
            Surface("api", "/api/v1/old-cards", lambda j, o: old_cards(j["totals"])),
            Surface("cli", "old-card list", lambda j, o: old_cards(j["totals"])),
            Surface("page", "/kartu-lama", lambda p, o: old_cards_el(p), ("handed_in.html",)),
            Surface(
                "report",
                "/kartu-lama/rekap?month=2026-11&fmt=xlsx",
                lambda x, o: _cells(x["Ringkasan"])["Tersimpan akhir bulan (keping)"][0],
                project=lambda v: v[2],
            ),
        ),
    ),
    Figure(
        # The office's open loans (lent or borrowed): its dashboard's "Pinjaman" and its
        # national and province rows, from its snapshot (issue 14, point 1).
        "open_loan",
        "blangko.services.network.loan_book.open_loans",
        lambda ctx, o: open_loans(loans.open_for(ctx, o.code)),
        (
            Surface("page", "/", lambda p, o: open_loans_el(p), ("_loans_open.html",)),
            Surface("national", NATIONAL_API, lambda j, o: open_loans(j["open_loans"])),
            Surface("national", PROVINCE_API, lambda j, o: open_loans(j["open_loans"])),
            Surface(
                "national_page",
                "/nasional",
                lambda p, o: open_loans_el(p),
                ("_national_view.html",),
            ),
            Surface(
                "national_page",
                PROVINCE_PAGE,
                lambda p, o: open_loans_el(p),
                ("_national_view.html",),
            ),
        ),
    ),
)


def _ikd_fresh(ctx: Any, o: Office) -> tuple[ikd.IkdCoverage, ikd.IkdRatio]:
    """The IKD figures computed now by their functions, not the stored ones every surface
    reads (as `_fc` for the forecast): today's, by kecamatan, the year to date."""
    with ctx.read() as conn:
        day = ctx.today()
        cov = ikd.read_coverage(ctx, conn, o.code, day, "kecamatan", ikd.target_pct(ctx))
        ratio = ikd.read_ratio(ctx, conn, o.code, *ikd.year_to_date(day))
    return cov, ratio


def ikd_cov(c: dict[str, Any]) -> tuple[float | None, int, int]:
    return (c["coverage_pct"], int(c["ikd"]), int(c["wajib_ktp"]))


def ikd_cov_el(found: list[dict[str, Any]]) -> tuple[float | None, int, int]:
    e = _one(found, "ikd_coverage")
    value = float(e["data-value"]) if e["data-value"] else None
    if value is not None:
        assert e["text"].strip().startswith(f"{num(value)} %"), e
    return (value, int(e["data-ikd"]), int(e["data-wajib"]))


def ikd_ratio(r: dict[str, Any]) -> tuple[float | None, int, int, bool | None]:
    return (r["ratio_pct"], int(r["activations"]), int(r["blanks_received"]), r["met"])


def ikd_ratio_el(found: list[dict[str, Any]]) -> tuple[float | None, int, int, bool | None]:
    e = _one(found, "ikd_ratio")
    value = float(e["data-value"]) if e["data-value"] else None
    met = None if e["data-met"] == "" else e["data-met"] == "1"
    assert f"{num(int(e['data-activations']))} aktivasi IKD" in e["text"], e
    return (value, int(e["data-activations"]), int(e["data-received"]), met)


def ikd_ratio_cells(sheets: dict[str, list[list[Any]]]) -> tuple[int, int]:
    row = next(r for r in sheets["Ringkasan"] if r and str(r[0]).startswith("Aktivasi IKD : "))
    m = re.match(r"([\d.]+) : ([\d.]+) =", str(row[1]))
    assert m, row
    return (int(m.group(1).replace(".", "")), int(m.group(2).replace(".", "")))


def old_cards(t: dict[str, Any]) -> tuple[int, int, int, bool]:
    return (int(t["received"]), int(t["destroyed"]), int(t["held"]), bool(t["reconciled"]))


def old_cards_el(found: list[dict[str, Any]]) -> tuple[int, int, int, bool]:
    e = _one(found, "old_cards")
    assert num(int(e["data-held"])) in e["text"], e
    return (
        int(e["data-received"]),
        int(e["data-destroyed"]),
        int(e["data-held"]),
        e["data-reconciled"] == "1",
    )


def _suffix(o: Office) -> str:
    return f" ({o.plan.event_villages} desa)"


# --- the check ---------------------------------------------------------------------------------


def _where(s: Surface, o: Office) -> str:
    return (
        s.where.replace("{event}", str(o.event_id))
        .replace("{office}", o.code)
        .replace("{province}", o.code.split(".", 1)[0])
    )


def check_office(surfaces: Surfaces) -> tuple[list[str], int]:
    """Every figure of the table on every surface, against its function: the differences,
    and how many (figure, surface) pairs were compared."""
    o, ctx = surfaces.office, surfaces.ctx
    wrong: list[str] = []
    checked = 0
    for fig in FIGURES:
        if not fig.when(o):
            continue
        want = fig.truth(ctx, o)
        for s in fig.surfaces:
            if not s.when(o):
                continue
            where = _where(s, o)
            answer = getattr(surfaces, s.kind)(where)
            got = s.read(answer, o)
            checked += 1
            if got != s.project(want):
                wrong.append(f"{fig.name} on {s.kind} {where}: {got!r} != {s.project(want)!r}")
    return wrong, checked


def _surfaces(ctx: Any, office: Office, monkeypatch: pytest.MonkeyPatch) -> Surfaces:
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    return Surfaces(ctx, TestClient(app), app, office, monkeypatch)


def reasons_el(found: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """The request's reasons on a page: the items of the macro's list (each list the same)."""
    items = _elements(found, "request_reason")
    lists = _elements(found, "request_reasons")
    assert lists, "no reasons on the page"
    seen = [(e["data-reason"], int(e["data-value"])) for e in items]
    n = len(seen) // len(lists)
    first = seen[:n]
    assert seen == first * len(lists), seen  # every list on the page the same
    for e in items[:n]:
        assert e["text"].strip() == f"{e['data-reason']}: {num(int(e['data-value']))}", e
    return first


# --- the tests ---------------------------------------------------------------------------------


def test_the_table_names_real_functions() -> None:
    for fig in FIGURES:
        module, _, name = fig.function.rpartition(".")
        assert callable(getattr(import_module(module), name)), fig.function
    assert len({f.name for f in FIGURES}) == len(FIGURES)
    required = {
        "days_of_cover",
        "stockout_probability",
        "recommended_request",
        "event_extra",
        "on_hand",
        "open_variance",
        "coverage",
        "backlog",
    }
    assert required <= {f.name for f in FIGURES}
    for fig in FIGURES:  # a figure of this table is on more than one surface
        assert len(fig.surfaces) >= 2, fig.name


# Which figure each macro of _figures.html renders.
MACRO_FIGURE = {
    "days_of_cover": "days_of_cover",
    "amc": "amc",
    "stock_level": "stock_level",
    "on_hand_total": "on_hand",
    "on_hand_rows": "on_hand",
    "open_variance": "open_variance",
    "backlog_rows": "backlog",
    "print_backlog": "backlog",
    "recommended_request": "recommended_request",
    "request_reasons": "request_reasons",
    "stockout": "stockout_probability",
    "coverage": "coverage",
    "event_extra": "event_extra",
    "event_per_day": "event_per_day",
    "readiness": "readiness",
    "registry_age": "registry_age",
    "rationing_cover": "rationing_cover",
    "rationing_waits": "rationing_waits",
    "ikd_coverage": "ikd_coverage",
    "ikd_ratio": "ikd_ratio",
    "old_cards": "old_cards",
    "open_loan": "open_loan",
}
# Fields of the figures a template may print only through a macro.
GUARDED_FIELDS = (
    "days_of_cover",
    "cover_days",
    "average_daily_use",
    "stockout_probability",
    "recommended_request",
    "expected_extra",
    "per_day_in_window",
    "readiness",
    "backlog",
    "average_monthly_consumption",
    "months_of_stock",
)


def test_every_page_figure_is_in_the_table() -> None:
    source = (TEMPLATES / "_figures.html").read_text(encoding="utf-8")
    macros = set(re.findall(r"{%\s*macro\s+(\w+)\(", source))
    assert macros == set(MACRO_FIGURE), macros ^ set(MACRO_FIGURE)
    assert set(MACRO_FIGURE.values()) <= {f.name for f in FIGURES}
    listed = {
        (f.name, template)
        for f in FIGURES
        for s in f.surfaces
        if s.kind in ("page", "national_page")
        for template in s.templates
    }
    used: set[tuple[str, str]] = set()
    problems: list[str] = []
    for path in sorted(TEMPLATES.glob("*.html")):
        if path.name == "_figures.html":
            continue
        text = path.read_text(encoding="utf-8")
        if "data-figure" in text:
            problems.append(f"{path.name}: writes data-figure itself; use a macro of _figures.html")
        for macro in re.findall(r"\bfig\.(\w+)\(", text):
            if macro not in MACRO_FIGURE:
                problems.append(f"{path.name}: fig.{macro} is no macro of _figures.html")
                continue
            used.add((MACRO_FIGURE[macro], path.name))
        for expr in re.findall(r"{{(.*?)}}", text, flags=re.S):
            if "fig." in expr:
                continue
            for name in GUARDED_FIELDS:
                if re.search(rf"\b{name}\b", expr):
                    problems.append(
                        f"{path.name}: prints {name} outside a figure macro: {{{{{expr.strip()}}}}}"
                    )
    for figure, template in sorted(used - listed):
        problems.append(
            f"{template} renders {figure} but is not a surface of {figure} in FIGURES: add it"
        )
    for figure, template in sorted(listed - used):
        problems.append(f"FIGURES lists {template} for {figure}, which it does not render")
    assert not problems, "\n".join(problems)


def test_the_demo_like_office_shows_one_figure_everywhere(ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The demo's story in miniature: months of use, a shipment, an open count of +700, print
    queue with a suket, a Pilkades in 5 days in 3 villages while recording is closed (PPKM)
    until further notice."""
    # With a rationing policy in force: its measure is a figure too (rationing_cover/waits).
    office = build(ctx, "17.04", Plan(rationing_cap=3))
    # And a loan: 5 blanks lent to Bengkulu Selatan, received there (open, outstanding 5).
    setup.create_office(ctx, code="17.01")
    n = loans.arrange(
        ctx, lender="17.04", borrower="17.01", quantity=5, reason="uji", due=ctx.today()
    )["loan"]["id"]
    sent = loans.send(ctx, loan=n, document="SP-UJI", office="17.04")["shipment"]
    assert sent is not None
    shipments.receive(ctx, shipment=sent["id"], document="BAST-UJI", office="17.01")
    assert open_loans(loans.open_for(ctx, "17.04")) == [
        (n, "17.04", "17.01", 5, str(ctx.today()), False)
    ]
    surfaces = _surfaces(ctx, office, monkeypatch)
    wrong, checked = check_office(surfaces)
    assert not wrong, "\n".join(wrong)
    assert checked == sum(len(f.surfaces) for f in FIGURES)  # every pair of the table
    # What the demo must show, besides agreeing: the readiness names the closed desk.
    fc = figures.forecast_for(ctx, "17.04")
    r = event_of(fc, office.event_id)["readiness"]  # type: ignore[index]
    assert r["ready"] is False and r["missing"][0]["desk"] == "perekaman"
    # The policy is measured (the rationing figures above compared real values, not None).
    assert fc["rationing"]["policy"]["daily_cap"] == 3


# Random histories: few examples per backend, each an office of its own in one database.
# BLANGKO_CONSISTENCY_EXAMPLES=n runs n per backend instead, to explore (at most about 500,
# the regency codes of one database; the offices are spread over the country either way).
EXAMPLES = {"sqlite": 8, "postgres": 5}
if os.environ.get("BLANGKO_CONSISTENCY_EXAMPLES"):
    EXAMPLES = dict.fromkeys(EXAMPLES, int(os.environ["BLANGKO_CONSISTENCY_EXAMPLES"]))

plans = st.builds(
    Plan,
    history_days=st.integers(30, 130),
    mean_use=st.sampled_from([0.5, 2.0, 6.0, 15.0]),
    opening=st.integers(200, 1500),
    receipt=st.sampled_from([0, 500, 3000]),
    at_station=st.integers(0, 100),
    unrecorded=st.integers(0, 120),
    recorded_not_printed=st.integers(0, 40),
    printed=st.integers(0, 60),
    to_print=st.integers(0, 8),
    suket=st.integers(0, 2),
    to_record=st.integers(0, 3),
    event_in_days=st.one_of(st.none(), st.integers(0, 150)),
    event_villages=st.integers(1, 3),
    recording_closed=st.sampled_from([None, "open", "ended"]),
    count_variance=st.one_of(st.none(), st.integers(-50, 50)),
    registry_import_days=st.one_of(st.none(), st.integers(0, 60)),
    rationing_cap=st.one_of(st.none(), st.integers(0, 20)),
    seed=st.integers(0, 1000),
    old_cards=st.integers(0, 4),
    ikd=st.integers(0, 40),
)


def test_random_office_histories_show_one_figure_everywhere(ctx, db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    with ctx.read() as conn:
        regencies = conn.execute(
            select(t.region.c.code)
            .where(t.region.c.level == "kabupaten_kota", t.region.c.code != "17.04")
            .order_by(t.region.c.code)
        ).scalars()
        every = max(1, min(37, 500 // max(EXAMPLES.values())))
        codes = iter(list(regencies)[::every])  # spread over the country
    numbers = itertools.count(1)

    @settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: an office per example
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(plan=plans)
    def run(plan: Plan) -> None:
        n = next(numbers)
        code = next(codes)
        office = build(ctx, code, plan, prefix=f"F{n}K", user=f"kepala{n}")
        wrong, _ = check_office(_surfaces(ctx, office, monkeypatch))
        assert not wrong, "\n".join([repr(plan), *wrong])

    run()
