"""`blangko app`, `closure`, `capacity` and `status` through the command line, on both backends.

The CLI runs on the real clock, so every date here is given and lies in the past.
"""

from __future__ import annotations

import json
from datetime import date

from service_helpers import add_resident
from typer.testing import CliRunner

from blangko.adapters.db import make_engine
from blangko.cli.main import app
from blangko.services.context import Context
from blangko_main import run_blangko

PPKM = "PPKM: tiga petugas perekaman terkonfirmasi Covid-19"


def _cli(db_url: str, *args: str) -> dict | list:
    result = CliRunner().invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(db_url: str, *args: str) -> dict:
    done = run_blangko("--db", db_url, *args, "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    return json.loads(done.stderr)["error"]


def test_application_commands(db_url: str) -> None:
    _cli(db_url, "init", "--office", "17.04", "--json")
    _cli(db_url, "location", "add", "loket-1", "--json")
    _cli(
        db_url,
        "stock",
        "opening",
        "--serials",
        "KR0000001-KR0000050",
        "--date",
        "2026-10-01",
        "--json",
    )
    _cli(
        db_url,
        "stock",
        "transfer",
        "--from",
        "gudang",
        "--to",
        "loket-1",
        "--qty",
        "10",
        "--date",
        "2026-10-01",
        "--json",
    )
    engine = make_engine(db_url)
    nik = add_resident(Context(engine), serial=1, birth=date(2000, 3, 4))
    lost = add_resident(
        Context(engine), serial=2, recorded=date(2015, 1, 1), printed=date(2015, 2, 1)
    )
    engine.dispose()

    created = _cli(
        db_url,
        "app",
        "new",
        "--nik",
        nik,
        "--type",
        "pemula",
        "--doc",
        "no_kk=1704010101010001",
        "--date",
        "2026-11-02",
        "--idempotency-key",
        "k-new",
        "--json",
    )
    receipt = created["receipt"]
    # desk_closed: recording closed today (the real clock's: a weekend), or None.
    assert created == {
        "receipt": receipt,
        "status": "diajukan",
        "desk_closed": created["desk_closed"],
    }
    assert created["desk_closed"] is None or created["desk_closed"]["desk"] == "perekaman"
    assert receipt.startswith("1704-20261102-")
    assert (
        _cli(
            db_url,
            "app",
            "new",
            "--nik",
            nik,
            "--type",
            "pemula",
            "--doc",
            "no_kk=1704010101010001",
            "--date",
            "2026-11-02",
            "--idempotency-key",
            "k-new",
            "--json",
        )
        == created
    )
    err = _fails(db_url, "app", "new", "--nik", lost, "--type", "hilang", "--date", "2026-11-02")
    assert err["field"] == "laporan_polisi"
    second = _cli(
        db_url,
        "app",
        "new",
        "--nik",
        lost,
        "--type",
        "hilang",
        "--doc",
        "laporan_polisi=LP/77/XI/2026",
        "--date",
        "2026-11-02",
        "--json",
    )
    other = second["receipt"]
    assert (second["receipt"], second["status"]) == (other, "direkam") and other != receipt

    closure = _cli(
        db_url,
        "closure",
        "add",
        "--service",
        "perekaman",
        "--from",
        "2026-11-03",
        "--reason",
        PPKM,
        "--json",
    )["closure"]
    err = _fails(db_url, "app", "record", receipt, "--date", "2026-11-04")
    assert err["code"] == "service_closed" and PPKM in err["message"]
    # No end date: no reopening day is known yet; said in dd-mm-yyyy, with what to do.
    assert "tutup pada tanggal 04-11-2026" in err["message"]
    assert "belum ada tanggal buka kembali" in err["message"]
    # Still closed today: the look-up warns before the step is tried.
    looked_up = CliRunner().invoke(app, ["--db", db_url, "app", "lookup", nik])
    assert looked_up.exit_code == 0, looked_up.output
    said = " ".join(looked_up.stdout.split())
    assert "Perhatian Perekaman tutup pada tanggal" in said and PPKM in said
    status = _cli(db_url, "status", "--date", "2026-11-04", "--json")
    assert status["services"]["perekaman"] == {"open": False, "reason": PPKM}
    # The new pemula waits for recording; the lost card's replacement is recorded already.
    assert status["backlog"] == {
        "to_record": 1,
        "recorded": 1,
        "to_print": 0,
        "registry_prr": 0,
        "print_backlog": 2,
        "suket_waiting": 0,
    }
    assert [c["end"] for c in _cli(db_url, "closure", "list", "--json")] == [None]
    _cli(db_url, "closure", "end", str(closure["id"]), "--date", "2026-11-05", "--json")

    _cli(db_url, "app", "record", receipt, "--date", "2026-11-05", "--json")
    _cli(db_url, "app", "ready", receipt, "--date", "2026-11-05", "--json")
    _cli(db_url, "app", "ready", other, "--date", "2026-11-05", "--json")
    _cli(db_url, "app", "suket", other, "--date", "2026-11-05", "--json")
    queue = _cli(db_url, "app", "queue", "--json")
    assert [q["receipt"] for q in queue] == [receipt, other]
    printed = _cli(
        db_url,
        "app",
        "print",
        receipt,
        "--station",
        "loket-1",
        "--date",
        "2026-11-06",
        "--idempotency-key",
        "k-print",
        "--json",
    )
    again = _cli(
        db_url,
        "app",
        "print",
        receipt,
        "--station",
        "loket-1",
        "--date",
        "2026-11-06",
        "--idempotency-key",
        "k-print",
        "--json",
    )
    assert (printed["serial"], printed["replayed"], again["replayed"]) == ("KR0000001", False, True)
    back = _cli(
        db_url,
        "app",
        "misprint",
        receipt,
        "--reason",
        "gagal_encode",
        "--date",
        "2026-11-06",
        "--json",
    )
    assert back["status"] == "siap_cetak"
    assert _cli(db_url, "stock", "trace", "KR0000001", "--json")["state"] == "spoiled"
    _cli(db_url, "app", "print", receipt, "--station", "loket-1", "--date", "2026-11-06", "--json")
    _cli(db_url, "app", "ikd", receipt, "--date", "2026-11-06", "--json")
    done = _cli(db_url, "app", "collect", receipt, "--date", "2026-11-09", "--json")
    assert (done["status"], done["serial"], done["ikd"]) == ("diserahkan", "KR0000002", True)
    shown = _cli(db_url, "app", "show", receipt, "--json")
    assert shown["nik"] == nik[:4] + "********" + nik[-4:]
    assert len(shown["events"]) == 8
    assert _cli(db_url, "app", "show", receipt, "--show-nik", "--json")["nik"] == nik
    rows = _cli(db_url, "app", "list", "--status", "diserahkan", "--json")
    assert [r["receipt"] for r in rows] == [receipt]

    _cli(db_url, "app", "cancel", other, "--json")
    err = _fails(db_url, "app", "reject", other, "--reason", "x")
    assert err["code"] == "invalid_transition"
    sat = _cli(db_url, "closure", "open-day", "2026-11-07", "--reason", "Pelayanan Sabtu", "--json")
    assert sat["day"] == "2026-11-07"
    cap = _cli(db_url, "capacity", "set", "--service", "pencetakan", "--per-day", "120", "--json")
    assert cap["per_day"] == 120
    status = _cli(db_url, "status", "--date", "2026-11-07", "--json")
    assert status["services"]["pencetakan"] == {"open": True, "reason": None}
    assert status["capacity"]["pencetakan"] == 120
    assert status["stock"]["on_hand"] == 48


def test_counter_commands(db_url: str) -> None:
    """`app lookup`, the NIK's form, the documents a type needs, `app collect` by a proxy and
    the two slips, through the command line (issue 12, point 5)."""
    _cli(db_url, "init", "--office", "17.04", "--json")
    _cli(db_url, "location", "add", "loket-1", "--json")
    _cli(db_url, "stock", "opening", "--serials", "KR0000001-KR0000010", "--date", "2026-10-01",
         "--json")  # fmt: skip
    _cli(db_url, "stock", "transfer", "--from", "gudang", "--to", "loket-1", "--qty", "5",
         "--date", "2026-10-01", "--json")  # fmt: skip
    engine = make_engine(db_url)
    nik = add_resident(Context(engine), serial=1, birth=date(2000, 3, 4), recorded=date(2020, 1, 6))
    proxy = add_resident(Context(engine), serial=2, birth=date(1980, 1, 2))
    engine.dispose()

    found = _cli(db_url, "app", "lookup", nik, "--json")
    assert found["next_step"]["code"] == "prr" and found["resident"]["nik"] == nik
    assert found["documents"][0]["documents"] == ["no_kk"]
    for cmd in (("app", "lookup"), ("residents", "show")):
        err = _fails(db_url, *cmd, nik[:15])
        assert (err["code"], err["field"]) == ("nik_length", "nik")
        assert "16 digit" in err["message"] and "registri" not in err["message"]
    err = _fails(db_url, "app", "new", "--nik", nik, "--type", "pemula", "--date", "2026-11-02")
    assert (err["code"], err["field"]) == ("document_required", "no_kk")
    receipt = _cli(db_url, "app", "new", "--nik", nik, "--type", "pemula", "--doc",
                   "no_kk=1704010101010001", "--date", "2026-11-02", "--json")["receipt"]  # fmt: skip
    found = _cli(db_url, "app", "lookup", nik, "--json")
    assert found["open_application"]["receipt"] == receipt
    assert found["next_step"]["action"] == "ready"
    text = CliRunner().invoke(app, ["--db", db_url, "app", "lookup", nik]).stdout
    assert f"Permohonan berjalan: {receipt}" in " ".join(text.split())

    slip = _cli(db_url, "app", "slip", receipt, "--json")
    assert slip["nik"] == nik[:4] + "********" + nik[-4:]
    assert slip["status_path"] == f"/status?resi={receipt}"
    printed = " ".join(
        CliRunner().invoke(app, ["--db", db_url, "app", "slip", receipt]).stdout.split()
    )
    assert "TANDA TERIMA PERMOHONAN KTP-EL" in printed and receipt in printed
    assert nik not in printed and slip["nik"] in printed

    _cli(db_url, "app", "ready", receipt, "--date", "2026-11-03", "--json")
    _cli(db_url, "app", "print", receipt, "--station", "loket-1", "--date", "2026-11-04", "--json")
    err = _fails(db_url, "app", "slip", receipt, "--handover")
    assert err["code"] == "not_collected"
    err = _fails(db_url, "app", "collect", receipt, "--proxy-nik", proxy, "--proxy-name", "Ani",
                 "--date", "2026-11-05")  # fmt: skip
    assert err["field"] == "power_of_attorney"
    done = _cli(db_url, "app", "collect", receipt, "--proxy-nik", proxy, "--proxy-name", "Ani",
                "--power-of-attorney", "SK 04-11-2026", "--date", "2026-11-05", "--json")  # fmt: skip
    assert done["status"] == "diserahkan" and done["handover"]["by"] == "kuasa"
    proof = _cli(db_url, "app", "slip", receipt, "--handover", "--json")
    assert (proof["collected_by"], proof["proxy_name"], proof["power_of_attorney"]) == (
        "kuasa",
        "Ani",
        "SK 04-11-2026",
    )
    assert proof["proxy_nik"] == proxy[:4] + "********" + proxy[-4:]
    shown = " ".join(
        CliRunner()
        .invoke(app, ["--db", db_url, "app", "show", receipt, "--show-nik"])
        .stdout.split()
    )
    assert "Diterima oleh: kuasa (dengan surat kuasa): Ani" in shown
