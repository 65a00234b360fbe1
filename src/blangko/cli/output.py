"""Printing for the command line: Indonesian number and date formats, JSON, errors."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from rich.console import Console
from rich.markup import escape

from blangko.domain.errors import DomainError

console = Console()
err_console = Console(stderr=True)

LOCALE = "id"


def num(n: int | float) -> str:
    """5200 -> '5.200' (id locale)."""
    return format_decimal(n, locale=LOCALE)


def tanggal(d: date | str | None) -> str:
    """date(2021, 6, 2) -> '2 Juni 2021'."""
    if d is None:
        return "-"
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return format_date(d, format="long", locale=LOCALE)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def _default(o: Any) -> Any:
    if isinstance(o, date | datetime):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o)}")


_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_date(text: str | None, field: str = "date") -> date | None:
    """YYYY-MM-DD or DD-MM-YYYY; None stays None (the service then uses today)."""
    if text is None:
        return None
    s = text.strip()
    try:
        m = _DMY.match(s)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(s)
    except ValueError as exc:
        raise DomainError(
            "date_format", field, f"Tanggal '{text}' tidak sah: gunakan YYYY-MM-DD atau DD-MM-YYYY."
        ) from exc


def fail(exc: DomainError, *, as_json: bool = False) -> None:
    if as_json:
        sys.stderr.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False) + "\n")
    else:
        where = f" ({exc.field})" if exc.field else ""
        detail = escape(f"[{exc.code}]{where}: {exc.message}")
        err_console.print(f"[bold red]Galat[/] {detail}", highlight=False)
