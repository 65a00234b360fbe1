"""Serial numbers of blank cards and ranges of them.

A serial is 1 to 32 characters of [A-Z0-9]. It splits into a prefix and a trailing number
("KR0001001" -> "KR", 1001, width 7); ranges only run over the number, with the prefix and
the digit width fixed, so that "KR0009-KR0011" and "KR09-KR11" are different cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from blangko.domain.errors import DomainError
from blangko.domain.limits import MAX_RANGE, MAX_SERIALS_TEXT, check_serial_count, check_text
from blangko.domain.text import Msg

SERIAL_RE = re.compile(r"^[A-Z0-9]{1,32}$")
_SPLIT_RE = re.compile(r"^(.*?)(\d*)$")
MAX_DIGITS = 18


@dataclass(frozen=True, order=True)
class SerialRange:
    """Serials prefix + str(n).zfill(width) for first <= n <= last (width 0: a lone serial)."""

    prefix: str
    width: int
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def serial(self, n: int) -> str:
        return self.prefix + (str(n).zfill(self.width) if self.width else "")

    def serials(self) -> Iterator[str]:
        for n in range(self.first, self.last + 1):
            yield self.serial(n)

    def __str__(self) -> str:
        if self.first == self.last:
            return self.serial(self.first)
        return f"{self.serial(self.first)}-{self.serial(self.last)}"

    def overlaps(self, other: SerialRange) -> bool:
        return (
            self.prefix == other.prefix
            and self.width == other.width
            and self.first <= other.last
            and other.first <= self.last
        )


def split_serial(serial: str, field: str = "serials") -> tuple[str, int, int]:
    """(prefix, number, width) of one serial; a serial without digits has number 0, width 0."""
    s = serial.strip().upper()
    if not SERIAL_RE.match(s):
        raise DomainError(
            "serial_format",
            field,
            Msg(
                "Nomor seri '{serial}' tidak sah: hanya huruf A-Z dan angka 0-9, 1 sampai 32 karakter.",
                serial=serial,
            ),
        )
    m = _SPLIT_RE.match(s)
    assert m is not None  # the pattern matches every string
    prefix, digits = m.group(1), m.group(2)
    if not digits:
        return prefix, 0, 0
    if len(digits) > MAX_DIGITS:
        # The number must fit a 64-bit column; longer digit runs keep their head in the prefix.
        prefix, digits = prefix + digits[:-MAX_DIGITS], digits[-MAX_DIGITS:]
    return prefix, int(digits), len(digits)


def single(serial: str, field: str = "serials") -> SerialRange:
    prefix, n, width = split_serial(serial, field)
    return SerialRange(prefix, width, n, n)


def parse_ranges(
    text: str, field: str = "serials", *, limit: int | None = None, per: str = "transaksi"
) -> list[SerialRange]:
    """Parse 'KR0001001-KR0005000,KR0005101' into normalised, non-overlapping ranges.

    Items overlapping each other within the same text are an error (a doubled scan or a typo
    the clerk should see), not silently merged. With `limit`, more serials than that in all
    (counted from the ranges' ends, never expanded) are refused, as is a text longer than
    MAX_SERIALS_TEXT or holding a control character.
    """
    if text is None or not text.strip():
        raise DomainError("serials_empty", field, Msg("Nomor seri wajib diisi."))
    if limit is not None:
        check_text(text, field, limit=MAX_SERIALS_TEXT, multiline=True, label="Nomor seri")
    items: list[SerialRange] = []
    count = 0
    for raw in text.replace("\n", ",").replace(";", ",").split(","):
        item = raw.strip().upper()
        if not item:
            continue
        if "-" in item:
            a, _, b = item.partition("-")
            pa, na, wa = split_serial(a, field)
            pb, nb, wb = split_serial(b, field)
            if pa != pb or wa != wb or wa == 0:
                raise DomainError(
                    "range_mismatch",
                    field,
                    Msg(
                        "Rentang '{item}': awal dan akhir harus berawalan huruf yang sama dan jumlah digit yang sama.",
                        item=item,
                    ),
                )
            if nb < na:
                raise DomainError(
                    "range_backwards",
                    field,
                    Msg(
                        "Rentang '{item}' terbalik: nomor akhir lebih kecil dari nomor awal.",
                        item=item,
                    ),
                )
            if nb - na + 1 > MAX_RANGE:
                raise DomainError(
                    "range_too_large",
                    field,
                    f"Rentang '{item}' berisi lebih dari {MAX_RANGE:,} seri.".replace(",", "."),
                )
            items.append(SerialRange(pa, wa, na, nb))
        else:
            items.append(single(item, field))
        if limit is not None:
            count += items[-1].count
            check_serial_count(count, field, limit=limit, per=per)
    if not items:
        raise DomainError("serials_empty", field, Msg("Nomor seri wajib diisi."))
    items.sort()
    for prev, cur in zip(items, items[1:], strict=False):
        if prev.overlaps(cur):
            raise DomainError(
                "range_overlap",
                field,
                Msg(
                    "Rentang '{prev}' dan '{cur}' tumpang tindih: setiap seri hanya boleh disebut sekali.",
                    prev=prev,
                    cur=cur,
                ),
            )
    return merge(items)


def merge(ranges: Iterable[SerialRange]) -> list[SerialRange]:
    """Sort and join touching ranges; the canonical form stored and hashed."""
    out: list[SerialRange] = []
    for r in sorted(ranges):
        if out:
            last = out[-1]
            if r == last:
                # A repeated lone serial without digits (width 0) is the same card, once.
                continue
            if (
                last.prefix == r.prefix
                and last.width == r.width
                and r.width > 0
                and r.first <= last.last + 1
            ):
                out[-1] = SerialRange(last.prefix, last.width, last.first, max(last.last, r.last))
                continue
        out.append(r)
    return out


def from_serials(serials: Iterable[str]) -> list[SerialRange]:
    """Compress individual serials into ranges (duplicates collapse)."""
    return merge(single(s) for s in serials)


def format_ranges(ranges: Iterable[SerialRange]) -> str:
    return ",".join(str(r) for r in ranges)


def total(ranges: Iterable[SerialRange]) -> int:
    return sum(r.count for r in ranges)


def expand(ranges: Iterable[SerialRange]) -> Iterator[str]:
    for r in ranges:
        yield from r.serials()


def difference(ranges: Iterable[SerialRange], minus: Iterable[SerialRange]) -> list[SerialRange]:
    """The serials of `ranges` that are not in `minus`, as ranges: arithmetic on the ranges'
    ends, so a count of a large stock never lists its serials one by one."""
    cuts: dict[tuple[str, int], list[SerialRange]] = {}
    for c in merge(minus):
        cuts.setdefault((c.prefix, c.width), []).append(c)
    out: list[SerialRange] = []
    at: dict[tuple[str, int], int] = {}  # per prefix and width: the first cut still ahead
    for r in merge(ranges):
        key = (r.prefix, r.width)
        group = cuts.get(key, [])
        j = at.get(key, 0)
        while j < len(group) and group[j].last < r.first:
            j += 1
        at[key] = j
        start = r.first
        while j < len(group) and group[j].first <= r.last:
            if group[j].first > start:
                out.append(SerialRange(r.prefix, r.width, start, group[j].first - 1))
            start = max(start, group[j].last + 1)
            j += 1
        if start <= r.last:
            out.append(SerialRange(r.prefix, r.width, start, r.last))
    return out
