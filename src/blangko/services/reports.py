"""Official reports built from the ledger: monthly usage, count record (berita acara stock
opname), receipt handover (berita acara serah terima) and destruction (berita acara
pemusnahan).

Each builder reads in one transaction and returns a `Report` model; `render` turns a named
report into file bytes for the CLI and the web downloads. A new report (request letter,
coverage recap) is one builder plus one line in REPORTS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from blangko.adapters import tables as t
from blangko.adapters.reports import MIMETYPES, render_bytes
from blangko.adapters.reports.fmt import num, persen, tanggal, terbilang
from blangko.adapters.reports.model import (
    Chart,
    Column,
    Percent,
    Report,
    Series,
    Signature,
    Table,
)
from blangko.adapters.repos import ledger as repo
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.ledger import BUCKETS, KIND_LABEL_ID, SERVICES, SPOIL_REASONS, Kind, State
from blangko.domain.serials import from_serials, parse_ranges, total
from blangko.formatting import month_bounds
from blangko.services.context import Context, location_names, resolve_office
from blangko.services.stock import queries

SERVICE_LABEL_ID = {
    "pemula": "Perekaman baru (pemula)",
    "hilang": "Penggantian KTP-el hilang",
    "rusak": "Penggantian KTP-el rusak",
    "perubahan_data": "Perubahan data",
}
SPOIL_REASON_LABEL_ID = {
    "salah_cetak": "Salah cetak",
    "gagal_encode": "Gagal encode chip",
    "rusak_fisik": "Rusak fisik",
    "lainnya": "Lainnya",
}
ADDRESS_PLACEHOLDER = "Alamat kantor belum diisi (atur BLANGKO_OFFICE_ADDRESS)"


# Letterhead ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHead:
    code: str
    name: str
    regency: str | None  # "Kabupaten Kaur", when the office name says it
    address: str

    @property
    def lines(self) -> list[str]:
        if self.regency:
            return [
                f"PEMERINTAH {self.regency.upper()}",
                "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
                self.address,
            ]
        return [self.name.upper(), self.address]

    @property
    def place(self) -> str:
        """The town a record is signed in: the regency's name without its level."""
        if not self.regency:
            return ""
        for level in ("Kabupaten ", "Kota "):
            if self.regency.startswith(level):
                return self.regency[len(level) :]
        return self.regency


def _head(conn: Connection, office: str | None, address: str | None) -> OfficeHead:
    code = resolve_office(conn, office)
    name = conn.execute(select(t.office.c.name).where(t.office.c.code == code)).scalar_one()
    prefix = "Dinas Dukcapil "
    regency = name[len(prefix) :] if name.startswith(prefix) else None
    return OfficeHead(code, name, regency, (address or "").strip() or ADDRESS_PLACEHOLDER)


def _report(head: OfficeHead, **kw: Any) -> Report:
    return Report(office_name=head.name, header_lines=head.lines, place=head.place, **kw)


def _range_rows(ranges_text: str) -> list[list[Any]]:
    return [[r.serial(r.first), r.serial(r.last), r.count] for r in parse_ranges(ranges_text)]


RANGE_COLUMNS = [
    Column("Nomor seri awal", "serial", weight=2),
    Column("Nomor seri akhir", "serial", weight=2),
    Column("Keping", "int", total=True),
]


# Monthly usage --------------------------------------------------------------------------------


def usage(
    ctx: Context, *, month: str, office: str | None = None, address: str | None = None
) -> Report:
    """Laporan penggunaan blangko for one month, reconciled with the balance at both ends."""
    first, last = month_bounds(month)
    if first > ctx.today():
        raise DomainError(
            "month_in_future", "month", f"Bulan {month} belum dimulai: belum ada yang dilaporkan."
        )
    key = first.strftime("%Y-%m")
    with ctx.read() as conn:
        head = _head(conn, office, address)
        entries = list(
            repo.iter_entries(conn, head.code, date_from=first, date_to=last, by_seq=False)
        )
    before = queries.balance(ctx, as_of=first - timedelta(days=1), office=head.code)
    # A month still running closes today: no entry can be dated later.
    end = min(last, ctx.today())
    after = queries.balance(ctx, as_of=end, office=head.code)

    # The month's movement by totals line, from the entries dated inside it.
    moved = dict.fromkeys(BUCKETS, 0)
    by_service: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    received_rows: list[list[Any]] = []
    other_rows: list[list[Any]] = []
    daily: dict[date, dict[str, int]] = {}
    for e in entries:
        kind = Kind(e.kind)
        q = int(e.quantity)
        day = daily.setdefault(e.effective_date, dict.fromkeys(BUCKETS, 0))
        bucket = {
            Kind.OPENING: "opening",
            Kind.RECEIVE: "received",
            Kind.CONSUME: "consumed",
            Kind.SPOIL: "spoiled",
            Kind.LOSE: "lost",
            Kind.RETURN: "returned",
            Kind.FOUND: "adjusted",
            Kind.RECOVER: "adjusted",
            Kind.MISSING: "adjusted",
        }.get(kind)
        signed = -q if kind == Kind.MISSING else q
        if bucket is not None:
            moved[bucket] += signed
            day[bucket] += signed
        if kind == Kind.MISPRINT:
            # A printed card re-booked spoiled (application misprint): it leaves "consumed"
            # for "spoiled", as queries.balance counts it.
            for b, sign in (("consumed", -1), ("spoiled", 1)):
                moved[b] += sign * q
                day[b] += sign * q
            if e.service:
                by_service[e.service] = by_service.get(e.service, 0) - q
            by_reason[e.reason] = by_reason.get(e.reason, 0) + q
        elif kind == Kind.CONSUME:
            by_service[e.service] = by_service.get(e.service, 0) + q
        elif kind == Kind.SPOIL:
            by_reason[e.reason] = by_reason.get(e.reason, 0) + q
        elif kind in (Kind.RECEIVE, Kind.OPENING):
            received_rows.append(
                [
                    e.effective_date,
                    KIND_LABEL_ID[kind] if kind == Kind.OPENING else e.party,
                    e.document or "",
                    e.serials,
                    q,
                ]
            )
        elif kind in (Kind.LOSE, Kind.RETURN, Kind.FOUND, Kind.RECOVER, Kind.MISSING):
            sign = 1 if kind in (Kind.FOUND, Kind.RECOVER) else -1
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
                    sign * q,
                    detail,
                    e.document or "",
                ]
            )

    opening, closing = before["on_hand"], after["on_hand"]
    signed_total = (
        moved["opening"]
        + moved["received"]
        - moved["consumed"]
        - moved["spoiled"]
        - moved["lost"]
        - moved["returned"]
        + moved["adjusted"]
    )
    # The report must say exactly what `stock balance` says at both month ends; a mismatch
    # is a defect here, never something to print.
    for b in BUCKETS:
        if after["totals"][b] - before["totals"][b] != moved[b]:
            raise AssertionError(f"usage report: {b} {moved[b]} != balance difference")
    if opening + signed_total != closing:
        raise AssertionError(f"usage report: {opening} + {signed_total} != {closing}")

    recap_rows: list[list[Any]] = [
        [f"Saldo awal per {tanggal(first - timedelta(days=1))}", opening]
    ]
    if moved["opening"]:
        recap_rows.append(
            ["Saldo awal pencatatan (stok saat sistem mulai dipakai)", moved["opening"]]
        )
    recap_rows += [
        ["Diterima", moved["received"]],
        ["Dipakai (dicetak)", -moved["consumed"]],
        ["Rusak", -moved["spoiled"]],
        ["Hilang", -moved["lost"]],
        ["Dikembalikan / dipinjamkan", -moved["returned"]],
        ["Penyesuaian stock opname", moved["adjusted"]],
    ]
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
        [[SERVICE_LABEL_ID.get(s, s), by_service[s]] for s in _ordered(by_service, SERVICES)],
        sheet="Pemakaian",
    )
    reason_table = Table(
        "Blangko rusak menurut alasan",
        [Column("Alasan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
        [
            [SPOIL_REASON_LABEL_ID.get(r, r), by_reason[r]]
            for r in _ordered(by_reason, SPOIL_REASONS)
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
        m = daily.get(d, dict.fromkeys(BUCKETS, 0))
        inflow = m["opening"] + m["received"]
        stock += inflow - m["consumed"] - m["spoiled"] - m["lost"] - m["returned"] + m["adjusted"]
        daily_rows.append(
            [d, inflow, m["consumed"], m["spoiled"], m["lost"], m["returned"], m["adjusted"], stock]
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
        f"{tanggal(first - timedelta(days=1))} ({num(before['on_hand'])} keping) dan saldo "
        f"akhir sama dengan posisi stok per {tanggal(end)} ({num(after['on_hand'])} keping).",
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
    report = _report(
        head,
        name="usage",
        title="LAPORAN PENGGUNAAN BLANGKO KTP-EL",
        subtitle=f"Bulan {_month_name(first)}",
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
            f"Pemakaian harian dan stok akhir hari, {_month_name(first)}",
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
            Signature("Kepala Dinas", None, "NIP", caption="Mengetahui,"),
        ],
        data={
            "office": head.code,
            "month": key,
            "opening": opening,
            "closing": closing,
            "moved": moved,
            "by_service": by_service,
            "by_reason": by_reason,
            "balance_before": before,
            "balance_after": after,
        },
    )
    return report


def _ordered(counts: dict[str, int], order: tuple[str, ...]) -> list[str]:
    """The keys in the official order, unknown ones after."""
    return [k for k in order if k in counts] + sorted(k for k in counts if k not in order)


def _month_name(d: date) -> str:
    # "November 2026": the long date without its day.
    return tanggal(d).split(" ", 1)[1]


# Count record -------------------------------------------------------------------------------


def count_record(
    ctx: Context, *, count_id: int, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara stock opname: book against counted at one location."""
    with ctx.read() as conn:
        head = _head(conn, office, address)
        row = conn.execute(
            select(t.stock_count).where(
                t.stock_count.c.id == count_id, t.stock_count.c.office_code == head.code
            )
        ).first()
        if row is None:
            raise NotFound("unknown_count", "count_id", f"Stock opname #{count_id} tidak ada.")
        names = location_names(conn, head.code)
        posted = conn.execute(
            select(t.ledger_entry)
            .where(t.ledger_entry.c.office_code == head.code, t.ledger_entry.c.count_id == count_id)
            .order_by(t.ledger_entry.c.seq)
        ).all()
    location = names.get(row.location_id, str(row.location_id))
    variance = row.counted - row.book
    missing = _range_rows(row.missing) if row.missing else []
    unexpected = _range_rows(row.unexpected) if row.unexpected else []
    by_serial = row.mode == "serials"
    facts: list[tuple[str, Any]] = [
        ("Nomor stock opname", row.id),
        ("Lokasi", location),
        ("Tanggal penghitungan", row.count_date),
        ("Cara penghitungan", "pindai nomor seri" if by_serial else "jumlah keping saja"),
        ("Menurut buku (keping)", row.book),
        ("Terhitung fisik (keping)", row.counted),
        ("Selisih (keping)", variance),
        (
            "Status",
            "sudah diposting ke buku besar" if row.status == "posted" else "belum diposting",
        ),
    ]
    if row.post_reason:
        facts.append(("Penjelasan selisih", row.post_reason))
    hari = _weekday(row.count_date)
    paragraphs = [
        f"Pada hari ini, {hari} tanggal {tanggal(row.count_date)}, telah dilakukan penghitungan "
        f"fisik (stock opname) blangko KTP-el di lokasi '{location}' pada {head.name}, dengan "
        f"hasil: menurut buku {num(row.book)} keping, terhitung {num(row.counted)} keping, "
        f"selisih {_signed(variance)} keping.",
    ]
    if by_serial:
        paragraphs.append(
            f"Seri yang tercatat di buku tetapi tidak ditemukan: {num(sum(r[2] for r in missing))} "
            f"keping; seri yang ditemukan tetapi tidak tercatat di lokasi ini: "
            f"{num(sum(r[2] for r in unexpected))} keping, sebagaimana rincian terlampir."
        )
    paragraphs.append(
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
    )
    tables = []
    if by_serial:
        tables += [
            Table(
                "Seri tercatat di buku, tidak ditemukan",
                RANGE_COLUMNS,
                missing,
                sheet="Tidak ditemukan",
            ),
            Table(
                "Seri ditemukan, tidak tercatat di lokasi ini",
                RANGE_COLUMNS,
                unexpected,
                sheet="Tidak tercatat",
            ),
        ]
    if posted:
        tables.append(
            Table(
                "Entri penyesuaian di buku besar",
                [
                    Column("Entri", "int", weight=0.8),
                    Column("Tanggal", "date", weight=1.8),
                    Column("Jenis", weight=2.4),
                    Column("Nomor seri", "serial", weight=3),
                    Column("Keping", "int", weight=1),
                ],
                [
                    [
                        e.seq,
                        e.effective_date,
                        KIND_LABEL_ID.get(Kind(e.kind), e.kind),
                        e.serials,
                        e.quantity,
                    ]
                    for e in posted
                ],
                sheet="Penyesuaian",
            )
        )
    return _report(
        head,
        name="count",
        title="BERITA ACARA STOCK OPNAME BLANGKO KTP-EL",
        subtitle=f"Nomor {row.id} — lokasi {location}",
        filename_stem=f"berita-acara-stock-opname-{row.id}",
        facts=facts,
        paragraphs=paragraphs,
        tables=tables,
        checks=[
            f"Terhitung {num(row.counted)} - buku {num(row.book)} = selisih {_signed(variance)}"
            + (
                f" = tidak tercatat {num(sum(r[2] for r in unexpected))} - tidak ditemukan "
                f"{num(sum(r[2] for r in missing))}."
                if by_serial
                else "."
            )
        ],
        issued_on=row.count_date,
        signatures=[
            Signature("Petugas Penghitung", row.actor, "NIP"),
            Signature("Pengelola Blangko", None, "NIP"),
            Signature("Kepala Dinas", None, "NIP", caption="Mengetahui,"),
        ],
        data={
            "count_id": row.id,
            "book": row.book,
            "counted": row.counted,
            "variance": variance,
            "missing": sum(r[2] for r in missing),
            "unexpected": sum(r[2] for r in unexpected),
        },
    )


def _signed(n: int) -> str:
    return ("+" if n > 0 else "") + num(n)


_WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def _weekday(d: date) -> str:
    return _WEEKDAYS[d.weekday()]


# Receipt handover -----------------------------------------------------------------------------


def receipt(
    ctx: Context, *, seq: int, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara serah terima for one receive (or return) entry."""
    with ctx.read() as conn:
        head = _head(conn, office, address)
        e = repo.entry_by_seq(conn, head.code, seq)
        if e is None:
            raise NotFound("unknown_entry", "seq", f"Entri ledger #{seq} tidak ada.")
        if e.kind not in (Kind.RECEIVE.value, Kind.RETURN.value):
            raise DomainError(
                "not_a_handover",
                "seq",
                f"Entri #{seq} adalah {KIND_LABEL_ID.get(Kind(e.kind), e.kind)}: berita acara "
                "serah terima hanya untuk penerimaan atau pengembalian blangko.",
            )
        names = location_names(conn, head.code)
    incoming = e.kind == Kind.RECEIVE.value
    giver, receiver = (e.party, head.name) if incoming else (head.name, e.party)
    location = names.get(e.to_location if incoming else e.from_location, "")
    rows = _range_rows(e.serials)
    qty = int(e.quantity)
    if sum(r[2] for r in rows) != qty:
        raise AssertionError("receipt: ranges do not add up to the entry's quantity")
    return _report(
        head,
        name="receipt",
        title="BERITA ACARA SERAH TERIMA BLANGKO KTP-EL",
        subtitle=f"Nomor {e.document}",
        filename_stem=f"berita-acara-serah-terima-{seq}",
        facts=[
            ("Nomor berita acara", e.document),
            ("Tanggal serah terima", e.effective_date),
            ("Pihak Pertama (yang menyerahkan)", giver),
            ("Pihak Kedua (yang menerima)", receiver),
            ("Lokasi penyimpanan" if incoming else "Diambil dari lokasi", location),
            ("Jumlah (keping)", qty),
            ("Entri buku besar", f"#{e.seq}, dicatat oleh {e.actor}, hash {e.hash[:16]}…"),
        ],
        paragraphs=[
            f"Pada hari ini, {_weekday(e.effective_date)} tanggal {tanggal(e.effective_date)}, "
            f"Pihak Pertama, {giver}, menyerahkan kepada Pihak Kedua, {receiver}, blangko KTP-el "
            f"sejumlah {num(qty)} ({terbilang(qty)}) keping dengan nomor seri sebagaimana "
            "tercantum dalam daftar di bawah ini, dan Pihak Kedua telah menerimanya dalam "
            "keadaan baik dan lengkap.",
            "Demikian berita acara ini dibuat dalam rangkap secukupnya untuk dipergunakan "
            "sebagaimana mestinya.",
        ]
        + ([f"Catatan: {e.note}"] if e.note else []),
        tables=[Table("Daftar nomor seri", RANGE_COLUMNS, rows, sheet="Nomor seri")],
        checks=[f"Jumlah keping seluruh rentang = {num(qty)} = jumlah pada entri #{e.seq}."],
        issued_on=e.effective_date,
        signatures=[
            Signature("Pihak Pertama, yang menyerahkan", None, giver),
            Signature("Pihak Kedua, yang menerima", None, receiver),
        ],
        data={"seq": e.seq, "quantity": qty, "document": e.document, "party": e.party},
    )


# Destruction ---------------------------------------------------------------------------------


def destruction(
    ctx: Context, *, month: str, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara pemusnahan: every card spoiled in the month, by serial and reason."""
    first, last = month_bounds(month)
    key = first.strftime("%Y-%m")
    with ctx.read() as conn:
        head = _head(conn, office, address)
        cards = repo.spoiled_between(conn, head.code, first, last)
        names = location_names(conn, head.code)
        destroy_seqs = sorted({c.last_seq for c in cards if c.state == State.DESTROYED.value})
        destroys = [repo.entry_by_seq(conn, head.code, s) for s in destroy_seqs]
    rows = [
        [
            i,
            c.serial,
            c.effective_date,
            SPOIL_REASON_LABEL_ID.get(c.reason, c.reason),
            c.note or "",
            names.get(c.from_location, ""),
            "dimusnahkan" if c.state == State.DESTROYED.value else "rusak, belum dimusnahkan",
        ]
        for i, c in enumerate(cards, start=1)
    ]
    n = len(cards)
    by_reason: dict[str, int] = {}
    for c in cards:
        by_reason[c.reason] = by_reason.get(c.reason, 0) + 1
    pending = sum(1 for c in cards if c.state == State.SPOILED.value)
    facts: list[tuple[str, Any]] = [
        ("Periode blangko rusak", f"{tanggal(first)} s.d. {tanggal(last)}"),
        ("Jumlah blangko rusak (keping)", n),
        ("Sudah dimusnahkan (keping)", n - pending),
        ("Belum dimusnahkan (keping)", pending),
    ]
    witnesses: list[str] = []
    for d in destroys:
        facts += [
            ("Tanggal pemusnahan", d.effective_date),
            ("Nomor berita acara pemusnahan", d.document),
            ("Saksi", d.party),
        ]
        witnesses += [w for w in (d.party or "").split("; ") if w and w not in witnesses]
    seri = format_serials_short(c.serial for c in cards)
    if destroys and not pending:
        when = destroys[-1].effective_date
        paragraphs = [
            f"Pada hari ini, {_weekday(when)} tanggal {tanggal(when)}, bertempat di "
            f"{head.name}, telah dilakukan pemusnahan blangko KTP-el yang rusak selama bulan "
            f"{_month_name(first)} sejumlah {num(n)} ({terbilang(n)}) keping, dengan nomor seri "
            f"dan alasan kerusakan sebagaimana tercantum dalam daftar di bawah ini, disaksikan "
            f"oleh {', '.join(witnesses).rstrip('.')}.",
        ]
    else:
        paragraphs = [
            f"Blangko KTP-el yang rusak selama bulan {_month_name(first)} sejumlah {num(n)} "
            f"({terbilang(n)}) keping, dengan nomor seri dan alasan kerusakan sebagaimana "
            f"tercantum dalam daftar di bawah ini, {num(pending)} keping di antaranya siap "
            "dimusnahkan dengan disaksikan oleh para saksi yang menandatangani berita acara ini.",
        ]
    paragraphs.append(
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
    )
    # Witnesses first, the office's own signatories on the last row.
    sigs = [Signature(f"Saksi {i}", w, None) for i, w in enumerate(witnesses, start=1)]
    if not witnesses:
        sigs += [Signature("Saksi 1", None, None), Signature("Saksi 2", None, None)]
    sigs.append(Signature("Pengelola Blangko", None, "NIP"))
    sigs.append(Signature("Kepala Dinas", None, "NIP", caption="Mengetahui,"))
    return _report(
        head,
        name="destruction",
        title="BERITA ACARA PEMUSNAHAN BLANGKO KTP-EL RUSAK",
        subtitle=f"Blangko rusak bulan {_month_name(first)}",
        filename_stem=f"berita-acara-pemusnahan-{key}",
        facts=facts,
        paragraphs=paragraphs,
        tables=[
            Table(
                "Rekap menurut alasan",
                [Column("Alasan", weight=4), Column("Keping", "int", total=True, weight=1.2)],
                [
                    [SPOIL_REASON_LABEL_ID.get(r, r), by_reason[r]]
                    for r in _ordered(by_reason, SPOIL_REASONS)
                ],
                sheet="Rekap alasan",
            ),
            Table(
                "Daftar blangko rusak",
                [
                    Column("No", "int", weight=0.6),
                    Column("Nomor seri", "serial", weight=2),
                    Column("Tanggal rusak", "date", weight=1.9),
                    Column("Alasan", weight=1.7),
                    Column("Keterangan", weight=2.2),
                    Column("Lokasi", weight=1.2),
                    Column("Status", weight=1.8),
                ],
                rows,
                sheet="Daftar seri",
                empty_text="Tidak ada blangko rusak pada bulan ini.",
            ),
        ],
        checks=[
            f"{num(n)} keping rusak = {num(n - pending)} dimusnahkan + {num(pending)} belum "
            f"dimusnahkan; rentang seri: {seri or '-'}."
        ],
        issued_on=destroys[-1].effective_date if destroys else ctx.today(),
        signatures=sigs,
        data={"month": key, "spoiled": n, "destroyed": n - pending, "pending": pending},
    )


def format_serials_short(serials: Any) -> str:
    ranges = from_serials(serials)
    return ", ".join(str(r) for r in ranges) if total(ranges) else ""


# Coverage recap ------------------------------------------------------------------------------


def coverage_recap(
    ctx: Context,
    *,
    as_of: date | None = None,
    target: str | None = None,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Rekap cakupan: wajib KTP, recorded, coverage and the gap to the target, by kecamatan
    and desa, from the coverage service's exact counts."""
    from blangko.services.coverage import areas as cov

    day = as_of or ctx.today()
    with ctx.read() as conn:
        head = _head(conn, office, address)
    kec = cov.coverage(ctx, as_of=day, by="kecamatan", target=target, office=head.code)
    desa = cov.coverage(ctx, as_of=day, by="desa", target=target, office=head.code)
    if (kec["wajib_ktp"], kec["recorded"]) != (desa["wajib_ktp"], desa["recorded"]):
        raise AssertionError("coverage recap: kecamatan and desa totals differ")
    target_pct = kec["target_pct"]

    def pct(value: float | None) -> float | None:
        # The service rounds once to one decimal; the sheet stores the fraction 0.952.
        return None if value is None else round(value / 100, 4)

    area_columns = [
        Column("Wajib KTP", "int", total=True, weight=1.1),
        Column("Sudah rekam", "int", total=True, weight=1.1),
        Column("Belum rekam", "int", total=True, weight=1.1),
    ]
    kec_names = {a["code"]: a["name"] for a in kec["areas"]}
    kec_table = Table(
        "Cakupan per kecamatan",
        [
            Column("Kode", "serial", weight=1.1),
            Column("Kecamatan", weight=2.2),
            *area_columns,
            Column("Cakupan", "percent", ratio=(3, 2), weight=1),
            Column("Kurang ke target", "int", weight=1.1),
        ],
        [
            [
                a["code"],
                a["name"],
                a["wajib_ktp"],
                a["recorded"],
                a["unrecorded"],
                pct(a["coverage_pct"]),
                a["gap_to_target"],
            ]
            for a in kec["areas"]
        ],
        sheet="Kecamatan",
        note=f"Kurang ke target: penduduk yang masih harus direkam agar cakupan wilayah itu "
        f"mencapai {num(target_pct)} %. Kekurangan kabupaten ({num(kec['gap_to_target'])}) "
        "dihitung dari jumlah kabupaten, bukan dijumlahkan dari wilayah: wilayah yang melampaui "
        "target tidak menutup kekurangan wilayah lain.",
    )
    desa_table = Table(
        "Cakupan per desa/kelurahan",
        [
            Column("Kode", "serial", weight=1.5),
            Column("Kecamatan", weight=1.7),
            Column("Desa/kelurahan", weight=2),
            *area_columns,
            Column("Cakupan", "percent", ratio=(4, 3), weight=1),
            Column("Kurang ke target", "int", weight=1.1),
        ],
        [
            [
                a["code"],
                kec_names.get(a["code"][:8], ""),
                a["name"],
                a["wajib_ktp"],
                a["recorded"],
                a["unrecorded"],
                pct(a["coverage_pct"]),
                a["gap_to_target"],
            ]
            for a in desa["areas"]
        ],
        sheet="Desa",
    )
    group_columns = [
        *area_columns,
        Column("Cakupan", "percent", ratio=(2, 1), weight=1),
        Column("Kurang ke target", "int", weight=1.1),
    ]
    sex_table = Table(
        "Cakupan menurut jenis kelamin",
        [Column("Jenis kelamin", weight=2.2), *group_columns],
        [
            [
                g["label"],
                g["wajib_ktp"],
                g["recorded"],
                g["unrecorded"],
                pct(g["coverage_pct"]),
                g["gap_to_target"],
            ]
            for g in kec["by_sex"]
        ],
        sheet="Jenis kelamin",
    )
    band_table = Table(
        "Cakupan menurut kelompok umur",
        [Column("Umur (tahun)", weight=2.2), *group_columns],
        [
            [
                g["band"],
                g["wajib_ktp"],
                g["recorded"],
                g["unrecorded"],
                pct(g["coverage_pct"]),
                g["gap_to_target"],
            ]
            for g in kec["by_age_band"]
        ],
        sheet="Umur",
        note="<17: sudah atau pernah kawin, sehingga wajib KTP sebelum berumur 17 tahun.",
    )
    return _report(
        head,
        name="coverage",
        title="REKAPITULASI CAKUPAN PEREKAMAN KTP-EL",
        subtitle=f"Keadaan per {tanggal(day)}",
        filename_stem=f"rekap-cakupan-{day.isoformat()}",
        facts=[
            ("Kantor", f"{head.name} ({head.code})"),
            ("Per tanggal", day),
            ("Wajib KTP (jiwa)", kec["wajib_ktp"]),
            ("Sudah rekam (jiwa)", kec["recorded"]),
            ("Belum rekam (jiwa)", kec["unrecorded"]),
            ("Cakupan", Percent(pct(kec["coverage_pct"]) or 0)),
            ("Target", Percent(pct(target_pct) or 0)),
            ("Kurang ke target (jiwa)", kec["gap_to_target"]),
        ],
        tables=[kec_table, desa_table, sex_table, band_table],
        checks=[
            f"Jumlah wajib KTP per kecamatan, per desa, per jenis kelamin dan per kelompok "
            f"umur sama: {num(kec['wajib_ktp'])} jiwa; sudah rekam {num(kec['recorded'])} jiwa."
        ],
        issued_on=ctx.today(),
        signatures=[
            Signature("Kepala Bidang Pendaftaran Penduduk", None, "NIP"),
            Signature("Kepala Dinas", None, "NIP", caption="Mengetahui,"),
        ],
        data={"as_of": day.isoformat(), "kecamatan": kec, "desa": desa},
    )


# Request letter --------------------------------------------------------------------------------

REQUEST_ADDRESSEE = [
    "Kepada Yth.",
    "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri",
    "di Jakarta",
]


def request_letter(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Surat permohonan blangko: the quantity the forecast recommends requesting, with each
    part of it quantified (usual use over the review period plus lead time, events, the
    print queue, the reserve for the service level, less the stock on hand)."""
    from blangko.services import forecast as fs

    day = as_of or ctx.today()
    with ctx.read() as conn:
        head = _head(conn, office, address)
    f = fs.forecast(ctx, as_of=day, office=head.code)
    queue = f["backlog"]["to_print"]
    rec = f["recommended_request"]
    qty = int(rec["quantity"])
    cover = f["days_of_cover"]
    more = " atau lebih" if cover["beyond_horizon"] else ""
    if qty <= 0:
        raise DomainError(
            "request_not_needed",
            "quantity",
            f"Stok {num(f['on_hand'])} keping cukup untuk {num(cover['p50'])} hari{more} "
            f"(median) dan mencukupi periode tinjau ditambah waktu tunggu dengan tingkat layanan "
            f"{persen(rec['service_level'])}: perkiraan tidak menyarankan permintaan, sehingga "
            "surat permohonan tidak dibuat.",
        )

    # The reasons add up to the request: usual use + events + queue + reserve - stock.
    event_names = {e["name"]: e for e in f["events"]}
    n_reasons = len(rec["reasons"])
    reason_rows: list[list[Any]] = []
    for i, r in enumerate(rec["reasons"]):
        if i == 0:
            note = "median simulasi pemakaian harian (hari buka saja)"
        elif r["reason"] in event_names:
            b = event_names[r["reason"]]["blanks"]
            note = (
                f"acara {tanggal(date.fromisoformat(event_names[r['reason']]['date']))}; "
                f"perkiraan {num(b['low'])}–{num(b['high'])} keping, bagian dalam periode ini"
            )
        elif i == n_reasons - 2:
            note = "persediaan per tanggal surat, dikurangkan"
        elif i == n_reasons - 1:
            note = f"agar peluang kehabisan stok paling tinggi {persen(1 - rec['service_level'])}"
        else:
            note = f"{num(queue)} permohonan siap cetak" if queue else ""
        reason_rows.append([r["reason"], r["quantity"], note])
    reasons_table = Table(
        "Lampiran: dasar perhitungan jumlah permohonan",
        [
            Column("Uraian", weight=3.4),
            Column("Keping", "int", total=True, weight=1),
            Column("Keterangan", weight=3),
        ],
        reason_rows,
        sheet="Dasar perhitungan",
        totals_label="Jumlah yang dimohon",
        note="Keping per uraian adalah median dari "
        f"{num(f['model']['paths'])} jalur simulasi kebutuhan; cadangan menutup selisih "
        "antara median dan kebutuhan pada tingkat layanan.",
    )
    if reasons_table.totals()[1] != qty:
        raise AssertionError("request letter: reasons do not add up to the requested quantity")

    nd = f["next_delivery"]
    comp = f["comparison"]
    covers_until = date.fromisoformat(rec["covers_until"])
    horizon_end = day + timedelta(days=f["horizon_days"])
    until_more = "sedikitnya " if covers_until >= horizon_end else ""
    mos = comp["months_of_stock"]
    state_rows: list[list[Any]] = [
        ["Persediaan di tangan", f["on_hand"], "keping"],
        ["Cukup untuk (median)", cover["p50"], f"hari{more}"],
        ["Cukup untuk (keyakinan 90 %)", cover["p90"], f"hari{more}"],
        ["Antrean cetak (permohonan siap cetak)", queue, "orang"],
        ["Waktu tunggu kiriman (median)", nd["lead_time_days"], "hari"],
        ["Waktu tunggu kiriman (90 %)", nd["lead_time_p90_days"], "hari"],
        [
            "Perkiraan kiriman tiba bila diminta hari ini",
            date.fromisoformat(nd["expected_date"]),
            "",
        ],
        [
            "Peluang kehabisan stok sebelum kiriman tiba",
            Percent(f["stockout_probability_before_next_delivery"]),
            "tanpa permohonan ini",
        ],
        ["Tingkat layanan yang dituju", Percent(rec["service_level"]), ""],
        ["Periode yang ditutup permohonan", rec["window_days"], "hari (tinjau + tunggu)"],
        ["Persediaan cukup sampai (median)", covers_until, "dengan permohonan ini"],
        [
            "Rata-rata pemakaian bulanan (gaya OpenLMIS)",
            # Whole cards: the sheet's number format shows no decimals.
            round(comp["average_monthly_consumption"]),
            f"keping/bulan ({num(comp['amc_period_days'])} hari terakhir)"
            + (f"; persediaan = {num(mos)} bulan pemakaian" if mos is not None else ""),
        ],
    ]
    state_table = Table(
        "Keadaan persediaan dan risiko",
        [Column("Uraian", weight=3.4), Column("Nilai", weight=1.4), Column("Satuan", weight=2.6)],
        state_rows,
        sheet="Keadaan persediaan",
        note=f"Model {f['model']['name']} dilatih pada {num(f['model']['fitted_on_days'])} hari "
        "buka; hari tutup (akhir pekan, libur nasional, penutupan layanan) dihitung nol.",
    )
    event_rows = [
        [
            e["name"],
            date.fromisoformat(e["date"]),
            e["blanks"]["low"],
            e["blanks"]["expected"],
            e["blanks"]["high"],
        ]
        for e in f["events"]
    ]
    events_table = Table(
        f"Acara dalam {num(f['horizon_days'])} hari ke depan",
        [
            Column("Acara", weight=3),
            Column("Tanggal", "date", weight=1.8),
            Column("Tambahan rendah", "int", weight=1.2),
            Column("Tambahan perkiraan", "int", total=True, weight=1.2),
            Column("Tambahan tinggi", "int", weight=1.2),
        ],
        event_rows,
        sheet="Acara",
        empty_text="Tidak ada acara tercatat.",
        note="Tambahan blangko dihitung dari penduduk desa-desa acara: yang belum rekam, yang "
        "berumur 17 tahun sebelum acara, dan yang sudah rekam tetapi belum dicetak.",
    )

    head_of = (
        f"Dinas Kependudukan dan Pencatatan Sipil {head.regency}" if head.regency else head.name
    )
    in_window = [r["reason"] for r in rec["reasons"][1:-2] if r["reason"] in event_names]
    if queue and any(r["reason"] not in event_names for r in rec["reasons"][1:-2]):
        in_window.append(f"antrean cetak {num(queue)} permohonan")
    extra = f", termasuk tambahan kebutuhan karena {' dan '.join(in_window)}" if in_window else ""
    paragraphs = [
        *REQUEST_ADDRESSEE,
        f"Dengan hormat, bersama ini kami sampaikan bahwa persediaan blangko KTP-el pada "
        f"{head.name} per {tanggal(day)} sebanyak {num(f['on_hand'])} keping. Berdasarkan "
        f"pemakaian harian yang tercatat di buku besar blangko, persediaan tersebut "
        f"diperkirakan cukup untuk {num(cover['p50'])} hari{more}, dan peluang persediaan habis "
        f"sebelum kiriman berikutnya tiba (sekitar {tanggal(date.fromisoformat(nd['expected_date']))}, "
        f"waktu tunggu {num(nd['lead_time_days'])} hari) adalah "
        f"{persen(f['stockout_probability_before_next_delivery'])}.",
        f"Sehubungan dengan hal tersebut, kami mengajukan permohonan blangko KTP-el sebanyak "
        f"{num(qty)} ({terbilang(qty)}) keping, untuk memenuhi kebutuhan pelayanan selama "
        f"{num(rec['window_days'])} hari ke depan (periode tinjau ditambah waktu tunggu "
        f"pengiriman) dengan tingkat layanan {persen(rec['service_level'])}{extra}. Dengan "
        f"tambahan tersebut persediaan diperkirakan cukup sampai {until_more}"
        f"{tanggal(covers_until)}. Rincian dasar perhitungan kami lampirkan.",
        "Demikian permohonan ini kami sampaikan. Atas perhatian dan kerja sama Bapak/Ibu, kami "
        "ucapkan terima kasih.",
    ]
    for w in f["warnings"]:
        paragraphs.append(f"Catatan perkiraan: {w}")
    return _report(
        head,
        name="request",
        title="SURAT PERMOHONAN BLANGKO KTP-EL",
        filename_stem=f"surat-permohonan-blangko-{day.isoformat()}",
        facts=[
            ("Nomor", f"470/ ....... /Disdukcapil/{day.year}"),
            ("Sifat", "Penting"),
            ("Lampiran", "1 (satu) berkas"),
            ("Perihal", "Permohonan Blangko KTP-el"),
            ("Jumlah dimohon (keping)", qty),
        ],
        paragraphs=paragraphs,
        tables=[reasons_table, state_table, events_table],
        checks=[
            f"Pemakaian biasa + tambahan acara dan antrean + cadangan - persediaan = "
            f"{num(qty)} keping = jumlah yang disarankan perkiraan per {tanggal(day)}."
        ],
        issued_on=day,
        signatures=[Signature(f"Kepala {head_of}", None, "NIP", caption="Hormat kami,")],
        data={
            "as_of": day.isoformat(),
            "quantity": qty,
            "on_hand": f["on_hand"],
            "print_queue": queue,
            "reasons": rec["reasons"],
            "forecast": {k: v for k, v in f.items() if k != "daily"},
        },
    )


# Registry and rendering --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    build: Callable[..., Report]
    params: tuple[str, ...]  # the parameters it needs besides office and address
    optional: tuple[str, ...] = ()


REPORTS: dict[str, ReportSpec] = {
    "usage": ReportSpec(usage, ("month",)),
    "count": ReportSpec(count_record, ("count_id",)),
    "receipt": ReportSpec(receipt, ("seq",)),
    "destruction": ReportSpec(destruction, ("month",)),
    "coverage": ReportSpec(coverage_recap, (), ("as_of", "target")),
    "request": ReportSpec(request_letter, (), ("as_of",)),
}


def build(ctx: Context, report_name: str, params: dict[str, Any]) -> Report:
    spec = REPORTS.get(report_name)
    if spec is None:
        raise NotFound(
            "unknown_report",
            "report",
            f"Laporan '{report_name}' tidak dikenal: pilih {', '.join(REPORTS)}.",
        )
    missing = [p for p in spec.params if params.get(p) in (None, "")]
    if missing:
        raise DomainError("required", missing[0], f"Parameter '{missing[0]}' wajib diisi.")
    wanted = (*spec.params, *spec.optional, "office", "address")
    kwargs = {k: v for k, v in params.items() if k in wanted}
    return spec.build(ctx, **kwargs)


def render(
    ctx: Context, report_name: str, params: dict[str, Any], fmt: str
) -> tuple[bytes, str, str]:
    """A named report as file bytes: (content, file name, MIME type).

    params: the report's own (month / count_id / seq / as_of, target), optionally office and
    address.
    """
    if fmt not in MIMETYPES:
        raise DomainError(
            "report_format", "format", f"Format '{fmt}' tidak dikenal: pilih xlsx atau pdf."
        )
    report = build(ctx, report_name, params)
    return render_bytes(report, fmt), f"{report.filename_stem}.{fmt}", MIMETYPES[fmt]
