"""The network check (`stock verify --network`): the shipments against the ledgers.

Per office, `stock verify` proves each chain and its blanks. Across the network this proves:
every blank in transit belongs to exactly one open shipment, shipped by the office that still
holds it, by the entry the shipment names; every shipment's serials are what its sender's
ship_out entry named; every received shipment's serials left its sender and are what the
receiver's ship_in and transit_loss entries named, and every such entry belongs to a
shipment; each ledger's stock on hand from its entries equals its blanks on hand; and the
whole network is conserved: on hand + in transit + lost in transit equals what came in from
outside the network less what was used, spoiled, lost or returned, plus adjustments.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from blangko.adapters.repos import network as repo
from blangko.domain.ledger import BUCKET_SIGN, Kind
from blangko.domain.serials import expand, merge, parse_ranges, total
from blangko.services.context import Context
from blangko.services.network.results import (
    LedgerBalance,
    NetworkProblem,
    NetworkVerification,
)
from blangko.services.stock.queries import read_balance


def verify(ctx: Context) -> NetworkVerification:
    problems: list[NetworkProblem] = []

    def bad(office: str | None, shipment: int | None, message: str) -> None:
        if len(problems) < 50:
            problems.append({"office": office, "shipment": shipment, "message": message})

    with ctx.read() as conn:
        rows = repo.shipments(conn)
        entries = repo.network_entries(
            conn, (Kind.SHIP_OUT.value, Kind.SHIP_IN.value, Kind.TRANSIT_LOSS.value)
        )
        transit = repo.in_transit_blanks(conn)
        offices = [r.code for r in repo.organisation(conn)]
        stored_on_hand = repo.on_hand_by_office(conn)
        today = ctx.today()
        balances = {code: read_balance(conn, code, as_of=today) for code in offices}

    by_entry: dict[tuple[str, int], Any] = {(e.office_code, int(e.seq)): e for e in entries}
    claimed: set[tuple[str, int]] = set()
    open_serials: Counter[str] = Counter()
    open_by_serial: dict[str, tuple[str, int]] = {}
    for s in rows:
        sent = merge(parse_ranges(s.serials))
        out = by_entry.get((s.office_code, int(s.sent_seq)))
        claimed.add((s.office_code, int(s.sent_seq)))
        if out is None or out.kind != Kind.SHIP_OUT.value:
            bad(s.office_code, s.id, "entri pengiriman yang disebut kiriman ini tidak ada")
        elif merge(parse_ranges(out.serials)) != sent or total(sent) != s.quantity:
            bad(s.office_code, s.id, "seri kiriman tidak sama dengan entri pengirimannya")
        if s.status == "in_transit":
            for serial in expand(sent):
                open_serials[serial] += 1
                open_by_serial[serial] = (s.office_code, int(s.sent_seq))
            continue
        # Received: what arrived and what was lost are, together, exactly what was sent.
        parts = []
        for seq, kind in ((s.received_seq, Kind.SHIP_IN), (s.lost_seq, Kind.TRANSIT_LOSS)):
            if seq is None:
                continue
            e = by_entry.get((s.to_office, int(seq)))
            claimed.add((s.to_office, int(seq)))
            if e is None or e.kind != kind.value:
                bad(s.to_office, s.id, f"entri penerimaan #{seq} kiriman ini tidak ada")
                continue
            parts.extend(parse_ranges(e.serials))
        if sorted(expand(parts)) != sorted(expand(sent)):
            bad(
                s.to_office,
                s.id,
                "seri yang diterima dan yang hilang dalam perjalanan tidak sama dengan seri "
                "yang dikirim",
            )
        if (s.received_qty or 0) + (s.lost_qty or 0) != s.quantity:
            bad(s.to_office, s.id, "jumlah diterima + hilang tidak sama dengan jumlah dikirim")
    for key, e in by_entry.items():
        if key not in claimed:
            bad(key[0], None, f"entri #{key[1]} ({e.kind}) bukan bagian dari kiriman mana pun")
    for serial, n in open_serials.items():
        if n > 1:
            bad(None, None, f"seri {serial} ada di {n} kiriman yang belum diterima")
    in_transit_now = {b.serial: (b.office_code, int(b.last_seq)) for b in transit}
    for serial, holder in in_transit_now.items():
        if serial not in open_by_serial:
            bad(holder[0], None, f"seri {serial} dalam perjalanan tanpa kiriman yang terbuka")
        elif open_by_serial[serial] != holder:
            bad(holder[0], None, f"seri {serial} dalam perjalanan, bukan oleh pengirimnya")
    for serial in open_by_serial:
        if serial not in in_transit_now:
            bad(
                open_by_serial[serial][0],
                None,
                f"seri {serial} kiriman terbuka tidak dalam perjalanan",
            )

    ledgers: list[LedgerBalance] = []
    external = 0
    arrived = sum(int(e.quantity) for e in entries if e.kind == Kind.SHIP_IN.value)
    lost_in_transit = sum(int(e.quantity) for e in entries if e.kind == Kind.TRANSIT_LOSS.value)
    shipped = sum(int(e.quantity) for e in entries if e.kind == Kind.SHIP_OUT.value)
    for code in offices:
        b = balances[code]
        net = sum(sign * b["totals"][line] for line, sign in BUCKET_SIGN.items())
        holds = net == b["on_hand"] == stored_on_hand.get(code, 0)
        if not holds:
            bad(
                code,
                None,
                f"stok di tangan {stored_on_hand.get(code, 0)} tidak sama dengan buku ({net})",
            )
        ledgers.append({"office": code, "on_hand": b["on_hand"], "net": net, "holds": holds})
        external += net + b["totals"]["shipped"]
    # Inside the network a ship_out and its ship_in cancel: what is left is what came from
    # outside (receipts, openings) less what left it (used, spoiled, lost, returned) ± counts.
    net_external = external - arrived - lost_in_transit
    on_hand = sum(b["on_hand"] for b in balances.values())
    whole_holds = on_hand + len(in_transit_now) == net_external
    if not whole_holds:
        bad(
            None,
            None,
            f"jaringan: stok {on_hand} + dalam perjalanan {len(in_transit_now)} tidak sama "
            f"dengan {net_external}",
        )
    if shipped != arrived + lost_in_transit + len(in_transit_now):
        bad(None, None, "jumlah dikirim tidak sama dengan diterima + hilang + dalam perjalanan")
    return {
        "sound": not problems,
        "problems": problems,
        "ledgers": ledgers,
        "shipments": len(rows),
        "open_shipments": sum(1 for s in rows if s.status == "in_transit"),
        "in_transit": len(in_transit_now),
        "shipped": shipped,
        "arrived": arrived,
        "lost_in_transit": lost_in_transit,
        "on_hand": on_hand,
        "net_external": net_external,
        "whole_holds": whole_holds,
    }
