"""Office snapshots: each office's figures as of a day, computed by the snapshot job
(services/network/snapshots.py) so that the national and province pages read one row per
office, never the registries (docs/network.md, "The national and province view").

`office_snapshot`: one row per office and day (``as_of``). ``key`` is the SHA-256 of what the
figures were computed from (``versions``: the office's ledger head and the versions of its
registry, applications, calendar and events, the shipments in transit to it, the settings);
the job skips an office whose key has not changed. The figures are those of the office's
own pages, read from the same functions (the stored forecast, the balance, the backlog,
coverage by kabupaten).

``demand_paths`` (JSON) is the forecast's demand over its horizon, for an allocation
optimiser (issue 14, point 3)::

    {
      "start": "2026-12-01",          # the first day (the snapshot's as_of)
      "horizon_days": 120,
      "period_days": [7, 7, ..., 7, 1],  # the length of each period: weeks, the last partial
      "paths": [[12, 30, ...], ...],     # PATHS sample paths (rows) of blanks used per
                                         # period (columns), equally likely, drawn from the
                                         # forecast's own simulated paths (same seed)
      "quantiles": {"p05": [...], "p50": [...], "p95": [...]},  # per period, over all paths
      "source_paths": 2000              # how many paths the forecast simulated
    }

The expected shortfall of an office given ``s`` blanks available at the start is the mean
over the rows of ``max(0, sum(row) - s)``; over the first k periods, of the first k columns.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from blangko.adapters.tables import metadata

office_snapshot = Table(
    "office_snapshot",
    metadata,
    Column("office_code", String(5), ForeignKey("office.code"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("key", String(64), nullable=False),  # SHA-256 of `versions`
    Column("versions", Text, nullable=False),  # JSON: what the figures were computed from
    Column("computed_at", DateTime, nullable=False),  # naive UTC
    Column("compute_ms", Integer, nullable=False),
    Column("on_hand", Integer, nullable=False),  # available at its locations
    Column("by_location", Text, nullable=False),  # JSON: location -> blanks available
    Column("in_transit", Integer, nullable=False),  # shipped to it, not yet received
    Column("horizon_days", Integer, nullable=False),
    Column("cover_p50", Integer, nullable=False),  # days of cover, median
    Column("cover_p90", Integer, nullable=False),  # days of cover that hold with 90 %
    Column("cover_beyond", Boolean, nullable=False),  # "more than horizon_days"
    Column("stockout_probability", Float, nullable=False),  # before the next delivery
    Column("next_delivery", Date, nullable=False),
    Column("level", String(10), nullable=False),  # habis | menipis | aman (stock_level)
    Column("recommended_request", Integer, nullable=False),
    Column("backlog", Text, nullable=False),  # JSON: backlog_of (to_record ... print_backlog)
    Column("print_backlog", Integer, nullable=False),
    Column("registry_prr", Integer, nullable=False),
    Column("wajib_ktp", Integer, nullable=False),
    Column("coverage_pct", Float, nullable=True),  # None without wajib KTP
    Column("gap_to_target", Integer, nullable=False),  # residents to record to the target
    Column("target_pct", String(10), nullable=False),
    Column("election_date", Date, nullable=True),  # the next election within the horizon
    Column("election_name", String(200), nullable=True),
    Column("demand_paths", Text, nullable=False),  # JSON: module docstring
    # JSON: [{"id", "asked", "state"}], the office's open requests (domain.requests.OPEN_STATES)
    Column("open_requests", Text, nullable=False, server_default="[]"),
    # JSON: [{"id", "lender", "borrower", "status", "quantity", "outstanding", "returning",
    # "due_date", "overdue"}], the loans it lent or borrowed that are on their way or not yet
    # settled, as its dashboard reads them (services.network.loan_book.open_loans)
    Column("open_loans", Text, nullable=False, server_default="[]"),
)
Index("ix_office_snapshot_as_of", office_snapshot.c.as_of)

# One row (id 1): how many snapshots were ever saved. Every save adds one in its own
# transaction, so a reader in any process knows the stored snapshots changed by comparing one
# number (the national and province view's cache, web/national.py).
snapshot_generation = Table(
    "snapshot_generation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)
