"""Helpers shared by the web tests (users per role, log-in, CSRF, tokens)."""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from blangko.web.security import SESSION_COOKIE

__all__ = ["TestClient"]

PASSWORD = "rahasia-uji-123"
# user name -> role; the user name is the role's short name.
ROLE_USERS = {
    "admin": "admin",
    "kepala": "kepala",
    "operator": "operator",
    "stok": "pengelola_stok",
    "auditor": "auditor",
}
USER_FOR_ROLE = {role: name for name, role in ROLE_USERS.items()}
SECRET = "kunci-rahasia-uji-yang-panjang"
# The family card a first-card application (pemula) brings by default.
KK = {"no_kk": "1704010101010001"}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )


def bearer(client, username: str, password: str = PASSWORD) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def session_cookie(
    app, username: str | None, csrf: str = "csrf-uji", version: int = 0
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"csrf": csrf}
    if username:
        data["u"] = username
        data["v"] = version
    return {SESSION_COOKIE: app.state.signer.dump_session(data)}


def add_resident(ctx, *, serial: int, printed=None, recorded=None, office: str = "17.04") -> str:  # type: ignore[no-untyped-def]
    """A living adult resident of Kinal (17.04.01), written straight into the table."""
    from datetime import date

    from blangko.adapters import tables_residents as tr
    from blangko.domain.nik import build_nik

    birth = date(1990, 5, 17)
    nik = build_nik("17.04.01", birth, "L", serial)
    with ctx.write_plain() as conn:
        conn.execute(
            tr.resident.insert().values(
                nik=nik,
                office_code=office,
                nama=f"Penduduk Uji {serial}",
                jenis_kelamin="L",
                tanggal_lahir=birth,
                status_kawin="BELUM KAWIN",
                kode_desa="17.04.01.2001",
                kode_kecamatan="17.04.01",
                tanggal_rekam=recorded,
                tanggal_cetak=printed,
                status="HIDUP",
                updated_at=ctx.now(),
            )
        )
    return nik


def stock_station(ctx, at_station: int = 20) -> None:  # type: ignore[no-untyped-def]
    """100 blanks KR0000001-KR0000100, the lowest ``at_station`` at loket-1."""
    from datetime import timedelta

    from blangko.services.stock import writes

    start = ctx.today() - timedelta(days=30)
    writes.record_opening(ctx, serials="KR0000001-KR0000100", effective=start)
    writes.transfer(
        ctx, qty=at_station, from_location="gudang", to_location="loket-1", effective=start
    )


def text_of_testid(html: str, testid: str) -> str:
    """The text right inside the element marked data-testid="<testid>" (up to its first tag)."""
    rest = html.split(f'data-testid="{testid}"', 1)[1]
    return rest.split(">", 1)[1].split("<", 1)[0]


def insert_user(
    ctx, username: str, role: str, office: str | None = None, password: str = PASSWORD
) -> None:  # type: ignore[no-untyped-def]
    """A web user written straight into the table (as `blangko user add` or an older release
    would have left it), so that a test sets up the same accounts on any version of the code.
    The hash is argon2id at its smallest cost, as the test process hashes
    (`_cheap_password_hashes`, tests/conftest.py): with argon2's defaults each account cost
    0.15 s to write (1-2 s on a loaded machine), and each of its log-ins as much again to check
    (argon2 reads the cost from the hash)."""
    from argon2 import PasswordHasher

    from blangko.adapters.tables_users import app_user

    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)

    with ctx.write_plain() as conn:
        conn.execute(
            app_user.insert().values(
                username=username,
                office_code=office,
                role=role,
                password_hash=hasher.hash(password),
                active=True,
                created_at=ctx.now(),
            )
        )


def hold_background(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The thread of every computing of the forecast, in order; the server's background
    computing of a stale figure (services.derived) is held until the test waits for it
    (derived.wait_background), so that what a view shows before does not depend on how fast
    the background is (as tests/integration/test_derived_figures.py)."""
    import threading

    from blangko.services import derived, forecast

    threads: list[str] = []
    real, real_wait = forecast.forecast, derived.wait_background
    gate = threading.Event()

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "blangko-figures-stale":
            gate.wait(120)
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    def wait(timeout: float = 300.0) -> bool:
        gate.set()
        try:
            return real_wait(timeout)
        finally:
            gate.clear()

    monkeypatch.setattr(forecast, "forecast", counted)
    monkeypatch.setattr(derived, "wait_background", wait)
    return threads
