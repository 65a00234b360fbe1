from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blangko.domain.errors import DomainError
from blangko.domain.nik import (
    RETIRED_PROVINCE_CODES,
    ParsedNik,
    build_nik,
    check_nik_against,
    check_nik_format,
    compact_nik,
    mask_nik,
    mask_niks_in,
    mask_number,
    parse_nik,
    retired_region_note,
)

REF = date(2026, 6, 1)


def _error(nik: str, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse_nik(nik, reference_date=kwargs.pop("reference_date", REF), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == "nik"
    return info.value


def test_parses_all_parts_of_a_man_s_nik() -> None:
    parsed = parse_nik("1704011708450001", reference_date=REF)
    assert parsed == ParsedNik(
        nik="1704011708450001",
        kecamatan_code="17.04.01",
        province_code="17",
        regency_code="17.04",
        birth_date=date(1945, 8, 17),
        sex="L",
        serial="0001",
    )


def test_woman_has_forty_added_to_the_day() -> None:
    parsed = parse_nik("1704015708450002", reference_date=REF)
    assert parsed.sex == "P"
    assert parsed.birth_date == date(1945, 8, 17)


def test_woman_born_on_the_31st_is_day_71() -> None:
    assert parse_nik("1704017112900003", reference_date=REF).birth_date == date(1990, 12, 31)


def test_separators_typed_by_a_clerk_are_ignored() -> None:
    assert parse_nik(" 1704 01 170845 0001 ", reference_date=REF).nik == "1704011708450001"
    assert compact_nik("1704.01-1708450001") == "1704011708450001"


@pytest.mark.parametrize(
    ("nik", "received"),
    [("170401170845000", 15), ("17040117084500011", 17), ("", 0)],
)
def test_length_rule_names_the_length_received(nik: str, received: int) -> None:
    err = _error(nik)
    assert err.code == "nik_length"
    assert err.message == f"NIK harus 16 digit angka (diterima {received})"


def test_letters_are_rejected() -> None:
    err = _error("17040117O8450001")  # letter O instead of zero
    assert err.code == "nik_digits"
    assert "angka" in err.message


@pytest.mark.parametrize("nik", ["0004011708450001", "1700011708450001", "1704001708450001"])
def test_zero_region_segment_is_rejected(nik: str) -> None:
    assert _error(nik).code == "nik_region"


def test_province_that_never_existed_is_refused_via_callback() -> None:
    seen: list[str] = []
    provinces = {"17", "91", "93"}

    def known(code: str) -> bool:
        seen.append(code)
        return code in provinces

    assert parse_nik("1704011708450001", reference_date=REF, is_known_province=known)
    # Merauke's NIK of before 2022: regency 91.01 is retired, province 91 (Papua) exists.
    assert parse_nik("9101011708450001", reference_date=REF, is_known_province=known)
    for never in ("99", "10"):
        err = _error(f"{never}04011708450001", is_known_province=known)
        assert err.code == "nik_province_unknown"
        assert f"Kode provinsi {never} pada NIK bukan provinsi yang ada atau pernah ada" == (
            err.message
        )
    assert seen == ["17", "91", "99", "10"]


def test_a_retired_province_code_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """No province code has been retired since the national NIK (the constant is empty);
    one that is, is accepted without asking the current list."""
    assert not RETIRED_PROVINCE_CODES
    monkeypatch.setattr("blangko.domain.nik.RETIRED_PROVINCE_CODES", frozenset({"54"}))
    parsed = parse_nik("5401011708450001", reference_date=REF, is_known_province=lambda c: False)
    assert parsed.province_code == "54"


def test_retired_region_codes_give_a_note_not_an_error() -> None:
    kecamatan = {"17.04.01", "93.01.01"}
    regencies = {"17.04", "93.01", "91.03"}

    def note(nik: str) -> str | None:
        return retired_region_note(
            parse_nik(nik, reference_date=REF),
            is_known_kecamatan=kecamatan.__contains__,
            is_known_regency=regencies.__contains__,
        )

    assert note("1704011708450001") is None
    # The whole regency retired (Merauke, 91.01 -> 93.01 in 2022): the regency is named.
    assert note("9101011708450001") == (
        "kode kabupaten/kota 91.01 pada NIK tidak ada dalam daftar wilayah saat ini"
    )
    # A kecamatan code retired inside a regency that still exists.
    assert note("1704991708450001") == (
        "kode kecamatan 17.04.99 pada NIK tidak ada dalam daftar wilayah saat ini"
    )


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "310290",  # 31 February
        "720290",  # woman, 72 - 40 = 32
        "000190",  # day 0
        "400190",  # day 40: neither a man's nor a woman's day
        "810190",  # day 81: stdnum's modulo-40 would read this as the 1st
        "011390",  # month 13
        "010090",  # month 0
        "290201",  # 29 February of a non-leap year in every century
        "690201",  # same for a woman (69 - 40 = 29)
    ],
)
def test_invalid_birth_dates_are_rejected(ddmmyy: str) -> None:
    err = _error(f"170401{ddmmyy}0001")
    assert err.code == "nik_birth_date"


@pytest.mark.parametrize("day", ["00", "40", "72", "81", "99"])
def test_day_outside_both_ranges_names_the_ranges(day: str) -> None:
    err = _error(f"170401{day}01900001")
    assert err.code == "nik_birth_date"
    assert "01-31" in err.message and "41-71" in err.message


def test_serial_0000_is_rejected() -> None:
    err = _error("1704011708450000")
    assert err.code == "nik_serial"
    assert "0000" in err.message


def test_29_february_in_a_leap_year() -> None:
    assert parse_nik("1704012902040001", reference_date=REF).birth_date == date(2004, 2, 29)
    assert parse_nik("1704016902960001", reference_date=REF).birth_date == date(1996, 2, 29)


def test_29_february_of_year_00_is_2000_because_1900_was_not_leap() -> None:
    assert parse_nik("1704012902000001", reference_date=REF).birth_date == date(2000, 2, 29)
    # Past 2100 the most recent century is 2100 (not leap), so the rule falls back to 2000.
    later = parse_nik("1704012902000001", reference_date=date(2110, 1, 1))
    assert later.birth_date == date(2000, 2, 29)


class TestCentury:
    """A NIK has only YY; the most recent date that is not after the reference date wins.

    A NIK cannot tell a 1-year-old from a 101-year-old: someone born in 1925 whose NIK says
    YY=25 reads as 2025 when the reference is 2026. The register's full birth date settles it.
    """

    def test_born_2005_is_2005_not_1905(self) -> None:
        assert parse_nik("1704010105050001", reference_date=REF).birth_date == date(2005, 5, 1)

    def test_yy_99_is_1999(self) -> None:
        assert parse_nik("1704010105990001", reference_date=REF).birth_date == date(1999, 5, 1)

    def test_yy_25_is_2025_even_for_a_1925_resident(self) -> None:
        assert parse_nik("1704010105250001", reference_date=REF).birth_date == date(2025, 5, 1)

    def test_same_yy_later_in_the_year_than_reference_goes_back_a_century(self) -> None:
        # 2 June 2026 would be in the future relative to 1 June 2026.
        assert parse_nik("1704010206260001", reference_date=REF).birth_date == date(1926, 6, 2)

    def test_born_on_the_reference_date_is_accepted(self) -> None:
        assert parse_nik("1704010106260001", reference_date=REF).birth_date == REF

    def test_1925_resident_is_consistent_with_register(self) -> None:
        parsed = parse_nik("1704010105250001", reference_date=REF)
        check_nik_against(parsed, birth_date=date(1925, 5, 1), sex="L")  # no error


class TestCheckAgainst:
    parsed = parse_nik("1704015708450002", reference_date=REF)  # woman, 17-08-1945

    def test_matching_row_passes(self) -> None:
        check_nik_against(self.parsed, birth_date=date(1945, 8, 17), sex="P")  # must not raise

    def test_birth_date_mismatch(self) -> None:
        with pytest.raises(DomainError) as info:
            check_nik_against(self.parsed, birth_date=date(1945, 8, 18), sex="P")
        assert info.value.code == "nik_birth_date_mismatch"
        assert info.value.field == "tanggal_lahir"
        assert "18-08-1945" in info.value.message

    def test_year_mismatch_within_century(self) -> None:
        with pytest.raises(DomainError) as info:
            check_nik_against(self.parsed, birth_date=date(1946, 8, 17), sex="P")
        assert info.value.code == "nik_birth_date_mismatch"

    def test_sex_mismatch(self) -> None:
        with pytest.raises(DomainError) as info:
            check_nik_against(self.parsed, birth_date=date(1945, 8, 17), sex="L")
        assert info.value.code == "nik_sex_mismatch"
        assert info.value.field == "jenis_kelamin"
        assert "perempuan" in info.value.message

    def test_unknown_sex_code(self) -> None:
        with pytest.raises(DomainError) as info:
            check_nik_against(self.parsed, birth_date=date(1945, 8, 17), sex="W")
        assert info.value.code == "jenis_kelamin_invalid"


def test_mask_shows_first_and_last_four() -> None:
    assert mask_nik("3171011708450001") == "3171********0001"
    assert mask_nik("3171 0117 0845 0001") == "3171********0001"


@pytest.mark.parametrize("value", ["12345678", "317101170845000X", "31710117084500012"])
def test_mask_hides_everything_when_not_a_nik(value: str) -> None:
    masked = mask_nik(value)
    assert set(masked) == {"*"}
    assert len(masked) == len(value)


NIK = "1704011203900001"


@pytest.mark.parametrize(
    "written",
    [
        NIK,
        "1704.0112.0390.0001",
        "1704-0112-0390-0001",
        "1704 0112 0390 0001",
        "17.04.01.120390.0001",
        "1704+0112+0390+0001",  # a query string's spaces
        "1704%200112%200390%200001",
        "1704%2D0112%2e0390%2E0001",
    ],
)
def test_a_nik_however_written_is_masked_in_text(written: str) -> None:
    line = f'127.0.0.1:51234 - "GET /layanan?nik={written}&x=1 HTTP/1.1" 200'
    masked = mask_niks_in(line)
    assert "1704********0001" in masked
    digits = "".join(c for c in masked if c.isdigit())
    assert NIK not in digits, masked
    assert masked.startswith('127.0.0.1:51234 - "GET /layanan?nik=') and masked.endswith("200")


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1:8000 2026-11-27 10:15:30,123",  # addresses, dates and times stay
        "17040112039000012",  # 17 digits: no NIK
        "170401120390001",  # 15 digits
        "KR0001001-KR0005000",
        "1704-20261127-7KQX-M9PD",
    ],
)
def test_text_without_a_nik_is_left_alone(text: str) -> None:
    assert mask_niks_in(text) == text


def test_digits_around_a_grouped_nik_are_masked_too() -> None:
    """Where a NIK written in groups sits in a longer run of groups, every digit of the runs
    that could be it is hidden: a log had rather lose a date than keep a NIK."""
    masked = mask_niks_in("pada 2026-11-27 1704 0112 0390 0001 ok")
    assert "0390" not in masked and masked.endswith(" ok") and masked.startswith("pada ")
    assert mask_niks_in("baris 12 " + NIK) == "baris 12 1704********0001"


def test_document_numbers_are_masked_like_niks() -> None:
    assert mask_number("1704012345670001") == "1704********0001"  # a KK
    assert mask_number("1704 0123 4567 0001") == "1704********0001"
    assert mask_number("LP/123/XI/2026") == "**********2026"
    assert mask_number("AB") == "**"
    assert mask_number("") == ""


kecamatan_codes = st.tuples(st.integers(11, 94), st.integers(1, 79), st.integers(1, 99)).map(
    lambda t: f"{t[0]:02d}.{t[1]:02d}.{t[2]:02d}"
)


@given(
    kecamatan=kecamatan_codes,
    birth=st.dates(min_value=date(1927, 6, 2), max_value=REF),
    sex=st.sampled_from(["L", "P"]),
    serial=st.integers(1, 9999),
)
def test_round_trip_build_then_parse(kecamatan: str, birth: date, sex: str, serial: int) -> None:
    # Within the last 99 years before the reference date the century is unambiguous.
    nik = build_nik(kecamatan, birth, sex, serial)  # type: ignore[arg-type]
    parsed = parse_nik(nik, reference_date=REF)
    assert parsed.nik == nik
    assert parsed.kecamatan_code == kecamatan
    assert parsed.regency_code == kecamatan[:5]
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert int(parsed.serial) == serial
    check_nik_against(parsed, birth_date=birth, sex=sex)
    assert mask_nik(nik) == nik[:4] + "********" + nik[-4:]


@given(birth=st.dates(min_value=date(1850, 1, 1), max_value=REF), sex=st.sampled_from("LP"))
def test_parsed_date_is_never_in_the_future_and_agrees_on_ddmmyy(birth: date, sex: str) -> None:
    parsed = parse_nik(build_nik("17.04.01", birth, sex, 1), reference_date=REF)  # type: ignore[arg-type]
    assert parsed.birth_date <= REF
    assert (parsed.birth_date.day, parsed.birth_date.month) == (birth.day, birth.month)
    assert parsed.birth_date.year % 100 == birth.year % 100
    assert parsed.birth_date >= birth  # the most recent candidate, never an older one


# --- the counter's format check (issue 12, point 5) --------------------------------------------


def test_counter_format_check_names_the_rule_not_the_registry() -> None:
    today = date(2026, 11, 27)
    for typed, code, words in (
        ("170401170590000", "nik_length", "16 digit"),  # 15 digits
        ("17040117059000011", "nik_length", "16 digit"),
        ("17040117059O0001", "nik_digits", "angka"),  # a letter O for a zero
        ("1704013205900001", "nik_birth_date", "Tanggal lahir"),  # day 32
        ("1704011705900000", "nik_serial", "0000"),
        ("0004011705900001", "nik_region", "Kode wilayah"),
    ):
        with pytest.raises(DomainError) as err:
            check_nik_format(typed, reference_date=today)
        assert (err.value.code, err.value.field) == (code, "nik"), typed
        assert words in err.value.message
    # Separators people type are fine, and a retired kecamatan code is still a NIK: it is for
    # life (Merauke's 91.01 became 93.01 in 2022).
    assert check_nik_format("1704 0117 0590 0001", reference_date=today).nik == "1704011705900001"
    assert check_nik_format("9101011705900001", reference_date=today).regency_code == "91.01"
    with pytest.raises(DomainError) as err:
        check_nik_format("91010117059", reference_date=today, field="proxy_nik", label="NIK kuasa")
    assert err.value.field == "proxy_nik" and err.value.message.startswith("NIK kuasa harus")
