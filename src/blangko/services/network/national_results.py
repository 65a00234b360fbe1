"""What the snapshot job and the national and province view return (TypedDicts)."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class SnapshotDone(TypedDict):
    office: str
    computed: bool  # False: skipped, nothing it depends on changed since its snapshot
    seconds: float


class SnapshotRun(TypedDict):
    as_of: str
    offices: int
    computed: int
    skipped: int
    workers: int
    seconds: float
    done: list[SnapshotDone]


class DaysOfCoverView(TypedDict):
    p50: int
    p90: int
    beyond_horizon: bool
    horizon_days: int


class CoverageView(TypedDict):
    coverage_pct: float | None
    wajib_ktp: int
    gap_to_target: int
    target_pct: str


class ElectionView(TypedDict):
    date: str
    name: str


class OpenRequest(TypedDict):
    id: int
    asked: int
    state: str  # domain.requests.OPEN_STATES


class OpenLoan(TypedDict):
    """An open loan as the office's dashboard shows it (services.network.loan_book)."""

    id: int
    lender: str
    borrower: str
    status: str  # sent | open
    quantity: int  # as arranged
    outstanding: int  # lent - returned - written off
    returning: int  # in return shipments still in transit
    due_date: str
    overdue: bool  # open past its due date, as of the snapshot's day


class OfficeSnapshot(TypedDict):
    """One office as its latest snapshot has it (the figures of its own pages)."""

    code: str
    name: str
    province: str
    as_of: str
    computed_at: str  # naive UTC, ISO
    on_hand: int
    by_location: dict[str, int]
    in_transit: int  # shipped to it, not yet received
    days_of_cover: DaysOfCoverView
    stockout_probability: float  # before the next delivery
    next_delivery: str
    level: str  # habis | menipis | aman
    recommended_request: int
    backlog: dict[str, int]
    coverage: CoverageView
    election: ElectionView | None  # the next election within the horizon
    versions: dict[str, Any]
    open_requests: list[OpenRequest]  # the office's open requests as the snapshot read them
    open_loans: list[OpenLoan]  # lent or borrowed, on their way or not yet settled


class ProvinceSummary(TypedDict):
    code: str
    name: str
    offices: int  # offices with a snapshot
    by_level: dict[str, int]  # habis / menipis / aman -> offices
    level: str | None  # the worst level among its offices (None: no snapshot)
    on_hand: int
    in_transit: int
    print_backlog: int


class NationalView(TypedDict):
    scope: str  # nasional | the province's code
    as_of: str
    filters: dict[str, str | None]
    sort: str
    provinces: list[ProvinceSummary]
    offices: list[OfficeSnapshot]
    missing: list[str]  # offices within the scope without a snapshot yet
    last_computed: str | None
