"""A network step from the command line (a request's, a loan's): the service called once with
the context, its result printed (or its JSON with --json), written once for the request's,
loan's and shipment's commands. A refusal is a DomainError, which the command line's one
handler prints, naming the field, with a non-zero exit (blangko.cli.main)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from blangko.cli import state
from blangko.formatting import parse_date

T = TypeVar("T")


def run_step(
    service: Callable[..., T], written: Callable[[T, bool], None], as_json: bool, **fields: Any
) -> None:
    """Call `service` with the context and `fields`, and print its result with `written`."""
    written(service(state.context(), **fields), as_json)


def shipping(
    document: str,
    serials: str | None,
    qty: int | None,
    location: str | None,
    date: str | None,
    note: str | None,
) -> dict[str, Any]:
    """The options of a step that ships blanks (--document, --serials, --qty, --location,
    --date, --note) as the services take them."""
    return {
        "document": document,
        "serials": serials,
        "qty": qty,
        "location": location,
        "effective": parse_date(date, "date"),
        "note": note,
    }
