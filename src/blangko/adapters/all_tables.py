"""Imports every table module so that `metadata` holds the whole schema (Alembic, tests)."""

from blangko.adapters import tables, tables_residents
from blangko.adapters.tables import metadata

__all__ = ["metadata", "tables", "tables_residents"]
