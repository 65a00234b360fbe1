"""The read log: who viewed which resident's personal data (UU 27/2022 on personal data).

Every use case that shows a full NIK, a resident's name or the list of residents still to
record writes one row here, in a short write transaction of its own right after its read and
before it returns: a read that could not be logged is not returned. One row per request: a
resident (by NIK), an application with its full NIK, a list of applications with full NIKs
(how many rows), the counter page, an export of names (its area and rows). The table is only
ever appended to; the administrator and the auditor read it, office by office, with the NIKs
masked like everywhere else (a full NIK may be given to find who viewed that resident).
"""

from __future__ import annotations

from typing import Final

from typing_extensions import TypedDict

from blangko.adapters.repos import readlog as repo
from blangko.domain.nik import compact_nik, mask_nik
from blangko.domain.text import N_
from blangko.services.context import Context, resolve_office

# What was viewed, as the log's readers read it.
ACTIONS: Final = {
    "resident": N_("data penduduk (cari atau buka NIK)"),
    "application": N_("permohonan dengan NIK lengkap"),
    "applications": N_("daftar permohonan dengan NIK lengkap"),
    "counter": N_("halaman layanan (loket)"),
    "gaps": N_("unduhan daftar belum rekam (nama, NIK)"),
    "backlog": N_("daftar tunggu cetak (PRR) dengan nama dan NIK: halaman, API, unduhan"),
    "handed_in": N_("register kartu lama dengan nama dan NIK: halaman, API, berita acara"),
}
ROLE_CLI: Final = N_("baris perintah")
MAX_LIMIT: Final = 1000


class ReadEntry(TypedDict):
    """One read of personal data, the NIK masked."""

    at: str
    actor: str
    role: str
    action: str
    action_label: str
    nik: str | None
    subject: str | None
    rows: int


class ReadLog(TypedDict):
    """A page of an office's read log, newest first."""

    office: str
    total: int
    limit: int
    offset: int
    items: list[ReadEntry]


def note(
    ctx: Context,
    *,
    office: str,
    action: str,
    nik: str | None = None,
    subject: str | None = None,
    rows: int = 1,
) -> None:
    """Log one read of personal data by ctx's actor (one insert, its own transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown read-log action {action!r}")
    with ctx.write_plain() as conn:
        repo.insert(
            conn,
            office=office,
            at=ctx.now(),
            actor=ctx.actor,
            role=ctx.role,
            action=action,
            nik=nik,
            subject=subject[:200] if subject else None,
            rows=rows,
        )


def list_reads(
    ctx: Context,
    *,
    office: str | None = None,
    nik: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ReadLog:
    """The office's read log, newest first; `nik` (a full NIK) or `actor` narrow it."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        total, rows = repo.entries(
            conn,
            code,
            nik=compact_nik(nik) if nik else None,
            actor=actor.strip() if actor else None,
            limit=limit,
            offset=offset,
        )
    return {
        "office": code,
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "at": r.at.isoformat(timespec="seconds") + "Z",
                "actor": r.actor,
                "role": r.role or ROLE_CLI,
                "action": r.action,
                "action_label": ACTIONS.get(r.action, r.action),
                "nik": mask_nik(r.nik) if r.nik else None,
                "subject": r.subject,
                "rows": r.rows,
            }
            for r in rows
        ],
    }
