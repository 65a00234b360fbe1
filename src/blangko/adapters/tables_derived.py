"""Derived figures kept in the database, so that every process and every restart reads the
same figure (docs/forecast.md, "Stored figures"; docs/coverage.md, "Counts kept up to date").

- `figure_version`: per office, a counter per source of data that figures depend on
  (registry, applications, calendar, events), bumped by database triggers in the same
  transaction as the change (migration 0012), whoever writes. The ledger's own counter is
  the office's chain head (`office.ledger_seq`).
- `derived_figure`: one computed figure per office, kind and parameters, with the key of the
  versions it was computed from; a view whose key matches reads it, else it is computed
  again (once: the claim columns keep concurrent processes from computing it twice).
- `coverage_count`: alive residents per village, sex, birth year and married or not, with
  how many are recorded, kept by triggers on `resident` (insert, update, delete), so
  coverage reads these rows instead of the registry.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Table, Text

from blangko.adapters.tables import metadata

# The sources a version is kept for; the triggers of migration 0012 bump them.
VERSION_SOURCES = ("registry", "applications", "calendar", "events")

figure_version = Table(
    "figure_version",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("source", String(20), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

derived_figure = Table(
    "derived_figure",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("kind", String(40), primary_key=True),  # forecast, coverage, cohort, projection
    Column("params", String(200), primary_key=True),  # what was asked: as_of, level, target
    Column("key", String(64), nullable=False),  # SHA-256 of the versions it was computed from
    Column("payload", Text, nullable=True),  # JSON; None until first computed
    Column("computed_at", DateTime, nullable=True),  # naive UTC
    Column("compute_ms", Integer, nullable=True),
    # A process computing the figure for this key (so that others wait for it, not compute).
    Column("claim_key", String(64), nullable=True),
    Column("claimed_at", DateTime, nullable=True),
)

coverage_count = Table(
    "coverage_count",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("kode_desa", String(13), primary_key=True),
    Column("jenis_kelamin", String(1), primary_key=True),
    Column("birth_year", Integer, primary_key=True),
    Column("married", Integer, primary_key=True),  # 1: ever married (wajib KTP at any age)
    Column("kode_kecamatan", String(8), nullable=False),
    Column("residents", Integer, nullable=False),  # alive (HIDUP)
    Column("recorded", Integer, nullable=False),  # of which with a tanggal_rekam
)
