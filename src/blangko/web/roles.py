"""Who may call what: every route's name maps to the roles allowed to call it.

The app refuses to start when a route has no entry here, and the authorisation dependency
looks the calling route up in this table on every request, so this table is the whole
access policy. tests/web/test_role_matrix.py calls every route as every role and fails on
any allow this table does not list; docs/web.md shows the same table.
"""

from __future__ import annotations

from typing import Final

ANONYMOUS: Final = "anonymous"
ADMIN, KEPALA, OPERATOR, STOK, AUDITOR = "admin", "kepala", "operator", "pengelola_stok", "auditor"
STAFF: Final = frozenset({ADMIN, KEPALA, OPERATOR, STOK, AUDITOR})
EVERYONE: Final = STAFF | {ANONYMOUS}
ALL_ROLES: Final = (ANONYMOUS, ADMIN, KEPALA, OPERATOR, STOK, AUDITOR)

# Reading the ledger is for those who keep, oversee or audit it; the counter operator sees
# the dashboard and consumes blanks when printing, nothing more of the stock.
LEDGER_READERS: Final = frozenset({STOK, KEPALA, AUDITOR})

ROUTE_ROLES: Final[dict[str, frozenset[str]]] = {
    # Public: the status page, log-in, language switch, the API description.
    "page.status": EVERYONE,
    "page.login": EVERYONE,
    "page.login.submit": EVERYONE,
    "page.lang": EVERYONE,
    "api.status": EVERYONE,
    "api.status.application": EVERYONE,
    "api.auth.token": EVERYONE,
    "api.openapi": EVERYONE,
    "api.docs": EVERYONE,
    # Every member of staff.
    "page.logout": STAFF,
    "page.dashboard": STAFF,
    "chart.stock": STAFF,
    "chart.usage": STAFF,
    "api.me": STAFF,
    "api.stock.balance": STAFF,
    "api.locations.list": STAFF,
    # Stock keeper: moves blanks; the head oversees.
    "page.stock": frozenset({STOK, KEPALA}),
    "page.stock.receive": frozenset({STOK}),
    "page.stock.transfer": frozenset({STOK}),
    "page.stock.spoil": frozenset({STOK}),
    "page.stock.lose": frozenset({STOK}),
    "page.stock.return": frozenset({STOK}),
    "page.stock.count": frozenset({STOK}),
    # A variance is accepted by the head, not by whoever counted (separation of duties).
    "page.stock.count_post": frozenset({KEPALA}),
    "page.stock.ledger": LEDGER_READERS,
    "page.stock.trace": LEDGER_READERS,
    "api.stock.ledger": LEDGER_READERS,
    "api.stock.trace": LEDGER_READERS,
    "api.stock.counts.list": LEDGER_READERS,
    "api.stock.opening": frozenset({STOK}),
    "api.stock.receive": frozenset({STOK}),
    "api.stock.transfer": frozenset({STOK}),
    "api.stock.consume": frozenset({STOK, OPERATOR}),
    "api.stock.spoil": frozenset({STOK, OPERATOR}),
    "api.stock.lose": frozenset({STOK}),
    "api.stock.return": frozenset({STOK}),
    "api.stock.counts.create": frozenset({STOK}),
    "api.stock.counts.post": frozenset({KEPALA}),
    "api.stock.close_month": frozenset({KEPALA}),
    # Audit: read-only, may verify the chain.
    "page.audit": frozenset({AUDITOR, KEPALA}),
    "page.audit.verify": frozenset({AUDITOR, KEPALA}),
    "api.stock.verify": frozenset({AUDITOR, KEPALA}),
    # Administration.
    "page.users": frozenset({ADMIN}),
    "page.users.add": frozenset({ADMIN}),
    "page.users.update": frozenset({ADMIN}),
    "api.users.list": frozenset({ADMIN}),
    "api.users.add": frozenset({ADMIN}),
    "api.users.update": frozenset({ADMIN}),
    "api.locations.add": frozenset({ADMIN}),
    # Layanan (counter): the operator serves residents; the head oversees; the auditor may
    # read applications through the API with the NIK masked.
    "page.service": frozenset({OPERATOR, KEPALA}),
    "page.service.show": frozenset({OPERATOR, KEPALA}),
    "page.service.new": frozenset({OPERATOR}),
    "page.service.act": frozenset({OPERATOR}),
    "api.residents.show": frozenset({OPERATOR, KEPALA}),
    "api.applications.list": frozenset({OPERATOR, KEPALA, AUDITOR}),
    "api.applications.queue": frozenset({OPERATOR, KEPALA, AUDITOR}),
    "api.applications.show": frozenset({OPERATOR, KEPALA, AUDITOR}),
    "api.applications.new": frozenset({OPERATOR}),
    "api.applications.act": frozenset({OPERATOR}),
    # Agenda: the head closes services and registers events; the auditor reads. Every member
    # of staff may ask the API which closures apply (the counter plans around them); the
    # stock keeper reads events (they drive demand for blanks).
    "page.agenda": frozenset({KEPALA, AUDITOR}),
    "page.agenda.event": frozenset({KEPALA, AUDITOR}),
    "page.agenda.closure_add": frozenset({KEPALA}),
    "page.agenda.closure_end": frozenset({KEPALA}),
    "page.agenda.event_add": frozenset({KEPALA}),
    "api.closures.list": STAFF,
    "api.closures.add": frozenset({KEPALA}),
    "api.closures.end": frozenset({KEPALA}),
    "api.events.list": frozenset({KEPALA, AUDITOR, STOK}),
    "api.events.show": frozenset({KEPALA, AUDITOR, STOK}),
    "api.events.impact": frozenset({KEPALA, AUDITOR, STOK}),
    "api.events.add": frozenset({KEPALA}),
    # Cakupan: figures for the head and the auditor; the list of names (who is still to be
    # recorded) only for roles that may see personal data: the head, and the counter by API.
    "page.coverage": frozenset({KEPALA, AUDITOR}),
    "chart.coverage": frozenset({KEPALA, AUDITOR}),
    "page.coverage.gaps": frozenset({KEPALA}),
    "api.coverage": frozenset({KEPALA, AUDITOR}),
    "api.coverage.cohort": frozenset({KEPALA, AUDITOR}),
    "api.coverage.projection": frozenset({KEPALA, AUDITOR}),
    "api.coverage.gaps": frozenset({KEPALA, OPERATOR}),
    # The demand forecast: for those who plan blanks (head, stock keeper) and the auditor.
    "chart.forecast": frozenset({KEPALA, STOK, AUDITOR}),
    "api.forecast": frozenset({KEPALA, STOK, AUDITOR}),
    # Reports: stock reports for who keeps, oversees or audits the stock; the coverage recap
    # and the request letter are the head's (the letter goes out under the head's name).
    "page.report.stock": LEDGER_READERS,
    "api.reports.stock": LEDGER_READERS,
    "page.report.office": frozenset({KEPALA}),
    "api.reports.office": frozenset({KEPALA}),
}


def allowed(route_name: str, role: str) -> bool:
    return role in ROUTE_ROLES.get(route_name, frozenset())


def markdown_table() -> str:
    """The matrix as a Markdown table (docs/web.md embeds it; a test keeps them equal)."""
    head = "| route | " + " | ".join(ALL_ROLES) + " |"
    sep = "|---|" + "---|" * len(ALL_ROLES)
    rows = [
        "| `" + name + "` | " + " | ".join("x" if r in roles else "" for r in ALL_ROLES) + " |"
        for name, roles in sorted(ROUTE_ROLES.items())
    ]
    return "\n".join([head, sep, *rows])
