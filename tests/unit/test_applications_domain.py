"""The application state machine, documents, receipt numbers and print-queue order."""

from __future__ import annotations

from datetime import date

import pytest

from blangko.domain.applications import (
    ACTIVE,
    RECEIPT_ALPHABET,
    TERMINAL,
    TRANSITIONS,
    Action,
    QueueItem,
    Status,
    check_documents,
    format_receipt,
    initial_status,
    mask_documents,
    next_status,
    order_queue,
    parse_doc_option,
    parse_receipt,
    print_note,
    printed_receipt,
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


def test_receipt_shape_and_round_trip() -> None:
    receipt = format_receipt(
        "17.04", date(2026, 11, 27), 0b10101_00001_11111_00000_01010_00011_11000
    )
    assert len(receipt) == 23 and receipt.startswith("1704-20261127-")
    office, day, rest = receipt[:4], receipt[5:13], receipt[14:]
    assert (office, day) == ("1704", "20261127")
    assert rest[4] == "-" and all(c in RECEIPT_ALPHABET for c in rest.replace("-", ""))
    read = parse_receipt(receipt)
    assert (read.office, read.day, read.number, read.legacy) == (
        "17.04",
        date(2026, 11, 27),
        receipt,
        False,
    )
    # Every random number gives a different receipt (no two collide on one office and day).
    numbers = range(0, 2**35, 2**35 // 5000)
    assert len({format_receipt("17.04", date(2026, 11, 27), n) for n in numbers}) == len(numbers)
    for bad in (-1, 2**35):
        with pytest.raises(DomainError):
            format_receipt("17.04", date(2026, 11, 27), bad)


def test_receipt_is_read_as_people_type_it() -> None:
    receipt = format_receipt("17.04", date(2026, 11, 27), 123456789)
    typed = receipt.lower().replace("-", " ")
    assert parse_receipt(typed).number == receipt
    assert parse_receipt(receipt.replace("-", "")).number == receipt
    # O for 0, I and L for 1: the alphabet has none of them, so they can only be misreadings.
    misread = receipt[:14] + receipt[14:].replace("0", "O").replace("1", "I")
    assert parse_receipt(misread).number == receipt


def test_every_typo_of_one_character_or_swapped_pair_is_refused() -> None:
    """The check character: a changed character anywhere (office, day, random part, check)
    or two neighbours swapped is refused as a typo, before any database look-up."""
    receipt = format_receipt("17.04", date(2026, 11, 27), 987654321)
    compact = receipt.replace("-", "")
    tried = 0
    for i, old in enumerate(compact):
        for new in RECEIPT_ALPHABET:
            if new == old or (i < 12 and not new.isdigit()):
                continue
            tried += 1
            with pytest.raises(DomainError) as err:
                parse_receipt(compact[:i] + new + compact[i + 1 :])
            assert err.value.code in ("receipt_check", "receipt_format"), compact
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            with pytest.raises(DomainError) as err:
                parse_receipt(swapped)
            assert err.value.field == "receipt"
    assert tried > 300


def test_old_receipts_stay_valid() -> None:
    read = parse_receipt("1704-20210602-0001")
    assert (read.office, read.day, read.number, read.legacy) == (
        "17.04",
        date(2021, 6, 2),
        "1704-20210602-0001",
        True,
    )
    assert parse_receipt(" 1704-20210602-12345 ").number == "1704-20210602-12345"


@pytest.mark.parametrize(
    "bad",
    [
        "1704-2021062-0001",
        "17.04-20210602-0001",
        "1704-20210231-0001",
        "",
        "bukan-resi",
        "1704-20261127-ABCD-EFGU",
    ],
)
def test_malformed_receipts_are_refused(bad: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_receipt(bad)
    assert err.value.field == "receipt"


def test_a_print_note_names_its_receipt() -> None:
    receipt = format_receipt("17.04", date(2026, 11, 27), 42)
    assert printed_receipt(print_note(receipt)) == receipt
    assert printed_receipt("cetak KTP-el 1704-20210602-0001") == "1704-20210602-0001"
    for other in (None, "", "kiriman November", "cetak KTP-el ", "cetak KTP-el a b"):
        assert printed_receipt(other) is None


def test_document_numbers_are_masked_like_niks() -> None:
    docs = {
        "no_kk": "1704012345670001",
        "laporan_polisi": "LP/123/XI/2026",
        "akta_kelahiran": "1704-LT-12062005-0001",
        "ktp_lama": "diserahkan",
    }
    masked = mask_documents(docs)
    assert masked == {
        "no_kk": "1704********0001",
        "laporan_polisi": "**********2026",
        "akta_kelahiran": "*****************0001",
        "ktp_lama": "diserahkan",
    }
    for key, value in docs.items():
        if key != "ktp_lama":
            assert value not in str(masked)


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


def test_queue_keeps_the_order_of_the_day_not_of_the_random_receipt() -> None:
    d = date(2026, 11, 1)
    later = QueueItem("1704-20261101-AAAA-AAAA", "pemula", d, False, day_seq=2)
    first = QueueItem("1704-20261101-ZZZZ-ZZZZ", "pemula", d, False, day_seq=1)
    assert order_queue([later, first]) == [first, later]
