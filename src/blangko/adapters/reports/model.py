"""What a report says, independent of the file format it is written in.

Cells are typed Python values (int, float, date, str, None) and each column declares its
kind, so the XLSX writer stores real numbers and dates and the PDF writer formats them the
Indonesian way. Totals are declared per column: the model states their value (`totals()`),
the XLSX writer writes a SUM formula over the same cells, and tests check that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

ColumnKind = Literal["text", "int", "date", "percent", "serial"]


class Percent(float):
    """A fraction shown as a percentage (0.952 -> 95,2 %) where no column says so (facts)."""


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = "text"
    total: bool = False  # the totals row sums this column
    # The totals row divides the totals of two other columns (numerator, denominator), e.g.
    # coverage = recorded / wajib KTP: a sum of percentages means nothing.
    ratio: tuple[int, int] | None = None
    weight: float = 1.0  # share of the page width in the PDF


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""  # worksheet name in the XLSX (max 31 characters)
    totals_label: str = "Jumlah"
    note: str | None = None  # a line under the table
    empty_text: str = "Tidak ada."

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"row {row!r} does not match the columns of {self.title!r}")

    @property
    def has_totals(self) -> bool:
        return any(c.total or c.ratio for c in self.columns)

    def totals(self) -> list[int | float | None]:
        """The stated totals: the sum of each totalled column, the quotient of two totals for
        a ratio column, None elsewhere."""
        sums: list[int | float | None] = [
            sum(r[i] or 0 for r in self.rows) if col.total else None
            for i, col in enumerate(self.columns)
        ]
        out = list(sums)
        for i, col in enumerate(self.columns):
            if col.ratio is not None:
                num, den = (sums[j] or 0 for j in col.ratio)
                out[i] = num / den if den else 0
        return out


@dataclass(frozen=True)
class Signature:
    role: str  # e.g. "Pihak Pertama, yang menyerahkan"
    name: str | None = None  # None: a dotted line to sign over by hand
    position: str | None = None  # e.g. "Kepala Dinas" or "NIP ...."
    caption: str | None = None  # above the role, e.g. "Mengetahui,"


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
    style: Literal["line", "bar"] = "line"
    axis: Literal["left", "right"] = "left"  # a second scale for figures of another size


@dataclass(frozen=True)
class Chart:
    """A daily time series on a shared date axis."""

    title: str
    dates: list[date]
    series: list[Series]
    y_label: str = "keping"
    y2_label: str | None = None


@dataclass
class Report:
    name: str  # registry name, e.g. "usage"
    title: str
    office_name: str
    filename_stem: str  # e.g. "laporan-penggunaan-2026-11"
    subtitle: str | None = None
    header_lines: list[str] = field(default_factory=list)  # letterhead, top to bottom
    facts: list[tuple[str, Any]] = field(default_factory=list)  # label, typed value
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    checks: list[str] = field(default_factory=list)  # reconciliation statements, printed
    place: str = ""
    issued_on: date | None = None
    signatures: list[Signature] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the figures, for JSON and tests
