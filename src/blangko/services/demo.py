"""The demo office: Kabupaten Kaur (17.04) with the stock story of the source article.

1,000 blanks held when the system starts, 4,000 received from Ditjen Dukcapil about a
week later, about 500 used since by service type (496 printed, 4 spoiled), and a physical
count of 5,200 that the books (4,500) do not explain: an open variance of +700, shown, not
accepted. Dates are placed relative to today so the story is always recent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.services import counts, setup, stock
from blangko.services.context import Context

OFFICE = "17.04"
STATION = "loket-1"
OPENING = "KR0001001-KR0002000"
SHIPMENT = "KR0100001-KR0104000"
# A carton on the shelf that was never booked: the article's unexplained difference.
UNBOOKED = "KR0095001-KR0095700"
SERVICE_MIX = (("pemula", 0.45), ("hilang", 0.2), ("rusak", 0.15), ("perubahan_data", 0.2))
PRINTED = 496
SPOILED = 4


def _working_days(start: date, end: date) -> list[date]:
    days = []
    d = start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def build(ctx: Context, progress: Callable[[str], Any] | None = None) -> dict[str, Any]:
    say = progress or (lambda _msg: None)
    setup.init(ctx)
    with ctx.read() as conn:
        exists = conn.execute(select(t.office.c.code).where(t.office.c.code == OFFICE)).first()
    if exists:
        say("Kantor demo sudah ada; posisi stok saat ini:")
        return {"office": OFFICE, "built": False, "notes": []}
    say("Membangun kantor demo Kabupaten Kaur (17.04) ...")
    setup.create_office(ctx, code=OFFICE)
    setup.add_location(ctx, name=STATION, kind="station", office=OFFICE)

    today = ctx.today()
    start = today - timedelta(days=120)
    received = start + timedelta(days=7)
    stock.record_opening(
        ctx,
        serials=OPENING,
        effective=start,
        office=OFFICE,
        note="saldo awal saat sistem mulai dipakai",
    )
    stock.receive_shipment(
        ctx,
        serials=SHIPMENT,
        source="Ditjen Dukcapil Kemendagri",
        document="BAST/DUKCAPIL/KTP-EL/0412",
        effective=received,
        office=OFFICE,
    )

    rng = random.Random(1704)
    days = _working_days(received + timedelta(days=1), today - timedelta(days=1))
    per_day = [0] * len(days)
    for _ in range(PRINTED):
        per_day[rng.randrange(len(days))] += 1
    spoil_days = set(rng.sample(range(len(days)), SPOILED))
    at_station = 0
    for i, day in enumerate(days):
        need = per_day[i] + (1 if i in spoil_days else 0)
        if at_station < need:
            stock.transfer(
                ctx,
                qty=150,
                from_location="gudang",
                to_location=STATION,
                effective=day,
                office=OFFICE,
            )
            at_station += 150
        for _ in range(per_day[i]):
            service = rng.choices([s for s, _ in SERVICE_MIX], [w for _, w in SERVICE_MIX])[0]
            stock.consume(
                ctx, service=service, qty=1, location=STATION, effective=day, office=OFFICE
            )
        at_station -= per_day[i]
        if i in spoil_days:
            with ctx.read() as conn:
                serial = conn.execute(
                    select(t.blank.c.serial)
                    .where(
                        t.blank.c.state == "available",
                        t.blank.c.location_id.isnot(None),
                        t.blank.c.office_code == OFFICE,
                    )
                    .join(t.location, t.location.c.id == t.blank.c.location_id)
                    .where(t.location.c.name == STATION)
                    .order_by(t.blank.c.serial)
                    .limit(1)
                ).scalar_one()
            stock.spoil(ctx, serial=serial, reason="salah_cetak", effective=day, office=OFFICE)
            at_station -= 1

    # The count: the station agrees with the books; the store holds 700 more than booked.
    station_count = counts.record_count(ctx, location=STATION, counted=at_station, office=OFFICE)
    counts.post_count(ctx, count_id=station_count["count_id"], reason="sesuai buku", office=OFFICE)
    from blangko.adapters import ledger_repo
    from blangko.domain.serials import parse_ranges
    from blangko.services.context import location_id

    with ctx.read() as conn:
        store = location_id(conn, OFFICE, "gudang")
        book = ledger_repo.available_ranges(conn, OFFICE, store)
    store_count = counts.record_count(
        ctx, location="gudang", scanned=sorted(book + parse_ranges(UNBOOKED)), office=OFFICE
    )
    counted = store_count["counted"] + at_station
    notes = [
        f"Stock opname hari ini: {counted:,} keping terhitung".replace(",", "."),
        f"Stock opname #{store_count['count_id']} di gudang masih terbuka: selisih "
        f"{store_count['variance']:+d} ({store_count['unexpected']}) belum dijelaskan; "
        f"posting dengan 'blangko stock count-post {store_count['count_id']} --reason ...'.",
    ]
    return {
        "office": OFFICE,
        "built": True,
        "open_count": store_count["count_id"],
        "counted_total": counted,
        "notes": notes,
    }
