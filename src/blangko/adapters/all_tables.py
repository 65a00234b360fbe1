"""Imports every table module so that `metadata` holds the whole schema (Alembic, tests)."""

from blangko.adapters import tables, tables_residents
from blangko.adapters import tables_users  # noqa: F401 - registers app_user, login_attempt
from blangko.adapters import tables_service  # noqa: F401 - applications, closures
from blangko.adapters import tables_events  # noqa: F401 - events and their villages
from blangko.adapters.tables import metadata

__all__ = ["metadata", "tables", "tables_residents"]
