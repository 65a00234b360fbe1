"""The application state machine, documents, receipt numbers and print-queue order."""

from __future__ import annotations

from datetime import date

import pytest

from blangko.domain.applications import (
    ACTIVE,
    DEFAULT_DOCUMENT_RULES,
    RECEIPT_ALPHABET,
    STATUS_LABEL_ID,
    TERMINAL,
    TRANSITIONS,
    Action,
    DocumentRule,
    Handover,
    QueueItem,
    Status,
    check_document_rule,
    check_documents,
    check_handover,
    document_rules,
    format_receipt,
    initial_status,
    mask_documents,
    next_status,
    next_step,
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
        # Named in the clerk's words (the status's label), the allowed ones too; no raw code.
        message = err.value.message
        assert f"berstatus {STATUS_LABEL_ID[status]}:" in message
        for allowed in TRANSITIONS[action].allowed_from:
            assert STATUS_LABEL_ID[allowed] in message
        assert "_" not in message


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
    assert check_documents("pemula", {"no_kk": "1704010101010001"}) == {"no_kk": "1704010101010001"}
    assert check_documents("hilang", {"laporan_polisi": " LP/1 "}) == {"laporan_polisi": "LP/1"}
    assert check_documents("rusak", {"ktp_lama": "diserahkan"}) == {"ktp_lama": "diserahkan"}
    assert check_documents("perubahan_data", {"akta_perkawinan": "AP-9"})
    for kind, docs, field in (
        ("hilang", {}, "laporan_polisi"),
        ("rusak", {"ktp_lama": "ada"}, "ktp_lama"),
        ("perubahan_data", {"catatan": "x"}, "no_kk"),
        ("pemula", {"no_kk": "123"}, "no_kk"),
        ("pemula", {}, "no_kk"),  # a first card needs the family card
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


# --- documents per type, configurable per office (issue 12, point 5) --------------------------


def test_default_documents_name_the_missing_one_in_the_clerks_words() -> None:
    with pytest.raises(DomainError) as err:
        check_documents("pemula", {})
    assert (err.value.code, err.value.field) == ("document_required", "no_kk")
    assert "Kartu Keluarga" in err.value.message and "pemula" in err.value.message
    with pytest.raises(DomainError) as err:
        check_documents("perubahan_data", {})
    assert "salah satu dari" in err.value.message and "akta perkawinan" in err.value.message


def test_an_office_rule_replaces_the_default() -> None:
    both = check_document_rule("pemula", ["no_kk", "akta_kelahiran"], any_one=False)
    kk = {"no_kk": "1704010101010001"}
    with pytest.raises(DomainError) as err:
        check_documents("pemula", kk, both)
    assert err.value.field == "akta_kelahiran" and "akta kelahiran" in err.value.message
    assert check_documents("pemula", {**kk, "akta_kelahiran": "AL-1"}, both)
    either = check_document_rule("hilang", ["laporan_polisi", "akta_kelahiran"], any_one=True)
    assert check_documents("hilang", {"akta_kelahiran": "AL-2"}, either)
    # A rule of one document is never "any one of".
    assert check_document_rule("rusak", ["ktp_lama"], any_one=True) == DocumentRule(("ktp_lama",))
    rules = document_rules({"pemula": both})
    assert rules["pemula"] == both and rules["hilang"] == DEFAULT_DOCUMENT_RULES["hilang"]


@pytest.mark.parametrize(
    ("kind", "docs", "code"),
    [
        ("pemula", [], "documents_empty"),
        ("pemula", ["  "], "documents_empty"),
        ("pemula", ["no_kk", "ijazah"], "unknown_document"),
        ("pemula", ["no_kk", "no_kk"], "duplicate_document"),
        ("baru", ["no_kk"], "unknown_type"),
    ],
)
def test_office_rules_are_checked(kind, docs, code) -> None:
    with pytest.raises(DomainError) as err:
        check_document_rule(kind, docs, any_one=False)
    assert err.value.code == code


# --- the counter's next step ------------------------------------------------------------------


def _step(**kw):  # type: ignore[no-untyped-def]
    base = {
        "status": "HIDUP",
        "wajib_ktp": True,
        "recorded": None,
        "printed": None,
        "open_status": None,
    }
    return next_step(**{**base, **kw})


def test_next_step_for_each_kind_of_resident() -> None:
    d = date(2020, 3, 3)
    s = _step(open_status="siap_cetak", open_receipt="1704-20261127-0001", recorded=d)
    assert (s.code, s.action, s.types) == ("open_application", "print", ())
    assert "1704-20261127-0001" in s.message and "PRR: cetak" in s.message
    assert _step(open_status="dicetak", recorded=d).action == "collect"
    assert _step(open_status="diajukan").action == "record"
    s = _step(recorded=d, printed=date(2021, 1, 4))
    assert (s.code, s.types) == ("has_card", ("hilang", "rusak", "perubahan_data"))
    assert s.message.startswith("Sudah punya KTP-el (dicetak 04-01-2021)")
    s = _step(recorded=d)
    assert (s.code, s.types) == ("prr", ("pemula",)) and "PRR" in s.message
    s = _step()
    assert (s.code, s.types) == ("not_recorded", ("pemula",)) and "Belum rekam" in s.message
    s = _step(wajib_ktp=False, wajib_from=date(2027, 2, 1))
    assert (s.code, s.types) == ("not_wajib_ktp", ()) and "01-02-2027" in s.message
    assert _step(status="MENINGGAL").code == "not_alive"
    assert _step(status="MENINGGAL").types == ()


def test_next_step_names_the_desk_it_needs() -> None:
    """So that the counter can warn when that desk is closed today (issue 18)."""
    d = date(2020, 3, 3)
    assert _step().desk == "perekaman"  # a first card and recording
    assert _step(recorded=d).desk == "pencetakan"  # PRR: recording skipped, then the print
    assert _step(recorded=d, printed=date(2021, 1, 4)).desk == "pencetakan"  # a replacement
    assert _step(open_status="diajukan").desk == "perekaman"
    assert _step(open_status="siap_cetak", recorded=d).desk == "pencetakan"
    assert _step(open_status="dicetak", recorded=d).desk is None  # the handover: no desk
    assert _step(status="MENINGGAL").desk is None
    assert _step(wajib_ktp=False).desk is None


# --- handover: the applicant or a proxy -------------------------------------------------------

APPLICANT = "1704011705900001"
PROXY = "1704015203850002"


def test_handover_to_the_applicant_or_a_proxy() -> None:
    on = date(2026, 11, 27)
    assert check_handover(
        applicant_nik=APPLICANT,
        proxy_nik=None,
        proxy_name=" ",
        power_of_attorney=None,
        reference_date=on,
    ) == Handover("pemohon")
    proxy = check_handover(
        applicant_nik=APPLICANT,
        proxy_nik="1704.0152.0385.0002",
        proxy_name="  Siti   Aminah ",
        power_of_attorney="SK/12/XI/2026",
        reference_date=on,
    )
    assert proxy == Handover("kuasa", PROXY, "Siti Aminah", "SK/12/XI/2026")


@pytest.mark.parametrize(
    ("proxy_nik", "name", "letter", "field", "code"),
    [
        ("", "Siti", "SK/1", "proxy_nik", "required"),
        ("170401520385000", "Siti", "SK/1", "proxy_nik", "nik_length"),
        ("17040152038500AB", "Siti", "SK/1", "proxy_nik", "nik_digits"),
        (PROXY, "", "SK/1", "proxy_name", "required"),
        (PROXY, "Siti", None, "power_of_attorney", "required"),
        (PROXY, "x" * 201, "SK/1", "proxy_name", "too_long"),
        (PROXY, "Siti", "SK/1\x1b[2J", "power_of_attorney", "control_character"),
        (APPLICANT, "Siti", "SK/1", "proxy_nik", "proxy_is_applicant"),
    ],
)
def test_a_proxy_needs_a_valid_nik_a_name_and_the_letter(
    proxy_nik, name, letter, field, code
) -> None:
    with pytest.raises(DomainError) as err:
        check_handover(
            applicant_nik=APPLICANT,
            proxy_nik=proxy_nik,
            proxy_name=name,
            power_of_attorney=letter,
            reference_date=date(2026, 11, 27),
        )
    assert (err.value.field, err.value.code) == (field, code)
    if code.startswith("nik_"):
        assert err.value.message.startswith("NIK kuasa")


def test_queue_keeps_the_order_of_the_day_not_of_the_random_receipt() -> None:
    d = date(2026, 11, 1)
    later = QueueItem("1704-20261101-AAAA-AAAA", "pemula", d, False, day_seq=2)
    first = QueueItem("1704-20261101-ZZZZ-ZZZZ", "pemula", d, False, day_seq=1)
    assert order_queue([later, first]) == [first, later]
