"""Applications from counter to handover, on SQLite and PostgreSQL: every rule, the print
consuming exactly one blank in the same transaction, closures and the office status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from service_helpers import KK, add_resident, resident_row, stock_station
from sqlalchemy import func, select, update

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ts
from blangko.domain.applications import parse_receipt
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services import applications as apps
from blangko.services import figures, forecast, reports
from blangko.services.applications import lifecycle
from blangko.services.calendar import days as cal
from blangko.services.stock import writes
from blangko.services.stock.queries import balance, trace, verify

TODAY = date(2026, 11, 27)  # a Friday, FIXED_NOW in Asia/Jakarta
SATURDAY = date(2026, 11, 21)
INDEPENDENCE_DAY = date(2026, 8, 17)
PPKM = "PPKM: tiga petugas perekaman terkonfirmasi Covid-19"


def _ledger_seq(ctx) -> int:
    with ctx.read() as conn:
        return conn.execute(select(t.office.c.ledger_seq)).scalar_one()


def _events(ctx) -> int:
    with ctx.read() as conn:
        return conn.execute(select(func.count()).select_from(ts.application_event)).scalar_one()


def _ready(ctx, serial: int, type_: str = "pemula", on: date = TODAY, **docs: str) -> str:
    """An application of ``type_`` already print-ready (resident recorded earlier)."""
    printed = date(2015, 1, 5) if type_ != "pemula" else None
    nik = add_resident(ctx, serial=serial, recorded=date(2020, 3, 3), printed=printed)
    r = apps.new(ctx, nik=nik, type=type_, documents=docs or KK, on=on)
    apps.ready(ctx, receipt=r["receipt"], on=on)
    return r["receipt"]


def test_full_lifecycle_of_a_first_card(ctx, office) -> None:
    stock_station(ctx)
    nik = add_resident(ctx, serial=1, birth=date(2009, 11, 20))  # turned 17 last week
    created = apps.new(ctx, nik=nik, type="pemula", documents=KK)
    receipt = created["receipt"]
    assert created == {
        "receipt": receipt,
        "status": "diajukan",
        "office": "17.04",
        "desk_closed": None,  # recording is open today: no warning
        "replayed": False,
    }
    assert parse_receipt(receipt).day == TODAY and receipt.startswith("1704-20261127-")
    assert apps.record(ctx, receipt=receipt)["status"] == "direkam"
    assert resident_row(ctx, nik).tanggal_rekam == TODAY
    assert apps.ready(ctx, receipt=receipt)["status"] == "siap_cetak"
    printed = apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert (printed["status"], printed["serial"], printed["station"]) == (
        "dicetak",
        "KR0000001",
        "loket-1",
    )
    assert resident_row(ctx, nik).tanggal_cetak == TODAY
    assert apps.collect(ctx, receipt=receipt)["status"] == "diserahkan"

    shown = apps.show(ctx, receipt=receipt)
    assert shown["nik"] == nik[:4] + "********" + nik[-4:]
    assert apps.show(ctx, receipt=receipt, reveal=True)["nik"] == nik
    assert [(e["action"], e["from"], e["to"]) for e in shown["events"]] == [
        ("new", None, "diajukan"),
        ("record", "diajukan", "direkam"),
        ("ready", "direkam", "siap_cetak"),
        ("print", "siap_cetak", "dicetak"),
        ("collect", "dicetak", "diserahkan"),
    ]
    assert {e["actor"] for e in shown["events"]} == {"petugas-uji"}
    assert all(e["at"] == "2026-11-27T03:00:00" for e in shown["events"])
    bal = balance(ctx)
    assert bal["totals"]["consumed"] == 1 and bal["by_location"]["loket-1"] == 19
    history = trace(ctx, serial="KR0000001")["history"]
    assert history[-1]["kind"] == "consume" and history[-1]["service"] == "pemula"


def test_receipt_numbers_carry_office_and_day_and_cannot_be_guessed(ctx, office) -> None:
    """Issue 19, finding 8: receipts ran 0001, 0002 ... per office and day, so anyone could
    guess the next one. Now they carry the office and day and a random part with a check
    character: two receipts of one day share nothing after the day."""
    made = []
    for i in range(1, 7):
        nik = add_resident(ctx, serial=i)
        made.append(
            apps.new(ctx, nik=nik, type="pemula", on=date(2026, 11, 2), documents=KK)["receipt"]
        )
    assert all(r.startswith("1704-20261102-") for r in made)
    tails = [r[len("1704-20261102-") :] for r in made]
    assert len(set(tails)) == len(tails)
    assert not any(t.startswith("000") for t in tails)  # not a counter
    assert {parse_receipt(r).number for r in made} == set(made)
    # The print queue keeps the order the applications were made in, not the receipts' order.
    for r in made:
        apps.record(ctx, receipt=r, on=date(2026, 11, 2))
        apps.ready(ctx, receipt=r, on=date(2026, 11, 2))
    assert [q["receipt"] for q in apps.print_queue(ctx)] == made


def test_a_mistyped_receipt_is_refused_before_any_look_up(ctx, office) -> None:
    receipt = apps.new(ctx, nik=add_resident(ctx, serial=1), type="pemula", documents=KK)["receipt"]
    typo = receipt[:-2] + ("A" if receipt[-2] != "A" else "B") + receipt[-1]
    with pytest.raises(DomainError) as err:
        apps.show(ctx, receipt=typo)
    assert (err.value.code, err.value.field) == ("receipt_check", "receipt")
    assert apps.show(ctx, receipt=receipt.lower())["receipt"] == receipt


def test_receipts_of_the_old_shape_keep_working(ctx, office) -> None:
    """An application made by an earlier release keeps its receipt (1704-YYYYMMDD-0001)."""
    nik = add_resident(ctx, serial=1, recorded=date(2019, 4, 1))
    new_style = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    with ctx.write_plain() as conn:
        conn.execute(
            update(ts.application)
            .where(ts.application.c.receipt == new_style)
            .values(receipt="1704-20261127-0001")
        )
    assert apps.ready(ctx, receipt="1704-20261127-0001")["status"] == "siap_cetak"
    assert apps.show(ctx, receipt="1704-20261127-0001")["status"] == "siap_cetak"


def test_recording_is_skipped_for_a_resident_already_recorded(ctx, office) -> None:
    nik = add_resident(ctx, serial=1, recorded=date(2019, 4, 1))
    r = apps.new(ctx, nik=nik, type="pemula", documents=KK)
    assert r["status"] == "direkam"
    shown = apps.show(ctx, receipt=r["receipt"])
    assert shown["recorded_date"] == "2019-04-01"
    assert "sudah direkam 01-04-2019" in shown["events"][0]["note"]
    with pytest.raises(Conflict) as err:
        apps.record(ctx, receipt=r["receipt"])
    assert err.value.code == "invalid_transition"


def test_pemula_must_be_wajib_ktp_at_the_application_date(ctx, office) -> None:
    sixteen = add_resident(ctx, serial=1, birth=date(2009, 12, 1))
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=sixteen, type="pemula", documents=KK)
    assert (err.value.code, err.value.field) == ("not_wajib_ktp", "nik")
    assert "17 tahun" in err.value.message
    # Married under 17 is wajib KTP.
    married = add_resident(ctx, serial=2, birth=date(2010, 1, 1), marital="KAWIN")
    assert apps.new(ctx, nik=married, type="pemula", documents=KK)["status"] == "diajukan"
    # 17 on the date given, not merely today.
    turned = add_resident(ctx, serial=3, birth=date(2009, 11, 20))
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=turned, type="pemula", on=date(2026, 11, 19), documents=KK)
    assert err.value.code == "not_wajib_ktp"
    assert apps.new(ctx, nik=turned, type="pemula", on=date(2026, 11, 20), documents=KK)["status"]


def test_pemula_refused_when_a_card_was_printed(ctx, office) -> None:
    nik = add_resident(ctx, serial=1, recorded=date(2015, 1, 1), printed=date(2015, 2, 1))
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=nik, type="pemula", documents=KK)
    assert (err.value.code, err.value.field) == ("already_has_card", "type")


def test_resident_must_exist_and_be_alive(ctx, office) -> None:
    with pytest.raises(NotFound) as err:
        apps.new(ctx, nik="1704011705900099", type="pemula", documents=KK)
    assert (err.value.code, err.value.field) == ("unknown_resident", "nik")
    dead = add_resident(ctx, serial=1, status="MENINGGAL")
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=dead, type="pemula", documents=KK)
    assert err.value.code == "resident_not_alive"
    assert apps.list_(ctx) == []


def test_one_open_application_per_resident(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    first = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    with pytest.raises(Conflict) as err:
        apps.new(ctx, nik=nik, type="pemula", documents=KK)
    assert err.value.code == "application_open" and first in err.value.message
    apps.cancel(ctx, receipt=first)
    second = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    assert second != first and apps.show(ctx, receipt=second)["status"] == "diajukan"


@pytest.mark.parametrize(
    ("type_", "docs", "field"),
    [
        ("hilang", {}, "laporan_polisi"),
        ("hilang", {"laporan_polisi": "  "}, "laporan_polisi"),
        ("rusak", {}, "ktp_lama"),
        ("rusak", {"ktp_lama": "hilang"}, "ktp_lama"),
        ("perubahan_data", {}, "no_kk"),
        ("perubahan_data", {"no_kk": "12345"}, "no_kk"),
    ],
)
def test_required_documents_per_type(ctx, office, type_, docs, field) -> None:
    nik = add_resident(ctx, serial=1, recorded=date(2015, 1, 1), printed=date(2015, 2, 1))
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=nik, type=type_, documents=docs)
    assert err.value.field == field
    assert apps.list_(ctx) == []


def test_replacement_types_with_their_documents(ctx, office) -> None:
    card = {"recorded": date(2015, 1, 1), "printed": date(2015, 2, 1)}
    lost = apps.new(
        ctx,
        nik=add_resident(ctx, serial=1, **card),
        type="hilang",
        documents={"laporan_polisi": "LP/B/123/XI/2026"},
    )
    damaged = apps.new(
        ctx,
        nik=add_resident(ctx, serial=2, **card),
        type="rusak",
        documents={"ktp_lama": "diserahkan"},
    )
    change = apps.new(
        ctx,
        nik=add_resident(ctx, serial=3, **card),
        type="perubahan_data",
        documents={"no_kk": "1704010101260001"},
    )
    assert {lost["status"], damaged["status"], change["status"]} == {"direkam"}
    assert apps.show(ctx, receipt=lost["receipt"], reveal=True)["documents"] == {
        "laporan_polisi": "LP/B/123/XI/2026"
    }
    # Issue 19, finding 8: a role that sees masked NIKs saw the full KK and police report.
    assert apps.show(ctx, receipt=lost["receipt"])["documents"] == {
        "laporan_polisi": "************2026"
    }
    masked_kk = {"no_kk": "1704********0001"}
    assert apps.show(ctx, receipt=change["receipt"])["documents"] == masked_kk
    assert [a["documents"] for a in apps.list_(ctx, type="perubahan_data")] == [masked_kk]
    assert apps.ready(ctx, receipt=change["receipt"])["documents"] == masked_kk
    assert [q["documents"] for q in apps.print_queue(ctx)] == [masked_kk]
    assert apps.print_queue(ctx, reveal=True)[0]["documents"] == {"no_kk": "1704010101260001"}
    never_printed = add_resident(ctx, serial=4, recorded=date(2020, 1, 1))
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=never_printed, type="hilang", documents={"laporan_polisi": "LP/1"})
    assert err.value.code == "no_card_yet"
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=never_printed, type="baru")
    assert (err.value.code, err.value.field) == ("unknown_type", "type")


def test_illegal_transitions_are_refused_and_write_nothing(ctx, office) -> None:
    stock_station(ctx)
    nik = add_resident(ctx, serial=1)
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    events = _events(ctx)
    with pytest.raises(Conflict) as err:
        apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert err.value.code == "invalid_transition" and "siap cetak (PRR)" in err.value.message
    with pytest.raises(Conflict):
        apps.collect(ctx, receipt=receipt)
    with pytest.raises(Conflict):
        apps.suket(ctx, receipt=receipt)  # not recorded yet
    assert _events(ctx) == events
    assert apps.show(ctx, receipt=receipt)["status"] == "diajukan"
    with pytest.raises(DomainError) as err:
        apps.reject(ctx, receipt=receipt, reason=" ")
    assert err.value.field == "reason"
    rejected = apps.reject(ctx, receipt=receipt, reason="dokumen KK tidak sesuai")
    assert (rejected["status"], rejected["reason"]) == ("ditolak", "dokumen KK tidak sesuai")
    with pytest.raises(Conflict):
        apps.cancel(ctx, receipt=receipt)
    with pytest.raises(NotFound):
        apps.show(ctx, receipt="1704-20261127-0099")
    with pytest.raises(DomainError) as err:
        apps.show(ctx, receipt="17-04-1")
    assert err.value.code == "receipt_format"


def test_future_dates_and_dates_before_the_application_are_refused(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    with pytest.raises(DomainError) as err:
        apps.new(ctx, nik=nik, type="pemula", on=TODAY + timedelta(days=1), documents=KK)
    assert err.value.code == "date_in_future"
    receipt = apps.new(ctx, nik=nik, type="pemula", on=date(2026, 11, 20), documents=KK)["receipt"]
    with pytest.raises(DomainError) as err:
        apps.record(ctx, receipt=receipt, on=date(2026, 11, 19))
    assert err.value.code == "date_before_application"
    apps.record(ctx, receipt=receipt, on=date(2026, 11, 24))
    with pytest.raises(DomainError) as err:
        apps.ready(ctx, receipt=receipt, on=date(2026, 11, 23))
    assert err.value.code == "date_before_previous_step"
    assert apps.ready(ctx, receipt=receipt, on=date(2026, 11, 24))["ready_date"] == "2026-11-24"


def test_print_consumes_exactly_one_blank_in_the_same_transaction(ctx, office) -> None:
    stock_station(ctx)
    receipt = _ready(ctx, 1)
    seq = _ledger_seq(ctx)
    r = apps.print_card(ctx, receipt=receipt, station="loket-1", serial="KR0000007")
    assert r["serial"] == "KR0000007"
    assert _ledger_seq(ctx) == seq + 1
    assert balance(ctx)["totals"]["consumed"] == 1
    assert trace(ctx, serial="KR0000007")["state"] == "consumed"
    assert verify(ctx)["sound"] is True


def test_a_failing_print_writes_nothing(ctx, office, monkeypatch) -> None:
    stock_station(ctx, at_station=0)
    receipt = _ready(ctx, 1)
    seq, events = _ledger_seq(ctx), _events(ctx)
    with pytest.raises(DomainError) as err:
        apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert err.value.code == "insufficient_stock"
    with pytest.raises(DomainError) as err:
        apps.print_card(ctx, receipt=receipt, station="gudang")
    assert err.value.code == "not_a_station"
    writes.transfer(ctx, qty=5, from_location="gudang", to_location="loket-1")
    seq = _ledger_seq(ctx)
    # The blank is consumed first; a failure after it must roll the consumption back too.
    boom = RuntimeError("disk full while writing the event")

    def failing_event(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise boom

    monkeypatch.setattr(lifecycle, "add_event", failing_event)
    with pytest.raises(RuntimeError):
        apps.print_card(ctx, receipt=receipt, station="loket-1")
    monkeypatch.undo()
    assert _ledger_seq(ctx) == seq and _events(ctx) == events
    assert trace(ctx, serial="KR0000001")["state"] == "available"
    assert apps.show(ctx, receipt=receipt)["status"] == "siap_cetak"
    assert apps.print_card(ctx, receipt=receipt, station="loket-1")["serial"] == "KR0000001"


def test_print_retry_with_the_same_key_does_nothing(ctx, office) -> None:
    stock_station(ctx)
    receipt = _ready(ctx, 1)
    other = _ready(ctx, 2)
    first = apps.print_card(ctx, receipt=receipt, station="loket-1", idempotency_key="cetak-1")
    seq, events = _ledger_seq(ctx), _events(ctx)
    again = apps.print_card(ctx, receipt=receipt, station="loket-1", idempotency_key="cetak-1")
    assert again["replayed"] is True and first["replayed"] is False
    assert again["serial"] == first["serial"] == "KR0000001"
    assert (_ledger_seq(ctx), _events(ctx)) == (seq, events)
    assert balance(ctx)["totals"]["consumed"] == 1
    with pytest.raises(Conflict) as err:
        apps.print_card(ctx, receipt=other, station="loket-1", idempotency_key="cetak-1")
    assert err.value.code == "idempotency_key_reused"
    # Without the key a second print of the same application is refused, not repeated.
    with pytest.raises(Conflict) as err:
        apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert err.value.code == "invalid_transition"
    assert balance(ctx)["totals"]["consumed"] == 1


def test_new_is_idempotent(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    first = apps.new(ctx, nik=nik, type="pemula", idempotency_key="loket-a-1", documents=KK)
    again = apps.new(ctx, nik=nik, type="pemula", idempotency_key="loket-a-1", documents=KK)
    assert again == {**first, "replayed": True}
    assert len(apps.list_(ctx)) == 1


def test_misprint_spoils_the_serial_and_returns_to_the_print_queue(ctx, office) -> None:
    stock_station(ctx)
    receipt = _ready(ctx, 1)
    apps.print_card(ctx, receipt=receipt, station="loket-1")
    with pytest.raises(DomainError) as err:
        apps.misprint(ctx, receipt=receipt, reason="tinta")
    assert err.value.field == "reason"
    back = apps.misprint(ctx, receipt=receipt, reason="salah_cetak")
    assert (back["status"], back["serial"]) == ("siap_cetak", None)
    spoiled = trace(ctx, serial="KR0000001")
    assert spoiled["state"] == "spoiled"  # kept for destruction, not back in stock
    assert [queued["receipt"] for queued in apps.print_queue(ctx)] == [receipt]
    reprinted = apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert reprinted["serial"] == "KR0000002"
    bal = balance(ctx)
    assert (bal["totals"]["consumed"], bal["totals"]["spoiled"]) == (1, 1)
    assert bal["by_location"]["loket-1"] == 18
    assert verify(ctx)["sound"] is True
    actions = [e["action"] for e in apps.show(ctx, receipt=receipt)["events"]]
    assert actions == ["new", "ready", "print", "misprint", "print"]
    # The monthly usage report books the misprint as spoiled, reconciled with the balance.
    report = reports.usage.build(ctx, month="2026-11")
    recap = {row[0]: row[1] for row in report.tables[0].rows}
    assert (recap["Dipakai (dicetak)"], recap["Rusak"]) == (-1, -1)


def test_print_queue_order(ctx, office) -> None:
    change_old = _ready(ctx, 1, "perubahan_data", on=date(2026, 11, 2), no_kk="1704010101260001")
    lost_old = _ready(ctx, 2, "hilang", on=date(2026, 11, 3), laporan_polisi="LP/1")
    first_new = _ready(ctx, 3, "pemula", on=date(2026, 11, 20))
    damaged = _ready(ctx, 4, "rusak", on=date(2026, 11, 2), ktp_lama="diserahkan")
    first_old = _ready(ctx, 5, "pemula", on=date(2026, 11, 10))
    change_suket = _ready(ctx, 6, "perubahan_data", on=date(2026, 11, 25), no_kk="1704010101260002")
    assert apps.suket(ctx, receipt=change_suket)["suket"] is True
    with pytest.raises(Conflict):
        apps.suket(ctx, receipt=change_suket)
    queue = apps.print_queue(ctx)
    assert [q["receipt"] for q in queue] == [
        first_old,
        first_new,
        change_suket,  # a suket holder is first-card priority: the card is owed
        damaged,
        lost_old,
        change_old,
    ]
    assert [q["position"] for q in queue] == [1, 2, 3, 4, 5, 6]


def test_suket_holder_waits_and_is_counted(ctx, office) -> None:
    receipt = _ready(ctx, 1, "hilang", laporan_polisi="LP/9")
    apps.suket(ctx, receipt=receipt)
    assert apps.backlog(ctx) == {
        "to_record": 0,
        "recorded": 0,
        "to_print": 1,
        "registry_prr": 0,
        "print_backlog": 1,
        "suket_waiting": 1,
    }
    assert figures.status(ctx)["backlog"] == apps.backlog(ctx)


def test_print_backlog_counts_each_resident_once(ctx, office) -> None:
    """The registry's print-ready residents and the open applications make the print
    backlog; a resident with both is counted once, and a print takes them off it."""
    stock_station(ctx)
    prr = add_resident(ctx, serial=1, recorded=date(2021, 5, 4))
    add_resident(ctx, serial=2, recorded=date(2021, 5, 4), printed=date(2021, 6, 1))
    add_resident(ctx, serial=3)  # not recorded: not print-ready
    add_resident(ctx, serial=4, recorded=date(2021, 5, 4), status="MENINGGAL")

    def counts() -> tuple[int, int, int, int, int]:
        b = apps.backlog(ctx)
        assert (
            b["print_backlog"] == b["to_record"] + b["recorded"] + b["to_print"] + b["registry_prr"]
        )
        return b["registry_prr"], b["to_record"], b["recorded"], b["to_print"], b["print_backlog"]

    assert counts() == (1, 0, 0, 0, 1)
    receipt = apps.new(ctx, nik=prr, type="pemula", documents=KK)["receipt"]  # starts recorded
    assert counts() == (0, 0, 1, 0, 1)
    apps.ready(ctx, receipt=receipt)
    assert counts() == (0, 0, 0, 1, 1)
    apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert counts() == (0, 0, 0, 0, 0)
    apps.misprint(ctx, receipt=receipt, reason="salah_cetak")
    assert counts() == (0, 0, 0, 1, 1)
    # Someone from outside the registry (moved in) who applies is in the backlog too.
    other = add_resident(ctx, serial=5, birth=date(2009, 11, 20))
    apps.new(ctx, nik=other, type="pemula", documents=KK)
    assert counts() == (0, 1, 0, 1, 2)


def test_ikd_uses_no_blank(ctx, office) -> None:
    stock_station(ctx)
    receipt = _ready(ctx, 1)
    seq = _ledger_seq(ctx)
    r = apps.ikd(ctx, receipt=receipt)
    assert (r["ikd"], r["status"]) == (True, "siap_cetak")
    assert _ledger_seq(ctx) == seq
    assert balance(ctx)["totals"]["consumed"] == 0
    with pytest.raises(Conflict) as err:
        apps.ikd(ctx, receipt=receipt)
    assert err.value.code == "ikd_exists"
    nik = add_resident(ctx, serial=2)
    unrecorded = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    with pytest.raises(Conflict):
        apps.ikd(ctx, receipt=unrecorded)


def test_closure_blocks_recording_with_its_reason(ctx, office) -> None:
    stock_station(ctx)
    closure = cal.add_closure(ctx, service="perekaman", start=date(2026, 11, 23), reason=PPKM)[
        "closure"
    ]
    assert closure["end"] is None
    nik = add_resident(ctx, serial=1)
    # The counter still takes it.
    receipt = apps.new(ctx, nik=nik, type="pemula", documents=KK)["receipt"]
    with pytest.raises(DomainError) as err:
        apps.record(ctx, receipt=receipt)
    assert (err.value.code, err.value.field) == ("service_closed", "date")
    assert PPKM in err.value.message
    assert resident_row(ctx, nik).tanggal_rekam is None
    # Printing is not closed: a print-ready application still prints.
    assert apps.print_card(ctx, receipt=_ready(ctx, 2), station="loket-1")["status"] == "dicetak"
    status = cal.status(ctx)["services"]
    assert status == {
        "pencetakan": {"open": True, "reason": None},
        "perekaman": {"open": False, "reason": PPKM},
    }
    assert [c["id"] for c in cal.list_closures(ctx, active_on=TODAY)] == [closure["id"]]
    ended = cal.end_closure(ctx, closure_id=closure["id"], reopen=TODAY)
    assert ended["closure"]["end"] == "2026-11-26"
    assert apps.record(ctx, receipt=receipt)["status"] == "direkam"
    with pytest.raises(Conflict):
        cal.end_closure(ctx, closure_id=closure["id"], reopen=TODAY)
    assert cal.list_closures(ctx, active_on=TODAY) == []


def test_closure_of_all_services_blocks_printing(ctx, office) -> None:
    stock_station(ctx)
    receipt = _ready(ctx, 1)
    cal.add_closure(ctx, service="semua", start=TODAY, end=TODAY, reason="Gangguan jaringan SIAK")
    seq = _ledger_seq(ctx)
    with pytest.raises(DomainError) as err:
        apps.print_card(ctx, receipt=receipt, station="loket-1")
    assert "Gangguan jaringan SIAK" in err.value.message
    assert _ledger_seq(ctx) == seq


def test_closure_validation(ctx, office) -> None:
    with pytest.raises(DomainError) as err:
        cal.add_closure(ctx, service="cetak", start=TODAY, reason="x")
    assert err.value.field == "service"
    with pytest.raises(DomainError) as err:
        cal.add_closure(ctx, service="perekaman", start=TODAY, reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        cal.add_closure(
            ctx, service="perekaman", start=TODAY, end=TODAY - timedelta(days=1), reason="x"
        )
    assert err.value.field == "end"
    c = cal.add_closure(ctx, service="perekaman", start=TODAY, reason="cuti bersama")["closure"]
    with pytest.raises(DomainError) as err:
        cal.end_closure(ctx, closure_id=c["id"], reopen=TODAY)
    assert err.value.code == "reopen_before_start"
    with pytest.raises(NotFound):
        cal.end_closure(ctx, closure_id=999, reopen=TODAY)


def test_weekend_closed_unless_declared_open(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    receipt = apps.new(ctx, nik=nik, type="pemula", on=date(2026, 11, 20), documents=KK)["receipt"]
    with pytest.raises(DomainError) as err:
        apps.record(ctx, receipt=receipt, on=SATURDAY)
    assert "Akhir pekan" in err.value.message
    with pytest.raises(DomainError) as err:
        cal.add_open_day(ctx, day=date(2026, 11, 20), reason="pelayanan")
    assert err.value.code == "not_weekend"
    cal.add_open_day(ctx, day=SATURDAY, reason="Pelayanan Sabtu menjelang Pilkades")
    assert apps.record(ctx, receipt=receipt, on=SATURDAY)["recorded_date"] == "2026-11-21"
    assert cal.status(ctx, on=SATURDAY)["services"]["perekaman"]["open"] is True
    assert cal.status(ctx, on=date(2026, 11, 22))["services"]["perekaman"] == {
        "open": False,
        "reason": "Akhir pekan",
    }


def test_national_holiday_is_closed(ctx, office) -> None:
    nik = add_resident(ctx, serial=1)
    receipt = apps.new(ctx, nik=nik, type="pemula", on=date(2026, 8, 14), documents=KK)["receipt"]
    with pytest.raises(DomainError) as err:
        apps.record(ctx, receipt=receipt, on=INDEPENDENCE_DAY)
    assert "Libur nasional" in err.value.message and "Kemerdekaan" in err.value.message


def test_status_stock_cover_and_capacity(ctx, office) -> None:
    """The status's days of cover are the forecast's (p50, p90, beyond the horizon), and its
    level is habis at 0, menipis when the 90 % cover is under the threshold, aman otherwise."""
    stock_station(ctx)  # 100 on hand, no use yet
    s = figures.status(ctx)
    fc = forecast.forecast(ctx)
    assert s["stock"]["on_hand"] == fc["on_hand"] == 100
    assert s["stock"]["days_of_cover"] == {**fc["days_of_cover"], "horizon_days": 120}
    # 4 a working day over the last four weeks: 80 used, 20 left, a week or so of cover.
    day = TODAY - timedelta(days=28)
    while day < TODAY:
        if day.weekday() < 5:
            writes.consume(ctx, service="pemula", qty=4, location="gudang", effective=day)
        day += timedelta(days=1)
    s = figures.status(ctx)
    cover = s["stock"]["days_of_cover"]
    assert cover == {**forecast.forecast(ctx)["days_of_cover"], "horizon_days": 120}
    assert cover["p90"] <= cover["p50"] < 14 and not cover["beyond_horizon"]
    assert (s["stock"]["on_hand"], s["stock"]["level"]) == (20, "menipis")
    assert figures.status(ctx, low_days=cover["p90"])["stock"]["level"] == "aman"
    # The simple average is there only as the OpenLMIS comparison, never as days of cover.
    assert set(s["stock"]["comparison"]) == {
        "average_monthly_consumption",
        "months_of_stock",
        "method",
    }
    # A day ahead: its services, today's stock figures (there is no ledger of the future).
    ahead = figures.status(ctx, on=TODAY + timedelta(days=30))
    assert ahead["date"] == "2026-12-27" and ahead["stock"]["as_of"] == TODAY.isoformat()
    assert ahead["stock"]["days_of_cover"] == cover
    writes.consume(ctx, service="pemula", qty=20, location="loket-1")
    assert figures.status(ctx)["stock"]["level"] == "habis"
    cal.set_capacity(ctx, service="perekaman", per_day=60)
    cal.set_capacity(ctx, service="perekaman", per_day=80)
    assert cal.status(ctx)["capacity"] == {"pencetakan": None, "perekaman": 80}
    assert figures.status(ctx)["capacity"] == {"pencetakan": None, "perekaman": 80}
    with pytest.raises(DomainError) as err:
        cal.set_capacity(ctx, service="perekaman", per_day=-1)
    assert err.value.field == "per_day"


def test_list_filters_and_masks(ctx, office) -> None:
    a = add_resident(ctx, serial=1)
    b = add_resident(ctx, serial=2, recorded=date(2015, 1, 1), printed=date(2015, 2, 1))
    apps.new(ctx, nik=a, type="pemula", documents=KK)
    apps.new(ctx, nik=b, type="hilang", documents={"laporan_polisi": "LP/2"})
    rows = apps.list_(ctx)
    assert [r["type"] for r in rows] == ["pemula", "hilang"]
    assert all("********" in r["nik"] for r in rows)
    assert [r["nik"] for r in apps.list_(ctx, reveal=True)] == [a, b]
    assert [r["type"] for r in apps.list_(ctx, status="direkam")] == ["hilang"]
    assert [r["type"] for r in apps.list_(ctx, type="pemula")] == ["pemula"]
    with pytest.raises(DomainError) as err:
        apps.list_(ctx, status="selesai")
    assert err.value.field == "status"
