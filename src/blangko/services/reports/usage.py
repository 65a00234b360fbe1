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
from blangko.domain.text import Msg
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
    "received": "Diterima",
    "consumed": "Dipakai (dicetak)",
    "spoiled": "Rusak",
    "lost": "Hilang",
    "returned": "Dikembalikan / dipinjamkan",
    "adjusted": "Penyesuaian stock opname",
}
INFLOW = ("opening", "received")  # entries listed under "Penerimaan blangko"
OTHER = ("lost", "returned", "adjusted")  # entries listed under "Hilang, dikembalikan ..."


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
                    KIND_LABEL_ID[kind] if kind == Kind.OPENING else e.party,
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
                    f"kepada {e.party}" if kind == Kind.RETURN else None,
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

    recap_rows: list[list[Any]] = [[f"Saldo awal per {tanggal(eve)}", opening]]
    if moved["opening"]:
        recap_rows.append(
            ["Saldo awal pencatatan (stok saat sistem mulai dipakai)", moved["opening"]]
        )
    recap_rows += [[text, BUCKET_SIGN[line] * moved[line]] for line, text in RECAP_LABELS.items()]
    recap = Table(
        "Rekapitulasi",
        [Column("Uraian", weight=4), Column("Keping", "int", total=True, weight=1.2)],
        recap_rows,
        sheet="Rekapitulasi",
        totals_label=f"Saldo akhir per {tanggal(end)}",
        note="Pengurangan ditulis negatif, sehingga jumlah kolom Keping sama dengan saldo akhir.",
    )
    service_table = Table(
        "Pemakaian menurut jenis layanan",
        [Column("Jenis layanan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
        [[label(TYPE_LABEL_ID, s), by_service[s]] for s in in_order(by_service, TYPES)],
        sheet="Pemakaian",
    )
    reason_table = Table(
        "Blangko rusak menurut alasan",
        [Column("Alasan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
        [
            [label(SPOIL_REASON_LABEL_ID, r), by_reason[r]]
            for r in in_order(by_reason, SPOIL_REASONS)
        ],
        sheet="Rusak",
        note="Daftar seri blangko rusak ada pada Berita Acara Pemusnahan bulan ini.",
    )
    received_table = Table(
        "Penerimaan blangko",
        [
            Column("Tanggal", "date", weight=1.6),
            Column("Asal", weight=2),
            Column("Nomor berita acara", weight=2),
            Column("Nomor seri", "serial", weight=3),
            Column("Keping", "int", total=True, weight=1),
        ],
        received_rows,
        sheet="Penerimaan",
    )
    other_table = Table(
        "Hilang, dikembalikan, dan penyesuaian",
        [
            Column("Tanggal", "date", weight=1.6),
            Column("Jenis", weight=1.8),
            Column("Nomor seri", "serial", weight=2.6),
            Column("Keping (±)", "int", total=True, weight=1),
            Column("Keterangan", weight=2.4),
            Column("Dokumen", weight=1.6),
        ],
        other_rows,
        sheet="Mutasi lain",
    )
    location_table = Table(
        f"Saldo akhir per lokasi, {tanggal(end)}",
        [Column("Lokasi", weight=4), Column("Keping", "int", total=True, weight=1.2)],
        [[name, n] for name, n in after["by_location"].items()],
        sheet="Lokasi",
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
                m["returned"],
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
        "Mutasi harian",
        [
            Column("Tanggal", "date", weight=2),
            Column("Diterima", "int", total=True),
            Column("Dipakai", "int", total=True),
            Column("Rusak", "int", total=True),
            Column("Hilang", "int", total=True),
            Column("Dikembalikan", "int", total=True),
            Column("Penyesuaian", "int", total=True),
            Column("Stok akhir hari", "int", weight=1.2),
        ],
        daily_rows,
        sheet="Harian",
        note="Diterima termasuk saldo awal pencatatan. Stok akhir hari = stok hari sebelumnya "
        "+ diterima - dipakai - rusak - hilang - dikembalikan ± penyesuaian.",
    )

    period = f"{tanggal(first)} s.d. {tanggal(last)}"
    checks = [
        f"Saldo awal {num(opening)} + diterima {num(moved['opening'] + moved['received'])} "
        f"- dipakai {num(moved['consumed'])} - rusak {num(moved['spoiled'])} - hilang "
        f"{num(moved['lost'])} - dikembalikan {num(moved['returned'])} ± penyesuaian "
        f"{num(moved['adjusted'])} = saldo akhir {num(closing)}.",
        f"Saldo awal sama dengan posisi stok buku besar per "
        f"{tanggal(eve)} ({num(before['on_hand'])} keping) dan saldo "
        f"akhir sama dengan posisi stok per {tanggal(end)} ({num(after['on_hand'])} keping).",
        # The chain's head as this report read it: kept on paper, it anchors the ledger
        # outside the database (docs/ledger.md, "Anchors").
        f"Kepala rantai buku besar saat laporan dibuat: entri #{seq}, hash {head_hash}.",
    ]
    facts: list[tuple[str, Any]] = [
        ("Kantor", f"{head.name} ({head.code})"),
        ("Periode", period),
        ("Saldo awal (keping)", opening),
        ("Diterima (keping)", moved["opening"] + moved["received"]),
        ("Dipakai (keping)", moved["consumed"]),
        ("Rusak (keping)", moved["spoiled"]),
        ("Hilang (keping)", moved["lost"]),
        ("Dikembalikan (keping)", moved["returned"]),
        ("Penyesuaian (keping)", moved["adjusted"]),
        ("Saldo akhir (keping)", closing),
    ]
    if end < last:
        facts.insert(2, ("Keadaan per", f"{tanggal(end)} (bulan berjalan)"))
    return new_report(
        head,
        name="usage",
        title="LAPORAN PENGGUNAAN BLANGKO KTP-EL",
        subtitle=f"Bulan {month_name(first)}",
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
            f"Pemakaian harian dan stok akhir hari, {month_name(first)}",
            dates,
            [
                Series("Dipakai per hari", used_series, "bar", "left"),
                Series("Stok akhir hari", stock_series, "line", "right"),
            ],
            y_label="dipakai (keping)",
            y2_label="stok (keping)",
        )
        if dates
        else None,
        checks=checks,
        issued_on=ctx.today(),
        signatures=[
            Signature("Petugas Pengelola Blangko", None, "NIP"),
            head_signature(head, caption="Mengetahui,"),
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
