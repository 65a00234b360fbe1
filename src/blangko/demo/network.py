"""The demo network (issue 13): the directorate, the province of Bengkulu and its offices.

- The directorate (Ditjen Dukcapil, 00.00) with its central warehouse: a national delivery of
  NATIONAL_QTY blanks from the card supplier before the demo starts, then shipments to the
  province's offices.
- The article's June shipment (demo.story): 4.000 blanks booked out of the central warehouse
  by the directorate's stock keeper (sent), in transit for a few days, then booked in by Kaur's
  stock keeper against its BAST (received): the 4.000 of Kaur's story, with the same serials,
  date and BAST number as when the demo booked them as a receipt from outside.
- The province of Bengkulu (17): its ten regencies and cities from the region data (9
  kabupaten + 1 kota), each an office of the database. Kaur (17.04) is the home office, with
  its story unchanged (demo.story). Two neighbours have stock stories of their own
  (NEIGHBOURS): Bengkulu Selatan (17.01) holds a surplus, Seluma (17.05) is short (its last
  shipment arrived short, 20 blanks lost in transit, and a new one is on its way); the other
  offices start with an opening stock (OPENING_OTHERS).

Entries of the directorate are written by its demo stock keeper (`pusat`); those of an
office other than Kaur by a stock keeper of that office named `stok-<code>` (e.g.
`stok-1701`, a name in the ledger, no login).

After the neighbours' stories, `build` adds the requests for blanks (one in each state) and
the loan of issue 13 points 4 and 5 (demo.network_requests), between offices this module
made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from typing_extensions import TypedDict

from blangko.demo import network_requests
from blangko.demo.actors import acting
from blangko.domain.calendar import indonesian_holidays
from blangko.domain.ledger import SERVICES
from blangko.formatting import num
from blangko.services.admin import setup
from blangko.services.admin.users import DEMO_DIRECTORATE_USER
from blangko.services.context import Context
from blangko.services.network import organisation, shipments
from blangko.services.stock import writes

DIRECTORATE = organisation.DIRECTORATE_CODE
PROVINCE = "17"  # Bengkulu
HOME = "17.04"  # Kaur: demo.story's office
DIRECTORATE_KEEPER = DEMO_DIRECTORATE_USER[0]
STATION = "loket-1"

# The national delivery: the card supplier's handover to the central warehouse.
NATIONAL = "KR0100001-KR0150000"
NATIONAL_QTY = 50_000
NATIONAL_SOURCE = "Penyedia blangko KTP-el (kontrak pengadaan Ditjen Dukcapil)"
NATIONAL_DOCUMENT = "BAST/PENGADAAN/KTP-EL/2026/01"
DELIVERED_BEFORE_START = 21  # days before the demo's start

# The article's June shipment to Kaur: the serials, BAST and date of Kaur's story.
JUNE_SENT_BEFORE_RECEIPT = 4  # days in transit
JUNE_DOCUMENT = "470/0412/Dukcapil/KTP-EL"  # the directorate's dispatch letter
JUNE_BAST = "BAST/DUKCAPIL/KTP-EL/0412"


@dataclass(frozen=True)
class Neighbour:
    """An office near Kaur with a stock story of its own: an opening balance at the demo's
    start, a shipment from the directorate (sent and received `sent`/`received` days after
    the start; `missing` serials lost in transit) and `used` blanks printed since."""

    code: str
    opening: str
    shipped: str
    sent: int
    received: int
    used: int
    missing: str | None = None
    story: str = ""


NEIGHBOURS = (
    Neighbour(
        "17.01",
        opening="KR0201001-KR0203000",
        shipped="KR0104001-KR0107000",
        sent=3,
        received=8,
        used=350,
        story="surplus: 5.000 blangko masuk, sekitar 3 terpakai sehari",
    ),
    Neighbour(
        "17.05",
        opening="KR0205001-KR0205700",
        shipped="KR0107001-KR0107600",
        sent=40,
        received=46,
        used=1_200,
        missing="KR0107581-KR0107600",
        story="kekurangan: tersisa untuk beberapa hari, kiriman baru dalam perjalanan",
    ),
)
# Seluma's next shipment, sent IN_TRANSIT_DAYS ago and not yet received.
IN_TRANSIT_TO = "17.05"
IN_TRANSIT = "KR0107601-KR0108600"
IN_TRANSIT_DAYS = 2
# The other offices of the province: an opening balance each, from this serial on.
OPENING_OTHERS_FROM = 300_001
OPENING_OTHERS = (1_200, 800, 1_500, 600, 1_000, 900, 2_000)


class NetworkBuilt(TypedDict):
    directorate: str
    province: str
    offices: list[str]
    june_shipment: int
    shipments: list[int]
    requests: list[int]
    loan: int
    notes: list[str]


@dataclass(frozen=True)
class Timeline:
    """The dates of the demo's story (demo.story): when the system started, when Kaur
    received the June shipment, and today."""

    start: date
    received: date
    today: date


def keeper_of(ctx: Context, office: str) -> Context:
    """The context writing as the stock keeper of `office` in the demo."""
    if office == DIRECTORATE:
        return acting(ctx, DIRECTORATE_KEEPER)
    return acting(ctx, f"stok-{office.replace('.', '')}")


def add_directorate(ctx: Context, *, start: date) -> None:
    """The directorate with its central warehouse and the national delivery."""
    organisation.create_directorate(ctx)
    writes.receive_shipment(
        keeper_of(ctx, DIRECTORATE),
        serials=NATIONAL,
        source=NATIONAL_SOURCE,
        document=NATIONAL_DOCUMENT,
        effective=start - timedelta(days=DELIVERED_BEFORE_START),
        office=DIRECTORATE,
    )


def ship(
    ctx: Context,
    *,
    to: str,
    serials: str,
    document: str,
    sent: date,
    received: date | None = None,
    bast: str | None = None,
    missing: str | None = None,
    missing_document: str | None = None,
    receiver: Context | None = None,
) -> int:
    """A shipment from the central warehouse to `to`: sent on `sent`, and when `received` is
    given booked in by the receiver (`receiver`: its writer, else its demo stock keeper)
    against its BAST. Its number."""
    out = shipments.send(
        keeper_of(ctx, DIRECTORATE),
        from_office=DIRECTORATE,
        to_office=to,
        document=document,
        serials=serials,
        effective=sent,
    )
    number = out["shipment"]["id"]
    if received is not None:
        shipments.receive(
            receiver or keeper_of(ctx, to),
            shipment=number,
            document=bast or f"BAST/{to}/{number}",
            missing=missing,
            missing_document=missing_document,
            effective=received,
            office=to,
        )
    return number


def june_shipment(ctx: Context, *, serials: str, received: date, receiver: Context) -> int:
    """The article's June shipment to Kaur, sent by the directorate and received with BAST."""
    return ship(
        ctx,
        to=HOME,
        serials=serials,
        document=JUNE_DOCUMENT,
        sent=received - timedelta(days=JUNE_SENT_BEFORE_RECEIPT),
        received=received,
        bast=JUNE_BAST,
        receiver=receiver,
    )


def build(
    ctx: Context, when: Timeline, *, june: int, say: Callable[[str], Any] | None = None
) -> NetworkBuilt:
    """The province's other offices and their stories, after Kaur's (the directorate and
    the June shipment `june` are made first, by demo.story)."""
    say = say or (lambda _msg: None)
    say("Provinsi Bengkulu: kantor kabupaten/kota lain dan kisah stoknya ...")
    regencies = [r["code"] for r in setup.list_regions(ctx, under=PROVINCE, level="kabupaten_kota")]
    others = [code for code in regencies if code != HOME]
    for code in others:
        setup.create_office(ctx, code=code)
    numbers = [june]
    for n in NEIGHBOURS:
        numbers.append(_neighbour(ctx, n, when))
    numbers.append(
        ship(
            ctx,
            to=IN_TRANSIT_TO,
            serials=IN_TRANSIT,
            document=f"470/{IN_TRANSIT_TO}/Dukcapil/KTP-EL",
            sent=when.today - timedelta(days=IN_TRANSIT_DAYS),
        )
    )
    plain = [code for code in others if code not in {n.code for n in NEIGHBOURS}]
    first = OPENING_OTHERS_FROM
    for code, qty in zip(plain, OPENING_OTHERS, strict=False):
        writes.record_opening(
            keeper_of(ctx, code),
            serials=f"KR{first:07d}-KR{first + qty - 1:07d}",
            effective=when.start,
            office=code,
            note="saldo awal saat sistem mulai dipakai",
        )
        first += 10_000
    # The requests for blanks (issue 13 point 4): one in each state, Kaur's draft first.
    say("Permohonan blangko kantor-kantor Bengkulu ...")
    asked = network_requests.add_requests(ctx)
    # The loan (issue 13 point 5): Bengkulu Selatan lends Seluma 300, partly returned.
    loan = network_requests.add_loan(ctx)
    notes = [
        f"Jaringan: direktorat {DIRECTORATE} (gudang pusat, {num(NATIONAL_QTY)} blangko diterima "
        f"dari penyedia), provinsi Bengkulu dengan {len(regencies)} kantor kabupaten/kota; "
        f"kiriman Juni #{june} ke Kaur diterima dengan {JUNE_BAST}; lihat 'blangko network "
        "list' dan 'blangko shipment list'.",
        f"Permohonan blangko: {len(asked)} (satu di tiap tahap), #{asked[0]} konsep Kaur; "
        "lihat 'blangko request list'.",
        f"Pinjaman #{loan}: {network_requests.LOAN.lender} meminjamkan "
        f"{num(network_requests.LOAN.quantity)} blangko ke {network_requests.LOAN.borrower}, "
        f"{num(network_requests.LOAN.returned)} sudah kembali; lihat 'blangko loan list'.",
    ]
    return {
        "directorate": DIRECTORATE,
        "province": PROVINCE,
        "offices": regencies,
        "june_shipment": june,
        "shipments": numbers,
        "requests": asked,
        "loan": loan,
        "notes": notes,
    }


def _neighbour(ctx: Context, n: Neighbour, when: Timeline) -> int:
    """A neighbour's story: its station, opening, shipment and use since; its shipment's
    number."""
    keeper = keeper_of(ctx, n.code)
    setup.add_location(keeper, name=STATION, kind="station", office=n.code)
    writes.record_opening(
        keeper,
        serials=n.opening,
        effective=when.start,
        office=n.code,
        note="saldo awal saat sistem mulai dipakai",
    )
    received = when.start + timedelta(days=n.received)
    number = ship(
        ctx,
        to=n.code,
        serials=n.shipped,
        document=f"470/{n.code}/Dukcapil/KTP-EL",
        sent=when.start + timedelta(days=n.sent),
    )
    # The use before the shipment arrived is booked first: a transfer takes the lowest
    # serials in the store, and the shipment's are lower than the opening's.
    _use(ctx, n, when, until=received - timedelta(days=1))
    shipments.receive(
        keeper,
        shipment=number,
        document=f"BAST/{n.code}/{number}",
        missing=n.missing,
        missing_document=f"BA-KURANG/{n.code}/01" if n.missing else None,
        effective=received,
        office=n.code,
    )
    _use(ctx, n, when, since=received)
    return number


def _use(
    ctx: Context,
    n: Neighbour,
    when: Timeline,
    *,
    since: date | None = None,
    until: date | None = None,
) -> None:
    """The days of `_plan` from `since` to `until`, booked: the station filled from the
    store, then the day's prints as one entry of one service type."""
    keeper = keeper_of(ctx, n.code)
    rng = np.random.default_rng(int(n.code.replace(".", "")) + 1)
    for day, move, qty in _plan(n, when):
        service = SERVICES[int(rng.choice(4, p=(0.45, 0.2, 0.15, 0.2)))]
        if (since and day < since) or (until and day > until):
            continue
        if move:
            writes.transfer(
                keeper,
                qty=move,
                from_location="gudang",
                to_location=STATION,
                effective=day,
                office=n.code,
            )
        writes.consume(
            keeper, service=service, qty=qty, location=STATION, effective=day, office=n.code
        )


def _plan(n: Neighbour, when: Timeline) -> list[tuple[date, int, int]]:
    """`n.used` blanks printed over the open days since the start (weekdays that are no
    holiday), as (day, blanks moved from the store to the station that day, blanks printed):
    the station is filled a hundred at a time, from what the store holds that day (the
    shipment's blanks from the day they arrived)."""
    first, last = when.start + timedelta(days=1), when.today - timedelta(days=1)
    holidays = frozenset(indonesian_holidays(range(first.year, last.year + 1)))
    days = [
        d
        for d in (first + timedelta(days=i) for i in range((last - first).days + 1))
        if d.weekday() < 5 and d not in holidays
    ]
    rng = np.random.default_rng(int(n.code.replace(".", "")))
    weights = rng.gamma(8.0, size=len(days))
    per_day = rng.multinomial(n.used, weights / weights.sum())
    arrived = when.start + timedelta(days=n.received)
    arriving = _count(n.shipped) - (_count(n.missing) if n.missing else 0)
    in_store, at_station = _count(n.opening), 0
    plan: list[tuple[date, int, int]] = []
    for day, qty in zip(days, per_day.tolist(), strict=True):
        if day >= arrived and arriving:
            in_store, arriving = in_store + arriving, 0
        if not qty:
            continue
        move = min(in_store, max(100, qty - at_station)) if at_station < qty else 0
        in_store, at_station = in_store - move, at_station + move - qty
        plan.append((day, move, qty))
    return plan


def _count(serials: str) -> int:
    first, last = serials.split("-")
    return int(last[2:]) - int(first[2:]) + 1
