"""Offices sealed from each other on every route (issue 19, "keep proving it").

A database of two offices, each with months of history (tests/web/office_builder.py): Kaur
(17.04) and Bengkulu Selatan (17.01). A user of one office, in each role, calls every route of
the app (pages, charts, exports and the API, enumerated from the app itself, so a new route
is tried as soon as it exists) with the OTHER office's ids in its path, query and body: its
serials, location names, receipt numbers, residents' NIKs, count, closure and event ids,
ledger sequence numbers, village and kecamatan codes, user names and office code. Both ways:
Kaur's users with Bengkulu Selatan's ids, then the other way round. After every try:

- nothing of the other office shows (pages, JSON, SVG charts, xlsx and pdf read as text): its
  residents' names and NIKs (full or masked), its serials, its location names, its users and
  the actors of its entries, its documents and event names, its receipt numbers. Each of
  these carries the office's tag (`zqa`, `zqb`), serial prefix (`QA`, `QB`) or is listed;
- a write carrying the other office's id is refused (4xx) and nothing is written anywhere;
- where a route looks the other office's object up by its id (path), it is not found (404)
  or refused by role;
- the other office's state is the same as before: its ledger head, every row of its small
  tables, the counts of its big ones and its blanks by state and location. A counter moved
  by triggers on every one of those tables (`Changes`) says whether a try wrote anything;
  the states are read again after every try that did and at the end of every route.

Every parameter of every route is classified below (`ID_KINDS`: an id of an office to
substitute; `PLAIN`: a value that belongs to no office). A route with a parameter that is in
neither fails the test until it is classified; so does a table without `office_code` that is
not listed in `NOT_PER_OFFICE`. Locations are named, never numbered, in every route: "B's
location ids" are B's location names here. Months are calendar values, not an office's ids
(a month is tried as a plain value on the report and month-close routes).

The figure for issue 19's closing note (routes x roles x offices tried) is printed.
"""

from __future__ import annotations

import io
import itertools
import re
import types
import typing
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import params as fastapi_params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from office_builder import Plan, build
from pydantic import BaseModel
from pypdf import PdfReader
from sqlalchemy import func, select
from web_helpers import SECRET, TestClient, session_cookie

from blangko.adapters import tables as t
from blangko.adapters.all_tables import metadata
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_calendar import closure
from blangko.adapters.tables_events import event
from blangko.adapters.tables_loans import loan
from blangko.adapters.tables_residents import resident
from blangko.adapters.tables_users import app_user
from blangko.domain.access import (
    CROSS_OFFICE_REFUSED,
    ROLES,
    ROUTE_ROLES,
    STOK,
    UNSCOPED_ROUTES,
)
from blangko.domain.applications import Action, format_receipt
from blangko.domain.nik import build_nik
from blangko.services.admin import setup
from blangko.services.items import writes as iw
from blangko.services.network import loans, organisation, shipments
from blangko.services.network import requests as blank_requests
from blangko.services.stock import writes
from blangko.settings import Settings
from blangko.web.app import api_routes, create_app

A, B = "17.04", "17.01"
# An office of another province (Sumatera Selatan): what a province's user of Bengkulu (17)
# must never reach (test_every_route_by_scope).
C = "16.01"
# Each office's loan goes to an office of its own that no user of the test belongs to.
BORROWERS = {A: "17.05", B: "17.06", C: "16.02"}
TAGS = {A: "zqa", B: "zqb", C: "zqc"}
PREFIXES = {A: "QA", B: "QB", C: "QC"}
USER_OF_ROLE = {
    "admin": "admin",
    "kepala": "kepala",
    "operator": "operator",
    "pengelola_stok": "stok",
    "auditor": "auditor",
}
PLAN = Plan(
    history_days=75,
    mean_use=3.0,
    opening=600,
    receipt=400,
    at_station=30,
    unrecorded=30,
    recorded_not_printed=14,
    printed=40,
    to_print=4,
    suket=1,
    to_record=2,
    event_in_days=5,
    event_villages=2,
    count_variance=3,
)

# Parameters that name something of an office, by name: the kind of id they take. A route's
# parameter of this name gets the other office's id in one try (one id at a time), the
# acting office's own id otherwise (where it is required).
ID_KINDS = {
    "serial": "serial",
    "serials": "serials",
    "scanned": "serials",
    "location": "location",
    "from_location": "location",
    "to_location": "location",
    "to": "location",
    "station": "location",
    "locations": "location",  # the office-wide count: one part per location
    "nik": "nik",
    "receipt": "receipt",
    "resi": "receipt",
    "count_id": "count_id",
    "closure_id": "closure_id",
    "event_id": "event_id",
    "seq": "seq",
    "username": "username",
    "user": "username",  # the read log's filter
    "office": "office",
    "desa": "desa",
    "villages": "desa",
    "kecamatan": "kecamatan",
    "kec": "kecamatan",
    "shipment_id": "shipment_id",
    "missing": "serials",  # a receipt's serials that did not arrive
    "damaged": "serials",  # ... and those that arrived damaged
    "destruction_id": "destruction_id",  # a destruction of old cards
    "cards": "card_id",  # old cards (register numbers) to destroy
    "printer": "printer",  # a printer of a print station, by its name
    "item": "item",  # a quantity item (a ribbon), by its code: the item reports
    "request_id": "request_id",  # a request for blanks (docs/network.md)
    "loan_id": "loan_id",  # a loan between offices
    "lender": "office",  # a loan's offices (Kemendagri's codes, public)
    "borrower": "office",
}
# Plain values for one route (None: left out): where a name means something else (a
# return's `to` is a party, not a location) or where the general value would be refused for
# another reason than the id being tried.
ROUTE_PLAIN = {
    ("to", "api.stock.return"): "Dinas Dukcapil Provinsi",
    ("to", "page.stock.return"): "Dinas Dukcapil Provinsi",
    # A shipment's receiver is an office code (Kemendagri's, public): the directorate's.
    ("to", "api.shipments.send"): "00.00",
    ("date", "api.events.add"): "2026-12-20",
    ("date", "page.agenda.event_add"): "2026-12-20",
    ("kind", "api.events.add"): "pilkades",
    ("kind", "page.agenda.event_add"): "pilkades",
    ("service", "api.closures.add"): "perekaman",
    ("service", "page.agenda.closure_add"): "perekaman",
    # A rationing policy that can be set (the default end is none: refused for any office).
    ("end", "api.rationing.set"): "2026-12-31",
    ("end", "page.rationing.set"): "2026-12-31",
    # An old card's reason of hand-in (the general "reason" is a spoilage reason).
    ("reason", "api.old_cards.receive"): "pindah",
    ("reason", "page.old_cards.receive"): "pindah",
    # Printing from the work list carries the list's filter only to show the same list again
    # (page.service.prr is tried with the other office's areas).
    ("kecamatan", "page.service.prr_print"): None,
    ("desa", "page.service.prr_print"): None,
}
# The own office's value made new for each try, so that only the other office's id can be
# the reason for a refusal: a new user's name, serials never received.
OWN_FRESH = {
    ("username", "api.users.add"): "baru{n}",
    ("username", "page.users.add"): "baru{n}",
    ("serials", "api.stock.receive"): "QN{n:05d}1-QN{n:05d}2",
    ("serials", "page.stock.receive"): "QN{n:05d}1-QN{n:05d}2",
    ("serials", "api.stock.opening"): "QN{n:05d}1-QN{n:05d}2",
}
# Parameters that belong to no office: the value sent (None: left out).
PLAIN: dict[str, Any] = {
    "lang": "en",
    # The national allocation (directorate only): a what-if stock and box, the quantities per
    # office (none: ours).
    "stock": None,
    "box": None,
    "quantities": None,
    "next": "/",
    "tab": "opname",
    "password": "sandi-salah-yang-panjang",
    "role": "operator",
    "active": "1",
    "name": "Uji isolasi",
    "kind": None,
    "type": "pemula",
    "status": None,
    "service": "pemula",
    "source": "Ditjen Dukcapil",
    "document": "BA-ISOLASI-1",
    "reason": "salah_cetak",
    "note": "uji isolasi",
    "qty": 1,
    "counted": 5,
    "quantity": "10",
    "fmt": None,  # alternates xlsx and pdf (below)
    "month": "2026-10",
    "as_of": None,
    "date": None,
    "date_from": None,
    "date_to": None,
    "start": "2026-11-30",
    "end": None,
    "reopen": None,
    "active_on": None,
    "by": "desa",
    "narrow": "1",  # a chart drawn for a phone
    "by_date": None,
    "target": None,
    "months": 6,
    "horizon": 30,
    "limit": 100,
    "offset": 0,
    "address": "Jl. Uji Isolasi 1",  # the office's letterhead (its own office's)
    "head_name": "Kepala Uji",
    "head_nip": None,
    "public_url": None,
    "seat": None,
    "doc": None,  # the documents an application type asks for (the office's own setting)
    "any_one": None,
    "default": None,
    "collector": None,  # a handover to someone else than the applicant
    "power_of_attorney": None,
    "proxy_name": None,
    "proxy_nik": None,
    "hal": "1",  # a page of a list
    "pemilihan": None,  # the print work list: villages with an election only
    "election_only": None,
    "idem": None,
    "all_villages": None,
    "documents": None,
    "laporan_polisi": None,
    "ktp_lama": None,
    "no_kk": None,
    "akta_kelahiran": None,
    "akta_perkawinan": None,
    "akta_perceraian": None,
    "grant_type": None,
    "scope": None,
    "client_id": None,
    "client_secret": None,
    "missing_document": None,
    # Rationing: a policy's number is numbered per office (like a ledger entry's seq): the
    # other office's number is the acting office's own policy, never the other's.
    "number": 1,
    "daily_cap": 10,
    "classes": None,
    "others_get": None,
    "last_day": None,
    # Old cards: the register page's "all cards", the hand-in, the destruction, the count.
    # The national and province view: a province's code and the view's filters belong to
    # no office (both offices here are of province 17; an office's user is refused anyway).
    "province": None,
    "kode": "17",
    "code": "17",
    "risk": None,
    "election": None,
    "sort": None,
    "semua": None,
    "held": None,
    "card_serial": None,
    "received_on": None,
    "received_by": None,
    "destroyed_on": None,
    "counted_on": None,
    "witnesses": ["Saksi Satu", "Saksi Dua"],
    "place": "Halaman kantor uji",
    "method": None,
    "all_held": None,
    "ikd_target": None,
    # A printer's state (the note above says what happened).
    "state": "in_repair",
    "since": None,
    "expected_back": None,
    # Requests for blanks: a step's comment, the letter's number.
    "comment": "uji isolasi",
    "letter_number": None,
    "due": "2026-12-31",  # a loan's due date
}
# Paths with a choice of value: every one is tried (every action of an application).
ACTIONS = tuple(a.value for a in Action)
STOCK_REPORTS = ("usage", "count", "receipt", "destruction", "item_usage", "item_count")
PATH_CHOICES = {
    ("name", "page.report.stock"): STOCK_REPORTS,
    ("name", "api.reports.stock"): STOCK_REPORTS,
    ("name", "page.report.office"): ("coverage", "request", "purchase"),
    ("name", "api.reports.office"): ("coverage", "request", "purchase"),
    ("action", "page.service.act"): ACTIONS,
    ("action", "api.applications.act"): ACTIONS,
}
# Writes that take the other office's value as data of their own: a count records the
# serials found at a location, on the books or not (a card of another office found in the
# store is an "unexpected" finding), without telling whose they are.
KEEPS_OTHER = {
    ("scanned", "page.stock.count"),
    ("serials", "api.stock.counts.create"),
}
# The kinds of id whose other office's object must be indistinguishable from one that exists
# nowhere: same status, same error, same page. Not serials (unique in the whole database, by
# design: receiving a serial another office holds is refused as "already recorded"), not
# entry seqs (numbered per office: the other office's number is the own office's entry),
# not office, village and kecamatan codes (Kemendagri's, public).
GHOSTS = {
    "nik",
    "receipt",
    "count_id",
    "closure_id",
    "event_id",
    "username",
    "location",
    "shipment_id",
    "destruction_id",
    "card_id",
    "printer",
    "item",
    "request_id",
    "loan_id",
}
# Where a user name is taken in the whole database: adding it answers "sudah ada" (409), by
# design (docs/security.md, Scopes).
NAMES_TAKEN = {("username", "api.users.add"), ("username", "page.users.add")}
# Fields that only some choices of a path value take (an action's station and serial, a
# report's count or entry): sent only with the choices that take them.
DEPENDENT = {
    "page.service.act": {"station", "serial", "printer"},
    "api.applications.act": {"station", "serial", "printer"},
    "page.report.stock": {"count_id", "seq", "item"},
    "api.reports.stock": {"count_id", "seq", "item"},
}
TAKEN_BY = {
    "print": {"station", "serial", "printer"},
    "count": {"count_id"},
    "receipt": {"seq"},
    "item_usage": {"item"},
    "item_count": {"item"},
}
# Form routes that read their form by hand (no declared fields): the fields they read.
FORM_BY_HAND = {
    "page.agenda.event_add": ("name", "date", "kind", "villages", "all_villages"),
    "page.old_cards.receive": ("nik", "reason", "card_serial", "received_on", "note"),
    "page.old_cards.destroy": (
        "cards",
        "witnesses",
        "place",
        "method",
        "destroyed_on",
        "all_held",
    ),
    "page.old_cards.count": ("counted", "counted_on", "reason"),
    # One quantity field per office (q-17.04 ...), read by hand.
    "page.national.allocation.apply": ("stock", "box", "document"),
}
# Fields read by hand that come once per value.
FORM_MANY = {"villages", "cards", "witnesses"}
# POST routes without a body.
BODYLESS = {"page.logout", "api.auth.logout", "page.audit.verify"}
# Parameters of the request itself, not of any office.
IGNORED = {"idempotency_key", "request"}
# Either-or fields: with serials sent, the quantity is left out.
EXCLUSIVE = {"serials": ("qty", "counted"), "scanned": ("counted",)}
# Tables without `office_code`: each one's rows belong to an office through its parent (the
# parent's office is counted), or to no office at all.
NOT_PER_OFFICE: dict[str, tuple[str, Any] | None] = {
    "office": None,  # the office row itself (its ledger head): compared whole
    "region": None,  # Kemendagri's codes, shared
    "login_attempt": None,  # per typed user name: any caller may add to it (docs/security.md)
    "stock_count_part": ("count_id", t.stock_count),
    "event_village": ("event_id", event),
    "application_event": ("application_id", application),
    "loan_event": ("loan_id", loan),  # a loan's timeline: the lender's
    # One counter of snapshot saves for the whole database (the national view's cache key):
    # written by the snapshot job only, never by a request.
    "snapshot_generation": None,
}
# Per-office tables too big to compare row by row: compared by count (and blanks by state
# and location); every write to them also moves the office's ledger head or adds rows.
BIG = {"resident", "blank", "ledger_entry", "entry_range"}
# Rows written by reads: who viewed which resident's personal data, in the viewer's office.
READS_LOGGED = {"read_log"}
# Figures computed from an office's own data by their one function and stored for whoever
# asks next (services.derived): any view may store one (the public status page of any office
# stores that office's forecast). They hold nothing a request sent, so they are not part of
# an office's state here; tests/integration/test_derived_figures.py checks that another
# office's writes never change which figure is read.
COMPUTED = {"derived_figure"}


@dataclass
class Office:
    """One office's ids (what the other office's users try) and its distinctive strings."""

    code: str
    tag: str
    ids: dict[str, Any]
    users: dict[str, str]  # role -> user name
    niks: set[str] = field(default_factory=set)
    receipts: set[str] = field(default_factory=set)
    # Ids of the same kinds that exist nowhere (well formed, in this office's region).
    ghosts: dict[str, Any] = field(default_factory=dict)

    def leaks(self, text: str) -> list[str]:
        """The strings of this office found in `text`."""
        found = [m.group(0) for m in re.finditer(self.tag, text, re.IGNORECASE)]
        prefix = PREFIXES[self.code]
        found += re.findall(rf"(?<![A-Za-z0-9]){prefix}\d{{6}}", text)
        masked = {_mask(n) for n in self.niks}
        found += [n for n in re.findall(r"\d{16}|\d{4}\*{8}\d{4}", text) if n in self.niks | masked]
        found += [r for r in re.findall(r"\d{4}-\d{8}-\d{4}", text) if r in self.receipts]
        return found


def _mask(nik: str) -> str:
    return nik[:4] + "********" + nik[-4:]


def _build(ctx, code: str) -> Office:  # type: ignore[no-untyped-def]
    tag = TAGS[code]
    prefix = PREFIXES[code]
    own = replace(ctx, actor=f"petugas_{tag}")
    office = build(own, code, PLAN, prefix=prefix, user=f"kepala_{tag}")
    # One account per role (the head's is the builder's), written straight into the table
    # with one password hash: the test signs their tokens and cookies itself.
    digest = PasswordHasher().hash("rahasia-uji-123")
    with ctx.write_plain() as conn:
        conn.execute(
            app_user.insert(),
            [
                {
                    "username": f"{USER_OF_ROLE[role]}_{tag}",
                    "office_code": code,
                    "role": role,
                    "password_hash": digest,
                    "active": True,
                    "created_at": ctx.now(),
                }
                for role in ROLES
                if role != "kepala"
            ],
        )
    post = f"pos-{tag}"
    setup.add_location(own, name=post, kind="station", office=code)
    yesterday = ctx.today() - timedelta(days=1)
    writes.transfer(
        own, qty=10, from_location="gudang", to_location=post, effective=yesterday, office=code
    )
    received = writes.receive_shipment(
        own,
        serials=f"{prefix}900001-{prefix}900020",
        source=f"Gudang provinsi {tag}",
        document=f"BAST-{tag.upper()}-77",
        effective=yesterday,
        office=code,
    )
    with ctx.write_plain() as conn:
        conn.execute(
            resident.update().where(resident.c.office_code == code).values(nama=f"Warga {tag}")
        )
        conn.execute(
            event.update().where(event.c.office_code == code).values(name=f"Pilkades {tag}")
        )
    with ctx.read() as conn:
        niks = set(conn.execute(select(resident.c.nik).where(resident.c.office_code == code)))
        apps = conn.execute(
            select(application.c.receipt, application.c.nik, application.c.status).where(
                application.c.office_code == code
            )
        ).all()
        count_id = conn.execute(
            select(func.max(t.stock_count.c.id)).where(t.stock_count.c.office_code == code)
        ).scalar_one()
        closure_id = conn.execute(
            select(func.max(closure.c.id)).where(closure.c.office_code == code)
        ).scalar_one()
        free_nik = conn.execute(
            select(resident.c.nik)
            .where(
                resident.c.office_code == code,
                resident.c.tanggal_rekam.is_not(None),
                resident.c.tanggal_cetak.is_(None),
                resident.c.nik.not_in(select(application.c.nik)),
            )
            .order_by(resident.c.nik)
            .limit(1)
        ).scalar_one()
    ready = sorted(r.receipt for r in apps if r.status == "siap_cetak")
    # A shipment from the directorate to this office, in transit: its serials carry the
    # office's prefix, so that another office's user who saw them would be caught.
    central = replace(ctx, actor=f"pusat_{tag}")
    writes.receive_shipment(
        central,
        serials=f"{prefix}950001-{prefix}950010",
        source="Pengadaan pusat",
        document=f"KONTRAK-{tag.upper()}",
        effective=yesterday,
        office=organisation.DIRECTORATE_CODE,
    )
    iw.add_printer(own, name=f"printer-{tag}", station=post, capacity=150, office=code)
    # A ribbon with a count that found one roll missing: the item reports of this office.
    iw.add_item(own, code=f"pita-{tag}", name=f"Pita {tag}", role="ribbon", unit="roll",
                yield_prints=500, office=code)  # fmt: skip
    iw.receive(own, item=f"pita-{tag}", lot=f"L-{tag}", quantity=3, document=f"BAST-{tag}",
               effective=yesterday, office=code)  # fmt: skip
    iw.count(own, item=f"pita-{tag}", lot=f"L-{tag}", counted=2, reason=f"uji {tag}",
             effective=yesterday, office=code)  # fmt: skip
    shipment = shipments.send(
        central,
        from_office=organisation.DIRECTORATE_CODE,
        to_office=code,
        serials=f"{prefix}950001-{prefix}950010",
        document=f"SP-{tag.upper()}",
        effective=yesterday,
    )["shipment"]
    # A request of this office, drafted by its own staff (the actor carries the tag).
    asked = blank_requests.draft(own, office=code, quantity=100, reason="uji isolasi")["request"]
    # A loan arranged by the directorate from this office to an office of its own (no other
    # office of the test borrows it), its reason tagged.
    lent = loans.arrange(
        central,
        lender=code,
        borrower=BORROWERS[code],
        quantity=5,
        reason=f"Pinjaman {tag}",
        due=ctx.today() + timedelta(days=30),
    )["loan"]
    return Office(
        code=code,
        tag=tag,
        ids={
            "serial": f"{prefix}900010",
            "serials": f"{prefix}900011-{prefix}900012",
            "location": post,
            "nik": free_nik,
            "receipt": ready[-1],
            "count_id": count_id,
            "closure_id": closure_id,
            "event_id": office.event_id,
            "seq": received["entries"][0]["seq"],
            "username": f"operator_{tag}",
            "office": code,
            "desa": office.villages[0],
            "kecamatan": office.villages[0][:8],
            "shipment_id": shipment["id"],
            "destruction_id": office.destruction_id,
            "card_id": office.card_id,
            "printer": f"printer-{tag}",
            "item": f"pita-{tag}",
            "request_id": asked["id"],
            "loan_id": lent["id"],
        },
        users={
            role: (f"kepala_{tag}" if role == "kepala" else f"{USER_OF_ROLE[role]}_{tag}")
            for role in ROLES
        },
        niks={n for (n,) in niks},
        receipts={r.receipt for r in apps},
        ghosts={
            "nik": build_nik(office.villages[0][:8], date(1990, 1, 1), "L", 9999),
            "receipt": format_receipt(code, ctx.today() - timedelta(days=6), 999),
            "count_id": 2_000_000_000,
            "closure_id": 2_000_000_000,
            "event_id": 2_000_000_000,
            "username": "hantu_tak_ada",
            "location": "pos-hantu",
            "shipment_id": 2_000_000_000,
            "destruction_id": 2_000_000_000,
            "card_id": 2_000_000_000,
            "printer": "printer-hantu",
            "item": "pita-hantu",
            "request_id": 2_000_000_000,
            "loan_id": 2_000_000_000,
        },
    )


# The state of one office ------------------------------------------------------------------------
def _check_tables() -> None:
    for table in metadata.sorted_tables:
        assert "office_code" in table.c or table.name in NOT_PER_OFFICE, (
            f"table {table.name} has no office_code: list it in NOT_PER_OFFICE with its parent"
        )


def states(ctx, codes: tuple[str, ...] = (A, B)) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Everything of each office a write could change: the office row (its ledger head), every
    row of its small tables, the number of rows of its big ones, its blanks by state and
    location, and the rows that hang off its counts, events and applications."""
    out: dict[str, dict[str, Any]] = {code: {} for code in codes}

    def put(table: str, rows: Any) -> None:
        for code, state in out.items():
            state[table] = sorted((tuple(r[1:]) for r in rows if r[0] == code), key=repr)

    with ctx.read() as conn:
        put("office", conn.execute(select(t.office.c.code, t.office)).all())
        for table in metadata.sorted_tables:
            if table.name in COMPUTED:
                continue
            if "office_code" in table.c:
                code = table.c.office_code
                if table.name == "blank":
                    cols = [code, table.c.state, table.c.location_id, func.count()]
                    query = select(*cols).group_by(code, table.c.state, table.c.location_id)
                elif table.name in BIG:
                    query = select(code, func.count()).group_by(code)
                else:
                    query = select(code, table)
                put(table.name, conn.execute(query).all())
            elif NOT_PER_OFFICE[table.name] is not None:
                column, parent = NOT_PER_OFFICE[table.name]  # type: ignore[misc]
                query = select(parent.c.office_code, table).join(
                    parent, parent.c.id == table.c[column]
                )
                put(table.name, conn.execute(query).all())
    return out


def _stated_tables() -> list[str]:
    """The tables states() reads: what a write into an office could change."""
    return [
        table.name
        for table in metadata.sorted_tables
        if table.name not in COMPUTED
        and ("office_code" in table.c or NOT_PER_OFFICE[table.name] is not None)
    ] + ["office"]


class Changes:
    """A counter that every insert, update and delete on a table states() reads moves, in the
    writing transaction (triggers on this test's own database): while it stands still, no
    such table was written, so the offices' states are what states() read last. The test
    reads it after every try and reads the states again only when it moved (a write's try
    compared all of both offices' tables each time: 2.700 times per backend, about a third
    of the test's time). At the end of every route the states are read anyway and must equal
    the ones the counter vouched for, so a write the triggers missed would fail the test."""

    TABLE = "zz_isolation_changes"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        self.ctx = ctx
        postgres = ctx.engine.dialect.name == "postgresql"
        with ctx.write_plain() as conn:
            run = conn.exec_driver_sql
            run(f"CREATE TABLE {self.TABLE} (n INTEGER NOT NULL)")
            run(f"INSERT INTO {self.TABLE} VALUES (0)")
            if postgres:
                run(
                    f"CREATE FUNCTION zz_isolation_bump() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$$ BEGIN UPDATE {self.TABLE} SET n = n + 1; RETURN NULL; END $$"
                )
            for name in _stated_tables():
                if postgres:
                    # Per statement (one that touches no row moves it too: a needless
                    # comparison, never a missed one); TRUNCATE included.
                    run(
                        f"CREATE TRIGGER zz_isolation_bump AFTER INSERT OR UPDATE OR DELETE "
                        f'OR TRUNCATE ON "{name}" FOR EACH STATEMENT '
                        f"EXECUTE FUNCTION zz_isolation_bump()"
                    )
                    continue
                for op in ("INSERT", "UPDATE", "DELETE"):
                    run(
                        f'CREATE TRIGGER "zz_isolation_{name}_{op}" AFTER {op} ON "{name}" '
                        f"BEGIN UPDATE {self.TABLE} SET n = n + 1; END"
                    )
        self.seen = self.value()

    def value(self) -> int:
        with self.ctx.read() as conn:
            return int(conn.exec_driver_sql(f"SELECT n FROM {self.TABLE}").scalar_one())

    def moved(self) -> bool:
        """Whether a table states() reads was written since the last call."""
        now = self.value()
        moved, self.seen = now != self.seen, now
        return moved


def _written(state: dict[str, Any]) -> dict[str, Any]:
    """An office's state but its read log: a refused write that shows the counter page again
    logs that view of personal data, in the acting office (docs/security.md, read log)."""
    return {k: v for k, v in state.items() if k not in READS_LOGGED}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    return ", ".join(
        sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    )


def _version(ctx, username: str) -> int:  # type: ignore[no-untyped-def]
    with ctx.read() as conn:
        return int(
            conn.execute(
                select(app_user.c.session_version).where(app_user.c.username == username)
            ).scalar_one()
        )


# The parameters of a route -------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path, query, form, json
    required: bool
    many: bool = False  # a list


def _unoptional(annotation: Any) -> Any:
    """`X | None` -> X."""
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(_unoptional(annotation)) is list


def _walk(dependant: Dependant) -> list[Dependant]:
    """The route's own parameters and those of every dependency it has, at any depth."""
    return [dependant, *(d for sub in dependant.dependencies for d in _walk(sub))]


def parameters(route: APIRoute) -> list[Param]:
    every = _walk(route.dependant)
    out = [Param(p.name, "path", True) for d in every for p in d.path_params]
    out += [
        Param(p.name, "query", p.field_info.is_required()) for d in every for p in d.query_params
    ]
    for p in (p for d in every for p in d.body_params):
        if isinstance(p.field_info, fastapi_params.Form):
            many = _is_list(p.field_info.annotation)
            out.append(Param(p.name, "form", p.field_info.is_required(), many))
            continue
        model = _unoptional(p.field_info.annotation)
        assert isinstance(model, type) and issubclass(model, BaseModel), (route.name, p.name)
        for name, info in model.model_fields.items():
            out.append(Param(name, "json", info.is_required(), _is_list(info.annotation)))
    for name in FORM_BY_HAND.get(route.name, ()):
        out.append(Param(name, "form", False, many=name in FORM_MANY))
    return out


def unclassified(route: APIRoute) -> list[str]:
    names = {p.name for p in parameters(route)} - IGNORED
    wrong = [
        f"{route.name}: parameter '{n}' is in neither ID_KINDS nor PLAIN"
        for n in sorted(names)
        if n not in ID_KINDS and n not in PLAIN and (n, route.name) not in PATH_CHOICES
    ]
    fields = any(p.where in ("form", "json") for p in parameters(route))
    if "POST" in route.methods and not fields and route.name not in BODYLESS:
        wrong.append(f"{route.name}: a POST without fields: list it in FORM_BY_HAND or BODYLESS")
    return wrong


@dataclass
class Try:
    method: str
    path: str
    query: dict[str, Any]
    form: dict[str, Any] | None
    json: dict[str, Any] | None
    substituted: str | None  # the parameter that carries the other office's id
    sent: list[str]  # the other office's values sent (a response may name them)
    # The same request with an id of the same kind that exists nowhere: the answers must be
    # the same, or the answer tells that the other office's object exists.
    ghost: Try | None = None


def _value(p: Param, office: Office, *, own: bool, ghost: bool = False) -> Any:
    value = (office.ghosts if ghost else office.ids)[ID_KINDS[p.name]]
    if own and p.name == "from_location":
        value = "gudang"  # where the own office's blanks are
    if p.name == "locations":
        return [{"location": value, "counted": 5}]
    return [value] if p.many else value


def _takes(p: Param, route: APIRoute, choice: dict[str, str]) -> bool:
    """Whether a try of `route` with the path values `choice` sends `p`."""
    if p.name in IGNORED or (p.name, route.name) in PATH_CHOICES:
        return False
    if p.name in DEPENDENT.get(route.name, set()):
        return any(p.name in TAKEN_BY.get(v, set()) for v in choice.values())
    return True


def _is_id(p: Param, route: APIRoute) -> bool:
    return p.name in ID_KINDS and (p.name, route.name) not in ROUTE_PLAIN


def tries(route: APIRoute, own: Office, other: Office, fresh: itertools.count) -> list[Try]:  # type: ignore[type-arg]
    """The requests that try `route` with `other`'s ids: one per id parameter (that one the
    other office's, the required others the own office's), for every choice of path value;
    each with its ghost where the id's kind has one (`GHOSTS`)."""
    params = parameters(route)
    choices = {
        p.name: PATH_CHOICES[(p.name, route.name)]
        for p in params
        if (p.name, route.name) in PATH_CHOICES
    }
    combos = [dict(zip(choices, c, strict=True)) for c in itertools.product(*choices.values())]
    json_body = any(p.where == "json" for p in params)
    out: list[Try] = []
    for choice in combos or [{}]:
        action = choice.get("action")
        sends = [p for p in params if _takes(p, route, choice)]
        ids = [p for p in sends if _is_id(p, route)]
        for target in ids or [None]:
            values: dict[Param, Any] = {}
            for p in sends:
                if p is target:
                    value = _value(p, other, own=False)
                elif (p.name, route.name) in OWN_FRESH:
                    value = OWN_FRESH[(p.name, route.name)].format(n=next(fresh))
                elif _is_id(p, route):
                    if not (p.required or (action == "print" and p.name == "station")):
                        continue
                    value = _value(p, own, own=True)
                elif (p.name, route.name) in ROUTE_PLAIN:
                    value = ROUTE_PLAIN[(p.name, route.name)]
                elif p.name == "fmt":
                    value = ("xlsx", "pdf")[next(fresh) % 2]
                else:
                    value = PLAIN[p.name]
                if value is not None:
                    values[p] = value
            ghostly = (
                target is not None
                and ID_KINDS[target.name] in GHOSTS
                and (target.name, route.name) not in NAMES_TAKEN
            )
            for method in sorted(route.methods):
                attempt = _assemble(route, method, choice, values, target, json_body)
                if ghostly:
                    assert target is not None
                    ghost_values = {**values, target: _value(target, other, own=False, ghost=True)}
                    attempt.ghost = _assemble(
                        route, method, choice, ghost_values, target, json_body
                    )
                out.append(attempt)
    return out


def _assemble(  # type: ignore[no-untyped-def]
    route: APIRoute,
    method: str,
    choice: dict[str, str],
    values: dict[Param, Any],
    target,
    json_body: bool,
) -> Try:
    path, query, body = route.path, {}, {}
    for name, value in choice.items():
        path = path.replace("{" + name + "}", value)
    for p, value in values.items():
        if p.where == "path":
            path = re.sub(r"\{" + p.name + r"(:\w+)?\}", str(value), path)
        elif p.where == "query":
            query[p.name] = value
        else:
            body[p.name] = value
    for name, dropped in EXCLUSIVE.items():
        if name in body:
            for d in dropped:
                body.pop(d, None)
    return Try(
        method,
        path,
        query,
        None if json_body or method == "GET" else body,
        body if json_body and method == "POST" else None,
        target.name if target else None,
        _flat(values[target]) if target else [],
    )


def _flat(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for v in value for s in _flat(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flat(v)]
    return [str(value)]


def response_text(r) -> str:  # type: ignore[no-untyped-def]
    """What a person or program would read in the response: the page, JSON or SVG; every
    XML part of an xlsx; the text of every page of a pdf."""
    kind = r.headers.get("content-type", "")
    if r.content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if r.content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(r.content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "octet-stream" not in kind, kind
    return r.text


# The test ---------------------------------------------------------------------------------------
@pytest.fixture
def two_offices(ctx):  # type: ignore[no-untyped-def]
    _check_tables()
    setup.init(ctx, directorate=True)  # ships to both offices (docs/network.md)
    for code in (BORROWERS[A], BORROWERS[B]):
        setup.create_office(ctx, code=code)
    return _build(ctx, A), _build(ctx, B)


def test_every_route_with_another_office_ids(ctx, two_offices, stack, capsys) -> None:  # type: ignore[no-untyped-def]
    offices = {o.code: o for o in two_offices}
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    routes = api_routes(app)
    wrong = [w for r in routes for w in unclassified(r)]
    assert not wrong, "\n".join(wrong)
    # One client for the whole test: a client outside `with` starts a thread and an event
    # loop for every request (a quarter of the test's time for its 4.500 requests).
    client = stack.enter_context(TestClient(app))
    fresh = itertools.count(1)
    failures: list[str] = []
    requests = refused = ghosts = 0
    tried: set[tuple[str, str, str]] = set()
    # What each office's users gave it of the other office's values and it kept as its own
    # data (serials scanned at a count): its pages show them from then on.
    kept: dict[str, set[str]] = {A: set(), B: set()}
    # The reader reads what a report shows: the own office's receipt report names its document.
    for fmt in ("xlsx", "pdf"):
        a = offices[A]
        r = client.get(
            f"/api/v1/reports/stock/receipt?seq={a.ids['seq']}&fmt={fmt}",
            headers={"Authorization": f"Bearer {app.state.signer.issue_token(a.users[STOK])}"},
        )
        assert r.status_code == 200 and "BAST-ZQA-77" in response_text(r), fmt
    changes = Changes(ctx)
    state = states(ctx)
    full_reads = 0
    # Log-out routes last: they end the caller's sessions (versions are read anew each time).
    ordered = sorted(routes, key=lambda r: "logout" in r.name)
    for own_code, other_code in ((A, B), (B, A)):
        own, other = offices[own_code], offices[other_code]
        for route in ordered:
            for attempt in tries(route, own, other, fresh):
                for role in ROLES:
                    user = own.users[role]
                    r = _call(client, app, ctx, attempt, user)
                    requests += 1
                    tried.add((route.name, role, own_code))
                    where = f"{attempt.method} {attempt.path} {attempt.query} as {user} ({role})"
                    failures += _judge(r, attempt, route, role, other, kept[own_code], where)
                    if attempt.ghost and role in ROUTE_ROLES[route.name] and not _public(route):
                        twin = _call(client, app, ctx, attempt.ghost, user)
                        requests += 1
                        ghosts += 1
                        if _answer(r, attempt.sent) != _answer(twin, attempt.ghost.sent):
                            failures.append(
                                f"{where}: {other_code}'s {attempt.substituted} is told apart "
                                f"from one that does not exist: {_answer(r, attempt.sent)} "
                                f"against {_answer(twin, attempt.ghost.sent)}"
                            )
                    if attempt.method != "POST":
                        continue
                    refused += attempt.substituted is not None and 400 <= r.status_code < 500
                    if not changes.moved():
                        continue  # nothing written: both offices as `state` says
                    after = states(ctx)
                    full_reads += 1
                    if after[other_code] != state[other_code]:
                        failures.append(
                            f"{where}: wrote into {other_code} "
                            f"({_changed(state[other_code], after[other_code])})"
                        )
                    if (
                        _written(after[own_code]) != _written(state[own_code])
                        and attempt.substituted
                    ):
                        if (attempt.substituted, route.name) in KEEPS_OTHER:
                            kept[own_code].update(_echoes(attempt.sent))
                        else:
                            failures.append(
                                f"{where}: a write with {other_code}'s {attempt.substituted} "
                                f"changed {own_code} ({_changed(state[own_code], after[own_code])})"
                            )
                    state = after
            # A read that wrote would show here.
            moved = changes.moved()
            after = states(ctx)
            full_reads += 1
            if after[other_code] != state[other_code]:
                failures.append(
                    f"{route.name} as {own_code}: {other_code}'s state changed "
                    f"({_changed(state[other_code], after[other_code])})"
                )
            if not moved and after != state:
                failures.append(
                    f"{route.name} as {own_code}: written without the change counter moving "
                    f"({_changed(state[own_code], after[own_code])}; "
                    f"{_changed(state[other_code], after[other_code])})"
                )
            state = after
    assert {name for name, _, _ in tried} == {r.name for r in routes}
    assert len(tried) == len(routes) * len(ROLES) * len(offices)
    with capsys.disabled():
        print(
            f"\nisolation: {len(routes)} routes x {len(ROLES)} roles x {len(offices)} offices "
            f"= {len(tried)} tried in {requests} requests; {refused} writes with the other "
            f"office's ids refused; {ghosts} answers compared with a non-existent id's; "
            f"both offices' states read {full_reads} times; {len(failures)} failures"
        )
    assert not failures, "\n".join(failures[:60])


def _call(client, app, ctx, attempt: Try, user: str):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    headers: dict[str, str] = {}
    version = _version(ctx, user)
    form = attempt.form
    if attempt.path.startswith("/api/"):
        headers["Authorization"] = f"Bearer {app.state.signer.issue_token(user, version)}"
    else:
        for k, v in session_cookie(app, user, version=version).items():
            client.cookies.set(k, v)
        if attempt.method == "POST":
            form = {"csrf": "csrf-uji", **(form or {})}
    return client.request(
        attempt.method,
        attempt.path,
        params=attempt.query,
        data=form,
        json=attempt.json,
        headers=headers,
        follow_redirects=False,
    )


def _echoes(sent: list[str]) -> set[str]:
    """The forms in which a response may name a value the request sent: the value, each
    serial of a range (`QB900011-QB900012`), a NIK masked. Numbers (ids) are not among
    them: they cannot be taken for a name, serial or NIK, and taking them out of the text
    would break the NIKs in it."""
    out = {v for v in sent if len(v) >= 5}
    for value in sent:
        m = re.fullmatch(r"([A-Z]+)(\d+)-([A-Z]+)(\d+)", value)
        if m and m.group(1) == m.group(3):
            width = len(m.group(2))
            for n in range(int(m.group(2)), int(m.group(4)) + 1):
                out.add(f"{m.group(1)}{n:0{width}d}")
        if re.fullmatch(r"\d{16}", value):
            out.add(_mask(value))
    return out


def _public(route: APIRoute) -> bool:
    return "anonymous" in ROUTE_ROLES[route.name]


def _answer(r, sent: list[str]) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """What an answer tells, with the id it was asked about taken out: the status and, for a
    page, its error messages; for JSON the whole body; for a file nothing more."""
    kind = r.headers.get("content-type", "")
    if "json" in kind:
        told = r.text
    elif "html" in kind:
        told = "\n".join(re.findall(r'<p class="error"[^>]*>(.*?)</p>', r.text, re.S))
    else:
        told = ""
    for value in sorted(sent, key=len, reverse=True):
        for form in {value, _mask(value)} if re.fullmatch(r"\d{16}", value) else {value}:
            told = re.sub(rf"(?<!\w)(?<!\d\.){re.escape(form)}(?!\w|\.\d)", "<id>", told)
    return r.status_code, told


def _judge(  # type: ignore[no-untyped-def]
    r, attempt: Try, route: APIRoute, role: str, other: Office, kept: set[str], where: str
) -> list[str]:
    if r.status_code >= 500:
        return [f"{where}: {r.status_code} {r.text[:200]}"]
    out: list[str] = []
    text = response_text(r)
    for value in sorted(_echoes(attempt.sent) | kept, key=len, reverse=True):
        text = text.replace(value, "")
    leaked = other.leaks(text)
    if leaked:
        out.append(f"{where}: shows {other.code}'s {sorted(set(leaked))[:5]} ({r.status_code})")
    if role not in ROUTE_ROLES[route.name] or attempt.substituted is None:
        return out
    if _public(route):
        return out  # public: a receipt or an office code is anyone's to look up
    write = attempt.method == "POST" and (attempt.substituted, route.name) not in KEEPS_OTHER
    if write and not 400 <= r.status_code < 500:
        out.append(
            f"{where}: a write with {other.code}'s {attempt.substituted} answered {r.status_code}"
        )
    path_ids = {p.name for p in parameters(route) if p.where == "path"}
    if attempt.substituted in path_ids and r.status_code != 404:
        out.append(
            f"{where}: {other.code}'s {attempt.substituted} answered {r.status_code}, not 404"
        )
    return out


# Route x role x scope ---------------------------------------------------------------------------
# A province's user (of Bengkulu, 17) reads the offices of its province by `?office=`; the
# directorate's user every office (docs/security.md, "Scopes"). Below: Kaur (A, 17.04) in
# Bengkulu and Ogan Komering Ulu (C, 16.01) in Sumatera Selatan, each built with its history.
PROVINCE = "17"


def _scope_users(ctx) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """One province user and one directorate user per role: {"province"|"directorate": {role:
    name}}."""
    digest = PasswordHasher().hash("rahasia-uji-123")
    made: dict[str, dict[str, str]] = {"province": {}, "directorate": {}}
    rows = []
    for role in ROLES:
        for scope, office, province in (
            ("province", None, PROVINCE),
            ("directorate", organisation.DIRECTORATE_CODE, None),
        ):
            name = f"{USER_OF_ROLE[role]}_{scope}"
            made[scope][role] = name
            rows.append(
                {
                    "username": name,
                    "office_code": office,
                    "province": province,
                    "role": role,
                    "password_hash": digest,
                    "active": True,
                    "created_at": ctx.now(),
                }
            )
    with ctx.write_plain() as conn:
        conn.execute(app_user.insert(), rows)
    return made


@pytest.fixture
def two_provinces(ctx):  # type: ignore[no-untyped-def]
    _check_tables()
    setup.init(ctx, directorate=True)
    for code in (BORROWERS[A], BORROWERS[C]):
        setup.create_office(ctx, code=code)
    return _build(ctx, A), _build(ctx, C), _scope_users(ctx)


def _reading(attempt: Try, office: str) -> Try:
    """The try as a reader of `office` (`?office=`), unless the try names an office itself."""
    if attempt.substituted == "office" or "office" in attempt.query:
        return attempt
    ghost = _reading(attempt.ghost, office) if attempt.ghost else None
    return replace(attempt, query={**attempt.query, "office": office}, ghost=ghost)


def test_every_route_by_scope(ctx, two_provinces, stack, capsys) -> None:  # type: ignore[no-untyped-def]
    """Every route x role as a province's user of Bengkulu reading Kaur (A) with the ids of
    Ogan Komering Ulu (C, another province): nothing of C shows, no write with C's ids is
    taken, C's object by id is told apart from none, C's state is unchanged. Then every
    read route x role as a directorate's user reading C with C's own ids: answered (not
    refused as out of scope) unless its role or personal data refuses it, C unchanged."""
    a, c, scoped = two_provinces
    codes = (A, C)
    app = create_app(ctx, settings=Settings(secret_key=SECRET))
    routes = api_routes(app)
    client = stack.enter_context(TestClient(app))  # one for the test (see above)
    fresh = itertools.count(1)
    failures: list[str] = []
    requests = read_on_a = 0
    tried: set[tuple[str, str, str]] = set()
    changes = Changes(ctx)
    state = states(ctx, codes)
    ordered = sorted(routes, key=lambda r: "logout" in r.name)
    for route in ordered:
        for attempt in tries(route, a, c, fresh):
            reading = _reading(attempt, A)
            for role in ROLES:
                user = scoped["province"][role]
                r = _call(client, app, ctx, reading, user)
                requests += 1
                tried.add((route.name, role, "province"))
                where = f"{reading.method} {reading.path} {reading.query} as {user} ({role})"
                if r.status_code >= 500:
                    failures.append(f"{where}: {r.status_code} {r.text[:200]}")
                text = response_text(r)
                for value in sorted(_echoes(reading.sent), key=len, reverse=True):
                    text = text.replace(value, "")
                leaked = c.leaks(text)
                if leaked:
                    failures.append(f"{where}: shows {C}'s {sorted(set(leaked))[:5]}")
                if (
                    reading.substituted
                    and reading.method == "POST"
                    and (reading.substituted, route.name) not in KEEPS_OTHER
                    and not _public(route)
                    and not 400 <= r.status_code < 500
                ):
                    failures.append(f"{where}: a write with {C}'s {reading.substituted} taken")
                if reading.ghost and role in ROUTE_ROLES[route.name] and not _public(route):
                    twin = _call(client, app, ctx, reading.ghost, user)
                    requests += 1
                    if _answer(r, reading.sent) != _answer(twin, reading.ghost.sent):
                        failures.append(
                            f"{where}: {C}'s {reading.substituted} is told apart from one "
                            f"that does not exist: {_answer(r, reading.sent)} against "
                            f"{_answer(twin, reading.ghost.sent)}"
                        )
                read_on_a += (
                    reading.method == "GET"
                    and role in ROUTE_ROLES[route.name]
                    and r.status_code < 400
                    and reading.query.get("office") == A
                )
                if reading.method == "POST" and changes.moved():
                    after = states(ctx, codes)
                    if after[C] != state[C]:
                        failures.append(f"{where}: wrote into {C} ({_changed(state[C], after[C])})")
                    if _written(after[A]) != _written(state[A]) and reading.substituted:
                        failures.append(
                            f"{where}: a write with {C}'s {reading.substituted} changed {A}"
                        )
                    state = after
        moved = changes.moved()
        after = states(ctx, codes)
        if after[C] != state[C]:
            failures.append(f"{route.name} as the province: {C} changed")
        if not moved and after != state:
            failures.append(f"{route.name}: written without the change counter moving")
        state = after
    # The directorate reads every office: each read route with C's own ids, `?office=16.01`.
    answered = 0
    for route in ordered:
        if "GET" not in route.methods or _public(route):
            continue
        for attempt in tries(route, c, c, fresh):
            reading = _reading(attempt, C)
            for role in ROLES:
                user = scoped["directorate"][role]
                r = _call(client, app, ctx, reading, user)
                requests += 1
                tried.add((route.name, role, "directorate"))
                where = f"GET {reading.path} {reading.query} as {user} ({role})"
                if r.status_code >= 500:
                    failures.append(f"{where}: {r.status_code} {r.text[:200]}")
                readable = (
                    role in ROUTE_ROLES[route.name]
                    and route.name not in CROSS_OFFICE_REFUSED
                    and route.name not in UNSCOPED_ROUTES
                )
                if readable and r.status_code in (401, 403, 404):
                    failures.append(f"{where}: refused {r.status_code} {r.text[:160]}")
                answered += readable and r.status_code < 400
    after = states(ctx, codes)
    if after[C] != state[C]:
        failures.append(f"the directorate's reads changed {C} ({_changed(state[C], after[C])})")
    with capsys.disabled():
        print(
            f"\nscope: {len(routes)} routes x {len(ROLES)} roles as the province of {PROVINCE} "
            f"against {C}, and the directorate's reads of {C}: {len(tried)} tried in "
            f"{requests} requests; {read_on_a} province reads of {A} and {answered} "
            f"directorate reads of {C} answered; "
            f"{len(failures)} failures"
        )
    assert {name for name, _, scope in tried if scope == "province"} == {r.name for r in routes}
    assert answered > 50 and read_on_a > 20
    assert not failures, "\n".join(failures[:60])
