"""Typed results of the item and printer use cases (services/items)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class ItemView(TypedDict):
    code: str
    name: str
    kind: str  # serialised | quantity
    role: str  # card | ribbon | film | other
    unit: str
    yield_prints: int | None
    lead_time_days: int | None
    on_hand: int  # units in store (blanks: cards on hand)
    serial_pattern: NotRequired[str | None]


class ItemList(TypedDict):
    office: str
    items: list[ItemView]


class ItemAdded(TypedDict):
    office: str
    item: ItemView
    replayed: bool


class ItemEntryView(TypedDict):
    item: str
    seq: int
    kind: str
    date: str
    lot: str
    quantity: int
    printer: str | None
    hash: str
    serials: NotRequired[str]  # a serialised item's entry: the serial ranges it moves


class ItemEntriesWritten(TypedDict):
    office: str
    item: str
    entries: list[ItemEntryView]
    replayed: bool


class LotBalance(TypedDict):
    lot: str
    yield_prints: int | None
    on_hand: int


class ItemBalance(TypedDict):
    office: str
    item: str
    as_of: str
    on_hand: int
    totals: dict[str, int]
    by_lot: list[LotBalance]
    balanced: bool
    # A serialised item (KIA): its serials per state, and the ranges in store.
    states: NotRequired[dict[str, int]]
    in_store: NotRequired[str]


class ItemCountResult(TypedDict):
    office: str
    item: str
    lot: str
    book: int
    counted: int
    variance: int
    entries: list[ItemEntryView]
    replayed: bool


class SerialCountResult(TypedDict):
    office: str
    item: str
    book: int  # serials in store by the book
    counted: int  # serials scanned
    variance: int
    found: str  # ranges scanned but not in store by the book
    missing: str  # ranges in store by the book but not scanned
    entries: list[ItemEntryView]
    replayed: bool


class ItemAudit(TypedDict):
    item: str
    entries: int
    sound: bool
    problems: list[str]


class LoadView(TypedDict):
    id: int
    item: str
    role: str
    lot: str
    label: str
    loaded: str
    removed: str | None
    prints: int
    yield_prints: int
    early: bool  # removed before its yield was printed


class PrinterView(TypedDict):
    name: str
    station: str
    capacity: int
    state: str
    since: str | None
    expected_back: str | None
    loaded: list[LoadView]


class PrinterList(TypedDict):
    office: str
    printers: list[PrinterView]


class PrinterWritten(TypedDict):
    office: str
    printer: PrinterView
    replayed: bool


class StateView(TypedDict):
    state: str
    since: str
    expected_back: str | None
    note: str | None
    actor: str
    recorded_at: str


class PrinterHistory(TypedDict):
    office: str
    printer: str
    states: list[StateView]
    loads: list[LoadView]


class LimitView(TypedDict):
    constraint: str  # blanks | ribbon | film | printers
    item: str | None
    name: str
    stops_on: str | None  # median date printing stops (None: not within the horizon)
    stops_on_p90: str | None
    beyond_horizon: bool
    request_units: int
    unit: str
    route: str | None
    lead_time_days: int | None
    request_by: str | None


class SupplyLimitsResult(TypedDict):
    office: str
    as_of: str
    horizon_days: int
    binding: LimitView
    limits: list[LimitView]
    printers_down: list[str]
    notes: list[str]


class NoSupplyLimits(TypedDict):
    """What stops printing first for an office that keeps no item but the blank and no
    printer: nothing to add to the forecast's cover, only the office it was asked of."""

    office: str
