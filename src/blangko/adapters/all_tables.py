"""Imports every table module so that `metadata` holds the whole schema (Alembic, tests)."""

from blangko.adapters import tables
from blangko.adapters.tables import metadata

__all__ = ["metadata", "tables"]
