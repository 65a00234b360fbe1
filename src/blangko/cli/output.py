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
from blangko.formatting import num

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


def cover_text(c: dict[str, Any]) -> str:
    """Days of cover as `status` and `forecast` print them (the forecast's p50 and p90)."""
    more = "> " if c["beyond_horizon"] else ""
    return f"{more}{num(c['p50'])} hari (median); {more}{num(c['p90'])} hari dengan keyakinan 90 %"


def readiness_text(r: dict[str, Any]) -> str:
    """An event's readiness in one line: Siap, or what is missing."""
    if r["ready"]:
        return f"Siap: stok {num(r['on_hand'])} >= {num(r['need'])} keping dibutuhkan sampai acara"
    parts = []
    for m in r["missing"]:
        if m["kind"] == "desk_closed":
            why = f" ({'; '.join(m['reasons'])})" if m["reasons"] else ""
            parts.append(
                f"{m['desk']} tutup sepanjang jendela acara{why}, "
                f"{num(m['demand'])} tambahan tidak terlayani"
            )
        else:
            parts.append(
                f"kurang {num(m['quantity'])} keping (dibutuhkan {num(r['need'])}, "
                f"stok {num(r['on_hand'])})"
            )
    return "Belum siap: " + "; ".join(parts)
