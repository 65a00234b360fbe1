"""The navigation bar as a registry: each route module registers its pages here, and an item
shows up for the roles its route allows (domain.access.ROUTE_ROLES), in `order`.

Dasbor 10 (dashboard), Stok 20 and Audit 60 (stock), Layanan 30 (applications), Cakupan 40
(coverage), Agenda 50 (calendar), Pengguna 70 (admin), Status publik 90 (public).
"""

from __future__ import annotations

from dataclasses import dataclass

from blangko.domain.access import allowed


@dataclass(frozen=True)
class NavItem:
    route: str  # the route name in access.ROUTE_ROLES, e.g. "page.stock"
    label: str  # Indonesian msgid, translated through the catalogs
    path: str
    order: int


NAV: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in NAV:
        NAV.append(item)


def items_for(role: str) -> list[NavItem]:
    return sorted((i for i in NAV if allowed(i.route, role)), key=lambda i: i.order)
