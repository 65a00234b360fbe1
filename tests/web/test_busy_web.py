"""A write that cannot get the database's lock in time (another write holds it: a registry
import's swap on SQLite, the office's chain head on PostgreSQL) answers 503 with Retry-After
and says that nothing was written, on the API and on the page; never a 500. Sent again once
the lock is free, it is booked once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from web_helpers import bearer, csrf_of, login

from blangko.adapters.db import is_sqlite
from blangko.services.stock import queries

SHIPMENT = {"serials": "KR0100001-KR0100100", "source": "Ditjen Dukcapil", "document": "BA-9"}
BUSY = "Basis data sedang sibuk"


def _short_lock_wait(engine: Any) -> None:
    """The app's new connections wait 0,2 s for a lock instead of a minute (SQLite) or for
    ever (PostgreSQL), so the test sees the refusal quickly."""

    @event.listens_for(engine, "connect")
    def _wait_briefly(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if is_sqlite(engine):
            cur.execute("PRAGMA busy_timeout=200")
        else:
            cur.execute("SET lock_timeout = '200ms'")
            dbapi_conn.commit()
        cur.close()

    engine.dispose()


@contextmanager
def _lock_held(ctx: Any, office: str) -> Iterator[None]:
    """Another connection holds the lock every write of the office needs."""
    conn = ctx.engine.connect()
    try:
        if is_sqlite(ctx.engine):
            conn.info["blangko_write"] = True  # BEGIN IMMEDIATE: SQLite's write lock
            conn.begin()
            conn.execute(text("SELECT 1 FROM office"))
        else:
            conn.begin()
            conn.execute(text("SELECT 1 FROM office WHERE code = :c FOR UPDATE"), {"c": office})
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_write_behind_a_held_lock_is_refused_with_503_and_nothing_written(
    client: Any, ctx: Any, office: str
) -> None:
    h = bearer(client, "stok")
    login(client, "stok")
    form = client.get("/stok")
    _short_lock_wait(ctx.engine)
    with _lock_held(ctx, office):
        api = client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
        page = client.post(
            "/stok/terima",
            data={"csrf": csrf_of(form.text), **SHIPMENT, "to": "gudang", "idem": "busy-1"},
            follow_redirects=False,
        )
    assert api.status_code == 503, api.text
    assert api.headers["Retry-After"] == "5"
    assert api.json()["error"]["code"] == "db_busy"
    assert BUSY in api.json()["error"]["message"]
    assert page.status_code == 503, page.text[:500]
    assert BUSY in page.text  # the form again, the message with it
    assert queries.balance(ctx)["on_hand"] == 0  # nothing was written
    # Once the lock is free, the same request is booked, once.
    again = client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    assert again.status_code == 200, again.text
    assert queries.balance(ctx)["on_hand"] == 100


def test_the_api_answers_in_english_when_asked(client: Any, ctx: Any, office: str) -> None:
    h = {**bearer(client, "stok"), "Accept-Language": "en"}
    _short_lock_wait(ctx.engine)
    with _lock_held(ctx, office):
        r = client.post("/api/v1/stock/receive", json=SHIPMENT, headers=h)
    assert r.status_code == 503
    assert r.json()["error"]["message"].startswith("The database is busy")
