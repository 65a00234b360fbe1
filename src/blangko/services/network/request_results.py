"""What the request use cases return (TypedDicts: plain dicts, checked by mypy)."""

from __future__ import annotations

from typing_extensions import TypedDict

from blangko.services.network.results import ShipmentView


class RequestReason(TypedDict):
    reason: str
    quantity: int


class RequestView(TypedDict):
    id: int
    office: str
    state: str  # draft | submitted | returned | endorsed | approved | refused | ...
    as_of: str  # the forecast's day
    recommended_qty: int  # the forecast's recommendation when drafted
    reasons: list[RequestReason]  # its reasons as drafted (they add up to it)
    basis: list[str]  # where the forecast took its lead time and fill rate from
    asked_qty: int
    edit_reason: str | None
    number: str | None
    approved_qty: int | None
    decision_reason: str | None
    shipped_qty: int
    arrived_qty: int
    created_at: str
    created_by: str
    submitted_at: str | None
    decided_at: str | None
    received_at: str | None
    closed_at: str | None


class RequestEvent(TypedDict):
    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: str
    comment: str | None
    quantity: int | None
    shipment: int | None


class RequestDetail(TypedDict):
    request: RequestView
    events: list[RequestEvent]
    tranches: list[ShipmentView]
    actions: list[str]  # the steps the reader may take now


class RequestWritten(TypedDict):
    office: str  # the ledger whose lock the write took
    request: RequestView
    replayed: bool


class TrancheWritten(TypedDict):
    office: str  # the directorate's ledger
    request: RequestView
    shipment: ShipmentView
    replayed: bool


class HistoryFigure(TypedDict):
    mean: float
    spread: float
    n: int


class SupplyHistory(TypedDict):
    """Lead time (days from submission to the last tranche received) and fill rate (approved
    / asked) from the request history of an office and of its province."""

    office: str
    province: str
    lead_time_office: HistoryFigure | None
    lead_time_province: HistoryFigure | None
    fill_rate_office: HistoryFigure | None
    fill_rate_province: HistoryFigure | None
    lead_time_days: float  # what the forecast uses
    lead_time_spread_days: float
    lead_time_source: str  # office | province | default
    fill_rate: float
    fill_rate_spread: float
    fill_rate_source: str
