"""The life of a physical count (stock opname), on SQLite and on PostgreSQL: a count is a
snapshot of the book and of what was found; a newer count of a location supersedes the older
open ones; the head posts or voids an open count; an office-wide count is one count of every
location. Issue 11, observations 1-4 (docs/ledger.md, "The life of a count").
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from blangko.adapters import tables as t
from blangko.adapters.db import alembic_config
from blangko.adapters.reports import render_bytes
from blangko.demo import story
from blangko.domain.errors import DomainError
from blangko.services import dashboard, reports
from blangko.services.context import Context
from blangko.services.stock import counts, writes
from blangko.services.stock import queries as q

OPENING = "KR0001001-KR0001100"  # 100 blanks, 20 of them moved to loket-1
SHIPMENT = "KR0100001-KR0100200"  # 200 blanks in the store
UNBOOKED = "KR0095001-KR0095050"  # a carton on the shelf that was never booked
D_OPEN = date(2026, 10, 1)
D_RECV = date(2026, 10, 15)
D_NOV = date(2026, 11, 10)


@pytest.fixture
def stock(ctx: Context, office: str) -> Context:
    """gudang holds 280 (KR0001021-KR0001100, KR0100001-KR0100200), loket-1 20."""
    writes.record_opening(ctx, serials=OPENING, effective=D_OPEN)
    writes.receive_shipment(
        ctx, serials=SHIPMENT, source="Ditjen Dukcapil", document="BA-1", effective=D_RECV
    )
    writes.transfer(
        ctx,
        serials="KR0001001-KR0001020",
        from_location="gudang",
        to_location="loket-1",
        effective=D_NOV,
    )
    return ctx


def scan(text: str) -> list[Any]:
    return counts.parse_scanned(text.replace(",", "\n").splitlines())[0]


def gudang_scan_with_carton() -> list[Any]:
    return scan(f"KR0001021-KR0001100\nKR0100001-KR0100200\n{UNBOOKED}")


def head(ctx: Context) -> tuple[int, str]:
    with ctx.read() as conn:
        row = conn.execute(
            select(t.office.c.ledger_seq, t.office.c.ledger_hash).where(t.office.c.code == "17.04")
        ).one()
    return row.ledger_seq, row.ledger_hash


def by_id(ctx: Context) -> dict[int, dict[str, Any]]:
    return {c["count_id"]: c for c in counts.list_counts(ctx)}


def open_per_location(ctx: Context) -> dict[str, int]:
    """How many open counts cover each location (an office-wide count covers them all)."""
    seen: dict[str, int] = {}
    for c in counts.list_counts(ctx, status="open"):
        for loc in c["locations"]:
            seen[loc] = seen.get(loc, 0) + 1
    return seen


# Observation 1: a stale count posted after a newer one corrupted the book ---------------------


def test_a_newer_count_supersedes_the_older_open_one_which_can_no_longer_be_posted(
    stock,
) -> None:
    ctx = stock
    older = counts.record_count(ctx, location="gudang", scanned=gudang_scan_with_carton())
    assert (older["book"], older["counted"], older["variance"]) == (280, 330, 50)
    writes.receive_shipment(
        ctx, serials="KR0104001-KR0105000", source="Ditjen Dukcapil", document="BA-2"
    )
    newer = counts.record_count(ctx, location="gudang", counted=1280)
    assert (newer["book"], newer["variance"], newer["status"]) == (1280, 0, "open")

    before = head(ctx)
    refused: DomainError | None = None
    try:
        counts.post_count(ctx, count_id=older["count_id"], reason="kardus tak tercatat")
    except DomainError as exc:
        refused = exc
    # The latest physical count said 1,280: the older one's +50 must not reach the book.
    assert q.balance(ctx)["by_location"]["gudang"] == 1280
    assert head(ctx) == before
    assert refused is not None
    assert (refused.code, refused.field) == ("count_superseded", "count_id")
    assert f"#{newer['count_id']}" in refused.message and "gudang" in refused.message

    assert newer["supersedes"] == [older["count_id"]]
    listed = by_id(ctx)
    assert listed[older["count_id"]]["status"] == "superseded"
    assert listed[older["count_id"]]["superseded_by"] == newer["count_id"]
    # Kept for the record: what was found then is still there.
    assert listed[older["count_id"]]["unexpected"] == UNBOOKED

    posted = counts.post_count(ctx, count_id=newer["count_id"], reason="sesuai buku")
    assert (posted["status"], posted["entries"]) == ("posted", [])
    assert q.verify(ctx)["sound"] is True


def test_a_quantity_count_is_not_posted_once_the_book_has_changed(stock) -> None:
    ctx = stock
    c = counts.record_count(ctx, location="gudang", counted=280)
    writes.consume(ctx, service="pemula", qty=1, location="gudang")
    with pytest.raises(DomainError) as err:
        counts.post_count(ctx, count_id=c["count_id"], reason="sesuai buku")
    assert (err.value.code, err.value.field) == ("count_stale", "count_id")
    # It says what changed and what to do.
    assert "280" in err.value.message and "279" in err.value.message
    assert "Hitung ulang gudang (Stock opname)" in err.value.message


# Observation 2: a count that cannot be posted could never be removed -------------------------


def unpostable_loket_count(ctx: Context) -> dict[str, Any]:
    """loket-1 scanned with a card the books say was printed: posting is refused."""
    writes.consume(ctx, service="pemula", serials="KR0001001", effective=D_NOV)
    c = counts.record_count(ctx, location="loket-1", scanned=scan("KR0001001-KR0001020"))
    with pytest.raises(DomainError) as err:
        counts.post_count(ctx, count_id=c["count_id"], reason="opname")
    assert err.value.code == "count_serial_elsewhere"
    return c


def test_the_head_voids_a_count_that_cannot_be_posted(stock, clock) -> None:
    ctx = stock
    c = unpostable_loket_count(ctx)
    before = head(ctx)
    clock.value += timedelta(hours=2)
    voided = counts.void_count(
        ctx, count_id=c["count_id"], reason="rak loket-2 ikut terpindai", idempotency_key="v-1"
    )
    assert voided["status"] == "voided"
    assert voided["void_reason"] == "rak loket-2 ikut terpindai"
    assert voided["voided_by"] == "petugas-uji"
    assert voided["voided_at"] == clock.value.isoformat()
    # What was found is kept; no ledger entry is written.
    assert (voided["book"], voided["counted"], voided["missing"]) == (19, 20, "")
    assert voided["unexpected"] == "KR0001001"
    assert head(ctx) == before
    assert counts.list_counts(ctx, status="open") == []
    # The same request again (same key) is answered, not applied twice.
    again = counts.void_count(
        ctx, count_id=c["count_id"], reason="rak loket-2 ikut terpindai", idempotency_key="v-1"
    )
    assert again["replayed"] is True
    for action, code in (
        (lambda: counts.post_count(ctx, count_id=c["count_id"], reason="x"), "count_voided"),
        (lambda: counts.void_count(ctx, count_id=c["count_id"], reason="x"), "count_voided"),
    ):
        with pytest.raises(DomainError) as err:
            action()
        assert (err.value.code, err.value.field) == (code, "count_id")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        ("posted", "count_posted"),
        ("superseded", "count_superseded"),
    ],
)
def test_only_an_open_count_may_be_voided(stock, make, code) -> None:
    ctx = stock
    c = counts.record_count(ctx, location="loket-1", counted=20)
    if make == "posted":
        counts.post_count(ctx, count_id=c["count_id"], reason="sesuai buku")
    else:
        counts.record_count(ctx, location="loket-1", counted=20)
    before = by_id(ctx)[c["count_id"]]
    with pytest.raises(DomainError) as err:
        counts.void_count(ctx, count_id=c["count_id"], reason="salah hitung")
    assert (err.value.code, err.value.field) == (code, "count_id")
    assert by_id(ctx)[c["count_id"]] == before


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"count_id": 1, "reason": "  "}, "required", "reason"),
        ({"count_id": 99, "reason": "x"}, "unknown_count", "count_id"),
    ],
)
def test_void_needs_a_reason_and_a_known_count(stock, kwargs, code, field) -> None:
    counts.record_count(stock, location="loket-1", counted=20)
    with pytest.raises(DomainError) as err:
        counts.void_count(stock, **kwargs)
    assert (err.value.code, err.value.field) == (code, field)
    assert [c["status"] for c in counts.list_counts(stock)] == ["open"]


# Observation 3: only the latest count of a location is open; figures are never only net -------


def test_only_the_latest_count_of_a_location_is_open_and_the_dashboard_adds_no_stale_one(
    stock,
) -> None:
    ctx = stock
    counts.record_count(ctx, location="gudang", scanned=gudang_scan_with_carton())  # +50
    counts.record_count(ctx, location="gudang", counted=280)  # 0, supersedes the +50
    loket = counts.record_count(
        ctx, location="loket-1", scanned=scan("KR0001001-KR0001017,KR0095901-KR0095904")
    )
    assert (loket["variance"], loket["missing_count"], loket["unexpected_count"]) == (1, 3, 4)
    opened = counts.list_counts(ctx, status="open")
    assert [(c["location"], c["variance"]) for c in opened] == [("gudang", 0), ("loket-1", 1)]
    assert open_per_location(ctx) == {"gudang": 1, "loket-1": 1}
    model = dashboard.dashboard(ctx, None)
    assert model["open_variance"] == 1  # not +51
    assert (model["open_missing"], model["open_unexpected"]) == (3, 4)
    assert len(model["open_counts"]) == 2
    # A quantity-only count does not know which cards: missing/unexpected are unknown, not 0.
    gudang = opened[0]
    assert (gudang["missing_count"], gudang["unexpected_count"]) == (None, None)


def test_status_filter_is_checked(stock) -> None:
    with pytest.raises(DomainError) as err:
        counts.list_counts(stock, status="terbuka")
    assert (err.value.code, err.value.field) == ("unknown_count_status", "status")


# Observation 4: an office-wide count is one count of every location --------------------------


def test_an_office_wide_count_is_one_count_with_the_office_totals(stock) -> None:
    ctx = stock
    c = counts.record_office_count(
        ctx,
        parts=[
            counts.CountInput("gudang", scanned=gudang_scan_with_carton()),
            counts.CountInput("loket-1", counted=20),
        ],
        idempotency_key="opname-kantor-1",
    )
    assert c["office_wide"] is True and c["location"] is None
    assert c["locations"] == ["gudang", "loket-1"]
    assert (c["book"], c["counted"], c["variance"]) == (300, 350, 50)
    assert (c["mode"], c["unexpected"], c["unexpected_count"]) == ("mixed", UNBOOKED, 50)
    parts = {p["location"]: p for p in c["parts"]}
    assert (parts["gudang"]["book"], parts["gudang"]["counted"]) == (280, 330)
    assert (parts["loket-1"]["book"], parts["loket-1"]["counted"], parts["loket-1"]["mode"]) == (
        20,
        20,
        "quantity",
    )
    assert [x["count_id"] for x in counts.list_counts(ctx)] == [c["count_id"]]
    again = counts.record_office_count(
        ctx,
        parts=[
            counts.CountInput("gudang", scanned=gudang_scan_with_carton()),
            counts.CountInput("loket-1", counted=20),
        ],
        idempotency_key="opname-kantor-1",
    )
    assert again["replayed"] is True and again["count_id"] == c["count_id"]

    posted = counts.post_count(ctx, count_id=c["count_id"], reason="kardus lama ditemukan")
    assert [(e["kind"], e["serials"], e["to_location"]) for e in posted["entries"]] == [
        ("found", UNBOOKED, "gudang")
    ]
    entries = q.ledger(ctx, kind="found")["entries"]
    assert [e["count_id"] for e in entries] == [c["count_id"]]
    assert q.balance(ctx)["on_hand"] == 350
    assert q.verify(ctx)["sound"] is True


def test_an_office_wide_count_moves_a_card_found_at_another_location_without_losing_it(
    stock,
) -> None:
    """KR0001020 is booked at loket-1 and found in the store: it is moved, not lost and found."""
    ctx = stock
    c = counts.record_office_count(
        ctx,
        parts=[
            counts.CountInput("gudang", scanned=scan("KR0001020-KR0001100,KR0100001-KR0100200")),
            counts.CountInput("loket-1", scanned=scan("KR0001001-KR0001019")),
        ],
    )
    assert (c["book"], c["counted"], c["variance"]) == (300, 300, 0)
    # Office-wide nothing is missing or unexpected; each location's part says where it was.
    assert (c["missing"], c["unexpected"], c["mode"]) == ("", "", "serials")
    parts = {p["location"]: p for p in c["parts"]}
    assert parts["gudang"]["unexpected"] == "KR0001020"
    assert parts["loket-1"]["missing"] == "KR0001020"
    posted = counts.post_count(ctx, count_id=c["count_id"], reason="tertukar rak")
    assert [(e["kind"], e["serials"], e["from_location"]) for e in posted["entries"]] == [
        ("transfer", "KR0001020", "loket-1")
    ]
    assert q.trace(ctx, serial="KR0001020")["location"] == "gudang"
    assert q.balance(ctx)["totals"]["lost"] == 0


@pytest.mark.parametrize(
    ("parts", "code", "field", "said"),
    [
        ([("gudang", 280)], "count_location_missing", "locations", "loket-1"),
        ([("gudang", 280), ("loket-1", 20), ("gudang", 1)], "count_location_twice", "locations",
         "gudang"),
        ([("gudang", 280), ("lemari", 1), ("loket-1", 20)], "unknown_location", "location",
         "lemari"),
        ([("gudang", "KR0001001"), ("loket-1", "KR0001001-KR0001020")], "serial_counted_twice",
         "serials", "KR0001001"),
        ([("gudang", -1), ("loket-1", 20)], "counted_negative", "counted", "gudang"),
    ],
    ids=["location_missing", "location_twice", "unknown_location", "serial_twice", "negative"],
)  # fmt: skip
def test_an_office_wide_count_must_cover_every_location_once(
    stock, parts, code, field, said
) -> None:
    inputs = [
        counts.CountInput(loc, counted=v) if isinstance(v, int) else counts.CountInput(loc, scanned=scan(v))
        for loc, v in parts
    ]  # fmt: skip
    with pytest.raises(DomainError) as err:
        counts.record_office_count(stock, parts=inputs)
    assert (err.value.code, err.value.field) == (code, field)
    assert said in err.value.message
    assert counts.list_counts(stock) == []


def test_office_wide_and_location_counts_supersede_each_other(stock) -> None:
    ctx = stock
    g = counts.record_count(ctx, location="gudang", counted=280)
    whole = counts.record_office_count(
        ctx,
        parts=[counts.CountInput("gudang", counted=280), counts.CountInput("loket-1", counted=20)],
    )
    assert whole["supersedes"] == [g["count_id"]]
    assert open_per_location(ctx) == {"gudang": 1, "loket-1": 1}
    # Counting one location again replaces the office-wide count as a whole: it is posted
    # as one count or not at all.
    loket = counts.record_count(ctx, location="loket-1", counted=20)
    assert loket["supersedes"] == [whole["count_id"]]
    assert by_id(ctx)[whole["count_id"]]["superseded_by"] == loket["count_id"]
    assert open_per_location(ctx) == {"loket-1": 1}
    with pytest.raises(DomainError) as err:
        counts.post_count(ctx, count_id=whole["count_id"], reason="sesuai buku")
    assert err.value.code == "count_superseded" and "loket-1" in err.value.message


def test_the_demo_count_is_office_wide_with_one_figure(stock) -> None:
    """The demo's count (demo.story.count_office) on a small office: the whole book scanned
    and the unbooked carton in the store give one count with the office's totals."""
    ctx = stock
    c = story.count_office(ctx, office="17.04")
    assert c["office_wide"] is True and c["status"] == "open"
    assert (c["book"], c["counted"], c["variance"]) == (300, 1000, 700)
    assert (c["missing_count"], c["unexpected"]) == (0, story.UNBOOKED)
    assert [p["location"] for p in c["parts"]] == ["gudang", "loket-1"]
    assert [p["variance"] for p in c["parts"]] == [700, 0]
    assert counts.list_counts(ctx, status="open") == [
        {
            k: v
            for k, v in c.items()
            if k not in ("office", "replayed", "duplicate_reads", "supersedes")
        }
    ]


def test_the_record_of_an_office_wide_count_shows_the_office_and_each_location(stock) -> None:
    """The berita acara of the demo-like count: one document, the office's figures, a table
    per location, the unbooked serials; and its status follows the count's life."""
    ctx = stock
    c = story.count_office(ctx, office="17.04")
    r = reports.build(ctx, "count", {"count_id": c["count_id"]})
    assert r.data == {
        "count_id": c["count_id"],
        "book": 300,
        "counted": 1000,
        "variance": 700,
        "missing": 0,
        "unexpected": 700,
    }
    facts = dict(r.facts)
    assert facts["Lokasi"] == "seluruh kantor (gudang, loket-1)"
    assert facts["Status"] == "belum diposting"
    per_location, _missing, unexpected = r.tables
    assert per_location.rows == [["gudang", 280, 980, 700], ["loket-1", 20, 20, 0]]
    assert unexpected.rows == [["KR0095001", "KR0095700", 700]]
    assert render_bytes(r, "xlsx") and render_bytes(r, "pdf")
    counts.void_count(ctx, count_id=c["count_id"], reason="dihitung ulang besok")
    voided = dict(reports.build(ctx, "count", {"count_id": c["count_id"]}).facts)
    assert voided["Status"] == "dibatalkan (petugas-uji): dihitung ulang besok"


def test_migration_0007_gives_old_counts_their_parts_and_leaves_one_open_per_location(
    engine, ctx, office
) -> None:
    """A database with counts from before 0007: every count gets its part, and of several
    open counts of a location only the newest stays open; 0007 goes down and up again."""
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0006")
    with engine.begin() as conn:
        loc = dict(conn.execute(text("SELECT name, id FROM location")).all())
        for name, status, counted in (
            ("gudang", "open", 5),
            ("gudang", "open", 6),
            ("loket-1", "open", 0),
            ("gudang", "posted", 4),
        ):
            conn.execute(
                text(
                    "INSERT INTO stock_count (office_code, location_id, count_date, recorded_at,"
                    " actor, mode, book, counted, missing, unexpected, status) VALUES ('17.04',"
                    " :loc, :d, :t, 'lama', 'quantity', 4, :n, '', '', :status)"
                ),
                {"loc": loc[name], "d": D_NOV, "t": ctx.now(), "n": counted, "status": status},
            )
    command.upgrade(cfg, "head")
    listed = counts.list_counts(ctx)
    assert [(c["count_id"], c["location"], c["status"], c["superseded_by"]) for c in listed] == [
        (1, "gudang", "superseded", 2),
        (2, "gudang", "open", None),
        (3, "loket-1", "open", None),
        (4, "gudang", "posted", None),
    ]
    assert [[p["location"] for p in c["parts"]] for c in listed] == [
        ["gudang"],
        ["gudang"],
        ["loket-1"],
        ["gudang"],
    ]
    assert [c["parts"][0]["counted"] for c in listed] == [5, 6, 0, 4]
    # New counts work on the migrated database and supersede the migrated open ones.
    whole = counts.record_office_count(
        ctx, parts=[counts.CountInput("gudang", counted=0), counts.CountInput("loket-1", counted=0)]
    )
    assert whole["supersedes"] == [2, 3]


# At most one open count per location, whatever happens --------------------------------------

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("count"), st.sampled_from(["gudang", "loket-1"]), st.booleans()),
        st.tuples(st.just("office"), st.just(""), st.booleans()),
        st.tuples(st.just("post"), st.integers(1, 8), st.booleans()),
        st.tuples(st.just("void"), st.integers(1, 8), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_at_most_one_open_count_per_location(stock, actions) -> None:
    """Any sequence of counts (of one location or the whole office), postings and voids leaves
    at most one open count covering each location, and the newest count of a location, when
    open, is that one."""
    ctx = stock
    with ctx.write_plain() as conn:  # each example starts without counts
        conn.execute(t.stock_count_part.delete())
        conn.execute(t.stock_count.delete())
    book = {"gudang": 280, "loket-1": 20}
    made: list[int] = []
    for action, arg, flag in actions:
        try:
            if action == "count":
                made.append(
                    counts.record_count(ctx, location=arg, counted=book[arg] + int(flag))[
                        "count_id"
                    ]
                )
            elif action == "office":
                made.append(
                    counts.record_office_count(
                        ctx, parts=[counts.CountInput(k, counted=v) for k, v in book.items()]
                    )["count_id"]
                )
            elif made:
                count_id = made[(int(arg) - 1) % len(made)]
                if action == "post":
                    counts.post_count(ctx, count_id=count_id, reason="opname")
                else:
                    counts.void_count(ctx, count_id=count_id, reason="batal")
        except DomainError as exc:
            assert exc.code in {
                "count_needs_serials",
                "count_posted",
                "count_superseded",
                "count_voided",
            }, exc
        assert all(n == 1 for n in open_per_location(ctx).values()), actions
        listed = counts.list_counts(ctx)
        for loc in book:
            newest = max(
                (c for c in listed if loc in c["locations"]),
                key=lambda c: c["count_id"],
                default=None,
            )
            covering = [c for c in listed if c["status"] == "open" and loc in c["locations"]]
            if newest is not None and newest["status"] == "open":
                assert covering == [newest]
            else:
                assert covering == []
        # Every superseded count names a newer count that covers one of its locations.
        ids = {c["count_id"]: c for c in listed}
        for c in listed:
            if c["status"] == "superseded":
                newer = ids[c["superseded_by"]]
                assert newer["count_id"] > c["count_id"]
                assert set(newer["locations"]) & set(c["locations"])
    with ctx.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.stock_count)).scalar_one() == len(
            made
        )
    assert q.verify(ctx)["sound"] is True
