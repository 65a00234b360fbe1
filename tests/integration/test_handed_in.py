"""The register of handed-in cards on SQLite and PostgreSQL: a replacement's collection
takes the old card in, a card received on its own, destruction (once, two witnesses, dates),
reconciliation (received = destroyed + held), counts with variances, the hash chain, and the
concurrent destruction of one card."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest
from service_helpers import add_resident, stock_station
from sqlalchemy import func, select, update

from blangko.adapters import tables_handed_in as th
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services import applications as apps
from blangko.services import handed_in as hi
from blangko.services import readlog

TODAY = date(2026, 11, 27)
W = ["Andi Saputra", "Sri Wahyuni"]


def _rows(ctx) -> tuple[int, int, int, int]:
    with ctx.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (
                th.handed_in_card,
                th.card_destruction,
                th.card_destruction_item,
                th.handed_in_count,
            )
        )


def _cards(ctx, n: int, start: int = 1, on: date = TODAY - timedelta(days=3)) -> list[int]:
    ids = []
    for k in range(start, start + n):
        nik = add_resident(ctx, serial=k, printed=date(2015, 1, 5), recorded=date(2014, 1, 1))
        r = hi.receive_card(ctx, nik=nik, reason="pindah", received_on=on, card_serial=f"K{k:07d}")
        ids.append(r["card"]["id"])
    return ids


def test_collection_of_a_replacement_takes_the_old_card_in(ctx, office) -> None:
    stock_station(ctx)
    nik = add_resident(ctx, serial=7, recorded=date(2014, 2, 2), printed=date(2015, 1, 5))
    first = add_resident(ctx, serial=8, birth=date(2008, 1, 1), recorded=date(2026, 1, 5))
    for who, kind, docs in (
        (nik, "rusak", {"ktp_lama": "diserahkan"}),
        (first, "pemula", {"no_kk": "1704010101010001"}),
    ):
        r = apps.new(ctx, nik=who, type=kind, documents=docs)
        apps.ready(ctx, receipt=r["receipt"])
        apps.print_card(ctx, receipt=r["receipt"], station="loket-1")
        apps.collect(ctx, receipt=r["receipt"])
    reg = hi.register(ctx, reveal=True)
    assert reg["totals"] == {
        "as_of": TODAY.isoformat(),
        "received": 1,  # the rusak card; a first card hands nothing in
        "destroyed": 0,
        "held": 1,
        "reconciled": True,
    }
    (card,) = reg["items"]
    assert (card["nik"], card["reason"], card["received_on"]) == (nik, "rusak", "2026-11-27")
    assert card["receipt"] and card["received_by"] == "petugas-uji"
    assert card["nama"] == "Penduduk Uji 7"
    note = apps.show(ctx, receipt=card["receipt"])["events"][-1]["note"]
    assert note == f"diterima pemohon sendiri; kartu lama diterima (register nomor {card['id']})"
    # The revealed read is logged; a masked one is not.
    assert readlog.list_reads(ctx)["items"][0]["action"] == "handed_in"
    masked = hi.register(ctx)["items"][0]
    assert masked["nik"] != nik and masked["nik"].endswith(nik[-4:]) and masked["nama"] is None
    assert readlog.list_reads(ctx)["total"] == 1


def test_destruction_reconciles_and_a_card_is_destroyed_once(ctx, office) -> None:
    ids = _cards(ctx, 3)
    done = hi.destroy_cards(
        ctx, cards=ids[:2], witnesses=W, place="Halaman kantor Dukcapil Kaur", method="bakar"
    )
    assert done["card_ids"] == ids[:2] and done["destruction"]["cards"] == 2
    assert done["totals"] == {
        "as_of": TODAY.isoformat(),
        "received": 3,
        "destroyed": 2,
        "held": 1,
        "reconciled": True,
    }
    before = _rows(ctx)
    with pytest.raises(Conflict) as err:
        hi.destroy_cards(ctx, cards=[ids[1], ids[2]], witnesses=W, place="Gudang")
    assert (err.value.code, err.value.field) == ("card_destroyed", "cards")
    assert str(ids[1]) in err.value.message
    assert _rows(ctx) == before  # nothing written: not even the third card
    # Every card still held, destroyed the day before: the earlier totals stand.
    rest = hi.destroy_cards(ctx, all_held=True, witnesses=W, place="Gudang", method="potong")
    assert rest["card_ids"] == [ids[2]]
    yesterday = hi.totals(ctx, as_of=TODAY - timedelta(days=1))
    assert (yesterday["received"], yesterday["destroyed"], yesterday["held"]) == (3, 0, 3)
    assert hi.totals(ctx)["held"] == 0
    one = hi.destruction(ctx, destruction_id=done["destruction"]["id"], reveal=False)
    assert [c["id"] for c in one["items"]] == ids[:2]
    assert hi.verify(ctx) == {"office": "17.04", "rows": 5, "ok": True, "problems": []}


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"witnesses": ["Andi Saputra"]}, "witnesses_too_few", "witnesses"),
        ({"witnesses": ["Andi", " andi "]}, "witness_twice", "witnesses"),
        ({"witnesses": ["Andi", ""]}, "witnesses_too_few", "witnesses"),
        ({"destroyed_on": TODAY + timedelta(days=1)}, "future_date", "destroyed_on"),
        ({"destroyed_on": TODAY - timedelta(days=5)}, "card_after_destruction", "cards"),
        ({"cards": [999_999]}, "unknown_card", "cards"),
        ({"cards": []}, "no_cards", "cards"),
        ({"place": " "}, "required", "place"),
        ({"method": "kubur"}, "destruction_method", "method"),
    ],
)
def test_a_bad_destruction_is_refused_whole(ctx, office, kwargs, code, field) -> None:
    ids = _cards(ctx, 2)
    args = {"cards": ids, "witnesses": W, "place": "Halaman kantor", **kwargs}
    before = _rows(ctx)
    with pytest.raises(DomainError) as err:
        hi.destroy_cards(ctx, **args)
    assert (err.value.code, err.value.field) == (code, field)
    assert _rows(ctx) == before


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"received_on": TODAY + timedelta(days=2)}, "future_date", "received_on"),
        ({"reason": "hilang"}, "handed_in_reason", "reason"),
        ({"card_serial": "KR-12/3"}, "card_serial", "card_serial"),
        ({"nik": "1704"}, "nik_length", "nik"),
    ],
)
def test_a_bad_hand_in_is_refused(ctx, office, kwargs, code, field) -> None:
    nik = add_resident(ctx, serial=3, recorded=date(2014, 1, 1), printed=date(2015, 1, 1))
    before = _rows(ctx)
    with pytest.raises(DomainError) as err:
        hi.receive_card(ctx, **{"nik": nik, "reason": "rusak", **kwargs})
    assert err.value.field == field
    assert err.value.code == code or field == "nik"
    assert _rows(ctx) == before


def test_an_unknown_nik_is_not_found(ctx, office) -> None:
    from blangko.domain.nik import build_nik

    with pytest.raises(NotFound) as err:
        hi.receive_card(ctx, nik=build_nik("17.04.01", date(1990, 1, 1), "L", 9999), reason="rusak")
    assert (err.value.code, err.value.field) == ("unknown_nik", "nik")
    assert _rows(ctx) == (0, 0, 0, 0)


def test_count_stores_the_variance_and_needs_a_reason(ctx, office) -> None:
    _cards(ctx, 4)
    ok = hi.count_cards(ctx, counted=4)
    assert (ok["count"]["expected"], ok["count"]["variance"]) == (4, 0)
    with pytest.raises(DomainError) as err:
        hi.count_cards(ctx, counted=3)
    assert (err.value.code, err.value.field) == ("variance_reason", "reason")
    short = hi.count_cards(ctx, counted=3, reason="satu kartu terselip di map arsip")
    assert (short["count"]["expected"], short["count"]["variance"]) == (4, -1)
    with pytest.raises(DomainError) as err:
        hi.count_cards(ctx, counted=-1, reason="x")
    assert err.value.field == "counted"
    assert [c["variance"] for c in hi.register(ctx)["counts"]] == [-1, 0]


def test_an_edited_row_breaks_the_chain(ctx, office) -> None:
    ids = _cards(ctx, 2)
    hi.destroy_cards(ctx, cards=ids, witnesses=W, place="Halaman kantor")
    assert hi.verify(ctx)["ok"]
    with ctx.write_plain() as conn:
        conn.execute(
            update(th.handed_in_card)
            .where(th.handed_in_card.c.id == ids[0])
            .values(card_serial="PALSU1")
        )
    check = hi.verify(ctx)
    assert not check["ok"] and "isi baris berubah" in check["problems"][0]


def test_the_monthly_recap(ctx, office) -> None:
    ids = _cards(ctx, 3, on=date(2026, 10, 20))
    hi.destroy_cards(
        ctx, cards=ids[:1], witnesses=W, place="Kantor", destroyed_on=date(2026, 10, 30)
    )
    _cards(ctx, 2, start=10, on=date(2026, 11, 3))
    hi.destroy_cards(
        ctx, all_held=True, witnesses=W, place="Kantor", destroyed_on=date(2026, 11, 20)
    )
    nov = hi.recap(ctx, month="2026-11")
    assert (nov["held_at_start"], nov["received"], nov["destroyed"], nov["held_at_end"]) == (
        2,
        2,
        4,
        0,
    )
    assert nov["reconciled"] and nov["received_by_reason"]["pindah"] == 2


def test_two_destructions_of_one_card_at_once_destroy_it_once(ctx, office) -> None:
    (card,) = _cards(ctx, 1)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def destroy(who: str) -> None:
        mine = replace(ctx, actor=who)
        barrier.wait()
        try:
            results.append(hi.destroy_cards(mine, cards=[card], witnesses=W, place="Kantor"))
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=destroy, args=(f"petugas-{k}",)) for k in range(2)]
    for th_ in threads:
        th_.start()
    for th_ in threads:
        th_.join()
    assert sorted(map(str, [r if isinstance(r, str) else "ok" for r in results])) == [
        "card_destroyed",
        "ok",
    ]
    assert _rows(ctx)[1:3] == (1, 1)
    assert hi.verify(ctx)["ok"]


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)


def test_berita_acara_by_name_only_when_revealed(ctx, office) -> None:
    from blangko.services import reports

    ids = _cards(ctx, 2)
    done = hi.destroy_cards(ctx, cards=ids, witnesses=W, place="Halaman kantor Dukcapil Kaur")
    did = done["destruction"]["id"]
    with ctx.read() as conn:
        niks = [c.nik for c in conn.execute(select(th.handed_in_card.c.nik))]
    full, name, _mime = reports.render(
        ctx, "handed_in_destruction", {"destruction_id": did, "reveal": True}, "pdf"
    )
    text = _pdf_text(full)
    assert name == f"berita-acara-pemusnahan-ktp-lama-{did}.pdf"
    assert "Penduduk Uji 1" in text and niks[0] in text.replace(" ", "")
    assert "Andi Saputra" in text and "470.13/11176/SJ" in text and "dibakar" in text
    assert readlog.list_reads(ctx)["items"][0]["action"] == "handed_in"
    masked, _n, _m = reports.render(ctx, "handed_in_destruction", {"destruction_id": did}, "pdf")
    text = _pdf_text(masked)
    assert "Penduduk Uji" not in text and niks[0] not in text.replace(" ", "")
    assert niks[0][:4] + "********" + niks[0][-4:] in text
    assert readlog.list_reads(ctx)["total"] == 1  # the masked copy is not a read of names
    xlsx, xname, _m = reports.render(ctx, "handed_in_recap", {"month": "2026-11"}, "xlsx")
    assert xname == "rekap-ktp-lama-2026-11.xlsx" and xlsx[:2] == b"PK"
    with pytest.raises(NotFound) as err:
        reports.build(ctx, "handed_in_destruction", {"destruction_id": 2_000_000})
    assert err.value.field == "destruction_id"
