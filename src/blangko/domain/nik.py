"""NIK (Nomor Induk Kependudukan): reading the 16-digit personal number.

Layout: PPKKCC DDMMYY SSSS
  PPKKCC  province, regency and kecamatan where the number was issued (Kemendagri codes)
  DDMMYY  birth date; women have 40 added to the day (so 41-71)
  SSSS    serial making the number unique, 0001-9999

python-stdnum ships ``stdnum.id.nik``; we use only its ``compact`` (strips spaces, dots and
dashes a clerk may type). Its ``get_birth_date`` is not usable here: it takes the day modulo
40 (so day 81 is accepted as the 1st) and always prefers 19YY (a child born 2005 would be
1905), and its ``validate`` checks the regency against a bundled list that lags new regencies.

A NIK is for life (UU 23/2006 as amended by UU 24/2013, art. 13: "berlaku seumur hidup dan
selamanya") and keeps the region codes it was issued with, while region codes are retired when
regions split: every resident of Kabupaten Merauke registered before 2022 carries a NIK
beginning 9101, and Merauke is now 93.01 in Papua Selatan. So a NIK's kecamatan or regency
code that is no longer in the current list is not an error (``retired_region_note`` says
why it is worth a look); only its province code must be one that exists or existed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from stdnum.id.nik import compact as _stdnum_compact
from stdnum.util import isdigits

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

Sex = Literal["L", "P"]

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40
# How far back we look for a valid century. Nobody alive is older than this, and it lets
# a 29 February in year 00 fall back from 2100 to 2000 once the reference passes 2100.
_MAX_CENTURIES_BACK = 2

_FIELD = "nik"

# Province codes no longer in Kemendagri's list that a NIK may still carry (see the module
# docstring). None so far: since the national 16-digit NIK (SIAK, UU 23/2006) provinces have
# only been added, never retired. Kalimantan Utara (65) came in 2012; Papua Selatan (93),
# Papua Tengah (94), Papua Pegunungan (95) and Papua Barat Daya (96) in 2022 (UU 14, 15 and
# 16/2022, UU 29/2022), while Papua (91) and Papua Barat (92) kept their codes and lost
# regencies (91.01 Merauke became 93.01). Compared: the current list (Kepmendagri
# 300.2.2-2138/2025) with Permendagri 72/2019. A province code retired by a future decree goes
# here, with the decree, so that the NIKs issued under it stay valid.
RETIRED_PROVINCE_CODES: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ParsedNik:
    nik: str
    kecamatan_code: str  # dotted, e.g. '17.04.01'
    province_code: str  # '17'
    regency_code: str  # '17.04'
    birth_date: date
    sex: Sex
    serial: str  # '0001'


def compact_nik(value: str) -> str:
    """The NIK as bare digits, without the separators people type or print."""
    # A registry export holds bare digits in nearly every row; skipping stdnum for those
    # halves the cost of checking a row in a million-row import.
    if len(value) == 16 and value.isascii() and value.isdigit():
        return value
    return str(_stdnum_compact(value))


def parse_nik(
    nik: str,
    *,
    reference_date: date,
    is_known_province: Callable[[str], bool] | None = None,
) -> ParsedNik:
    """Read a NIK, raising DomainError (field 'nik') for the first rule it breaks.

    ``reference_date`` resolves the two-digit year: we take the most recent date with that
    DDMMYY that is not after ``reference_date``. A NIK cannot tell a 1-year-old from a
    101-year-old (YY=25 with reference 2026 gives 2025, never 1925); when the register holds
    the full birth date, compare with ``check_nik_against`` rather than trusting the century.

    ``is_known_province`` receives the province code ('17'); pass the region table's lookup
    so that a province that never existed (99, 10) is refused. A province in
    RETIRED_PROVINCE_CODES is accepted. The kecamatan and regency codes are not looked up:
    a retired one is still a valid NIK (`retired_region_note`).
    """
    number = compact_nik(nik)
    if len(number) != NIK_LENGTH:
        raise DomainError(
            "nik_length",
            _FIELD,
            Msg("NIK harus 16 digit angka (diterima {number})", number=len(number)),
        )
    if not isdigits(number):
        raise DomainError("nik_digits", _FIELD, Msg("NIK hanya boleh berisi angka 0-9"))

    province, regency, district = number[0:2], number[2:4], number[4:6]
    kecamatan_code = f"{province}.{regency}.{district}"
    if "00" in (province, regency, district):
        # Kemendagri numbers every level from 01; a 00 segment is always a typo.
        raise DomainError(
            "nik_region",
            _FIELD,
            Msg(
                "Kode wilayah pada NIK (6 digit pertama) tidak sah: {kecamatan_code}",
                kecamatan_code=kecamatan_code,
            ),
        )
    if (
        is_known_province is not None
        and province not in RETIRED_PROVINCE_CODES
        and not is_known_province(province)
    ):
        raise DomainError(
            "nik_province_unknown",
            _FIELD,
            Msg(
                "Kode provinsi {province} pada NIK bukan provinsi yang ada atau pernah ada",
                province=province,
            ),
        )

    birth_date, sex = _decode_birth(number[6:12], reference_date)

    serial = number[12:16]
    if serial == "0000":
        raise DomainError(
            "nik_serial", _FIELD, Msg("Nomor urut NIK (4 digit terakhir) tidak boleh 0000")
        )

    return ParsedNik(
        nik=number,
        kecamatan_code=kecamatan_code,
        province_code=province,
        regency_code=f"{province}.{regency}",
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )


def retired_region_note(
    parsed: ParsedNik,
    *,
    is_known_kecamatan: Callable[[str], bool],
    is_known_regency: Callable[[str], bool],
) -> str | None:
    """None when the NIK's kecamatan is in the current list; otherwise the note that says
    which of its codes is not (the regency's when the whole regency is gone, as 91.01 Merauke,
    else the kecamatan's). Such a NIK is valid: codes are retired when regions split, and a
    NIK keeps the codes it was issued with."""
    if is_known_kecamatan(parsed.kecamatan_code):
        return None
    if not is_known_regency(parsed.regency_code):
        return (
            f"kode kabupaten/kota {parsed.regency_code} pada NIK tidak ada dalam daftar "
            "wilayah saat ini"
        )
    return (
        f"kode kecamatan {parsed.kecamatan_code} pada NIK tidak ada dalam daftar wilayah saat ini"
    )


def check_nik_format(
    nik: str, *, reference_date: date, field: str = _FIELD, label: str = "NIK"
) -> ParsedNik:
    """A NIK typed at the counter, checked for its form only: 16 digits, region segments that
    are not 00, a real birth date, a serial that is not 0000. Whether its kecamatan code is
    still in the current list is not asked (a NIK is for life; codes are retired when regions
    split). The error names the rule; ``field`` and ``label`` name whose NIK it is (the
    applicant's, a proxy's)."""
    try:
        return parse_nik(nik, reference_date=reference_date)
    except DomainError as exc:
        if field == _FIELD and label == "NIK":
            raise
        if exc.message.startswith("NIK "):
            message = f"{label} {exc.message[4:]}"
        else:
            message = f"{label}: {exc.message}"
        raise DomainError(exc.code, field, message) from None


def _decode_birth(ddmmyy: str, reference_date: date) -> tuple[date, Sex]:
    raw_day, month, yy = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    sex: Sex
    if 1 <= raw_day <= 31:
        sex, day = "L", raw_day
    elif FEMALE_DAY_OFFSET + 1 <= raw_day <= FEMALE_DAY_OFFSET + 31:
        sex, day = "P", raw_day - FEMALE_DAY_OFFSET
    else:
        raise DomainError(
            "nik_birth_date",
            _FIELD,
            Msg(
                "Tanggal lahir pada NIK tidak sah: hari {ddmmyy} (harus 01-31 untuk laki-laki atau 41-71 untuk perempuan)",
                ddmmyy=ddmmyy[0:2],
            ),
        )

    # Walk back century by century from the reference year: the first real calendar date
    # that is not in the future is the most plausible birth date.
    century = reference_date.year // 100 * 100
    for back in range(_MAX_CENTURIES_BACK + 1):
        year = century - 100 * back + yy
        if year > reference_date.year:
            continue
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference_date:
            return candidate, sex
    raise DomainError(
        "nik_birth_date",
        _FIELD,
        Msg(
            "Tanggal lahir pada NIK bukan tanggal yang sah: {day:02d}-{ddmmyy}-{ddmmyy2}",
            day=day,
            ddmmyy=ddmmyy[2:4],
            ddmmyy2=ddmmyy[4:6],
        ),
    )


def check_nik_against(parsed: ParsedNik, *, birth_date: date, sex: str) -> None:
    """Raise DomainError when the register row contradicts what the NIK encodes.

    Only DD, MM and the last two digits of the year are compared: the NIK does not carry
    the century, so a row saying 1925 agrees with a NIK read as 2025.
    """
    encoded = parsed.birth_date
    if (birth_date.day, birth_date.month, birth_date.year % 100) != (
        encoded.day,
        encoded.month,
        encoded.year % 100,
    ):
        raise DomainError(
            "nik_birth_date_mismatch",
            "tanggal_lahir",
            Msg(
                "Tanggal lahir {birth_date:%d-%m-%Y} tidak cocok dengan NIK (NIK mencatat {encoded:%d-%m-%y})",
                birth_date=birth_date,
                encoded=encoded,
            ),
        )
    if sex not in ("L", "P"):
        raise DomainError(
            "jenis_kelamin_invalid", "jenis_kelamin", Msg("Jenis kelamin harus 'L' atau 'P'")
        )
    if sex != parsed.sex:
        raise DomainError(
            "nik_sex_mismatch",
            "jenis_kelamin",
            Msg(
                "Jenis kelamin {sex_word} tidak cocok dengan NIK (NIK mencatat {sex_word2})",
                sex_word=_SEX_WORD[sex],
                sex_word2=_SEX_WORD[parsed.sex],
            ),
        )


_SEX_WORD = {"L": "laki-laki", "P": "perempuan"}


def mask_nik(nik: str) -> str:
    """Show only the first 4 (regency) and last 4 digits, for lists and public pages.

    Anything that is not a well-formed 16-digit number is masked entirely: it may be some
    other identifier typed in the wrong box, and a mask must never leak it.
    """
    number = compact_nik(nik)
    if len(number) != NIK_LENGTH or not isdigits(number):
        return "*" * len(number)
    return number[:4] + "*" * 8 + number[-4:]


def mask_number(value: str) -> str:
    """A personal document's number (family card, police report, birth certificate ...) for
    the roles that see masked NIKs: a 16-digit number (a KK, or a NIK typed in that box) is
    masked exactly like a NIK (3171********0001); any other keeps at most its last four
    characters and at most a third of them (LP/123/XI/2026 -> **********2026)."""
    text = value.strip()
    if not text:
        return text
    number = compact_nik(text)
    if len(number) == NIK_LENGTH and isdigits(number):
        return mask_nik(number)
    keep = min(4, len(text) // 3)
    return "*" * (len(text) - keep) + text[len(text) - keep :]


# Digits as people write a NIK in running text or a URL: groups of digits joined by one
# separator each (dot, dash, space, and in a URL '+', %20, %2D, %2E).
_SEPARATOR = r"(?:[.\- +]|%20|%2[dDeE])"
_DIGIT_RUN = re.compile(rf"\d+(?:{_SEPARATOR}\d+)*")
_SPLIT = re.compile(rf"({_SEPARATOR})")


def mask_niks_in(text: str) -> str:
    """Every NIK in a text masked: the one recognition rule for what may not reach a log.

    A NIK is 16 digits, bare (1704015705900001) or written in groups with separators
    (1704.0112.3456.0001, 1704-0112-3456-0001, 17.04.01.120390.0001, 1704+0112+... or
    1704%200112... in a query string). In a run of groups, every run of whole consecutive
    groups holding 16 digits in all is masked; a bare run of more or fewer than 16 digits is
    not a NIK. A masked run of exactly 16 digits reads like `mask_nik` (1704********0001);
    where such runs overlap (more digits around a NIK, e.g. a date before it) every digit of
    them becomes '*': a log had rather lose a date than keep a NIK.
    """
    return _DIGIT_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # Even items are groups of digits, odd items the separators between them.
    parts = _SPLIT.split(run)
    groups = parts[0::2]
    if len(groups) == 1:
        return mask_nik(run) if len(run) == NIK_LENGTH else run
    hidden = [False] * len(groups)
    for first in range(len(groups)):
        total = 0
        for last in range(first, len(groups)):
            total += len(groups[last])
            if total >= NIK_LENGTH:
                if total == NIK_LENGTH:
                    hidden[first : last + 1] = [True] * (last + 1 - first)
                break
    if not any(hidden):
        return run
    out: list[str] = []
    i = 0
    while i < len(groups):
        if i:
            out.append(parts[2 * i - 1])  # the separator before group i
        if not hidden[i]:
            out.append(groups[i])
            i += 1
            continue
        j = i
        while j + 1 < len(groups) and hidden[j + 1]:
            j += 1
        digits = "".join(groups[i : j + 1])
        if len(digits) == NIK_LENGTH:
            out.append(mask_nik(digits))
        else:
            span = range(2 * i, 2 * j + 1)
            out.append("".join(parts[k] if k % 2 else "*" * len(parts[k]) for k in span))
        i = j + 1
    return "".join(out)


def build_nik(kecamatan_code: str, birth_date: date, sex: Sex, serial: int) -> str:
    """Compose a NIK from its parts (fixtures, test data); the inverse of ``parse_nik``."""
    region = kecamatan_code.replace(".", "")
    if len(region) != 6 or not isdigits(region):
        raise DomainError(
            "nik_region",
            "kecamatan_code",
            Msg("Kode kecamatan tidak sah: {kecamatan_code}", kecamatan_code=kecamatan_code),
        )
    if not 1 <= serial <= 9999:
        raise DomainError("nik_serial", "serial", Msg("Nomor urut NIK harus 1-9999"))
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{serial:04d}"
