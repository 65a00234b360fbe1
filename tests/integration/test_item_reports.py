"""The usage report and the count record of a quantity item, per lot (issue 15 point 4), on
SQLite and on PostgreSQL: opening, received, loaded into printers, spoiled, lost, adjusted and
closing per lot, equal to the item's balance at both ends; the e-KTP blank's reports are
unchanged when no item is named."""

from __future__ import annotations

from datetime import date

import pytest

from blangko.domain.errors import DomainError
from blangko.services import reports
from blangko.services.context import Context
from blangko.services.items import queries as iq
from blangko.services.items import serialised as ks
from blangko.services.items import writes as iw
from blangko.services.stock import writes as sw

OCT = date(2026, 10, 5)


@pytest.fixture
def moved(ctx: Context, office: str) -> str:
    sw.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    iw.add_item(
        ctx,
        code="pita-warna",
        name="Pita warna YMCKO",
        role="ribbon",
        unit="roll",
        yield_prints=500,
    )
    iw.add_printer(ctx, name="P1", station="loket-1", capacity=200, since=OCT)
    # October: two lots in, one roll loaded. November: a lot in, two loads, a spoil, a loss,
    # a count that finds one roll missing in lot A.
    iw.receive(ctx, item="pita-warna", lot="A", quantity=6, document="BAST/1", effective=OCT)
    iw.receive(ctx, item="pita-warna", lot="B", quantity=3, document="BAST/2", effective=OCT)
    iw.load(ctx, name="P1", item="pita-warna", lot="A", label="BOX-1", effective=OCT)
    iw.receive(
        ctx, item="pita-warna", lot="C", quantity=4, document="BAST/3", effective=date(2026, 11, 3)
    )
    iw.load(ctx, name="P1", item="pita-warna", lot="A", label="BOX-2", effective=date(2026, 11, 4))
    iw.load(ctx, name="P1", item="pita-warna", lot="C", label="BOX-3", effective=date(2026, 11, 9))
    iw.remove(
        ctx,
        item="pita-warna",
        kind="spoil",
        lot="B",
        quantity=1,
        reason="basah",
        effective=date(2026, 11, 10),
    )
    iw.remove(
        ctx,
        item="pita-warna",
        kind="lose",
        lot="B",
        quantity=1,
        reason="hilang di gudang",
        document="LP/7",
        effective=date(2026, 11, 11),
    )
    iw.count(
        ctx,
        item="pita-warna",
        lot="A",
        counted=3,
        reason="tidak ditemukan",
        effective=date(2026, 11, 20),
    )
    return office


def test_item_usage_report_per_lot(ctx: Context, moved: str) -> None:
    report = reports.build(ctx, "item_usage", {"month": "2026-11", "item": "pita-warna"})
    data = report.data
    by_lot = {r["lot"]: r for r in data["by_lot"]}
    assert by_lot["A"] == {
        "lot": "A",
        "opening": 5,
        "received": 0,
        "loaded": 1,
        "spoiled": 0,
        "lost": 0,
        "adjusted": -1,
        "closing": 3,
    }
    assert by_lot["B"] == {
        "lot": "B",
        "opening": 3,
        "received": 0,
        "loaded": 0,
        "spoiled": 1,
        "lost": 1,
        "adjusted": 0,
        "closing": 1,
    }
    assert by_lot["C"] == {
        "lot": "C",
        "opening": 0,
        "received": 4,
        "loaded": 1,
        "spoiled": 0,
        "lost": 0,
        "adjusted": 0,
        "closing": 3,
    }
    assert data["opening"] == 8 and data["closing"] == 7
    assert data["moved"] == {"received": 4, "loaded": 2, "spoiled": 1, "lost": 1, "adjusted": -1}
    # Both ends are the item's balance (the same tally `item balance` uses).
    assert iq.item_balance(ctx, item="pita-warna", as_of=date(2026, 10, 31))["on_hand"] == 8
    assert iq.item_balance(ctx, item="pita-warna")["on_hand"] == data["closing"]
    assert data["item_seq"] == 9
    # The month's entries, the load naming its printer.
    entries = report.tables[1].rows
    assert len(entries) == 6
    assert any(r[2] == "Dipasang di printer" and r[5] == "P1" for r in entries)
    # October: opening 0, two lots received, one loaded.
    octo = reports.build(ctx, "item_usage", {"month": "2026-10", "item": "pita-warna"}).data
    assert (octo["opening"], octo["moved"]["received"], octo["moved"]["loaded"]) == (0, 9, 1)
    assert octo["closing"] == 8
    for fmt in ("xlsx", "pdf"):
        content, name, _ = reports.render(
            ctx, "item_usage", {"month": "2026-11", "item": "pita-warna"}, fmt
        )
        assert name == f"laporan-penggunaan-pita-warna-2026-11.{fmt}" and len(content) > 1000


def test_item_count_record(ctx: Context, moved: str) -> None:
    report = reports.build(ctx, "item_count", {"item": "pita-warna"})
    data = report.data
    assert data["date"] == "2026-11-20"
    rows = {r["lot"]: r for r in data["by_lot"]}
    assert rows["A"] == {
        "lot": "A",
        "book": 4,
        "counted": 3,
        "variance": -1,
        "reason": "tidak ditemukan",
    }
    assert rows["B"]["variance"] == 0 and rows["B"]["book"] == 1
    assert (data["book"], data["counted"], data["variance"]) == (8, 7, -1)
    content, name, _ = reports.render(ctx, "item_count", {"item": "pita-warna"}, "pdf")
    assert content.startswith(b"%PDF") and "pita-warna-2026-11-20" in name


def test_item_reports_refuse_bad_input(ctx: Context, moved: str) -> None:
    for name, params, code in (
        ("item_usage", {"month": "2026-11", "item": "tinta"}, "unknown_item"),
        ("item_usage", {"month": "2026-11", "item": "ektp"}, "serialised_item"),
        ("item_usage", {"month": "2027-01", "item": "pita-warna"}, "month_in_future"),
        ("item_count", {"item": "pita-warna", "as_of": date(2027, 1, 1)}, "date_in_future"),
    ):
        with pytest.raises(DomainError) as exc:
            reports.build(ctx, name, params)
        assert exc.value.code == code
    iw.add_item(ctx, code="film", name="Film", role="film", unit="roll", yield_prints=1000)
    with pytest.raises(DomainError) as exc:
        reports.build(ctx, "item_count", {"item": "film"})
    assert exc.value.code == "no_item_count"


def test_blank_usage_report_unchanged_by_items(ctx: Context, moved: str) -> None:
    data = reports.build(ctx, "usage", {"month": "2026-11"}).data
    assert data["opening"] == 100 and data["closing"] == 100
    assert "item" not in data


def test_reports_of_a_serialised_item(ctx: Context, office: str) -> None:
    """A KIA blank's usage report and count record: printed cards in their own column, the
    entries naming the serials they moved, the count record listing the serials not found
    and found."""
    sw.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    iw.add_item(ctx, code="kia", name="Blangko KIA", role="other", unit="keping",
                kind="serialised", serial_pattern="KA######")  # fmt: skip
    iw.receive(ctx, item="kia", serials="KA000001-KA000030", document="BAST/KIA/1",
               effective=OCT)  # fmt: skip
    nov = date(2026, 11, 4)
    ks.print_serial(ctx, item="kia", serial="KA000001", effective=nov)
    ks.print_serial(ctx, item="kia", serial="KA000002", effective=nov)
    iw.remove(ctx, item="kia", kind="spoil", serials="KA000003", reason="cetak gagal",
              effective=nov)  # fmt: skip
    iw.count(ctx, item="kia", serials="KA000004-KA000028", reason="tidak ada di lemari",
             effective=date(2026, 11, 20))  # fmt: skip
    report = reports.build(ctx, "item_usage", {"month": "2026-11", "item": "kia"})
    data = report.data
    assert data["opening"] == 30 and data["closing"] == 25
    assert data["moved"] == {"received": 0, "loaded": 2, "spoiled": 1, "lost": 0, "adjusted": -2}
    assert report.tables[0].columns[3].title == "Dicetak"
    # A card is printed, not loaded in a printer, in the note and the reconciliation too.
    assert "dicetak" in report.tables[0].note and "dipasang" not in report.tables[0].note
    assert "- dicetak 2 -" in str(report.checks[0])
    entries = report.tables[1].rows
    assert [r[5] for r in entries if r[2] == "Dicetak"] == ["KA000001", "KA000002"]
    assert iq.item_balance(ctx, item="kia")["on_hand"] == data["closing"]
    count = reports.build(ctx, "item_count", {"item": "kia"})
    assert count.data["date"] == "2026-11-20" and count.data["variance"] == -2
    assert count.data["missing_serials"] == "KA000029-KA000030"
    assert count.data["found_serials"] == ""
    assert count.tables[1].rows == [["Penyesuaian (kurang)", "KA000029-KA000030", 2,
                                     "tidak ada di lemari"]]  # fmt: skip
    for name, params in (("item_usage", {"month": "2026-11", "item": "kia"}),
                         ("item_count", {"item": "kia"})):  # fmt: skip
        content, _, _ = reports.render(ctx, name, params, "pdf")
        assert len(content) > 1000
