"""The application state machine, documents, receipt numbers and print-queue order."""

from __future__ import annotations

from datetime import date

import pytest

from blangko.domain.applications import (
    ACTIVE,
    TERMINAL,
    TRANSITIONS,
    Action,
    QueueItem,
    Status,
    check_documents,
    format_receipt,
    initial_status,
    next_status,
    order_queue,
    parse_doc_option,
    parse_receipt,
)
from blangko.domain.errors import Conflict, DomainError

HAPPY_PATH = [
    (Action.RECORD, Status.DIAJUKAN, Status.DIREKAM),
    (Action.READY, Status.DIREKAM, Status.SIAP_CETAK),
    (Action.PRINT, Status.SIAP_CETAK, Status.DICETAK),
    (Action.COLLECT, Status.DICETAK, Status.DISERAHKAN),
]


@pytest.mark.parametrize(("action", "before", "after"), HAPPY_PATH)
def test_happy_path(action, before, after) -> None:
    assert next_status(action, before) == after


def test_misprint_returns_to_print_ready() -> None:
    assert next_status("misprint", "dicetak") == Status.SIAP_CETAK


def test_every_illegal_move_is_a_conflict_naming_the_allowed_statuses() -> None:
    legal = {(a, s) for a, rule in TRANSITIONS.items() for s in rule.allowed_from}
    illegal = [(a, s) for a in Action for s in Status if (a, s) not in legal]
    assert len(illegal) == len(Action) * len(Status) - len(legal)
    for action, status in illegal:
        with pytest.raises(Conflict) as err:
            next_status(action, status)
        assert err.value.code == "invalid_transition"
        assert status.value in err.value.message


def test_terminal_statuses_allow_nothing_but_ikd_after_handover() -> None:
    for status in TERMINAL:
        allowed = {a for a, rule in TRANSITIONS.items() if status in rule.allowed_from}
        assert allowed == ({Action.IKD} if status == Status.DISERAHKAN else set())
    assert Status.DICETAK in ACTIVE and Status.DISERAHKAN not in ACTIVE


def test_reject_and_cancel_only_before_print() -> None:
    for action, to in ((Action.REJECT, Status.DITOLAK), (Action.CANCEL, Status.DIBATALKAN)):
        for status in (Status.DIAJUKAN, Status.DIREKAM, Status.SIAP_CETAK):
            assert next_status(action, status) == to
        with pytest.raises(Conflict):
            next_status(action, Status.DICETAK)


def test_suket_and_ikd_keep_the_status() -> None:
    assert next_status(Action.SUKET, Status.SIAP_CETAK) == Status.SIAP_CETAK
    assert next_status(Action.SUKET, Status.DIREKAM) == Status.DIREKAM
    with pytest.raises(Conflict):
        next_status(Action.SUKET, Status.DIAJUKAN)  # nothing recorded to certify
    with pytest.raises(Conflict):
        next_status(Action.SUKET, Status.DICETAK)  # the card exists
    assert next_status(Action.IKD, Status.DISERAHKAN) == Status.DISERAHKAN


def test_recording_skipped_when_already_recorded() -> None:
    assert initial_status(already_recorded=True) == Status.DIREKAM
    assert initial_status(already_recorded=False) == Status.DIAJUKAN


def test_receipt_format_and_parse() -> None:
    assert format_receipt("17.04", date(2021, 6, 2), 1) == "1704-20210602-0001"
    assert format_receipt("17.04", date(2021, 6, 2), 12345) == "1704-20210602-12345"
    assert parse_receipt("1704-20210602-0001") == ("17.04", date(2021, 6, 2), 1)
    for bad in ("1704-2021062-0001", "17.04-20210602-0001", "1704-20210231-0001", ""):
        with pytest.raises(DomainError) as err:
            parse_receipt(bad)
        assert err.value.field == "receipt"
    with pytest.raises(DomainError):
        format_receipt("17.04", date(2021, 6, 2), 0)


def test_documents_per_type() -> None:
    assert check_documents("pemula", {}) == {}
    assert check_documents("hilang", {"laporan_polisi": " LP/1 "}) == {"laporan_polisi": "LP/1"}
    assert check_documents("rusak", {"ktp_lama": "diserahkan"}) == {"ktp_lama": "diserahkan"}
    assert check_documents("perubahan_data", {"akta_perkawinan": "AP-9"})
    for kind, docs, field in (
        ("hilang", {}, "laporan_polisi"),
        ("rusak", {"ktp_lama": "ada"}, "ktp_lama"),
        ("perubahan_data", {"catatan": "x"}, "no_kk"),
        ("pemula", {"no_kk": "123"}, "no_kk"),
        ("baru", {}, "type"),
    ):
        with pytest.raises(DomainError) as err:
            check_documents(kind, docs)
        assert err.value.field == field, kind


def test_doc_option_parsing() -> None:
    assert parse_doc_option(["laporan_polisi=LP/B/1=2", "ktp_lama = diserahkan"]) == {
        "laporan_polisi": "LP/B/1=2",
        "ktp_lama": "diserahkan",
    }
    with pytest.raises(DomainError) as err:
        parse_doc_option(["laporan_polisi"])
    assert err.value.field == "doc"


def test_queue_order_priority_then_oldest() -> None:
    d = date(2026, 11, 1)
    items = [
        QueueItem("1704-20261105-0001", "perubahan_data", date(2026, 11, 5), False),
        QueueItem("1704-20261103-0001", "hilang", date(2026, 11, 3), False),
        QueueItem("1704-20261104-0001", "rusak", date(2026, 11, 4), False),
        QueueItem("1704-20261110-0001", "pemula", date(2026, 11, 10), False),
        QueueItem("1704-20261101-0002", "pemula", d, False),
        QueueItem("1704-20261101-0001", "pemula", d, False),
        QueueItem("1704-20261120-0001", "hilang", date(2026, 11, 20), True),  # suket holder
    ]
    assert [i.receipt for i in order_queue(items)] == [
        "1704-20261101-0001",
        "1704-20261101-0002",
        "1704-20261110-0001",
        "1704-20261120-0001",
        "1704-20261103-0001",
        "1704-20261104-0001",
        "1704-20261105-0001",
    ]
