"""Setting up a database: schema, region codes, offices and their locations."""

from __future__ import annotations

from pathlib import Path
from typing import NotRequired

from typing_extensions import TypedDict

from blangko.adapters import regions as reg
from blangko.adapters.db import migrate
from blangko.adapters.repos import admin as repo
from blangko.domain.errors import Conflict, DomainError, NotFound, check_name
from blangko.domain.ledger import GENESIS_HASH, LOCATION_KINDS
from blangko.domain.limits import check_text
from blangko.domain.text import Msg
from blangko.services.context import Context, resolve_office
from blangko.services.network.organisation import create_directorate
from blangko.services.network.results import DirectorateCreated

STORE_NAME = "gudang"


# What the use cases return (TypedDicts: plain dicts at run time, checked by mypy, and the
# web API's response models) ---------------------------------------------------------------
class OfficeCreated(TypedDict):
    code: str
    name: str
    created: bool
    villages: int


class InitResult(TypedDict):
    migrations_applied: list[str]
    regions_loaded: int
    office: NotRequired[OfficeCreated]
    directorate: NotRequired[DirectorateCreated]
    # The database's home office after init (None: none set; docs/network.md).
    home: str | None


class HomeOffice(TypedDict):
    """The database's home office: the office a command that names none acts on."""

    home: str | None
    name: str | None
    changed: bool


class Location(TypedDict):
    """A store or a printing station of an office."""

    name: str
    kind: str


class LocationAdded(TypedDict):
    office: str
    name: str
    kind: str


class OfficeSummary(TypedDict):
    code: str
    name: str
    entries: int
    home: bool


class Region(TypedDict):
    """A Kemendagri region; `jenis` (desa or kelurahan) for villages only."""

    code: str
    name: str
    level: str
    jenis: NotRequired[str]


class RegionsImported(TypedDict):
    rows: int
    added: int
    updated: int


def init(ctx: Context, *, office: str | None = None, directorate: bool = False) -> InitResult:
    """Apply migrations, load region codes when missing, and create the office (and the
    directorate, services/network/organisation.py) if asked.

    Safe to run again: nothing that exists is changed.
    """
    applied = migrate(ctx.engine)
    loaded = 0
    with ctx.write_plain() as conn:
        if repo.count_regions(conn) == 0:
            loaded = repo.insert_regions(conn, reg.shipped_regions())
    result: InitResult = {"migrations_applied": applied, "regions_loaded": loaded, "home": None}
    if office:
        result["office"] = create_office(ctx, code=office)
    if directorate:
        result["directorate"] = create_directorate(ctx)
    result["home"] = _first_home(ctx)
    return result


def _first_home(ctx: Context) -> str | None:
    """The home office, made the database's first office when none is set yet and the
    database holds exactly one office: the one `init` has just set up (a later `init --office`
    adds an office and leaves the home office as it is)."""
    with ctx.write_plain() as conn:
        home = repo.home_office(conn)
        if home is None:
            codes = repo.office_codes(conn, limit=2)
            if len(codes) == 1:
                home = codes[0]
                repo.set_home_office(conn, home, set_at=ctx.now(), set_by=ctx.actor)
        return home


def home_office(ctx: Context) -> HomeOffice:
    """The database's home office, or None when none is set."""
    with ctx.read() as conn:
        home = repo.home_office(conn)
        name = repo.office_name(conn, home) if home is not None else None
    return {"home": home, "name": name, "changed": False}


def set_home_office(ctx: Context, *, office: str) -> HomeOffice:
    """Make an office of the database (the directorate too) its home office: the one every
    command that names no office acts on (--office and BLANGKO_OFFICE still choose another
    for one run)."""
    code = (office or "").strip()
    check_text(code, "office", label="Kode kantor")
    with ctx.write_plain() as conn:
        if not code or not repo.office_exists(conn, code):
            raise NotFound(
                "unknown_office",
                "office",
                Msg("Kantor '{code}' tidak ada di basis data ini.", code=code),
            )
        changed = repo.home_office(conn) != code
        if changed:
            repo.set_home_office(conn, code, set_at=ctx.now(), set_by=ctx.actor)
        name = repo.office_name(conn, code)
    return {"home": code, "name": name, "changed": changed}


def office_name(regency_name: str) -> str:
    return f"Dinas Dukcapil {regency_name}"


def create_office(ctx: Context, *, code: str) -> OfficeCreated:
    """Create the office of a regency or city, with its store; loads the regency's villages."""
    code = code.strip()
    with ctx.write_plain() as conn:
        region = repo.region(conn, code)
        if region is None or region.level != "kabupaten_kota":
            raise NotFound(
                "unknown_regency",
                "office",
                Msg(
                    "Kode '{code}' bukan kode kabupaten/kota Kemendagri yang dikenal (contoh: 17.04).",
                    code=code,
                ),
            )
        created = not repo.office_exists(conn, code)
        if created:
            repo.insert_office(
                conn,
                code=code,
                name=office_name(region.name),
                created_at=ctx.now(),
                head_hash=GENESIS_HASH,
            )
            repo.insert_location(
                conn, office=code, name=STORE_NAME, kind="store", created_at=ctx.now()
            )
        villages = repo.count_villages(conn, code)
        if villages == 0:
            villages = repo.insert_regions(conn, reg.shipped_villages(code))
        name = repo.office_name(conn, code)
    return {"code": code, "name": name, "created": created, "villages": villages}


def add_location(ctx: Context, *, name: str, kind: str, office: str | None = None) -> LocationAdded:
    name = check_name(name, "location_name", "name", "Nama lokasi", "-_")
    if kind not in LOCATION_KINDS:
        raise DomainError(
            "location_kind",
            "kind",
            Msg("Jenis lokasi harus store (gudang) atau station (loket cetak)."),
        )
    # The office's write lock, like every write of what an anchor digests (the locations):
    # an anchor never sees a location that is half way in.
    with ctx.write(office) as tx:
        code = tx.office
        if repo.location_id(tx.conn, code, name) is not None:
            raise Conflict("location_exists", "name", Msg("Lokasi '{name}' sudah ada.", name=name))
        repo.insert_location(tx.conn, office=code, name=name, kind=kind, created_at=ctx.now())
    return {"office": code, "name": name, "kind": kind}


def list_locations(ctx: Context, *, office: str | None = None) -> list[Location]:
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        return [{"name": r.name, "kind": r.kind} for r in repo.locations(conn, code)]


def list_offices(ctx: Context) -> list[OfficeSummary]:
    with ctx.read() as conn:
        home = repo.home_office(conn)
        return [
            {"code": r.code, "name": r.name, "entries": r.ledger_seq, "home": r.code == home}
            for r in repo.offices(conn)
        ]


LEVEL_ALIASES = {
    "provinsi": "provinsi",
    "kabupaten": "kabupaten_kota",
    "kota": "kabupaten_kota",
    "kabupaten_kota": "kabupaten_kota",
    "kecamatan": "kecamatan",
    "desa": "desa",
    "kelurahan": "desa",
    "desa_kelurahan": "desa",
}


def list_regions(
    ctx: Context, *, under: str | None = None, level: str | None = None
) -> list[Region]:
    if level and level not in LEVEL_ALIASES:
        raise DomainError(
            "region_level",
            "level",
            Msg("Tingkat wilayah harus salah satu dari: provinsi, kabupaten, kecamatan, desa."),
        )
    under = under.strip() if under else under
    with ctx.read() as conn:
        if under and not repo.region_exists(conn, under):
            raise NotFound(
                "unknown_region", "under", Msg("Kode wilayah '{under}' tidak dikenal.", under=under)
            )
        rows = repo.regions(conn, under=under, level=LEVEL_ALIASES[level] if level else None)
    out: list[Region] = []
    for r in rows:
        kind = reg.village_kind(r.code)
        if level == "kelurahan" and kind != "kelurahan":
            continue
        item: Region = {"code": r.code, "name": r.name, "level": r.level}
        if kind:
            item["jenis"] = kind
        out.append(item)
    return out


def office_regions(ctx: Context, *, office: str | None = None) -> list[Region]:
    """The kecamatan and villages inside an office's kabupaten (None: the only office)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
    return list_regions(ctx, under=code)


def import_regions(ctx: Context, *, path: Path) -> RegionsImported:
    """Add or rename regions from an official CSV (kode,nama). Parents must be known or in the
    file, so the tree stays whole."""
    rows = reg.read_region_csv(path)
    for code, name in rows:
        check_text(name, "nama", label=f"Nama wilayah {code}")
    with ctx.write_plain() as conn:
        known = repo.region_codes(conn)
        in_file = {code for code, _ in rows}
        for code, _name in rows:
            parent = reg.parent_of(code)
            if parent and parent not in known and parent not in in_file:
                raise DomainError(
                    "region_parent",
                    "kode",
                    Msg(
                        "Wilayah induk {parent} dari {code} tidak dikenal.",
                        parent=parent,
                        code=code,
                    ),
                )
        updated = len(in_file & known)
        repo.delete_regions(conn, sorted(in_file & known))
        repo.insert_regions(conn, rows)
    return {"rows": len(rows), "added": len(rows) - updated, "updated": updated}
