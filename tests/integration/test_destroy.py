"""Destruction of spoiled cards (`stock destroy`): spoiled -> destroyed, witnessed, in the
hash chain, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from blangko.adapters import tables as t
from blangko.domain.errors import Conflict, DomainError
from blangko.domain.ledger import EntryRecord, Kind, Replay, State
from blangko.domain.serials import parse_ranges
from blangko.services.context import Context
from blangko.services.stock import queries as q
from blangko.services.stock import writes

WITNESSES = ["Budi Santoso", "Siti Aminah"]


@pytest.fixture
def spoiled(ctx: Context, office: str) -> None:
    """100 in the store from 1 October; two spoiled in October, one in November."""
    writes.record_opening(ctx, serials="KR0001001-KR0001100", effective=date(2026, 10, 1))
    writes.spoil(ctx, serial="KR0001005", reason="salah_cetak", effective=date(2026, 10, 10))
    writes.spoil(ctx, serial="KR0001006", reason="gagal_encode", effective=date(2026, 10, 12))
    writes.spoil(ctx, serial="KR0001050", reason="rusak_fisik", effective=date(2026, 11, 3))


def destroy(ctx: Context, **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "month": "2026-10",
        "destroyed_on": date(2026, 11, 2),
        "witnesses": WITNESSES,
        "document": "BA-MUSNAH/2026/10",
        **kw,
    }
    return writes.destroy_spoiled(ctx, **args)


def head(ctx: Context) -> tuple[int, str]:
    with ctx.read() as conn:
        row = conn.execute(select(t.office.c.ledger_seq, t.office.c.ledger_hash)).one()
    return row.ledger_seq, row.ledger_hash


def test_destroy_moves_the_months_spoiled_cards_and_keeps_the_books(ctx: Context, spoiled) -> None:
    before = q.balance(ctx)
    r = destroy(ctx)
    (entry,) = r["entries"]
    assert (entry["kind"], entry["quantity"], entry["serials"]) == (
        "destroy",
        2,
        "KR0001005-KR0001006",
    )
    assert q.trace(ctx, serial="KR0001005")["state"] == "destroyed"
    assert q.trace(ctx, serial="KR0001006")["state"] == "destroyed"
    assert q.trace(ctx, serial="KR0001050")["state"] == "spoiled"  # November's: not yet
    # Destroyed cards were already counted as spoiled: every total and the stock are unchanged.
    assert q.balance(ctx) == before
    assert before["totals"]["spoiled"] == 3 and before["on_hand"] == 97
    v = q.verify(ctx)
    assert v["sound"], v["problems"]
    assert v["entries"] == 5
    stored = q.ledger(ctx, kind="destroy")["entries"][0]
    assert stored["party"] == "Budi Santoso; Siti Aminah"
    assert stored["document"] == "BA-MUSNAH/2026/10"
    assert stored["from_location"] is None and stored["to_location"] is None


def test_destroy_refusals_write_nothing(ctx: Context, spoiled) -> None:
    start = head(ctx)
    cases = [
        ({"witnesses": ["Budi Santoso"]}, "witnesses_required"),
        ({"witnesses": ["Budi", " budi "]}, "witnesses_required"),
        ({"document": " "}, "required"),
        ({"destroyed_on": date(2026, 10, 11)}, "destroyed_before_spoiled"),
        ({"destroyed_on": date(2026, 11, 28)}, "date_in_future"),
        ({"month": "2026-09"}, "nothing_to_destroy"),
        ({"month": "2026-9x"}, "month_format"),
    ]
    for kw, code in cases:
        with pytest.raises(DomainError) as exc:
            destroy(ctx, **kw)
        assert exc.value.code == code, kw
        assert head(ctx) == start
    destroy(ctx)
    after = head(ctx)
    with pytest.raises(Conflict) as exc:
        destroy(ctx)
    assert exc.value.code == "already_destroyed"
    assert head(ctx) == after


def test_destroy_is_idempotent_with_a_key(ctx: Context, spoiled) -> None:
    first = destroy(ctx, idempotency_key="musnah-okt")
    again = destroy(ctx, idempotency_key="musnah-okt")
    assert again["replayed"] is True and again["entries"] == first["entries"]
    assert q.verify(ctx)["sound"]


def test_a_tampered_destroy_entry_is_detected(ctx: Context, spoiled) -> None:
    seq = destroy(ctx)["entries"][0]["seq"]
    with ctx.write_plain() as conn:
        conn.execute(
            update(t.ledger_entry)
            .where(t.ledger_entry.c.kind == "destroy")
            .values(party="Orang Lain; Budi Santoso")
        )
    v = q.verify(ctx)
    assert not v["sound"]
    assert v["first_bad_seq"] == seq
    assert any("hash" in p["message"] for p in v["problems"])


def test_a_card_put_back_to_spoiled_behind_the_ledger_is_detected(ctx: Context, spoiled) -> None:
    destroy(ctx)
    with ctx.write_plain() as conn:
        conn.execute(update(t.blank).where(t.blank.c.serial == "KR0001005").values(state="spoiled"))
    v = q.verify(ctx)
    assert not v["sound"]
    assert any("KR0001005" in p["message"] for p in v["problems"])


def _record(seq: int, kind: Kind, serials: str, **kw: Any) -> EntryRecord:
    fields: dict[str, Any] = {
        "office": "17.04",
        "seq": seq,
        "kind": kind.value,
        "effective_date": date(2026, 10, 1),
        "recorded_at": datetime(2026, 10, 1),
        "actor": "x",
        "from_location": None,
        "to_location": None,
        "service": None,
        "reason": None,
        "document": None,
        "party": None,
        "note": None,
        "idempotency_key": None,
        "quantity": len(list(parse_ranges(serials)[0].serials())),
        "serials": serials,
        "corrects_seq": None,
        "count_id": None,
        "prev_hash": "0" * 64,
        **kw,
    }
    return EntryRecord(**fields)


def test_replay_refuses_destroying_a_card_that_is_not_spoiled() -> None:
    """A forged destroy entry naming an available card breaks the replay at that entry."""
    replay = Replay()
    replay.apply(_record(1, Kind.OPENING, "A001-A003", to_location=1), parse_ranges("A001-A003"))
    replay.apply(_record(2, Kind.SPOIL, "A001", from_location=1), parse_ranges("A001"))
    replay.apply(_record(3, Kind.DESTROY, "A001-A002"), parse_ranges("A001-A002"))
    assert replay.states["A001"].state == State.DESTROYED
    assert replay.states["A002"].state == State.AVAILABLE
    assert [(p.seq, "A002" in p.message) for p in replay.problems] == [(3, True)]
