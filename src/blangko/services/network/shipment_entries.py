"""One shipment with the ledger entries it booked on each side (docs/network.md, "The life
of a shipment"): the sender's ship_out entry; the receiver's ship_in, transit_loss and spoil
(rusak_kiriman) entries, each noted with the shipment's number."""

from __future__ import annotations

from datetime import date
from typing import Any

from typing_extensions import TypedDict

from blangko.adapters.repos import ledger as ledger_repo
from blangko.domain.ledger import Kind
from blangko.services.context import Context, location_names
from blangko.services.network import shipments
from blangko.services.network.organisation import EVERYTHING, Reach
from blangko.services.network.results import ShipmentView
from blangko.services.stock.queries import entry_view
from blangko.services.stock.results import LedgerEntry

RECEIVING_KINDS = frozenset({Kind.SHIP_IN.value, Kind.TRANSIT_LOSS.value, Kind.SPOIL.value})


class ShipmentDetail(TypedDict):
    shipment: ShipmentView
    sent: list[LedgerEntry]  # the sender's ship_out entry
    received: list[LedgerEntry]  # the receiver's entries: arrived, lost in transit, damaged


def _of_shipment(row: Any, number: int) -> bool:
    note = row.note or ""
    mark = f"kiriman #{number}"
    return note == mark or note.startswith(mark + ";")


def detail(ctx: Context, *, shipment: int | str, reach: Reach = EVERYTHING) -> ShipmentDetail:
    """One shipment within `reach` (else: not found) with the entries it booked in the
    sender's and, once received, the receiver's ledger."""
    found = shipments.show(ctx, shipment=shipment, reach=reach)
    number = found["id"]
    sender, receiver = found["from_office"], found["to_office"]
    with ctx.read() as conn:
        sent_names = location_names(conn, sender)
        day = date.fromisoformat(found["sent_date"])
        sent = [
            entry_view(r, sent_names)
            for r in ledger_repo.iter_entries(
                conn, sender, date_from=day, date_to=day, upto_seq=found["sent_seq"]
            )
            if int(r.seq) == found["sent_seq"]
        ]
        received: list[LedgerEntry] = []
        if found["received_date"] is not None:
            names = location_names(conn, receiver)
            on = date.fromisoformat(found["received_date"])
            received = [
                entry_view(r, names)
                for r in ledger_repo.iter_entries(conn, receiver, date_from=on, date_to=on)
                if r.kind in RECEIVING_KINDS and _of_shipment(r, number)
            ]
    return {"shipment": found, "sent": sent, "received": received}
