"""Laporan penggunaan blangko: one month's movement of blank cards, by totals line, service,
spoil reason, location and day, reconciled with the stock balance at both ends of the month.

The report reads once: one read transaction, and every ledger read in it bounded by the
office's last entry number seen at its start (ledger_repo.head_seq). A card printed while
the report is being built is therefore after the report's snapshot, not half inside it, on
SQLite and on PostgreSQL alike. The entries become figures through the domain's ledger rules
(domain.ledger.bucket_amounts, net_stock), the same ones `stock balance` uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from blangko.adapters.reports.model import Chart, Column, Report, Series, Signature, Table
from blangko.adapters.repos import ledger as repo
from blangko.domain.applications import TYPE_LABEL_ID, TYPES
from blangko.domain.errors import DomainError
from blangko.domain.ledger import (
    BUCKET_SIGN,
    BUCKETS,
    GENESIS_HASH,
    KIND_LABEL_ID,
    MOVES,
    SPOIL_REASON_LABEL_ID,
    SPOIL_REASONS,
    Kind,
    bucket_amounts,
    net_stock,
)
from blangko.domain.text import N_, Msg
from blangko.formatting import month_bounds, num, tanggal
from blangko.services.context import Context
from blangko.services.reports.letterhead import (
    head_signature,
    in_order,
    label,
    month_name,
    new_report,
    report_read,
)
from blangko.services.stock.queries import read_balance

# The recap's lines after the opening balance, each signed as it enters the stock.
RECAP_LABELS = {
    "received": N_("Diterima"),
    "consumed": N_("Dipakai (dicetak)"),
    "spoiled": N_("Rusak"),
    "lost": N_("Hilang"),
    "returned": N_("Dikembalikan / dipinjamkan"),
    "shipped": N_("Dikirim ke kantor lain (kiriman)"),
    "adjusted": N_("Penyesuaian stock opname"),
}
INFLOW = ("opening", "received")  # entries listed under "Penerimaan blangko"
OTHER = (
    "lost",
    "returned",
    "shipped",
    "adjusted",
)  # entries listed under "Hilang, dikembalikan ..."


def build(
    ctx: Context, *, month: str, office: str | None = None, address: str | None = None
) -> Report:
    """Laporan penggunaan blangko for one month, reconciled with the balance at both ends."""
    first, last = month_bounds(month)
    if first > ctx.today():
        raise DomainError(
            "month_in_future",
            "month",
            Msg("Bulan {month} belum dimulai: belum ada yang dilaporkan.", month=month),
        )
    key = first.strftime("%Y-%m")
    # A month still running closes today: no entry can be dated later.
    end = min(last, ctx.today())
    eve = first - timedelta(days=1)
    with report_read(ctx, office, address) as (conn, head):
        seq = repo.head_seq(conn, head.code)  # the snapshot: the ledger up to this entry
        head_entry = repo.entry_by_seq(conn, head.code, seq) if seq else None
        head_hash = head_entry.hash if head_entry is not None else GENESIS_HASH
        before = read_balance(conn, head.code, as_of=eve, upto_seq=seq)
        entries = list(
            repo.iter_entries(
                conn, head.code, date_from=first, date_to=end, by_seq=False, upto_seq=seq
            )
        )
        after = read_balance(conn, head.code, as_of=end, upto_seq=seq)

    # The month's movement by totals line, from the entries dated inside it.
    moved = dict.fromkeys(BUCKETS, 0)
    by_service: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    received_rows: list[list[Any]] = []
    other_rows: list[list[Any]] = []
    daily: dict[date, dict[str, int]] = {}
    for e in entries:
        kind = Kind(e.kind)
        move = MOVES[kind]
        q = int(e.quantity)
        amounts = bucket_amounts(kind, q)
        day = daily.setdefault(e.effective_date, dict.fromkeys(BUCKETS, 0))
        for line, n in amounts.items():
            moved[line] += n
            day[line] += n
        # Cards by service and by spoil reason follow their lines: a misprint takes its card
        # from the service's printed cards and adds it to its reason's spoiled ones.
        if "consumed" in amounts and e.service:
            by_service[e.service] = by_service.get(e.service, 0) + amounts["consumed"]
        if "spoiled" in amounts:
            by_reason[e.reason] = by_reason.get(e.reason, 0) + amounts["spoiled"]
        if move.bucket in INFLOW:
            received_rows.append(
                [
                    e.effective_date,
                    KIND_LABEL_ID[kind]
                    if kind == Kind.OPENING
                    else f"{e.party} ({e.note})"
                    if kind == Kind.SHIP_IN
                    else e.party,
                    e.document or "",
                    e.serials,
                    q,
                ]
            )
        elif move.bucket in OTHER:
            detail = "; ".join(
                x
                for x in (
                    e.reason,
                    f"kepada {e.party}" if kind in (Kind.RETURN, Kind.SHIP_OUT) else None,
                    f"stock opname #{e.count_id}" if e.count_id else None,
                    e.note,
                )
                if x
            )
            other_rows.append(
                [
                    e.effective_date,
                    KIND_LABEL_ID[kind],
                    e.serials,
                    move.sign * q,
                    detail,
                    e.document or "",
                ]
            )

    opening, closing = before["on_hand"], after["on_hand"]
    # One snapshot: the month's entries are exactly the difference between the balances at
    # its two ends. A mismatch is a defect in these rules, never something to print.
    for b in BUCKETS:
        if after["totals"][b] - before["totals"][b] != moved[b]:
            raise AssertionError(f"usage report: {b} {moved[b]} != balance difference")
    if opening + net_stock(moved) != closing:
        raise AssertionError(f"usage report: {opening} + {net_stock(moved)} != {closing}")

    recap_rows: list[list[Any]] = [[Msg("Saldo awal per {eve}", eve=tanggal(eve)), opening]]
    if moved["opening"]:
        recap_rows.append(
            [N_("Saldo awal pencatatan (stok saat sistem mulai dipakai)"), moved["opening"]]
        )
    # Shipments to other ledgers (docs/network.md): a line only in a month that had some.
    recap_rows += [
        [text, BUCKET_SIGN[line] * moved[line]]
        for line, text in RECAP_LABELS.items()
        if line != "shipped" or moved[line]
    ]
    recap = Table(
        N_("Rekapitulasi"),
        [Column(N_("Uraian"), weight=4), Column(N_("Keping"), "int", total=True, weight=1.2)],
        recap_rows,
        sheet=N_("Rekapitulasi"),
        totals_label=Msg("Saldo akhir per {end}", end=tanggal(end)),
        note=N_(
            "Pengurangan ditulis negatif, sehingga jumlah kolom Keping sama dengan saldo akhir."
        ),
    )
    service_table = Table(
        N_("Pemakaian menurut jenis layanan"),
        [
            Column(N_("Jenis layanan"), weight=4),
            Column(N_("Keping"), "int", total=True, weight=1.2),
        ],
        [[label(TYPE_LABEL_ID, s), by_service[s]] for s in in_order(by_service, TYPES)],
        sheet=N_("Pemakaian"),
    )
    reason_table = Table(
        N_("Blangko rusak menurut alasan"),
        [Column(N_("Alasan"), weight=4), Column(N_("Keping"), "int", total=True, weight=1.2)],
        [
            [label(SPOIL_REASON_LABEL_ID, r), by_reason[r]]
            for r in in_order(by_reason, SPOIL_REASONS)
        ],
        sheet=N_("Rusak"),
        note=N_("Daftar seri blangko rusak ada pada Berita Acara Pemusnahan bulan ini."),
    )
    received_table = Table(
        N_("Penerimaan blangko"),
        [
            Column(N_("Tanggal"), "date", weight=1.6),
            Column(N_("Asal"), weight=2),
            Column(N_("Nomor berita acara"), weight=2),
            Column(N_("Nomor seri"), "serial", weight=3),
            Column(N_("Keping"), "int", total=True, weight=1),
        ],
        received_rows,
        sheet=N_("Penerimaan"),
    )
    other_table = Table(
        N_("Hilang, dikembalikan, dan penyesuaian"),
        [
            Column(N_("Tanggal"), "date", weight=1.6),
            Column(N_("Jenis"), weight=1.8),
            Column(N_("Nomor seri"), "serial", weight=2.6),
            Column(N_("Keping (±)"), "int", total=True, weight=1),
            Column(N_("Keterangan"), weight=2.4),
            Column(N_("Dokumen"), weight=1.6),
        ],
        other_rows,
        sheet=N_("Mutasi lain"),
    )
    location_table = Table(
        Msg("Saldo akhir per lokasi, {end}", end=tanggal(end)),
        [Column(N_("Lokasi"), weight=4), Column(N_("Keping"), "int", total=True, weight=1.2)],
        [[name, n] for name, n in after["by_location"].items()],
        sheet=N_("Lokasi"),
    )

    # Daily table: every day of the month up to today, with the stock at the end of the day.
    daily_rows: list[list[Any]] = []
    stock = opening
    dates: list[date] = []
    used_series: list[int] = []
    stock_series: list[int] = []
    d = first
    while d <= end:
        m = daily.get(d) or dict.fromkeys(BUCKETS, 0)
        stock += net_stock(m)
        daily_rows.append(
            [
                d,
                m["opening"] + m["received"],
                m["consumed"],
                m["spoiled"],
                m["lost"],
                m["returned"] + m["shipped"],
                m["adjusted"],
                stock,
            ]
        )
        dates.append(d)
        used_series.append(m["consumed"])
        stock_series.append(stock)
        d += timedelta(days=1)
    if stock != closing:
        raise AssertionError("usage report: daily running stock does not end at the balance")
    daily_table = Table(
        N_("Mutasi harian"),
        [
            Column(N_("Tanggal"), "date", weight=2),
            Column(N_("Diterima"), "int", total=True),
            Column(N_("Dipakai"), "int", total=True),
            Column(N_("Rusak"), "int", total=True),
            Column(N_("Hilang"), "int", total=True),
            Column(N_("Dikembalikan"), "int", total=True),
            Column(N_("Penyesuaian"), "int", total=True),
            Column(N_("Stok akhir hari"), "int", weight=1.2),
        ],
        daily_rows,
        sheet=N_("Harian"),
        note=N_(
            "Diterima termasuk saldo awal pencatatan. Stok akhir hari = stok hari sebelumnya + diterima - dipakai - rusak - hilang - dikembalikan ± penyesuaian; dikembalikan termasuk yang dikirim ke kantor lain."
        ),
    )

    period = Msg("{first} s.d. {last}", first=tanggal(first), last=tanggal(last))
    checks = [
        Msg(
            "Saldo awal {opening} + diterima {nilai} - dipakai {moved} - rusak {moved2} - hilang {moved3} - dikembalikan {moved4} - dikirim {shipped} ± penyesuaian {moved5} = saldo akhir {closing}.",
            opening=num(opening),
            nilai=num(moved["opening"] + moved["received"]),
            moved=num(moved["consumed"]),
            moved2=num(moved["spoiled"]),
            moved3=num(moved["lost"]),
            moved4=num(moved["returned"]),
            shipped=num(moved["shipped"]),
            moved5=num(moved["adjusted"]),
            closing=num(closing),
        )
        if moved["shipped"]
        else Msg(
            "Saldo awal {opening} + diterima {nilai} - dipakai {moved} - rusak {moved2} - hilang {moved3} - dikembalikan {moved4} ± penyesuaian {moved5} = saldo akhir {closing}.",
            opening=num(opening),
            nilai=num(moved["opening"] + moved["received"]),
            moved=num(moved["consumed"]),
            moved2=num(moved["spoiled"]),
            moved3=num(moved["lost"]),
            moved4=num(moved["returned"]),
            moved5=num(moved["adjusted"]),
            closing=num(closing),
        ),
        Msg(
            "Saldo awal sama dengan posisi stok buku besar per {eve} ({before} keping) dan saldo akhir sama dengan posisi stok per {end} ({after} keping).",
            eve=tanggal(eve),
            before=num(before["on_hand"]),
            end=tanggal(end),
            after=num(after["on_hand"]),
        ),
        # The chain's head as this report read it: kept on paper, it anchors the ledger
        # outside the database (docs/ledger.md, "Anchors").
        Msg(
            "Kepala rantai buku besar saat laporan dibuat: entri #{seq}, hash {head_hash}.",
            seq=seq,
            head_hash=head_hash,
        ),
    ]
    facts: list[tuple[str, Any]] = [
        (N_("Kantor"), f"{head.name} ({head.code})"),
        (N_("Periode"), period),
        (N_("Saldo awal (keping)"), opening),
        (N_("Diterima (keping)"), moved["opening"] + moved["received"]),
        (N_("Dipakai (keping)"), moved["consumed"]),
        (N_("Rusak (keping)"), moved["spoiled"]),
        (N_("Hilang (keping)"), moved["lost"]),
        (N_("Dikembalikan (keping)"), moved["returned"]),
        (N_("Penyesuaian (keping)"), moved["adjusted"]),
        (N_("Saldo akhir (keping)"), closing),
    ]
    if moved["shipped"]:
        facts.insert(-2, (N_("Dikirim ke kantor lain (keping)"), moved["shipped"]))
    if end < last:
        facts.insert(2, (N_("Keadaan per"), Msg("{end} (bulan berjalan)", end=tanggal(end))))
    return new_report(
        head,
        name="usage",
        title=N_("LAPORAN PENGGUNAAN BLANGKO KTP-EL"),
        subtitle=Msg("Bulan {first}", first=month_name(first)),
        filename_stem=f"laporan-penggunaan-{key}",
        facts=facts,
        tables=[
            recap,
            received_table,
            service_table,
            reason_table,
            other_table,
            location_table,
            daily_table,
        ],
        chart=Chart(
            Msg("Pemakaian harian dan stok akhir hari, {first}", first=month_name(first)),
            dates,
            [
                Series(N_("Dipakai per hari"), used_series, "bar", "left"),
                Series(N_("Stok akhir hari"), stock_series, "line", "right"),
            ],
            y_label=N_("dipakai (keping)"),
            y2_label=N_("stok (keping)"),
        )
        if dates
        else None,
        checks=checks,
        issued_on=ctx.today(),
        signatures=[
            Signature(N_("Petugas Pengelola Blangko"), None, N_("NIP")),
            head_signature(head, caption=N_("Mengetahui,")),
        ],
        data={
            "office": head.code,
            "month": key,
            "ledger_seq": seq,
            "ledger_hash": head_hash,
            "opening": opening,
            "closing": closing,
            "moved": moved,
            "by_service": by_service,
            "by_reason": by_reason,
            "balance_before": before,
            "balance_after": after,
        },
    )
