"""A request for blanks, from asked to received (docs/network.md, "The life of a request").

The rules only: which step may follow which, who takes it (the office, the province, the
directorate), and what a decision must carry. No database: services/network/requests.py
applies them in one transaction per step.

    draft ──submit──► submitted ──endorse──► endorsed ──approve──► approved ──ship──► ...
      ▲  edit            │  │                   │  │                         partially_shipped
      │                  │  return              │  refuse ► refused               │ ship
      └──── returned ◄───┘  (with a comment) ◄──┘ return                         ▼
                                                                               shipped
    ... ──receive (every tranche)──► received ──close──► closed (automatic when the approved
    quantity arrived)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Final

from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg

DRAFT: Final = "draft"
SUBMITTED: Final = "submitted"
RETURNED: Final = "returned"
ENDORSED: Final = "endorsed"
APPROVED: Final = "approved"
REFUSED: Final = "refused"
PARTIALLY_SHIPPED: Final = "partially_shipped"
SHIPPED: Final = "shipped"
RECEIVED: Final = "received"
CLOSED: Final = "closed"

STATES: Final = (
    DRAFT,
    SUBMITTED,
    RETURNED,
    ENDORSED,
    APPROVED,
    REFUSED,
    PARTIALLY_SHIPPED,
    SHIPPED,
    RECEIVED,
    CLOSED,
)
STATE_LABELS: Final = {
    DRAFT: N_("Konsep"),
    SUBMITTED: N_("Diajukan"),
    RETURNED: N_("Dikembalikan"),
    ENDORSED: N_("Disetujui provinsi"),
    APPROVED: N_("Disetujui direktorat"),
    REFUSED: N_("Ditolak"),
    PARTIALLY_SHIPPED: N_("Dikirim sebagian"),
    SHIPPED: N_("Dikirim"),
    RECEIVED: N_("Diterima"),
    CLOSED: N_("Selesai"),
}

# The steps (the timeline's actions) and who takes each.
OFFICE: Final = "office"
PROVINCE: Final = "province"  # the province of the office, or the directorate
DIRECTORATE: Final = "directorate"

ACTION_LABELS: Final = {
    "draft": N_("Konsep dibuat"),
    "edit": N_("Jumlah diubah"),
    "submit": N_("Diajukan"),
    "endorse": N_("Disetujui provinsi"),
    "return": N_("Dikembalikan"),
    "approve": N_("Disetujui penuh"),
    "approve_part": N_("Disetujui sebagian"),
    "refuse": N_("Ditolak"),
    "ship": N_("Dikirim (tahap)"),
    "receive": N_("Tahap diterima"),
    "close": N_("Ditutup"),
}

# action: (states it may start from, the state it leads to (None: decided by quantities),
# who takes it)
TRANSITIONS: Final[dict[str, tuple[tuple[str, ...], str | None, str]]] = {
    "edit": ((DRAFT, RETURNED), None, OFFICE),
    "submit": ((DRAFT, RETURNED), SUBMITTED, OFFICE),
    "endorse": ((SUBMITTED,), ENDORSED, PROVINCE),
    "return": ((SUBMITTED, ENDORSED), RETURNED, PROVINCE),
    "approve": ((ENDORSED,), APPROVED, DIRECTORATE),
    "approve_part": ((ENDORSED,), APPROVED, DIRECTORATE),
    "refuse": ((ENDORSED,), REFUSED, DIRECTORATE),
    "ship": ((APPROVED, PARTIALLY_SHIPPED), None, DIRECTORATE),
    "receive": ((PARTIALLY_SHIPPED, SHIPPED), None, OFFICE),
    "close": ((RECEIVED, PARTIALLY_SHIPPED), CLOSED, OFFICE),
}

# Where the office may still change the request (its quantity and reason).
EDITABLE: Final = (DRAFT, RETURNED)
OPEN_STATES: Final = (DRAFT, SUBMITTED, RETURNED, ENDORSED, APPROVED, PARTIALLY_SHIPPED, SHIPPED)
# A decided request counts for the fill rate; one that arrived for the lead time.
DECIDED: Final = (REFUSED, APPROVED, PARTIALLY_SHIPPED, SHIPPED, RECEIVED, CLOSED)
ARRIVED: Final = (RECEIVED, CLOSED)


def check_transition(state: str, action: str) -> str | None:
    """The state after ``action`` from ``state`` (None: decided by the quantities), or the
    clerk's error naming the request's state and what it allows."""
    starts, to, _who = TRANSITIONS[action]
    if state not in starts:
        raise DomainError(
            "invalid_transition",
            "status",
            Msg(
                (
                    "Permohonan berstatus '{state_label}': langkah '{action_label}' hanya "
                    "untuk permohonan berstatus {allowed}."
                ),
                state_label=STATE_LABELS.get(state, state),
                action_label=ACTION_LABELS[action],
                allowed=", ".join(starts),
            ),
        )
    return to


def actor_of(action: str) -> str:
    return TRANSITIONS[action][2]


def check_quantity(value: int | None, field: str = "quantity") -> int:
    """A quantity of blanks: a whole number above 0."""
    if value is None or isinstance(value, bool) or int(value) < 1:
        raise DomainError(
            "quantity_positive",
            field,
            Msg("Jumlah keping harus bilangan bulat lebih dari 0 (diisi: {value}).", value=value),
        )
    return int(value)


def required_text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value.strip()


def decision(asked: int, approved: int | None, reason: str | None) -> tuple[str, int]:
    """The directorate's decision on ``asked`` blanks: (action, approved quantity). None or
    the asked quantity: approved in full; less: in part (a reason is needed); more than asked:
    only with a reason."""
    qty = asked if approved is None else check_quantity(approved, "quantity")
    why = (reason or "").strip()
    if qty > asked and not why:
        raise DomainError(
            "reason_required",
            "reason",
            Msg(
                ("Menyetujui {approved} keping, lebih dari {asked} yang dimohon, perlu alasan."),
                approved=qty,
                asked=asked,
            ),
        )
    if qty < asked and not why:
        raise DomainError(
            "reason_required",
            "reason",
            Msg(
                "Menyetujui sebagian ({approved} dari {asked} keping) perlu alasan.",
                approved=qty,
                asked=asked,
            ),
        )
    return ("approve_part" if qty < asked else "approve"), qty


def after_shipping(approved: int, shipped: int) -> str:
    """The state once ``shipped`` of the ``approved`` blanks have left the directorate."""
    return SHIPPED if shipped >= approved else PARTIALLY_SHIPPED


def check_tranche(approved: int, shipped: int, qty: int) -> None:
    """A tranche may not take the shipped total past the approved quantity."""
    left = approved - shipped
    if qty > left:
        raise DomainError(
            "more_than_approved",
            "qty",
            Msg(
                (
                    "Tahap ini {qty} keping melebihi sisa yang disetujui: {left} dari {approved} "
                    "keping."
                ),
                qty=qty,
                left=left,
                approved=approved,
            ),
        )


def after_receipt(state: str, approved: int, shipped: int, open_tranches: int, arrived: int) -> str:
    """The state after a tranche was received: still shipping while the approved quantity
    has not all left or a tranche is on the way; else closed when the approved quantity
    arrived, received (short: closed by hand) when not."""
    if open_tranches or shipped < approved:
        return state
    return CLOSED if arrived >= approved else RECEIVED


# --- history: lead time and fill rate -----------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """A figure from history: its mean, its spread (population standard deviation), and how
    many requests it was taken from."""

    mean: float
    spread: float
    n: int


def spread_of(values: Sequence[float]) -> Spread | None:
    if not values:
        return None
    return Spread(
        float(mean(values)), float(pstdev(values)) if len(values) > 1 else 0.0, len(values)
    )
