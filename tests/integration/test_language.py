"""English throughout (issue 18, point 3): the CLI's --lang and BLANGKO_LANG, the reports'
--lang, and the one translation layer under them (blangko.i18n, domain.text.Msg).

Indonesian stays the default everywhere; English is the catalog's (tests/unit/test_catalog.py
checks it is complete). Numbers and dates follow the language as blangko.formatting writes
them: 4.606 and 2 Desember 2026 in Indonesian, 4,606 and December 2, 2026 in English.
"""

from __future__ import annotations

import io
import subprocess
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from test_reports import build_story
from typer.testing import CliRunner

from blangko.cli.main import app
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.formatting import num, tanggal
from blangko.i18n import check_language, translate, translate_stored
from blangko.services import reports
from blangko.services.context import Context
from blangko_main import run_blangko

# The layer itself -------------------------------------------------------------------------------


def test_a_message_is_its_indonesian_text_and_translates_with_its_values() -> None:
    m = Msg("Lokasi '{name}' sudah ada.", name="loket-9")
    assert m == "Lokasi 'loket-9' sudah ada." and isinstance(m, str)
    assert translate(m, "id") == "Lokasi 'loket-9' sudah ada."
    assert translate(m, "en") == "Location 'loket-9' already exists."
    # A label as a parameter is translated too; a number or a date written by formatting is
    # written again for the language.
    shown = Msg(
        "Stok di '{location_name}' hanya {have} keping; tidak cukup untuk {qty}.",
        location_name="gudang",
        have=num(4606),
        qty=num(5000),
    )
    assert shown == "Stok di 'gudang' hanya 4.606 keping; tidak cukup untuk 5.000."
    assert (
        translate(shown, "en") == "The stock at 'gudang' is only 4,606 cards; not enough for 5,000."
    )
    day = tanggal(date(2026, 12, 2))
    assert day == "2 Desember 2026" and translate(day, "en") == "December 2, 2026"
    # A text joined to a message keeps both parts translatable.
    assert translate(Msg("Belum rekam: ajukan pemula dan rekam biometrik.") + "!", "en") == (
        "Not recorded: take a pemula application and record the biometrics.!"
    )


def test_a_stored_note_shows_in_english_with_its_values_and_a_typed_note_as_typed() -> None:
    assert (
        translate_stored("cetak KTP-el 1704-20261127-ABC", "en") == "e-KTP print 1704-20261127-ABC"
    )
    assert translate_stored("perekaman dilewati: sudah direkam 06-01-2020", "en") == (
        "recording skipped: already recorded 06-01-2020"
    )
    assert translate_stored("titipan kepala desa; cetak KTP-el X1", "en") == (
        "titipan kepala desa; e-KTP print X1"
    )
    assert translate_stored("cetak KTP-el X1", "id") == "cetak KTP-el X1"
    assert translate("Libur nasional: Natal", "en") == "National holiday: Natal"


def test_an_unknown_language_is_refused_naming_the_choices() -> None:
    assert check_language(None) == "id" and check_language(" EN ") == "en"
    with pytest.raises(DomainError) as err:
        check_language("fr")
    assert err.value.code == "unknown_language"
    assert err.value.message == "Bahasa 'fr' tidak dikenal: pilih id, en."


# The command line --------------------------------------------------------------------------------


def run(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # In this process (tests/blangko_main.py): the test is about what the commands answer;
    # tests/integration/test_cli.py keeps the real interpreter runs.
    return run_blangko("--db", db_url, *args, env=env)


@pytest.fixture
def office_cli(db_url: str) -> str:
    runner = CliRunner()
    for args in (
        ["init", "--office", "17.04"],
        ["stock", "opening", "--serials", "KR0001001-KR0002000", "--date", "2026-05-25"],
    ):
        result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return db_url


def test_cli_speaks_english_with_lang_or_blangko_lang_and_indonesian_by_default(
    office_cli: str,
) -> None:
    runner = CliRunner()

    def out(*args: str, env: dict[str, str] | None = None) -> str:
        result = runner.invoke(app, ["--db", office_cli, *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())

    default = out("stock", "balance", env={"BLANGKO_LANG": ""})
    assert "posisi stok blangko per" in default and "Keping" in default and "1.000" in default
    english = out("--lang", "en", "stock", "balance")
    assert "blank stock position as of" in english and "Cards" in english
    assert "1,000" in english and "Opening balance +1,000" in english
    assert "posisi stok" not in english and "Keping" not in english
    by_env = out("stock", "balance", env={"BLANGKO_LANG": "en"})
    assert "blank stock position as of" in by_env
    # --lang wins over the variable.
    assert "posisi stok blangko" in out(
        "--lang", "id", "stock", "balance", env={"BLANGKO_LANG": "en"}
    )


def test_cli_errors_in_english_keep_the_flag_and_exit_2(office_cli: str) -> None:
    done = run(
        office_cli,
        "--lang",
        "en",
        "stock",
        "transfer",
        "--from",
        "gudang",
        "--to",
        "gudang",
        "--qty",
        "1",
    )
    assert done.returncode == 2, done.stderr
    assert (
        "Error [" in done.stderr and "The locations from and to cannot be the same." in done.stderr
    )
    assert "Galat" not in done.stderr
    done = run(
        office_cli,
        "stock",
        "transfer",
        "--from",
        "gudang",
        "--to",
        "gudang",
        "--qty",
        "1",
        "--json",
        BLANGKO_LANG="en",
    )
    assert done.returncode == 2
    assert '"message": "The locations from and to cannot be the same."' in done.stderr


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (("--lang", "fr"), {}, "Bahasa 'fr' tidak dikenal: pilih id, en."),
        ((), {"BLANGKO_LANG": "jv"}, "BLANGKO_LANG 'jv' tidak dikenal: pilih id, en."),
    ],
)
def test_cli_refuses_an_unknown_language_with_exit_2(
    office_cli: str, args: tuple[str, ...], env: dict[str, str], said: str
) -> None:
    done = run(office_cli, *args, "stock", "balance", **env)
    assert done.returncode == 2
    assert said in " ".join(done.stderr.split())
    assert done.stdout == ""


# Reports -------------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )


def _xlsx_texts(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


def test_usage_report_in_english_pdf_and_xlsx(ctx: Context, office: str) -> None:
    build_story(ctx)
    pdf_id, _, _ = reports.render(ctx, "usage", {"month": "2026-10"}, "pdf")
    pdf_en, name_en, _ = reports.render(ctx, "usage", {"month": "2026-10"}, "pdf", "en")
    assert name_en == "laporan-penggunaan-2026-10.pdf"  # the file name stays
    said_id, said_en = _pdf_text(pdf_id), _pdf_text(pdf_en)
    assert "LAPORAN PENGGUNAAN BLANGKO KTP-EL" in said_id and "Halaman 1 dari" in said_id
    assert "Bulan Oktober 2026" in said_id
    for english in (
        "E-KTP BLANK USAGE REPORT",
        "Month October 2026",
        "Opening balance (cards)",
        "Closing balance as of October 31, 2026",
        "Spoiled blanks by reason",
        "Page 1 of",
    ):
        assert english in said_en, english
    for indonesian in ("LAPORAN PENGGUNAAN", "Halaman", "Rekapitulasi", "Oktober"):
        assert indonesian not in said_en, indonesian

    xlsx_en, _, _ = reports.render(ctx, "usage", {"month": "2026-10"}, "xlsx", "en")
    cells = _xlsx_texts(xlsx_en)
    assert "E-KTP BLANK USAGE REPORT" in cells and "Cards" in cells and "Summary" in cells
    wb = load_workbook(io.BytesIO(xlsx_en))
    assert "Summary" in wb.sheetnames and "Rekapitulasi" not in wb.sheetnames
    dates = [
        c.number_format
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, date)
    ]
    assert dates and all(f.startswith("[$-409]") for f in dates)  # English month names


def test_report_command_takes_lang(ctx: Context, office: str, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_story(ctx)
    target = tmp_path / "usage.pdf"
    done = run(
        db_url,
        "report",
        "usage",
        "--month",
        "2026-10",
        "--format",
        "pdf",
        "--lang",
        "en",
        "--output",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    assert "Report written to" in done.stdout
    assert "E-KTP BLANK USAGE REPORT" in _pdf_text(target.read_bytes())
    bad = run(
        db_url, "report", "usage", "--month", "2026-10", "--lang", "xx", "--output", str(target)
    )
    assert bad.returncode == 2 and "tidak dikenal: pilih id, en" in bad.stderr
