"""Berita acara pemusnahan: every card spoiled in a month, by serial and reason, and whether
it has been destroyed, with the destruction's witnesses. One read transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.reports.model import Column, Report, Table
from blangko.adapters.repos import ledger as repo
from blangko.domain.ledger import SPOIL_REASON_LABEL_ID, SPOIL_REASONS, State
from blangko.domain.serials import from_serials, total
from blangko.domain.text import N_, Msg
from blangko.formatting import month_bounds, num, tanggal
from blangko.services.context import Context, location_names
from blangko.services.reports.letterhead import (
    CLOSING,
    destruction_signatures,
    in_order,
    label,
    month_name,
    new_report,
    opening,
    report_read,
)


def build(
    ctx: Context, *, month: str, office: str | None = None, address: str | None = None
) -> Report:
    """Berita acara pemusnahan: every card spoiled in the month, by serial and reason."""
    first, last = month_bounds(month)
    key = first.strftime("%Y-%m")
    with report_read(ctx, office, address) as (conn, head):
        cards = repo.spoiled_between(conn, head.code, first, last)
        names = location_names(conn, head.code)
        destroy_seqs = sorted({c.last_seq for c in cards if c.state == State.DESTROYED.value})
        destroys = [repo.entry_by_seq(conn, head.code, s) for s in destroy_seqs]
    rows = [
        [
            i,
            c.serial,
            c.effective_date,
            label(SPOIL_REASON_LABEL_ID, c.reason),
            c.note or "",
            names.get(c.from_location, ""),
            "dimusnahkan" if c.state == State.DESTROYED.value else N_("rusak, belum dimusnahkan"),
        ]
        for i, c in enumerate(cards, start=1)
    ]
    n = len(cards)
    by_reason: dict[str, int] = {}
    for c in cards:
        by_reason[c.reason] = by_reason.get(c.reason, 0) + 1
    pending = sum(1 for c in cards if c.state == State.SPOILED.value)
    facts: list[tuple[str, Any]] = [
        (N_("Periode blangko rusak"), f"{tanggal(first)} s.d. {tanggal(last)}"),
        (N_("Jumlah blangko rusak (keping)"), n),
        (N_("Sudah dimusnahkan (keping)"), n - pending),
        (N_("Belum dimusnahkan (keping)"), pending),
    ]
    witnesses: list[str] = []
    for d in destroys:
        facts += [
            (N_("Tanggal pemusnahan"), d.effective_date),
            (N_("Nomor berita acara pemusnahan"), d.document),
            (N_("Saksi"), d.party),
        ]
        witnesses += [w for w in (d.party or "").split("; ") if w and w not in witnesses]
    seri = _ranges_text(c.serial for c in cards)
    if destroys and not pending:
        when = destroys[-1].effective_date
        paragraphs: list[str] = [
            Msg(
                "{when}, bertempat di {name}, telah dilakukan pemusnahan blangko KTP-el yang rusak selama bulan {first} sejumlah {n} ({n2}) keping, dengan nomor seri dan alasan kerusakan sebagaimana tercantum dalam daftar di bawah ini, disaksikan oleh {nilai}.",
                when=opening(when),
                name=head.name,
                first=month_name(first),
                n=num(n),
                n2=terbilang(n),
                nilai=", ".join(witnesses).rstrip("."),
            ),
        ]
    else:
        paragraphs = [
            Msg(
                "Blangko KTP-el yang rusak selama bulan {first} sejumlah {n} ({n2}) keping, dengan nomor seri dan alasan kerusakan sebagaimana tercantum dalam daftar di bawah ini, {pending} keping di antaranya siap dimusnahkan dengan disaksikan oleh para saksi yang menandatangani berita acara ini.",
                first=month_name(first),
                n=num(n),
                n2=terbilang(n),
                pending=num(pending),
            ),
        ]
    paragraphs.append(CLOSING)
    # Witnesses first, the office's own signatories on the last row.
    sigs = destruction_signatures(head, witnesses)
    return new_report(
        head,
        name="destruction",
        title=N_("BERITA ACARA PEMUSNAHAN BLANGKO KTP-EL RUSAK"),
        subtitle=Msg("Blangko rusak bulan {first}", first=month_name(first)),
        filename_stem=f"berita-acara-pemusnahan-{key}",
        facts=facts,
        paragraphs=paragraphs,
        tables=[
            Table(
                N_("Rekap menurut alasan"),
                [
                    Column(N_("Alasan"), weight=4),
                    Column(N_("Keping"), "int", total=True, weight=1.2),
                ],
                [
                    [label(SPOIL_REASON_LABEL_ID, r), by_reason[r]]
                    for r in in_order(by_reason, SPOIL_REASONS)
                ],
                sheet=N_("Rekap alasan"),
            ),
            Table(
                N_("Daftar blangko rusak"),
                [
                    Column(N_("No"), "int", weight=0.6),
                    Column(N_("Nomor seri"), "serial", weight=2),
                    Column(N_("Tanggal rusak"), "date", weight=1.9),
                    Column(N_("Alasan"), weight=1.7),
                    Column(N_("Keterangan"), weight=2.2),
                    Column(N_("Lokasi"), weight=1.2),
                    Column(N_("Status"), weight=1.8),
                ],
                rows,
                sheet=N_("Daftar seri"),
                empty_text=N_("Tidak ada blangko rusak pada bulan ini."),
            ),
        ],
        checks=[
            Msg(
                "{n} keping rusak = {nilai} dimusnahkan + {pending} belum dimusnahkan; rentang seri: {nilai2}.",
                n=num(n),
                nilai=num(n - pending),
                pending=num(pending),
                nilai2=seri or "-",
            )
        ],
        issued_on=destroys[-1].effective_date if destroys else ctx.today(),
        signatures=sigs,
        data={"month": key, "spoiled": n, "destroyed": n - pending, "pending": pending},
    )


def _ranges_text(serials: Iterable[str]) -> str:
    ranges = from_serials(serials)
    return ", ".join(str(r) for r in ranges) if total(ranges) else ""
