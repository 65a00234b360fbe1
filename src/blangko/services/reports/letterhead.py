"""What every official report shares: its one read under the office's letterhead, the report
frame, serial range tables, and the wording of a record (its opening and closing sentences,
dates and code lists)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Connection

from blangko import formatting
from blangko.adapters.reports.model import Column, Report, Signature
from blangko.domain.serials import parse_ranges
from blangko.domain.text import N_, Msg
from blangko.formatting import tanggal
from blangko.services.admin.office import OfficeHead, read_head
from blangko.services.context import Context

WEEKDAYS = [
    N_("Senin"),
    N_("Selasa"),
    N_("Rabu"),
    N_("Kamis"),
    N_("Jumat"),
    N_("Sabtu"),
    N_("Minggu"),
]
# The sentence a berita acara closes with (the receipt's names its copies instead).
CLOSING = N_(
    "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
)


def head_signature(
    head: OfficeHead, role: str = N_("Kepala Dinas"), caption: str | None = None
) -> Signature:
    """The head's signature block: their name and NIP from the office settings, else a line
    to sign over and 'NIP' to fill in by hand."""
    nip = Msg("NIP {head_nip}", head_nip=head.head_nip) if head.head_nip else N_("NIP")
    return Signature(role, head.head_name, nip, caption=caption)


def destruction_signatures(
    head: OfficeHead, witnesses: list[str], keeper: str = N_("Pengelola Blangko")
) -> list[Signature]:
    """The signatures of a berita acara pemusnahan: the witnesses first (two lines to sign
    over when none are named yet), the keeper of what was destroyed, then the head's
    'Mengetahui,' on the last row."""
    sigs = [Signature(Msg("Saksi {i}", i=i), w, None) for i, w in enumerate(witnesses, start=1)]
    if not witnesses:
        sigs += [Signature(N_("Saksi 1"), None, None), Signature(N_("Saksi 2"), None, None)]
    sigs.append(Signature(keeper, None, N_("NIP")))
    sigs.append(head_signature(head, caption=N_("Mengetahui,")))
    return sigs


@contextmanager
def report_read(
    ctx: Context, office: str | None, address: str | None
) -> Iterator[tuple[Connection, OfficeHead]]:
    """The report's one read transaction, with the letterhead of its office read first:
    `with report_read(ctx, office, address) as (conn, head): ...`."""
    with ctx.read() as conn:
        yield conn, read_head(conn, office, address)


def new_report(head: OfficeHead, **kw: Any) -> Report:
    """A report under the office's letterhead, signed in its town."""
    return Report(office_name=head.name, header_lines=head.lines, place=head.place, **kw)


RANGE_COLUMNS = [
    Column(N_("Nomor seri awal"), "serial", weight=2),
    Column(N_("Nomor seri akhir"), "serial", weight=2),
    Column(N_("Keping"), "int", total=True),
]


def range_rows(ranges_text: str) -> list[list[Any]]:
    """Rows for RANGE_COLUMNS: first serial, last serial, cards."""
    return [[r.serial(r.first), r.serial(r.last), r.count] for r in parse_ranges(ranges_text)]


def in_order(counts: Mapping[str, int], order: tuple[str, ...]) -> list[str]:
    """The keys in the official order, unknown ones after."""
    return [k for k in order if k in counts] + sorted(k for k in counts if k not in order)


def label(labels: Mapping[str, str], code: str) -> str:
    """A code's label from the domain's table, as a table cell starts: with a capital."""
    text = labels.get(code, code)
    return text[:1].upper() + text[1:]


def month_name(d: date) -> str:
    """'November 2026': the long date without its day."""
    return formatting.month_name(f"{d:%Y-%m}")


def opening(d: date) -> str:
    """How a berita acara opens: 'Pada hari ini, Jumat tanggal 6 November 2026'."""
    return Msg(
        "Pada hari ini, {weekdays} tanggal {d}", weekdays=WEEKDAYS[d.weekday()], d=tanggal(d)
    )
