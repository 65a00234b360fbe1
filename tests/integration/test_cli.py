"""The `blangko` command line, on SQLite and on PostgreSQL.

Most commands run in-process through Typer's CliRunner (fast); exit codes of bad input are
checked through `main()`, which is what turns a DomainError into exit 2: with a real
subprocess where the process boundary is the point (`blangko`), in this process where it is
what the command answers (`in_process`).
The CLI uses the real clock, so dates here lie safely in the past (or far in the future).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from blangko.adapters.db import make_engine
from blangko.cli.main import app
from blangko.domain.admin import check_nip
from blangko.formatting import num
from blangko_main import run_blangko

ROOT = Path(__file__).resolve().parents[2]

Invoke = Callable[..., Result]


def blangko(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command in a fresh interpreter, as a clerk would."""
    return subprocess.run(
        [sys.executable, "-m", "blangko", "--db", db_url, *args],
        capture_output=True,
        text=True,
        timeout=600,  # a safety net, not a speed check: the demo takes minutes on a loaded machine
        env={**os.environ, "COLUMNS": "200"},
    )


def in_process(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The same as `blangko` through main() in this process (tests/blangko_main.py): for the
    tests of what a command answers, not of the process boundary (1.5 s of imports a run)."""
    return run_blangko("--db", db_url, *args)


@pytest.fixture
def cli(db_url: str) -> Invoke:
    """Invoke the app in-process against the test database; the command must succeed."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


def said(result: Result) -> str:
    """The printed text with Rich's line wrapping undone."""
    return " ".join(result.stdout.split())


@pytest.fixture
def kaur(cli: Invoke) -> Invoke:
    """Kaur initialised from the command line, with its print station."""
    cli("init", "--office", "17.04")
    cli("location", "add", "loket-1", "--kind", "station")
    return cli


@pytest.fixture
def stocked(kaur: Invoke) -> Invoke:
    """1,000 opening blanks and 4,000 received: the article's early June."""
    kaur("stock", "opening", "--serials", "KR0001001-KR0002000", "--date", "2026-05-25")
    kaur(
        "stock", "receive", "--serials", "KR0100001-KR0104000", "--date", "2026-06-02",
        "--source", "Ditjen Dukcapil", "--document", "BAST/0412",
    )  # fmt: skip
    return kaur


def test_init_twice_creates_the_office_once(cli) -> None:
    first = as_json(cli("init", "--office", "17.04", "--json"))
    second = as_json(cli("init", "--office", "17.04", "--json"))
    assert first["office"]["created"] is True
    assert second["office"] == {
        "code": "17.04",
        "name": "Dinas Dukcapil Kabupaten Kaur",
        "created": False,
        "villages": 195,
    }
    assert second["migrations_applied"] == []
    assert "sudah ada" in cli("init", "--office", "17.04").stdout
    assert [o["code"] for o in as_json(cli("office", "list", "--json"))] == ["17.04"]


def test_location_add_creates_a_station(kaur) -> None:
    rows = as_json(kaur("location", "list", "--json"))
    assert [(r["name"], r["kind"]) for r in rows] == [("gudang", "store"), ("loket-1", "station")]


def test_regions_list_gives_kaur_districts_and_villages(cli) -> None:
    kec = as_json(cli("regions", "list", "--under", "17.04", "--level", "kecamatan", "--json"))
    assert len(kec) == 15
    assert all(r["code"].startswith("17.04.") and r["level"] == "kecamatan" for r in kec)
    desa = as_json(cli("regions", "list", "--under", "17.04", "--level", "desa", "--json"))
    assert len(desa) == 195
    assert sorted({r["jenis"] for r in desa}) == ["desa", "kelurahan"]


def test_stock_receive_json_reports_the_entry(kaur) -> None:
    r = as_json(
        kaur(
            "stock",
            "receive",
            "--serials",
            "KR0100001-KR0104000,KR0104101",
            "--date",
            "2026-06-02",
            "--source",
            "Ditjen Dukcapil",
            "--document",
            "BAST/0412",
            "--to",
            "loket-1",
            "--idempotency-key",
            "bast-0412",
            "--json",
        )  # fmt: skip
    )
    assert r["office"] == "17.04" and r["quantity"] == 4001 and r["replayed"] is False
    assert r["entries"] == [
        {
            "seq": 1,
            "kind": "receive",
            "effective_date": "2026-06-02",
            "quantity": 4001,
            "serials": "KR0100001-KR0104000,KR0104101",
            "from_location": None,
            "to_location": "loket-1",
        }
    ]


def test_stock_balance_json_has_the_totals_that_explain_it(stocked) -> None:
    stocked("stock", "consume", "--service", "pemula", "--qty", "496", "--date", "2026-07-01")
    stocked("stock", "transfer", "--qty", "100", "--from", "gudang", "--to", "loket-1")
    b = as_json(stocked("stock", "balance", "--json"))
    assert {"office", "as_of", "on_hand", "by_location", "totals"} <= b.keys()
    assert b["office"] == "17.04"
    assert b["on_hand"] == 4504
    assert b["by_location"] == {"gudang": 4404, "loket-1": 100}
    assert b["totals"] == {
        "opening": 1000,
        "received": 4000,
        "consumed": 496,
        "spoiled": 0,
        "lost": 0,
        "returned": 0,
        "shipped": 0,
        "adjusted": 0,
    }
    past = as_json(stocked("stock", "balance", "--as-of", "2026-05-31", "--json"))
    assert (past["as_of"], past["on_hand"]) == ("2026-05-31", 1000)


def test_stock_count_with_a_serials_file_lists_missing_and_unexpected(
    stocked, tmp_path: Path
) -> None:
    stocked("stock", "transfer", "--serials", "KR0001001-KR0001010", "--from", "gudang",
            "--to", "loket-1")  # fmt: skip
    scan = tmp_path / "pindai.txt"
    scan.write_text("KR0001001-KR0001003\nKR0001006\nKR0001007-KR0001010\nKR0095001\n")
    c = as_json(
        stocked("stock", "count", "--location", "loket-1", "--serials-file", str(scan), "--json")
    )
    expected_keys = {"count_id", "location", "book", "counted", "variance", "missing"}
    assert expected_keys | {"unexpected", "status"} <= c.keys()
    assert (c["location"], c["book"], c["counted"], c["variance"]) == ("loket-1", 10, 9, -1)
    assert (c["missing"], c["unexpected"], c["status"]) == (
        "KR0001004-KR0001005",
        "KR0095001",
        "open",
    )
    posted = as_json(
        stocked("stock", "count-post", str(c["count_id"]), "--reason", "opname", "--json")
    )
    assert [e["kind"] for e in posted["entries"]] == ["missing", "found"]
    assert as_json(stocked("stock", "balance", "--json"))["totals"]["adjusted"] == -1


def test_office_wide_count_with_a_scan_file_or_a_quantity_per_location(
    db_url, stocked, tmp_path: Path
) -> None:
    stocked("stock", "transfer", "--serials", "KR0001001-KR0001010", "--from", "gudang",
            "--to", "loket-1")  # fmt: skip
    scan = tmp_path / "gudang.txt"
    scan.write_text("KR0001011-KR0001999\nKR0100001-KR0104000\nKR0095001\n")
    c = as_json(
        stocked("stock", "count", "--office-wide", "--scan", f"gudang={scan}",
                "--counted-at", "loket-1=10", "--idempotency-key", "opname-1", "--json")
    )  # fmt: skip
    assert (c["office_wide"], c["location"], c["locations"]) == (True, None, ["gudang", "loket-1"])
    assert (c["book"], c["counted"], c["variance"]) == (5000, 5000, 0)
    assert (c["missing"], c["unexpected"]) == ("KR0002000", "KR0095001")
    parts = {p["location"]: (p["mode"], p["book"], p["counted"]) for p in c["parts"]}
    assert parts == {"gudang": ("serials", 4990, 4990), "loket-1": ("quantity", 10, 10)}
    out = said(stocked("stock", "counts"))
    assert "Stock opname #1 seluruh kantor" in out and "buku 5.000, terhitung 5.000" in out
    assert "gudang: buku 4.990, terhitung 4.990, selisih 0" in out
    assert "tidak ditemukan 1, tidak tercatat 1" in out
    # Every location must be counted, once; the error names what is wrong by the command's
    # own flag (none for the list of locations: no one flag holds it); nothing is written.
    for args, flag, said_ in (
        (["--scan", f"gudang={scan}"], "", "loket-1"),
        (
            ["--scan", f"gudang={scan}", "--counted-at", "loket-1=sepuluh"],
            " (--counted-at)",
            "sepuluh",
        ),
        (["--scan", f"gudang{scan}", "--counted-at", "loket-1=10"], " (--scan)", "LOKASI=BERKAS"),
        (["--location", "gudang", "--counted-at", "loket-1=10"], " (--location)", "--office-wide"),
    ):
        done = in_process(db_url, "stock", "count", "--office-wide", *args)
        assert done.returncode == 2, done.stderr
        assert f"]{flag}:" in done.stderr and said_ in done.stderr
    done = in_process(db_url, "stock", "count", "--counted-at", "loket-1=10")
    assert done.returncode == 2 and "(--office-wide):" in done.stderr
    assert [x["count_id"] for x in as_json(stocked("stock", "counts", "--json"))] == [1]


def test_every_stock_command_prints_in_indonesian(stocked) -> None:
    """The human-readable output of each command: numbers and dates in the id locale."""

    def say(*args: str) -> str:
        return said(stocked("stock", *args))

    out = say("transfer", "--qty", "150", "--from", "gudang", "--to", "loket-1",
              "--date", "2026-06-03")  # fmt: skip
    assert "#3 dipindah: 150 keping [KR0001001-KR0001150] gudang -> loket-1" in out
    assert "tanggal 3 Juni 2026" in out
    out = say("consume", "--service", "hilang", "--serials", "KR0001001-KR0001002",
              "--date", "2026-06-04")  # fmt: skip
    assert "#4 dipakai (hilang): 2 keping [KR0001001-KR0001002] loket-1" in out
    out = say("spoil", "--serial", "KR0001003", "--reason", "salah_cetak", "--date", "2026-06-04")
    assert "#5 rusak: 1 keping [KR0001003] loket-1" in out
    out = say("lose", "--serials", "KR0001500", "--reason", "dicuri", "--document", "LP/1",
              "--date", "2026-06-05")  # fmt: skip
    assert "#6 hilang: 1 keping [KR0001500] gudang" in out
    out = say("return", "--serials", "KR0104000", "--to", "Ditjen", "--document", "BA/1")
    assert "#7 dikembalikan: 1 keping [KR0104000] gudang" in out
    out = say("close-month", "2026-05")
    assert out.startswith(
        "Bulan 2026-05 ditutup. Kepala rantai ledger (jangkar #1): entri #7, hash "
    )
    assert "Catat pada berita acara tutup bulan." in out
    out = say("count", "--location", "loket-1", "--counted", "147")
    assert "buku 147, terhitung 147, selisih 0 [open]" in out
    out = say("balance")
    assert "Dikembalikan -1; Dikirim 0; Penyesuaian 0 = 4.995" in out
    assert "Saldo awal +1.000; Diterima +4.000; Dipakai -2; Rusak -1; Hilang -1" in out
    out = say("trace", "KR0001001")
    assert out.startswith("Seri KR0001001: terpakai") and "Pemakaian" in out
    out = say("ledger", "--from", "2026-06-04", "--to", "2026-06-04")
    assert "Pemakaian" in out and "Rusak" in out and "Penerimaan" not in out
    out = say("verify")
    assert out.startswith("Ledger 17.04 utuh: 7 entri, 5.000 seri")
    assert "Jangkar: 1; terakhir #1 pada entri #7" in out


def test_balance_prints_a_zero_without_a_sign(stocked) -> None:
    """Issue 11: 'Hilang -0' read as if something had been lost and given back."""
    out = said(stocked("stock", "balance"))
    assert "Hilang 0; Dikembalikan 0; Dikirim 0; Penyesuaian 0 = 5.000" in out and "-0" not in out


def test_free_text_with_brackets_prints_as_typed(kaur) -> None:
    """Clerks' text is not Rich markup: '[/x]' once crashed every later ledger listing."""
    kaur("stock", "receive", "--serials", "A1-A9", "--date", "2026-10-01",
         "--source", "Kab. [/x]", "--document", "BA [lampiran]")  # fmt: skip
    for out in (kaur("stock", "ledger").stdout, kaur("stock", "trace", "A5").stdout):
        assert "[/x]" in out and "[lampiran]" in out


def test_stock_verify_exits_zero_when_sound(db_url, stocked) -> None:
    done = blangko(db_url, "stock", "verify")
    assert done.returncode == 0, done.stderr
    assert "Ledger 17.04 utuh: 2 entri, 5.000 seri" in done.stdout
    # The time it took in Indonesian figures: a decimal comma ("0,012 detik", not "0.012").
    assert re.search(r"diperiksa dalam \d+(,\d+)? detik", done.stdout), done.stdout


def test_stock_verify_exits_one_naming_the_tampered_entry(db_url, stocked) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entry SET document = 'BAST/0413' WHERE seq = 2"))
    engine.dispose()
    done = blangko(db_url, "stock", "verify", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["sound"] is False and report["first_bad_seq"] == 2


@pytest.mark.parametrize(
    ("args", "code", "field", "flag"),
    [
        (
            ["stock", "receive", "--serials", "KR0200010-KR0200001", "--source", "Ditjen",
             "--document", "BA/9", "--date", "2026-06-10"],
            "range_backwards",
            "serials",
            "--serials",
        ),
        (
            ["stock", "consume", "--service", "pemula", "--qty", "1", "--date", "2099-01-01"],
            "date_in_future",
            "date",
            "--date",
        ),
    ],
    ids=["range_backwards", "future_date"],
)  # fmt: skip
def test_bad_input_exits_non_zero_naming_the_field(
    db_url, stocked, args, code, field, flag
) -> None:
    before = as_json(stocked("stock", "ledger", "--json"))
    done = blangko(db_url, *args)
    assert done.returncode == 2
    assert f"({flag}):" in done.stderr  # the field by the command's flag; its code in --json
    assert "Traceback" not in done.stderr and done.stdout == ""
    as_json_err = blangko(db_url, *args, "--json")
    assert as_json_err.returncode == 2
    error = json.loads(as_json_err.stderr)["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"] in done.stderr
    assert as_json(stocked("stock", "ledger", "--json")) == before


def test_unknown_location_exits_non_zero(db_url, stocked) -> None:
    done = blangko(db_url, "stock", "transfer", "--qty", "5", "--from", "gudang", "--to", "lemari")
    assert done.returncode == 2
    assert "(--to)" in done.stderr and "lemari" in done.stderr
    assert as_json(stocked("stock", "balance", "--json"))["by_location"]["loket-1"] == 0


def test_demo_on_a_fresh_sqlite_file_shows_4500_and_the_open_variance(
    tmp_path: Path, built_demo
) -> None:  # type: ignore[no-untyped-def]
    # `blangko demo` in a fresh interpreter on a fresh file (conftest.py: built once a run).
    done = built_demo
    assert done.returncode == 0, done.stderr
    assert "4.500" in done.stdout
    assert "+700" in done.stdout and "KR0095001-KR0095700" in done.stdout
    assert "5.200" in done.stdout
    db = built_demo.copy_to(tmp_path)

    # Issue 12, point 6: Kaur's settings; applicants in the registry's proportions; a history
    # written by the demo's user of each role, never by whoever ran `blangko demo`.
    settings = json.loads(in_process(db, "office", "show", "--json").stdout)
    assert settings["seat"] == "Bintuhan" and "Bintuhan" in settings["address"]
    assert check_nip(settings["head_nip"]) == settings["head_nip"] and settings["head_name"]
    engine = make_engine(db)
    with engine.connect() as conn:

        def actors(table: str) -> set[str]:
            return set(conn.execute(text(f"SELECT DISTINCT actor FROM {table}")).scalars())

        def share_1704(table: str) -> float:
            n, ours = conn.execute(
                text(f"SELECT count(*), sum(substr(nik, 1, 4) = '1704') FROM {table}")
            ).one()
            return float(ours) / n

        def kinds_of(office: str) -> dict[str, str]:
            return dict(
                conn.execute(
                    text(
                        "SELECT kind, group_concat(DISTINCT actor) FROM ledger_entry "
                        "WHERE office_code = :office GROUP BY kind"
                    ),
                    {"office": office},
                ).all()
            )

        # Kaur's ledger; the directorate's (the demo network's) is written by its own keeper.
        kinds, directorate_kinds = kinds_of("17.04"), kinds_of("00.00")
        registry_share, applicant_share = share_1704("resident"), share_1704("application")
        collected_by = set(conn.execute(text("SELECT collected_by FROM application")).scalars())
        assert actors("application_event") == {"operator"}
        assert actors("closure") == actors("event") == {"kepala"}
        assert actors("stock_count") == {"stok"}
        profile_by = set(conn.execute(text("SELECT updated_by FROM office_profile")).scalars())
        assert profile_by == {"admin"}
        # Point 2: the registry's load is the office's import of today, by the administrator.
        assert actors("registry_import") == {"admin"}
    engine.dispose()
    status = json.loads(in_process(db, "residents", "status", "--json").stdout)
    assert status["age"]["age_days"] == 0 and status["age"]["stale"] is False
    (load,) = status["imports"]
    assert load["imported"] == load["rows"] > 100_000
    assert load["changes"]["new_local"] > 0.9 * load["rows"]
    # The June shipment is booked in from the directorate (ship_in), no receipt from outside.
    assert {k: kinds[k] for k in ("opening", "ship_in", "transfer")} == dict.fromkeys(
        ("opening", "ship_in", "transfer"), "stok"
    )
    assert "receive" not in kinds
    assert directorate_kinds == {"receive": "pusat", "ship_out": "pusat"}
    assert kinds["consume"] == kinds["spoil"] == "operator"
    assert 0.9 < registry_share < 1 and abs(applicant_share - registry_share) < 0.05
    assert {"pemohon", "kuasa"} <= collected_by

    # Issue 11, observation 4: the demo's count is one office-wide count whose record shows
    # the office's book and count, and the README says exactly that.
    (c,) = json.loads(in_process(db, "stock", "counts", "--json").stdout)
    assert (c["count_id"], c["office_wide"], c["status"]) == (1, True, "open")
    assert (c["book"], c["counted"], c["variance"]) == (4500, 5200, 700)
    assert (c["missing_count"], c["unexpected_count"]) == (0, 700)
    assert c["unexpected"] == "KR0095001-KR0095700"
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        f"stock opname #1 of every location: {num(c['counted'])} counted against a book of "
        f"{num(c['book'])}" in readme
    )
    for p in c["parts"]:
        assert f"{p['location']} {num(p['counted'])} against {num(p['book'])}" in readme
    assert f"the +{num(c['variance'])} are serials {c['unexpected']}" in readme
    bal = json.loads(in_process(db, "stock", "balance", "--json").stdout)
    assert bal["totals"]["consumed"] + bal["totals"]["spoiled"] == 500
    places = bal["by_location"]
    assert set(places) == {"gudang", "loket-1"} and sum(places.values()) == 4500
    assert (
        "Dipakai + Rusak = 500), so a book of 4.500: "
        f"gudang {num(places['gudang'])}, loket-1 {num(places['loket-1'])};" in readme
    )
    listed = " ".join(in_process(db, "stock", "counts").stdout.split())
    assert "buku 4.500, terhitung 5.200, selisih +700" in listed
    assert "tidak ditemukan 0, tidak tercatat 700" in listed

    # Observation 1: a newer count of the store supersedes the demo's; posting the demo's is
    # refused with the newer count named, and the book keeps what the newer count found.
    # (Serials the demo network holds nowhere: the directorate's national delivery has the
    # block after Kaur's June shipment.)
    assert in_process(db, "stock", "receive", "--serials", "KR0900001-KR0901000", "--source",
                   "Ditjen Dukcapil", "--document", "BAST/0413").returncode == 0  # fmt: skip
    store = bal["by_location"]["gudang"] + 1000  # the book after the new shipment
    newer = in_process(db, "stock", "count", "--location", "gudang", "--counted", str(store))
    assert newer.returncode == 0, newer.stderr
    assert "menggantikan stock opname #1" in " ".join(newer.stdout.split())
    refused = in_process(db, "stock", "count-post", "1", "--reason", "kardus lama")
    assert refused.returncode == 2
    assert "#2" in refused.stderr and "(COUNT_ID)" in refused.stderr
    bal = json.loads(in_process(db, "stock", "balance", "--json").stdout)
    assert bal["by_location"]["gudang"] == store

    # Observation 2: a loket-1 scan that cannot be posted is voided by the head, with reason.
    scan = tmp_path / "loket.txt"
    scan.write_text("KR0001101-KR0001200\n")
    counted = in_process(db, "stock", "count", "--location", "loket-1", "--serials-file", str(scan),
                      "--json")  # fmt: skip
    loket = json.loads(counted.stdout)
    assert loket["variance"] == loket["unexpected_count"] - loket["missing_count"]
    assert in_process(db, "stock", "count-post", "3", "--reason", "opname").returncode == 2
    voided = in_process(db, "stock", "count-void", "3", "--reason", "salah pindai", "--json")
    assert voided.returncode == 0, voided.stderr
    v = json.loads(voided.stdout)
    assert (v["status"], v["void_reason"]) == ("voided", "salah pindai")
    statuses = [(x["count_id"], x["status"]) for x in
                json.loads(in_process(db, "stock", "counts", "--json").stdout)]  # fmt: skip
    assert statuses == [(1, "superseded"), (2, "open"), (3, "voided")]
    assert in_process(db, "stock", "verify").returncode == 0
