"""`blangko item`, `blangko printer` and `blangko forecast stops` from the command line, on
SQLite and on PostgreSQL: the flow of a ribbon from receipt to a printer, the bad inputs
refused with exit 2 and nothing written, and what stops printing first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from blangko.cli.main import app
from blangko_main import run_blangko


def refused(db_url: str, *args: str) -> str:
    """Run as a clerk would (main() turns a DomainError into exit 2): the error's text."""
    done = run_blangko("--db", db_url, *args)  # in this process (tests/blangko_main.py)
    assert done.returncode == 2, done.stdout + done.stderr
    return " ".join((done.stdout + done.stderr).split())


@pytest.fixture
def cli(db_url: str) -> Any:
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == code, result.stdout + result.stderr
        return result

    invoke("init", "--office", "17.04")
    invoke("location", "add", "loket-1", "--kind", "station")
    invoke("stock", "opening", "--serials", "KR0001001-KR0002000", "--date", "2026-10-01")
    return invoke


def test_ribbon_from_receipt_to_printer(cli: Any, db_url: str) -> None:
    cli("item", "add", "pita-warna", "--name", "Pita warna YMCKO", "--role", "ribbon",
        "--yield", "500")  # fmt: skip
    cli("item", "add", "film", "--name", "Film retransfer", "--role", "film", "--yield", "1000",
        "--lead-time", "45")  # fmt: skip
    cli("item", "receive", "--item", "pita-warna", "--lot", "R1", "--qty", "4",
        "--document", "BAST/APBD/07", "--date", "2026-10-02")  # fmt: skip
    cli("item", "receive", "--item", "film", "--lot", "F1", "--qty", "1",
        "--document", "BAST/APBD/07", "--date", "2026-10-02")  # fmt: skip
    listed = json.loads(cli("item", "list", "--json").stdout)["items"]
    assert [(i["code"], i["on_hand"]) for i in listed] == [
        ("ektp", 1000),
        ("film", 1),
        ("pita-warna", 4),
    ]
    cli("printer", "add", "printer-1", "--station", "loket-1", "--capacity", "200",
        "--date", "2026-10-01")  # fmt: skip
    cli("printer", "add", "printer-2", "--station", "loket-1", "--capacity", "150",
        "--date", "2026-10-01")  # fmt: skip
    cli("printer", "load", "printer-1", "--item", "pita-warna", "--lot", "R1",
        "--label", "BOX-1", "--date", "2026-10-03")  # fmt: skip
    cli("printer", "load", "printer-1", "--item", "film", "--lot", "F1",
        "--label", "F-1", "--date", "2026-10-03")  # fmt: skip
    cli("printer", "prints", "printer-1", "--prints", "120", "--date", "2026-10-05")
    cli("printer", "state", "printer-2", "--state", "broken", "--date", "2026-11-02",
        "--note", "head cetak rusak")  # fmt: skip
    cli("printer", "state", "printer-2", "--state", "working", "--date", "2026-11-09")
    printers = json.loads(cli("printer", "list", "--json").stdout)["printers"]
    p1 = next(p for p in printers if p["name"] == "printer-1")
    assert {(v["label"], v["prints"]) for v in p1["loaded"]} == {("BOX-1", 120), ("F-1", 120)}
    text = cli("printer", "list").stdout
    assert "printer-1" in text and "BOX-1 120/500" in text
    hist = json.loads(cli("printer", "history", "printer-2", "--json").stdout)
    assert [s["state"] for s in hist["states"]] == ["working", "broken", "working"]
    bal = json.loads(cli("item", "balance", "--item", "pita-warna", "--json").stdout)
    assert bal["on_hand"] == 3 and bal["totals"]["loaded"] == 1 and bal["balanced"]
    audit = json.loads(cli("stock", "verify", "--json").stdout)
    assert audit["sound"] is True
    assert {a["item"]: a["entries"] for a in audit["items"]} == {"film": 2, "pita-warna": 2}
    # Bad inputs: exit 2, nothing written.
    before = cli("item", "balance", "--item", "pita-warna", "--json").stdout
    out = refused(db_url, "item", "count", "--item", "pita-warna", "--lot", "R1",
                  "--counted", "3", "--serials", "KR0001001")  # fmt: skip
    assert "bukan per nomor seri" in out
    out = refused(db_url, "printer", "load", "printer-2", "--item", "pita-warna", "--lot",
                  "R1", "--label", "BOX-1")  # fmt: skip
    assert "sudah terpasang di printer 'printer-1'" in out
    out = refused(db_url, "printer", "prints", "printer-1", "--prints", "400")
    assert "melebihi hasilnya" in out
    assert cli("item", "balance", "--item", "pita-warna", "--json").stdout == before
    # What stops printing first: one ribbon of 500 prints left in the books beyond the one
    # loaded (3 x 500 + 380), against 1.000 blanks: the table and the binding line.
    stops = json.loads(cli("forecast", "stops", "--json").stdout)
    assert {lim["constraint"] for lim in stops["limits"]} == {
        "blanks",
        "ribbon",
        "film",
        "printers",
    }
    assert stops["binding"] == stops["limits"][0]
    assert (
        "Yang menghentikan cetak lebih dulu" in cli("forecast", "stops").stdout
        or "Tidak ada yang menghentikan" in cli("forecast", "stops").stdout
    )


def test_item_reports_from_the_command_line(cli: Any, db_url: str, tmp_path: Any) -> None:
    cli("item", "add", "pita-warna", "--name", "Pita warna YMCKO", "--role", "ribbon",
        "--yield", "500")  # fmt: skip
    cli("item", "receive", "--item", "pita-warna", "--lot", "R1", "--qty", "4",
        "--document", "BAST/APBD/07", "--date", "2026-11-02")  # fmt: skip
    cli("item", "count", "--item", "pita-warna", "--lot", "R1", "--counted", "3",
        "--reason", "tidak ditemukan", "--date", "2026-11-05")  # fmt: skip
    out = tmp_path / "u.xlsx"
    done = json.loads(
        cli(
            "report",
            "usage",
            "--month",
            "2026-11",
            "--item",
            "pita-warna",
            "--output",
            str(out),
            "--json",
        ).stdout  # fmt: skip
    )
    assert done["report"] == "item_usage" and out.read_bytes().startswith(b"PK")
    pdf = tmp_path / "c.pdf"
    done = json.loads(
        cli("report", "count", "--item", "pita-warna", "--output", str(pdf), "--json").stdout
    )
    assert done["report"] == "item_count" and pdf.read_bytes().startswith(b"%PDF")
    # No item named: the blank's report, as before.
    done = json.loads(
        cli("report", "usage", "--month", "2026-11", "--output", str(out), "--json").stdout
    )
    assert done["report"] == "usage"
    assert "tidak keduanya" in refused(db_url, "report", "count", "1", "--item", "pita-warna")
    assert "tinta" in refused(db_url, "report", "usage", "--month", "2026-11", "--item", "tinta")


def test_consume_names_its_printer(cli: Any, db_url: str) -> None:
    cli("item", "add", "pita-warna", "--name", "Pita warna YMCKO", "--role", "ribbon",
        "--yield", "500")  # fmt: skip
    cli("item", "receive", "--item", "pita-warna", "--lot", "R1", "--qty", "2",
        "--document", "BAST/APBD/07", "--date", "2026-10-02")  # fmt: skip
    cli("stock", "transfer", "--qty", "50", "--from", "gudang", "--to", "loket-1",
        "--date", "2026-10-02")  # fmt: skip
    cli("printer", "add", "printer-1", "--station", "loket-1", "--capacity", "200",
        "--date", "2026-10-01")  # fmt: skip
    cli("printer", "load", "printer-1", "--item", "pita-warna", "--lot", "R1",
        "--label", "BOX-1", "--date", "2026-10-02")  # fmt: skip
    cli("stock", "consume", "--service", "pemula", "--qty", "7", "--location", "loket-1",
        "--printer", "printer-1", "--date", "2026-10-05")  # fmt: skip
    history = json.loads(cli("printer", "history", "printer-1", "--json").stdout)
    assert [(v["label"], v["prints"]) for v in history["loads"]] == [("BOX-1", 7)]
    cli("printer", "state", "printer-1", "--state", "broken", "--date", "2026-10-06",
        "--note", "head cetak rusak")  # fmt: skip
    text = refused(db_url, "stock", "consume", "--service", "pemula", "--qty", "1",
                   "--location", "loket-1", "--printer", "printer-1", "--date", "2026-10-07")  # fmt: skip
    assert "printer-1" in text and "tidak berfungsi" in text
    balance = json.loads(cli("stock", "balance", "--json").stdout)
    assert balance["on_hand"] == 993  # the refused print took no blank


def test_serialised_item_from_the_command_line(cli: Any, db_url: str) -> None:
    cli("item", "add", "kia", "--name", "Blangko KIA", "--kind", "serialised",
        "--serial-pattern", "KA######", "--unit", "keping")  # fmt: skip
    out = cli("item", "receive", "--item", "kia", "--serials", "KA000001-KA000020",
              "--document", "BAST/KIA/1", "--date", "2026-10-02").stdout  # fmt: skip
    assert "seri KA000001-KA000020 (20 keping)" in " ".join(out.split())
    cli("item", "print", "--item", "kia", "--serial", "KA000002", "--date", "2026-10-05")
    cli("item", "spoil", "--item", "kia", "--serials", "KA000003", "--reason", "cetak gagal",
        "--date", "2026-10-05")  # fmt: skip
    count = cli("item", "count", "--item", "kia", "--serials", "KA000001,KA000004-KA000019",
                "--reason", "tidak ada di lemari", "--date", "2026-10-06").stdout  # fmt: skip
    assert "tidak ditemukan KA000020" in " ".join(count.split())
    bal = json.loads(cli("item", "balance", "--item", "kia", "--json").stdout)
    assert "dicetak 1," in cli("item", "balance", "--item", "kia").stdout
    assert (
        bal["on_hand"] == 17
        and bal["balanced"]
        and bal["in_store"] == ("KA000001,KA000004-KA000019")
    )
    verify = json.loads(cli("stock", "verify", "--json").stdout)
    assert {a["item"]: a["sound"] for a in verify["items"]}["kia"] is True
    # A quantity option on the serialised item and a serial on a quantity item name the field.
    assert "lot" in refused(db_url, "item", "receive", "--item", "kia", "--lot", "L1",
                            "--qty", "3", "--document", "BAST/2").lower()  # fmt: skip
    assert "sudah tercatat" in refused(db_url, "item", "receive", "--item", "kia", "--serials",
                                       "KA000020-KA000030", "--document", "BAST/2")  # fmt: skip
    assert "dicetak" in refused(db_url, "item", "print", "--item", "kia", "--serial",
                                "KA000002")  # fmt: skip
