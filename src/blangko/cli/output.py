"""Printing for the command line: the Rich consoles, tables, JSON, errors and the replay note.

Numbers, percents and dates are formatted by `blangko.formatting`, like on the pages and in
the reports; this module only decides where text goes.

Tables are made for an 80-column terminal (`COLUMNS=80`; tests/integration/test_cli_width.py):
`make_table()` draws no column rules and no edge, so that the text keeps the room;
`key_column()` marks a column of identifiers (receipt numbers, NIKs, serials, codes, dates,
quantities), never wrapped nor cut short: the other columns give way first, and they wrap
between words (`print_table()` keeps each as wide as its longest word, up to
`WORD_CAP`; a longer word is folded, never cut off with an ellipsis). `print_table()` prints
a table's title as a line of its own, wrapped at the terminal's width (Rich would wrap it at
the table's: four lines over a narrow table). Dates in a table are short
(`formatting.short_date`: 05-10-2026).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text
from typer.core import TyperArgument, TyperGroup, TyperOption

from blangko import formatting
from blangko.domain.applications import DOCUMENT_LABEL_ID, HANDED_OVER, HANDED_OVER_VALUE
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.i18n import DEFAULT_LANGUAGE, translate, translate_stored

console = Console()
err_console = Console(stderr=True)

# The language of this run's output: --lang, else BLANGKO_LANG, else Indonesian (main.py).
_language = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _language
    _language = lang


def language() -> str:
    return _language


def tr(text: Any) -> str:
    """A marked text (``tr("...")``) or a `Msg` in this run's language (blangko.i18n)."""
    return translate(text, _language)


def stored(text: str | None) -> str:
    """A note stored in Indonesian (history, ledger) in this run's language."""
    return translate_stored(text, _language)


# Numbers and dates as `blangko.formatting` writes them, in this run's language.
def num(n: Any) -> str:
    return formatting.num(n, _language)


def pct(x: Any) -> str:
    return formatting.pct(x, _language)


def signed(n: int | float) -> str:
    return formatting.signed(n, _language)


def tanggal(d: Any) -> str:
    return formatting.tanggal(d, _language)


def short_date(d: Any) -> str:
    return formatting.short_date(d, _language)


def waktu(moment: Any) -> str:
    return formatting.waktu(moment, _language)


def month_name(month: str, *, short: bool = False) -> str:
    return formatting.month_name(month, _language, short=short)


WORD_CAP = 16  # a wrapping column is at least as wide as its longest word, up to this


def make_table(*columns: str | Column, title: str | None = None, **kw: Any) -> Table:
    """A table without column rules or edge (one rule under the header), for `print_table()`."""
    return Table(
        *columns,
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,  # two spaces between columns
        **kw,
    )


def key_column(header: str, **kw: Any) -> Column:
    """A column of identifiers: never wrapped nor cut short (folded only if nothing else can
    give way), so that a receipt number or a serial can be read and copied whole."""
    return Column(header, no_wrap=True, overflow="fold", **kw)


def _plain(cell: Any) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else ""


def print_table(t: Table) -> None:
    """The table's title on a line of its own, then the table, whose wrapping columns break
    between words: each is at least as wide as its longest word, up to the largest cap
    (at most WORD_CAP) at which every column still fits the terminal."""
    key_width = 0
    longest: list[tuple[Column, int]] = []
    for column in t.columns:
        texts = [_plain(cell) for cell in (column.header, *column.cells)]
        if column.no_wrap:
            key_width += max((len(line) for x in texts for line in x.splitlines()), default=0)
        else:
            words = [w for x in texts for w in x.split()]
            longest.append((column, max(map(len, words), default=0)))
    room = console.width - key_width - 2 * (len(t.columns) - 1)  # make_table: 2 between
    cap = WORD_CAP
    while cap > 1 and sum(min(n, cap) for _, n in longest) > room:
        cap -= 1
    for column, n in longest:
        column.min_width = max(column.min_width or 0, min(n, cap))
        column.overflow = "fold"
    if t.title:
        console.print(Text(str(t.title), style="bold"))
        t.title = None
    console.print(t)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def _default(o: Any) -> Any:
    if isinstance(o, date | datetime):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o)}")


def replayed(result: Mapping[str, Any]) -> str:
    """The note after a write that an idempotency key made a replay ('' for a new write)."""
    if not result.get("replayed"):
        return ""
    return " " + tr("(permintaan ulang: tidak ada yang ditulis lagi)")


def command_of(root: object, args: Sequence[str]) -> object:
    """The command ``args`` run: the subcommands they name, followed down from ``root`` (a
    Typer app's command; the options and their values in between are passed over)."""
    command = root
    for token in args:
        if not isinstance(command, TyperGroup):
            break
        command = command.commands.get(token, command)
    return command


def flag_of(command: object, field: str | None) -> str | None:
    """How ``command`` takes the field an error names: its option (--document) or argument
    (RECEIPT), a counter document as --doc KEY=..., or None when it takes no such input. The
    services' messages name fields in the clerk's words; the command line adds its flag."""
    params = getattr(command, "params", None)
    if not params or not field:
        return None
    if field in DOCUMENT_LABEL_ID and any("--doc" in p.opts for p in params):
        return f"--doc {field}={HANDED_OVER_VALUE if field in HANDED_OVER else 'NOMOR'}"
    flag = "--" + field.replace("_", "-")
    for p in params:
        if isinstance(p, TyperOption) and flag in p.opts:
            return flag
        if isinstance(p, TyperArgument) and p.name == field:
            return str(p.metavar or field.upper())
    return None


def fail(exc: DomainError, *, as_json: bool = False, command: object = None) -> None:
    """An error on stderr: as JSON, or '[code] (its flag): message' for a clerk (``command``:
    the command that ran, whose flag names the field; none when it takes no such input)."""
    if as_json:
        error = {**exc.as_dict(), "message": tr(exc.message)}
        sys.stderr.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
    else:
        flag = flag_of(command, exc.field)
        where = f" ({flag})" if flag else ""
        detail = escape(f"[{exc.code}]{where}: {tr(exc.message)}")
        err_console.print(f"[bold red]{tr('Galat')}[/] {detail}", highlight=False)


def cover_text(c: dict[str, Any]) -> str:
    """Days of cover as `status` and `forecast` print them (the forecast's p50 and p90)."""
    more = "> " if c["beyond_horizon"] else ""
    return tr(
        Msg(
            "{more}{p50} hari (median); {more}{p90} hari dengan keyakinan 90 %",
            more=more,
            p50=num(c["p50"]),
            p90=num(c["p90"]),
        )
    )


def readiness_text(r: dict[str, Any]) -> str:
    """An event's readiness in one line: Siap, or what is missing."""
    if r["ready"]:
        return tr(
            Msg(
                "Siap: stok {on_hand} >= {need} keping dibutuhkan sampai acara",
                on_hand=num(r["on_hand"]),
                need=num(r["need"]),
            )
        )
    parts = []
    for m in r["missing"]:
        if m["kind"] == "desk_closed":
            why = f" ({'; '.join(tr(x) for x in m['reasons'])})" if m["reasons"] else ""
            parts.append(
                tr(
                    Msg(
                        "{desk} tutup sepanjang jendela acara{why}, {demand} tambahan tidak "
                        "terlayani",
                        desk=m["desk"],
                        why=why,
                        demand=num(m["demand"]),
                    )
                )
            )
        else:
            parts.append(
                tr(
                    Msg(
                        "kurang {quantity} keping (dibutuhkan {need}, stok {on_hand})",
                        quantity=num(m["quantity"]),
                        need=num(r["need"]),
                        on_hand=num(r["on_hand"]),
                    )
                )
            )
    return tr("Belum siap:") + " " + "; ".join(parts)
