"""Applications for an e-KTP (permohonan): types, the documents each needs, the lifecycle,
the receipt number, and the order of the print queue.

The receipt number is not guessable (a random part and a check character, below).

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
from blangko.domain.nik import check_nik_format, mask_number
from blangko.domain.text import Msg


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

# The documents the counter may ask for, by their key (the form's field, the CLI's --doc KEY=...)
# and what the clerk reads. A document is a reference (a number, written down) except those
# in HANDED_OVER, which the resident hands in (value "diserahkan").
DOCUMENT_LABEL_ID: Final = {
    "no_kk": "Kartu Keluarga (nomor KK)",
    "akta_kelahiran": "akta kelahiran",
    "laporan_polisi": "surat keterangan kehilangan dari kepolisian",
    "ktp_lama": "KTP-el lama yang rusak (diserahkan)",
    "akta_perkawinan": "akta perkawinan",
    "akta_perceraian": "akta perceraian",
}
DOCUMENTS: Final = tuple(DOCUMENT_LABEL_ID)
HANDED_OVER: Final = frozenset({"ktp_lama"})
HANDED_OVER_VALUE: Final = "diserahkan"
NO_KK_LENGTH: Final = 16

# Supporting documents accepted for a data change; at least one must be named.
DATA_CHANGE_DOCUMENTS: Final = ("no_kk", "akta_kelahiran", "akta_perkawinan", "akta_perceraian")


@dataclass(frozen=True)
class DocumentRule:
    """What an application type needs: every one of ``documents`` or, with ``any_one``, at
    least one of them."""

    documents: tuple[str, ...]
    any_one: bool = False


# The rules when an office has set none of its own (office settings: `blangko office
# documents TYPE`): the family card for a first card, the police report for a lost card, the
# damaged card itself, one supporting document for a data change.
DEFAULT_DOCUMENT_RULES: Final[dict[str, DocumentRule]] = {
    "pemula": DocumentRule(("no_kk",)),
    "hilang": DocumentRule(("laporan_polisi",)),
    "rusak": DocumentRule(("ktp_lama",)),
    "perubahan_data": DocumentRule(DATA_CHANGE_DOCUMENTS, any_one=True),
}


def check_document_rule(
    kind: str, documents: list[str] | tuple[str, ...], any_one: bool
) -> DocumentRule:
    """An office's rule for ``kind``, checked: known documents, at least one, none twice."""
    check_type(kind)
    names = [d.strip() for d in documents if d and d.strip()]
    if not names:
        raise DomainError(
            "documents_empty",
            "documents",
            Msg(
                "Permohonan {type_label_id} harus memerlukan sekurang-kurangnya satu dokumen: pilih dokumennya.",
                type_label_id=TYPE_LABEL_ID[kind],
            ),
        )
    for name in names:
        one_of(name, DOCUMENTS, "unknown_document", "documents", "Dokumen")
    if len(set(names)) != len(names):
        raise DomainError(
            "duplicate_document", "documents", Msg("Dokumen yang sama disebut dua kali.")
        )
    return DocumentRule(tuple(names), any_one=any_one and len(names) > 1)


def document_rules(
    office_rules: Mapping[str, DocumentRule] | None = None,
) -> dict[str, DocumentRule]:
    """The rule of every type: the office's own where it has set one, else the default."""
    return {k: (office_rules or {}).get(k, DEFAULT_DOCUMENT_RULES[k]) for k in TYPES}


def describe_rule(rule: DocumentRule, *, keys: bool = True) -> str:
    """'Kartu Keluarga (nomor KK) (no_kk)' or 'salah satu dari: ...': for the office's settings
    (the keys are what `--doc` and the API take); without the keys for a clerk's message."""
    named = [
        f"{DOCUMENT_LABEL_ID[d]} ({d})" if keys else DOCUMENT_LABEL_ID[d] for d in rule.documents
    ]
    if rule.any_one:
        return "salah satu dari: " + ", ".join(named)
    return " dan ".join(named)


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
        allowed = ", ".join(STATUS_LABEL_ID[s] for s in Status if s in rule.allowed_from)
        raise Conflict(
            "invalid_transition",
            "status",
            Msg(
                "Permohonan ini berstatus {status_label_id}: {label} hanya boleh dari status {allowed}. Muat ulang halaman permohonan untuk melihat langkah berikutnya.",
                status_label_id=STATUS_LABEL_ID[cur],
                label=rule.label,
                allowed=allowed,
            ),
        )
    return rule.to if rule.to is not None else cur


def initial_status(already_recorded: bool) -> Status:
    """A resident whose biometrics are on file is not recorded again."""
    return Status.DIREKAM if already_recorded else Status.DIAJUKAN


def check_type(kind: str) -> str:
    return one_of(kind, TYPES, "unknown_type", "type", "Jenis permohonan")


def check_status(status: str) -> Status:
    return Status(one_of(status, (s.value for s in Status), "unknown_status", "status", "Status"))


def _present(docs: Mapping[str, str], name: str) -> bool:
    value = docs.get(name)
    if name in HANDED_OVER:
        return value == HANDED_OVER_VALUE
    return bool(value)


def check_documents(
    kind: str, documents: Mapping[str, str], rule: DocumentRule | None = None
) -> dict[str, str]:
    """The documents, trimmed, once the type's required ones are present (``rule``: the
    office's, default DEFAULT_DOCUMENT_RULES); else DomainError naming the first one missing."""
    check_type(kind)
    rule = rule or DEFAULT_DOCUMENT_RULES[kind]
    docs = {k.strip(): (v or "").strip() for k, v in documents.items()}
    what = TYPE_LABEL_ID[kind]
    if rule.any_one:
        if not any(_present(docs, d) for d in rule.documents):
            raise DomainError(
                "document_required",
                rule.documents[0],
                Msg(
                    "Permohonan {what} wajib menyertakan dokumen pendukung, {rule}: isi nomornya.",
                    what=what,
                    rule=describe_rule(rule, keys=False),
                ),
            )
    else:
        for name in rule.documents:
            if not _present(docs, name):
                how = (
                    f"wajib menyerahkan {DOCUMENT_LABEL_ID[name]}"
                    if name in HANDED_OVER
                    else f"wajib menyertakan {DOCUMENT_LABEL_ID[name]}: isi nomornya"
                )
                raise DomainError(
                    "document_required", name, Msg("Permohonan {what} {how}.", what=what, how=how)
                )
    no_kk = docs.get("no_kk")
    if no_kk and not (len(no_kk) == NO_KK_LENGTH and no_kk.isdigit()):
        raise DomainError(
            "no_kk_format",
            "no_kk",
            Msg("Nomor KK harus 16 digit angka (diterima '{no_kk}').", no_kk=no_kk),
        )
    return {k: v for k, v in docs.items() if v}


# Documents whose value states a fact (the old card was handed in), not a number to hide.
FACT_DOCUMENTS: Final = frozenset({"ktp_lama"})


def mask_documents(documents: Mapping[str, str]) -> dict[str, str]:
    """The documents as the roles that see masked NIKs see them: every number masked like a
    NIK (a KK as 1704********0001, a police report as **********2026), facts kept."""
    return {k: v if k in FACT_DOCUMENTS else mask_number(v) for k, v in documents.items()}


def parse_doc_option(items: list[str]) -> dict[str, str]:
    """['laporan_polisi=LP/12/VI/2021'] -> {'laporan_polisi': 'LP/12/VI/2021'}."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DomainError(
                "doc_format", "doc", Msg("Dokumen '{item}' harus berbentuk KUNCI=NILAI.", item=item)
            )
        out[key.strip()] = value.strip()
    return out


# --- receipt numbers -------------------------------------------------------------------------
#
# A receipt number reads 1704-20261127-7KQX-M9PD: the office (4 digits) and the day the
# application was made, for the clerk and the resident, then seven random characters and one
# check character in Crockford's base 32 (digits and letters without I, L, O, U: nothing to
# misread). The random part makes a receipt impossible to guess from another one (35 bits: 34
# billion per office and day); the check character (Luhn mod 32 over every character before
# it) refuses a typo, or a changed character, at once and without a database read.
#
# Receipts issued before this scheme (1704-20210602-0001, a number per office and day) stay
# valid: they are recognised by their shape and looked up as they are.

RECEIPT_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_RANDOM_CHARS: Final = 7
RECEIPT_RANDOM_BITS: Final = 5 * RECEIPT_RANDOM_CHARS
# What a reader may mistype for a character of the alphabet.
_READ_AS: Final = {"O": "0", "I": "1", "L": "1"}
_LEGACY_RECEIPT = re.compile(r"^(\d{4})-(\d{8})-(\d{4,})$")
_RECEIPT = re.compile(r"^(\d{4})(\d{8})([0-9A-Z]{8})$")
_RECEIPT_FORMAT_HELP = "bentuknya 1704-YYYYMMDD-XXXX-XXXX (atau 1704-YYYYMMDD-0001 yang lama)"


@dataclass(frozen=True)
class Receipt:
    """A receipt number read: its office (dotted), day, and the number as stored."""

    office: str
    day: date
    number: str
    legacy: bool  # a number of the old per-day sequence


def _luhn_sum(chars: str, double_first: bool) -> int:
    """Luhn mod 32 over the characters from the last to the first."""
    total = 0
    double = double_first
    for ch in reversed(chars):
        value = RECEIPT_ALPHABET.index(ch) * (2 if double else 1)
        total += value // 32 + value % 32
        double = not double
    return total


def receipt_check_char(body: str) -> str:
    """The check character of a receipt's characters (office, day, random part)."""
    return RECEIPT_ALPHABET[(32 - _luhn_sum(body, True) % 32) % 32]


def format_receipt(office: str, day: date, random_part: int) -> str:
    """'17.04', 27 November 2026 and a random number below 2**35 -> '1704-20261127-7KQX-M9PD'
    (the last character is the check character)."""
    if not 0 <= random_part < 2**RECEIPT_RANDOM_BITS:
        raise DomainError(
            "receipt_random", "random_part", Msg("Bagian acak tanda terima harus 0 <= n < 2**35.")
        )
    chars = ""
    value = random_part
    for _ in range(RECEIPT_RANDOM_CHARS):
        value, digit = divmod(value, 32)
        chars = RECEIPT_ALPHABET[digit] + chars
    body = f"{office.replace('.', '')}{day:%Y%m%d}{chars}"
    check = receipt_check_char(body)
    return f"{body[:4]}-{body[4:12]}-{chars[:4]}-{chars[4:]}{check}"


def _receipt_day(ymd: str, receipt: str) -> date:
    try:
        return datetime.strptime(ymd, "%Y%m%d").date()
    except ValueError:
        raise DomainError(
            "receipt_format",
            "receipt",
            Msg("Tanggal pada tanda terima '{receipt}' tidak sah.", receipt=receipt),
        ) from None


def parse_receipt(receipt: str) -> Receipt:
    """Read a receipt number as typed: spaces and dashes anywhere, small letters, and O, I or L
    for 0, 1 and 1 are accepted. A new-style number whose check character does not match is
    refused (`receipt_check`) before anything is looked up."""
    text = receipt.strip()
    legacy = _LEGACY_RECEIPT.match(text)
    if legacy is not None:
        code, ymd, _seq = legacy.groups()
        return Receipt(f"{code[:2]}.{code[2:]}", _receipt_day(ymd, text), text, True)
    compact = "".join(_READ_AS.get(ch, ch) for ch in text.upper() if ch not in " -")
    m = _RECEIPT.match(compact)
    if m is None or any(ch not in RECEIPT_ALPHABET for ch in compact):
        raise DomainError(
            "receipt_format",
            "receipt",
            Msg(
                "Nomor tanda terima '{receipt}' tidak sah: {receipt_format_help}.",
                receipt=receipt,
                receipt_format_help=_RECEIPT_FORMAT_HELP,
            ),
        )
    code, ymd, rest = m.groups()
    if _luhn_sum(compact, False) % 32 != 0:
        raise DomainError(
            "receipt_check",
            "receipt",
            Msg(
                "Nomor tanda terima '{receipt}' salah ketik (huruf pemeriksa terakhir tidak cocok): periksa kembali nomor pada tanda terima.",
                receipt=receipt,
            ),
        )
    day = _receipt_day(ymd, receipt)
    number = f"{code}-{ymd}-{rest[:4]}-{rest[4:]}"
    return Receipt(f"{code[:2]}.{code[2:]}", day, number, False)


# What a print's ledger entry says, so that `verify` can tie the blank to the application.
_PRINT_NOTE = "cetak KTP-el "


def print_note(receipt: str) -> str:
    """The note of the consume entry a card's print writes: 'cetak KTP-el <receipt>'."""
    return _PRINT_NOTE + receipt


def printed_receipt(note: str | None) -> str | None:
    """The receipt a consume entry's note says it printed for (None: not a print's note)."""
    if note is None or not note.startswith(_PRINT_NOTE):
        return None
    rest = note[len(_PRINT_NOTE) :]
    return rest if rest and " " not in rest else None


# --- print queue -----------------------------------------------------------------------------

# The directorate's order: first cards and suket holders, then lost/damaged, then data changes.
_TYPE_RANK: Final = {"pemula": 0, "hilang": 1, "rusak": 1, "perubahan_data": 2}


@dataclass(frozen=True)
class QueueItem:
    receipt: str
    type: str
    submitted_date: date
    has_suket: bool
    day_seq: int = 0  # the order the applications of one day were made in


def queue_rank(item: QueueItem) -> tuple[int, date, int, str]:
    """Sort key: priority group, then oldest application (by day, then in the order of that
    day), then receipt number (stable)."""
    group = 0 if item.has_suket else _TYPE_RANK[item.type]
    return (group, item.submitted_date, item.day_seq, item.receipt)


def order_queue(items: list[QueueItem]) -> list[QueueItem]:
    return sorted(items, key=queue_rank)


# --- what the counter can do next for a resident ---------------------------------------------

REPLACEMENT_TYPES: Final = ("hilang", "rusak", "perubahan_data")
# The next step of an open application, by its status, and what the clerk reads.
_OPEN_NEXT: Final = {
    Status.DIAJUKAN: (Action.RECORD, Msg("menunggu perekaman: rekam biometrik")),
    Status.DIREKAM: (
        Action.READY,
        Msg("sudah direkam: tandai siap cetak (PRR) setelah divalidasi pusat"),
    ),
    Status.SIAP_CETAK: (Action.PRINT, Msg("PRR: cetak kartunya")),
    Status.DICETAK: (
        Action.COLLECT,
        Msg("kartu sudah dicetak: serahkan kepada pemohon atau kuasanya"),
    ),
}


# The desk (domain.calendar.DESKS) an application in each status waits for: recording, then
# printing (a recorded application waits for the central validation, then the print).
_WAITS_FOR_DESK: Final = {
    Status.DIAJUKAN: "perekaman",
    Status.DIREKAM: "pencetakan",
    Status.SIAP_CETAK: "pencetakan",
}


# The steps taken at a desk, which is refused while that desk is closed.
ACTION_DESK: Final = {Action.RECORD: "perekaman", Action.PRINT: "pencetakan"}


def desk_for(status: Status | str) -> str | None:
    """The desk an application in ``status`` needs next (None: no desk, e.g. printed)."""
    return _WAITS_FOR_DESK.get(Status(status))


@dataclass(frozen=True)
class NextStep:
    """What the counter can do for a resident now: a code, the sentence the clerk reads, the
    application types that may be submitted now, the next action of the open application,
    and the desk that step needs (recording or printing; None for none), so that the counter
    can warn when that desk is closed."""

    code: str
    message: str
    types: tuple[str, ...] = ()
    action: str | None = None
    desk: str | None = None


def next_step(
    *,
    status: str,
    wajib_ktp: bool,
    recorded: date | None,
    printed: date | None,
    open_status: str | None,
    open_receipt: str | None = None,
    wajib_from: date | None = None,
) -> NextStep:
    """The counter's next step for a resident (registry state and open application, if any).

    One application at a time: an open one comes first. Otherwise a card holder may ask for a
    replacement or a data change; a print-ready resident (PRR: recorded, no card) a first card
    without recording again; a wajib-KTP resident not recorded a first card and recording."""
    if open_status is not None:
        action, text = _OPEN_NEXT.get(
            Status(open_status),
            (
                None,
                Msg(
                    "berstatus {status_label_id}",
                    status_label_id=STATUS_LABEL_ID[Status(open_status)],
                ),
            ),
        )
        return NextStep(
            "open_application",
            Msg("Permohonan berjalan {receipt} {step}.", receipt=open_receipt, step=text)
            if open_receipt
            else Msg("Permohonan berjalan {step}.", step=text),
            (),
            action.value if action else None,
            desk_for(open_status),
        )
    if status != "HIDUP":
        return NextStep(
            "not_alive",
            Msg("Penduduk berstatus {status}: tidak dapat mengajukan KTP-el.", status=status),
        )
    if printed is not None:
        return NextStep(
            "has_card",
            Msg(
                "Sudah punya KTP-el (dicetak {printed:%d-%m-%Y}): ajukan penggantian hilang, rusak atau perubahan data.",
                printed=printed,
            ),
            REPLACEMENT_TYPES,
            desk=desk_for(initial_status(True)),
        )
    if not wajib_ktp:
        when = (
            Msg(" (berumur 17 tahun pada {wajib_from:%d-%m-%Y})", wajib_from=wajib_from)
            if wajib_from
            else Msg("")
        )
        return NextStep(
            "not_wajib_ktp",
            Msg(
                "Belum wajib KTP{when}: KTP-el pemula dapat diajukan mulai umur 17 tahun atau setelah kawin.",
                when=when,
            ),
        )
    if recorded is not None:
        return NextStep(
            "prr",
            Msg(
                "PRR: sudah direkam {recorded:%d-%m-%Y}, belum dicetak: ajukan pemula (perekaman dilewati), lalu cetak.",
                recorded=recorded,
            ),
            ("pemula",),
            desk=desk_for(initial_status(True)),
        )
    return NextStep(
        "not_recorded",
        Msg("Belum rekam: ajukan pemula dan rekam biometrik."),
        ("pemula",),
        desk=desk_for(initial_status(False)),
    )


# --- handover: who collected the card --------------------------------------------------------

COLLECTOR_LABEL_ID: Final = {"pemohon": "pemohon sendiri", "kuasa": "kuasa (dengan surat kuasa)"}
TEXT_MAX: Final = 200


@dataclass(frozen=True)
class Handover:
    """Who took the card: the applicant, or a proxy with their NIK, name and power of
    attorney (surat kuasa) reference."""

    by: str  # pemohon | kuasa
    proxy_nik: str | None = None
    proxy_name: str | None = None
    power_of_attorney: str | None = None


def _text(value: str | None, field: str, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(
            "required", field, Msg("{what} wajib diisi bila kartu diambil kuasa.", what=what)
        )
    if len(text) > TEXT_MAX:
        raise DomainError(
            "too_long",
            field,
            Msg("{what} paling banyak {text_max} karakter.", what=what, text_max=TEXT_MAX),
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise DomainError(
            "control_character", field, Msg("{what} memuat karakter kendali.", what=what)
        )
    return text


def check_handover(
    *,
    applicant_nik: str,
    proxy_nik: str | None,
    proxy_name: str | None,
    power_of_attorney: str | None,
    reference_date: date,
) -> Handover:
    """The applicant collects unless any proxy field is given; a proxy needs all three: a
    well-formed NIK that is not the applicant's, a name, and the power of attorney's reference."""
    given = [v for v in (proxy_nik, proxy_name, power_of_attorney) if v and v.strip()]
    if not given:
        return Handover("pemohon")
    if not (proxy_nik and proxy_nik.strip()):
        raise DomainError(
            "required", "proxy_nik", Msg("NIK kuasa wajib diisi bila kartu diambil kuasa.")
        )
    parsed = check_nik_format(
        proxy_nik, reference_date=reference_date, field="proxy_nik", label="NIK kuasa"
    )
    if parsed.nik == applicant_nik:
        raise DomainError(
            "proxy_is_applicant",
            "proxy_nik",
            Msg(
                "NIK kuasa sama dengan NIK pemohon: bila pemohon sendiri yang mengambil, kosongkan isian kuasa."
            ),
        )
    return Handover(
        "kuasa",
        parsed.nik,
        _text(proxy_name, "proxy_name", "Nama kuasa"),
        _text(power_of_attorney, "power_of_attorney", "Nomor/tanggal surat kuasa"),
    )
