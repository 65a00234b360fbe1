"""The navigation bar as a registry: a page registers itself here and shows up for the roles
its route allows (roles.ROUTE_ROLES), in `order`.

Later pages (Layanan, Cakupan, Agenda) add one NavItem each with their route name; nothing
else in the layout changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from blangko.web.roles import allowed


@dataclass(frozen=True)
class NavItem:
    route: str  # the route name in roles.ROUTE_ROLES, e.g. "page.stock"
    label: str  # Indonesian msgid, translated through the catalogs
    path: str
    order: int


NAV: list[NavItem] = [
    NavItem("page.dashboard", "Dasbor", "/", 10),
    NavItem("page.stock", "Stok", "/stok", 20),
    # 30 Layanan, 40 Cakupan, 50 Agenda: registered by web/layanan.py, cakupan.py, agenda.py.
    NavItem("page.audit", "Audit", "/audit", 60),
    NavItem("page.users", "Pengguna", "/pengguna", 70),
    NavItem("page.status", "Status publik", "/status", 90),
]


def register(item: NavItem) -> None:
    NAV.append(item)


def items_for(role: str) -> list[NavItem]:
    return sorted((i for i in NAV if allowed(i.route, role)), key=lambda i: i.order)
