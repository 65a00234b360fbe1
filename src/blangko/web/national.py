"""The national and province view (issue 14, point 2): every office with its figures as
its latest snapshot has them (services/network/snapshots.py; never the registries),
sortable and filterable, at risk first, with a tile grid of provinces (or of the province's
offices) coloured by risk, drawn here as SVG from our own data; the API and the CSV/xlsx
export of the same rows. The directorate's users see the nation and every province, a
province's user its own province (another: not found), an office's user neither (not
found: its role may read the view, its scope holds none)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import Path, Query, Request
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


def _view(
    request: Request,
    *,
    province: str | None,
    risk: str | None,
    election: bool,
    sort: str | None,
    as_of: date | None,
    national: bool,
) -> NationalView:
    ctx, _office = request_ctx(request)
    reach = _reach(request)
    return snapshots.view(
        ctx,
        reach=reach,
        province=province,
        risk=risk,
        election=election,
        sort=sort,
        as_of=as_of,
        national=national,
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


def _page(request: Request, v: NationalView, *, title: str, tiles: str, base: str) -> HTMLResponse:
    return render(
        request,
        "national.html",
        view=v,
        heading=title,
        tiles=tiles,
        base=base,
        level_labels=LEVEL_LABELS,
        level_colors=LEVEL_COLORS,
        levels=dn.LEVELS,
        sort_labels=SORT_LABELS,
        request_state_labels=request_rules.STATE_LABELS,
    )


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
    v = _view(
        request,
        province=blank_to_none(province),
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=True,
    )
    title = N_("Tampilan nasional")
    names = {p["code"]: p["name"] for p in v["provinces"]}
    lang = lang_of(request)
    grid = tile_svg(province_tiles(v, names), i18n.translate(N_("Provinsi menurut risiko"), lang))
    return _page(request, v, title=title, tiles=grid, base="/nasional")


@pages.get("/provinsi/{kode}", name="page.province", response_class=HTMLResponse)
def province_page(
    request: Request,
    kode: ProvinceCode,
    risk: Risk = None,
    election: Election = False,
    sort: Sort = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    v = _view(
        request,
        province=kode,
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=False,
    )
    lang = lang_of(request)
    name = v["provinces"][0]["name"] if v["provinces"] else kode
    grid = tile_svg(office_tiles(v["offices"]), i18n.translate(N_("Kantor menurut risiko"), lang))
    title = Msg("Provinsi {name}", name=name)
    return _page(request, v, title=title, tiles=grid, base=f"/provinsi/{kode}")


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
        province=blank_to_none(province),
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=True,
    )
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
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=False,
    )
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
) -> NationalView:
    """Every office of the nation with its figures as its latest snapshot has them
    (directorate only), filtered and sorted (default: at risk first)."""
    return _view(
        request,
        province=blank_to_none(province),
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=True,
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
) -> NationalView:
    """The offices of one province with their snapshots' figures (the directorate: any
    province; a province's user: its own, another is not found)."""
    return _view(
        request,
        province=code,
        risk=blank_to_none(risk),
        election=election,
        sort=blank_to_none(sort),
        as_of=_day(as_of),
        national=False,
    )
