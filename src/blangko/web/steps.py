"""A network step on the web (a request's or a loan's): what every such page route and API
route does around the service call, written once.

A page route reads its form as text, calls the service (which checks the user's reach and
writes once per idempotency key) and either says so (flash, 303 to the page) or shows the
page again with the error next to its field and the status for it. An API route calls the
same service with a JSON body's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from fastapi.responses import Response

from blangko.domain.errors import DomainError

T = TypeVar("T")


def page_step(
    call: Callable[[], T],
    done: Callable[[T], Response],
    again: Callable[[DomainError], Response],
) -> Response:
    """Run one step from a form: `call` refused, `again(error)` (the page with the error at
    its field); else `done(result)` (the flash and the redirect). Parsing the form inside
    `call` puts a badly typed field through the same path as a refusal."""
    try:
        result = call()
    except DomainError as exc:
        return again(exc)
    return done(result)


class ShipmentBody(Protocol):
    """An API body that ships blanks (a loan sent or returned, a request's tranche)."""

    document: str
    serials: str | None
    qty: int | None
    location: str | None
    date: Any
    note: str | None


def shipment_fields(body: ShipmentBody) -> dict[str, Any]:
    """A shipping body's fields as the services take them (the date as `effective`)."""
    return {
        "document": body.document,
        "serials": body.serials,
        "qty": body.qty,
        "location": body.location,
        "effective": body.date,
        "note": body.note,
    }
