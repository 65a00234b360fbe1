"""Imports every table module so that `metadata` holds the whole schema (Alembic, tests)."""

from blangko.adapters import (
    tables,
    tables_applications,  # noqa: F401 - application, application_event
    tables_calendar,  # noqa: F401 - closure, open_day, capacity
    tables_derived,  # noqa: F401 - figure_version, derived_figure, coverage_count
    tables_events,  # noqa: F401 - events and their villages
    tables_handed_in,  # noqa: F401 - handed-in cards, destructions, counts
    tables_items,  # noqa: F401 - items, lots, item entries, printers
    tables_loans,  # noqa: F401 - loan, loan_event
    tables_rationing,  # noqa: F401 - rationing_policy
    tables_readlog,  # noqa: F401 - read_log
    tables_requests,  # noqa: F401 - blank_request, request_event
    tables_residents,
    tables_snapshots,  # noqa: F401 - office_snapshot
    tables_users,  # noqa: F401 - registers app_user, login_attempt
)
from blangko.adapters.tables import metadata

__all__ = ["metadata", "tables", "tables_residents"]
