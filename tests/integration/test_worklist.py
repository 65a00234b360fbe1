"""The print backlog as a work list (services.worklist), printing a PRR resident's card from
it (applications.print_from_backlog), its export (the `backlog` report) and the CLI, on both
backends."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from service_helpers import KK, stock_station
from sqlalchemy import func, select
from typer.testing import CliRunner

from blangko.adapters import tables as t
from blangko.adapters.repos import worklist as wl_repo
from blangko.adapters.tables_applications import application, application_event
from blangko.adapters.tables_residents import resident
from blangko.cli import state
from blangko.cli.main import app as cli_app
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.nik import build_nik
from blangko.services import applications as apps
from blangko.services import reports, worklist
from blangko.services.admin import users
from blangko.services.applications import backlog_of
from blangko.services.calendar import days, events
from blangko.services.calendar.events import ELECTION_KINDS
from blangko.services.context import Context
from blangko.services.stock import queries

# Two villages of Kinal (17.04.01) and one of another kecamatan of Kaur (17.04.02).
KINAL_A, KINAL_B = "17.04.01.2001", "17.04.01.2003"
OTHER_KEC = "17.04.02"


def _village_of(ctx: Context, kecamatan: str) -> str:
    with ctx.read() as conn:
        return str(
            conn.execute(
                select(func.min(t.region.c.code)).where(
                    t.region.c.level == "desa", t.region.c.code.like(f"{kecamatan}.%")
                )
            ).scalar_one()
        )


def _resident(
    ctx: Context,
    serial: int,
    desa: str,
    *,
    recorded: date | None = date(2015, 3, 2),
    printed: date | None = None,
    status: str = "HIDUP",
    birth: date = date(1990, 5, 17),
    marital: str = "BELUM KAWIN",
) -> str:
    nik = build_nik(desa[:8], birth, "P", serial)
    with ctx.write_plain() as conn:
        conn.execute(
            resident.insert().values(
                nik=nik,
                office_code="17.04",
                nama=f"Warga {serial}",
                jenis_kelamin="P",
                tanggal_lahir=birth,
                status_kawin=marital,
                kode_desa=desa,
                kode_kecamatan=desa[:8],
                tanggal_rekam=recorded,
                tanggal_cetak=printed,
                status=status,
                updated_at=ctx.now(),
            )
        )
    return nik


def _all_rows(ctx: Context, **filters) -> list[dict]:  # type: ignore[no-untyped-def]
    return list(worklist.work_list(ctx, limit=None, reveal=True, **filters)["items"])


@pytest.fixture
def town(ctx, office):  # type: ignore[no-untyped-def]
    """A small office: print-ready residents in three villages, residents who are not, and
    open applications of three kinds."""
    other = _village_of(ctx, OTHER_KEC)
    n = {
        "a_old": _resident(ctx, 1, KINAL_A, recorded=date(2012, 1, 5)),
        "a_new": _resident(ctx, 2, KINAL_A, recorded=date(2020, 7, 1)),
        "b": _resident(ctx, 3, KINAL_B, recorded=date(2016, 2, 9)),
        "other": _resident(ctx, 4, other, recorded=date(2014, 4, 4)),
        # Not print-ready: printed, never recorded, dead, a child recorded early.
        "printed": _resident(ctx, 5, KINAL_A, printed=date(2015, 4, 1)),
        "unrecorded": _resident(ctx, 6, KINAL_A, recorded=None),
        "dead": _resident(ctx, 7, KINAL_A, status="MENINGGAL"),
        "child": _resident(ctx, 8, KINAL_A, birth=date(2012, 1, 1), recorded=date(2025, 1, 2)),
        # Print-ready and with an application (direkam): on the list once, as the application.
        "applied": _resident(ctx, 9, KINAL_B, recorded=date(2011, 9, 9)),
        "to_record": _resident(ctx, 10, KINAL_B, recorded=None),
        "ready": _resident(ctx, 11, KINAL_B, recorded=date(2013, 3, 3)),
    }
    n["applied_receipt"] = apps.new(ctx, nik=n["applied"], type="pemula", documents=KK)["receipt"]
    n["to_record_receipt"] = apps.new(ctx, nik=n["to_record"], type="pemula", documents=KK)[
        "receipt"
    ]
    n["ready_receipt"] = apps.new(ctx, nik=n["ready"], type="pemula", documents=KK)["receipt"]
    apps.ready(ctx, receipt=n["ready_receipt"])
    apps.suket(ctx, receipt=n["ready_receipt"])
    n["other_village"] = other
    return n


def test_the_list_holds_every_resident_of_the_backlog_once(ctx, town) -> None:  # type: ignore[no-untyped-def]
    wl = worklist.work_list(ctx, limit=None, reveal=True)
    backlog = apps.backlog(ctx)
    assert wl["backlog"] == backlog
    assert wl["total"] == len(wl["items"]) == backlog["print_backlog"] == 7
    niks = [r["nik"] for r in wl["items"]]
    assert len(set(niks)) == len(niks)
    expected = {town[k] for k in ("a_old", "a_new", "b", "other", "applied", "to_record", "ready")}
    assert set(niks) == expected
    by_nik = {r["nik"]: r for r in wl["items"]}
    assert by_nik[town["a_old"]]["status"] == "prr" and by_nik[town["a_old"]]["receipt"] is None
    assert by_nik[town["applied"]]["status"] == "direkam"
    assert by_nik[town["applied"]]["receipt"] == town["applied_receipt"]
    assert by_nik[town["to_record"]]["status"] == "diajukan"
    assert by_nik[town["to_record"]]["recorded_date"] is None
    assert by_nik[town["ready"]]["suket"] is True
    assert by_nik[town["a_old"]]["nama"] == "Warga 1"
    assert by_nik[town["a_old"]]["desa"] and by_nik[town["a_old"]]["kecamatan"] == "Kinal"


def test_the_list_is_by_kecamatan_and_village_oldest_first(ctx, town) -> None:  # type: ignore[no-untyped-def]
    rows = _all_rows(ctx)
    keys = [(r["kode_kecamatan"], r["kode_desa"], r["since"], r["nik"]) for r in rows]
    assert keys == sorted(keys)
    kinal_a = [r["nik"] for r in rows if r["kode_desa"] == KINAL_A]
    assert kinal_a == [town["a_old"], town["a_new"]]
    # An application is ordered by its application date, a registry row by its recording.
    kinal_b = [r for r in rows if r["kode_desa"] == KINAL_B]
    assert [r["nik"] for r in kinal_b] == [town["b"], *sorted(r["nik"] for r in kinal_b[1:])]
    assert kinal_b[1]["since"] == date(2026, 11, 27).isoformat()
    villages = worklist.work_list(ctx)["villages"]
    assert [(v["kode_desa"], v["residents"], v["registry_prr"]) for v in villages] == [
        (KINAL_A, 2, 2),
        (KINAL_B, 4, 1),
        (town["other_village"], 1, 1),
    ]
    assert villages[0]["oldest"] == "2012-01-05"
    assert villages[1]["applications"] == 3


def test_filters_narrow_the_list_and_flag_election_villages(ctx, town) -> None:  # type: ignore[no-untyped-def]
    assert {r["kode_desa"] for r in _all_rows(ctx, kecamatan="17.04.01")} == {KINAL_A, KINAL_B}
    assert [r["nik"] for r in _all_rows(ctx, desa=KINAL_A)] == [town["a_old"], town["a_new"]]
    assert _all_rows(ctx, kecamatan="17.04.01", desa=KINAL_B)
    # No election yet: nothing is flagged, and the election-only list is empty.
    assert all(r["election"] is None for r in _all_rows(ctx))
    assert worklist.work_list(ctx, election_only=True)["total"] == 0
    # A pilkades in Kinal B next month; an event that is not an election in Kinal A, and an
    # election already past is not recorded (events are for the future).
    ctx_day = ctx.today()
    pilkades = events.add_event(
        ctx,
        name="Pilkades serentak",
        event_date=ctx_day + timedelta(days=20),
        kind="pilkades",
        villages=[KINAL_B],
    )
    events.add_event(
        ctx,
        name="Pasar murah",
        event_date=ctx_day + timedelta(days=5),
        kind="lainnya",
        villages=[KINAL_A],
    )
    only = worklist.work_list(ctx, election_only=True, reveal=True)
    assert only["total"] == 4 and {r["kode_desa"] for r in only["items"]} == {KINAL_B}
    flag = {"event_id": pilkades["id"], "name": "Pilkades serentak", "kind": "pilkades"}
    assert all({k: r["election"][k] for k in flag} == flag for r in only["items"] if r["election"])
    everything = _all_rows(ctx)
    assert {r["kode_desa"] for r in everything if r["election"]} == {KINAL_B}
    # After the election day it is no longer a coming election.
    later = worklist.work_list(ctx, as_of=ctx_day + timedelta(days=21), election_only=True)
    assert later["total"] == 0


def test_pages_cover_the_list_without_overlap(ctx, town) -> None:  # type: ignore[no-untyped-def]
    whole = [r["nik"] for r in _all_rows(ctx)]
    pages = []
    for offset in range(0, 9, 2):
        page = worklist.work_list(ctx, limit=2, offset=offset, reveal=True)
        assert page["total"] == 7 and len(page["villages"]) == 3
        pages += [r["nik"] for r in page["items"]]
    assert pages == whole


def test_the_list_masks_personal_data_unless_revealed(ctx, town) -> None:  # type: ignore[no-untyped-def]
    rows = worklist.work_list(ctx, limit=None)["items"]
    assert all(r["nama"] is None and "********" in r["nik"] for r in rows)
    assert town["a_old"] not in json.dumps(rows)


@pytest.mark.parametrize(
    ("filters", "code", "field"),
    [
        ({"kecamatan": "17.05.01"}, "unknown_kecamatan", "kecamatan"),
        ({"desa": "17.04.01"}, "unknown_desa", "desa"),
        ({"kecamatan": OTHER_KEC, "desa": KINAL_A}, "desa_not_in_kecamatan", "desa"),
        ({"limit": 0}, "limit_positive", "limit"),
        ({"offset": -1}, "offset_negative", "offset"),
    ],
)
def test_bad_filters_are_refused_by_field(ctx, office, filters, code, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        worklist.work_list(ctx, **filters)
    assert (err.value.code, err.value.field) == (code, field)


# --- printing from the list ------------------------------------------------------------------


def _state(ctx: Context) -> tuple:  # type: ignore[type-arg]
    """What a print from the list could write."""
    with ctx.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(application)).scalar_one(),
            conn.execute(select(func.count()).select_from(application_event)).scalar_one(),
            conn.execute(select(t.office.c.ledger_seq)).all(),
            conn.execute(select(resident.c.nik, resident.c.tanggal_cetak)).all(),
            conn.execute(select(func.count()).select_from(t.idempotency)).scalar_one(),
        )


def test_print_from_the_list_creates_the_application_and_prints_in_one_write(ctx, town) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    before = apps.backlog(ctx)["print_backlog"]
    r = apps.print_from_backlog(ctx, nik=town["a_old"], station="loket-1", idempotency_key="k1")
    assert (r["type"], r["status"], r["serial"], r["station"]) == (
        "pemula",
        "dicetak",
        "KR0000001",
        "loket-1",
    )
    assert r["replayed"] is False and r["recorded_date"] == "2012-01-05"
    assert r["ready_date"] == r["printed_date"] == r["submitted_date"] == "2026-11-27"
    shown = apps.show(ctx, receipt=r["receipt"])
    assert [(e["action"], e["from"], e["to"]) for e in shown["events"]] == [
        ("new", None, "direkam"),
        ("ready", "direkam", "siap_cetak"),
        ("print", "siap_cetak", "dicetak"),
    ]
    assert "daftar PRR" in (shown["events"][0]["note"] or "")
    assert queries.balance(ctx)["totals"]["consumed"] == 1
    assert apps.backlog(ctx)["print_backlog"] == before - 1
    assert town["a_old"] not in {x["nik"] for x in _all_rows(ctx)}
    # The same request again: the stored result, nothing written twice.
    again = apps.print_from_backlog(ctx, nik=town["a_old"], station="loket-1", idempotency_key="k1")
    assert again["replayed"] is True and again["receipt"] == r["receipt"]
    assert queries.balance(ctx)["totals"]["consumed"] == 1
    # The card can be collected like any other.
    assert apps.collect(ctx, receipt=r["receipt"])["status"] == "diserahkan"


def test_print_from_the_list_refuses_and_writes_nothing(ctx, town) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx, at_station=1)
    cases = [
        (town["applied"], "application_open", Conflict),
        (town["printed"], "not_prr", DomainError),
        (town["unrecorded"], "not_prr", DomainError),
        (town["dead"], "not_prr", DomainError),
        (town["child"], "not_prr", DomainError),
        ("1704019999990001", "unknown_resident", NotFound),
    ]
    for nik, code, kind in cases:
        before = _state(ctx)
        with pytest.raises(kind) as err:
            apps.print_from_backlog(ctx, nik=nik, station="loket-1", idempotency_key=f"x{nik}")
        assert err.value.code == code, (nik, err.value.as_dict())
        assert _state(ctx) == before, code
    with pytest.raises(Conflict) as err:
        apps.print_from_backlog(ctx, nik=town["applied"], station="loket-1")
    assert town["applied_receipt"] in err.value.message  # points to the open application
    assert worklist.open_application_of(ctx, nik=town["applied"]) == town["applied_receipt"]
    assert worklist.open_application_of(ctx, nik=town["a_old"]) is None
    # Not a station, a closed print desk, no blank left: refused, nothing written.
    for station, code in (("gudang", "not_a_station"), ("loket-9", "unknown_location")):
        before = _state(ctx)
        with pytest.raises(DomainError) as err:
            apps.print_from_backlog(ctx, nik=town["a_old"], station=station)
        assert err.value.code == code and _state(ctx) == before
    apps.print_from_backlog(ctx, nik=town["a_old"], station="loket-1")  # the last blank
    before = _state(ctx)
    with pytest.raises(DomainError) as err:
        apps.print_from_backlog(ctx, nik=town["a_new"], station="loket-1")
    assert err.value.code == "insufficient_stock" and _state(ctx) == before
    days.add_closure(ctx, service="pencetakan", start=ctx.today(), reason="Printer rusak")
    before = _state(ctx)
    with pytest.raises(DomainError) as err:
        apps.print_from_backlog(ctx, nik=town["a_new"], station="loket-1")
    assert err.value.code == "service_closed" and _state(ctx) == before


# --- the export ------------------------------------------------------------------------------


def _sheets(content: bytes) -> dict[str, list[list]]:  # type: ignore[type-arg]
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}


def test_the_export_lists_the_residents_by_village(ctx, town) -> None:  # type: ignore[no-untyped-def]
    content, name, _ = reports.render(ctx, "backlog", {"reveal": True}, "xlsx")
    assert name == "daftar-menunggu-cetak-1704-2026-11-27.xlsx"
    sheets = _sheets(content)
    people = sheets["Penduduk"]
    head = next(i for i, row in enumerate(people) if row and row[0] == "No.")
    header = people[head]
    body = [row for row in people[head + 1 :] if row and isinstance(row[0], int)]
    assert header[:5] == ["No.", "Kecamatan", "Desa/kelurahan", "Nama", "NIK"]
    assert len(body) == apps.backlog(ctx)["print_backlog"] == 7
    niks = [row[4] for row in body]
    assert niks == [r["nik"] for r in _all_rows(ctx)]  # the list's order
    assert "Warga 1" in [row[3] for row in body]
    statuses = {row[4]: row[6] for row in body}
    assert statuses[town["a_old"]] == "Belum mengajukan"
    assert statuses[town["ready"]] == f"Siap cetak (PRR) · {town['ready_receipt']} · suket"
    per_village = [row for row in sheets["Per desa"] if row and row[0] in (KINAL_A, KINAL_B)]
    assert [row[3] for row in per_village] == [2, 4]

    masked, _, _ = reports.render(ctx, "backlog", {"reveal": False, "desa": KINAL_A}, "xlsx")
    people = _sheets(masked)["Penduduk"]
    text = json.dumps(people, default=str)
    assert "Nama" not in people[head] and "Warga" not in text and town["a_old"] not in text
    assert "1704********0001" in text or "1704********0002" in text
    pdf, pdf_name, mimetype = reports.render(ctx, "backlog", {"election_only": True}, "pdf")
    assert pdf.startswith(b"%PDF") and mimetype == "application/pdf"


def test_the_export_refuses_bad_filters(ctx, office) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as err:
        reports.render(ctx, "backlog", {"kecamatan": "17.99.01"}, "xlsx")
    assert err.value.field == "kecamatan"


# --- the CLI ---------------------------------------------------------------------------------


def _cli(monkeypatch, ctx: Context, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(state, "context", lambda: ctx)
    monkeypatch.setattr(state, "configure", lambda **_: None)
    res = CliRunner().invoke(cli_app, list(args))
    assert res.exit_code == code, res.output
    return res


def test_cli_lists_prints_and_exports(ctx, town, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stock_station(ctx)
    out = json.loads(_cli(monkeypatch, ctx, "app", "prr", "--limit", "0", "--json").stdout)
    assert out["total"] == len(out["items"]) == apps.backlog(ctx)["print_backlog"]
    assert all(i["nama"] is None for i in out["items"])
    shown = _cli(monkeypatch, ctx, "app", "prr", "--desa", KINAL_A, "--show-nik", "--json")
    assert [(i["nama"], i["nik"]) for i in json.loads(shown.stdout)["items"]] == [
        ("Warga 1", town["a_old"]),
        ("Warga 2", town["a_new"]),
    ]
    table = _cli(monkeypatch, ctx, "app", "prr", "--desa", KINAL_A, "--show-nik").stdout
    assert "Warga 1" in table and "2 penduduk (antrean cetak kantor 7)" in table
    printed = json.loads(
        _cli(
            monkeypatch,
            ctx,
            "app",
            "print-prr",
            "--nik",
            town["a_new"],
            "--station",
            "loket-1",
            "--json",
        ).stdout
    )
    assert printed["status"] == "dicetak" and printed["type"] == "pemula"
    refused = _cli(
        monkeypatch,
        ctx,
        "app",
        "print-prr",
        "--nik",
        town["applied"],
        "--station",
        "loket-1",
        code=1,
    )
    assert isinstance(refused.exception, Conflict)
    target = tmp_path / "daftar.xlsx"
    _cli(monkeypatch, ctx, "report", "backlog", "--output", str(target), "--show-nik")
    assert "Warga 1" in json.dumps(_sheets(target.read_bytes())["Penduduk"], default=str)


def test_cli_show_nik_is_refused_to_a_web_user_without_personal_data(
    ctx, town, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    users.add_user(ctx, scope=users.MACHINE, username="audit1", role="auditor", password="x" * 12)
    auditor = replace(ctx, actor="audit1")
    res = _cli(monkeypatch, auditor, "app", "prr", "--show-nik", code=1)
    assert isinstance(res.exception, DomainError)
    assert res.exception.code == "personal_data_forbidden"
    masked = _cli(monkeypatch, auditor, "app", "prr", "--json").stdout
    assert town["a_old"] not in masked


def _old_read(ctx: Context, kecamatan, desa, election_only, limit, offset):  # type: ignore[no-untyped-def]
    """The work list as it was read before the page read only its villages: the villages, the
    page and the backlog figure each from the whole (filtered) backlog."""
    office, as_of = "17.04", ctx.today()
    with ctx.read() as conn:
        elect = wl_repo.election_villages(office, as_of, ELECTION_KINDS)
        w = wl_repo.work(
            office,
            as_of,
            kecamatan=kecamatan,
            desa=desa,
            villages=elect if election_only else None,
        )
        villages = [
            (v.kode_kecamatan, v.kode_desa, int(v.residents), int(v.registry_prr), str(v.oldest))
            for v in wl_repo.villages_summary(conn, w)
        ]
        rows = [
            (r.nik, r.nama, r.kode_kecamatan, r.kode_desa, str(r.since), r.status, r.receipt)
            for r in wl_repo.rows(conn, w, limit=limit, offset=offset)
        ]
        return villages, rows, backlog_of(conn, office, as_of)


def _new_read(ctx: Context, kecamatan, desa, election_only, limit, offset):  # type: ignore[no-untyped-def]
    wl = worklist.work_list(
        ctx,
        kecamatan=kecamatan,
        desa=desa,
        election_only=election_only,
        limit=limit,
        offset=offset,
        reveal=True,
    )
    villages = [
        (v["kode_kecamatan"], v["kode_desa"], v["residents"], v["registry_prr"], v["oldest"])
        for v in wl["villages"]
    ]
    rows = [
        (r["nik"], r["nama"], r["kode_kecamatan"], r["kode_desa"], r["since"], r["status"])
        + (r["receipt"],)
        for r in wl["items"]
    ]
    assert wl["total"] == sum(v[2] for v in villages)
    return villages, rows, wl["backlog"]


def _assert_reads_are_the_old_ones(ctx: Context, filters: list[tuple]) -> int:  # type: ignore[type-arg]
    compared = 0
    for kecamatan, desa, election_only in filters:
        total = len(_old_read(ctx, kecamatan, desa, election_only, None, 0)[1])
        for limit in (1, 2, 3, 100, None):
            for offset in range(total + 2):
                args = (kecamatan, desa, election_only, limit, offset)
                assert _new_read(ctx, *args) == _old_read(ctx, *args), args
                compared += 1
    return compared


def test_an_empty_backlog_reads_as_before(ctx, office) -> None:  # type: ignore[no-untyped-def]
    old = _old_read(ctx, None, None, False, 100, 0)
    assert old[0] == [] and old[1] == [] and old[2]["print_backlog"] == 0
    assert _assert_reads_are_the_old_ones(ctx, [(None, None, False), ("17.04.01", None, True)])


def test_pages_and_filters_read_as_before(ctx, town) -> None:  # type: ignore[no-untyped-def]
    """Each page (every offset, to past the end) of every filter is the rows, villages and
    backlog figure the old reads of the whole backlog gave, with residents of one village
    under two kecamatan codes (a registry's inconsistency: two groups of one village)."""
    for serial, recorded in ((21, date(2012, 1, 5)), (22, date(2019, 6, 6))):
        nik = _resident(ctx, serial, KINAL_A, recorded=recorded)
        with ctx.write_plain() as conn:
            conn.execute(
                resident.update().where(resident.c.nik == nik).values(kode_kecamatan=OTHER_KEC)
            )
    events.add_event(
        ctx,
        name="Pilkades serentak",
        event_date=ctx.today() + timedelta(days=20),
        kind="pilkades",
        villages=[KINAL_B, town["other_village"]],
    )
    whole = _new_read(ctx, None, None, False, None, 0)
    assert len(whole[1]) == 9 and len(whole[0]) == 4  # Kinal A's village in two groups
    filters = [
        (None, None, False),
        ("17.04.01", None, False),
        (OTHER_KEC, None, False),
        (None, KINAL_A, False),
        ("17.04.01", KINAL_B, False),
        (None, None, True),
        ("17.04.01", None, True),
        (None, KINAL_A, True),
    ]
    assert _assert_reads_are_the_old_ones(ctx, filters) > 100


def test_the_backlog_and_its_villages_are_read_again_only_after_a_registry_or_application_write(
    ctx, town, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The registry PRR count and the work list's villages are kept in the process by the
    versions of the registry and the applications (services.memo.read_once): a print of the
    ledger, a page view, another page read nothing again; a new resident, a new application,
    a status change each read them again, and every answer equals the one computed now."""
    from blangko.adapters.repos import applications as apps_repo
    from blangko.services import memo

    memo.READS.clear()
    reads: list[str] = []
    for module, name in ((apps_repo, "count_registry_prr"), (wl_repo, "villages_summary")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            reads.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    def fresh() -> tuple[dict, dict]:  # type: ignore[type-arg]
        saved = dict(memo.READS._items)
        memo.READS.clear()
        try:
            return apps.backlog(ctx), worklist.work_list(ctx, limit=3, offset=1)
        finally:
            memo.READS._items.update(saved)

    def read() -> tuple[tuple[dict, dict], list[str]]:  # type: ignore[type-arg]
        before = len(reads)
        got = (apps.backlog(ctx), worklist.work_list(ctx, limit=3, offset=1))
        return got, sorted(set(reads[before:]))

    first, names = read()
    assert names == ["count_registry_prr", "villages_summary"] and first == fresh()
    assert read() == (first, [])  # nothing changed: nothing read again
    stock_station(ctx)
    assert read() == (first, [])  # the ledger is not what they read
    _resident(ctx, 40, KINAL_A, recorded=date(2019, 6, 6))  # a new PRR resident
    grown, names = read()
    assert names == ["count_registry_prr", "villages_summary"] and grown == fresh()
    assert grown[0]["registry_prr"] == first[0]["registry_prr"] + 1
    apps.new(ctx, nik=town["a_new"], type="pemula", documents=KK)  # a PRR resident applies
    applied, names = read()
    assert names == ["count_registry_prr", "villages_summary"] and applied == fresh()
    assert applied[0]["registry_prr"] == grown[0]["registry_prr"] - 1
    apps.ready(ctx, receipt=town["applied_receipt"])  # a status change
    ready, names = read()
    assert names == ["count_registry_prr", "villages_summary"] and ready == fresh()
