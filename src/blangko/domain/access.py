"""Who may do what, and who may see personal data: the one access policy.

Services and the web both ask this module. Every route of the web application is named here
with the roles allowed to call it (`ROUTE_ROLES`): the app refuses to start when a route has
no entry, and the authorisation dependency looks the calling route up on every request.
tests/web/test_role_matrix.py calls every route as every role and fails on any allow this
table does not list; docs/web.md shows the same table (`markdown_table()`).

Personal data (residents' names and full NIKs, the numbers of their documents, the list of
residents still to record) is for `PERSONAL_DATA_ROLES` only: the counter operator, who serves
the resident, and the head of office. Everyone else gets the masked NIK, masked document
numbers and no name, and the coverage service refuses them the list of names. Every read of
personal data is written to the read log, which `READ_LOG_READERS` oversee.
"""

from __future__ import annotations

from typing import Final

ANONYMOUS: Final = "anonymous"
ADMIN: Final = "admin"
KEPALA: Final = "kepala"
OPERATOR: Final = "operator"
STOK: Final = "pengelola_stok"
AUDITOR: Final = "auditor"

# The roles a user account may hold, in the order forms offer them.
ROLES: Final = (ADMIN, KEPALA, OPERATOR, STOK, AUDITOR)
ROLE_LABELS: Final = {
    ADMIN: "Administrator",
    KEPALA: "Kepala dinas",
    OPERATOR: "Operator loket",
    STOK: "Pengelola stok",
    AUDITOR: "Auditor",
}
STAFF: Final = frozenset(ROLES)
EVERYONE: Final = STAFF | {ANONYMOUS}
ALL_ROLES: Final = (ANONYMOUS, *ROLES)

# Who may see residents' names and full NIKs (UU 27/2022 on personal data: only the roles
# whose work needs them): the counter (serves the resident) and the head of office; not the
# administrator (keeps accounts), the stock keeper or the auditor.
PERSONAL_DATA_ROLES: Final = frozenset({KEPALA, OPERATOR})
# Reading the ledger is for those who keep, oversee or audit it; the counter operator sees
# the dashboard and consumes blanks when printing, nothing more of the stock.
LEDGER_READERS: Final = frozenset({STOK, KEPALA, AUDITOR})
# The demand forecast: for those who plan blanks (head, stock keeper) and the auditor.
FORECAST_READERS: Final = frozenset({KEPALA, STOK, AUDITOR})
# Coverage figures: the head and the auditor.
COVERAGE_READERS: Final = frozenset({KEPALA, AUDITOR})
# Old cards handed in by residents (the register, destructions, counts): read by whoever
# receives, keeps, destroys or audits them; names and full NIKs only for PERSONAL_DATA_ROLES.
OLD_CARD_READERS: Final = frozenset({OPERATOR, STOK, KEPALA, AUDITOR})
# Who may destroy cards: the head or the stock keeper (with two or more witnesses).
OLD_CARD_DESTROYERS: Final = frozenset({KEPALA, STOK})
# The read log (who viewed which resident's personal data): the administrator and the
# auditor oversee it; they see the NIKs in it masked, like everywhere else.
READ_LOG_READERS: Final = frozenset({ADMIN, AUDITOR})


def sees_personal_data(role: str | None) -> bool:
    """Whether a role may see names and full NIKs (None: no role known, e.g. the CLI without
    a web user, is not a role and is decided by the caller)."""
    return role in PERSONAL_DATA_ROLES


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
    "api.auth.logout": STAFF,
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
    "page.stock.count_office": frozenset({STOK}),
    # A variance is accepted by the head, not by whoever counted (separation of duties); a
    # count that will not be posted is voided by the head too.
    "page.stock.count_post": frozenset({KEPALA}),
    "page.stock.count_void": frozenset({KEPALA}),
    "page.stock.ledger": LEDGER_READERS,
    "page.stock.trace": LEDGER_READERS,
    "api.stock.ledger": LEDGER_READERS,
    "api.stock.trace": LEDGER_READERS,
    "api.stock.counts.list": LEDGER_READERS,
    "api.stock.counts.show": LEDGER_READERS,
    "api.stock.opening": frozenset({STOK}),
    "api.stock.receive": frozenset({STOK}),
    "api.stock.transfer": frozenset({STOK}),
    "api.stock.consume": frozenset({STOK, OPERATOR}),
    "api.stock.spoil": frozenset({STOK, OPERATOR}),
    "api.stock.lose": frozenset({STOK}),
    "api.stock.return": frozenset({STOK}),
    "api.stock.counts.create": frozenset({STOK}),
    "api.stock.counts.create_office": frozenset({STOK}),
    "api.stock.counts.post": frozenset({KEPALA}),
    "api.stock.counts.void": frozenset({KEPALA}),
    "api.stock.close_month": frozenset({KEPALA}),
    # Shipments between ledgers (docs/network.md): the office's stock keeper sends and
    # receives; those who read the ledger read the office's shipments.
    "api.network": LEDGER_READERS,
    "api.shipments.list": LEDGER_READERS,
    "api.shipments.show": LEDGER_READERS,
    "api.shipments.send": frozenset({STOK}),
    # Their pages (web/shipments.py): the list, one shipment and the network tree for those
    # who read the ledger; the office's stock keeper sends and receives.
    "page.shipments": LEDGER_READERS,
    "page.shipments.show": LEDGER_READERS,
    "page.shipments.send": frozenset({STOK}),
    "page.shipments.receive": frozenset({STOK}),
    "page.network": LEDGER_READERS,
    # The national and province view, read from the office snapshots (docs/network.md): for
    # those who plan blanks and the auditor; the directorate's users see the nation and every
    # province, a province's user its own province, an office's user neither.
    "page.national": FORECAST_READERS,
    "page.national.export": FORECAST_READERS,
    "page.province": FORECAST_READERS,
    "page.province.export": FORECAST_READERS,
    "api.national": FORECAST_READERS,
    "api.provinces.show": FORECAST_READERS,
    # The national allocation and the proposed loans (docs/network.md, "Allocation and
    # rebalancing"): the directorate's users only (a province's user: no province route, 403;
    # an office's: not found). The head reads and applies it (approves and ships in one step,
    # the head's decision); the stock keeper and the auditor read it.
    "page.national.allocation": FORECAST_READERS,
    "page.national.allocation.apply": frozenset({KEPALA}),
    "api.national.allocation": FORECAST_READERS,
    "api.national.rebalancing": FORECAST_READERS,
    "api.national.allocation.apply": frozenset({KEPALA}),
    "api.shipments.receive": frozenset({STOK}),
    # Requests for blanks (docs/network.md, "The life of a request"): an office's stock keeper
    # or head drafts and changes it, the head submits it and closes it; a province's head (or
    # the directorate's) endorses or sends it back; the directorate's head decides; the
    # directorate's stock keeper ships its tranches. Scope (which office, which province)
    # is checked by the service for each step.
    "page.requests": LEDGER_READERS,
    "page.requests.show": LEDGER_READERS,
    "page.requests.draft": frozenset({STOK, KEPALA}),
    "page.requests.edit": frozenset({STOK, KEPALA}),
    "page.requests.submit": frozenset({KEPALA}),
    "page.requests.endorse": frozenset({KEPALA}),
    "page.requests.return": frozenset({KEPALA}),
    "page.requests.approve": frozenset({KEPALA}),
    "page.requests.refuse": frozenset({KEPALA}),
    "page.requests.ship": frozenset({STOK}),
    "page.requests.close": frozenset({KEPALA, STOK}),
    "api.requests.list": LEDGER_READERS,
    "api.requests.show": LEDGER_READERS,
    "api.requests.draft": frozenset({STOK, KEPALA}),
    "api.requests.edit": frozenset({STOK, KEPALA}),
    "api.requests.submit": frozenset({KEPALA}),
    "api.requests.endorse": frozenset({KEPALA}),
    "api.requests.return": frozenset({KEPALA}),
    "api.requests.approve": frozenset({KEPALA}),
    "api.requests.refuse": frozenset({KEPALA}),
    "api.requests.ship": frozenset({STOK}),
    "api.requests.close": frozenset({KEPALA, STOK}),
    # Loans between offices (docs/network.md, "Loans"): arranged by the province's or the
    # directorate's head or stock keeper; sent by the lender's stock keeper, returned by the
    # borrower's; written off by the directorate's head; read by those who read the ledger.
    "page.loans": LEDGER_READERS,
    "page.loans.arrange": frozenset({KEPALA, STOK}),
    "page.loans.send": frozenset({STOK}),
    "page.loans.return": frozenset({STOK}),
    "page.loans.write_off": frozenset({KEPALA}),
    "api.loans.list": LEDGER_READERS,
    "api.loans.show": LEDGER_READERS,
    "api.loans.arrange": frozenset({KEPALA, STOK}),
    "api.loans.send": frozenset({STOK}),
    "api.loans.return": frozenset({STOK}),
    "api.loans.write_off": frozenset({KEPALA}),
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
    # The office's settings (letterhead, signatory, documents per application type): the
    # administrator sets them for their office; every member of staff may read them.
    "page.office": frozenset({ADMIN}),
    "page.office.update": frozenset({ADMIN}),
    "page.office.documents": frozenset({ADMIN}),
    "api.office.show": STAFF,
    "api.office.update": frozenset({ADMIN}),
    "api.office.documents": frozenset({ADMIN}),
    # The read log of personal data.
    "page.readlog": READ_LOG_READERS,
    "api.readlog": READ_LOG_READERS,
    # Layanan (counter): the operator serves residents; the head oversees; the auditor may
    # read applications through the API with the NIK masked.
    "page.service": PERSONAL_DATA_ROLES,
    "page.service.show": PERSONAL_DATA_ROLES,
    "page.service.new": frozenset({OPERATOR}),
    "page.service.act": frozenset({OPERATOR}),
    # The printed slips (receipt, proof of collection) carry the resident's name.
    "page.service.slip": PERSONAL_DATA_ROLES,
    "page.service.handover_slip": PERSONAL_DATA_ROLES,
    "api.residents.show": PERSONAL_DATA_ROLES,
    "api.applications.lookup": PERSONAL_DATA_ROLES,
    "api.applications.slip": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.applications.handover_slip": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.applications.list": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.applications.queue": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.applications.show": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.applications.new": frozenset({OPERATOR}),
    "api.applications.act": frozenset({OPERATOR}),
    # The print backlog as a work list (and its export for call-ups and jemput bola): the
    # counter and the head, with names; the auditor through the API with the NIK masked.
    # Printing a PRR resident's card from it is the counter's.
    "page.service.prr": PERSONAL_DATA_ROLES,
    "page.service.prr_export": PERSONAL_DATA_ROLES,
    "page.service.prr_print": frozenset({OPERATOR}),
    "api.backlog": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.backlog.export": PERSONAL_DATA_ROLES | {AUDITOR},
    "api.backlog.print": frozenset({OPERATOR}),
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
    # recorded) only for roles that may see personal data: the head on the page (the only
    # one of them with the coverage page), the head and the counter by API.
    "page.coverage": COVERAGE_READERS,
    "chart.coverage": COVERAGE_READERS,
    "page.coverage.gaps": COVERAGE_READERS & PERSONAL_DATA_ROLES,
    "api.coverage": COVERAGE_READERS,
    "api.coverage.cohort": COVERAGE_READERS,
    "api.coverage.projection": COVERAGE_READERS,
    "api.coverage.gaps": PERSONAL_DATA_ROLES,
    # Penjatahan cetak (rationing): the head sets and ends a policy and gives an exception;
    # every member of staff reads the policies (the counter works by them); why an
    # application waits, for those who read applications.
    "page.rationing": STAFF,
    "page.rationing.set": frozenset({KEPALA}),
    "page.rationing.end": frozenset({KEPALA}),
    "page.rationing.allow": frozenset({KEPALA}),
    "api.rationing": STAFF,
    "api.rationing.set": frozenset({KEPALA}),
    "api.rationing.end": frozenset({KEPALA}),
    "api.rationing.allow": frozenset({KEPALA}),
    "api.rationing.wait": PERSONAL_DATA_ROLES | {AUDITOR},
    # The demand forecast.
    "chart.forecast": FORECAST_READERS,
    "api.forecast": FORECAST_READERS,
    # Printers and items other than the blank (ribbon, film): who reads the ledger sees them;
    # the stock keeper or the head records a printer's state; what stops printing first is
    # a forecast figure.
    "page.printer": LEDGER_READERS,
    "page.printer.state": frozenset({STOK, KEPALA}),
    "api.items": LEDGER_READERS,
    "api.printers": LEDGER_READERS,
    "api.printers.state": frozenset({STOK, KEPALA}),
    "api.forecast.stops": FORECAST_READERS,
    # Reports: stock reports for who keeps, oversees or audits the stock; the coverage recap
    # and the request letter are the head's (the letter goes out under the head's name).
    "page.report.stock": LEDGER_READERS,
    "api.reports.stock": LEDGER_READERS,
    "page.report.office": frozenset({KEPALA}),
    "page.report.request_form": frozenset({KEPALA}),
    "api.reports.office": frozenset({KEPALA}),
    # Kartu lama (SE Mendagri 470.13/11176/SJ): the counter receives old cards; the head or
    # the stock keeper destroys them; the stock keeper counts the held cards (as blanks);
    # the auditor and the head verify the register's chain; the recap goes upward.
    "page.old_cards": OLD_CARD_READERS,
    "page.old_cards.receive": frozenset({OPERATOR}),
    "page.old_cards.destroy": OLD_CARD_DESTROYERS,
    "page.old_cards.count": frozenset({STOK}),
    "page.old_cards.destruction": OLD_CARD_READERS,
    "page.old_cards.destruction_file": OLD_CARD_READERS,
    "page.old_cards.recap": frozenset({KEPALA, STOK, AUDITOR}),
    "api.old_cards.list": OLD_CARD_READERS,
    "api.old_cards.receive": frozenset({OPERATOR}),
    "api.old_cards.destroy": OLD_CARD_DESTROYERS,
    "api.old_cards.destruction": OLD_CARD_READERS,
    "api.old_cards.destruction_file": OLD_CARD_READERS,
    "api.old_cards.count": frozenset({STOK}),
    "api.old_cards.recap": frozenset({KEPALA, STOK, AUDITOR}),
    "api.old_cards.recap_file": frozenset({KEPALA, STOK, AUDITOR}),
    "api.old_cards.verify": frozenset({AUDITOR, KEPALA}),
    # IKD against its target and against the blanks received: coverage figures.
    "api.ikd": COVERAGE_READERS,
    "api.ikd.daily": COVERAGE_READERS,
}

# Routes whose every answer holds personal data; each must be limited to PERSONAL_DATA_ROLES
# (checked by tests/web/test_role_matrix.py).
PERSONAL_DATA_ROUTES: Final = (
    "page.service",
    "page.service.show",
    "page.service.prr",
    "page.service.prr_export",
    "page.service.slip",
    "page.service.handover_slip",
    "api.residents.show",
    "api.applications.lookup",
    "page.coverage.gaps",
    "api.coverage.gaps",
)


# Routes that read and write no office's data: open to a signed-in user who acts for no
# office (no office of their own, in a database of several offices). Every other route of a
# signed-in user works on the office the user acts for, and refuses such a user (403).
UNSCOPED_ROUTES: Final = frozenset(
    {name for name, roles in ROUTE_ROLES.items() if roles == EVERYONE}
    | {"page.logout", "api.auth.logout", "api.me"}
)

# Routes a province's user (no office of their own) may call: the network view of the
# offices of the province (docs/network.md). Every other office route refuses them (403).
# Loans are arranged by the province (docs/network.md, "Loans"): its user lists, reads and
# arranges them too.
PROVINCE_ROUTES: Final = frozenset(
    {
        "api.network",
        "api.shipments.list",
        "api.shipments.show",
        # Their pages: the province's shipments and its part of the network tree.
        "page.shipments",
        "page.shipments.show",
        "page.network",
        # Its own province's page, export and API (another province: not found).
        "page.province",
        "page.province.export",
        "api.provinces.show",
    }
    # Requests: the province reads its offices' and endorses or sends them back.
    | {
        "page.requests",
        "page.requests.show",
        "page.requests.endorse",
        "page.requests.return",
        "api.requests.list",
        "api.requests.show",
        "api.requests.endorse",
        "api.requests.return",
    }
    # Loans: the province lists, reads and arranges them.
    | {
        "api.loans.list",
        "api.loans.show",
        "api.loans.arrange",
        "page.loans",
        "page.loans.arrange",
    }
)

# Reading another office (a province's user an office of its province, the directorate's
# user any office: `?office=KODE`, web/deps.py) is read-only and never reaches residents'
# personal data, the office's accounts or its read log: these routes refuse it (403).
CROSS_OFFICE_REFUSED: Final = frozenset(
    {
        *PERSONAL_DATA_ROUTES,
        "page.users",
        "api.users.list",
        "page.office",
        "page.readlog",
        "api.readlog",
    }
)


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
