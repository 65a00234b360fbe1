"""The parts of a request's life that run inside another use case's transaction: the view of
a request, who may take a step (`Acting`), recording a step on the timeline, what a shipment
sent or received for a request does to it, and the request history the forecast reads.

Shipments (services/network/shipments.py) call `on_ship` and `on_receive` in their own
transaction, so a tranche and its request change together or not at all; the request use
cases (services/network/requests.py) build on the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from blangko.adapters.repos import requests as repo
from blangko.domain import requests as rq
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.text import Msg
from blangko.formatting import num, pct
from blangko.services.network.organisation import DIRECTORATE_CODE, Reach, province_of
from blangko.services.network.request_results import (
    HistoryFigure,
    RequestEvent,
    RequestReason,
    RequestView,
    SupplyHistory,
)
from blangko.settings import ForecastSettings


@dataclass(frozen=True)
class Acting:
    """Who takes a step: a web user of an office (the directorate's code for the
    directorate), of a province, or the command line (the tool of whoever runs the server:
    every step, for every office)."""

    office: str | None = None
    province: str | None = None
    command_line: bool = False

    @property
    def directorate(self) -> bool:
        return self.command_line or self.office == DIRECTORATE_CODE

    def reach(self) -> Reach:
        if self.directorate:
            return Reach(everything=True)
        if self.office is not None:
            return Reach(office=self.office)
        return Reach(province=self.province)

    def sees(self, office: str) -> bool:
        return self.reach().covers(office)

    def may(self, action: str, office: str) -> bool:
        """Whether this actor takes ``action`` on a request of ``office``: the office its own
        steps, the province (or the directorate) the endorsement, the directorate its
        decision and shipping; the command line every step."""
        if self.command_line:
            return True
        who = rq.actor_of(action)
        if action == "close":
            return self.office in (office, DIRECTORATE_CODE)
        if who == rq.OFFICE:
            return self.office == office
        if who == rq.PROVINCE:
            return self.directorate or (
                self.office is None and self.province == province_of(office)
            )
        return self.directorate


COMMAND_LINE = Acting(command_line=True)


def not_found(number: int) -> NotFound:
    return NotFound(
        "unknown_request", "request", Msg("Permohonan #{number} tidak ada.", number=number)
    )


def check_may(acting: Acting, action: str, row: Any) -> None:
    """Another's request is not found (as one that does not exist); a step that is not the
    actor's is refused (400, as the sender receiving its own shipment), naming who takes
    it."""
    if not acting.sees(row.office_code) and not acting.may(action, row.office_code):
        raise not_found(int(row.id))
    if not acting.may(action, row.office_code):
        who = {
            rq.OFFICE: "kantor pemohon",
            rq.PROVINCE: "provinsi kantor pemohon atau direktorat",
            rq.DIRECTORATE: "direktorat",
        }[rq.actor_of(action)]
        raise DomainError(
            "not_your_step",
            "request",
            Msg(
                "Langkah '{action_label}' pada permohonan #{number} dilakukan oleh {who}.",
                action_label=rq.ACTION_LABELS[action],
                number=int(row.id),
                who=who,
            ),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def view(row: Any) -> RequestView:
    snapshot = json.loads(row.reasons)
    reasons: list[RequestReason] = [
        {"reason": str(r["reason"]), "quantity": int(r["quantity"])}
        for r in snapshot.get("reasons", [])
    ]
    return {
        "id": int(row.id),
        "office": row.office_code,
        "state": row.state,
        "as_of": row.as_of.isoformat(),
        "recommended_qty": int(row.recommended_qty),
        "reasons": reasons,
        "basis": [str(b) for b in snapshot.get("basis", [])],
        "asked_qty": int(row.asked_qty),
        "edit_reason": row.edit_reason,
        "number": row.number,
        "approved_qty": None if row.approved_qty is None else int(row.approved_qty),
        "decision_reason": row.decision_reason,
        "shipped_qty": int(row.shipped_qty),
        "arrived_qty": int(row.arrived_qty),
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "created_by": row.created_by,
        "submitted_at": _iso(row.submitted_at),
        "decided_at": _iso(row.decided_at),
        "received_at": _iso(row.received_at),
        "closed_at": _iso(row.closed_at),
    }


def event_view(row: Any) -> RequestEvent:
    return {
        "action": row.action,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "actor": row.actor,
        "at": row.at.isoformat(timespec="seconds"),
        "comment": row.comment,
        "quantity": row.quantity,
        "shipment": row.shipment_id,
    }


# The states whose entry changes the history the forecast reads (fill rate, lead time).
HISTORY_STATES = (rq.APPROVED, rq.REFUSED, rq.RECEIVED, rq.CLOSED)


def record(
    conn: Connection,
    row: Any,
    action: str,
    to_state: str,
    *,
    actor: str,
    at: datetime,
    comment: str | None = None,
    quantity: int | None = None,
    shipment: int | None = None,
    **values: Any,
) -> None:
    """One step: the request's new state (and `values`), and its line on the timeline. A step
    into a state the history counts bumps the `requests` version of the stored figures of
    every office of the province (their forecasts read the office's and the province's
    history)."""
    repo.update_request(conn, int(row.id), state=to_state, updated_at=at, **values)
    repo.insert_event(
        conn,
        request_id=int(row.id),
        office_code=row.office_code,
        action=action,
        from_state=row.state,
        to_state=to_state,
        actor=actor,
        at=at,
        comment=(comment or "").strip() or None,
        quantity=quantity,
        shipment_id=shipment,
    )
    if to_state in HISTORY_STATES and to_state != row.state:
        repo.bump_version(conn, repo.offices_of_province(conn, province_of(row.office_code)))


def on_ship(
    conn: Connection,
    request_id: int,
    *,
    receiver: str,
    quantity: int,
    shipment: int,
    actor: str,
    at: datetime,
    note: str | None,
) -> None:
    """A shipment of ``quantity`` blanks sent for the request: a tranche. The request must be
    approved (or partly shipped), addressed to its office, and the tranche within what is
    left of the approved quantity."""
    row = repo.request(conn, request_id, lock=True)
    if row is None or row.office_code != receiver:
        raise NotFound(
            "unknown_request",
            "request",
            Msg(
                "Permohonan #{number} dari kantor {receiver} tidak ada.",
                number=request_id,
                receiver=receiver,
            ),
        )
    rq.check_transition(row.state, "ship")
    approved = int(row.approved_qty or 0)
    shipped = int(row.shipped_qty)
    rq.check_tranche(approved, shipped, quantity)
    repo.set_shipment_request(conn, shipment, request_id)
    record(
        conn,
        row,
        "ship",
        rq.after_shipping(approved, shipped + quantity),
        actor=actor,
        at=at,
        comment=note,
        quantity=quantity,
        shipment=shipment,
        shipped_qty=shipped + quantity,
    )


def on_receive(
    conn: Connection, request_id: int, *, shipment: int, arrived: int, actor: str, at: datetime
) -> None:
    """A tranche received (``arrived``: the blanks that came, damaged ones included): when
    the approved quantity has left and every tranche is in, the request is received; closed
    when the approved quantity arrived."""
    row = repo.request(conn, request_id, lock=True)
    if row is None:
        return
    total = int(row.arrived_qty) + arrived
    open_tranches = sum(
        1 for s in repo.tranches(conn, request_id) if s.status == "in_transit" and s.id != shipment
    )
    approved = int(row.approved_qty or 0)
    after = rq.after_receipt(row.state, approved, int(row.shipped_qty), open_tranches, total)
    values: dict[str, Any] = {"arrived_qty": total}
    if after in (rq.RECEIVED, rq.CLOSED):
        values["received_at"] = at
    record(
        conn,
        row,
        "receive",
        rq.RECEIVED if after == rq.CLOSED else after,
        actor=actor,
        at=at,
        quantity=arrived,
        shipment=shipment,
        **values,
    )
    if after == rq.CLOSED:
        again = repo.request(conn, request_id)
        record(
            conn,
            again,
            "close",
            rq.CLOSED,
            actor=actor,
            at=at,
            comment=Msg("otomatis: {value} keping yang disetujui sudah diterima", value=approved),
            closed_at=at,
        )


# --- the history the forecast reads ---------------------------------------------------------

MIN_HISTORY = 2  # requests an office's (else its province's) figure needs to be used


def _figure(s: rq.Spread | None) -> HistoryFigure | None:
    if s is None:
        return None
    return {"mean": round(s.mean, 3), "spread": round(s.spread, 3), "n": s.n}


def supply_history(conn: Connection, office: str, settings: ForecastSettings) -> SupplyHistory:
    """Lead time (days from submission to the last tranche received, of received and closed
    requests) and fill rate (approved / asked; refused: 0, of every decided request) of the
    office and of its province, with their spread; what the forecast uses: the office's when
    it has at least MIN_HISTORY requests, else the province's, else the settings' fixed lead
    time and a full grant."""
    province = province_of(office)
    rows = [r for r in repo.history(conn, rq.DECIDED) if province_of(r.office_code) == province]
    lead: dict[str, list[float]] = {"office": [], "province": []}
    fill: dict[str, list[float]] = {"office": [], "province": []}
    for r in rows:
        scopes = ["province"] + (["office"] if r.office_code == office else [])
        given = 0 if r.state == rq.REFUSED else int(r.approved_qty or 0)
        for scope in scopes:
            fill[scope].append(given / int(r.asked_qty))
            if r.state in rq.ARRIVED and r.submitted_at and r.received_at:
                days = (r.received_at - r.submitted_at).total_seconds() / 86400
                lead[scope].append(days)
    spreads = {
        (kind, scope): rq.spread_of(values)
        for kind, data in (("lead", lead), ("fill", fill))
        for scope, values in data.items()
    }

    def pick(kind: str) -> tuple[rq.Spread | None, str]:
        for scope in ("office", "province"):
            found = spreads[(kind, scope)]
            if found is not None and found.n >= MIN_HISTORY:
                return found, scope
        return None, "default"

    lt, lt_source = pick("lead")
    fr, fr_source = pick("fill")
    return {
        "office": office,
        "province": province,
        "lead_time_office": _figure(spreads[("lead", "office")]),
        "lead_time_province": _figure(spreads[("lead", "province")]),
        "fill_rate_office": _figure(spreads[("fill", "office")]),
        "fill_rate_province": _figure(spreads[("fill", "province")]),
        # A lead time of less than a day is a day (the forecast counts whole days).
        "lead_time_days": max(1.0, lt.mean) if lt else settings.lead_time_days,
        "lead_time_spread_days": lt.spread if lt else settings.lead_time_spread_days,
        "lead_time_source": lt_source,
        "fill_rate": min(1.0, fr.mean) if fr else 1.0,
        "fill_rate_spread": fr.spread if fr else 0.0,
        "fill_rate_source": fr_source,
    }


def basis(h: SupplyHistory) -> list[str]:
    """What the forecast says of its lead time and fill rate, and where they come from."""
    lead_from = {
        "office": Msg(
            "riwayat {n} permohonan kantor ini",
            n=(h["lead_time_office"] or {"n": 0})["n"],
        ),
        "province": Msg(
            "riwayat {n} permohonan provinsi ini",
            n=(h["lead_time_province"] or {"n": 0})["n"],
        ),
    }
    fill_from = {
        "office": Msg(
            "riwayat {n} permohonan kantor ini",
            n=(h["fill_rate_office"] or {"n": 0})["n"],
        ),
        "province": Msg(
            "riwayat {n} permohonan provinsi ini",
            n=(h["fill_rate_province"] or {"n": 0})["n"],
        ),
    }
    out: list[str] = []
    if h["lead_time_source"] == "default":
        out.append(
            Msg(
                (
                    "Waktu tunggu {days} ± {spread} hari: asumsi tetap, belum ada riwayat "
                    "permohonan yang diterima."
                ),
                days=num(round(h["lead_time_days"])),
                spread=num(round(h["lead_time_spread_days"])),
            )
        )
    else:
        out.append(
            Msg(
                "Waktu tunggu {days} ± {spread} hari dari pengajuan sampai diterima ({source}).",
                days=num(round(h["lead_time_days"])),
                spread=num(round(h["lead_time_spread_days"])),
                source=lead_from[h["lead_time_source"]],
            )
        )
    if h["fill_rate_source"] == "default":
        out.append(Msg("Diberikan penuh: asumsi, belum ada riwayat keputusan direktorat."))
    else:
        out.append(
            Msg(
                "Biasanya diberikan {fill_rate} ± {spread} dari yang dimohon ({source}).",
                fill_rate=pct(h["fill_rate"]),
                spread=pct(h["fill_rate_spread"]),
                source=fill_from[h["fill_rate_source"]],
            )
        )
    return out
