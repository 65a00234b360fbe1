"""What the public status board returns (services/dashboard.py): TypedDicts, plain dicts at
run time, used as the web API's response models.

dashboard.py still builds these as untyped dicts; the shapes allow extra keys, so the API's
response validation never drops a field the dashboard adds.
"""

from __future__ import annotations

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from blangko.services.rationing import PublicNotice

LOOSE = ConfigDict(extra="allow")


@with_config(LOOSE)
class DeskOpen(TypedDict):
    """One service desk (perekaman, pencetakan) today: open, or closed and why."""

    service: str
    open: bool
    reason: str | None


@with_config(LOOSE)
class PublicStatus(TypedDict):
    """What anyone may know without logging in: no figures, no names."""

    office: str
    office_name: str
    date: str
    services: list[DeskOpen]
    printing: bool
    stock_level: str
    # When the stored forecast behind the level was computed (UTC, ISO); None: none stored
    # yet, the level is from the stock on hand alone (habis at 0, else aman).
    stock_level_computed_at: str | None
    # True while a newer forecast is being computed (the level is of the one before).
    stock_level_updating: bool
    # The rationing policy in force today, in plain words on the page (None: none).
    rationing: PublicNotice | None


@with_config(LOOSE)
class PublicApplication(TypedDict):
    """One application's progress by its receipt number: status and dates only."""

    receipt: str
    status: str
    submitted_date: str
    ready_date: str | None
    printed_date: str | None
    collected_date: str | None
    status_label: str
    ready_to_collect: bool
