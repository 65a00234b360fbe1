"""What the calendar use cases return: one TypedDict per result shape (plain dicts at run
time, checked by mypy, and the web API's response models).

The events (events.py) are still built as untyped dicts in part; their shapes allow extra
keys, so the API's response validation never drops a field those use cases add.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

LOOSE = ConfigDict(extra="allow")


# Closures, open days, capacity (days.py) -----------------------------------------------------
class ClosureView(TypedDict):
    """A service closed from `start` to `end` inclusive (no end: until reopened)."""

    id: int
    service: str
    start: str
    end: str | None
    reason: str
    created_at: str
    actor: str
    ended_at: str | None
    ended_by: str | None


class ClosureAdded(TypedDict):
    office: str
    closure: ClosureView
    replayed: bool


class ClosureEnded(TypedDict):
    office: str
    closure: ClosureView
    reopened: str
    replayed: bool


class OpenDayAdded(TypedDict):
    office: str
    day: str
    reason: str
    replayed: bool


class DeskNotice(TypedDict):
    """A desk (perekaman, pencetakan) closed on `date`: the reason, the first day it is open
    again (None: not within a year, a closure without an end), and the sentence a clerk reads."""

    desk: str
    date: str
    reason: str
    reopens: str | None
    message: str


class CapacitySet(TypedDict):
    office: str
    service: str
    per_day: int
    replayed: bool


# Events (events.py) --------------------------------------------------------------------------
@with_config(LOOSE)
class EventSummary(TypedDict):
    id: int
    name: str
    date: str
    kind: str
    villages: int


@with_config(LOOSE)
class EventVillage(TypedDict):
    code: str
    name: str | None
    kecamatan: str | None
    jenis: str | None


@with_config(LOOSE)
class EventDetail(TypedDict):
    id: int
    office: str
    name: str
    date: str
    kind: str
    created_at: str
    actor: str
    villages: list[EventVillage]


@with_config(LOOSE)
class EventAdded(EventDetail):
    replayed: bool


@with_config(LOOSE)
class DemandRange(TypedDict):
    low: int
    expected: int
    high: int


@with_config(LOOSE)
class Pools(TypedDict):
    recordings: int
    blanks: int


@with_config(LOOSE)
class PerDay(TypedDict):
    """Per open day of the desk in the window; None when the desk has no open day there."""

    recordings: dict[str, float] | None
    blanks: dict[str, float] | None


# "from" is a keyword: the functional form.
Window = TypedDict("Window", {"from": str, "to": str})
with_config(LOOSE)(Window)


@with_config(LOOSE)
class ExpectedExtra(TypedDict):
    recordings: DemandRange
    blanks: DemandRange
    pools: Pools
    per_day_in_window: PerDay
    window: Window


@with_config(LOOSE)
class Impact(TypedDict):
    """What an event will do to demand in the villages it touches."""

    id: int
    event: str
    kind: str
    date: str
    as_of: str
    days_until: int
    villages: int
    wajib_ktp: int
    unrecorded: int
    recorded_not_printed: int
    turning_17_before: int
    suket_waiting: int
    expected_extra: ExpectedExtra
    assumptions: dict[str, Any]
