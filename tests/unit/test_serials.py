"""Serial numbers and ranges: parsing, normalising, merging, formatting, splitting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blangko.domain.errors import DomainError
from blangko.domain.serials import (
    MAX_RANGE,
    SerialRange,
    expand,
    format_ranges,
    from_serials,
    merge,
    parse_ranges,
    single,
    split_serial,
    total,
)


def _error(text: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse_ranges(text)
    assert info.value.field == "serials"
    assert info.value.message  # a message the clerk can read
    return info.value


# split_serial ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("KR0001001", ("KR", 1001, 7)),
        ("kr0001001", ("KR", 1001, 7)),
        ("  KR0001001 ", ("KR", 1001, 7)),
        ("0007", ("", 7, 4)),
        ("A1B22", ("A1B", 22, 2)),  # only the trailing digits are the number
        ("ABC", ("ABC", 0, 0)),  # no digits: a lone serial of width 0
        ("X" * 32, ("X" * 32, 0, 0)),
        # The number is the last 18 digits at most (a 64-bit column); the rest is prefix.
        ("A" + "0" * 30 + "1", ("A" + "0" * 13, 1, 18)),
        ("1" * 32, ("1" * 14, 111_111_111_111_111_111, 18)),
        ("9" * 19, ("9", 999_999_999_999_999_999, 18)),
    ],
)
def test_split_serial_prefix_number_width(serial: str, expected: tuple[str, int, int]) -> None:
    assert split_serial(serial) == expected


@pytest.mark.parametrize("serial", ["", " ", "A" * 33, "1" * 33, "KR-01", "KR_01", "KR 01", "É1"])
def test_split_serial_rejects_bad_characters_and_length(serial: str) -> None:
    with pytest.raises(DomainError) as info:
        split_serial(serial, "serial")
    assert info.value.code == "serial_format"
    assert info.value.field == "serial"
    assert "1 sampai 32" in info.value.message


def test_thirty_two_characters_is_the_limit() -> None:
    assert parse_ranges("Z" * 32) == [SerialRange("Z" * 32, 0, 0, 0)]
    assert parse_ranges("A" * 28 + "0001-" + "A" * 28 + "0003") == [SerialRange("A" * 28, 4, 1, 3)]
    assert _error("A" * 29 + "0001").code == "serial_format"
    assert _error("A" * 28 + "0001-" + "A" * 29 + "0003").code == "serial_format"


def test_long_digit_runs_range_over_the_last_18_digits() -> None:
    first, last = "K" + "0" * 30 + "1", "K" + "0" * 30 + "5"
    ranges = parse_ranges(f"{first}-{last}")
    assert ranges == [SerialRange("K" + "0" * 13, 18, 1, 5)]
    assert list(expand(ranges))[0] == first and list(expand(ranges))[-1] == last
    assert max(r.last for r in parse_ranges("9" * 32)) < 2**63  # fits the BIGINT columns
    # Ends that differ above the last 18 digits are different prefixes.
    assert _error("K1" + "0" * 18 + "-K2" + "0" * 18).code == "range_mismatch"


@given(st.from_regex(r"[A-Z0-9]{1,32}", fullmatch=True))
def test_any_valid_serial_splits_and_rebuilds_exactly(serial: str) -> None:
    prefix, number, width = split_serial(serial)
    assert width <= 18 and 0 <= number < 10**18
    assert prefix + (str(number).zfill(width) if width else "") == serial
    assert format_ranges(parse_ranges(serial.lower())) == serial


# parse_ranges ---------------------------------------------------------------------------------


def test_parse_example_from_the_issue() -> None:
    ranges = parse_ranges("KR0001001-KR0005000,KR0005101")
    assert ranges == [SerialRange("KR", 7, 1001, 5000), SerialRange("KR", 7, 5101, 5101)]
    assert total(ranges) == 4001
    assert format_ranges(ranges) == "KR0001001-KR0005000,KR0005101"


def test_lowercase_whitespace_and_separators_are_normalised() -> None:
    assert parse_ranges(" kr0001-Kr0003 ;\nkr0010 ,, ") == [
        SerialRange("KR", 4, 1, 3),
        SerialRange("KR", 4, 10, 10),
    ]


def test_items_are_sorted_and_touching_items_merged() -> None:
    ranges = parse_ranges("KR0006-KR0009,KR0001-KR0005,KR0010")
    assert ranges == [SerialRange("KR", 4, 1, 10)]
    assert format_ranges(ranges) == "KR0001-KR0010"


def test_same_number_different_width_or_prefix_are_different_cards() -> None:
    ranges = parse_ranges("KR0009-KR0011,KR09-KR11,KS0009-KS0011")
    assert ranges == [
        SerialRange("KR", 2, 9, 11),
        SerialRange("KR", 4, 9, 11),
        SerialRange("KS", 4, 9, 11),
    ]
    assert total(ranges) == 9
    assert list(expand(ranges))[:3] == ["KR09", "KR10", "KR11"]


def test_lone_serial_without_digits() -> None:
    ranges = parse_ranges("ABC,abd")
    # Width 0 serials never merge with each other: they have no number to run over.
    assert ranges == [SerialRange("ABC", 0, 0, 0), SerialRange("ABD", 0, 0, 0)]
    assert list(expand(ranges)) == ["ABC", "ABD"]
    assert format_ranges(ranges) == "ABC,ABD"
    assert _error("ABC,abc").code == "range_overlap"


def test_a_range_of_serials_without_digits_is_refused() -> None:
    err = _error("ABC-ABD")
    assert err.code == "range_mismatch"
    assert "ABC-ABD" in err.message


@pytest.mark.parametrize(
    "text",
    ["KR0001-KS0005", "KR0001-KR005", "KR001-KR0005", "KR0001-0005", "0001-KR0005", "A1-B1"],
)
def test_ends_must_share_prefix_and_width(text: str) -> None:
    err = _error(text)
    assert err.code == "range_mismatch"
    assert "awal dan akhir" in err.message


def test_backwards_range_is_refused() -> None:
    err = _error("KR0005-KR0001")
    assert err.code == "range_backwards"
    assert "KR0005-KR0001" in err.message and "terbalik" in err.message


def test_single_serial_range_is_fine() -> None:
    assert parse_ranges("KR0005-KR0005") == [SerialRange("KR", 4, 5, 5)]


@pytest.mark.parametrize(
    "text",
    [
        "KR0001-KR0005,KR0003-KR0007",
        "KR0001-KR0005,KR0005",
        "KR0001-KR0005,KR0001-KR0005",
        "KR0003,kr0003",
        "KR0001-KR0010,KR0004-KR0006",
    ],
)
def test_overlapping_items_are_refused_not_merged(text: str) -> None:
    err = _error(text)
    assert err.code == "range_overlap"
    assert "tumpang tindih" in err.message


@pytest.mark.parametrize("text", ["", "   ", ",", " , ;\n"])
def test_empty_input(text: str) -> None:
    assert _error(text).code == "serials_empty"


@pytest.mark.parametrize("text", ["KR0001-KR0002-KR0003", "KR0001--KR0002", "-KR0001", "KR0001-"])
def test_malformed_ranges(text: str) -> None:
    assert _error(text).code in {"serial_format", "range_mismatch"}


def test_range_size_limit() -> None:
    ok = parse_ranges(f"X{1:08d}-X{MAX_RANGE:08d}")
    assert total(ok) == MAX_RANGE
    err = _error(f"X{0:08d}-X{MAX_RANGE:08d}")
    assert err.code == "range_too_large"


def test_field_name_is_passed_through() -> None:
    with pytest.raises(DomainError) as info:
        parse_ranges("KR5-KR1", "missing")
    assert info.value.field == "missing"


# merge / from_serials / format ----------------------------------------------------------------


def test_merge_joins_touching_and_overlapping_ranges_only_within_prefix_and_width() -> None:
    merged = merge(
        [
            SerialRange("KR", 4, 6, 8),
            SerialRange("KR", 4, 1, 5),
            SerialRange("KR", 4, 7, 12),
            SerialRange("KR", 4, 14, 14),
            SerialRange("KR", 3, 13, 13),
            SerialRange("KS", 4, 13, 13),
        ]
    )
    assert merged == [
        SerialRange("KR", 3, 13, 13),
        SerialRange("KR", 4, 1, 12),
        SerialRange("KR", 4, 14, 14),
        SerialRange("KS", 4, 13, 13),
    ]


def test_from_serials_compresses_and_collapses_duplicates() -> None:
    assert from_serials(["KR0003", "kr0001", "KR0002", "KR0002", "KR0009", "ABC", "abc"]) == [
        SerialRange("ABC", 0, 0, 0),
        SerialRange("KR", 4, 1, 3),
        SerialRange("KR", 4, 9, 9),
    ]
    assert from_serials([]) == []


def test_range_str_count_serials_and_overlaps() -> None:
    r = SerialRange("KR", 7, 1001, 1003)
    assert str(r) == "KR0001001-KR0001003"
    assert r.count == 3
    assert list(r.serials()) == ["KR0001001", "KR0001002", "KR0001003"]
    assert str(single("kr0001001")) == "KR0001001"
    assert r.overlaps(SerialRange("KR", 7, 1003, 1010))
    assert not r.overlaps(SerialRange("KR", 7, 1004, 1010))
    assert not r.overlaps(SerialRange("KR", 6, 1001, 1003))
    assert not r.overlaps(SerialRange("KS", 7, 1001, 1003))


# Properties -----------------------------------------------------------------------------------

_letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)
# A prefix may hold digits inside, never at its end (those would belong to the number).
_prefix = st.one_of(
    st.just(""),
    _letters,
    st.builds(
        lambda a, d, b: a + d + b, _letters, st.from_regex(r"[0-9]{1,2}", fullmatch=True), _letters
    ),
)


@st.composite
def serials(draw: st.DrawFn) -> str:
    prefix = draw(_prefix)
    width = draw(st.integers(min_value=0 if prefix else 1, max_value=6))
    if width == 0:
        return prefix
    return prefix + str(draw(st.integers(0, 10**width - 1))).zfill(width)


@st.composite
def range_lists(draw: st.DrawFn) -> list[SerialRange]:
    """Arbitrary valid ranges (possibly overlapping, touching, unsorted)."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        prefix = draw(st.sampled_from(["", "KR", "A1B", "X"]))
        width = draw(st.integers(min_value=0 if prefix else 1, max_value=5))
        if width == 0:
            out.append(SerialRange(prefix, 0, 0, 0))
            continue
        first = draw(st.integers(0, min(10**width - 1, 60)))
        last = draw(st.integers(first, min(10**width - 1, first + 30)))
        out.append(SerialRange(prefix, width, first, last))
    return out


@given(st.lists(serials(), min_size=1, max_size=40))
def test_from_serials_is_a_lossless_canonical_compression(items: list[str]) -> None:
    ranges = from_serials(items)
    assert set(expand(ranges)) == set(items)
    assert total(ranges) == len(set(items))
    # Canonical: sorted, and no two neighbours could have been joined.
    assert ranges == sorted(ranges)
    for a, b in zip(ranges, ranges[1:], strict=False):
        assert not (
            a.prefix == b.prefix and a.width == b.width and a.width and b.first <= a.last + 1
        )
    # The stored text reads back to the same ranges, and formatting it again is stable.
    text = format_ranges(ranges)
    assert parse_ranges(text) == ranges
    assert format_ranges(parse_ranges(text)) == text


@given(range_lists())
def test_expand_then_compress_is_identity_on_canonical_ranges(raw: list[SerialRange]) -> None:
    canonical = merge(raw)
    assert from_serials(expand(canonical)) == canonical
    assert merge(canonical) == canonical
    assert set(expand(canonical)) == set(expand(raw))


@settings(max_examples=200)
@given(range_lists(), st.randoms(use_true_random=False))
def test_parse_of_any_rendering_is_stable(raw: list[SerialRange], rnd) -> None:  # type: ignore[no-untyped-def]
    """Whatever order, case and separators the clerk types, the canonical form is the same."""
    canonical = merge(raw)
    items = [str(r) for r in canonical]
    rnd.shuffle(items)
    items = [s.lower() if rnd.random() < 0.5 else s for s in items]
    text = "".join(f"{rnd.choice([',', ';', chr(10), ' , '])}{s}" for s in items)
    parsed = parse_ranges(text)
    assert parsed == canonical
    assert format_ranges(parse_ranges(format_ranges(parsed))) == format_ranges(parsed)


@given(range_lists())
def test_parse_refuses_exactly_the_overlapping_inputs(raw: list[SerialRange]) -> None:
    text = ",".join(str(r) for r in raw)
    serial_lists = [list(r.serials()) for r in raw]
    all_serials = [s for lst in serial_lists for s in lst]
    if len(all_serials) != len(set(all_serials)):
        with pytest.raises(DomainError) as info:
            parse_ranges(text)
        assert info.value.code == "range_overlap"
    else:
        assert list(expand(parse_ranges(text))) == sorted(
            all_serials, key=lambda s: (split_serial(s)[0], split_serial(s)[2], split_serial(s)[1])
        )


def test_long_digit_runs_keep_their_head_in_the_prefix() -> None:
    assert split_serial("X12345678901234567890") == ("X12", 345678901234567890, 18)
    assert [str(r) for r in parse_ranges("X12345678901234567890-X12345678901234567891")] == [
        "X12345678901234567890-X12345678901234567891"
    ]
