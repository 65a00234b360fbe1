"""Surat permohonan blangko (`report request`) on SQLite and PostgreSQL: the letter asks for
exactly what the forecast recommends on the same day, its reasons add up to that quantity,
and the XLSX and PDF carry it as a number and in Indonesian format.

The office has four months of ledger history (about 12 cards a working day from a 1.500-card
opening), so by 27 November its stock no longer covers the review period plus the lead time;
25 applications wait to be printed, and a Pilkades in three villages three weeks ahead, with
2.000 unrecorded adults, adds demand inside that window: a request of over a thousand.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert
from typer.testing import CliRunner

from blangko.adapters.reports import render_bytes
from blangko.adapters.reports.fmt import terbilang
from blangko.adapters.tables_applications import application
from blangko.adapters.tables_residents import resident
from blangko.cli.main import app
from blangko.domain.errors import DomainError
from blangko.domain.nik import build_nik
from blangko.formatting import num
from blangko.services import forecast as fs
from blangko.services import reports
from blangko.services.calendar import events
from blangko.services.context import Context
from blangko.services.stock import writes

TODAY = date(2026, 11, 27)
VILLAGES = ["17.04.01.2001", "17.04.01.2002", "17.04.01.2003"]


def build_history(ctx: Context, *, days: int = 120, opening: int = 1500, mean: float = 12) -> int:
    """Opening stock `days` before today, moved to loket-1, then Poisson(mean) cards consumed
    each working day up to yesterday: one consume call per day. Returns the cards used."""
    start = TODAY - timedelta(days=days)
    writes.record_opening(ctx, serials=f"KR0000001-KR{opening:07d}", effective=start)
    writes.transfer(
        ctx, from_location="gudang", to_location="loket-1", qty=opening, effective=start
    )
    rng = np.random.default_rng(5)
    used = 0
    for i in range(1, days):
        d = start + timedelta(days=i)
        k = int(rng.poisson(mean))
        if d.weekday() < 5 and k:
            writes.consume(ctx, service="pemula", qty=k, location="loket-1", effective=d)
            used += k
    return used


def add_unrecorded(
    ctx: Context, n: int, *, villages: list[str] = VILLAGES, recorded: date | None = None
) -> list[str]:
    """n adults spread over the villages, unrecorded unless `recorded` is given (the pool an
    election sends to the office). Returns their NIKs."""
    rows = []
    for i in range(n):
        desa = villages[i % len(villages)]
        kec = desa[:8]
        born = date(1990, 1, 1) + timedelta(days=i)
        rows.append(
            {
                "nik": build_nik(kec, born, "L", 1),
                "office_code": "17.04",
                "nama": f"Warga {i}",
                "jenis_kelamin": "L",
                "tanggal_lahir": born,
                "status_kawin": "BELUM KAWIN",
                "kode_desa": desa,
                "kode_kecamatan": kec,
                "tanggal_rekam": recorded,
                "tanggal_cetak": None,
                "status": "HIDUP",
                "updated_at": datetime(2026, 11, 27, 3, 0),
            }
        )
    with ctx.engine.begin() as conn:
        conn.execute(insert(resident), rows)
    return [r["nik"] for r in rows]


def add_print_queue(ctx: Context, n: int) -> None:
    """n applications recorded and waiting at siap_cetak, outside the event's villages."""
    niks = add_unrecorded(ctx, n, villages=["17.04.02.2002"], recorded=TODAY - timedelta(days=3))
    now = datetime(2026, 11, 27, 3, 0)
    day = TODAY - timedelta(days=5)
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(application),
            [
                {
                    "office_code": "17.04",
                    "receipt": f"1704-{day:%Y%m%d}-{i + 1:04d}",
                    "nik": nik,
                    "type": "pemula",
                    "status": "siap_cetak",
                    "documents": "{}",
                    "submitted_date": day,
                    "day_seq": i + 1,
                    "recorded_date": TODAY - timedelta(days=3),
                    "ready_date": TODAY - timedelta(days=1),
                    "created_at": now,
                    "updated_at": now,
                }
                for i, nik in enumerate(niks)
            ],
        )


@pytest.fixture
def busy_office(ctx: Context, office: str) -> dict[str, int]:
    used = build_history(ctx)
    add_unrecorded(ctx, 2000)
    add_print_queue(ctx, 25)
    ev = events.add_event(
        ctx,
        name="Pilkades serentak",
        event_date=TODAY + timedelta(days=21),
        kind="pilkades",
        villages=VILLAGES,
    )
    return {"used": used, "event_id": ev["id"]}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def test_letter_asks_for_the_forecast_quantity_with_its_reasons(
    ctx: Context, busy_office: dict[str, int]
) -> None:
    f = fs.forecast(ctx, as_of=TODAY)
    want = f["recommended_request"]["quantity"]
    assert want > 0, f["recommended_request"]
    r = reports.request_letter.build(ctx, as_of=TODAY, address="Jl. Raya Bintuhan No. 1")
    assert r.data["quantity"] == want
    assert dict(r.facts)["Jumlah dimohon (keping)"] == want
    assert r.data["on_hand"] == 1500 - busy_office["used"] == f["on_hand"]

    reasons, state, evs = r.tables
    # The reasons are the forecast's, row for row, and they add up to the request.
    # Usual use, the new recordings that will come to print (the office records every day),
    # the Pilkades, the print queue, the stock and the reserve (docs/forecast.md).
    assert len(reasons.rows) == 6
    assert reasons.rows[1][0] == "Perekaman baru yang akan dicetak"
    assert [row[:2] for row in reasons.rows] == [
        [x["reason"], x["quantity"]] for x in f["recommended_request"]["reasons"]
    ]
    assert reasons.totals()[1] == want
    by_reason = {row[0]: row[1] for row in reasons.rows}
    assert by_reason["Stok di tangan"] == -f["on_hand"]
    # The Pilkades, 21 days ahead and inside the review + lead-time window, is quantified:
    # 2.000 unrecorded adults, half expected to come (1.000), between a quarter and 4/5.
    event_rows = [row for row in reasons.rows if row[0].startswith("Pilkades serentak")]
    assert len(event_rows) == 1
    assert event_rows[0][0] == "Pilkades serentak (3 desa)"
    # Exactly the event's expected extra blanks (events.impact), not a simulated median.
    assert event_rows[0][1] == 1000 == f["events"][0]["blanks"]["expected"], event_rows
    assert evs.rows == [["Pilkades serentak (3 desa)", TODAY + timedelta(days=21), 500, 1000, 1600]]
    state_values = {row[0]: row[1] for row in state.rows}
    assert state_values["Persediaan di tangan"] == f["on_hand"]
    assert state_values["Cukup untuk (median)"] == f["days_of_cover"]["p50"]
    assert state_values["Peluang kehabisan stok sebelum kiriman tiba"] == pytest.approx(
        f["stockout_probability_before_next_delivery"]
    )
    # The 25 applications waiting to be printed are certain demand in the first open days.
    assert state_values["Antrean cetak (permohonan siap cetak)"] == 25
    queue_row = next(row for row in reasons.rows if row[0] == fs.QUEUE_REASON)
    assert queue_row[1] == 25 and queue_row[2] == "25 permohonan direkam atau siap cetak"

    # XLSX: the quantities are numbers, the total a SUM formula equal to the request.
    wb = load_workbook(io.BytesIO(render_bytes(r, "xlsx")))
    assert wb.sheetnames == ["Ringkasan", "Dasar perhitungan", "Keadaan persediaan", "Acara"]
    cover = {row[0].value: row[1].value for row in wb["Ringkasan"].iter_rows() if row[0].value}
    assert cover["Jumlah dimohon (keping)"] == want
    assert cover["Perihal"] == "Permohonan Blangko KTP-el"
    ws = wb["Dasar perhitungan"]
    assert ws.freeze_panes == "A5"
    values = [ws.cell(row=5 + i, column=2).value for i in range(len(reasons.rows))]
    assert all(isinstance(v, int) for v in values)
    assert values == [row[1] for row in reasons.rows]
    total_row = 5 + len(reasons.rows)
    assert ws.cell(row=total_row, column=1).value == "Jumlah yang dimohon"
    assert ws.cell(row=total_row, column=2).value == f"=SUM(B5:B{total_row - 1})"
    assert sum(values) == want
    ws = wb["Keadaan persediaan"]
    assert ws.cell(row=5, column=2).value == f["on_hand"]
    assert isinstance(ws.cell(row=5, column=2).value, int)
    ws = wb["Acara"]
    assert ws.cell(row=5, column=2).value == datetime(2026, 12, 18)
    assert [ws.cell(row=5, column=j).value for j in (3, 4, 5)] == [500, 1000, 1600]

    # PDF: the quantity in Indonesian format and in words, the letter's parts, A4.
    content = render_bytes(r, "pdf")
    text = pdf_text(content)
    assert f"sebanyak {num(want)} ({terbilang(want)}) keping" in text
    assert want >= 1000 and num(want) == f"{want // 1000}.{want % 1000:03d}"  # 1.234
    assert f"Jumlah yang dimohon {num(want)}" in text
    for piece in (
        "SURAT PERMOHONAN BLANGKO KTP-EL",
        "Perihal : Permohonan Blangko KTP-el",
        "Direktur Jenderal Kependudukan dan Pencatatan Sipil",
        "Jl. Raya Bintuhan No. 1",
        "karena Pilkades serentak (3 desa) dan antrean cetak 25 permohonan",
        f"sebanyak {num(f['on_hand'])} keping",
        "Kaur, 27 November 2026",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kaur",
        "18 Desember 2026",
        "Halaman 1 dari",
    ):
        assert piece in text, piece
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_head_sets_the_quantity_with_a_reason_when_nothing_is_recommended(
    ctx: Context, office: str
) -> None:
    """Issue 11, observation 7: a recommendation of 0 says so and still lets the head ask,
    with a reason; asking for more than recommended needs one too."""
    build_history(ctx, days=60, opening=4000, mean=5)
    f = fs.forecast(ctx, as_of=TODAY)
    rec = f["recommended_request"]
    assert rec["quantity"] == 0
    # The reasons add up to the recommendation: the surplus is a reason of its own.
    assert sum(r["quantity"] for r in rec["reasons"]) == 0
    assert rec["reasons"][-1]["reason"] == fs.SURPLUS_REASON
    with pytest.raises(DomainError) as exc:
        reports.request_letter.build(ctx, as_of=TODAY)
    assert (exc.value.code, exc.value.field) == ("quantity_required", "quantity")
    assert "0 keping" in exc.value.message and "alasan" in exc.value.message
    with pytest.raises(DomainError) as exc:
        reports.request_letter.build(ctx, as_of=TODAY, quantity=1500)
    assert (exc.value.code, exc.value.field) == ("reason_required", "reason")
    with pytest.raises(DomainError) as exc:
        reports.request_letter.build(ctx, as_of=TODAY, quantity=0, reason="x")
    assert exc.value.code == "quantity_range"
    why = "Menjelang Pilkades serentak"
    r = reports.request_letter.build(ctx, as_of=TODAY, quantity=1500, reason=why)
    assert (r.data["quantity"], r.data["recommended"], r.data["reason"]) == (1500, 0, why)
    assert dict(r.facts)["Jumlah dimohon (keping)"] == 1500
    reasons, state, _ = r.tables
    assert reasons.totals()[1] == 1500
    assert reasons.rows[-1][:2] == ["Ditetapkan kepala dinas", 1500]
    assert why in reasons.rows[-1][2]
    values = {row[0]: row[1] for row in state.rows}
    assert values["Usulan permintaan menurut perkiraan"] == 0
    assert values["Jumlah yang dimohon"] == 1500
    text = pdf_text(render_bytes(r, "pdf"))
    assert "sebanyak 1.500 (seribu lima ratus) keping" in text and why in text
    assert "tidak mengusulkan permintaan" in text


def test_head_may_ask_for_less_without_a_reason(ctx: Context, busy_office: dict[str, int]) -> None:
    want = fs.forecast(ctx, as_of=TODAY)["recommended_request"]["quantity"]
    r = reports.request_letter.build(ctx, as_of=TODAY, quantity=want - 100)
    assert r.data["quantity"] == want - 100 and r.tables[0].totals()[1] == want - 100
    assert r.tables[0].rows[-1][:2] == ["Ditetapkan kepala dinas", -100]


def test_cli_writes_the_letter(
    ctx: Context, busy_office: dict[str, int], db_url: str, tmp_path: Path
) -> None:
    want = fs.forecast(ctx, as_of=TODAY)["recommended_request"]["quantity"]
    runner = CliRunner()
    out = tmp_path / "surat.pdf"
    args = ["--db", db_url, "report", "request", "--as-of", "2026-11-27"]
    res = runner.invoke(app, [*args, "--output", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert f"sebanyak {num(want)} (" in pdf_text(out.read_bytes())
    res = runner.invoke(app, [*args, "--format", "xlsx", "--output", str(tmp_path)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(tmp_path / "surat-permohonan-blangko-2026-11-27.xlsx")
    cover = {row[0].value: row[1].value for row in wb["Ringkasan"].iter_rows() if row[0].value}
    assert cover["Jumlah dimohon (keping)"] == want
    # The head's quantity and reason from the command line.
    res = runner.invoke(app, [*args, "--quantity", str(want + 500), "--output", str(out)])
    assert res.exit_code != 0 and res.exception.code == "reason_required"
    res = runner.invoke(
        app,
        [*args, "--quantity", str(want + 500), "--reason", "Pemilu", "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert f"sebanyak {num(want + 500)} (" in pdf_text(out.read_bytes())
