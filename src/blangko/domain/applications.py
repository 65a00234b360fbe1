"""Applications for an e-KTP (permohonan): types, the documents each needs, the lifecycle,
the receipt number, and the order of the print queue.

Lifecycle::

    diajukan --record--> direkam --ready--> siap_cetak --print--> dicetak --collect--> diserahkan
                                              ^                     |
                                              +------misprint-------+

``reject`` (ditolak) and ``cancel`` (dibatalkan) end an application that has no card yet.
A resident whose biometrics are already on file skips recording: the application starts at
``direkam``. ``suket`` (temporary certificate) and ``ikd`` (digital ID activated) do not
change the status: the resident still waits for the plastic card, and a suket holder is
first in line when blanks arrive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from blangko.domain.errors import Conflict, DomainError, one_of


class Status(StrEnum):
    DIAJUKAN = "diajukan"
    DIREKAM = "direkam"
    SIAP_CETAK = "siap_cetak"
    DICETAK = "dicetak"
    DISERAHKAN = "diserahkan"
    DITOLAK = "ditolak"
    DIBATALKAN = "dibatalkan"


STATUS_LABEL_ID: Final = {
    Status.DIAJUKAN: "diajukan",
    Status.DIREKAM: "sudah direkam",
    Status.SIAP_CETAK: "siap cetak (PRR)",
    Status.DICETAK: "dicetak",
    Status.DISERAHKAN: "diserahkan",
    Status.DITOLAK: "ditolak",
    Status.DIBATALKAN: "dibatalkan",
}

TERMINAL: Final = frozenset({Status.DISERAHKAN, Status.DITOLAK, Status.DIBATALKAN})
# Statuses in which a resident has an application still under way (one at a time per NIK).
ACTIVE: Final = frozenset(Status) - TERMINAL

TYPES: Final = ("pemula", "hilang", "rusak", "perubahan_data")
TYPE_LABEL_ID: Final = {
    "pemula": "pemula (KTP pertama)",
    "hilang": "penggantian karena hilang",
    "rusak": "penggantian karena rusak",
    "perubahan_data": "perubahan data",
}

# Supporting documents accepted for a data change; at least one must be named.
DATA_CHANGE_DOCUMENTS: Final = ("no_kk", "akta_kelahiran", "akta_perkawinan", "akta_perceraian")


class Action(StrEnum):
    RECORD = "record"
    READY = "ready"
    PRINT = "print"
    MISPRINT = "misprint"
    COLLECT = "collect"
    REJECT = "reject"
    CANCEL = "cancel"
    SUKET = "suket"
    IKD = "ikd"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[Status]
    to: Status | None  # None: the status stays as it is (suket, ikd)
    label: str  # what the clerk did, in Indonesian, for messages


_BEFORE_PRINT = frozenset({Status.DIAJUKAN, Status.DIREKAM, Status.SIAP_CETAK})
_RECORDED_NOT_PRINTED = frozenset({Status.DIREKAM, Status.SIAP_CETAK})

TRANSITIONS: Final[dict[Action, Transition]] = {
    Action.RECORD: Transition(frozenset({Status.DIAJUKAN}), Status.DIREKAM, "perekaman"),
    Action.READY: Transition(frozenset({Status.DIREKAM}), Status.SIAP_CETAK, "siap cetak"),
    Action.PRINT: Transition(frozenset({Status.SIAP_CETAK}), Status.DICETAK, "pencetakan"),
    Action.MISPRINT: Transition(frozenset({Status.DICETAK}), Status.SIAP_CETAK, "salah cetak"),
    Action.COLLECT: Transition(frozenset({Status.DICETAK}), Status.DISERAHKAN, "penyerahan"),
    Action.REJECT: Transition(_BEFORE_PRINT, Status.DITOLAK, "penolakan"),
    Action.CANCEL: Transition(_BEFORE_PRINT, Status.DIBATALKAN, "pembatalan"),
    # A suket certifies recorded biometrics, so it needs recording done and no card yet.
    Action.SUKET: Transition(_RECORDED_NOT_PRINTED, None, "penerbitan suket"),
    # IKD activation needs recorded biometrics; it does not replace the plastic card.
    Action.IKD: Transition(
        frozenset({Status.DIREKAM, Status.SIAP_CETAK, Status.DICETAK, Status.DISERAHKAN}),
        None,
        "aktivasi IKD",
    ),
}


def next_status(action: Action | str, current: Status | str) -> Status:
    """The status after ``action``, or Conflict naming what is allowed."""
    act = Action(action)
    cur = Status(current)
    rule = TRANSITIONS[act]
    if cur not in rule.allowed_from:
        allowed = ", ".join(s.value for s in Status if s in rule.allowed_from)
        raise Conflict(
            "invalid_transition",
            "status",
            f"Permohonan berstatus '{cur.value}': {rule.label} hanya boleh dari status {allowed}.",
        )
    return rule.to if rule.to is not None else cur


def initial_status(already_recorded: bool) -> Status:
    """A resident whose biometrics are on file is not recorded again."""
    return Status.DIREKAM if already_recorded else Status.DIAJUKAN


def check_type(kind: str) -> str:
    return one_of(kind, TYPES, "unknown_type", "type", "Jenis permohonan")


def check_status(status: str) -> Status:
    return Status(one_of(status, (s.value for s in Status), "unknown_status", "status", "Status"))


def check_documents(kind: str, documents: Mapping[str, str]) -> dict[str, str]:
    """The documents, trimmed, once the type's required ones are present; else DomainError."""
    check_type(kind)
    docs = {k.strip(): (v or "").strip() for k, v in documents.items()}
    if kind == "hilang" and not docs.get("laporan_polisi"):
        raise DomainError(
            "document_required",
            "laporan_polisi",
            "Permohonan karena hilang wajib menyertakan nomor surat keterangan kehilangan "
            "dari kepolisian (--doc laporan_polisi=NOMOR).",
        )
    if kind == "rusak" and docs.get("ktp_lama") != "diserahkan":
        raise DomainError(
            "document_required",
            "ktp_lama",
            "Permohonan karena rusak wajib menyerahkan KTP-el lama yang rusak "
            "(--doc ktp_lama=diserahkan).",
        )
    if kind == "perubahan_data" and not any(docs.get(k) for k in DATA_CHANGE_DOCUMENTS):
        raise DomainError(
            "document_required",
            "no_kk",
            "Permohonan perubahan data wajib menyertakan dokumen pendukung: salah satu dari "
            f"{', '.join(DATA_CHANGE_DOCUMENTS)} (mis. --doc no_kk=NOMOR_KK_BARU).",
        )
    no_kk = docs.get("no_kk")
    if no_kk and not (len(no_kk) == 16 and no_kk.isdigit()):
        raise DomainError(
            "no_kk_format", "no_kk", f"Nomor KK harus 16 digit angka (diterima '{no_kk}')."
        )
    return docs


def parse_doc_option(items: list[str]) -> dict[str, str]:
    """['laporan_polisi=LP/12/VI/2021'] -> {'laporan_polisi': 'LP/12/VI/2021'}."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DomainError("doc_format", "doc", f"Dokumen '{item}' harus berbentuk KUNCI=NILAI.")
        out[key.strip()] = value.strip()
    return out


# --- receipt numbers -------------------------------------------------------------------------

_RECEIPT = re.compile(r"^(\d{4})-(\d{8})-(\d{4,})$")


def format_receipt(office: str, day: date, seq: int) -> str:
    """'17.04', 2 June 2021, 1 -> '1704-20210602-0001' (per office, per day)."""
    if seq < 1:
        raise DomainError("receipt_seq", "seq", "Nomor urut tanda terima mulai dari 1.")
    return f"{office.replace('.', '')}-{day:%Y%m%d}-{seq:04d}"


def parse_receipt(receipt: str) -> tuple[str, date, int]:
    """The office code (dotted), the day and the sequence a receipt number encodes."""
    m = _RECEIPT.match(receipt.strip())
    if m is None:
        raise DomainError(
            "receipt_format",
            "receipt",
            f"Nomor tanda terima '{receipt}' tidak sah: bentuknya 1704-YYYYMMDD-0001.",
        )
    code, ymd, seq = m.groups()
    try:
        day = datetime.strptime(ymd, "%Y%m%d").date()
    except ValueError:
        raise DomainError(
            "receipt_format", "receipt", f"Tanggal pada tanda terima '{receipt}' tidak sah."
        ) from None
    return f"{code[:2]}.{code[2:]}", day, int(seq)


# --- print queue -----------------------------------------------------------------------------

# The directorate's order: first cards and suket holders, then lost/damaged, then data changes.
_TYPE_RANK: Final = {"pemula": 0, "hilang": 1, "rusak": 1, "perubahan_data": 2}


@dataclass(frozen=True)
class QueueItem:
    receipt: str
    type: str
    submitted_date: date
    has_suket: bool


def queue_rank(item: QueueItem) -> tuple[int, date, str]:
    """Sort key: priority group, then oldest application, then receipt number (stable)."""
    group = 0 if item.has_suket else _TYPE_RANK[item.type]
    return (group, item.submitted_date, item.receipt)


def order_queue(items: list[QueueItem]) -> list[QueueItem]:
    return sorted(items, key=queue_rank)
