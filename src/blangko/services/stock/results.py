"""What the stock use cases return: one TypedDict per result shape.

The values stay plain dicts (the CLI prints them as JSON, templates and tests read them by
key), while mypy checks every key and the web API declares the same classes as its response
models, so the OpenAPI document describes them. `typing_extensions.TypedDict`, because
pydantic needs it on Python < 3.12.

The physical-count results (Count*) are written by services/stock/counts.py, which still
builds them as untyped dicts: they allow extra keys so that the API's response validation
never drops a field the count use cases add.
"""

from __future__ import annotations

from typing import NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from blangko.services.items.results import ItemAudit


# Writes --------------------------------------------------------------------------------------
class EntryView(TypedDict):
    """One ledger entry just written (what services.stock.entries.append_entry returns)."""

    seq: int
    kind: str
    effective_date: str
    quantity: int
    serials: str
    from_location: str | None
    to_location: str | None


class EntriesWritten(TypedDict):
    """A stock write: the entries it appended (one per location moved from) and their sum."""

    office: str
    entries: list[EntryView]
    quantity: int
    replayed: bool


class AnchorView(TypedDict):
    """An anchor of the office's chain (services/stock/anchors.py): the head it recorded."""

    office: str
    number: int
    seq: int
    hash: str
    anchored_at: str
    actor: str
    reason: str
    month: str | None
    key_id: str


class AnchorWritten(TypedDict):
    """`blangko stock anchor`: the anchor made, or the latest one when nothing had changed."""

    office: str
    anchored: bool  # False: the chain and the records were as the latest anchor has them
    anchor: AnchorView
    replayed: bool


class MonthClosed(TypedDict):
    """A month closed, and the chain's head at that moment, anchored (the number to keep on
    the signed month-close record)."""

    office: str
    month: str
    closed: bool
    ledger_seq: NotRequired[int]  # NotRequired: replays of closes made before anchors existed
    ledger_hash: NotRequired[str]
    anchor: NotRequired[int]
    replayed: bool


# Reads ---------------------------------------------------------------------------------------
class Balance(TypedDict):
    """Stock on hand as of a day, per location and per bucket (received, consumed ...)."""

    office: str
    office_name: str
    as_of: str
    on_hand: int
    by_location: dict[str, int]
    totals: dict[str, int]
    location: NotRequired[str]
    location_on_hand: NotRequired[int]


class LedgerEntry(TypedDict):
    """One ledger entry as the ledger, a trace and the dashboard show it."""

    seq: int
    kind: str
    effective_date: str
    recorded_at: str
    actor: str
    from_location: str | None
    to_location: str | None
    service: str | None
    reason: str | None
    document: str | None
    party: str | None
    note: str | None
    quantity: int
    serials: str
    count_id: int | None
    hash: str


# "from" is a keyword: the functional form.
Ledger = TypedDict(
    "Ledger",
    {"office": str, "from": str | None, "to": str | None, "entries": list[LedgerEntry]},
)


class LedgerPage(TypedDict):
    """One page of the ledger's entries and how many the filters select in all."""

    office: str
    total: int
    limit: int
    offset: int
    items: list[LedgerEntry]


class Trace(TypedDict):
    """One card: its state, where it is, and every entry that moved it."""

    serial: str
    office: str
    state: str
    location: str | None
    last_seq: int
    history: list[LedgerEntry]


class Problem(TypedDict):
    seq: int | None
    message: str


class Verification(TypedDict):
    """The audit: the hash chain and every serial's state recomputed from the entries."""

    office: str
    sound: bool
    entries: int
    serials: int
    first_bad_seq: int | None
    problems: list[Problem]
    anchors: int  # how many anchors the office has
    last_anchor: AnchorView | None
    warnings: list[str]  # sound, but worth knowing (no anchor yet, the public key signed ...)
    items: list[ItemAudit]  # each quantity item's own chain (ribbon, film ...)
    seconds: float


# Physical counts (services/stock/counts.py) --------------------------------------------------
@with_config(ConfigDict(extra="allow"))
class CountFigures(TypedDict):
    """Book against counted at one place; a count by quantity only does not know which
    cards, so its missing and unexpected counts are None."""

    mode: str
    book: int
    counted: int
    variance: int
    missing: str
    missing_count: int | None
    unexpected: str
    unexpected_count: int | None


@with_config(ConfigDict(extra="allow"))
class CountPart(CountFigures):
    location: str | None


@with_config(ConfigDict(extra="allow"))
class CountView(CountFigures):
    """A count and its life: open, posted, superseded or voided."""

    count_id: int
    office_wide: bool
    location: str | None
    locations: list[str | None]
    count_date: str
    recorded_at: str | None
    status: str
    actor: str
    reason: str | None
    posted_at: str | None
    posted_by: str | None
    superseded_by: int | None
    voided_at: str | None
    voided_by: str | None
    void_reason: str | None
    parts: list[CountPart]


@with_config(ConfigDict(extra="allow"))
class CountRecorded(CountView):
    office: str
    duplicate_reads: int
    replayed: bool


@with_config(ConfigDict(extra="allow"))
class CountVoided(CountView):
    office: str
    replayed: bool


@with_config(ConfigDict(extra="allow"))
class CountPosted(CountView):
    office: str
    entries: list[EntryView]
    replayed: bool
