"""View models: computed once from the service functions, rendered as HTML or as JSON."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.domain.ledger import MOVES, Kind, State
from blangko.services.calendar import days
from blangko.services.context import Context
from blangko.services.stock import counts, queries


def daily_on_hand(entries: list[dict[str, Any]]) -> list[tuple[date, int]]:
    """Stock on hand at the end of each day that had an entry, from the entries alone."""
    delta: dict[date, int] = defaultdict(int)
    for e in entries:
        move = MOVES[Kind(e["kind"])]
        q = int(e["quantity"])
        if e["from_location"] is not None:
            delta[date.fromisoformat(e["effective_date"])] -= q
        if e["to_location"] is not None and move.to_state == State.AVAILABLE:
            delta[date.fromisoformat(e["effective_date"])] += q
    out, level = [], 0
    for d in sorted(delta):
        level += delta[d]
        out.append((d, level))
    return out


def receipts(entries: list[dict[str, Any]]) -> list[tuple[date, int]]:
    return [
        (date.fromisoformat(e["effective_date"]), int(e["quantity"]))
        for e in entries
        if e["kind"] in (Kind.RECEIVE, Kind.OPENING)
    ]


def weekly_usage(entries: list[dict[str, Any]]) -> dict[date, dict[str, int]]:
    """Blanks consumed per week (keyed by the Monday) and service type."""
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        if e["kind"] != Kind.CONSUME:
            continue
        d = date.fromisoformat(e["effective_date"])
        monday = d - timedelta(days=d.weekday())
        weeks[monday][e["service"] or "lainnya"] += int(e["quantity"])
    return {k: dict(v) for k, v in sorted(weeks.items())}


def dashboard(ctx: Context, office: str | None) -> dict[str, Any]:
    bal = queries.balance(ctx, office=office)
    today = days.status(ctx, office=office)
    open_counts = counts.list_counts(ctx, office=office, status="open")
    entries = queries.ledger(ctx, office=office)["entries"]
    return {
        "balance": bal,
        "per_day": today["stock"]["average_daily_use"],
        "cover_days": today["stock"]["days_of_cover"],
        "level": today["stock"]["level"],
        "backlog": today.get("backlog", {}),
        "open_counts": open_counts,
        "open_variance": sum(c["variance"] for c in open_counts),
        "services": _services(today),
        "last_entries": entries[-8:][::-1],
    }


def _services(today: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"service": name, "open": s["open"], "reason": s["reason"]}
        # Recording comes before printing, as a resident goes through them.
        for name, s in sorted(today["services"].items(), key=lambda kv: kv[0] != "perekaman")
    ]


def public_status(ctx: Context, office: str | None) -> dict[str, Any]:
    """What anyone may know without logging in: no figures, no names."""
    today = days.status(ctx, office=office)
    with ctx.read() as conn:
        name = conn.execute(
            select(t.office.c.name).where(t.office.c.code == today["office"])
        ).scalar_one()
    services = _services(today)
    level = today["stock"]["level"]
    printing_open = next(s["open"] for s in services if s["service"] == "pencetakan")
    return {
        "office": today["office"],
        "office_name": name,
        "date": today["date"],
        "services": services,
        "printing": printing_open and level != "habis",
        "stock_level": level,
    }


# What the public may learn about one application from its receipt number: where it is in
# the process and the dates; never the NIK, name, type of request or card serial.
PUBLIC_APPLICATION_FIELDS = (
    "receipt",
    "status",
    "submitted_date",
    "ready_date",
    "printed_date",
    "collected_date",
)


def public_application(ctx: Context, receipt: str) -> dict[str, Any]:
    from blangko.domain.applications import STATUS_LABEL_ID, Status
    from blangko.services import applications

    view = applications.show(ctx, receipt=receipt.strip())
    out = {k: view[k] for k in PUBLIC_APPLICATION_FIELDS}
    out["status_label"] = STATUS_LABEL_ID[Status(view["status"])]
    out["ready_to_collect"] = view["status"] == Status.DICETAK
    return out
