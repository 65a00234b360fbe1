"""SQL of rationing: the policies' versions (append-only), the prints of a day, and the
print-ready applications with what decides their class."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, select

from blangko.adapters.repos import AnyRow
from blangko.adapters.tables_applications import application, application_event
from blangko.adapters.tables_rationing import rationing_exception as rx
from blangko.adapters.tables_rationing import rationing_policy as rp


def versions(conn: Connection, office: str, policy_no: int | None = None) -> Sequence[AnyRow]:
    """Every version of the office's policies (of one, when ``policy_no``), oldest first."""
    q = select(rp).where(rp.c.office_code == office)
    if policy_no is not None:
        q = q.where(rp.c.policy_no == policy_no)
    return conn.execute(q.order_by(rp.c.policy_no, rp.c.version)).all()


def current(conn: Connection, office: str) -> Sequence[AnyRow]:
    """Each policy of the office as it stands (its latest version), by start date."""
    latest = (
        select(rp.c.policy_no, func.max(rp.c.version).label("version"))
        .where(rp.c.office_code == office)
        .group_by(rp.c.policy_no)
        .subquery()
    )
    q = (
        select(rp)
        .join(
            latest,
            and_(rp.c.policy_no == latest.c.policy_no, rp.c.version == latest.c.version),
        )
        .where(rp.c.office_code == office)
        .order_by(rp.c.start_date, rp.c.policy_no)
    )
    return conn.execute(q).all()


def next_policy_no(conn: Connection, office: str) -> int:
    top = conn.execute(
        select(func.max(rp.c.policy_no)).where(rp.c.office_code == office)
    ).scalar_one()
    return int(top or 0) + 1


def insert_version(
    conn: Connection,
    *,
    office: str,
    policy_no: int,
    version: int,
    action: str,
    start: date,
    end: date,
    daily_cap: int,
    classes: Sequence[str],
    others_get: str,
    reason: str,
    actor: str,
    at: datetime,
) -> None:
    conn.execute(
        rp.insert().values(
            office_code=office,
            policy_no=policy_no,
            version=version,
            action=action,
            start_date=start,
            end_date=end,
            daily_cap=daily_cap,
            classes=json.dumps(list(classes)),
            others_get=others_get,
            reason=reason,
            actor=actor,
            at=at,
        )
    )


def prints_on(conn: Connection, office: str, day: date) -> int:
    """Cards printed at the office on ``day`` (every print event: a reprint after a misprint
    takes a blank too)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(application_event.join(application))
            .where(
                application.c.office_code == office,
                application_event.c.action == "print",
                application_event.c.effective_date == day,
            )
        ).scalar_one()
    )


def prints_between(conn: Connection, office: str, start: date, end: date) -> dict[date, int]:
    """Cards printed per day from ``start`` to ``end`` (days with none left out)."""
    rows = conn.execute(
        select(application_event.c.effective_date, func.count())
        .select_from(application_event.join(application))
        .where(
            application.c.office_code == office,
            application_event.c.action == "print",
            application_event.c.effective_date >= start,
            application_event.c.effective_date <= end,
        )
        .group_by(application_event.c.effective_date)
    ).all()
    return {d: int(n) for d, n in rows}


def print_ready(conn: Connection, office: str) -> Sequence[AnyRow]:
    """The office's print-ready applications with what decides their class."""
    return conn.execute(
        select(
            application.c.receipt,
            application.c.type,
            application.c.documents,
            application.c.suket_at,
            application.c.submitted_date,
            application.c.day_seq,
        ).where(application.c.office_code == office, application.c.status == "siap_cetak")
    ).all()


def exception_for(conn: Connection, office: str, receipt: str, day: date) -> AnyRow | None:
    return conn.execute(
        select(rx).where(rx.c.office_code == office, rx.c.receipt == receipt, rx.c.day == day)
    ).first()


def insert_exception(
    conn: Connection,
    *,
    office: str,
    receipt: str,
    day: date,
    reason: str,
    actor: str,
    at: datetime,
) -> None:
    conn.execute(
        rx.insert().values(
            office_code=office, receipt=receipt, day=day, reason=reason, actor=actor, at=at
        )
    )


def exceptions(conn: Connection, office: str) -> Sequence[AnyRow]:
    """The office's exceptions, newest first."""
    return conn.execute(
        select(rx).where(rx.c.office_code == office).order_by(rx.c.day.desc(), rx.c.id.desc())
    ).all()
