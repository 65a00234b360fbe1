"""What the stock pages and the stock API both do with what a clerk sends: record a count
from typed quantities or scanned serials."""

from __future__ import annotations

from typing import Any

from blangko.domain.serials import SerialRange
from blangko.services.context import Context
from blangko.services.stock import counts


def scan(serials: str | None) -> tuple[list[SerialRange] | None, int]:
    """The scanned serials typed or pasted in a field (one serial or range per line or comma):
    their ranges and the duplicate reads dropped; (None, 0) when the field is blank."""
    if serials is None or not serials.strip():
        return None, 0
    return counts.parse_scanned(serials.replace(",", "\n").splitlines(), "serials")


def record_count(
    ctx: Context,
    office: str | None,
    location: str,
    counted: int | None,
    serials: str | None,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A physical count by quantity, or by the scanned serials (one or a range per line or
    comma); the variance is derived by the service."""
    scanned, duplicates = scan(serials)
    return counts.record_count(
        ctx,
        location=location,
        counted=counted,
        scanned=scanned,
        duplicates=duplicates,
        office=office,
        idempotency_key=idempotency_key,
    )


def record_office_count(
    ctx: Context,
    office: str | None,
    rows: list[tuple[str, int | None, str | None]],
    idempotency_key: str | None,
) -> dict[str, Any]:
    """An office-wide count: for each location (name, quantity, scanned serials), one of the
    two given; a row with neither is passed on for the service to name."""
    parts = []
    for name, counted, serials in rows:
        scanned, duplicates = scan(serials)
        parts.append(counts.CountInput(name, counted, scanned, duplicates))
    return counts.record_office_count(
        ctx, parts=parts, office=office, idempotency_key=idempotency_key
    )
