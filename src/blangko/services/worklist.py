"""The print backlog as a work list, for the counter and the head of office: every resident
who will take a blank, once, by kecamatan and village, the longest waiting first.

Two kinds of rows, exactly the two halves of `applications.backlog_of`'s print_backlog:

- the registry's print-ready residents (PRR: wajib KTP, alive, recorded, no card) who have no
  application yet (status ``prr``); ordered by their recording date, and printed from the
  list with `applications.print_from_backlog`;
- the open applications (diajukan, direkam, siap_cetak) with their receipt; ordered by the
  application date, and taken further on their own page.

Villages touched by a coming election (an event of `events.ELECTION_KINDS` on or after the
day) are flagged with the nearest one, and the list can be narrowed to them. Names and full
NIKs only when ``reveal`` (the caller decides: the web asks `domain.access`); otherwise the
NIK is masked and the name left out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection
from typing_extensions import TypedDict

from blangko.adapters.repos import coverage as coverage_repo
from blangko.adapters.repos import worklist as repo
from blangko.domain.applications import ACTIVE
from blangko.domain.errors import DomainError
from blangko.domain.nik import compact_nik, mask_nik
from blangko.domain.text import Msg
from blangko.services import derived, readlog
from blangko.services.applications import backlog_of
from blangko.services.calendar.events import ELECTION_KINDS
from blangko.services.context import Context, resolve_office
from blangko.services.coverage.areas import check_area
from blangko.services.memo import read_once

DEFAULT_LIMIT = 100
REGISTRY_STATUS = repo.REGISTRY_STATUS


class ElectionFlag(TypedDict):
    """The nearest coming election in a village."""

    event_id: int
    name: str
    date: str
    kind: str


class WorkItem(TypedDict):
    """One resident of the print backlog. ``status`` is ``prr`` for a registry resident
    without an application, else the application's status (``receipt`` and ``type`` set);
    ``since`` is what the list is ordered by: the recording date (prr) or the application
    date."""

    nik: str
    nama: str | None
    kode_kecamatan: str
    kecamatan: str | None
    kode_desa: str
    desa: str | None
    since: str
    recorded_date: str | None
    status: str
    receipt: str | None
    type: str | None
    suket: bool
    election: ElectionFlag | None


class VillageSummary(TypedDict):
    """One village of the list: how many residents wait there, how many of them have no
    application yet, since when the oldest waits."""

    kode_kecamatan: str
    kecamatan: str | None
    kode_desa: str
    desa: str | None
    residents: int
    registry_prr: int
    applications: int
    oldest: str
    election: ElectionFlag | None


class WorkList(TypedDict):
    """One page of the work list with the villages it spans. ``total`` counts the rows the
    filters select (with none, the office's print_backlog); ``backlog`` is the office's
    whole backlog figure, read in the same transaction."""

    office: str
    as_of: str
    kecamatan: str | None
    desa: str | None
    election_only: bool
    backlog: dict[str, int]
    total: int
    limit: int | None
    offset: int
    villages: list[VillageSummary]
    items: list[WorkItem]


def _elections(conn: Connection, office: str, as_of: date) -> dict[str, ElectionFlag]:
    out: dict[str, ElectionFlag] = {}
    for row in repo.coming_events_by_village(conn, office, as_of, ELECTION_KINDS):
        out.setdefault(
            row.kode_desa,
            {
                "event_id": int(row.id),
                "name": row.name,
                "date": row.event_date.isoformat(),
                "kind": row.kind,
            },
        )
    return out


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 1:
        raise DomainError(
            "limit_positive", "limit", Msg("Jumlah baris minimal 1 (diisi {limit}).", limit=limit)
        )
    if offset < 0:
        raise DomainError(
            "offset_negative",
            "offset",
            Msg("Baris awal tidak boleh negatif (diisi {offset}).", offset=offset),
        )


def _page_groups(
    villages: list[VillageSummary], limit: int | None, offset: int
) -> tuple[list[tuple[str, str]], int]:
    """The (kode_kecamatan, kode_desa) groups that rows ``offset`` to ``offset + limit`` of
    the list fall in (the list is ordered by them first, as ``villages`` is), and the offset
    of the page's first row in the first of them; no group past the end."""
    groups: list[tuple[str, str]] = []
    start = 0  # the position of the village's first row in the list
    skip = 0
    for v in villages:
        end = start + v["residents"]
        if end > offset and (limit is None or start < offset + limit):
            if not groups:
                skip = offset - start
            groups.append((v["kode_kecamatan"], v["kode_desa"]))
        start = end
    return groups, skip


def read_work_list(
    conn: Connection,
    office: str,
    as_of: date,
    *,
    kecamatan: str | None = None,
    desa: str | None = None,
    election_only: bool = False,
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
    reveal: bool = False,
) -> WorkList:
    """The work list inside the caller's read transaction (the report reads it in its own);
    ``limit`` None: every row from ``offset``."""
    _check_page(limit, offset)
    kec = check_area(conn, office, kecamatan, "kecamatan", "kecamatan") if kecamatan else None
    village = check_area(conn, office, desa, "desa", "desa") if desa else None
    if kec and village and not village.startswith(kec + "."):
        raise DomainError(
            "desa_not_in_kecamatan",
            "desa",
            Msg(
                "Desa/kelurahan {village} tidak terletak di kecamatan {kec}.",
                village=village,
                kec=kec,
            ),
        )
    elections = _elections(conn, office, as_of)
    kec_names = coverage_repo.region_names(conn, office=office, by="kecamatan")
    desa_names = coverage_repo.region_names(conn, office=office, by="desa")
    # The backlog is read twice, not once per figure: its villages for the whole office (the
    # filters narrow them here: a village's group holds its kecamatan and code, and the
    # election villages are the keys of `elections`, read by the same condition), which also
    # give the backlog's registry PRR; then the page's rows from only the villages it spans.
    # The villages change only with a write to the registry or the applications: kept.
    whole = read_once(
        conn,
        office,
        (derived.REGISTRY, derived.APPLICATIONS),
        ["work_villages", as_of],
        lambda: tuple(
            repo.villages_summary(
                conn, repo.work(office, as_of, kecamatan=None, desa=None, villages=None)
            )
        ),
    )
    chosen = [
        v
        for v in whole
        if (kec is None or v.kode_kecamatan == kec)
        and (village is None or v.kode_desa == village)
        and (not election_only or v.kode_desa in elections)
    ]
    villages: list[VillageSummary] = [
        {
            "kode_kecamatan": v.kode_kecamatan,
            "kecamatan": kec_names.get(v.kode_kecamatan),
            "kode_desa": v.kode_desa,
            "desa": desa_names.get(v.kode_desa),
            "residents": int(v.residents),
            "registry_prr": int(v.registry_prr),
            "applications": int(v.residents) - int(v.registry_prr),
            "oldest": v.oldest.isoformat(),
            "election": elections.get(v.kode_desa),
        }
        for v in chosen
    ]
    groups, skip = _page_groups(villages, limit, offset)
    page_rows = (
        repo.rows(
            conn,
            repo.work(office, as_of, kecamatan=None, desa=None, villages=None, groups=groups),
            limit=limit,
            offset=skip,
        )
        if groups
        else []
    )
    items: list[WorkItem] = [
        {
            "nik": row.nik if reveal else mask_nik(row.nik),
            "nama": row.nama if reveal else None,
            "kode_kecamatan": row.kode_kecamatan,
            "kecamatan": kec_names.get(row.kode_kecamatan),
            "kode_desa": row.kode_desa,
            "desa": desa_names.get(row.kode_desa),
            "since": row.since.isoformat(),
            "recorded_date": row.recorded_date.isoformat() if row.recorded_date else None,
            "status": row.status,
            "receipt": row.receipt,
            "type": row.type,
            "suket": bool(row.suket),
            "election": elections.get(row.kode_desa),
        }
        for row in page_rows
    ]
    return {
        "office": office,
        "as_of": as_of.isoformat(),
        "kecamatan": kec,
        "desa": village,
        "election_only": election_only,
        "backlog": backlog_of(
            conn, office, as_of, registry_prr=sum(int(v.registry_prr) for v in whole)
        ),
        "total": sum(v["residents"] for v in villages),
        "limit": limit,
        "offset": offset,
        "villages": villages,
        "items": items,
    }


def work_list(
    ctx: Context,
    *,
    office: str | None = None,
    kecamatan: str | None = None,
    desa: str | None = None,
    election_only: bool = False,
    as_of: date | None = None,
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
    reveal: bool = False,
) -> WorkList:
    """The work list (see the module docstring) in a read transaction of its own: the
    villages the filters select and one page of their rows (``limit`` rows from
    ``offset``; None: all). Revealed (names and full NIKs), the read is written to the read
    log: one row for the page."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        found = read_work_list(
            conn,
            code,
            as_of or ctx.today(),
            kecamatan=kecamatan,
            desa=desa,
            election_only=election_only,
            limit=limit,
            offset=offset,
            reveal=reveal,
        )
    note_read(ctx, found, reveal=reveal, kecamatan=kecamatan, desa=desa)
    return found


def note_read(
    ctx: Context,
    found: WorkList,
    *,
    reveal: bool,
    kecamatan: str | None,
    desa: str | None,
    download: bool = False,
) -> None:
    """The read log's row for rows of the work list read with names and full NIKs (one row
    for the page, or for the downloaded list); nothing when not revealed or no row."""
    if not (reveal and found["items"]):
        return
    what = f"daftar tunggu cetak {desa or kecamatan or 'seluruh kantor'}"
    readlog.note(
        ctx,
        office=found["office"],
        action="backlog",
        subject=f"unduhan {what}" if download else what,
        rows=len(found["items"]),
    )


def open_application_of(ctx: Context, *, nik: str, office: str | None = None) -> str | None:
    """The receipt of the resident's application under way in the office, if any (the
    counter links to it when a print from the list is refused for it)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        return repo.open_receipt_in(conn, code, compact_nik(nik), [s.value for s in ACTIVE])
