"""Label tables the pages share (Indonesian msgids, translated in the templates with `_()`)."""

from __future__ import annotations

from typing import Any

from blangko.domain.ledger import KIND_LABEL_ID, STATE_LABEL_ID

# What a blank was used for: the application types and the two desks (recording, printing).
SERVICE_LABELS = {
    "pemula": "Pemula",
    "hilang": "Pengganti hilang",
    "rusak": "Pengganti rusak",
    "perubahan_data": "Perubahan data",
    "perekaman": "Perekaman",
    "pencetakan": "Pencetakan",
}
TOTAL_LABELS = {
    "opening": "Saldo awal",
    "received": "Diterima",
    "consumed": "Terpakai",
    "spoiled": "Rusak",
    "lost": "Hilang",
    "returned": "Dikembalikan",
    "adjusted": "Penyesuaian",
}
LEVEL_LABELS = {"aman": "Aman", "menipis": "Menipis", "habis": "Habis"}


def ledger_labels() -> dict[str, Any]:
    """Every label a stock or dashboard template may show, by the names the templates use."""
    return {
        "kind_labels": {k.value: v for k, v in KIND_LABEL_ID.items()},
        "state_labels": {k.value: v for k, v in STATE_LABEL_ID.items()},
        "service_labels": SERVICE_LABELS,
        "level_labels": LEVEL_LABELS,
        "total_labels": TOTAL_LABELS,
    }
