"""SQL for the network: the organisation (offices by kind, stock on hand per office) and the
shipments of blanks between ledgers (docs/network.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select, update

from blangko.adapters import tables as t
from blangko.adapters.repos import AnyRow
from blangko.domain.ledger import State
from blangko.domain.serials import SerialRange


def office_kind(conn: Connection, code: str) -> str | None:
    """The office's kind (kabupaten | direktorat), None for an unknown code."""
    found = conn.execute(select(t.office.c.level).where(t.office.c.code == code)).scalar()
    return None if found is None else str(found)


def set_office_kind(conn: Connection, code: str, kind: str) -> None:
    conn.execute(update(t.office).where(t.office.c.code == code).values(level=kind))


def _blanks_in_state(state: State) -> Any:
    """The office's blanks in ``state``, counted by index seeks: those at each of its
    locations plus those at none. `ix_blank_where` leads with (office, location, state), so a
    count by office and state alone reads every blank the office ever held (1 juta on a big
    office, 0,2-0,3 s); by location it reads only the blanks in that state."""
    b = t.blank
    # Correlated to the office of the outermost query, two levels up: left to itself,
    # SQLAlchemy would take `office` into this subquery's own FROM (every office's locations:
    # the same count, but PostgreSQL then read the blanks by a join, 0,1-0,2 s on the demo).
    locations = (
        select(t.location.c.id)
        .where(t.location.c.office_code == t.office.c.code)
        .correlate(t.office)
    )

    def count(where: Any) -> Any:
        return (
            select(func.count())
            .where(b.c.office_code == t.office.c.code, where, b.c.state == state.value)
            .scalar_subquery()
        )

    return count(b.c.location_id.in_(locations)) + count(b.c.location_id.is_(None))


def organisation(conn: Connection) -> Sequence[AnyRow]:
    """Every office (code, name, kind, entries) with its blanks on hand and in transit out."""
    return conn.execute(
        select(
            t.office.c.code,
            t.office.c.name,
            t.office.c.level.label("kind"),
            t.office.c.ledger_seq,
            _blanks_in_state(State.AVAILABLE).label("on_hand"),
            _blanks_in_state(State.IN_TRANSIT).label("in_transit"),
        ).order_by(t.office.c.code)
    ).all()


def region_names(conn: Connection, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = conn.execute(
        select(t.region.c.code, t.region.c.name).where(t.region.c.code.in_(wanted))
    ).all()
    return {r.code: r.name for r in rows}


# --- shipments --------------------------------------------------------------------------------


def insert_shipment(
    conn: Connection,
    *,
    sender: str,
    receiver: str,
    sent_date: date,
    sent_at: datetime,
    sent_by: str,
    sent_seq: int,
    document: str,
    quantity: int,
    serials: str,
    note: str | None,
    loan_id: int | None = None,
) -> int:
    return int(
        conn.execute(
            t.shipment.insert()
            .values(
                office_code=sender,
                to_office=receiver,
                status="in_transit",
                sent_date=sent_date,
                sent_at=sent_at,
                sent_by=sent_by,
                sent_seq=sent_seq,
                document=document,
                quantity=quantity,
                serials=serials,
                note=note,
                loan_id=loan_id,
            )
            .returning(t.shipment.c.id)
        ).scalar_one()
    )


def shipment(conn: Connection, shipment_id: int, *, lock: bool = False) -> AnyRow | None:
    """One shipment; `lock`: FOR UPDATE (PostgreSQL), so that two receipts of it queue and the
    second sees it received."""
    q = select(t.shipment).where(t.shipment.c.id == shipment_id)
    if lock:
        q = q.with_for_update()
    return conn.execute(q).first()


def shipments(
    conn: Connection, office: str | None = None, status: str | None = None
) -> Sequence[AnyRow]:
    """Shipments sent or received by the office (every one when office is None), newest first."""
    q = select(t.shipment)
    if office is not None:
        q = q.where(or_(t.shipment.c.office_code == office, t.shipment.c.to_office == office))
    if status is not None:
        q = q.where(t.shipment.c.status == status)
    return conn.execute(q.order_by(t.shipment.c.id.desc())).all()


def mark_received(
    conn: Connection,
    shipment_id: int,
    *,
    received_date: date,
    received_at: datetime,
    received_by: str,
    document: str,
    received_qty: int,
    lost_qty: int,
    damaged_qty: int,
    received_seq: int | None,
    lost_seq: int | None,
    lost_document: str | None,
) -> int:
    """Close an open shipment; returns the rows changed (0: it was no longer in transit)."""
    return conn.execute(
        update(t.shipment)
        .where(t.shipment.c.id == shipment_id, t.shipment.c.status == "in_transit")
        .values(
            status="received",
            received_date=received_date,
            received_at=received_at,
            received_by=received_by,
            received_document=document,
            received_qty=received_qty,
            lost_qty=lost_qty,
            damaged_qty=damaged_qty,
            received_seq=received_seq,
            lost_seq=lost_seq,
            lost_document=lost_document,
        )
    ).rowcount


def adopt_in_transit(
    conn: Connection,
    *,
    sender: str,
    receiver: str,
    ranges: Iterable[SerialRange],
    sent_seq: int,
    to_state: State,
    to_location: int | None,
    seq: int,
) -> int:
    """Hand the blanks of `ranges` that are in transit from `sender` (shipped by its entry
    `sent_seq`) to `receiver`, in `to_state` at `to_location`, last moved by the receiver's
    entry `seq`. Returns how many moved (fewer: some were not in this shipment's transit)."""
    b = t.blank
    moved = 0
    for r in ranges:
        moved += conn.execute(
            update(b)
            .where(
                b.c.prefix == r.prefix,
                b.c.width == r.width,
                b.c.number.between(r.first, r.last),
                b.c.office_code == sender,
                b.c.state == State.IN_TRANSIT.value,
                b.c.last_seq == sent_seq,
            )
            .values(
                office_code=receiver,
                state=to_state.value,
                location_id=to_location,
                last_seq=seq,
            )
        ).rowcount
    return moved


def in_transit_blanks(conn: Connection) -> Sequence[AnyRow]:
    """Every blank in transit in the database: serial, its sender and the sender's entry."""
    b = t.blank
    return conn.execute(
        select(b.c.serial, b.c.office_code, b.c.last_seq).where(b.c.state == State.IN_TRANSIT.value)
    ).all()


def network_entries(conn: Connection, kinds: Iterable[str]) -> Sequence[AnyRow]:
    """Every entry of these kinds, in every ledger: office, seq, kind, quantity, serials."""
    e = t.ledger_entry
    return conn.execute(
        select(e.c.office_code, e.c.seq, e.c.kind, e.c.quantity, e.c.serials)
        .where(e.c.kind.in_(list(kinds)))
        .order_by(e.c.office_code, e.c.seq)
    ).all()


def on_hand_by_office(conn: Connection) -> dict[str, int]:
    b = t.blank
    rows = conn.execute(
        select(
            b.c.office_code,
            func.sum(case((b.c.state == State.AVAILABLE.value, 1), else_=0)).label("n"),
        ).group_by(b.c.office_code)
    ).all()
    return {r.office_code: int(r.n or 0) for r in rows}


def blanks_of(conn: Connection, ranges: Iterable[SerialRange]) -> list[Any]:
    """(serial, office, state, last_seq) of the blanks in these ranges, in any office."""
    b = t.blank
    out: list[Any] = []
    for r in ranges:
        out.extend(
            conn.execute(
                select(b.c.serial, b.c.office_code, b.c.state, b.c.last_seq)
                .where(
                    and_(
                        b.c.prefix == r.prefix,
                        b.c.width == r.width,
                        b.c.number.between(r.first, r.last),
                    )
                )
                .order_by(b.c.number)
            ).all()
        )
    return out
