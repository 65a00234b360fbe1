"""Requests for blanks, from asked to received (docs/network.md, "The life of a request").

One use case per step, one transaction each, under the lock of the requesting office's chain
head (its idempotency keys): draft (prefilled with the stored forecast's recommendation and
its reasons), edit, submit (the office); endorse or return (the office's province, or the
directorate); approve in full or in part, or refuse (the directorate); ship a tranche (the
directorate's stock keeper: a shipment sent for the request, services/network/shipments.py);
receive (the office: the shipment's receipt); close. Every step is a line on the request's
timeline with its actor, time and comment. The rules are domain/requests.py.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from blangko.adapters.repos import network as network_repo
from blangko.adapters.repos import requests as repo
from blangko.domain import requests as rq
from blangko.domain import stock_policy as sp
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import MAX_NOTE, check_text
from blangko.domain.text import Msg
from blangko.services import figures
from blangko.services.context import Context, WriteTx, write_once
from blangko.services.network import shipments
from blangko.services.network.organisation import DIRECTORATE, DIRECTORATE_CODE
from blangko.services.network.request_results import (
    RequestDetail,
    RequestView,
    RequestWritten,
    TrancheWritten,
)
from blangko.services.network.request_steps import (
    COMMAND_LINE,
    Acting,
    check_may,
    event_view,
    not_found,
    record,
    view,
)


def request_id(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise DomainError(
            "request_id", "request", Msg("Nomor permohonan '{value}' tidak sah.", value=value)
        )
    return number


def _text(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    check_text(value, field, limit=MAX_NOTE, multiline=True)
    return value.strip()


def _office_of(ctx: Context, number: int, acting: Acting, action: str) -> Any:
    """The request (read before the write, for its office's lock), checked for the actor."""
    with ctx.read() as conn:
        row = repo.request(conn, number)
    if row is None:
        raise not_found(number)
    check_may(acting, action, row)
    return row


def _asked(recommended: int, quantity: int | None, reason: str | None) -> int:
    """The quantity asked: the recommendation, or the office's own with a reason."""
    if quantity is not None:
        rq.check_quantity(quantity)
    asked = sp.requested_quantity(quantity, recommended, reason)
    if asked != recommended and not (reason or "").strip():
        raise DomainError(
            "reason_required",
            "reason",
            Msg(
                (
                    "Jumlah yang dimohon ({asked}) berbeda dari usulan perkiraan ({recommended} "
                    "keping): isi alasannya."
                ),
                asked=asked,
                recommended=recommended,
            ),
        )
    return asked


def draft(
    ctx: Context,
    *,
    office: str | None,
    quantity: int | None = None,
    reason: str | None = None,
    number: str | None = None,
    as_of: date | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """A new request of the office, prefilled with the stored forecast's recommended request
    and its reasons (services.figures.forecast_for: the same figure every surface shows); a
    quantity of the office's own needs a reason."""
    code = (office or "").strip() or None
    with ctx.read() as conn:
        if code is not None:
            kind = network_repo.office_kind(conn, code)
            if kind is None:
                raise NotFound(
                    "unknown_office",
                    "office",
                    Msg("Kantor '{office}' tidak ada di basis data ini.", office=code),
                )
            if kind == DIRECTORATE:
                raise DomainError(
                    "directorate_request",
                    "office",
                    Msg("Direktorat tidak memohon blangko kepada dirinya sendiri."),
                )
    if code is not None and not acting.command_line and acting.office != code:
        raise NotFound("unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=code))
    f = figures.forecast_for(ctx, code, as_of)
    code = f["office"]
    rec = f["recommended_request"]
    recommended = int(rec["quantity"])
    asked = _asked(recommended, quantity, reason)
    snapshot = {
        "reasons": [
            {"reason": str(r["reason"]), "quantity": int(r["quantity"])} for r in rec["reasons"]
        ],
        "basis": list(rec.get("basis", [])),
    }
    params = {
        "office": code,
        "quantity": quantity,
        "reason": reason,
        "number": number,
        "as_of": f["as_of"],
    }

    def body(tx: WriteTx) -> RequestWritten:
        now = ctx.now()
        new = repo.insert_request(
            tx.conn,
            office_code=tx.office,
            state=rq.DRAFT,
            as_of=date.fromisoformat(f["as_of"]),
            recommended_qty=recommended,
            reasons=json.dumps(snapshot),
            asked_qty=asked,
            edit_reason=_text(reason, "reason"),
            number=_text(number, "number"),
            shipped_qty=0,
            arrived_qty=0,
            created_at=now,
            created_by=ctx.actor,
            updated_at=now,
        )
        repo.insert_event(
            tx.conn,
            request_id=new,
            office_code=tx.office,
            action="draft",
            from_state=None,
            to_state=rq.DRAFT,
            actor=ctx.actor,
            at=now,
            comment=_text(reason, "reason"),
            quantity=asked,
        )
        row = repo.request(tx.conn, new)
        return {"office": tx.office, "request": view(row), "replayed": False}

    return write_once(ctx, code, "request.draft", params, idempotency_key, body)


def _step(
    ctx: Context,
    number: int | str,
    action: str,
    params: dict[str, Any],
    acting: Acting,
    idempotency_key: str | None,
    apply: Any,
) -> RequestWritten:
    """One step on a request: read it for its office, check the actor, then in the office's
    write transaction lock the request, check the step from its current state and apply it."""
    n = request_id(number)
    found = _office_of(ctx, n, acting, action)

    def body(tx: WriteTx) -> RequestWritten:
        row = repo.request(tx.conn, n, lock=True)
        assert row is not None
        to = rq.check_transition(row.state, action)
        apply(tx, row, to)
        return {"office": tx.office, "request": view(repo.request(tx.conn, n)), "replayed": False}

    return write_once(
        ctx, found.office_code, f"request.{action}", {"request": n, **params}, idempotency_key, body
    )


def edit(
    ctx: Context,
    *,
    request: int | str,
    quantity: int,
    reason: str | None,
    number: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """Change the quantity asked (and the letter's number) while the request is a draft or
    sent back; a quantity other than the recommendation needs a reason."""
    rq.check_quantity(quantity)

    def apply(tx: WriteTx, row: Any, _to: str | None) -> None:
        asked = _asked(int(row.recommended_qty), quantity, reason)
        record(
            tx.conn,
            row,
            "edit",
            row.state,
            actor=ctx.actor,
            at=ctx.now(),
            comment=reason,
            quantity=asked,
            asked_qty=asked,
            edit_reason=_text(reason, "reason"),
            number=_text(number, "number") or row.number,
        )

    params = {"quantity": quantity, "reason": reason, "number": number}
    return _step(ctx, request, "edit", params, acting, idempotency_key, apply)


def _simple(
    ctx: Context,
    request: int | str,
    action: str,
    comment: str | None,
    acting: Acting,
    idempotency_key: str | None,
    *,
    comment_required: str | None = None,
    stamp: str | None = None,
    extra: dict[str, Any] | None = None,
) -> RequestWritten:
    if comment_required is not None:
        rq.required_text(comment, "comment", comment_required)

    def apply(tx: WriteTx, row: Any, to: str | None) -> None:
        assert to is not None
        now = ctx.now()
        values: dict[str, Any] = dict(extra or {})
        if stamp is not None:
            values[stamp] = now
        record(tx.conn, row, action, to, actor=ctx.actor, at=now, comment=comment, **values)

    return _step(ctx, request, action, {"comment": comment}, acting, idempotency_key, apply)


def submit(
    ctx: Context,
    *,
    request: int | str,
    comment: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """The office sends its request (a draft, or one sent back) to the province."""
    return _simple(ctx, request, "submit", comment, acting, idempotency_key, stamp="submitted_at")


def endorse(
    ctx: Context,
    *,
    request: int | str,
    comment: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """The province (or the directorate) endorses a submitted request."""
    return _simple(ctx, request, "endorse", comment, acting, idempotency_key)


def send_back(
    ctx: Context,
    *,
    request: int | str,
    comment: str | None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """The province (or the directorate) sends the request back to the office, with a
    comment: the office may change it and submit it again."""
    return _simple(
        ctx,
        request,
        "return",
        comment,
        acting,
        idempotency_key,
        comment_required="Catatan pengembalian",
    )


def approve(
    ctx: Context,
    *,
    request: int | str,
    quantity: int | None = None,
    reason: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """The directorate approves an endorsed request: in full (no quantity, or the quantity
    asked), in part (less, with a reason), or more than asked (only with a reason)."""
    if quantity is not None:
        rq.check_quantity(quantity)
    n = request_id(request)
    found = _office_of(ctx, n, acting, "approve")
    action, qty = rq.decision(int(found.asked_qty), quantity, reason)

    def body(tx: WriteTx) -> RequestWritten:
        row = repo.request(tx.conn, n, lock=True)
        assert row is not None
        to = rq.check_transition(row.state, action)
        assert to is not None
        # The quantity asked cannot change after submission: the decision read above holds.
        now = ctx.now()
        record(
            tx.conn,
            row,
            action,
            to,
            actor=ctx.actor,
            at=now,
            comment=reason,
            quantity=qty,
            approved_qty=qty,
            decision_reason=_text(reason, "reason"),
            decided_at=now,
        )
        return {"office": tx.office, "request": view(repo.request(tx.conn, n)), "replayed": False}

    params = {"request": n, "quantity": quantity, "reason": reason}
    return write_once(ctx, found.office_code, "request.approve", params, idempotency_key, body)


def refuse(
    ctx: Context,
    *,
    request: int | str,
    reason: str | None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """The directorate refuses an endorsed request, with its reason."""
    rq.required_text(reason, "reason", "Alasan penolakan")
    return _simple(
        ctx,
        request,
        "refuse",
        reason,
        acting,
        idempotency_key,
        stamp="decided_at",
        extra={"approved_qty": 0, "decision_reason": _text(reason, "reason")},
    )


def close(
    ctx: Context,
    *,
    request: int | str,
    comment: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> RequestWritten:
    """Close a request by hand: one received short (the office or the directorate), or one
    partly shipped whose rest will not be sent (a comment says why; no tranche on the way)."""
    n = request_id(request)
    with ctx.read() as conn:
        row = repo.request(conn, n)
        on_the_way = [s.id for s in repo.tranches(conn, n) if s.status == "in_transit"]
    if row is not None and row.state == rq.PARTIALLY_SHIPPED:
        check_may(acting, "close", row)
        if on_the_way:
            raise DomainError(
                "tranche_in_transit",
                "request",
                Msg(
                    "Kiriman #{shipment} permohonan ini masih dalam perjalanan: terima dulu.",
                    shipment=on_the_way[0],
                ),
            )
        rq.required_text(comment, "comment", "Alasan menutup sebelum semua dikirim")
    return _simple(ctx, request, "close", comment, acting, idempotency_key, stamp="closed_at")


def ship(
    ctx: Context,
    *,
    request: int | str,
    document: str,
    qty: int | None = None,
    serials: str | None = None,
    location: str | None = None,
    effective: date | None = None,
    note: str | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> TrancheWritten:
    """Ship a tranche of an approved request from the directorate's warehouse: a shipment to
    the request's office (services.network.shipments.send), within the approved quantity
    still to send (qty: the rest when neither qty nor serials is given)."""
    n = request_id(request)
    found = _office_of(ctx, n, acting, "ship")
    rq.check_transition(found.state, "ship")
    if qty is None and (serials is None or not serials.strip()):
        qty = int(found.approved_qty or 0) - int(found.shipped_qty)
    if qty is not None:
        rq.check_quantity(qty, "qty")
    r = shipments.send(
        ctx,
        from_office=DIRECTORATE_CODE,
        to_office=found.office_code,
        document=document,
        serials=serials,
        qty=qty,
        location=location,
        effective=effective,
        note=note,
        idempotency_key=idempotency_key,
        request=n,
    )
    with ctx.read() as conn:
        row = repo.request(conn, n)
    return {
        "office": r["office"],
        "request": view(row),
        "shipment": r["shipment"],
        "replayed": r["replayed"],
    }


def actions_for(acting: Acting, row: Any, on_the_way: bool = False) -> list[str]:
    """The steps the reader may take on the request now (closing not while a tranche is on
    the way)."""
    out = []
    for action, (starts, _to, _who) in rq.TRANSITIONS.items():
        if action in ("receive", "approve_part"):
            continue  # a receipt is the shipment's; a part approval is an approval
        if action == "close" and on_the_way:
            continue
        if row.state in starts and acting.may(action, row.office_code):
            out.append(action)
    return out


def list_requests(
    ctx: Context,
    *,
    office: str | None = None,
    state: str | None = None,
    acting: Acting = COMMAND_LINE,
) -> list[RequestView]:
    """The requests the reader sees (an office its own, a province its offices', the
    directorate all), of one office when given, newest first."""
    if state is not None and state not in rq.STATES:
        raise DomainError(
            "request_state",
            "status",
            Msg(
                "Status permohonan '{value}' tidak dikenal: pilih {options}.",
                value=state,
                options=", ".join(rq.STATES),
            ),
        )
    code = (office or "").strip() or None
    with ctx.read() as conn:
        if code is not None and (
            network_repo.office_kind(conn, code) is None or not acting.sees(code)
        ):
            raise NotFound(
                "unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=code)
            )
        reach = acting.reach()
        rows = repo.requests(
            conn,
            office=code if code is not None else reach.office,
            province=reach.province if code is None else None,
            state=state,
        )
    return [view(r) for r in rows if acting.sees(r.office_code)]


def show(ctx: Context, *, request: int | str, acting: Acting = COMMAND_LINE) -> RequestDetail:
    """One request the reader sees, with its timeline, its tranches and the steps the reader
    may take now (another's: not found, as one that does not exist)."""
    n = request_id(request)
    with ctx.read() as conn:
        row = repo.request(conn, n)
        if row is None or not acting.sees(row.office_code):
            raise not_found(n)
        events = repo.events(conn, n)
        tranches = repo.tranches(conn, n)
    return {
        "request": view(row),
        "events": [event_view(e) for e in events],
        "tranches": [shipments.view(s) for s in tranches],
        "actions": actions_for(
            acting, row, on_the_way=any(s.status == "in_transit" for s in tranches)
        ),
    }


def stored(ctx: Context, number: int | str) -> RequestView:
    """One request as stored, for the request letter (no scope: its caller's)."""
    n = request_id(number)
    with ctx.read() as conn:
        row = repo.request(conn, n)
    if row is None:
        raise not_found(n)
    return view(row)
