"""Rules for an office's own settings: the head's NIP, the address of the public status page,
the lengths of the texts printed on reports."""

from __future__ import annotations

from datetime import date
from typing import Final

from blangko.domain.errors import DomainError, field_label
from blangko.domain.text import Msg

NIP_LENGTH: Final = 18
SEX_DIGITS: Final = {"1": "laki-laki", "2": "perempuan"}
TEXT_LIMITS: Final = {"address": 300, "seat": 100, "head_name": 200, "public_url": 200}


def check_nip(value: str) -> str:
    """A civil servant's NIP (Nomor Induk Pegawai): 18 digits, YYYYMMDD birth date, YYYYMM of
    appointment (not before birth), 1 or 2 for sex, a 3-digit number that is not 000."""
    nip = "".join(value.split())
    if len(nip) != NIP_LENGTH or not nip.isdigit():
        raise DomainError(
            "nip_format",
            "head_nip",
            Msg(
                "NIP harus 18 digit angka (diterima {nip} karakter{nilai}).",
                nip=len(nip),
                nilai="" if nip.isdigit() else ", bukan hanya angka",
            ),
        )
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise DomainError(
            "nip_birth_date",
            "head_nip",
            Msg(
                "NIP: 8 digit pertama harus tanggal lahir YYYYMMDD yang sah (diterima {nip}).",
                nip=nip[0:8],
            ),
        ) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or (year, month) < (born.year, born.month):
        raise DomainError(
            "nip_appointment",
            "head_nip",
            Msg(
                "NIP: digit 9-14 harus tahun dan bulan pengangkatan YYYYMM yang sah, tidak sebelum tanggal lahir (diterima {nip}).",
                nip=nip[8:14],
            ),
        )
    if nip[14] not in SEX_DIGITS:
        raise DomainError(
            "nip_sex",
            "head_nip",
            Msg(
                "NIP: digit ke-15 harus 1 (laki-laki) atau 2 (perempuan) (diterima {nip}).",
                nip=nip[14],
            ),
        )
    if nip[15:] == "000":
        raise DomainError("nip_serial", "head_nip", Msg("NIP: 3 digit terakhir tidak boleh 000."))
    return nip


def check_text(field: str, value: str) -> str:
    """A setting's text with its spaces tidied; too long or with control characters refused."""
    text = " ".join(value.split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise DomainError(
            "control_character",
            field,
            Msg("{field} memuat karakter kendali.", field=field_label(field)),
        )
    limit = TEXT_LIMITS[field]
    if len(text) > limit:
        raise DomainError(
            "too_long",
            field,
            Msg("{field} paling banyak {limit} karakter.", field=field_label(field), limit=limit),
        )
    return text


def check_public_url(value: str) -> str:
    """The public status page's base address, http(s)://..., without a trailing slash."""
    url = check_text("public_url", value).rstrip("/")
    if not url.startswith(("https://", "http://")) or " " in url or len(url) < 10:
        raise DomainError(
            "url_format",
            "public_url",
            Msg(
                "Alamat web harus diawali https:// atau http:// (diterima '{value}').", value=value
            ),
        )
    return url
