"""The national allocation and rebalancing on the page and the command line (issue 14,
points 3 and 4; docs/network.md, "Allocation and rebalancing").

`allocation` builds one `domain.allocation.AllocationInput` from today's office snapshots
(stock on hand and in transit, the stored demand paths, the asked quantity of the open request
the snapshot holds, the print backlog, an election within the horizon) and the directorate's
stock available at its central warehouse, runs `compare` (ours and the four comparison
policies, scored by one evaluator) and returns per office what was asked, ours, each policy's
quantity and the expected waiting before and after; `rebalance` proposes loans
(`domain.rebalancing.propose`) on the same offices.

`apply` turns an allocation (ours, or the directorate's adjusted quantities) into approvals
and shipments in one step: for each office with an open request (submitted or endorsed) the
directorate endorses it when it is only submitted, approves it with the allocated quantity
(in part, with the reason "alokasi nasional", when less than asked) and ships it from the
central warehouse (services.network.requests: the same steps as one by one). Every input is
checked before the first write (quantities whole boxes and not negative, the total within the
warehouse's stock, every request still approvable), so bad input writes nothing. The steps
are then one transaction each, not one overall: an approval locks the office's chain head and
a shipment the directorate's, and no write of the network locks two chains (so that no two
writes wait for each other in a cycle, docs/network.md "The life of a shipment"). Each step
takes an idempotency key derived from the caller's (``K/request/step``), so a retry with the
same key after an interruption replays the steps done and completes the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from typing_extensions import TypedDict

from blangko.adapters.repos import idempotency as idem_repo
from blangko.adapters.repos import requests as requests_repo
from blangko.adapters.repos import snapshots as snapshots_repo
from blangko.domain import allocation as da
from blangko.domain import rebalancing
from blangko.domain import requests as rq
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.limits import check_date, check_text
from blangko.domain.text import Msg
from blangko.formatting import num
from blangko.services.context import Context
from blangko.services.network import requests as requests_service
from blangko.services.network.organisation import DIRECTORATE_CODE, STORE_NAME, province_of
from blangko.services.network.request_steps import COMMAND_LINE, Acting
from blangko.services.stock import queries

APPROVABLE = (rq.SUBMITTED, rq.ENDORSED)
PART_REASON = "alokasi nasional"
COMPARED = ("equal", "asked", "backlog", "maxmin")


class AllocationLine(TypedDict):
    office: str
    name: str
    province: str
    as_of: str  # the snapshot's day
    on_hand: int
    in_transit: int
    backlog: int
    election: bool
    request: int | None  # the open request (submitted or endorsed) the quantity answers
    request_state: str | None
    asked: int
    quantities: dict[str, int]  # ours and every comparison policy
    waiting_before: float  # expected residents waiting over the horizon without a delivery
    waiting_after: float  # with ours


class PolicyTotal(TypedDict):
    policy: str
    shipped: int
    left_central: int
    waiting: float  # expected, over every office
    weighted: float
    offices_stocking_out: float


class AllocationView(TypedDict):
    as_of: str
    stock: int  # the directorate's blanks available at its central warehouse (or --stock)
    warehouse: int  # what the warehouse holds today
    box_size: int
    election_weight: float
    periods: int
    policies: list[str]
    lines: list[AllocationLine]
    totals: list[PolicyTotal]
    waiting_before: float
    missing: list[str]  # offices without a snapshot (or without demand paths): not allocated


class LoanView(TypedDict):
    from_office: str
    to_office: str
    quantity: int
    tier: str
    donor_waiting_before: float
    donor_waiting_after: float
    receiver_waiting_before: float
    receiver_waiting_after: float
    receiver_stockout_before: float
    receiver_stockout_after: float


class RebalanceView(TypedDict):
    as_of: str
    box_size: int
    loans: list[LoanView]


class AppliedLine(TypedDict):
    office: str
    request: int
    asked: int
    quantity: int
    action: str  # approve | approve_part
    shipment: int
    replayed: bool


class SkippedLine(TypedDict):
    office: str
    quantity: int
    why: str  # no_request | zero


class AllocationApplied(TypedDict):
    as_of: str
    document: str
    total: int
    applied: list[AppliedLine]
    skipped: list[SkippedLine]


# --- reading ---------------------------------------------------------------------------------


def _check_scope(acting: Acting) -> None:
    if not acting.directorate:
        raise NotFound(
            "not_in_scope",
            None,
            Msg("Alokasi nasional hanya untuk pengguna direktorat."),
        )


def warehouse_stock(ctx: Context, day: date) -> int:
    """The directorate's blanks available at its central warehouse on ``day``."""
    b = queries.balance(ctx, as_of=day, office=DIRECTORATE_CODE)
    return int(b["by_location"].get(STORE_NAME, 0))


def _open_request(open_requests: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The office's request an allocation answers: its latest submitted or endorsed one."""
    found = [r for r in open_requests if r["state"] in APPROVABLE]
    return max(found, key=lambda r: int(r["id"])) if found else None


def _snapshot_offices(ctx: Context, day: date) -> tuple[list[Any], list[str]]:
    with ctx.read() as conn:
        known = [c for c, _ in snapshots_repo.regency_offices(conn)]
        rows = snapshots_repo.latest(conn, day, known)
    have = {r.office_code for r in rows}
    usable = [r for r in rows if json.loads(r.demand_paths).get("paths")]
    missing = sorted(
        {c for c in known if c not in have}
        | {r.office_code for r in rows} - {r.office_code for r in usable}
    )
    return usable, missing


def owing_overdue(rows: Sequence[Any]) -> set[str]:
    """The offices whose snapshot lists a loan they borrowed that is overdue."""
    return {
        r.office_code
        for r in rows
        for loan in json.loads(r.open_loans or "[]")
        if loan["borrower"] == r.office_code and loan["overdue"]
    }


def build_input(
    ctx: Context,
    *,
    stock: int | None = None,
    box: int | None = None,
    as_of: date | None = None,
) -> tuple[da.AllocationInput, list[Any], list[str], int]:
    """The optimiser's input from the snapshots of ``as_of`` (default today) and the
    directorate's warehouse: (input, snapshot rows in input order, offices left out, what the
    warehouse holds). Paths are cut to the shortest horizon among the offices."""
    day = check_date(as_of or ctx.today(), "as_of")
    box_size = ctx.settings.allocation_box_size if box is None else box
    if box_size < 1:
        raise DomainError("box_size", "box", Msg("Isi per kotak harus lebih dari 0 keping."))
    if stock is not None and stock < 0:
        raise DomainError("national_stock", "stock", Msg("Stok nasional tidak boleh negatif."))
    held = warehouse_stock(ctx, day)
    rows, missing = _snapshot_offices(ctx, day)
    stored = [json.loads(r.demand_paths) for r in rows]
    periods = min((len(s["paths"][0]) for s in stored), default=0)
    offices = []
    for r, s in zip(rows, stored, strict=True):
        req = _open_request(json.loads(r.open_requests or "[]"))
        offices.append(
            da.OfficeNeed(
                office=r.office_code,
                on_hand=int(r.on_hand),
                in_transit=int(r.in_transit),
                paths=[p[:periods] for p in s["paths"]],
                asked=int(req["asked"]) if req else 0,
                backlog=int(r.print_backlog),
                election=r.election_date is not None,
                province=province_of(r.office_code),
            )
        )
    inp = da.AllocationInput(
        national_stock=held if stock is None else stock,
        offices=offices,
        box_size=box_size,
        election_weight=ctx.settings.allocation_election_weight,
    )
    return inp, rows, missing, held


def allocation(
    ctx: Context,
    *,
    stock: int | None = None,
    box: int | None = None,
    as_of: date | None = None,
    acting: Acting = COMMAND_LINE,
) -> AllocationView:
    """Ours beside the four comparison policies, per office and in total (module docstring).
    ``stock``: a national stock to split other than the warehouse's (a what-if)."""
    _check_scope(acting)
    day = check_date(as_of or ctx.today(), "as_of")
    inp, rows, missing, held = build_input(ctx, stock=stock, box=box, as_of=day)
    results = da.compare(inp) if inp.offices else {}
    before = da.evaluate(inp, [0] * len(inp.offices), "none") if inp.offices else None
    lines: list[AllocationLine] = []
    for i, (r, o) in enumerate(zip(rows, inp.offices, strict=True)):
        req = _open_request(json.loads(r.open_requests or "[]"))
        lines.append(
            {
                "office": o.office,
                "name": r.office_name,
                "province": o.province,
                "as_of": r.as_of.isoformat(),
                "on_hand": o.on_hand,
                "in_transit": o.in_transit,
                "backlog": o.backlog,
                "election": o.election,
                "request": int(req["id"]) if req else None,
                "request_state": str(req["state"]) if req else None,
                "asked": o.asked,
                "quantities": {p: int(results[p].quantities[i]) for p in da.POLICIES},
                "waiting_before": round(float(before.unmet[i]), 1) if before else 0.0,
                "waiting_after": round(float(results["ours"].unmet[i]), 1),
            }
        )
    totals: list[PolicyTotal] = [
        {
            "policy": p,
            "shipped": int(results[p].shipped),
            "left_central": int(results[p].left_central),
            "waiting": round(float(results[p].total_unmet), 1),
            "weighted": round(float(results[p].weighted_unmet), 1),
            "offices_stocking_out": round(float(results[p].offices_stocking_out), 2),
        }
        for p in (da.POLICIES if results else ())
    ]
    return {
        "as_of": day.isoformat(),
        "stock": inp.national_stock,
        "warehouse": held,
        "box_size": inp.box_size,
        "election_weight": inp.election_weight,
        "periods": len(inp.offices[0].paths[0]) if inp.offices else 0,
        "policies": list(da.POLICIES),
        "lines": lines,
        "totals": totals,
        "waiting_before": round(float(before.total_unmet), 1) if before else 0.0,
        "missing": missing,
    }


def rebalance(
    ctx: Context,
    *,
    box: int | None = None,
    as_of: date | None = None,
    acting: Acting = COMMAND_LINE,
) -> RebalanceView:
    """Loans from offices with a sure surplus to offices at risk, same province first
    (domain.rebalancing.propose), on the offices of today's snapshots; an office whose
    snapshot has it owing an overdue loan lends nothing new (it returns that loan first)."""
    _check_scope(acting)
    day = check_date(as_of or ctx.today(), "as_of")
    inp, rows, _missing, _held = build_input(ctx, box=box, as_of=day)
    loans = rebalancing.propose(inp.offices, box_size=inp.box_size, owing=owing_overdue(rows))
    return {
        "as_of": day.isoformat(),
        "box_size": inp.box_size,
        "loans": [
            {
                "from_office": x.from_office,
                "to_office": x.to_office,
                "quantity": int(x.quantity),
                "tier": x.tier,
                "donor_waiting_before": round(float(x.donor_unmet_before), 1),
                "donor_waiting_after": round(float(x.donor_unmet_after), 1),
                "receiver_waiting_before": round(float(x.receiver_unmet_before), 1),
                "receiver_waiting_after": round(float(x.receiver_unmet_after), 1),
                "receiver_stockout_before": round(float(x.receiver_stockout_before), 4),
                "receiver_stockout_after": round(float(x.receiver_stockout_after), 4),
            }
            for x in loans
        ],
    }


# --- turning it into approvals and shipments ---------------------------------------------------


def _step_key(key: str | None, request: int, step: str) -> str | None:
    return None if key is None else f"{key}/{request}/{step}"


def apply(
    ctx: Context,
    *,
    quantities: Mapping[str, int] | None = None,
    stock: int | None = None,
    box: int | None = None,
    document: str | None = None,
    as_of: date | None = None,
    acting: Acting = COMMAND_LINE,
    idempotency_key: str | None = None,
) -> AllocationApplied:
    """Approve and ship an allocation: ours (``quantities`` None) or the directorate's
    adjusted quantities per office code (module docstring). Everything is checked before the
    first write."""
    _check_scope(acting)
    day = check_date(as_of or ctx.today(), "as_of")
    if idempotency_key is not None:
        check_text(idempotency_key, "idempotency_key")
    view = allocation(ctx, stock=stock, box=box, as_of=day, acting=acting)
    box_size = view["box_size"]
    doc = (document or "").strip() or f"ALOKASI/{day.isoformat()}"
    check_text(doc, "document")
    lines = {line["office"]: line for line in view["lines"]}
    if quantities is None:
        wanted = {o: line["quantities"]["ours"] for o, line in lines.items()}
    else:
        wanted = {}
        for office, qty in quantities.items():
            if office not in lines:
                raise DomainError(
                    "unknown_office",
                    "office",
                    Msg("Kantor '{code}' tidak ada dalam alokasi.", code=office),
                )
            if isinstance(qty, bool) or int(qty) != qty or qty < 0:
                raise DomainError(
                    "quantity_negative",
                    "quantity",
                    Msg(
                        "Kantor {office}: jumlah harus bilangan bulat, paling sedikit 0 ({value}).",
                        office=office,
                        value=qty,
                    ),
                )
            if qty % box_size:
                raise DomainError(
                    "whole_boxes",
                    "quantity",
                    Msg(
                        "Kantor {office}: {value} keping bukan kotak utuh (isi per kotak {box}).",
                        office=office,
                        value=num(qty),
                        box=num(box_size),
                    ),
                )
            wanted[office] = int(qty)
    skipped: list[SkippedLine] = []
    plan: list[tuple[str, int, int, bool, bool]] = []  # office, request, qty, approved, shipped
    with ctx.read() as conn:
        for office in sorted(wanted):
            qty = wanted[office]
            number = lines[office]["request"]
            if number is None:
                if qty:
                    skipped.append({"office": office, "quantity": qty, "why": "no_request"})
                continue
            if qty == 0:
                skipped.append({"office": office, "quantity": 0, "why": "zero"})
                continue
            row = requests_repo.request(conn, number)
            assert row is not None
            approved = idempotency_key is not None and (
                idem_repo.find(conn, office, str(_step_key(idempotency_key, number, "approve")))
                is not None
            )
            shipped = idempotency_key is not None and (
                idem_repo.find(
                    conn, DIRECTORATE_CODE, str(_step_key(idempotency_key, number, "ship"))
                )
                is not None
            )
            if not approved and row.state not in APPROVABLE:
                raise DomainError(
                    "not_approvable",
                    "request",
                    Msg(
                        "Permohonan #{request} kantor {office} berstatus '{state_label}': hanya"
                        " permohonan yang diajukan atau disetujui provinsi dapat dialokasikan.",
                        request=number,
                        office=office,
                        state_label=rq.STATE_LABELS.get(row.state, row.state),
                    ),
                )
            plan.append((office, number, qty, approved, shipped))
    to_ship = sum(qty for _, _, qty, _, shipped in plan if not shipped)
    held = warehouse_stock(ctx, day)
    if to_ship > held:
        raise DomainError(
            "insufficient_stock",
            "quantity",
            Msg(
                "Alokasi {total} keping melebihi stok gudang direktorat ({have} keping).",
                total=num(to_ship),
                have=num(held),
            ),
        )
    applied: list[AppliedLine] = []
    for office, number, qty, approved, shipped in plan:
        asked = lines[office]["asked"]
        action = "approve_part" if qty < asked else "approve"
        ship_key = _step_key(idempotency_key, number, "ship")
        if shipped:  # a retry: this office was done by the same key
            with ctx.read() as conn:
                prior = idem_repo.find(conn, DIRECTORATE_CODE, str(ship_key))
            assert prior is not None
            stored = json.loads(prior.result)
            applied.append(
                {
                    "office": office,
                    "request": number,
                    "asked": asked,
                    "quantity": int(stored["shipment"]["quantity"]),
                    "action": action,
                    "shipment": int(stored["shipment"]["id"]),
                    "replayed": True,
                }
            )
            continue
        if not approved:
            with ctx.read() as conn:
                row = requests_repo.request(conn, number)
            if row is not None and row.state == rq.SUBMITTED:
                requests_service.endorse(
                    ctx,
                    request=number,
                    comment=PART_REASON,
                    acting=acting,
                    idempotency_key=_step_key(idempotency_key, number, "endorse"),
                )
            requests_service.approve(
                ctx,
                request=number,
                quantity=qty,
                reason=None if qty == asked else PART_REASON,
                acting=acting,
                idempotency_key=_step_key(idempotency_key, number, "approve"),
            )
        with ctx.read() as conn:
            row = requests_repo.request(conn, number)
        assert row is not None
        sent = requests_service.ship(
            ctx,
            request=number,
            document=doc,
            qty=int(row.approved_qty or 0) - int(row.shipped_qty),
            acting=acting,
            idempotency_key=ship_key,
        )
        applied.append(
            {
                "office": office,
                "request": number,
                "asked": asked,
                "quantity": int(sent["shipment"]["quantity"]),
                "action": action,
                "shipment": int(sent["shipment"]["id"]),
                "replayed": False,
            }
        )
    return {
        "as_of": day.isoformat(),
        "document": doc,
        "total": sum(a["quantity"] for a in applied),
        "applied": applied,
        "skipped": skipped,
    }
