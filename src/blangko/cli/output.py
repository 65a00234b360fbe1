"""Printing for the command line: the Rich consoles, JSON, errors and the replay note.

Numbers, percents and dates are formatted by `blangko.formatting`, like on the pages and in
the reports; this module only decides where text goes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

from blangko.domain.errors import DomainError

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def _default(o: Any) -> Any:
    if isinstance(o, date | datetime):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o)}")


def replayed(result: Mapping[str, Any]) -> str:
    """The note after a write that an idempotency key made a replay ('' for a new write)."""
    return " (permintaan ulang: tidak ada yang ditulis lagi)" if result.get("replayed") else ""


def fail(exc: DomainError, *, as_json: bool = False) -> None:
    if as_json:
        sys.stderr.write(json.dumps({"error": exc.as_dict()}, ensure_ascii=False) + "\n")
    else:
        where = f" ({exc.field})" if exc.field else ""
        detail = escape(f"[{exc.code}]{where}: {exc.message}")
        err_console.print(f"[bold red]Galat[/] {detail}", highlight=False)
