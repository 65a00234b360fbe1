"""Old and invalid e-KTP cards handed in by residents, their destruction, and IKD figures.

Handed-in cards (kartu KTP-el lama yang diserahkan). The Minister's circular SE Mendagri
470.13/11176/SJ (13 December 2018) makes offices record damaged and invalid cards, keep them
locked away, destroy them by burning and make a berita acara for every destruction. The
register is append-only: a card is received once (a row), destroyed once (a row of a
destruction), and counted with the other held cards (a count row); nothing is updated or
deleted. Every row carries the hash of the office's previous register row, so an edit made
behind the application's back breaks the chain (`register_hash`, as the blank ledger's).

IKD (Identitas Kependudukan Digital): the targets of the directorate and the 2023 national
meeting's rule that IKD activations should be no less than half the blanks an office
receives.

Pure rules: no database, no files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from blangko.domain.errors import Conflict, DomainError
from blangko.domain.text import N_, Msg

# Why a card is handed in. The first two are the application types whose collection takes
# the old card back; the others are cards handed in on their own.
REASONS: Final = ("rusak", "perubahan_data", "pindah", "tidak_berlaku")
REASON_LABEL_ID: Final = {
    "rusak": "rusak (penggantian karena rusak)",
    "perubahan_data": "perubahan data",
    "pindah": "pindah datang/pindah keluar",
    "tidak_berlaku": "tidak berlaku (ganda, salah data, pemilik meninggal)",
}
# The application types whose collection of the new card takes the old card in.
REPLACING_TYPES: Final = ("rusak", "perubahan_data")

# How cards are destroyed. The circular prescribes burning; cutting is what offices do when
# they cannot burn on the day (recorded as such, so the recap shows it).
METHODS: Final = ("bakar", "potong")
METHOD_LABEL_ID: Final = {"bakar": "dibakar", "potong": "dipotong/digunting"}
MIN_WITNESSES: Final = 2

CIRCULAR: Final = "SE Mendagri 470.13/11176/SJ tanggal 13 Desember 2018"

# IKD. The directorate's target for 2024 and 2025: 30 % of wajib KTP (25 % of recorded in
# 2023); the 2023 national working meeting: activations >= 50 % of blanks received.
IKD_TARGET_PCT: Final = Decimal("30")
IKD_TARGET_SOURCE: Final = N_(
    "Target Ditjen Dukcapil Kemendagri 2024 dan 2025: aktivasi IKD 30 % dari wajib KTP"
)
IKD_BLANK_RULE_PCT: Final = Decimal("50")
IKD_BLANK_RULE_SOURCE: Final = N_(
    "Rapat kerja nasional Dukcapil 2023: aktivasi IKD sekurang-kurangnya 50 % dari blangko "
    "yang diterima"
)

GENESIS_HASH: Final = "0" * 64


def check_reason(reason: str | None) -> str:
    value = (reason or "").strip()
    if value not in REASONS:
        raise DomainError(
            "handed_in_reason",
            "reason",
            Msg(
                "Alasan penyerahan '{value}' tidak dikenal: pilih {value2}.",
                value=value,
                value2=", ".join(REASONS),
            ),
        )
    return value


def check_not_future(day: date, today: date, field: str, what: str) -> date:
    """A date of something that has happened: not after today."""
    if day > today:
        raise DomainError(
            "future_date",
            field,
            Msg(
                (
                    "{what} {day:%d-%m-%Y} belum terjadi: tanggal tidak boleh sesudah hari "
                    "ini ({today:%d-%m-%Y})."
                ),
                what=what,
                day=day,
                today=today,
            ),
        )
    return day


def check_serial(serial: str | None) -> str | None:
    """A card's serial where legible: letters and digits, at most 32; empty when not legible."""
    value = "".join((serial or "").split()).upper()
    if not value:
        return None
    if len(value) > 32 or not value.isalnum() or not value.isascii():
        raise DomainError(
            "card_serial",
            "card_serial",
            Msg(
                (
                    "Nomor seri kartu '{serial}' tidak sah: huruf dan angka saja, paling "
                    "banyak 32 karakter (kosongkan bila tidak terbaca)."
                ),
                serial=serial,
            ),
        )
    return value


def check_witnesses(witnesses: Iterable[str]) -> list[str]:
    """At least two different witnesses, by name (trimmed, duplicates refused)."""
    names: list[str] = []
    for w in witnesses:
        name = " ".join((w or "").split())
        if not name:
            continue
        if name.casefold() in (n.casefold() for n in names):
            raise DomainError(
                "witness_twice",
                "witnesses",
                Msg("Saksi '{name}' tertulis lebih dari sekali.", name=name),
            )
        names.append(name)
    if len(names) < MIN_WITNESSES:
        raise DomainError(
            "witnesses_too_few",
            "witnesses",
            Msg(
                (
                    "Pemusnahan harus disaksikan sekurang-kurangnya {MIN_WITNESSES} orang "
                    "saksi ({n_names} diisi)."
                ),
                MIN_WITNESSES=MIN_WITNESSES,
                n_names=len(names),
            ),
        )
    return names


def check_method(method: str | None) -> str:
    value = (method or "").strip()
    if value not in METHODS:
        raise DomainError(
            "destruction_method",
            "method",
            Msg(
                "Cara pemusnahan '{value}' tidak dikenal: pilih {value2}.",
                value=value,
                value2=", ".join(METHODS),
            ),
        )
    return value


def check_place(place: str | None) -> str:
    value = " ".join((place or "").split())
    if not value:
        raise DomainError("required", "place", N_("Tempat pemusnahan wajib diisi."))
    return value


def check_cards(
    wanted: Sequence[int],
    held: Mapping[int, date],
    destroyed: Iterable[int],
    on: date,
) -> list[int]:
    """The cards of a destruction: at least one, each in the register (held: id -> date
    received), none destroyed before, none received after the destruction's date."""
    ids = sorted(set(wanted))
    if not ids:
        raise DomainError(
            "no_cards", "cards", N_("Pilih sekurang-kurangnya satu kartu yang dimusnahkan.")
        )
    gone = sorted(set(ids) & set(destroyed))
    if gone:
        raise Conflict(
            "card_destroyed",
            "cards",
            Msg(
                "Kartu nomor register {cards} sudah dimusnahkan; satu kartu hanya dimusnahkan "
                "sekali.",
                cards=", ".join(str(i) for i in gone),
            ),
        )
    late = [i for i in ids if held[i] > on]
    if late:
        raise DomainError(
            "card_after_destruction",
            "cards",
            Msg(
                (
                    "Kartu nomor register {late_first} diterima {value:%d-%m-%Y}, sesudah "
                    "tanggal pemusnahan {on:%d-%m-%Y}."
                ),
                late_first=late[0],
                value=held[late[0]],
                on=on,
            ),
        )
    return ids


def reconcile(received: int, destroyed: int, held: int) -> bool:
    """received = destroyed + still held."""
    return received == destroyed + held


def register_hash(record: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 over a canonical encoding of a register row and the previous row's hash."""
    data = {k: _plain(v) for k, v in record.items()}
    data["prev_hash"] = prev_hash
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# IKD -------------------------------------------------------------------------------------


def pct_of(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal; None when whole is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def ikd_to_target(activated: int, wajib: int, target_pct: Decimal) -> int:
    """IKD activations still needed to reach target_pct of wajib KTP (0 when reached)."""
    need = (Decimal(wajib) * target_pct / 100).to_integral_value(rounding="ROUND_CEILING")
    return max(0, int(need) - activated)


def ikd_blank_rule_met(activations: int, blanks_received: int) -> bool | None:
    """The 2023 rule: activations >= 50 % of the blanks received; None when none received."""
    if blanks_received <= 0:
        return None
    return Decimal(activations) * 100 >= IKD_BLANK_RULE_PCT * blanks_received


def check_target(value: str | Decimal | None) -> Decimal:
    if value is None or str(value).strip() == "":
        return IKD_TARGET_PCT
    try:
        target = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError as exc:
        raise DomainError(
            "target_pct_format",
            "ikd_target",
            Msg("Target IKD '{value}' bukan angka persen.", value=value),
        ) from exc
    if not target.is_finite() or not 0 < target <= 100:
        raise DomainError(
            "target_pct_range",
            "ikd_target",
            Msg(
                "Target IKD harus lebih dari 0 dan paling tinggi 100 persen ({value}).", value=value
            ),
        )
    return target
