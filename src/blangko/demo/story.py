"""The demo office: Kabupaten Kaur (17.04) with the story of the source article, the home
office of a demo network (demo.network: the directorate, the province of Bengkulu with its
ten regencies and cities, two neighbours with stock stories of their own).

- Stock: 1,000 blanks held when the system starts, 4,000 received from Ditjen Dukcapil a week
  later (the article's June shipment, sent from the directorate's central warehouse and
  received with its BAST), exactly 500 used since (printed by service type, a few spoiled), and one office-wide
  physical count (every location scanned) of 5,200 that the books (4,500) do not explain: an
  open variance of +700, the carton KR0095001-KR0095700 in the store, shown, not accepted.
- Residents: about 136,000 in Kaur's 195 villages, 95.2 % of the wajib KTP recorded, loaded
  by the administrator and recorded as the office's registry import of today.
- Service: a few hundred applications over the last two months in every type and state,
  printed through the ledger; recording closed now for PPKM (three staff with Covid-19).
- The December Pilkades serentak in 66 villages.
- Old cards handed in (with the collections of replacements and on their own), one
  destruction a month ago, the cards since awaiting destruction; IKD activations dated in the
  registry for a share of the recorded residents (demo.old_cards).
- The office's settings: its address in Bintuhan (the regency seat, where reports are signed),
  a fictional head with a well-formed NIP, the documents each application type needs.

Every entry is written by the demo's user of its role (demo.actors): the stock keeper
receives, moves and counts blanks, the operator takes applications and prints, the head
closes recording and registers the Pilkades, the administrator sets the office up.

Dates are placed relative to today so the story is always recent. Older use (before the
applications' first print) is back-filled with `stock consume`, day by day with the weekday
pattern and holidays of a real office (domain.demand_simulation), so forecasts and backtests
have a realistic history to learn from. The history is one office's: the counter's pace
(APPLICATIONS_PER_DAY, with the same weekday pattern) is the story's (500 blanks over the
open days since the receipt, about 4,7 a day), so the use has no break where the back-fill
hands over to the applications, and the registry's first cards agree with the ledger's over
every day the forecast and its backtest read (TAKE_UP_HISTORY).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.repos import ledger as ledger_repo
from blangko.demo import applications, events, network, old_cards, printers, rationing, residents
from blangko.demo.actors import ADMIN_USER, HEAD, OPERATOR_USER, STOCK_KEEPER, acting
from blangko.domain.calendar import indonesian_holidays
from blangko.domain.demand_simulation import simulate_history
from blangko.domain.ledger import SERVICES
from blangko.domain.serials import expand, parse_ranges
from blangko.domain.take_up import WINDOW_DAYS
from blangko.formatting import num, signed
from blangko.services import registry
from blangko.services.admin import office as office_settings
from blangko.services.admin import setup
from blangko.services.context import Context, location_names
from blangko.services.stock import counts, queries, writes

OFFICE = "17.04"
STATION = "loket-1"
STATION_BOX = 100  # blanks at the station when the demo's count is taken
OPENING = "KR0001001-KR0002000"
SHIPMENT = "KR0100001-KR0104000"
# A carton on the shelf that was never booked: the article's unexplained difference.
UNBOOKED = "KR0095001-KR0095700"
SERVICE_MIX = (0.45, 0.2, 0.15, 0.2)  # pemula, hilang, rusak, perubahan_data
USED_SINCE_RECEIPT = 500  # blanks out of stock since the shipment (printed + spoiled)
SPOILED = 4
STORY_DAYS = 160  # the system started this many days ago
APPLICATION_DAYS = 60
# Applications an open day, on average: the story's pace. 500 blanks over the ~106 open days
# since the receipt are ~4,7 a day; about 9 applications in 10 are printed (the others are
# rejected, cancelled or still waiting), so at 5 a day the counter's last two months continue
# the months before. At 6 they printed a third more than the back-fill before them, a break
# in the history that the forecast's backtest read as a level shift.
APPLICATIONS_PER_DAY = 5.0
# Days of registry prints made to agree with the ledger's pace: every day the forecast reads
# the registry (a year before the ledger's history) and so every day a backtest origin's
# take-up window reaches. Shorter (it was 400 days), the windows of the earlier origins took
# in the generated registry's prints at the pace of a well-stocked office.
TAKE_UP_HISTORY = STORY_DAYS + WINDOW_DAYS
REGISTRY_FILE = "registri-demo-kaur.csv (dibangkitkan)"
# The office's settings (fictional head; the NIP is well formed: born 12 March 1974,
# appointed April 1999, male, number 004).
PROFILE = {
    "address": "Jl. Raya Padang Guci No. 1, Bintuhan, Kaur, Bengkulu 38963",
    "seat": "Bintuhan",
    "head_name": "Drs. Hendra Saputra, M.Si.",
    "head_nip": "197403121999041004",
}


def build(
    ctx: Context,
    progress: Callable[[str], Any] | None = None,
    *,
    population: int = residents.DEMO_RESIDENTS,
) -> dict[str, Any]:
    """Build the demo office (``population``: its residents; fewer make a smaller office
    with the same story, for tests)."""
    say = progress or (lambda _msg: None)
    setup.init(ctx)
    with ctx.read() as conn:
        exists = conn.execute(select(t.office.c.code).where(t.office.c.code == OFFICE)).first()
    if exists:
        say("Kantor demo sudah ada; posisi stok saat ini:")
        return {"office": OFFICE, "built": False, "notes": []}
    say("Membangun kantor demo Kabupaten Kaur (17.04) ...")
    setup.create_office(ctx, code=OFFICE)
    # Kaur is the database's home office: every command without --office acts on it.
    setup.set_home_office(ctx, office=OFFICE)
    setup.add_location(ctx, name=STATION, kind="station", office=OFFICE)
    office_settings.update(acting(ctx, ADMIN_USER), office=OFFICE, **PROFILE)
    today = ctx.today()
    start = today - timedelta(days=STORY_DAYS)
    received = start + timedelta(days=7)
    keeper = acting(ctx, STOCK_KEEPER)
    say("Direktorat (00.00) dan gudang pusatnya ...")
    network.add_directorate(ctx, start=start)
    writes.record_opening(
        keeper,
        serials=OPENING,
        effective=start,
        office=OFFICE,
        note="saldo awal saat sistem mulai dipakai",
    )
    # The article's June shipment: sent from the directorate, received with its BAST.
    june = network.june_shipment(ctx, serials=SHIPMENT, received=received, receiver=keeper)

    say("Membangkitkan registri penduduk Kaur (195 desa/kelurahan) ...")
    # Nobody recorded since recording closed for PPKM (demo.applications closes it).
    people = residents.populate(
        ctx,
        office=OFFICE,
        count=population,
        say=say,
        recorded_by=today - timedelta(days=applications.PPKM_DAYS_AGO + 1),
    )
    # Recorded as the office's registry import of today, so the pages show its date.
    registry.record_load(acting(ctx, ADMIN_USER), office=OFFICE, file_name=REGISTRY_FILE)

    # The forecast learns first-card take-up from the registry: its prints of the days it
    # reads follow the ledger (then the applications', then align_first_prints below).
    history_from = today - timedelta(days=TAKE_UP_HISTORY)
    residents.clear_generated_prints(ctx, office=OFFICE, history_from=history_from)

    say(f"Permohonan layanan {APPLICATION_DAYS} hari terakhir ...")
    made = applications.add_applications(
        ctx, OFFICE, days_back=APPLICATION_DAYS, per_day=APPLICATIONS_PER_DAY
    )
    with ctx.read() as conn:
        used_by_apps = int(
            conn.execute(
                select(func.coalesce(func.sum(t.ledger_entry.c.quantity), 0)).where(
                    t.ledger_entry.c.office_code == OFFICE,
                    t.ledger_entry.c.kind.in_(("consume", "spoil")),
                )
            ).scalar_one()
        )
    say("Riwayat pemakaian blangko sebelumnya ...")
    # Up to the applications' first print, so that no open day is left without use in between
    # (the first applications take a few days to be printed).
    backfill_end = _first_use(ctx, OFFICE) - timedelta(days=1)
    _backfill(
        ctx, received + timedelta(days=1), backfill_end, USED_SINCE_RECEIPT - used_by_apps - SPOILED
    )
    residents.align_first_prints(ctx, office=OFFICE, since=start, history_from=history_from)
    people["printed"] = residents.count_printed(ctx, office=OFFICE)
    pilkades = events.add_pilkades(acting(ctx, HEAD), OFFICE)
    ration = rationing.add_past_policy(ctx, OFFICE)
    say("Kartu lama yang diserahkan penduduk dan aktivasi IKD ...")
    ikd_dated = old_cards.add_ikd_dates(ctx, OFFICE)
    old = old_cards.add_old_cards(ctx, OFFICE)
    say("Printer, pita dan film ...")
    kit = printers.add_printers(ctx, OFFICE, STATION)

    # The counter holds one box when the count is taken: what its last transfer left depends
    # on the days the story covers (their calendar), and the README states the count's parts.
    _box_at_station(keeper, today)
    # The count: every location scanned at once; the store holds 700 more than booked.
    count = count_office(keeper, office=OFFICE)
    net = network.build(ctx, network.Timeline(start, received, today), june=june, say=say)
    n = {k: f"{v:,}".replace(",", ".") for k, v in people.items()}
    notes = [
        f"Stock opname #{count['count_id']} seluruh kantor hari ini: buku {num(count['book'])}, "
        f"terhitung {num(count['counted'])} keping, selisih {signed(count['variance'])} "
        f"({count['unexpected']}) belum dijelaskan; posting dengan "
        f"'blangko stock count-post {count['count_id']} --reason ...'.",
        f"Registri: {n['residents']} penduduk, {n['wajib_ktp']} wajib KTP, "
        f"{n['recorded']} sudah rekam, {n['printed']} sudah cetak.",
        f"Permohonan: {made.get('applications', '?')} dalam {APPLICATION_DAYS} hari terakhir; "
        "perekaman ditutup (PPKM).",
        f"Agenda: {pilkades.get('name', 'Pilkades serentak')} di "
        f"{len(pilkades.get('villages', [])) or 66} desa pada {pilkades.get('date')}.",
        f"Penjatahan cetak #{ration['number']} (lalu): {ration['start']:%d-%m-%Y} s.d. "
        f"{ration['end']:%d-%m-%Y}, paling banyak {num(ration['cap'])} kartu per hari; "
        "lihat 'blangko rationing list --history'.",
        f"Kartu lama: {num(old['totals']['received'])} diterima, "
        f"{num(old['totals']['destroyed'])} dimusnahkan (pemusnahan nomor "
        f"{old['destruction']['id']}), {num(old['totals']['held'])} menunggu pemusnahan.",
        f"IKD: {num(ikd_dated)} aktivasi bertanggal di registri, ditambah tanda IKD permohonan; "
        "lihat 'blangko coverage ikd'.",
        f"Printer: {', '.join(kit['printers'])}; printer-2 rusak {kit['broken'][0]:%d-%m-%Y} "
        f"s.d. {kit['broken'][1]:%d-%m-%Y}; pita terpasang tinggal sekitar "
        f"{num(kit['ribbon_prints_left'])} cetak dan tidak ada di gudang; lihat "
        "'blangko forecast stops'.",
        *net["notes"],
    ]
    return {
        "office": OFFICE,
        "built": True,
        "residents": people,
        "applications": made,
        "open_count": count["count_id"],
        "counted_total": count["counted"],
        "network": net,
        "notes": notes,
    }


def _first_use(ctx: Context, office: str) -> date:
    """The first day a blank was consumed or spoiled (the applications' first print)."""
    e = t.ledger_entry
    with ctx.read() as conn:
        first = conn.execute(
            select(func.min(e.c.effective_date)).where(
                e.c.office_code == office, e.c.kind.in_(("consume", "spoil"))
            )
        ).scalar_one()
    return first if first is not None else ctx.today()


def _box_at_station(ctx: Context, day: date) -> None:
    """Bring the station to STATION_BOX blanks, from or back to the store."""
    held = int(queries.balance(ctx, office=OFFICE)["by_location"].get(STATION, 0))
    if held < STATION_BOX:
        writes.transfer(
            ctx, qty=STATION_BOX - held, from_location="gudang", to_location=STATION,
            effective=day, office=OFFICE,
        )  # fmt: skip
    elif held > STATION_BOX:
        writes.transfer(
            ctx, qty=held - STATION_BOX, from_location=STATION, to_location="gudang",
            effective=day, office=OFFICE,
        )  # fmt: skip


def count_office(ctx: Context, *, office: str = OFFICE) -> dict[str, Any]:
    """The demo's count: one office-wide stock opname in which every location is scanned and
    found as booked, except the store, which also holds the carton nobody booked (UNBOOKED).
    Its record shows the office's book, what was counted and the unexplained difference."""
    with ctx.read() as conn:
        books = {
            name: ledger_repo.available_ranges(conn, office, loc)
            for loc, name in sorted(location_names(conn, office).items())
        }
    parts = [
        counts.CountInput(
            name, scanned=sorted(book + parse_ranges(UNBOOKED)) if name == "gudang" else book
        )
        for name, book in books.items()
    ]
    return counts.record_office_count(ctx, parts=parts, office=office)


def _backfill(ctx: Context, first: date, last: date, printed: int) -> None:
    """`printed` consumptions and SPOILED spoilages at the station between first and last,
    spread over the days as the counter prints them: applications come with a real office's
    weekday pattern and holidays (domain.demand_simulation) and are printed PRINT_LAG open
    days later, as the demo's applications are, so the use before and after the hand-over
    has one weekday pattern. Serials are named explicitly so that no card is used before the
    day it reached the station."""
    days_n = (last - first).days + 1
    lead = 14  # days of applications before `first` whose cards are printed from `first` on
    start = first - timedelta(days=lead)
    holidays = frozenset(indonesian_holidays(range(start.year, last.year + 1)))
    shape = simulate_history(
        start=start, days=days_n + lead, holidays=holidays, closure=None, election=None, seed=1704
    )
    opened = np.flatnonzero(shape.open)
    weights = np.zeros(days_n + lead)
    weights[opened[applications.PRINT_LAG :]] = shape.latent[opened[: -applications.PRINT_LAG]]
    weights = weights[lead:]
    rng = np.random.default_rng(1704)
    per_day = rng.multinomial(max(0, printed), weights / weights.sum())
    keeper, printer = acting(ctx, STOCK_KEEPER), acting(ctx, OPERATOR_USER)
    open_idx = np.flatnonzero(weights > 0)
    spoil_days = set(rng.choice(open_idx, size=SPOILED, replace=False).tolist())
    queue: list[str] = []
    for i in range(days_n):
        need = int(per_day[i]) + (1 if i in spoil_days else 0)
        if not need:
            continue
        day = first + timedelta(days=i)
        if len(queue) < need:
            moved = writes.transfer(
                keeper,
                qty=100,
                from_location="gudang",
                to_location=STATION,
                effective=day,
                office=OFFICE,
            )
            queue.extend(expand(parse_ranges(moved["entries"][0]["serials"])))
        for _ in range(int(per_day[i])):
            service = SERVICES[int(rng.choice(4, p=SERVICE_MIX))]
            writes.consume(
                printer, service=service, serials=queue.pop(0), effective=day, office=OFFICE
            )
        if i in spoil_days:
            writes.spoil(
                printer, serial=queue.pop(0), reason="salah_cetak", effective=day, office=OFFICE
            )
