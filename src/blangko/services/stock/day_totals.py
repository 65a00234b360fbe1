"""Keeping the ledger's stored daily totals up (docs/ledger.md, "Stored daily totals").

The reads of the ledger's sums (the stock on hand, the stock and usage charts, the
forecast's history) read the stored totals plus the entries after their mark, so they are
exact however far behind the mark is; the further behind, the more entries each read sums.
A read that is about to sum such sums first calls `keep_up`: when the mark is more than
FOLD_AFTER entries behind, it folds them into the totals, in a write that waits at most
FOLD_WAIT_SECONDS for the write lock (`adapters.db.quick_write`, as a view stores a chart it
drew) and otherwise leaves it to a later read. A print never folds: it stays a few
statements (issue 17).
"""

from __future__ import annotations

import logging

from blangko.adapters.db import Busy, quick_write
from blangko.adapters.repos import day_totals as repo
from blangko.services.context import Context, resolve_office

log = logging.getLogger(__name__)

# Entries after the mark a read sums without folding them (a few ms on SQLite).
FOLD_AFTER = 500
# Entries one fold adds at most: the time it holds the write lock is bounded (a database
# whose totals start far behind catches up over several reads, every one of them exact).
FOLD_MOST = 100_000
FOLD_WAIT_SECONDS = 0.2


def keep_up(ctx: Context, office: str | None, *, after: int = FOLD_AFTER) -> str:
    """The office's code (the only office when None), checked; its entries after the mark
    folded into its stored totals first when more than ``after`` are (not when the database
    is busy: the reads stay exact, only slower)."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        behind = repo.lag(conn, code)
    if behind > after:
        try:
            with quick_write(ctx.engine, FOLD_WAIT_SECONDS) as conn:
                folded = repo.fold(conn, code, FOLD_MOST)
            log.info("ledger totals: %s folded %d entries", code, folded)
        except Busy:
            log.info("ledger totals: %s is %d entries behind, not folded (busy)", code, behind)
    return code
