"""Imports every table module so that `metadata` holds the whole schema (Alembic, tests)."""

from blangko.adapters import (
    tables,
    tables_events,  # noqa: F401 - events and their villages
    tables_residents,
    tables_service,  # noqa: F401 - applications, closures
    tables_users,  # noqa: F401 - registers app_user, login_attempt
)
from blangko.adapters.tables import metadata

__all__ = ["metadata", "tables", "tables_residents"]
