"""The demo's applications, built against residents inserted here (the demo's own resident
generator is tested elsewhere): every type and state, the ledger agreeing with the prints,
and recording closed for PPKM."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from service_helpers import add_resident
from sqlalchemy import select

from blangko.adapters import tables as t
from blangko.adapters import tables_applications as ts
from blangko.adapters import tables_residents as tr
from blangko.demo.applications import PPKM_REASON, add_applications
from blangko.services import applications as apps
from blangko.services.calendar import days as cal
from blangko.services.stock import writes
from blangko.services.stock.queries import verify


def test_demo_applications_agree_with_the_ledger(ctx, office) -> None:
    today = ctx.today()
    writes.record_opening(
        ctx, serials="KR0001001-KR0001500", effective=today - timedelta(days=60), office=office
    )
    for i in range(1, 401):
        has_card = i % 2 == 0
        add_resident(
            ctx,
            serial=i,
            birth=date(1970 + i % 35, 1 + i % 12, 1 + i % 28),
            sex="L" if i % 3 else "P",
            recorded=date(2018, 1, 8) if has_card or i % 5 == 1 else None,
            printed=date(2018, 2, 5) if has_card else None,
        )

    made = add_applications(ctx, office)

    assert made["applications"] >= 250
    assert set(made["by_type"]) == {"pemula", "hilang", "rusak", "perubahan_data"}
    assert set(made["by_status"]) >= {
        "diajukan",
        "siap_cetak",
        "dicetak",
        "diserahkan",
        "ditolak",
        "dibatalkan",
    }
    with ctx.read() as conn:
        events = Counter(conn.execute(select(ts.application_event.c.action)).scalars())
        kinds = Counter(conn.execute(select(t.ledger_entry.c.kind)).scalars())
        suket = conn.execute(
            select(ts.application.c.receipt).where(ts.application.c.suket_at.isnot(None))
        ).all()
        recorded_late = conn.execute(
            select(tr.resident.c.nik).where(tr.resident.c.tanggal_rekam >= today - timedelta(4))
        ).all()
        app_rows = conn.execute(select(ts.application)).all()
        event_actors = set(conn.execute(select(ts.application_event.c.actor)).scalars())
        refill_actors = set(
            conn.execute(
                select(t.ledger_entry.c.actor).where(t.ledger_entry.c.kind == "transfer")
            ).scalars()
        )
    # One blank consumed per print, one re-booked spoiled per misprint, nothing else.
    assert kinds["consume"] == events["print"] > 100
    assert kinds["misprint"] == events["misprint"] >= 1
    assert events["ikd"] >= 1 and suket
    assert verify(ctx)["sound"] is True
    # Issue 12: the operator takes and prints, the stock keeper refills the station; every
    # application carries its type's documents; some cards went to a proxy.
    assert event_actors == {"operator"} and refill_actors <= {"stok"}
    pemula = [a for a in app_rows if a.type == "pemula"]
    assert pemula and all('"no_kk"' in a.documents for a in pemula)
    by = Counter(a.collected_by for a in app_rows if a.status == "diserahkan")
    assert by["kuasa"] >= 1 and by["pemohon"] > by["kuasa"]
    assert all(a.proxy_nik and a.proxy_nik != a.nik for a in app_rows if a.collected_by == "kuasa")
    printed = [a for a in app_rows if a.status in ("dicetak", "diserahkan")]
    assert len({a.serial for a in printed}) == len(printed)
    # PPKM: nobody recorded since recording closed; the counter kept taking applications.
    assert recorded_late == []
    status = cal.status(ctx)
    assert status["services"]["perekaman"] == {"open": False, "reason": PPKM_REASON}
    assert apps.backlog(ctx)["to_record"] == made["by_status"]["diajukan"] > 0
    closures = cal.list_closures(ctx, active_on=today)
    assert [(c["service"], c["end"], c["reason"]) for c in closures] == [
        ("perekaman", None, PPKM_REASON)
    ]
