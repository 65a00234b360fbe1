"""The organisation: the directorate (a ledger holder with its central warehouse), the
provinces (the regions that group offices; no ledger of their own) and the offices."""

from __future__ import annotations

from dataclasses import dataclass

from blangko.adapters.repos import admin as admin_repo
from blangko.adapters.repos import network as repo
from blangko.domain.ledger import GENESIS_HASH
from blangko.services.context import Context
from blangko.services.network import loan_book
from blangko.services.network.results import (
    DirectorateCreated,
    OfficeInNetwork,
    Organisation,
    ProvinceInNetwork,
)

# The directorate's code: not a region code (none starts with 00), the shape of an office's
# code so that every table's office_code holds it.
DIRECTORATE_CODE = "00.00"
DIRECTORATE_NAME = "Ditjen Dukcapil Kemendagri (gudang pusat)"
DIRECTORATE = "direktorat"
REGENCY = "kabupaten"
STORE_NAME = "gudang"


def province_of(office: str) -> str:
    """The province of an office: the first two digits of its regency code (17.04 -> 17)."""
    return office.split(".", 1)[0]


@dataclass(frozen=True)
class Reach:
    """The ledgers a reader of the network sees: the directorate's users and the command line
    see every one; a province's user the offices of the province; an office's user its own
    office only; anyone else nothing."""

    office: str | None = None
    province: str | None = None
    everything: bool = False

    def covers(self, code: str) -> bool:
        if self.everything:
            return True
        if self.province is not None:
            return code != DIRECTORATE_CODE and province_of(code) == self.province
        return code == self.office


EVERYTHING = Reach(everything=True)


def reach_of(office: str | None, province: str | None) -> Reach:
    """A web user's reach: by the office they act for (the directorate's: everything), else
    by their province."""
    if office == DIRECTORATE_CODE:
        return EVERYTHING
    if office is not None:
        return Reach(office=office)
    return Reach(province=province)


def office_known(ctx: Context, code: str) -> bool:
    """Whether an office (or the directorate) of that code is in the database."""
    with ctx.read() as conn:
        return repo.office_kind(conn, code) is not None


def create_directorate(ctx: Context) -> DirectorateCreated:
    """Add the directorate to the database, with its central warehouse (store `gudang`).
    Safe to run again."""
    with ctx.write_plain() as conn:
        created = not admin_repo.office_exists(conn, DIRECTORATE_CODE)
        if created:
            admin_repo.insert_office(
                conn,
                code=DIRECTORATE_CODE,
                name=DIRECTORATE_NAME,
                created_at=ctx.now(),
                head_hash=GENESIS_HASH,
            )
            repo.set_office_kind(conn, DIRECTORATE_CODE, DIRECTORATE)
            admin_repo.insert_location(
                conn, office=DIRECTORATE_CODE, name=STORE_NAME, kind="store", created_at=ctx.now()
            )
        name = admin_repo.office_name(conn, DIRECTORATE_CODE)
    return {"code": DIRECTORATE_CODE, "name": name, "created": created}


def organisation(ctx: Context, *, reach: Reach = EVERYTHING) -> Organisation:
    """The directorate, then each province (by the region data) with its offices, each with
    its blanks on hand and those it shipped that are still in transit; only the ledgers
    within `reach`."""
    with ctx.read() as conn:
        rows = [r for r in repo.organisation(conn) if reach.covers(r.code)]
        names = repo.region_names(
            conn, {province_of(r.code) for r in rows if r.kind != DIRECTORATE}
        )
        loans = loan_book.open_loans(conn, reach.covers, ctx.today())
    directorate: OfficeInNetwork | None = None
    provinces: dict[str, ProvinceInNetwork] = {}
    for r in rows:
        item: OfficeInNetwork = {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "entries": int(r.ledger_seq),
            "on_hand": int(r.on_hand),
            "in_transit": int(r.in_transit),
        }
        if r.kind == DIRECTORATE:
            directorate = item
            continue
        code = province_of(r.code)
        province = provinces.setdefault(
            code,
            {"code": code, "name": names.get(code, code), "offices": [], "on_hand": 0},
        )
        province["offices"].append(item)
        province["on_hand"] += item["on_hand"]
    listed = sorted(provinces.values(), key=lambda p: p["code"])
    return {
        "directorate": directorate,
        "provinces": listed,
        "on_hand": sum(int(r.on_hand) for r in rows),
        "in_transit": sum(int(r.in_transit) for r in rows),
        "open_loans": loans,
    }
