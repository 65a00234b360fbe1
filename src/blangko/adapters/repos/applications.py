"""SQL for applications (permohonan): the application rows, their events, and the counts the
calendar status, the forecast and event impact read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, select

from blangko.adapters.repos import AnyRow
from blangko.adapters.repos.coverage import (
    card_scans,
    not_printed_condition,
    printed_after,
    wajib_condition,
)
from blangko.adapters.tables_applications import application as app_t
from blangko.adapters.tables_applications import application_event as event_t
from blangko.adapters.tables_residents import resident
from blangko.domain.applications import Status

# Holding a suket and still waiting for the card: recorded, no card printed yet.
_SUKET_WAITING = (Status.DIREKAM.value, Status.SIAP_CETAK.value)
# Open and still without a card: each will take a blank.
OPEN_BEFORE_PRINT = (Status.DIAJUKAN.value, Status.DIREKAM.value, Status.SIAP_CETAK.value)


def by_receipt(conn: Connection, office: str, receipt: str) -> AnyRow | None:
    return conn.execute(
        select(app_t).where(app_t.c.office_code == office, app_t.c.receipt == receipt)
    ).first()


def by_id(conn: Connection, app_id: int) -> AnyRow:
    return conn.execute(select(app_t).where(app_t.c.id == app_id)).one()


def open_receipt(conn: Connection, nik: str, statuses: Sequence[str]) -> str | None:
    """The receipt of the resident's application in one of ``statuses``, if any."""
    row = conn.execute(
        select(app_t.c.receipt).where(app_t.c.nik == nik, app_t.c.status.in_(list(statuses)))
    ).first()
    return None if row is None else str(row.receipt)


def open_application(
    conn: Connection, office: str, nik: str, statuses: Sequence[str]
) -> AnyRow | None:
    """The resident's application at ``office`` in one of ``statuses`` (one at a time)."""
    return conn.execute(
        select(app_t)
        .where(
            app_t.c.office_code == office,
            app_t.c.nik == nik,
            app_t.c.status.in_(list(statuses)),
        )
        .order_by(app_t.c.id.desc())
    ).first()


def next_day_seq(conn: Connection, office: str, day: date) -> int:
    """The next receipt number of the office on ``day`` (1 for the first)."""
    last = conn.execute(
        select(func.coalesce(func.max(app_t.c.day_seq), 0)).where(
            app_t.c.office_code == office, app_t.c.submitted_date == day
        )
    ).scalar_one()
    return int(last) + 1


def insert(
    conn: Connection,
    *,
    office: str,
    receipt: str,
    nik: str,
    type: str,  # noqa: A002 - the column's name
    status: str,
    documents: dict[str, str],
    submitted: date,
    day_seq: int,
    recorded: date | None,
    at: datetime,
) -> int:
    """A new application; returns its id."""
    return int(
        conn.execute(
            app_t.insert()
            .values(
                office_code=office,
                receipt=receipt,
                nik=nik,
                type=type,
                status=status,
                documents=json.dumps(documents, sort_keys=True, ensure_ascii=False),
                submitted_date=submitted,
                day_seq=day_seq,
                recorded_date=recorded,
                created_at=at,
                updated_at=at,
            )
            .returning(app_t.c.id)
        ).scalar_one()
    )


def update(conn: Connection, app_id: int, values: dict[str, Any]) -> None:
    conn.execute(app_t.update().where(app_t.c.id == app_id).values(**values))


def insert_event(
    conn: Connection,
    *,
    app_id: int,
    action: str,
    before: str | None,
    after: str,
    on: date,
    at: datetime,
    actor: str,
    note: str | None,
) -> None:
    conn.execute(
        event_t.insert().values(
            application_id=app_id,
            action=action,
            from_status=before,
            to_status=after,
            effective_date=on,
            at=at,
            actor=actor,
            note=note,
        )
    )


def events(conn: Connection, app_id: int) -> Sequence[AnyRow]:
    return conn.execute(
        select(event_t).where(event_t.c.application_id == app_id).order_by(event_t.c.id)
    ).all()


def last_step_date(conn: Connection, app_id: int) -> date | None:
    """The effective date of the application's latest step."""
    last: date | None = conn.execute(
        select(func.max(event_t.c.effective_date)).where(event_t.c.application_id == app_id)
    ).scalar()
    return last


def _applications_where(
    office: str, status: str | None, type: str | None, statuses: Sequence[str] | None
) -> list[Any]:
    where: list[Any] = [app_t.c.office_code == office]
    if status is not None:
        where.append(app_t.c.status == status)
    if statuses is not None:
        where.append(app_t.c.status.in_(list(statuses)))
    if type is not None:
        where.append(app_t.c.type == type)
    return where


def applications(
    conn: Connection,
    office: str,
    *,
    status: str | None = None,
    type: str | None = None,  # noqa: A002 - the column's name
    statuses: Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> Sequence[AnyRow]:
    """The office's applications in receipt order (day, then number), or the newest first;
    with `limit`, one page of them."""
    order = (app_t.c.submitted_date, app_t.c.day_seq)
    q = (
        select(app_t)
        .where(*_applications_where(office, status, type, statuses))
        .order_by(*(c.desc() for c in order) if newest_first else order)
    )
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    return conn.execute(q).all()


def count_applications(
    conn: Connection,
    office: str,
    *,
    status: str | None = None,
    type: str | None = None,  # noqa: A002 - the column's name
    statuses: Sequence[str] | None = None,
) -> int:
    """How many applications `applications` selects with the same filters, in all."""
    where = _applications_where(office, status, type, statuses)
    return int(conn.execute(select(func.count()).select_from(app_t).where(*where)).scalar_one())


def status_counts(conn: Connection, office: str) -> dict[str, int]:
    """Applications of the office per status (statuses with none left out)."""
    rows = conn.execute(
        select(app_t.c.status, func.count())
        .where(app_t.c.office_code == office)
        .group_by(app_t.c.status)
    ).all()
    return {status: int(n) for status, n in rows}


def registry_prr_condition(office: str, as_of: date) -> ColumnElement[bool]:
    """THE registry PRR of the print backlog, as SQL over `resident`: the office's residents
    who are print-ready on ``as_of`` (wajib KTP, alive, recorded, no card printed) and have
    no open application (those are counted as applications)."""
    has_open = (
        select(app_t.c.id)
        .where(app_t.c.nik == resident.c.nik, app_t.c.status.in_(OPEN_BEFORE_PRINT))
        .exists()
    )
    return and_(
        resident.c.office_code == office,
        wajib_condition(as_of),
        not_printed_condition(as_of),
        ~has_open,
    )


def registry_prr_scans(
    office: str, as_of: date, *narrower: ColumnElement[bool]
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """`registry_prr_condition` (and the ``narrower`` conditions, e.g. a village) as the
    WHERE clauses of two index range scans that together select its residents, each once
    (`coverage.card_scans`): the recorded never printed, and those printed after ``as_of``.
    Every read of the registry PRR runs both."""
    condition = and_(registry_prr_condition(office, as_of), *narrower)
    return card_scans(office, condition, printed_after(as_of))


def count_registry_prr(conn: Connection, office: str, as_of: date) -> int:
    """Residents of the registry who are print-ready (PRR) on ``as_of`` and have no open
    application: wajib KTP, alive, recorded, no card printed. With the open applications
    (one per NIK at most) they make the print backlog, each resident counted once. Counted
    in the two index scans of `registry_prr_scans`, not over the registry."""
    return sum(
        int(conn.execute(select(func.count()).where(where)).scalar_one())
        for where in registry_prr_scans(office, as_of)
    )


def count_suket_waiting(conn: Connection, office: str) -> int:
    """Applications whose resident holds a suket and still waits for the card."""
    return int(
        conn.execute(
            select(func.count()).where(
                app_t.c.office_code == office,
                app_t.c.suket_at.isnot(None),
                app_t.c.status.in_(_SUKET_WAITING),
            )
        ).scalar_one()
    )


def suket_holders_in(conn: Connection, office: str, villages: Select[Any]) -> int:
    """Residents of the villages selected by ``villages`` (a one-column SELECT of village
    codes) who hold a suket and still wait for their card."""
    return int(
        conn.execute(
            select(func.count(func.distinct(app_t.c.nik)))
            .select_from(app_t.join(resident, resident.c.nik == app_t.c.nik))
            .where(
                app_t.c.office_code == office,
                app_t.c.suket_at.is_not(None),
                app_t.c.status.in_(_SUKET_WAITING),
                resident.c.office_code == office,
                resident.c.kode_desa.in_(villages),
            )
        ).scalar_one()
    )
