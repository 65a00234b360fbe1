"""SQL for the register of handed-in cards: inserts (never updates or deletes), the chain
head, the register as of a date, destructions and counts, and the IKD activations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, or_, select, union_all

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.adapters.repos.coverage import wajib_condition
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_handed_in import (
    card_destruction,
    card_destruction_item,
    handed_in_card,
    handed_in_count,
)
from blangko.adapters.tables_residents import resident
from blangko.domain.ledger import Kind

c = handed_in_card.c
d = card_destruction.c
i = card_destruction_item.c
n = handed_in_count.c
r = resident.c


# The chain --------------------------------------------------------------------------------------


def chain_head(conn: Connection, office: str) -> tuple[int, str | None]:
    """(the last seq of the office's register, its hash); (0, None) for an empty register."""
    parts = union_all(
        select(c.seq, c.hash).where(c.office_code == office),
        select(d.seq, d.hash).where(d.office_code == office),
        select(n.seq, n.hash).where(n.office_code == office),
    ).subquery()
    row = conn.execute(select(parts.c.seq, parts.c.hash).order_by(parts.c.seq.desc()).limit(1))
    found = row.first()
    return (int(found.seq), str(found.hash)) if found else (0, None)


def chain_rows(conn: Connection, office: str) -> list[tuple[str, dict[str, Any]]]:
    """Every register row of the office as (kind, row as a dict), in seq order; a
    destruction's dict carries its card ids under "card_ids"."""
    items: dict[int, list[int]] = {}
    for row in conn.execute(
        select(i.destruction_id, i.card_id).where(i.office_code == office).order_by(i.card_id)
    ):
        items.setdefault(row.destruction_id, []).append(row.card_id)
    out: list[tuple[str, dict[str, Any]]] = []
    for kind, table in (("card", handed_in_card), ("destruction", card_destruction)):
        for row in conn.execute(select(table).where(table.c.office_code == office)):
            data = dict(row._mapping)
            if kind == "destruction":
                data["card_ids"] = items.get(data["id"], [])
            out.append((kind, data))
    for row in conn.execute(select(handed_in_count).where(n.office_code == office)):
        out.append(("count", dict(row._mapping)))
    out.sort(key=lambda kr: int(kr[1]["seq"]))
    return out


# Writes -----------------------------------------------------------------------------------------


def _new_id(conn: Connection, statement: Any) -> int:
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_card(conn: Connection, values: dict[str, Any]) -> int:
    return _new_id(conn, handed_in_card.insert().values(**values))


def insert_destruction(
    conn: Connection, values: dict[str, Any], office: str, card_ids: Sequence[int]
) -> int:
    new_id = _new_id(conn, card_destruction.insert().values(**values))
    conn.execute(
        card_destruction_item.insert(),
        [{"office_code": office, "destruction_id": new_id, "card_id": k} for k in card_ids],
    )
    return new_id


def insert_count(conn: Connection, values: dict[str, Any]) -> int:
    return _new_id(conn, handed_in_count.insert().values(**values))


# Reads ------------------------------------------------------------------------------------------


def card_of_application(conn: Connection, application_id: int) -> int | None:
    return conn.execute(select(c.id).where(c.application_id == application_id)).scalar_one_or_none()


def received_dates(conn: Connection, office: str, ids: Iterable[int]) -> dict[int, date]:
    """id -> date received, of the office's cards among ``ids``."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    q = select(c.id, c.received_on).where(c.office_code == office, c.id.in_(wanted))
    return {row.id: row.received_on for row in conn.execute(q)}


def destroyed_among(conn: Connection, office: str, ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    q = select(i.card_id).where(i.office_code == office, i.card_id.in_(wanted))
    return set(conn.execute(q).scalars())


def held_ids(conn: Connection, office: str, on: date) -> list[int]:
    """The cards received by ``on`` and never destroyed (at any date)."""
    q = (
        select(c.id)
        .where(
            c.office_code == office,
            c.received_on <= on,
            ~exists().where(i.card_id == c.id),
        )
        .order_by(c.id)
    )
    return list(conn.execute(q).scalars())


def totals(conn: Connection, office: str, on: date) -> tuple[int, int, int]:
    """(received, destroyed, held) as of ``on``: three independent counts (received by the
    date; destroyed by a destruction dated by then; received and not so destroyed)."""
    received = conn.execute(
        select(func.count()).where(c.office_code == office, c.received_on <= on)
    ).scalar_one()
    destroyed = conn.execute(
        select(func.count())
        .select_from(card_destruction_item.join(card_destruction, d.id == i.destruction_id))
        .where(i.office_code == office, d.office_code == office, d.destroyed_on <= on)
    ).scalar_one()
    gone = (
        select(i.card_id)
        .join(card_destruction, d.id == i.destruction_id)
        .where(d.destroyed_on <= on, i.office_code == office)
    )
    held = conn.execute(
        select(func.count()).where(c.office_code == office, c.received_on <= on, c.id.not_in(gone))
    ).scalar_one()
    return int(received), int(destroyed), int(held)


def received_by_reason(conn: Connection, office: str, first: date, last: date) -> dict[str, int]:
    q = (
        select(c.reason, func.count())
        .where(c.office_code == office, c.received_on >= first, c.received_on <= last)
        .group_by(c.reason)
    )
    return {row[0]: int(row[1]) for row in conn.execute(q)}


def _card_select() -> Any:
    return (
        select(
            c.id,
            c.seq,
            c.nik,
            c.card_serial,
            c.reason,
            c.received_on,
            c.received_by,
            c.note,
            application.c.receipt,
            r.nama,
            r.kode_desa,
            d.id.label("destruction_id"),
            d.destroyed_on,
        )
        .select_from(
            handed_in_card.outerjoin(application, application.c.id == c.application_id)
            .outerjoin(resident, r.nik == c.nik)
            .outerjoin(card_destruction_item, i.card_id == c.id)
            .outerjoin(card_destruction, d.id == i.destruction_id)
        )
        .order_by(c.id)
    )


def cards(
    conn: Connection,
    office: str,
    *,
    on: date,
    held_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[AnyRow]:
    """The register's cards received by ``on`` (with their destruction, if any by ``on``);
    ``held_only``: only those still held on that date."""
    q = _card_select().where(c.office_code == office, c.received_on <= on)
    if held_only:
        q = q.where(or_(d.id.is_(None), d.destroyed_on > on))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return list(conn.execute(q))


def cards_of_destruction(conn: Connection, office: str, destruction_id: int) -> list[AnyRow]:
    q = _card_select().where(c.office_code == office, d.id == destruction_id)
    return list(conn.execute(q))


def destructions(
    conn: Connection, office: str, first: date | None = None, last: date | None = None
) -> list[AnyRow]:
    q = select(card_destruction).where(d.office_code == office)
    if first is not None:
        q = q.where(d.destroyed_on >= first)
    if last is not None:
        q = q.where(d.destroyed_on <= last)
    return list(conn.execute(q.order_by(d.destroyed_on, d.id)))


def destruction(conn: Connection, office: str, destruction_id: int) -> AnyRow | None:
    q = select(card_destruction).where(d.office_code == office, d.id == destruction_id)
    return conn.execute(q).first()


def counts(conn: Connection, office: str) -> list[AnyRow]:
    q = select(handed_in_count).where(n.office_code == office).order_by(n.counted_on, n.id)
    return list(conn.execute(q))


def resident_known(conn: Connection, nik: str, office: str) -> bool:
    q = select(r.nik).where(r.nik == nik, r.office_code == office)
    return conn.execute(q).first() is not None


def previous_serial(conn: Connection, office: str, nik: str, before_id: int) -> str | None:
    """The serial of the resident's card before this application's: the latest earlier
    application of theirs that printed a card (what they hand in), if any."""
    q = (
        select(application.c.serial)
        .where(
            application.c.office_code == office,
            application.c.nik == nik,
            application.c.id < before_id,
            application.c.serial.is_not(None),
        )
        .order_by(application.c.id.desc())
        .limit(1)
    )
    return conn.execute(q).scalar_one_or_none()


# IKD --------------------------------------------------------------------------------------------


def _marked(office: str, before: datetime | None = None) -> Any:
    """The NIKs whose IKD an application of the office marked (before ``before``), each
    once, to be outer-joined to the registry. A join, not a correlated EXISTS per resident
    (SQLite searched the office's applications again for every resident: 2,5 s against
    0,25 s on the demo's 136.000 residents) nor an IN list (PostgreSQL hashes it only
    while it fits in work_mem, else searches it per resident)."""
    q = select(application.c.nik).where(
        application.c.office_code == office, application.c.ikd_at.is_not(None)
    )
    if before is not None:
        q = q.where(application.c.ikd_at < before)
    return q.group_by(application.c.nik).subquery("marked")


def app_ikd_moments(conn: Connection, office: str, since: datetime, before: datetime) -> list[Any]:
    """The moments (naive UTC) of IKD activations marked on the office's applications in
    [since, before), the first per resident only."""
    first = (
        select(application.c.nik, func.min(application.c.ikd_at).label("at"))
        .where(application.c.office_code == office, application.c.ikd_at.is_not(None))
        .group_by(application.c.nik)
        .subquery()
    )
    q = select(first.c.at).where(first.c.at >= since, first.c.at < before)
    return list(conn.execute(q).scalars())


def registry_ikd_days(conn: Connection, office: str, first: date, last: date) -> dict[date, int]:
    """Activations by day from the registry's tanggal_ikd, for residents with no IKD mark on
    any application of the office (those are counted from the application)."""
    marked = _marked(office)
    q = (
        select(r.tanggal_ikd, func.count())
        .select_from(resident.outerjoin(marked, marked.c.nik == r.nik))
        .where(
            r.office_code == office,
            r.tanggal_ikd >= first,
            r.tanggal_ikd <= last,
            marked.c.nik.is_(None),
        )
        .group_by(r.tanggal_ikd)
    )
    return {row[0]: int(row[1]) for row in conn.execute(q)}


def ikd_by_area(
    conn: Connection, office: str, as_of: date, before: datetime, level: str
) -> list[AnyRow]:
    """(area, wajib KTP, with IKD) per kecamatan or desa on ``as_of``: a wajib-KTP resident
    has IKD when the registry dates it by then or an application of the office marked it
    before ``before`` (the moment the office's day after as_of begins)."""
    area = (r.kode_kecamatan if level == "kecamatan" else r.kode_desa).label("area")
    marked = _marked(office, before)
    has = or_(and_(r.tanggal_ikd.is_not(None), r.tanggal_ikd <= as_of), marked.c.nik.is_not(None))
    q = (
        select(
            area,
            func.count().label("wajib"),
            func.coalesce(func.sum(case((has, 1), else_=0)), 0).label("ikd"),
        )
        .select_from(resident.outerjoin(marked, marked.c.nik == r.nik))
        .where(r.office_code == office, wajib_condition(as_of))
        .group_by(area)
        .order_by(area)
    )
    return list(conn.execute(q))


def blanks_received(conn: Connection, office: str, first: date, last: date) -> int:
    """Blanks received from the directorate or province (ledger receipts) in [first, last]."""
    q = select(func.coalesce(func.sum(t.ledger_entry.c.quantity), 0)).where(
        t.ledger_entry.c.office_code == office,
        # Received from outside the network, or a shipment of the network booked in.
        t.ledger_entry.c.kind.in_((Kind.RECEIVE.value, Kind.SHIP_IN.value)),
        t.ledger_entry.c.effective_date >= first,
        t.ledger_entry.c.effective_date <= last,
    )
    return int(conn.execute(q).scalar_one())
