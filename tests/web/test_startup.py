"""Safe by construction at start-up (issue 19, finding 3): the secret check, the NIK filter
on the logs and the security headers are made by `create_app`, so every way of starting the
server gets them; and the documented production start (docs/web.md: uvicorn with workers
behind a reverse proxy) is started here that way, checked, and stopped.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer
from web_helpers import SECRET, TestClient

from blangko.domain.errors import DomainError
from blangko.settings import DEFAULT_SECRET_KEY, Settings
from blangko.web.app import create_app

NIK = "1704015705900001"
MASKED = "1704********0001"


def _demo_secret_token(username: str) -> str:
    """A token for `username` signed with the public demo secret (it is in the source)."""
    return URLSafeTimedSerializer(DEFAULT_SECRET_KEY, salt="blangko.api-token").dumps(
        {"u": username, "v": 0}
    )


# --- in process ---------------------------------------------------------------------------------


def test_create_app_refuses_the_public_secret(ctx, office) -> None:  # type: ignore[no-untyped-def]
    for make in (
        lambda: create_app(Settings(database_url=str(ctx.engine.url))),
        lambda: create_app(ctx),
        lambda: create_app(ctx, settings=Settings(secret_key="pendek")),
    ):
        with pytest.raises(DomainError) as err:
            make()
        assert err.value.code == "default_secret" and "BLANGKO_SECRET_KEY" in err.value.message
    # Only an explicit demo accepts it.
    create_app(ctx, settings=Settings(demo=True))


def test_every_response_carries_the_security_headers(app, client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/login", "/status", "/api/v1/status", "/api/v1/me", "/static/app.css", "/x"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and script_src.group(1).strip() == "'self'", (path, csp)
        assert "frame-ancestors 'none'" in csp, path
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["referrer-policy"] == "no-referrer", path
        assert "strict-transport-security" not in r.headers  # plain http here
    # No inline script in any page or the API documentation the policy would block.
    for path in ("/login", "/status", "/api/docs"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
    behind_tls = TestClient(app, base_url="https://testserver")
    assert "max-age" in behind_tls.get("/login").headers["strict-transport-security"]


def test_create_app_masks_nik_in_the_access_log(app) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    keep, level = Keep(), access.level
    access.addHandler(keep)
    access.setLevel(logging.INFO)
    try:
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", f"/layanan?nik={NIK}", "1.1", 200
        )
    finally:
        access.removeHandler(keep)
        access.setLevel(level)
    assert lines and MASKED in lines[0] and NIK not in lines[0]


# --- the documented production start ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLANGKO_")}
    return {**env, **values}


def _blangko(env: dict[str, str], *args: str, stdin: str = "") -> None:
    r = subprocess.run(
        [sys.executable, "-m", "blangko", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


# As in docs/web.md ("Production start"), on a free loopback port.
def _uvicorn(port: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", "blangko.web.app:served_app",
        "--host", "127.0.0.1", "--port", str(port),
        "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", "--no-server-header", *extra,
    ]  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def production(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`uvicorn --factory blangko.web.app:served_app --workers 2` on a SQLite file with a real
    secret, after `blangko init` and `blangko user add`; its output (the access log) in a file."""
    env = _env(
        BLANGKO_DATABASE_URL=f"sqlite:///{tmp_path / 'blangko.db'}",
        BLANGKO_SECRET_KEY=secrets.token_urlsafe(32),
    )
    _blangko(env, "init", "--office", "17.04")
    _blangko(env, "user", "add", "admin", "--role", "admin", "--password-stdin", stdin=SECRET)
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _uvicorn(port, "--workers", "2"), stdout=out, stderr=subprocess.STDOUT, env=env
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/api/v1/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "server did not start:\n" + log.read_text()
            time.sleep(0.3)
        yield base, log
    finally:
        _stop(proc)


def test_production_start_is_safe(production) -> None:  # type: ignore[no-untyped-def]
    base, log = production
    page = httpx.get(f"{base}/login")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    # Behind the reverse proxy (it sets X-Forwarded-Proto): browsers are told https only.
    tls = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": "https"})
    assert "max-age" in tls.headers["strict-transport-security"]
    # A token signed with the public demo secret is refused; a real one works.
    forged = {"Authorization": f"Bearer {_demo_secret_token('admin')}"}
    assert httpx.get(f"{base}/api/v1/me", headers=forged).status_code == 401
    assert httpx.get(f"{base}/api/v1/users", headers=forged).status_code == 401
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "admin", "password": SECRET})
    real = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert httpx.get(f"{base}/api/v1/me", headers=real).json()["role"] == "admin"
    # A NIK in a request's path and query reaches the access log masked.
    httpx.get(f"{base}/api/v1/residents/{NIK}", headers=real)
    httpx.get(f"{base}/layanan", params={"nik": NIK})
    deadline = time.time() + 10
    while f"/api/v1/residents/{MASKED}" not in log.read_text() and time.time() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    assert f"/api/v1/residents/{MASKED}" in text and f"nik={MASKED}" in text, text
    assert NIK not in text


def test_production_start_refuses_the_public_secret(tmp_path: Path) -> None:
    env = _env(BLANGKO_DATABASE_URL=f"sqlite:///{tmp_path / 'blangko.db'}")
    _blangko(env, "init")
    proc = subprocess.Popen(
        _uvicorn(_free_port()), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        _stop(proc)
        pytest.fail("the server started with the public demo secret")
    assert proc.returncode != 0
    assert b"BLANGKO_SECRET_KEY" in out
