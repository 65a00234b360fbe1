"""The national and province view (issue 14, point 2): every office with its figures as
its latest snapshot has them (services/network/snapshots.py; never the registries),
sortable and filterable, at risk first, with a tile grid of provinces (or of the province's
offices) coloured by risk, drawn here as SVG from our own data; the API and the CSV/xlsx
export of the same rows. The directorate's users see the nation and every province, a
province's user its own province (another: not found), an office's user neither (not
found: its role may read the view, its scope holds none).

A view is computed once per snapshots' generation and kept (ViewCache, on the app): the
view itself (what the API returns, already as JSON), and the rendered figures of the page
per language (templates/_national_view.html, which reads nothing of the reader). The key is
the snapshots' generation (services.network.snapshots.version: it moves with every snapshot
saved, in any process), the number of offices, the day, the reader's reach (everything, or
one province) and the query as understood (province, risk, election, sort): a province's
user is never handed what the directorate's view computed, nor another province's, and a
view after new snapshots is computed again. The scope is checked on every request before
the cache is asked (services.network.snapshots.check_scope)."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from fastapi import Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response

from blangko.domain import national as dn
from blangko.domain import requests as request_rules
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none, parse_date
from blangko.services.network import organisation, snapshots
from blangko.services.network.national_results import NationalView, OfficeSnapshot
from blangko.web import i18n
from blangko.web.deps import (
    ERRORS,
    api_router,
    download,
    file_responses,
    lang_of,
    language_context,
    page_router,
    render,
    request_ctx,
)
from blangko.web.labels import LEVEL_LABELS

pages = page_router()
api = api_router()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MIMETYPES = {"csv": CSV, "xlsx": XLSX}
LEVEL_COLORS = {"habis": "#9b2c2c", "menipis": "#d9911a", "aman": "#3f7f2a", None: "#c8c8c8"}
SORT_LABELS = {
    "risk": N_("Risiko (berisiko dahulu)"),
    "code": N_("Kode"),
    "name": N_("Nama"),
    "cover": N_("Cukup untuk (hari)"),
    "stockout": N_("Peluang kehabisan"),
    "backlog": N_("Antrean cetak"),
    "coverage": N_("Cakupan"),
    "on_hand": N_("Stok"),
}
# A tile grid of Indonesia's provinces, west to east (column, row): Sumatra, Java and the
# Lesser Sunda islands, Kalimantan, Sulawesi, Maluku, Papua. A code not in it (a new
# province) is placed on the row below.
TILES: dict[str, tuple[int, int]] = {
    "11": (0, 0), "12": (1, 0), "21": (3, 0),
    "13": (1, 1), "14": (2, 1),
    "17": (1, 2), "15": (2, 2), "19": (3, 2),
    "16": (2, 3), "18": (2, 4),
    "31": (4, 4), "36": (3, 5), "32": (4, 5), "33": (5, 5), "34": (5, 6), "35": (6, 5),
    "51": (7, 6), "52": (8, 6), "53": (9, 6),
    "61": (5, 2), "62": (6, 2), "65": (7, 1), "64": (7, 2), "63": (7, 3),
    "75": (9, 1), "71": (10, 1), "72": (9, 2), "76": (8, 3), "73": (9, 3), "74": (10, 4),
    "82": (12, 1), "81": (12, 3),
    "96": (13, 2), "92": (14, 2), "91": (15, 1), "94": (14, 3), "95": (15, 2), "93": (15, 3),
}  # fmt: skip
TILE, GAP = 44, 4


def _reach(request: Request) -> organisation.Reach:
    who = request.state.principal
    return organisation.reach_of(who.scope if who.scoped else None, who.province)


# How many views a server process keeps, and for how long at most (a rename of an office or
# a province moves no generation: it shows within this time, or with the next snapshot).
CACHE_SIZE = 128
CACHE_SECONDS = 600.0


@dataclass
class CachedView:
    view: NationalView
    json: bytes | None = None  # the API's answer
    html: dict[str, str] = field(default_factory=dict)  # language -> the rendered figures


class ViewCache:
    """The views computed, by key (module docstring); least recently used out first."""

    def __init__(self, size: int = CACHE_SIZE, seconds: float = CACHE_SECONDS) -> None:
        self.size, self.seconds = size, seconds
        self._items: OrderedDict[tuple[Any, ...], tuple[float, CachedView]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...], compute: Callable[[], NationalView]) -> CachedView:
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[0] < self.seconds:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        # Computed outside the lock: two readers of a new view may both compute it (the same
        # result), but no reader waits for another scope's view.
        entry = CachedView(compute())
        with self._lock:
            self._items[key] = (now, entry)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return entry


def _cache(request: Request) -> ViewCache:
    cache: ViewCache | None = getattr(request.app.state, "national_cache", None)
    if cache is None:
        cache = request.app.state.national_cache = ViewCache()
    return cache


def _view(
    request: Request,
    *,
    province: str | None,
    risk: str | None,
    election: bool,
    sort: str | None,
    as_of: str | None,
    national: bool,
) -> CachedView:
    """The view for the query as sent (blank fields are no filter), from the cache."""
    province, risk, sort = blank_to_none(province), blank_to_none(risk), blank_to_none(sort)
    day_asked = _day(as_of)
    ctx, _office = request_ctx(request)
    reach = _reach(request)
    # The scope and the filters are checked on every request, cached or not.
    snapshots.check_scope(reach, national=national, province=province)
    order = snapshots.check_filters(risk, sort, province)
    day = day_asked or ctx.today()
    key = (
        snapshots.version(ctx),
        day.isoformat(),
        reach.everything,
        reach.province,
        national,
        province,
        risk,
        election,
        order,
    )
    return _cache(request).get(
        key,
        lambda: snapshots.view(
            ctx,
            reach=reach,
            province=province,
            risk=risk,
            election=election,
            sort=sort,
            as_of=day_asked,
            national=national,
        ),
    )


def tile_svg(tiles: Sequence[dict[str, Any]], title: str) -> str:
    """A grid of tiles, each a link coloured by its risk: ``tiles`` of {col, row, label,
    sub, level, href, name}. Fixed size (the page scrolls it sideways on a phone), so that
    its text is never shrunk below 12 px."""
    if not tiles:
        return ""
    cols = max(t["col"] for t in tiles) + 1
    rows = max(t["row"] for t in tiles) + 1
    w, h = cols * (TILE + GAP), rows * (TILE + GAP)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="group" aria-label="{escape(title)}" data-testid="tiles">'
    ]
    for t in tiles:
        x, y = t["col"] * (TILE + GAP), t["row"] * (TILE + GAP)
        fill = LEVEL_COLORS.get(t["level"], LEVEL_COLORS[None])
        ink = "#222222" if t["level"] is None else "#ffffff"
        out.append(
            f'<a href="{escape(t["href"])}" data-tile="{escape(t["label"])}" '
            f'data-level="{t["level"] or ""}"><title>{escape(t["name"])}</title>'
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}"/>'
            f'<text x="{x + TILE / 2}" y="{y + 19}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{ink}">{escape(t["label"])}</text>'
            f'<text x="{x + TILE / 2}" y="{y + 36}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{escape(t["sub"])}</text></a>'
        )
    out.append("</svg>")
    return "".join(out)


def province_tiles(v: NationalView, names: dict[str, str]) -> list[dict[str, Any]]:
    """Every province of the region data with offices in the view: at its place in TILES,
    coloured by its worst office; its offices at risk of all ("2/10")."""
    tiles = []
    extra = 0
    for p in v["provinces"]:
        col, row = TILES.get(p["code"], (-1, -1))
        if col < 0:
            col, row = extra % 16, 7 + extra // 16
            extra += 1
        at_risk = p["by_level"].get("habis", 0) + p["by_level"].get("menipis", 0)
        tiles.append(
            {
                "col": col,
                "row": row,
                "label": p["code"],
                "sub": f"{at_risk}/{p['offices']}",
                "level": p["level"],
                "href": f"/provinsi/{p['code']}",
                "name": names.get(p["code"], p["name"]),
            }
        )
    return tiles


def office_tiles(offices: Sequence[OfficeSnapshot]) -> list[dict[str, Any]]:
    """The province's offices by code, eight a row, coloured by their stock level."""
    ordered = sorted(offices, key=lambda o: o["code"])
    return [
        {
            "col": i % 8,
            "row": i // 8,
            "label": o["code"].split(".", 1)[-1],
            "sub": "",
            "level": o["level"],
            "href": f"#kantor-{o['code']}",
            "name": f"{o['code']} {o['name']}",
        }
        for i, o in enumerate(ordered)
    ]


def _export_query(v: NationalView, as_of: date | None) -> str:
    """The view's query as understood (not as typed): the same for every reader of the view."""
    f = v["filters"]
    pairs = [(k, str(f[k])) for k in ("province", "risk") if f.get(k)]
    if f.get("election"):
        pairs.append(("election", "true"))
    pairs.append(("sort", v["sort"]))
    if as_of is not None:
        pairs.append(("as_of", as_of.isoformat()))
    return urlencode(pairs)


def _page(
    request: Request,
    cached: CachedView,
    *,
    title: str | Msg,
    tiles: Callable[[str], str],
    base: str,
    as_of: date | None,
) -> HTMLResponse:
    lang = lang_of(request)
    v = cached.view
    body = cached.html.get(lang)
    if body is None:
        templates = request.app.state.templates
        body = templates.get_template("_national_view.html").render(
            **language_context(lang, request.app.state.settings.timezone),
            view=v,
            tiles=tiles(lang),
            base=base,
            export_query=_export_query(v, as_of),
            level_labels=LEVEL_LABELS,
            level_colors=LEVEL_COLORS,
            levels=dn.LEVELS,
            sort_labels=SORT_LABELS,
            request_state_labels=request_rules.STATE_LABELS,
        )
        cached.html[lang] = body
    return render(request, "national.html", view=v, heading=title, body=body)


Province = Annotated[str | None, Query(description="Kode provinsi (dua angka), mis. 17.")]
Risk = Annotated[str | None, Query(description="Tingkat stok: habis, menipis atau aman.")]
Election = Annotated[
    bool, Query(description="Hanya kantor dengan pemilihan dalam cakrawala perkiraan.")
]
Sort = Annotated[
    str | None,
    Query(description="risk (default), code, name, cover, stockout, backlog, coverage, on_hand."),
]
AsOf = Annotated[str | None, Query(description="Per tanggal YYYY-MM-DD (default hari ini).")]
Fmt = Annotated[str, Query(description="csv atau xlsx.")]
ProvinceCode = Annotated[str, Path(max_length=2, description="Kode provinsi, mis. 17.")]


def _day(as_of: str | None) -> date | None:
    return parse_date(blank_to_none(as_of), "as_of")


@pages.get("/nasional", name="page.national", response_class=HTMLResponse)
def national_page(
    request: Request,
    province: Province = None,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    day = _day(as_of)
    cached = _view(
        request,
        province=province,
        risk=risk,
        election=election,
        sort=sort,
        as_of=as_of,
        national=True,
    )
    v = cached.view
    names = {p["code"]: p["name"] for p in v["provinces"]}

    def grid(lang: str) -> str:
        title = i18n.translate(N_("Provinsi menurut risiko"), lang)
        return tile_svg(province_tiles(v, names), title)

    title = N_("Tampilan nasional")
    return _page(request, cached, title=title, tiles=grid, base="/nasional", as_of=day)


@pages.get("/provinsi/{kode}", name="page.province", response_class=HTMLResponse)
def province_page(
    request: Request,
    kode: ProvinceCode,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    day = _day(as_of)
    cached = _view(
        request,
        province=kode,
        risk=risk,
        election=election,
        sort=sort,
        as_of=as_of,
        national=False,
    )
    v = cached.view
    name = v["provinces"][0]["name"] if v["provinces"] else kode

    def grid(lang: str) -> str:
        title = i18n.translate(N_("Kantor menurut risiko"), lang)
        return tile_svg(office_tiles(v["offices"]), title)

    title = Msg("Provinsi {name}", name=name)
    return _page(request, cached, title=title, tiles=grid, base=f"/provinsi/{kode}", as_of=day)


def _json(cached: CachedView) -> Response:
    """The view as the API answers it (FastAPI's JSON), encoded once per cached view."""
    if cached.json is None:
        cached.json = json.dumps(
            jsonable_encoder(cached.view),
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        ).encode("utf-8")
    return Response(cached.json, media_type="application/json")


def _export(request: Request, v: NationalView, fmt: str, stem: str) -> Response:
    lang = lang_of(request)
    header = [i18n.translate(c, lang) for c in snapshots.EXPORT_COLUMNS]
    body = snapshots.export(v, fmt, header)
    return download(body, f"{stem}-{v['as_of'].replace('-', '')}.{fmt}", MIMETYPES[fmt])


@pages.get(
    "/nasional/unduh",
    name="page.national.export",
    response_class=Response,
    responses=file_responses(CSV, XLSX),
)
def national_export(
    request: Request,
    fmt: Fmt = "xlsx",
    province: Province = None,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> Response:
    v = _view(
        request,
        province=province,
        risk=risk,
        election=election,
        sort=sort,
        as_of=as_of,
        national=True,
    ).view
    return _export(request, v, fmt, "nasional")


@pages.get(
    "/provinsi/{kode}/unduh",
    name="page.province.export",
    response_class=Response,
    responses=file_responses(CSV, XLSX),
)
def province_export(
    request: Request,
    kode: ProvinceCode,
    fmt: Fmt = "xlsx",
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> Response:
    v = _view(
        request,
        province=kode,
        risk=risk,
        election=election,
        sort=sort,
        as_of=as_of,
        national=False,
    ).view
    return _export(request, v, fmt, f"provinsi-{kode}")


@api.get(
    "/api/v1/national",
    name="api.national",
    response_model=NationalView,
    responses=ERRORS,
    tags=["jaringan"],
)
def national_api(
    request: Request,
    province: Province = None,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> Response:
    """Every office of the nation with its figures as its latest snapshot has them
    (directorate only), filtered and sorted (default: at risk first)."""
    return _json(
        _view(
            request,
            province=province,
            risk=risk,
            election=election,
            sort=sort,
            as_of=as_of,
            national=True,
        )
    )


@api.get(
    "/api/v1/provinces/{code}",
    name="api.provinces.show",
    response_model=NationalView,
    responses=ERRORS,
    tags=["jaringan"],
)
def province_api(
    request: Request,
    code: ProvinceCode,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> Response:
    """The offices of one province with their snapshots' figures (the directorate: any
    province; a province's user: its own, another is not found)."""
    return _json(
        _view(
            request,
            province=code,
            risk=risk,
            election=election,
            sort=sort,
            as_of=as_of,
            national=False,
        )
    )
