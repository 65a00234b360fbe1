"""Every page, as every role, at 360, 768 and 1366 px wide (issue 18, points 1 and 4).

The pages are enumerated from the app's page routers, so that a new page is walked as soon
as it exists: a GET page route is either walked (as each role its route allows, with the ids
of `PATH_VALUES` and the states of `VARIANTS`) or named in `NOT_PAGES` with what it is.
One server and one browser (conftest.py); one browser context per role; each page is opened
once and the viewport resized for each width.

At every width:
- the page does not scroll sideways: `document.documentElement.scrollWidth` is at most the
  viewport's width. A table wider than the screen scrolls inside its own box (`.scroll`);
- the charts' text stays readable: the smallest text of each chart (its font size in the SVG,
  scaled as the image is drawn) is at least `MIN_CHART_TEXT_PX`.
At 360 and 768 (touch screens): every control and navigation link is at least 44 x 44 px
(`TOUCH_TARGETS`; a link inside a sentence or a table cell is text, exempt as in WCAG 2.5.5).
At 360: axe-core (axe-playwright-python, which ships axe.min.js: nothing is fetched) finds no
serious or critical violation.
At 390: a full-page screenshot, `<artifacts>/layout-390/<role>--<page>.png` (browsing.py).

Figures for the closing note of issue 18 are printed (`-s`) and written as JSON beside the
screenshots: the widest element of each page at 360 and 390 px (`layout-widths.json`) and
every axe violation by impact (`axe.json`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from browsing import ARTIFACTS, COUNTER_NIK, DEMO, USER_OF_ROLE, login
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from blangko.domain.access import ALL_ROLES, ANONYMOUS, ROUTE_ROLES
from blangko.web.app import PAGE_ROUTERS

pytestmark = pytest.mark.e2e

WIDTHS = (1366, 768, 360)
SHOT_WIDTH = 390
HEIGHT = 900
TOUCH_WIDTHS = (360, 768)
AXE_WIDTH = 360
MIN_CHART_TEXT_PX = 10.0
TOUCH_PX = 44
SHOT_DIR = ARTIFACTS / "layout-390"

# GET routes of the page routers that are not HTML pages.
NOT_PAGES = {
    "page.lang": "a redirect that switches the language",
    "chart.stock": "an SVG chart, checked on the dashboard",
    "chart.usage": "an SVG chart, checked on the dashboard",
    "chart.forecast": "an SVG chart, checked on the dashboard",
    "chart.coverage": "an SVG chart, checked on the coverage page",
    "page.service.prr_export": "a file download (xlsx, pdf)",
    "page.coverage.gaps": "a file download (xlsx)",
    "page.report.stock": "a file download (xlsx, pdf)",
    "page.report.office": "a file download (xlsx, pdf)",
    "page.old_cards.destruction_file": "a file download (xlsx, pdf)",
    "page.old_cards.recap": "a file download (xlsx, pdf)",
    "page.national.export": "a file download (csv, xlsx)",
    "page.province.export": "a file download (csv, xlsx)",
}
# HTML pages the demo office's users may not open: walked by another test, on a database of
# the directorate and offices of two provinces, as a directorate's and a province's user.
WALKED_ELSEWHERE = {
    "page.national": "test_national_layout.py",
    "page.province": "test_national_layout.py",
    "page.national.allocation": "test_national_layout.py",
}
# HTML pages whose route does not declare HTMLResponse.
HTML_WITHOUT_CLASS = {"page.report.request_form"}
PATH_VALUES: dict[str, Callable[[], str]] = {
    "receipt": lambda: DEMO["collected_receipt"],
    "event_id": lambda: str(DEMO["event_id"]),
    "destruction_id": lambda: "1",  # the demo's destruction of old cards a month ago
    "request_id": lambda: "1",  # the demo's first request for blanks (docs/network.md)
    "shipment_id": lambda: "1",  # the demo's June shipment, directorate to Kaur
}
# More states of a page, by route: (name, query).
VARIANTS: dict[str, list[tuple[str, Callable[[], str]]]] = {
    "page.stock": [("opname", lambda: "tab=opname")],
    "page.service": [
        ("resident", lambda: f"nik={DEMO['unrecorded_nik']}"),
        ("taken", lambda: f"nik={COUNTER_NIK['nik']}"),
    ],
    "page.stock.trace": [("serial", lambda: f"serial={DEMO['collected_serial']}")],
    "page.status": [("receipt", lambda: f"resi={DEMO['collected_receipt']}")],
    "page.coverage": [("desa", lambda: "by=desa")],
    "page.old_cards": [("all", lambda: "semua=1")],
    "page.shipments": [("in_transit", lambda: "status=in_transit")],
}
# Pages that send some of the roles their route allows elsewhere.
REDIRECTED = {"page.login": set(ALL_ROLES) - {ANONYMOUS}}  # signed in: to the dashboard
EXTRA_PAGES = [("error.404", "/halaman-tidak-ada")]

# Controls and navigation links: each a touch target of at least 44 x 44 px on a phone.
TOUCH_TARGETS = (
    "button, input:not([type=hidden]), select, textarea, summary, header a, nav a, .tabs a,"
    " .pager a, .subnav a, .downloads a, .filters a, footer a"
)

JS_HELPERS = r"""
const describe = (el) => {
  const one = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.dataset && e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '')
    + [...e.classList].map((c) => '.' + c).join('');
  const parts = [];
  for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
    parts.unshift(one(e));
  }
  return parts.join(' > ');
};
"""

MEASURE = (
    "() => {"
    + JS_HELPERS
    + r"""
  const doc = document.documentElement;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  // The outermost element reaching furthest right, and the deepest one inside it that does.
  let widest = null, inner = null, right = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right < right - 0.5 || clipped(el)) continue;
    if (r.right > right + 0.5) { right = r.right; widest = el; }
    inner = el;
  }
  const px = (el) => el ? Math.round(el.getBoundingClientRect().width) : 0;
  return {viewport: doc.clientWidth, scroll_width: doc.scrollWidth,
          widest: widest ? describe(widest) : '', widest_px: px(widest),
          inner: inner ? describe(inner) : '', inner_px: px(inner)};
}"""
)

# The shape of a page's content (elements, types and classes; no text): a page that several
# roles see alike is checked for accessibility once.
SHAPE = """() => [...document.querySelectorAll('main *')]
  .map((e) => e.tagName + (e.getAttribute('type') || '') + '.' + [...e.classList].join('.'))
  .join(' ')"""

# Form fields without a label (a <label>, aria-label or aria-labelledby; a placeholder is not one).
UNLABELLED = (
    "() => {"
    + JS_HELPERS
    + r"""
  return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => ![...el.labels].some((l) => l.textContent.trim())
                    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => describe(el) + '[name=' + el.name + ']');
}"""
)

SMALL_TARGETS = (
    "(selector) => {"
    + JS_HELPERS
    + r"""
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const target = el.matches('input[type=checkbox], input[type=radio]')
      ? (el.closest('label') || el) : el;
    const r = target.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(target).visibility === 'hidden') continue;
    if (r.width < 43.5 || r.height < 43.5) {
      small.push(describe(target) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  return [...new Set(small)];
}"""
)

# After a resize, <picture> picks its source again on a later frame: wait for two frames, then
# for every image to have loaded.
IMAGES_LOADED = """async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await Promise.all([...document.images].map((i) => i.complete ? null
    : new Promise((r) => { i.addEventListener('load', r); i.addEventListener('error', r); })));
}"""

# The charts shown (the source <picture> chose) and the width each is drawn at.
CHARTS_SHOWN = """() => [...document.querySelectorAll('img')]
  .map((i) => ({src: (i.currentSrc || i.src).replace(location.origin, ''),
                rendered: i.getBoundingClientRect().width}))
  .filter((c) => c.src.startsWith('/grafik/') && c.rendered > 0)"""
VIEWBOX = re.compile(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"')
FONT_SIZE = re.compile(r"font-size: ([\d.]+)px")


def chart_text(
    page, base: str, src: str, cache: dict[str, tuple[float, float]]
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(smallest font size, viewBox width) of a chart's SVG, in the SVG's units: its text is
    font size x drawn width / viewBox width CSS px on the page. Each chart is read once."""
    if src not in cache:
        body = page.request.get(base + src).text()
        box = VIEWBOX.search(body)
        sizes = [float(f) for f in FONT_SIZE.findall(body)]
        assert box and sizes, f"{src}: no viewBox or no text"
        cache[src] = (min(sizes), float(box.group(1)))
    return cache[src]


def page_routes() -> list[APIRoute]:
    return [
        r
        for router in PAGE_ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    ]


def is_html(route: APIRoute) -> bool:
    return route.response_class is HTMLResponse or route.name in HTML_WITHOUT_CLASS


def pages_for(role: str) -> list[tuple[str, str]]:
    """(name, url path) of every page the role may open, with the variants."""
    out: list[tuple[str, str]] = []
    for route in page_routes():
        if (
            route.name in NOT_PAGES
            or route.name in WALKED_ELSEWHERE
            or role not in ROUTE_ROLES[route.name]
        ):
            continue
        if role in REDIRECTED.get(route.name, set()):
            continue
        names = re.findall(r"{(\w+)}", route.path)
        path = route.path.format(**{n: PATH_VALUES[n]() for n in names})
        out.append((route.name, path))
        for suffix, query in VARIANTS.get(route.name, []):
            out.append((f"{route.name}.{suffix}", f"{path}?{query()}"))
    return out + EXTRA_PAGES


def test_every_page_route_is_walked_or_named() -> None:
    """A new GET page route is walked (HTML) or named in NOT_PAGES; every path parameter has
    a value and every variant a route."""
    names = {r.name for r in page_routes()}
    for route in page_routes():
        if route.name in NOT_PAGES:
            assert not is_html(route), f"{route.name} is an HTML page: walk it"
            continue
        if route.name in WALKED_ELSEWHERE:
            assert is_html(route), route.name
            continue
        assert is_html(route), f"{route.name}: an HTML page (HTML_WITHOUT_CLASS) or NOT_PAGES?"
        for n in re.findall(r"{(\w+)}", route.path):
            assert n in PATH_VALUES, f"{route.name}: no value for {{{n}}} in PATH_VALUES"
    assert (
        set(NOT_PAGES)
        | set(VARIANTS)
        | set(REDIRECTED)
        | HTML_WITHOUT_CLASS
        | set(WALKED_ELSEWHERE)
        <= names
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")


class Walk:
    """What the walk found, and the seconds each kind of check took."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.widths: list[dict[str, Any]] = []
        self.axe: list[dict[str, Any]] = []
        self.charts: dict[str, tuple[float, float]] = {}
        self.seconds: dict[str, float] = {}
        self.pages = 0
        self.shapes: set[tuple[str, int]] = set()
        self.accessibility_checked = 0

    @contextmanager
    def timed(self, what: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - start


def check_width(walk: Walk, page, role: str, path: str, width: int) -> None:  # type: ignore[no-untyped-def]
    where = f"{role} {path} @{width}"
    with walk.timed("resize and measure"):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.evaluate(IMAGES_LOADED)
        m = page.evaluate(MEASURE)
    if width in (360, SHOT_WIDTH):
        walk.widths.append({"role": role, "page": path, "width": width, **m})
    if m["scroll_width"] > m["viewport"]:
        walk.problems.append(
            f"{where}: page {m['scroll_width']} px wide in a {m['viewport']} px viewport;"
            f" widest {m['widest']} ({m['widest_px']} px), holding {m['inner']}"
        )
    with walk.timed("chart text"):
        for chart in page.evaluate(CHARTS_SHOWN):
            font, box_width = chart_text(page, walk.base, chart["src"], walk.charts)
            text_px = round(font * chart["rendered"] / box_width, 1)
            if text_px < MIN_CHART_TEXT_PX:
                walk.problems.append(
                    f"{where}: chart {chart['src']} text {text_px} px"
                    f" (drawn {round(chart['rendered'])} px wide)"
                )
    if width in TOUCH_WIDTHS:
        with walk.timed("touch targets"):
            for small in page.evaluate(SMALL_TARGETS, TOUCH_TARGETS):
                walk.problems.append(f"{where}: touch target {small}")


def check_accessibility(walk: Walk, axe, page, role: str, path: str) -> None:  # type: ignore[no-untyped-def]
    shape = (path, hash(page.evaluate(SHAPE)))
    if shape in walk.shapes:
        return  # another role saw the same page
    walk.shapes.add(shape)
    walk.accessibility_checked += 1
    with walk.timed("labels"):
        for field in page.evaluate(UNLABELLED):
            walk.problems.append(f"{role} {path}: form field without a label: {field}")
    with walk.timed("axe"):
        result = axe.run(page)
    for v in result.response["violations"]:
        nodes = [", ".join(map(str, n["target"])) for n in v["nodes"]]
        walk.axe.append(
            {"role": role, "page": path, "rule": v["id"], "impact": v["impact"], "nodes": nodes}
        )
        if v["impact"] in ("serious", "critical"):
            walk.problems.append(
                f"{role} {path}: axe {v['impact']} {v['id']} ({v['help']}): " + "; ".join(nodes[:5])
            )


def test_every_page_fits_every_width_and_passes_axe(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    walk = Walk(server)
    started = time.perf_counter()
    for role in ALL_ROLES:
        context = browser.new_context(
            viewport={"width": WIDTHS[0], "height": HEIGHT}, locale="id-ID"
        )
        page = context.new_page()
        if role != ANONYMOUS:
            login(page, server, USER_OF_ROLE[role])
        for name, path in pages_for(role):
            with walk.timed("open"):
                response = page.goto(server + path)
            assert response is not None
            if name != "error.404":
                assert response.ok, f"{role} {path}: {response.status}"
                assert page.url.endswith(path), f"{role} {path}: sent to {page.url}"
            walk.pages += 1
            for width in WIDTHS:
                check_width(walk, page, role, path, width)
                if width == AXE_WIDTH:
                    check_accessibility(walk, axe, page, role, path)
            check_width(walk, page, role, path, SHOT_WIDTH)
            with walk.timed("screenshot"):
                page.screenshot(path=str(SHOT_DIR / f"{role}--{_slug(name)}.png"), full_page=True)
        context.close()

    (ARTIFACTS / "layout-widths.json").write_text(json.dumps(walk.widths, indent=1))
    (ARTIFACTS / "axe.json").write_text(json.dumps(walk.axe, indent=1))
    took = time.perf_counter() - started
    print(f"\nwalked {walk.pages} pages x roles at {WIDTHS} and {SHOT_WIDTH} px in {took:.0f} s:")
    print("  " + ", ".join(f"{k} {v:.0f} s" for k, v in walk.seconds.items()))
    for w in walk.widths:
        if w["width"] == 360:
            print(f"  {w['role']:>15} {w['page']:<58} {w['scroll_width']:>4} px  {w['inner']}")
    by_impact: dict[str, int] = {}
    for v in walk.axe:
        by_impact[v["impact"]] = by_impact.get(v["impact"], 0) + 1
    print(
        f"axe and labels on {walk.accessibility_checked} of {walk.pages} pages x roles (the"
        f" others alike for another role); violations by impact: {by_impact or 'none'}"
    )
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)
