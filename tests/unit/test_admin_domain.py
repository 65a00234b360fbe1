"""The rules of an office's settings: the head's NIP, the public status page's address, the
texts printed on reports."""

from __future__ import annotations

import pytest

from blangko.domain.admin import check_nip, check_public_url, check_text
from blangko.domain.errors import DomainError


def test_a_well_formed_nip() -> None:
    # Born 12 March 1974, appointed April 1999, male, number 004.
    assert check_nip("19740312 199904 1 004") == "197403121999041004"
    assert check_nip("198511302010122001") == "198511302010122001"  # female


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("19740312199904100", "nip_format"),  # 17 digits
        ("1974031219990410045", "nip_format"),  # 19 digits
        ("19740312199904100A", "nip_format"),
        ("197402301999041004", "nip_birth_date"),  # 30 February
        ("197403121999131004", "nip_appointment"),  # month 13
        ("197403121970041004", "nip_appointment"),  # appointed before birth
        ("197403121999043004", "nip_sex"),
        ("197403121999041000", "nip_serial"),
    ],
)
def test_a_malformed_nip_is_refused_naming_the_rule(nip: str, code: str) -> None:
    with pytest.raises(DomainError) as err:
        check_nip(nip)
    assert (err.value.code, err.value.field) == (code, "head_nip")
    assert "NIP" in err.value.message


def test_public_url_and_texts() -> None:
    assert check_public_url(" https://dukcapil.kaurkab.go.id/blangko/ ") == (
        "https://dukcapil.kaurkab.go.id/blangko"
    )
    for bad in ("dukcapil.kaurkab.go.id", "ftp://x.example", "https://a b.example"):
        with pytest.raises(DomainError) as err:
            check_public_url(bad)
        assert err.value.field == "public_url"
    assert check_text("seat", "  Bintuhan \n") == "Bintuhan"
    with pytest.raises(DomainError) as err:
        check_text("seat", "x" * 101)
    assert (err.value.code, err.value.field) == ("too_long", "seat")
    with pytest.raises(DomainError) as err:
        check_text("head_name", "Hendra\x00")
    assert err.value.code == "control_character"
