"""The limits of domain/limits.py and the range arithmetic that keeps them cheap (issue 19,
findings 4 and 6): pure rules, no database."""

from __future__ import annotations

import random
import time
from datetime import date, datetime

import pytest

from blangko.domain.errors import DomainError
from blangko.domain.limits import (
    MAX_SERIALS_PER_COUNT,
    MAX_SERIALS_PER_WRITE,
    check_date,
    check_inputs,
    check_text,
    printable,
    ribuan,
)
from blangko.domain.serials import difference, expand, merge, parse_ranges, single, total
from blangko.services.stock.counts import parse_scanned


def error(call, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


def test_ribuan_is_indonesian() -> None:
    assert ribuan(100_000) == "100.000"
    assert ribuan(9_999_999) == "9.999.999"


def test_a_range_is_counted_by_its_ends_never_expanded() -> None:
    started = time.perf_counter()
    e = error(parse_ranges, "KR0000001-KR9999999", limit=MAX_SERIALS_PER_WRITE)
    assert time.perf_counter() - started < 0.1
    assert (e.code, e.field) == ("too_many_serials", "serials")
    assert e.message.startswith(
        "Paling banyak 100.000 nomor seri per transaksi (diminta 9.999.999)"
    )
    # The limit counts every item of the text together.
    ok = parse_ranges("KR0000001-KR0050000,KR0100001-KR0150000", limit=MAX_SERIALS_PER_WRITE)
    assert total(ok) == 100_000
    e = error(parse_ranges, "KR0000001-KR0050000,KR0100001-KR0150001", limit=100_000)
    assert "diminta 100.001" in e.message
    # Without a limit (stored values read back), only the typing-error bound applies.
    assert total(parse_ranges("KR0000001-KR9999999")) == 9_999_999


def test_difference_is_set_difference_by_arithmetic() -> None:
    rng = random.Random(19)
    for _ in range(500):
        a = [single(f"{rng.choice('AB')}{rng.randrange(80):03d}") for _ in range(rng.randrange(40))]
        b = [single(f"{rng.choice('AB')}{rng.randrange(80):03d}") for _ in range(rng.randrange(40))]
        got = difference(merge(a), merge(b))
        assert set(expand(got)) == set(expand(merge(a))) - set(expand(merge(b)))
        assert got == merge(got)  # canonical: sorted, joined
    big = parse_ranges("KR0000001-KR9999999")
    started = time.perf_counter()
    assert difference(big, parse_ranges("KR0000002-KR9999998")) == parse_ranges(
        "KR0000001,KR9999999"
    )
    assert time.perf_counter() - started < 0.1


def test_scans_are_joined_by_their_ends_and_bounded_per_count() -> None:
    ranges, duplicates = parse_scanned(["KR0000001-KR0000100", "KR0000050", "KR0000101 # note"])
    assert ranges == parse_ranges("KR0000001-KR0000101")
    assert duplicates == 1
    at_limit = ["KR0000001", f"KR0000002-KR{MAX_SERIALS_PER_COUNT:07d}"]
    assert total(parse_scanned(at_limit)[0]) == MAX_SERIALS_PER_COUNT
    e = error(parse_scanned, ["KR0000001", f"KR0000002-KR{MAX_SERIALS_PER_COUNT + 1:07d}"])
    assert (e.code, e.field) == ("too_many_serials", "serials_file")
    assert e.message.startswith("Baris 2: Paling banyak 100.000 nomor seri per stock opname")


@pytest.mark.parametrize(
    ("value", "multiline", "code"),
    [
        ("Budi Santoso", False, None),
        ("  BA/0412 \t\n", False, None),  # surrounding blanks are trimmed by the use cases
        ("Budi\tSantoso", False, "control_character"),
        ("Baris 1\r\n\tBaris 2", True, None),
        ("ESC\x1b[31m", True, "control_character"),
        ("NUL\x00", True, "control_character"),
        ("DEL\x7f", True, "control_character"),
        ("NEL\x85", True, "control_character"),
        ("\u00e9\u00fc\u4e2d \U0001f600", False, None),  # letters of any script, emoji: text
        ("x" * 201, False, "too_long"),
    ],
)
def test_check_text(value: str, multiline: bool, code: str | None) -> None:
    if code is None:
        assert check_text(value, "f", multiline=multiline) == value
    else:
        assert error(check_text, value, "f", multiline=multiline).code == code


def test_check_inputs_names_the_field_at_any_depth() -> None:
    check_inputs({"serials": "KR1-KR9\r\nKR20", "note": "a\nb", "date": date(2026, 1, 1)})
    assert error(check_inputs, {"document": "BA\x00"}).field == "document"
    assert error(check_inputs, {"documents": {"no_kk": "17\x01"}}).field == "no_kk"
    assert error(check_inputs, {"documents": {"k\x01": "x"}}).field == "documents"
    assert error(check_inputs, {"witnesses": ["Budi", "A\nni"]}).field == "witnesses"
    parts = {"parts": [{"location": "gudang", "scanned": "KR1"}, {"location": "lo\x1bket"}]}
    assert error(check_inputs, parts).field == "location"
    assert error(check_inputs, {"qty": 2**70}).code == "number_out_of_range"
    assert error(check_inputs, {"count_id": 2**31}).field == "count_id"
    assert error(check_inputs, {"date": date(1, 1, 1)}).code == "date_out_of_range"
    assert error(check_inputs, {"at": datetime(2100, 1, 1, 8)}).code == "date_out_of_range"
    check_inputs({"all": True, "end": None, "per_day": 0})


def test_check_date_bounds() -> None:
    assert check_date(date(2000, 1, 1)) == date(2000, 1, 1)
    assert check_date(date(2099, 12, 31)) == date(2099, 12, 31)
    e = error(check_date, date(1999, 12, 31), "as_of")
    assert (e.code, e.field) == ("date_out_of_range", "as_of")
    assert (
        "Per tanggal 31-12-1999 di luar rentang yang diterima: 01-01-2000 sampai 31-12-2099"
        in e.message
    )


def test_printable_escapes_control_characters_but_keeps_lines() -> None:
    assert printable("Budi\x01Santoso\x7f\x9b") == "Budi\\x01Santoso\\x7f\\x9b"
    assert printable("a\tb\r\nc") == "a\tb\r\nc"
    assert printable("Ni Luh Putu \u00c9") == "Ni Luh Putu \u00c9"
