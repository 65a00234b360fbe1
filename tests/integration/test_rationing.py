"""Rationing (issue 16, point 3) through the services, on SQLite and PostgreSQL: setting and
ending a policy (append-only versions), its bad inputs (nothing written), the print path
under a policy (the daily cap, the class order, the head's exception), the print queue's
order, the counter's "why you wait", and a property test: random applications and print
attempts over several days never print more in a day than the cap, and never print a class
while a higher one waits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from service_helpers import KK, add_resident, stock_station
from sqlalchemy import func, select

from blangko.adapters import tables as t
from blangko.adapters.tables_rationing import rationing_exception, rationing_policy
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services import applications as apps
from blangko.services import rationing
from blangko.services.admin import setup
from blangko.services.context import Context
from blangko.services.stock import writes
from blangko_main import run_blangko

TODAY = date(2026, 11, 27)  # a Friday (tests/conftest.py FIXED_NOW)
NEXT_MONDAY = date(2026, 11, 30)
CHANGE_DOCS = {"no_kk": "1704010101260001"}


def _rows(ctx: Context) -> int:
    with ctx.read() as conn:
        return int(
            conn.execute(select(func.count()).select_from(rationing_policy)).scalar_one()
            + conn.execute(select(func.count()).select_from(rationing_exception)).scalar_one()
        )


def _ready(ctx: Context, serial: int, type_: str = "pemula", **docs: str) -> str:
    printed = date(2015, 1, 5) if type_ != "pemula" else None
    nik = add_resident(ctx, serial=serial, recorded=date(2020, 3, 3), printed=printed)
    r = apps.new(ctx, nik=nik, type=type_, documents=docs or KK, on=TODAY)
    apps.ready(ctx, receipt=r["receipt"], on=TODAY)
    return r["receipt"]


def _policy(ctx: Context, cap: int = 2, **kw) -> dict:  # type: ignore[no-untyped-def,type-arg]
    args = {
        "start": TODAY,
        "end": TODAY + timedelta(days=30),
        "daily_cap": cap,
        "reason": "stok menipis, kiriman Ditjen belum datang",
        **kw,
    }
    return rationing.set_policy(ctx, **args)["policy"]  # type: ignore[return-value]


def test_set_and_end_a_policy_keeps_every_version(ctx, office) -> None:
    p = _policy(ctx, cap=200)
    assert (p["number"], p["version"], p["daily_cap"], p["state"]) == (1, 1, 200, "berlaku")
    assert p["classes"] == ["suket", "pemula", "bencana"]  # the field's defaults
    assert p["others_get"] == "suket"
    ended = rationing.end_policy(ctx, number=1, reason="kiriman 2.000 keping tiba")["policy"]
    # Ended from today: its last day is yesterday, before its start, so it never applied.
    assert (ended["version"], ended["state"]) == (2, "selesai")
    listed = rationing.policies(ctx)
    assert listed["active"] is None
    assert [(h["version"], h["action"]) for h in listed["history"]] == [(1, "set"), (2, "end")]
    assert listed["history"][0]["end"] == (TODAY + timedelta(days=30)).isoformat()
    with pytest.raises(Conflict) as err:
        rationing.end_policy(ctx, number=1, reason="lagi")
    assert err.value.code == "policy_already_ends"
    with pytest.raises(NotFound):
        rationing.end_policy(ctx, number=9, reason="x")
    # The period is free again.
    assert _policy(ctx, cap=100)["number"] == 2


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"daily_cap": -1}, "cap_negative", "daily_cap"),
        ({"end": TODAY - timedelta(days=1)}, "end_before_start", "end"),
        ({"classes": ["pemula", "lansia"]}, "unknown_class", "classes"),
        ({"classes": ["pemula", "pemula"]}, "class_repeated", "classes"),
        ({"others_get": "pulang"}, "unknown_others", "others_get"),
        ({"reason": "  "}, "required", "reason"),
        ({"start": TODAY - timedelta(days=1)}, "start_in_past", "start"),
        ({"daily_cap": None}, "required", "daily_cap"),
    ],
)
def test_bad_policies_are_refused_and_nothing_is_written(ctx, office, kw, code, field) -> None:
    with pytest.raises(DomainError) as err:
        _policy(ctx, **kw)
    assert (err.value.code, err.value.field) == (code, field)
    assert _rows(ctx) == 0


def test_overlapping_policies_are_refused(ctx, office) -> None:
    _policy(ctx, end=TODAY + timedelta(days=10))
    with pytest.raises(Conflict) as err:
        _policy(ctx, start=TODAY + timedelta(days=10), end=TODAY + timedelta(days=20))
    assert err.value.code == "policy_overlap"
    assert "#1" in err.value.message
    assert _rows(ctx) == 1
    # The day after its end is free.
    assert _policy(ctx, start=TODAY + timedelta(days=11), end=TODAY + timedelta(days=20))


def test_the_cap_refuses_the_print_beyond_it_and_the_head_may_allow_one(ctx, office) -> None:
    stock_station(ctx)
    receipts = [_ready(ctx, i) for i in range(1, 4)]
    _policy(ctx, cap=2)
    for r in receipts[:2]:
        printed = apps.print_card(ctx, receipt=r, station="loket-1")
        assert printed["status"] == "dicetak"
    with pytest.raises(Conflict) as err:
        apps.print_card(ctx, receipt=receipts[2], station="loket-1")
    assert err.value.code == "ration_cap_reached"
    # The cap and the day printing resumes (Saturday and Sunday are closed: Monday).
    assert "(2 kartu)" in err.value.message and "30-11-2026" in err.value.message
    assert apps.show(ctx, receipt=receipts[2])["status"] == "siap_cetak"
    head = Context(ctx.engine, actor="kepala-uji", role="kepala", clock=ctx.clock)
    rationing.allow(ctx=head, receipt=receipts[2], reason="korban kebakaran, surat camat")
    done = apps.print_card(ctx, receipt=receipts[2], station="loket-1")
    assert done["status"] == "dicetak"
    note = apps.show(ctx, receipt=receipts[2])["events"][-1]["note"]
    assert "pengecualian oleh kepala-uji (korban kebakaran, surat camat)" in note
    assert rationing.policies(ctx)["printed_today"] == 3
    with pytest.raises(Conflict):  # no second exception for the same day
        rationing.allow(ctx=head, receipt=receipts[2], reason="lagi")


def test_a_higher_class_is_printed_first_and_the_queue_follows_the_policy(ctx, office) -> None:
    stock_station(ctx)
    change = _ready(ctx, 1, "perubahan_data", **CHANGE_DOCS)
    first = _ready(ctx, 2)
    victim = _ready(ctx, 3, "perubahan_data", **CHANGE_DOCS, ket_bencana="BPBD/17/2026")
    _policy(ctx, cap=5, classes=["bencana", "pemula"], others_get="tanggal")
    queue = apps.print_queue(ctx)
    assert [(q["receipt"], q["ration_class"]) for q in queue] == [
        (victim, "bencana"),
        (first, "pemula"),
        (change, "lainnya"),
    ]
    with pytest.raises(Conflict) as err:
        apps.print_card(ctx, receipt=change, station="loket-1")
    assert err.value.code == "ration_not_your_turn"
    assert "korban bencana" in err.value.message
    with pytest.raises(Conflict):
        apps.print_card(ctx, receipt=first, station="loket-1")
    wait = rationing.wait(ctx, receipt=change)
    assert wait is not None
    assert (wait["class_key"], wait["position"], wait["queue"], wait["higher_ahead"]) == (
        "lainnya",
        3,
        3,
        2,
    )
    assert wait["expected_date"] == TODAY.isoformat()  # 3 in the queue, 5 a day
    assert "perkiraan tanggal cetak" in wait["message"]
    apps.print_card(ctx, receipt=victim, station="loket-1")
    apps.print_card(ctx, receipt=first, station="loket-1")
    assert apps.print_card(ctx, receipt=change, station="loket-1")["status"] == "dicetak"


def test_expected_date_counts_the_cap_over_open_days(ctx, office) -> None:
    receipts = [_ready(ctx, i) for i in range(1, 6)]
    _policy(ctx, cap=2)
    dates = [rationing.wait(ctx, receipt=r)["expected_date"] for r in receipts]  # type: ignore[index]
    # Friday 2, Monday 2, Tuesday 1.
    assert dates == ["2026-11-27"] * 2 + ["2026-11-30"] * 2 + ["2026-12-01"]
    assert rationing.wait(ctx, receipt=receipts[0])["priority"] is True  # type: ignore[index]


def test_no_policy_no_change(ctx, office) -> None:
    stock_station(ctx)
    change = _ready(ctx, 1, "perubahan_data", **CHANGE_DOCS)
    _ready(ctx, 2)
    assert rationing.wait(ctx, receipt=change) is None
    assert "ration_class" not in apps.print_queue(ctx)[0]
    assert apps.print_card(ctx, receipt=change, station="loket-1")["status"] == "dicetak"


KINDS = ("pemula", "perubahan_data", "bencana")
ORDER = {"bencana": 0, "pemula": 1, "perubahan_data": 2}
CI_EXAMPLES = {"sqlite": 8, "postgres": 4}


def test_property_cap_and_class_order_hold(ctx, db_url, clock) -> None:  # type: ignore[no-untyped-def]
    """Whatever order the clerk tries to print in (a True advances the clock a day first),
    no day has more prints than the cap and no print passes a waiting higher class. The
    model is the test's own: the classes it gave each application and the prints it saw."""
    with ctx.read() as conn:
        regencies = list(
            conn.execute(
                select(t.region.c.code)
                .where(t.region.c.level == "kabupaten_kota", t.region.c.code != "17.04")
                .order_by(t.region.c.code)
            ).scalars()
        )
    codes = iter(regencies[::5])
    examples = itertools.count(1)
    backend = "sqlite" if db_url.startswith("sqlite") else "postgres"
    start = clock.value

    @settings(
        max_examples=CI_EXAMPLES[backend],
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        cap=st.integers(min_value=0, max_value=3),
        kinds=st.lists(st.sampled_from(KINDS), min_size=2, max_size=7),
        attempts=st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=3, max_size=14),
    )
    def run(cap: int, kinds: list[str], attempts: list[tuple[int, bool]]) -> None:
        clock.value = start
        code, n = next(codes), next(examples)
        setup.create_office(ctx, code=code)
        setup.add_location(ctx, name="loket-1", kind="station", office=code)
        prefix = "R" + "".join(chr(65 + int(d)) for d in f"{n:03d}")
        writes.record_opening(
            ctx, serials=f"{prefix}0001-{prefix}0020", office=code, effective=TODAY
        )
        writes.transfer(
            ctx, qty=20, from_location="gudang", to_location="loket-1", effective=TODAY,
            office=code,
        )  # fmt: skip
        receipts, member = [], {}
        for i, kind in enumerate(kinds, start=1):
            nik = add_resident(
                ctx,
                serial=n * 100 + i,
                recorded=date(2020, 3, 3),
                printed=None if kind == "pemula" else date(2015, 1, 5),
                office=code,
            )
            docs = dict(CHANGE_DOCS)
            if kind == "bencana":
                docs["ket_bencana"] = "BPBD/1"
            r = apps.new(
                ctx, nik=nik, type="pemula" if kind == "pemula" else "perubahan_data",
                documents=docs, on=TODAY, office=code,
            )  # fmt: skip
            apps.ready(ctx, receipt=r["receipt"], on=TODAY, office=code)
            receipts.append(r["receipt"])
            member[r["receipt"]] = kind
        rationing.set_policy(
            ctx, start=TODAY, end=TODAY + timedelta(days=40), daily_cap=cap, reason="uji",
            classes=["bencana", "pemula"], office=code,
        )  # fmt: skip
        printed: set[str] = set()
        per_day: dict[date, int] = {}
        for index, next_day in attempts:
            if next_day:
                clock.value += timedelta(days=1)
            day = ctx.today()
            r = receipts[index % len(receipts)]
            if r in printed:
                continue
            higher = [
                w for w in receipts if w not in printed and ORDER[member[w]] < ORDER[member[r]]
            ]
            try:
                apps.print_card(ctx, receipt=r, station="loket-1", office=code)
            except DomainError as exc:
                assert exc.code in ("ration_cap_reached", "ration_not_your_turn", "service_closed")
                if exc.code == "ration_not_your_turn":
                    assert higher
                if exc.code == "ration_cap_reached":
                    assert per_day.get(day, 0) >= cap
                continue
            assert not higher, f"{member[r]} printed while {higher} waited"
            printed.add(r)
            per_day[day] = per_day.get(day, 0) + 1
            assert per_day[day] <= cap
        # The office's own count agrees with the model.
        for day, count in per_day.items():
            got = rationing.printed_per_day(ctx, start=day, end=day, office=code)
            assert got == {day.isoformat(): count}

    try:
        run()
    finally:
        clock.value = start


def test_rationing_commands(db_url: str) -> None:
    """`blangko rationing set/list/end` with --json, and a bad cap refused with exit 2,
    naming its flag."""
    import json  # noqa: PLC0415

    from typer.testing import CliRunner  # noqa: PLC0415

    from blangko.cli.main import app  # noqa: PLC0415

    def cli(*args: str):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(app, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    cli("init", "--office", "17.04", "--json")
    start = date.today() + timedelta(days=2)
    end = start + timedelta(days=14)
    made = cli(
        "rationing", "set", "--start", start.isoformat(), "--end", end.isoformat(),
        "--daily-cap", "200", "--classes", "pemula,bencana", "--others-get", "tanggal",
        "--reason", "kiriman Ditjen terlambat", "--json",
    )  # fmt: skip
    assert made["policy"]["classes"] == ["pemula", "bencana"]
    assert made["policy"]["state"] == "akan_datang"
    listed = cli("rationing", "list", "--json")
    assert [p["number"] for p in listed["policies"]] == [1]
    done = run_blangko(
        "--db", db_url, "rationing", "set", "--start", start.isoformat(), "--end",
        end.isoformat(), "--daily-cap", "-5", "--reason", "x", "--json",
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert json.loads(done.stderr)["error"]["code"] == "cap_negative"
    ended = cli("rationing", "end", "1", "--reason", "kiriman tiba", "--json")
    assert ended["policy"]["state"] == "selesai"  # withdrawn before it began
    assert len(cli("rationing", "list", "--json")["history"]) == 2


def test_wait_of_an_application_elsewhere_is_not_found(ctx, office) -> None:
    receipt = _ready(ctx, 1)
    setup.create_office(ctx, code="17.01")
    with pytest.raises(NotFound):
        rationing.wait(ctx, receipt=receipt, office="17.01")
    assert rationing.wait(ctx, receipt=receipt) is None  # no policy: nothing to explain
