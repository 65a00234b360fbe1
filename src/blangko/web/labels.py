"""Label tables the pages share (Indonesian msgids, translated in the templates with `_()`)."""

from __future__ import annotations

from typing import Any

from blangko.domain.ledger import KIND_LABEL_ID, SPOIL_REASON_LABEL_ID, STATE_LABEL_ID
from blangko.services.stock.counts import STATUS_LABEL_ID as COUNT_STATUS_LABEL_ID

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
    "shipped": "Dikirim",
    "adjusted": "Penyesuaian",
}
LEVEL_LABELS = {"aman": "Aman", "menipis": "Menipis", "habis": "Habis"}
# A village's kind, as the region codes tell it (adapters.regions.village_kind).
VILLAGE_KIND_LABELS = {"desa": "Desa", "kelurahan": "Kelurahan"}


def ledger_labels() -> dict[str, Any]:
    """Every label a stock or dashboard template may show, by the names the templates use."""
    return {
        "kind_labels": {k.value: v for k, v in KIND_LABEL_ID.items()},
        "state_labels": {k.value: v for k, v in STATE_LABEL_ID.items()},
        "service_labels": SERVICE_LABELS,
        "level_labels": LEVEL_LABELS,
        "total_labels": TOTAL_LABELS,
        "spoil_reason_labels": SPOIL_REASON_LABEL_ID,
        "count_status_labels": COUNT_STATUS_LABEL_ID,
    }
