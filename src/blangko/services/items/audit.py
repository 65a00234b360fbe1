"""The audit of every item's own chain (quantity and serialised), for `stock verify` (services.stock.queries):
kept apart from services.items.queries, which reads the blank's balance."""

from __future__ import annotations

from sqlalchemy import Connection

from blangko.adapters.repos import items as repo
from blangko.domain.items import verify_chain, verify_serialised
from blangko.services.items.results import ItemAudit


def verify_items(conn: Connection, office: str) -> list[ItemAudit]:
    """Each quantity item's chain recomputed from its entries (domain.items.verify_chain)."""
    out: list[ItemAudit] = []
    for it in repo.items(conn, office):
        rows = [(repo.row_to_record(r), r.hash) for r in repo.iter_entries(conn, office, it.code)]
        if it.kind == "serialised":
            # Its serials too: each moved only from a state its entry allows, the counts
            # conserved, each serial in the one state the chain leaves it in.
            problems = verify_serialised(rows, repo.serial_states(conn, office, it.code))
        else:
            problems = verify_chain(rows)
        out.append(
            {"item": it.code, "entries": len(rows), "sound": not problems, "problems": problems}
        )
    return out
