"""English for the texts of the network, rationing and handed-in cards (issue 18 point 3).

These modules were written with their texts unmarked; tests/unit/test_unmarked_texts.py now
refuses that, and these tests check that each surface shows them in English with --lang en
(and in Indonesian by default): a shipment received twice, a rationing refused, a
destruction with one witness, and the berita acara of a destruction.
"""

from __future__ import annotations

import io
import re
import subprocess

from pypdf import PdfReader
from test_handed_in import W, _cards
from typer.testing import CliRunner

from blangko.adapters.reports.lang import translated
from blangko.cli.main import app
from blangko.services import handed_in as hi
from blangko.services import reports
from blangko.services.context import Context
from blangko_main import run_blangko


def run(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # In this process (tests/blangko_main.py): the test is about what the commands answer;
    # tests/integration/test_cli.py keeps the real interpreter runs.
    return run_blangko("--db", db_url, *args, env=env)


def setup(db_url: str, *commands: list[str]) -> None:
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_shipment_received_twice_is_refused_in_english(db_url: str) -> None:
    setup(
        db_url,
        ["init", "--directorate"],
        ["init", "--office", "17.04"],
        ["stock", "receive", "--office", "00.00", "--serials", "KR0000001-KR0001000"]
        + ["--source", "Pengadaan pusat", "--document", "K-1", "--date", "2026-11-02"],
        ["shipment", "send", "--office", "00.00", "--to", "17.04", "--qty", "300"]
        + ["--document", "SP-1", "--date", "2026-11-03"],
        ["shipment", "receive", "1", "--document", "BAST-1", "--date", "2026-11-04"],
    )
    again = ["shipment", "receive", "1", "--document", "BAST-2", "--date", "2026-11-05"]
    english = run(db_url, "--lang", "en", *again)
    assert english.returncode != 0
    said = flat(english.stderr)
    assert "Shipment #1 was already received on 04-11-2026 (BAST BAST-1)" in said, said
    assert "a shipment is received only once." in said and "sudah diterima" not in said
    indonesian = run(db_url, *again, BLANGKO_LANG="")
    assert "Kiriman #1 sudah diterima pada 04-11-2026" in flat(indonesian.stderr)
    # The CLI's own lines: the network list's totals.
    listed = run(db_url, "--lang", "en", "network", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Network: stock 1,000 cards; in transit 0." in flat(listed.stdout)
    assert "Stock" in listed.stdout and "Stok" not in listed.stdout


def test_a_rationing_is_refused_in_english(db_url: str) -> None:
    setup(db_url, ["init", "--office", "17.04"])
    args = ["rationing", "set", "--start", "2027-01-10", "--end", "2027-01-05"]
    args += ["--daily-cap", "5", "--reason", "Blangko menipis"]
    english = run(db_url, "--lang", "en", *args)
    assert english.returncode == 2, english.stderr
    said = flat(english.stderr)
    assert "The end date (05-01-2027) cannot be before the start date (10-01-2027)." in said
    assert "Tanggal akhir" not in said
    assert "Tanggal akhir (05-01-2027) tidak boleh sebelum" in flat(
        run(db_url, *args, BLANGKO_LANG="").stderr
    )


def test_a_destruction_with_one_witness_is_refused_in_english(db_url: str) -> None:
    setup(db_url, ["init", "--office", "17.04"])
    args = ["old-card", "destroy", "--witness", "Andi Saputra", "--place", "Halaman kantor"]
    english = run(db_url, "--lang", "en", *args, "--card", "1")
    assert english.returncode == 2, english.stderr
    said = flat(english.stderr)
    assert "A destruction must be witnessed by at least 2 witnesses (1 given)." in said
    assert "saksi" not in said.lower().replace("--witness", "")


def _pdf_text(content: bytes) -> str:
    pdf = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def test_the_old_card_berita_acara_and_recap_in_english(ctx: Context, office: str) -> None:
    ids = _cards(ctx, 2)
    done = hi.destroy_cards(ctx, cards=ids, witnesses=W, place="Halaman kantor Dukcapil Kaur")
    did = done["destruction"]["id"]
    params = {"destruction_id": did}
    english = _pdf_text(reports.render(ctx, "handed_in_destruction", params, "pdf", "en")[0])
    assert "OFFICIAL REPORT OF THE DESTRUCTION OF DAMAGED AND INVALID E-KTP CARDS" in english
    assert f"Destruction number {did}" in english and "Keeper of the cards" in english
    assert "witnessed by Andi Saputra, Sri Wahyuni" in english
    assert "BERITA ACARA PEMUSNAHAN" not in english and "Penyimpan Kartu" not in english
    # A sentence holding "; ", a label capitalised as a cell starts, the weekday: English too.
    assert "The owners' NIK are masked and names are left out of this copy" in english
    assert "Moved in/moved out" in english and "Pindah datang" not in english
    assert re.search(r"Today, (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day ", english), english
    indonesian = _pdf_text(reports.render(ctx, "handed_in_destruction", params, "pdf")[0])
    assert "BERITA ACARA PEMUSNAHAN KTP-EL RUSAK DAN TIDAK BERLAKU" in indonesian
    recap = reports.build(ctx, "handed_in_recap", {"month": "2026-11"})
    shown = translated(recap, "en")
    assert shown.title == "RECAP OF DAMAGED AND INVALID E-KTP CARDS"
    assert [t.title for t in shown.tables][:2] == ["Received by hand-in reason", "Destruction"]
    assert shown.checks[0].startswith("0 stored at the start + 2 received - 2 destroyed")
